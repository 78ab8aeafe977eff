//! Flow tracking: gives every TCP and UDP frame a stream number exactly as Wireshark 4.0 does
//! (`tcp.stream` / `udp.stream`: numbered in order of first appearance, separately for TCP and
//! UDP, keyed by both addresses and ports in either direction, no idle timeout) and keeps each
//! TCP stream's base sequence numbers, from which relative `tcp.seq` / `tcp.ack` are shown.
//!
//! TCP conversation rules (packet-tcp.c, `dissect_tcp`):
//! - a SYN without ACK on a conversation whose direction already has a base sequence number
//!   different from the SYN's starts a NEW stream (ports reused); an equal one is a SYN
//!   retransmission;
//! - a SYN+ACK whose sequence number differs from its direction's base only moves that base (and
//!   is flagged as reused ports by the analysis), it never starts a stream;
//! - the base of a direction is set by its first analysed segment (SYN: its seq; otherwise seq−1)
//!   and the reverse base by the first segment carrying ACK (ack−1).
//!
//! Frames are tracked where Wireshark dissects TCP/UDP: not on IP fragments (the transport is
//! dissected on the frame that completes reassembly, see [`crate::index::PacketIndex`]'s
//! fragment table), and — for stream numbering only — on headers quoted inside ICMP errors.

use crate::batched::for_each_batched;
use crate::chunked::ChunkedVec;
use crate::decode::{TCP_ACK, TCP_SYN};
use crate::hash::HashMap;
use crate::index::{flag, PacketIndex, PacketRecord, Records};

mod stream_ids;
mod transport;
pub use stream_ids::StreamIds;
use transport::outer_udp_views;
pub use transport::{reassembled_datagrams, ExtraAddressIds, TransportView};

/// Marks a frame that belongs to no TCP/UDP stream.
pub const NO_STREAM: u32 = u32::MAX;

/// One TCP or UDP conversation instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stream {
    /// 6 for TCP, 17 for UDP.
    pub ip_proto: u8,
    /// Which of `base` are valid (bit 0: A→B, bit 1: B→A).
    base_known: u8,
    /// Started by a SYN that reused the ports of an earlier stream.
    pub reused_ports: bool,
    /// The stream's number among streams of the same protocol (tcp.stream / udp.stream).
    pub number: u32,
    /// Where endpoints A (the source of the first frame) and B are: read through
    /// [`Flows::ends`] (see [`ends`]). A stream of frames' own headers points at their tuple in
    /// the records, which holds the endpoints already: 28 bytes a stream instead of 36.
    ends: u32,
    /// Base sequence number of each direction (A→B, B→A), valid where `base_known` has the
    /// direction's bit; read through [`Stream::base_seq`]. (Two plain numbers and a bit each
    /// rather than two `Option`s: 9 bytes instead of 16.)
    base: [u32; 2],
    pub first_frame: u32,
    pub last_frame: u32,
}

/// How [`Stream::ends`] says where a stream's endpoints are.
mod ends {
    /// The endpoints are in [`super::Flows::other_ends`], at the number in the low 31 bits (a
    /// stream of headers quoted in ICMP errors or of tunnels' outer headers).
    pub const OTHER: u32 = 1 << 31;
    /// Else, the low 30 bits are a tuple of the records, and this bit says endpoint A is the
    /// tuple's side 1.
    pub const A_IS_SIDE_1: u32 = 1 << 30;
    /// Tuple numbers below this fit.
    pub const TUPLES: u32 = 1 << 30;
}

/// A stream's two endpoints, (address id, port) each: A, the source of its first frame, and B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ends {
    pub a: (u32, u16),
    pub b: (u32, u16),
}

impl Ends {
    /// 0 when the frame goes A → B, 1 when B → A.
    #[inline]
    pub fn direction_of(&self, record: &PacketRecord) -> usize {
        self.direction_of_endpoint((record.src, record.src_port), (record.dst, record.dst_port))
    }

    /// 0 when `src` → `dst` is A → B, 1 otherwise.
    #[inline]
    pub fn direction_of_endpoint(&self, src: (u32, u16), dst: (u32, u16)) -> usize {
        usize::from(!(src == self.a && dst == self.b))
    }
}

/// Something the TCP conversation layer decided on a frame, which the sequence analysis needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpEvent {
    /// A SYN with a new ISN on a known conversation: this frame starts a new stream.
    ReusedPortsSyn,
    /// A SYN+ACK whose ISN differs from its direction's base: the base moved.
    ReusedPortsSynAck,
    /// A SYN repeating the base ISN: a retransmitted SYN.
    SynRetransmission,
}

