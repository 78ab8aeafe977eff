//! The page's IO graph lines: for a time range and an interval, one value per interval for the
//! frames a filter selected — packets/s, bytes/s or bits/s, or a numeric field's SUM, MAX or
//! AVG per interval (`frame.len`, `tcp.analysis.ack_rtt` in seconds) — as a flat `f64` array
//! the wasm hands to JavaScript as one typed array. Times are `frame.time_relative` (seconds
//! from the first frame), so a brushed range is a filter on that field. One pass over the
//! selected frames; bins are `[from + k·interval, from + (k+1)·interval)`. AVG and MAX of an
//! interval without a value are NaN (a gap in the line), SUM is 0.

use super::relative_ns;
use crate::index::PacketIndex;
use crate::tcp::TcpAnalysis;

/// What a line shows per interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    PacketsPerSecond,
    BytesPerSecond,
    BitsPerSecond,
    Sum(Field),
    Max(Field),
    Avg(Field),
}

/// The numeric fields a line can aggregate, read exactly as the display filter reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `frame.len`: bytes on the wire.
    FrameLen,
    /// `tcp.analysis.ack_rtt`: seconds from a segment to the ACK that acknowledges it.
    AckRtt,
}

impl Field {
    pub fn parse(name: &str) -> Option<Field> {
        match name {
            "frame.len" => Some(Field::FrameLen),
            "tcp.analysis.ack_rtt" => Some(Field::AckRtt),
            _ => None,
        }
    }

    fn value(self, index: &PacketIndex, tcp: Option<&TcpAnalysis>, i: usize) -> Option<f64> {
        match self {
            Field::FrameLen => index.records.get(i).map(|r| f64::from(r.orig_len)),
            Field::AckRtt => tcp?.ack_rtt_ns(index, i).map(|ns| ns as f64 / 1e9),
        }
    }
}

impl Measure {
    /// `"packets"`, `"bytes"`, `"bits"`, or `"sum"`/`"max"`/`"avg"` with a field name.
    pub fn parse(kind: &str, field: &str) -> Result<Measure, String> {
        let field = || {
            Field::parse(field).ok_or_else(|| {
                format!("{field:?} cannot be aggregated; use frame.len or tcp.analysis.ack_rtt")
            })
        };
        Ok(match kind {
            "packets" => Measure::PacketsPerSecond,
            "bytes" => Measure::BytesPerSecond,
            "bits" => Measure::BitsPerSecond,
            "sum" => Measure::Sum(field()?),
            "max" => Measure::Max(field()?),
            "avg" => Measure::Avg(field()?),
            other => {
                return Err(format!(
                    "{other:?} is not a measure (packets, bytes, bits, sum, max, avg)"
                ))
            }
        })
    }
}

/// The time range and interval of a graph, in nanoseconds of `frame.time_relative`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bins {
    pub from_ns: i64,
    pub interval_ns: i64,
    pub count: usize,
}

/// At most this many intervals in one graph (a 10-minute capture at 1 ms is 600,000).
pub const MAX_BINS: usize = 2_000_000;

impl Bins {
    /// Intervals of `interval_ns` covering `[from_ns, to_ns]` (at least one).
    pub fn covering(from_ns: i64, to_ns: i64, interval_ns: i64) -> Result<Bins, String> {
        if interval_ns <= 0 {
            return Err("the interval must be positive".into());
        }
        let span = to_ns.saturating_sub(from_ns).max(0);
        let count = usize::try_from(span / interval_ns + 1).unwrap_or(usize::MAX);
        if count > MAX_BINS {
            return Err(format!(
                "{count} intervals over that range (at most {MAX_BINS}); choose a longer interval"
            ));
        }
        Ok(Bins {
            from_ns,
            interval_ns,
            count,
        })
    }

    fn of(&self, rel_ns: i64) -> Option<usize> {
        if rel_ns < self.from_ns {
            return None;
        }
        let k = usize::try_from((rel_ns - self.from_ns) / self.interval_ns).ok()?;
        (k < self.count).then_some(k)
    }
}

/// One line: per interval of `bins`, `measure` over the frames in `selected` (sorted frame
/// indexes; `None`: every frame).
pub fn line(
    index: &PacketIndex,
    tcp: Option<&TcpAnalysis>,
    selected: Option<&[u32]>,
    bins: &Bins,
    measure: Measure,
) -> Vec<f64> {
    let mut sums = vec![0f64; bins.count];
    let mut counts = vec![0u32; bins.count];
    let mut maxima = vec![f64::NAN; bins.count];
    let mut add = |i: usize| {
        let Some(k) = bins.of(relative_ns(index, i)) else {
            return;
        };
        let value = match measure {
            Measure::PacketsPerSecond => Some(1.0),
            Measure::BytesPerSecond => index.records.get(i).map(|r| f64::from(r.orig_len)),
            Measure::BitsPerSecond => index.records.get(i).map(|r| 8.0 * f64::from(r.orig_len)),
            Measure::Sum(f) | Measure::Max(f) | Measure::Avg(f) => f.value(index, tcp, i),
        };
        if let Some(v) = value {
            sums[k] += v;
            counts[k] += 1;
            if maxima[k].is_nan() || v > maxima[k] {
                maxima[k] = v;
            }
        }
    };
    match selected {
        Some(frames) => frames.iter().for_each(|&i| add(i as usize)),
        None => (0..index.len()).for_each(&mut add),
    }
    let seconds = bins.interval_ns as f64 / 1e9;
    match measure {
        Measure::PacketsPerSecond | Measure::BytesPerSecond | Measure::BitsPerSecond => {
            sums.iter().map(|s| s / seconds).collect()
        }
        Measure::Sum(_) => sums,
        Measure::Max(_) => maxima,
        Measure::Avg(_) => sums
            .iter()
            .zip(&counts)
            .map(|(s, &n)| if n == 0 { f64::NAN } else { s / f64::from(n) })
            .collect(),
    }
}

