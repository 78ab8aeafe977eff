//! The packet list, the display filter and the index see the same frame: for every frame of every
//! corpus capture, the filter built from what its packet-list row shows — source and destination
//! address, the transport ports the index keeps, the frame length — selects that frame. A frame
//! that the list shows one way and the filter reads another (a tunnel layer one of them skips, a
//! port taken from a quoted header, a length cut differently) fails here. The details tree is held
//! to the same row by `src/dissect/tests/sweep.rs`.
//!
//! Frames are grouped by what their rows show, so one filter is compiled and run per group.

mod common;

use common::{load, manifest_paths};
use std::collections::BTreeMap;
use std::net::IpAddr;
use tracelens::filter::Filter;

/// A filter clause for one side of a row: `ip.src == 10.0.0.1`, `ipv6.dst == ::1`,
/// `eth.src == 00:11:22:33:44:55`; None for what the column shows otherwise (names, empty).
fn address_clause(side: &str, shown: &str) -> Option<String> {
    match shown.parse::<IpAddr>() {
        Ok(IpAddr::V4(a)) => Some(format!("ip.{side} == {a}")),
        Ok(IpAddr::V6(a)) => Some(format!("ipv6.{side} == {a}")),
        Err(_) => {
            let mac = shown.len() == 17
                && shown.split(':').count() == 6
                && shown
                    .split(':')
                    .all(|b| b.len() == 2 && u8::from_str_radix(b, 16).is_ok());
            // Under a Linux cooked header the sender's address is `sll.src.eth`, not `eth.src`.
            mac.then(|| match side {
                "src" => format!("(eth.src == {shown} || sll.src.eth == {shown})"),
                _ => format!("eth.{side} == {shown}"),
            })
        }
    }
}

#[test]
fn the_packet_list_and_the_filter_see_the_same_frame() {
    let mut checked = 0usize;
    let mut groups = 0usize;
    let mut failures = Vec::new();
    for capture in manifest_paths() {
        let (mut analyzer, bytes) = load(&capture);
        let rows = analyzer.rows(0, analyzer.len());
        // What each row shows → its frames (1-based).
        let mut by_view: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for row in &rows {
            let i = (row.no - 1) as usize;
            let Some(r) = analyzer.index().records.get(i).copied() else {
                continue;
            };
            let mut clauses = vec![format!("frame.len == {}", row.length)];
            clauses.extend(address_clause("src", &row.src));
            clauses.extend(address_clause("dst", &row.dst));
            if r.is_tcp() && !row.protocol.starts_with("ICMP") {
                clauses.push(format!(
                    "tcp.srcport == {} && tcp.dstport == {}",
                    r.src_port, r.dst_port
                ));
            } else if r.is_udp() && !row.protocol.starts_with("ICMP") {
                clauses.push(format!(
                    "udp.srcport == {} && udp.dstport == {}",
                    r.src_port, r.dst_port
                ));
            }
            by_view
                .entry(clauses.join(" && "))
                .or_default()
                .push(row.no);
        }
        for (text, frames) in by_view {
            groups += 1;
            let filter = match Filter::compile(&text) {
                Ok(f) => f,
                Err(e) => {
                    failures.push(format!("{capture}: `{text}` does not compile: {e}"));
                    continue;
                }
            };
            let selected: Vec<u64> = match analyzer.filter_frames(&filter, Some(&bytes)) {
                Ok(v) => v.into_iter().map(|i| u64::from(i) + 1).collect(),
                Err(e) => {
                    failures.push(format!("{capture}: `{text}`: {e}"));
                    continue;
                }
            };
            checked += frames.len();
            let missed: Vec<u64> = frames
                .iter()
                .copied()
                .filter(|no| selected.binary_search(no).is_err())
                .collect();
            if !missed.is_empty() {
                failures.push(format!(
                    "{capture}: frames {:?}{} show `{text}` in the list, but the filter does not select them",
                    &missed[..missed.len().min(8)],
                    if missed.len() > 8 { " …" } else { "" }
                ));
            }
        }
    }
    println!("{checked} frames in {groups} row groups checked against the filter");
    assert!(checked > 17_000, "only {checked} frames checked");
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
