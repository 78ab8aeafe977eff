//! The connection-attempt model: one pass over the index that summarises, for every TCP stream
//! that contains a SYN, how the handshake went — the client's SYNs and their retransmissions, the
//! server's SYN-ACKs, the third packet and whether it acknowledged the SYN-ACK's ISN+1, the first
//! RST, the first FIN of each side, an ICMP error about the connection — and classifies it once
//! ([`Outcome`]). The TCP detectors share this scan, and the Connections table
//! ([`crate::connections`], `tracelens connections`, the page's Connections view) is a view of it,
//! so a stream cannot be "unanswered" in one and "refused" in the other.
//!
//! Only what the detectors and the table need is kept per stream (a few frame numbers and
//! counters); the SYN and SYN-ACK lists hold every such frame (the first inline, the rest apart
//! in [`More`]), so they grow with the frames of the capture, never beyond.

use crate::batched::for_each_batched;
use crate::chunked::ChunkedVec;
use crate::flows::{Flows, NO_STREAM};
use crate::index::{PacketIndex, PacketRecord};

pub use crate::wire::tcp::byte::{ACK, FIN, RST, SYN};

/// At most this many frames after a mismatched third packet are kept.
pub const MAX_AFTER_THIRD: usize = 256;

/// What few attempts have, kept apart so that the rest pay one pointer for it: every SYN when the
/// client sent more than one, every SYN-ACK when the server did, and the frames after a
/// mismatched third packet. A capture can hold millions of attempts, all alive at once while the
/// findings are made, and nearly all have one SYN and at most one SYN-ACK. Nothing is dropped:
/// findings list every frame they count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct More {
    /// Every SYN, when more than one (else the attempt's `first_syn` alone).
    syns: Vec<u32>,
    /// Every SYN-ACK, when more than one (else the attempt's `first_synack`, if any).
    synacks: Vec<u32>,
    /// With an ACK mismatch: the stream's frames after the third packet (capped at
    /// [`MAX_AFTER_THIRD`]), to tell what followed.
    after_third: Vec<u32>,
}

/// Appends frame `i` to a list whose first frame is kept inline (`first`, [`NO_FRAME`] while the
/// list is empty) and the whole list in `more`'s `list` once it has more than one.
fn push_frame(
    first: &mut u32,
    more: &mut Option<Box<More>>,
    list: fn(&mut More) -> &mut Vec<u32>,
    i: u32,
) {
    if let Some(all) = more.as_deref_mut().map(list).filter(|all| !all.is_empty()) {
        all.push(i);
    } else if *first == NO_FRAME {
        *first = i;
    } else {
        list(more.get_or_insert_with(Box::default)).extend([*first, i]);
    }
}

/// The list [`push_frame`] keeps.
fn frames<'a>(first: &'a u32, all: Option<&'a Vec<u32>>) -> &'a [u32] {
    match all {
        Some(all) if !all.is_empty() => all,
        _ if *first == NO_FRAME => &[],
        _ => std::slice::from_ref(first),
    }
}

/// An attempt that got no answer counts as unanswered only when the client waited for one: it
/// retransmitted its SYN, or at least this long passed before it gave up or the capture ended.
pub const MIN_WAIT_NS: i64 = 1_000_000_000;

pub fn is_pure_syn(r: &PacketRecord) -> bool {
    r.tcp_flags & (SYN | ACK | RST) == SYN
}

pub fn is_syn_ack(r: &PacketRecord) -> bool {
    r.tcp_flags & (SYN | ACK | RST) == SYN | ACK
}

pub fn is_rst(r: &PacketRecord) -> bool {
    r.tcp_flags & RST != 0
}

/// ICMP destination unreachable (v4 type 3, v6 type 1): the type is kept in `src_port`.
fn is_icmp_unreachable(r: &PacketRecord) -> bool {
    (r.is_icmp() && r.src_port == 3) || (r.is_icmpv6() && r.src_port == 1)
}

/// The timestamp of frame `i` (0-based), when it has one.
fn time_of(index: &PacketIndex, i: u32) -> Option<i64> {
    index
        .records
        .get(i as usize)
        .filter(|r| r.has(crate::index::flag::HAS_TIME))
        .map(|r| r.ts_ns)
}

