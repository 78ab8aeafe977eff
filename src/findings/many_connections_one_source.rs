//! `many_connections_one_source`: one source address opening many TCP connections in a short
//! time, with a share of them unanswered or refused — the seed's NAT + flood-mitigation case.
//! Many clients reaching a server through one translated address look like one flooding client,
//! and per-source limits (TMG flood mitigation, SYN rate limits, connection quotas) start
//! dropping or refusing its SYNs.
//!
//! Thresholds (all must hold within one sliding window of [`WINDOW_NS`]):
//! - at least [`MIN_ATTEMPTS`] connection attempts (first SYNs) from the source — a busy desktop
//!   opens tens of connections a minute, a browser page load rarely a hundred;
//! - at least [`MIN_FAILED`] of them failed (unanswered, refused or ICMP-rejected), and
//! - the failed share is at least [`MIN_FAILED_SHARE`].
//!
//! The window reported is the one with the most failures (then the most attempts) among windows
//! with enough attempts.

use super::attempts::{Attempts, Outcome};
use super::text::{self, address, endpoint, frame_no};
use super::{Details, Finding, Kind, Severity};
use crate::capture::FileInfo;
use crate::flows::Flows;
use crate::index::PacketIndex;
use std::collections::HashMap;

pub const WINDOW_NS: i64 = 60_000_000_000;
pub const MIN_ATTEMPTS: usize = 100;
pub const MIN_FAILED: usize = 10;
pub const MIN_FAILED_SHARE: f64 = 0.10;

pub fn detect(index: &PacketIndex, flows: &Flows, _files: &[FileInfo]) -> Vec<Finding> {
    from_attempts(index, flows, &Attempts::collect(index, flows))
}

/// One attempt as the window sees it.
#[derive(Clone, Copy)]
struct Start {
    ts: i64,
    frame: u32,
    outcome: Outcome,
    server: (u32, u16),
}

/// The busiest failing window of one source.
struct Window {
    from: usize,
    to: usize,
    failed: usize,
}

fn worst_window(starts: &[Start]) -> Option<Window> {
    let mut best: Option<Window> = None;
    let mut left = 0;
    let mut failed = 0usize;
    for (right, s) in starts.iter().enumerate() {
        if s.outcome.failed() {
            failed += 1;
        }
        while s.ts.saturating_sub(starts[left].ts) > WINDOW_NS {
            if starts[left].outcome.failed() {
                failed -= 1;
            }
            left += 1;
        }
        let count = right + 1 - left;
        let better = |b: &Window| (failed, count) > (b.failed, b.to + 1 - b.from);
        if count >= MIN_ATTEMPTS && best.as_ref().is_none_or(better) {
            best = Some(Window {
                from: left,
                to: right,
                failed,
            });
        }
    }
    best.filter(|w| {
        let count = w.to + 1 - w.from;
        w.failed >= MIN_FAILED && w.failed as f64 >= MIN_FAILED_SHARE * count as f64
    })
}

pub fn from_attempts(index: &PacketIndex, _flows: &Flows, attempts: &Attempts) -> Vec<Finding> {
    // Address ids are dense: count attempts per source without hashing, and look closer only at
    // sources with enough attempts (a server capture may hold a million SYNs).
    let mut per_source: Vec<u32> = vec![0; index.addrs.len() + 1];
    for a in &attempts.list {
        if let Some(n) = per_source.get_mut(a.client.0 as usize) {
            *n = n.saturating_add(1);
        }
    }
    let busy = |client: u32| {
        per_source
            .get(client as usize)
            .is_some_and(|&n| n as usize >= MIN_ATTEMPTS)
    };
    let mut starts: Vec<(u32, Start)> = Vec::new();
    for a in attempts.list.iter().filter(|a| busy(a.client.0)) {
        let frame = a.first_syn();
        if let Some(ts) = text::time_of(index, frame) {
            let outcome = a.outcome(index, attempts.capture_end);
            starts.push((
                a.client.0,
                Start {
                    ts,
                    frame,
                    outcome,
                    server: a.server,
                },
            ));
        }
    }
    starts.sort_by_key(|(source, s)| (*source, s.ts, s.frame));
    let mut findings = Vec::new();
    for run in starts.chunk_by(|a, b| a.0 == b.0) {
        if run.len() < MIN_ATTEMPTS {
            continue;
        }
        let source = run[0].0;
        let list: Vec<Start> = run.iter().map(|(_, s)| *s).collect();
        if let Some(w) = worst_window(&list) {
            findings.push(finding(index, source, &list[w.from..=w.to], w.failed));
        }
    }
    findings.sort_by_key(|f| f.first_frame());
    findings
}

