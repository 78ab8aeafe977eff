//! Conversations and endpoints for Ethernet, IPv4, IPv6, TCP and UDP, counted the way
//! Wireshark 4.0's conversation taps count them (`tshark -z conv,TYPE` / `-z endpoints,TYPE`).
//!
//! Every tapped layer of every frame counts once: each Ethernet header (outer and inside
//! tunnels), each IP header (outer and inner; not the copy quoted inside an ICMP error), each TCP
//! header that Wireshark dissected completely and each UDP header (a tunnel's too). Bytes are
//! the frame's length on the wire. A conversation's A side is the source of its first frame;
//! TCP and UDP conversations are also keyed by stream, so reused ports give separate rows.
//! Rows come in first-seen order; [`tshark_order`] sorts them like tshark's text output.

use crate::decode::OuterLayer;
use crate::flows::{Flows, NO_STREAM};
use crate::index::{flag, PacketIndex};
use crate::tcp::TcpAnalysis;
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;
use std::fmt;
use std::net::IpAddr;

/// Which table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Eth,
    Ip,
    Ipv6,
    Tcp,
    Udp,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Eth, Kind::Ip, Kind::Ipv6, Kind::Tcp, Kind::Udp];

    /// The name tshark prints ("Ethernet", "IPv4", …).
    pub fn title(self) -> &'static str {
        match self {
            Kind::Eth => "Ethernet",
            Kind::Ip => "IPv4",
            Kind::Ipv6 => "IPv6",
            Kind::Tcp => "TCP",
            Kind::Udp => "UDP",
        }
    }

    pub fn has_ports(self) -> bool {
        matches!(self, Kind::Tcp | Kind::Udp)
    }

    pub fn parse(name: &str) -> Option<Kind> {
        match name {
            "eth" => Some(Kind::Eth),
            "ip" | "ipv4" => Some(Kind::Ip),
            "ipv6" => Some(Kind::Ipv6),
            "tcp" => Some(Kind::Tcp),
            "udp" => Some(Kind::Udp),
            _ => None,
        }
    }
}

/// A conversation endpoint's address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Address {
    Mac([u8; 6]),
    Ip(IpAddr),
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Mac(m) => write!(
                f,
                "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                m[0], m[1], m[2], m[3], m[4], m[5]
            ),
            Address::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

impl Serialize for Address {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One tapped layer of a frame: source and destination (with ports for TCP/UDP) and the
/// stream for TCP/UDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tap {
    pub src: Address,
    pub src_port: Option<u16>,
    pub dst: Address,
    pub dst_port: Option<u16>,
    pub stream: Option<u32>,
}

/// One row of a conversation table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conversation {
    pub a: Address,
    pub port_a: Option<u16>,
    pub b: Address,
    pub port_b: Option<u16>,
    /// tcp.stream / udp.stream for TCP and UDP.
    pub stream: Option<u32>,
    pub frames_ab: u64,
    pub bytes_ab: u64,
    pub frames_ba: u64,
    pub bytes_ba: u64,
    /// Nanoseconds relative to the first frame of the capture.
    pub start_ns: i64,
    pub stop_ns: i64,
    /// 0-based index of the first frame.
    pub first_frame: u32,
}

impl Conversation {
    pub fn frames(&self) -> u64 {
        self.frames_ab + self.frames_ba
    }
    pub fn bytes(&self) -> u64 {
        self.bytes_ab + self.bytes_ba
    }
    /// Relative start in seconds, as tshark computes it.
    pub fn rel_start(&self) -> f64 {
        nstime_to_sec(self.start_ns)
    }
    /// Duration in seconds (stop − start, as a difference of the two seconds values).
    pub fn duration(&self) -> f64 {
        nstime_to_sec(self.stop_ns) - nstime_to_sec(self.start_ns)
    }
    /// Bits per second A→B and B→A, as Wireshark's Conversations dialog shows them: only for
    /// conversations lasting more than 5 ms, truncated to whole bits.
    pub fn bps(&self) -> (Option<u64>, Option<u64>) {
        let duration = self.duration();
        if duration > 0.005 {
            (
                Some((self.bytes_ab as f64 * 8.0 / duration) as u64),
                Some((self.bytes_ba as f64 * 8.0 / duration) as u64),
            )
        } else {
            (None, None)
        }
    }
}

