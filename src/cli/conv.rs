//! `tracelens conv FILE... --type eth|ip|ipv6|tcp|udp [--json]`: the conversation table, as
//! `tshark -q -z conv,TYPE` prints it (rows by frames, descending), or with `--json` an array of
//! rows: a, port_a, b, port_b (null without ports), frames_ab, bytes_ab, frames_ba, bytes_ba,
//! frames, bytes, rel_start, duration (seconds), bps_ab, bps_ba (null when the conversation
//! lasts 5 ms or less) and, for TCP/UDP, stream.

use super::tables::{self, Table};
use serde_json::{json, Value};
use std::path::PathBuf;
use tracelens::conversations::{conversations, conversations_text, Conversation, Kind};

pub fn run(paths: &[PathBuf], kind: &str, as_json: bool) -> u8 {
    let table = Table {
        noun: "conversation",
        build: conversations,
        frames: Conversation::frames,
        to_json,
        to_text: conversations_text,
    };
    tables::run(paths, kind, as_json, &table)
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
