//! The compact packet index: one [`PacketRecord`] per frame (the packet bytes themselves are
//! never copied), stored in 32 bytes by [`Records`] and read back by value, plus interning tables
//! for addresses and link addresses and sparse side tables for what only some frames have
//! (application labels, TCP options, ARP fields). Flows, filters and detectors read this, never
//! the capture again.

use crate::capture::RawFrame;
use crate::decode::{
    AppInfo, Arp, Decoded, FragmentInfo, IcmpQuote, OuterLayer, TcpOptions as OptionSummary,
    Transport,
};
use crate::hash::HashMap;
use crate::rank_bits::RankedBits;
use serde::Serialize;

mod addresses;
mod records;
pub use addresses::AddressTable;
pub use records::{LengthTotals, Records};
use std::net::IpAddr;

/// Link-layer addressing of a frame, interned in [`LinkTable`].
pub use crate::wire::link::LinkAddrs;

/// Bits of [`PacketRecord::flags`].
pub mod flag {
    pub const IPV4: u16 = 1 << 0;
    pub const IPV6: u16 = 1 << 1;
    pub const ARP: u16 = 1 << 2;
    /// The transport header (TCP, UDP, ICMP, ICMPv6 per `ip_proto`) was decoded.
    pub const TRANSPORT: u16 = 1 << 3;
    pub const FRAGMENT: u16 = 1 << 4;
    pub const LATER_FRAGMENT: u16 = 1 << 5;
    pub const DONT_FRAGMENT: u16 = 1 << 6;
    pub const TUNNELLED: u16 = 1 << 7;
    /// Decoding stopped early (snaplen, malformed header, unknown link type).
    pub const DECODE_STOPPED: u16 = 1 << 8;
    pub const HAS_APP: u16 = 1 << 9;
    pub const HAS_TIME: u16 = 1 << 10;
    pub const TCP_NS: u16 = 1 << 11;
    pub const HAS_TCP_OPTIONS: u16 = 1 << 12;
    /// Only the ports of a cut-short TCP/UDP header are known.
    pub const PORTS_ONLY: u16 = 1 << 13;
    /// The TCP header's fixed fields are known but its options were cut by the snapshot length
    /// (Wireshark analyses such a segment but stops dissecting it inside the options).
    pub const TCP_OPTIONS_CUT: u16 = 1 << 14;
    /// The innermost IPv6 header's extension chain ends early: Wireshark never reaches the
    /// upper layer (nor taps the IPv6 conversation).
    pub const IPV6_EXTENSIONS_CUT: u16 = 1 << 15;
}

/// One frame in the index. Field meanings depend on `ip_proto` where noted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[repr(C)]
pub struct PacketRecord {
    /// Nanoseconds since 1970 (valid when `flags & HAS_TIME`).
    pub ts_ns: i64,
    /// Offset of the frame's bytes in its file's (decompressed) stream.
    pub offset: u64,
    pub caplen: u32,
    pub orig_len: u32,
    /// Innermost network source / destination ([`AddressTable`] id, 0 = none).
    pub src: u32,
    pub dst: u32,
    /// Link addresses and VLAN ([`LinkTable`] id, 0 = none).
    pub link: u32,
    /// TCP: raw sequence number. ICMP/ICMPv6: identifier << 16 | sequence.
    pub seq: u32,
    /// TCP: raw acknowledgement number.
    pub ack: u32,
    /// Transport payload bytes on the wire (TCP/UDP/ICMP), from the IP lengths: the low 16 bits
    /// (read it with [`PacketRecord::payload_len`]).
    pub payload_lo: u16,
    /// TCP/UDP ports; ICMP/ICMPv6: type and code.
    pub src_port: u16,
    pub dst_port: u16,
    /// TCP raw window (before scaling).
    pub window: u16,
    /// IPv4 total length or IPv6 payload length — or, when `long_payload`, the payload length's
    /// high 16 bits (read them with [`PacketRecord::ip_len`] and [`PacketRecord::payload_len`]).
    pub ip_len_raw: u16,
    pub ip_id: u16,
    /// Global interface number ([`PacketIndex::interfaces`]).
    pub iface: u16,
    pub flags: u16,
    pub tcp_flags: u8,
    pub ip_proto: u8,
    pub ttl: u8,
    /// The payload is longer than 65,535 bytes: a segmentation-offload (LSO/TSO) or BIG TCP frame,
    /// captured before the NIC split it, whose IP length field is 0 and whose length comes from
    /// the captured bytes. Its high 16 bits then live in `ip_len_raw` (the IP length itself is
    /// 0). This byte was the record's padding, so exact lengths cost nothing.
    pub long_payload: bool,
}

