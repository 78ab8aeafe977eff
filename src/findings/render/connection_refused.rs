//! The sentences of the `connection_refused` findings: who refused, with a RST (and whether its
//! TTL is the server's) or an ICMP destination unreachable (and its reason), what to check, and
//! the summary of paths past the listing limit.

use crate::findings::connection_refused::{Answer, RefusedFacts};
use crate::findings::text::{self, duration, frame_no};

/// What an ICMP destination unreachable code means.
pub(crate) fn icmp_reason(v6: bool, code: u16) -> &'static str {
    if v6 {
        match code {
            0 => "no route to destination",
            1 => "communication administratively prohibited",
            3 => "address unreachable",
            4 => "port unreachable",
            5 => "source address failed ingress/egress policy",
            6 => "reject route to destination",
            _ => "destination unreachable",
        }
    } else {
        match code {
            0 => "network unreachable",
            1 => "host unreachable",
            2 => "protocol unreachable",
            3 => "port unreachable",
            4 => "fragmentation needed",
            9 | 10 | 13 => "communication administratively prohibited",
            _ => "destination unreachable",
        }
    }
}

fn later(f: &RefusedFacts) -> String {
    f.delay_ns
        .map_or(String::new(), |ns| format!(" {} later", duration(ns)))
}

fn rst_flags(has_ack: bool) -> &'static str {
    if has_ack {
        "RST, ACK"
    } else {
        "RST"
    }
}

/// The verdict: who refused whom, how.
pub(crate) fn verdict(f: &RefusedFacts) -> String {
    let who = f.path.who();
    let attempts = text::count(f.path.attempts, "connection attempt", "connection attempts");
    let server = &f.path.server;
    match &f.answer {
        Answer::Icmp {
            router, v6, code, ..
        } => format!(
            "{who} → {server}: {attempts} rejected with ICMP destination unreachable \
             ({}) from {router}.",
            icmp_reason(*v6, *code)
        ),
        Answer::Rst { has_ack, .. } => format!(
            "{server} refused {attempts} from {who}: the SYN was answered by {}{}.",
            rst_flags(*has_ack),
            later(f)
        ),
    }
}

/// The explanation: the answer, who sent it, and what to check.
pub(crate) fn explanation(f: &RefusedFacts) -> String {
    let (server_host, port) = (&f.path.server.host, f.path.port);
    let mut explanation = match &f.answer {
        Answer::Icmp {
            router,
            from_server,
            v6,
            code,
        } => {
            format!(
                "The SYN (frame {}) was answered{} by an ICMP destination unreachable \
             (frame {}, {}) sent by {router}. {}",
                frame_no(f.first_syn),
                later(f),
                frame_no(f.answer_frame),
                icmp_reason(*v6, *code),
                if *from_server {
                    format!("It came from {server_host} itself: it is reachable but refuses port {port}. ")
                } else {
                    format!("It came from {router}, not from {server_host}: a router or firewall on the path rejects the connection. ")
                }
            )
        }
        Answer::Rst {
            has_ack,
            ttl,
            usual_ttl,
        } => {
            let mut explanation = format!(
                "The SYN (frame {}) was answered by {} (frame {}){}. A RST in answer to a SYN \
                 means nothing accepts connections on port {port} at {server_host}: the service is not \
                 running, listens on another address or port, or a firewall or load balancer in front \
                 of it rejects the connection actively. ",
                frame_no(f.first_syn),
                rst_flags(*has_ack),
                frame_no(f.answer_frame),
                later(f),
            );
            match usual_ttl {
                Some(usual) if usual == ttl => {
                    explanation += &format!(
                        "The RST has the same TTL ({usual}) as {server_host}'s other packets, so it \
                         most likely came from the server itself. "
                    );
                }
                Some(usual) => {
                    explanation += &format!(
                        "The RST's TTL ({ttl}) differs from that of {server_host}'s other packets \
                         ({usual}): a device in between probably answered in its name. "
                    );
                }
                None => {}
            }
            explanation
        }
    };
    explanation += &format!(
        "Check that the service runs and listens on port {port} on that address (netstat -ano, \
         ss -ltn), and the firewall rules for port {port} between the two."
    );
    explanation
}

/// The summary of the paths past the listing limit: verdict and explanation.
pub(crate) fn more(paths: usize, attempts: u64) -> (String, String) {
    (
        format!(
            "{paths} more client → server:port paths were refused ({}).",
            text::count(attempts, "attempt", "attempts")
        ),
        "Too many refused paths to list one by one; their SYNs and the answers refusing them \
         are the evidence frames. Many \
         refusals across ports of one host usually mean a port scan, or a client trying \
         a list of services."
            .into(),
    )
}
