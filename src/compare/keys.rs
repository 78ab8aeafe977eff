//! What survives NAT: one small fixed-size [`PacketKey`] per frame of one side, built from the
//! index record and the frame's bytes read once more. The `content` hash holds only what a NAT
//! router or a firewall leaves alone: the protocol, TCP flags (FIN..URG), the TCP timestamps, the
//! transport payload length and a hash of its first bytes, ICMP type/code/sequence. TCP sequence
//! and acknowledgement numbers are kept raw beside it: a firewall may shift them by a constant
//! per connection (ISN randomisation) and either capture may start mid-connection, so the matcher
//! aligns them per flow pair with the shift the anchors show. TCP adds the window and the SACK
//! edges (relative to the segment's own acknowledgement number), so the duplicate ACKs of a loss
//! episode stay apart. Link-scoped packets (IPv6 link-local, ND, IPv4 link-local and broadcast)
//! belong to one link each and are not compared. Addresses,
//! ports, TTL, checksums, DSCP/ECN and the IP ID never enter it. The `fingerprint` hashes the header
//! fields that should not change in transit either (DSCP/ECN, IP length, DF, TCP header length,
//! flags, window, urgent pointer, the MSS / window-scale / SACK-permitted options), so a matched
//! pair whose fingerprints differ is dissected for a field-level diff, and the others are not.
//! Frames are grouped into side-local flows (5-tuple, a new flow when a SYN starts a new ISN on
//! the same ports); `dir` is 0 from the flow's initiator, 1 back.

use crate::analyzer::{Analyzer, FrameLocation};
use crate::decode::{self, Transport};
use crate::filter::FrameBytes;
use crate::hash::HashMap;
use crate::index::{flag, PacketRecord};
use rustc_hash::FxHasher;
use std::hash::Hasher;
use std::net::IpAddr;

/// `PacketKey::flow` of a frame that belongs to no comparable flow (ARP, non-IP, later fragments).
pub const NO_FLOW: u32 = u32::MAX;
/// `PacketKey::fuzzy` when the frame has no second-chance key.
pub const NO_FUZZY: u32 = u32::MAX;
/// Payload bytes hashed into the content key (snap lengths may differ between the two points).
pub const PAYLOAD_HASHED: usize = 256;

/// The compact per-frame key (48 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacketKey {
    /// Capture time, nanoseconds since 1970.
    pub ts_ns: i64,
    /// NAT-invariant content hash.
    pub content: u64,
    /// Hash of the header fields expected to survive the path unchanged.
    pub fingerprint: u64,
    /// Side-local flow number, or [`NO_FLOW`].
    pub flow: u32,
    /// TCP: raw sequence number, and acknowledgement number (0 without the ACK flag).
    pub seq: u32,
    pub ack: u32,
    /// Second-chance key for a packet modified in transit: TCP raw sequence number (aligned
    /// with the other side's by the matcher), UDP IP ID (when not 0), ICMP type and sequence;
    /// [`NO_FUZZY`] when there is none.
    pub fuzzy: u32,
    /// Transport payload length.
    pub payload_len: u32,
    /// IPv4 identification (0 for IPv6): preserved by most NATs, a tie-breaker between copies.
    pub ip_id: u16,
    /// 0 from the flow's initiator, 1 towards it.
    pub dir: u8,
    pub tcp_flags: u8,
}

impl Default for PacketKey {
    fn default() -> Self {
        PacketKey {
            ts_ns: 0,
            content: 0,
            fingerprint: 0,
            flow: NO_FLOW,
            seq: 0,
            ack: 0,
            fuzzy: NO_FUZZY,
            payload_len: 0,
            ip_id: 0,
            dir: 0,
            tcp_flags: 0,
        }
    }
}

/// One side-local flow.
#[derive(Debug, Clone, PartialEq)]
pub struct SideFlow {
    pub proto: u8,
    /// Initiator then responder: address and port (ICMP echo: the identifier, others 0).
    pub ends: [(IpAddr, u16); 2],
    /// ISN (or first sequence number seen) per direction.
    pub isn: [Option<u32>; 2],
    /// First frame (0-based) and its content key.
    pub first_frame: u32,
    pub first_content: u64,
    /// The first packet's fuzzy key; TCP: its sequence number relative to the ISN.
    pub first_fuzzy: u32,
    pub first_flags: u8,
    pub first_ts: i64,
    pub packets: [u32; 2],
}

