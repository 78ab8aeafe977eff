//! `reset`: a TCP connection reset after it was established — who sent the RST, how long after
//! the connection was established, and after what: data that was being retransmitted without an
//! acknowledgement (the sender gave up), a zero window that never reopened, a server that kept
//! re-sending its SYN-ACK, silence (an idle timeout), a request that got no answer, data still
//! unacknowledged — and whether the RST's TTL matches its sender's other packets (a device in
//! between may have sent it in the sender's name).
//!
//! Severities: an error when the reset ended a connection that was already failing (gave up
//! after retransmissions, a zero-window stall, a SYN-ACK retransmission storm); a warning for
//! other mid-connection resets. Resets after a FIN, or after the exchange had completed
//! (nothing unacknowledged, the last data was the server's answer, or no data at all), are how
//! many applications close (SO_LINGER 0): they are listed in one note, not as faults.
//!
//! Not repeated here: a SYN answered by RST is `connection_refused` (the connection was never
//! established), and a reset that follows a `handshake_ack_mismatch` is told by that finding.

use super::render;
use super::streams::{Conn, ResetAt, TcpStreams};
use super::text::{self, endpoint, frame_no};
use super::{Details, Finding, Kind, Severity};
use crate::capture::FileInfo;
use crate::flows::Flows;
use crate::index::PacketIndex;

/// Silence at least this long before a RST makes it an idle timeout.
pub const IDLE_NS: i64 = 10_000_000_000;
/// A server that sent its SYN-ACK at least this many times retransmitted it in a storm.
pub const SYNACK_STORM: u32 = 3;
/// At most this many findings; the rest are summarised in the last one.
pub const MAX_FINDINGS: usize = 30;

pub fn detect(index: &PacketIndex, flows: &Flows, _files: &[FileInfo]) -> Vec<Finding> {
    let tcp = super::streams::tcp_analysis(index, flows);
    let streams = TcpStreams::collect(index, flows, &tcp, i64::MAX);
    let attempts = crate::connections::attempts::Attempts::collect(index, flows);
    let explained = attempts.ack_mismatch_streams();
    from_streams(index, flows, &streams, &explained)
}

/// What preceded the reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The side in this direction was retransmitting unacknowledged data.
    GaveUp { stalled: usize },
    /// The side in this direction had a zero window that never reopened.
    ZeroWindow { closed: usize },
    /// The server had sent its SYN-ACK this many times.
    SynAckStorm { synacks: u32 },
    /// The RST's TTL differs from its sender's other packets.
    Injected { usual: u8, actual: u8 },
    /// Silence this long before the RST (or before the data the RST answered), with something
    /// left unfinished: an idle timeout.
    Idle { ns: i64 },
    /// Silence this long, then a RST with nothing left unfinished: an idle connection closed.
    IdleClose { ns: i64 },
    /// The client's request was acknowledged but not answered.
    Unanswered,
    /// Data was still unacknowledged (from the side in this direction).
    Outstanding { dir: usize },
    /// After a FIN (from the side in this direction).
    AfterFin { dir: usize },
    /// Nothing outstanding: the way the application closes.
    Completed,
}

impl Cause {
    fn as_str(self) -> &'static str {
        match self {
            Cause::GaveUp { .. } => "gave_up_after_retransmissions",
            Cause::ZeroWindow { .. } => "zero_window",
            Cause::SynAckStorm { .. } => "synack_retransmissions",
            Cause::Injected { .. } => "ttl_mismatch",
            Cause::Idle { .. } => "idle_timeout",
            Cause::IdleClose { .. } => "idle_close",
            Cause::Unanswered => "request_unanswered",
            Cause::Outstanding { .. } => "data_unacknowledged",
            Cause::AfterFin { .. } => "after_fin",
            Cause::Completed => "exchange_completed",
        }
    }
    fn benign(self) -> bool {
        matches!(
            self,
            Cause::AfterFin { .. } | Cause::Completed | Cause::IdleClose { .. }
        )
    }
    fn severity(self) -> Severity {
        match self {
            Cause::GaveUp { .. } | Cause::ZeroWindow { .. } | Cause::SynAckStorm { .. } => {
                Severity::Error
            }
            Cause::AfterFin { .. } | Cause::Completed | Cause::IdleClose { .. } => Severity::Note,
            _ => Severity::Warning,
        }
    }
}

