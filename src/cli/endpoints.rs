//! `tracelens endpoints FILE... --type eth|ip|ipv6|tcp|udp [--json]`: the endpoint table, as
//! `tshark -q -z endpoints,TYPE` prints it, or with `--json` an array of rows: address, port
//! (null without ports), packets, bytes, tx_packets, tx_bytes, rx_packets, rx_bytes.

use super::tables::{self, Table};
use serde_json::{json, Value};
use std::path::PathBuf;
use tracelens::conversations::{endpoints, endpoints_text, Endpoint};

pub fn run(paths: &[PathBuf], kind: &str, as_json: bool) -> u8 {
    let table = Table {
        noun: "endpoint",
        build: endpoints,
        frames: Endpoint::frames,
        to_json: |_, row| to_json(row),
        to_text: endpoints_text,
    };
    tables::run(paths, kind, as_json, &table)
}

/// One row of `--json`.
pub fn to_json(row: &Endpoint) -> Value {
    json!({
        "address": row.address.to_string(),
        "port": row.port,
        "packets": row.frames(),
        "bytes": row.bytes(),
        "tx_packets": row.tx_frames,
        "tx_bytes": row.tx_bytes,
        "rx_packets": row.rx_frames,
        "rx_bytes": row.rx_bytes,
    })
}
