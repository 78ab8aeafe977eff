//! Per-connection facts for the TCP detectors that read the sequence analysis
//! (`slow_response`, `retransmissions`, `zero_window`, `reset`), gathered so that the common
//! case stays cheap:
//!
//! 1. from the sequence analysis alone (no record is read): the streams that need a closer look —
//!    a retransmission, duplicate ACK or zero window on one of their segments, or a RST after an
//!    ACK or data;
//! 2. one pass over the index in frame order: for every stream, which side is the client and its
//!    request → response turns (the slowest one's time is kept per stream, with its details
//!    when it took at least the caller's threshold; a few words of state per stream); for the
//!    marked streams, per side, sequence and acknowledgement progress, retransmissions (and
//!    frames that are mere copies of the one before), how long data waited for an
//!    acknowledgement, zero-window episodes and how long they lasted, and what the connection
//!    looked like just before its first RST after it was established.
//!
//! Frame lists hold every frame they stand for (the findings list all their evidence), so they
//! grow with the marked frames of the capture and never beyond.

use super::text;
use crate::batched::for_each_batched;
use crate::flows::Flows;
use crate::index::{flag, PacketIndex, PacketRecord};
use crate::tcp::{flags as tf, TcpAnalysis};
use crate::wire::tcp::byte::{ACK, FIN, RST, SYN};

/// A frame that repeats the one before it in the stream (same sequence and acknowledgement
/// numbers, length, window, flags and IP ID) within this long is a second copy of one packet:
/// no TCP retransmits that fast without duplicate ACKs in between (the shortest timers, tail
/// loss probes, wait about 10 ms). SYNs are left out: some stacks resend them with the same IP
/// ID, and the connection-attempt findings count them.
pub const COPY_WINDOW_NS: i64 = 2_000_000;

/// Retransmission flags Wireshark sets (plain, fast, spurious).
const RETRANSMITTED: u16 =
    tf::RETRANSMISSION | tf::FAST_RETRANSMISSION | tf::SPURIOUS_RETRANSMISSION;
/// Segments that carry a byte without being data (keep-alive, zero-window probe).
const NOT_DATA: u16 = tf::KEEP_ALIVE | tf::ZERO_WINDOW_PROBE;

/// Signed 32-bit sequence comparison: `a` is after `b`.
fn after(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}

/// The slowest request → response turn of a stream (0-based frame indexes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Turn {
    /// Flows stream id.
    pub stream: u32,
    /// 0 when the client is the stream's endpoint A.
    pub client_dir: u8,
    /// From the request's last (original) segment to the first response data.
    pub think_ns: i64,
    pub request_first: u32,
    pub request_last: u32,
    /// Request bytes (original segments).
    pub request_bytes: u32,
    pub response: u32,
    /// The server's separate ACK of the whole request, when it came before the response.
    pub ack: Option<u32>,
    /// A segment of the request was retransmitted.
    pub request_retransmitted: bool,
}

/// Per-stream state of the first pass.
#[derive(Debug, Clone, Copy, Default)]
struct Hot {
    bits: u8,
    /// Endpoint A of the stream (so the direction of a frame needs no look-up in `Flows`).
    a_port: u16,
    a_addr: u32,
    req_first: u32,
    req_last: u32,
    req_end: u32,
    /// Frame + 1 of the server's first ACK covering the request (0 = none yet).
    req_ack: u32,
    req_bytes: u32,
    /// Index into `TcpStreams::conns` + 1 (0 = not marked).
    conn: u32,
}

mod hot {
    pub const SEEN: u8 = 1;
    pub const CLIENT_IS_B: u8 = 2;
    pub const IN_REQUEST: u8 = 4;
    pub const REQ_RETRANS: u8 = 8;
    pub const SYN_SEEN: u8 = 16;
}

/// One side of a marked connection (what it sent, and what it advertised).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Side {
    /// Original data (retransmissions and copies excluded), and the first FIN.
    pub data: Sent,
    pub seq: Sequence,
    /// TTL (hop limit) of its first packet that is not a RST.
    pub ttl: Option<u8>,
    pub retransmitted: Retransmitted,
    pub copies: Copies,
    pub stalls: Stalls,
    pub zero_window: ZeroWindows,
}

/// Frames one side sent that are a second copy of the frame before (the same packet captured
/// twice), and the last frame it sent with its signature (running state).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Copies {
    pub frames: Vec<u32>,
    last_sig: Option<(u32, [u32; 4])>,
}

/// Where one side's sequence space stands: the highest sequence number it sent + length, the
/// highest ACK the peer sent for it, and since when data has waited for one (running state).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sequence {
    pub next: Option<u32>,
    pub acked: Option<u32>,
    unacked_since: Option<i64>,
}

