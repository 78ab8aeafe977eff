//! Clock steps: B's clock jumping inside its capture (an NTP step, a manual reset), found from the
//! anchors in B's frame order (Paxson's and Zhang's "adjustments"). A jump shows as every
//! anchor's `d = t_b − t_a` moving by the same amount at once, far more than the delays vary. The
//! anchors are cut into blocks; a block's level is the mid-line between the floor of the packets
//! that passed A first and the ceiling of those that passed B first (the clock line without
//! the delays), or the one floor there is. Where the levels two blocks apart differ by more than
//! the usual block-to-block change (and than the round trip between the points), the anchors of
//! those blocks are split where they go from near the old level to near the new one; the pieces
//! are searched again (binary segmentation, a few steps at most). The jump is measured per
//! direction from the anchors nearest the step (see [`measure`]); the B frame of the jump is the biggest gap in B's times between the two anchors around
//! it (backwards for a backward jump).

use super::clock::ClockStep;

/// One anchor: B frame (0-based), A time since A's first frame, `d = t_b − t_a` (s), and
/// whether the packet passed A first.
#[derive(Debug, Clone, Copy)]
pub struct StepPoint {
    pub b: u32,
    pub t: f64,
    pub d: f64,
    pub a_first: bool,
}

/// Smallest jump reported (seconds).
const MIN_STEP_S: f64 = 0.005;
/// Fewest anchors in a block.
const MIN_BLOCK: usize = 8;
/// Most steps looked for.
const MAX_STEPS: usize = 8;

/// The steps of B's clock, in B's order. `b_ns(frame)` is B frame `frame`'s timestamp (ns);
/// `origin_ns` is A's first frame.
pub fn detect(
    points: &mut Vec<StepPoint>,
    b_ns: &dyn Fn(usize) -> Option<i64>,
    origin_ns: i64,
) -> Vec<ClockStep> {
    points.retain(|p| p.t.is_finite() && p.d.is_finite());
    points.sort_by_key(|p| p.b);
    let mut splits = Vec::new();
    segment(points, 0, &mut splits);
    splits.sort_unstable();
    let mut out = Vec::new();
    for (n, &s) in splits.iter().enumerate() {
        let lo = if n == 0 { 0 } else { splits[n - 1] };
        let hi = splits.get(n + 1).copied().unwrap_or(points.len());
        if let Some(step) = measure(&points[lo..s], &points[s..hi], b_ns, origin_ns) {
            out.push(step);
        }
    }
    out
}

/// Binary segmentation: the best split of `points`, then of each piece.
fn segment(points: &[StepPoint], offset: usize, splits: &mut Vec<usize>) {
    if splits.len() >= MAX_STEPS {
        return;
    }
    let Some(s) = find_split(points) else {
        return;
    };
    splits.push(offset + s);
    segment(&points[..s], offset, splits);
    segment(&points[s..], offset + s, splits);
}

