//! `retransmissions`: per TCP stream and sending side, how much data had to be sent again — the
//! retransmissions Wireshark flags (after a timeout, fast after duplicate ACKs, spurious), the
//! bytes, their share of the side's data segments, and how long data waited for an
//! acknowledgement once it had to be sent again (the stall), including data that was never
//! acknowledged.
//!
//! A side gets its own finding (a warning) when the loss mattered: its data was never
//! acknowledged, a stall lasted [`STALL_WARNING_NS`] or more, or at least
//! [`MIN_SIGNIFICANT`] segments and [`SIGNIFICANT_SHARE`] of its data segments were sent again.
//! Lighter retransmissions are summarised in one note (background loss). Kept short (a note) or
//! left out when they are a symptom of something another finding explains: the retransmitted
//! first data after a `handshake_ack_mismatch` is left to that finding, and retransmissions that
//! end in a RST are told briefly and point to the `reset` finding.
//!
//! Frames Wireshark flags as retransmissions or duplicate ACKs but that are exact copies of the
//! frame just before them (same sequence and acknowledgement numbers, length, window, flags and
//! IP ID, within [`COPY_WINDOW_NS`](super::streams::COPY_WINDOW_NS)) are not counted: the same
//! packet was captured twice, which one note says.

use super::render;
use super::streams::{frame_count, sides_frames, sides_total, Conn, Side, TcpStreams};
use super::text::{self, endpoint, frame_no, record, Named};
use super::{Details, Finding, Kind, Severity};
use crate::capture::FileInfo;
use crate::flows::Flows;
use crate::index::PacketIndex;

/// A stall at least this long makes the retransmissions a warning.
pub const STALL_WARNING_NS: i64 = 1_000_000_000;
/// At least this many retransmitted segments …
pub const MIN_SIGNIFICANT: u32 = 3;
/// … making up at least this share (percent) of the side's data segments.
pub const SIGNIFICANT_SHARE: f64 = 5.0;
/// At most this many findings; the rest are summarised in the last one.
pub const MAX_FINDINGS: usize = 20;
/// How far back (frames) to look for the original of a retransmitted segment.
const ORIGINAL_LOOKBACK: usize = 10_000;

pub fn detect(index: &PacketIndex, flows: &Flows, _files: &[FileInfo]) -> Vec<Finding> {
    let tcp = super::streams::tcp_analysis(index, flows);
    let streams = TcpStreams::collect(index, flows, &tcp, i64::MAX);
    let attempts = crate::connections::attempts::Attempts::collect(index, flows);
    let explained = attempts.ack_mismatch_streams();
    from_streams(index, flows, &streams, &explained)
}

/// Share of retransmitted segments among all the side sent, in percent.
fn share(side: &Side) -> f64 {
    let total = u64::from(side.data.segments) + u64::from(side.retransmitted.count());
    if total == 0 {
        0.0
    } else {
        f64::from(side.retransmitted.count()) * 100.0 / total as f64
    }
}

/// Whether a side's retransmissions deserve their own finding.
pub fn significant(side: &Side) -> bool {
    side.retransmitted.count() > 0
        && (side.stalls.unrecovered
            || side.stalls.episodes.longest_ns >= STALL_WARNING_NS
            || (side.retransmitted.count() >= MIN_SIGNIFICANT && share(side) >= SIGNIFICANT_SHARE))
}

pub fn from_streams(
    index: &PacketIndex,
    flows: &Flows,
    streams: &TcpStreams,
    explained: &[u32],
) -> Vec<Finding> {
    // `explained`: streams another finding explains (sorted flows stream ids).
    let mut big: Vec<(&Conn, usize)> = Vec::new();
    let mut light: Vec<(&Conn, usize)> = Vec::new();
    let mut copies: Vec<(&Conn, usize)> = Vec::new();
    for conn in &streams.conns {
        for dir in 0..2 {
            let side = &conn.sides[dir];
            if !side.copies.frames.is_empty() {
                copies.push((conn, dir));
            }
            if side.retransmitted.count() == 0 || explained.binary_search(&conn.stream).is_ok() {
                continue;
            }
            if significant(side) {
                big.push((conn, dir));
            } else {
                light.push((conn, dir));
            }
        }
    }
    let keep = super::listed_one_by_one(big.len(), MAX_FINDINGS);
    let mut findings: Vec<Finding> = big
        .iter()
        .take(keep)
        .map(|&(conn, dir)| finding(index, flows, conn, dir))
        .collect();
    if big.len() > keep {
        light.extend_from_slice(&big[keep..]);
    }
    findings.extend(light_summary(flows, &light, streams.data_segments));
    findings.extend(copies_note(index, flows, &copies));
    findings
}

