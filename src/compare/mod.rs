//! Comparison of two captures of the same traffic taken at two points (say the client side and
//! the server side), maybe through NAT, with unsynchronised clocks: per direction, which packets
//! were lost between the points, which were injected (seen downstream only), which were modified
//! in transit (a field-level diff by Wireshark field name, expected rewrites kept apart), the
//! one-way delay, the NAT map and the clock model. Each side is an [`Analyzer`] (one or several
//! chained files merged into one timeline) plus a source of its frames' bytes.
//!
//! The pipeline, one module per step: [`keys`] (a small NAT-invariant key per frame), [`pairing`]
//! (anchors, flow pairs and the NAT map), [`clock`] (offset and drift from the anchors, a two-way
//! hull fit with an error bound), [`steps`] (jumps of B's clock inside its capture), [`matcher`] (the windowed match: exact, folded byte ranges,
//! fuzzy), [`diff`] (the field-level diff of a modified pair), [`report`] (the numbers and the
//! JSON shape the CLI prints) and `verdicts` (the sentences in the findings style). Everything is linear after a few sorts
//! of fixed-size entries, so two million-packet captures compare in well under two seconds.

pub mod clock;
pub mod diff;
pub mod keys;
pub mod matcher;
pub mod pairing;
pub mod report;
pub mod steps;
mod verdicts;

use crate::analyzer::{Analyzer, FrameLocation};
use crate::filter::FrameBytes;
pub use report::Comparison;

/// One side of the comparison: its analysis and its frames' bytes.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub analyzer: &'a Analyzer,
    pub bytes: &'a dyn FrameBytes,
}

impl Side<'_> {
    /// The captured bytes, link type and wire length of frame index `i`.
    pub(crate) fn frame(&self, i: usize) -> Option<(u32, std::borrow::Cow<'_, [u8]>, u32)> {
        let index = self.analyzer.index();
        let record = index.records.get(i)?;
        let location = FrameLocation {
            file: usize::from(index.file_of(&record)),
            offset: record.offset,
            caplen: record.caplen,
        };
        let bytes = self.bytes.frame_bytes(i, &location)?;
        Some((index.link_type_of(&record), bytes, record.orig_len))
    }
}

/// Tunables of the comparison.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The longest transit between the points that still counts as the same packet (seconds).
    pub max_delay_s: f64,
    /// At most this many modified pairs get a field-level diff (the rest are counted).
    pub max_diffs: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_delay_s: 5.0,
            max_diffs: 20_000,
        }
    }
}

/// Compares side A with side B.
pub fn compare(a: Side<'_>, b: Side<'_>) -> Comparison {
    compare_with(a, b, &Options::default())
}

/// [`compare`] with tuned options.
pub fn compare_with(a: Side<'_>, b: Side<'_>, options: &Options) -> Comparison {
    let ka = keys::build(a.analyzer, a.bytes);
    let kb = keys::build(b.analyzer, b.bytes);
    let anchors = pairing::anchors(&ka, &kb);
    let mut pairs = pairing::pair_flows(&ka, &kb, &anchors);
    let origin = ka.span.map_or(0, |s| s.0);
    let mut anchor_points = clock_points(&ka, &kb, &pairs, origin, &mut anchors.iter().copied());
    let b_ns = |f: usize| kb.keys.get(f).map(|k| k.ts_ns);
    let mut steps = steps::detect(&mut anchor_points, &b_ns, origin);
    if !steps.is_empty() {
        // A step can mislead which point a flow's direction passes first: ask again across it.
        let jumped = |ib: u32| clock::stepped_ns(&steps, ib as usize);
        pairing::infer_directions(&ka, &kb, &anchors, &mut pairs, &jumped);
        anchor_points = clock_points(&ka, &kb, &pairs, origin, &mut anchors.iter().copied());
        steps = steps::detect(&mut anchor_points, &b_ns, origin);
    }
    let first_clock = fit_across(&anchor_points, &steps, origin)
        .unwrap_or_else(|| clock::ClockModel::identity(origin));
    let late_ns = (options.max_delay_s.max(0.0) * 1e9) as i64;
    let early_ns = |c: &clock::ClockModel| {
        let bound = c.uncertainty_s.unwrap_or(0.0).min(options.max_delay_s);
        ((bound * 1e9) as i64).saturating_add(1_000_000)
    };
    let expected_ns = expected_delays(&ka, &kb, &pairs, &first_clock, &anchors);
    let window = matcher::Window {
        early_ns: early_ns(&first_clock),
        late_ns,
        expected_ns,
    };
    pairing::pair_leftovers(
        &ka,
        &kb,
        &mut pairs,
        &first_clock,
        late_ns.saturating_add(window.early_ns),
    );
    pairing::fill_seq_deltas(&ka, &kb, &mut pairs, &anchors);
    let matching = matcher::match_packets(&ka, &kb, &pairs, &first_clock, window);
    // Refit on every exact match (many more points than the anchors).
    let matched_points = clock_points(
        &ka,
        &kb,
        &pairs,
        origin,
        &mut matching
            .matched
            .iter()
            .filter(|m| !m.fuzzy)
            .map(|m| (m.a, m.b)),
    );
    let clock = fit_across(&matched_points, &steps, origin).unwrap_or(first_clock);
    report::build(report::Input {
        a,
        b,
        ka: &ka,
        kb: &kb,
        pairing: &pairs,
        matching: &matching,
        clock,
        options,
    })
}