/// How the frame's TCP/UDP header is seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carriage {
    /// The frame's own transport header (the analysis may run).
    Own,
    /// A header quoted inside an ICMP error (stream number only, no analysis).
    QuotedInIcmpError,
}

/// Stream membership of every frame.
#[derive(Debug, Default, Clone)]
pub struct Flows {
    /// Per frame: index into `streams`, or [`NO_STREAM`].
    pub stream_of: StreamIds,
    pub streams: ChunkedVec<Stream>,
    /// The endpoints of streams that are not of frames' own headers (see [`ends::OTHER`]).
    other_ends: Vec<Ends>,
    /// TCP conversation events, sorted by frame index.
    pub tcp_events: Vec<(u32, TcpEvent)>,
    /// Frames whose stream comes from a header quoted in an ICMP error (sorted).
    pub quoted: Vec<u32>,
    /// UDP headers of tunnels around the innermost packet (VXLAN): (frame, stream id), in frame
    /// order, outermost first. Wireshark numbers these streams before the inner packet's.
    pub outer_udp: Vec<(u32, u32)>,
    /// IP datagrams reassembled from fragments: (completing frame, frame of the first
    /// fragment), sorted.
    pub reassembled: Vec<(u32, u32)>,
}

impl Flows {
    /// Stream ids of the tunnel UDP headers around frame `i`'s packet, outermost first.
    pub fn outer_udp_streams(&self, frame_index: u32) -> impl Iterator<Item = u32> + '_ {
        let start = self.outer_udp.partition_point(|(f, _)| *f < frame_index);
        self.outer_udp[start..]
            .iter()
            .take_while(move |(f, _)| *f == frame_index)
            .map(|(_, id)| *id)
    }
}

type ConversationKey = (u8, (u32, u16), (u32, u16));

fn key_of(view: &TransportView) -> ConversationKey {
    if view.src <= view.dst {
        (view.ip_proto, view.src, view.dst)
    } else {
        (view.ip_proto, view.dst, view.src)
    }
}

/// The stream each conversation key stands for now. A frame's own header is found by the
/// records' tuple of the frame ([`TransportView::tuple`]), whose latest stream is kept in a plain
/// array; other views, and a tuple's first frame, look in a small table of the keys in flight in
/// front of the map: a capture has millions of conversations but rarely more than a few hundred
/// at once, and the map, as large as the conversations, misses the CPU's caches on nearly every
/// look-up where the table and the array do not.
struct OpenConversations {
    map: HashMap<ConversationKey, u32>,
    /// `(key, id)` at the place the key's hash gives (a newer key takes the place of an older);
    /// id [`NO_STREAM`]: empty.
    hot: Vec<(ConversationKey, u32)>,
    /// Per records tuple: the stream its last frame went to ([`NO_STREAM`]: none yet). It is
    /// still its key's stream unless a port-reusing SYN (maybe on another tuple of the same key)
    /// started a newer one since: `superseded` has a bit per stream for that.
    by_tuple: Vec<u32>,
    superseded: Vec<u64>,
}

/// Places in [`OpenConversations::hot`] (12 KB).
const HOT_CONVERSATIONS: usize = 512;

impl OpenConversations {
    /// For the conversations of an index with `tuples` tuples in its records.
    fn new(tuples: usize) -> Self {
        // Room for a key per tuple (each tuple has one key), so the map never moves its entries
        // to grow. Without the memory, it grows as it needs.
        let mut map = HashMap::default();
        let _ = map.try_reserve(tuples);
        OpenConversations {
            map,
            hot: vec![((0, (0, 0), (0, 0)), NO_STREAM); HOT_CONVERSATIONS],
            by_tuple: vec![NO_STREAM; tuples],
            superseded: Vec::new(),
        }
    }

    /// The stream `view`'s key stands for now.
    #[inline]
    fn of_view(&mut self, view: &TransportView) -> Option<u32> {
        let cached = view
            .tuple
            .and_then(|t| self.by_tuple.get(t as usize).copied())
            .filter(|&id| id != NO_STREAM && !self.is_superseded(id));
        cached.or_else(|| self.get(&key_of(view)))
    }

    /// Notes that the frame `view` stands for went to stream `id`.
    #[inline]
    fn went_to(&mut self, view: &TransportView, id: u32) {
        if let Some(slot) = view.tuple.and_then(|t| self.by_tuple.get_mut(t as usize)) {
            *slot = id;
        }
    }

