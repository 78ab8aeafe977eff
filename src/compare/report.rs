//! The comparison's numbers and its verdicts. [`build`] turns the match into the lists the CLI
//! prints as JSON (lost and injected frames with the file they were seen in, modified pairs with
//! their field-level changes, the delay percentiles per direction, the NAT map, the clock) and
//! into verdict sentences in the findings style, each with its evidence frames in both files and a
//! display filter for each file. Loss and injection count only inside the common time window: an
//! upstream packet is lost when it should have reached the other point while that point was
//! capturing, and a downstream packet is injected when it would have passed the upstream point
//! while that one was capturing. Captures with nothing in common say so instead of reporting 100%
//! loss.

use super::clock::ClockModel;
use super::diff::{self, Change};
use super::keys::SideKeys;
use super::matcher::{exact_key, Matching};
use super::pairing::{nat_map, NatEntry, Pairing, NO_PAIR};
use super::{Options, Side};
use crate::findings::text::{count, frame_set_filter, join_and, percent};
use crate::findings::{Details, Severity, MAX_EVIDENCE_FRAMES};
use crate::index::flag;
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

/// A frame seen at one point only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Seen {
    /// "a" or "b": the capture it was seen in.
    pub file: &'static str,
    /// Frame number in that side's timeline (its files merged), 1-based.
    pub no: u64,
    /// The flow as that side saw it, from the sender.
    pub flow: String,
    /// Which of the side's files (0-based) and the frame number inside it.
    pub part: u16,
    pub part_no: u32,
}

/// A packet changed between the points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Modified {
    pub a_no: u64,
    pub b_no: u64,
    pub changes: Vec<Change>,
}

/// One matched packet: the frame in A and the frame in B that are the same packet, the flow pair
/// it belongs to and whether it changed between the points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FramePair {
    /// Frame numbers (1-based) on each side.
    pub a_no: u64,
    pub b_no: u64,
    /// Position of its flow pair in [`Comparison::flows`].
    pub flow: u32,
    /// 0 from the flow's initiator (as A saw it), 1 back.
    pub dir: u8,
    /// The packet passed point A first.
    pub a_first: bool,
    /// Changed in transit beyond the expected rewrites.
    pub changed: bool,
    /// Its entry in [`Comparison::modified`], when it was diffed.
    pub modified: Option<u32>,
}

/// One-way delay percentiles of one direction (the offset's uncertainty applies to the
/// absolute values; their variation is exact).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentiles {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    pub count: u64,
}

/// Delay per direction: `a_to_b` for packets that pass point A first.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Delay {
    pub a_to_b: Option<Percentiles>,
    pub b_to_a: Option<Percentiles>,
}

/// Counts of one direction.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct DirectionStats {
    /// "client→server" or "server→client".
    pub name: String,
    /// Upstream packets inside the common window (matched, folded or lost).
    pub sent: u64,
    pub matched: u64,
    pub lost: u64,
    pub injected: u64,
    /// Extra copies of a packet that also arrived once: duplicated between the points.
    pub duplicated: u64,
    pub modified: u64,
    /// IP hops between the points (the usual TTL decrement).
    pub hops: Option<u8>,
}

/// Both directions.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Directions {
    pub a_to_b: DirectionStats,
    pub b_to_a: DirectionStats,
}

/// A TCP flow whose sequence numbers differ by a constant between the points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeqRewrite {
    /// The flow direction as A saw it.
    pub flow: String,
    /// B's sequence number minus A's (wrapping, as a signed 32-bit number).
    pub delta: i32,
}

/// A verdict, in the findings' shape, with evidence in both files.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareFinding {
    /// `compare_lost`, `compare_injected`, `compare_modified`, `compare_seq_rewritten`,
    /// `compare_ttl`, `compare_clock`, `compare_nat`, `compare_delay`, `compare_no_common`.
    pub kind: &'static str,
    pub severity: Severity,
    pub verdict: String,
    pub explanation: String,
    /// Evidence frame numbers (1-based) in A and in B, capped at [`MAX_EVIDENCE_FRAMES`].
    pub frames_a: Vec<u64>,
    pub frames_b: Vec<u64>,
    pub frames_total: u64,
    /// Display filters selecting the evidence in each file ("" when none).
    pub filter_a: String,
    pub filter_b: String,
    pub details: Details,
}

/// Frames of one side in flows the other side never saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct PerSide {
    pub a: u64,
    pub b: u64,
}

