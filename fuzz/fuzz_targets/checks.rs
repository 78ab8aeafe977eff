//! What each fuzz target checks, as plain functions of the input bytes: the libFuzzer targets
//! beside this file call them, and `tests/fuzz_regressions.rs` replays every saved crash input
//! (and the seed corpora, when present) through the same functions on stable Rust. Also the
//! targets' shared helpers: a capture file made from fuzz bytes (a classic pcap whose frames are
//! cut from the input at lengths the input itself chooses), and reading a capture through the
//! analyzer in chunks, as the page and the CLI do.
#![allow(dead_code)]

use tracelens::analyzer::Analyzer;

/// A classic pcap (microseconds, link type `link_type`) holding frames cut from `data`: each
/// frame's length is the next byte (0–255) and its bytes follow it.
pub fn pcap_of(link_type: u32, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 64);
    out.extend(0xa1b2_c3d4u32.to_le_bytes());
    out.extend(2u16.to_le_bytes());
    out.extend(4u16.to_le_bytes());
    out.extend([0u8; 8]);
    out.extend(65535u32.to_le_bytes());
    out.extend(link_type.to_le_bytes());
    let (mut at, mut n) = (0usize, 0u32);
    while at < data.len() {
        let len = usize::from(data[at]);
        let frame = &data[at + 1..(at + 1 + len).min(data.len())];
        at += 1 + len;
        n += 1;
        out.extend(n.to_le_bytes()); // one frame a second
        out.extend(0u32.to_le_bytes());
        out.extend((frame.len() as u32).to_le_bytes());
        out.extend((frame.len() as u32).to_le_bytes());
        out.extend(frame);
    }
    out
}

/// Reads `file` through a fresh analyzer, `chunk` bytes at a time.
pub fn analyze(file: &[u8], chunk: usize) -> Analyzer {
    let mut analyzer = Analyzer::new();
    analyzer.set_checksum_validation(true);
    let id = analyzer.begin_file("fuzz");
    for part in file.chunks(chunk.max(1)) {
        analyzer.push(id, part);
    }
    analyzer.end_file(id);
    analyzer.finish();
    analyzer
}

/// The link types the corpus holds, chosen by one input byte.
pub fn link_type(selector: u8) -> u32 {
    const TYPES: [u32; 14] = [1, 0, 101, 113, 276, 9, 51, 108, 228, 229, 12, 14, 50, 204];
    TYPES[usize::from(selector) % TYPES.len()]
}

/// Capture readers (pcap, pcapng, Network Monitor, gzip) fed the same bytes in chunks of
/// different sizes: never a panic, and the index, the error (where and why reading stopped) and
/// the rest of the file information are the same however the bytes arrive.
pub fn capture_chunks(data: &[u8]) {
    let Some((&split, file)) = data.split_first() else {
        return;
    };
    let whole = analyze(file, file.len());
    let chunked = analyze(file, usize::from(split) + 1);
    assert_eq!(
        whole.len(),
        chunked.len(),
        "chunking changed the frame count"
    );
    let (a, b) = (&whole.index().records, &chunked.index().records);
    for (x, y) in a.iter().zip(b.iter()) {
        assert_eq!((x.offset, x.caplen, x.ts_ns), (y.offset, y.caplen, y.ts_ns));
    }
    let error = |analyzer: &Analyzer| analyzer.file_infos().pop().and_then(|info| info.error);
    assert_eq!(error(&whole), error(&chunked), "chunking changed the error");
    // And everything else known about the file: sections, interfaces, warnings, byte count.
    let info = |analyzer: &Analyzer| format!("{:?}", analyzer.file_infos());
    assert_eq!(
        info(&whole),
        info(&chunked),
        "chunking changed the file information"
    );
    let _ = whole.summary();
}

/// The wire layer and the index's decoder on one arbitrary frame of any corpus link type.
pub fn wire_decode(data: &[u8]) {
    let Some((&selector, frame)) = data.split_first() else {
        return;
    };
    let link_type = link_type(selector);
    let decoded = tracelens::decode::decode(link_type, frame);
    let on_wire = tracelens::decode::decode_on_wire(link_type, frame, frame.len() as u32);
    // The payload starts inside the frame (or right at its end), whatever the headers claim:
    // the filter and the details slice from it.
    for d in [&decoded, &on_wire] {
        assert!(
            d.payload_offset as usize <= frame.len(),
            "payload offset {} past the frame's {} bytes",
            d.payload_offset,
            frame.len()
        );
        assert_eq!(
            (d.src, d.dst),
            (decoded.src, decoded.dst),
            "framing changed the addresses"
        );
    }
}

