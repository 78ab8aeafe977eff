//! What `conv` and `endpoints` share: the table type given with `--type`, the table built from the
//! loaded files, and its output — tshark's text, or with `--json` the rows in tshark's order
//! (frames, descending) as one JSON array.

use super::load::load;
use super::output::write_text;
use serde_json::Value;
use std::path::PathBuf;
use tracelens::conversations::{tshark_order, Kind};
use tracelens::flows::Flows;
use tracelens::index::PacketIndex;
use tracelens::tcp::TcpAnalysis;

/// One kind of table: what a row is called in errors, how the rows are built, and how they print.
pub struct Table<R> {
    /// `conversation`, `endpoint`.
    pub noun: &'static str,
    pub build: fn(&PacketIndex, &Flows, &TcpAnalysis, Kind) -> Vec<R>,
    pub frames: fn(&R) -> u64,
    pub to_json: fn(Kind, &R) -> Value,
    pub to_text: fn(Kind, &[R]) -> String,
}

/// Prints the `kind` table of the files (exit status 2 for an unknown type).
pub fn run<R>(paths: &[PathBuf], kind: &str, as_json: bool, table: &Table<R>) -> u8 {
    let Some(kind) = Kind::parse(kind) else {
        eprintln!(
            "tracelens: unknown {} type {kind:?} (eth, ip, ipv6, tcp or udp)",
            table.noun
        );
        return 2;
    };
    let (analyzer, outcome) = load(paths);
    let rows = (table.build)(analyzer.index(), analyzer.flows(), analyzer.tcp(), kind);
    if as_json {
        let array: Vec<Value> = tshark_order(rows.iter().map(table.frames))
            .into_iter()
            .map(|at| (table.to_json)(kind, &rows[at]))
            .collect();
        let mut text = serde_json::to_string_pretty(&array).unwrap_or_default();
        text.push('\n');
        write_text(&text);
    } else {
        write_text(&(table.to_text)(kind, &rows));
    }
    outcome.exit_code()
}