/// Everything the comparison found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub clock: ClockModel,
    pub nat: Vec<NatEntry>,
    pub matched: u64,
    pub lost: Vec<Seen>,
    pub injected: Vec<Seen>,
    /// Extra downstream copies of packets that were matched (duplicated in transit).
    pub duplicated: Vec<Seen>,
    pub modified: Vec<Modified>,
    /// Modified pairs in all (past `Options::max_diffs` they are counted but not diffed).
    pub modified_total: u64,
    pub delay: Delay,
    pub findings: Vec<CompareFinding>,
    /// The captures share at least one packet.
    pub common: bool,
    pub directions: Directions,
    pub flows_paired: u64,
    /// Segments folded into the other side's segmentation (TSO/GRO), per side.
    pub folded: PerSide,
    /// Frames of flows seen at one point only (not counted as lost or injected).
    pub one_side_only: PerSide,
    /// Frames of paired flows seen once but outside the other capture's time window.
    pub outside_window: PerSide,
    pub seq_rewritten: Vec<SeqRewrite>,
    /// One row per paired flow (the per-flow table).
    pub flows: Vec<FlowRow>,
    /// Every matched pair, in A's frame order (the page's ladder draws these; not in the JSON).
    #[serde(skip)]
    pub pairs: Vec<FramePair>,
}

/// One paired flow: its two views and its counts per direction (index 0: packets that pass A
/// first, 1: B first).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowRow {
    /// As A saw it and as B saw it, from the initiator.
    pub a: String,
    pub b: String,
    /// First frame of the flow in each side (1-based).
    pub a_first_no: u64,
    pub b_first_no: u64,
    pub matched: [u64; 2],
    pub lost: [u64; 2],
    pub injected: [u64; 2],
    pub modified: [u64; 2],
    /// Median one-way delay per direction, milliseconds.
    pub delay_p50_ms: [Option<f64>; 2],
}

/// What [`build`] reads.
pub struct Input<'a> {
    pub a: Side<'a>,
    pub b: Side<'a>,
    pub ka: &'a SideKeys,
    pub kb: &'a SideKeys,
    pub pairing: &'a Pairing,
    pub matching: &'a Matching,
    pub clock: ClockModel,
    pub options: &'a Options,
}

fn percentiles(v: &mut [i64]) -> Option<Percentiles> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let at = |q: f64| {
        let i = ((v.len() - 1) as f64 * q).round() as usize;
        v[i.min(v.len() - 1)] as f64 / 1e6
    };
    Some(Percentiles {
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        min_ms: at(0.0),
        max_ms: at(1.0),
        count: v.len() as u64,
    })
}

fn seen(
    side: &SideKeys,
    analyzer: &crate::analyzer::Analyzer,
    file: &'static str,
    i: usize,
) -> Seen {
    let index = analyzer.index();
    let k = &side.keys[i];
    let flow = side
        .flows
        .get(k.flow as usize)
        .map(|f| f.describe(k.dir))
        .unwrap_or_default();
    Seen {
        file,
        no: i as u64 + 1,
        flow,
        part: index.records.get(i).map_or(0, |r| index.file_of(r)),
        part_no: index.number_in_file(i),
    }
}

/// `1,204`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn tcp_kind(flags: u8) -> &'static str {
    match flags & 0x17 {
        f if f & 0x04 != 0 => "RST",
        0x12 => "SYN-ACK",
        0x02 => "SYN",
        f if f & 0x01 != 0 => "FIN",
        _ => "segment",
    }
}

fn packet_kind(proto: u8, flags: u8) -> String {
    match proto {
        6 => tcp_kind(flags).to_string(),
        17 => "UDP datagram".into(),
        1 | 58 => "ICMP message".into(),
        _ => "packet".into(),
    }
}

fn bytes_text(n: u64) -> String {
    if n == 0 {
        "no payload".into()
    } else {
        count(n, "byte of payload", "bytes of payload")
    }
}

fn evidence(frames: &[u32]) -> (Vec<u64>, String) {
    if frames.is_empty() {
        return (Vec::new(), String::new());
    }
    let listed: Vec<u64> = frames
        .iter()
        .take(MAX_EVIDENCE_FRAMES)
        .map(|&i| u64::from(i) + 1)
        .collect();
    let shown = &frames[..frames.len().min(64)];
    (listed, frame_set_filter(shown))
}

struct FindingBuilder {
    kind: &'static str,
    severity: Severity,
    verdict: String,
    explanation: String,
    a: Vec<u32>,
    b: Vec<u32>,
    details: Details,
}

impl FindingBuilder {
    fn finish(mut self) -> CompareFinding {
        self.a.sort_unstable();
        self.a.dedup();
        self.b.sort_unstable();
        self.b.dedup();
        let (frames_a, filter_a) = evidence(&self.a);
        let (frames_b, filter_b) = evidence(&self.b);
        CompareFinding {
            kind: self.kind,
            severity: self.severity,
            verdict: self.verdict,
            explanation: self.explanation,
            frames_total: (self.a.len() + self.b.len()) as u64,
            frames_a,
            frames_b,
            filter_a,
            filter_b,
            details: self.details,
        }
    }
}