/// How a connection attempt ended, as far as the capture shows: the one classification that the
/// findings and the Connections table share. The first four are the attempts the server answered
/// with a SYN-ACK ([`Outcome::answered`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The server sent a SYN-ACK and the client never acknowledged it.
    SynAckNotAcknowledged,
    /// Handshake completed (the client acknowledged a SYN-ACK); still open at the end of the
    /// capture.
    Established,
    /// Handshake completed, and the stream has a RST.
    ResetLater,
    /// Handshake completed and both sides sent FIN (no RST).
    ClosedNormally,
    /// The server answered the SYN with a RST.
    Refused,
    /// An ICMP destination unreachable came back about the attempt.
    Unreachable,
    /// Nothing came back although the client waited (retransmitted, or [`MIN_WAIT_NS`] passed).
    Unanswered,
    /// Nothing came back, but the client gave up or the capture ended too soon to tell.
    Inconclusive,
    /// No answer is in the trace, but the client went on acknowledging as if it had one: the
    /// capture missed the server's direction.
    AnswerNotCaptured,
    /// The server sent something else (an ACK without SYN, data): not a plain handshake.
    Other,
}

impl Outcome {
    /// The server answered with a SYN-ACK.
    pub fn answered(self) -> bool {
        matches!(
            self,
            Outcome::SynAckNotAcknowledged
                | Outcome::Established
                | Outcome::ResetLater
                | Outcome::ClosedNormally
        )
    }

    /// The word of the Connections table (`tracelens connections`, its `--json` `outcome`, the
    /// page). An ICMP destination unreachable is a refusal there, as in `connection_refused`; a
    /// server that talked without a SYN-ACK in the trace is, like a client that went on
    /// acknowledging, an answer the capture missed.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::SynAckNotAcknowledged => "syn_ack_not_acknowledged",
            Outcome::Established => "established",
            Outcome::ResetLater => "reset_later",
            Outcome::ClosedNormally => "closed_normally",
            Outcome::Refused | Outcome::Unreachable => "refused",
            Outcome::Unanswered => "unanswered",
            Outcome::Inconclusive => "inconclusive",
            Outcome::AnswerNotCaptured | Outcome::Other => "answer_not_captured",
        }
    }

    pub fn failed(self) -> bool {
        matches!(
            self,
            Outcome::Refused | Outcome::Unreachable | Outcome::Unanswered
        )
    }
}

/// The first client segment after a SYN-ACK with ACK set (no SYN, no RST): its frame and the
/// SYN-ACK it answers. Whether it acknowledged something other than that SYN-ACK's ISN+1 is
/// [`Attempt::ack_mismatch`], and the frames after it then [`Attempt::after_third`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Third {
    pub frame: u32,
    pub answers: u32,
}

/// The first RST of a stream, and whether the server sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirstRst {
    pub frame: u32,
    pub from_server: bool,
}

/// One TCP stream that starts with a SYN. Frame numbers are 0-based indexes.
///
/// Every attempt of a capture — millions — is alive at once while the findings are made, so an
/// attempt is kept small (64 bytes on wasm32): frames that may be missing are [`NO_FRAME`]
/// rather than `Option`s, the yes-or-no facts are bits of one byte ([`fact`]), the lists keep
/// their usual single frame inline and the rest apart ([`More`]), and each is read through a
/// method of its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// Index into `Flows::streams`.
    pub stream: u32,
    client_addr: u32,
    server_addr: u32,
    client_port: u16,
    server_port: u16,
    pub client_isn: u32,
    /// The sequence number of the last SYN-ACK before the third packet (with
    /// [`fact::SERVER_ISN`]).
    server_isn: u32,
    /// The client's first SYN ([`Attempt::syns`]).
    first_syn: u32,
    /// The server's first SYN-ACK ([`Attempt::synacks`]).
    first_synack: u32,
    /// The third packet (with [`fact::THIRD`]).
    third: Third,
    /// The first RST (who sent it: [`fact::RST_FROM_SERVER`]).
    rst_frame: u32,
    /// An ICMP destination unreachable about the attempt, before any SYN-ACK.
    unreachable: u32,
    /// The first FIN each side sent.
    client_fin: u32,
    server_fin: u32,
    more: Option<Box<More>>,
    facts: u8,
}