/// Seconds from nanoseconds as Wireshark's `nstime_to_sec` computes them (whole seconds plus
/// the fraction, both with the sign of the value).
fn nstime_to_sec(ns: i64) -> f64 {
    (ns / 1_000_000_000) as f64 + (ns % 1_000_000_000) as f64 / 1e9
}

/// One row of an endpoint table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    pub address: Address,
    pub port: Option<u16>,
    pub tx_frames: u64,
    pub tx_bytes: u64,
    pub rx_frames: u64,
    pub rx_bytes: u64,
}

impl Endpoint {
    pub fn frames(&self) -> u64 {
        self.tx_frames + self.rx_frames
    }
    pub fn bytes(&self) -> u64 {
        self.tx_bytes + self.rx_bytes
    }
}

/// The layers of frame `i` that Wireshark's `kind` conversation tap sees, outermost first.
pub fn taps(
    index: &PacketIndex,
    flows: &Flows,
    tcp: &TcpAnalysis,
    i: usize,
    kind: Kind,
) -> Vec<Tap> {
    let Some(record) = index.records.get(i) else {
        return Vec::new();
    };
    let outer = if record.has(flag::TUNNELLED) {
        index
            .outer_layers
            .get(i as u32)
            .map_or(&[][..], |l| l.as_slice())
    } else {
        &[]
    };
    let plain = |src: Address, dst: Address| Tap {
        src,
        src_port: None,
        dst,
        dst_port: None,
        stream: None,
    };
    let mut out = Vec::new();
    match kind {
        Kind::Eth => {
            let link = index.links.get(record.link);
            if index.link_type_of(record) == 1 && record.caplen >= 14 {
                if let (Some(src), Some(dst)) = (link.src, link.dst) {
                    out.push(plain(Address::Mac(src), Address::Mac(dst)));
                }
            }
            for layer in outer {
                if let OuterLayer::Ethernet { src, dst } = layer {
                    out.push(plain(Address::Mac(*src), Address::Mac(*dst)));
                }
            }
        }
        Kind::Ip | Kind::Ipv6 => {
            let wanted = |a: &IpAddr| a.is_ipv4() == (kind == Kind::Ip);
            for layer in outer {
                if let OuterLayer::Ip { src, dst } = layer {
                    if wanted(src) {
                        out.push(plain(Address::Ip(*src), Address::Ip(*dst)));
                    }
                }
            }
            // IPv6 taps at the end of the extension headers, which a fragment only reaches
            // once reassembled; IPv4 taps every header.
            let ipv6_fragment = record.has(flag::IPV6)
                && (record.has(flag::IPV6_EXTENSIONS_CUT)
                    || record.has(flag::FRAGMENT) && !flows.completes_datagram(i as u32));
            if let (Some(src), Some(dst), false) = (
                index.addrs.get(record.src),
                index.addrs.get(record.dst),
                ipv6_fragment,
            ) {
                if wanted(&src) {
                    out.push(plain(Address::Ip(src), Address::Ip(dst)));
                }
            }
        }
        Kind::Udp => {
            let mut streams = flows.outer_udp_streams(i as u32);
            let mut ip = None;
            for layer in outer {
                match *layer {
                    OuterLayer::Ip { src, dst } => ip = Some((src, dst)),
                    OuterLayer::Udp { src_port, dst_port } => {
                        let stream = streams.next();
                        if let (Some((src, dst)), Some(id)) = (ip, stream) {
                            out.push(Tap {
                                src: Address::Ip(src),
                                src_port: Some(src_port),
                                dst: Address::Ip(dst),
                                dst_port: Some(dst_port),
                                stream: flows.streams.get(id as usize).map(|s| s.number),
                            });
                        }
                    }
                    OuterLayer::Ethernet { .. } => {}
                }
            }
            out.extend(own_transport_tap(index, flows, tcp, i, 17));
        }
        Kind::Tcp => out.extend(own_transport_tap(index, flows, tcp, i, 6)),
    }
    out
}

