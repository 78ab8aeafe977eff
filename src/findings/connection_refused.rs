//! `connection_refused`: a SYN answered by a RST from the server (nothing listens there, or a
//! device in front of it rejects actively), or by an ICMP destination unreachable. Grouped by
//! client → server:port like `unanswered_syn`; the RST's TTL is compared with the TTL of the
//! server's other packets, which tells whether the server itself or a device in between answered.
//!
//! A RST sent by the client itself before any answer (an attempt it aborted) is not a refusal.

use super::text::{self, address, duration, endpoint, frame_no, record};
use super::{Details, Finding, Kind, Severity};
use crate::capture::FileInfo;
use crate::connections::attempts::{group_by_path, Attempts, Outcome, PathGroup};
use crate::flows::Flows;
use crate::index::PacketIndex;
use std::collections::HashMap;

/// At most this many findings; the groups beyond are summarised in the last one.
pub const MAX_GROUPS: usize = 50;

pub fn detect(index: &PacketIndex, flows: &Flows, _files: &[FileInfo]) -> Vec<Finding> {
    from_attempts(index, flows, &Attempts::collect(index, flows))
}

pub fn from_attempts(index: &PacketIndex, flows: &Flows, attempts: &Attempts) -> Vec<Finding> {
    let with = |wanted: Outcome| {
        attempts
            .with_outcomes(index)
            .filter(move |(_, o)| *o == wanted)
            .map(|(a, _)| a)
    };
    let mut groups: Vec<(PathGroup<'_>, Outcome)> = group_by_path(with(Outcome::Refused))
        .into_iter()
        .map(|g| (g, Outcome::Refused))
        .collect();
    groups.extend(
        group_by_path(with(Outcome::Unreachable))
            .into_iter()
            .map(|g| (g, Outcome::Unreachable)),
    );
    groups.sort_by_key(|(g, _)| g.first_frame());
    let ttls = usual_ttls(index, groups.iter().map(|(g, _)| g.server.0));
    let keep = if groups.len() > MAX_GROUPS {
        MAX_GROUPS - 1
    } else {
        MAX_GROUPS
    };
    let mut findings: Vec<Finding> = groups
        .iter()
        .take(keep)
        .map(|(g, outcome)| finding(index, flows, g, *outcome, &ttls))
        .collect();
    if groups.len() > MAX_GROUPS {
        let rest = &groups[keep..];
        let attempts: u64 = rest.iter().map(|(g, _)| g.attempts.len() as u64).sum();
        findings.push(
            Finding::new(
                Kind::ConnectionRefused,
                Severity::Warning,
                format!(
                    "{} more client → server:port paths were refused ({}).",
                    rest.len(),
                    text::count(attempts, "attempt", "attempts")
                ),
                "Too many refused paths to list one by one; their SYNs and the answers refusing them \
                 are the evidence frames. Many \
                 refusals across ports of one host usually mean a port scan, or a client trying \
                 a list of services."
                    .into(),
            )
            .evidence(rest.iter().flat_map(|(g, _)| {
                g.attempts.iter().flat_map(|a| {
                    let answer = a.rst.or(a.unreachable);
                    a.syns.iter().copied().chain(answer)
                })
            }))
            .filter("(tcp.flags.syn == 1 && tcp.flags.ack == 0) || tcp.flags.reset == 1 || icmp || icmpv6")
            .details(
                Details::new()
                    .with("paths", rest.len())
                    .with("attempts", attempts),
            ),
        );
    }
    findings
}

/// The TTL of the first packet each server address sent that is not a RST.
fn usual_ttls(index: &PacketIndex, servers: impl Iterator<Item = u32>) -> HashMap<u32, u8> {
    let mut wanted: HashMap<u32, Option<u8>> = servers.map(|s| (s, None)).collect();
    let mut missing = wanted.len();
    for r in &index.records {
        if missing == 0 {
            break;
        }
        if r.is_tcp() && r.tcp_flags & crate::connections::attempts::RST != 0 {
            continue;
        }
        if let Some(slot) = wanted.get_mut(&r.src) {
            if slot.is_none() && r.is_ip() {
                *slot = Some(r.ttl);
                missing -= 1;
            }
        }
    }
    wanted
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
}

fn icmp_reason(r: &crate::index::PacketRecord) -> &'static str {
    let code = r.dst_port;
    if r.is_icmpv6() {
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

fn finding(
    index: &PacketIndex,
    flows: &Flows,
    g: &PathGroup<'_>,
    outcome: Outcome,
    ttls: &HashMap<u32, u8>,
) -> Finding {
    let server = endpoint(index, g.server);
    let server_host = address(index, g.server.0);
    let port = g.server.1;
    let n = g.attempts.len() as u64;
    let who = if g.clients.len() == 1 {
        address(index, g.clients[0])
    } else {
        format!("{} clients", g.clients.len())
    };
    let answer_of = |a: &crate::connections::attempts::Attempt| match outcome {
        Outcome::Unreachable => a.unreachable,
        _ => a.rst,
    };
    let first = g.attempts[0];
    let answer = answer_of(first).unwrap_or(first.first_syn());
    let answer_r = record(index, answer);
    let delay = text::between(index, *first.syns.last().unwrap_or(&answer), answer);
    let later = delay.map_or(String::new(), |ns| format!(" {} later", duration(ns)));
    let attempts_text = text::count(n, "connection attempt", "connection attempts");
    let mut details = Details::new()
        .with(
            "clients",
            g.clients
                .iter()
                .take(20)
                .map(|&c| address(index, c))
                .collect::<Vec<String>>(),
        )
        .with("client_count", g.clients.len())
        .with("server", server.clone())
        .with("port", port)
        .with("attempts", n)
        .with(
            "answer",
            if outcome == Outcome::Unreachable {
                "icmp_unreachable"
            } else {
                "rst"
            },
        )
        .with("first_syn_frame", frame_no(first.first_syn()))
        .with("answer_frame", frame_no(answer))
        .with("answer_delay_s", delay.map(text::seconds));
    let (verdict, mut explanation, filter) = if outcome == Outcome::Unreachable {
        let router = address(index, answer_r.src);
        let reason = icmp_reason(&answer_r);
        details.set("icmp_from", router.clone());
        details.set("icmp_code", answer_r.dst_port);
        details.set("icmp_reason", reason);
        (
            format!(
                "{who} → {server}: {attempts_text} rejected with ICMP destination unreachable \
                 ({reason}) from {router}."
            ),
            format!(
                "The SYN (frame {}) was answered{later} by an ICMP destination unreachable \
                 (frame {}, {reason}) sent by {router}. {}",
                frame_no(first.first_syn()),
                frame_no(answer),
                if answer_r.src == g.server.0 {
                    format!("It came from {server_host} itself: it is reachable but refuses port {port}. ")
                } else {
                    format!("It came from {router}, not from {server_host}: a router or firewall on the path rejects the connection. ")
                }
            ),
            format!(
                "({} && {} && tcp.port == {port}) || (icmp.type == 3 || icmpv6.type == 1)",
                text::addr_filter(index, g.clients[0]),
                text::addr_filter(index, g.server.0)
            ),
        )
    } else {
        let flags = if answer_r.tcp_flags & crate::connections::attempts::ACK != 0 {
            "RST, ACK"
        } else {
            "RST"
        };
        let mut explanation = format!(
            "The SYN (frame {}) was answered by {flags} (frame {}){later}. A RST in answer to a SYN \
             means nothing accepts connections on port {port} at {server_host}: the service is not \
             running, listens on another address or port, or a firewall or load balancer in front \
             of it rejects the connection actively. ",
            frame_no(first.first_syn()),
            frame_no(answer),
        );
        details.set("rst_ttl", answer_r.ttl);
        match ttls.get(&g.server.0) {
            Some(&usual) if usual == answer_r.ttl => {
                explanation += &format!(
                    "The RST has the same TTL ({usual}) as {server_host}'s other packets, so it \
                     most likely came from the server itself. "
                );
                details.set("usual_ttl", usual);
            }
            Some(&usual) => {
                explanation += &format!(
                    "The RST's TTL ({}) differs from that of {server_host}'s other packets \
                     ({usual}): a device in between probably answered in its name. ",
                    answer_r.ttl
                );
                details.set("usual_ttl", usual);
            }
            None => {}
        }
        let filter = if g.clients.len() == 1 {
            format!(
                "{} && {} && tcp.port == {port} && (tcp.flags.syn == 1 || tcp.flags.reset == 1)",
                text::addr_filter(index, g.clients[0]),
                text::addr_filter(index, g.server.0)
            )
        } else {
            format!(
                "{} && tcp.port == {port} && (tcp.flags.syn == 1 || tcp.flags.reset == 1)",
                text::addr_filter(index, g.server.0)
            )
        };
        (
            format!("{server} refused {attempts_text} from {who}: the SYN was answered by {flags}{later}."),
            explanation,
            filter,
        )
    };
    explanation += &format!(
        "Check that the service runs and listens on port {port} on that address (netstat -ano, \
         ss -ltn), and the firewall rules for port {port} between the two."
    );
    let mut frames: Vec<u32> = Vec::new();
    for a in &g.attempts {
        frames.extend(a.syns.iter().copied());
        frames.extend(answer_of(a));
    }
    let stream = match g.attempts.as_slice() {
        [a] => a.stream_number(flows),
        _ => None,
    };
    Finding::new(
        Kind::ConnectionRefused,
        Severity::Warning,
        verdict,
        explanation,
    )
    .evidence(frames)
    .stream(stream)
    .filter(filter)
    .details(details)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connections::attempts::tests::{index_of, tcp};
    use crate::connections::attempts::{ACK, RST, SYN};

    #[test]
    fn a_syn_answered_by_rst_is_refused() {
        let c = (1, 3372);
        let s = (2, 80);
        let (index, flows) = index_of(vec![
            tcp(0, c, s, 951057939, 0, SYN, 0),
            tcp(1, s, c, 0, 951057940, RST | ACK, 0),
        ]);
        let f = &detect(&index, &flows, &[])[0];
        // Built: SYN (frame 1) at 0 ms, RST, ACK from the server (frame 2) at 1 ms.
        assert_eq!(
            f.verdict,
            "10.0.0.2:80 refused 1 connection attempt from 10.0.0.1: the SYN was answered by RST, ACK 1.0 ms later."
        );
        assert_eq!(f.frames, vec![1, 2]);
        assert_eq!(f.stream, Some(0));
    }

    #[test]
    fn a_client_aborting_its_own_attempt_is_not_refused() {
        let c = (1, 13131);
        let s = (2, 31313);
        let (index, flows) = index_of(vec![tcp(0, c, s, 0, 0, SYN, 0), tcp(0, c, s, 0, 0, RST, 0)]);
        assert!(detect(&index, &flows, &[]).is_empty());
    }
}