/// Builds the comparison's report.
pub fn build(input: Input<'_>) -> Comparison {
    let Input {
        a,
        b,
        ka,
        kb,
        pairing,
        matching,
        clock,
        options,
    } = input;
    let (ia, ib) = (a.analyzer.index(), b.analyzer.index());
    let a_first = |pair: u32, dir: u8| pairing.pairs[pair as usize].a_first[usize::from(dir)];
    let (name_ab, name_ba) = if pairing.a_on_initiator_side {
        ("client→server", "server→client")
    } else {
        ("server→client", "client→server")
    };
    let (role_a, role_b) = if pairing.a_on_initiator_side {
        ("client", "server")
    } else {
        ("server", "client")
    };
    let b_to_a = |t: i64| clock.b_to_a_ns(t);

    // Delays and hop counts per direction (0: a→b, 1: b→a).
    let mut delays: [Vec<i64>; 2] = [Vec::new(), Vec::new()];
    let mut hops = [[0u32; 256], [0u32; 256]];
    for m in &matching.matched {
        let (ra, rb) = (&ia.records[m.a as usize], &ib.records[m.b as usize]);
        let ta = ka.keys[m.a as usize].ts_ns;
        let tb = b_to_a(kb.keys[m.b as usize].ts_ns);
        if a_first(m.pair, m.dir) {
            if !m.fuzzy {
                delays[0].push(tb.saturating_sub(ta));
            }
            hops[0][usize::from(ra.ttl.wrapping_sub(rb.ttl))] += 1;
        } else {
            if !m.fuzzy {
                delays[1].push(ta.saturating_sub(tb));
            }
            hops[1][usize::from(rb.ttl.wrapping_sub(ra.ttl))] += 1;
        }
    }
    let hop_mode = |h: &[u32; 256]| {
        let (i, n) = h
            .iter()
            .enumerate()
            .max_by_key(|(i, &n)| (n, usize::MAX - i))?;
        (*n > 0).then_some(i as u8)
    };
    let hop = [hop_mode(&hops[0]), hop_mode(&hops[1])];
    let delay = Delay {
        a_to_b: percentiles(&mut delays[0]),
        b_to_a: percentiles(&mut delays[1]),
    };
    let median_ns = |p: &Option<Percentiles>| p.map_or(0, |p| (p.p50_ms.max(0.0) * 1e6) as i64);
    let median = [median_ns(&delay.a_to_b), median_ns(&delay.b_to_a)];

    let mut directions = Directions {
        a_to_b: DirectionStats {
            name: name_ab.into(),
            hops: hop[0],
            ..DirectionStats::default()
        },
        b_to_a: DirectionStats {
            name: name_ba.into(),
            hops: hop[1],
            ..DirectionStats::default()
        },
    };
    let common = !matching.matched.is_empty();

    // Modified pairs, sequence rewriting.
    let mut modified = Vec::new();
    let mut modified_total = 0u64;
    let mut modified_pairs: Vec<(usize, u32, u32, u8, u32)> = Vec::new();
    let mut diffs = 0usize;
    let mut frame_pairs = Vec::with_capacity(matching.matched.len());
    for m in &matching.matched {
        let mut pair = FramePair {
            a_no: u64::from(m.a) + 1,
            b_no: u64::from(m.b) + 1,
            flow: m.pair,
            dir: m.dir,
            a_first: a_first(m.pair, m.dir),
            changed: false,
            modified: None,
        };
        let (ra, rb) = (&ia.records[m.a as usize], &ib.records[m.b as usize]);
        let up_is_a = a_first(m.pair, m.dir);
        let d = usize::from(!up_is_a);
        let stats = if up_is_a {
            &mut directions.a_to_b
        } else {
            &mut directions.b_to_a
        };
        stats.matched += 1;
        let mut changes = Vec::new();
        let (up_ttl, down_ttl) = if up_is_a {
            (ra.ttl, rb.ttl)
        } else {
            (rb.ttl, ra.ttl)
        };
        if hop[d].is_some_and(|h| up_ttl.wrapping_sub(down_ttl) != h) {
            let field = if ra.has(flag::IPV6) {
                "ipv6.hlim"
            } else {
                "ip.ttl"
            };
            changes.push(Change {
                field: field.into(),
                a: Some(ra.ttl.to_string()),
                b: Some(rb.ttl.to_string()),
            });
        }
        let fingerprint_differs =
            ka.keys[m.a as usize].fingerprint != kb.keys[m.b as usize].fingerprint;
        let mut diffed = false;
        if m.fuzzy || fingerprint_differs {
            if diffs < options.max_diffs {
                diffs += 1;
                if let (Some(fa), Some(fb)) = (a.frame(m.a as usize), b.frame(m.b as usize)) {
                    changes.extend(diff::diff((fa.0, &fa.1, fa.2), (fb.0, &fb.1, fb.2)));
                }
                diffed = true;
            } else {
                modified_total += 1;
                stats.modified += 1;
                pair.changed = true;
                frame_pairs.push(pair);
                continue;
            }
        }
        if changes.is_empty() && !(diffed && m.fuzzy) {
            frame_pairs.push(pair);
            continue;
        }
        modified_total += 1;
        stats.modified += 1;
        pair.changed = true;
        pair.modified = u32::try_from(modified.len()).ok();
        frame_pairs.push(pair);
        modified_pairs.push((modified.len(), m.a, m.b, m.dir, m.pair));
        modified.push(Modified {
            a_no: u64::from(m.a) + 1,
            b_no: u64::from(m.b) + 1,
            changes,
        });
    }
    let mut seq_rewritten: Vec<(u32, SeqRewrite)> = Vec::new();
    for pair in &pairing.pairs {
        let flow = &ka.flows[pair.a as usize];
        if flow.proto != 6 {
            continue;
        }
        for dir in 0..2u8 {
            let delta = pair.seq_delta[usize::from(dir)];
            if delta != 0 && flow.packets[usize::from(dir)] > 0 {
                seq_rewritten.push((
                    flow.first_frame,
                    SeqRewrite {
                        flow: flow.describe(dir),
                        delta: delta as i32,
                    },
                ));
            }
        }
    }
    seq_rewritten.sort_by_key(|(frame, _)| *frame);

    // Seen at one point only.
    let span_b = kb.span.map(|(f, l)| (b_to_a(f), b_to_a(l)));
    let span_a = ka.span;
    let inside = |span: Option<(i64, i64)>, t: i64| span.is_some_and(|(f, l)| t >= f && t <= l);
    let mut lost: [Vec<(bool, u32)>; 2] = [Vec::new(), Vec::new()];
    let mut injected: [Vec<(bool, u32)>; 2] = [Vec::new(), Vec::new()];
    let mut duplicated: [Vec<(bool, u32)>; 2] = [Vec::new(), Vec::new()];
    // Contents that arrived downstream (per pair and direction): a second copy is a duplicate.
    let arrived: rustc_hash::FxHashSet<u64> = matching
        .matched
        .iter()
        .filter(|m| !m.fuzzy)
        .map(|m| {
            if a_first(m.pair, m.dir) {
                exact_key(ka, kb, pairing, true, m.b as usize, m.pair, m.dir)
            } else {
                exact_key(ka, kb, pairing, false, m.a as usize, m.pair, m.dir)
            }
        })
        .collect();
    let mut one_side_only = PerSide::default();
    let mut outside_window = PerSide::default();
    for (is_b, side, done) in [(false, ka, &matching.done_a), (true, kb, &matching.done_b)] {
        let pair_of = if is_b {
            &pairing.pair_of_b
        } else {
            &pairing.pair_of_a
        };
        for (i, k) in side.keys.iter().enumerate() {
            if done[i] || k.flow == super::keys::NO_FLOW {
                continue;
            }
            let p = pair_of.get(k.flow as usize).copied().unwrap_or(NO_PAIR);
            if p == NO_PAIR {
                if is_b {
                    one_side_only.b += 1;
                } else {
                    one_side_only.a += 1;
                }
                continue;
            }
            let dir = if is_b {
                k.dir ^ u8::from(pairing.pairs[p as usize].flip)
            } else {
                k.dir
            };
            let a_up = a_first(p, dir);
            let d = usize::from(!a_up);
            let (t, other) = if is_b {
                (b_to_a(k.ts_ns), span_a)
            } else {
                (k.ts_ns, span_b)
            };
            // Upstream here when this side is the one the direction passes first.
            let upstream = a_up != is_b;
            let counted = if upstream {
                inside(other, t.saturating_add(median[d]))
            } else {
                inside(other, t.saturating_sub(median[d]))
            };
            if !counted || !common {
                if is_b {
                    outside_window.b += 1;
                } else {
                    outside_window.a += 1;
                }
                continue;
            }
            if upstream {
                lost[d].push((is_b, i as u32));
            } else if arrived.contains(&exact_key(ka, kb, pairing, is_b, i, p, dir)) {
                duplicated[d].push((is_b, i as u32));
            } else {
                injected[d].push((is_b, i as u32));
            }
        }
    }
    // The per-flow table.
    let mut rows: Vec<FlowRow> = pairing
        .pairs
        .iter()
        .map(|p| {
            let (fa, fb) = (&ka.flows[p.a as usize], &kb.flows[p.b as usize]);
            FlowRow {
                a: fa.describe(0),
                b: fb.describe(u8::from(p.flip)),
                a_first_no: u64::from(fa.first_frame) + 1,
                b_first_no: u64::from(fb.first_frame) + 1,
                matched: [0, 0],
                lost: [0, 0],
                injected: [0, 0],
                modified: [0, 0],
                delay_p50_ms: [None, None],
            }
        })
        .collect();
    let mut flow_delays: Vec<[Vec<i64>; 2]> = vec![[Vec::new(), Vec::new()]; rows.len()];
    for m in &matching.matched {
        let d = usize::from(!a_first(m.pair, m.dir));
        rows[m.pair as usize].matched[d] += 1;
        if !m.fuzzy {
            let ta = ka.keys[m.a as usize].ts_ns;
            let tb = b_to_a(kb.keys[m.b as usize].ts_ns);
            let delay = if d == 0 {
                tb.saturating_sub(ta)
            } else {
                ta.saturating_sub(tb)
            };
            flow_delays[m.pair as usize][d].push(delay);
        }
    }
    for (row, delays) in rows.iter_mut().zip(flow_delays.iter_mut()) {
        for (slot, delays) in row.delay_p50_ms.iter_mut().zip(delays.iter_mut()) {
            *slot = percentiles(delays).map(|p| p.p50_ms);
        }
    }
    let pair_of_frame = |is_b: bool, i: u32| -> Option<usize> {
        let (side, of) = if is_b {
            (kb, &pairing.pair_of_b)
        } else {
            (ka, &pairing.pair_of_a)
        };
        let p = *of.get(side.keys.get(i as usize)?.flow as usize)?;
        (p != NO_PAIR).then_some(p as usize)
    };
    for d in 0..2 {
        for &(is_b, i) in &lost[d] {
            if let Some(p) = pair_of_frame(is_b, i) {
                rows[p].lost[d] += 1;
            }
        }
        for &(is_b, i) in &injected[d] {
            if let Some(p) = pair_of_frame(is_b, i) {
                rows[p].injected[d] += 1;
            }
        }
    }
    for &(_, _, _, dir, pair) in &modified_pairs {
        let d = usize::from(!a_first(pair, dir));
        rows[pair as usize].modified[d] += 1;
    }

    directions.a_to_b.lost = lost[0].len() as u64;
    directions.b_to_a.lost = lost[1].len() as u64;
    directions.a_to_b.injected = injected[0].len() as u64;
    directions.b_to_a.injected = injected[1].len() as u64;
    directions.a_to_b.duplicated = duplicated[0].len() as u64;
    directions.b_to_a.duplicated = duplicated[1].len() as u64;
    directions.a_to_b.sent = directions.a_to_b.matched + directions.a_to_b.lost + matching.folded_a;
    directions.b_to_a.sent = directions.b_to_a.matched + directions.b_to_a.lost;
    let to_seen = |list: &[(bool, u32)]| -> Vec<Seen> {
        list.iter()
            .map(|&(is_b, i)| {
                if is_b {
                    seen(kb, b.analyzer, "b", i as usize)
                } else {
                    seen(ka, a.analyzer, "a", i as usize)
                }
            })
            .collect()
    };
    let mut lost_list: Vec<Seen> = lost.iter().flat_map(|l| to_seen(l)).collect();
    let mut injected_list: Vec<Seen> = injected.iter().flat_map(|l| to_seen(l)).collect();
    let mut duplicated_list: Vec<Seen> = duplicated.iter().flat_map(|l| to_seen(l)).collect();
    duplicated_list.sort_by_key(|s| (s.file, s.no));
    lost_list.sort_by_key(|s| (s.file, s.no));
    injected_list.sort_by_key(|s| (s.file, s.no));

    // Findings.
    let mut findings = Vec::new();
    let nat = nat_map(ka, kb, pairing);
    if !common {
        findings.push(
            FindingBuilder {
                kind: "compare_no_common",
                severity: Severity::Warning,
                verdict: "These captures have no packets in common".into(),
                explanation: format!(
                    "None of the {} packets of capture A was found in capture B ({} packets): \
                     they were not taken on the same traffic, or not at the same time. Nothing \
                     is reported as lost or injected.",
                    ka.keys.len(),
                    kb.keys.len()
                ),
                a: Vec::new(),
                b: Vec::new(),
                details: Details::new(),
            }
            .finish(),
        );
    } else {
        let names = [name_ab, name_ba];
        let points = [(role_a, "A", role_b, "B"), (role_b, "B", role_a, "A")];
        for d in 0..2 {
            let stats = if d == 0 {
                &directions.a_to_b
            } else {
                &directions.b_to_a
            };
            let (up_role, up_file, down_role, down_file) = points[d];
            if !lost[d].is_empty() {
                let frames: Vec<u32> = lost[d].iter().map(|x| x.1).collect();
                let (fa, fb) = if up_file == "A" {
                    (frames, Vec::new())
                } else {
                    (Vec::new(), frames)
                };
                findings.push(
                    FindingBuilder {
                        kind: "compare_lost",
                        severity: Severity::Warning,
                        verdict: format!(
                            "{}: {} of {} were lost between the two points",
                            names[d],
                            thousands(lost[d].len() as u64),
                            if stats.sent == 1 {
                                "1 packet".to_string()
                            } else {
                                format!("{} packets", thousands(stats.sent))
                            }
                        ),
                        explanation: format!(
                            "These packets were captured at the {up_role} side (capture \
                             {up_file}) and never reached the {down_role} side (capture \
                             {down_file}) while it was capturing ({} of the direction's traffic). \
                             Something between the two points drops packets: a congested or \
                             faulty link, a firewall or a shaper.",
                            percent(lost[d].len() as u64, stats.sent)
                        ),
                        a: fa,
                        b: fb,
                        details: Details::new()
                            .with("direction", names[d])
                            .with("lost", lost[d].len())
                            .with("sent", stats.sent),
                    }
                    .finish(),
                );
            }
            if !injected[d].is_empty() {
                let frames: Vec<u32> = injected[d].iter().map(|x| x.1).collect();
                let down_keys = if down_file == "A" { ka } else { kb };
                let mut kinds: HashMap<String, u64> = HashMap::default();
                for &i in &frames {
                    let k = &down_keys.keys[i as usize];
                    let proto = down_keys.flows[k.flow as usize].proto;
                    *kinds.entry(packet_kind(proto, k.tcp_flags)).or_default() += 1;
                }
                let mut kinds: Vec<(String, u64)> = kinds.into_iter().collect();
                kinds.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
                let what: Vec<String> = kinds
                    .iter()
                    .map(|(k, n)| {
                        if *n == 1 {
                            format!("1 {k}")
                        } else {
                            format!("{n} {k}s")
                        }
                    })
                    .collect();
                let (fa, fb) = if down_file == "A" {
                    (frames, Vec::new())
                } else {
                    (Vec::new(), frames)
                };
                findings.push(
                    FindingBuilder {
                        kind: "compare_injected",
                        severity: Severity::Warning,
                        verdict: format!(
                            "{}: {} reached the {down_role} side without passing the {up_role} \
                             side ({}): injected between the points",
                            names[d],
                            count(injected[d].len() as u64, "packet", "packets"),
                            join_and(&what)
                        ),
                        explanation: format!(
                            "Capture {down_file} holds these packets and capture {up_file}, taken \
                             upstream at the same time, does not: a device between the points \
                             forged them (a reset or a redirect from a firewall or an IPS is the \
                             usual case), or capture {up_file} dropped them."
                        ),
                        a: fa,
                        b: fb,
                        details: Details::new()
                            .with("direction", names[d])
                            .with("injected", injected[d].len()),
                    }
                    .finish(),
                );
            }
        }
        let total_dup = duplicated[0].len() + duplicated[1].len();
        if total_dup > 0 {
            let frames_of = |file: bool| -> Vec<u32> {
                duplicated
                    .iter()
                    .flatten()
                    .filter(|x| x.0 == file)
                    .map(|x| x.1)
                    .collect()
            };
            findings.push(
                FindingBuilder {
                    kind: "compare_duplicated",
                    severity: Severity::Note,
                    verdict: format!(
                        "{} arrived twice although sent once: duplicated between the points",
                        count(total_dup as u64, "packet", "packets")
                    ),
                    explanation: "The downstream capture holds an extra identical copy of a \
                        packet the upstream capture saw once: a link-layer retransmission, a \
                        mirrored or looping path, or a duplicate made by the capture itself."
                        .into(),
                    a: frames_of(false),
                    b: frames_of(true),
                    details: Details::new()
                        .with("a_to_b", duplicated[0].len())
                        .with("b_to_a", duplicated[1].len()),
                }
                .finish(),
            );
        }
        findings.extend(modified_findings(
            &modified,
            &modified_pairs,
            ka,
            kb,
            pairing,
        ));
        if !seq_rewritten.is_empty() {
            let deltas: Vec<String> = seq_rewritten
                .iter()
                .take(3)
                .map(|(_, s)| format!("{} by {}", s.flow, s.delta))
                .collect();
            findings.push(
                FindingBuilder {
                    kind: "compare_seq_rewritten",
                    severity: Severity::Note,
                    verdict: format!(
                        "TCP sequence numbers are rewritten between the points in {} ({})",
                        count(
                            seq_rewritten.len() as u64,
                            "flow direction",
                            "flow directions"
                        ),
                        join_and(&deltas)
                    ),
                    explanation: "The same segments carry other sequence numbers at the two \
                        points, shifted by a constant per connection: a firewall randomises the \
                        ISN (Cisco ASA's default, pf's modulate state). It breaks SACK and TCP \
                        timestamps checks on some paths."
                        .into(),
                    a: seq_rewritten.iter().map(|(f, _)| *f).collect(),
                    b: Vec::new(),
                    details: Details::new().with("flows", seq_rewritten.len()),
                }
                .finish(),
            );
        }
        findings.push(clock_finding(&clock));
        if !nat.is_empty() {
            let shown: Vec<String> = nat
                .iter()
                .take(3)
                .map(|n| format!("{} {} ↔ {}", n.proto, n.a, n.b))
                .collect();
            findings.push(
                FindingBuilder {
                    kind: "compare_nat",
                    severity: Severity::Note,
                    verdict: format!(
                        "A NAT between the points rewrites {} ({})",
                        count(nat.len() as u64, "endpoint", "endpoints"),
                        join_and(&shown)
                    ),
                    explanation: "Flows were paired by their content, not their addresses; \
                        the map lists each address and port as each capture saw it."
                        .into(),
                    a: Vec::new(),
                    b: Vec::new(),
                    details: Details::new().with("bindings", nat.len()),
                }
                .finish(),
            );
        }
        for (d, p) in [(0, delay.a_to_b), (1, delay.b_to_a)] {
            if let Some(p) = p {
                findings.push(
                    FindingBuilder {
                        kind: "compare_delay",
                        severity: Severity::Note,
                        verdict: format!(
                            "{}: one-way delay between the points {:.3} ms median, {:.3} ms at \
                             the 99th percentile",
                            names[d], p.p50_ms, p.p99_ms
                        ),
                        explanation: format!(
                            "Measured on {} matched packets after the clock correction; the \
                             variation is exact, the absolute values are known to within ±{}.",
                            p.count,
                            clock.uncertainty_s.map_or(
                                "an unknown amount (packets seen one way only)".into(),
                                |u| { format!("{:.3} ms", u * 1e3) }
                            )
                        ),
                        a: Vec::new(),
                        b: Vec::new(),
                        details: Details::new()
                            .with("p50_ms", p.p50_ms)
                            .with("p99_ms", p.p99_ms),
                    }
                    .finish(),
                );
            }
        }
    }
    Comparison {
        clock,
        nat,
        matched: matching.matched.len() as u64,
        lost: if common { lost_list } else { Vec::new() },
        injected: if common { injected_list } else { Vec::new() },
        duplicated: if common { duplicated_list } else { Vec::new() },
        modified,
        modified_total,
        delay,
        findings,
        common,
        directions,
        flows_paired: pairing.pairs.len() as u64,
        folded: PerSide {
            a: matching.folded_a,
            b: matching.folded_b,
        },
        one_side_only,
        outside_window,
        seq_rewritten: seq_rewritten.into_iter().map(|(_, s)| s).collect(),
        flows: rows,
        pairs: frame_pairs,
    }
}