impl SideFlow {
    /// "tcp 10.0.0.1:50512 → 93.184.216.34:80" as this side saw it, from `dir`'s sender.
    pub fn describe(&self, dir: u8) -> String {
        let (from, to) = if dir == 0 {
            (self.ends[0], self.ends[1])
        } else {
            (self.ends[1], self.ends[0])
        };
        format!(
            "{} {} → {}",
            proto_name(self.proto),
            endpoint(self.proto, from),
            endpoint(self.proto, to)
        )
    }
}

/// "tcp", "udp", "icmp", "icmpv6" or "ip proto N".
pub fn proto_name(proto: u8) -> String {
    match proto {
        6 => "tcp".into(),
        17 => "udp".into(),
        1 => "icmp".into(),
        58 => "icmpv6".into(),
        p => format!("ip proto {p}"),
    }
}

/// "ip:port" ("[v6]:port"), "ip id N" for ICMP, the bare address for other protocols.
pub fn endpoint(proto: u8, (addr, port): (IpAddr, u16)) -> String {
    match (proto, addr) {
        (1 | 58, _) => format!("{addr} id {port}"),
        (6 | 17, IpAddr::V6(v6)) => format!("[{v6}]:{port}"),
        (6 | 17, IpAddr::V4(v4)) => format!("{v4}:{port}"),
        _ => addr.to_string(),
    }
}

/// The keys and flows of one side (one or several chained files merged into one timeline).
#[derive(Debug, Default, Clone)]
pub struct SideKeys {
    pub keys: Vec<PacketKey>,
    pub flows: Vec<SideFlow>,
    /// First and last timestamp of the side (ns), when it has timed frames.
    pub span: Option<(i64, i64)>,
}

/// 5-tuple (unordered ends) → flow.
type FlowTable = HashMap<(u8, IpAddr, u16, IpAddr, u16), u32>;

fn canonical(proto: u8, a: (IpAddr, u16), b: (IpAddr, u16)) -> (u8, IpAddr, u16, IpAddr, u16) {
    if a <= b {
        (proto, a.0, a.1, b.0, b.1)
    } else {
        (proto, b.0, b.1, a.0, a.1)
    }
}

fn is_echo(proto: u8, icmp_type: u16) -> bool {
    matches!((proto, icmp_type), (1, 0 | 8) | (58, 128 | 129))
}

/// Addresses that never cross a router (IPv6 link-local and link-scope multicast, IPv4
/// link-local, local-network multicast and broadcast): their packets are each link's own, not
/// the same packets seen at two points.
pub fn link_scoped(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            (s[0] & 0xffc0) == 0xfe80 || (s[0] & 0xff0f) == 0xff02 || (s[0] & 0xff0f) == 0xff01
        }
        IpAddr::V4(v4) => {
            let o = v4.octets();
            (o[0] == 169 && o[1] == 254)
                || (o[0] == 224 && o[1] == 0 && o[2] == 0)
                || v4.is_broadcast()
        }
    }
}

/// The bytes of frame `i`.
fn frame_bytes<'b>(
    analyzer: &Analyzer,
    bytes: &'b dyn FrameBytes,
    i: usize,
    record: &PacketRecord,
) -> Option<std::borrow::Cow<'b, [u8]>> {
    let location = FrameLocation {
        file: usize::from(analyzer.index().file_of(record)),
        offset: record.offset,
        caplen: record.caplen,
    };
    bytes.frame_bytes(i, &location)
}

/// Header fields read from the frame bytes for the keys.
#[derive(Default)]
struct Header {
    payload_hash: u64,
    tos: u8,
    urgent: u16,
    tcp_hdr_len: u8,
    tcp_options: u64,
    tsval: Option<(u32, u32)>,
    /// Hash of the SACK edges minus the segment's acknowledgement number (invariant under ISN
    /// rewriting).
    sack: u64,
}

/// Where the layers of one frame are.
struct Layout {
    net: usize,
    /// Transport header start.
    l4: usize,
    payload: usize,
    payload_len: usize,
    proto: u8,
}

