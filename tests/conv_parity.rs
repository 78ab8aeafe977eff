//! Conversation and endpoint parity with tshark 4.0: for every capture of the corpus and every
//! table type (eth, ip, ipv6, tcp, udp), our rows equal `tshark -q -z conv,TYPE` /
//! `-z endpoints,TYPE` number for number — the text tables byte for byte, and the goldens' JSON
//! (with exact byte counts where tshark's text rounds them) field by field, in tshark's order. A
//! missing golden file means tshark printed no rows, so ours must be empty too. Exceptions: the
//! items listed in PARITY.md (capture, golden, row, field), each of which must still differ.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tracelens::analyzer::Analyzer;
use tracelens::conversations::{
    conversations, conversations_text, endpoints, endpoints_text, tshark_order, Conversation,
    Endpoint, Kind,
};

const CAPTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/captures");
const GOLDENS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/goldens");
const PARITY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/PARITY.md");

type Key = (String, String, String, String);

fn listed_deviations() -> BTreeSet<Key> {
    let text = std::fs::read_to_string(PARITY).unwrap_or_default();
    text.lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            (cells.len() >= 4).then(|| {
                (
                    cells[0].trim_matches('`').to_string(),
                    cells[1].trim_matches('`').to_string(),
                    cells[2].to_string(),
                    cells[3].trim_matches('`').to_string(),
                )
            })
        })
        .collect()
}

/// Every readable capture with goldens (those with frames.tsv).
fn captures() -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::from(GOLDENS)];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n == "frames.tsv") {
                let rel = dir.strip_prefix(GOLDENS).unwrap_or(&dir);
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

fn load(capture: &str) -> Analyzer {
    let bytes = std::fs::read(Path::new(CAPTURES).join(capture)).expect("capture in corpus");
    let mut analyzer = Analyzer::new();
    let file = analyzer.begin_file(capture);
    for chunk in bytes.chunks(64 * 1024) {
        analyzer.push(file, chunk);
    }
    analyzer.end_file(file);
    analyzer.finish();
    analyzer
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Eth => "eth",
        Kind::Ip => "ip",
        Kind::Ipv6 => "ipv6",
        Kind::Tcp => "tcp",
        Kind::Udp => "udp",
    }
}

/// Table rows of a tshark text table (without banner, title, filter and header lines).
fn text_rows(text: &str) -> Vec<&str> {
    text.lines()
        .skip(3)
        .filter(|l| !l.starts_with('=') && !l.contains('|'))
        .collect()
}

/// Compares one field; a difference is recorded unless PARITY.md lists it.
struct Checker<'a> {
    listed: &'a BTreeSet<Key>,
    seen: BTreeSet<Key>,
    differing: Vec<String>,
    compared: usize,
}

impl Checker<'_> {
    fn check(
        &mut self,
        capture: &str,
        golden: &str,
        row: &str,
        field: &str,
        tshark: String,
        ours: String,
    ) {
        self.compared += 1;
        if tshark == ours {
            return;
        }
        let key = (
            capture.to_string(),
            golden.to_string(),
            row.to_string(),
            field.to_string(),
        );
        if self.listed.contains(&key) {
            self.seen.insert(key);
        } else {
            self.differing.push(format!(
                "{capture} {golden} row {row} {field}: tshark {tshark}, ours {ours}"
            ));
        }
    }
}

fn json_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn conversation_fields(row: &Conversation) -> Vec<(&'static str, String)> {
    let port = |p: Option<u16>| p.map_or("null".to_string(), |p| p.to_string());
    vec![
        ("a", row.a.to_string()),
        ("port_a", port(row.port_a)),
        ("b", row.b.to_string()),
        ("port_b", port(row.port_b)),
        ("frames_ba", row.frames_ba.to_string()),
        ("bytes_ba", row.bytes_ba.to_string()),
        ("frames_ab", row.frames_ab.to_string()),
        ("bytes_ab", row.bytes_ab.to_string()),
        ("frames", row.frames().to_string()),
        ("bytes", row.bytes().to_string()),
        ("rel_start", format!("{:.9}", row.rel_start())),
        ("duration", format!("{:.4}", row.duration())),
    ]
}

fn endpoint_fields(row: &Endpoint) -> Vec<(&'static str, String)> {
    vec![
        ("address", row.address.to_string()),
        (
            "port",
            row.port.map_or("null".to_string(), |p| p.to_string()),
        ),
        ("packets", row.frames().to_string()),
        ("bytes", row.bytes().to_string()),
        ("tx_packets", row.tx_frames.to_string()),
        ("tx_bytes", row.tx_bytes.to_string()),
        ("rx_packets", row.rx_frames.to_string()),
        ("rx_bytes", row.rx_bytes.to_string()),
    ]
}

