//! Ring-buffer arithmetic: from the traffic at the capture point and the minutes the capture must
//! cover, how much disk the capture needs (with a safety margin: bursts above the average, and for
//! an intermittent problem the time until someone stops the capture) and how to cut it into
//! files a support engineer can open — at most [`MAX_FILE_MB`] each (the seed's 200 MB), about
//! [`TARGET_FILES`] of them, never fewer than [`MIN_FILES`] so the ring never overwrites the only
//! file, and never more than [`MAX_TOTAL_MB`] in all (a week at 100 Gbit/s would be petabytes:
//! the ring then keeps what that disk holds, and says how long that is). Sizes are in megabytes
//! of 1,000,000 bytes (tcpdump's `-C` unit; dumpcap's `filesize` is in kB of 1,000 bytes). And
//! the snapshot length: full packets unless the link is busy.

use serde::Serialize;

/// Margin over the average rate for a reproducible problem (bursts, a slower repro).
pub const MARGIN: f64 = 1.5;
/// Margin for an intermittent problem: the capture is stopped some time after the problem.
pub const INTERMITTENT_MARGIN: f64 = 2.0;
pub const MIN_FILE_MB: u64 = 10;
pub const MAX_FILE_MB: u64 = 200;
pub const TARGET_FILES: u64 = 10;
pub const MIN_FILES: u64 = 2;
/// The most disk a plan asks a customer to give the capture (100 GB): beyond it the ring is cut
/// to this size and holds less time than asked for.
pub const MAX_TOTAL_MB: u64 = 100_000;
/// At or above this rate (Mbit/s) the plan asks for a snapshot length of [`BUSY_SNAPLEN`].
pub const BUSY_MBPS: f64 = 100.0;
/// The seed's snap length for busy servers: headers kept, ~80 % of a 1,500-byte frame saved.
pub const BUSY_SNAPLEN: u32 = 256;

/// The ring buffer the plan asks for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Ring {
    /// Megabytes the capture must be able to hold (rate × time × margin), rounded up.
    pub needed_mb: u64,
    /// Size of each file and how many files the ring keeps.
    pub file_mb: u64,
    pub files: u64,
    /// `file_mb × files`: the disk the ring takes at most.
    pub total_mb: u64,
    /// Seconds one file covers at the average rate.
    pub seconds_per_file: f64,
    /// Seconds the whole ring covers at the average rate.
    pub seconds_kept: f64,
    /// The ring was cut to [`MAX_TOTAL_MB`]: it holds less than `needed_mb`.
    pub capped: bool,
    /// The margin used.
    pub margin: f64,
    /// Bytes kept of each packet: 0 for whole packets, else [`BUSY_SNAPLEN`].
    pub snaplen: u32,
}

/// `n` rounded up to a multiple of `step`.
fn round_up(n: u64, step: u64) -> u64 {
    n.div_ceil(step.max(1)) * step.max(1)
}

/// A file size that reads well: a multiple of 10 MB up to 100, of 50 MB above.
fn nice_file_mb(mb: u64) -> u64 {
    let mb = mb.clamp(MIN_FILE_MB, MAX_FILE_MB);
    let nice = if mb <= 100 {
        round_up(mb, 10)
    } else {
        round_up(mb, 50)
    };
    nice.min(MAX_FILE_MB)
}

/// The ring for `mbps` (average Mbit/s) over `minutes`.
pub fn ring(mbps: f64, minutes: u32, intermittent: bool) -> Ring {
    let margin = if intermittent {
        INTERMITTENT_MARGIN
    } else {
        MARGIN
    };
    let mbps = if mbps.is_finite() && mbps > 0.0 {
        mbps
    } else {
        super::answers::MIN_MBPS
    };
    // Mbit/s ÷ 8 = MB/s; × seconds × margin.
    let needed = mbps / 8.0 * f64::from(minutes.max(1)) * 60.0 * margin;
    let needed_mb = (needed.ceil() as u64).max(1);
    let file_mb = nice_file_mb(needed_mb.div_ceil(TARGET_FILES));
    let wanted_files = needed_mb.div_ceil(file_mb).max(MIN_FILES);
    let files = wanted_files.min(MAX_TOTAL_MB / file_mb);
    Ring {
        needed_mb,
        file_mb,
        files,
        total_mb: file_mb * files,
        seconds_per_file: file_mb as f64 * 8.0 / mbps,
        seconds_kept: (file_mb * files) as f64 * 8.0 / mbps,
        capped: files < wanted_files,
        margin,
        snaplen: if mbps >= BUSY_MBPS { BUSY_SNAPLEN } else { 0 },
    }
}