fn clock_finding(clock: &ClockModel) -> CompareFinding {
    let offset = clock.offset_s;
    let whole = offset.round();
    let mut hints = Vec::new();
    if whole.abs() >= 1.0 && (offset - whole).abs() < 0.01 {
        if whole.abs() == 37.0 {
            hints.push(
                "it is 37 s, the TAI−UTC difference: one capture took hardware (TAI) timestamps"
                    .to_string(),
            );
        } else if whole.abs() >= 1800.0 && (whole.abs() % 1800.0) == 0.0 {
            hints.push("it is a whole number of half hours: a time-zone mistake".to_string());
        } else {
            hints.push("it is close to a whole number of seconds: likely a clock-source mismatch rather than drift".to_string());
        }
    }
    let bound = clock.uncertainty_s.map_or(
        "unbounded (packets seen one way only: the offset includes the smallest one-way delay)"
            .to_string(),
        |u| format!("±{:.3} ms", u * 1e3),
    );
    let mut explanation = format!(
        "Fitted from packets seen once at each point: capture B's clock reads {offset:+.6} s \
         against A's at A's first frame and runs {:+.1} ppm faster; offset uncertainty {bound}.",
        clock.drift_ppm
    );
    if clock.inconsistent {
        explanation.push_str(
            " The two directions' delays overlap: no single line separates them (a clock step \
             during the capture, or packets matched wrongly).",
        );
    }
    if !hints.is_empty() {
        explanation.push_str(&format!(" The offset is suspicious: {}.", hints.join("; ")));
    }
    FindingBuilder {
        kind: "compare_clock",
        severity: Severity::Note,
        verdict: format!(
            "Capture B's clock is {:.6} s {} capture A's (drift {:+.1} ppm)",
            offset.abs(),
            if offset >= 0.0 { "ahead of" } else { "behind" },
            clock.drift_ppm
        ),
        explanation,
        a: Vec::new(),
        b: Vec::new(),
        details: Details::new()
            .with("offset_s", offset)
            .with("drift_ppm", clock.drift_ppm)
            .with("uncertainty_s", clock.uncertainty_s),
    }
    .finish()
}