/// The bits of [`Attempt`]'s facts.
mod fact {
    /// A SYN-ACK carried payload (and had a real IP length: not segmentation offload).
    pub const SYNACK_PAYLOAD: u8 = 1 << 0;
    /// The server sent payload before the client's third packet (the ACK cannot be judged).
    pub const SERVER_DATA_BEFORE_THIRD: u8 = 1 << 1;
    /// The server sent the first RST.
    pub const RST_FROM_SERVER: u8 = 1 << 2;
    /// The client sent a segment with ACK set (not a SYN): it went on as if answered.
    pub const CLIENT_ACKED: u8 = 1 << 3;
    /// A SYN-ACK came before the third packet: `server_isn` is its sequence number.
    pub const SERVER_ISN: u8 = 1 << 4;
    /// The third packet came: `third` holds it.
    pub const THIRD: u8 = 1 << 5;
    /// The third packet acknowledged something other than the SYN-ACK's ISN+1.
    pub const ACK_MISMATCH: u8 = 1 << 6;
    /// The server sent a frame that is not a SYN-ACK or a RST.
    pub const OTHER_SERVER_FRAMES: u8 = 1 << 7;
}

/// No frame (a frame index never reaches it: indexes are below the frame count, a `u32`).
const NO_FRAME: u32 = u32::MAX;

fn frame_or_none(frame: u32) -> Option<u32> {
    (frame != NO_FRAME).then_some(frame)
}

impl Attempt {
    fn new(stream: u32, i: u32, r: &PacketRecord) -> Self {
        Attempt {
            stream,
            client_addr: r.src,
            server_addr: r.dst,
            client_port: r.src_port,
            server_port: r.dst_port,
            client_isn: r.seq,
            server_isn: 0,
            first_syn: i,
            first_synack: NO_FRAME,
            third: Third::default(),
            rst_frame: NO_FRAME,
            unreachable: NO_FRAME,
            client_fin: NO_FRAME,
            server_fin: NO_FRAME,
            more: None,
            facts: 0,
        }
    }

    /// The client's SYNs with the attempt's ISN: the first, then every retransmission.
    pub fn syns(&self) -> &[u32] {
        frames(&self.first_syn, self.more.as_deref().map(|m| &m.syns))
    }

    /// The server's SYN-ACKs, in order.
    pub fn synacks(&self) -> &[u32] {
        frames(&self.first_synack, self.more.as_deref().map(|m| &m.synacks))
    }

    /// With an ACK mismatch: the stream's frames after the third packet (capped at
    /// [`MAX_AFTER_THIRD`]), to tell what followed.
    pub fn after_third(&self) -> &[u32] {
        self.more.as_deref().map_or(&[], |m| &m.after_third)
    }

    fn more(&mut self) -> &mut More {
        self.more.get_or_insert_with(Box::default)
    }

    fn has(&self, fact: u8) -> bool {
        self.facts & fact != 0
    }

    /// The client's address and port.
    pub fn client(&self) -> (u32, u16) {
        (self.client_addr, self.client_port)
    }

    /// The server's address and port.
    pub fn server(&self) -> (u32, u16) {
        (self.server_addr, self.server_port)
    }

    /// A SYN-ACK carried payload (and had a real IP length: not segmentation offload).
    pub fn synack_payload(&self) -> bool {
        self.has(fact::SYNACK_PAYLOAD)
    }

    /// The sequence number of the last SYN-ACK before the third packet.
    pub fn server_isn(&self) -> Option<u32> {
        self.has(fact::SERVER_ISN).then_some(self.server_isn)
    }

    /// The third packet: the client's first segment with ACK set after a SYN-ACK.
    pub fn third(&self) -> Option<Third> {
        self.has(fact::THIRD).then_some(self.third)
    }

    /// The first RST of the stream, and whether the server sent it.
    pub fn rst(&self) -> Option<FirstRst> {
        frame_or_none(self.rst_frame).map(|frame| FirstRst {
            frame,
            from_server: self.has(fact::RST_FROM_SERVER),
        })
    }

    /// An ICMP destination unreachable about the attempt, before any SYN-ACK.
    pub fn unreachable(&self) -> Option<u32> {
        frame_or_none(self.unreachable)
    }

    /// The client's first FIN.
    pub fn client_fin(&self) -> Option<u32> {
        frame_or_none(self.client_fin)
    }

    /// The server's first FIN.
    pub fn server_fin(&self) -> Option<u32> {
        frame_or_none(self.server_fin)
    }