impl PacketRecord {
    /// Transport payload bytes, exact however long (see `long_payload`).
    pub fn payload_len(&self) -> u32 {
        if self.long_payload {
            u32::from(self.ip_len_raw) << 16 | u32::from(self.payload_lo)
        } else {
            u32::from(self.payload_lo)
        }
    }
    /// IPv4 total length or IPv6 payload length, as the header says (0 for an offload frame).
    pub fn ip_len(&self) -> u16 {
        if self.long_payload {
            0
        } else {
            self.ip_len_raw
        }
    }
    /// Sets the IP length field's value and the payload length. A payload longer than 65,535
    /// bytes is kept exactly when the IP length is 0 (offload frames, where the length comes from
    /// the captured bytes); with a nonzero IP length it cannot be longer (the field bounds it), so
    /// it is kept up to 65,535.
    pub fn set_lengths(&mut self, ip_len: u16, payload_len: u32) {
        if payload_len > u32::from(u16::MAX) && ip_len == 0 {
            self.long_payload = true;
            self.ip_len_raw = (payload_len >> 16) as u16;
            self.payload_lo = payload_len as u16;
        } else {
            self.long_payload = false;
            self.ip_len_raw = ip_len;
            self.payload_lo = payload_len.min(u32::from(u16::MAX)) as u16;
        }
    }
    pub fn has(&self, bit: u16) -> bool {
        self.flags & bit != 0
    }
    pub fn is_tcp(&self) -> bool {
        self.ip_proto == 6 && self.has(flag::TRANSPORT)
    }
    pub fn is_udp(&self) -> bool {
        self.ip_proto == 17 && self.has(flag::TRANSPORT)
    }
    pub fn is_icmp(&self) -> bool {
        self.ip_proto == 1 && self.has(flag::TRANSPORT)
    }
    pub fn is_icmpv6(&self) -> bool {
        self.ip_proto == 58 && self.has(flag::TRANSPORT)
    }
    pub fn is_ip(&self) -> bool {
        self.has(flag::IPV4 | flag::IPV6)
    }
}

/// Interned [`LinkAddrs`]; id 0 means "none".
#[derive(Debug, Default, Clone)]
pub struct LinkTable {
    links: Vec<LinkAddrs>,
    ids: HashMap<LinkAddrs, u32>,
    /// The last two links interned: consecutive frames usually share one, or go back and forth
    /// between the two directions of one.
    recent: [Option<(LinkAddrs, u32)>; 2],
}

impl LinkTable {
    pub fn intern(&mut self, link: LinkAddrs) -> u32 {
        if link == LinkAddrs::default() {
            return 0;
        }
        if let Some((_, id)) = self.recent.iter().flatten().find(|(seen, _)| *seen == link) {
            return *id;
        }
        let id = match self.ids.get(&link) {
            Some(&id) => id,
            None => {
                self.links.push(link);
                let id = self.links.len() as u32;
                self.ids.insert(link, id);
                id
            }
        };
        self.recent = [Some((link, id)), self.recent[0]];
        id
    }
    pub fn get(&self, id: u32) -> LinkAddrs {
        id.checked_sub(1)
            .and_then(|i| self.links.get(i as usize))
            .copied()
            .unwrap_or_default()
    }
}

/// Values that only some frames have, keyed by frame index (0-based), kept sorted.
#[derive(Debug, Clone)]
pub struct SideTable<T> {
    keys: Vec<u32>,
    values: Vec<T>,
}

