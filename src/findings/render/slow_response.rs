//! The sentences of the `slow_response` findings: per slow server, how long it took, where the
//! time went (server application, the path or the server's stack, or undetermined) and what to
//! look at; the summary of servers past the listing limit; and the request labels.

use crate::findings::slow_response::{Blame, Request, SlowFacts};
use crate::findings::text::{self, duration, frame_no};

/// A short label for the request: `GET /path`, `TLS ClientHello for name`.
pub(crate) fn label(request: &Request<'_>) -> String {
    match request {
        Request::Http { method, uri } => text::clean(&format!("{method} {uri}"), 80),
        Request::TlsHello { server_name } => match server_name {
            Some(name) => format!("TLS ClientHello for {}", text::clean(name, 80)),
            None => "TLS ClientHello".into(),
        },
    }
}

fn round_trip(rtt_ns: Option<i64>) -> String {
    rtt_ns.map_or(String::new(), |r| format!(" (round trip {})", duration(r)))
}

/// The verdict for one server.
pub(crate) fn verdict(f: &SlowFacts<'_>) -> String {
    let lead = f.lead;
    let (server, client_host) = (&f.server, &f.client.host);
    let think = duration(lead.turn.think_ns);
    let what = f
        .label
        .as_ref()
        .map_or_else(|| "request".to_string(), |l| format!("request ({l})"));
    match (lead.blame(), lead.ack_ns) {
        (Blame::ServerApplication, Some(ack)) => format!(
            "{server} took {think} to answer {client_host}'s {what}: it acknowledged the \
             request after {}, so the delay is in the server application, not the network.",
            duration(ack)
        ),
        (Blame::PathOrServerStack, Some(ack)) => format!(
            "{server} took {think} to answer {client_host}'s {what}, and even its \
             acknowledgement took {}{}: the request was slow to reach the server's TCP stack.",
            duration(ack),
            round_trip(lead.rtt_ns)
        ),
        _ => format!(
            "{server} took {think} to answer {client_host}'s {what}{}.",
            round_trip(lead.rtt_ns)
        ),
    }
}

/// The explanation for one server: the frames and times, where the time went, the server's
/// other connections, and what to check.
pub(crate) fn explanation(f: &SlowFacts<'_>) -> String {
    let t = &f.lead.turn;
    let one = t.request_first == t.request_last;
    let mut explanation = format!(
        "The client {} sent its request ({}, frame{} {}) and the server's first response \
         data came in frame {}, {} after the request's last segment. ",
        f.client,
        text::count(u64::from(t.request_bytes), "byte", "bytes"),
        if one { "" } else { "s" },
        if one {
            frame_no(t.request_first).to_string()
        } else {
            format!("{}–{}", frame_no(t.request_first), frame_no(t.request_last))
        },
        frame_no(t.response),
        duration(t.think_ns),
    );
    match f.lead.rtt_ns {
        Some(rtt) => {
            explanation += &format!(
                "The handshake shows a network round trip of {}. ",
                duration(rtt)
            )
        }
        None => {
            explanation += "The handshake is not in the capture, so the round trip is unknown. "
        }
    }
    explanation += &where_the_time_went(f);
    if t.request_retransmitted {
        explanation += "Part of the request had to be retransmitted, so loss on the path added \
                        to the wait. ";
    }
    if f.measured > 1 {
        explanation += &format!(
            "{} of the {} connections to {} measured here waited {} or longer{}. ",
            f.slow,
            f.measured,
            f.server,
            duration(f.threshold_ns),
            f.median_ns.map_or(String::new(), |m| format!(
                " (the slowest response of each connection: median {})",
                duration(m)
            ))
        );
    }
    explanation += &format!(
        "A trace taken at one point cannot tell whether {} itself waited or a device \
         in between (a web proxy, a load balancer) held the response: take a trace on the server \
         at the same time and compare. Then look at what the server did for that request — its \
         application log and request timings, CPU and memory, and what it waits on (a database, \
         DNS lookups, authentication, a backend service).",
        f.server.host
    );
    explanation
}

/// What the server's acknowledgement of the request tells about the delay.
fn where_the_time_went(f: &SlowFacts<'_>) -> String {
    let lead = f.lead;
    let t = &lead.turn;
    match (lead.blame(), t.ack, lead.ack_ns) {
        (Blame::ServerApplication, Some(ack), Some(ack_ns)) => format!(
            "The server's TCP stack acknowledged the whole request after {} (frame {}){}, \
             then its first data came {} later: the server had the request and its \
             application (or a proxy or load balancer answering for it) took the time, \
             not the network. ",
            duration(ack_ns),
            frame_no(ack),
            if lead.rtt_ns.is_some() {
                " — about one round trip"
            } else {
                ""
            },
            duration(t.think_ns.saturating_sub(ack_ns)),
        ),
        (Blame::PathOrServerStack, Some(ack), Some(ack_ns)) => format!(
            "Even the server's acknowledgement of the request took {} (frame {}), far more \
             than a round trip plus the usual delayed-ACK wait: the request reached the \
             server's TCP stack late — lost and retransmitted on the path, or the server was \
             too busy to run its TCP stack (CPU, memory, interrupt load). ",
            duration(ack_ns),
            frame_no(ack),
        ),
        _ => {
            let mut out = "No acknowledgement came before the response itself, so the capture \
                           cannot split the time between network and server"
                .to_string();
            out += &match lead.rtt_ns {
                Some(rtt) if t.think_ns > rtt => format!(
                    ": at most one round trip ({}) is network, the other {} were spent beyond \
                     it — in the server or a device answering for it. ",
                    duration(rtt),
                    duration(t.think_ns - rtt)
                ),
                _ => ". ".into(),
            };
            out
        }
    }
}

/// The summary of the servers past the listing limit: verdict and explanation.
pub(crate) fn more(servers: usize, threshold_ns: i64, slow: usize) -> (String, String) {
    (
        format!(
            "{servers} more servers took {} or longer to answer ({}).",
            duration(threshold_ns),
            text::count(slow as u64, "slow response", "slow responses")
        ),
        "Too many slow servers to list one by one. When many servers answer slowly at \
         once, suspect what they share: the client's own proxy, a DNS or authentication \
         dependency, or the capture point's uplink."
            .into(),
    )
}