/// A block's level (the clock line's `d` without the delays) and its spread (the smallest round
/// trip between the points, 0 with one direction).
fn level(points: &[StepPoint]) -> Option<(f64, f64)> {
    let floor = points
        .iter()
        .filter(|p| p.a_first)
        .map(|p| p.d)
        .fold(f64::INFINITY, f64::min);
    let ceiling = points
        .iter()
        .filter(|p| !p.a_first)
        .map(|p| p.d)
        .fold(f64::NEG_INFINITY, f64::max);
    match (floor.is_finite(), ceiling.is_finite()) {
        (true, true) => Some(((floor + ceiling) / 2.0, (floor - ceiling).max(0.0))),
        (true, false) => Some((floor, 0.0)),
        (false, true) => Some((ceiling, 0.0)),
        (false, false) => None,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mid = v.len() / 2;
    *v.select_nth_unstable_by(mid, f64::total_cmp).1
}

/// Where in `points` (B order) the clock jumps, if it does.
fn find_split(points: &[StepPoint]) -> Option<usize> {
    let n = points.len();
    if n < 4 * MIN_BLOCK {
        return None;
    }
    let size = (n / 64).clamp(MIN_BLOCK, 4096);
    // (block number, level, spread)
    let levels: Vec<(usize, f64, f64)> = points
        .chunks(size)
        .enumerate()
        .filter_map(|(k, c)| level(c).map(|(l, s)| (k, l, s)))
        .collect();
    if levels.len() < 3 {
        return None;
    }
    let usual = median(levels.windows(2).map(|w| (w[1].1 - w[0].1).abs()).collect());
    let rtt = median(levels.iter().map(|l| l.2).collect());
    let threshold = MIN_STEP_S.max(8.0 * usual).max(rtt);
    let (k, jump) = (1..levels.len() - 1)
        .map(|k| (k, (levels[k + 1].1 - levels[k - 1].1).abs()))
        .max_by(|x, y| x.1.total_cmp(&y.1))?;
    if jump <= threshold {
        return None;
    }
    let (before, after) = (levels[k - 1].1, levels[k + 1].1);
    let lo = levels[k - 1].0 * size;
    let hi = ((levels[k + 1].0 + 1) * size).min(n);
    let region = &points[lo..hi];
    let near_after: Vec<bool> = region
        .iter()
        .map(|p| (p.d - after).abs() < (p.d - before).abs())
        .collect();
    // The cut leaving the fewest anchors on the wrong side of it.
    let total_before = near_after.iter().filter(|x| !**x).count();
    let (mut best, mut best_cost) = (0, usize::MAX);
    let (mut left_after, mut left_before) = (0, 0);
    for s in 0..=region.len() {
        let cost = left_after + (total_before - left_before);
        if cost < best_cost {
            (best, best_cost) = (s, cost);
        }
        if let Some(&a) = near_after.get(s) {
            if a {
                left_after += 1;
            } else {
                left_before += 1;
            }
        }
    }
    let split = lo + best;
    (split > 0 && split < n).then_some(split)
}

/// Anchors on each side of a step whose levels are compared.
const WINDOW: usize = 32;
/// Clock rate error allowed for between the two windows (ppm of the time between them).
const SKEW_ALLOWANCE: f64 = 100e-6;

/// Median of one direction's `d` in `points` with their mean time, and half their interquartile
/// range.
fn side_level(points: &[StepPoint], a_first: bool) -> Option<(f64, f64, f64)> {
    let mut d: Vec<f64> = points
        .iter()
        .filter(|p| p.a_first == a_first)
        .map(|p| p.d)
        .collect();
    if d.is_empty() {
        return None;
    }
    let t = points
        .iter()
        .filter(|p| p.a_first == a_first)
        .map(|p| p.t)
        .sum::<f64>()
        / d.len() as f64;
    d.sort_by(f64::total_cmp);
    let q = |f: f64| d[((d.len() - 1) as f64 * f).round() as usize];
    Some((q(0.5), t, (q(0.75) - q(0.25)) / 2.0))
}

/// The jump between two pieces: per direction, the median `d` of the anchors just after the
/// step minus that just before (medians: a stray anchor does not move them), averaged over the
/// directions; its bound is half the directions' disagreement, plus their spread and a clock
/// rate error of up to 100 ppm over the time between the windows. It is placed at the biggest
/// gap of B's times between the two anchors around it.
fn measure(
    before: &[StepPoint],
    after: &[StepPoint],
    b_ns: &dyn Fn(usize) -> Option<i64>,
    origin_ns: i64,
) -> Option<ClockStep> {
    let (last, first) = (before.last()?, after.first()?);
    let near_before = &before[before.len().saturating_sub(WINDOW)..];
    let near_after = &after[..after.len().min(WINDOW)];
    let mut jumps = Vec::new();
    for a_first in [true, false] {
        if let (Some(x), Some(y)) = (
            side_level(near_before, a_first),
            side_level(near_after, a_first),
        ) {
            let slack = x.2 + y.2 + SKEW_ALLOWANCE * (y.1 - x.1).abs();
            jumps.push((y.0 - x.0, slack, y.0));
        }
    }
    let by_s = jumps.iter().map(|j| j.0).sum::<f64>() / jumps.len().max(1) as f64;
    let disagreement = match jumps.as_slice() {
        [x, y] => (x.0 - y.0).abs() / 2.0,
        _ => 0.0,
    };
    let slack = jumps.iter().map(|j| j.1).fold(0.0, f64::max);
    let level_after = jumps.iter().map(|j| j.2).sum::<f64>() / jumps.len().max(1) as f64;
    if jumps.is_empty() {
        return None;
    }
    let sign = if by_s >= 0.0 { 1 } else { -1 };
    let mut frame = first.b as usize;
    let mut widest = i64::MIN;
    for f in (last.b as usize + 1)..=(first.b as usize) {
        let (Some(t0), Some(t1)) = (b_ns(f - 1), b_ns(f)) else {
            continue;
        };
        let gap = sign * t1.saturating_sub(t0);
        if gap > widest {
            (widest, frame) = (gap, f);
        }
    }
    let b_at = b_ns(frame)?;
    // On A's clock: B's time less the level after the step.
    let at_s = b_at.saturating_sub(origin_ns) as f64 * 1e-9 - level_after;
    Some(ClockStep {
        b_no: frame as u64 + 1,
        at_s,
        by_s,
        uncertainty_s: Some(disagreement + slack),
        b_frame: frame as u32,
        b_ns: b_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(step_at: u32, by: f64) -> Vec<StepPoint> {
        (0..600u32)
            .map(|i| {
                let t = f64::from(i) * 0.01;
                let a_first = i % 3 != 0;
                let jitter = f64::from((i * 7919) % 13) * 1e-5;
                let owd = 0.002 + jitter;
                let jump = if i * 2 >= step_at { by } else { 0.0 };
                StepPoint {
                    b: i * 2,
                    t,
                    d: 3.0 + jump + if a_first { owd } else { -owd },
                    a_first,
                }
            })
            .collect()
    }

    #[test]
    fn a_jump_is_found_measured_and_placed() {
        for by in [0.25, -0.25, 0.02] {
            let mut p = points(701, by);
            // B's times: 5 ms apart, the jump between frames 700 and 701.
            let b_ns = |f: usize| {
                let base = f as i64 * 5_000_000;
                Some(if f >= 701 {
                    base + (by * 1e9) as i64
                } else {
                    base
                })
            };
            let steps = detect(&mut p, &b_ns, 0);
            assert_eq!(steps.len(), 1, "{by}: {steps:?}");
            let s = steps[0];
            assert_eq!(s.b_no, 702, "{s:?}");
            let bound = s.uncertainty_s.unwrap();
            assert!((s.by_s - by).abs() <= bound + 1e-6, "{s:?}");
            assert!(bound < 0.005, "{s:?}");
        }
    }

    #[test]
    fn a_steady_clock_has_no_step() {
        let mut p = points(0, 0.0);
        assert!(detect(&mut p, &|f| Some(f as i64), 0).is_empty());
        assert!(detect(&mut Vec::new(), &|_| None, 0).is_empty());
    }
}