impl Sequence {
    /// It sent data the peer has not acknowledged.
    fn outstanding(&self) -> bool {
        match (self.next, self.acked) {
            (Some(next), Some(acked)) => after(next, acked),
            (Some(_), None) => true,
            _ => false,
        }
    }

    /// Data up to `end` was sent at `ts`.
    fn sent(&mut self, end: u32, ts: Option<i64>) {
        if self.next.is_none_or(|n| after(end, n)) {
            self.next = Some(end);
        }
        if self.unacked_since.is_none() {
            self.unacked_since = ts;
        }
    }

    /// The peer acknowledged up to `ack`; false when that is not past what it had acknowledged.
    fn acknowledged(&mut self, ack: u32) -> bool {
        if self.acked.is_some_and(|a| !after(ack, a)) {
            return false;
        }
        self.acked = Some(ack);
        if self.next.is_none_or(|n| !after(n, ack)) {
            self.unacked_since = None;
        }
        true
    }
}

/// The zero windows one side advertised: their frames, the episodes of a closed window (each
/// begins with the frame that closed it), the frame that last reopened it, whether it was still
/// closed at the end of the stream, and the probes and keep-alives the peer sent while it was
/// closed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZeroWindows {
    pub frames: Vec<u32>,
    pub episodes: Episodes,
    pub reopened: Option<u32>,
    pub closed_at_end: bool,
    pub probes_received: u32,
    /// Since when, and from which frame, the window has been closed (running state).
    since: Option<(i64, u32)>,
}

impl ZeroWindows {
    /// Frame `i`, at `ts`, advertises a zero window: it opens an episode or continues one.
    fn advertised(&mut self, i: u32, ts: Option<i64>) {
        self.frames.push(i);
        if self.since.is_none() {
            self.since = Some((ts.unwrap_or(0), i));
            self.episodes.count = self.episodes.count.saturating_add(1);
        }
    }

    /// Frame `i`, at `ts`, advertises an open window: the episode in progress ends.
    fn reopen(&mut self, i: u32, ts: Option<i64>) {
        if let (Some((since, began)), Some(now)) = (self.since.take(), ts) {
            self.episodes.ended(now.saturating_sub(since).max(0), began);
            self.reopened = Some(i);
        }
    }

    /// The stream ended at `end`: an episode in progress ends there, the window still closed.
    fn finish(&mut self, end: Option<i64>) {
        if let Some((since, began)) = self.since.take() {
            self.closed_at_end = true;
            if let Some(end) = end {
                self.episodes.ended(end.saturating_sub(since).max(0), began);
            }
        }
    }
}

/// What one side sent: its original data segments (how many, their bytes, the last one) and
/// its first FIN.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    pub segments: u32,
    pub bytes: u64,
    pub last: Option<u32>,
    pub fin: Option<u32>,
}

/// Retransmitted segments (copies excluded): their frames, how many were fast or spurious
/// retransmissions, and their bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Retransmitted {
    pub frames: Vec<u32>,
    pub fast: u32,
    pub spurious: u32,
    pub bytes: u64,
}

impl Retransmitted {
    /// How many segments were retransmitted.
    pub fn count(&self) -> u32 {
        frame_count(&self.frames)
    }
}

/// The number of frames in a list of frames (which holds at most one per frame number).
pub(crate) fn frame_count(frames: &[u32]) -> u32 {
    u32::try_from(frames.len()).unwrap_or(u32::MAX)
}

/// Episodes of waiting (stalls, closed windows): how many, the longest with the frame that
/// began it, and their total duration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Episodes {
    pub count: u32,
    pub longest_ns: i64,
    pub longest_frame: Option<u32>,
    pub total_ns: i64,
}

impl Episodes {
    /// An episode begun in frame `began` has ended after `lasted_ns`.
    fn ended(&mut self, lasted_ns: i64, began: u32) {
        self.total_ns = self.total_ns.saturating_add(lasted_ns);
        if lasted_ns >= self.longest_ns {
            self.longest_ns = lasted_ns;
            self.longest_frame = Some(began);
        }
    }
}

/// Time data waited for an acknowledgement once it had to be retransmitted: the episodes (each
/// begins with the retransmission that started it), whether the last one was never resolved
/// (its data still unacknowledged at the end), and the one in progress.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stalls {
    pub episodes: Episodes,
    pub unrecovered: bool,
    current: Option<Stall>,
}