impl<T> Default for SideTable<T> {
    fn default() -> Self {
        SideTable {
            keys: Vec::new(),
            values: Vec::new(),
        }
    }
}

impl<T> SideTable<T> {
    /// Appends a value; keys must be pushed in increasing order.
    pub fn push(&mut self, key: u32, value: T) {
        debug_assert!(self.keys.last().is_none_or(|&k| k < key));
        self.keys.push(key);
        self.values.push(value);
    }
    pub fn get(&self, key: u32) -> Option<&T> {
        self.keys
            .binary_search(&key)
            .ok()
            .and_then(|i| self.values.get(i))
    }
    /// The value of `key` for a pass that asks in increasing key order: `cursor` (0 at first)
    /// moves forward over the keys passed, so a pass over every frame costs one step a key
    /// instead of a binary search a frame.
    #[inline]
    pub fn get_forward(&self, cursor: &mut usize, key: u32) -> Option<&T> {
        while self.keys.get(*cursor).is_some_and(|&k| k < key) {
            *cursor += 1;
        }
        match self.keys.get(*cursor) {
            Some(&k) if k == key => self.values.get(*cursor),
            _ => None,
        }
    }
    /// The entry with the greatest key at most `key`, if any.
    pub fn at_or_before(&self, key: u32) -> Option<(u32, &T)> {
        let i = self.keys.partition_point(|&k| k <= key).checked_sub(1)?;
        Some((*self.keys.get(i)?, self.values.get(i)?))
    }
    pub fn len(&self) -> usize {
        self.keys.len()
    }
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = (u32, &T)> {
        self.keys.iter().copied().zip(self.values.iter())
    }
    /// Gives back the room the vectors grew into but do not use.
    pub fn shrink_to_fit(&mut self) {
        self.keys.shrink_to_fit();
        self.values.shrink_to_fit();
    }
    /// Bytes held, for the memory report.
    pub fn heap_bytes(&self) -> usize {
        self.keys.capacity() * 4 + self.values.capacity() * std::mem::size_of::<T>()
    }
}

/// A side table whose values repeat from frame to frame: each distinct value is kept once, and a
/// frame that has a value keeps its number, in 2 bytes while there are at most 65,536 values.
/// Which frames have one is a bit a frame ([`RankedBits`], up to the last frame with a value),
/// and a frame's number is found at the rank of its bit: about 2 bytes a frame with a value and
/// an eighth of a byte a frame in all, where a key and a number took 8 bytes a frame with a value
/// (and a [`TcpOptions`] value alone is 12). The handshake options of a capture's SYNs and
/// SYN-ACKs, a third of the frames of a capture of short connections, are nearly all alike.
#[derive(Debug, Clone)]
pub struct InternedSideTable<T> {
    /// Per frame index, up to the last with a value: whether it has one.
    present: RankedBits,
    /// Per frame with a value, in frame order: its value's number in `values`.
    numbers: Numbers,
    values: Vec<T>,
    /// Value → its number in `values` (only pushing needs it).
    known: HashMap<T, u32>,
}

