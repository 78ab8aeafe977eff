//! Properties that hold for every input (issue 14, hostile input), checked over a spread of real
//! captures from `../shared/captures` (classic pcap little- and big-endian, nanosecond and
//! modified; pcapng with several interfaces, and with sections of both byte orders; Network
//! Monitor 2.3; gzip'd pcap and pcapng) and over generated cases (random captures, cuts, flipped
//! bytes) drawn from a seeded xorshift generator, so every run checks the same cases:
//!
//! - **prefix**: any byte prefix of a capture yields exactly the first frames of the whole file
//!   (every frame whose record lies wholly inside the prefix, with the same offset, lengths, time,
//!   interface) and, when the cut falls inside a record, an error at the byte where that record
//!   starts, naming the next frame number. The record boundaries come from a walk of the file
//!   written here, independent of the readers. For gzip the cut is in the compressed file, or
//!   the deflate stream turns invalid after a chosen byte; the error is then at the end of what
//!   inflated (offsets are in the decompressed stream).
//! - **chunking**: a capture pushed in chunks of any sizes (1 byte, random, whole) gives the same
//!   index (every field of every record, every table), the same file information and error, and
//!   the same summary; damaged variants of the captures (cut, bytes changed, gzip'd with damage)
//!   too.
//! - **filter algebra**: over corpus captures and the filters of `tests/filters/filters.txt`,
//!   `a and b` selects frames(a) ∩ frames(b), `a or b` the union, and `not a` the complement of
//!   frames(a): a filter either matches a frame or not, whatever `!=` and absent fields do inside
//!   `a`. And `not (f != x)` is `f == x or not f` (`wireshark-semantics.md` §4: `!=` needs the
//!   field), which tshark 4.0 agrees with.

mod common;

use common::{corpus_dir, Memory};
use std::collections::BTreeSet;
use tracelens::analyzer::Analyzer;
use tracelens::capture::reader::CaptureReader;
use tracelens::capture::RawFrame;
use tracelens::filter::Filter;
use tracelens::CaptureError;

/// xorshift64: a small deterministic generator, so the cases are the same on every run.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// A size below `2^bits`, as often below 2 as below `2^bits`: mostly small, sometimes large.
    fn size(&mut self, bits: usize) -> usize {
        let scale = self.below(bits);
        self.below(1 << scale)
    }
}

