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
use crate::flows::{ExtraAddressIds, Flows, NO_STREAM};
use crate::hash::HashMap;
use crate::index::{flag, PacketIndex};
use crate::tcp::TcpAnalysis;
use serde::Serialize;
use std::collections::TryReserveError;
use std::fmt;
use std::net::IpAddr;

pub mod table;
mod text;
pub use text::{conversations_text, endpoints_text, format_size, tshark_order};

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

    /// The name `parse` and `tracelens conv --type` take ("eth", "ip", …).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Eth => "eth",
            Kind::Ip => "ip",
            Kind::Ipv6 => "ipv6",
            Kind::Tcp => "tcp",
            Kind::Udp => "udp",
        }
    }

    /// The IP protocol number of a TCP or UDP table (`None` for the others).
    pub fn ip_proto(self) -> Option<u8> {
        match self {
            Kind::Tcp => Some(6),
            Kind::Udp => Some(17),
            _ => None,
        }
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

/// An address as the tables key it: interned IP address id (or a MAC), cheap to hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Node {
    Ip(u32),
    Mac([u8; 6]),
}

/// One tapped layer, keyed compactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct RawTap {
    src: (Node, Option<u16>),
    dst: (Node, Option<u16>),
    stream: Option<u32>,
}

/// Resolves [`Node`]s back to addresses.
struct Resolver<'a> {
    index: &'a PacketIndex,
    extra: ExtraAddressIds,
}

impl Resolver<'_> {
    fn node(&mut self, addr: IpAddr) -> Node {
        Node::Ip(self.extra.id(self.index, addr))
    }
    fn address(&self, node: Node) -> Address {
        match node {
            Node::Mac(m) => Address::Mac(m),
            Node::Ip(id) => Address::Ip(
                self.index
                    .addrs
                    .get(id)
                    .or_else(|| self.extra.address(id))
                    .unwrap_or(IpAddr::from([0, 0, 0, 0])),
            ),
        }
    }
}

/// What one table's taps read: the index (through the resolver, which also keeps the addresses
/// met outside the index), the flows, the TCP analysis and the table's kind.
struct Taps<'a> {
    resolver: Resolver<'a>,
    flows: &'a Flows,
    tcp: &'a TcpAnalysis,
    kind: Kind,
}

impl<'a> Taps<'a> {
    fn new(index: &'a PacketIndex, flows: &'a Flows, tcp: &'a TcpAnalysis, kind: Kind) -> Self {
        Taps {
            resolver: Resolver {
                index,
                extra: ExtraAddressIds::default(),
            },
            flows,
            tcp,
            kind,
        }
    }

    /// Calls `f` for each layer of frame `i` that the table's conversation tap sees, outermost
    /// first.
    fn visit(&mut self, i: usize, f: &mut impl FnMut(RawTap)) {
        let (index, flows, kind) = (self.resolver.index, self.flows, self.kind);
        let Some(record) = index.records.get(i) else {
            return;
        };
        let outer = if record.has(flag::TUNNELLED) {
            index
                .outer_layers
                .get(i as u32)
                .map_or(&[][..], |l| l.as_slice())
        } else {
            &[]
        };
        let plain = |src: Node, dst: Node| RawTap {
            src: (src, None),
            dst: (dst, None),
            stream: None,
        };
        match kind {
            Kind::Eth => {
                if index.link_type_of(&record) == 1 && record.caplen >= 14 {
                    let link = index.links.get(record.link);
                    if let (Some(src), Some(dst)) = (link.src, link.dst) {
                        f(plain(Node::Mac(src), Node::Mac(dst)));
                    }
                }
                for layer in outer {
                    if let OuterLayer::Ethernet { src, dst } = layer {
                        f(plain(Node::Mac(*src), Node::Mac(*dst)));
                    }
                }
            }
            Kind::Ip | Kind::Ipv6 => {
                let v4 = kind == Kind::Ip;
                for layer in outer {
                    if let OuterLayer::Ip { src, dst } = *layer {
                        if src.is_ipv4() == v4 {
                            let (a, b) = (self.resolver.node(src), self.resolver.node(dst));
                            f(plain(a, b));
                        }
                    }
                }
                // IPv6 taps at the end of the extension headers, which a fragment only reaches
                // once reassembled; IPv4 taps every header.
                let ipv6_untapped = record.has(flag::IPV6_EXTENSIONS_CUT)
                    || record.has(flag::FRAGMENT) && !flows.completes_datagram(i as u32);
                let family = if v4 { flag::IPV4 } else { flag::IPV6 };
                let tapped = record.has(family) && (v4 || !ipv6_untapped);
                if tapped && record.src != 0 && record.dst != 0 {
                    f(plain(Node::Ip(record.src), Node::Ip(record.dst)));
                }
            }
            Kind::Udp => {
                if !outer.is_empty() {
                    let mut streams = flows.outer_udp_streams(i as u32);
                    let mut ip = None;
                    for layer in outer {
                        match *layer {
                            OuterLayer::Ip { src, dst } => ip = Some((src, dst)),
                            OuterLayer::Udp { src_port, dst_port } => {
                                let stream = streams.next();
                                if let (Some((src, dst)), Some(id)) = (ip, stream) {
                                    let number = flows.streams.get(id as usize).map(|s| s.number);
                                    let (a, b) = (self.resolver.node(src), self.resolver.node(dst));
                                    f(RawTap {
                                        src: (a, Some(src_port)),
                                        dst: (b, Some(dst_port)),
                                        stream: number,
                                    });
                                }
                            }
                            OuterLayer::Ethernet { .. } => {}
                        }
                    }
                }
                if let Some(tap) = self.own_transport(i, 17) {
                    f(tap);
                }
            }
            Kind::Tcp => {
                if let Some(tap) = self.own_transport(i, 6) {
                    f(tap);
                }
            }
        }
    }

