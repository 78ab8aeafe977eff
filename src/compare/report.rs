//! The comparison's numbers. [`build`] turns the match into the lists the CLI prints as JSON
//! (lost and injected frames with the file they were seen in, modified pairs with their
//! field-level changes, the delay percentiles per direction, the NAT map, the clock, every matched
//! pair) and hands them to [`super::verdicts`] for the sentences. Loss and injection count only inside the common time window: an
//! upstream packet is lost when it should have reached the other point while that point was
//! capturing, and a downstream packet is injected when it would have passed the upstream point
//! while that one was capturing. Captures with nothing in common say so instead of reporting 100%
//! loss.

use super::clock::ClockModel;
use super::diff::{self, Change};
use super::keys::SideKeys;
use super::matcher::{exact_key, MatchPair, Matching};
use super::pairing::{nat_map, NatEntry, Pairing, NO_PAIR};
use super::{verdicts, Options, Side};
use crate::findings::{Details, Severity};
use crate::index::flag;
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

/// One value per capture: for A and for B (frame counts unless said otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct PerSide<T = u64> {
    pub a: T,
    pub b: T,
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
        part: index.records.get(i).map_or(0, |r| index.file_of(&r)),
        part_no: index.number_in_file(i),
    }
}

/// `1,204`.
impl Input<'_> {
    /// Whether the packets of pair `pair`, A's direction `dir`, pass point A first.
    fn a_first(&self, pair: u32, dir: u8) -> bool {
        self.pairing.pairs[pair as usize].a_first[usize::from(dir)]
    }

    /// A matched pair's direction (0: passes A first) and corrected one-way delay.
    fn transit(&self, m: &MatchPair) -> (usize, i64) {
        let ta = self.ka.keys[m.a as usize].ts_ns;
        let tb = self
            .clock
            .b_frame_to_a_ns(m.b as usize, self.kb.keys[m.b as usize].ts_ns);
        if self.a_first(m.pair, m.dir) {
            (0, tb.saturating_sub(ta))
        } else {
            (1, ta.saturating_sub(tb))
        }
    }

    /// The flow pair and A's direction of frame `k` of side B (`is_b`) or A, when it is paired.
    fn place(&self, is_b: bool, k: &super::keys::PacketKey) -> Option<(u32, u8)> {
        let pair_of = if is_b {
            &self.pairing.pair_of_b
        } else {
            &self.pairing.pair_of_a
        };
        let p = pair_of.get(k.flow as usize).copied().unwrap_or(NO_PAIR);
        if p == NO_PAIR {
            return None;
        }
        let flip = is_b && self.pairing.pairs[p as usize].flip;
        Some((p, k.dir ^ u8::from(flip)))
    }

    /// The directions' names: [passing A first, passing B first].
    pub(crate) fn names(&self) -> [&'static str; 2] {
        if self.pairing.a_on_initiator_side {
            ["client→server", "server→client"]
        } else {
            ["server→client", "client→server"]
        }
    }

    /// The points' roles: [A's, B's].
    pub(crate) fn roles(&self) -> [&'static str; 2] {
        if self.pairing.a_on_initiator_side {
            ["client", "server"]
        } else {
            ["server", "client"]
        }
    }
}

impl PerSide {
    fn bump(&mut self, is_b: bool) {
        if is_b {
            self.b += 1;
        } else {
            self.a += 1;
        }
    }
}

