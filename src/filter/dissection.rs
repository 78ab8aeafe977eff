//! What Wireshark dissects on a frame, as the field readers need it: which record's transport
//! header is dissected (the frame's own, or for the fragment completing an IP datagram the first
//! fragment's), whether the network layer is accepted on its link type, every layer of a
//! tunnelled frame or ICMP error, the DNS, HTTP and TLS messages Wireshark shows on the frame,
//! and the TCP analysis as single-pass tshark prints it. The registry in `fields` is written
//! in terms of these.

use super::context::{is_custom_block, Frame};
use super::deep::IpLayer;
use super::fields::MAX_NUMBERS;
use super::pdus::{self, HttpMessage};
use super::value::{Occurrences, Val};
use crate::decode::app::AppInfo;
use crate::decode::Arp;
use crate::index::{flag, PacketRecord};
use crate::tcp::SegmentAnalysis;
use std::borrow::Cow;
use std::net::IpAddr;

pub(super) type Buf = [i64; MAX_NUMBERS];

pub(super) fn one(buf: &mut Buf, value: i64) -> usize {
    buf[0] = value;
    1
}

pub(super) fn two(buf: &mut Buf, a: i64, b: i64) -> usize {
    buf[0] = a;
    buf[1] = b;
    2
}

/// Pushes up to `MAX_NUMBERS` values.
pub(super) fn many(buf: &mut Buf, values: impl Iterator<Item = i64>) -> usize {
    let mut n = 0;
    for value in values.take(MAX_NUMBERS) {
        buf[n] = value;
        n += 1;
    }
    n
}

/// The link types that force a network protocol (raw IPv4 228, raw IPv6 229): a packet of the
/// other version there is not dissected as IP at all.
pub(super) fn network_ok(f: &Frame<'_>) -> bool {
    match f.link_type() {
        228 => !f.rec.has(flag::IPV6),
        229 => !f.rec.has(flag::IPV4),
        _ => true,
    }
}

pub(super) fn is_ipv4(f: &Frame<'_>) -> bool {
    f.rec.has(flag::IPV4) && network_ok(f)
}

pub(super) fn is_ipv6(f: &Frame<'_>) -> bool {
    f.rec.has(flag::IPV6) && network_ok(f)
}

pub(super) fn is_ethernet(f: &Frame<'_>) -> bool {
    f.link_type() == 1 && f.link().dst.is_some()
}

/// Index of the frame whose transport header Wireshark dissects on frame `f`: the frame
/// itself, or for the fragment completing an IP datagram, the frame with its first fragment.
/// `None` when no transport is dissected (other fragments, IPv6 with payload length 0 as left
/// by segmentation offload, a network layer of the wrong version).
pub(super) fn transport_index(f: &Frame<'_>) -> Option<usize> {
    let r = f.rec;
    if r.has(flag::FRAGMENT) {
        return f
            .data
            .support
            .reassembled
            .get(&(f.i as u32))
            .map(|&head| head as usize);
    }
    if (r.has(flag::IPV6) && r.ip_len() == 0 && !r.long_payload) || !network_ok(f) {
        return None;
    }
    Some(f.i)
}

pub(super) fn transport<'r>(f: &Frame<'r>) -> Option<PacketRecord> {
    // Nearly always the frame itself, whose record is already read.
    match transport_index(f)? {
        i if i == f.i => Some(*f.rec),
        i => f.data.index.records.get(i),
    }
}

/// The TCP header was read (at least its fixed part).
pub(super) fn tcp_record<'r>(f: &Frame<'r>) -> Option<PacketRecord> {
    transport(f).filter(|t| t.is_tcp())
}

/// TCP ports are known: a TCP header, or one cut short after the ports.
pub(super) fn tcp_ports<'r>(f: &Frame<'r>) -> Option<PacketRecord> {
    transport(f).filter(|t| t.ip_proto == 6 && (t.is_tcp() || t.has(flag::PORTS_ONLY)))
}

pub(super) fn udp_ports<'r>(f: &Frame<'r>) -> Option<PacketRecord> {
    transport(f).filter(|t| t.ip_proto == 17 && (t.is_udp() || t.has(flag::PORTS_ONLY)))
}

pub(super) fn icmp_record<'r>(f: &Frame<'r>) -> Option<PacketRecord> {
    transport(f).filter(|t| t.is_icmp())
}

pub(super) fn icmpv6_record<'r>(f: &Frame<'r>) -> Option<PacketRecord> {
    transport(f).filter(|t| t.is_icmpv6())
}

