//! Follow stream: the payload of one TCP or UDP stream as the two endpoints exchanged it, in the
//! pieces Wireshark 4.0's "Follow TCP/UDP Stream" shows (`tshark -z follow,…`). A [`Follow`] is
//! computed from the index, the flows and the TCP stream facts alone — a list of [`Piece`]s, each
//! a slice of one frame's payload (or a "bytes missing" note) — so a 1 GB stream costs a few
//! bytes per segment until its bytes are wanted; [`Follow::page`] then reads the bytes of a
//! bounded run of pieces through [`FrameBytes`]. TCP pieces are in sequence order with the bytes
//! of retransmissions and overlaps given once ([`tcp`]); [`text`] writes tshark's ascii, hex and
//! raw renderings.

mod datagrams;
mod tcp;
pub mod text;

use crate::analyzer::FrameLocation;
use crate::filter::FrameBytes;
use crate::flows::Flows;
use crate::index::{flag, PacketIndex, PacketRecord};
use crate::tcp::TcpAnalysis;
use serde::Serialize;

/// A stream's (client, server) endpoints as (address id, port).
pub(crate) type Nodes = ((u32, u16), (u32, u16));

/// Which stream table a stream number refers to (`tcp.stream` or `udp.stream`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Tcp,
    Udp,
}

impl Protocol {
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        }
    }
    fn ip_proto(self) -> u8 {
        match self {
            Protocol::Tcp => 6,
            Protocol::Udp => 17,
        }
    }
}

/// What a piece holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// `len` bytes of the frame's captured payload from byte `skip` on.
    Payload { skip: u32 },
    /// Wireshark's note for bytes the receiver acknowledged but the capture lacks:
    /// "[N bytes missing in capture file]" and a NUL (N as Wireshark prints it, signed).
    Missing { bytes: i32 },
    /// The UDP payload of the IP datagram this frame completes, whose first fragment is frame
    /// `head` (0-based).
    Datagram { head: u32 },
}

/// One piece of the followed stream, sent by the client (node 0) or the server (node 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// 0-based frame index the bytes come from (for a missing note: the frame that revealed it).
    pub frame: u32,
    pub server: bool,
    /// Bytes this piece shows.
    pub len: u32,
    pub content: Content,
}

/// A followed stream: its two nodes (client first) and its pieces in display order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Follow {
    pub protocol: Protocol,
    /// The stream number (`tcp.stream` / `udp.stream`).
    pub number: u32,
    /// (address id, port) of node 0 (the client: the source of the stream's first segment) and
    /// node 1.
    pub nodes: [(u32, u16); 2],
    pub pieces: Vec<Piece>,
}

/// A piece with its bytes, and where it starts in its direction's byte stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageItem {
    pub piece: Piece,
    /// Offset of the piece's first byte among the bytes its node sent (hex dump offsets).
    pub offset: u64,
    pub bytes: Vec<u8>,
}

/// Totals of a followed stream, per node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub pieces: usize,
    pub bytes: [u64; 2],
}

/// Why a stream cannot be followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoSuchStream {
    pub protocol: Protocol,
    pub number: u32,
}

impl std::fmt::Display for NoSuchStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the capture has no {} stream {}",
            self.protocol.name(),
            self.number
        )
    }
}

impl Follow {
    /// Follows stream `number` of `protocol`: the pieces come from the index, the flows and the
    /// TCP analysis (for the relative sequence numbers single-pass tshark saw) alone.
    pub fn new(
        index: &PacketIndex,
        flows: &Flows,
        tcp: &TcpAnalysis,
        protocol: Protocol,
        number: u32,
    ) -> Result<Follow, NoSuchStream> {
        let missing = NoSuchStream { protocol, number };
        let id = flows
            .streams
            .iter()
            .position(|s| s.ip_proto == protocol.ip_proto() && s.number == number)
            .ok_or(missing)?;
        let stream = &flows.streams[id];
        let ends = flows.ends(stream, &index.records);
        let frames = flows.frames_of(id);
        let frames = frames.filter(|&i| !flows.is_quoted(i));
        let (nodes, pieces) = match protocol {
            Protocol::Tcp => {
                // Wireshark stops inside options cut by the snapshot length: no follow tap.
                let segments = frames.filter_map(|i| {
                    let record = index.records.get(i as usize)?;
                    (record.is_tcp() && !record.has(flag::TCP_OPTIONS_CUT)).then_some((i, record))
                });
                tcp::pieces((stream, ends), (tcp, id as u32), segments)
            }
            Protocol::Udp => udp_pieces(index, flows, frames),
        };
        let nodes = nodes.unwrap_or((ends.a, ends.b));
        Ok(Follow {
            protocol,
            number,
            nodes: [nodes.0, nodes.1],
            pieces,
        })
    }

    pub fn totals(&self) -> Totals {
        let mut bytes = [0u64; 2];
        for piece in &self.pieces {
            bytes[usize::from(piece.server)] += u64::from(piece.len);
        }
        Totals {
            pieces: self.pieces.len(),
            bytes,
        }
    }