    /// Stream `id` is no longer its key's: a port-reusing SYN started a newer one.
    fn supersede(&mut self, id: u32) {
        let word = id as usize / 64;
        if self.superseded.len() <= word {
            self.superseded.resize(word + 1, 0);
        }
        self.superseded[word] |= 1 << (id % 64);
    }

    #[inline]
    fn is_superseded(&self, id: u32) -> bool {
        self.superseded
            .get(id as usize / 64)
            .is_some_and(|word| word & 1 << (id % 64) != 0)
    }

    #[inline]
    fn get(&mut self, key: &ConversationKey) -> Option<u32> {
        let place = hot_place(key);
        let (hot_key, hot_id) = self.hot[place];
        if hot_id != NO_STREAM && hot_key == *key {
            return Some(hot_id);
        }
        let id = *self.map.get(key)?;
        self.hot[place] = (*key, id);
        Some(id)
    }

    fn insert(&mut self, key: ConversationKey, id: u32) {
        self.map.insert(key, id);
        self.hot[hot_place(&key)] = (key, id);
    }
}

/// Where a key goes in [`OpenConversations::hot`]: the high bits of a multiplicative hash of its
/// fields.
#[inline]
fn hot_place(&(proto, (a, a_port), (b, b_port)): &ConversationKey) -> usize {
    let a = u64::from(a) << 16 | u64::from(a_port);
    let b = u64::from(b) << 16 | u64::from(b_port);
    let mixed =
        (a ^ b.rotate_left(29) ^ u64::from(proto) << 56).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (mixed >> (64 - HOT_CONVERSATIONS.trailing_zeros())) as usize
}

fn is_pure_syn(flags: u8) -> bool {
    u16::from(flags) & (TCP_SYN | TCP_ACK) == TCP_SYN
}

fn is_syn_ack(flags: u8) -> bool {
    u16::from(flags) & (TCP_SYN | TCP_ACK) == TCP_SYN | TCP_ACK
}

impl Flows {
    /// Assigns streams to every TCP/UDP frame of `index`.
    pub fn build(index: &PacketIndex) -> Flows {
        let mut flows = Flows {
            stream_of: StreamIds::with_capacity(index.len()),
            ..Flows::default()
        };
        let mut current = OpenConversations::new(index.records.tuple_count());
        let mut counts = [0u32; 2];
        let datagrams = reassembled_datagrams(index);
        flows.reassembled = datagrams
            .iter()
            .map(|(&done, &head)| (done, head))
            .collect();
        flows.reassembled.sort_unstable();
        let mut extra_ids = ExtraAddressIds::default();
        for_each_batched(index.records.indexed(), |(i, record)| {
            if record.has(flag::TUNNELLED) {
                for view in outer_udp_views(index, i, &mut extra_ids) {
                    let id = match current.get(&key_of(&view)) {
                        Some(id) => id,
                        None => flows.new_stream(
                            &view,
                            i as u32,
                            &mut counts,
                            &mut current,
                            false,
                            &index.records,
                        ),
                    };
                    flows.streams[id as usize].last_frame = i as u32;
                    flows.outer_udp.push((i as u32, id));
                }
            }
            let Some(view) = TransportView::of_frame(index, i, &record, &datagrams, &mut extra_ids)
            else {
                flows.stream_of.push(NO_STREAM);
                return;
            };
            let frame = i as u32;
            let mut id = match current.of_view(&view) {
                Some(id) => id,
                None => flows.new_stream(
                    &view,
                    frame,
                    &mut counts,
                    &mut current,
                    false,
                    &index.records,
                ),
            };
            if view.ip_proto == 6 {
                id = flows.tcp_conversation_step(
                    id,
                    &view,
                    frame,
                    &mut counts,
                    &mut current,
                    &index.records,
                );
            }
            current.went_to(&view, id);
            let stream = &mut flows.streams[id as usize];
            stream.last_frame = frame;
            if view.carriage == Carriage::QuotedInIcmpError {
                flows.quoted.push(frame);
            }
            flows.stream_of.push(id);
        });
        flows.shrink_to_fit();
        flows
    }

    /// Gives back the room the vectors grew into but do not use (the streams vector alone
    /// would keep up to twice its length: it grows by doubling while the frames are read).
    fn shrink_to_fit(&mut self) {
        self.stream_of.seal();
        self.tcp_events.shrink_to_fit();
        self.quoted.shrink_to_fit();
        self.outer_udp.shrink_to_fit();
        self.reassembled.shrink_to_fit();
    }