pub(super) fn is_tcp_present(f: &Frame<'_>) -> bool {
    match f.deep() {
        Some(deep) => !deep.tcp.is_empty(),
        None => tcp_ports(f).is_some(),
    }
}

pub(super) fn is_udp_present(f: &Frame<'_>) -> bool {
    match f.deep() {
        Some(deep) => !deep.udp.is_empty(),
        None => udp_ports(f).is_some(),
    }
}

pub(super) fn is_icmp_present(f: &Frame<'_>, v6: bool) -> bool {
    match f.deep() {
        Some(deep) => deep.icmp.iter().any(|&(is_v6, _, _)| is_v6 == v6),
        None if v6 => icmpv6_record(f).is_some(),
        None => icmp_record(f).is_some(),
    }
}

pub(super) fn ipv4_of(f: &Frame<'_>, id: u32) -> Option<u32> {
    f.data.support.ipv4.get(id)
}

pub(super) fn ipv6_of(f: &Frame<'_>, id: u32) -> Option<u128> {
    match f.addr(id)? {
        IpAddr::V6(a) => Some(u128::from(a)),
        IpAddr::V4(_) => None,
    }
}

/// IP header values of one version (IPv6 when `v6`), one per layer of that version: from every
/// layer of a tunnelled frame or ICMP error, else from the record.
pub(super) fn ip_numbers(
    f: &Frame<'_>,
    buf: &mut Buf,
    v6: bool,
    deep: fn(&IpLayer) -> i64,
    record: fn(&Frame<'_>) -> i64,
) -> usize {
    if let Some(d) = f.deep() {
        return many(buf, d.ip.iter().filter(|l| l.v6 == v6).map(deep));
    }
    let present = if v6 { is_ipv6(f) } else { is_ipv4(f) };
    if present {
        one(buf, record(f))
    } else {
        0
    }
}

pub(super) fn v4_bits(address: IpAddr) -> i64 {
    match address {
        IpAddr::V4(a) => i64::from(u32::from(a)),
        IpAddr::V6(_) => 0,
    }
}

pub(super) fn v6_bits(address: IpAddr) -> u128 {
    match address {
        IpAddr::V6(a) => u128::from(a),
        IpAddr::V4(_) => 0,
    }
}

/// IPv4 addresses: `src`, `dst`, or both (source first), per layer.
pub(super) fn ipv4_addresses(f: &Frame<'_>, buf: &mut Buf, src: bool, dst: bool) -> usize {
    if let Some(d) = f.deep() {
        let pairs = d.ip.iter().filter(|l| !l.v6).flat_map(|l| {
            let s = src.then_some(v4_bits(l.src));
            let t = dst.then_some(v4_bits(l.dst));
            s.into_iter().chain(t)
        });
        return many(buf, pairs);
    }
    if !is_ipv4(f) {
        return 0;
    }
    match (ipv4_of(f, f.rec.src), ipv4_of(f, f.rec.dst)) {
        (Some(s), Some(d)) if src && dst => two(buf, i64::from(s), i64::from(d)),
        (Some(s), _) if src => one(buf, i64::from(s)),
        (_, Some(d)) if dst => one(buf, i64::from(d)),
        _ => 0,
    }
}

pub(super) fn ipv6_addresses<'r>(f: &Frame<'r>, out: &mut Occurrences<'r>, src: bool, dst: bool) {
    if let Some(d) = f.deep() {
        for (layer, l) in d.ip.iter().filter(|l| l.v6).enumerate() {
            let layer = u8::try_from(layer + 1).unwrap_or(u8::MAX);
            if src {
                out.push_layer(Val::Ipv6(v6_bits(l.src)), layer);
            }
            if dst {
                out.push_layer(Val::Ipv6(v6_bits(l.dst)), layer);
            }
        }
        return;
    }
    if !is_ipv6(f) {
        return;
    }
    if let (true, Some(a)) = (src, ipv6_of(f, f.rec.src)) {
        out.push(Val::Ipv6(a));
    }
    if let (true, Some(a)) = (dst, ipv6_of(f, f.rec.dst)) {
        out.push(Val::Ipv6(a));
    }
}