    /// The first SYN (0-based frame index).
    pub fn first_syn(&self) -> u32 {
        self.first_syn
    }

    /// The third packet's frame.
    pub fn third_frame(&self) -> Option<u32> {
        self.third().map(|t| t.frame)
    }

    /// The third packet acknowledged something other than the SYN-ACK's ISN+1.
    pub fn ack_mismatch(&self) -> bool {
        self.has(fact::ACK_MISMATCH)
    }

    /// The first RST's frame.
    pub fn rst_frame(&self) -> Option<u32> {
        frame_or_none(self.rst_frame)
    }

    fn feed(&mut self, i: u32, r: &PacketRecord) {
        let from_client = (r.src, r.src_port) == self.client();
        if self.ack_mismatch() && self.third.frame < i && self.after_third().len() < MAX_AFTER_THIRD
        {
            self.more().after_third.push(i);
        }
        if is_rst(r) && self.rst_frame == NO_FRAME {
            self.rst_frame = i;
            self.set(fact::RST_FROM_SERVER, !from_client);
        }
        if r.tcp_flags & FIN != 0 {
            let fin = if from_client {
                &mut self.client_fin
            } else {
                &mut self.server_fin
            };
            if *fin == NO_FRAME {
                *fin = i;
            }
        }
        if from_client {
            if r.tcp_flags & (SYN | ACK | RST) == ACK {
                self.set(fact::CLIENT_ACKED, true);
            }
            if is_pure_syn(r) && r.seq == self.client_isn {
                push_frame(&mut self.first_syn, &mut self.more, |m| &mut m.syns, i);
            } else if let (false, Some(server_isn), Some(&answers)) = (
                self.has(fact::THIRD),
                self.server_isn(),
                self.synacks().last(),
            ) {
                if r.tcp_flags & (SYN | RST | ACK) == ACK {
                    self.third = Third { frame: i, answers };
                    self.set(fact::THIRD, true);
                    self.set(
                        fact::ACK_MISMATCH,
                        !self.has(fact::SERVER_DATA_BEFORE_THIRD)
                            && r.ack != server_isn.wrapping_add(1),
                    );
                }
            }
            return;
        }
        if is_syn_ack(r) {
            push_frame(
                &mut self.first_synack,
                &mut self.more,
                |m| &mut m.synacks,
                i,
            );
            if r.payload_len() > 0 && r.ip_len() > 0 {
                self.set(fact::SYNACK_PAYLOAD, true);
            }
            if !self.has(fact::THIRD) {
                self.server_isn = r.seq;
                self.set(fact::SERVER_ISN, true);
            }
        } else if !is_rst(r) {
            self.set(fact::OTHER_SERVER_FRAMES, true);
            if !self.has(fact::THIRD) && r.payload_len() > 0 {
                self.set(fact::SERVER_DATA_BEFORE_THIRD, true);
            }
        }
    }

    /// Sets `fact` to `on`.
    fn set(&mut self, fact: u8, on: bool) {
        if on {
            self.facts |= fact;
        } else {
            self.facts &= !fact;
        }
    }

    /// How the attempt ended; `capture_end` is the last timestamp of the capture.
    pub fn outcome(&self, index: &PacketIndex, capture_end: Option<i64>) -> Outcome {
        if !self.synacks().is_empty() {
            return if !self.has(fact::THIRD) {
                Outcome::SynAckNotAcknowledged
            } else if self.rst_frame != NO_FRAME {
                Outcome::ResetLater
            } else if self.client_fin != NO_FRAME && self.server_fin != NO_FRAME {
                Outcome::ClosedNormally
            } else {
                Outcome::Established
            };
        }
        if self.rst().is_some_and(|r| r.from_server) {
            return Outcome::Refused;
        }
        if self.unreachable != NO_FRAME {
            return Outcome::Unreachable;
        }
        if self.has(fact::OTHER_SERVER_FRAMES) {
            return Outcome::Other;
        }
        if self.has(fact::CLIENT_ACKED) {
            return Outcome::AnswerNotCaptured;
        }
        if self.syns().len() > 1 {
            return Outcome::Unanswered;
        }
        // One SYN: did the client wait long enough for an answer to be expected?
        let start = time_of(index, self.first_syn());
        let end = match self.rst_frame() {
            Some(rst) => time_of(index, rst),
            None => capture_end,
        };
        match start.zip(end) {
            Some((start, end)) if end.saturating_sub(start) >= MIN_WAIT_NS => Outcome::Unanswered,
            _ => Outcome::Inconclusive,
        }
    }

