//! Warms the analyzer's code before the first capture arrives, by running a small synthetic
//! capture through the steps the page takes on every capture: reading, the summary and the first
//! rows of the list, findings (streams, TCP analysis, detectors), marker pings and the capture
//! plan's notes, a display filter and the TCP conversations.
//!
//! Why: the browser compiles WebAssembly twice. Code starts in V8's baseline tier (Liftoff), and
//! a function moves to the optimizing tier (TurboFan) only once it has run for a while, and then
//! only for its later calls: a pass over a million frames that starts in the baseline tier stays
//! there to its end (`node scripts/bench-warm-up.mjs` measures both ways). The page's worker runs
//! it once, right after the module loads, while the user is still choosing a file (0.1–0.3 s of
//! work; the optimizing compiler then runs in the browser's background threads).
//! The analyzer it builds is dropped; nothing of it is kept or shown.

use crate::analyzer::Analyzer;
use crate::conversations::Kind;

/// Frames of the warm-up capture: enough for every per-frame function of the steps to reach
/// V8's tier-up budget, few enough to take a fraction of a second in the baseline tier.
pub const FRAMES: u64 = 20_000;

/// More runs of the steps the page takes once per capture (findings, marker pings). V8 moves a
/// function to the optimizing tier once it has run a budget of code, and a step run once over
/// the warm-up's frames does not use that up: the capture's own call, which cannot switch
/// tiers while it runs, would then run all its frames in the baseline tier. Chromium 156 with
/// `--js-flags=--trace-wasm-compilation-times`, opening the 1M-frame synthetic capture after
/// the warm-up: 18 functions were optimized after the drop without these rounds (among them
/// the connection attempts' grouping and the findings' text), 16 with one round, 14 with three
/// (what remains is per-stream code, optimized within the first frames, and the marker pings).
const ONCE_PER_CAPTURE_ROUNDS: usize = 3;

/// Runs the warm-up; returns the frames it read (for a test, and for the worker's log).
pub fn warm_up() -> usize {
    let bytes = crate::synth::synthetic_pcap(FRAMES, 42);
    let mut analyzer = Analyzer::new();
    analyzer.set_checksum_validation(true);
    let file = analyzer.begin_file("warm-up.pcap");
    analyzer.expect_bytes(file, bytes.len() as u64);
    for chunk in bytes.chunks(1 << 20) {
        analyzer.push(file, chunk);
    }
    analyzer.end_file(file);
    analyzer.finish();
    let _ = analyzer.summary();
    let _ = analyzer.rows(0, 60);
    let _ = analyzer.findings();
    let _ = crate::findings::markers::find(analyzer.index());
    let _ = crate::plan::recognise::of_analysis(&analyzer);
    let _ = analyzer.apply_filter("tcp.flags.syn == 1 && tcp.flags.ack == 0");
    let _ = analyzer.conversations(Kind::Tcp);
    for _ in 0..ONCE_PER_CAPTURE_ROUNDS {
        let _ = analyzer.findings();
        let _ = crate::findings::markers::find(analyzer.index());
    }
    analyzer.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warm_up_reads_its_whole_capture() {
        assert_eq!(warm_up(), FRAMES as usize);
    }
}
