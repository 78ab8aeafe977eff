//! `tracelens endpoints FILE... --type eth|ip|ipv6|tcp|udp [--json]`: the endpoint table, as
//! `tshark -q -z endpoints,TYPE` prints it, or with `--json` an array of rows: address, port
//! (null without ports), packets, bytes, tx_packets, tx_bytes, rx_packets, rx_bytes.

use super::load::load;
use serde_json::{json, Value};
use std::path::PathBuf;
use tracelens::conversations::{endpoints, endpoints_text, tshark_order, Endpoint, Kind};

pub fn run(paths: &[PathBuf], kind: &str, as_json: bool) -> u8 {
    let Some(kind) = Kind::parse(kind) else {
        eprintln!("tracelens: unknown endpoint type {kind:?} (eth, ip, ipv6, tcp or udp)");
        return 2;
    };
    let (analyzer, outcome) = load(paths);
    let rows = endpoints(analyzer.index(), analyzer.flows(), analyzer.tcp(), kind);
    if as_json {
        let array: Vec<Value> = tshark_order(rows.iter().map(Endpoint::frames))
            .into_iter()
            .map(|at| to_json(&rows[at]))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&array).unwrap_or_default()
        );
    } else {
        print!("{}", endpoints_text(kind, &rows));
    }
    outcome.exit_code()
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