impl Stalls {
    /// Ends the stall in progress at `now` (the acknowledgement, or the end of the stream).
    fn end(&mut self, now: Option<i64>) {
        let Some(stall) = self.current.take() else {
            return;
        };
        self.episodes.count = self.episodes.count.saturating_add(1);
        let Some(now) = now else { return };
        self.episodes
            .ended(now.saturating_sub(stall.since).max(0), stall.first);
    }
}

/// A stall in progress: since when the data waited, the ACK value then, how many
/// retransmissions so far and the first of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stall {
    pub since: i64,
    pub at_ack: u32,
    pub count: u32,
    pub first: u32,
}

/// Where a side stood when the connection was reset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SideAtReset {
    pub data: Sent,
    pub seq: Sequence,
    pub retransmissions: u32,
    pub stalls: Stalls,
    /// Its zero window was still closed, since this time.
    pub zero_window_since_ns: Option<i64>,
    pub ttl: Option<u8>,
}

impl SideAtReset {
    /// It had sent data the peer had not acknowledged.
    pub fn outstanding(&self) -> bool {
        self.seq.outstanding()
    }

    /// It was retransmitting data that had not been acknowledged since (a stall in progress).
    pub fn stall(&self) -> Option<Stall> {
        self.stalls.current
    }

    /// Retransmissions in the stall in progress (0 when none was).
    pub fn stall_retransmissions(&self) -> u32 {
        self.stall().map_or(0, |s| s.count)
    }
}

/// The first RST after a connection was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResetAt {
    pub frame: u32,
    /// Direction of the RST (0 = from endpoint A).
    pub by_dir: usize,
    /// The stream's frames before the RST.
    pub preceding: Preceding,
    pub sides: [SideAtReset; 2],
}

/// A TCP stream that needed a closer look.
#[derive(Debug, Clone, PartialEq)]
pub struct Conn {
    /// Flows stream id.
    pub stream: u32,
    /// Direction of the client (0 = endpoint A) as a SYN or SYN-ACK told it (0 when none did).
    pub client_dir: usize,
    pub syn: Option<u32>,
    pub synacks: u32,
    /// The first segment with ACK set and no SYN: the connection was established.
    pub established: Option<u32>,
    pub sides: [Side; 2],
    pub reset: Option<ResetAt>,
    /// A RST before the connection was established (one answering the SYN, say).
    pub early_rst: Option<u32>,
    pub first_frame: u32,
    pub last_frame: u32,
    /// The last two segments of the stream seen so far (running state).
    preceding: Preceding,
}

/// The last frame of a stream before some moment, and the one before that.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Preceding {
    pub previous: Option<u32>,
    pub before_previous: Option<u32>,
}

impl Preceding {
    /// Frame `i` comes next; what preceded it is returned.
    fn push(&mut self, i: u32) -> Preceding {
        let before = *self;
        *self = Preceding {
            previous: Some(i),
            before_previous: before.previous,
        };
        before
    }
}

impl Conn {
    fn new(stream: u32, first_frame: u32) -> Self {
        Conn {
            stream,
            client_dir: 0,
            syn: None,
            synacks: 0,
            established: None,
            sides: [Side::default(), Side::default()],
            reset: None,
            early_rst: None,
            first_frame,
            last_frame: first_frame,
            preceding: Preceding::default(),
        }
    }

    /// `(address id, port)` of the side in direction `dir` (0 = endpoint A).
    pub fn endpoint(&self, index: &PacketIndex, flows: &Flows, dir: usize) -> (u32, u16) {
        let ends = flows.ends_of(self.stream as usize, &index.records);
        if dir == 0 {
            ends.a
        } else {
            ends.b
        }
    }

    /// `tcp.stream` of the connection.
    pub fn number(&self, flows: &Flows) -> Option<u32> {
        flows.streams.get(self.stream as usize).map(|s| s.number)
    }
}

/// The sum of one count over several connections' sides (`(connection, direction)` pairs).
pub(crate) fn sides_total(sides: &[(&Conn, usize)], count: impl Fn(&Side) -> u32) -> u64 {
    sides
        .iter()
        .map(|&(c, d)| u64::from(count(&c.sides[d])))
        .sum()
}

/// One list of frames of several connections' sides, one side after another.
pub(crate) fn sides_frames<'a>(
    sides: &'a [(&'a Conn, usize)],
    frames: impl Fn(&'a Side) -> &'a [u32] + 'a,
) -> impl Iterator<Item = u32> + 'a {
    sides
        .iter()
        .flat_map(move |&(c, d)| frames(&c.sides[d]).iter().copied())
}

