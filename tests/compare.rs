//! Two-point comparison (`tracelens compare`) on pairs with known truth derived from a real corpus
//! capture (`chrissanders/http_espn.pcapng`, a browser page load: DNS and 25 TCP connections from
//! 172.16.0.122). Side A is the client-side point, side B the server-side point behind a NAT
//! router one hop away. B is derived by rewriting the client's address and ports (NAT), one flow's
//! ISN, one SYN's MSS (clamp), one segment's DSCP, one TTL, by dropping chosen packets each way,
//! duplicating one, adding 2 bytes to a SYN-ACK on its way to the client, injecting a RST at the
//! client, shifting and skewing B's clock with a different delay each way, and splitting B into
//! two chained files. The derived captures are written as pcap files to a temporary folder and
//! read back like any capture; every number the comparison reports is asserted.

mod common;

use common::{load_file, Memory};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tracelens::analyzer::{Analyzer, FrameLocation};
use tracelens::compare::{self, Comparison, Side};
use tracelens::filter::FrameBytes;

const CAPTURE: &str = "chrissanders/http_espn.pcapng";
const CLIENT: [u8; 4] = [172, 16, 0, 122];
const PUBLIC: [u8; 4] = [198, 51, 100, 7];
const PORT_SHIFT: u16 = 1000;
const OFFSET_S: f64 = 12.345;
const DRIFT: f64 = 80e-6;
const DELAY_UP_NS: i64 = 3_000_000; // client→server, A then B
const DELAY_DOWN_NS: i64 = 1_000_000; // server→client, B then A
const ISN_DELTA: u32 = 0x1000_0000;

// ---- a tiny pcap writer and frame editing helpers ----

/// Writes frames (ns timestamps, Ethernet) as a nanosecond little-endian pcap.
fn write_pcap(path: &Path, frames: &[(i64, Vec<u8>)]) {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_3c4du32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&262_144u32.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    for (ts, data) in frames {
        out.extend_from_slice(&((ts / 1_000_000_000) as u32).to_le_bytes());
        out.extend_from_slice(&((ts % 1_000_000_000) as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
    }
    std::fs::write(path, out).unwrap();
}

fn ipv4(f: &[u8]) -> bool {
    f.len() >= 34 && f[12..14] == [8, 0] && f[14] >> 4 == 4
}
fn ihl(f: &[u8]) -> usize {
    usize::from(f[14] & 0x0f) * 4
}
fn l4(f: &[u8]) -> usize {
    14 + ihl(f)
}
fn proto(f: &[u8]) -> u8 {
    f[23]
}
fn src(f: &[u8]) -> [u8; 4] {
    f[26..30].try_into().unwrap()
}
fn ip_total(f: &[u8]) -> usize {
    usize::from(u16::from_be_bytes([f[16], f[17]]))
}
fn tcp_flags(f: &[u8]) -> u8 {
    f[l4(f) + 13]
}
fn tcp_payload_len(f: &[u8]) -> usize {
    let doff = usize::from(f[l4(f) + 12] >> 4) * 4;
    ip_total(f) - ihl(f) - doff
}
fn is_tcp(f: &[u8]) -> bool {
    ipv4(f) && proto(f) == 6
}
fn upward(f: &[u8]) -> bool {
    src(f) == CLIENT
}
fn add_u32(f: &mut [u8], at: usize, delta: u32) {
    let v = u32::from_be_bytes(f[at..at + 4].try_into().unwrap()).wrapping_add(delta);
    f[at..at + 4].copy_from_slice(&v.to_be_bytes());
}

fn sum16(data: &[u8], mut acc: u32) -> u32 {
    for chunk in data.chunks(2) {
        let word = u16::from_be_bytes([chunk[0], *chunk.get(1).unwrap_or(&0)]);
        acc += u32::from(word);
    }
    acc
}
fn fold(mut acc: u32) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    !(acc as u16)
}

/// Recomputes the IPv4 header checksum and the TCP/UDP checksum.
fn fix_checksums(f: &mut [u8]) {
    let h = ihl(f);
    f[24] = 0;
    f[25] = 0;
    let c = fold(sum16(&f[14..14 + h], 0));
    f[24..26].copy_from_slice(&c.to_be_bytes());
    let end = 14 + ip_total(f);
    let start = 14 + h;
    let at = match proto(f) {
        6 => start + 16,
        17 if f[start + 6..start + 8] != [0, 0] => start + 6,
        _ => return,
    };
    f[at] = 0;
    f[at + 1] = 0;
    let mut pseudo = Vec::new();
    pseudo.extend_from_slice(&f[26..34]);
    pseudo.extend_from_slice(&[0, proto(f)]);
    pseudo.extend_from_slice(&((end - start) as u16).to_be_bytes());
    let c = fold(sum16(&f[start..end], sum16(&pseudo, 0)));
    f[at..at + 2].copy_from_slice(&c.to_be_bytes());
}

/// NAT: the client's address becomes PUBLIC, its TCP/UDP ports shift by PORT_SHIFT.
fn nat(f: &mut [u8]) {
    if !ipv4(f) {
        return;
    }
    let up = upward(f);
    let (addr_at, port_at) = if up { (26, l4(f)) } else { (30, l4(f) + 2) };
    if f[addr_at..addr_at + 4] != CLIENT {
        return;
    }
    f[addr_at..addr_at + 4].copy_from_slice(&PUBLIC);
    if matches!(proto(f), 6 | 17) {
        let port = u16::from_be_bytes([f[port_at], f[port_at + 1]]).wrapping_add(PORT_SHIFT);
        f[port_at..port_at + 2].copy_from_slice(&port.to_be_bytes());
    }
}

fn client_port(f: &[u8]) -> u16 {
    let at = if upward(f) { l4(f) } else { l4(f) + 2 };
    u16::from_be_bytes([f[at], f[at + 1]])
}

// ---- the derived pair ----

/// Where an original frame (or an added one) ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Orig(usize),
    /// The second copy of an original frame.
    Copy(usize),
    Rst,
}

