//! `tracelens conv FILE... --type eth|ip|ipv6|tcp|udp [--json]`: the conversation table, as
//! `tshark -q -z conv,TYPE` prints it (rows by frames, descending), or with `--json` an array of
//! rows: a, port_a, b, port_b (null without ports), frames_ab, bytes_ab, frames_ba, bytes_ba,
//! frames, bytes, rel_start, duration (seconds), bps_ab, bps_ba (null when the conversation
//! lasts 5 ms or less) and, for TCP/UDP, stream.

use super::load::load;
use serde_json::{json, Value};
use std::path::PathBuf;
use tracelens::conversations::{
    conversations, conversations_text, tshark_order, Conversation, Kind,
};

pub fn run(paths: &[PathBuf], kind: &str, as_json: bool) -> u8 {
    let Some(kind) = Kind::parse(kind) else {
        eprintln!("tracelens: unknown conversation type {kind:?} (eth, ip, ipv6, tcp or udp)");
        return 2;
    };
    let (analyzer, outcome) = load(paths);
    let rows = conversations(analyzer.index(), analyzer.flows(), analyzer.tcp(), kind);
    if as_json {
        let array: Vec<Value> = tshark_order(rows.iter().map(Conversation::frames))
            .into_iter()
            .map(|at| to_json(kind, &rows[at]))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&array).unwrap_or_default()
        );
    } else {
        print!("{}", conversations_text(kind, &rows));
    }
    outcome.exit_code()
}

/// One row of `--json`.
pub fn to_json(kind: Kind, row: &Conversation) -> Value {
    let (bps_ab, bps_ba) = row.bps();
    let mut value = json!({
        "a": row.a.to_string(),
        "port_a": row.port_a,
        "b": row.b.to_string(),
        "port_b": row.port_b,
        "frames_ab": row.frames_ab,
        "bytes_ab": row.bytes_ab,
        "frames_ba": row.frames_ba,
        "bytes_ba": row.bytes_ba,
        "frames": row.frames(),
        "bytes": row.bytes(),
        "rel_start": row.rel_start(),
        "duration": row.duration(),
        "bps_ab": bps_ab,
        "bps_ba": bps_ba,
    });
    if kind.has_ports() {
        value["stream"] = json!(row.stream);
    }
    value
}