/// IPv4 total length; 0 in the header (segmentation offload) means "the rest of the frame", as
/// Wireshark reads it.
pub(super) fn ipv4_total_length(f: &Frame<'_>) -> i64 {
    if f.rec.ip_len() != 0 {
        return i64::from(f.rec.ip_len());
    }
    let from_bytes = f
        .bytes()
        .and_then(|b| crate::wire::link::decode_link(f.link_type(), b));
    if let Some(info) = from_bytes {
        let end = info.end.map_or(i64::from(f.rec.orig_len), |end| end as i64);
        return end.saturating_sub(info.offset as i64);
    }
    let link_header = match f.link_type() {
        1 => 14 + if f.link().vlan.is_some() { 4 } else { 0 },
        0 | 108 => 4,
        113 => 16,
        276 => 20,
        _ => 0,
    };
    i64::from(f.rec.orig_len).saturating_sub(link_header)
}

pub(super) fn ethernet_pairs<'r>(f: &Frame<'r>, out: &mut Occurrences<'r>, src: bool, dst: bool) {
    if let Some(d) = f.deep() {
        for (layer, &(s, t)) in d.eth.iter().enumerate() {
            let layer = u8::try_from(layer + 1).unwrap_or(u8::MAX);
            if dst {
                out.push_layer(Val::Ether(t), layer);
            }
            if src {
                out.push_layer(Val::Ether(s), layer);
            }
        }
        return;
    }
    if !is_ethernet(f) {
        return;
    }
    let link = f.link();
    if let (true, Some(mac)) = (dst, link.dst) {
        out.push(Val::Ether(mac));
    }
    if let (true, Some(mac)) = (src, link.src) {
        out.push(Val::Ether(mac));
    }
}

/// `sll.src.eth`: the sender's address of a Linux cooked header (v1 or v2), present when the
/// header holds a 6-byte Ethernet or loopback address, as Wireshark shows it.
pub(super) fn sll_source<'r>(f: &Frame<'r>, out: &mut Occurrences<'r>) {
    if matches!(f.link_type(), 113 | 276) {
        if let Some(mac) = f.link().src {
            out.push(Val::Ether(mac));
        }
    }
}

/// Ports of every TCP (or UDP) header: `which` 0 = source, 1 = destination, 2 = both.
pub(super) fn port_numbers(f: &Frame<'_>, buf: &mut Buf, udp: bool, which: u8) -> usize {
    let pick = |(s, d): (u16, u16)| -> [Option<i64>; 2] {
        match which {
            0 => [Some(i64::from(s)), None],
            1 => [Some(i64::from(d)), None],
            _ => [Some(i64::from(s)), Some(i64::from(d))],
        }
    };
    if let Some(d) = f.deep() {
        return if udp {
            many(
                buf,
                d.udp.iter().flat_map(|&(s, t, _)| pick((s, t))).flatten(),
            )
        } else {
            many(buf, d.tcp.iter().flat_map(|&p| pick(p)).flatten())
        };
    }
    let record = if udp { udp_ports(f) } else { tcp_ports(f) };
    match record {
        Some(t) => many(buf, pick((t.src_port, t.dst_port)).into_iter().flatten()),
        None => 0,
    }
}

pub(super) fn tcp_flag(f: &Frame<'_>, buf: &mut Buf, bit: u8) -> usize {
    match (tcp_record(f), quoted_tcp(f)) {
        (Some(t), _) => one(buf, i64::from(t.tcp_flags & bit != 0)),
        (None, Some(q)) => one(buf, i64::from(q.tcp_flags & bit != 0)),
        (None, None) => 0,
    }
}

/// A TCP header quoted in an ICMP error, when its flags byte was captured (Wireshark
/// dissects it, flags included).
fn quoted_tcp<'r>(f: &Frame<'r>) -> Option<&'r crate::decode::IcmpQuote> {
    let quote = f.data.index.icmp_quotes.get(f.i as u32)?;
    (quote.ip_proto == 6 && quote.captured >= 14).then_some(quote)
}

/// A numeric TCP header field of the dissected TCP header.
pub(super) fn tcp_number(f: &Frame<'_>, buf: &mut Buf, read: fn(&PacketRecord) -> i64) -> usize {
    match tcp_record(f) {
        Some(t) => one(buf, read(&t)),
        None => 0,
    }
}

/// The application label Wireshark would see on this frame (on the completing fragment for a
/// reassembled datagram).
pub(super) fn app<'r>(f: &Frame<'r>) -> Option<&'r AppInfo> {
    let i = transport_index(f)?;
    // Nearly always the frame itself, whose record is already read.
    let has_app = if i == f.i {
        f.rec.has(flag::HAS_APP)
    } else {
        f.data.index.records.get(i)?.has(flag::HAS_APP)
    };
    if !has_app {
        return None;
    }
    f.data.index.apps.get(i as u32)
}