/// Clock points of matched frame pairs (A index, B index) in paired flows, with B's frame and
/// which point the packet passed first.
fn clock_points(
    ka: &keys::SideKeys,
    kb: &keys::SideKeys,
    pairs: &pairing::Pairing,
    origin: i64,
    list: &mut dyn Iterator<Item = (u32, u32)>,
) -> Vec<steps::StepPoint> {
    let mut out = Vec::new();
    for (ia, ib) in list {
        let (Some(x), Some(y)) = (ka.keys.get(ia as usize), kb.keys.get(ib as usize)) else {
            continue;
        };
        let p = pairs.pair_of_a.get(x.flow as usize).copied();
        let Some(p) = p.filter(|&p| p != pairing::NO_PAIR) else {
            continue;
        };
        if pairs.pair_of_b.get(y.flow as usize) != Some(&p) {
            continue;
        }
        out.push(steps::StepPoint {
            b: ib,
            t: x.ts_ns.saturating_sub(origin) as f64 * 1e-9,
            d: y.ts_ns.saturating_sub(x.ts_ns) as f64 * 1e-9,
            a_first: pairs.pairs[p as usize].a_first[usize::from(x.dir)],
        });
    }
    out
}

/// The clock line fitted on `points` with B's jumps taken out, carrying those jumps.
fn fit_across(
    points: &[steps::StepPoint],
    jumps: &[clock::ClockStep],
    origin: i64,
) -> Option<clock::ClockModel> {
    let (mut up, mut down) = (Vec::new(), Vec::new());
    for p in points {
        let jumped = clock::stepped_ns(jumps, p.b as usize) as f64 * 1e-9;
        let point = clock::Point {
            t: p.t,
            d: p.d - jumped,
        };
        if p.a_first {
            up.push(point);
        } else {
            down.push(point);
        }
    }
    let mut model = clock::fit(&up, &down, origin)?;
    model.steps = jumps.to_vec();
    Some(model)
}

/// The median corrected transit of the anchors passing A first and of those passing B first.
fn expected_delays(
    ka: &keys::SideKeys,
    kb: &keys::SideKeys,
    pairs: &pairing::Pairing,
    clock: &clock::ClockModel,
    anchors: &[(u32, u32)],
) -> [i64; 2] {
    let mut delays: [Vec<i64>; 2] = [Vec::new(), Vec::new()];
    for &(ia, ib) in anchors {
        let (x, y) = (&ka.keys[ia as usize], &kb.keys[ib as usize]);
        let p = pairs.pair_of_a[x.flow as usize];
        if p == pairing::NO_PAIR || pairs.pair_of_b[y.flow as usize] != p {
            continue;
        }
        let tb = clock.b_frame_to_a_ns(ib as usize, y.ts_ns);
        if pairs.pairs[p as usize].a_first[usize::from(x.dir)] {
            delays[0].push(tb.saturating_sub(x.ts_ns));
        } else {
            delays[1].push(x.ts_ns.saturating_sub(tb));
        }
    }
    delays.map(|mut v| {
        if v.is_empty() {
            return 0;
        }
        let mid = v.len() / 2;
        *v.select_nth_unstable(mid).1
    })
}
