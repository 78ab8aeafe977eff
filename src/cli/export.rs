//! `tracelens export FILE... [-Y FILTER] -o OUT.pcapng`: writes the frames (all, or those a display
//! filter selects) as pcapng, streamed chunk by chunk, with a comment on every frame a finding
//! cites. Exit status as for the other commands: 0 ok, 1 a file was damaged (the frames before
//! the damage are exported), 2 unusable input, a bad filter or an output that cannot be written.

use super::frames::{apply_filter, CaptureFiles};
use super::load::{load_into, Outcome};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use tracelens::analyzer::Analyzer;
use tracelens::export::Export;

pub fn run(paths: &[PathBuf], filter: Option<&str>, out: &Path) -> u8 {
    let mut analyzer = Analyzer::new();
    analyzer.set_checksum_validation(true);
    let (mut analyzer, outcome) = load_into(analyzer, paths);
    if outcome == Outcome::Unusable {
        return outcome.exit_code();
    }
    let outcome = match apply_filter(&mut analyzer, paths, filter) {
        Ok(filtered) => outcome.worst(filtered),
        Err(status) => return status,
    };
    let frames: Vec<u32> = match analyzer.view_frames() {
        Some(frames) => frames.to_vec(),
        None => (0..analyzer.len() as u32).collect(),
    };
    let findings = analyzer.findings();
    let mut export = Export::new(&analyzer, frames, &findings);
    drop(findings);
    match write_all(&mut export, &analyzer, paths, out) {
        Ok(()) => {
            if export.skipped() > 0 {
                eprintln!(
                    "tracelens: {} frames carry no packet (metadata) and were left out",
                    export.skipped()
                );
            }
            outcome.exit_code()
        }
        Err(message) => {
            eprintln!("tracelens: {message}");
            2
        }
    }
}

/// Streams every chunk of `export` into `out`.
fn write_all(
    export: &mut Export,
    analyzer: &Analyzer,
    paths: &[PathBuf],
    out: &Path,
) -> Result<(), String> {
    let name = out.display();
    let mut file = File::create(out).map_err(|e| format!("cannot create {name}: {e}"))?;
    let bytes = CaptureFiles::new(paths);
    while let Some(chunk) = export
        .next_chunk(analyzer, &bytes)
        .map_err(|e| e.to_string())?
    {
        file.write_all(&chunk)
            .map_err(|e| format!("cannot write {name}: {e}"))?;
    }
    file.flush()
        .map_err(|e| format!("cannot write {name}: {e}"))
}
