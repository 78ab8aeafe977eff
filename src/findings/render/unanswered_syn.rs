//! The sentences of the `unanswered_syn` findings: per client → server:port, the attempts and
//! their retransmission timings, what one side of a trace can and cannot tell (or the link to a
//! per-source limit), and the summary of paths past the listing limit.

use crate::findings::text::{self, duration, frame_no};
use crate::findings::unanswered_syn::{Tried, UnansweredFacts};

/// The verdict: who tried what, how often.
pub(crate) fn verdict(f: &UnansweredFacts) -> String {
    let over = match f.span_ns {
        Some(ns) if ns > 0 => format!(" over {}", duration(ns)),
        _ => String::new(),
    };
    format!(
        "{} → {}: {} got no answer in this trace ({}{over}).",
        f.path.who(),
        f.path.server,
        text::count(f.path.attempts, "connection attempt", "connection attempts"),
        text::count(f.syns, "SYN", "SYNs"),
    )
}

/// The explanation: the SYNs sent, then what it means.
pub(crate) fn explanation(f: &UnansweredFacts) -> String {
    let mut explanation = match f.tried.as_slice() {
        [a] if f.path.attempts == 1 => one_attempt(a),
        _ => several_attempts(f),
    };
    let (who, server, port) = (f.path.who(), &f.path.server, f.path.port);
    if f.explained_by_limit {
        explanation += &format!(
            "These attempts belong to the burst from {who} that the finding on many connections \
             from one source describes: {server} answered other attempts from {who} at the same \
             time, so it was up and reachable, and ignored these SYNs — a per-source connection \
             limit, not a server that is down."
        );
    } else {
        explanation += &format!(
            "From a trace taken at one point you cannot tell whether {} received the \
             SYNs, answered and the answer was lost on the way back, or never got them: a \
             firewall silently dropping port {port}, a server that is down or not listening \
             behind such a firewall, a routing problem or a wrong address all look the same \
             here. Take a trace on the server (or on the far side of the firewall) at the same \
             time, check the firewalls' logs for drops towards {server}, and check that \
             something listens on port {port} there.",
            f.path.server.host
        );
    }
    explanation
}

fn one_attempt(a: &Tried) -> String {
    let mut explanation = format!("The client sent a SYN (frame {})", frame_no(a.first_syn));
    if a.retransmitted > 0 {
        explanation += &format!(
            " and retransmitted it {}",
            text::count(a.retransmitted, "time", "times")
        );
        if !a.offsets_ns.is_empty() {
            let list: Vec<String> = a.offsets_ns.iter().map(|&ns| duration(ns)).collect();
            explanation += &format!(" (after {})", text::join_and(&list));
        }
    }
    explanation += ", but no SYN-ACK, RST or ICMP error came back";
    if let Some(rst) = a.rst {
        explanation += &format!(
            "; the client gave up and reset the attempt (frame {})",
            frame_no(rst)
        );
    }
    explanation + ". "
}

fn several_attempts(f: &UnansweredFacts) -> String {
    let described: Vec<String> = f
        .tried
        .iter()
        .map(|a| {
            let offs: Vec<String> = a.offsets_ns.iter().map(|&ns| duration(ns)).collect();
            let timing = if offs.is_empty() {
                "no retransmission".to_string()
            } else {
                format!("retransmitted after {}", text::join_and(&offs))
            };
            let from = if f.path.client.is_some() {
                String::new()
            } else {
                format!("{} ", a.client)
            };
            format!(
                "{from}from port {} (frame {}, {timing})",
                a.port,
                frame_no(a.first_syn)
            )
        })
        .collect();
    let more = if f.path.attempts > 3 {
        format!(", and {} more", f.path.attempts - 3)
    } else {
        String::new()
    };
    format!(
        "No SYN-ACK, RST or ICMP error came back for any of them: {}{more}. ",
        described.join("; ")
    )
}

/// The summary of the paths past the listing limit: verdict and explanation.
pub(crate) fn more(paths: usize, attempts: u64) -> (String, String) {
    (
        format!(
            "{paths} more client → server:port paths had unanswered connection attempts ({}).",
            text::count(attempts, "attempt", "attempts")
        ),
        "There are too many paths with unanswered SYNs to list one by one; their \
         SYNs are the evidence frames, and the filter shows every SYN of the \
         capture. When most attempts towards many servers fail, suspect the \
         capture point or a firewall near the clients."
            .to_string(),
    )
}