/// The numbers of an [`InternedSideTable`]'s values, 2 bytes each until a number needs more
/// (then all are widened to 4).
#[derive(Debug, Clone)]
enum Numbers {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

impl Numbers {
    fn push(&mut self, number: u32) {
        match self {
            Numbers::Narrow(numbers) => match u16::try_from(number) {
                Ok(narrow) => numbers.push(narrow),
                Err(_) => {
                    let mut wide: Vec<u32> = numbers.iter().map(|&n| u32::from(n)).collect();
                    wide.push(number);
                    *self = Numbers::Wide(wide);
                }
            },
            Numbers::Wide(numbers) => numbers.push(number),
        }
    }
    #[inline]
    fn get(&self, at: usize) -> Option<u32> {
        match self {
            Numbers::Narrow(numbers) => numbers.get(at).map(|&n| u32::from(n)),
            Numbers::Wide(numbers) => numbers.get(at).copied(),
        }
    }
    fn shrink_to_fit(&mut self) {
        match self {
            Numbers::Narrow(numbers) => numbers.shrink_to_fit(),
            Numbers::Wide(numbers) => numbers.shrink_to_fit(),
        }
    }
    fn heap_bytes(&self) -> usize {
        match self {
            Numbers::Narrow(numbers) => numbers.capacity() * 2,
            Numbers::Wide(numbers) => numbers.capacity() * 4,
        }
    }
}

impl<T> Default for InternedSideTable<T> {
    fn default() -> Self {
        InternedSideTable {
            present: RankedBits::default(),
            numbers: Numbers::Narrow(Vec::new()),
            values: Vec::new(),
            known: HashMap::default(),
        }
    }
}

impl<T: Copy + Eq + std::hash::Hash> InternedSideTable<T> {
    /// Appends a value; keys must be pushed in increasing order.
    pub fn push(&mut self, key: u32, value: T) {
        debug_assert!(key as usize >= self.present.len());
        self.present
            .push_zeros((key as usize).saturating_sub(self.present.len()));
        self.present.push(true);
        let values = &mut self.values;
        let number = *self.known.entry(value).or_insert_with(|| {
            values.push(value);
            values.len() as u32 - 1
        });
        self.numbers.push(number);
    }
    #[inline]
    pub fn get(&self, key: u32) -> Option<&T> {
        let at = self.present.rank_of_set(key as usize)?;
        self.values.get(self.numbers.get(at)? as usize)
    }
    /// Frames with a value.
    pub fn len(&self) -> usize {
        self.present.count_ones()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Gives back the room the vectors grew into but do not use.
    pub fn shrink_to_fit(&mut self) {
        self.present.shrink_to_fit();
        self.numbers.shrink_to_fit();
        self.values.shrink_to_fit();
    }
    /// Bytes held, for the memory report.
    pub fn heap_bytes(&self) -> usize {
        self.present.heap_bytes()
            + self.numbers.heap_bytes()
            + self.values.capacity() * std::mem::size_of::<T>()
            + self.known.capacity() * (std::mem::size_of::<(T, u32)>() + 1)
    }
}

/// The TCP options of one frame that the index keeps for the handshake (see
/// [`PacketIndex::push_tcp_options`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TcpOptions {
    pub mss: Option<u16>,
    pub window_scale: Option<u8>,
    pub sack_permitted: bool,
    /// Kinds of the MSS, window-scale, SACK-permitted and SACK options in packet order (0 ends
    /// the list), so the Info column lists them as Wireshark does.
    pub order: [u8; 4],
}

/// Up to four SACK blocks of one frame: `count` (left, right) edges, raw sequence numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SackBlocks {
    pub count: u8,
    pub edges: [(u32, u32); 4],
}

/// A capture interface across all files: which file and which of its interfaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlobalInterface {
    pub file: u16,
    pub local: u32,
    pub link_type: u32,
}

/// Where a frame's bytes are in its file, to fetch them again (from a record's `offset` and
/// `caplen`, see `Analyzer::locate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FrameLocation {
    pub file: usize,
    pub offset: u64,
    pub caplen: u32,
}

/// The whole index of one analysis (one or several merged files).
#[derive(Debug, Default, Clone)]
pub struct PacketIndex {
    pub records: Records,
    pub addrs: AddressTable,
    pub links: LinkTable,
    pub apps: SideTable<AppInfo>,
    /// TCP handshake options (MSS, window scale, SACK permitted), on frames that carry one.
    pub tcp_options: InternedSideTable<TcpOptions>,
    /// SACK blocks, on frames that carry them (rarer than handshake options and 36 bytes each, so
    /// kept apart: see [`PacketIndex::push_tcp_options`]).
    pub tcp_sacks: SideTable<SackBlocks>,
    pub arp: SideTable<Arp>,
    /// Tunnelled frames: the Ethernet/IP/UDP layers around the innermost packet.
    pub outer_layers: SideTable<Vec<OuterLayer>>,
    /// IP fragments (innermost IP header).
    pub fragments: SideTable<FragmentInfo>,
    /// ICMP errors: the transport header of the packet in error.
    pub icmp_quotes: SideTable<IcmpQuote>,
    /// Frames whose IPv4, TCP or UDP checksum is wrong, when checksums were validated while
    /// indexing (see `Analyzer::set_checksum_validation`), and how many frames were validated
    /// (0: none; fewer than the frames when large files were sampled).
    pub checksums: SideTable<crate::checksums::ChecksumIssue>,
    pub checksums_checked: u64,
    pub interfaces: Vec<GlobalInterface>,
    /// For merged captures: each frame's number inside its own file (1-based). Empty when there is
    /// one file (then it equals the frame number).
    pub file_frame: Vec<u32>,
}