/// Everything the TCP detectors share.
#[derive(Debug, Clone, Default)]
pub struct TcpStreams {
    /// The slowest turn of every stream whose slowest turn took at least the threshold given to
    /// [`TcpStreams::collect`], in order of first measurement.
    pub turns: Vec<Turn>,
    /// Per flows stream id, the slowest turn's time in microseconds (saturating below bit 31)
    /// with [`CLIENT_IS_B`] set when the client is endpoint B; [`NO_TURN`] when none.
    pub slowest_us: Vec<u32>,
    /// Data segments in the capture's TCP streams (retransmissions included), for shares.
    pub data_segments: u64,
    /// The marked streams, in order of their first frame.
    pub conns: Vec<Conn>,
}

/// [`TcpStreams::slowest_us`]: no turn measured.
pub const NO_TURN: u32 = u32::MAX;
/// [`TcpStreams::slowest_us`]: the client is endpoint B.
pub const CLIENT_IS_B: u32 = 1 << 31;

/// The signature two copies of one packet share.
fn signature(r: &PacketRecord) -> [u32; 4] {
    [
        r.seq,
        r.ack,
        r.payload_len() << 16 | u32::from(r.window),
        u32::from(r.ip_id) << 8 | u32::from(r.tcp_flags),
    ]
}

/// Which side is the client when the stream's first segment is `r` (0 = endpoint A, the
/// sender of the first frame): a SYN's sender, a SYN-ACK's receiver, else the side with the
/// higher port (servers listen on the lower, well-known ports).
fn first_client_dir(r: &PacketRecord) -> (u8, bool) {
    match r.tcp_flags & (SYN | ACK) {
        SYN => (0, true),
        f if f == SYN | ACK => (1, true),
        _ => (u8::from(r.src_port < r.dst_port), false),
    }
}

impl TcpStreams {
    /// Collects everything in a scan of its own (see [`Collector`] to share another one); the
    /// details of a stream's slowest turn are kept when it took at least `keep_turns_ns`.
    pub fn collect(
        index: &PacketIndex,
        flows: &Flows,
        tcp: &TcpAnalysis,
        keep_turns_ns: i64,
    ) -> TcpStreams {
        let mut collector = Collector::new(flows, tcp, keep_turns_ns);
        for_each_batched(index.records.indexed(), |(i, r)| {
            if !r.is_tcp() {
                return;
            }
            let Some(sid) = flows.stream_of.get(i) else {
                return;
            };
            collector.visit(index, i, &r, sid);
        });
        collector.finish(index)
    }
}

/// Builds [`TcpStreams`] frame by frame ([`TcpStreams::collect`] drives it): create it,
/// [`visit`](Collector::visit) every TCP frame in frame order, then [`finish`](Collector::finish).
pub struct Collector<'a> {
    out: TcpStreams,
    hot: Vec<Hot>,
    /// Stream id → index into `out.turns`, for the few streams with a kept turn.
    kept: crate::hash::HashMap<u32, usize>,
    flows: &'a Flows,
    tcp: &'a TcpAnalysis,
    keep_turns_ns: i64,
    quoted_any: bool,
}

impl<'a> Collector<'a> {
    /// Marks the streams that need a closer look, from the sequence analysis alone (no record
    /// is read): a retransmission, duplicate ACK or zero window on one of their segments, or a
    /// RST in a stream that got as far as an ACK or data.
    pub fn new(flows: &'a Flows, tcp: &'a TcpAnalysis, keep_turns_ns: i64) -> Self {
        use crate::tcp::completeness as cbit;
        let mut out = TcpStreams {
            slowest_us: vec![NO_TURN; flows.streams.len()],
            ..TcpStreams::default()
        };
        let mut hot: Vec<Hot> = vec![Hot::default(); flows.streams.len()];
        let wanted = u32::from(RETRANSMITTED | tf::DUPLICATE_ACK | tf::ZERO_WINDOW);
        for (i, flags) in tcp.segments.flagged() {
            if u32::from(flags) & wanted == 0 {
                continue;
            }
            let sid = flows.stream_of.at(i);
            if let Some(h) = hot.get_mut(sid as usize) {
                h.conn = 1;
            }
        }
        for (h, facts) in hot.iter_mut().zip(&tcp.streams) {
            let c = facts.completeness;
            if c & cbit::RST != 0 && c & (cbit::ACK | cbit::DATA) != 0 {
                h.conn = 1;
            }
        }
        for (h, stream) in hot.iter_mut().zip(&flows.streams) {
            if stream.ip_proto != 6 {
                h.conn = 0;
            }
        }
        // Exactly the room the marked streams need (a doubling vector of these large records
        // held up to twice that at the findings' peak).
        out.conns
            .reserve_exact(hot.iter().filter(|h| h.conn != 0).count());
        for (sid, (h, stream)) in hot.iter_mut().zip(&flows.streams).enumerate() {
            if h.conn == 0 {
                continue;
            }
            out.conns.push(Conn::new(sid as u32, stream.first_frame));
            h.conn = out.conns.len() as u32;
        }
        Collector {
            out,
            hot,
            kept: Default::default(),
            flows,
            tcp,
            keep_turns_ns,
            quoted_any: !flows.quoted.is_empty(),
        }
    }

