//! `capture_quality`: facts about how the capture was taken that change what it can prove, each
//! with the seed's advice. One finding per issue (`details.issue`):
//! - `drops`: the capture reports packets it dropped (pcapng Interface Statistics Block) — a
//!   warning, since gaps and "missing" packets may then be capture artefacts;
//! - `capture_filter`: an interface was captured with a filter (pcapng `if_filter`) — a note: the
//!   absence of a packet proves nothing outside the filter;
//! - `one_direction`: most TCP connections show only one side although that side acknowledges
//!   the other (ACK flag set) — a warning: asymmetric routing or a one-way mirror port;
//! - `own_traffic_only`: every unicast packet involves one host — a note: the trace was taken on
//!   that host, so other hosts' conversations and its own loopback traffic cannot appear, and one
//!   end's trace cannot tell what the other end received.

use super::render;
use super::text::{self, address};
use super::{Details, Finding, Kind, Severity};
use crate::batched::for_each_batched;
use crate::capture::FileInfo;
use crate::connections::attempts::ACK;
use crate::flows::Flows;
use crate::index::{flag, PacketIndex, PacketRecord};
use std::net::IpAddr;

/// `one_direction` needs at least this many one-way connections, and at least as many one-way as
/// two-way ones.
pub const MIN_ONE_WAY_STREAMS: usize = 2;
/// `own_traffic_only` needs at least this many unicast IP frames and two peers.
pub const MIN_UNICAST_FRAMES: u64 = 10;

pub fn detect(index: &PacketIndex, flows: &Flows, files: &[FileInfo]) -> Vec<Finding> {
    let mut findings = Vec::new();
    findings.extend(drops(files));
    findings.extend(capture_filters(files));
    findings.extend(one_direction(index, flows));
    findings.extend(own_traffic_only(index));
    findings
}

fn interface_label(file: &FileInfo, n: usize, files: usize) -> String {
    let name = file
        .interfaces
        .get(n)
        .and_then(|i| i.name.as_deref())
        .map(|name| text::clean(name, 60))
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| format!("#{n}"));
    if files > 1 {
        format!("{name} ({})", text::clean(&file.name, 80))
    } else {
        name
    }
}

fn drops(files: &[FileInfo]) -> Option<Finding> {
    let mut total = 0u64;
    let mut received = 0u64;
    let mut parts: Vec<String> = Vec::new();
    for file in files {
        for (n, iface) in file.interfaces.iter().enumerate() {
            let Some(stats) = &iface.stats else { continue };
            let dropped = stats
                .dropped_by_interface
                .unwrap_or(0)
                .saturating_add(stats.dropped_by_os.unwrap_or(0));
            received = received.saturating_add(stats.received.unwrap_or(0));
            if dropped > 0 {
                total = total.saturating_add(dropped);
                if parts.len() < 10 {
                    parts.push(render::capture_quality::dropped_on(
                        &interface_label(file, n, files.len()),
                        dropped,
                    ));
                }
            }
        }
    }
    if total == 0 {
        return None;
    }
    let words = render::capture_quality::drops(total, received, &parts);
    Some(
        Finding::worded(Kind::CaptureQuality, Severity::Warning, words).details(
            Details::new()
                .with("issue", "drops")
                .with("dropped", total)
                .with("received", (received > 0).then_some(received))
                .with("interfaces", parts),
        ),
    )
}

fn capture_filters(files: &[FileInfo]) -> Option<Finding> {
    let mut filters: Vec<String> = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    for file in files {
        for (n, iface) in file.interfaces.iter().enumerate() {
            let Some(filter) = iface.filter.as_deref() else {
                continue;
            };
            let filter = text::clean(filter, 200);
            if filter.is_empty() {
                continue;
            }
            if filters.len() < 10 && !filters.contains(&filter) {
                filters.push(filter.clone());
            }
            if labels.len() < 10 {
                labels.push(render::capture_quality::filtered_on(
                    &interface_label(file, n, files.len()),
                    &filter,
                ));
            }
        }
    }
    if filters.is_empty() {
        return None;
    }
    let words = render::capture_quality::capture_filter(&labels);
    Some(
        Finding::worded(Kind::CaptureQuality, Severity::Note, words).details(
            Details::new()
                .with("issue", "capture_filter")
                .with("filters", filters),
        ),
    )
}