fn be16(data: &[u8], at: usize) -> Option<u16> {
    let b = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

/// The common case read by hand: Ethernet (VLAN tags allowed), unfragmented IPv4 or IPv6
/// without extension headers, TCP or UDP. Anything else goes through the decoder; both give the
/// same layout for the same packet, so two sides on different link types key alike.
fn fast_layout(link_type: u32, data: &[u8]) -> Option<Layout> {
    if link_type != 1 {
        return None;
    }
    let mut off = 14;
    let mut ether_type = be16(data, 12)?;
    while matches!(ether_type, 0x8100 | 0x88a8) {
        ether_type = be16(data, off + 2)?;
        off += 4;
    }
    let b0 = *data.get(off)?;
    let (l4, end, proto) = match (ether_type, b0 >> 4) {
        (0x0800, 4) => {
            let ihl = usize::from(b0 & 0x0f) * 4;
            let total = usize::from(be16(data, off + 2)?);
            if ihl < 20 || total < ihl || be16(data, off + 6)? & 0x3fff != 0 {
                return None;
            }
            (off + ihl, off + total, *data.get(off + 9)?)
        }
        (0x86dd, 6) => {
            let next = *data.get(off + 6)?;
            let len = usize::from(be16(data, off + 4)?);
            if len == 0 {
                return None;
            }
            (off + 40, off + 40 + len, next)
        }
        _ => return None,
    };
    let header = match proto {
        6 => usize::from(*data.get(l4 + 12)? >> 4) * 4,
        17 => 8,
        _ => return None,
    };
    if header < 8 || l4 + header > end {
        return None;
    }
    Some(Layout {
        net: off,
        l4,
        payload: l4 + header,
        payload_len: end - (l4 + header),
        proto,
    })
}

fn slow_layout(link_type: u32, data: &[u8], record: &PacketRecord) -> Layout {
    let decoded = decode::decode_on_wire(link_type, data, record.orig_len);
    let payload = decoded.payload_offset as usize;
    let header = match &decoded.transport {
        Transport::Tcp(tcp) => usize::from(tcp.header_len),
        Transport::Udp { .. } => 8,
        _ => 0,
    };
    Layout {
        net: decoded.net_offset as usize,
        l4: payload.saturating_sub(header),
        payload,
        payload_len: decoded.payload_len as usize,
        proto: decoded.ip_proto,
    }
}

fn read_header(link_type: u32, data: &[u8], record: &PacketRecord) -> Header {
    let layout =
        fast_layout(link_type, data).unwrap_or_else(|| slow_layout(link_type, data, record));
    let mut out = Header::default();
    let net = layout.net;
    if let Some(&b0) = data.get(net) {
        out.tos = match b0 >> 4 {
            4 => data.get(net + 1).copied().unwrap_or(0),
            6 => ((b0 & 0x0f) << 4) | (data.get(net + 1).copied().unwrap_or(0) >> 4),
            _ => 0,
        };
    }
    let start = layout.payload;
    let take = data
        .len()
        .saturating_sub(start)
        .min(layout.payload_len)
        .min(PAYLOAD_HASHED);
    let mut h = FxHasher::default();
    if let Some(payload) = data.get(start..start + take) {
        h.write(payload);
    }
    out.payload_hash = h.finish();
    if layout.proto == 6 && layout.payload >= layout.l4 + 20 {
        let l4 = layout.l4;
        out.tcp_hdr_len = (layout.payload - l4).min(255) as u8;
        out.urgent = be16(data, l4 + 18).unwrap_or(0);
        // Options: kinds and lengths always, values except SACK edges (they move with a
        // rewritten ISN) and timestamps (they are in the content key).
        let options = data
            .get(l4 + 20..layout.payload.min(data.len()))
            .unwrap_or(&[]);
        let mut h = FxHasher::default();
        let mut i = 0;
        while i < options.len() {
            let kind = options[i];
            h.write_u8(kind);
            match kind {
                0 => break,
                1 => i += 1,
                _ => {
                    let Some(&len) = options.get(i + 1) else {
                        break;
                    };
                    let len = usize::from(len);
                    let Some(value) = options.get(i + 2..i + len.max(2)) else {
                        break;
                    };
                    h.write_u8(len as u8);
                    match kind {
                        5 => {
                            let ack = be16(data, layout.l4 + 8)
                                .zip(be16(data, layout.l4 + 10))
                                .map_or(0, |(hi, lo)| u32::from(hi) << 16 | u32::from(lo));
                            let mut sack = FxHasher::default();
                            for edge in value.chunks_exact(4) {
                                let e = u32::from_be_bytes([edge[0], edge[1], edge[2], edge[3]]);
                                sack.write_u32(e.wrapping_sub(ack));
                            }
                            out.sack = sack.finish();
                        }
                        8 if value.len() == 8 => {
                            let tsval =
                                u32::from_be_bytes([value[0], value[1], value[2], value[3]]);
                            let tsecr =
                                u32::from_be_bytes([value[4], value[5], value[6], value[7]]);
                            out.tsval = Some((tsval, tsecr));
                        }
                        _ => h.write(value),
                    }
                    if len < 2 {
                        break;
                    }
                    i += len;
                }
            }
        }
        out.tcp_options = h.finish();
    }
    out
}

/// Builds the keys and flows of one side. `bytes` gives the frames' bytes (the payload hash and
/// the header fields the index does not keep); a frame whose bytes cannot be read is keyed from
/// its record alone.
pub fn build(analyzer: &Analyzer, bytes: &dyn FrameBytes) -> SideKeys {
    let index = analyzer.index();
    let mut builder = Builder {
        analyzer,
        bytes,
        out: SideKeys {
            keys: Vec::with_capacity(index.records.len()),
            ..SideKeys::default()
        },
        table: FlowTable::default(),
    };
    let mut span: Option<(i64, i64)> = None;
    for (i, record) in index.records.indexed() {
        if record.has(flag::HAS_TIME) {
            let t = record.ts_ns;
            span = Some(span.map_or((t, t), |(f, l)| (f.min(t), l.max(t))));
        }
        let key = builder.key(i, &record);
        builder.out.keys.push(key);
    }
    builder.out.span = span;
    builder.out
}

/// The state of [`build`]: the keys and flows so far and the 5-tuple table.
struct Builder<'a> {
    analyzer: &'a Analyzer,
    bytes: &'a dyn FrameBytes,
    out: SideKeys,
    table: FlowTable,
}

