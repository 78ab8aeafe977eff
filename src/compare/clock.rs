//! The clock model `t_b = (1 + drift) · t_a + offset` (times from side A's first frame), fitted
//! from matched packets, TICSync-style: for a packet that passed point A first, `d = t_b − t_a` is
//! the clock line plus a one-way delay, so the line runs *under* that cloud; for a packet that
//! passed B first it runs *over* it. The lower convex hull of the first cloud and the upper hull
//! of the second (monotone chain, linear after the time sort) bound every line that respects
//! causality; the slope that keeps them furthest apart is the drift, the mid-line between them the
//! offset, and half the gap a guaranteed bound on the offset error (half the smallest round trip
//! between the points; how that round trip splits between the two directions is unknowable). With
//! packets in one direction only, the Moon/Zhang estimate is used instead (the line under the cloud
//! that minimises the total distance to it): the offset then includes the smallest one-way delay
//! and has no bound. A clock that steps inside a capture (an NTP step) is modelled as the same
//! line plus jumps of B's clock at given B frames ([`ClockStep`], found by `super::steps`): B's
//! times are brought back across each jump before the line applies.

use serde::Serialize;

/// Largest drift searched, either way (10,000 ppm: far past any real clock).
const MAX_DRIFT: f64 = 0.01;
/// Slopes whose gap is this close to the best are equally good; the one nearest 0 wins.
const GAP_TOLERANCE_S: f64 = 1e-7;

/// One matched packet: `t` seconds after A's first frame (A's clock), `d = t_b − t_a` seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub t: f64,
    pub d: f64,
}

/// A jump of B's clock inside its capture.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClockStep {
    /// B's first frame (1-based) after the jump.
    pub b_no: u64,
    /// When: seconds after A's first frame, on A's clock.
    pub at_s: f64,
    /// How far B's clock jumped (positive: forward), seconds.
    pub by_s: f64,
    /// Bound on the error of `by_s` (the two pieces' offset bounds added); `None` with packets
    /// in one direction only.
    pub uncertainty_s: Option<f64>,
    /// `b_no − 1`, and that frame's timestamp on B's clock (ns).
    #[serde(skip)]
    pub b_frame: u32,
    #[serde(skip)]
    pub b_ns: i64,
}

impl ClockStep {
    fn by_ns(&self) -> i64 {
        (self.by_s * 1e9).round() as i64
    }
}

/// The total jump (ns) of `steps` that B frame `frame` comes after.
pub fn stepped_ns(steps: &[ClockStep], frame: usize) -> i64 {
    steps
        .iter()
        .filter(|s| s.b_frame as usize <= frame)
        .map(ClockStep::by_ns)
        .sum()
}

/// The fitted clock relation between the two sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClockModel {
    /// `t_b − t_a` at A's first frame, seconds.
    pub offset_s: f64,
    /// Relative rate error of B's clock against A's, in parts per million.
    pub drift_ppm: f64,
    /// Bound on the offset error (seconds); `None` with packets in one direction only.
    pub uncertainty_s: Option<f64>,
    /// A's first frame, ns since 1970 (the origin of `t`).
    #[serde(skip)]
    pub origin_ns: i64,
    /// The two clouds overlap: no line separates them (a clock step, or a mismatch).
    #[serde(skip)]
    pub inconsistent: bool,
    /// Jumps of B's clock, in B's frame order (not in the JSON when there are none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<ClockStep>,
}

impl ClockModel {
    /// The identity (no offset, no drift, unknown bound), for captures without matches.
    pub fn identity(origin_ns: i64) -> Self {
        ClockModel {
            offset_s: 0.0,
            drift_ppm: 0.0,
            uncertainty_s: None,
            origin_ns,
            inconsistent: false,
            steps: Vec::new(),
        }
    }

    fn drift(&self) -> f64 {
        self.drift_ppm * 1e-6
    }