    /// `tcp.stream` of the attempt.
    pub fn stream_number(&self, flows: &Flows) -> Option<u32> {
        flows.streams.get(self.stream as usize).map(|s| s.number)
    }
}

/// Every connection attempt of a capture, in order of their first SYN.
#[derive(Debug, Clone, Default)]
pub struct Attempts {
    /// In chunks: at twenty million frames the list is over 500 MB, which the page's wasm
    /// memory holds far better in pieces (see [`ChunkedVec`]).
    pub list: ChunkedVec<Attempt>,
    /// The last timestamp in the capture.
    pub capture_end: Option<i64>,
}

impl Attempts {
    /// The streams (sorted) whose handshake ACK missed the SYN-ACK's ISN+1: the
    /// `handshake_ack_mismatch` finding already explains their later trouble.
    pub fn ack_mismatch_streams(&self) -> Vec<u32> {
        let mut streams: Vec<u32> = self
            .list
            .iter()
            .filter(|a| a.ack_mismatch())
            .map(|a| a.stream)
            .collect();
        streams.sort_unstable();
        streams
    }

    /// One pass over the index.
    pub fn collect(index: &PacketIndex, flows: &Flows) -> Attempts {
        let mut slot: Vec<u32> = vec![u32::MAX; flows.streams.len()];
        let mut list: ChunkedVec<Attempt> = ChunkedVec::new();
        let mut capture_end: Option<i64> = None;
        for_each_batched(index.records.indexed(), |(i, r)| {
            if r.has(crate::index::flag::HAS_TIME) {
                capture_end = Some(capture_end.map_or(r.ts_ns, |e: i64| e.max(r.ts_ns)));
            }
            let tcp = r.is_tcp();
            if !tcp && !is_icmp_unreachable(&r) {
                return;
            }
            let i = i as u32;
            let sid = flows.stream_of.get(i as usize).unwrap_or(NO_STREAM);
            let Some(&at) = slot.get(sid as usize) else {
                return;
            };
            if !tcp {
                // A header quoted in an ICMP error about this stream.
                if let Some(a) = list.get_mut(at as usize) {
                    if a.synacks().is_empty() && a.unreachable == NO_FRAME {
                        a.unreachable = i;
                    }
                }
                return;
            }
            match list.get_mut(at as usize) {
                Some(attempt) => attempt.feed(i, &r),
                None if is_pure_syn(&r)
                    && flows
                        .streams
                        .get(sid as usize)
                        .is_some_and(|s| s.ip_proto == 6) =>
                {
                    slot[sid as usize] = list.len() as u32;
                    list.push(Attempt::new(sid, i, &r));
                }
                None => {}
            }
        });
        Attempts { list, capture_end }
    }

    /// Attempts with their outcomes.
    pub fn with_outcomes<'a>(
        &'a self,
        index: &'a PacketIndex,
    ) -> impl Iterator<Item = (&'a Attempt, Outcome)> + 'a {
        self.list
            .iter()
            .map(move |a| (a, a.outcome(index, self.capture_end)))
    }
}

/// Attempts grouped by the path they took: client address → server address and port. When more
/// than [`MAX_CLIENTS_PER_PATH`] clients failed towards the same server port, they are merged
/// into one group for that server port (many clients, one failing service).
#[derive(Debug, Clone)]
pub struct PathGroup<'a> {
    /// Client addresses (one, or several when merged), in order of first attempt.
    pub clients: Vec<u32>,
    pub server: (u32, u16),
    pub attempts: Vec<&'a Attempt>,
}

/// Above this many clients failing towards one server port, they share one finding.
pub const MAX_CLIENTS_PER_PATH: usize = 5;

impl PathGroup<'_> {
    /// The first SYN of the group (0-based frame index).
    pub fn first_frame(&self) -> u32 {
        self.attempts
            .iter()
            .map(|a| a.first_syn())
            .min()
            .unwrap_or(0)
    }
    pub fn syn_count(&self) -> u64 {
        self.attempts.iter().map(|a| a.syns().len() as u64).sum()
    }
}