/// The original transmission of the segment retransmitted in frame `retrans`: the earliest
/// frame of the same stream and direction, from `stream_start` on, with the same sequence
/// number and data.
fn original_of(index: &PacketIndex, flows: &Flows, stream_start: u32, retrans: u32) -> Option<u32> {
    let r = index.records.get(retrans as usize)?;
    let sid = flows.stream_of.get(retrans as usize)?;
    let from = (retrans as usize)
        .saturating_sub(ORIGINAL_LOOKBACK)
        .max(stream_start as usize);
    (from..retrans as usize)
        .filter(|&i| {
            flows.stream_of.get(i) == Some(sid)
                && index.records.get(i).is_some_and(|o| {
                    o.is_tcp()
                        && (o.src, o.src_port) == (r.src, r.src_port)
                        && o.seq == r.seq
                        && o.payload_len() > 0
                })
        })
        .map(|i| i as u32)
        .next()
}

/// What one side's retransmissions show, before any wording.
pub(crate) struct RetransFacts<'a> {
    pub side: &'a Side,
    /// The sender's and receiver's endpoints, and the receiver's address.
    pub sender: String,
    pub receiver: Named,
    /// Retransmissions after a timeout (neither fast nor spurious).
    pub timeouts: u32,
    /// The connection was reset while this side retransmitted.
    pub gave_up: bool,
    /// Every retransmission resent one segment, first sent in `original`; the waits between
    /// its sends.
    pub same_segment: bool,
    pub original: Option<u32>,
    pub intervals: Vec<i64>,
}

impl<'a> RetransFacts<'a> {
    fn gather(index: &PacketIndex, flows: &Flows, conn: &'a Conn, dir: usize) -> Self {
        let side = &conn.sides[dir];
        let receiver = conn.endpoint(index, flows, 1 - dir);
        // One segment sent again and again: the intervals show the timeout backing off.
        let same_segment = {
            let seqs: Vec<u32> = side
                .retransmitted
                .frames
                .iter()
                .map(|&i| record(index, i).seq)
                .collect();
            !seqs.is_empty() && seqs.iter().all(|&s| s == seqs[0])
        };
        let original = if same_segment {
            side.retransmitted
                .frames
                .first()
                .and_then(|&f| original_of(index, flows, conn.first_frame, f))
        } else {
            None
        };
        let intervals: Vec<i64> = if same_segment {
            let mut sends: Vec<u32> = original.into_iter().collect();
            sends.extend(side.retransmitted.frames.iter().copied());
            sends
                .windows(2)
                .filter_map(|w| text::between(index, w[0], w[1]))
                .collect()
        } else {
            Vec::new()
        };
        RetransFacts {
            side,
            sender: endpoint(index, conn.endpoint(index, flows, dir)),
            receiver: Named::of(index, receiver),
            timeouts: side
                .retransmitted
                .count()
                .saturating_sub(side.retransmitted.fast)
                .saturating_sub(side.retransmitted.spurious),
            gave_up: super::reset::gave_up(conn),
            same_segment,
            original,
            intervals,
        }
    }

    /// The finding's numbers.
    fn details(&self) -> Details {
        let side = self.side;
        Details::new()
            .with("sender", self.sender.clone())
            .with("receiver", self.receiver.endpoint.clone())
            .with("data_segments", side.data.segments)
            .with("data_bytes", side.data.bytes)
            .with("retransmissions", side.retransmitted.count())
            .with("timeouts", self.timeouts)
            .with("fast", side.retransmitted.fast)
            .with("spurious", side.retransmitted.spurious)
            .with("retransmitted_bytes", side.retransmitted.bytes)
            .with("share_percent", (share(side) * 10.0).round() / 10.0)
            .with("stalls", side.stalls.episodes.count)
            .with(
                "longest_stall_s",
                text::seconds(side.stalls.episodes.longest_ns),
            )
            .with(
                "longest_stall_frame",
                side.stalls.episodes.longest_frame.map(frame_no),
            )
            .with(
                "total_stall_s",
                text::seconds(side.stalls.episodes.total_ns),
            )
            .with("never_acknowledged", side.stalls.unrecovered)
            .with("original_frame", self.original.map(frame_no))
            .with(
                "intervals_s",
                self.intervals
                    .iter()
                    .map(|&ns| text::seconds(ns))
                    .collect::<Vec<f64>>(),
            )
            .with("related", self.gave_up.then_some("reset"))
    }
}