    /// Side B's timestamp `t_b_ns` expressed on A's clock (ns since 1970). With clock steps the
    /// jumps are placed by B's time (after a backward jump, times B read twice are taken as
    /// after it): prefer [`Self::b_frame_to_a_ns`] when the frame is known.
    pub fn b_to_a_ns(&self, t_b_ns: i64) -> i64 {
        let jumped: i64 = self
            .steps
            .iter()
            .filter(|s| s.b_ns <= t_b_ns)
            .map(ClockStep::by_ns)
            .sum();
        self.line_b_to_a_ns(t_b_ns.saturating_sub(jumped))
    }

    /// B frame `frame`'s timestamp `t_b_ns` expressed on A's clock, across B's clock steps.
    pub fn b_frame_to_a_ns(&self, frame: usize, t_b_ns: i64) -> i64 {
        self.line_b_to_a_ns(t_b_ns.saturating_sub(stepped_ns(&self.steps, frame)))
    }

    fn line_b_to_a_ns(&self, t_b_ns: i64) -> i64 {
        let since = (t_b_ns.saturating_sub(self.origin_ns)) as f64 * 1e-9;
        let a = (since - self.offset_s) / (1.0 + self.drift());
        self.origin_ns.saturating_add((a * 1e9).round() as i64)
    }

    /// Side A's timestamp expressed on B's clock.
    pub fn a_to_b_ns(&self, t_a_ns: i64) -> i64 {
        let since = (t_a_ns.saturating_sub(self.origin_ns)) as f64 * 1e-9;
        let b = since * (1.0 + self.drift()) + self.offset_s;
        self.origin_ns.saturating_add((b * 1e9).round() as i64)
    }
}

/// Lower convex hull of points sorted by `t` (monotone chain).
fn lower_hull(points: &[Point]) -> Vec<Point> {
    let mut hull: Vec<Point> = Vec::new();
    for &p in points {
        while hull.len() >= 2 {
            let (a, b) = (hull[hull.len() - 2], hull[hull.len() - 1]);
            // Drop b when it lies on or above the segment a→p.
            let cross = (b.t - a.t) * (p.d - a.d) - (b.d - a.d) * (p.t - a.t);
            if cross <= 0.0 {
                hull.pop();
            } else {
                break;
            }
        }
        hull.push(p);
    }
    hull
}

fn sorted(points: &[Point]) -> Vec<Point> {
    let mut v: Vec<Point> = points
        .iter()
        .copied()
        .filter(|p| p.t.is_finite() && p.d.is_finite())
        .collect();
    v.sort_by(|x, y| x.t.total_cmp(&y.t).then(x.d.total_cmp(&y.d)));
    v
}

fn floor_at(hull: &[Point], s: f64) -> f64 {
    hull.iter()
        .map(|p| p.d - s * p.t)
        .fold(f64::INFINITY, f64::min)
}

/// Maximises a concave function of the slope over [−MAX_DRIFT, MAX_DRIFT]; among slopes within
/// [`GAP_TOLERANCE_S`] of the best, returns the one nearest 0.
fn maximise(f: impl Fn(f64) -> f64) -> f64 {
    let (mut lo, mut hi) = (-MAX_DRIFT, MAX_DRIFT);
    let phi = 0.618_033_988_749_895;
    for _ in 0..200 {
        let m1 = hi - (hi - lo) * phi;
        let m2 = lo + (hi - lo) * phi;
        if f(m1) < f(m2) {
            lo = m1;
        } else {
            hi = m2;
        }
    }
    let best_s = (lo + hi) / 2.0;
    let best = f(best_s);
    if f(0.0) >= best - GAP_TOLERANCE_S {
        return 0.0;
    }
    // The plateau edge nearest 0: bisect between best_s and 0.
    let (mut inside, mut outside) = (best_s, 0.0);
    for _ in 0..100 {
        let mid = (inside + outside) / 2.0;
        if f(mid) >= best - GAP_TOLERANCE_S {
            inside = mid;
        } else {
            outside = mid;
        }
    }
    inside
}