/// Why the connection was reset, as far as the packets tell.
pub fn cause(index: &PacketIndex, conn: &Conn, reset: &ResetAt) -> Cause {
    let by = reset.by_dir.min(1);
    let sides = &reset.sides;
    if let Some(stalled) = (0..2).find(|&d| sides[d].stall().is_some()) {
        return Cause::GaveUp { stalled };
    }
    if let Some(closed) = (0..2).find(|&d| sides[d].zero_window_since_ns.is_some()) {
        return Cause::ZeroWindow { closed };
    }
    if conn.synacks >= SYNACK_STORM {
        return Cause::SynAckStorm {
            synacks: conn.synacks,
        };
    }
    let rst = text::record(index, reset.frame);
    if let Some(usual) = sides[by].ttl {
        if rst.is_ip() && rst.ttl != usual {
            return Cause::Injected {
                usual,
                actual: rst.ttl,
            };
        }
    }
    if let Some(dir) = (0..2).find(|&d| sides[d].data.fin.is_some()) {
        return Cause::AfterFin { dir };
    }
    let outstanding = (0..2).find(|&d| sides[d].outstanding());
    // Nothing unacknowledged: did the last data come from the client (a request nobody
    // answered) or from the server (its answer)?
    let client = conn.client_dir.min(1);
    let unanswered = match (sides[client].data.last, sides[1 - client].data.last) {
        (Some(request), answer) => answer.is_none_or(|a| a < request),
        _ => false,
    };
    if let Some(ns) = silence(index, reset) {
        return if outstanding.is_none() && !unanswered {
            Cause::IdleClose { ns }
        } else {
            Cause::Idle { ns }
        };
    }
    match (outstanding, unanswered) {
        (Some(dir), _) => Cause::Outstanding { dir },
        (None, true) => Cause::Unanswered,
        (None, false) => Cause::Completed,
    }
}

/// The silence that preceded the reset, when it lasted [`IDLE_NS`] or more: right before the
/// RST, or right before the frame the RST answered (data sent after a long pause).
pub fn silence(index: &PacketIndex, reset: &ResetAt) -> Option<i64> {
    let before_rst = reset
        .preceding
        .previous
        .and_then(|p| text::between(index, p, reset.frame));
    let before_last = reset
        .preceding
        .previous
        .zip(reset.preceding.before_previous)
        .and_then(|(p, b)| text::between(index, b, p));
    before_rst
        .into_iter()
        .chain(before_last)
        .max()
        .filter(|&ns| ns >= IDLE_NS)
}

/// Whether a connection's reset came while data was being retransmitted (the retransmissions
/// finding then points here).
pub fn gave_up(conn: &Conn) -> bool {
    conn.reset
        .as_ref()
        .is_some_and(|r| r.sides.iter().any(|s| s.stall().is_some()))
}

pub fn from_streams(
    index: &PacketIndex,
    flows: &Flows,
    streams: &TcpStreams,
    explained: &[u32],
) -> Vec<Finding> {
    // `explained`: streams another finding explains (sorted flows stream ids).
    let mut bad: Vec<(&Conn, &ResetAt, Cause)> = Vec::new();
    let mut benign: Vec<(&Conn, &ResetAt, Cause)> = Vec::new();
    for conn in &streams.conns {
        let Some(reset) = conn.reset.as_ref() else {
            continue;
        };
        if explained.binary_search(&conn.stream).is_ok() {
            continue;
        }
        let cause = cause(index, conn, reset);
        if cause.benign() {
            benign.push((conn, reset, cause));
        } else {
            bad.push((conn, reset, cause));
        }
    }
    let mut findings = super::one_by_one_then_rest(
        &bad,
        MAX_FINDINGS,
        |&(c, r, cause)| finding(index, flows, c, r, cause),
        |rest| {
            let (verdict, explanation) = render::reset::more(rest.len());
            Finding::new(Kind::Reset, Severity::Warning, verdict, explanation)
                .evidence(rest.iter().map(|(_, r, _)| r.frame))
                .filter("tcp.flags.reset == 1")
                .details(Details::new().with("connections", rest.len()))
        },
    );
    findings.extend(benign_note(index, flows, &benign));
    findings
}