/// Builds the comparison's report.
pub fn build(input: Input<'_>) -> Comparison {
    let c = &input;
    let (delay, hop) = delays_and_hops(c);
    let median_ns = |p: &Option<Percentiles>| p.map_or(0, |p| (p.p50_ms.max(0.0) * 1e6) as i64);
    let median = [median_ns(&delay.a_to_b), median_ns(&delay.b_to_a)];
    let names = c.names();
    let mut directions = Directions {
        a_to_b: DirectionStats {
            name: names[0].into(),
            hops: hop[0],
            ..DirectionStats::default()
        },
        b_to_a: DirectionStats {
            name: names[1].into(),
            hops: hop[1],
            ..DirectionStats::default()
        },
    };
    let common = !c.matching.matched.is_empty();
    let changed = changes(c, hop, &mut directions);
    let seq_rewritten = seq_rewrites(c.ka, c.pairing);
    let one = one_point_only(c, median, common);
    let rows = flow_rows(c, &one, &changed.listed);
    for (stats, d) in [(&mut directions.a_to_b, 0), (&mut directions.b_to_a, 1)] {
        stats.lost = one.lost[d].len() as u64;
        stats.injected = one.injected[d].len() as u64;
        stats.duplicated = one.duplicated[d].len() as u64;
        stats.sent = stats.matched + stats.lost;
    }
    directions.a_to_b.sent += c.matching.folded.a;
    let nat = nat_map(c.ka, c.kb, c.pairing);
    let findings = if common {
        verdicts::all(&verdicts::Facts {
            input: c,
            directions: &directions,
            one: &one,
            changed: &changed,
            seq_rewritten: &seq_rewritten,
            nat: &nat,
            delay: &delay,
        })
    } else {
        vec![verdicts::no_common(c.ka.keys.len(), c.kb.keys.len())]
    };
    let listed = |lists: &[Vec<(bool, u32)>; 2]| {
        if common {
            seen_list(c, lists)
        } else {
            Vec::new()
        }
    };
    Comparison {
        clock: c.clock.clone(),
        matched: c.matching.matched.len() as u64,
        lost: listed(&one.lost),
        injected: listed(&one.injected),
        duplicated: listed(&one.duplicated),
        nat,
        modified: changed.modified,
        modified_total: changed.modified_total,
        delay,
        findings,
        common,
        directions,
        flows_paired: c.pairing.pairs.len() as u64,
        folded: c.matching.folded,
        one_side_only: one.one_side_only,
        outside_window: one.outside_window,
        seq_rewritten: seq_rewritten.into_iter().map(|(_, s)| s).collect(),
        flows: rows,
        pairs: changed.pairs,
    }
}

/// The one-way delays of the exact matches and the usual TTL decrement, per direction.
fn delays_and_hops(c: &Input<'_>) -> (Delay, [Option<u8>; 2]) {
    let (ia, ib) = (c.a.analyzer.index(), c.b.analyzer.index());
    let mut delays: [Vec<i64>; 2] = [Vec::new(), Vec::new()];
    let mut hops = [[0u32; 256], [0u32; 256]];
    for m in &c.matching.matched {
        let (ra, rb) = (&ia.records.at(m.a as usize), &ib.records.at(m.b as usize));
        let (d, delay) = c.transit(m);
        if !m.fuzzy {
            delays[d].push(delay);
        }
        let hop = if d == 0 {
            ra.ttl.wrapping_sub(rb.ttl)
        } else {
            rb.ttl.wrapping_sub(ra.ttl)
        };
        hops[d][usize::from(hop)] += 1;
    }
    let hop_mode = |h: &[u32; 256]| {
        let (i, n) = h
            .iter()
            .enumerate()
            .max_by_key(|(i, &n)| (n, usize::MAX - i))?;
        (*n > 0).then_some(i as u8)
    };
    let delay = Delay {
        a_to_b: percentiles(&mut delays[0]),
        b_to_a: percentiles(&mut delays[1]),
    };
    (delay, [hop_mode(&hops[0]), hop_mode(&hops[1])])
}

/// The matched pairs and what changed in them.
pub(crate) struct Changed {
    pub(crate) modified: Vec<Modified>,
    pub(crate) modified_total: u64,
    /// Per diffed pair: (index in `modified`, A frame, B frame, A's direction, flow pair).
    pub(crate) listed: Vec<(usize, u32, u32, u8, u32)>,
    pub(crate) pairs: Vec<FramePair>,
}