struct Derived {
    a: Vec<(i64, Vec<u8>, Tag)>,
    b: Vec<(i64, Vec<u8>, Tag)>,
    lost_a: Vec<usize>,
    lost_b: Vec<usize>,
    synack: usize,
    mss_syn: usize,
    dscp: usize,
    ttl: usize,
    dup_in_transit: usize,
    dup_both: usize,
    isn_flow_port: u16,
    nat: BTreeSet<(String, String, String)>,
}

fn original() -> Vec<(i64, Vec<u8>)> {
    let (analyzer, memory) = load_file(&common::corpus_dir().join(CAPTURE));
    (0..analyzer.len())
        .map(|i| {
            let at = analyzer.locate(i as u64 + 1).unwrap();
            let bytes = memory.frame_bytes(i, &at).unwrap().into_owned();
            (analyzer.index().records.at(i).ts_ns, bytes)
        })
        .collect()
}

/// The n-th frame (0-based) of `frames` satisfying `pred`.
fn nth(frames: &[(i64, Vec<u8>)], n: usize, pred: impl Fn(&[u8]) -> bool) -> usize {
    frames
        .iter()
        .enumerate()
        .filter(|(_, (_, f))| pred(f))
        .nth(n)
        .map(|(i, _)| i)
        .expect("the capture has such a frame")
}