    /// One TCP frame (`r.is_tcp()`), in frame order: request → response turns of its stream,
    /// and the full story when the stream is marked.
    #[inline]
    pub fn visit(&mut self, index: &PacketIndex, i: usize, r: &PacketRecord, sid: u32) {
        if r.has(flag::FRAGMENT) {
            return;
        }
        let Some(h) = self.hot.get_mut(sid as usize) else {
            return;
        };
        if self.quoted_any && self.flows.is_quoted(i as u32) {
            return;
        }
        if h.bits & hot::SEEN == 0 {
            let Some(stream) = self.flows.streams.get(sid as usize) else {
                return;
            };
            (h.a_addr, h.a_port) = self.flows.ends(stream, &index.records).a;
        }
        let dir = u8::from((r.src, r.src_port) != (h.a_addr, h.a_port));
        let seg = self.tcp.segment_bits(i).flags();
        if r.payload_len() > 0 && seg & NOT_DATA == 0 {
            self.out.data_segments += 1;
        }
        if let Some(at) = h.conn.checked_sub(1) {
            if let Some(conn) = self.out.conns.get_mut(at as usize) {
                conn.feed(index, i as u32, r, usize::from(dir), seg);
            }
        }
        let Some(turn) = h.feed(index, sid, i as u32, r, dir, seg) else {
            return;
        };
        let Some(slowest) = self.out.slowest_us.get_mut(sid as usize) else {
            return;
        };
        let us = (turn.think_ns / 1000).clamp(0, i64::from(CLIENT_IS_B - 1)) as u32;
        if *slowest != NO_TURN && us <= *slowest & !CLIENT_IS_B {
            return;
        }
        *slowest = us | if turn.client_dir == 1 { CLIENT_IS_B } else { 0 };
        if turn.think_ns < self.keep_turns_ns {
            return;
        }
        match self.kept.get(&sid) {
            None => {
                self.kept.insert(sid, self.out.turns.len());
                self.out.turns.push(turn);
            }
            Some(&at) => {
                if let Some(worst) = self.out.turns.get_mut(at) {
                    *worst = turn;
                }
            }
        }
    }

    /// Closes what is still open at the end of each stream.
    pub fn finish(mut self, index: &PacketIndex) -> TcpStreams {
        for conn in &mut self.out.conns {
            conn.finish(index);
        }
        self.out
    }
}

impl Hot {
    /// Follows the request → response turns; returns a turn when this frame is the first
    /// response data to a complete request.
    fn feed(
        &mut self,
        index: &PacketIndex,
        sid: u32,
        i: u32,
        r: &PacketRecord,
        dir: u8,
        seg: u16,
    ) -> Option<Turn> {
        let flags = r.tcp_flags;
        if self.bits & hot::SEEN == 0 {
            let (client, _) = first_client_dir(r);
            // `first_client_dir` is relative to this frame's sender.
            let client = if dir == 0 { client } else { 1 - client };
            self.bits |= hot::SEEN | if client == 1 { hot::CLIENT_IS_B } else { 0 };
            if flags & (SYN | ACK | RST) == SYN {
                self.bits |= hot::SYN_SEEN;
            }
        } else if flags & (SYN | ACK | RST) == SYN && self.bits & hot::SYN_SEEN == 0 {
            // A SYN after other segments: its sender is the client after all.
            self.bits = (self.bits & !hot::CLIENT_IS_B)
                | hot::SYN_SEEN
                | if dir == 1 { hot::CLIENT_IS_B } else { 0 };
        }
        if flags & (SYN | RST) != 0 || seg & NOT_DATA != 0 {
            return None;
        }
        let client_dir = u8::from(self.bits & hot::CLIENT_IS_B != 0);
        let retransmitted = seg & RETRANSMITTED != 0;
        if dir == client_dir {
            if r.payload_len() == 0 {
                return None;
            }
            if retransmitted {
                if self.bits & hot::IN_REQUEST != 0 {
                    self.bits |= hot::REQ_RETRANS;
                }
                return None;
            }
            if self.bits & hot::IN_REQUEST == 0 {
                self.bits = (self.bits | hot::IN_REQUEST) & !hot::REQ_RETRANS;
                self.req_first = i;
                self.req_ack = 0;
                self.req_bytes = 0;
            }
            self.req_last = i;
            self.req_bytes = self.req_bytes.saturating_add(r.payload_len());
            let end = r.seq.wrapping_add(r.payload_len());
            if self.req_bytes == r.payload_len() || after(end, self.req_end) {
                self.req_end = end;
            }
            return None;
        }
        // From the server while a request is pending.
        if self.bits & hot::IN_REQUEST == 0 || flags & ACK == 0 || after(self.req_end, r.ack) {
            return None;
        }
        if r.payload_len() == 0 {
            if self.req_ack == 0 {
                self.req_ack = i + 1;
            }
            return None;
        }
        if retransmitted {
            return None;
        }
        self.bits &= !hot::IN_REQUEST;
        let think = text::between(index, self.req_last, i).filter(|&ns| ns >= 0)?;
        Some(Turn {
            stream: sid,
            client_dir,
            think_ns: think,
            request_first: self.req_first,
            request_last: self.req_last,
            request_bytes: self.req_bytes,
            response: i,
            ack: self.req_ack.checked_sub(1),
            request_retransmitted: self.bits & hot::REQ_RETRANS != 0,
        })
    }
}