/// A round interval (1, 2 or 5 × 10^k, from 1 ms to 10 min) giving about `target` intervals
/// over `span_ns`.
pub fn auto_interval_ns(span_ns: i64, target: i64) -> i64 {
    const STEPS_NS: [i64; 17] = [
        1_000_000,
        2_000_000,
        5_000_000,
        10_000_000,
        20_000_000,
        50_000_000,
        100_000_000,
        200_000_000,
        500_000_000,
        1_000_000_000,
        2_000_000_000,
        5_000_000_000,
        10_000_000_000,
        30_000_000_000,
        60_000_000_000,
        300_000_000_000,
        600_000_000_000,
    ];
    let wanted = span_ns.max(0) / target.max(1);
    STEPS_NS
        .iter()
        .copied()
        .find(|&s| s >= wanted)
        .unwrap_or(STEPS_NS[STEPS_NS.len() - 1])
}

/// The frame nearest to `rel_ns` among `selected` (sorted frame indexes; `None`: all), by
/// time: the frame index, for "click a point, jump to the frame".
pub fn nearest_frame(index: &PacketIndex, selected: Option<&[u32]>, rel_ns: i64) -> Option<usize> {
    let distance = |i: usize| relative_ns(index, i).abs_diff(rel_ns);
    match selected {
        Some(frames) => frames
            .iter()
            .map(|&i| i as usize)
            .min_by_key(|&i| distance(i)),
        None => (0..index.len()).min_by_key(|&i| distance(i)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{flag, PacketRecord};

    fn index(times_ms: &[i64], lens: &[u32]) -> PacketIndex {
        let mut index = PacketIndex::default();
        for (&t, &len) in times_ms.iter().zip(lens) {
            index.records.push(PacketRecord {
                ts_ns: 1_700_000_000_000_000_000 + t * 1_000_000,
                orig_len: len,
                flags: flag::HAS_TIME,
                ..PacketRecord::default()
            });
        }
        index
    }

    #[test]
    fn rates_are_per_second_and_bins_cover_the_range() {
        let idx = index(&[0, 100, 150, 900, 1000], &[60, 100, 40, 1500, 60]);
        let bins = Bins::covering(0, 1_000_000_000, 500_000_000).unwrap();
        assert_eq!(bins.count, 3);
        assert_eq!(
            line(&idx, None, None, &bins, Measure::PacketsPerSecond),
            vec![6.0, 2.0, 2.0]
        );
        assert_eq!(
            line(&idx, None, None, &bins, Measure::BitsPerSecond),
            vec![3200.0, 24000.0, 960.0]
        );
        let only = [1u32, 3];
        let max = line(
            &idx,
            None,
            Some(&only),
            &bins,
            Measure::Max(Field::FrameLen),
        );
        assert_eq!(max[..2], [100.0, 1500.0]);
        assert!(max[2].is_nan());
        let avg = line(&idx, None, None, &bins, Measure::Avg(Field::FrameLen));
        assert_eq!(avg[0], 200.0 / 3.0);
    }

    #[test]
    fn a_zoomed_range_leaves_out_what_is_outside() {
        let idx = index(&[0, 100, 150, 900, 1000], &[60, 100, 40, 1500, 60]);
        let bins = Bins::covering(100_000_000, 199_000_000, 50_000_000).unwrap();
        assert_eq!(
            line(&idx, None, None, &bins, Measure::Sum(Field::FrameLen)),
            vec![100.0, 40.0]
        );
        assert_eq!(nearest_frame(&idx, None, 880_000_000), Some(3));
        assert_eq!(nearest_frame(&idx, Some(&[0, 4]), 400_000_000), Some(0));
    }

    #[test]
    fn the_automatic_interval_is_round_and_bounded() {
        assert_eq!(auto_interval_ns(5_000_000_000, 500), 10_000_000);
        assert_eq!(auto_interval_ns(0, 500), 1_000_000);
        assert_eq!(auto_interval_ns(86_400_000_000_000, 500), 300_000_000_000);
        assert_eq!(auto_interval_ns(1_000_000_000_000_000, 500), 600_000_000_000);
        assert!(Bins::covering(0, 86_400_000_000_000, 1_000_000).is_err());
        assert!(Measure::parse("avg", "ip.ttl").is_err());
        assert_eq!(
            Measure::parse("max", "tcp.analysis.ack_rtt"),
            Ok(Measure::Max(Field::AckRtt))
        );
    }
}