impl PacketIndex {
    pub fn len(&self) -> usize {
        self.records.len()
    }
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
    /// The file a frame came from.
    pub fn file_of(&self, record: &PacketRecord) -> u16 {
        self.interfaces
            .get(record.iface as usize)
            .map_or(0, |i| i.file)
    }
    pub fn link_type_of(&self, record: &PacketRecord) -> u32 {
        self.interfaces
            .get(record.iface as usize)
            .map_or(0, |i| i.link_type)
    }
    /// Frame number inside its own file (1-based) for frame index `i`.
    pub fn number_in_file(&self, i: usize) -> u32 {
        self.file_frame.get(i).copied().unwrap_or(i as u32 + 1)
    }
    /// Keeps the options of frame `frame_index` that the analysis reads: the handshake options in
    /// [`PacketIndex::tcp_options`] (12 bytes, kept once per distinct value; the whole decoded
    /// summary is 56) and the SACK blocks, when there are any, in [`PacketIndex::tcp_sacks`].
    pub fn push_tcp_options(&mut self, frame_index: u32, options: &OptionSummary) {
        self.tcp_options.push(
            frame_index,
            TcpOptions {
                mss: options.mss,
                window_scale: options.window_scale,
                sack_permitted: options.sack_permitted,
                order: options.order,
            },
        );
        if options.sack_count > 0 {
            let count = options.sack_count.min(4);
            let mut edges = [(0, 0); 4];
            edges[..usize::from(count)].copy_from_slice(&options.sack[..usize::from(count)]);
            self.tcp_sacks
                .push(frame_index, SackBlocks { count, edges });
        }
    }

    /// The SACK blocks of frame `frame_index` (left and right edges, raw), if it has any.
    pub fn tcp_sack(&self, frame_index: u32) -> &[(u32, u32)] {
        self.tcp_sacks
            .get(frame_index)
            .map_or(&[], |s| &s.edges[..usize::from(s.count)])
    }
    /// [`PacketIndex::tcp_sack`] for a pass in frame order (see [`SideTable::get_forward`]).
    pub fn tcp_sack_forward(&self, cursor: &mut usize, frame_index: u32) -> &[(u32, u32)] {
        self.tcp_sacks
            .get_forward(cursor, frame_index)
            .map_or(&[], |s| &s.edges[..usize::from(s.count)])
    }

    /// Gives back the room the vectors grew into but do not use, once every frame is in (a vector
    /// doubles as it grows, so up to half of its memory can be spare).
    pub fn shrink_to_fit(&mut self) {
        self.records.shrink_to_fit();
        self.addrs.shrink_to_fit();
        self.apps.shrink_to_fit();
        self.tcp_options.shrink_to_fit();
        self.tcp_sacks.shrink_to_fit();
        self.arp.shrink_to_fit();
        self.outer_layers.shrink_to_fit();
        self.fragments.shrink_to_fit();
        self.icmp_quotes.shrink_to_fit();
        self.checksums.shrink_to_fit();
        self.file_frame.shrink_to_fit();
    }