fn derive() -> Derived {
    let o = original();
    assert_eq!(o.len(), 956);
    let origin = o[0].0;
    let data_up = |f: &[u8]| is_tcp(f) && upward(f) && tcp_payload_len(f) > 0;
    let data_down = |f: &[u8]| is_tcp(f) && !upward(f) && tcp_payload_len(f) > 0;
    let pure_ack_up =
        |f: &[u8]| is_tcp(f) && upward(f) && tcp_payload_len(f) == 0 && tcp_flags(f) == 0x10;
    let lost_a = vec![
        nth(&o, 10, data_up),
        nth(&o, 20, data_up),
        nth(&o, 40, pure_ack_up),
    ];
    let lost_b = vec![nth(&o, 30, data_down), nth(&o, 200, data_down)];
    let synack = nth(&o, 0, |f| is_tcp(f) && tcp_flags(f) == 0x12);
    let mss_syn = nth(&o, 1, |f| is_tcp(f) && tcp_flags(f) == 0x02);
    let isn_syn = nth(&o, 2, |f| is_tcp(f) && tcp_flags(f) == 0x02);
    let isn_flow_port = client_port(&o[isn_syn].1);
    let dscp = nth(&o, 5, data_up);
    let ttl = nth(&o, 7, data_up);
    let dup_in_transit = nth(&o, 12, data_up);
    let dup_both = nth(&o, 50, data_down);
    let rst_after = nth(&o, 60, data_down);
    for special in [
        dscp,
        ttl,
        dup_in_transit,
        dup_both,
        rst_after,
        mss_syn,
        synack,
    ] {
        assert!(!lost_a.contains(&special) && !lost_b.contains(&special));
    }

    let mut nat_expected = BTreeSet::new();
    let mut a = Vec::new();
    let mut b = Vec::new();
    for (i, (ts, frame)) in o.iter().enumerate() {
        let up = ipv4(frame) && upward(frame);
        let copies: &[Tag] = if i == dup_both {
            &[Tag::Orig(i), Tag::Copy(i)]
        } else {
            &[Tag::Orig(i)]
        };
        for (n, &tag) in copies.iter().enumerate() {
            let ts = ts + n as i64 * 100_000;
            // Side A: the client's point. Server→client packets arrive one hop later.
            if !lost_b.contains(&i) {
                let mut f = frame.clone();
                if ipv4(&f) && !up {
                    f[22] -= 1;
                }
                if i == synack {
                    // Two bytes added in transit on the way to the client.
                    let end = 14 + ip_total(&f);
                    f.splice(end..end, [0x0d, 0x0a]);
                    let total = (ip_total(&f) + 2) as u16;
                    f[16..18].copy_from_slice(&total.to_be_bytes());
                }
                fix_checksums_if_ip(&mut f);
                a.push((ts, f, tag));
            }
            if i == rst_after {
                // A reset forged towards the client, 50 µs after a server segment.
                let mut f = frame.clone();
                let l = l4(&f);
                let doff = usize::from(f[l + 12] >> 4) * 4;
                f.truncate(l + doff);
                f[l + 13] = 0x14;
                let total = (ihl(&f) + doff) as u16;
                f[16..18].copy_from_slice(&total.to_be_bytes());
                f[22] -= 1;
                fix_checksums(&mut f);
                a.push((ts + 50_000, f, Tag::Rst));
            }
            // Side B: the server's point, behind the NAT; its clock is shifted and skewed.
            if lost_a.contains(&i) {
                continue;
            }
            let mut f = frame.clone();
            if ipv4(&f) {
                if matches!(proto(&f), 6 | 17) {
                    let port = client_port(&f);
                    let p = if proto(&f) == 6 { "tcp" } else { "udp" };
                    nat_expected.insert((
                        p.to_string(),
                        format!("172.16.0.122:{port}"),
                        format!("198.51.100.7:{}", port.wrapping_add(PORT_SHIFT)),
                    ));
                }
                if up {
                    f[22] -= if i == ttl { 5 } else { 1 };
                }
                if is_tcp(&f) && client_port(&f) == isn_flow_port {
                    let l = l4(&f);
                    if up {
                        add_u32(&mut f, l + 4, ISN_DELTA);
                    } else if tcp_flags(&f) & 0x10 != 0 {
                        add_u32(&mut f, l + 8, ISN_DELTA);
                    }
                }
                if i == mss_syn {
                    let l = l4(&f);
                    assert_eq!(f[l + 20..l + 24], [2, 4, 0x05, 0xb4], "MSS 1460 first");
                    f[l + 22..l + 24].copy_from_slice(&1360u16.to_be_bytes());
                }
                if i == dscp {
                    f[15] = 0x28;
                }
                nat(&mut f);
                fix_checksums(&mut f);
            }
            let since = (ts - origin) as f64 * 1e-9;
            let skewed = origin + ((since * (1.0 + DRIFT) + OFFSET_S) * 1e9).round() as i64;
            let delay = if up { DELAY_UP_NS } else { -DELAY_DOWN_NS };
            b.push((skewed + delay, f.clone(), tag));
            if i == dup_in_transit {
                b.push((skewed + delay + 40_000, f, Tag::Copy(i)));
            }
        }
    }
    a.sort_by_key(|x| x.0);
    b.sort_by_key(|x| x.0);
    Derived {
        a,
        b,
        lost_a,
        lost_b,
        synack,
        mss_syn,
        dscp,
        ttl,
        dup_in_transit,
        dup_both,
        isn_flow_port,
        nat: nat_expected,
    }
}

fn fix_checksums_if_ip(f: &mut [u8]) {
    if ipv4(f) {
        fix_checksums(f);
    }
}

/// Frame number (1-based) of `tag` in a side.
fn no(side: &[(i64, Vec<u8>, Tag)], tag: Tag) -> u64 {
    side.iter().position(|x| x.2 == tag).expect("tag present") as u64 + 1
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tracelens-compare-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn frames_only(side: &[(i64, Vec<u8>, Tag)]) -> Vec<(i64, Vec<u8>)> {
    side.iter().map(|(t, f, _)| (*t, f.clone())).collect()
}

/// Several chained files of one side, read as the CLI reads them.
struct Files(Vec<Memory>);

impl FrameBytes for Files {
    fn frame_bytes(&self, frame: usize, at: &FrameLocation) -> Option<Cow<'_, [u8]>> {
        self.0.get(at.file)?.frame_bytes(frame, at)
    }
}

fn load_side(paths: &[PathBuf]) -> (Analyzer, Files) {
    let mut analyzer = Analyzer::new();
    let mut memories = Vec::new();
    for path in paths {
        let raw = std::fs::read(path).unwrap();
        let file = analyzer.begin_file(&path.display().to_string());
        for chunk in raw.chunks(1 << 16) {
            analyzer.push(file, chunk);
        }
        analyzer.end_file(file);
        memories.push(Memory::of(raw));
    }
    analyzer.finish();
    (analyzer, Files(memories))
}

fn run(a: &[PathBuf], b: &[PathBuf]) -> Comparison {
    let (aa, fa) = load_side(a);
    let (ab, fb) = load_side(b);
    compare::compare(
        Side {
            analyzer: &aa,
            bytes: &fa,
        },
        Side {
            analyzer: &ab,
            bytes: &fb,
        },
    )
}

/// Frame numbers reported lost that were seen in `file` ("a" or "b").
fn lost_in(c: &Comparison, file: &str) -> BTreeSet<u64> {
    c.lost
        .iter()
        .filter(|s| s.file == file)
        .map(|s| s.no)
        .collect()
}