impl Side {
    fn snapshot(&self) -> SideAtReset {
        SideAtReset {
            data: self.data,
            seq: self.seq,
            retransmissions: self.retransmitted.count(),
            stalls: self.stalls,
            zero_window_since_ns: self.zero_window.since.map(|(since, _)| since),
            ttl: self.ttl,
        }
    }
}

impl Side {
    /// The window this side advertises in frame `i`: a zero window opens or continues an
    /// episode, a non-zero one ends it.
    #[inline]
    fn window(&mut self, i: u32, r: &PacketRecord, seg: u16, ts: Option<i64>) {
        if seg & tf::ZERO_WINDOW != 0 {
            self.zero_window.advertised(i, ts);
        } else if r.window > 0 && r.tcp_flags & SYN == 0 {
            self.zero_window.reopen(i, ts);
        }
    }

    /// A data segment this side sent in frame `i` (new data, or a retransmission).
    #[inline]
    fn data(&mut self, i: u32, r: &PacketRecord, seg: u16, ts: Option<i64>) {
        let len = r.payload_len();
        if seg & RETRANSMITTED != 0 {
            self.retransmitted(i, r, seg, ts);
            return;
        }
        self.data.segments = self.data.segments.saturating_add(1);
        self.data.bytes = self.data.bytes.saturating_add(u64::from(len));
        self.data.last = Some(i);
        self.seq.sent(r.seq.wrapping_add(len), ts);
    }

    /// A retransmission: counted by kind, and a stall starts when data was outstanding.
    fn retransmitted(&mut self, i: u32, r: &PacketRecord, seg: u16, ts: Option<i64>) {
        let retransmitted = &mut self.retransmitted;
        retransmitted.frames.push(i);
        if seg & tf::FAST_RETRANSMISSION != 0 {
            retransmitted.fast = retransmitted.fast.saturating_add(1);
        }
        if seg & tf::SPURIOUS_RETRANSMISSION != 0 {
            retransmitted.spurious = retransmitted.spurious.saturating_add(1);
        }
        retransmitted.bytes = retransmitted
            .bytes
            .saturating_add(u64::from(r.payload_len()));
        let unacked = self.seq.outstanding();
        match &mut self.stalls.current {
            Some(stall) => stall.count = stall.count.saturating_add(1),
            None if unacked && seg & tf::SPURIOUS_RETRANSMISSION == 0 => {
                self.stalls.current = Some(Stall {
                    since: self.seq.unacked_since.or(ts).unwrap_or(0),
                    at_ack: self.seq.acked.unwrap_or(r.seq),
                    count: 1,
                    first: i,
                });
            }
            None => {}
        }
    }
}

impl Conn {
    fn feed(&mut self, index: &PacketIndex, i: u32, r: &PacketRecord, dir: usize, seg: u16) {
        let ts = text::time_of(index, i);
        let flags = r.tcp_flags;
        if self.preceding.previous.is_none() {
            let (client, known) = first_client_dir(r);
            if known {
                self.client_dir = if dir == 0 {
                    usize::from(client)
                } else {
                    1 - usize::from(client)
                };
            }
        }
        let preceding = self.preceding.push(i);
        self.last_frame = i;
        if self.copy_of_previous(index, i, r, dir, seg, preceding.previous) {
            return;
        }
        self.handshake(i, flags, dir);
        if flags & RST != 0 {
            self.rst(i, r, dir, preceding);
            return;
        }
        if self.sides[dir].ttl.is_none() && r.is_ip() {
            self.sides[dir].ttl = Some(r.ttl);
        }
        if flags & (SYN | ACK) == ACK && self.established.is_none() {
            self.established = Some(i);
        }
        if flags & ACK != 0 {
            self.acknowledge(r, dir, seg, ts);
        }
        let side = &mut self.sides[dir];
        side.window(i, r, seg, ts);
        if flags & FIN != 0 {
            side.data.fin.get_or_insert(i);
        }
        if r.payload_len() == 0 || flags & SYN != 0 || seg & NOT_DATA != 0 {
            return;
        }
        side.data(i, r, seg, ts);
    }