    /// The frame's own TCP/UDP header as its tap sees it (TCP only when Wireshark dissected the
    /// header completely; never a header quoted in an ICMP error).
    fn own_transport(&self, i: usize, ip_proto: u8) -> Option<RawTap> {
        let (index, flows, tcp) = (self.resolver.index, self.flows, self.tcp);
        let id = flows.stream_of.get(i)?;
        if id == NO_STREAM {
            return None;
        }
        let stream = flows.streams.get(id as usize)?;
        if stream.ip_proto != ip_proto || flows.is_quoted(i as u32) {
            return None;
        }
        let record = index.records.get(i)?;
        if ip_proto == 6 && record.is_tcp() && !tcp.segment_bits(i).has(crate::tcp::bit::SHOWN) {
            return None;
        }
        // A reassembled datagram's ports are those of its first fragment, i.e. the stream's.
        let (src_port, dst_port) = if record.has(flag::FRAGMENT) {
            let ends = flows.ends(stream, &index.records);
            if record.src == ends.a.0 && record.dst == ends.b.0 {
                (ends.a.1, ends.b.1)
            } else {
                (ends.b.1, ends.a.1)
            }
        } else {
            (record.src_port, record.dst_port)
        };
        Some(RawTap {
            src: (Node::Ip(record.src), Some(src_port)),
            dst: (Node::Ip(record.dst), Some(dst_port)),
            stream: Some(stream.number),
        })
    }
}

/// The conversation table of `kind`, rows in first-seen order.
pub fn conversations(
    index: &PacketIndex,
    flows: &Flows,
    tcp: &TcpAnalysis,
    kind: Kind,
) -> Vec<Conversation> {
    try_conversations(index, flows, tcp, kind).expect("memory for the conversation table")
}