/// Writes the derived pair: A as one file, B split in two chained files.
fn write_pair(d: &Derived, dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let a = dir.join("client.pcap");
    write_pcap(&a, &frames_only(&d.a));
    let half = d.b.len() / 2;
    let b1 = dir.join("server-1.pcap");
    let b2 = dir.join("server-2.pcap");
    write_pcap(&b1, &frames_only(&d.b[..half]));
    write_pcap(&b2, &frames_only(&d.b[half..]));
    (vec![a], vec![b1, b2])
}

#[test]
fn derived_pair_reports_every_difference() {
    let d = derive();
    let dir = temp_dir("derived");
    let (a, b) = write_pair(&d, &dir);
    let c = run(&a, &b);
    assert!(c.common);

    // Clock: offset within its bound; the bound is half the round trip between the points.
    let bound = c.clock.uncertainty_s.expect("packets both ways");
    assert!(
        (c.clock.offset_s - OFFSET_S).abs() <= bound + 1e-6,
        "{:?}",
        c.clock
    );
    let half_rtt = (DELAY_UP_NS + DELAY_DOWN_NS) as f64 * 1e-9 / 2.0;
    assert!((bound - half_rtt).abs() < 20e-6, "{:?}", c.clock);
    assert!(
        (c.clock.drift_ppm - DRIFT * 1e6).abs() < 2.0,
        "{:?}",
        c.clock
    );

    // Which point is upstream: A is on the clients' side.
    assert_eq!(c.directions.a_to_b.name, "client→server");
    assert_eq!(c.directions.a_to_b.hops, Some(1));
    assert_eq!(c.directions.b_to_a.hops, Some(1));

    // Lost: client→server packets seen at A only, server→client seen at B only.
    let lost_a: BTreeSet<u64> = d.lost_a.iter().map(|&i| no(&d.a, Tag::Orig(i))).collect();
    let lost_b: BTreeSet<u64> = d.lost_b.iter().map(|&i| no(&d.b, Tag::Orig(i))).collect();
    let (got_a, got_b) = (lost_in(&c, "a"), lost_in(&c, "b"));
    assert_eq!(got_a, lost_a, "{:#?}", c.lost);
    assert_eq!(got_b, lost_b, "{:#?}", c.lost);
    assert_eq!(c.directions.a_to_b.lost, 3);
    assert_eq!(c.directions.b_to_a.lost, 2);
    // B's lost frames name the chained file and the frame inside it.
    let half = d.b.len() / 2;
    for s in c.lost.iter().filter(|s| s.file == "b") {
        let expected_part = u16::from(s.no as usize > half);
        assert_eq!(s.part, expected_part);
        let expected_no = if expected_part == 0 {
            s.no
        } else {
            s.no - half as u64
        };
        assert_eq!(u64::from(s.part_no), expected_no);
    }

    // Injected: the forged RST, seen at the client only.
    assert_eq!(c.injected.len(), 1, "{:#?}", c.injected);
    assert_eq!(c.injected[0].file, "a");
    assert_eq!(c.injected[0].no, no(&d.a, Tag::Rst));
    assert_eq!(c.directions.b_to_a.injected, 1);
    assert_eq!(c.directions.a_to_b.injected, 0);

    // Duplicated in transit: the second copy at B; copies on both sides pair in order.
    assert_eq!(c.duplicated.len(), 1, "{:#?}", c.duplicated);
    assert_eq!(c.duplicated[0].file, "b");
    assert_eq!(c.duplicated[0].no, no(&d.b, Tag::Copy(d.dup_in_transit)));

    // Matched: everything else (the original has no frame outside IPv4).
    let matched = d.a.len() as u64 - 3 - 1;
    assert_eq!(c.matched, matched);
    assert_eq!(c.matched, d.b.len() as u64 - 2 - 1);
    assert_eq!(c.folded.a + c.folded.b, 0);
    assert_eq!(c.one_side_only.a + c.one_side_only.b, 0);

    // Modified: the SYN-ACK (+2 bytes), the MSS clamp, DSCP, TTL beyond the hop count.
    let find = |tag: Tag| {
        let (an, bn) = (no(&d.a, tag), no(&d.b, tag));
        c.modified
            .iter()
            .find(|m| m.a_no == an && m.b_no == bn)
            .unwrap_or_else(|| panic!("{tag:?} a#{an} b#{bn} not modified: {:#?}", c.modified))
    };
    assert_eq!(c.modified.len(), 4, "{:#?}", c.modified);
    assert_eq!(c.modified_total, 4);
    let synack = find(Tag::Orig(d.synack));
    let field = |m: &compare::report::Modified, name: &str| {
        m.changes
            .iter()
            .find(|ch| ch.field == name)
            .map(|ch| (ch.a.clone(), ch.b.clone()))
    };
    assert_eq!(
        field(synack, "tcp.len"),
        Some((Some("2".into()), Some("0".into())))
    );
    assert!(field(synack, "ip.len").is_some(), "{synack:#?}");
    assert_eq!(
        field(synack, "tcp.payload"),
        Some((Some("0d0a".into()), None))
    );
    let mss = find(Tag::Orig(d.mss_syn));
    assert_eq!(
        field(mss, "tcp.options.mss_val"),
        Some((Some("1460".into()), Some("1360".into())))
    );
    let dscp = find(Tag::Orig(d.dscp));
    assert_eq!(
        field(dscp, "ip.dsfield"),
        Some((
            Some("0x00 (DSCP: CS0, ECN: Not-ECT)".into()),
            Some("0x28 (DSCP: AF11, ECN: Not-ECT)".into())
        ))
    );
    assert!(
        dscp.changes
            .iter()
            .all(|ch| ch.field.starts_with("ip.dsfield")),
        "{dscp:#?}"
    );
    let ttl = find(Tag::Orig(d.ttl));
    let (ta, tb) = field(ttl, "ip.ttl").expect("ttl change");
    let (ta, tb): (u8, u8) = (ta.unwrap().parse().unwrap(), tb.unwrap().parse().unwrap());
    assert_eq!(ta - tb, 5);
    assert_eq!(ttl.changes.len(), 1);

    // Sequence rewriting: one flow direction, by ISN_DELTA.
    assert_eq!(c.seq_rewritten.len(), 1, "{:#?}", c.seq_rewritten);
    assert_eq!(c.seq_rewritten[0].delta, ISN_DELTA as i32);
    assert!(c.seq_rewritten[0]
        .flow
        .starts_with(&format!("tcp 172.16.0.122:{} →", d.isn_flow_port)));

    // NAT map: exactly the client's endpoints.
    let nat: BTreeSet<(String, String, String)> = c
        .nat
        .iter()
        .map(|n| (n.proto.clone(), n.a.clone(), n.b.clone()))
        .collect();
    assert_eq!(nat, d.nat);

    // Delay: the variation is exact (constant delays), the values centred by the clock bound.
    let up = c.delay.a_to_b.unwrap();
    let down = c.delay.b_to_a.unwrap();
    assert!((up.p99_ms - up.p50_ms).abs() < 0.01, "{up:?}");
    assert!((down.p99_ms - down.p50_ms).abs() < 0.01, "{down:?}");
    assert!((up.p50_ms - 2.0).abs() < 0.02, "{up:?}");
    assert!((down.p50_ms - 2.0).abs() < 0.02, "{down:?}");

    // Verdicts.
    let kinds: Vec<&str> = c.findings.iter().map(|f| f.kind).collect();
    for kind in [
        "compare_lost",
        "compare_injected",
        "compare_duplicated",
        "compare_modified",
        "compare_seq_rewritten",
        "compare_clock",
        "compare_nat",
        "compare_delay",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing: {kinds:?}");
    }
    let verdicts: Vec<&str> = c.findings.iter().map(|f| f.verdict.as_str()).collect();
    assert!(
        verdicts.iter().any(|v| v.starts_with(
            "the server's SYN-ACK to port 52166 left the server with no payload and reached the client with 2 bytes (2 bytes added)"
        )),
        "{verdicts:#?}"
    );
    assert!(
        verdicts.iter().any(|v| v.starts_with("MSS clamped between the points: the client's SYN left with MSS 1460 and arrived with 1360")),
        "{verdicts:#?}"
    );
    assert!(
        verdicts
            .iter()
            .any(|v| v.starts_with("client→server: 3 of ")),
        "{verdicts:#?}"
    );
    let lost_finding = c
        .findings
        .iter()
        .find(|f| f.kind == "compare_lost" && f.verdict.starts_with("client→server"))
        .unwrap();
    assert_eq!(
        lost_finding.frames_a,
        lost_a.iter().copied().collect::<Vec<_>>()
    );
    assert!(lost_finding.frames_b.is_empty());
    // The per-flow table adds up to the totals.
    let lost_sum = c
        .flows
        .iter()
        .fold([0, 0], |acc, r| [acc[0] + r.lost[0], acc[1] + r.lost[1]]);
    assert_eq!(lost_sum, [3, 2]);
    let matched_sum: u64 = c.flows.iter().map(|r| r.matched[0] + r.matched[1]).sum();
    assert_eq!(matched_sum, c.matched);
    // Both copies of a packet duplicated before either point pair in order (no loss, no extra).
    let (a1, a2) = (
        no(&d.a, Tag::Orig(d.dup_both)),
        no(&d.a, Tag::Copy(d.dup_both)),
    );
    assert!(!c
        .lost
        .iter()
        .any(|s| s.file == "a" && (s.no == a1 || s.no == a2)));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn cli_prints_the_json_the_issue_specifies() {
    let d = derive();
    let dir = temp_dir("cli");
    let (a, b) = write_pair(&d, &dir);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tracelens"))
        .arg("compare")
        .arg("--a")
        .args(&a)
        .arg("--b")
        .args(&b)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["offset_s", "drift_ppm", "uncertainty_s"] {
        assert!(v["clock"][key].is_number(), "clock.{key}");
    }
    assert_eq!(v["nat"].as_array().unwrap().len(), d.nat.len());
    assert!(v["nat"][0]["proto"].is_string() && v["nat"][0]["a"].is_string());
    assert_eq!(v["matched"], d.a.len() as u64 - 4);
    assert_eq!(v["lost"].as_array().unwrap().len(), 5);
    assert!(v["lost"][0]["file"].is_string() && v["lost"][0]["no"].is_u64());
    assert!(v["lost"][0]["flow"].is_string());
    assert_eq!(v["injected"].as_array().unwrap().len(), 1);
    assert_eq!(v["modified"].as_array().unwrap().len(), 4);
    assert!(v["modified"][0]["changes"][0]["field"].is_string());
    for dir in ["a_to_b", "b_to_a"] {
        assert!(v["delay"][dir]["p50_ms"].is_number());
        assert!(v["delay"][dir]["p99_ms"].is_number());
    }
    assert!(v["findings"].as_array().unwrap().len() >= 5);
    // Two positional files: one per side (B's first part only: a partial window).
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tracelens"))
        .arg("compare")
        .arg(&a[0])
        .arg(&b[0])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("clock: B − A = +12.34"), "{text}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn only_the_common_window_counts() {
    // B captured only the second half of A's time span (same clock, no loss).
    let o = original();
    let middle = o[o.len() / 2].0;
    let dir = temp_dir("window");
    let a = dir.join("a.pcap");
    let b = dir.join("b.pcap");
    write_pcap(&a, &o);
    let late: Vec<(i64, Vec<u8>)> = o.iter().filter(|x| x.0 >= middle).cloned().collect();
    write_pcap(&b, &late);
    let c = run(&[a], &[b]);
    assert!(c.common);
    assert_eq!(c.lost.len(), 0, "{:#?}", c.lost);
    assert_eq!(c.injected.len(), 0);
    assert_eq!(c.matched, late.len() as u64);
    assert_eq!(
        c.outside_window.a + c.one_side_only.a,
        (o.len() - late.len()) as u64
    );
    assert!(c.clock.offset_s.abs() < 1e-6, "{:?}", c.clock);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn identical_captures_match_whole() {
    let path = common::corpus_dir().join(CAPTURE);
    let c = run(std::slice::from_ref(&path), std::slice::from_ref(&path));
    assert_eq!(c.matched, 956);
    assert!(c.lost.is_empty() && c.injected.is_empty() && c.modified.is_empty());
    assert!(c.nat.is_empty() && c.seq_rewritten.is_empty());
    assert_eq!(c.clock.offset_s, 0.0);
}

#[test]
fn unrelated_captures_have_no_packets_in_common() {
    let a = common::corpus_dir().join(CAPTURE);
    let b = common::corpus_dir().join("zeek/tls1.2.pcap");
    let c = run(&[a], &[b]);
    assert!(!c.common);
    assert_eq!(c.matched, 0);
    assert!(c.lost.is_empty() && c.injected.is_empty());
    assert_eq!(c.findings.len(), 1);
    assert_eq!(c.findings[0].kind, "compare_no_common");
    assert_eq!(
        c.findings[0].verdict,
        "These captures have no packets in common"
    );
}

#[test]
fn hostile_inputs_do_not_panic() {
    // Every corpus capture against the derived client side and against itself.
    let d = derive();
    let dir = temp_dir("hostile");
    let a = dir.join("client.pcap");
    write_pcap(&a, &frames_only(&d.a));
    for path in common::manifest_paths() {
        let p = common::corpus_dir().join(&path);
        let _ = run(std::slice::from_ref(&p), std::slice::from_ref(&a));
        let _ = run(std::slice::from_ref(&p), std::slice::from_ref(&p));
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The real pair made in network namespaces (`tests/data/compare/make-pair.sh`): a NAT router
/// with random ports, deterministic drops, MSS clamping to 1200 and DSCP 10 towards the server,
/// captured at both ends at once; `truth.json` holds the router's own counters.
#[test]
fn real_namespace_pair_matches_the_routers_truth() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/compare");
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("truth.json")).unwrap()).unwrap();
    let c = run(&[dir.join("client.pcap")], &[dir.join("server.pcap")]);
    assert!(c.common);
    assert_eq!(c.directions.a_to_b.name, "client→server");
    let lost_a = c.lost.iter().filter(|s| s.file == "a").count() as u64;
    let lost_b = c.lost.iter().filter(|s| s.file == "b").count() as u64;
    assert_eq!(lost_a, truth["dropped_client_to_server"].as_u64().unwrap());
    assert_eq!(lost_b, truth["dropped_server_to_client"].as_u64().unwrap());
    assert_eq!(c.directions.a_to_b.lost, 38);
    assert_eq!(c.directions.b_to_a.lost, 28);
    assert!(c.injected.is_empty(), "{:#?}", c.injected);
    assert!(c.duplicated.is_empty(), "{:#?}", c.duplicated);
    assert_eq!(c.one_side_only.a + c.one_side_only.b, 0);
    assert_eq!(c.outside_window.a + c.outside_window.b, 0);
    assert_eq!(c.matched, 515);
    // NAT: exactly the router's bindings.
    let nat: BTreeSet<(String, String, String)> = c
        .nat
        .iter()
        .map(|n| (n.proto.clone(), n.a.clone(), n.b.clone()))
        .collect();
    let expected: BTreeSet<(String, String, String)> = truth["nat"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let proto = n["proto"].as_str().unwrap().to_string();
            let fix = |s: &str| {
                if proto == "icmp" {
                    s.replace(':', " id ")
                } else {
                    s.to_string()
                }
            };
            (
                proto.clone(),
                fix(n["inside"].as_str().unwrap()),
                fix(n["outside"].as_str().unwrap()),
            )
        })
        .collect();
    assert_eq!(nat, expected);
    // Hops and the clock (one host clock: the offset is 0 within its bound, no drift).
    assert_eq!(c.directions.a_to_b.hops, Some(1));
    assert_eq!(c.directions.b_to_a.hops, Some(1));
    let bound = c.clock.uncertainty_s.unwrap();
    assert!(c.clock.offset_s.abs() <= bound + 1e-6, "{:?}", c.clock);
    assert!(c.clock.drift_ppm.abs() < 50.0, "{:?}", c.clock);
    // Modified: DSCP 10 on every matched client→server packet, MSS 1460→1200 on every SYN and
    // SYN-ACK, nothing else.
    let dscp = |m: &compare::report::Modified| {
        m.changes.iter().any(|ch| {
            ch.field == "ip.dsfield" && ch.b.as_deref() == Some("0x28 (DSCP: AF11, ECN: Not-ECT)")
        })
    };
    // A is upstream for the SYNs (1460 at A, 1200 at B), B for the SYN-ACKs (1460 at B).
    let mss_ab = |m: &compare::report::Modified, a: &str, b: &str| {
        m.changes.iter().any(|ch| {
            ch.field == "tcp.options.mss_val"
                && ch.a.as_deref() == Some(a)
                && ch.b.as_deref() == Some(b)
        })
    };
    let mss =
        |m: &compare::report::Modified| mss_ab(m, "1460", "1200") || mss_ab(m, "1200", "1460");
    assert_eq!(
        c.modified
            .iter()
            .filter(|m| mss_ab(m, "1460", "1200"))
            .count(),
        8
    );
    assert_eq!(
        c.modified
            .iter()
            .filter(|m| mss_ab(m, "1200", "1460"))
            .count(),
        8
    );
    assert_eq!(c.directions.a_to_b.modified, c.directions.a_to_b.matched);
    assert_eq!(
        c.modified.iter().filter(|m| dscp(m)).count() as u64,
        c.directions.a_to_b.matched
    );
    assert_eq!(c.modified.iter().filter(|m| mss(m)).count(), 16);
    assert_eq!(c.directions.b_to_a.modified, 8);
    for m in &c.modified {
        assert!(dscp(m) || mss(m), "{m:#?}");
        for ch in &m.changes {
            assert!(
                ch.field.starts_with("ip.dsfield") || ch.field.starts_with("tcp.options"),
                "{m:#?}"
            );
        }
    }
    assert!(c.seq_rewritten.is_empty(), "{:#?}", c.seq_rewritten);
    // The per-flow table adds up to the totals.
    assert_eq!(c.flows.len() as u64, c.flows_paired);
    let sum = |f: fn(&compare::report::FlowRow) -> [u64; 2]| {
        c.flows.iter().fold([0, 0], |acc, r| {
            let v = f(r);
            [acc[0] + v[0], acc[1] + v[1]]
        })
    };
    assert_eq!(sum(|r| r.lost), [38, 28]);
    assert_eq!(sum(|r| r.injected), [0, 0]);
    assert_eq!(sum(|r| r.matched)[0] + sum(|r| r.matched)[1], c.matched);
    assert_eq!(sum(|r| r.modified)[1], 8);
}