fn check_nodes(nodes: &[tracelens::dissect::Node], len: usize, depth: usize) {
    assert!(depth < 64, "tree deeper than 64");
    for node in nodes {
        let end = node.start as usize + node.len as usize;
        assert!(
            end <= len,
            "node {:?} ends at {end}, past the frame's {len} bytes",
            node.label
        );
        check_nodes(&node.children, len, depth + 1);
    }
}

/// The details tree of one arbitrary frame: never a panic, and every node's bytes lie inside
/// the frame (the page highlights them).
pub fn dissect(data: &[u8]) {
    let Some((&selector, frame)) = data.split_first() else {
        return;
    };
    let tree = tracelens::dissect::dissect(link_type(selector), frame, frame.len() as u32);
    check_nodes(&tree, frame.len(), 0);
}

thread_local! {
    /// The bundled sample (a handshake whose SYN-ACK gained two bytes), read once per thread.
    static SAMPLE: std::cell::RefCell<Analyzer> = std::cell::RefCell::new({
        let bytes = include_bytes!("../../www/samples/synack-2-bytes.pcap");
        analyze(bytes, bytes.len())
    });
}

pub fn filter_text(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(filter) = tracelens::filter::Filter::compile(text) else {
        return;
    };
    SAMPLE.with_borrow_mut(|analyzer| {
        let Ok(selected) = analyzer.filter_frames(&filter, None) else {
            return;
        };
        let negated = format!("not ({text})");
        if let Ok(not) = tracelens::filter::Filter::compile(&negated) {
            if let Ok(rest) = analyzer.filter_frames(&not, None) {
                assert_eq!(
                    selected.len() + rest.len(),
                    analyzer.len(),
                    "`{text}` and its negation"
                );
            }
        }
    });
}

const FILTERS: &[&str] = &[
    "ip.addr == 10.0.0.1 or ipv6.addr == ::1",
    "tcp.port == 443 and tcp.flags.syn == 1",
    "tcp.analysis.retransmission or tcp.analysis.duplicate_ack or tcp.analysis.zero_window",
    "udp.length < 20 or icmp.type == 3",
    "dns.qry.name contains \"a\" or http.request.method == \"GET\" or tls.handshake.type == 1",
    "frame[0:4] == 00:01:02:03 or tcp.payload contains 47:45:54",
    "gre or vxlan.vni or ip.addr == 192.168.0.1",
    "eth.src == 00:00:00:00:00:00 or vlan.id == 1 or sll",
    "tcp.stream == 0 and tcp.len > 0",
    "tcp.analysis.ack_rtt > 0.1 or tcp.window_size_value == 0",
];

/// The capture file in memory, as the index addresses its frames.
struct Memory(Vec<u8>);

impl tracelens::filter::FrameBytes for Memory {
    fn frame_bytes(
        &self,
        _frame: usize,
        at: &tracelens::index::FrameLocation,
    ) -> Option<std::borrow::Cow<'_, [u8]>> {
        let start = usize::try_from(at.offset).ok()?;
        self.0
            .get(start..start.checked_add(at.caplen as usize)?)
            .map(std::borrow::Cow::Borrowed)
    }
}

/// Every field the filter knows, read from arbitrary frames: each filter of a fixed list that
/// touches one field family (addresses, ports, TCP analysis, DNS/HTTP/TLS, bytes and slices,
/// tunnels) is evaluated over a capture made from the input.
pub fn filter_frames(data: &[u8]) {
    let Some((&selector, frames)) = data.split_first() else {
        return;
    };
    let file = pcap_of(link_type(selector), frames);
    let mut analyzer = analyze(&file, 4096);
    let bytes = Memory(file);
    for text in FILTERS {
        if let Ok(filter) = tracelens::filter::Filter::compile(text) {
            let _ = analyzer.filter_frames(&filter, Some(&bytes));
        }
    }
}

/// Every detector over an arbitrary small capture: the findings pass never panics, and every
/// evidence frame it cites exists.
pub fn findings(data: &[u8]) {
    let Some((&selector, frames)) = data.split_first() else {
        return;
    };
    let file = pcap_of(link_type(selector), frames);
    let analyzer = analyze(&file, file.len());
    let frames = analyzer.len() as u64;
    for finding in analyzer.findings() {
        for &no in &finding.frames {
            assert!(
                (1..=frames).contains(&no),
                "{:?} cites frame {no} of {frames}",
                finding.kind
            );
        }
    }
    let _ = analyzer.connection_attempts();
    let _ = analyzer.summary();
}
