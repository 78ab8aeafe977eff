//! `tshark -q -z io,stat,INTERVAL[,FILTER]…` counting, as tshark 4.0's io,stat tap does it, so
//! that `tracelens io` prints the same numbers: times in whole microseconds relative to the first
//! frame (rounded half up), one column per filter (no filter: every frame), per interval the
//! frames and the sum of `frame.len`. Its quirks are kept on purpose: a frame earlier than the
//! last interval seen is counted in that interval; a frame with a negative relative time counts
//! at the time of the last frame any column counted; interval 0 (or one longer than the
//! capture) means one row spanning the capture; the duration is rounded to the interval's
//! precision only when the remainder is over half; a frame exactly at the end of the capture
//! on an interval boundary falls in a row that is not printed.
//!
//! Where tshark 4.0 cannot be followed: a relative time between −1 s and −1.5 µs makes tshark's
//! microsecond value wrap to 2^64 and the tap loop for ever; here such a frame counts like other
//! negative times (at the last time counted). A pcap whose nanosecond fields are out of range
//! (tcpdump/timestamp_invalid_nano.pcap: 1,000,000,000 and 2^31 ns) gets another duration in
//! tshark, which keeps those fields as they are; here they are read as the capture layer reads
//! them. A capture whose first frame has no timestamp spans decades in tshark (the frame counts
//! as 1970): at any interval but 0 that table has billions of rows, which tshark 4.0 prints until
//! memory or disk runs out; here it is refused above [`MAX_ROWS`].

use super::relative_ns;
use crate::index::PacketIndex;

/// The interval for "0": longer than any capture, so every frame counts in the one row, which
/// spans the duration (tshark 4.0 counts frames of captures spanning years in that row too).
pub const WHOLE_CAPTURE_US: u64 = u64::MAX;

/// No more rows than this (a capture spanning years at a 1 ms interval would need billions).
pub const MAX_ROWS: u64 = 10_000_000;

/// An interval as tshark reads it: microseconds, and the decimals its table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub us: u64,
    pub precision: u32,
}

impl Interval {
    /// Parses `text` (seconds, e.g. "1", "0.1", "0.010", "0"), as tshark's `-z io,stat,` does:
    /// rounded to whole microseconds; the precision is the number of significant decimals, or
    /// the decimals written when the value is whole ("1.00" → 2).
    pub fn parse(text: &str) -> Result<Interval, String> {
        let seconds: f64 = text
            .trim()
            .parse()
            .map_err(|_| format!("the interval {text:?} is not a number of seconds"))?;
        if !seconds.is_finite() || seconds < 0.0 {
            return Err(format!(
                "the interval {text:?} must be 0 (the whole capture) or at least 0.000001 seconds"
            ));
        }
        if seconds == 0.0 {
            return Ok(Interval {
                us: WHOLE_CAPTURE_US,
                precision: 0,
            });
        }
        let us = (seconds * 1_000_000.0 + 0.5) as u64;
        if us < 1 {
            return Err(format!(
                "the interval {text:?} must be at least 0.000001 seconds (or 0 for the whole capture)"
            ));
        }
        let mut precision = 6;
        let mut unit = 10;
        while unit < 10_000_000 && us % unit == 0 {
            precision -= 1;
            unit *= 10;
        }
        if precision == 0 {
            if let Some((_, decimals)) = text.trim().split_once('.') {
                if !decimals.is_empty() {
                    precision = decimals.len().min(6) as u32;
                }
            }
        }
        Ok(Interval { us, precision })
    }
}

/// One column: its filter (`None`: every frame) and, per interval from the first frame, the
/// frames and bytes counted (up to the last interval in which it counted a frame).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Column {
    pub filter: Option<String>,
    pub frames: Vec<u32>,
    pub bytes: Vec<u64>,
}

impl Column {
    pub fn max_frames(&self) -> u32 {
        self.frames.iter().copied().max().unwrap_or(0)
    }
    pub fn max_bytes(&self) -> u64 {
        self.bytes.iter().copied().max().unwrap_or(0)
    }
    fn count(&mut self, bin: usize, bytes: u32) {
        if self.frames.len() <= bin {
            self.frames.resize(bin + 1, 0);
            self.bytes.resize(bin + 1, 0);
        }
        self.frames[bin] += 1;
        self.bytes[bin] += u64::from(bytes);
    }
}

/// What the io,stat tap collected: the interval asked for, the capture's duration (tshark's
/// elapsed time, whole microseconds) and the columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IoStat {
    pub interval: Interval,
    pub duration_us: u64,
    pub columns: Vec<Column>,
}

