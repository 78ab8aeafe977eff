//! Flow tracking: gives every TCP and UDP frame a stream number (Wireshark's `tcp.stream` /
//! `udp.stream`: numbered in order of first appearance, separately for TCP and UDP) and knows each
//! stream's two endpoints, so that views can show relative sequence numbers and per-stream state.
//! A TCP SYN on a conversation that already saw a SYN with another sequence number starts a new
//! stream (ports reused), as Wireshark does.

use crate::decode::{TCP_ACK, TCP_SYN};
use crate::index::{PacketIndex, PacketRecord};
use rustc_hash::FxHashMap as HashMap;

/// Marks a frame that belongs to no TCP/UDP stream.
pub const NO_STREAM: u32 = u32::MAX;

/// One TCP or UDP conversation instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stream {
    /// 6 for TCP, 17 for UDP.
    pub ip_proto: u8,
    /// The stream's number among streams of the same protocol (tcp.stream / udp.stream).
    pub number: u32,
    /// Endpoint A: the source of the first frame (address id, port).
    pub a: (u32, u16),
    pub b: (u32, u16),
    /// First raw sequence number seen from A and from B (relative numbering starts there; the
    /// SYN's ISN when the handshake was captured).
    pub base_seq: [Option<u32>; 2],
    pub first_frame: u32,
    pub last_frame: u32,
    pub syn_seq: Option<u32>,
}

/// Stream membership of every frame.
#[derive(Debug, Default, Clone)]
pub struct Flows {
    /// Per frame: index into `streams`, or [`NO_STREAM`].
    pub stream_of: Vec<u32>,
    pub streams: Vec<Stream>,
}

type ConversationKey = (u8, (u32, u16), (u32, u16));

fn key_of(record: &PacketRecord) -> ConversationKey {
    let one = (record.src, record.src_port);
    let two = (record.dst, record.dst_port);
    if one <= two {
        (record.ip_proto, one, two)
    } else {
        (record.ip_proto, two, one)
    }
}

impl Flows {
    /// Assigns streams to every TCP/UDP frame of `index`.
    pub fn build(index: &PacketIndex) -> Flows {
        let mut flows = Flows {
            stream_of: Vec::with_capacity(index.len()),
            streams: Vec::new(),
        };
        let mut current: HashMap<ConversationKey, u32> = HashMap::default();
        let mut counts = [0u32; 2];
        for (i, record) in index.records.iter().enumerate() {
            let tracked = (record.is_tcp() || record.is_udp())
                && !record.has(crate::index::flag::LATER_FRAGMENT);
            if !tracked {
                flows.stream_of.push(NO_STREAM);
                continue;
            }
            let key = key_of(record);
            let is_syn =
                record.is_tcp() && u16::from(record.tcp_flags) & (TCP_SYN | TCP_ACK) == TCP_SYN;
            let existing = current.get(&key).copied().filter(|&s| {
                let stream = &flows.streams[s as usize];
                // A new SYN with a different ISN on a known conversation means the ports were reused.
                !(is_syn && stream.syn_seq.is_some_and(|seq| seq != record.seq))
            });
            let id = match existing {
                Some(id) => id,
                None => {
                    let slot = usize::from(record.ip_proto != 6);
                    let id = flows.streams.len() as u32;
                    flows.streams.push(Stream {
                        ip_proto: record.ip_proto,
                        number: counts[slot],
                        a: (record.src, record.src_port),
                        b: (record.dst, record.dst_port),
                        base_seq: [None, None],
                        first_frame: i as u32,
                        last_frame: i as u32,
                        syn_seq: None,
                    });
                    counts[slot] += 1;
                    current.insert(key, id);
                    id
                }
            };
            let stream = &mut flows.streams[id as usize];
            stream.last_frame = i as u32;
            if record.is_tcp() {
                if is_syn && stream.syn_seq.is_none() {
                    stream.syn_seq = Some(record.seq);
                }
                let dir = stream.direction_of(record);
                stream.base_seq[dir].get_or_insert(record.seq);
            }
            flows.stream_of.push(id);
        }
        flows
    }

    pub fn stream(&self, frame_index: usize) -> Option<&Stream> {
        let id = *self.stream_of.get(frame_index)?;
        self.streams.get(id as usize)
    }
}

impl Stream {
    /// 0 when the frame goes A → B, 1 when B → A.
    pub fn direction_of(&self, record: &PacketRecord) -> usize {
        usize::from((record.src, record.src_port) != self.a)
    }

    /// Sequence and acknowledgement numbers of a frame relative to the stream's bases.
    pub fn relative(&self, record: &PacketRecord) -> (u32, u32) {
        let dir = self.direction_of(record);
        let seq = record
            .seq
            .wrapping_sub(self.base_seq[dir].unwrap_or(record.seq));
        let ack = match self.base_seq[1 - dir] {
            Some(base) if u16::from(record.tcp_flags) & TCP_ACK != 0 => {
                record.ack.wrapping_sub(base)
            }
            _ => 0,
        };
        (seq, ack)
    }
}
