//! `tracelens findings --memory FILE...`: what the whole analysis keeps in memory, stage by
//! stage, in bytes and bytes per frame — the index (records and side tables), the streams, the
//! TCP analysis, the findings, and a display filter applied as the page applies one (its support
//! tables and the selected frames) — and the peak while building them. The page's ceiling is
//! wasm32's 4 GiB, so bytes per frame decides the largest capture it opens. Measured exactly by
//! counting the heap ([`super::alloc_meter`]), not estimated per type. `--json` prints the same
//! figures as one object.

use super::alloc_meter;
use super::load::{load_into, Outcome};
use std::path::PathBuf;
use tracelens::analyzer::Analyzer;
use tracelens::findings::Options;

/// The display filter applied for the filter stage: one that selects most frames of a typical
/// capture, as a user's first filter does.
const FILTER: &str = "tcp";

/// One stage's figures.
struct Stage {
    name: &'static str,
    /// Heap bytes the stage added and keeps.
    kept: usize,
    /// The most the whole analysis held at once while this stage was built.
    peak: usize,
}

pub fn run(paths: &[PathBuf], options: &Options, json: bool) -> u8 {
    let start = alloc_meter::live();
    alloc_meter::reset_peak();
    let mut peak = 0;
    let mut analyzer = Analyzer::new();
    analyzer.set_checksum_validation(true);
    let (mut analyzer, outcome) = load_into(analyzer, paths);
    if outcome == Outcome::Unusable {
        return outcome.exit_code();
    }
    let mut stages = Vec::new();
    let mut mark = start;
    let mut measure = |name: &'static str, stages: &mut Vec<Stage>| {
        let now = alloc_meter::live();
        let stage_peak = alloc_meter::peak().saturating_sub(start);
        peak = peak.max(stage_peak);
        alloc_meter::reset_peak();
        stages.push(Stage {
            name,
            kept: now.saturating_sub(mark),
            peak: stage_peak,
        });
        mark = now;
    };
    measure("index", &mut stages);
    let _ = analyzer.flows();
    measure("streams", &mut stages);
    let _ = analyzer.tcp();
    measure("tcp analysis", &mut stages);
    let findings = analyzer.findings_with(options);
    measure("findings", &mut stages);
    if analyzer.apply_filter(FILTER).is_ok() {
        measure("filter", &mut stages);
    }
    let frames = analyzer.len();
    let total = alloc_meter::live().saturating_sub(start);
    std::hint::black_box(&findings);
    print(&stages, frames, total, peak, json);
    outcome.exit_code()
}

fn per_frame(bytes: usize, frames: usize) -> f64 {
    bytes as f64 / frames.max(1) as f64
}

fn print(stages: &[Stage], frames: usize, total: usize, peak: usize, json: bool) {
    if json {
        let kept: serde_json::Map<String, serde_json::Value> = stages
            .iter()
            .map(|s| (s.name.to_string(), serde_json::json!(s.kept)))
            .collect();
        let peaks: serde_json::Map<String, serde_json::Value> = stages
            .iter()
            .map(|s| (s.name.to_string(), serde_json::json!(s.peak)))
            .collect();
        let value = serde_json::json!({
            "frames": frames,
            "stages": kept,
            "stage_peaks": peaks,
            "total_bytes": total,
            "bytes_per_frame": per_frame(total, frames),
            "peak_bytes": peak,
            "filter": FILTER,
        });
        println!("{value}");
        return;
    }
    println!("frames: {frames}");
    for stage in stages {
        println!(
            "{:<13} {:>14} bytes  {:>7.1} bytes/frame   (peak while built: {:.1})",
            stage.name,
            stage.kept,
            per_frame(stage.kept, frames),
            per_frame(stage.peak, frames)
        );
    }
    println!(
        "{:<13} {:>14} bytes  {:>7.1} bytes/frame (the filter stage: `{FILTER}`)",
        "whole",
        total,
        per_frame(total, frames)
    );
    println!(
        "{:<13} {:>14} bytes  {:>7.1} bytes/frame (the most held at once while building)",
        "peak",
        peak,
        per_frame(peak, frames)
    );
}