fn finding(index: &PacketIndex, source: u32, window: &[Start], failed: usize) -> Finding {
    let host = address(index, source);
    let count = window.len();
    let span = window
        .last()
        .zip(window.first())
        .map_or(0, |(l, f)| l.ts.saturating_sub(f.ts));
    let unanswered = window
        .iter()
        .filter(|s| s.outcome == Outcome::Unanswered)
        .count();
    let refused = window
        .iter()
        .filter(|s| matches!(s.outcome, Outcome::Refused | Outcome::Unreachable))
        .count();
    let mut per_server: HashMap<(u32, u16), usize> = HashMap::new();
    for s in window {
        *per_server.entry(s.server).or_default() += 1;
    }
    let (top_server, top_count) = per_server
        .iter()
        .max_by_key(|(server, n)| (**n, std::cmp::Reverse(**server)))
        .map(|(s, n)| (*s, *n))
        .unwrap_or(((0, 0), 0));
    let top = endpoint(index, top_server);
    let share = text::percent(failed as u64, count as u64);
    let seconds = (span as f64 / 1e9).max(0.001);
    let rate = count as f64 / seconds;
    let mut failures = Vec::new();
    if unanswered > 0 {
        failures.push(format!("{unanswered} never answered"));
    }
    if refused > 0 {
        failures.push(format!("{refused} refused"));
    }
    let verdict = format!(
        "{host} opened {count} connections in {}; {share} of them failed ({}).",
        text::duration(span),
        text::join_and(&failures)
    );
    let destination = if top_count == count {
        format!("All of them went to {top}.")
    } else {
        format!(
            "{top_count} of them went to {top}, the rest to {} other destinations.",
            per_server.len() - 1
        )
    };
    let explanation = format!(
        "{host} started {count} TCP connections within {} (about {rate:.1} per second) between \
         frames {} and {}. {destination} When many clients reach a server through one translated \
         address — NAT on a router or firewall in front of the server, a proxy, a load balancer — \
         the server's per-source limits (flood mitigation, SYN rate limits, connection quotas) \
         see them as one very busy client and start dropping or refusing its SYNs, which is what \
         the failed attempts look like. Check whether {host} is really one client or a NAT device \
         (the seed's case: a router NATting every external client to one address in front of a \
         TMG server), and the server's per-IP connection limits and logs (TMG logged QUOTA \
         EXCEEDED); raise the limits or exempt that address — or stop translating the clients' \
         addresses.",
        text::duration(span),
        frame_no(window.first().map_or(0, |s| s.frame)),
        frame_no(window.last().map_or(0, |s| s.frame)),
    );
    let frames: Vec<u32> = window
        .iter()
        .filter(|s| s.outcome.failed())
        .map(|s| s.frame)
        .collect();
    let details = Details::new()
        .with("source", host)
        .with("attempts", count)
        .with("failed", failed)
        .with("unanswered", unanswered)
        .with("refused", refused)
        .with("failed_share", failed as f64 / count.max(1) as f64)
        .with("window_s", text::seconds(span))
        .with("rate_per_s", (rate * 10.0).round() / 10.0)
        .with("top_destination", top)
        .with("top_destination_attempts", top_count)
        .with("destinations", per_server.len())
        .with(
            "first_frame",
            frame_no(window.first().map_or(0, |s| s.frame)),
        )
        .with("last_frame", frame_no(window.last().map_or(0, |s| s.frame)))
        .with("threshold_attempts", MIN_ATTEMPTS)
        .with("threshold_window_s", text::seconds(WINDOW_NS))
        .with("threshold_failed_share", MIN_FAILED_SHARE);
    Finding::new(
        Kind::ManyConnectionsOneSource,
        Severity::Warning,
        verdict,
        explanation,
    )
    .evidence(frames)
    .filter(format!(
        "{} && tcp.flags.syn == 1 && tcp.flags.ack == 0",
        text::src_filter(index, source)
    ))
    .details(details)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::attempts::tests::{index_of, tcp};
    use crate::findings::attempts::{ACK, SYN};

    /// `n` attempts from one source 100 ms apart; every `fail_every`-th gets no answer (but is
    /// retransmitted, so it counts as unanswered).
    fn flood(n: u16, fail_every: u16) -> Vec<crate::index::PacketRecord> {
        let server = (2, 443);
        let mut records = Vec::new();
        for k in 0..n {
            let c = (1, 10000 + k);
            let t = i64::from(k) * 100;
            records.push(tcp(t, c, server, u32::from(k), 0, SYN, 0));
            if fail_every > 0 && k % fail_every == 0 {
                records.push(tcp(t + 1, c, server, u32::from(k), 0, SYN, 0));
            } else {
                records.push(tcp(t + 1, server, c, 7, u32::from(k) + 1, SYN | ACK, 0));
            }
        }
        records
    }

    #[test]
    fn a_nat_flood_is_found_with_its_numbers() {
        let (index, flows) = index_of(flood(300, 3));
        let findings = detect(&index, &flows, &[]);
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        // 300 attempts over 29.9 s all fit in one 60 s window; 100 of them failed.
        assert_eq!(
            f.verdict,
            "10.0.0.1 opened 300 connections in 29.9 s; 33% of them failed (100 never answered)."
        );
        assert!(f.explanation.contains("All of them went to 10.0.0.2:443."));
        assert_eq!(
            f.filter,
            "ip.src == 10.0.0.1 && tcp.flags.syn == 1 && tcp.flags.ack == 0"
        );
        assert_eq!(f.frames.len(), crate::findings::MAX_EVIDENCE_FRAMES);
        assert_eq!(f.details.get("failed").and_then(|d| d.as_i64()), Some(100));
    }

    #[test]
    fn many_healthy_connections_or_few_failures_are_not_a_flood() {
        let (index, flows) = index_of(flood(300, 0));
        assert!(detect(&index, &flows, &[]).is_empty());
        let (index, flows) = index_of(flood(300, 40));
        assert!(detect(&index, &flows, &[]).is_empty());
        let (index, flows) = index_of(flood(60, 2));
        assert!(detect(&index, &flows, &[]).is_empty());
    }
}
