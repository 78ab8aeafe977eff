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

use super::streams::{Conn, TcpStreams};
use super::text::{self, duration, endpoint, frame_no};
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
        .filter(|(c, d)| c.sides[*d].zero_windows > 0)
        .collect();
    let keep = super::listed_one_by_one(sides.len(), MAX_FINDINGS);
    let mut findings: Vec<Finding> = sides
        .iter()
        .take(keep)
        .map(|&(c, d)| finding(index, flows, c, d))
        .collect();
    if sides.len() > keep {
        let rest = &sides[keep..];
        let frames: u64 = rest
            .iter()
            .map(|&(c, d)| u64::from(c.sides[d].zero_windows))
            .sum();
        findings.push(
            Finding::new(
                Kind::ZeroWindow,
                Severity::Warning,
                format!(
                    "{} more connections had a receiver advertise a zero window ({}).",
                    rest.len(),
                    text::count(frames, "zero-window frame", "zero-window frames")
                ),
                "Too many to list one by one; the filter shows every zero window. Many \
                 receivers running out of buffer at once point at a host (or an application) \
                 that cannot keep up with what it is sent."
                    .into(),
            )
            .evidence(
                rest.iter()
                    .flat_map(|&(c, d)| c.sides[d].zero_window_frames.iter().copied()),
            )
            .filter("tcp.analysis.zero_window")
            .details(
                Details::new()
                    .with("connections", rest.len())
                    .with("zero_window_frames", frames),
            ),
        );
    }
    findings
}

fn finding(index: &PacketIndex, flows: &Flows, conn: &Conn, dir: usize) -> Finding {
    let side = &conn.sides[dir];
    let peer = &conn.sides[1 - dir];
    let receiver = conn.endpoint(flows, dir);
    let sender = conn.endpoint(flows, 1 - dir);
    let receiver_text = endpoint(index, receiver);
    let sender_text = endpoint(index, sender);
    let receiver_host = text::address(index, receiver.0);
    let longest = side.longest_zero_window_ns;
    let warning = side.closed_at_end || longest >= STALL_WARNING_NS;
    let times = if side.zero_window_episodes > 1 {
        format!(" {} times", side.zero_window_episodes)
    } else {
        String::new()
    };
    let outcome = if side.closed_at_end {
        format!(
            "never reopened it: the transfer stood still for {} until the {} ended",
            duration(longest),
            if conn.reset.is_some() {
                "connection"
            } else {
                "capture"
            }
        )
    } else if side.zero_window_episodes > 1 {
        format!(
            "reopened it each time (longest closed {}, {} in all)",
            duration(longest),
            duration(side.total_zero_window_ns)
        )
    } else {
        format!("reopened it after {}", duration(longest))
    };
    let verdict =
        format!("{receiver_text} advertised a zero window to {sender_text}{times} and {outcome}.");
    let first = side.zero_window_frames.first().copied();
    let mut explanation = format!(
        "A zero window means the receiver's buffer is full: {receiver_host}'s application was \
         not reading the data as fast as it arrived, so {sender_text} had to stop sending. \
         {receiver_text} advertised a window of 0 bytes in {}{}",
        text::count(u64::from(side.zero_windows), "frame", "frames"),
        first.map_or(String::new(), |f| format!(
            " (the first is frame {})",
            frame_no(f)
        )),
    );
    if side.probes_received > 0 {
        explanation += &format!(
            "; {sender_text} probed it {} meanwhile and every answer still said 0",
            text::count(u64::from(side.probes_received), "time", "times")
        );
    }
    explanation += ". ";
    if let Some(reopen) = side.reopened.filter(|_| !side.closed_at_end) {
        explanation += &format!(
            "The window opened again in frame {} and the data flowed on. ",
            frame_no(reopen)
        );
    }
    if side.closed_at_end {
        explanation += &format!(
            "It was still closed when the {} ended, {} after it first closed: the receiving \
             application stopped reading altogether. ",
            if conn.reset.is_some() {
                "connection was reset"
            } else {
                "capture"
            },
            duration(longest)
        );
    }
    if peer.data_bytes > 0 {
        explanation += &format!(
            "{sender_text} had sent {} on this connection. ",
            text::count(peer.data_bytes, "byte", "bytes")
        );
    }
    explanation += &format!(
        "This is not a network fault: look at the application on {receiver_host} — is it busy \
         (CPU), blocked (disk, a lock, a slow downstream service) or hung? A receiver that keeps \
         running out of buffer needs to read faster or to be given larger socket buffers."
    );
    let stream = conn.number(flows);
    let filter = match stream {
        Some(n) => format!(
            "tcp.stream == {n} && (tcp.analysis.zero_window || tcp.analysis.zero_window_probe || \
             tcp.analysis.zero_window_probe_ack || tcp.analysis.keep_alive || \
             tcp.analysis.window_update)"
        ),
        None => "tcp.analysis.zero_window".into(),
    };
    let mut frames: Vec<u32> = side.zero_window_frames.clone();
    frames.extend(side.reopened);
    let details = Details::new()
        .with("receiver", receiver_text)
        .with("sender", sender_text)
        .with("zero_window_frames", side.zero_windows)
        .with("episodes", side.zero_window_episodes)
        .with("longest_s", text::seconds(longest))
        .with("total_s", text::seconds(side.total_zero_window_ns))
        .with("never_reopened", side.closed_at_end)
        .with("reopened_frame", side.reopened.map(frame_no))
        .with("probes", side.probes_received)
        .with("sender_data_bytes", peer.data_bytes);
    Finding::new(
        Kind::ZeroWindow,
        if warning {
            Severity::Warning
        } else {
            Severity::Note
        },
        verdict,
        explanation,
    )
    .evidence(frames)
    .stream(stream)
    .filter(filter)
    .details(details)
}
