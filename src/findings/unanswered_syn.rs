//! `unanswered_syn`: connection attempts whose SYNs (with retransmissions) got no SYN-ACK, RST or
//! ICMP error in the trace, grouped by client → server:port with counts and retransmission
//! timings.
//!
//! An attempt counts only when the client waited for an answer: it retransmitted the SYN, or at
//! least [`MIN_WAIT_NS`](crate::connections::attempts::MIN_WAIT_NS) passed before it gave up or the capture
//! ended (a lone SYN in the last second of a capture proves nothing). When more than
//! [`MAX_CLIENTS_PER_PATH`](crate::connections::attempts::MAX_CLIENTS_PER_PATH) clients failed towards one
//! server port they share one finding; past [`MAX_GROUPS`] groups the rest are summarised in one.

use super::many_connections_one_source::Path;
use super::text::{self, address, duration, endpoint, frame_no};
use super::{Details, Finding, Kind, Severity};
use crate::capture::FileInfo;
use crate::connections::attempts::{group_by_path, Attempt, Attempts, Outcome, PathGroup};
use crate::flows::Flows;
use crate::index::PacketIndex;

/// At most this many findings; the groups beyond are summarised in the last one.
pub const MAX_GROUPS: usize = 50;

pub fn detect(index: &PacketIndex, flows: &Flows, _files: &[FileInfo]) -> Vec<Finding> {
    from_attempts(index, flows, &Attempts::collect(index, flows))
}

pub fn from_attempts(index: &PacketIndex, flows: &Flows, attempts: &Attempts) -> Vec<Finding> {
    from_attempts_linked(index, flows, attempts, &[])
}

/// [`from_attempts`], where `limited` are the client → server:port paths that
/// `many_connections_one_source` found limited: their findings point to it (the server was
/// answering that source meanwhile) instead of saying that one side cannot tell why.
pub fn from_attempts_linked(
    index: &PacketIndex,
    flows: &Flows,
    attempts: &Attempts,
    limited: &[Path],
) -> Vec<Finding> {
    let unanswered = attempts
        .with_outcomes(index)
        .filter(|(_, o)| *o == Outcome::Unanswered)
        .map(|(a, _)| a);
    let groups = group_by_path(unanswered);
    let mut findings: Vec<Finding> = groups
        .iter()
        .take(if groups.len() > MAX_GROUPS {
            MAX_GROUPS - 1
        } else {
            MAX_GROUPS
        })
        .map(|g| finding(index, flows, g, limited))
        .collect();
    if groups.len() > MAX_GROUPS {
        findings.push(summary(&groups[MAX_GROUPS - 1..]));
    }
    findings
}

/// Retransmission offsets of an attempt's SYNs from its first SYN.
fn offsets(index: &PacketIndex, a: &Attempt) -> Vec<i64> {
    a.syns
        .iter()
        .skip(1)
        .filter_map(|&s| text::between(index, a.first_syn(), s))
        .collect()
}

