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

use super::streams::{Conn, ResetAt, TcpStreams};
use super::text::{self, capitalize, duration, endpoint, frame_no};
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
    if let Some(stalled) = (0..2).find(|&d| sides[d].stalled) {
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
    if let Some(dir) = (0..2).find(|&d| sides[d].fin.is_some()) {
        return Cause::AfterFin { dir };
    }
    let outstanding = (0..2).find(|&d| sides[d].outstanding);
    // Nothing unacknowledged: did the last data come from the client (a request nobody
    // answered) or from the server (its answer)?
    let client = conn.client_dir.min(1);
    let unanswered = match (sides[client].last_data, sides[1 - client].last_data) {
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
        .previous
        .and_then(|p| text::between(index, p, reset.frame));
    let before_last = reset
        .previous
        .zip(reset.before_previous)
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
        .is_some_and(|r| r.sides.iter().any(|s| s.stalled))
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
    let keep = super::listed_one_by_one(bad.len(), MAX_FINDINGS);
    let mut findings: Vec<Finding> = bad
        .iter()
        .take(keep)
        .map(|&(c, r, cause)| finding(index, flows, c, r, cause))
        .collect();
    if bad.len() > keep {
        let rest = &bad[keep..];
        findings.push(
            Finding::new(
                Kind::Reset,
                Severity::Warning,
                format!("{} more established connections were reset.", rest.len()),
                "Too many resets to list one by one; the filter shows every RST. Many \
                 connections reset at once point at something they share: a server restarting, \
                 a firewall or load balancer dropping its session table, or a client aborting \
                 everything at once."
                    .into(),
            )
            .evidence(rest.iter().map(|(_, r, _)| r.frame))
            .filter("tcp.flags.reset == 1")
            .details(Details::new().with("connections", rest.len())),
        );
    }
    findings.extend(benign_note(index, flows, &benign));
    findings
}

/// `the client 10.0.0.1:50000` / `the server 10.0.0.2:80`.
fn role(index: &PacketIndex, flows: &Flows, conn: &Conn, dir: usize) -> String {
    let who = endpoint(index, conn.endpoint(flows, dir));
    if dir == conn.client_dir {
        format!("the client {who}")
    } else {
        format!("the server {who}")
    }
}

fn finding(
    index: &PacketIndex,
    flows: &Flows,
    conn: &Conn,
    reset: &ResetAt,
    cause: Cause,
) -> Finding {
    let by = reset.by_dir.min(1);
    let peer = 1 - by;
    let by_ep = conn.endpoint(flows, by);
    let by_text = endpoint(index, by_ep);
    let by_host = text::address(index, by_ep.0);
    let peer_text = endpoint(index, conn.endpoint(flows, peer));
    let sides = &reset.sides;
    let start = conn.syn.unwrap_or(conn.first_frame);
    let age = text::between(index, start, reset.frame).filter(|&ns| ns >= 0);
    let after_text = age.map_or(String::new(), |ns| {
        format!(" {} after it was opened", duration(ns))
    });
    let idle = reset
        .previous
        .and_then(|p| text::between(index, p, reset.frame))
        .filter(|&ns| ns >= 0);
    let rst = text::record(index, reset.frame);
    let stall_for = |d: usize| {
        sides[d]
            .stall_since_ns
            .zip(text::time_of(index, reset.frame))
            .map(|(since, now)| now.saturating_sub(since).max(0))
    };

    let verdict =
        match cause {
            Cause::GaveUp { stalled } if stalled == by => format!(
            "{by_text} reset its connection with {peer_text}{after_text}, after retransmitting \
             data {} without an acknowledgement{}: it gave up.",
            text::count(u64::from(sides[by].stall_retransmissions), "time", "times"),
            stall_for(by).map_or(String::new(), |ns| format!(" for {}", duration(ns)))
        ),
            Cause::GaveUp { stalled } => format!(
            "{by_text} reset its connection with {peer_text}{after_text} while {peer_text} was \
             retransmitting data to it ({} unacknowledged{}).",
            text::count(
                u64::from(sides[stalled].stall_retransmissions),
                "retransmission",
                "retransmissions"
            ),
            stall_for(stalled).map_or(String::new(), |ns| format!(" for {}", duration(ns)))
        ),
            Cause::ZeroWindow { closed } => format!(
            "{by_text} reset its connection with {peer_text}{after_text}, after {}'s zero window \
             had stalled it for {}.",
            endpoint(index, conn.endpoint(flows, closed)),
            sides[closed]
                .zero_window_since_ns
                .zip(text::time_of(index, reset.frame))
                .map_or("a while".into(), |(s, n)| duration(n.saturating_sub(s).max(0)))
        ),
            Cause::SynAckStorm { synacks } => format!(
            "{by_text} reset its connection with {peer_text}{after_text}, after the server had \
             sent its SYN-ACK {synacks} times."
        ),
            Cause::Injected { usual, actual } => format!(
                "A RST in {by_text}'s name reset its connection with {peer_text}{after_text}, but \
             its TTL ({actual}) differs from {by_host}'s other packets ({usual}): a device in \
             between most likely sent it."
            ),
            Cause::Idle { ns } => format!(
            "{by_text} reset its connection with {peer_text}{after_text}, after {} of silence: \
             an idle timeout.",
            duration(ns)
        ),
            Cause::Unanswered if by == conn.client_dir => format!(
                "{by_text} reset its connection with {peer_text}{after_text}: its request was \
             acknowledged but never answered."
            ),
            Cause::Unanswered => format!(
                "{by_text} reset its connection with {peer_text}{after_text} instead of answering \
             the client's request."
            ),
            Cause::Outstanding { dir } => format!(
                "{by_text} reset its connection with {peer_text}{after_text}, with {} data still \
             unacknowledged.",
                if dir == by { "its own" } else { "the peer's" }
            ),
            Cause::AfterFin { .. } | Cause::Completed | Cause::IdleClose { .. } => {
                format!("{by_text} reset its connection with {peer_text}{after_text}.")
            }
        };

    let flags = if rst.tcp_flags & crate::connections::attempts::ACK != 0 {
        "RST, ACK"
    } else {
        "RST"
    };
    let mut explanation = format!(
        "{} sent {flags} in frame {}",
        capitalize(&role(index, flows, conn, by)),
        frame_no(reset.frame)
    );
    if let Some(established) = conn.established {
        explanation += &format!(
            "; the connection had been established in frame {}",
            frame_no(established)
        );
    }
    let carried: Vec<String> = (0..2)
        .map(|d| {
            format!(
                "{} sent {}",
                role(index, flows, conn, d),
                text::count(sides[d].data_bytes, "byte", "bytes")
            )
        })
        .collect();
    explanation += &format!("; before it, {}. ", text::join_and(&carried));
    if let Some(ns) = idle {
        if let Some(p) = reset.previous {
            explanation += &format!(
                "The frame before the RST (frame {}) came {} earlier. ",
                frame_no(p),
                duration(ns)
            );
        }
    }
    explanation += &match cause {
        Cause::GaveUp { stalled } => format!(
            "{} had been retransmitting data that was never acknowledged ({} in this stall, {} \
             on the connection): the RST ended a connection that had already failed — the \
             receiver was gone or the path dropped the data (or the acknowledgements). The \
             retransmissions finding of this stream has the timings. Check the path between the \
             two (interface errors, a firewall dropping the flow mid-way, a route change) and \
             whether {} was still up.",
            capitalize(&role(index, flows, conn, stalled)),
            text::count(
                u64::from(sides[stalled].stall_retransmissions),
                "retransmission",
                "retransmissions"
            ),
            text::count(
                u64::from(sides[stalled].retransmissions),
                "retransmission",
                "retransmissions"
            ),
            text::address(index, conn.endpoint(flows, 1 - stalled).0),
        ),
        Cause::ZeroWindow { closed } => format!(
            "{} had advertised a zero window that never reopened: its application stopped \
             reading, the transfer stood still, and the connection was finally torn down. Look \
             at the application on {} (hung, blocked on disk or a downstream service).",
            capitalize(&role(index, flows, conn, closed)),
            text::address(index, conn.endpoint(flows, closed).0)
        ),
        Cause::SynAckStorm { synacks } => format!(
            "The server sent its SYN-ACK {synacks} times: it never saw the client's ACK, so from \
             its side the handshake never completed even though the client went on. Something \
             between the two dropped the client's ACK (or the server rejected it): take a trace \
             on the server side at the same time, and check firewalls that validate TCP state."
        ),
        Cause::Injected { .. } => format!(
            "A host's packets keep the same TTL on one path; a RST whose TTL is different \
             travelled a different distance, so it was most likely forged by a device in between \
             — an IPS, a firewall enforcing a policy or timeout, a censoring middlebox — rather \
             than sent by {by_host}. Check the logs of firewalls and intrusion-prevention systems \
             on the path for this connection, and a trace taken at {by_host} to confirm it never \
             sent the RST."
        ),
        Cause::Idle { ns } => format!(
            "Nothing had crossed the connection for {} before that, and something was left \
             unfinished (data unacknowledged, or a request unanswered): a RST after such a \
             silence is typically an idle timeout — of the server or client application, or of a \
             firewall, NAT or load balancer that dropped the session and answers the next packet \
             with a RST. Compare the silence with the idle timeouts configured on those devices, \
             or have the application send keep-alives more often than that.",
            duration(ns)
        ),
        Cause::Unanswered if by == conn.client_dir => {
            format!(
            "The server had acknowledged the client's last request ({} in frame {}) but sent no \
             answer, and the client gave up: an application timeout on the client side. See \
             why the server did not answer (its logs; a slow_response finding if it answered \
             others late).",
            text::count(sides[by].data_bytes, "byte sent", "bytes sent"),
            sides[by].last_data.map_or("?".into(), |f| frame_no(f).to_string())
        )
        }
        Cause::Unanswered => format!(
            "The server acknowledged the client's last data (frame {}) and then reset the \
             connection instead of answering: its application rejected the request — a protocol \
             it does not speak on this port, a request it refuses, or a crash. Check the server \
             application's log for this time and that the client talks the right protocol to \
             port {}.",
            sides[1 - by]
                .last_data
                .map_or("?".into(), |f| frame_no(f).to_string()),
            conn.endpoint(flows, 1 - conn.client_dir.min(1)).1
        ),
        Cause::Outstanding { dir } if dir == by => {
            let last = sides[by].last_data;
            format!(
                "{} sent data{} and reset the connection {} later without waiting for it to be \
                 acknowledged: its application closed abortively right after writing — \
                 typically an error reply followed by an abortive close (a server rejecting a \
                 request it does not understand or refuses), or a crash — and the other side \
                 may never get to read that data. Check the application log of {by_host} for \
                 this time.",
                capitalize(&role(index, flows, conn, by)),
                last.map_or(String::new(), |f| format!(" (frame {})", frame_no(f))),
                last.and_then(|f| text::between(index, f, reset.frame))
                    .map_or("shortly".into(), duration),
            )
        }
        Cause::Outstanding { dir } => format!(
            "{} had sent data{} that {by_host} had not acknowledged when it reset the \
             connection: {by_host}'s application aborted the connection with that data unread \
             (closed the socket without reading it, crashed, or timed out), and the data was \
             lost. Check the application log of {by_host} for this time.",
            capitalize(&role(index, flows, conn, dir)),
            sides[dir].last_data.map_or(String::new(), |f| format!(
                " (last in frame {})",
                frame_no(f)
            )),
        ),
        Cause::AfterFin { .. } | Cause::Completed | Cause::IdleClose { .. } => String::new(),
    };
    if let (Some(usual), Cause::Idle { .. } | Cause::Unanswered | Cause::Outstanding { .. }) =
        (sides[by].ttl, cause)
    {
        if rst.ttl == usual && rst.is_ip() && usual > 0 {
            explanation += &format!(
                " The RST has the same TTL ({usual}) as {by_host}'s other packets, so it most \
                 likely came from {by_host} itself."
            );
        }
    }

    // An earlier RST (answering the SYN, say) that the connection ignored, in someone's name.
    if let Some(early) = conn.early_rst {
        let e = text::record(index, early);
        let dir = usize::from((e.src, e.src_port) != conn.endpoint(flows, 0));
        if let Some(usual) = conn.sides[dir].ttl.filter(|&t| e.is_ip() && t != e.ttl) {
            explanation += &format!(
                " Earlier, frame {} — a RST in {}'s name with TTL {}, while its own packets have \
                 TTL {usual} — came before the connection was even established, and the \
                 connection went on regardless: that RST was forged by a device in between, so \
                 check the path for a device injecting resets (an IPS, a censoring middlebox).",
                frame_no(early),
                text::address(index, conn.endpoint(flows, dir).0),
                e.ttl
            );
        }
    }
    let mut frames = vec![reset.frame];
    frames.extend(conn.early_rst);
    frames.extend(reset.previous);
    frames.extend(conn.established);
    for side in sides {
        frames.extend(side.last_data);
    }
    if let Cause::GaveUp { stalled } = cause {
        frames.extend(
            conn.sides[stalled]
                .retransmission_frames
                .iter()
                .copied()
                .filter(|&f| f < reset.frame),
        );
    }
    if let Cause::ZeroWindow { closed } = cause {
        frames.extend(
            conn.sides[closed]
                .zero_window_frames
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
    let details = Details::new()
        .with("reset_by", by_text.clone())
        .with("peer", peer_text)
        .with(
            "reset_by_role",
            if by == conn.client_dir {
                "client"
            } else {
                "server"
            },
        )
        .with("reset_frame", frame_no(reset.frame))
        .with("cause", cause.as_str())
        .with("established_frame", conn.established.map(frame_no))
        .with("after_s", age.map(text::seconds))
        .with("idle_before_s", idle.map(text::seconds))
        .with(
            "silence_s",
            match cause {
                Cause::Idle { ns } | Cause::IdleClose { ns } => Some(text::seconds(ns)),
                _ => None,
            },
        )
        .with("early_rst_frame", conn.early_rst.map(frame_no))
        .with("bytes_from_reset_sender", sides[by].data_bytes)
        .with("bytes_from_peer", sides[1 - by].data_bytes)
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
        .with("usual_ttl", sides[by].ttl);
    Finding::new(Kind::Reset, cause.severity(), verdict, explanation)
        .evidence(frames)
        .stream(stream)
        .filter(filter)
        .details(details)
}

/// Resets after a FIN or after a completed exchange: one note.
fn benign_note(
    index: &PacketIndex,
    flows: &Flows,
    benign: &[(&Conn, &ResetAt, Cause)],
) -> Option<Finding> {
    let (first_conn, first_reset, _) = benign.first()?;
    let n = benign.len() as u64;
    let after_fin = benign
        .iter()
        .filter(|(_, _, c)| matches!(c, Cause::AfterFin { .. }))
        .count();
    let idle = benign
        .iter()
        .filter(|(_, _, c)| matches!(c, Cause::IdleClose { .. }))
        .count();
    let verdict = if n == 1 {
        format!(
            "{} closed its connection with {} with a reset after the exchange had {}: the way \
             many applications close, not a fault.",
            endpoint(index, first_conn.endpoint(flows, first_reset.by_dir.min(1))),
            endpoint(
                index,
                first_conn.endpoint(flows, 1 - first_reset.by_dir.min(1))
            ),
            if after_fin == 1 {
                "ended with a FIN"
            } else if idle == 1 {
                "completed and the connection had been idle"
            } else {
                "completed"
            }
        )
    } else {
        let mut how = Vec::new();
        if after_fin > 0 {
            how.push(format!("{after_fin} after a FIN"));
        }
        if idle > 0 {
            how.push(format!("{idle} after being idle"));
        }
        let how = if how.is_empty() {
            String::new()
        } else {
            format!(" ({})", text::join_and(&how))
        };
        format!(
            "{n} connections were closed with a reset after their exchange had completed{how}: \
             the way many applications close, not a fault."
        )
    };
    let explanation = "When the RST came, nothing was left unacknowledged and no request was \
                       left unanswered. Applications that close a socket with SO_LINGER 0 (SMB \
                       and LDAP clients on Windows, many browsers, load-balancer health checks) \
                       end the connection with a RST instead of a FIN exchange, often to drop a \
                       connection that had sat idle; a RST right after a FIN means data arrived \
                       after one side had closed. Look closer only if the application itself \
                       reports errors for these connections."
        .to_string();
    let mut streams: Vec<u32> = benign
        .iter()
        .filter_map(|(c, _, _)| c.number(flows))
        .collect();
    streams.sort_unstable();
    let list: Vec<String> = streams.iter().map(u32::to_string).collect();
    let filter = match list.as_slice() {
        [one] => format!("tcp.stream == {one} && tcp.flags.reset == 1"),
        many => format!(
            "tcp.stream in {{{}}} && tcp.flags.reset == 1",
            many.join(" ")
        ),
    };
    Some(
        Finding::new(Kind::Reset, Severity::Note, verdict, explanation)
            .evidence(benign.iter().map(|(_, r, _)| r.frame))
            .stream(match streams.as_slice() {
                [one] => Some(*one),
                _ => None,
            })
            .filter(filter)
            .details(
                Details::new()
                    .with("issue", "closing_resets")
                    .with("connections", n)
                    .with("after_fin", after_fin)
                    .with("after_idle", idle)
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