/// What the packets show about one reset connection, before any wording.
pub(crate) struct ResetFacts<'a> {
    pub cause: Cause,
    /// The direction of the RST's sender (0 or 1), and the client's.
    pub by: usize,
    pub client_dir: usize,
    /// Each direction's endpoint (`10.0.0.1:50000`) and address.
    pub endpoints: [String; 2],
    pub hosts: [String; 2],
    /// The server's port.
    pub server_port: u16,
    pub reset: &'a ResetAt,
    pub established: Option<u32>,
    /// From the SYN (or first frame) to the RST.
    pub age_ns: Option<i64>,
    /// From the frame before the RST to the RST.
    pub idle_ns: Option<i64>,
    pub rst_has_ack: bool,
    /// Per direction: how long its retransmission stall, and its zero window, had lasted.
    pub stall_ns: [Option<i64>; 2],
    pub zero_window_ns: [Option<i64>; 2],
    /// From the RST sender's last data to the RST.
    pub since_last_data: Option<i64>,
    /// The RST's TTL, when it is its sender's usual one (non-zero).
    pub same_ttl: Option<u8>,
    /// An earlier RST the connection ignored, whose TTL is not its sender's.
    pub forged_early: Option<ForgedRst>,
}

/// An early RST in someone's name with a TTL that is not theirs.
pub(crate) struct ForgedRst {
    pub frame: u32,
    pub host: String,
    pub ttl: u8,
    pub usual: u8,
}

impl<'a> ResetFacts<'a> {
    fn gather(
        index: &PacketIndex,
        flows: &Flows,
        conn: &Conn,
        reset: &'a ResetAt,
        cause: Cause,
    ) -> Self {
        let by = reset.by_dir.min(1);
        let sides = &reset.sides;
        let eps = [
            conn.endpoint(index, flows, 0),
            conn.endpoint(index, flows, 1),
        ];
        let start = conn.syn.unwrap_or(conn.first_frame);
        let rst = text::record(index, reset.frame);
        let now = text::time_of(index, reset.frame);
        let since = |since: Option<i64>| {
            since
                .zip(now)
                .map(|(since, now)| now.saturating_sub(since).max(0))
        };
        ResetFacts {
            cause,
            by,
            client_dir: conn.client_dir,
            endpoints: eps.map(|ep| endpoint(index, ep)),
            hosts: eps.map(|ep| text::address(index, ep.0)),
            server_port: eps[1 - conn.client_dir.min(1)].1,
            reset,
            established: conn.established,
            age_ns: text::between(index, start, reset.frame).filter(|&ns| ns >= 0),
            idle_ns: reset
                .preceding
                .previous
                .and_then(|p| text::between(index, p, reset.frame))
                .filter(|&ns| ns >= 0),
            rst_has_ack: rst.tcp_flags & crate::connections::attempts::ACK != 0,
            stall_ns: [0, 1].map(|d| since(sides[d].stall().map(|s| s.since))),
            zero_window_ns: [0, 1].map(|d| since(sides[d].zero_window_since_ns)),
            since_last_data: sides[by]
                .data
                .last
                .and_then(|f| text::between(index, f, reset.frame)),
            same_ttl: sides[by]
                .ttl
                .filter(|&usual| rst.ttl == usual && rst.is_ip() && usual > 0),
            forged_early: forged_early(index, flows, conn),
        }
    }
}

/// An earlier RST (answering the SYN, say) that the connection ignored, in someone's name.
fn forged_early(index: &PacketIndex, flows: &Flows, conn: &Conn) -> Option<ForgedRst> {
    let early = conn.early_rst?;
    let e = text::record(index, early);
    let dir = usize::from((e.src, e.src_port) != conn.endpoint(index, flows, 0));
    let usual = conn.sides[dir].ttl.filter(|&t| e.is_ip() && t != e.ttl)?;
    Some(ForgedRst {
        frame: early,
        host: text::address(index, conn.endpoint(index, flows, dir).0),
        ttl: e.ttl,
        usual,
    })
}