fn one_direction(index: &PacketIndex, flows: &Flows) -> Option<Finding> {
    // Per stream: the first sender, the directions seen (bit 0 from the first sender, bit 1 from
    // the other side) and whether a segment had ACK set. Kept apart from `Flows::streams` so the
    // scan touches 12 bytes per stream.
    let mut seen: Vec<((u32, u16), u8, bool)> = vec![((0, 0), 0, false); flows.streams.len()];
    for_each_batched(index.records.indexed(), |(i, r)| {
        if !r.is_tcp() {
            return;
        }
        let Some(sid) = flows.stream_of.get(i) else {
            return;
        };
        let Some(slot) = seen.get_mut(sid as usize) else {
            return;
        };
        let src = (r.src, r.src_port);
        if slot.1 == 0 {
            slot.0 = src;
        }
        slot.1 |= if slot.0 == src { 1 } else { 2 };
        slot.2 |= r.tcp_flags & ACK != 0;
    });
    let mut one_way: Vec<u32> = Vec::new();
    let mut two_way = 0usize;
    for (sid, &(_, dirs, acked)) in seen.iter().enumerate() {
        match dirs {
            3 => two_way += 1,
            1 | 2 if acked => one_way.push(sid as u32),
            _ => {}
        }
    }
    if one_way.len() < MIN_ONE_WAY_STREAMS || one_way.len() < two_way {
        return None;
    }
    let total = one_way.len() + two_way;
    let numbers: Vec<u32> = one_way
        .iter()
        .filter_map(|&sid| flows.streams.get(sid as usize).map(|s| s.number))
        .collect();
    let first_frames: Vec<u32> = one_way
        .iter()
        .filter_map(|&sid| flows.streams.get(sid as usize).map(|s| s.first_frame))
        .collect();
    let words = render::capture_quality::one_direction(
        one_way.len(),
        total,
        first_frames.first().copied().unwrap_or(0),
    );
    // Every one-way stream: the evidence cites each one's first frame, so the filter must select
    // them all.
    let listed: Vec<String> = numbers.iter().map(u32::to_string).collect();
    Some(
        Finding::worded(Kind::CaptureQuality, Severity::Warning, words)
            .evidence(first_frames)
            .filter(format!("tcp.stream in {{{}}}", listed.join(" ")))
            .details(
                Details::new()
                    .with("issue", "one_direction")
                    .with("one_way_streams", one_way.len())
                    .with("two_way_streams", two_way)
                    .with(
                        "streams",
                        numbers.into_iter().take(50).collect::<Vec<u32>>(),
                    ),
            ),
    )
}

/// Broadcast, multicast or unspecified: seen by every host on a switched segment.
fn is_group_address(addr: Option<IpAddr>) -> bool {
    match addr {
        Some(IpAddr::V4(a)) => {
            a.is_multicast() || a.is_broadcast() || a.is_unspecified() || a.octets()[3] == 255
        }
        Some(IpAddr::V6(a)) => a.is_multicast() || a.is_unspecified(),
        None => true,
    }
}

/// Per address id (0 = none): whether it is a group address.
fn group_addresses(index: &PacketIndex) -> Vec<bool> {
    let mut group = vec![true; index.addrs.len() + 1];
    for (id, addr) in index.addrs.iter() {
        if let Some(slot) = group.get_mut(id as usize) {
            *slot = is_group_address(Some(addr));
        }
    }
    group
}

fn is_unicast_ip(group: &[bool], r: &PacketRecord) -> bool {
    let is_group = |id: u32| group.get(id as usize).copied().unwrap_or(true);
    r.has(flag::IPV4 | flag::IPV6)
        && !r.has(flag::TUNNELLED)
        && !is_group(r.dst)
        && !is_group(r.src)
}

