#!/usr/bin/env python3
"""Seeds the fuzz targets' corpora (fuzz/corpus/<target>/) from the real captures in
../shared/captures (or $TRACELENS_CAPTURES) and the display filters of tests/filters/filters.txt:
whole capture files for capture_chunks, single frames (with the link-type selector byte
common.rs reads) for wire_decode and dissect, small captures in common.rs's frame format for
findings and filter_frames, and one filter per file for filter_text. Frames are read with
editcap's help (any format → classic pcap), so only captures whose frames share one link type
give frames."""
import hashlib, os, struct, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CAPTURES = os.environ.get("TRACELENS_CAPTURES", os.path.join(REPO, "..", "shared", "captures"))
LINK_TYPES = [1, 0, 101, 113, 276, 9, 51, 108, 228, 229, 12, 14, 50, 204]  # as common.rs


def put(target, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def frames_of(path):
    """(link type, [frame bytes]) of a capture, via editcap -F pcap; None when it has several."""
    with tempfile.NamedTemporaryFile(suffix=".pcap") as tmp:
        r = subprocess.run(["editcap", "-F", "pcap", path, tmp.name], capture_output=True)
        if r.returncode != 0:
            return None
        raw = open(tmp.name, "rb").read()
    if len(raw) < 24:
        return None
    endian = "<" if raw[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    link = struct.unpack(endian + "I", raw[20:24])[0]
    frames, at = [], 24
    while at + 16 <= len(raw):
        incl = struct.unpack(endian + "I", raw[at + 8:at + 12])[0]
        frames.append(raw[at + 16:at + 16 + incl])
        at += 16 + incl
    return link, frames


def main():
    files = []
    for root, _, names in os.walk(CAPTURES):
        files += [os.path.join(root, n) for n in names if not n.endswith(".md")]
    for path in sorted(files):
        data = open(path, "rb").read()
        if len(data) <= 1 << 20:
            put("capture_chunks", bytes([len(data) % 251]) + data)
        got = frames_of(path)
        if not got or got[0] not in LINK_TYPES:
            continue
        link, frames = got
        selector = bytes([LINK_TYPES.index(link)])
        for frame in frames[:40]:
            put("wire_decode", selector + frame)
            put("dissect", selector + frame)
        small = b"".join(bytes([min(len(f), 255)]) + f[:255] for f in frames[:24])
        put("findings", selector + small)
        put("filter_frames", selector + small)
    with open(os.path.join(REPO, "tests", "filters", "filters.txt")) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                put("filter_text", line.encode())
    for target in sorted(os.listdir(os.path.join(HERE, "corpus"))):
        print(target, len(os.listdir(os.path.join(HERE, "corpus", target))), "seeds")


if __name__ == "__main__":
    sys.exit(main())
