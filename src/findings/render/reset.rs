//! The sentences of the `reset` findings: one per reset connection (its cause told in words),
//! the summary of the resets past the listing limit, and the note on closing resets.

use crate::findings::reset::{Cause, ClosingFacts, ResetFacts};
use crate::findings::text::{self, capitalize, duration, frame_no};

/// `the client 10.0.0.1:50000` / `the server 10.0.0.2:80`.
fn role(f: &ResetFacts<'_>, dir: usize) -> String {
    let who = &f.endpoints[dir];
    if dir == f.client_dir {
        format!("the client {who}")
    } else {
        format!("the server {who}")
    }
}

/// ` for 2.00 s` (or nothing when the time is unknown).
fn for_duration(ns: Option<i64>) -> String {
    ns.map_or(String::new(), |ns| format!(" for {}", duration(ns)))
}

/// The verdict of one reset connection.
pub(crate) fn verdict(f: &ResetFacts<'_>) -> String {
    let by = f.by;
    let sides = &f.reset.sides;
    let by_text = &f.endpoints[by];
    let peer_text = &f.endpoints[1 - by];
    let by_host = &f.hosts[by];
    let after_text = f.age_ns.map_or(String::new(), |ns| {
        format!(" {} after it was opened", duration(ns))
    });
    match f.cause {
        Cause::GaveUp { stalled } if stalled == by => {
            format!(
            "{by_text} reset its connection with {peer_text}{after_text}, after retransmitting \
             data {} without an acknowledgement{}: it gave up.",
            text::count(u64::from(sides[by].stall_retransmissions()), "time", "times"),
            for_duration(f.stall_ns[by])
        )
        }
        Cause::GaveUp { stalled } => format!(
            "{by_text} reset its connection with {peer_text}{after_text} while {peer_text} was \
             retransmitting data to it ({} unacknowledged{}).",
            text::count(
                u64::from(sides[stalled].stall_retransmissions()),
                "retransmission",
                "retransmissions"
            ),
            for_duration(f.stall_ns[stalled])
        ),
        Cause::ZeroWindow { closed } => format!(
            "{by_text} reset its connection with {peer_text}{after_text}, after {}'s zero window \
             had stalled it for {}.",
            f.endpoints[closed],
            f.zero_window_ns[closed].map_or("a while".into(), duration)
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
        Cause::Unanswered if by == f.client_dir => format!(
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
    }
}

/// The explanation of one reset connection: what was sent before it, then its cause.
pub(crate) fn explanation(f: &ResetFacts<'_>) -> String {
    let by = f.by;
    let sides = &f.reset.sides;
    let by_host = &f.hosts[by];
    let flags = if f.rst_has_ack { "RST, ACK" } else { "RST" };
    let mut explanation = format!(
        "{} sent {flags} in frame {}",
        capitalize(&role(f, by)),
        frame_no(f.reset.frame)
    );
    if let Some(established) = f.established {
        explanation += &format!(
            "; the connection had been established in frame {}",
            frame_no(established)
        );
    }
    let carried: Vec<String> = (0..2)
        .map(|d| {
            format!(
                "{} sent {}",
                role(f, d),
                text::count(sides[d].data.bytes, "byte", "bytes")
            )
        })
        .collect();
    explanation += &format!("; before it, {}. ", text::join_and(&carried));
    if let Some(ns) = f.idle_ns {
        if let Some(p) = f.reset.preceding.previous {
            explanation += &format!(
                "The frame before the RST (frame {}) came {} earlier. ",
                frame_no(p),
                duration(ns)
            );
        }
    }
    explanation += &cause_text(f);
    if let (Some(usual), Cause::Idle { .. } | Cause::Unanswered | Cause::Outstanding { .. }) =
        (f.same_ttl, f.cause)
    {
        explanation += &format!(
            " The RST has the same TTL ({usual}) as {by_host}'s other packets, so it most \
             likely came from {by_host} itself."
        );
    }
    if let Some(early) = &f.forged_early {
        explanation += &format!(
            " Earlier, frame {} — a RST in {}'s name with TTL {}, while its own packets have \
             TTL {} — came before the connection was even established, and the \
             connection went on regardless: that RST was forged by a device in between, so \
             check the path for a device injecting resets (an IPS, a censoring middlebox).",
            frame_no(early.frame),
            early.host,
            early.ttl,
            early.usual,
        );
    }
    explanation
}

/// What the cause of a reset means and what to check (empty for closing resets).
fn cause_text(f: &ResetFacts<'_>) -> String {
    let by = f.by;
    let sides = &f.reset.sides;
    let by_host = &f.hosts[by];
    match f.cause {
        Cause::GaveUp { stalled } => format!(
            "{} had been retransmitting data that was never acknowledged ({} in this stall, {} \
             on the connection): the RST ended a connection that had already failed — the \
             receiver was gone or the path dropped the data (or the acknowledgements). The \
             retransmissions finding of this stream has the timings. Check the path between the \
             two (interface errors, a firewall dropping the flow mid-way, a route change) and \
             whether {} was still up.",
            capitalize(&role(f, stalled)),
            text::count(
                u64::from(sides[stalled].stall_retransmissions()),
                "retransmission",
                "retransmissions"
            ),
            text::count(
                u64::from(sides[stalled].retransmissions),
                "retransmission",
                "retransmissions"
            ),
            f.hosts[1 - stalled],
        ),
        Cause::ZeroWindow { closed } => format!(
            "{} had advertised a zero window that never reopened: its application stopped \
             reading, the transfer stood still, and the connection was finally torn down. Look \
             at the application on {} (hung, blocked on disk or a downstream service).",
            capitalize(&role(f, closed)),
            f.hosts[closed]
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
        Cause::Unanswered | Cause::Outstanding { .. } => application_text(f),
        Cause::AfterFin { .. } | Cause::Completed | Cause::IdleClose { .. } => String::new(),
    }
}

/// What a reset by an application (a request unanswered, data left unacknowledged) means.
fn application_text(f: &ResetFacts<'_>) -> String {
    let by = f.by;
    let sides = &f.reset.sides;
    let by_host = &f.hosts[by];
    match f.cause {
        Cause::Unanswered if by == f.client_dir => format!(
            "The server had acknowledged the client's last request ({} in frame {}) but sent no \
             answer, and the client gave up: an application timeout on the client side. See \
             why the server did not answer (its logs; a slow_response finding if it answered \
             others late).",
            text::count(sides[by].data.bytes, "byte sent", "bytes sent"),
            sides[by]
                .data
                .last
                .map_or("?".into(), |f| frame_no(f).to_string())
        ),
        Cause::Unanswered => format!(
            "The server acknowledged the client's last data (frame {}) and then reset the \
             connection instead of answering: its application rejected the request — a protocol \
             it does not speak on this port, a request it refuses, or a crash. Check the server \
             application's log for this time and that the client talks the right protocol to \
             port {}.",
            sides[1 - by]
                .data
                .last
                .map_or("?".into(), |f| frame_no(f).to_string()),
            f.server_port
        ),
        Cause::Outstanding { dir } if dir == by => format!(
            "{} sent data{} and reset the connection {} later without waiting for it to be \
             acknowledged: its application closed abortively right after writing — \
             typically an error reply followed by an abortive close (a server rejecting a \
             request it does not understand or refuses), or a crash — and the other side \
             may never get to read that data. Check the application log of {by_host} for \
             this time.",
            capitalize(&role(f, by)),
            sides[by]
                .data
                .last
                .map_or(String::new(), |f| format!(" (frame {})", frame_no(f))),
            f.since_last_data.map_or("shortly".into(), duration),
        ),
        Cause::Outstanding { dir } => format!(
            "{} had sent data{} that {by_host} had not acknowledged when it reset the \
             connection: {by_host}'s application aborted the connection with that data unread \
             (closed the socket without reading it, crashed, or timed out), and the data was \
             lost. Check the application log of {by_host} for this time.",
            capitalize(&role(f, dir)),
            sides[dir].data.last.map_or(String::new(), |f| format!(
                " (last in frame {})",
                frame_no(f)
            )),
        ),
        _ => String::new(),
    }
}

/// The summary of the resets past the listing limit: verdict and explanation.
pub(crate) fn more(count: usize) -> (String, String) {
    (
        format!("{count} more established connections were reset."),
        "Too many resets to list one by one; the filter shows every RST. Many \
         connections reset at once point at something they share: a server restarting, \
         a firewall or load balancer dropping its session table, or a client aborting \
         everything at once."
            .into(),
    )
}

/// The note on resets that closed completed exchanges: verdict and explanation.
pub(crate) fn closing(f: &ClosingFacts) -> (String, String) {
    let (n, after_fin, idle) = (f.connections, f.after_fin, f.after_idle);
    let verdict = if n == 1 {
        format!(
            "{} closed its connection with {} with a reset after the exchange had {}: the way \
             many applications close, not a fault.",
            f.first_by,
            f.first_peer,
            if after_fin == 1 {
                "ended with a FIN"
            } else if idle == 1 {
                "completed and the connection had been idle"
            } else {
                "completed"
            }
        )
    } else {
        let how = text::nonzero_counts(&[
            (after_fin as u64, "after a FIN"),
            (idle as u64, "after being idle"),
        ]);
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
    (verdict, explanation)
}