fn finding(index: &PacketIndex, flows: &Flows, g: &PathGroup<'_>, limited: &[Path]) -> Finding {
    let server = endpoint(index, g.server);
    let server_host = address(index, g.server.0);
    let port = g.server.1;
    let n = g.attempts.len() as u64;
    let syns = g.syn_count();
    let single_client = g.clients.len() == 1;
    let who = if single_client {
        address(index, g.clients[0])
    } else {
        format!("{} clients", g.clients.len())
    };
    let span = {
        let first = g.attempts.iter().map(|a| a.first_syn()).min();
        let last = g
            .attempts
            .iter()
            .filter_map(|a| a.syns.last().copied())
            .max();
        first
            .zip(last)
            .and_then(|(f, l)| text::between(index, f, l))
    };
    let over = match span {
        Some(ns) if ns > 0 => format!(" over {}", duration(ns)),
        _ => String::new(),
    };
    let verdict = format!(
        "{who} → {server}: {} got no answer in this trace ({}{over}).",
        text::count(n, "connection attempt", "connection attempts"),
        text::count(syns, "SYN", "SYNs"),
    );

    let mut explanation = String::new();
    if let [a] = g.attempts.as_slice() {
        let offs = offsets(index, a);
        explanation += &format!("The client sent a SYN (frame {})", frame_no(a.first_syn()));
        if a.syn_count > 1 {
            explanation += &format!(
                " and retransmitted it {}",
                text::count(u64::from(a.syn_count - 1), "time", "times")
            );
            if !offs.is_empty() {
                let list: Vec<String> = offs.iter().map(|&ns| duration(ns)).collect();
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
        explanation += ". ";
    } else {
        let described: Vec<String> = g
            .attempts
            .iter()
            .take(3)
            .map(|a| {
                let offs: Vec<String> = offsets(index, a).into_iter().map(duration).collect();
                let timing = if offs.is_empty() {
                    "no retransmission".to_string()
                } else {
                    format!("retransmitted after {}", text::join_and(&offs))
                };
                let from = if single_client {
                    String::new()
                } else {
                    format!("{} ", address(index, a.client.0))
                };
                format!(
                    "{from}from port {} (frame {}, {timing})",
                    a.client.1,
                    frame_no(a.first_syn())
                )
            })
            .collect();
        let more = if g.attempts.len() > 3 {
            format!(", and {} more", g.attempts.len() - 3)
        } else {
            String::new()
        };
        explanation += &format!(
            "No SYN-ACK, RST or ICMP error came back for any of them: {}{more}. ",
            described.join("; ")
        );
    }
    let explained_by_limit = single_client && limited.contains(&(g.clients[0], g.server));
    if explained_by_limit {
        explanation += &format!(
            "These attempts belong to the burst from {who} that the finding on many connections \
             from one source describes: {server} answered other attempts from {who} at the same \
             time, so it was up and reachable, and ignored these SYNs — a per-source connection \
             limit, not a server that is down."
        );
    } else {
        explanation += &format!(
            "From a trace taken at one point you cannot tell whether {server_host} received the \
             SYNs, answered and the answer was lost on the way back, or never got them: a \
             firewall silently dropping port {port}, a server that is down or not listening \
             behind such a firewall, a routing problem or a wrong address all look the same \
             here. Take a trace on the server (or on the far side of the firewall) at the same \
             time, check the firewalls' logs for drops towards {server}, and check that \
             something listens on port {port} there."
        );
    }

    let frames: Vec<u32> = g
        .attempts
        .iter()
        .flat_map(|a| a.syns.iter().copied())
        .collect();
    let stream = match g.attempts.as_slice() {
        [a] => a.stream_number(flows),
        _ => None,
    };
    let filter = if single_client {
        format!(
            "{} && {} && tcp.port == {port} && tcp.flags.syn == 1",
            text::addr_filter(index, g.clients[0]),
            text::addr_filter(index, g.server.0)
        )
    } else {
        format!(
            "{} && tcp.dstport == {port} && tcp.flags.syn == 1 && tcp.flags.ack == 0",
            text::addr_filter(index, g.server.0)
        )
    };
    let first_offsets: Vec<f64> = g
        .attempts
        .first()
        .map(|a| offsets(index, a).into_iter().map(text::seconds).collect())
        .unwrap_or_default();
    let clients: Vec<String> = g
        .clients
        .iter()
        .take(20)
        .map(|&c| address(index, c))
        .collect();
    let details = Details::new()
        .with("clients", clients)
        .with("client_count", g.clients.len())
        .with("server", server)
        .with("port", port)
        .with("attempts", n)
        .with("syns", syns)
        .with(
            "first_syn_frames",
            g.attempts
                .iter()
                .take(20)
                .map(|a| frame_no(a.first_syn()))
                .collect::<Vec<u64>>(),
        )
        .with("retransmission_offsets_s", first_offsets)
        .with("span_s", span.map(text::seconds))
        .with(
            "explained_by",
            explained_by_limit.then_some("many_connections_one_source"),
        );
    Finding::new(Kind::UnansweredSyn, Severity::Warning, verdict, explanation)
        .evidence(frames)
        .stream(stream)
        .filter(filter)
        .details(details)
}

fn summary(rest: &[PathGroup<'_>]) -> Finding {
    let attempts: u64 = rest.iter().map(|g| g.attempts.len() as u64).sum();
    let verdict = format!(
        "{} more client → server:port paths had unanswered connection attempts ({}).",
        rest.len(),
        text::count(attempts, "attempt", "attempts")
    );
    let explanation = "There are too many paths with unanswered SYNs to list one by one; their \
                       SYNs are the evidence frames, and the filter shows every SYN of the \
                       capture. When most attempts towards many servers fail, suspect the \
                       capture point or a firewall near the clients."
        .to_string();
    let frames: Vec<u32> = rest
        .iter()
        .flat_map(|g| g.attempts.iter().flat_map(|a| a.syns.iter().copied()))
        .collect();
    let syns: u64 = rest.iter().map(PathGroup::syn_count).sum();
    Finding::new(Kind::UnansweredSyn, Severity::Warning, verdict, explanation)
        .evidence(frames)
        .filter("tcp.flags.syn == 1 && tcp.flags.ack == 0")
        .details(
            Details::new()
                .with("paths", rest.len())
                .with("attempts", attempts)
                .with("syns", syns),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connections::attempts::tests::{index_of, tcp};
    use crate::connections::attempts::{ACK, SYN};

    const S: (u32, u16) = (2, 80);

    #[test]
    fn retransmitted_syns_are_grouped_with_timings() {
        let c = (1, 1251);
        let (index, flows) = index_of(vec![
            tcp(0, c, S, 91743089, 0, SYN, 0),
            tcp(5, c, S, 91743089, 0, SYN, 0),
            tcp(1002, c, S, 91743089, 0, SYN, 0),
        ]);
        let findings = detect(&index, &flows, &[]);
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        // Built: 3 SYNs of one attempt (frames 1–3) at 0, 5 and 1002 ms; no answer; address 1 is
        // 10.0.0.1 (index_of). Resent after 5 ms and 1.002 s, spanning 1.00 s.
        assert_eq!(
            f.verdict,
            "10.0.0.1 → 10.0.0.2:80: 1 connection attempt got no answer in this trace (3 SYNs over 1.00 s)."
        );
        assert!(
            f.explanation
                .contains("retransmitted it 2 times (after 5.0 ms and 1.00 s)"),
            "{}",
            f.explanation
        );
        assert_eq!(f.frames, vec![1, 2, 3]);
        assert_eq!(f.stream, Some(0));
        assert_eq!(
            f.filter,
            "ip.addr == 10.0.0.1 && ip.addr == 10.0.0.2 && tcp.port == 80 && tcp.flags.syn == 1"
        );
    }

    #[test]
    fn answered_and_too_recent_attempts_are_not_reported() {
        let (index, flows) = index_of(vec![
            tcp(0, (1, 1000), S, 1, 0, SYN, 0),
            tcp(1, S, (1, 1000), 9, 2, SYN | ACK, 0),
            tcp(2, (1, 1001), S, 5, 0, SYN, 0),
            tcp(500, (3, 7), (1, 9), 5, 5, ACK, 0),
        ]);
        assert!(detect(&index, &flows, &[]).is_empty());
    }

    #[test]
    fn many_clients_towards_one_port_share_a_finding() {
        let mut records = Vec::new();
        let mut index_addrs = Vec::new();
        for n in 0..8u32 {
            index_addrs.push(format!("10.9.0.{n}"));
        }
        for n in 0..8u32 {
            records.push(tcp(i64::from(n), (4 + n, 2000), S, n, 0, SYN, 0));
            records.push(tcp(3000 + i64::from(n), (4 + n, 2000), S, n, 0, SYN, 0));
        }
        let (mut index, _) = index_of(records);
        for a in index_addrs {
            index.addrs.intern(a.parse().unwrap());
        }
        let flows = Flows::build(&index);
        let findings = detect(&index, &flows, &[]);
        assert_eq!(findings.len(), 1);
        assert!(
            findings[0]
                .verdict
                .starts_with("8 clients → 10.0.0.2:80: 8 connection attempts"),
            "{}",
            findings[0].verdict
        );
        assert_eq!(
            findings[0].filter,
            "ip.addr == 10.0.0.2 && tcp.dstport == 80 && tcp.flags.syn == 1 && tcp.flags.ack == 0"
        );
    }
}