/// Walks the matched pairs: counts them per direction, diffs those that changed (up to
/// `Options::max_diffs`) and lists every pair.
fn changes(c: &Input<'_>, hop: [Option<u8>; 2], directions: &mut Directions) -> Changed {
    let mut out = Changed {
        modified: Vec::new(),
        modified_total: 0,
        listed: Vec::new(),
        pairs: Vec::with_capacity(c.matching.matched.len()),
    };
    let mut budget = c.options.max_diffs;
    for m in &c.matching.matched {
        let a_first = c.a_first(m.pair, m.dir);
        let stats = if a_first {
            &mut directions.a_to_b
        } else {
            &mut directions.b_to_a
        };
        stats.matched += 1;
        let mut pair = FramePair {
            a_no: u64::from(m.a) + 1,
            b_no: u64::from(m.b) + 1,
            flow: m.pair,
            dir: m.dir,
            a_first,
            changed: false,
            modified: None,
        };
        if let Some(diffed) = pair_changes(c, m, hop, &mut budget) {
            out.modified_total += 1;
            stats.modified += 1;
            pair.changed = true;
            if let Some(changes) = diffed {
                pair.modified = u32::try_from(out.modified.len()).ok();
                out.listed
                    .push((out.modified.len(), m.a, m.b, m.dir, m.pair));
                out.modified.push(Modified {
                    a_no: pair.a_no,
                    b_no: pair.b_no,
                    changes,
                });
            }
        }
        out.pairs.push(pair);
    }
    out
}

