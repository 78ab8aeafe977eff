//! `connection_refused`: a SYN answered by a RST from the server (nothing listens there, or a
//! device in front of it rejects actively), or by an ICMP destination unreachable. Grouped by
//! client → server:port like `unanswered_syn`; the RST's TTL is compared with the TTL of the
//! server's other packets, which tells whether the server itself or a device in between answered.
//!
//! A RST sent by the client itself before any answer (an attempt it aborted) is not a refusal.

use super::render;
use super::text::{self, address, frame_no, record, PathNames};
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
    crate::sort::sort_by_key(&mut groups, |(g, _)| g.first_frame());
    let ttls = usual_ttls(index, groups.iter().map(|(g, _)| g.server.0));
    super::one_by_one_then_rest(
        &groups,
        MAX_GROUPS,
        |(g, outcome)| finding(index, flows, g, *outcome, &ttls),
        more,
    )
}

/// The paths past [`MAX_GROUPS`], summed up in one finding.
fn more(rest: &[(PathGroup<'_>, Outcome)]) -> Finding {
    let attempts: u64 = rest.iter().map(|(g, _)| g.attempts.len() as u64).sum();
    let (verdict, explanation) = render::connection_refused::more(rest.len(), attempts);
    Finding::new(
        Kind::ConnectionRefused,
        Severity::Warning,
        verdict,
        explanation,
    )
    .evidence(rest.iter().flat_map(|(g, _)| {
        g.attempts.iter().flat_map(|a| {
            let answer = a.rst_frame().or(a.unreachable());
            a.syns().iter().copied().chain(answer)
        })
    }))
    .filter("(tcp.flags.syn == 1 && tcp.flags.ack == 0) || tcp.flags.reset == 1 || icmp || icmpv6")
    .details(
        Details::new()
            .with("paths", rest.len())
            .with("attempts", attempts),
    )
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

/// How the server (or a device in front of it) refused.
pub(crate) enum Answer {
    /// An ICMP destination unreachable from `router` (the server itself when `from_server`).
    Icmp {
        router: String,
        from_server: bool,
        v6: bool,
        code: u16,
    },
    /// A RST, with its TTL and the server's usual TTL (when known).
    Rst {
        has_ack: bool,
        ttl: u8,
        usual_ttl: Option<u8>,
    },
}

/// What one refused client → server:port path shows, before any wording.
pub(crate) struct RefusedFacts {
    pub path: PathNames,
    /// The first attempt's first SYN, the answer refusing it, and the time from its last SYN.
    pub first_syn: u32,
    pub answer_frame: u32,
    pub delay_ns: Option<i64>,
    pub answer: Answer,
}

fn finding(
    index: &PacketIndex,
    flows: &Flows,
    g: &PathGroup<'_>,
    outcome: Outcome,
    ttls: &HashMap<u32, u8>,
) -> Finding {
    let answer_of = |a: &crate::connections::attempts::Attempt| match outcome {
        Outcome::Unreachable => a.unreachable(),
        _ => a.rst_frame(),
    };
    let first = g.attempts[0];
    let answer = answer_of(first).unwrap_or(first.first_syn());
    let answer_r = record(index, answer);
    let f = RefusedFacts {
        path: PathNames::of(index, g),
        first_syn: first.first_syn(),
        answer_frame: answer,
        delay_ns: text::between(index, *first.syns().last().unwrap_or(&answer), answer),
        answer: if outcome == Outcome::Unreachable {
            Answer::Icmp {
                router: address(index, answer_r.src),
                from_server: answer_r.src == g.server.0,
                v6: answer_r.is_icmpv6(),
                code: answer_r.dst_port,
            }
        } else {
            Answer::Rst {
                has_ack: answer_r.tcp_flags & crate::connections::attempts::ACK != 0,
                ttl: answer_r.ttl,
                usual_ttl: ttls.get(&g.server.0).copied(),
            }
        },
    };
    let mut frames: Vec<u32> = Vec::new();
    for a in &g.attempts {
        frames.extend(a.syns().iter().copied());
        frames.extend(answer_of(a));
    }
    let stream = match g.attempts.as_slice() {
        [a] => a.stream_number(flows),
        _ => None,
    };
    Finding::new(
        Kind::ConnectionRefused,
        Severity::Warning,
        render::connection_refused::verdict(&f),
        render::connection_refused::explanation(&f),
    )
    .evidence(frames)
    .stream(stream)
    .filter(filter(index, g, &f))
    .details(details(index, g, &f))
}

/// A filter for the path's SYNs and the answers refusing them.
fn filter(index: &PacketIndex, g: &PathGroup<'_>, f: &RefusedFacts) -> String {
    let port = f.path.port;
    match f.answer {
        Answer::Icmp { .. } => format!(
            "({} && {} && tcp.port == {port}) || (icmp.type == 3 || icmpv6.type == 1)",
            text::addr_filter(index, g.clients[0]),
            text::addr_filter(index, g.server.0)
        ),
        Answer::Rst { .. } if g.clients.len() == 1 => format!(
            "{} && {} && tcp.port == {port} && (tcp.flags.syn == 1 || tcp.flags.reset == 1)",
            text::addr_filter(index, g.clients[0]),
            text::addr_filter(index, g.server.0)
        ),
        Answer::Rst { .. } => format!(
            "{} && tcp.port == {port} && (tcp.flags.syn == 1 || tcp.flags.reset == 1)",
            text::addr_filter(index, g.server.0)
        ),
    }
}

/// The numbers of one refused path.
fn details(index: &PacketIndex, g: &PathGroup<'_>, f: &RefusedFacts) -> Details {
    let mut details = Details::new()
        .with(
            "clients",
            g.clients
                .iter()
                .take(20)
                .map(|&c| address(index, c))
                .collect::<Vec<String>>(),
        )
        .with("client_count", f.path.clients)
        .with("server", f.path.server.endpoint.clone())
        .with("port", f.path.port)
        .with("attempts", f.path.attempts)
        .with(
            "answer",
            match f.answer {
                Answer::Icmp { .. } => "icmp_unreachable",
                Answer::Rst { .. } => "rst",
            },
        )
        .with("first_syn_frame", frame_no(f.first_syn))
        .with("answer_frame", frame_no(f.answer_frame))
        .with("answer_delay_s", f.delay_ns.map(text::seconds));
    match &f.answer {
        Answer::Icmp {
            router, v6, code, ..
        } => {
            details.set("icmp_from", router.clone());
            details.set("icmp_code", *code);
            details.set(
                "icmp_reason",
                render::connection_refused::icmp_reason(*v6, *code),
            );
        }
        Answer::Rst { ttl, usual_ttl, .. } => {
            details.set("rst_ttl", *ttl);
            if let Some(usual) = usual_ttl {
                details.set("usual_ttl", *usual);
            }
        }
    }
    details
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