/// A golden JSON number as written (floats compared by their decimal value).
fn golden_cell(value: &Value, ours: &str) -> String {
    match value {
        Value::Number(n) if n.is_f64() => {
            // Same decimal text parses to the same double: compare through our formatting.
            let ours_value: Option<f64> = ours.parse().ok();
            if ours_value == n.as_f64() {
                ours.to_string()
            } else {
                n.to_string()
            }
        }
        other => json_text(other),
    }
}

fn compare_rows(
    checker: &mut Checker<'_>,
    capture: &str,
    golden: &str,
    gold: &[Value],
    ours: Vec<Vec<(&'static str, String)>>,
) {
    checker.check(
        capture,
        golden,
        "-",
        "rows",
        gold.len().to_string(),
        ours.len().to_string(),
    );
    for (n, (g, o)) in gold.iter().zip(&ours).enumerate() {
        for (field, value) in o {
            let Some(gv) = g.get(*field) else { continue };
            if gv.is_null() && (field.starts_with("bytes") || field.ends_with("bytes")) {
                continue; // tshark's text rounded it and the exact value was not derivable
            }
            checker.check(
                capture,
                golden,
                &(n + 1).to_string(),
                field,
                golden_cell(gv, value),
                value.clone(),
            );
        }
    }
}

#[test]
fn conversation_and_endpoint_tables_match_tshark() {
    let listed = listed_deviations();
    let mut checker = Checker {
        listed: &listed,
        seen: BTreeSet::new(),
        differing: Vec::new(),
        compared: 0,
    };
    let captures = captures();
    assert!(!captures.is_empty(), "no goldens found under {GOLDENS}");
    for capture in &captures {
        let analyzer = load(capture);
        let (index, flows, tcp) = (analyzer.index(), analyzer.flows(), analyzer.tcp());
        let dir = Path::new(GOLDENS).join(capture);
        for kind in Kind::ALL {
            let name = kind_name(kind);
            let convs = conversations(index, flows, tcp, kind);
            let eps = endpoints(index, flows, tcp, kind);
            for (golden, ours_text, our_rows) in [
                (
                    format!("conv_{name}"),
                    conversations_text(kind, &convs),
                    tshark_order(convs.iter().map(Conversation::frames))
                        .into_iter()
                        .map(|at| conversation_fields(&convs[at]))
                        .collect::<Vec<_>>(),
                ),
                (
                    format!("endpoints_{name}"),
                    endpoints_text(kind, &eps),
                    tshark_order(eps.iter().map(Endpoint::frames))
                        .into_iter()
                        .map(|at| endpoint_fields(&eps[at]))
                        .collect::<Vec<_>>(),
                ),
            ] {
                let txt = format!("{golden}.txt");
                let gold_text = std::fs::read_to_string(dir.join(&txt)).unwrap_or_default();
                let gold_rows = text_rows(&gold_text);
                let our_text_rows = text_rows(&ours_text);
                checker.check(
                    capture,
                    &txt,
                    "-",
                    "rows",
                    gold_rows.len().to_string(),
                    our_text_rows.len().to_string(),
                );
                for (n, (g, o)) in gold_rows.iter().zip(&our_text_rows).enumerate() {
                    checker.check(
                        capture,
                        &txt,
                        &(n + 1).to_string(),
                        "text",
                        g.to_string(),
                        o.to_string(),
                    );
                }
                let json = format!("{golden}.json");
                let gold_json: Vec<Value> = std::fs::read_to_string(dir.join(&json))
                    .ok()
                    .and_then(|t| serde_json::from_str(&t).ok())
                    .unwrap_or_default();
                compare_rows(&mut checker, capture, &json, &gold_json, our_rows);
            }
        }
    }
    let stale: Vec<_> = listed
        .iter()
        .filter(|k| {
            (k.1.starts_with("conv_") || k.1.starts_with("endpoints_"))
                && !checker.seen.contains(*k)
        })
        .collect();
    assert!(
        checker.differing.is_empty() && stale.is_empty(),
        "{} values compared over {} captures; {} unlisted differences:\n{}\nlisted in PARITY.md but no longer differing: {stale:?}",
        checker.compared,
        captures.len(),
        checker.differing.len(),
        checker.differing.join("\n")
    );
}