impl Builder<'_> {
    /// The key of frame `i` (its flow created or continued), or a bare timed key when the frame
    /// is not comparable.
    fn key(&mut self, i: usize, record: &PacketRecord) -> PacketKey {
        let index = self.analyzer.index();
        let mut key = PacketKey {
            ts_ns: record.ts_ns,
            ..PacketKey::default()
        };
        let comparable = record.is_ip()
            && !record.has(flag::LATER_FRAGMENT)
            && (record.has(flag::TRANSPORT) || !matches!(record.ip_proto, 6 | 17 | 1 | 58));
        let (Some(src), Some(dst)) = (index.addrs.get(record.src), index.addrs.get(record.dst))
        else {
            return key;
        };
        if !comparable || link_scoped(src) || link_scoped(dst) {
            return key;
        }
        let proto = record.ip_proto;
        let header = frame_bytes(self.analyzer, self.bytes, i, record)
            .map(|data| read_header(index.link_type_of(record), &data, record))
            .unwrap_or_default();
        // Flow ends: ports for TCP/UDP, the echo identifier for ICMP echo, nothing otherwise.
        let icmp_ident = (record.seq >> 16) as u16;
        let (sport, dport) = match proto {
            6 | 17 => (record.src_port, record.dst_port),
            1 | 58 if is_echo(proto, record.src_port) => (icmp_ident, icmp_ident),
            _ => (0, 0),
        };
        let id = self.flow_of(i, record, (src, sport), (dst, dport));
        let flow = &mut self.out.flows[id as usize];
        let dir = u8::from(flow.ends[0] != (src, sport));
        let d = usize::from(dir);
        flow.packets[d] = flow.packets[d].saturating_add(1);
        key.flow = id;
        key.dir = dir;
        key.payload_len = record.payload_len();
        key.ip_id = record.ip_id;
        key.content = content_hash(flow, d, i, record, &header, &mut key);
        key.fingerprint = fingerprint(record, &header);
        if flow.first_frame == i as u32 {
            flow.first_content = key.content;
            if proto != 6 {
                flow.first_fuzzy = key.fuzzy;
            }
        }
        key
    }

    /// The flow of a frame from `src` to `dst`: the 5-tuple's, or a new one (a SYN with a new
    /// ISN on known ports starts a new connection).
    fn flow_of(
        &mut self,
        i: usize,
        record: &PacketRecord,
        src: (IpAddr, u16),
        dst: (IpAddr, u16),
    ) -> u32 {
        let proto = record.ip_proto;
        let tuple = canonical(proto, src, dst);
        let tcp = proto == 6;
        let syn_only = tcp && record.tcp_flags & 0x12 == 0x02;
        if let Some(id) = self.table.get(&tuple).copied() {
            let f = &self.out.flows[id as usize];
            let dir = usize::from(f.ends[0] != src);
            let new_isn = syn_only && f.isn[dir].is_some_and(|isn| isn != record.seq);
            if !new_isn {
                return id;
            }
        }
        // The initiator sends the SYN; a flow first seen at its SYN-ACK starts from the other end.
        let synack = tcp && record.tcp_flags & 0x12 == 0x12;
        let ends = if synack { [dst, src] } else { [src, dst] };
        let id = self.out.flows.len() as u32;
        self.out.flows.push(SideFlow {
            proto,
            ends,
            isn: [None, None],
            first_frame: i as u32,
            first_content: 0,
            first_fuzzy: NO_FUZZY,
            first_flags: record.tcp_flags,
            first_ts: record.ts_ns,
            packets: [0, 0],
        });
        self.table.insert(tuple, id);
        id
    }
}