    /// Whether frame `i` is a second copy of the frame before it (the same packet captured
    /// twice): counted as a copy, and nothing more.
    #[inline]
    fn copy_of_previous(
        &mut self,
        index: &PacketIndex,
        i: u32,
        r: &PacketRecord,
        dir: usize,
        seg: u16,
        previous: Option<u32>,
    ) -> bool {
        let sig = signature(r);
        // SYNs and SYN-ACKs too: a copy of one (pptp.pcap's frame 3, the SYN-ACK of frame 2
        // again 0.1 ms later, same IP ID) is no second attempt either.
        let is_copy = seg & (RETRANSMITTED | tf::DUPLICATE_ACK) != 0
            && self.sides[dir].copies.last_sig.is_some_and(|(last, s)| {
                s == sig
                    && previous == Some(last)
                    && text::between(index, last, i)
                        .is_some_and(|ns| (0..=COPY_WINDOW_NS).contains(&ns))
            });
        let copies = &mut self.sides[dir].copies;
        if is_copy {
            copies.frames.push(i);
        }
        copies.last_sig = Some((i, sig));
        is_copy
    }

    /// SYNs and SYN-ACKs: who the client is, and how often the server answered.
    #[inline]
    fn handshake(&mut self, i: u32, flags: u8, dir: usize) {
        if flags & (SYN | ACK | RST) == SYN {
            self.syn.get_or_insert(i);
            self.client_dir = dir;
        } else if flags & (SYN | ACK | RST) == SYN | ACK {
            self.synacks = self.synacks.saturating_add(1);
            if self.syn.is_none() {
                self.client_dir = 1 - dir;
            }
        }
    }

    /// A RST: before the connection was established it is kept as an early one; after, the
    /// first one is the reset, with both sides' state at that moment.
    fn rst(&mut self, i: u32, r: &PacketRecord, dir: usize, preceding: Preceding) {
        // A RST with ACK set acknowledges what it answers: that data was received.
        if r.tcp_flags & ACK != 0 {
            let peer = &mut self.sides[1 - dir];
            if peer.seq.acked.is_none_or(|a| after(r.ack, a)) && peer.seq.next.is_some() {
                peer.seq.acked = Some(r.ack);
            }
        }
        if self.established.is_none() {
            self.early_rst.get_or_insert(i);
        } else if self.reset.is_none() {
            self.reset = Some(ResetAt {
                frame: i,
                by_dir: dir,
                preceding,
                sides: [self.sides[0].snapshot(), self.sides[1].snapshot()],
            });
        }
    }

    /// What a segment with ACK set acknowledges of the peer's data: it may end the peer's
    /// stall; a probe during the peer's zero window is counted.
    #[inline]
    fn acknowledge(&mut self, r: &PacketRecord, dir: usize, seg: u16, ts: Option<i64>) {
        let peer = &mut self.sides[1 - dir];
        // A new acknowledgement may end the stall (an old one never does).
        if peer.seq.acknowledged(r.ack)
            && peer.stalls.current.is_some_and(|s| after(r.ack, s.at_ack))
        {
            peer.stalls.end(ts);
        }
        let closed = &mut peer.zero_window;
        if seg & (tf::ZERO_WINDOW_PROBE | tf::KEEP_ALIVE) != 0 && closed.since.is_some() {
            closed.probes_received = closed.probes_received.saturating_add(1);
        }
    }

    /// Closes what is still open at the end of the stream.
    fn finish(&mut self, index: &PacketIndex) {
        let end = text::time_of(index, self.last_frame);
        for side in &mut self.sides {
            if side.stalls.current.is_some() {
                side.stalls.unrecovered = true;
                side.stalls.end(end);
            }
            side.zero_window.finish(end);
        }
    }
}

