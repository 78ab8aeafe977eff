//! `many_connections_one_source`: one source address whose connection attempts a server answers
//! only in part — the signature of a per-source limit. Many clients reaching a server through
//! one translated address (NAT on a router or firewall, a proxy) look like one very busy client,
//! and per-source limits (TMG's flood mitigation, SYN rate limits, connection quotas) start
//! dropping or refusing its SYNs while the server keeps answering others from the same address.
//!
//! Two rules, each with thresholds documented on its constants and tested on both sides:
//!
//! 1. **Partial answers in a burst** (the signature, any volume): from one source to one
//!    server:port, in a burst of attempts whose first SYNs fall within [`BURST_WINDOW_NS`],
//!    - at least [`MIN_BURST_ATTEMPTS`] attempts (first SYNs),
//!    - at least [`MIN_TROUBLED`] of them *troubled* — never answered, refused, ICMP-rejected,
//!      or answered only after the client retransmitted its SYN — making up at least
//!      [`MIN_TROUBLED_SHARE`] of the burst, and
//!    - at least [`MIN_ANSWERED_MEANWHILE`] SYN-ACK sent by the server to that same source while
//!      one of the troubled attempts was still waiting: the server was up and reachable from
//!      that source, and chose to ignore some of its SYNs.
//!
//!    Overlapping bursts that qualify merge into one episode, reported whole (with its busiest
//!    second and its rate), so a limit that bites for a minute is one finding.
//! 2. **Sheer volume** (kept from the first version): at least [`MIN_ATTEMPTS`] attempts from
//!    one source to any servers within [`WINDOW_NS`], with at least [`MIN_FAILED`] failed and a
//!    failed share of at least [`MIN_FAILED_SHARE`]. When the attempts spread over many ports of
//!    one server ([`SCAN_MIN_PORTS`]) it is told as the port scan it is.
//!
//! A source found by rule 1 is not reported again by rule 2. The `unanswered_syn` finding for
//! the same client → server:port links to this one ([`with_limited_paths`]) instead of telling the
//! "cannot tell from one side" story.

use super::render;
use super::text::{self, address, endpoint, frame_no};
use super::{Details, Finding, Kind, Severity};
use crate::capture::FileInfo;
use crate::connections::attempts::{Attempt, Attempts, Outcome};
use crate::flows::Flows;
use crate::index::PacketIndex;
use std::collections::HashMap;

/// Rule 1: a burst is the attempts whose first SYNs fall within 5 s. A client that opens
/// connections for many users at once does so within a second or two; 5 s also holds the
/// first retransmissions (1 s, 3 s) of the SYNs that were ignored.
pub const BURST_WINDOW_NS: i64 = 5_000_000_000;
/// Rule 1: at least 20 attempts to one server:port in the burst. A browser opens at most 6 per
/// host (HTTP/1.1) and a page load a few tens across many hosts; 20 to one service within
/// seconds is more than one person's client does.
pub const MIN_BURST_ATTEMPTS: usize = 20;
/// Rule 1: at least 6 troubled attempts: one or two lost SYNs on a lossy link are not a limit.
pub const MIN_TROUBLED: usize = 6;
/// Rule 1: troubled attempts make up at least 30% of the burst (light loss stays below it:
/// 5% packet loss delays about 5% of handshakes).
pub const MIN_TROUBLED_SHARE: f64 = 0.30;
/// Rule 1: the server answered the same source at least once while a troubled attempt waited.
pub const MIN_ANSWERED_MEANWHILE: usize = 1;

/// Rule 2: the sliding window for the volume rule.
pub const WINDOW_NS: i64 = 60_000_000_000;
/// Rule 2: attempts in the window — a busy desktop opens tens of connections a minute, a
/// browser page load rarely a hundred.
pub const MIN_ATTEMPTS: usize = 100;
/// Rule 2: failed attempts in the window.
pub const MIN_FAILED: usize = 10;
/// Rule 2: failed share of the window.
pub const MIN_FAILED_SHARE: f64 = 0.10;
/// Rule 2: attempts spread over at least this many ports of one server, none of them taking
/// more than [`SCAN_MAX_TOP_SHARE`] of the window, are a port scan.
pub const SCAN_MIN_PORTS: usize = 50;
/// Rule 2: see [`SCAN_MIN_PORTS`].
pub const SCAN_MAX_TOP_SHARE: f64 = 0.05;

/// One client → server:port that rule 1 found limited (address ids and port).
pub type Path = (u32, (u32, u16));

pub fn detect(index: &PacketIndex, flows: &Flows, _files: &[FileInfo]) -> Vec<Finding> {
    from_attempts(index, flows, &Attempts::collect(index, flows))
}

/// Both rules over the attempts: the findings, sorted by first frame.
pub fn from_attempts(index: &PacketIndex, flows: &Flows, attempts: &Attempts) -> Vec<Finding> {
    with_limited_paths(index, flows, attempts).0
}