/// `350 MB`, `1.2 GB`, `15.1 PB`: a size in the plan's sentences.
pub fn size_text(mb: u64) -> String {
    const UNITS: [(f64, &str); 3] = [(1e9, "PB"), (1e6, "TB"), (1e3, "GB")];
    let mb_f = mb as f64;
    match UNITS.iter().find(|(scale, _)| mb_f >= *scale) {
        Some((scale, unit)) if mb_f / scale >= 100.0 => format!("{:.0} {unit}", mb_f / scale),
        Some((scale, unit)) => format!("{:.1} {unit}", mb_f / scale),
        None => format!("{mb} MB"),
    }
}

/// `16 ms`, `45 s`, `12 min`, `3.5 h`, `7.0 days`: a duration in the plan's sentences.
pub fn duration_text(seconds: f64) -> String {
    if seconds < 1.0 {
        format!("{:.0} ms", seconds * 1000.0)
    } else if seconds < 90.0 {
        format!("{seconds:.0} s")
    } else if seconds < 90.0 * 60.0 {
        format!("{:.0} min", seconds / 60.0)
    } else if seconds < 48.0 * 3600.0 {
        format!("{:.1} h", seconds / 3600.0)
    } else {
        format!("{:.1} days", seconds / 86_400.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_busy_server() {
        // 100 Mbit/s = 12.5 MB/s; 60 min = 3,600 s → 45,000 MB; × 2 (intermittent) = 90,000 MB.
        let r = ring(100.0, 60, true);
        assert_eq!(r.needed_mb, 90_000);
        // 90,000 / 10 files = 9,000 MB a file, capped at 200 MB → 450 files of 200 MB.
        assert_eq!((r.file_mb, r.files, r.total_mb), (200, 450, 90_000));
        // 200 MB × 8 / 100 Mbit/s = 16 s a file.
        assert_eq!(r.seconds_per_file, 16.0);
        assert_eq!(r.snaplen, 256);
        assert_eq!(size_text(r.total_mb), "90.0 GB");
    }

    #[test]
    fn a_quiet_client_gets_small_files() {
        // 2 Mbit/s = 0.25 MB/s × 1,800 s × 1.5 = 675 MB → 67.5 a file → 70 MB, 10 files.
        let r = ring(2.0, 30, false);
        assert_eq!(r.needed_mb, 675);
        assert_eq!((r.file_mb, r.files, r.total_mb), (70, 10, 700));
        assert_eq!(r.snaplen, 0);
        // 70 MB × 8 / 2 = 280 s.
        assert_eq!(duration_text(r.seconds_per_file), "5 min");
    }

    #[test]
    fn tiny_captures_still_ring_over_two_files() {
        // 0.1 Mbit/s × 60 s × 1.5 = 1.125 MB → 2 MB; files of the 10 MB minimum, at least 2.
        let r = ring(0.1, 1, false);
        assert_eq!(r.needed_mb, 2);
        assert_eq!((r.file_mb, r.files), (10, 2));
        // Nonsense rates are read as the minimum rate.
        assert_eq!(ring(f64::NAN, 1, false), r);
    }

    #[test]
    fn a_week_at_100_gbits_is_cut_to_the_disk_cap() {
        // 100,000 Mbit/s = 12,500 MB/s × 604,800 s × 2 = 15,120,000,000 MB: 75.6 million files
        // of 200 MB. The ring keeps 100 GB: 500 files, 8 s of traffic.
        let r = ring(100_000.0, 7 * 24 * 60, true);
        assert_eq!(r.needed_mb, 15_120_000_000);
        assert_eq!((r.file_mb, r.files, r.total_mb), (200, 500, MAX_TOTAL_MB));
        assert!(r.capped);
        assert_eq!(r.seconds_kept, 8.0);
        // Under the cap nothing is cut: 90 GB for the seed's busy server.
        assert!(!ring(100.0, 60, true).capped);
    }

    #[test]
    fn file_sizes_read_well() {
        assert_eq!(nice_file_mb(1), 10);
        assert_eq!(nice_file_mb(41), 50);
        assert_eq!(nice_file_mb(101), 150);
        assert_eq!(nice_file_mb(5000), 200);
        assert_eq!(size_text(1234), "1.2 GB");
        assert_eq!(duration_text(5400.0), "1.5 h");
        assert_eq!(duration_text(0.016), "16 ms");
        assert_eq!(duration_text(14.0 * 86_400.0), "14.0 days");
        assert_eq!(size_text(15_120_000_000), "15.1 PB");
        assert_eq!(size_text(100_000), "100 GB");
        assert_eq!(size_text(999), "999 MB");
    }
}