fn corpus(path: &str) -> Vec<u8> {
    std::fs::read(corpus_dir().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Reading at the reader level: every field of every frame, and the error.

/// What the reader hands over for one frame.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Frame {
    offset: u64,
    caplen: usize,
    orig_len: u32,
    ts_ns: Option<i64>,
    interface: u32,
    link_type: u32,
    direction: u8,
}

impl Frame {
    fn of(raw: RawFrame<'_>) -> Frame {
        Frame {
            offset: raw.offset,
            caplen: raw.data.len(),
            orig_len: raw.orig_len,
            ts_ns: raw.ts_ns,
            interface: raw.interface,
            link_type: raw.link_type,
            direction: raw.direction,
        }
    }
}

/// Reads `bytes` through a capture reader, in chunks of `chunk` bytes.
fn read(bytes: &[u8], chunk: usize) -> (Vec<Frame>, Option<CaptureError>) {
    let mut frames = Vec::new();
    let mut reader = CaptureReader::new("property");
    let mut sink = |raw: RawFrame<'_>| frames.push(Frame::of(raw));
    for piece in bytes.chunks(chunk.max(1)) {
        reader.push(piece, &mut sink);
    }
    reader.finish(&mut sink);
    (frames, reader.into_info().error)
}

// ---------------------------------------------------------------------------------------------
// The layout of a capture, walked independently of the readers.

/// A stretch of the (decompressed) stream the reader takes as a whole: the file header, a record
/// or block, or a NetMon frame-table entry.
#[derive(Debug, Clone, Copy)]
struct Unit {
    start: u64,
    end: u64,
    frame: bool,
}

/// The units of a capture in stream order; cuts at or past `tail_from` (NetMon tables after the
/// frame table) keep every frame and are not checked further.
#[derive(Debug, Default)]
struct Layout {
    units: Vec<Unit>,
    tail_from: Option<u64>,
    /// NetMon: a cut on a record boundary before the end of the frame table is an error there.
    needs_frame_table: bool,
}

fn u32_at(bytes: &[u8], at: usize, big_endian: bool) -> u64 {
    let b = [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
    u64::from(if big_endian {
        u32::from_be_bytes(b)
    } else {
        u32::from_le_bytes(b)
    })
}

/// Classic pcap: a 24-byte header, then records of a 16-byte (modified format: 24-byte) header
/// and `incl_len` bytes.
fn pcap_layout(bytes: &[u8]) -> Layout {
    let (big_endian, header_len) = match u32_at(bytes, 0, false) {
        0xa1b2_c3d4 | 0xa1b2_3c4d => (false, 16),
        0xd4c3_b2a1 | 0x4d3c_b2a1 => (true, 16),
        0xa1b2_cd34 => (false, 24),
        0x34cd_b2a1 => (true, 24),
        magic => panic!("not a pcap magic: {magic:08x}"),
    };
    let mut units = vec![Unit {
        start: 0,
        end: 24,
        frame: false,
    }];
    let mut at = 24;
    while at + header_len <= bytes.len() {
        let end = at + header_len + u32_at(bytes, at + 8, big_endian) as usize;
        units.push(Unit {
            start: at as u64,
            end: end as u64,
            frame: true,
        });
        at = end;
    }
    Layout {
        units,
        ..Layout::default()
    }
}

/// pcapng: blocks of a type, a total length (rounded up to 4) in their section's byte order.
fn pcapng_layout(bytes: &[u8]) -> Layout {
    const FRAME_BLOCKS: [u64; 9] = [2, 3, 6, 9, 0xBAD, 0x4000_0BAD, 0x204, 0x216, 0x221];
    let mut units = Vec::new();
    let (mut at, mut big_endian) = (0, false);
    while at + 12 <= bytes.len() {
        if bytes[at..at + 4] == [0x0a, 0x0d, 0x0d, 0x0a] {
            big_endian = bytes[at + 8..at + 12] == [0x1a, 0x2b, 0x3c, 0x4d];
        }
        let kind = u32_at(bytes, at, big_endian);
        let end = at + ((u32_at(bytes, at + 4, big_endian) as usize + 3) & !3);
        units.push(Unit {
            start: at as u64,
            end: end as u64,
            frame: FRAME_BLOCKS.contains(&kind),
        });
        at = end;
    }
    Layout {
        units,
        ..Layout::default()
    }
}

/// Network Monitor 2.x: a header whose end the reader knows once bytes 72..88 are there, the
/// records the frame table lists (a 16-byte header, the data and a trailer of 0, 2, 6 or 15
/// bytes by minor version), the frame table in 4-byte entries, then tables the frames do not
/// depend on.
fn netmon_layout(bytes: &[u8]) -> Layout {
    assert_eq!(&bytes[..4], b"GMBU", "a NetMon 2.x file");
    let trailer = match bytes[4] {
        0 => 0,
        1 => 2,
        2 => 6,
        _ => 15,
    };
    let (table, table_len) = (u32_at(bytes, 24, false), u32_at(bytes, 28, false));
    let mut records: Vec<u64> = (0..table_len / 4)
        .map(|i| u32_at(bytes, (table + 4 * i) as usize, false))
        .collect();
    records.sort_unstable();
    let mut units = vec![Unit {
        start: 0,
        end: records[0].max(88),
        frame: false,
    }];
    for &start in &records {
        let end = start + 16 + u32_at(bytes, start as usize + 12, false) + trailer;
        units.push(Unit {
            start,
            end,
            frame: true,
        });
    }
    units.extend((0..table_len / 4).map(|i| Unit {
        start: table + 4 * i,
        end: table + 4 * i + 4,
        frame: false,
    }));
    Layout {
        units,
        tail_from: Some(table + table_len),
        needs_frame_table: true,
    }
}

fn layout(bytes: &[u8]) -> Layout {
    match &bytes[..4] {
        [0x0a, 0x0d, 0x0d, 0x0a] => pcapng_layout(bytes),
        b"GMBU" => netmon_layout(bytes),
        _ => pcap_layout(bytes),
    }
}

/// How reading a prefix must end.
#[derive(Debug, PartialEq, Eq)]
enum Ending {
    Clean,
    /// An error at this byte offset, naming the frame after the last one read.
    ErrorAt(u64),
    /// Past the NetMon frame table: only the frames are checked.
    Unchecked,
}

/// What reading the first `cut` bytes must give: how many frames, and how it ends.
fn expected(layout: &Layout, cut: u64) -> (usize, Ending) {
    let frames = layout
        .units
        .iter()
        .filter(|u| u.frame && u.end <= cut)
        .count();
    if layout.tail_from.is_some_and(|tail| cut >= tail) {
        return (frames, Ending::Unchecked);
    }
    if cut == 0 {
        return (frames, Ending::ErrorAt(0));
    }
    let ending = match layout.units.iter().find(|u| u.start < cut && cut < u.end) {
        Some(unit) => Ending::ErrorAt(unit.start),
        None if layout.needs_frame_table => Ending::ErrorAt(cut),
        None => Ending::Clean,
    };
    (frames, ending)
}

/// Every unit boundary and its neighbours, plus `random` random cuts, all inside the file.
fn cut_points(layout: &Layout, len: u64, random: usize, rng: &mut Rng) -> BTreeSet<u64> {
    let mut cuts: BTreeSet<u64> = layout
        .units
        .iter()
        .flat_map(|u| [u.start, u.end])
        .flat_map(|b| [b.saturating_sub(1), b, b + 1])
        .collect();
    cuts.extend((0..random).map(|_| rng.below(len as usize + 1) as u64));
    cuts.extend([0, 1, 2, 3, 4]);
    cuts.retain(|&c| c <= len);
    cuts
}

/// Checks the prefix property of one uncompressed capture at every cut point.
fn check_prefixes(name: &str, bytes: &[u8], rng: &mut Rng) -> usize {
    let (whole, error) = read(bytes, bytes.len());
    assert!(
        error.is_none(),
        "{name}: the whole file reads cleanly: {error:?}"
    );
    let layout = layout(bytes);
    let frame_units = layout.units.iter().filter(|u| u.frame).count();
    assert_eq!(
        frame_units,
        whole.len(),
        "{name}: the walk finds every frame"
    );
    let cuts = cut_points(&layout, bytes.len() as u64, 40, rng);
    for &cut in &cuts {
        let (frames, error) = read(&bytes[..cut as usize], 1 << 16);
        let (count, ending) = expected(&layout, cut);
        assert_eq!(
            frames,
            whole[..count],
            "{name} cut at {cut}: the frames before the cut, and only those"
        );
        let got = error.as_ref().map(|e| (e.offset, e.frame));
        let want = match ending {
            Ending::Clean => None,
            Ending::ErrorAt(offset) => Some((offset, count as u64 + 1)),
            Ending::Unchecked => continue,
        };
        assert_eq!(got, want, "{name} cut at {cut}: error {error:?}");
    }
    cuts.len()
}

// ---------------------------------------------------------------------------------------------
// gzip: a cut in the compressed file keeps the frames of what inflated; the error is at its end.

/// The deflate data of a gzip member (after its header), or nothing when the header is cut.
fn gzip_body(gz: &[u8]) -> &[u8] {
    let flags = gz.get(3).copied().unwrap_or(0);
    let mut at = 10;
    if flags & 4 != 0 {
        at += 2 + gz
            .get(10..12)
            .map_or(0, |n| usize::from(u16::from_le_bytes([n[0], n[1]])));
    }
    for flag in [8, 16] {
        if flags & flag != 0 {
            at += gz
                .get(at..)
                .and_then(|r| r.iter().position(|&b| b == 0))
                .map_or(gz.len(), |n| n + 1);
        }
    }
    if flags & 2 != 0 {
        at += 2;
    }
    gz.get(at..).unwrap_or(&[])
}

/// Everything the first bytes of a gzip file inflate to.
fn inflate_prefix(gz: &[u8]) -> Vec<u8> {
    let body = gzip_body(gz);
    let mut inflater = flate2::Decompress::new(false);
    let mut out = Vec::new();
    loop {
        out.reserve(1 << 16);
        let before = (inflater.total_in(), inflater.total_out());
        let rest = &body[inflater.total_in() as usize..];
        let status = inflater.decompress_vec(rest, &mut out, flate2::FlushDecompress::None);
        let stalled = (inflater.total_in(), inflater.total_out()) == before;
        if stalled || !matches!(status, Ok(flate2::Status::Ok | flate2::Status::BufError)) {
            return out;
        }
    }
}

/// A gzip file cut anywhere keeps the frames wholly inside what inflated, and its error is at
/// the end of what inflated (the reader's convention for gzip: the offset is in the
/// decompressed stream, where the damage or the end was met), naming the next frame.
fn check_gzip_prefixes(name: &str, gz: &[u8], rng: &mut Rng) -> usize {
    let stream = Memory::of(gz.to_vec()).0;
    let (whole, error) = read(gz, gz.len());
    assert!(
        error.is_none(),
        "{name}: the whole file reads cleanly: {error:?}"
    );
    let layout = layout(&stream);
    let len = gz.len();
    let mut cuts: BTreeSet<usize> = (0..60).map(|_| rng.below(len)).collect();
    cuts.extend((0..24).map(|i| len - 1 - i).chain(0..24));
    for &cut in &cuts {
        let inflated = inflate_prefix(&gz[..cut]) as Vec<u8>;
        let (frames, error) = read(&gz[..cut], 1 << 12);
        let (count, _) = expected(&layout, inflated.len() as u64);
        assert_eq!(frames, whole[..count], "{name} cut at {cut}");
        let error = error.unwrap_or_else(|| panic!("{name} cut at {cut}: no error"));
        assert_eq!(
            (error.offset, error.frame),
            (inflated.len() as u64, count as u64 + 1),
            "{name} cut at {cut}: {error}"
        );
    }
    cuts.len()
}

/// A gzip member holding `data` in stored deflate blocks, then a block header of the reserved
/// type 3, which every inflater rejects: a stream damaged exactly after `data`.
fn gzip_damaged_after(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    for piece in data.chunks(0xffff) {
        let len = piece.len() as u16;
        out.push(0); // stored, not final
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend(piece);
    }
    out.push(0x06); // not final, type 3
    out
}

/// A capture gzip'd with damage after its first `n` bytes keeps every frame wholly inside them,
/// and its error is at byte `n` of the decompressed stream, naming the next frame.
fn check_damaged_gzip(name: &str, bytes: &[u8], rng: &mut Rng) -> usize {
    let (whole, _) = read(bytes, bytes.len());
    let layout = layout(bytes);
    for _ in 0..6 {
        let n = rng.below(bytes.len() + 1);
        let gz = gzip_damaged_after(&bytes[..n]);
        let (frames, error) = read(&gz, gz.len());
        let (count, _) = expected(&layout, n as u64);
        assert_eq!(frames, whole[..count], "{name} damaged after {n} bytes");
        let error = error.unwrap_or_else(|| panic!("{name} damaged after {n} bytes: no error"));
        assert_eq!(
            (error.offset, error.frame),
            (n as u64, count as u64 + 1),
            "{name} damaged after {n} bytes: {error}"
        );
    }
    6
}

// ---------------------------------------------------------------------------------------------
// Generated captures.

/// A classic pcap of random frames in the byte order and time unit `magic` (as read LE) asks for.
fn random_pcap(rng: &mut Rng, magic: u32) -> Vec<u8> {
    let big_endian = rng.below(2) == 1;
    let put = |out: &mut Vec<u8>, v: u32| {
        out.extend(if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        })
    };
    let mut out = Vec::new();
    put(&mut out, magic);
    out.extend(if big_endian {
        [0, 2, 0, 4]
    } else {
        [2, 0, 4, 0]
    });
    for v in [0, 0, 65535, 1] {
        put(&mut out, v);
    }
    for _ in 0..rng.below(40) {
        let len = rng.size(12) as u32;
        for v in [
            rng.next() as u32 >> 2,
            rng.below(1_000_000) as u32,
            len,
            len + rng.below(3) as u32,
        ] {
            put(&mut out, v);
        }
        if magic == 0xa1b2_cd34 {
            out.extend([0u8; 8]); // the modified format's interface, protocol and packet type
        }
        out.extend((0..len).map(|_| rng.next() as u8));
    }
    out
}

/// A pcapng block of `kind` with `body`, padded, in the given byte order.
fn block(big_endian: bool, kind: u32, body: &[u8]) -> Vec<u8> {
    let word = |v: u32| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let total = 12 + ((body.len() as u32 + 3) & !3);
    let mut out = Vec::new();
    out.extend(word(kind));
    out.extend(word(total));
    out.extend(body);
    out.resize(total as usize - 4, 0);
    out.extend(word(total));
    out
}

/// A pcapng of one to three sections (each of a random byte order) with one to three Ethernet
/// interfaces each, random packets on them, and now and then a block the reader skips.
fn random_pcapng(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let be = rng.below(2) == 1;
        let word = |v: u32| if be { v.to_be_bytes() } else { v.to_le_bytes() };
        let half = |v: u16| if be { v.to_be_bytes() } else { v.to_le_bytes() };
        let mut shb = word(0x1a2b_3c4d).to_vec();
        shb.extend(half(1));
        shb.extend(half(0));
        shb.extend([0xff; 8]);
        out.extend(block(be, 0x0a0d_0d0a, &shb));
        let interfaces = 1 + rng.below(3);
        for _ in 0..interfaces {
            let mut idb = half(1).to_vec();
            idb.extend([0, 0]);
            idb.extend(word(65535));
            out.extend(block(be, 1, &idb));
        }
        for _ in 0..rng.below(30) {
            if rng.below(8) == 0 {
                out.extend(block(be, 0x0000_0123, &word(rng.next() as u32))); // unknown: skipped
                continue;
            }
            let len = rng.size(11) as u32;
            let mut epb = word(rng.below(interfaces) as u32).to_vec();
            for v in [rng.below(400_000) as u32, rng.next() as u32, len, len] {
                epb.extend(word(v));
            }
            epb.extend((0..len).map(|_| rng.next() as u8));
            out.extend(block(be, 6, &epb));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The spread of corpus captures.

/// Uncompressed captures of every container format and variant.
const PLAIN: [&str; 8] = [
    "zeek/tls1.2.pcap",                     // pcap LE µs
    "tcpdump/pptp.pcap",                    // pcap BE µs
    "zeek/get-to-ssh-server.pcap",          // pcap LE ns
    "pcap-parser/modified-format.pcap",     // modified
    "zeek/pcapng-multi-interface.pcapng",   // 2 interfaces
    "pcapng-test-generator/test202.pcapng", // 3 sections, LE and BE, NRB/ISB/SPB/custom
    "ms-netcaps/MS-AUTHSOD_Example2-1_Win2016_X64_Win2016_X64_Domain.cap", // NetMon 2.3
    "zeek/dssetup_DsRoleGetPrimaryDomainInformation_standalone_workstation.cap", // BE pcap as .cap
];

const GZIPPED: [&str; 2] = [
    "zeek/mime-header-size-limit.pcap.gz",
    "zeek/portmapper-many-unanswered-calls.pcapng.gz",
];

#[test]
fn a_prefix_of_a_capture_yields_a_prefix_of_its_frames_and_an_exact_error() {
    let mut rng = Rng::new(0x5eed_0001);
    let mut cuts = 0;
    for name in PLAIN {
        let bytes = corpus(name);
        cuts += check_prefixes(name, &bytes, &mut rng);
        cuts += check_damaged_gzip(name, &bytes, &mut rng);
    }
    for name in GZIPPED {
        let bytes = corpus(name);
        cuts += check_gzip_prefixes(name, &bytes, &mut rng);
        cuts += check_damaged_gzip(name, &Memory::of(bytes).0, &mut rng);
    }
    for round in 0..24 {
        let magic = [0xa1b2_c3d4, 0xa1b2_3c4d, 0xa1b2_cd34][round % 3];
        let pcap = random_pcap(&mut rng, magic);
        cuts += check_prefixes(&format!("generated pcap {round}"), &pcap, &mut rng);
        let pcapng = random_pcapng(&mut rng);
        cuts += check_prefixes(&format!("generated pcapng {round}"), &pcapng, &mut rng);
    }
    println!("{cuts} cuts checked");
}

// ---------------------------------------------------------------------------------------------
// Chunking invariance, through the analyzer as the page and the CLI read.

/// Reads `bytes` through a fresh analyzer (checksums validated, as the fuzz target does), in
/// chunks whose sizes `next_size` gives.
fn analyze_in(bytes: &[u8], next_size: &mut dyn FnMut() -> usize) -> Analyzer {
    let mut analyzer = Analyzer::new();
    analyzer.set_checksum_validation(true);
    let file = analyzer.begin_file("property");
    let mut at = 0;
    while at < bytes.len() {
        let end = (at + next_size().max(1)).min(bytes.len());
        analyzer.push(file, &bytes[at..end]);
        at = end;
    }
    analyzer.end_file(file);
    analyzer.finish();
    analyzer
}

/// What a read leaves: the whole index (every field of every record, the address, link and side
/// tables) and the summary (the file information with its sections, interfaces, warnings and
/// error, the times and byte counts).
fn outcome(analyzer: &Analyzer) -> (usize, String, String) {
    (
        analyzer.len(),
        format!("{:?}", analyzer.index()),
        format!("{:#?}", analyzer.summary()),
    )
}

/// Reads `bytes` whole, then in 1-byte chunks (small files) and in `random` sequences of random
/// chunk sizes; every read must leave the same outcome.
fn check_chunkings(name: &str, bytes: &[u8], random: usize, rng: &mut Rng) {
    let whole = outcome(&analyze_in(bytes, &mut || bytes.len()));
    let mut chunkings: Vec<(String, Box<dyn FnMut() -> usize>)> = Vec::new();
    if bytes.len() <= 20_000 {
        chunkings.push(("1-byte chunks".into(), Box::new(|| 1)));
    }
    for i in 0..random {
        let mut sizes = Rng::new(rng.next());
        chunkings.push((
            format!("random chunks #{i}"),
            Box::new(move || 1 + sizes.size(17)),
        ));
    }
    for (how, mut next_size) in chunkings {
        let chunked = outcome(&analyze_in(bytes, &mut next_size));
        if chunked != whole {
            // Up to 100 characters of `a` from a little before where it first differs from `b`.
            let first = |a: &str, b: &str| {
                let at = a.bytes().zip(b.bytes()).position(|(x, y)| x != y);
                let at = at.unwrap_or(a.len().min(b.len()));
                let from = (at.saturating_sub(40)..=at).find(|&i| a.is_char_boundary(i));
                a[from.unwrap_or(at)..]
                    .chars()
                    .take(100)
                    .collect::<String>()
            };
            panic!(
                "{name}, {how}: {} frames read whole, {} in chunks; index whole `{}`, chunked `{}`; summary whole `{}`, chunked `{}`",
                whole.0,
                chunked.0,
                first(&whole.1, &chunked.1),
                first(&chunked.1, &whole.1),
                first(&whole.2, &chunked.2),
                first(&chunked.2, &whole.2),
            );
        }
    }
}

/// Damaged variants of a capture: cut at a random byte, and `changed` variants with one to three
/// random bytes changed after its first 24 (for gzip, inside the compressed data).
fn damaged_variants(bytes: &[u8], changed: usize, rng: &mut Rng) -> Vec<(String, Vec<u8>)> {
    let mut variants = Vec::new();
    for _ in 0..2 {
        let cut = rng.below(bytes.len());
        variants.push((format!("cut at {cut}"), bytes[..cut].to_vec()));
    }
    for _ in 0..changed {
        let mut damaged = bytes.to_vec();
        let mut changed = Vec::new();
        for _ in 0..1 + rng.below(3) {
            let at = 24 + rng.below(bytes.len() - 24);
            damaged[at] ^= 1 << rng.below(8);
            changed.push(at);
        }
        variants.push((format!("bytes {changed:?} changed"), damaged));
    }
    variants
}

#[test]
fn chunking_never_changes_the_index_the_error_or_the_summary() {
    let mut rng = Rng::new(0x5eed_0002);
    let mut reads = 0;
    for name in PLAIN.iter().chain(GZIPPED.iter()) {
        let bytes = corpus(name);
        check_chunkings(name, &bytes, 3, &mut rng);
        // Most changes to compressed data break the deflate stream itself: more of them.
        let changed = if GZIPPED.contains(name) { 12 } else { 3 };
        for (how, damaged) in damaged_variants(&bytes, changed, &mut rng) {
            check_chunkings(&format!("{name} ({how})"), &damaged, 1, &mut rng);
            reads += 1;
        }
        // The same capture gzip'd, with the deflate stream damaged after a random byte.
        let stream = Memory::of(bytes).0;
        let n = rng.below(stream.len() + 1);
        let gz = gzip_damaged_after(&stream[..n]);
        check_chunkings(
            &format!("{name} gzip'd, damaged after {n} bytes"),
            &gz,
            2,
            &mut rng,
        );
        reads += 1;
    }
    for round in 0..8 {
        let pcapng = random_pcapng(&mut rng);
        check_chunkings(&format!("generated pcapng {round}"), &pcapng, 2, &mut rng);
        let pcap = random_pcap(&mut rng, 0xa1b2_c3d4);
        check_chunkings(&format!("generated pcap {round}"), &pcap, 2, &mut rng);
        reads += 2;
    }
    println!("{reads} files, each read whole and in chunks");
}

// ---------------------------------------------------------------------------------------------
// Filter algebra.

/// The display filters of `tests/filters/filters.txt` (comments and blank lines skipped).
fn filter_list() -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/filters/filters.txt");
    let text = std::fs::read_to_string(&path).expect("tests/filters/filters.txt");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Captures with much for the filters to tell apart: TLS and HTTP over IPv4 and IPv6, VLANs,
/// tunnels, DNS, ICMPv6, TCP trouble.
const ALGEBRA_CAPTURES: [&str; 4] = [
    "zeek/tls1.2.pcap",
    "chrissanders/http_ip4and6.pcapng",
    "ndpi/6in4tunnel.pcap",
    "zeek/http-vlan-0.pcap",
];

/// The frames `text` selects in `analyzer`; `None` when it does not compile or cannot run.
fn selected(analyzer: &mut Analyzer, bytes: &Memory, text: &str) -> Option<BTreeSet<u32>> {
    let filter = Filter::compile(text).ok()?;
    let frames = analyzer.filter_frames(&filter, Some(bytes)).ok()?;
    Some(frames.into_iter().collect())
}

#[test]
fn and_or_not_select_the_intersection_union_and_complement() {
    let filters = filter_list();
    let mut rng = Rng::new(0x5eed_0003);
    let (mut pairs, mut negations) = (0, 0);
    for capture in ALGEBRA_CAPTURES {
        let (mut analyzer, bytes) = common::load(capture);
        let all: BTreeSet<u32> = (0..analyzer.len() as u32).collect();
        let sets: Vec<(&String, BTreeSet<u32>)> = filters
            .iter()
            .filter_map(|text| Some((text, selected(&mut analyzer, &bytes, text)?)))
            .collect();
        assert!(
            sets.len() > 150,
            "{capture}: only {} filters ran",
            sets.len()
        );
        for (a, frames) in &sets {
            let not = selected(&mut analyzer, &bytes, &format!("not ({a})"));
            let complement: BTreeSet<u32> = all.difference(frames).copied().collect();
            assert_eq!(not, Some(complement), "{capture}: `not ({a})`");
            negations += 1;
        }
        for _ in 0..150 {
            let (a, frames_a) = &sets[rng.below(sets.len())];
            let (b, frames_b) = &sets[rng.below(sets.len())];
            let and = selected(&mut analyzer, &bytes, &format!("({a}) and ({b})"));
            let both: BTreeSet<u32> = frames_a.intersection(frames_b).copied().collect();
            assert_eq!(and, Some(both), "{capture}: `({a}) and ({b})`");
            let or = selected(&mut analyzer, &bytes, &format!("({a}) or ({b})"));
            let either: BTreeSet<u32> = frames_a.union(frames_b).copied().collect();
            assert_eq!(or, Some(either), "{capture}: `({a}) or ({b})`");
            pairs += 1;
        }
    }
    println!("{negations} negations and {pairs} pairs checked");
}

#[test]
fn not_of_a_not_equal_test_also_selects_the_frames_without_the_field() {
    // `f != x` means "f is present and no occurrence equals x" (Wireshark 3.6+, all_ne), so its
    // negation is `f == x or not f`: frames without the field are in it, unlike in `f == x`.
    let tests = [
        ("ip.addr", "192.168.0.1"),
        ("tcp.port", "80"),
        ("ipv6.addr", "::1"),
    ];
    let mut absent_seen = 0;
    for capture in ALGEBRA_CAPTURES {
        let (mut analyzer, bytes) = common::load(capture);
        let all: BTreeSet<u32> = (0..analyzer.len() as u32).collect();
        let mut frames = |text: &str| {
            selected(&mut analyzer, &bytes, text).unwrap_or_else(|| panic!("`{text}` runs"))
        };
        for (field, value) in tests {
            let negated = frames(&format!("not ({field} != {value})"));
            let equal = frames(&format!("{field} == {value}"));
            let absent: BTreeSet<u32> = all.difference(&frames(field)).copied().collect();
            let want: BTreeSet<u32> = equal.union(&absent).copied().collect();
            assert_eq!(negated, want, "{capture}: `not ({field} != {value})`");
            absent_seen += usize::from(!absent.is_empty() && negated != equal);
        }
    }
    assert!(absent_seen > 0, "no capture has frames without the fields");
}
