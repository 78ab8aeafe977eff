//! `tracelens packets FILE... [--json] [-Y FILTER]`: one line per frame in Wireshark's summary
//! style (No., Time, Source, Destination, Protocol, Length, Info), or one JSON object per line;
//! with `-Y`, only the frames a Wireshark display filter selects (they keep their numbers).

use super::load::load;
use super::output::write_lines;
use serde_json::json;
use std::path::PathBuf;

pub fn run(paths: &[PathBuf], as_json: bool, filter: Option<&str>) -> u8 {
    let (mut analyzer, outcome) = load(paths);
    let outcome = match super::frames::apply_filter(&mut analyzer, paths, filter) {
        Ok(filtered) => outcome.worst(filtered),
        Err(status) => return status,
    };
    const BATCH: usize = 4096;
    let batches = (0..analyzer.view_len()).step_by(BATCH);
    let rows = batches.flat_map(|start| analyzer.view_rows(start, BATCH));
    write_lines(rows.map(|row| {
            if as_json {
                json!({
                    "no": row.no, "time": row.time, "src": row.src, "dst": row.dst, "protocol": row.protocol,
                    "length": row.length, "caplen": row.caplen, "info": row.info,
                })
                .to_string()
            } else {
                let arrow = if row.src.is_empty() && row.dst.is_empty() {
                    " "
                } else {
                    "→"
                };
                format!(
                    "{:>7} {:>12.6} {:>15} {arrow} {:<15} {:<8} {:>5} {}",
                    row.no, row.time, row.src, row.dst, row.protocol, row.length, row.info
                )
            }
    }));
    outcome.exit_code()
}
