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
        alloc_meter::reset_peak();
        stages.push(Stage {
            name,
            kept: now.saturating_sub(mark),
            peak: stage_peak,
        });
        mark = now;
    };
    measure("index", &mut stages);
    let parts = index_parts(analyzer.index());
    let _ = analyzer.flows();
    measure("streams", &mut stages);
    let _ = analyzer.tcp();
    measure("tcp analysis", &mut stages);
    // The findings stage step by step: the most held at once during each step.
    let mut steps: Vec<(&'static str, usize)> = Vec::new();
    let infos = analyzer.file_infos();
    let (index, flows, tcp) = (analyzer.index(), analyzer.flows(), analyzer.tcp());
    let findings =
        tracelens::findings::run_stages(index, flows, tcp, &infos, options, &mut |name| {
            steps.push((name, alloc_meter::peak().saturating_sub(start)));
            alloc_meter::reset_peak();
        });
    measure("findings", &mut stages);
    if let Some(stage) = stages.last_mut() {
        stage.peak = steps.iter().map(|s| s.1).fold(stage.peak, usize::max);
    }
    if analyzer.apply_filter(FILTER).is_ok() {
        measure("filter", &mut stages);
    }
    let frames = analyzer.len();
    let total = alloc_meter::live().saturating_sub(start);
    let peak = stages.iter().map(|s| s.peak).max().unwrap_or(0);
    std::hint::black_box(&findings);
    print(&stages, &parts, &steps, frames, total, peak, json);
    outcome.exit_code()
}

fn per_frame(bytes: usize, frames: usize) -> f64 {
    bytes as f64 / frames.max(1) as f64
}

/// The index's parts (by their own reckoning of their heap bytes): the records and each side
/// table that holds anything.
fn index_parts(index: &tracelens::index::PacketIndex) -> Vec<(&'static str, usize)> {
    let parts = [
        ("records", index.records.heap_bytes()),
        ("addresses", index.addrs.heap_bytes()),
        ("application", index.apps.heap_bytes()),
        ("tcp options", index.tcp_options.heap_bytes()),
        ("sack blocks", index.tcp_sacks.heap_bytes()),
        ("arp", index.arp.heap_bytes()),
        ("outer layers", index.outer_layers.heap_bytes()),
        ("fragments", index.fragments.heap_bytes()),
        ("icmp quotes", index.icmp_quotes.heap_bytes()),
        ("checksums", index.checksums.heap_bytes()),
        ("frame in file", index.file_frame.capacity() * 4),
    ];
    parts.into_iter().filter(|p| p.1 > 0).collect()
}

fn print(
    stages: &[Stage],
    parts: &[(&'static str, usize)],
    steps: &[(&'static str, usize)],
    frames: usize,
    total: usize,
    peak: usize,
    json: bool,
) {
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
            "index_parts": parts
                .iter()
                .map(|(name, bytes)| (name.to_string(), serde_json::json!(bytes)))
                .collect::<serde_json::Map<String, serde_json::Value>>(),
            "findings_step_peaks": steps
                .iter()
                .map(|(name, bytes)| (name.to_string(), serde_json::json!(bytes)))
                .collect::<serde_json::Map<String, serde_json::Value>>(),
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
        if stage.name == "index" {
            for (name, bytes) in parts {
                println!(
                    "  {name:<30} {:>7.1} bytes/frame",
                    per_frame(*bytes, frames)
                );
            }
        }
        if stage.name == "findings" {
            for (name, bytes) in steps {
                println!(
                    "  {name:<30} (peak while made: {:.1})",
                    per_frame(*bytes, frames)
                );
            }
        }
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
