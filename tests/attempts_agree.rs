//! One connection-attempt model: over every capture of `../shared/captures/`, the Connections
//! table (`tracelens connections`, the page's Connections view) and the findings classify every
//! attempt the same way. Every stream `unanswered_syn` reports is `unanswered` in the table and
//! every `unanswered` row is in `unanswered_syn` (same count); likewise `connection_refused` and
//! `refused`. The streams the table used to call `unanswered` while the findings knew better
//! (a client that went on acknowledging an answer the capture missed; a lone SYN too close to the
//! end of the capture or to the client's own RST) are pinned.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use tracelens::analyzer::Analyzer;
use tracelens::connections::attempts::Attempts;
use tracelens::findings::Kind;

fn corpus_dir() -> PathBuf {
    std::env::var_os("TRACELENS_CAPTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures"))
}

/// Every capture file under the corpus folder (relative paths, sorted).
fn captures() -> Vec<String> {
    let root = corpus_dir();
    let mut found = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if let Ok(rel) = path.strip_prefix(&root) {
                let rel = rel.to_string_lossy().into_owned();
                if rel != "MANIFEST.md" && rel != "SHA256SUMS" {
                    found.push(rel);
                }
            }
        }
    }
    found.sort();
    found
}

fn analyze(rel: &str) -> Analyzer {
    let path = corpus_dir().join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut analyzer = Analyzer::new();
    let file = analyzer.begin_file("capture");
    analyzer.push(file, &bytes);
    analyzer.end_file(file);
    analyzer.finish();
    analyzer
}

/// What the findings of `kind` say: the `tcp.stream`s of their evidence frames, the attempts
/// they count (`details.attempts`), and whether every evidence frame is listed.
fn reported(analyzer: &Analyzer, kind: Kind) -> (BTreeSet<u32>, i64, bool) {
    let flows = analyzer.flows();
    let mut streams = BTreeSet::new();
    let mut attempts = 0;
    let mut complete = true;
    for f in analyzer.findings().iter().filter(|f| f.kind == kind) {
        attempts += f
            .details
            .get("attempts")
            .and_then(|d| d.as_i64())
            .expect("details.attempts");
        complete &= f.frames.len() as u64 == f.frames_total;
        for &no in &f.frames {
            let id = flows.stream_of.at((no - 1) as usize);
            streams.insert(flows.streams[id as usize].number);
        }
    }
    (streams, attempts, complete)
}

#[test]
fn the_connections_table_and_the_findings_classify_every_attempt_alike() {
    let files = captures();
    assert!(files.len() >= 100, "corpus: {} files", files.len());
    let mut totals: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut fixed: Vec<(String, u32, &'static str)> = Vec::new();
    let mut failures = Vec::new();
    for rel in &files {
        let analyzer = analyze(rel);
        let rows = analyzer.connection_attempts();
        // The table is a view of the model: one row per attempt, the model's outcome.
        let model = Attempts::collect(analyzer.index(), analyzer.flows());
        let from_model: Vec<(u32, &str)> = model
            .with_outcomes(analyzer.index())
            .map(|(a, o)| (a.stream_number(analyzer.flows()).unwrap(), o.name()))
            .collect();
        let from_table: Vec<(u32, &str)> =
            rows.iter().map(|r| (r.stream, r.outcome.name())).collect();
        if from_model != from_table {
            failures.push(format!(
                "{rel}: table {from_table:?} vs model {from_model:?}"
            ));
        }
        let with = |word: &str| -> BTreeSet<u32> {
            rows.iter()
                .filter(|r| r.outcome.name() == word)
                .map(|r| r.stream)
                .collect()
        };
        for r in &rows {
            *totals.entry(r.outcome.name()).or_default() += 1;
            if matches!(r.outcome.name(), "inconclusive" | "answer_not_captured") {
                fixed.push((rel.clone(), r.stream, r.outcome.name()));
            }
        }
        for (kind, word) in [
            (Kind::UnansweredSyn, "unanswered"),
            (Kind::ConnectionRefused, "refused"),
        ] {
            let table = with(word);
            let (streams, attempts, complete) = reported(&analyzer, kind);
            // Every reported stream is `word` in the table, and as many attempts.
            if !streams.is_subset(&table) {
                failures.push(format!(
                    "{rel}: {kind:?} streams {:?} are not {word} in the table",
                    streams.difference(&table).collect::<Vec<_>>()
                ));
            }
            if attempts != table.len() as i64 {
                failures.push(format!(
                    "{rel}: {kind:?} counts {attempts} attempts, the table {} {word}",
                    table.len()
                ));
            }
            if complete && streams != table {
                failures.push(format!(
                    "{rel}: {word} in the table but not in {kind:?}: {:?}",
                    table.difference(&streams).collect::<Vec<_>>()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The corpus's attempts by outcome (`tracelens connections --json` over every capture).
    let expected: BTreeMap<&str, usize> = [
        ("answer_not_captured", 18),
        ("closed_normally", 71),
        ("established", 85),
        ("inconclusive", 2),
        ("refused", 7),
        ("reset_later", 52),
        ("syn_ack_not_acknowledged", 3),
        ("unanswered", 1988),
    ]
    .into_iter()
    .collect();
    assert_eq!(totals, expected);
    // The streams the table called `unanswered` before it shared the findings' model. tshark:
    // gre-aruba stream 2 is SYN (frame 5), then the client's ACKs of 3251883932 (frames 6–8),
    // the server's direction missing; mixed-vlan-mpls stream 0 likewise (SYN, then ACK,
    // ACK+PSH…); 4in6.pcap holds one SYN and nothing else; syn-then-rst.pcap is a SYN and the
    // client's own RST 0.309 ms later.
    let count = |file: &str, word: &str| {
        fixed
            .iter()
            .filter(|(f, _, w)| f == file && *w == word)
            .count()
    };
    assert_eq!(count("zeek/gre-aruba.pcap", "answer_not_captured"), 17);
    assert_eq!(count("zeek/mixed-vlan-mpls.pcap", "answer_not_captured"), 1);
    assert!(fixed.contains(&("zeek/4in6.pcap".into(), 0, "inconclusive")));
    assert!(fixed.contains(&("zeek/syn-then-rst.pcap".into(), 0, "inconclusive")));
}