/// B's clock steps forward by 250 ms halfway through its capture (an NTP step): the step is
/// found where it happened, measured within its bound, and matching works across it: every loss,
/// injection and duplicate of the derived pair is still reported, and nothing more.
#[test]
fn a_clock_step_in_one_capture_is_found_and_matching_holds_across_it() {
    const STEP_NS: i64 = 250_000_000;
    let mut d = derive();
    let half = d.b.len() / 2;
    for x in &mut d.b[half..] {
        x.0 += STEP_NS;
    }
    let dir = temp_dir("stepped");
    let (a, b) = write_pair(&d, &dir);
    let c = run(&a, &b);
    assert!(c.common);
    assert_eq!(c.clock.steps.len(), 1, "{:#?}", c.clock);
    let step = c.clock.steps[0];
    assert_eq!(step.b_no, half as u64 + 1, "{step:?}");
    let bound = step.uncertainty_s.expect("packets both ways");
    assert!(
        (step.by_s - STEP_NS as f64 * 1e-9).abs() <= bound + 1e-6,
        "{step:?}"
    );
    assert!(bound < 1e-3, "{step:?}");
    assert!((step.by_s - STEP_NS as f64 * 1e-9).abs() < 1e-4, "{step:?}");
    // Where it happened on A's clock: when B's frame after the step was taken, less the delay.
    let at = ((d.b[half].0 - STEP_NS - d.a[0].0) as f64 * 1e-9 - OFFSET_S) / (1.0 + DRIFT);
    assert!((step.at_s - at).abs() < 0.01, "{step:?} vs {at}");
    // The line itself is the unstepped pair's.
    assert!(
        (c.clock.offset_s - OFFSET_S).abs() <= c.clock.uncertainty_s.unwrap() + 1e-6,
        "{:?}",
        c.clock
    );
    // Loss, injection and duplicates are exactly the unstepped pair's.
    let lost_a: BTreeSet<u64> = d.lost_a.iter().map(|&i| no(&d.a, Tag::Orig(i))).collect();
    let lost_b: BTreeSet<u64> = d.lost_b.iter().map(|&i| no(&d.b, Tag::Orig(i))).collect();
    assert_eq!(
        (lost_in(&c, "a"), lost_in(&c, "b")),
        (lost_a, lost_b),
        "{:#?}",
        c.lost
    );
    assert_eq!(c.injected.len(), 1, "{:#?}", c.injected);
    assert_eq!(c.injected[0].no, no(&d.a, Tag::Rst));
    assert_eq!(c.duplicated.len(), 1, "{:#?}", c.duplicated);
    assert_eq!(c.matched, d.a.len() as u64 - 3 - 1);
    assert_eq!(c.outside_window.a + c.outside_window.b, 0);
    // Delays stay those of the path, not the step.
    let p50 = c.delay.a_to_b.unwrap().p50_ms;
    assert!(p50 < 100.0, "{:?}", c.delay);
    let finding = c
        .findings
        .iter()
        .find(|f| f.kind == "compare_clock_step")
        .expect("a clock-step finding");
    assert!(
        finding.verdict.contains("jumped forward by 250.0"),
        "{}",
        finding.verdict
    );
    assert_eq!(finding.frames_b, vec![half as u64 + 1]);
}