    /// Pieces from `at` on with their bytes, up to about `max_bytes` (always at least one piece
    /// when any remain), and where the next page starts. A frame whose bytes cannot be read
    /// gives an empty piece.
    pub fn page(
        &self,
        index: &PacketIndex,
        source: &dyn FrameBytes,
        at: Cursor,
        max_bytes: usize,
    ) -> (Vec<PageItem>, Cursor) {
        let mut items = Vec::new();
        let mut taken = 0usize;
        let mut next = at;
        for piece in self.pieces.iter().skip(at.piece) {
            if !items.is_empty() && taken + piece.len as usize > max_bytes {
                break;
            }
            let bytes = piece_bytes(index, source, piece);
            let side = usize::from(piece.server);
            taken += bytes.len();
            let offset = next.offsets[side];
            next.offsets[side] += bytes.len() as u64;
            next.piece += 1;
            items.push(PageItem {
                piece: *piece,
                offset,
                bytes,
            });
        }
        (items, next)
    }
}

/// Where a page starts: the piece, and how many bytes each node sent before it (the hex
/// dump's offsets; counted from the bytes read, which a reassembled datagram's UDP length
/// field may make fewer than the index expects).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub piece: usize,
    pub offsets: [u64; 2],
}

/// Payload bytes of a frame that were captured, as the index estimates them: the bytes cut by
/// the snapshot length are taken from the payload's end (a cut frame's link trailer, if any, is
/// counted as payload — the bytes read later are clamped to what is really there).
pub(crate) fn captured_payload(record: &PacketRecord) -> u32 {
    let cut = record.orig_len.saturating_sub(record.caplen);
    record.payload_len().saturating_sub(cut)
}

/// UDP: every datagram is a piece (one reassembled from IP fragments on the frame that completes
/// it); the client is the first datagram's source.
fn udp_pieces(
    index: &PacketIndex,
    flows: &Flows,
    frames: impl Iterator<Item = u32>,
) -> (Option<Nodes>, Vec<Piece>) {
    let mut nodes: Option<Nodes> = None;
    let mut pieces = Vec::new();
    for frame in frames {
        let Some(record) = index.records.get(frame as usize) else {
            continue;
        };
        let (ports, len, content) = if record.is_udp() {
            let content = Content::Payload { skip: 0 };
            (record, captured_payload(&record), content)
        } else if record.has(flag::FRAGMENT) && flows.completes_datagram(frame) {
            let Some(head) = reassembled_head(flows, frame) else {
                continue;
            };
            let Some(first) = index.records.get(head as usize) else {
                continue;
            };
            let len = datagrams::payload_len(index, head, frame);
            (first, len, Content::Datagram { head })
        } else {
            continue;
        };
        let src = (record.src, ports.src_port);
        let client = nodes.get_or_insert((src, (record.dst, ports.dst_port))).0;
        pieces.push(Piece {
            frame,
            server: src != client,
            len,
            content,
        });
    }
    (nodes, pieces)
}

/// The first fragment of the datagram frame `done` completes.
fn reassembled_head(flows: &Flows, done: u32) -> Option<u32> {
    let at = flows
        .reassembled
        .binary_search_by_key(&done, |(f, _)| *f)
        .ok()?;
    Some(flows.reassembled[at].1)
}

/// The bytes a piece shows.
fn piece_bytes(index: &PacketIndex, source: &dyn FrameBytes, piece: &Piece) -> Vec<u8> {
    match piece.content {
        Content::Missing { bytes } => text::missing_note(bytes),
        Content::Datagram { head } => {
            let mut bytes = datagrams::payload(index, source, head, piece.frame);
            bytes.truncate(piece.len as usize);
            bytes
        }
        Content::Payload { skip } => {
            let Some(record) = index.records.get(piece.frame as usize) else {
                return Vec::new();
            };
            let location = FrameLocation {
                file: usize::from(index.file_of(&record)),
                offset: record.offset,
                caplen: record.caplen,
            };
            let Some(frame) = source.frame_bytes(piece.frame as usize, &location) else {
                return Vec::new();
            };
            let payload = payload_of(index, &record, &frame);
            let start = (skip as usize).min(payload.len());
            let end = start.saturating_add(piece.len as usize).min(payload.len());
            payload[start..end].to_vec()
        }
    }
}

/// The captured transport payload of a frame (decoded again from its bytes).
fn payload_of<'f>(index: &PacketIndex, record: &PacketRecord, frame: &'f [u8]) -> &'f [u8] {
    let decoded = crate::decode::decode_on_wire(index.link_type_of(record), frame, record.orig_len);
    let start = (decoded.payload_offset as usize).min(frame.len());
    let end = start
        .saturating_add(decoded.payload_len as usize)
        .min(frame.len());
    &frame[start..end]
}

#[cfg(test)]
pub(crate) mod tests;