/// DNS messages of the frame: its own, or (tunnels, ICMP errors, reassembled datagrams) any a
/// UDP layer carries.
pub(super) fn dns_messages<'r>(f: &Frame<'r>) -> Vec<Cow<'r, AppInfo>> {
    if let Some(d) = f.deep() {
        return d.dns.iter().map(Cow::Borrowed).collect();
    }
    match app(f) {
        Some(a @ AppInfo::Dns { .. }) => vec![Cow::Borrowed(a)],
        _ => Vec::new(),
    }
}

/// The first DNS message of a frame that is not layered (the fast path).
pub(super) fn dns<'r>(f: &Frame<'r>) -> Option<&'r AppInfo> {
    app(f).filter(|a| matches!(a, AppInfo::Dns { .. }))
}

pub(super) fn dns_number(f: &Frame<'_>, buf: &mut Buf, read: fn(&AppInfo) -> Option<i64>) -> usize {
    if f.is_layered() {
        return many(buf, dns_messages(f).iter().filter_map(|m| read(m)));
    }
    match dns(f).and_then(read) {
        Some(v) => one(buf, v),
        None => 0,
    }
}

/// Which DNS-family protocol Wireshark puts on the frame: `mdns` on 5353, `llmnr` on 5355.
pub(super) fn dns_family(f: &Frame<'_>) -> Option<&'static str> {
    if f.is_layered() {
        return (!dns_messages(f).is_empty()).then_some("dns");
    }
    dns(f)?;
    let t = transport(f)?;
    let ports = [t.src_port, t.dst_port];
    Some(if ports.contains(&5353) {
        "mdns"
    } else if ports.contains(&5355) {
        "llmnr"
    } else {
        "dns"
    })
}

/// A reverse-ARP frame (EtherType 0x8035), which Wireshark dissects as `arp`. The index does
/// not record it, so frames without a network layer are checked in their bytes.
pub(super) fn is_rarp(f: &Frame<'_>) -> bool {
    if f.rec.has(flag::IPV4) || f.rec.has(flag::IPV6) || f.rec.has(flag::ARP) {
        return false;
    }
    f.bytes()
        .and_then(|bytes| crate::wire::link::decode_link(f.link_type(), bytes))
        .is_some_and(|info| info.ether_type == 0x8035)
}

/// The ARP message of the frame: from the index, or for reverse ARP (not in the index) read
/// from the bytes.
/// `arp.src.hw_mac` (the sender's, when `sender`) or `arp.dst.hw_mac`.
pub(super) fn arp_mac<'r>(f: &Frame<'r>, out: &mut Occurrences<'r>, sender: bool) {
    if let Some(arp) = arp_message(f) {
        out.push(Val::Ether(if sender {
            arp.sender_mac
        } else {
            arp.target_mac
        }));
    }
}

/// `arp.src.proto_ipv4` (the sender's, when `sender`) or `arp.dst.proto_ipv4`.
pub(super) fn arp_ipv4(f: &Frame<'_>, buf: &mut Buf, sender: bool) -> usize {
    match arp_message(f) {
        Some(arp) => {
            let address = if sender { arp.sender_ip } else { arp.target_ip };
            one(buf, i64::from(u32::from_be_bytes(address)))
        }
        None => 0,
    }
}

pub(super) fn arp_message(f: &Frame<'_>) -> Option<Arp> {
    if let Some(arp) = f.data.index.arp.get(f.i as u32) {
        return Some(*arp);
    }
    if !is_rarp(f) {
        return None;
    }
    let bytes = f.bytes()?;
    let start = crate::wire::link::decode_link(f.link_type(), bytes)?.offset;
    let arp = crate::wire::arp::ArpPacket::new(bytes.get(start..)?).ok()?;
    Some(Arp::of(&arp))
}

/// The timestamp `frame.time_delta` counts from: the previous frame's, where a custom block
/// (which has no time of its own) carries the time of the frame before it, as wiretap leaves it;
/// 0 before the first frame.
pub(super) fn previous_ts(f: &Frame<'_>) -> i64 {
    let index = f.data.index;
    (0..f.i)
        .rev()
        .take(1024)
        .map(|i| index.records.at(i))
        .find(|r| !is_custom_block(index.link_type_of(r)))
        .map_or(0, |r| r.ts_ns)
}

/// An HTTP message as the fields read it: from the reassembled messages, or from the index's
/// label of the segment.
pub(super) enum HttpView<'r> {
    Request {
        method: &'r str,
        uri: &'r str,
        version: &'r str,
        host: Option<&'r str>,
    },
    Response {
        code: u16,
        reason: &'r str,
    },
}

