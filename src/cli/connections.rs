//! `tracelens connections FILE... [--json]`: every TCP connection attempt (a stream that starts
//! with a SYN) with its outcome — established, refused, unanswered, inconclusive,
//! answer_not_captured, syn_ack_not_acknowledged, reset_later, closed_normally
//! ([`Outcome::name`](tracelens::connections::Outcome::name)) — the SYN retransmission count and the handshake timings
//! (SYN → SYN+ACK, SYN+ACK → ACK, first SYN → ACK). `--json` prints one object per line.

use super::load::load;
use super::output::{json_seconds as secs, write_lines};
use serde_json::{json, Value};
use std::path::PathBuf;
use tracelens::connections::{attempts, Attempt};

pub fn run(paths: &[PathBuf], as_json: bool) -> u8 {
    let (analyzer, outcome) = load(paths);
    let list = attempts(analyzer.index(), analyzer.flows());
    let header = (!as_json).then(|| {
        format!(
            "{:>6} {:<47} {:<24} {:>5} {:>10} {:>10} {:>10}",
            "stream", "client -> server", "outcome", "syn+", "syn→synack", "synack→ack", "connect"
        )
    });
    write_lines(header.into_iter().chain(list.iter().map(|a| {
        if as_json {
            to_json(a).to_string()
        } else {
            to_text(a)
        }
    })));
    outcome.exit_code()
}

fn endpoint(addr: Option<std::net::IpAddr>, port: u16) -> String {
    match addr {
        Some(std::net::IpAddr::V6(a)) => format!("[{a}]:{port}"),
        Some(a) => format!("{a}:{port}"),
        None => format!("?:{port}"),
    }
}

/// The `--json` object of one attempt (times in seconds, frames 1-based).
pub fn to_json(a: &Attempt) -> Value {
    json!({
        "stream": a.stream,
        "client": a.client.map(|c| c.to_string()),
        "client_port": a.client_port,
        "server": a.server.map(|s| s.to_string()),
        "server_port": a.server_port,
        "outcome": a.outcome.name(),
        "first_syn_frame": a.first_syn_frame,
        "first_syn_time": a.first_syn_time_ns as f64 / 1e9,
        "syn_retransmissions": a.syn_retransmissions,
        "syn_ack_frame": a.syn_ack_frame,
        "ack_frame": a.ack_frame,
        "syn_to_syn_ack": secs(a.times.syn_to_syn_ack_ns),
        "syn_ack_to_ack": secs(a.times.syn_ack_to_ack_ns),
        "connect": secs(a.times.connect_ns),
        "reset_frame": a.reset_frame,
        "reset_by": a.reset_by,
        "client_fin_frame": a.client_fin_frame,
        "server_fin_frame": a.server_fin_frame,
    })
}

fn ms(ns: Option<i64>) -> String {
    ns.map_or("-".into(), |ns| format!("{:.3}ms", ns as f64 / 1e6))
}

/// The text line of one attempt.
pub fn to_text(a: &Attempt) -> String {
    format!(
        "{:>6} {:<47} {:<24} {:>5} {:>10} {:>10} {:>10}",
        a.stream,
        format!(
            "{} -> {}",
            endpoint(a.client, a.client_port),
            endpoint(a.server, a.server_port)
        ),
        a.outcome.name(),
        a.syn_retransmissions,
        ms(a.times.syn_to_syn_ack_ns),
        ms(a.times.syn_ack_to_ack_ns),
        ms(a.times.connect_ns),
    )
}
