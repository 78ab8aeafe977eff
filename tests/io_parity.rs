//! IO statistics parity with tshark 4.0: for every setting of `tests/goldens/io/settings.tsv`
//! (an interval and its display filters) and every capture with a golden, the table
//! `tracelens io` prints equals `tshark -q -z io,stat,INTERVAL,FILTER…` byte for byte. The
//! captures a setting leaves out (`io/skipped.tsv`: tables of more rows than the generator
//! allows, e.g. a capture whose first frame has no timestamp spans 42 years) are counted, not
//! compared. Regenerate with `bash tests/goldens/generate.sh io`. The one known difference,
//! [`DEVIATIONS`], must still differ (so that a fix removes it from the list).

mod common;

use std::path::Path;
use tracelens::filter::Filter;
use tracelens::io_graph::{iostat, iostat_text};

const GOLDENS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/goldens/io");

/// Captures whose tables differ in every setting, and why.
const DEVIATIONS: &[(&str, &str)] = &[(
    "tcpdump/timestamp_invalid_nano.pcap",
    "nanosecond fields of 1,000,000,000 and 2^31: tshark keeps them as they are (its duration \
     becomes 2.147484 s); the capture layer reads them as the seconds they add up to (1 s)",
)];

struct Setting {
    name: String,
    interval: String,
    filters: Vec<String>,
}

fn settings() -> Vec<Setting> {
    let text =
        std::fs::read_to_string(Path::new(GOLDENS).join("settings.tsv")).expect("settings.tsv");
    text.lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split('\t').collect();
            let filters = cells.get(2).copied().unwrap_or("");
            Setting {
                name: cells[0].to_string(),
                interval: cells[1].to_string(),
                filters: if filters.is_empty() {
                    Vec::new()
                } else {
                    filters.split(',').map(str::to_string).collect()
                },
            }
        })
        .collect()
}

/// Our table for `capture` (path relative to the corpus) with `setting`.
fn ours(capture: &str, setting: &Setting) -> String {
    let (mut analyzer, bytes) = common::load(capture);
    let columns = if setting.filters.is_empty() {
        vec![(None, None)]
    } else {
        setting
            .filters
            .iter()
            .map(|f| {
                let f = f.trim();
                if f.is_empty() {
                    return (None, None);
                }
                let filter = Filter::compile(f).expect("a filter tshark took");
                let frames = analyzer
                    .filter_frames(&filter, Some(&bytes))
                    .expect("evaluates");
                (Some(f.to_string()), Some(frames))
            })
            .collect()
    };
    let interval = iostat::Interval::parse(&setting.interval).expect("interval");
    let stat = iostat::compute(analyzer.index(), interval, columns).expect("within the row limit");
    iostat_text::render(&stat)
}

#[test]
fn io_tables_match_tshark_for_every_capture_and_setting() {
    let captures = common::manifest_paths();
    let mut compared = 0;
    let mut failures = Vec::new();
    for setting in settings() {
        for capture in &captures {
            let golden = Path::new(GOLDENS)
                .join(&setting.name)
                .join(format!("{}.txt", capture.replace('/', "_")));
            let Ok(expected) = std::fs::read_to_string(&golden) else {
                continue;
            };
            let got = ours(capture, &setting);
            if DEVIATIONS.iter().any(|(c, _)| c == capture) {
                assert_ne!(
                    got, expected,
                    "{capture} now matches tshark: drop it from DEVIATIONS"
                );
                continue;
            }
            compared += 1;
            if got != expected {
                failures.push(format!(
                    "{} {capture}:\n--- tshark\n{expected}--- tracelens\n{got}",
                    setting.name
                ));
            }
        }
    }
    eprintln!(
        "io parity: {compared} tables compared, {} differ",
        failures.len()
    );
    assert!(
        compared > 150,
        "only {compared} goldens found under {GOLDENS}"
    );
    assert!(
        failures.is_empty(),
        "{} of {compared} tables differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