/// The NAT-invariant content hash of frame `i` (direction `d` of `flow`); fills the key's TCP
/// and fuzzy fields and learns the flow's ISNs on the way.
fn content_hash(
    flow: &mut SideFlow,
    d: usize,
    i: usize,
    record: &PacketRecord,
    header: &Header,
    key: &mut PacketKey,
) -> u64 {
    let mut h = FxHasher::default();
    h.write_u8(record.ip_proto);
    h.write_u32(record.payload_len());
    h.write_u64(header.payload_hash);
    match record.ip_proto {
        6 => {
            key.tcp_flags = record.tcp_flags;
            if flow.isn[d].is_none() || record.tcp_flags & 0x02 != 0 {
                flow.isn[d] = Some(record.seq);
            }
            let ack_flag = record.tcp_flags & 0x10 != 0;
            if ack_flag && flow.isn[1 - d].is_none() {
                flow.isn[1 - d] = Some(record.ack.wrapping_sub(1));
            }
            let rel_seq = record.seq.wrapping_sub(flow.isn[d].unwrap_or(record.seq));
            key.seq = record.seq;
            key.ack = if ack_flag { record.ack } else { 0 };
            key.fuzzy = record.seq;
            if flow.first_frame == i as u32 {
                flow.first_fuzzy = rel_seq;
            }
            h.write_u8(record.tcp_flags & 0x3f);
            h.write_u16(record.window);
            h.write_u64(header.sack);
            if let Some((tsval, tsecr)) = header.tsval {
                h.write_u32(tsval);
                h.write_u32(tsecr);
            }
        }
        17 if record.ip_id != 0 => key.fuzzy = u32::from(record.ip_id),
        1 | 58 => {
            // Type, code and sequence (the identifier is the NAT's to rewrite).
            h.write_u16(record.src_port);
            h.write_u16(record.dst_port);
            h.write_u16(record.seq as u16);
            key.fuzzy = u32::from(record.src_port) << 16 | (record.seq & 0xffff);
        }
        _ => {}
    }
    h.finish()
}

/// Hash of the header fields that should survive the path unchanged.
fn fingerprint(record: &PacketRecord, header: &Header) -> u64 {
    let mut f = FxHasher::default();
    f.write_u8(header.tos);
    f.write_u16(record.ip_len());
    f.write_u8(u8::from(record.has(flag::DONT_FRAGMENT)));
    if record.ip_proto == 6 {
        f.write_u8(header.tcp_hdr_len);
        f.write_u8(record.tcp_flags);
        f.write_u8(u8::from(record.has(flag::TCP_NS)));
        f.write_u16(record.window);
        f.write_u16(header.urgent);
        f.write_u64(header.tcp_options);
    }
    f.finish()
}