    fn new_stream(
        &mut self,
        view: &TransportView,
        frame: u32,
        counts: &mut [u32; 2],
        current: &mut OpenConversations,
        reused_ports: bool,
        records: &Records,
    ) -> u32 {
        let slot = usize::from(view.ip_proto != 6);
        let id = self.streams.len() as u32;
        let ends = self.ends_of_view(view, records);
        self.streams.push(Stream {
            ip_proto: view.ip_proto,
            base_known: 0,
            reused_ports,
            number: counts[slot],
            ends,
            base: [0, 0],
            first_frame: frame,
            last_frame: frame,
        });
        counts[slot] += 1;
        current.insert(key_of(view), id);
        id
    }

    /// The TCP part of `dissect_tcp` before the analysis: port reuse and base sequence numbers.
    /// Returns the stream the frame belongs to.
    fn tcp_conversation_step(
        &mut self,
        id: u32,
        view: &TransportView,
        frame: u32,
        counts: &mut [u32; 2],
        current: &mut OpenConversations,
        records: &Records,
    ) -> u32 {
        let (first_id, mut id) = (id, id);
        let dir = self
            .ends_of(id as usize, records)
            .direction_of_endpoint(view.src, view.dst);
        let base = self.streams[id as usize].base_seq(dir);
        if is_pure_syn(view.tcp_flags) {
            if let Some(base) = base {
                if view.seq != base {
                    current.supersede(id);
                    id = self.new_stream(view, frame, counts, current, true, records);
                    self.tcp_events.push((frame, TcpEvent::ReusedPortsSyn));
                } else {
                    self.tcp_events.push((frame, TcpEvent::SynRetransmission));
                }
            }
        } else if is_syn_ack(view.tcp_flags) {
            if let Some(base) = base {
                if view.seq != base {
                    self.streams[id as usize].set_base_seq(dir, view.seq);
                    self.tcp_events.push((frame, TcpEvent::ReusedPortsSynAck));
                }
            }
        }
        if view.analysed {
            // The direction again only when a port-reusing SYN started a new stream.
            let dir = if id == first_id {
                dir
            } else {
                self.ends_of(id as usize, records)
                    .direction_of_endpoint(view.src, view.dst)
            };
            let stream = &mut self.streams[id as usize];
            if stream.base_seq(dir).is_none() {
                let base = if u16::from(view.tcp_flags) & TCP_SYN != 0 {
                    view.seq
                } else {
                    view.seq.wrapping_sub(1)
                };
                stream.set_base_seq(dir, base);
            }
            if stream.base_seq(1 - dir).is_none() && u16::from(view.tcp_flags) & TCP_ACK != 0 {
                stream.set_base_seq(1 - dir, view.ack.wrapping_sub(1));
            }
        }
        id
    }