/// The TCP analysis of `index`, or an empty one when `flows` was not built from it (the
/// sequence analysis needs one stream entry per frame); detectors then see no flags.
pub fn tcp_analysis(index: &PacketIndex, flows: &Flows) -> TcpAnalysis {
    if flows.stream_of.len() == index.len() {
        crate::tcp::analyze(index, flows)
    } else {
        TcpAnalysis::default()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::connections::attempts::tests::index_of;
    use crate::connections::attempts::{ACK, SYN};

    /// A timed TCP record with an open window (64240).
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
            window: 64240,
            ..crate::connections::attempts::tests::tcp(ms, src, dst, seq, ack, flags, payload)
        }
    }

    const C: (u32, u16) = (1, 45221);
    const S: (u32, u16) = (2, 80);

    fn collect(records: Vec<PacketRecord>) -> TcpStreams {
        let (index, flows) = index_of(records);
        let tcp = tcp_analysis(&index, &flows);
        TcpStreams::collect(&index, &flows, &tcp, 0)
    }

    #[test]
    fn the_slowest_turn_is_kept_with_its_ack() {
        let streams = collect(vec![
            tcp(0, C, S, 100, 0, SYN, 0),
            tcp(250, S, C, 500, 101, SYN | ACK, 0),
            tcp(250, C, S, 101, 501, ACK, 0),
            tcp(251, C, S, 101, 501, ACK, 355),
            tcp(516, S, C, 501, 456, ACK, 0),
            tcp(4547, S, C, 501, 456, ACK, 1460),
            tcp(4548, C, S, 456, 1961, ACK, 20),
            tcp(4600, S, C, 1961, 476, ACK, 100),
        ]);
        // One stream, threshold 0: its slowest turn is kept.
        assert_eq!(streams.turns.len(), 1);
        // Request (355 bytes) at 251 ms, first response data at 4547 ms: 4547 − 251 = 4296 ms =
        // 4 296 000 µs; the client (first sender) is endpoint A, so no CLIENT_IS_B bit. (The
        // second turn, 4548 → 4600 ms = 52 ms, is faster.)
        assert_eq!(streams.slowest_us, vec![4_296_000]);
        let t = streams.turns[0];
        // 0-based indexes: the request is record 3 (one segment), the response record 5.
        assert_eq!((t.request_first, t.request_last, t.response), (3, 3, 5));
        // The server's bare ACK (ack 456 = 101 + 355) at 516 ms is record 4.
        assert_eq!(t.ack, Some(4));
        // 4296 ms, as above, in ns.
        assert_eq!(t.think_ns, 4_296_000_000);
        assert_eq!(t.request_bytes, 355);
        // No retransmission, reset or zero window: no stream is marked.
        assert!(streams.conns.is_empty());
    }

    #[test]
    fn a_retransmission_marks_the_stream_and_its_stall_is_measured() {
        let streams = collect(vec![
            tcp(0, C, S, 100, 0, SYN, 0),
            tcp(10, S, C, 500, 101, SYN | ACK, 0),
            tcp(20, C, S, 101, 501, ACK, 0),
            tcp(30, C, S, 101, 501, ACK, 100),
            tcp(330, C, S, 101, 501, ACK, 100),
            tcp(930, C, S, 101, 501, ACK, 100),
            tcp(940, S, C, 501, 201, ACK, 0),
        ]);
        let conn = &streams.conns[0];
        let side = &conn.sides[0];
        // The 100-byte segment (seq 101) first at 30 ms, sent again at 330 and 930 ms: 2
        // retransmissions, 2 × 100 = 200 bytes, one stall.
        assert_eq!(side.retransmitted.count(), 2);
        assert_eq!(side.retransmitted.bytes, 200);
        assert_eq!(side.stalls.episodes.count, 1);
        // Unacknowledged from 30 ms until the ACK (ack 201) at 940 ms: 910 ms.
        assert_eq!(side.stalls.episodes.longest_ns, 910_000_000);
        assert!(!side.stalls.unrecovered);
    }

    #[test]
    fn a_copy_of_the_frame_before_is_not_a_retransmission() {
        let streams = collect(vec![
            tcp(0, C, S, 100, 0, SYN, 0),
            tcp(10, S, C, 500, 101, SYN | ACK, 0),
            tcp(20, C, S, 101, 501, ACK, 0),
            tcp(30, C, S, 101, 501, ACK, 100),
            tcp(30, C, S, 101, 501, ACK, 100),
            tcp(40, S, C, 501, 201, ACK, 0),
        ]);
        let side = &streams.conns[0].sides[0];
        // Records 3 and 4 are the same segment at the same time (30 ms): one copy, not a
        // retransmission.
        assert_eq!(side.copies.frames.len(), 1);
        assert_eq!(side.retransmitted.count(), 0);
    }
}