/// One printed row: its start and end (microseconds from the first frame; the last row ends at
/// the duration) and each column's frames and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub start_us: u64,
    pub end_us: u64,
    pub frames: Vec<u32>,
    pub bytes: Vec<u64>,
}

/// A relative time as tshark's tap computes it (whole microseconds), or `None` when it is
/// negative (the tap then uses the last time it counted).
fn tap_microseconds(rel_ns: i64) -> Option<u64> {
    let secs = rel_ns / 1_000_000_000;
    let nsecs = rel_ns % 1_000_000_000;
    let micros = (nsecs + 500) / 1000;
    if secs < 0 || micros < 0 {
        return None;
    }
    Some(secs as u64 * 1_000_000 + micros as u64)
}

/// Counts the frames of each column. `columns`: the filter text (for the table's header; `None`
/// for every frame) and the frame indexes it selected, sorted (`None`: every frame).
pub fn compute(
    index: &PacketIndex,
    interval: Interval,
    columns: Vec<(Option<String>, Option<Vec<u32>>)>,
) -> Result<IoStat, String> {
    let duration_us = (0..index.len())
        .filter_map(|i| tap_microseconds(relative_ns(index, i)))
        .max()
        .unwrap_or(0);
    let rows = duration_us / interval.us.max(1) + 1;
    if rows > MAX_ROWS {
        return Err(format!(
            "an interval of {} µs over {} µs makes {rows} rows (at most {MAX_ROWS}); choose a longer interval",
            interval.us, duration_us
        ));
    }
    let mut out: Vec<Column> = columns
        .iter()
        .map(|(filter, _)| Column {
            filter: filter.clone(),
            ..Column::default()
        })
        .collect();
    let mut cursors = vec![0usize; columns.len()];
    let mut last_bins = vec![0usize; columns.len()];
    let mut last_time = 0u64;
    for (i, record) in index.records.iter().enumerate() {
        let time = tap_microseconds(relative_ns(index, i));
        for (c, (_, selected)) in columns.iter().enumerate() {
            if !selected_at(selected.as_deref(), &mut cursors[c], i) {
                continue;
            }
            let rt = time.unwrap_or(last_time);
            last_time = rt;
            let bin = last_bins[c].max((rt / interval.us) as usize);
            last_bins[c] = bin;
            out[c].count(bin, record.orig_len);
        }
    }
    Ok(IoStat {
        interval,
        duration_us,
        columns: out,
    })
}

/// Whether frame `i` is in `selected` (sorted; `None`: all), advancing `cursor` through it.
fn selected_at(selected: Option<&[u32]>, cursor: &mut usize, i: usize) -> bool {
    let Some(frames) = selected else {
        return true;
    };
    while frames.get(*cursor).is_some_and(|&f| (f as usize) < i) {
        *cursor += 1;
    }
    frames.get(*cursor).is_some_and(|&f| f as usize == i)
}

/// Decimal digits of `value`, at most `max` (tshark's `magnitude`; 0 has one digit).
pub fn magnitude(mut value: u64, max: u32) -> u32 {
    let mut digits = 0;
    for _ in 0..max {
        digits += 1;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    digits
}

/// How the table is laid out in time, computed as tshark's draw function does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeLayout {
    /// The interval of the rows (the duration when one row spans the capture).
    pub interval_us: u64,
    /// The duration after rounding to the precision (when the remainder was over half), and
    /// before.
    pub duration_us: u64,
    pub unrounded_duration_us: u64,
    /// Decimals shown for times.
    pub precision: u32,
    /// Digits of the unrounded and of the rounded duration's whole seconds.
    pub duration_digits: u32,
    pub rounded_duration_digits: u32,
    /// The interval and the duration are the same (interval 0, or longer than the capture).
    pub whole_capture: bool,
}

impl IoStat {
    /// The table's time layout (tshark's iostat_draw preamble).
    pub fn time_layout(&self) -> TimeLayout {
        let mut duration = self.duration_us;
        let whole_capture = self.interval.us > duration || self.interval.us == WHOLE_CAPTURE_US;
        let interval = if whole_capture {
            duration
        } else {
            self.interval.us
        };
        let duration_digits = magnitude(duration / 1_000_000, 5);
        let precision = if interval == duration {
            match duration_digits {
                d if d >= 2 => 1,
                1 => 3,
                _ => 6,
            }
        } else {
            self.interval.precision
        };
        let unit = 1_000_000 / 10u64.pow(precision);
        let mut rounded_duration_digits = duration_digits;
        if duration % unit > 5 * (unit / 10) {
            duration = (duration + 5 * (unit / 10)) / unit * unit;
            rounded_duration_digits = magnitude(duration / 1_000_000, 5);
        }
        TimeLayout {
            interval_us: if whole_capture { duration } else { interval },
            duration_us: duration,
            unrounded_duration_us: self.duration_us,
            precision,
            duration_digits,
            rounded_duration_digits,
            whole_capture: interval == self.duration_us,
        }
    }