    /// The frames of stream `id` (0-based indexes, in order), those whose header is quoted in an
    /// ICMP error included.
    pub fn frames_of(&self, id: usize) -> impl Iterator<Item = u32> + '_ {
        let (first, last) = self
            .streams
            .get(id)
            .map_or((1, 0), |s| (s.first_frame as usize, s.last_frame as usize));
        let end = (last + 1).min(self.stream_of.len());
        (first.min(end)..end)
            .filter(move |&i| self.stream_of.at(i) as usize == id)
            .map(|i| i as u32)
    }

    pub fn stream(&self, frame_index: usize) -> Option<&Stream> {
        let id = self.stream_of.get(frame_index)?;
        self.streams.get(id as usize)
    }

    /// The event the TCP conversation layer recorded for a frame, if any.
    pub fn tcp_event(&self, frame_index: u32) -> Option<TcpEvent> {
        self.tcp_events
            .binary_search_by_key(&frame_index, |(f, _)| *f)
            .ok()
            .map(|at| self.tcp_events[at].1)
    }

    /// Whether IP reassembly completes a datagram at this frame.
    pub fn completes_datagram(&self, frame_index: u32) -> bool {
        self.reassembled
            .binary_search_by_key(&frame_index, |(f, _)| *f)
            .is_ok()
    }

    /// The endpoints of `stream`, one of these flows' streams; `records` are the index's the
    /// flows were built from.
    #[inline]
    pub fn ends(&self, stream: &Stream, records: &Records) -> Ends {
        if stream.ends & ends::OTHER != 0 {
            return self
                .other_ends
                .get((stream.ends & !ends::OTHER) as usize)
                .copied()
                .unwrap_or_default();
        }
        let Some([side_0, side_1]) = records.tuple_ends(stream.ends & (ends::TUPLES - 1)) else {
            return Ends::default();
        };
        if stream.ends & ends::A_IS_SIDE_1 != 0 {
            Ends {
                a: side_1,
                b: side_0,
            }
        } else {
            Ends {
                a: side_0,
                b: side_1,
            }
        }
    }

    /// [`Flows::ends`] of stream `id` (default endpoints when there is no such stream).
    #[inline]
    pub fn ends_of(&self, id: usize, records: &Records) -> Ends {
        self.streams
            .get(id)
            .map_or_else(Ends::default, |stream| self.ends(stream, records))
    }

    /// What a new stream of `view` keeps in [`Stream::ends`]: the view's tuple in the records
    /// when the view is a frame's own header (and its endpoints are the tuple's), else its
    /// endpoints, added to [`Flows::other_ends`].
    fn ends_of_view(&mut self, view: &TransportView, records: &Records) -> u32 {
        if let Some(tuple) = view.tuple.filter(|&t| t < ends::TUPLES) {
            match records.tuple_ends(tuple) {
                Some([a, b]) if (a, b) == (view.src, view.dst) => return tuple,
                Some([b, a]) if (a, b) == (view.src, view.dst) => return tuple | ends::A_IS_SIDE_1,
                _ => {}
            }
        }
        self.other_ends.push(Ends {
            a: view.src,
            b: view.dst,
        });
        (self.other_ends.len() - 1) as u32 | ends::OTHER
    }

    /// Whether the frame's stream number comes from a header quoted in an ICMP error.
    pub fn is_quoted(&self, frame_index: u32) -> bool {
        self.quoted.binary_search(&frame_index).is_ok()
    }
}

impl Stream {
    /// Base sequence number of direction `dir` (0: A→B, 1: B→A) as it stands at the end of the
    /// capture: relative numbers are raw minus this (what `tshark -2` shows). `None` until the
    /// direction is seen.
    pub fn base_seq(&self, dir: usize) -> Option<u32> {
        let known = self.base_known & (1 << (dir & 1)) != 0;
        known.then(|| self.base[dir & 1])
    }

    fn set_base_seq(&mut self, dir: usize, base: u32) {
        self.base[dir & 1] = base;
        self.base_known |= 1 << (dir & 1);
    }