/// [`from_attempts`], with the client → server:port paths rule 1 found limited (for
/// `unanswered_syn` to link to).
pub fn with_limited_paths(
    index: &PacketIndex,
    _flows: &Flows,
    attempts: &Attempts,
) -> (Vec<Finding>, Vec<Path>) {
    // A cheap first pass counts attempts per path and per source; only the attempts of a busy
    // path or source are looked at closely (a server capture may hold a million SYNs, nearly
    // all from clients that connect a few times).
    // Paths are counted by sorting them (12 bytes an attempt, once) rather than in a hash map,
    // which at millions of attempts took several times that and doubled on its way up. Only a
    // source with as many attempts as a busy path needs can have one, so only its attempts'
    // paths are sorted (a server's capture of many clients that connect a few times each sorts
    // next to none).
    let mut per_source: Vec<u32> = vec![0; index.addrs.len() + 1];
    for a in &attempts.list {
        if let Some(n) = per_source.get_mut(a.client().0 as usize) {
            *n = n.saturating_add(1);
        }
    }
    let attempts_of = |source: u32| per_source.get(source as usize).map_or(0, |&n| n as usize);
    let mut all_paths: Vec<Path> = attempts
        .list
        .iter()
        .filter(|a| attempts_of(a.client().0) >= MIN_BURST_ATTEMPTS)
        .map(|a| (a.client().0, a.server()))
        .collect();
    all_paths.sort_unstable();
    let busy_paths: Vec<Path> = all_paths
        .chunk_by(|x, y| x == y)
        .filter(|run| run.len() >= MIN_BURST_ATTEMPTS)
        .map(|run| run[0])
        .collect();
    drop(all_paths);
    let busy = |a: &Attempt| {
        busy_paths
            .binary_search(&(a.client().0, a.server()))
            .is_ok()
            || attempts_of(a.client().0) >= MIN_ATTEMPTS
    };
    let tries = tries(index, attempts, busy);
    let mut findings = Vec::new();
    let mut paths: Vec<Path> = Vec::new();
    for path in by_path(&tries) {
        if let Some(burst) = limited_burst(&path.tries) {
            paths.push((path.client, path.server));
            findings.push(limited_finding(index, &path, &burst));
        }
    }
    let mut limited_sources: Vec<u32> = paths.iter().map(|p| p.0).collect();
    limited_sources.sort_unstable();
    findings.extend(volume_findings(index, &tries, &limited_sources));
    crate::sort::sort_by_key(&mut findings, |f| f.first_frame());
    (findings, paths)
}

/// One attempt as both rules see it.
#[derive(Clone, Copy)]
struct Try<'a> {
    attempt: &'a Attempt,
    /// The first SYN's time.
    ts: i64,
    outcome: Outcome,
    /// Answered, but only after the client sent its SYN again.
    delayed: bool,
    /// When the first SYN-ACK came (answered attempts).
    answered_at: Option<i64>,
    /// Until when the client was waiting: its last SYN (or the answer, if it came).
    waiting_until: i64,
}

impl Try<'_> {
    fn troubled(&self) -> bool {
        self.outcome.failed() || self.delayed
    }
    fn first_syn(&self) -> u32 {
        self.attempt.first_syn()
    }
}

/// The attempts `wanted` picks, as the rules see them.
fn tries<'a>(
    index: &'a PacketIndex,
    attempts: &'a Attempts,
    wanted: impl Fn(&Attempt) -> bool,
) -> Vec<Try<'a>> {
    attempts
        .list
        .iter()
        .filter(|a| wanted(a))
        .filter_map(|a| {
            let outcome = a.outcome(index, attempts.capture_end);
            let ts = text::time_of(index, a.first_syn())?;
            let first_answer = a.synacks().first().copied();
            let delayed = outcome.answered()
                && first_answer
                    .zip(a.syns().get(1))
                    .is_some_and(|(ans, &second)| ans > second);
            let answered_at = first_answer.and_then(|f| text::time_of(index, f));
            let last_syn = a.syns().last().and_then(|&f| text::time_of(index, f));
            // An unanswered client waits at least one initial retransmission timeout.
            let waiting_until = match answered_at {
                Some(at) => at.max(ts),
                None => last_syn
                    .unwrap_or(ts)
                    .max(ts.saturating_add(crate::connections::attempts::MIN_WAIT_NS)),
            };
            Some(Try {
                attempt: a,
                ts,
                outcome,
                delayed,
                answered_at,
                waiting_until,
            })
        })
        .collect()
}

/// The attempts of one client → server:port, in order of first SYN.
struct PathTries<'a> {
    client: u32,
    server: (u32, u16),
    tries: Vec<Try<'a>>,
}

fn by_path<'a>(tries: &[Try<'a>]) -> Vec<PathTries<'a>> {
    let mut sorted = tries.to_vec();
    crate::sort::sort_by_key(&mut sorted, |t| {
        (
            t.attempt.client().0,
            t.attempt.server(),
            t.ts,
            t.first_syn(),
        )
    });
    sorted
        .chunk_by(|a, b| {
            (a.attempt.client().0, a.attempt.server()) == (b.attempt.client().0, b.attempt.server())
        })
        .filter(|list| list.len() >= MIN_BURST_ATTEMPTS)
        .map(|list| PathTries {
            client: list[0].attempt.client().0,
            server: list[0].attempt.server(),
            tries: list.to_vec(),
        })
        .collect()
}

