//! The order in which Wireshark 4.0's TCP follow tap (`follow_tcp_tap_listener` and
//! `check_follow_fragments` in packet-tcp.c) gives a stream's bytes: per direction, bytes are
//! taken in sequence order from the next expected sequence number on; a segment that repeats
//! bytes already given adds only its new tail; one that starts beyond the next expected number
//! waits (out of order) until the gap is filled, or until the other side acknowledges past it,
//! which gives a "[N bytes missing in capture file]" note. Sequence numbers are relative to the
//! stream's bases and compared modulo 2^32; only captured bytes are given.

use super::{captured_payload, Content, Nodes, Piece};
use crate::decode::{TCP_ACK, TCP_SYN};
use crate::flows::{Ends, Stream};
use crate::index::PacketRecord;
use crate::tcp::state::{gt, lt};
use crate::tcp::{Changed, TcpAnalysis};

/// The stream's base sequence numbers as single-pass tshark used them on each frame (a
/// port-reusing SYN+ACK moves a base mid-stream).
struct Bases<'s> {
    stream: &'s Stream,
    ends: Ends,
    analysis: (&'s TcpAnalysis, u32),
}

impl Bases<'_> {
    fn base(&self, dir: usize, frame: u32) -> u32 {
        let (tcp, id) = self.analysis;
        tcp.value_before_change(id, dir, Changed::Base, frame)
            .unwrap_or(self.stream.base_seq(dir).unwrap_or(0))
    }

    /// Relative seq and ack of a segment (a raw ack without the ACK flag).
    fn relative(&self, frame: u32, record: &PacketRecord) -> (u32, u32) {
        let dir = self.ends.direction_of(record);
        let seq = record.seq.wrapping_sub(self.base(dir, frame));
        let ack = if u16::from(record.tcp_flags) & TCP_ACK != 0 {
            record.ack.wrapping_sub(self.base(1 - dir, frame))
        } else {
            record.ack
        };
        (seq, ack)
    }
}

/// A segment waiting for the bytes before it.
#[derive(Debug, Clone, Copy)]
struct Waiting {
    frame: u32,
    seq: u32,
    skip: u32,
    len: u32,
}

/// The follow state of one stream.
#[derive(Default)]
struct Reassembly {
    client: Option<(u32, u16)>,
    next_seq: [u32; 2],
    given: [u64; 2],
    waiting: [Vec<Waiting>; 2],
    pieces: Vec<Piece>,
}

/// The stream's nodes (client, server) and pieces, from its TCP segments in frame order.
pub(super) fn pieces(
    (stream, ends): (&Stream, Ends),
    analysis: (&TcpAnalysis, u32),
    segments: impl Iterator<Item = (u32, PacketRecord)>,
) -> (Option<Nodes>, Vec<Piece>) {
    let mut state = Reassembly::default();
    let mut server_node = None;
    for (frame, record) in segments {
        let src = (record.src, record.src_port);
        if state.client.is_none() {
            state.client = Some(src);
            server_node = Some((record.dst, record.dst_port));
        }
        state.segment(
            &Bases {
                stream,
                ends,
                analysis,
            },
            frame,
            &record,
        );
    }
    (state.client.zip(server_node), state.pieces)
}

impl Reassembly {
    fn segment(&mut self, bases: &Bases, frame: u32, record: &PacketRecord) {
        let server = Some((record.src, record.src_port)) != self.client;
        let side = usize::from(server);
        let (mut seq, ack) = bases.relative(frame, record);
        if u16::from(record.tcp_flags) & TCP_SYN != 0 {
            seq = seq.wrapping_add(1);
        }
        let mut length = record.payload_len();
        let mut captured = captured_payload(record);
        if !self.waiting[1 - side].is_empty() {
            while self.fill_from_waiting(1 - side, Some(ack), frame) {}
        }
        if self.given[side] == 0 && self.next_seq[side] == 0 {
            self.next_seq[side] = seq;
        }
        let expected = self.next_seq[side];
        let mut skip = 0;
        if lt(seq, expected) {
            let end = seq.wrapping_add(length);
            if gt(end, expected) {
                skip = expected.wrapping_sub(seq);
                captured = captured.saturating_sub(skip);
                seq = expected;
                length = end.wrapping_sub(expected);
            }
        }
        if captured == 0 || lt(seq, expected) {
            return;
        }
        let segment = Waiting {
            frame,
            seq,
            skip,
            len: captured,
        };
        if seq == expected {
            self.next_seq[side] = expected.wrapping_add(length);
            self.given[side] += u64::from(captured);
            self.give(side, &segment, 0);
            while self.fill_from_waiting(side, None, frame) {}
        } else {
            self.waiting[side].push(segment);
        }
    }

    fn give(&mut self, side: usize, segment: &Waiting, from: u32) {
        self.pieces.push(Piece {
            frame: segment.frame,
            server: side == 1,
            len: segment.len - from,
            content: Content::Payload {
                skip: segment.skip + from,
            },
        });
    }

    /// Takes one waiting segment of `side` that now fits (or, given the other side's `ack`,
    /// notes the bytes missing before the lowest one); false when none can be taken.
    fn fill_from_waiting(&mut self, side: usize, ack: Option<u32>, frame: u32) -> bool {
        let Some(first) = self.waiting[side].first() else {
            return false;
        };
        let mut lowest = first.seq;
        let expected = self.next_seq[side];
        for at in 0..self.waiting[side].len() {
            let segment = self.waiting[side][at];
            if gt(lowest, segment.seq) {
                lowest = segment.seq;
            }
            if lt(segment.seq, expected) {
                let end = segment.seq.wrapping_add(segment.len);
                if gt(end, expected) {
                    let new_from = expected.wrapping_sub(segment.seq);
                    if segment.len > new_from {
                        self.give(side, &segment, new_from);
                    }
                    self.next_seq[side] = expected.wrapping_add(segment.len.wrapping_sub(new_from));
                }
                self.waiting[side].remove(at);
                return true;
            }
            if segment.seq == expected {
                if segment.len > 0 {
                    self.give(side, &segment, 0);
                }
                self.next_seq[side] = expected.wrapping_add(segment.len);
                self.waiting[side].remove(at);
                return true;
            }
        }
        match ack {
            Some(ack) if gt(ack, lowest) => {
                let bytes = lowest.wrapping_sub(expected) as i32;
                let len = super::text::missing_note(bytes).len() as u32;
                self.pieces.push(Piece {
                    frame,
                    server: side == 1,
                    len,
                    content: Content::Missing { bytes },
                });
                self.next_seq[side] = lowest;
                true
            }
            _ => false,
        }
    }
}