/// Groups attempts by client → server:port (see [`PathGroup`]), in order of first SYN.
pub fn group_by_path<'a>(attempts: impl Iterator<Item = &'a Attempt>) -> Vec<PathGroup<'a>> {
    use std::collections::BTreeMap;
    let mut by_server: BTreeMap<(u32, u16), Vec<&'a Attempt>> = BTreeMap::new();
    for a in attempts {
        by_server.entry(a.server()).or_default().push(a);
    }
    let mut groups = Vec::new();
    for (server, list) in by_server {
        let mut clients: Vec<u32> = Vec::new();
        for a in &list {
            if !clients.contains(&a.client().0) {
                clients.push(a.client().0);
                if clients.len() > MAX_CLIENTS_PER_PATH {
                    break;
                }
            }
        }
        if clients.len() > MAX_CLIENTS_PER_PATH {
            let mut all: Vec<u32> = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for a in &list {
                if seen.insert(a.client().0) {
                    all.push(a.client().0);
                }
            }
            groups.push(PathGroup {
                clients: all,
                server,
                attempts: list,
            });
            continue;
        }
        for client in clients {
            let attempts: Vec<&Attempt> = list
                .iter()
                .copied()
                .filter(|a| a.client().0 == client)
                .collect();
            groups.push(PathGroup {
                clients: vec![client],
                server,
                attempts,
            });
        }
    }
    crate::sort::sort_by_key(&mut groups, |g| g.first_frame());
    groups
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::index::flag;

    #[test]
    fn an_attempt_is_small_and_its_after_list_empty_until_pushed() {
        // Every attempt of a capture is alive at once while the findings are made.
        // 64 bytes on wasm32, whose pointers are 4 bytes (96 before its facts became bits, its
        // endpoints were packed and its lists kept their rare second frames apart).
        #[cfg(target_pointer_width = "64")]
        assert_eq!(std::mem::size_of::<Attempt>(), 72);
        #[cfg(target_pointer_width = "32")]
        assert_eq!(std::mem::size_of::<Attempt>(), 64);
    }

    /// A timed TCP record between address ids `src` and `dst`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn tcp(
        ms: i64,
        src: (u32, u16),
        dst: (u32, u16),
        seq: u32,
        ack: u32,
        flags: u8,
        payload: u16,
    ) -> PacketRecord {
        PacketRecord {
            ts_ns: ms * 1_000_000,
            src: src.0,
            dst: dst.0,
            src_port: src.1,
            dst_port: dst.1,
            seq,
            ack,
            tcp_flags: flags,
            payload_lo: payload,
            ip_len_raw: 40 + payload,
            ip_proto: 6,
            flags: flag::TRANSPORT | flag::IPV4 | flag::HAS_TIME,
            ..PacketRecord::default()
        }
    }

    #[test]
    fn a_frame_list_keeps_its_first_frame_inline_and_every_frame_once_it_has_two() {
        let (mut first, mut more) = (NO_FRAME, None);
        assert_eq!(frames(&first, None), &[] as &[u32]);
        push_frame(&mut first, &mut more, |m| &mut m.synacks, 7);
        assert!(more.is_none(), "one frame is kept inline");
        assert_eq!(frames(&first, None), [7]);
        for i in 8..20 {
            push_frame(&mut first, &mut more, |m| &mut m.synacks, i);
            let all = more.as_deref().map(|m| &m.synacks);
            assert_eq!(frames(&first, all), &(7..=i).collect::<Vec<u32>>()[..]);
        }
        assert!(more.is_some_and(|m| m.syns.is_empty() && m.after_third.is_empty()));
    }

    pub(crate) fn index_of(records: Vec<PacketRecord>) -> (PacketIndex, Flows) {
        let mut index = PacketIndex {
            records: records.into(),
            ..PacketIndex::default()
        };
        index.addrs.intern("10.0.0.1".parse().unwrap());
        index.addrs.intern("10.0.0.2".parse().unwrap());
        index.addrs.intern("10.0.0.3".parse().unwrap());
        let flows = Flows::build(&index);
        (index, flows)
    }

    const C: (u32, u16) = (1, 50000);
    const S: (u32, u16) = (2, 443);

    #[test]
    fn a_clean_handshake_is_answered_and_matches() {
        let (index, flows) = index_of(vec![
            tcp(0, C, S, 100, 0, SYN, 0),
            tcp(10, S, C, 500, 101, SYN | ACK, 0),
            tcp(11, C, S, 101, 501, ACK, 0),
        ]);
        let attempts = Attempts::collect(&index, &flows);
        let a = &attempts.list[0];
        // Indexes are 0-based: SYN 0, SYN-ACK 1, the client's ACK (ack 501 = ISN 500 + 1) is 2.
        assert_eq!(a.third_frame(), Some(2));
        assert!(!a.ack_mismatch());
        assert_eq!(
            a.outcome(&index, attempts.capture_end),
            Outcome::Established
        );
    }

    #[test]
    fn an_ack_beyond_isn_plus_one_is_a_mismatch_and_what_follows_is_kept() {
        let (index, flows) = index_of(vec![
            tcp(0, C, S, 100, 0, SYN, 0),
            tcp(10, S, C, 500, 101, SYN | ACK, 2),
            tcp(11, C, S, 101, 503, ACK, 0),
            tcp(12, C, S, 101, 503, ACK, 127),
            tcp(300, C, S, 101, 503, ACK, 127),
        ]);
        let attempts = Attempts::collect(&index, &flows);
        let a = &attempts.list[0];
        // SYN-ACK seq 500 → expected ack 501, the third packet (index 2) acks 503: mismatch.
        assert!(a.ack_mismatch());
        // The stream's frames after index 2: the two data segments at 12 and 300 ms, indexes 3, 4.
        assert_eq!(a.after_third(), [3, 4]);
    }

    #[test]
    fn server_data_before_the_ack_is_not_judged() {
        let (index, flows) = index_of(vec![
            tcp(0, C, S, 100, 0, SYN, 0),
            tcp(10, S, C, 500, 101, SYN | ACK, 0),
            tcp(11, S, C, 501, 101, ACK, 20),
            tcp(12, C, S, 101, 521, ACK, 0),
        ]);
        let attempts = Attempts::collect(&index, &flows);
        assert!(!attempts.list[0].ack_mismatch());
    }

    #[test]
    fn outcomes_refused_unanswered_inconclusive() {
        let other = (3, 50001);
        let third = (3, 50002);
        let (index, flows) = index_of(vec![
            tcp(0, C, S, 100, 0, SYN, 0),
            tcp(1, S, C, 0, 101, RST | ACK, 0),
            tcp(2, other, S, 7, 0, SYN, 0),
            tcp(3002, other, S, 7, 0, SYN, 0),
            tcp(3003, third, S, 9, 0, SYN, 0),
        ]);
        let attempts = Attempts::collect(&index, &flows);
        let outcomes: Vec<Outcome> = attempts.with_outcomes(&index).map(|(_, o)| o).collect();
        // C: RST|ACK from the server → Refused. `other`: SYN resent (2 SYNs, 0 → 3000 ms later)
        // → Unanswered. `third`: one SYN at 3003 ms, the capture ends at 3003 ms: waited
        // 0 ms < MIN_WAIT_NS (1 s) → Inconclusive.
        assert_eq!(
            outcomes,
            vec![Outcome::Refused, Outcome::Unanswered, Outcome::Inconclusive]
        );
    }

    #[test]
    fn a_client_that_goes_on_acknowledging_was_answered_out_of_sight() {
        let (index, flows) = index_of(vec![
            tcp(0, C, S, 100, 0, SYN, 0),
            tcp(1, C, S, 101, 501, ACK, 0),
            tcp(2101, C, S, 101, 501, ACK, 10),
        ]);
        let attempts = Attempts::collect(&index, &flows);
        // No server frame at all, yet the client sends plain ACKs (ack 501) at 1 and 2101 ms.
        assert_eq!(
            attempts.list[0].outcome(&index, attempts.capture_end),
            Outcome::AnswerNotCaptured
        );
    }

    #[test]
    fn hostile_records_do_not_panic() {
        let mut records = vec![PacketRecord::default(); 3];
        records[1].ip_proto = 6;
        records[1].tcp_flags = 0xff;
        records[1].flags = flag::TRANSPORT;
        let index = PacketIndex {
            records: records.into(),
            ..PacketIndex::default()
        };
        // Flows that do not match the index (shorter, or pointing at missing streams).
        let mut flows = Flows::build(&index);
        flows.stream_of = crate::flows::StreamIds::from_ids(&[7, 0]);
        let attempts = Attempts::collect(&index, &flows);
        let _ = attempts.with_outcomes(&index).count();
    }
}