    /// Sequence and acknowledgement numbers of a frame going in direction `dir` (0: A→B, see
    /// [`Ends::direction_of`]) relative to the stream's bases (raw values where a base is
    /// unknown; the ack is 0 without the ACK flag).
    pub fn relative(&self, record: &PacketRecord, dir: usize) -> (u32, u32) {
        let seq = record.seq.wrapping_sub(self.base_seq(dir).unwrap_or(0));
        let ack = match self.base_seq(1 - dir) {
            Some(base) if u16::from(record.tcp_flags) & TCP_ACK != 0 => {
                record.ack.wrapping_sub(base)
            }
            _ if u16::from(record.tcp_flags) & TCP_ACK != 0 => record.ack,
            _ => 0,
        };
        (seq, ack)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::PacketRecord;

    fn tcp(
        src: u32,
        sport: u16,
        dst: u32,
        dport: u16,
        seq: u32,
        ack: u32,
        flags: u8,
    ) -> PacketRecord {
        PacketRecord {
            src,
            dst,
            src_port: sport,
            dst_port: dport,
            seq,
            ack,
            tcp_flags: flags,
            ip_proto: 6,
            flags: flag::TRANSPORT | flag::IPV4,
            ..PacketRecord::default()
        }
    }

    fn build(records: Vec<PacketRecord>) -> Flows {
        build_index(records).1
    }

    fn build_index(records: Vec<PacketRecord>) -> (PacketIndex, Flows) {
        let index = PacketIndex {
            records: records.into(),
            ..PacketIndex::default()
        };
        let flows = Flows::build(&index);
        (index, flows)
    }

    #[test]
    fn both_directions_share_a_stream_and_bases_follow_the_handshake() {
        let (index, flows) = build_index(vec![
            tcp(1, 1000, 2, 80, 100, 0, 0x02),
            tcp(2, 80, 1, 1000, 500, 101, 0x12),
            tcp(1, 1000, 2, 80, 101, 501, 0x10),
        ]);
        assert_eq!(flows.stream_of.iter().collect::<Vec<_>>(), [0, 0, 0]);
        let s = &flows.streams[0];
        // The bases are the two ISNs (SYN seq 100, SYN-ACK seq 500), so the ACK's raw 101/501
        // are relative 1/1, as Wireshark numbers a handshake.
        assert_eq!([s.base_seq(0), s.base_seq(1)], [Some(100), Some(500)]);
        let ack = tcp(1, 1000, 2, 80, 101, 501, 0x10);
        let ends = flows.ends(s, &index.records);
        assert_eq!((ends.a, ends.b), ((1, 1000), (2, 80)));
        assert_eq!(ends.direction_of(&ack), 0);
        assert_eq!(ends.direction_of(&tcp(2, 80, 1, 1000, 501, 101, 0x10)), 1);
        assert_eq!(s.relative(&ack, 0), (1, 1));
        assert!(flows.other_ends.is_empty(), "the tuple's endpoints");
    }

    #[test]
    fn a_syn_with_a_new_isn_reuses_ports_and_a_repeated_one_does_not() {
        let flows = build(vec![
            tcp(1, 1000, 2, 80, 100, 0, 0x02),
            tcp(1, 1000, 2, 80, 100, 0, 0x02),
            tcp(1, 1000, 2, 80, 9000, 0, 0x02),
            tcp(3, 5, 4, 6, 1, 0, 0x10),
        ]);
        assert_eq!(flows.stream_of.iter().collect::<Vec<_>>(), [0, 0, 1, 2]);
        assert_eq!(flows.streams[1].number, 1);
        assert!(flows.streams[1].reused_ports);
        assert_eq!(flows.tcp_event(1), Some(TcpEvent::SynRetransmission));
        assert_eq!(flows.tcp_event(2), Some(TcpEvent::ReusedPortsSyn));
    }

    #[test]
    fn a_new_stream_started_on_one_interface_is_the_other_interfaces_stream_too() {
        // One conversation seen on two interfaces (two tuples in the records, one key here).
        // Port reuse on interface 0 starts stream 1; interface 1's next frame, whose tuple last
        // went to stream 0, must go to stream 1 too; so must a link change after it.
        let on = |iface: u16, link: u32, r: PacketRecord| PacketRecord { iface, link, ..r };
        let flows = build(vec![
            on(0, 1, tcp(1, 1000, 2, 80, 100, 0, 0x02)),
            on(1, 1, tcp(1, 1000, 2, 80, 100, 0, 0x02)),
            on(0, 1, tcp(1, 1000, 2, 80, 9000, 0, 0x02)),
            on(1, 1, tcp(2, 80, 1, 1000, 500, 9001, 0x12)),
            on(0, 2, tcp(1, 1000, 2, 80, 9001, 501, 0x10)),
            on(1, 1, tcp(2, 80, 1, 1000, 501, 9001, 0x10)),
        ]);
        assert_eq!(
            flows.stream_of.iter().collect::<Vec<_>>(),
            [0, 0, 1, 1, 1, 1]
        );
        assert_eq!(flows.tcp_event(1), Some(TcpEvent::SynRetransmission));
        assert_eq!(flows.tcp_event(2), Some(TcpEvent::ReusedPortsSyn));
        assert_eq!(flows.streams.len(), 2);
    }

    #[test]
    fn mid_stream_start_uses_seq_minus_one() {
        let flows = build(vec![tcp(1, 1000, 2, 80, 5000, 7000, 0x10)]);
        // No SYN seen: Wireshark makes the first seq/ack seen relative 1, so base = raw - 1.
        let s = &flows.streams[0];
        assert_eq!([s.base_seq(0), s.base_seq(1)], [Some(4999), Some(6999)]);
        assert_eq!(
            flows.streams[0].relative(&tcp(1, 1000, 2, 80, 5000, 7000, 0x10), 0),
            (1, 1)
        );
    }

    #[test]
    fn a_stream_keeps_in_twenty_eight_bytes() {
        assert_eq!(std::mem::size_of::<Stream>(), 28);
    }

    #[test]
    fn udp_and_tcp_are_numbered_separately() {
        let mut udp = tcp(1, 53, 2, 53, 0, 0, 0);
        udp.ip_proto = 17;
        let flows = build(vec![
            tcp(1, 1, 2, 2, 0, 0, 0x10),
            udp,
            tcp(1, 1, 2, 3, 0, 0, 0x10),
        ]);
        let numbers: Vec<u32> = (0..3).map(|i| flows.stream(i).unwrap().number).collect();
        assert_eq!(numbers, vec![0, 0, 1]);
    }
}
