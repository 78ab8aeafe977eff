//! `zero_window`: a receiver advertised a zero window — its receive buffer was full because its
//! application was not reading — and the sender had to stop. Per TCP stream and advertising
//! side: how many zero-window frames, how many episodes and how long the window stayed closed
//! (the stall), the probes and keep-alives the sender sent meanwhile, and whether the window
//! ever reopened.
//!
//! A warning when the window never reopened before the stream (or the capture) ended, or an
//! episode lasted [`STALL_WARNING_NS`] or more; a note for brief ones (the buffer filled up and
//! was read again within a moment). Not a network problem: the finding points at the receiving
//! application.

use super::render;
use super::streams::{frame_count, sides_frames, sides_total, Conn, Side, TcpStreams};
use super::text::{self, endpoint, frame_no, Named};
use super::{Details, Finding, Kind, Severity};
use crate::capture::FileInfo;
use crate::flows::Flows;
use crate::index::PacketIndex;

/// A zero window closed at least this long makes a warning.
pub const STALL_WARNING_NS: i64 = 1_000_000_000;
/// At most this many findings; the rest are summarised in the last one.
pub const MAX_FINDINGS: usize = 20;

pub fn detect(index: &PacketIndex, flows: &Flows, _files: &[FileInfo]) -> Vec<Finding> {
    let tcp = super::streams::tcp_analysis(index, flows);
    let streams = TcpStreams::collect(index, flows, &tcp, i64::MAX);
    from_streams(index, flows, &streams)
}

pub fn from_streams(index: &PacketIndex, flows: &Flows, streams: &TcpStreams) -> Vec<Finding> {
    let sides: Vec<(&Conn, usize)> = streams
        .conns
        .iter()
        .flat_map(|c| (0..2).map(move |d| (c, d)))
        .filter(|(c, d)| !c.sides[*d].zero_window.frames.is_empty())
        .collect();
    super::one_by_one_then_rest(
        &sides,
        MAX_FINDINGS,
        |&(c, d)| finding(index, flows, c, d),
        more,
    )
}

/// The sides past [`MAX_FINDINGS`], summed up in one finding.
fn more(rest: &[(&Conn, usize)]) -> Finding {
    let frames = sides_total(rest, |s| frame_count(&s.zero_window.frames));
    let (verdict, explanation) = render::zero_window::more(rest.len(), frames);
    Finding::new(Kind::ZeroWindow, Severity::Warning, verdict, explanation)
        .evidence(sides_frames(rest, |s| &s.zero_window.frames))
        .filter("tcp.analysis.zero_window")
        .details(
            Details::new()
                .with("connections", rest.len())
                .with("zero_window_frames", frames),
        )
}

/// What one side's zero window shows, before any wording.
pub(crate) struct ZeroWindowFacts<'a> {
    /// The advertising side.
    pub side: &'a Side,
    /// The receiver's (advertising) and sender's endpoints, and the receiver's address.
    pub receiver: Named,
    pub sender: String,
    /// The data the sender had sent on the connection.
    pub sender_bytes: u64,
    /// The connection was reset (rather than the capture ending).
    pub reset: bool,
}

fn finding(index: &PacketIndex, flows: &Flows, conn: &Conn, dir: usize) -> Finding {
    let side = &conn.sides[dir];
    let peer = &conn.sides[1 - dir];
    let receiver = conn.endpoint(index, flows, dir);
    let f = ZeroWindowFacts {
        side,
        receiver: Named::of(index, receiver),
        sender: endpoint(index, conn.endpoint(index, flows, 1 - dir)),
        sender_bytes: peer.data.bytes,
        reset: conn.reset.is_some(),
    };
    let longest = side.zero_window.episodes.longest_ns;
    let warning = side.zero_window.closed_at_end || longest >= STALL_WARNING_NS;
    let verdict = render::zero_window::verdict(&f);
    let explanation = render::zero_window::explanation(&f);
    let stream = conn.number(flows);
    let filter = match stream {
        Some(n) => format!(
            "tcp.stream == {n} && (tcp.analysis.zero_window || tcp.analysis.zero_window_probe || \
             tcp.analysis.zero_window_probe_ack || tcp.analysis.keep_alive || \
             tcp.analysis.window_update)"
        ),
        None => "tcp.analysis.zero_window".into(),
    };
    let mut frames: Vec<u32> = side.zero_window.frames.clone();
    frames.extend(side.zero_window.reopened);
    let details = Details::new()
        .with("receiver", f.receiver.endpoint.clone())
        .with("sender", f.sender.clone())
        .with("zero_window_frames", frame_count(&side.zero_window.frames))
        .with("episodes", side.zero_window.episodes.count)
        .with("longest_s", text::seconds(longest))
        .with("total_s", text::seconds(side.zero_window.episodes.total_ns))
        .with("never_reopened", side.zero_window.closed_at_end)
        .with("reopened_frame", side.zero_window.reopened.map(frame_no))
        .with("probes", side.zero_window.probes_received)
        .with("sender_data_bytes", peer.data.bytes);
    Finding::new(
        Kind::ZeroWindow,
        Severity::warning_if(warning),
        verdict,
        explanation,
    )
    .evidence(frames)
    .stream(stream)
    .filter(filter)
    .details(details)
}
