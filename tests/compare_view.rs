//! The page's view of a comparison (`compare_view`): flows paired across the two captures through
//! the NAT map, counted per direction, and the ladder of one flow. The pair is made from a real
//! capture (`zeek/tls1.2.pcap`, one TLS connection) with a known truth: side B sees the client
//! behind a NAT (10.0.0.80:56637 → 192.0.2.1:40000), never sees A's frames 7 and 10 (client →
//! server), its SYN-ACK carries 2 payload bytes A's lacks, and its clock is 5 s ahead.

mod common;

use std::collections::BTreeSet;
use tracelens::analyzer::Analyzer;
use tracelens::compare::{self, Comparison, Side};
use tracelens::compare_view::{flow_list, flow_pairs, ladder};

const DROPPED: [u64; 2] = [7, 10];

fn checksum(data: &[u8], mut sum: u32) -> u16 {
    for pair in data.chunks(2) {
        sum += u32::from(u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Ethernet/IPv4/TCP frame with the client endpoint rewritten (NAT), `extra` payload appended,
/// lengths and checksums fixed.
fn rewrite(frame: &[u8], extra: &[u8]) -> Vec<u8> {
    const IP: usize = 14;
    let ihl = usize::from(frame[IP] & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([frame[IP + 2], frame[IP + 3]]));
    let mut out = frame[..IP + total].to_vec();
    out.extend_from_slice(extra);
    let new_total = (total + extra.len()) as u16;
    out[IP + 2..IP + 4].copy_from_slice(&new_total.to_be_bytes());
    let (inside, outside) = ([10, 0, 0, 80], [192, 0, 2, 1]);
    let tcp = IP + ihl;
    if out[IP + 12..IP + 16] == inside {
        out[IP + 12..IP + 16].copy_from_slice(&outside);
        out[tcp..tcp + 2].copy_from_slice(&40000u16.to_be_bytes());
    }
    if out[IP + 16..IP + 20] == inside {
        out[IP + 16..IP + 20].copy_from_slice(&outside);
        out[tcp + 2..tcp + 4].copy_from_slice(&40000u16.to_be_bytes());
    }
    out[IP + 10..IP + 12].fill(0);
    let sum = checksum(&out[IP..IP + ihl], 0);
    out[IP + 10..IP + 12].copy_from_slice(&sum.to_be_bytes());
    out[tcp + 16..tcp + 18].fill(0);
    let seg_len = out.len() - tcp;
    let mut pseudo = Vec::new();
    pseudo.extend_from_slice(&out[IP + 12..IP + 20]);
    pseudo.extend_from_slice(&[0, 6]);
    pseudo.extend_from_slice(&(seg_len as u16).to_be_bytes());
    let pseudo_sum = pseudo
        .chunks(2)
        .map(|p| u32::from(u16::from_be_bytes([p[0], p[1]])))
        .sum();
    let sum = checksum(&out[tcp..], pseudo_sum);
    out[tcp + 16..tcp + 18].copy_from_slice(&sum.to_be_bytes());
    out
}

/// (A's bytes, B's bytes): classic little-endian microsecond pcap files.
fn pair() -> (Vec<u8>, Vec<u8>) {
    let raw = std::fs::read(common::corpus_dir().join("zeek/tls1.2.pcap")).expect("tls1.2.pcap");
    let mut b = raw[..24].to_vec();
    let mut at = 24;
    let mut no = 0u64;
    while at + 16 <= raw.len() {
        no += 1;
        let caplen = u32::from_le_bytes(raw[at + 8..at + 12].try_into().unwrap()) as usize;
        let frame = &raw[at + 16..at + 16 + caplen];
        at += 16 + caplen;
        if DROPPED.contains(&no) {
            continue;
        }
        let data = rewrite(frame, if no == 2 { &[0xde, 0xad] } else { &[] });
        let secs = u32::from_le_bytes(raw[at - 16 - caplen..][..4].try_into().unwrap()) + 5;
        b.extend_from_slice(&secs.to_le_bytes());
        b.extend_from_slice(&raw[at - 12 - caplen..at - 8 - caplen]);
        b.extend_from_slice(&(data.len() as u32).to_le_bytes());
        b.extend_from_slice(&(data.len() as u32).to_le_bytes());
        b.extend_from_slice(&data);
    }
    (raw, b)
}

/// Compares two analysed captures.
fn compare_sides(a: (&Analyzer, &common::Memory), b: (&Analyzer, &common::Memory)) -> Comparison {
    compare::compare(
        Side {
            analyzer: a.0,
            bytes: a.1,
        },
        Side {
            analyzer: b.0,
            bytes: b.1,
        },
    )
}

#[test]
fn flows_pair_through_nat_and_the_ladder_marks_what_changed() {
    let (raw_a, raw_b) = pair();
    let (a, bytes_a) = common::analyze("client.pcap", raw_a);
    let (b, bytes_b) = common::analyze("server.pcap", raw_b);
    assert_eq!((a.len(), b.len()), (22, 20));
    let c = compare_sides((&a, &bytes_a), (&b, &bytes_b));
    assert!((c.clock.offset_s - 5.0).abs() < 1e-3, "{:?}", c.clock);

    let flows = flow_pairs(&a, &b, &c);
    assert_eq!(flows.len(), 1, "{flows:#?}");
    let f = &flows[0];
    assert_eq!(f.a, "10.0.0.80:56637 → 68.233.76.12:443");
    assert_eq!(f.b, "192.0.2.1:40000 → 68.233.76.12:443");
    assert_eq!((f.a_stream, f.b_stream), (Some(0), Some(0)));
    let [up, down] = &f.dirs;
    assert_eq!(
        (up.frames_a, up.frames_b, up.lost, up.modified),
        (13, 11, 2, 0)
    );
    assert_eq!(
        (down.frames_a, down.frames_b, down.lost, down.modified),
        (9, 9, 0, 1)
    );
    assert_eq!(up.upstream, "a");
    assert!(up.delay_ms.is_some_and(|d| d < 1.0), "{up:?}");

    let listed = flow_list(&a, &b, &c, 10);
    assert_eq!((listed.total, listed.rows.len()), (1, 1));
    assert_eq!(flow_list(&a, &b, &c, 0).rows.len(), 0);

    let l = ladder(&a, &b, &c, 0).expect("a ladder");
    assert_eq!((l.a.len(), l.b.len()), (22, 20));
    let lost: Vec<u64> =
        l.a.iter()
            .filter(|r| r.kind == "lost")
            .map(|r| r.no)
            .collect();
    assert_eq!(lost, DROPPED);
    let syn_ack = &l.a[1];
    assert_eq!((syn_ack.kind, syn_ack.peer), ("modified", Some(2)));
    assert_eq!(syn_ack.label, "SYN, ACK · 0 bytes");
    assert_eq!(l.b[1].label, "SYN, ACK · 2 bytes");
    // Past the first lost frame, A's frame 8 is B's frame 7, on A's clock within a millisecond.
    let (a8, b7) = (&l.a[7], &l.b[6]);
    assert_eq!((a8.no, a8.kind, a8.peer), (8, "matched", Some(7)));
    assert_eq!(b7.peer, Some(8));
    assert!((a8.t - b7.t).abs() < 1e-3);
    assert!(l
        .b
        .iter()
        .all(|r| r.kind == "matched" || r.kind == "modified"));
    assert!(ladder(&a, &b, &c, 1).is_none());
}

/// Every (A frame, B frame) pair the ladders of all flows draw, checked from both sides, and the
/// set of A frames the ladders show.
fn ladder_pairs(
    a: &Analyzer,
    b: &Analyzer,
    c: &Comparison,
) -> (BTreeSet<(u64, u64)>, BTreeSet<u64>) {
    let (mut pairs, mut shown) = (BTreeSet::new(), BTreeSet::new());
    for key in 0..flow_pairs(a, b, c).len() {
        let l = ladder(a, b, c, key).expect("a ladder");
        assert!(!l.truncated);
        let from_b: BTreeSet<(u64, u64)> =
            l.b.iter().filter_map(|r| Some((r.peer?, r.no))).collect();
        let from_a: BTreeSet<(u64, u64)> =
            l.a.iter().filter_map(|r| Some((r.no, r.peer?))).collect();
        assert_eq!(from_a, from_b, "flow {key}: both sides of the ladder agree");
        pairs.extend(from_a);
        shown.extend(l.a.iter().map(|r| r.no));
    }
    (pairs, shown)
}

/// The ladders draw exactly the engine's matched pairs (of the frames they show), and every
/// modified rung is a pair the engine found changed.
fn assert_ladders_use_the_engines_pairs(a: &Analyzer, b: &Analyzer, c: &Comparison) {
    let (drawn, shown) = ladder_pairs(a, b, c);
    let engine: BTreeSet<(u64, u64)> = c
        .pairs
        .iter()
        .filter(|p| shown.contains(&p.a_no))
        .map(|p| (p.a_no, p.b_no))
        .collect();
    assert!(!engine.is_empty());
    assert_eq!(drawn, engine);
    let changed: BTreeSet<u64> = c
        .pairs
        .iter()
        .filter(|p| p.changed)
        .map(|p| p.a_no)
        .collect();
    for key in 0..flow_pairs(a, b, c).len() {
        let l = ladder(a, b, c, key).unwrap();
        for r in &l.a {
            assert_eq!(r.kind == "modified", changed.contains(&r.no), "{r:?}");
        }
    }
}

#[test]
fn the_ladder_draws_the_engines_pairs_on_the_derived_pair() {
    let (raw_a, raw_b) = pair();
    let (a, bytes_a) = common::analyze("client.pcap", raw_a);
    let (b, bytes_b) = common::analyze("server.pcap", raw_b);
    let c = compare_sides((&a, &bytes_a), (&b, &bytes_b));
    assert_eq!(c.pairs.len() as u64, c.matched);
    assert_ladders_use_the_engines_pairs(&a, &b, &c);
    let (drawn, _) = ladder_pairs(&a, &b, &c);
    assert_eq!(drawn.len(), 20);
}

#[test]
fn the_ladder_draws_the_engines_pairs_on_the_real_pair() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/compare");
    let (a, bytes_a) = common::load_file(&dir.join("client.pcap"));
    let (b, bytes_b) = common::load_file(&dir.join("server.pcap"));
    let c = compare_sides((&a, &bytes_a), (&b, &bytes_b));
    assert_eq!(c.matched, 515);
    assert_ladders_use_the_engines_pairs(&a, &b, &c);
    // Only the ICMP pairs have no TCP/UDP flow to draw them in.
    let (drawn, _) = ladder_pairs(&a, &b, &c);
    let icmp = c
        .pairs
        .iter()
        .filter(|p| c.flows[p.flow as usize].a.starts_with("icmp"))
        .count();
    assert_eq!(drawn.len() + icmp, c.pairs.len());
}