    /// Approximate heap bytes of the index (records, tables), for the memory report.
    pub fn heap_bytes(&self) -> usize {
        self.records.heap_bytes()
            + self.addrs.heap_bytes()
            + self.apps.heap_bytes()
            + self.tcp_options.heap_bytes()
            + self.tcp_sacks.heap_bytes()
            + self.arp.heap_bytes()
            + self.outer_layers.heap_bytes()
            + self.fragments.heap_bytes()
            + self.icmp_quotes.heap_bytes()
            + self.checksums.heap_bytes()
            + self.file_frame.capacity() * 4
    }
}

/// Builds a record from a decoded frame, interning addresses and filling side tables for frame
/// index `frame_index`.
#[inline(always)]
pub fn record_from(
    decoded: &mut Decoded,
    frame: &RawFrame<'_>,
    iface: u16,
    frame_index: u32,
    index: &mut PacketIndex,
) -> PacketRecord {
    let mut r = PacketRecord {
        ts_ns: frame.ts_ns.unwrap_or(0),
        offset: frame.offset,
        caplen: frame.data.len() as u32,
        orig_len: frame.orig_len,
        iface,
        ip_id: decoded.ip_id,
        ttl: decoded.ttl,
        ip_proto: decoded.ip_proto,
        src_port: decoded.src_port,
        dst_port: decoded.dst_port,
        ..PacketRecord::default()
    };
    r.set_lengths(decoded.ip_len, decoded.payload_len);
    let mut flags = decode_flags(decoded, frame.ts_ns.is_some());
    intern_addresses(decoded, &mut r, index);
    flags |= transport_fields(&decoded.transport, &mut r, frame_index, index);
    flags |= push_side_tables(decoded, frame_index, index);
    r.flags = flags;
    r
}

/// The [`flag`] bits that restate what the decoder saw: time, address family, fragmentation,
/// tunnelling and where decoding stopped.
#[inline(always)]
fn decode_flags(decoded: &Decoded, has_time: bool) -> u16 {
    let family = match decoded.src {
        Some(IpAddr::V4(_)) => flag::IPV4,
        Some(IpAddr::V6(_)) => flag::IPV6,
        None => 0,
    };
    let ports_only = decoded.stop.is_some()
        && matches!(decoded.transport, Transport::None)
        && (decoded.src_port != 0 || decoded.dst_port != 0);
    [
        (has_time, flag::HAS_TIME),
        (decoded.fragment, flag::FRAGMENT),
        (decoded.later_fragment, flag::LATER_FRAGMENT),
        (decoded.dont_fragment, flag::DONT_FRAGMENT),
        (decoded.tunnelled, flag::TUNNELLED),
        (decoded.stop.is_some(), flag::DECODE_STOPPED),
        (ports_only, flag::PORTS_ONLY),
        (decoded.tcp_options_cut, flag::TCP_OPTIONS_CUT),
        (decoded.ipv6_extensions_cut, flag::IPV6_EXTENSIONS_CUT),
    ]
    .into_iter()
    .fold(
        family,
        |flags, (set, bit)| if set { flags | bit } else { flags },
    )
}

/// Interns the network and link addresses into the index's tables and records their ids.
#[inline(always)]
fn intern_addresses(decoded: &Decoded, r: &mut PacketRecord, index: &mut PacketIndex) {
    if let Some(src) = decoded.src {
        r.src = index.addrs.intern(src);
    }
    if let Some(dst) = decoded.dst {
        r.dst = index.addrs.intern(dst);
    }
    r.link = index.links.intern(decoded.link);
}

