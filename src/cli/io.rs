//! `tracelens io FILE… --interval SECONDS [-Y FILTER]… [--json]`: frames and bytes per interval
//! per display filter, the table `tshark -q -z io,stat,SECONDS,FILTER…` prints (tshark 4.0,
//! byte for byte; no filter: one column of every frame; `-Y ""` also names that column).
//! `--json` prints `{"interval": s, "filters": [...], "rows": [{"start": s, "end": s,
//! "frames": [n per filter], "bytes": [n per filter]}]}` with the same rows ("" for a column
//! of every frame; the interval as the rows use it: the capture's duration for interval 0).

use super::frames::CaptureFiles;
use super::load::{load, Outcome};
use super::output::write_text;
use serde_json::json;
use std::path::PathBuf;
use tracelens::analyzer::Analyzer;
use tracelens::filter::Filter;
use tracelens::io_graph::{iostat, iostat_text};

pub fn run(paths: &[PathBuf], interval: &str, filters: &[String], as_json: bool) -> u8 {
    let interval = match iostat::Interval::parse(interval) {
        Ok(interval) => interval,
        Err(message) => {
            eprintln!("tracelens: {message}");
            return 2;
        }
    };
    let (mut analyzer, outcome) = load(paths);
    let (columns, outcome) = match select(&mut analyzer, paths, filters, outcome) {
        Ok(selected) => selected,
        Err(status) => return status,
    };
    let stat = match iostat::compute(analyzer.index(), interval, columns) {
        Ok(stat) => stat,
        Err(message) => {
            eprintln!("tracelens: {message}");
            return 2;
        }
    };
    write_text(&if as_json {
        to_json(&stat)
    } else {
        iostat_text::render(&stat)
    });
    outcome.exit_code()
}

type Columns = Vec<(Option<String>, Option<Vec<u32>>)>;

/// Each filter's text (trimmed, as tshark keeps it; `None` when blank) and the frames it
/// selects. No filter at all: one column of every frame.
fn select(
    analyzer: &mut Analyzer,
    paths: &[PathBuf],
    filters: &[String],
    mut outcome: Outcome,
) -> Result<(Columns, Outcome), u8> {
    if filters.is_empty() {
        return Ok((vec![(None, None)], outcome));
    }
    let files = CaptureFiles::new(paths);
    let mut columns = Vec::new();
    for text in filters {
        let text = text.trim();
        if text.is_empty() {
            columns.push((None, None));
            continue;
        }
        let selected = Filter::compile(text).and_then(|f| analyzer.filter_frames(&f, Some(&files)));
        match selected {
            Ok(frames) => columns.push((Some(text.to_string()), Some(frames))),
            Err(error) => {
                eprintln!("tracelens: invalid display filter:\n{error}");
                return Err(2);
            }
        }
    }
    if files.failed() {
        outcome = outcome.worst(Outcome::Damaged);
    }
    Ok((columns, outcome))
}

fn to_json(stat: &iostat::IoStat) -> String {
    let seconds = |us: u64| us as f64 / 1e6;
    let rows: Vec<_> = stat
        .rows()
        .into_iter()
        .map(|r| json!({"start": seconds(r.start_us), "end": seconds(r.end_us), "frames": r.frames, "bytes": r.bytes}))
        .collect();
    let filters: Vec<&str> = stat
        .columns
        .iter()
        .map(|c| c.filter.as_deref().unwrap_or(""))
        .collect();
    let body = json!({
        "interval": seconds(stat.time_layout().interval_us),
        "filters": filters,
        "rows": rows,
    });
    let mut text = serde_json::to_string_pretty(&body).unwrap_or_default();
    text.push('\n');
    text
}
