//! The packet list, the display filter and the index see the same frame: for every frame of every
//! corpus capture, the filter built from what its packet-list row shows — source and destination
//! address, the transport ports the index keeps, the frame length — selects that frame. A frame
//! that the list shows one way and the filter reads another (a tunnel layer one of them skips, a
//! port taken from a quoted header, a length cut differently) fails here. The details tree is held
//! to the same row here too (addresses, ports, length) and to the filter by its protocol stack:
//! every layer it shows is a protocol the filter finds on the frame, except the differences
//! listed at the end of this file, each with its reason.
//!
//! Frames are grouped by what their rows (or stacks) show, so one filter is compiled and run per
//! group.

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

/// Runs each group's filter (its text → the frames, 1-based, that show it) over the capture
/// and records the frames it does not select; returns how many frames were checked.
fn check_groups(
    capture: &str,
    analyzer: &mut tracelens::analyzer::Analyzer,
    bytes: &common::Memory,
    groups: BTreeMap<String, Vec<u64>>,
    shown: &str,
    failures: &mut Vec<String>,
) -> usize {
    let mut checked = 0;
    for (text, frames) in groups {
        let filter = match Filter::compile(&text) {
            Ok(f) => f,
            Err(e) => {
                failures.push(format!("{capture}: `{text}` does not compile: {e}"));
                continue;
            }
        };
        let selected: Vec<u64> = match analyzer.filter_frames(&filter, Some(bytes)) {
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
                "{capture}: frames {:?}{} show `{text}` {shown}, but the filter does not select them",
                &missed[..missed.len().min(8)],
                if missed.len() > 8 { " …" } else { "" }
            ));
        }
    }
    checked
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
            let Some(r) = analyzer.index().records.get(i) else {
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
        groups += by_view.len();
        checked += check_groups(
            &capture,
            &mut analyzer,
            &bytes,
            by_view,
            "in the list",
            &mut failures,
        );
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

/// The protocol a top-level details layer dissects: the prefix of the first display-filter field
/// under it (`ip.version` → `ip`), or `None` for layers without fields (raw data, "cut" notes).
fn layer_protocol(layer: &tracelens::dissect::Node) -> Option<&'static str> {
    // Layers whose fields do not name Wireshark's protocol: a PPPoE session's fields are
    // `pppoe.*` but its protocol is `pppoes`; a cut IPv6 header may show only `ip.version`.
    const BY_LABEL: &[(&str, &str)] = &[
        ("PPP-over-Ethernet Session", "pppoes"),
        ("PPP-over-Ethernet Discovery", "pppoed"),
        ("Internet Protocol Version 6", "ipv6"),
    ];
    if let Some((_, protocol)) = BY_LABEL.iter().find(|(l, _)| layer.label.starts_with(l)) {
        return Some(protocol);
    }
    fn first_field(node: &tracelens::dissect::Node) -> Option<&'static str> {
        node.field
            .or_else(|| node.children.iter().find_map(first_field))
    }
    // The layer's own fields name it; IPv6 shares `ip.version` with IPv4, so the most common
    // prefix among its direct children decides, the first field under it otherwise.
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for field in layer.children.iter().filter_map(|c| c.field) {
        let prefix = field.split('.').next().unwrap_or(field);
        match counts.iter_mut().find(|(p, _)| *p == prefix) {
            Some((_, n)) => *n += 1,
            None => counts.push((prefix, 1)),
        }
    }
    let best = counts.iter().max_by_key(|(_, n)| *n).map(|(p, _)| *p);
    best.or_else(|| first_field(layer).map(|f| f.split('.').next().unwrap_or(f)))
}

/// The value a details line shows after its name: "Source Port: 443" → "443".
fn shown_value(node: &tracelens::dissect::Node) -> &str {
    let value = node.label.split_once(": ").map_or("", |(_, v)| v);
    value.split(' ').next().unwrap_or(value)
}

/// The last top-level layer of `protocols` and, under it, the value of `field`.
fn innermost<'t>(
    tree: &'t [tracelens::dissect::Node],
    protocols: &[&str],
    field: &str,
) -> Option<&'t str> {
    let layer = tree
        .iter()
        .rev()
        .find(|l| layer_protocol(l).is_some_and(|p| protocols.contains(&p)))?;
    layer
        .children
        .iter()
        .find(|c| c.field == Some(field))
        .map(shown_value)
}