/// Copies the transport header's fields into the record (TCP sequence numbers and window,
/// ICMP type, code, identifier and sequence) and keeps TCP options that matter in their side
/// table; returns the flag bits it sets.
#[inline(always)]
fn transport_fields(
    transport: &Transport,
    r: &mut PacketRecord,
    frame_index: u32,
    index: &mut PacketIndex,
) -> u16 {
    match *transport {
        Transport::Tcp(tcp) => {
            r.seq = tcp.seq;
            r.ack = tcp.ack;
            r.window = tcp.window;
            r.tcp_flags = tcp.flags as u8;
            let mut flags = flag::TRANSPORT;
            if tcp.flags & 0x100 != 0 {
                flags |= flag::TCP_NS;
            }
            let o = tcp.options;
            if o.mss.is_some() || o.window_scale.is_some() || o.sack_permitted || o.sack_count > 0 {
                flags |= flag::HAS_TCP_OPTIONS;
                index.push_tcp_options(frame_index, &o);
            }
            flags
        }
        Transport::Udp { .. } => flag::TRANSPORT,
        Transport::Icmp {
            icmp_type,
            code,
            ident,
            seq,
        }
        | Transport::Icmpv6 {
            icmp_type,
            code,
            ident,
            seq,
        } => {
            r.src_port = u16::from(icmp_type);
            r.dst_port = u16::from(code);
            r.seq = u32::from(ident) << 16 | u32::from(seq);
            flag::TRANSPORT
        }
        Transport::None => 0,
    }
}

/// Files what only some frames have in the index's side tables (outer layers of a tunnel,
/// fragment details, ICMP quotes, ARP fields, application labels); returns the flag bits for
/// the ARP and application entries. What it files is taken out of `decoded`.
#[inline(always)]
fn push_side_tables(decoded: &mut Decoded, frame_index: u32, index: &mut PacketIndex) -> u16 {
    let mut flags = 0;
    if !decoded.outer_layers.is_empty() {
        let layers = std::mem::take(&mut decoded.outer_layers);
        index.outer_layers.push(frame_index, layers);
    }
    if let Some(fragment) = decoded.fragment_info {
        index.fragments.push(frame_index, fragment);
    }
    if let Some(quote) = decoded.icmp_quote {
        index.icmp_quotes.push(frame_index, quote);
    }
    if let Some(arp) = decoded.arp {
        flags |= flag::ARP;
        index.arp.push(frame_index, arp);
    }
    if let Some(app) = decoded.app.take() {
        flags |= flag::HAS_APP;
        index.apps.push(frame_index, app);
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_fits_in_64_bytes() {
        assert!(
            std::mem::size_of::<PacketRecord>() <= 64,
            "{}",
            std::mem::size_of::<PacketRecord>()
        );
    }

    #[test]
    fn interned_side_values_come_back_by_key_and_are_kept_once() {
        let syn = TcpOptions {
            mss: Some(1460),
            window_scale: Some(7),
            sack_permitted: true,
            order: [2, 4, 3, 0],
        };
        let other = TcpOptions {
            mss: Some(1380),
            ..syn
        };
        let mut table = InternedSideTable::default();
        for key in 0..1000u32 {
            if key % 3 == 0 {
                table.push(key, if key == 600 { other } else { syn });
            }
        }
        assert_eq!(table.len(), 334);
        assert_eq!(table.values.len(), 2, "two distinct values");
        assert_eq!(table.get(3), Some(&syn));
        assert_eq!(table.get(600), Some(&other));
        assert_eq!(table.get(4), None);
        assert_eq!(table.get(1000), None, "past the last key");
        let back: Vec<_> = (0..1000u32)
            .filter_map(|key| table.get(key).map(|v| (key, *v)))
            .collect();
        assert_eq!(back.len(), 334);
        assert!(back
            .iter()
            .all(|&(key, v)| key % 3 == 0 && v == if key == 600 { other } else { syn }));
    }

    #[test]
    fn interned_side_numbers_widen_past_65536_values() {
        let mut table = InternedSideTable::default();
        for key in 0..70_000u32 {
            table.push(2 * key, key);
        }
        assert!(matches!(table.numbers, Numbers::Wide(_)));
        assert!((0..140_000u32).all(|key| table.get(key) == (key % 2 == 0).then_some(&(key / 2))));
    }

    #[test]
    fn interning_is_stable() {
        let mut table = AddressTable::default();
        let a = table.intern("10.0.0.1".parse().unwrap());
        let b = table.intern("::1".parse().unwrap());
        assert_eq!(table.intern("10.0.0.1".parse().unwrap()), a);
        assert_ne!(a, b);
        assert_eq!(table.get(b), Some("::1".parse().unwrap()));
        assert_eq!(table.get(0), None);
    }
}