/// Fits the clock from `a_first` (packets that passed A first: `d` above the line) and `b_first`
/// (passed B first: below). `None` without any point.
pub fn fit(a_first: &[Point], b_first: &[Point], origin_ns: i64) -> Option<ClockModel> {
    let up = sorted(a_first);
    let down: Vec<Point> = sorted(b_first)
        .into_iter()
        .map(|p| Point { t: p.t, d: -p.d })
        .collect();
    let model = |offset_s: f64, s: f64, bound: Option<f64>, inconsistent: bool| ClockModel {
        offset_s,
        drift_ppm: s * 1e6,
        uncertainty_s: bound,
        origin_ns,
        inconsistent,
        steps: Vec::new(),
    };
    match (up.is_empty(), down.is_empty()) {
        (true, true) => None,
        (false, false) => {
            let upper = lower_hull(&up);
            // The upper hull of B-first points is the lower hull of their mirror image.
            let lower = lower_hull(&down);
            let gap = |s: f64| floor_at(&upper, s) + floor_at(&lower, -s);
            let s = maximise(gap);
            let top = floor_at(&upper, s);
            let bottom = -floor_at(&lower, -s);
            let g = top - bottom;
            Some(model((top + bottom) / 2.0, s, Some(g.abs() / 2.0), g < 0.0))
        }
        (false, true) => Some(one_way(&up, 1.0, &model)),
        (true, false) => Some(one_way(&down, -1.0, &model)),
    }
}

/// Moon/Zhang: the line under all points with the least total distance to them (the hull edge
/// over the mean time). `sign` −1 for mirrored (B-first) points.
fn one_way(
    points: &[Point],
    sign: f64,
    model: &impl Fn(f64, f64, Option<f64>, bool) -> ClockModel,
) -> ClockModel {
    let hull = lower_hull(points);
    let mean_t = points.iter().map(|p| p.t).sum::<f64>() / points.len().max(1) as f64;
    let s = maximise(|s| floor_at(&hull, s) + s * mean_t);
    let offset = floor_at(&hull, s);
    model(sign * offset, sign * s, None, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cloud(offset: f64, drift: f64, delay: f64, sign: f64, n: usize) -> Vec<Point> {
        (0..n)
            .map(|i| {
                let t = i as f64 * 0.37;
                // A deterministic jitter on top of the floor delay.
                let jitter = ((i * 7919) % 13) as f64 * 1e-4;
                Point {
                    t,
                    d: offset + drift * t + sign * (delay + jitter),
                }
            })
            .collect()
    }

    #[test]
    fn two_way_fit_recovers_offset_and_drift() {
        let up = cloud(12.5, 40e-6, 0.003, 1.0, 400);
        let down = cloud(12.5, 40e-6, 0.002, -1.0, 300);
        let m = fit(&up, &down, 0).unwrap();
        assert!((m.drift_ppm - 40.0).abs() < 1.0, "{m:?}");
        let bound = m.uncertainty_s.unwrap();
        assert!((m.offset_s - 12.5).abs() <= bound + 1e-9, "{m:?}");
        assert!((bound - 0.0025).abs() < 1e-4, "{m:?}");
        assert!(!m.inconsistent);
    }

    #[test]
    fn one_way_fit_lies_under_the_cloud() {
        let up = cloud(-3.0, -25e-6, 0.001, 1.0, 200);
        let m = fit(&up, &[], 0).unwrap();
        assert!(m.uncertainty_s.is_none());
        assert!((m.drift_ppm + 25.0).abs() < 2.0, "{m:?}");
        assert!((m.offset_s - (-3.0 + 0.001)).abs() < 1e-4, "{m:?}");
        let down = cloud(-3.0, -25e-6, 0.001, -1.0, 200);
        let m = fit(&[], &down, 0).unwrap();
        assert!((m.offset_s - (-3.0 - 0.001)).abs() < 1e-4, "{m:?}");
    }

    #[test]
    fn conversions_invert() {
        let m = ClockModel {
            offset_s: 37.0,
            drift_ppm: 100.0,
            uncertainty_s: Some(0.001),
            origin_ns: 1_000_000_000_000,
            inconsistent: false,
            steps: Vec::new(),
        };
        let t = 1_000_000_000_000 + 3_600_000_000_000;
        let b = m.a_to_b_ns(t);
        assert!((m.b_to_a_ns(b) - t).abs() <= 1);
        assert!(fit(&[], &[], 0).is_none());
        let nan = [Point {
            t: f64::NAN,
            d: 1.0,
        }];
        assert!(fit(&nan, &[], 0).is_none());
    }
}