/// The frame's own TCP/UDP header as its tap sees it (TCP only when Wireshark dissected the
/// header completely; never a header quoted in an ICMP error).
fn own_transport_tap(
    index: &PacketIndex,
    flows: &Flows,
    tcp: &TcpAnalysis,
    i: usize,
    ip_proto: u8,
) -> Option<Tap> {
    let id = *flows.stream_of.get(i)?;
    if id == NO_STREAM || flows.is_quoted(i as u32) {
        return None;
    }
    let stream = flows.streams.get(id as usize)?;
    if stream.ip_proto != ip_proto {
        return None;
    }
    let record = index.records.get(i)?;
    if ip_proto == 6 && record.is_tcp() && !tcp.segment(i).has(crate::tcp::bit::SHOWN) {
        return None;
    }
    let (src, dst) = (index.addrs.get(record.src)?, index.addrs.get(record.dst)?);
    // A reassembled datagram's ports are those of its first fragment, i.e. the stream's.
    let (src_port, dst_port) = if record.has(flag::FRAGMENT) {
        if record.src == stream.a.0 && record.dst == stream.b.0 {
            (stream.a.1, stream.b.1)
        } else {
            (stream.b.1, stream.a.1)
        }
    } else {
        (record.src_port, record.dst_port)
    };
    Some(Tap {
        src: Address::Ip(src),
        src_port: Some(src_port),
        dst: Address::Ip(dst),
        dst_port: Some(dst_port),
        stream: Some(stream.number),
    })
}

type ConvKey = (Address, Option<u16>, Address, Option<u16>, Option<u32>);

/// The conversation table of `kind`, rows in first-seen order.
pub fn conversations(
    index: &PacketIndex,
    flows: &Flows,
    tcp: &TcpAnalysis,
    kind: Kind,
) -> Vec<Conversation> {
    let mut rows: Vec<Conversation> = Vec::new();
    let mut by_key: HashMap<ConvKey, usize> = HashMap::default();
    let zero = index.records.first().map_or(0, |r| r.ts_ns);
    for (i, record) in index.records.iter().enumerate() {
        for tap in taps(index, flows, tcp, i, kind) {
            let rel = record.ts_ns.wrapping_sub(zero);
            let bytes = u64::from(record.orig_len);
            let forward = (tap.src, tap.src_port, tap.dst, tap.dst_port, tap.stream);
            let reverse = (tap.dst, tap.dst_port, tap.src, tap.src_port, tap.stream);
            if let Some(&at) = by_key.get(&forward) {
                let row = &mut rows[at];
                row.frames_ab += 1;
                row.bytes_ab += bytes;
                extend_times(row, rel);
            } else if let Some(&at) = by_key.get(&reverse) {
                let row = &mut rows[at];
                row.frames_ba += 1;
                row.bytes_ba += bytes;
                extend_times(row, rel);
            } else {
                by_key.insert(forward, rows.len());
                rows.push(Conversation {
                    a: tap.src,
                    port_a: tap.src_port,
                    b: tap.dst,
                    port_b: tap.dst_port,
                    stream: tap.stream,
                    frames_ab: 1,
                    bytes_ab: bytes,
                    frames_ba: 0,
                    bytes_ba: 0,
                    start_ns: rel,
                    stop_ns: rel,
                    first_frame: i as u32,
                });
            }
        }
    }
    rows
}

fn extend_times(row: &mut Conversation, rel: i64) {
    if rel > row.stop_ns {
        row.stop_ns = rel;
    } else if rel < row.start_ns {
        row.start_ns = rel;
    }
}

/// The endpoint table of `kind`, rows in first-seen order (a frame adds its source, then its
/// destination).
pub fn endpoints(
    index: &PacketIndex,
    flows: &Flows,
    tcp: &TcpAnalysis,
    kind: Kind,
) -> Vec<Endpoint> {
    let mut rows: Vec<Endpoint> = Vec::new();
    let mut by_key: HashMap<(Address, Option<u16>), usize> = HashMap::default();
    for (i, record) in index.records.iter().enumerate() {
        let bytes = u64::from(record.orig_len);
        for tap in taps(index, flows, tcp, i, kind) {
            for (address, port, sender) in [
                (tap.src, tap.src_port, true),
                (tap.dst, tap.dst_port, false),
            ] {
                let at = *by_key.entry((address, port)).or_insert_with(|| {
                    rows.push(Endpoint {
                        address,
                        port,
                        tx_frames: 0,
                        tx_bytes: 0,
                        rx_frames: 0,
                        rx_bytes: 0,
                    });
                    rows.len() - 1
                });
                let row = &mut rows[at];
                if sender {
                    row.tx_frames += 1;
                    row.tx_bytes += bytes;
                } else {
                    row.rx_frames += 1;
                    row.rx_bytes += bytes;
                }
            }
        }
    }
    rows
}