/// For every frame of every corpus capture, the details tree agrees with the packet-list row
/// (innermost source and destination address, the transport ports the index keeps, the frame
/// length) and the display filter selects the frame by the details tree's protocol stack: every
/// layer the tree shows is a protocol the filter finds on the frame, and the filter reads the
/// same frame length.
#[test]
fn the_details_tree_the_packet_list_and_the_filter_see_the_same_frame() {
    let (mut checked, mut failures) = (0usize, Vec::new());
    let mut groups = 0usize;
    for capture in manifest_paths() {
        let (mut analyzer, bytes) = load(&capture);
        let rows = analyzer.rows(0, analyzer.len());
        let mut by_stack: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for row in &rows {
            let Some(at) = analyzer.locate(row.no) else {
                continue;
            };
            let Some(frame) =
                tracelens::filter::FrameBytes::frame_bytes(&bytes, (row.no - 1) as usize, &at)
            else {
                continue;
            };
            let Some(details) = analyzer.details(row.no, &frame) else {
                failures.push(format!("{capture}: frame {} has no details", row.no));
                continue;
            };
            let tree = &details.tree;
            let mut fail = |what: String| failures.push(format!("{capture} #{}: {what}", row.no));
            for (side, field4, field6) in
                [("src", "ip.src", "ipv6.src"), ("dst", "ip.dst", "ipv6.dst")]
            {
                let shown = if side == "src" { &row.src } else { &row.dst };
                if shown.parse::<IpAddr>().is_err() {
                    continue;
                }
                let tree_value = innermost(tree, &["ip", "ipv6"], field4)
                    .or_else(|| innermost(tree, &["ip", "ipv6"], field6));
                if tree_value != Some(shown.as_str()) {
                    fail(format!("list shows {side} {shown}, details {tree_value:?}"));
                }
            }
            let record = analyzer.index().records.at((row.no - 1) as usize);
            if (record.is_tcp() || record.is_udp()) && !row.protocol.starts_with("ICMP") {
                let proto = if record.is_tcp() { "tcp" } else { "udp" };
                let ports = (
                    innermost(tree, &[proto], &format!("{proto}.srcport")),
                    innermost(tree, &[proto], &format!("{proto}.dstport")),
                );
                let want = (record.src_port.to_string(), record.dst_port.to_string());
                if ports != (Some(want.0.as_str()), Some(want.1.as_str())) {
                    fail(format!("index ports {want:?}, details {ports:?}"));
                }
            }
            let multicast_dns = innermost(tree, &["udp"], "udp.srcport")
                .into_iter()
                .chain(innermost(tree, &["udp"], "udp.dstport"))
                .find_map(|port| MULTICAST_DNS.iter().find(|(p, _)| *p == port))
                .map(|(_, protocol)| *protocol);
            let mut stack: Vec<&str> = tree
                .iter()
                .skip(1)
                .filter_map(layer_protocol)
                .map(|p| match (p, multicast_dns) {
                    ("dns", Some(protocol)) => protocol,
                    _ => p,
                })
                .collect();
            stack.sort_unstable();
            stack.dedup();
            let details_only = DETAILS_ONLY
                .iter()
                .filter(|(c, frames, _, _)| *c == capture && frames.contains(&row.no))
                .map(|(_, _, protocol, _)| *protocol);
            let details_only: Vec<&str> = details_only.collect();
            stack.retain(|p| {
                !NOT_FILTER_PROTOCOLS.contains(p)
                    && !PER_SEGMENT_PROTOCOLS.contains(p)
                    && !details_only.contains(p)
            });
            let mut clause = vec![format!("frame.len == {}", row.length)];
            clause.extend(stack.iter().map(|p| p.to_string()));
            by_stack
                .entry(clause.join(" && "))
                .or_default()
                .push(row.no);
        }
        groups += by_stack.len();
        let shown = "as the stack in the details";
        checked += check_groups(
            &capture,
            &mut analyzer,
            &bytes,
            by_stack,
            shown,
            &mut failures,
        );
    }
    println!("{checked} frames in {groups} protocol-stack groups checked against the details tree");

    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures[..failures.len().min(60)].join("\n")
    );
    assert!(checked > 17_000, "only {checked} frames checked");
}

/// Field prefixes of details layers that are not display-filter protocols of their own.
/// `data`: the details tree dissects fewer application protocols than Wireshark, so the raw data
/// layers it shows differ from Wireshark's (`data` there, a protocol here) by design.
const NOT_FILTER_PROTOCOLS: &[&str] = &["data"];

/// DNS-format messages Wireshark dissects as protocols of their own, by UDP port (the details
/// tree shows them as "Domain Name System", with the `dns.*` fields Wireshark uses for them too).
const MULTICAST_DNS: &[(&str, &str)] = &[("5355", "llmnr"), ("5353", "mdns")];

/// Application protocols Wireshark (and so the filter, held to tshark by `tests/filter_parity.rs`)
/// puts on the frame that completes a message after TCP reassembly, and on ports outside its
/// tables only once its heuristics claim the stream; the details tree dissects each segment
/// alone, so it shows them on the segment that starts a message instead.
const PER_SEGMENT_PROTOCOLS: &[&str] = &["http", "tls"];

/// Frames on which the details tree shows a layer that Wireshark does not put there (and the
/// filter, matching tshark, does not either): (capture, frames, protocol, why). The details tree
/// dissects each frame alone; these need what Wireshark knows across frames or its exceptions.
const DETAILS_ONLY: &[(&str, &[u64], &str, &str)] = &[
    (
        "chrissanders/ip_frag_source.pcapng",
        &[1, 4],
        "icmp",
        FIRST_FRAGMENT,
    ),
    (
        "chrissanders/ipv6_fragments.pcapng",
        &[1, 3, 5, 7, 9, 11, 13, 15, 17, 19],
        "icmpv6",
        FIRST_FRAGMENT,
    ),
    ("zeek/fragmented-1.pcap", &[1], "udp", FIRST_FRAGMENT),
    ("zeek/ipv6-fragmented-dns.pcap", &[6], "udp", FIRST_FRAGMENT),
    (
        "ms-netcaps/MS-CCROD_Example1_Win2016_X64_Win10_X64_Domain.cap",
        &[54, 56],
        "udp",
        FIRST_FRAGMENT,
    ),
    (
        "ms-netcaps/MS-WMOD_Example2_WS2016_X64_Win10_X64_Domain_Hagala.cap",
        &[19, 23, 32, 92, 153],
        "tcp",
        TSO,
    ),
    (
        "ms-netcaps/MS-WMOD_Example4_WS2016_X64_Win10_X64_Domain_Hagala.cap",
        &[29],
        "tcp",
        TSO,
    ),
    (
        "zeek/trunc-hdr.pcap",
        &[1],
        "eth",
        "8 bytes captured of the Ethernet header: tshark's `eth` does not match",
    ),
];
const FIRST_FRAGMENT: &str = "a first IP fragment: Wireshark dissects the transport on the fragment that completes the datagram";
const TSO: &str = "IPv6 payload length 0 (segmentation offload): tshark's TCP dissection ends in a malformed-packet exception and `tcp` does not match";