/// One finding per kind of change (the set of changed field names).
fn modified_findings(
    modified: &[Modified],
    pairs: &[(usize, u32, u32, u8, u32)],
    ka: &SideKeys,
    kb: &SideKeys,
    pairing: &Pairing,
) -> Vec<CompareFinding> {
    let mut groups: Vec<(Vec<String>, Vec<usize>)> = Vec::new();
    for (n, &(m, ..)) in pairs.iter().enumerate() {
        let mut fields: Vec<String> = modified[m]
            .changes
            .iter()
            .map(|c| c.field.clone())
            .collect();
        fields.sort();
        fields.dedup();
        match groups.iter_mut().find(|(f, _)| *f == fields) {
            Some((_, members)) => members.push(n),
            None => groups.push((fields, vec![n])),
        }
    }
    let mut out = Vec::new();
    for (fields, members) in groups {
        let (m, fa, fb, dir, pair) = pairs[members[0]];
        let a_first = pairing.pairs[pair as usize].a_first[usize::from(dir)];
        let flow = &ka.flows[pairing.pairs[pair as usize].a as usize];
        // Sender and receiver roles: A's side role for the direction's upstream point.
        let (sender, receiver) = if dir == 0 {
            ("client", "server")
        } else {
            ("server", "client")
        };
        let change = |name: &str| modified[m].changes.iter().find(|c| c.field == name);
        let updown = |c: &Change| {
            if a_first {
                (c.a.clone(), c.b.clone())
            } else {
                (c.b.clone(), c.a.clone())
            }
        };
        let ka_key = &ka.keys[fa as usize];
        let kb_key = &kb.keys[fb as usize];
        let kind = packet_kind(flow.proto, ka_key.tcp_flags);
        let port = flow.ends[usize::from(1 - dir.min(1))].1;
        let n = members.len();
        let verdict = if fields.iter().any(|f| f == "tcp.len" || f == "udp.length") {
            let (up_len, down_len) = if a_first {
                (ka_key.payload_len, kb_key.payload_len)
            } else {
                (kb_key.payload_len, ka_key.payload_len)
            };
            let delta = i64::from(down_len) - i64::from(up_len);
            let how = if delta >= 0 {
                format!("{} added", count(delta as u64, "byte", "bytes"))
            } else {
                format!("{} removed", count(delta.unsigned_abs(), "byte", "bytes"))
            };
            let lead = if n > 1 {
                format!("{n} packets changed size between the points; e.g. ")
            } else {
                String::new()
            };
            let reached = if down_len == 0 {
                "no payload".to_string()
            } else {
                count(u64::from(down_len), "byte", "bytes")
            };
            format!(
                "{lead}the {sender}'s {kind} to port {port} left the {sender} with {} and \
                 reached the {receiver} with {reached} ({how}): something between the points \
                 modifies packets",
                bytes_text(u64::from(up_len))
            )
        } else if let Some(c) = change("tcp.options.mss_val") {
            let (u, d) = updown(c);
            format!(
                "MSS clamped between the points: the {sender}'s {kind} left with MSS {} and \
                 arrived with {} ({})",
                u.unwrap_or_else(|| "none".into()),
                d.unwrap_or_else(|| "none".into()),
                count(n as u64, "packet", "packets")
            )
        } else {
            let shown: Vec<String> = modified[m]
                .changes
                .iter()
                .take(4)
                .map(|c| {
                    let (u, d) = updown(c);
                    format!(
                        "{} {} → {}",
                        c.field,
                        u.unwrap_or_else(|| "absent".into()),
                        d.unwrap_or_else(|| "absent".into())
                    )
                })
                .collect();
            format!(
                "{} modified between the two points ({})",
                count(n as u64, "packet was", "packets were"),
                join_and(&shown)
            )
        };
        let frames_a: Vec<u32> = members.iter().map(|&k| pairs[k].1).collect();
        let frames_b: Vec<u32> = members.iter().map(|&k| pairs[k].2).collect();
        out.push(
            FindingBuilder {
                kind: "compare_modified",
                severity: Severity::Warning,
                verdict,
                explanation: format!(
                    "The same packet, matched at both points, differs in {} beyond what a router \
                     or NAT rewrites (addresses, ports, TTL, checksums). Upstream values are \
                     what the sender sent; downstream values are what arrived.",
                    join_and(&fields)
                ),
                a: frames_a,
                b: frames_b,
                details: Details::new()
                    .with("packets", n)
                    .with("fields", fields.clone()),
            }
            .finish(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_the_findings() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1204), "1,204");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(tcp_kind(0x12), "SYN-ACK");
        assert_eq!(tcp_kind(0x14), "RST");
        assert_eq!(bytes_text(0), "no payload");
        assert_eq!(bytes_text(2), "2 bytes of payload");
        let mut v = vec![3_000_000, 1_000_000, 2_000_000];
        let p = percentiles(&mut v).unwrap();
        assert_eq!((p.p50_ms, p.min_ms, p.max_ms), (2.0, 1.0, 3.0));
        assert!(percentiles(&mut []).is_none());
    }
}