    /// The rows tshark prints: the duration split into intervals, the last one ending at the
    /// duration; none when the duration or the interval is 0.
    pub fn rows(&self) -> Vec<Row> {
        let layout = self.time_layout();
        let (interval, duration) = (layout.interval_us, layout.duration_us);
        if interval == 0 || duration == 0 {
            return Vec::new();
        }
        let count = duration / interval + u64::from(duration % interval > 0);
        (0..count)
            .map(|r| {
                let start_us = r * interval;
                let end_us = if r + 1 == count {
                    duration
                } else {
                    start_us + interval
                };
                let bin = r as usize;
                Row {
                    start_us,
                    end_us,
                    frames: self
                        .columns
                        .iter()
                        .map(|c| c.frames.get(bin).copied().unwrap_or(0))
                        .collect(),
                    bytes: self
                        .columns
                        .iter()
                        .map(|c| c.bytes.get(bin).copied().unwrap_or(0))
                        .collect(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_are_read_as_tshark_reads_them() {
        let p = |t: &str| Interval::parse(t).unwrap();
        assert_eq!(
            p("1"),
            Interval {
                us: 1_000_000,
                precision: 0
            }
        );
        assert_eq!(
            p("0.1"),
            Interval {
                us: 100_000,
                precision: 1
            }
        );
        assert_eq!(
            p("0.010"),
            Interval {
                us: 10_000,
                precision: 2
            }
        );
        assert_eq!(
            p("2.00"),
            Interval {
                us: 2_000_000,
                precision: 2
            }
        );
        assert_eq!(
            p("0.000001"),
            Interval {
                us: 1,
                precision: 6
            }
        );
        assert_eq!(
            p("0"),
            Interval {
                us: WHOLE_CAPTURE_US,
                precision: 0
            }
        );
        assert_eq!(
            p("0.0"),
            Interval {
                us: WHOLE_CAPTURE_US,
                precision: 0
            }
        );
        assert!(Interval::parse("0.0000001").is_err());
        assert!(Interval::parse("-1").is_err());
        assert!(Interval::parse("soon").is_err());
    }

    #[test]
    fn tap_times_round_to_microseconds_and_negative_ones_are_set_aside() {
        assert_eq!(tap_microseconds(1_500), Some(2));
        assert_eq!(tap_microseconds(1_499), Some(1));
        assert_eq!(tap_microseconds(5_003_877_000), Some(5_003_877));
        assert_eq!(tap_microseconds(-400), Some(0));
        assert_eq!(tap_microseconds(-2_000), None);
        assert_eq!(tap_microseconds(-3_000_000_000), None);
    }

    #[test]
    fn magnitude_counts_digits_up_to_the_cap() {
        assert_eq!(magnitude(0, 5), 1);
        assert_eq!(magnitude(9, 5), 1);
        assert_eq!(magnitude(10, 5), 2);
        assert_eq!(magnitude(123_456_789, 5), 5);
    }

    fn stat(interval: &str, duration_us: u64) -> IoStat {
        IoStat {
            interval: Interval::parse(interval).unwrap(),
            duration_us,
            columns: vec![Column {
                filter: None,
                frames: vec![1, 2, 3, 4, 5, 6],
                bytes: vec![10, 20, 30, 40, 50, 60],
            }],
        }
    }

    #[test]
    fn rows_cover_the_duration_and_the_last_one_ends_there() {
        let rows = stat("1", 5_003_877).rows();
        assert_eq!(rows.len(), 6);
        assert_eq!((rows[5].start_us, rows[5].end_us), (5_000_000, 5_003_877));
        // On an interval boundary the bin after the last row is not printed.
        assert_eq!(stat("1", 5_000_000).rows().len(), 5);
        // Interval 0: one row over the whole capture, the duration rounded to 3 decimals (the
        // remainder, 877 µs, is over half a millisecond).
        let whole = stat("0", 5_003_877);
        let layout = whole.time_layout();
        assert_eq!((layout.precision, layout.duration_us), (3, 5_004_000));
        assert_eq!(whole.rows().len(), 1);
        assert!(stat("1", 0).rows().is_empty());
    }
}