/// The HTTP messages Wireshark shows on this frame.
pub(super) fn http_messages<'r>(f: &Frame<'r>) -> Vec<HttpView<'r>> {
    if let Some(pdus) = f.data.pdus {
        let messages = pdus.http.get(&(f.i as u32)).map_or(&[][..], Vec::as_slice);
        return messages
            .iter()
            .map(|m| match m {
                HttpMessage::Request {
                    method,
                    uri,
                    version,
                    host,
                } => HttpView::Request {
                    method,
                    uri,
                    version,
                    host: host.as_deref(),
                },
                HttpMessage::Response { code, reason, .. } => HttpView::Response {
                    code: *code,
                    reason,
                },
            })
            .collect();
    }
    match http(f) {
        Some(AppInfo::HttpRequest {
            method,
            uri,
            version,
            host,
        }) => vec![HttpView::Request {
            method,
            uri,
            version,
            host: host.as_deref(),
        }],
        Some(AppInfo::HttpResponse { code, reason, .. }) => vec![HttpView::Response {
            code: *code,
            reason,
        }],
        _ => Vec::new(),
    }
}

/// The application label, if the frame's ports are ones Wireshark hands to that protocol.
pub(super) fn app_on_port<'r>(f: &Frame<'r>, ports: &[u16]) -> Option<&'r AppInfo> {
    let t = transport(f)?;
    if !(ports.contains(&t.src_port) || ports.contains(&t.dst_port)) {
        return None;
    }
    app(f)
}

pub(super) fn http<'r>(f: &Frame<'r>) -> Option<&'r AppInfo> {
    app_on_port(f, &pdus::HTTP_PORTS).filter(|a| {
        matches!(
            a,
            AppInfo::HttpRequest { .. } | AppInfo::HttpResponse { .. }
        )
    })
}

pub(super) fn tls<'r>(f: &Frame<'r>) -> Option<&'r AppInfo> {
    app_on_port(f, &pdus::TLS_PORTS).filter(|a| matches!(a, AppInfo::Tls { .. }))
}

pub(super) fn is_icmp_echo_like(icmp_type: u16) -> bool {
    matches!(icmp_type, 0 | 8 | 13 | 14 | 15 | 16 | 17 | 18)
}

/// Whether Wireshark's sequence analysis ran on the frame's TCP header (its own segment, not
/// one quoted in an ICMP error or completing a reassembled datagram).
pub(super) fn is_analysed(f: &Frame<'_>) -> bool {
    f.data
        .tcp
        .is_some_and(|t| t.segment_bits(f.i).has(crate::tcp::bit::ANALYSED))
}

/// Relative sequence and acknowledgment numbers as single-pass tshark shows them: relative to
/// the base each direction had when the frame was dissected (raw where the analysis did not
/// run; the ack is raw without the ACK flag).
pub(super) fn relative_seq_ack(f: &Frame<'_>) -> Option<(u32, u32)> {
    let t = tcp_record(f)?;
    let (Some(tcp), Some(stream), Some(id)) = (f.data.tcp, f.stream(), f.stream_id()) else {
        // Without the analysis: the flows' bases.
        return Some(match f.stream() {
            Some(stream) => stream.relative(&t, f.ends(stream).direction_of(&t)),
            None => (t.seq, t.ack),
        });
    };
    if !tcp.segment_bits(f.i).has(crate::tcp::bit::ANALYSED) {
        return Some((t.seq, t.ack));
    }
    let dir = f.ends(stream).direction_of(&t);
    let base = |d: usize| {
        tcp.value_before_change(id as u32, d, crate::tcp::Changed::Base, f.i as u32)
            .unwrap_or(stream.base_seq(d).unwrap_or(0))
    };
    let seq = t.seq.wrapping_sub(base(dir));
    let ack = if t.tcp_flags & 0x10 != 0 {
        t.ack.wrapping_sub(base(1 - dir))
    } else {
        t.ack
    };
    Some((seq, ack))
}

/// The TCP analysis of the frame, when it is shown (Wireshark prints the analysis).
pub(super) fn analysis(f: &Frame<'_>) -> Option<SegmentAnalysis> {
    let segment = f.data.tcp?.segment(f.i);
    segment.shown().then_some(segment)
}

pub(super) fn analysis_flag(f: &Frame<'_>, bits: u16) -> bool {
    let segment = f.data.tcp.map(|tcp| tcp.segment_bits(f.i));
    segment.is_some_and(|s| s.shown() && s.flags() & bits != 0)
}