/// Indexes of `rows` in tshark's print order: total frames descending, ties in first-seen
/// order (rows without frames are not printed).
pub fn tshark_order(frames: impl Iterator<Item = u64>) -> Vec<usize> {
    let mut order: Vec<(u64, usize)> = frames
        .enumerate()
        .filter(|(_, f)| *f > 0)
        .map(|(i, f)| (f, i))
        .collect();
    order.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    order.into_iter().map(|(_, i)| i).collect()
}

/// tshark 4.0's `format_size(…, FORMAT_SIZE_UNIT_BYTES, SI)`: "1234 bytes", "12 kB", "3 MB"
/// (integer division by the largest power of 1000 that leaves at least 10).
pub fn format_size(size: u64) -> String {
    const UNITS: [(u64, &str); 4] = [
        (1_000_000_000_000, " TB"),
        (1_000_000_000, " GB"),
        (1_000_000, " MB"),
        (1_000, " kB"),
    ];
    for (power, unit) in UNITS {
        if size / power >= 10 {
            return format!("{}{unit}", size / power);
        }
    }
    format!("{size} bytes")
}

const RULE: &str =
    "================================================================================\n";

fn address_text(address: &Address, port: Option<u16>) -> String {
    match port {
        Some(port) => format!("{address}:{port}"),
        None => address.to_string(),
    }
}

/// `tshark -q -z conv,TYPE` text (relative times, no name resolution).
pub fn conversations_text(kind: Kind, rows: &[Conversation]) -> String {
    let pad = if kind.has_ports() { "            " } else { "" };
    let mut out = String::from(RULE);
    out += &format!("{} Conversations\nFilter:<No Filter>\n", kind.title());
    out += &format!("{pad}                                               |       <-      | |       ->      | |     Total     |    Relative    |   Duration   |\n");
    out += &format!("{pad}                                               | Frames  Bytes | | Frames  Bytes | | Frames  Bytes |      Start     |              |\n");
    for at in tshark_order(rows.iter().map(Conversation::frames)) {
        let row = &rows[at];
        let (a, b) = (
            address_text(&row.a, row.port_a),
            address_text(&row.b, row.port_b),
        );
        let sides = if kind.has_ports() {
            format!("{a:<26} <-> {b:<26}")
        } else {
            format!("{a:<20} <-> {b:<20}")
        };
        out += &format!(
            "{sides}  {:6} {:<9}  {:6} {:<9}  {:6} {:<9}  {:14.9}   {:12.4}\n",
            row.frames_ba,
            format_size(row.bytes_ba),
            row.frames_ab,
            format_size(row.bytes_ab),
            row.frames(),
            format_size(row.bytes()),
            row.rel_start(),
            row.duration()
        );
    }
    out += RULE;
    out
}

/// `tshark -q -z endpoints,TYPE` text (no name resolution).
pub fn endpoints_text(kind: Kind, rows: &[Endpoint]) -> String {
    let mut out = String::from(RULE);
    out += &format!("{} Endpoints\nFilter:<No Filter>\n", kind.title());
    out += &format!(
        "                       |  {}Packets  | |  Bytes  | | Tx Packets | | Tx Bytes | | Rx Packets | | Rx Bytes |\n",
        if kind.has_ports() { "Port  ||  " } else { "" }
    );
    for at in tshark_order(rows.iter().map(Endpoint::frames)) {
        let row = &rows[at];
        let address = row.address.to_string();
        let port = row.port.map(|p| format!("{p:>5}     ")).unwrap_or_default();
        out += &format!(
            "{address:<20}      {port}{:6}     {:9}     {:6}       {:9}      {:6}       {:9}   \n",
            row.frames(),
            row.bytes(),
            row.tx_frames,
            row.tx_bytes,
            row.rx_frames,
            row.rx_bytes
        );
    }
    out += RULE;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_formatted_like_tshark() {
        assert_eq!(format_size(9999), "9999 bytes");
        assert_eq!(format_size(10_000), "10 kB");
        assert_eq!(format_size(176_543), "176 kB");
        assert_eq!(format_size(12_345_678), "12 MB");
    }

    #[test]
    fn tshark_order_is_frames_descending_then_first_seen() {
        assert_eq!(tshark_order([2, 5, 2, 0, 5].into_iter()), vec![1, 4, 0, 2]);
    }
}
