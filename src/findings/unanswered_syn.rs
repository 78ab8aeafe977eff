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
use super::render;
use super::text::{self, address, frame_no, PathNames};
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
    super::one_by_one_then_rest(
        &groups,
        MAX_GROUPS,
        |g| finding(index, flows, g, limited),
        summary,
    )
}

/// Retransmission offsets of an attempt's SYNs from its first SYN.
fn offsets(index: &PacketIndex, a: &Attempt) -> Vec<i64> {
    a.syns()
        .iter()
        .skip(1)
        .filter_map(|&s| text::between(index, a.first_syn(), s))
        .collect()
}

/// One attempt as the explanation describes it.
pub(crate) struct Tried {
    /// The client's address and port.
    pub client: String,
    pub port: u16,
    pub first_syn: u32,
    /// How often the SYN was sent again, and when (from the first SYN).
    pub retransmitted: u64,
    pub offsets_ns: Vec<i64>,
    /// The client's RST ending the attempt.
    pub rst: Option<u32>,
}

/// What one client → server:port path's unanswered attempts show, before any wording.
pub(crate) struct UnansweredFacts {
    pub path: PathNames,
    pub syns: u64,
    /// From the first SYN to the last.
    pub span_ns: Option<i64>,
    /// The first three attempts.
    pub tried: Vec<Tried>,
    /// A per-source limit (`many_connections_one_source`) explains them.
    pub explained_by_limit: bool,
}

impl UnansweredFacts {
    fn gather(index: &PacketIndex, g: &PathGroup<'_>, limited: &[Path]) -> Self {
        let single_client = g.clients.len() == 1;
        let span = {
            let first = g.attempts.iter().map(|a| a.first_syn()).min();
            let last = g
                .attempts
                .iter()
                .filter_map(|a| a.syns().last().copied())
                .max();
            first
                .zip(last)
                .and_then(|(f, l)| text::between(index, f, l))
        };
        UnansweredFacts {
            path: PathNames::of(index, g),
            syns: g.syn_count(),
            span_ns: span,
            tried: g
                .attempts
                .iter()
                .take(3)
                .map(|a| Tried {
                    client: address(index, a.client().0),
                    port: a.client().1,
                    first_syn: a.first_syn(),
                    retransmitted: (a.syns().len() as u64).saturating_sub(1),
                    offsets_ns: offsets(index, a),
                    rst: a.rst_frame(),
                })
                .collect(),
            explained_by_limit: single_client && limited.contains(&(g.clients[0], g.server)),
        }
    }
}

fn finding(index: &PacketIndex, flows: &Flows, g: &PathGroup<'_>, limited: &[Path]) -> Finding {
    let f = UnansweredFacts::gather(index, g, limited);
    let port = f.path.port;
    let frames: Vec<u32> = g
        .attempts
        .iter()
        .flat_map(|a| a.syns().iter().copied())
        .collect();
    let stream = match g.attempts.as_slice() {
        [a] => a.stream_number(flows),
        _ => None,
    };
    let filter = if f.path.client.is_some() {
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
    let first_offsets: Vec<f64> = f
        .tried
        .first()
        .map(|a| a.offsets_ns.iter().map(|&ns| text::seconds(ns)).collect())
        .unwrap_or_default();
    let clients: Vec<String> = g
        .clients
        .iter()
        .take(20)
        .map(|&c| address(index, c))
        .collect();
    let details = Details::new()
        .with("clients", clients)
        .with("client_count", f.path.clients)
        .with("server", f.path.server.endpoint.clone())
        .with("port", port)
        .with("attempts", f.path.attempts)
        .with("syns", f.syns)
        .with(
            "first_syn_frames",
            g.attempts
                .iter()
                .take(20)
                .map(|a| frame_no(a.first_syn()))
                .collect::<Vec<u64>>(),
        )
        .with("retransmission_offsets_s", first_offsets)
        .with("span_s", f.span_ns.map(text::seconds))
        .with(
            "explained_by",
            f.explained_by_limit
                .then_some("many_connections_one_source"),
        );
    let verdict = render::unanswered_syn::verdict(&f);
    let explanation = render::unanswered_syn::explanation(&f);
    Finding::new(Kind::UnansweredSyn, Severity::Warning, verdict, explanation)
        .evidence(frames)
        .stream(stream)
        .filter(filter)
        .details(details)
}

fn summary(rest: &[PathGroup<'_>]) -> Finding {
    let attempts: u64 = rest.iter().map(|g| g.attempts.len() as u64).sum();
    let (verdict, explanation) = render::unanswered_syn::more(rest.len(), attempts);
    let frames: Vec<u32> = rest
        .iter()
        .flat_map(|g| g.attempts.iter().flat_map(|a| a.syns().iter().copied()))
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
