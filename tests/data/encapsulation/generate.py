#!/usr/bin/env python3
"""Builds the encapsulation test captures of tests/encapsulation_parity.rs (standard library only).

    python3 tests/data/encapsulation/generate.py [CORPUS_DIR]

CORPUS_DIR defaults to <repo>/../shared/captures. Writes, beside this script:

pppoe_qinq_tcp.pcap
    Every frame of arkime/wireshark-retrans.pcap (Apache-2.0, arkime/arkime @ 2d2f3678796b,
    tests/pcap/wireshark-retrans.pcap: one TCP connection in heavy loss recovery) re-encapsulated
    as Ethernet + 802.1ad (0x88a8, S-VLAN 100) + 802.1Q (0x8100, C-VLAN 200 in one direction,
    201 in the other: tshark's stream key has no VLAN id) + PPPoE session (0x8864, session 0x1234,
    length = PPP payload) + PPP protocol (0x0021 IPv4). Every third frame uses the compressed
    1-byte PPP protocol field (0x21). Frames are zero-padded to the 60-byte Ethernet minimum and
    frames without TCP payload get 6 more trailer bytes (padding a tag-pushing switch left), so
    a decoder that takes the payload length from the frame instead of the IP header counts them.
    Every fifth IPv4 frame has IP total length 0 (TSO on the capturing sender), so only the PPPoE
    length bounds the packet. Then the same frames again, 1000 s later, as IPv6 (PPP protocol 0x0057 / compressed 0x57),
    addresses 2001:db8::<IPv4 address>, hop limit = the IPv4 TTL, as a second TCP stream.

mpls_bad_ipv6.pcap
    Ethernet + MPLS (0x8847, two labels, the second bottom-of-stack) + IPv6 (next header 41)
    carrying an inner IPv6 packet that is broken in one way per frame, then one good frame:
      1. inner IPv6 header truncated (20 of 40 bytes)
      2. inner version nibble 4 (the bytes then read as a plausible IPv4 header, TTL 64)
      3. inner version nibble 5
      4. inner payload length past the end of the frame (TCP inside)
      5. outer version nibble 7 directly after the MPLS stack
      6. good: IPv6-in-IPv6 with TCP, for reference
      7. one IPv6 header whose payload length runs past the end of the (whole) frame
    Each broken frame's inner bytes are chosen so that a lax reader would find an IPv4 TTL of 64
    and the address 192.0.2.1, which tshark never shows for these frames.

The expected values are written by expected.sh (tshark 4.0.17).
"""

import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
CORPUS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "..", "shared", "captures")


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    endian = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">"}[magic]
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    assert linktype == 1, "Ethernet capture expected"
    at, frames = 24, []
    while at + 16 <= len(data):
        sec, usec, caplen, wirelen = struct.unpack(endian + "IIII", data[at : at + 16])
        frames.append((sec, usec, data[at + 16 : at + 16 + caplen]))
        at += 16 + caplen
    return frames


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for sec, usec, frame in frames:
            f.write(struct.pack("<IIII", sec, usec, len(frame), len(frame)))
            f.write(frame)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4_to_ipv6(packet):
    """The IPv4 packet's TCP segment under an IPv6 header (2001:db8::a.b.c.d), checksum redone."""
    ihl = (packet[0] & 0x0F) * 4
    total = struct.unpack("!H", packet[2:4])[0]
    ttl, proto = packet[8], packet[9]
    src = b"\x20\x01\x0d\xb8" + b"\0" * 8 + packet[12:16]
    dst = b"\x20\x01\x0d\xb8" + b"\0" * 8 + packet[16:20]
    segment = bytearray(packet[ihl:total])
    if proto == 6 and len(segment) >= 20:
        segment[16:18] = b"\0\0"
        pseudo = src + dst + struct.pack("!IxxxB", len(segment), 6)
        segment[16:18] = struct.pack("!H", checksum(pseudo + bytes(segment)))
    header = struct.pack("!IHBB", 6 << 28, len(segment), proto, ttl) + src + dst
    return header + bytes(segment)


def pppoe_frame(eth_dst, eth_src, c_vlan, ip_packet, ipv6, compressed, extra_trailer):
    if compressed:
        ppp = bytes([0x57 if ipv6 else 0x21])
    else:
        ppp = struct.pack("!H", 0x0057 if ipv6 else 0x0021)
    ppp_payload = ppp + ip_packet
    frame = (
        eth_dst
        + eth_src
        + struct.pack("!HH", 0x88A8, 100)
        + struct.pack("!HH", 0x8100, c_vlan)
        + struct.pack("!H", 0x8864)
        + struct.pack("!BBHH", 0x11, 0x00, 0x1234, len(ppp_payload))
        + ppp_payload
    )
    if len(frame) < 60:
        frame += b"\0" * (60 - len(frame))
    return frame + b"\0" * extra_trailer


