//! `tracelens packets FILE... [--json] [-Y FILTER]`: one line per frame in Wireshark's summary
//! style (No., Time, Source, Destination, Protocol, Length, Info), or one JSON object per line;
//! with `-Y`, only the frames a Wireshark display filter selects (they keep their numbers).

use super::load::load;
use serde_json::json;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

pub fn run(paths: &[PathBuf], as_json: bool, filter: Option<&str>) -> u8 {
    let (mut analyzer, outcome) = load(paths);
    if let Err(status) = super::frames::apply_filter(&mut analyzer, paths, filter) {
        return status;
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    const BATCH: usize = 4096;
    let mut start = 0;
    while start < analyzer.view_len() {
        for row in analyzer.view_rows(start, BATCH) {
            let line = if as_json {
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
            };
            if writeln!(out, "{line}").is_err() {
                return outcome.exit_code(); // stdout closed (e.g. piped into head)
            }
        }
        start += BATCH;
    }
    let _ = out.flush();
    outcome.exit_code()
}