fn finding(
    index: &PacketIndex,
    flows: &Flows,
    conn: &Conn,
    reset: &ResetAt,
    cause: Cause,
) -> Finding {
    let f = ResetFacts::gather(index, flows, conn, reset, cause);
    let verdict = render::reset::verdict(&f);
    let explanation = render::reset::explanation(&f);
    let sides = &reset.sides;
    let mut frames = vec![reset.frame];
    frames.extend(conn.early_rst);
    frames.extend(reset.preceding.previous);
    frames.extend(conn.established);
    for side in sides {
        frames.extend(side.data.last);
    }
    if let Cause::GaveUp { stalled } = cause {
        frames.extend(
            conn.sides[stalled]
                .retransmitted
                .frames
                .iter()
                .copied()
                .filter(|&f| f < reset.frame),
        );
    }
    if let Cause::ZeroWindow { closed } = cause {
        frames.extend(
            conn.sides[closed]
                .zero_window
                .frames
                .iter()
                .copied()
                .filter(|&f| f < reset.frame)
                .take(5),
        );
    }
    let stream = conn.number(flows);
    let filter = stream.map_or_else(
        || "tcp.flags.reset == 1".to_string(),
        |n| format!("tcp.stream == {n}"),
    );
    Finding::new(Kind::Reset, cause.severity(), verdict, explanation)
        .evidence(frames)
        .stream(stream)
        .filter(filter)
        .details(details(index, conn, &f))
}

/// The numbers of one reset finding.
fn details(index: &PacketIndex, conn: &Conn, f: &ResetFacts<'_>) -> Details {
    let (by, sides) = (f.by, &f.reset.sides);
    let rst = text::record(index, f.reset.frame);
    Details::new()
        .with("reset_by", f.endpoints[by].clone())
        .with("peer", f.endpoints[1 - by].clone())
        .with(
            "reset_by_role",
            if by == conn.client_dir {
                "client"
            } else {
                "server"
            },
        )
        .with("reset_frame", frame_no(f.reset.frame))
        .with("cause", f.cause.as_str())
        .with("established_frame", conn.established.map(frame_no))
        .with("after_s", f.age_ns.map(text::seconds))
        .with("idle_before_s", f.idle_ns.map(text::seconds))
        .with(
            "silence_s",
            match f.cause {
                Cause::Idle { ns } | Cause::IdleClose { ns } => Some(text::seconds(ns)),
                _ => None,
            },
        )
        .with("early_rst_frame", conn.early_rst.map(frame_no))
        .with("bytes_from_reset_sender", sides[by].data.bytes)
        .with("bytes_from_peer", sides[1 - by].data.bytes)
        .with(
            "retransmissions_before",
            sides[0].retransmissions + sides[1].retransmissions,
        )
        .with("synack_count", conn.synacks)
        .with(
            "zero_window_before",
            sides.iter().any(|s| s.zero_window_since_ns.is_some()),
        )
        .with("rst_ttl", rst.is_ip().then_some(rst.ttl))
        .with("usual_ttl", sides[by].ttl)
}

/// What the note on closing resets tells, before any wording.
pub(crate) struct ClosingFacts {
    pub connections: u64,
    pub after_fin: usize,
    pub after_idle: usize,
    /// The first one's RST sender and peer (endpoints).
    pub first_by: String,
    pub first_peer: String,
}