def pppoe_capture():
    frames = read_pcap(os.path.join(CORPUS, "arkime", "wireshark-retrans.pcap"))
    first_src = frames[0][2][6:12]
    out = []
    for ipv6 in (False, True):
        for n, (sec, usec, frame) in enumerate(frames):
            assert frame[12:14] == b"\x08\x00", "untagged IPv4 expected"
            ip = frame[14:]
            total = struct.unpack("!H", ip[2:4])[0]
            ip = ip[:total]  # drop the original Ethernet padding
            ihl = (ip[0] & 0x0F) * 4
            tcp_header = (ip[ihl + 12] >> 4) * 4
            payload = total - ihl - tcp_header
            packet = ipv4_to_ipv6(ip) if ipv6 else ip
            if not ipv6 and n % 5 == 1:
                # Total length 0, as a sender with segmentation offload captures it: the
                # PPPoE length then ends the packet (before the padding), not the frame.
                packet = packet[:2] + b"\0\0" + packet[4:]
            c_vlan = 200 if frame[6:12] == first_src else 201
            out.append(
                (
                    sec + (1000 if ipv6 else 0),
                    usec,
                    pppoe_frame(
                        frame[0:6],
                        frame[6:12],
                        c_vlan,
                        packet,
                        ipv6,
                        compressed=(n % 3 == 2),
                        extra_trailer=0 if payload else 6,
                    ),
                )
            )
    write_pcap(os.path.join(HERE, "pppoe_qinq_tcp.pcap"), out)


def ipv6_header(payload_len, next_header, hop_limit, src_last, dst_last, version=6):
    src = b"\x20\x01\x0d\xb8" + b"\0" * 11 + bytes([src_last])
    dst = b"\x20\x01\x0d\xb8" + b"\0" * 11 + bytes([dst_last])
    return struct.pack("!IHBB", version << 28, payload_len, next_header, hop_limit) + src + dst


def tcp_segment(sport, dport, seq, ack, flags, payload=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 8192, 0, 0) + payload


# 20 bytes that read as an IPv4 header with TTL 64, TCP, 192.0.2.1 -> 192.0.2.2 once the first
# nibble is taken for a version of 4; after it, a TCP SYN.
LAX_IPV4 = bytes(
    [0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2]
) + tcp_segment(1025, 80, 1, 0, 0x02)


def mpls_frame(inner):
    eth = b"\x00\x00\x5e\x00\x53\x01" + b"\x00\x00\x5e\x00\x53\x02" + struct.pack("!H", 0x8847)
    labels = struct.pack("!I", (16 << 12) | 64) + struct.pack("!I", (17 << 12) | 0x100 | 64)
    frame = eth + labels + inner
    if len(frame) < 60:
        frame += b"\0" * (60 - len(frame))
    return frame


def mpls_capture():
    out = []
    good_inner = ipv6_header(20, 6, 64, 3, 4) + tcp_segment(1026, 80, 7, 0, 0x02)
    broken = [
        # 1. inner IPv6 header cut after 20 bytes (the outer payload length says so too).
        ipv6_header(20, 41, 63, 1, 2) + good_inner[:20],
        # 2. inner version nibble 4: the inner bytes are an IPv4 header.
        ipv6_header(len(LAX_IPV4), 41, 63, 1, 2) + LAX_IPV4,
        # 3. inner version nibble 5 (otherwise the same IPv4-looking bytes).
        ipv6_header(len(LAX_IPV4), 41, 63, 1, 2) + bytes([0x55]) + LAX_IPV4[1:],
        # 4. inner payload length 1000, past the end of the frame.
        ipv6_header(len(good_inner), 41, 63, 1, 2)
        + ipv6_header(1000, 6, 64, 3, 4)
        + good_inner[40:],
        # 5. after the bottom label, an IPv6 header whose version nibble is 7.
        bytes([0x70]) + ipv6_header(len(LAX_IPV4), 41, 63, 1, 2)[1:] + LAX_IPV4,
        # 6. good IPv6-in-IPv6 with a TCP SYN.
        ipv6_header(len(good_inner), 41, 63, 1, 2) + good_inner,
        # 7. a single IPv6 header whose payload length (1000) runs past the whole frame, over
        #    a TCP segment with 4 bytes of data.
        ipv6_header(1000, 6, 64, 5, 6) + tcp_segment(1027, 80, 9, 1, 0x18, b"abcd"),
    ]
    for n, inner in enumerate(broken):
        out.append((1700000000 + n, 0, mpls_frame(inner)))
    write_pcap(os.path.join(HERE, "mpls_bad_ipv6.pcap"), out)


if __name__ == "__main__":
    pppoe_capture()
    mpls_capture()