fn own_traffic_only(index: &PacketIndex) -> Option<Finding> {
    let group = group_addresses(index);
    let mut candidates: Option<[u32; 2]> = None;
    let mut unicast = 0u64;
    for r in &index.records {
        if !is_unicast_ip(&group, &r) {
            continue;
        }
        unicast += 1;
        candidates = Some(match candidates {
            None => [r.src, r.dst],
            Some(c) => c.map(|a| if a == r.src || a == r.dst { a } else { 0 }),
        });
        if candidates == Some([0, 0]) {
            return None;
        }
    }
    if unicast < MIN_UNICAST_FRAMES {
        return None;
    }
    let [a, b] = candidates?;
    // With both still candidates, every unicast frame is between the same two hosts.
    if a != 0 && b != 0 {
        return None;
    }
    let host = a.max(b);
    let mut is_peer = vec![false; index.addrs.len() + 1];
    for r in &index.records {
        if is_unicast_ip(&group, &r) {
            let peer = if r.src == host { r.dst } else { r.src };
            if let Some(slot) = is_peer.get_mut(peer as usize) {
                *slot = true;
            }
        }
    }
    let peers = is_peer.iter().filter(|&&p| p).count();
    let name = address(index, host);
    let words = render::capture_quality::own_traffic_only(&name);
    Some(
        Finding::worded(Kind::CaptureQuality, Severity::Note, words)
            .filter(text::addr_filter(index, host))
            .details(
                Details::new()
                    .with("issue", "own_traffic_only")
                    .with("host", name)
                    .with("peers", peers)
                    .with("unicast_frames", unicast),
            ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{InterfaceInfo, InterfaceStats};
    use crate::connections::attempts::tests::{index_of, tcp};
    use crate::connections::attempts::SYN;

    fn file_with(stats: Option<InterfaceStats>, filter: Option<&str>) -> FileInfo {
        let mut file = FileInfo::new("x.pcapng");
        let mut iface = InterfaceInfo::new(1, 65535);
        iface.name = Some("eth0\n".into());
        iface.stats = stats;
        iface.filter = filter.map(str::to_string);
        file.interfaces.push(iface);
        file
    }

    #[test]
    fn drops_and_filters_are_reported_zero_drops_are_not() {
        let stats = |d| {
            Some(InterfaceStats {
                received: Some(100),
                dropped_by_interface: Some(d),
                ..InterfaceStats::default()
            })
        };
        let files = [file_with(stats(7), Some("tcp port 443"))];
        let findings = detect(&PacketIndex::default(), &Flows::default(), &files);
        // One interface with 7 drops and a filter, no packets: `drops` + `capture_filter` = 2.
        assert_eq!(findings.len(), 2);
        assert_eq!(findings[0].severity, Severity::Warning);
        // Built: received 100, dropped_by_interface 7 (dropped_by_os unset = 0); the name
        // "eth0\n" is cleaned to "eth0".
        assert_eq!(
            findings[0].verdict,
            "The capture reports 7 packets dropped of 100 received (eth0: 7)."
        );
        assert_eq!(
            findings[1].verdict,
            "The capture was taken with a capture filter: eth0 \"tcp port 443\"."
        );
        let files = [file_with(stats(0), None)];
        assert!(detect(&PacketIndex::default(), &Flows::default(), &files).is_empty());
    }

    #[test]
    fn one_way_connections_are_reported() {
        let s = (2, 80);
        let (index, flows) = index_of(vec![
            tcp(0, (1, 1000), s, 1, 9, ACK, 100),
            tcp(1, (1, 1001), s, 1, 9, ACK, 100),
            tcp(2, (1, 1002), s, 1, 0, SYN, 0),
        ]);
        let f = &one_direction(&index, &flows).unwrap();
        // Three streams (ports 1000, 1001, 1002), none answered: streams 0 and 1 carry ACK set
        // (one-way), stream 2 is a lone SYN (no ACK, not counted); two-way: 0 → 2 of 0 + 2.
        assert_eq!(
            f.verdict,
            "Only one direction was captured for 2 of 2 TCP connections."
        );
        // tcp.stream numbers in order of first frame: ports 1000 → 0, 1001 → 1.
        assert_eq!(f.filter, "tcp.stream in {0 1}");
        // A single one-way connection is not enough.
        let (index, flows) = index_of(vec![tcp(0, (1, 1000), s, 1, 9, ACK, 100)]);
        assert!(one_direction(&index, &flows).is_none());
    }

    #[test]
    fn own_traffic_needs_one_host_in_every_unicast_frame() {
        let mut records = Vec::new();
        for k in 0..10u16 {
            let peer = if k % 2 == 0 { 2 } else { 3 };
            records.push(tcp(i64::from(k), (1, 1000 + k), (peer, 80), 1, 0, SYN, 0));
        }
        let (index, flows) = index_of(records.clone());
        // 10 unicast SYNs, all from address 1 (10.0.0.1) to 10.0.0.2 / 10.0.0.3 alternately:
        // ≥ MIN_UNICAST_FRAMES (10) and two peers. No files and no ACK flags, so this is the
        // only finding.
        let f = &detect(&index, &flows, &[])[0];
        assert!(f
            .verdict
            .starts_with("Every unicast packet in this capture is to or from 10.0.0.1"));
        assert_eq!(f.filter, "ip.addr == 10.0.0.1");
        records.push(tcp(20, (2, 5), (3, 6), 1, 0, SYN, 0));
        let (index, flows) = index_of(records);
        assert!(own_traffic_only(&index).is_none());
        let _ = flows;
    }
}