/// Resets after a FIN or after a completed exchange: one note.
fn benign_note(
    index: &PacketIndex,
    flows: &Flows,
    benign: &[(&Conn, &ResetAt, Cause)],
) -> Option<Finding> {
    let (first_conn, first_reset, _) = benign.first()?;
    let by = first_reset.by_dir.min(1);
    let facts = ClosingFacts {
        connections: benign.len() as u64,
        after_fin: benign
            .iter()
            .filter(|(_, _, c)| matches!(c, Cause::AfterFin { .. }))
            .count(),
        after_idle: benign
            .iter()
            .filter(|(_, _, c)| matches!(c, Cause::IdleClose { .. }))
            .count(),
        first_by: endpoint(index, first_conn.endpoint(index, flows, by)),
        first_peer: endpoint(index, first_conn.endpoint(index, flows, 1 - by)),
    };
    let (verdict, explanation) = render::reset::closing(&facts);
    let mut streams: Vec<u32> = benign
        .iter()
        .filter_map(|(c, _, _)| c.number(flows))
        .collect();
    streams.sort_unstable();
    let filter = format!("{} && tcp.flags.reset == 1", text::streams_filter(&streams));
    Some(
        Finding::new(Kind::Reset, Severity::Note, verdict, explanation)
            .evidence(benign.iter().map(|(_, r, _)| r.frame))
            .stream(text::only_stream(&streams))
            .filter(filter)
            .details(
                Details::new()
                    .with("issue", "closing_resets")
                    .with("connections", facts.connections)
                    .with("after_fin", facts.after_fin)
                    .with("after_idle", facts.after_idle)
                    .with(
                        "reset_frames",
                        benign
                            .iter()
                            .take(50)
                            .map(|(_, r, _)| frame_no(r.frame))
                            .collect::<Vec<u64>>(),
                    ),
            ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connections::attempts::tests::index_of;
    use crate::connections::attempts::{ACK, FIN, RST, SYN};
    use crate::findings::streams::tests::tcp;

    const C: (u32, u16) = (1, 50000);
    const S: (u32, u16) = (2, 443);

    fn run(records: Vec<crate::index::PacketRecord>) -> Vec<Finding> {
        let (index, flows) = index_of(records);
        let tcp = crate::findings::streams::tcp_analysis(&index, &flows);
        let streams = TcpStreams::collect(&index, &flows, &tcp, i64::MAX);
        from_streams(&index, &flows, &streams, &[])
    }

    fn handshake() -> Vec<crate::index::PacketRecord> {
        vec![
            tcp(0, C, S, 100, 0, SYN, 0),
            tcp(10, S, C, 500, 101, SYN | ACK, 0),
            tcp(20, C, S, 101, 501, ACK, 0),
        ]
    }

    #[test]
    fn giving_up_after_retransmissions_is_an_error() {
        let mut r = handshake();
        r.push(tcp(30, C, S, 101, 501, ACK, 100));
        r.push(tcp(330, C, S, 101, 501, ACK, 100));
        r.push(tcp(930, C, S, 101, 501, ACK, 100));
        r.push(tcp(2130, C, S, 201, 501, RST | ACK, 0));
        let f = &run(r)[0];
        assert_eq!(f.severity, Severity::Error);
        // SYN at 0 ms, RST at 2130 ms → 2.13 s; data first sent at 30 ms, sent again at 330 and
        // 930 ms → 2 retransmissions, unacknowledged from 30 to 2130 ms → 2.10 s.
        assert!(f.verdict.starts_with("10.0.0.1:50000 reset its connection with 10.0.0.2:443 2.13 s after it was opened, after retransmitting data 2 times without an acknowledgement for 2.10 s"), "{}", f.verdict);
        assert_eq!(
            f.details.get("cause").and_then(|d| d.as_str()),
            Some("gave_up_after_retransmissions")
        );
    }

    #[test]
    fn a_server_resetting_instead_of_answering_is_a_warning() {
        let mut r = handshake();
        r.push(tcp(30, C, S, 101, 501, ACK, 25));
        r.push(tcp(40, S, C, 501, 126, ACK, 0));
        r.push(tcp(41, S, C, 501, 126, RST | ACK, 0));
        let f = &run(r)[0];
        assert_eq!(f.severity, Severity::Warning);
        assert!(
            f.verdict
                .contains("instead of answering the client's request"),
            "{}",
            f.verdict
        );
    }

    #[test]
    fn a_reset_after_the_answer_or_a_fin_is_only_noted() {
        let mut r = handshake();
        r.push(tcp(30, C, S, 101, 501, ACK, 25));
        r.push(tcp(40, S, C, 501, 126, ACK, 300));
        r.push(tcp(41, C, S, 126, 801, ACK, 0));
        r.push(tcp(42, C, S, 126, 801, RST | ACK, 0));
        let other = (1, 50001);
        r.push(tcp(50, other, S, 900, 0, SYN, 0));
        r.push(tcp(51, S, other, 700, 901, SYN | ACK, 0));
        r.push(tcp(52, other, S, 901, 701, ACK, 0));
        r.push(tcp(53, other, S, 901, 701, FIN | ACK, 0));
        r.push(tcp(54, S, other, 701, 902, RST | ACK, 0));
        let findings = run(r);
        // Both resets are benign (one after the 300-byte answer was acknowledged, one after the
        // client's FIN): one note for the two of them.
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert_eq!(findings[0].severity, Severity::Note);
        assert!(findings[0]
            .verdict
            .starts_with("2 connections were closed with a reset"));
    }
}