/// What changed in one matched pair: `None` nothing, `Some(None)` something but the diff budget
/// is spent, `Some(Some(changes))` the field-level diff.
fn pair_changes(
    c: &Input<'_>,
    m: &MatchPair,
    hop: [Option<u8>; 2],
    budget: &mut usize,
) -> Option<Option<Vec<Change>>> {
    let ra = &c.a.analyzer.index().records.at(m.a as usize);
    let rb = &c.b.analyzer.index().records.at(m.b as usize);
    let a_first = c.a_first(m.pair, m.dir);
    let mut changes = Vec::new();
    let (up_ttl, down_ttl) = if a_first {
        (ra.ttl, rb.ttl)
    } else {
        (rb.ttl, ra.ttl)
    };
    if hop[usize::from(!a_first)].is_some_and(|h| up_ttl.wrapping_sub(down_ttl) != h) {
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
        c.ka.keys[m.a as usize].fingerprint != c.kb.keys[m.b as usize].fingerprint;
    let mut diffed = false;
    if m.fuzzy || fingerprint_differs {
        if *budget == 0 {
            return Some(None);
        }
        *budget -= 1;
        if let (Some(fa), Some(fb)) = (c.a.frame(m.a as usize), c.b.frame(m.b as usize)) {
            changes.extend(diff::diff((fa.0, &fa.1, fa.2), (fb.0, &fb.1, fb.2)));
        }
        diffed = true;
    }
    if changes.is_empty() && !(diffed && m.fuzzy) {
        return None;
    }
    Some(Some(changes))
}

/// TCP flow directions whose sequence numbers differ by a constant between the points, with the
/// flow's first frame in A, in A's order.
fn seq_rewrites(ka: &SideKeys, pairing: &Pairing) -> Vec<(u32, SeqRewrite)> {
    let mut out = Vec::new();
    for pair in &pairing.pairs {
        let flow = &ka.flows[pair.a as usize];
        if flow.proto != 6 {
            continue;
        }
        for dir in 0..2u8 {
            let delta = pair.seq_delta[usize::from(dir)];
            if delta != 0 && flow.packets[usize::from(dir)] > 0 {
                out.push((
                    flow.first_frame,
                    SeqRewrite {
                        flow: flow.describe(dir),
                        delta: delta as i32,
                    },
                ));
            }
        }
    }
    crate::sort::sort_by_key(&mut out, |(frame, _)| *frame);
    out
}

/// Frames of paired flows seen at one point only, per direction (0: passes A first), each as
/// (seen in B, 0-based index).
#[derive(Default)]
pub(crate) struct OnePoint {
    pub(crate) lost: [Vec<(bool, u32)>; 2],
    pub(crate) injected: [Vec<(bool, u32)>; 2],
    pub(crate) duplicated: [Vec<(bool, u32)>; 2],
    one_side_only: PerSide,
    outside_window: PerSide,
}

/// The exact keys of the downstream copies that arrived (per pair and direction): a second copy
/// of one of them is a duplicate, not an injection.
fn arrived(c: &Input<'_>) -> crate::hash::HashSet<u64> {
    let (ka, kb, pairing) = (c.ka, c.kb, c.pairing);
    c.matching
        .matched
        .iter()
        .filter(|m| !m.fuzzy)
        .map(|m| {
            if c.a_first(m.pair, m.dir) {
                exact_key(ka, kb, pairing, true, m.b as usize, m.pair, m.dir)
            } else {
                exact_key(ka, kb, pairing, false, m.a as usize, m.pair, m.dir)
            }
        })
        .collect()
}

/// Sorts the frames no match explained: flows the other side never saw, outside the other
/// capture's window, lost (upstream), duplicated or injected (downstream).
fn one_point_only(c: &Input<'_>, median: [i64; 2], common: bool) -> OnePoint {
    let b_to_a = |t: i64| c.clock.b_to_a_ns(t);
    let span_b = c.kb.span.map(|(f, l)| (b_to_a(f), b_to_a(l)));
    let inside = |span: Option<(i64, i64)>, t: i64| span.is_some_and(|(f, l)| t >= f && t <= l);
    let arrived = arrived(c);
    let mut out = OnePoint::default();
    let sides = [
        (false, c.ka, &c.matching.done.a),
        (true, c.kb, &c.matching.done.b),
    ];
    for (is_b, side, done) in sides {
        for (i, k) in side.keys.iter().enumerate() {
            if done[i] || k.flow == super::keys::NO_FLOW {
                continue;
            }
            let Some((p, dir)) = c.place(is_b, k) else {
                out.one_side_only.bump(is_b);
                continue;
            };
            let a_up = c.a_first(p, dir);
            let d = usize::from(!a_up);
            let (t, other) = if is_b {
                (c.clock.b_frame_to_a_ns(i, k.ts_ns), c.ka.span)
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
                out.outside_window.bump(is_b);
            } else if upstream {
                out.lost[d].push((is_b, i as u32));
            } else if arrived.contains(&exact_key(c.ka, c.kb, c.pairing, is_b, i, p, dir)) {
                out.duplicated[d].push((is_b, i as u32));
            } else {
                out.injected[d].push((is_b, i as u32));
            }
        }
    }
    out
}

/// The per-flow table: one row per flow pair with its counts and median delay per direction.
fn flow_rows(c: &Input<'_>, one: &OnePoint, listed: &[(usize, u32, u32, u8, u32)]) -> Vec<FlowRow> {
    let (ka, kb) = (c.ka, c.kb);
    let mut rows: Vec<FlowRow> = c
        .pairing
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
    for m in &c.matching.matched {
        let (d, delay) = c.transit(m);
        rows[m.pair as usize].matched[d] += 1;
        if !m.fuzzy {
            flow_delays[m.pair as usize][d].push(delay);
        }
    }
    for (row, delays) in rows.iter_mut().zip(flow_delays.iter_mut()) {
        for (slot, delays) in row.delay_p50_ms.iter_mut().zip(delays.iter_mut()) {
            *slot = percentiles(delays).map(|p| p.p50_ms);
        }
    }
    let pair_of_frame = |is_b: bool, i: u32| -> Option<usize> {
        let side = if is_b { kb } else { ka };
        Some(c.place(is_b, side.keys.get(i as usize)?)?.0 as usize)
    };
    for d in 0..2 {
        for &(is_b, i) in &one.lost[d] {
            if let Some(p) = pair_of_frame(is_b, i) {
                rows[p].lost[d] += 1;
            }
        }
        for &(is_b, i) in &one.injected[d] {
            if let Some(p) = pair_of_frame(is_b, i) {
                rows[p].injected[d] += 1;
            }
        }
    }
    for &(_, _, _, dir, pair) in listed {
        let d = usize::from(!c.a_first(pair, dir));
        rows[pair as usize].modified[d] += 1;
    }
    rows
}

/// Both directions' frames as [`Seen`] entries, in file then frame order.
fn seen_list(c: &Input<'_>, lists: &[Vec<(bool, u32)>; 2]) -> Vec<Seen> {
    let mut out: Vec<Seen> = lists
        .iter()
        .flatten()
        .map(|&(is_b, i)| {
            if is_b {
                seen(c.kb, c.b.analyzer, "b", i as usize)
            } else {
                seen(c.ka, c.a.analyzer, "a", i as usize)
            }
        })
        .collect();
    crate::sort::sort_by_key(&mut out, |s| (s.file, s.no));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_ranks() {
        let mut v = vec![3_000_000, 1_000_000, 2_000_000];
        let p = percentiles(&mut v).unwrap();
        assert_eq!((p.p50_ms, p.min_ms, p.max_ms), (2.0, 1.0, 3.0));
        assert!(percentiles(&mut []).is_none());
    }
}