fn finding(index: &PacketIndex, flows: &Flows, conn: &Conn, dir: usize) -> Finding {
    let f = RetransFacts::gather(index, flows, conn, dir);
    let severity = Severity::warning_if(!f.gave_up);
    let verdict = render::retransmissions::verdict(&f);
    let explanation = render::retransmissions::explanation(&f);
    let stream = conn.number(flows);
    // The retransmissions, and the original segment the explanation starts from.
    let retransmitted = match f.original {
        Some(o) => format!(
            "(tcp.analysis.retransmission || frame.number == {})",
            frame_no(o)
        ),
        None => "tcp.analysis.retransmission".into(),
    };
    let filter = match stream {
        Some(n) => format!(
            "tcp.stream == {n} && {} && {retransmitted}",
            text::src_filter(index, conn.endpoint(index, flows, dir).0)
        ),
        None => retransmitted,
    };
    let mut frames: Vec<u32> = f.original.into_iter().collect();
    frames.extend(f.side.retransmitted.frames.iter().copied());
    Finding::new(Kind::Retransmissions, severity, verdict, explanation)
        .evidence(frames)
        .stream(stream)
        .filter(filter)
        .details(f.details())
}

/// What the summary of light retransmissions tells, before any wording.
pub(crate) struct LightFacts {
    pub connections: usize,
    pub segments: u64,
    /// The capture's data segments (at least `segments`).
    pub all_data: u64,
    pub longest_ns: i64,
    /// Together they make up a significant share of the capture's data.
    pub heavy: bool,
}

/// Light retransmissions on many sides: one finding, a note unless, all together, they make up
/// [`SIGNIFICANT_SHARE`] or more of the capture's data segments.
fn light_summary(flows: &Flows, light: &[(&Conn, usize)], all_data: u64) -> Option<Finding> {
    if light.is_empty() {
        return None;
    }
    let segments = sides_total(light, |s| s.retransmitted.count());
    let longest = light
        .iter()
        .map(|&(c, d)| c.sides[d].stalls.episodes.longest_ns)
        .max()
        .unwrap_or(0);
    let all_data = all_data.max(segments);
    let overall = segments as f64 * 100.0 / all_data.max(1) as f64;
    let mut streams: Vec<u32> = light.iter().filter_map(|(c, _)| c.number(flows)).collect();
    streams.sort_unstable();
    streams.dedup();
    let heavy = overall >= SIGNIFICANT_SHARE && segments >= u64::from(MIN_SIGNIFICANT);
    let (verdict, explanation) = render::retransmissions::light(&LightFacts {
        connections: streams.len(),
        segments,
        all_data,
        longest_ns: longest,
        heavy,
    });
    let filter = format!(
        "{} && tcp.analysis.retransmission",
        text::streams_filter(&streams)
    );
    let frames = sides_frames(light, |s| &s.retransmitted.frames);
    Some(
        Finding::new(
            Kind::Retransmissions,
            Severity::warning_if(heavy),
            verdict,
            explanation,
        )
        .evidence(frames)
        .stream(text::only_stream(&streams))
        .filter(filter)
        .details(
            Details::new()
                .with("issue", "light")
                .with("connections", streams.len())
                .with("retransmissions", segments)
                .with("capture_data_segments", all_data)
                .with("share_percent", (overall * 10.0).round() / 10.0)
                .with("longest_stall_s", text::seconds(longest)),
        ),
    )
}

/// What the note on frames recorded twice tells, before any wording.
pub(crate) struct CopiesFacts {
    pub total: u64,
    /// From the frame before the first copy to it.
    pub gap_ns: i64,
    /// The senders of the copies (addresses, sorted).
    pub hosts: Vec<String>,
}