/// An episode that rule 1 reports: `from..=to` in the path's tries.
struct Burst {
    from: usize,
    to: usize,
    /// Answered attempts whose SYN-ACK came while a troubled attempt of the episode waited.
    answered_meanwhile: Vec<usize>,
}

/// Rule 1 over one path. Every attempt starts a burst that holds the attempts up to
/// [`BURST_WINDOW_NS`] later; the bursts that meet the count and share thresholds, merged where
/// they overlap, are episodes of limiting (a limit that bites for a minute is one episode, not
/// twelve). The episode with the most troubled attempts is reported when the server answered
/// the same source meanwhile. Linear in the path's attempts (prefix sums and one sweep).
fn limited_burst(tries: &[Try<'_>]) -> Option<Burst> {
    let mut troubled_before = Vec::with_capacity(tries.len() + 1);
    troubled_before.push(0usize);
    for t in tries {
        let last = troubled_before.last().copied().unwrap_or(0);
        troubled_before.push(last + usize::from(t.troubled()));
    }
    let troubled_in = |from: usize, to: usize| troubled_before[to + 1] - troubled_before[from];
    let mut episodes: Vec<(usize, usize)> = Vec::new();
    let mut right = 0;
    for left in 0..tries.len() {
        right = right.max(left);
        while right + 1 < tries.len()
            && tries[right + 1].ts.saturating_sub(tries[left].ts) <= BURST_WINDOW_NS
        {
            right += 1;
        }
        let n = right + 1 - left;
        let troubled = troubled_in(left, right);
        if n < MIN_BURST_ATTEMPTS
            || troubled < MIN_TROUBLED
            || (troubled as f64) < MIN_TROUBLED_SHARE * n as f64
        {
            continue;
        }
        match episodes.last_mut() {
            Some(last) if left <= last.1 => last.1 = last.1.max(right),
            _ => episodes.push((left, right)),
        }
    }
    episodes
        .into_iter()
        .map(|(from, to)| Burst {
            from,
            to,
            answered_meanwhile: answered_meanwhile(&tries[from..=to], from),
        })
        .filter(|b| b.answered_meanwhile.len() >= MIN_ANSWERED_MEANWHILE)
        .max_by_key(|b| {
            (
                troubled_in(b.from, b.to),
                b.to + 1 - b.from,
                std::cmp::Reverse(b.from),
            )
        })
}

/// Indexes (into the path's tries) of the answered attempts whose first SYN-ACK came while a
/// troubled attempt of `window` was waiting for its own answer (a delayed attempt's own wait
/// ends at its answer, so it never counts for itself).
fn answered_meanwhile(window: &[Try<'_>], offset: usize) -> Vec<usize> {
    // Waits sorted by start, with the latest end among those started so far.
    let mut waits: Vec<(i64, i64)> = window
        .iter()
        .filter(|t| t.troubled())
        .map(|t| (t.ts, t.waiting_until))
        .collect();
    waits.sort_unstable();
    let mut latest_end = Vec::with_capacity(waits.len());
    let mut end = i64::MIN;
    for &(_, until) in &waits {
        end = end.max(until);
        latest_end.push(end);
    }
    window
        .iter()
        .enumerate()
        .filter(|(_, t)| t.outcome.answered())
        .filter(|(_, t)| {
            t.answered_at.is_some_and(|at| {
                let started = waits.partition_point(|&(from, _)| from <= at);
                started > 0 && latest_end[started - 1] > at
            })
        })
        .map(|(k, _)| offset + k)
        .collect()
}

/// The most attempts whose first SYNs fall within one second (and that second's first try).
fn busiest_second(tries: &[Try<'_>]) -> (usize, usize) {
    let mut best = (0, 0);
    let mut left = 0;
    for right in 0..tries.len() {
        while tries[right].ts.saturating_sub(tries[left].ts) >= 1_000_000_000 {
            left += 1;
        }
        if right + 1 - left > best.0 {
            best = (right + 1 - left, left);
        }
    }
    best
}

/// What rule 1 found about one episode: counts and frames, before any wording.
pub(crate) struct EpisodeFacts {
    pub host: String,
    pub server: String,
    pub attempts: usize,
    pub unanswered: usize,
    pub refused: usize,
    pub unreachable: usize,
    pub delayed: usize,
    pub answered_at_once: usize,
    /// Answered attempts whose SYN-ACK came while a troubled one waited, and the first few
    /// of those SYN-ACKs (1-based frames).
    pub meanwhile: usize,
    pub meanwhile_frames: Vec<u64>,
    pub span_ns: i64,
    /// The most first SYNs within one second, and the first of them (0-based frame).
    pub peak: usize,
    pub peak_from: u32,
    pub syns: u64,
    /// SYNs that got no SYN-ACK (an answered attempt's SYNs before its answer, less one).
    pub syns_unanswered: u64,
    pub synacks: u64,
    /// The first SYNs of the episode's first and last attempts (0-based frames).
    pub first: u32,
    pub last: u32,
    pub outside: usize,
    pub outside_troubled: usize,
    /// Every SYN and SYN-ACK of the episode.
    pub evidence: Vec<u32>,
}

impl EpisodeFacts {
    fn gather(index: &PacketIndex, path: &PathTries<'_>, burst: &Burst) -> Self {
        let window = &path.tries[burst.from..=burst.to];
        let (peak, peak_at) = busiest_second(window);
        let outside: Vec<&Try<'_>> = path.tries[..burst.from]
            .iter()
            .chain(&path.tries[burst.to + 1..])
            .collect();
        let mut evidence: Vec<u32> = Vec::new();
        for t in window {
            evidence.extend(t.attempt.syns().iter().copied());
            evidence.extend(t.attempt.synacks().iter().copied());
        }
        EpisodeFacts {
            host: address(index, path.client),
            server: endpoint(index, path.server),
            attempts: window.len(),
            unanswered: count(window, |t| t.outcome == Outcome::Unanswered),
            refused: count(window, |t| t.outcome == Outcome::Refused),
            unreachable: count(window, |t| t.outcome == Outcome::Unreachable),
            delayed: count(window, |t| t.delayed),
            answered_at_once: count(window, |t| t.outcome.answered() && !t.delayed),
            meanwhile: burst.answered_meanwhile.len(),
            meanwhile_frames: burst
                .answered_meanwhile
                .iter()
                .filter_map(|&k| path.tries.get(k))
                .filter_map(|t| t.attempt.synacks().first().map(|&f| frame_no(f)))
                .take(3)
                .collect(),
            span_ns: window
                .last()
                .zip(window.first())
                .map_or(0, |(l, f)| l.ts.saturating_sub(f.ts)),
            peak,
            peak_from: window.get(peak_at).map_or(0, |t| t.first_syn()),
            syns: window.iter().map(|t| t.attempt.syns().len() as u64).sum(),
            syns_unanswered: window.iter().map(unanswered_syns).sum(),
            synacks: window
                .iter()
                .map(|t| t.attempt.synacks().len() as u64)
                .sum(),
            first: window.first().map_or(0, |t| t.first_syn()),
            last: window.last().map_or(0, |t| t.first_syn()),
            outside_troubled: outside.iter().filter(|t| t.troubled()).count(),
            outside: outside.len(),
            evidence,
        }
    }

    fn failed(&self) -> usize {
        self.unanswered + self.refused + self.unreachable
    }

    fn rate_per_s(&self) -> f64 {
        self.attempts as f64 / (self.span_ns as f64 / 1e9).max(0.001)
    }
}

/// SYNs of one attempt that got no SYN-ACK: all of an unanswered one's; for an answered one,
/// those sent before its first SYN-ACK, less the one it answered.
fn unanswered_syns(t: &Try<'_>) -> u64 {
    if !t.outcome.answered() {
        return t.attempt.syns().len() as u64;
    }
    let answered = t.attempt.synacks().first().copied().unwrap_or(u32::MAX);
    let before = t.attempt.syns().iter().filter(|&&s| s < answered).count() as u64;
    before.saturating_sub(1)
}

fn limited_finding(index: &PacketIndex, path: &PathTries<'_>, burst: &Burst) -> Finding {
    let f = EpisodeFacts::gather(index, path, burst);
    let (verdict, explanation) = render::many_connections::limited(&f);
    let last_frame = f.evidence.iter().copied().max().unwrap_or(f.first);
    let details = Details::new()
        .with("rule", "partial_answers")
        .with("source", f.host.clone())
        .with("server", f.server.clone())
        .with("port", path.server.1)
        .with("attempts", f.attempts)
        .with("failed", f.failed())
        .with("unanswered", f.unanswered)
        .with("refused", f.refused)
        .with("unreachable", f.unreachable)
        .with("answered_after_retransmission", f.delayed)
        .with("answered_at_once", f.answered_at_once)
        .with("answered_meanwhile", f.meanwhile)
        .with("syns", f.syns)
        .with("syns_unanswered", f.syns_unanswered)
        .with("synacks", f.synacks)
        .with("window_s", text::seconds(f.span_ns))
        .with("rate_per_s", (f.rate_per_s() * 10.0).round() / 10.0)
        .with("busiest_second_attempts", f.peak)
        .with("first_frame", frame_no(f.first))
        .with("last_frame", frame_no(f.last))
        .with("outside_attempts", f.outside)
        .with("outside_troubled", f.outside_troubled)
        .with("threshold_burst_attempts", MIN_BURST_ATTEMPTS)
        .with("threshold_burst_window_s", text::seconds(BURST_WINDOW_NS))
        .with("threshold_troubled_share", MIN_TROUBLED_SHARE);
    let filter = format!(
        "{} && {} && tcp.port == {} && tcp.flags.syn == 1 && frame.number >= {} && frame.number <= {}",
        text::addr_filter(index, path.client),
        text::addr_filter(index, path.server.0),
        path.server.1,
        frame_no(f.first),
        frame_no(last_frame),
    );
    Finding::new(
        Kind::ManyConnectionsOneSource,
        Severity::Warning,
        verdict,
        explanation,
    )
    .evidence(f.evidence)
    .filter(filter)
    .details(details)
}

fn count(window: &[Try<'_>], pred: impl Fn(&Try<'_>) -> bool) -> usize {
    window.iter().filter(|t| pred(t)).count()
}

/// Rule 2: one finding per source (not already limited) whose busiest window holds enough
/// failed attempts.
fn volume_findings(index: &PacketIndex, tries: &[Try<'_>], limited: &[u32]) -> Vec<Finding> {
    // Address ids are dense: count attempts per source without hashing, and look closer only at
    // sources with enough attempts (a server capture may hold a million SYNs).
    let mut per_source: Vec<u32> = vec![0; index.addrs.len() + 1];
    for t in tries {
        if let Some(n) = per_source.get_mut(t.attempt.client().0 as usize) {
            *n = n.saturating_add(1);
        }
    }
    let busy = |client: u32| {
        per_source
            .get(client as usize)
            .is_some_and(|&n| n as usize >= MIN_ATTEMPTS)
            && limited.binary_search(&client).is_err()
    };
    let mut starts: Vec<&Try<'_>> = tries
        .iter()
        .filter(|t| busy(t.attempt.client().0))
        .collect();
    crate::sort::sort_by_key(&mut starts, |t| (t.attempt.client().0, t.ts, t.first_syn()));
    let mut findings = Vec::new();
    for run in starts.chunk_by(|a, b| a.attempt.client().0 == b.attempt.client().0) {
        if let Some((from, to, failed)) = worst_window(run) {
            findings.push(volume_finding(index, &run[from..=to], failed));
        }
    }
    findings
}

/// The busiest failing window of one source: `(from, to, failed)`.
fn worst_window(starts: &[&Try<'_>]) -> Option<(usize, usize, usize)> {
    let mut best: Option<(usize, usize, usize)> = None;
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
        let better = |&(f, t, bf): &(usize, usize, usize)| (failed, count) > (bf, t + 1 - f);
        if count >= MIN_ATTEMPTS && best.as_ref().is_none_or(better) {
            best = Some((left, right, failed));
        }
    }
    best.filter(|&(from, to, failed)| {
        let count = to + 1 - from;
        failed >= MIN_FAILED && failed as f64 >= MIN_FAILED_SHARE * count as f64
    })
}

/// What rule 2 found about one source's busiest window, before any wording.
pub(crate) struct VolumeFacts {
    /// The source's address.
    pub host: String,
    pub attempts: usize,
    pub failed: usize,
    pub unanswered: usize,
    /// Refused by RST or rejected by ICMP.
    pub refused: usize,
    pub span_ns: i64,
    pub rate_per_s: f64,
    /// The first SYNs of the window's first and last attempts (0-based frames).
    pub first: u32,
    pub last: u32,
    /// The busiest destination (endpoint) and its attempts; how many destinations.
    pub top: String,
    pub top_count: usize,
    pub destinations: usize,
    /// A port scan: the host scanned and how many of its ports.
    pub scan: Option<(String, usize)>,
}

impl VolumeFacts {
    fn gather(index: &PacketIndex, window: &[&Try<'_>], failed: usize) -> Self {
        let source = window.first().map_or(0, |t| t.attempt.client().0);
        let count = window.len();
        let span = window
            .last()
            .zip(window.first())
            .map_or(0, |(l, f)| l.ts.saturating_sub(f.ts));
        let mut per_server: HashMap<(u32, u16), usize> = HashMap::new();
        let mut hosts: HashMap<u32, usize> = HashMap::new();
        for s in window {
            *per_server.entry(s.attempt.server()).or_default() += 1;
            *hosts.entry(s.attempt.server().0).or_default() += 1;
        }
        let (top_server, top_count) = per_server
            .iter()
            .max_by_key(|(server, n)| (**n, std::cmp::Reverse(**server)))
            .map(|(s, n)| (*s, *n))
            .unwrap_or(((0, 0), 0));
        let (top_host, top_host_count) = hosts
            .iter()
            .max_by_key(|(h, n)| (**n, std::cmp::Reverse(**h)))
            .map(|(h, n)| (*h, *n))
            .unwrap_or((0, 0));
        let scan = per_server.len() >= SCAN_MIN_PORTS
            && (top_count as f64) <= SCAN_MAX_TOP_SHARE * count as f64
            && top_host_count * 2 > count;
        VolumeFacts {
            host: address(index, source),
            attempts: count,
            failed,
            unanswered: window
                .iter()
                .filter(|s| s.outcome == Outcome::Unanswered)
                .count(),
            refused: window
                .iter()
                .filter(|s| matches!(s.outcome, Outcome::Refused | Outcome::Unreachable))
                .count(),
            span_ns: span,
            rate_per_s: count as f64 / (span as f64 / 1e9).max(0.001),
            first: window.first().map_or(0, |s| s.first_syn()),
            last: window.last().map_or(0, |s| s.first_syn()),
            top: endpoint(index, top_server),
            top_count,
            destinations: per_server.len(),
            scan: scan.then(|| {
                let ports = window
                    .iter()
                    .filter(|s| s.attempt.server().0 == top_host)
                    .map(|s| s.attempt.server().1)
                    .collect::<std::collections::BTreeSet<u16>>()
                    .len();
                (address(index, top_host), ports)
            }),
        }
    }
}

fn volume_finding(index: &PacketIndex, window: &[&Try<'_>], failed: usize) -> Finding {
    let source = window.first().map_or(0, |t| t.attempt.client().0);
    let f = VolumeFacts::gather(index, window, failed);
    let (verdict, explanation) = render::many_connections::volume(&f);
    // The first SYN of every attempt counted (the filter adds any resent ones).
    let frames: Vec<u32> = window.iter().map(|s| s.first_syn()).collect();
    let details = Details::new()
        .with(
            "rule",
            if f.scan.is_some() {
                "port_scan"
            } else {
                "volume"
            },
        )
        .with("source", f.host.clone())
        .with("attempts", f.attempts)
        .with("failed", failed)
        .with("unanswered", f.unanswered)
        .with("refused", f.refused)
        .with("failed_share", failed as f64 / f.attempts.max(1) as f64)
        .with("window_s", text::seconds(f.span_ns))
        .with("rate_per_s", (f.rate_per_s * 10.0).round() / 10.0)
        .with("top_destination", f.top.clone())
        .with("top_destination_attempts", f.top_count)
        .with("destinations", f.destinations)
        .with("first_frame", frame_no(f.first))
        .with("last_frame", frame_no(f.last))
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
        "{} && tcp.flags.syn == 1 && tcp.flags.ack == 0 && frame.number >= {} && frame.number <= {}",
        text::src_filter(index, source),
        frame_no(f.first),
        frame_no(f.last),
    ))
    .details(details)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connections::attempts::tests::{index_of, tcp};
    use crate::connections::attempts::{ACK, SYN};
    use crate::index::PacketRecord;

    /// `n` attempts from one source 100 ms apart, attempt k to `server(k)`; every
    /// `fail_every`-th gets no answer (its SYN is sent again 1 ms later, so it counts as
    /// unanswered), the others a SYN-ACK 1 ms later.
    fn flood_to(n: u16, fail_every: u16, server: impl Fn(u16) -> (u32, u16)) -> Vec<PacketRecord> {
        let mut records = Vec::new();
        for k in 0..n {
            let c = (1, 10000 + k);
            let t = i64::from(k) * 100;
            records.push(tcp(t, c, server(k), u32::from(k), 0, SYN, 0));
            if fail_every > 0 && k % fail_every == 0 {
                records.push(tcp(t + 1, c, server(k), u32::from(k), 0, SYN, 0));
            } else {
                records.push(tcp(t + 1, server(k), c, 7, u32::from(k) + 1, SYN | ACK, 0));
            }
        }
        records
    }

    fn flood(n: u16, fail_every: u16) -> Vec<PacketRecord> {
        flood_to(n, fail_every, |_| (2, 443))
    }

    /// An index whose address ids 4.. are the hosts 10.9.0.0, 10.9.0.1, …
    fn with_hosts(records: Vec<PacketRecord>, hosts: u32) -> (PacketIndex, Flows) {
        let (mut index, _) = index_of(records);
        for n in 0..hosts {
            index
                .addrs
                .intern(format!("10.9.{}.{}", n / 256, n % 256).parse().unwrap());
        }
        let flows = Flows::build(&index);
        (index, flows)
    }

    #[test]
    fn a_nat_flood_to_one_server_is_the_limiting_signature() {
        let (index, flows) = index_of(flood(300, 3));
        let findings = detect(&index, &flows, &[]);
        // One source, one path: one finding.
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        // 300 attempts 100 ms apart: first SYNs at 0 … 299 × 100 = 29 900 ms → 29.9 s; k = 0, 3,
        // …, 297 (300 / 3 = 100) never answered while the others were answered 1 ms after their
        // SYN, within the 1 s the failed ones waited.
        assert_eq!(
            f.verdict,
            "10.0.0.1 → 10.0.0.2:443: the server answered only part of 300 connection attempts \
             made in 29.9 s (100 never answered), while it kept answering the same source — the \
             pattern of a per-source connection limit."
        );
        let d = |k: &str| f.details.get(k).and_then(|v| v.as_i64());
        // 300 attempts, 100 unanswered (above), 300 − 100 = 200 answered.
        assert_eq!(
            (d("attempts"), d("unanswered"), d("answered_meanwhile")),
            (Some(300), Some(100), Some(200))
        );
        // Every record is a SYN or a SYN-ACK of the episode: 2 records × 300 attempts = 600.
        assert_eq!(f.frames.len(), 600);
        // Addresses 1 and 2 are 10.0.0.1, 10.0.0.2; frames 1-based: records 0 … 599 are
        // frames 1 … 600.
        assert_eq!(
            f.filter,
            "ip.addr == 10.0.0.1 && ip.addr == 10.0.0.2 && tcp.port == 443 && tcp.flags.syn == 1 && frame.number >= 1 && frame.number <= 600"
        );
    }

    #[test]
    fn many_failing_connections_to_many_servers_are_told_by_volume() {
        // 300 attempts to 50 servers (6 each, so no path reaches 20): rule 2.
        let (index, flows) = with_hosts(flood_to(300, 3, |k| (4 + u32::from(k % 50), 443)), 50);
        let findings = detect(&index, &flows, &[]);
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        // First SYNs at 0 … 29 900 ms → 29.9 s; every third fails: 100 of 300 = 33.3% → 33%.
        assert_eq!(
            f.verdict,
            "10.0.0.1 opened 300 connections in 29.9 s; 33% of them failed (100 never answered)."
        );
        // 300 / 50 = 6 attempts per server; on a tie the lowest address id is named: id 4, the
        // first interned host, 10.9.0.0; 50 − 1 = 49 others.
        assert!(
            f.explanation
                .contains("6 of them went to 10.9.0.0:443, the rest to 49 other destinations."),
            "{}",
            f.explanation
        );
        // The last attempt, k = 299 (299 % 3 = 2: answered), has its SYN at record 2 × 299 = 598,
        // frame 599 (1-based); the first SYN is frame 1.
        assert_eq!(
            f.filter,
            "ip.src == 10.0.0.1 && tcp.flags.syn == 1 && tcp.flags.ack == 0 && frame.number >= 1 && frame.number <= 599"
        );
        // The first SYN of every attempt: frames 1, 3, 5, … (2 records each).
        assert_eq!(f.frames.len(), 300);
        assert_eq!(f.frames[..3], [1, 3, 5]);
        // k = 0, 3, …, 297: 100 failed.
        assert_eq!(f.details.get("failed").and_then(|d| d.as_i64()), Some(100));
    }

    #[test]
    fn a_port_scan_is_told_as_one() {
        // 300 ports of one host (1 … 300), every one silent (fail_every 1: k % 1 == 0 for all).
        let (index, flows) = index_of(flood_to(300, 1, |k| (2, 1 + k)));
        let findings = detect(&index, &flows, &[]);
        assert_eq!(findings.len(), 1);
        // 300 attempts 100 ms apart → 29.9 s; 300 of 300 failed → 100%.
        assert_eq!(
            findings[0].verdict,
            "10.0.0.1 probed 300 ports of 10.0.0.2 in 29.9 s (300 connection attempts; 100% of \
             them failed: 300 never answered) — a port scan."
        );
    }

    #[test]
    fn many_healthy_connections_or_few_failures_are_not_a_flood() {
        let (index, flows) = index_of(flood(300, 0));
        assert!(detect(&index, &flows, &[]).is_empty());
        // 8 of 300 failed (k = 0, 40, …, 280): under both rules' counts and shares.
        let (index, flows) = index_of(flood(300, 40));
        assert!(detect(&index, &flows, &[]).is_empty());
        // 60 attempts spread over 20 servers (60 / 20 = 3 each), half failing: no path of 20,
        // not 100 in all.
        let (index, flows) = with_hosts(flood_to(60, 2, |k| (4 + u32::from(k % 20), 443)), 20);
        assert!(detect(&index, &flows, &[]).is_empty());
    }

    /// `n` attempts from one source within one second (25 ms apart) to one server: attempt k
    /// is answered at once when `answer(k)` is `Some(0)`, after `r` SYN retransmissions when
    /// `Some(r)`, and never (7 SYNs, 1 s, 3 s, 7 s… apart) when `None`.
    fn burst(n: u16, answer: impl Fn(u16) -> Option<u32>) -> Vec<PacketRecord> {
        let server = (2, 443);
        let backoff = [0i64, 1000, 3000, 7000, 15000, 31000, 63000];
        let mut records = Vec::new();
        for k in 0..n {
            let c = (1, 20000 + k);
            let t0 = i64::from(k) * 25;
            let isn = u32::from(k) * 1000;
            let syns = match answer(k) {
                Some(r) => r as usize + 1,
                None => backoff.len(),
            };
            for b in &backoff[..syns] {
                records.push(tcp(t0 + b, c, server, isn, 0, SYN, 0));
            }
            if answer(k).is_some() {
                let at = t0 + backoff[syns - 1] + 2;
                records.push(tcp(at, server, c, 9, isn + 1, SYN | ACK, 0));
                records.push(tcp(at + 1, c, server, isn + 1, 10, ACK, 0));
            }
        }
        records.sort_by_key(|r| r.ts_ns);
        records
    }

    /// The held-out case: 40 attempts within one second; the first 5 answered at once, 20
    /// answered after one retransmission, 15 never answered (7 SYNs each): 5 + 40 + 105 = 150
    /// SYNs, of which 20 + 105 = 125 got no SYN-ACK.
    fn limited(k: u16) -> Option<u32> {
        match k {
            0..=4 => Some(0),
            _ if matches!((k - 5) % 7, 0 | 3 | 5) => None,
            _ => Some(1),
        }
    }

    #[test]
    fn a_source_limited_in_a_burst_is_named_with_its_evidence() {
        let records = burst(40, limited);
        let never = (0..40u16).filter(|&k| limited(k).is_none()).count();
        // k = 5 … 39 is 35 values, 5 blocks of 7 with 3 silent each (offsets 0, 3, 5): 15.
        assert_eq!(never, 15, "the scenario as described");
        let (index, flows) = index_of(records);
        let findings = detect(&index, &flows, &[]);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = &findings[0];
        // First SYNs 25 ms apart: 0 … 39 × 25 = 975 ms; 15 never answered (above), 35 − 15 = 20
        // answered after one retransmission.
        assert_eq!(
            f.verdict,
            "10.0.0.1 → 10.0.0.2:443: the server answered only part of 40 connection attempts \
             made in 975 ms (15 never answered and 20 answered only after the SYN was sent \
             again), while it kept answering the same source — the pattern of a per-source \
             connection limit."
        );
        let d = |k: &str| f.details.get(k).and_then(|v| v.as_i64());
        // From `limited` (see its comment): 40 = 5 at once + 20 after one resend + 15 never;
        // SYNs 5 × 1 + 20 × 2 + 15 × 7 = 150; without SYN-ACK 20 × 1 + 15 × 7 = 125; SYN-ACKs
        // 5 + 20 = 25; all 40 first SYNs fall in 0 … 975 ms, one second.
        assert_eq!(d("attempts"), Some(40));
        assert_eq!(d("unanswered"), Some(15));
        assert_eq!(d("answered_after_retransmission"), Some(20));
        assert_eq!(d("answered_at_once"), Some(5));
        assert_eq!(d("syns"), Some(150));
        assert_eq!(d("syns_unanswered"), Some(125));
        assert_eq!(d("synacks"), Some(25));
        assert_eq!(d("busiest_second_attempts"), Some(40));
        // Every SYN and SYN-ACK of the burst is evidence (not the ACKs): 150 + 25 = 175.
        assert_eq!(f.frames.len(), 175);
        assert!(f.explanation.contains("flood mitigation"));
        assert!(f.explanation.contains("NAT"));
        assert!(f
            .explanation
            .contains("Of the 150 SYNs sent for them, 125 got no SYN-ACK."));
        assert!(!f.explanation.contains("seed"));
        // Client address 1 (10.0.0.1), server address 2 port 443, as built.
        assert_eq!(
            with_limited_paths(&index, &flows, &Attempts::collect(&index, &flows)).1,
            vec![(1, (2, 443))]
        );
    }

    #[test]
    fn a_burst_whose_troubles_stay_below_each_threshold_is_quiet() {
        // Six parallel connections of a browser, all answered.
        let (index, flows) = index_of(burst(6, |_| Some(0)));
        assert!(detect(&index, &flows, &[]).is_empty());
        // 19 attempts (one short of MIN_BURST_ATTEMPTS), the odd k = 1, 3, …, 17 (9) never
        // answered: 9 ≥ MIN_TROUBLED and 9 / 19 = 47% ≥ 30%, so only the count keeps it quiet.
        let (index, flows) = index_of(burst(19, |k| (k % 2 == 0).then_some(0)));
        assert!(detect(&index, &flows, &[]).is_empty());
        // 20 attempts, the odd k = 1, 3, …, 19 (10) never answered: found.
        let (index, flows) = index_of(burst(20, |k| (k % 2 == 0).then_some(0)));
        assert_eq!(detect(&index, &flows, &[]).len(), 1);
        // 40 attempts, 5 troubled (k = 7, 15, 23, 31, 39; MIN_TROUBLED is 6): light loss.
        let (index, flows) = index_of(burst(40, |k| if k % 8 == 7 { Some(1) } else { Some(0) }));
        assert!(detect(&index, &flows, &[]).is_empty());
        // 40 attempts, 11 troubled (k < 11; 11 / 40 = 27.5% < 30%).
        let (index, flows) = index_of(burst(40, |k| if k < 11 { Some(1) } else { Some(0) }));
        assert!(detect(&index, &flows, &[]).is_empty());
        // 40 attempts, 12 troubled (k < 12; 12 / 40 = 30%): found.
        let (index, flows) = index_of(burst(40, |k| if k < 12 { Some(1) } else { Some(0) }));
        assert_eq!(detect(&index, &flows, &[]).len(), 1);
        // A server that answers nothing at all is down, not limiting: unanswered_syn's story.
        let (index, flows) = index_of(burst(40, |_| None));
        assert!(detect(&index, &flows, &[]).is_empty());
    }
}