/// [`conversations`], or the error of the first allocation refused: in the page's wasm32, where
/// memory ends at 4 GiB, a table too large for what is left is refused instead of aborting the
/// wasm (which would lose the capture).
pub fn try_conversations(
    index: &PacketIndex,
    flows: &Flows,
    tcp: &TcpAnalysis,
    kind: Kind,
) -> Result<Vec<Conversation>, TryReserveError> {
    let mut refused: Option<TryReserveError> = None;
    let mut rows: Vec<Conversation> = Vec::new();
    let mut keys: Vec<RawTap> = Vec::new();
    let mut by_key: HashMap<RawTap, usize> = HashMap::default();
    // TCP/UDP conversations are keyed by stream too: look those up by stream number first.
    let mut by_stream: Vec<u32> = Vec::new();
    if let Some(proto) = kind.ip_proto() {
        // About one row a stream: planned at once (the table of a 20M-frame capture can have
        // millions of rows, and doubling would hold two copies at the end).
        let streams = flows.streams.iter().filter(|s| s.ip_proto == proto).count();
        let _ = rows.try_reserve_exact(streams);
        let _ = keys.try_reserve_exact(streams);
        let _ = by_stream.try_reserve_exact(flows.streams.len());
    }
    let mut taps = Taps::new(index, flows, tcp, kind);
    let zero = index.records.first().map_or(0, |r| r.ts_ns);
    for (i, record) in index.records.indexed() {
        if let Some(error) = refused {
            return Err(error);
        }
        let rel = record.ts_ns.wrapping_sub(zero);
        let bytes = u64::from(record.orig_len);
        taps.visit(i, &mut |tap| {
            let slot = tap.stream.map(|n| n as usize);
            let same = |key: &RawTap| {
                (key.src == tap.src && key.dst == tap.dst)
                    || (key.src == tap.dst && key.dst == tap.src)
            };
            let mut found = slot
                .and_then(|n| by_stream.get(n))
                .filter(|&&at| at != u32::MAX)
                .map(|&at| at as usize)
                .filter(|&at| same(&keys[at]));
            if found.is_none() {
                let reverse = RawTap {
                    src: tap.dst,
                    dst: tap.src,
                    stream: tap.stream,
                };
                found = by_key.get(&tap).or_else(|| by_key.get(&reverse)).copied();
            }
            let Some(at) = found else {
                let room = rows
                    .try_reserve(1)
                    .and_then(|()| keys.try_reserve(1))
                    .and_then(|()| by_key.try_reserve(1))
                    .and_then(|()| match slot {
                        Some(n) => by_stream.try_reserve((n + 1).saturating_sub(by_stream.len())),
                        None => Ok(()),
                    });
                if let Err(error) = room {
                    refused.get_or_insert(error);
                    return;
                }
                let at = rows.len();
                // The first row of a stream is found through `by_stream` alone; only a second
                // row with the same stream number (other addresses) needs the map.
                let first_of_stream = slot.is_some_and(|n| {
                    if by_stream.len() <= n {
                        by_stream.resize(n + 1, u32::MAX);
                    }
                    let first = by_stream[n] == u32::MAX;
                    if first {
                        by_stream[n] = at as u32;
                    }
                    first
                });
                if !first_of_stream {
                    by_key.insert(tap, at);
                }
                keys.push(tap);
                rows.push(Conversation {
                    a: Address::Mac([0; 6]),
                    port_a: tap.src.1,
                    b: Address::Mac([0; 6]),
                    port_b: tap.dst.1,
                    stream: tap.stream,
                    frames_ab: 1,
                    bytes_ab: bytes,
                    frames_ba: 0,
                    bytes_ba: 0,
                    start_ns: rel,
                    stop_ns: rel,
                    first_frame: i as u32,
                });
                return;
            };
            let row = &mut rows[at];
            // A self-conversation (same address and port both ways) counts as A → B.
            if keys[at].src == tap.src && keys[at].dst == tap.dst {
                row.frames_ab += 1;
                row.bytes_ab += bytes;
            } else {
                row.frames_ba += 1;
                row.bytes_ba += bytes;
            }
            extend_times(row, rel);
        });
    }
    if let Some(error) = refused {
        return Err(error);
    }
    for (row, key) in rows.iter_mut().zip(&keys) {
        row.a = taps.resolver.address(key.src.0);
        row.b = taps.resolver.address(key.dst.0);
    }
    Ok(rows)
}

/// The largest blocks [`conversations`] of `kind` holds at once while it builds a TCP or UDP
/// table: its rows, their keys, a slot per stream, and the table's two orders; none for the
/// other kinds, whose rows are pairs of addresses and few.
pub fn table_bytes(flows: &Flows, kind: Kind) -> Vec<usize> {
    let Some(proto) = kind.ip_proto() else {
        return Vec::new();
    };
    let streams = flows.streams.iter().filter(|s| s.ip_proto == proto).count();
    vec![
        streams * std::mem::size_of::<Conversation>(),
        streams * std::mem::size_of::<RawTap>(),
        flows.streams.len() * 4,
        streams * 8,
    ]
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
    let mut keys: Vec<Node> = Vec::new();
    let mut by_key: HashMap<(Node, Option<u16>), usize> = HashMap::default();
    let mut taps = Taps::new(index, flows, tcp, kind);
    for (i, record) in index.records.indexed() {
        let bytes = u64::from(record.orig_len);
        taps.visit(i, &mut |tap| {
            for (side, sender) in [(tap.src, true), (tap.dst, false)] {
                let at = *by_key.entry(side).or_insert_with(|| {
                    keys.push(side.0);
                    rows.push(Endpoint {
                        address: Address::Mac([0; 6]),
                        port: side.1,
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
        });
    }
    for (row, key) in rows.iter_mut().zip(&keys) {
        row.address = taps.resolver.address(*key);
    }
    rows
}