/// Frames that are copies of the frame before them: one note for the capture.
fn copies_note(index: &PacketIndex, flows: &Flows, copies: &[(&Conn, usize)]) -> Option<Finding> {
    if copies.is_empty() {
        return None;
    }
    let total = sides_total(copies, |s| frame_count(&s.copies.frames));
    let mut frames: Vec<u32> = sides_frames(copies, |s| &s.copies.frames).collect();
    frames.sort_unstable();
    let first = frames.first().copied();
    let gap = first
        .and_then(|f| f.checked_sub(1).and_then(|p| text::between(index, p, f)))
        .unwrap_or(0);
    let mut hosts: Vec<String> = copies
        .iter()
        .map(|&(c, d)| text::address(index, c.endpoint(index, flows, d).0))
        .collect();
    hosts.sort();
    hosts.dedup();
    let (verdict, explanation) = render::retransmissions::copies(&CopiesFacts {
        total,
        gap_ns: gap,
        hosts: hosts.clone(),
    });
    Some(
        Finding::new(Kind::Retransmissions, Severity::Note, verdict, explanation)
            .evidence(frames.iter().copied())
            .filter(text::frame_set_filter(&frames))
            .details(
                Details::new()
                    .with("issue", "duplicate_frames")
                    .with("copies", total)
                    .with("senders", hosts),
            ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connections::attempts::tests::index_of;
    use crate::connections::attempts::{ACK, SYN};
    use crate::findings::streams::tests::tcp;

    const C: (u32, u16) = (1, 1048);
    const S: (u32, u16) = (2, 1043);

    fn run(records: Vec<crate::index::PacketRecord>) -> Vec<Finding> {
        let (index, flows) = index_of(records);
        let tcp = crate::findings::streams::tcp_analysis(&index, &flows);
        let streams = TcpStreams::collect(&index, &flows, &tcp, i64::MAX);
        from_streams(&index, &flows, &streams, &[])
    }

    #[test]
    fn a_segment_never_acknowledged_backs_off_and_is_a_warning() {
        let mut records = vec![
            tcp(0, C, S, 100, 0, SYN, 0),
            tcp(1, S, C, 500, 101, SYN | ACK, 0),
            tcp(2, C, S, 101, 501, ACK, 0),
        ];
        for ms in [10, 216, 816, 2016, 4416, 9226] {
            records.push(tcp(ms, C, S, 101, 501, ACK, 648));
        }
        let findings = run(records);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = &findings[0];
        assert_eq!(f.severity, Severity::Warning);
        // The same 648-byte segment sent 6 times: 5 retransmissions, 5 × 648 = 3240 bytes,
        // 5 / 6 data segments = 83%; the server never acknowledges it.
        assert!(
            f.verdict.starts_with("10.0.0.1:1048 → 10.0.0.2:1043: 5 retransmissions (3240 bytes, 83% of its data segments), never acknowledged"),
            "{}",
            f.verdict
        );
        // Gaps between the sends at 10, 216, 816, 2016, 4416, 9226 ms: 206, 600, 1200, 2400,
        // 4810 ms.
        assert!(
            f.explanation.contains(
                "after 206 ms, 600 ms, 1.20 s, 2.40 s and 4.81 s — each wait about double"
            ),
            "{}",
            f.explanation
        );
        // Frames 1-based: the six sends are records 3 … 8, frames 4 … 9.
        assert_eq!(f.frames, vec![4, 5, 6, 7, 8, 9]);
    }

    #[test]
    fn one_fast_retransmission_in_a_long_transfer_is_a_light_note() {
        let mut records = vec![
            tcp(0, C, S, 100, 0, SYN, 0),
            tcp(1, S, C, 500, 101, SYN | ACK, 0),
            tcp(2, C, S, 101, 501, ACK, 0),
        ];
        let mut seq = 101u32;
        for k in 0..40 {
            records.push(tcp(10 + k, C, S, seq, 501, ACK, 100));
            seq += 100;
            records.push(tcp(11 + k, S, C, 501, seq, ACK, 0));
        }
        records.push(tcp(100, C, S, 101, 501, ACK, 100));
        let findings = run(records);
        // One retransmission (seq 101 again at 100 ms) among 40 + 1 = 41 data segments: fewer
        // than MIN_SIGNIFICANT (3) and 1 / 41 = 2.4% < SIGNIFICANT_SHARE (5%) → a light note.
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Note);
        assert_eq!(
            findings[0].details.get("issue").and_then(|d| d.as_str()),
            Some("light")
        );
    }
}