/// Two identical copies of a client segment at A that differ only by their IPv4 ID (a
/// retransmission with the same bytes, 100 µs later); only the second reached B, 2.9 ms after it
/// (the first one's delay, 3 ms, fits the path's usual delay better). The IP ID tells them
/// apart: the first copy is the one lost.
#[test]
fn identical_copies_are_told_apart_by_the_ip_id() {
    let mut d = derive();
    let data_up = |f: &[u8]| is_tcp(f) && upward(f) && tcp_payload_len(f) > 0;
    let frames: Vec<(i64, Vec<u8>)> = d.a.iter().map(|(t, f, _)| (*t, f.clone())).collect();
    let at = nth(&frames, 33, data_up);
    let Tag::Orig(k) = d.a[at].2 else {
        panic!("an original frame")
    };
    assert!(!d.lost_a.contains(&k) && k != d.dup_in_transit && k != d.dscp && k != d.ttl);
    let bump_id = |f: &mut Vec<u8>| {
        let id = u16::from_be_bytes([f[18], f[19]]);
        assert_ne!(id, 0, "the capture's client sets IP IDs");
        f[18..20].copy_from_slice(&id.wrapping_add(1).to_be_bytes());
        fix_checksums(f);
    };
    let mut copy = d.a[at].1.clone();
    bump_id(&mut copy);
    let t = d.a[at].0 + 100_000;
    d.a.push((t, copy, Tag::Copy(k)));
    d.a.sort_by_key(|x| x.0);
    let in_b = d.b.iter().position(|x| x.2 == Tag::Orig(k)).unwrap();
    bump_id(&mut d.b[in_b].1);
    let dir = temp_dir("ipid");
    let (a, b) = write_pair(&d, &dir);
    let c = run(&a, &b);
    let mut lost_a: BTreeSet<u64> = d.lost_a.iter().map(|&i| no(&d.a, Tag::Orig(i))).collect();
    lost_a.insert(no(&d.a, Tag::Orig(k)));
    assert_eq!(lost_in(&c, "a"), lost_a, "{:#?}", c.lost);
    let pair = c
        .pairs
        .iter()
        .find(|p| p.b_no == in_b as u64 + 1)
        .expect("B's copy is matched");
    assert_eq!(pair.a_no, no(&d.a, Tag::Copy(k)));
    assert!(!pair.changed, "{pair:?}");
}
