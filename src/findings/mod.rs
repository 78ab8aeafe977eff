//! Diagnosis: plain-language findings that say what went wrong in a capture, with the frames that
//! prove it and a Wireshark display filter that shows them.
//!
//! Every detector is a module with one job and one entry point,
//! `detect(&PacketIndex, &Flows, &[FileInfo]) -> Vec<Finding>`; [`run_all`] runs them all (sharing
//! the per-connection work in [`attempts`]) and orders the result by severity, then by first
//! evidence frame. Detectors read the packet index only, never the capture bytes, and never panic
//! on hostile input: every number they print comes from the index, every text from the capture is
//! cleaned first ([`text::clean`]). A detector classifies and gathers plain facts (counts,
//! frames, endpoints, durations, the classification); the sentences of every finding are written
//! from those facts in one place, the `render` module (one file per detector).
//!
//! Kinds: `handshake_ack_mismatch`, `synack_with_payload`, `unanswered_syn`,
//! `connection_refused`, `many_connections_one_source`, `slow_response`, `reset`,
//! `retransmissions`, `zero_window`, `bad_checksum`, `truncated_frames`, `capture_quality` and
//! `markers`. [`report`] turns a list of findings into Markdown or JSON for a support case.
//!
//! The detectors that read TCP's sequence analysis (`slow_response`, `reset`, `retransmissions`,
//! `zero_window`) share one scan of the index with the connection attempts ([`streams`]) and
//! take the [`TcpAnalysis`] too;
//! `bad_checksum` reads the checksum side table the analyzer fills while indexing when asked to
//! ([`crate::analyzer::Analyzer::set_checksum_validation`]). [`run_all_with`] takes the
//! analysis the caller already has and the tunable [`Options`].

pub mod bad_checksum;
pub mod capture_quality;
pub mod connection_refused;
pub mod handshake_ack_mismatch;
pub mod html;
pub mod many_connections_one_source;
pub mod markers;
pub(crate) mod render;
pub mod report;
pub mod reset;
pub mod retransmissions;
pub mod slow_response;
pub mod streams;
pub mod synack_with_payload;
pub mod text;
pub mod truncated_frames;
pub mod unanswered_syn;
pub mod zero_window;

use crate::capture::FileInfo;
use crate::flows::Flows;
use crate::index::PacketIndex;
use crate::tcp::TcpAnalysis;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// How bad a finding is. Ordered: errors first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Something broke: a connection failed and the packets show why.
    Error,
    /// Something is wrong or suspicious and likely matters.
    Warning,
    /// Worth knowing when reading the capture (markers, how it was taken).
    Note,
}

impl Severity {
    /// A warning when `warning` holds, else a note.
    pub fn warning_if(warning: bool) -> Self {
        if warning {
            Severity::Warning
        } else {
            Severity::Note
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// The stable name of a finding's kind (`kind` in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    HandshakeAckMismatch,
    SynackWithPayload,
    UnansweredSyn,
    ConnectionRefused,
    ManyConnectionsOneSource,
    SlowResponse,
    Reset,
    Retransmissions,
    ZeroWindow,
    BadChecksum,
    TruncatedFrames,
    CaptureQuality,
    Markers,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::HandshakeAckMismatch => "handshake_ack_mismatch",
            Kind::SynackWithPayload => "synack_with_payload",
            Kind::UnansweredSyn => "unanswered_syn",
            Kind::ConnectionRefused => "connection_refused",
            Kind::ManyConnectionsOneSource => "many_connections_one_source",
            Kind::SlowResponse => "slow_response",
            Kind::Reset => "reset",
            Kind::Retransmissions => "retransmissions",
            Kind::ZeroWindow => "zero_window",
            Kind::BadChecksum => "bad_checksum",
            Kind::TruncatedFrames => "truncated_frames",
            Kind::CaptureQuality => "capture_quality",
            Kind::Markers => "markers",
        }
    }
}

/// One value in a finding's `details`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Detail {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    List(Vec<Detail>),
}

/// A detail as the reports print it: `none`, numbers and text as they are, lists in brackets.
impl std::fmt::Display for Detail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Detail::Null => f.write_str("none"),
            Detail::Bool(b) => write!(f, "{b}"),
            Detail::Int(i) => write!(f, "{i}"),
            Detail::Float(x) => write!(f, "{x}"),
            Detail::Text(t) => f.write_str(t),
            Detail::List(items) => {
                f.write_str("[")?;
                for (n, item) in items.iter().enumerate() {
                    if n > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
        }
    }
}

impl Detail {
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Detail::Int(v) => Some(*v),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Detail::Float(v) => Some(*v),
            Detail::Int(v) => Some(*v as f64),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Detail::Text(v) => Some(v),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Detail::Bool(v) => Some(*v),
            _ => None,
        }
    }
    pub fn as_list(&self) -> Option<&[Detail]> {
        match self {
            Detail::List(v) => Some(v),
            _ => None,
        }
    }
}

/// `From` for the types a detail holds: flags, numbers (integers widened losslessly to `i64`, or
/// saturated past `i64::MAX`) and text.
macro_rules! detail_from {
    (saturating: $($t:ty),*) => {$(
        impl From<$t> for Detail {
            fn from(v: $t) -> Self {
                Detail::Int(i64::try_from(v).unwrap_or(i64::MAX))
            }
        }
    )*};
    ($variant:ident: $($t:ty),*) => {$(
        impl From<$t> for Detail {
            fn from(v: $t) -> Self {
                Detail::$variant(v.into())
            }
        }
    )*};
}
detail_from!(Bool: bool);
detail_from!(Int: i64, i32, u32, u16, u8);
detail_from!(saturating: u64, usize);
detail_from!(Float: f64);
detail_from!(Text: &str, String);
impl<T: Into<Detail>> From<Option<T>> for Detail {
    fn from(v: Option<T>) -> Self {
        v.map_or(Detail::Null, Into::into)
    }
}
impl<T: Into<Detail>> From<Vec<T>> for Detail {
    fn from(v: Vec<T>) -> Self {
        Detail::List(v.into_iter().map(Into::into).collect())
    }
}

/// The kind's numbers (expected/actual ACK, delays, counts…), in a stable key order; serialized
/// as a JSON object.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Details(Vec<(&'static str, Detail)>);

impl Details {
    pub fn new() -> Self {
        Details::default()
    }
    /// Adds (or replaces) `key`.
    pub fn with(mut self, key: &'static str, value: impl Into<Detail>) -> Self {
        self.set(key, value);
        self
    }
    pub fn set(&mut self, key: &'static str, value: impl Into<Detail>) {
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }
    pub fn get(&self, key: &str) -> Option<&Detail> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Detail)> {
        self.0.iter().map(|(k, v)| (*k, v))
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The details that have a value, as the reports print them: `key = value; key = value`.
    pub fn stated(&self) -> String {
        let stated: Vec<String> = self
            .iter()
            .filter(|(_, v)| **v != Detail::Null)
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        stated.join("; ")
    }
}

impl Serialize for Details {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// At most this many evidence frames are listed per finding. Past it the list is cut explicitly:
/// [`Finding::frames_total`] keeps the full count and the finding's filter selects every one of
/// them (a port scan of a million SYNs stays a readable report). Every count a finding states is
/// a count of its evidence, never of the listed part.
pub const MAX_EVIDENCE_FRAMES: usize = 10_000;

/// One diagnosis: what went wrong, how sure we are, and the frames that prove it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub kind: Kind,
    pub severity: Severity,
    /// One sentence naming hosts, ports and numbers.
    pub verdict: String,
    /// What the packets show, what it usually means, what to check next.
    pub explanation: String,
    /// Evidence frame numbers (1-based, ascending): all of them, or the first
    /// [`MAX_EVIDENCE_FRAMES`] when `frames_total` is larger.
    pub frames: Vec<u64>,
    /// How many evidence frames there are (equal to `frames.len()` unless the list was cut).
    pub frames_total: u64,
    /// `tcp.stream` when the finding is about one TCP stream.
    pub stream: Option<u32>,
    /// A Wireshark display filter that isolates it.
    pub filter: String,
    pub details: Details,
}

impl Finding {
    /// A finding with its evidence frames given as 0-based frame indexes (sorted, deduplicated and
    /// capped here).
    pub fn new(kind: Kind, severity: Severity, verdict: String, explanation: String) -> Self {
        Finding {
            kind,
            severity,
            verdict,
            explanation,
            frames: Vec::new(),
            frames_total: 0,
            stream: None,
            filter: String::new(),
            details: Details::new(),
        }
    }
    /// A finding worded by its `render` module's `(verdict, explanation)`.
    pub(crate) fn worded(
        kind: Kind,
        severity: Severity,
        (verdict, explanation): (String, String),
    ) -> Self {
        Finding::new(kind, severity, verdict, explanation)
    }
    /// Sets the evidence from 0-based frame indexes.
    pub fn evidence(mut self, frame_indexes: impl IntoIterator<Item = u32>) -> Self {
        let mut frames: Vec<u64> = frame_indexes
            .into_iter()
            .map(|i| u64::from(i) + 1)
            .collect();
        frames.sort_unstable();
        frames.dedup();
        self.frames_total = frames.len() as u64;
        frames.truncate(MAX_EVIDENCE_FRAMES);
        self.frames = frames;
        self
    }
    /// Whether the evidence list was cut at [`MAX_EVIDENCE_FRAMES`] (`frames_total` has the
    /// full count and `filter` selects them all).
    pub fn frames_cut(&self) -> bool {
        self.frames_total > self.frames.len() as u64
    }
    pub fn stream(mut self, stream: Option<u32>) -> Self {
        self.stream = stream;
        self
    }
    pub fn filter(mut self, filter: impl Into<String>) -> Self {
        self.filter = filter.into();
        self
    }
    pub fn details(mut self, details: Details) -> Self {
        self.details = details;
        self
    }
    /// The first evidence frame (1-based), if any.
    pub fn first_frame(&self) -> Option<u64> {
        self.frames.first().copied()
    }
}

/// Orders findings by severity (errors first), then first evidence frame (findings without frames
/// last), then kind, so the output is stable.
pub fn sort_findings(findings: &mut [Finding]) {
    crate::sort::sort_by(findings, |a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| {
                let key = |f: &Finding| f.first_frame().unwrap_or(u64::MAX);
                key(a).cmp(&key(b))
            })
            .then_with(|| a.kind.cmp(&b.kind))
    });
}

/// Tunable thresholds of the detectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// `slow_response`: a server that takes at least this long (nanoseconds) from a request to
    /// its first response data gets a finding (default 1 s).
    pub slow_response_ns: i64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            slow_response_ns: slow_response::DEFAULT_THRESHOLD_NS,
        }
    }
}

/// Runs every detector over one analysis and orders the findings (the TCP sequence analysis is
/// computed here; use [`run_all_with`] when the caller has it already).
pub fn run_all(index: &PacketIndex, flows: &Flows, files: &[FileInfo]) -> Vec<Finding> {
    let tcp = streams::tcp_analysis(index, flows);
    run_all_with(index, flows, &tcp, files, &Options::default())
}

/// Runs every detector with the caller's TCP analysis and options, and orders the findings.
pub fn run_all_with(
    index: &PacketIndex,
    flows: &Flows,
    tcp: &TcpAnalysis,
    files: &[FileInfo],
    options: &Options,
) -> Vec<Finding> {
    run_stages(index, flows, tcp, files, options, &mut |_| {})
}

/// [`run_all_with`], calling `stage` with a name after each stage (the command line times them
/// with it; the library itself never reads a clock, which the browser build lacks).
pub fn run_stages(
    index: &PacketIndex,
    flows: &Flows,
    tcp: &TcpAnalysis,
    files: &[FileInfo],
    options: &Options,
    stage: &mut dyn FnMut(&'static str),
) -> Vec<Finding> {
    // The connection attempts, their detectors, then the TCP streams' facts in a second scan:
    // one shared scan would be a little quicker, but the two would then be held at once, and
    // at twenty million frames that is what decides whether the page has room (about 10
    // bytes a frame).
    let attempts = crate::connections::attempts::Attempts::collect(index, flows);
    stage("attempts");
    let mut findings = Vec::new();
    findings.extend(handshake_ack_mismatch::from_attempts(
        index, flows, &attempts,
    ));
    findings.extend(synack_with_payload::from_attempts(index, flows, &attempts));
    let (many, limited) = many_connections_one_source::with_limited_paths(index, flows, &attempts);
    findings.extend(unanswered_syn::from_attempts_linked(
        index, flows, &attempts, &limited,
    ));
    findings.extend(connection_refused::from_attempts(index, flows, &attempts));
    findings.extend(many);
    // Streams whose trouble the handshake_ack_mismatch finding already explains (sorted).
    let explained = attempts.ack_mismatch_streams();
    drop(attempts);
    stage("handshake detectors");
    let streams = streams::TcpStreams::collect(index, flows, tcp, options.slow_response_ns);
    stage("tcp streams");
    findings.extend(slow_response::from_streams(
        index, flows, tcp, &streams, options,
    ));
    findings.extend(reset::from_streams(index, flows, &streams, &explained));
    findings.extend(retransmissions::from_streams(
        index, flows, &streams, &explained,
    ));
    findings.extend(zero_window::from_streams(index, flows, &streams));
    stage("tcp detectors");
    findings.extend(bad_checksum::detect(index, flows, files));
    stage("bad_checksum");
    findings.extend(truncated_frames::detect(index, flows, files));
    findings.extend(capture_quality::detect(index, flows, files));
    findings.extend(markers::detect(index, flows, files));
    stage("capture detectors");
    sort_findings(&mut findings);
    findings
}

/// How many of `count` items a detector that shows at most `max` findings lists one by one: all
/// of them when they fit, else `max - 1`, so that one more finding can sum up the rest.
pub(crate) fn listed_one_by_one(count: usize, max: usize) -> usize {
    if count > max {
        max - 1
    } else {
        max
    }
}

/// The findings of a detector that shows at most `max`: one per item (`each`) while they fit,
/// else the first [`listed_one_by_one`] that way and one more (`rest`) summing up the others.
pub(crate) fn one_by_one_then_rest<T>(
    items: &[T],
    max: usize,
    each: impl FnMut(&T) -> Finding,
    rest: impl FnOnce(&[T]) -> Finding,
) -> Vec<Finding> {
    let keep = listed_one_by_one(items.len(), max);
    let mut findings: Vec<Finding> = items.iter().take(keep).map(each).collect();
    if items.len() > keep {
        findings.push(rest(&items[keep..]));
    }
    findings
}

/// Narrows findings to a set of frames (a display filter's selection, 0-based indexes in
/// ascending order): keeps the findings with at least one evidence frame in the set, and those
/// without evidence frames (facts about the whole capture). The detectors still ran over the
/// whole capture — as tshark's `-Y` chooses what is shown, not what the TCP analysis sees — so
/// every number, frame and stream in the kept findings is the full capture's.
pub fn retain_matching(findings: &mut Vec<Finding>, selected: &[u32]) {
    findings.retain(|f| {
        f.frames.is_empty()
            || f.frames.iter().any(|&no| {
                no.checked_sub(1)
                    .and_then(|i| u32::try_from(i).ok())
                    .is_some_and(|i| selected.binary_search(&i).is_ok())
            })
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(severity: Severity, frames: Vec<u32>, kind: Kind) -> Finding {
        Finding::new(kind, severity, String::new(), String::new()).evidence(frames)
    }

    #[test]
    fn past_the_limit_the_last_finding_sums_up_the_rest() {
        let one = |&n: &u32| finding(Severity::Warning, vec![n], Kind::Reset);
        let rest = |r: &[u32]| finding(Severity::Note, r.to_vec(), Kind::Reset);
        // 3 items fit in 3: one finding each.
        let fits = one_by_one_then_rest(&[0, 1, 2], 3, one, rest);
        assert_eq!(fits.len(), 3);
        assert!(fits.iter().all(|f| f.severity == Severity::Warning));
        // 5 items, at most 3: items 0 and 1 one by one (3 − 1 = 2), then items 2, 3, 4
        // (frames 3, 4, 5) in the summary.
        let cut = one_by_one_then_rest(&[0, 1, 2, 3, 4], 3, one, rest);
        assert_eq!(cut.len(), 3);
        assert_eq!(cut[1].frames, [2]);
        assert_eq!(cut[2].frames, [3, 4, 5]);
        assert_eq!(Severity::warning_if(true), Severity::Warning);
        assert_eq!(Severity::warning_if(false), Severity::Note);
    }

    #[test]
    fn stated_details_leave_out_the_absent_ones() {
        let d = Details::new()
            .with("port", 80u16)
            .with("rst", None::<u32>)
            .with("hosts", vec!["a", "b"]);
        assert_eq!(d.stated(), "port = 80; hosts = [a, b]");
        assert_eq!(Details::new().with("rst", None::<u32>).stated(), "");
        // u64 past i64::MAX saturates.
        assert_eq!(Detail::from(u64::MAX), Detail::Int(i64::MAX));
    }

    #[test]
    fn findings_sort_by_severity_then_first_frame() {
        let mut list = vec![
            finding(Severity::Note, vec![0], Kind::Markers),
            finding(Severity::Warning, vec![], Kind::CaptureQuality),
            finding(Severity::Error, vec![9], Kind::HandshakeAckMismatch),
            finding(Severity::Warning, vec![3, 1], Kind::UnansweredSyn),
        ];
        sort_findings(&mut list);
        let order: Vec<Kind> = list.iter().map(|f| f.kind).collect();
        // Error first; of the two warnings, first frame 2 (indexes 3, 1 → frames 4, 2) comes
        // before one without frames (sorted last); the note last.
        assert_eq!(
            order,
            vec![
                Kind::HandshakeAckMismatch,
                Kind::UnansweredSyn,
                Kind::CaptureQuality,
                Kind::Markers
            ]
        );
        // Indexes [3, 1], 1-based and sorted: [2, 4].
        assert_eq!(list[1].frames, vec![2, 4]);
    }

    #[test]
    fn evidence_is_one_based_sorted_deduplicated_and_cut_explicitly() {
        let f = finding(
            Severity::Note,
            (0..MAX_EVIDENCE_FRAMES as u32 + 200)
                .rev()
                .chain([5])
                .collect(),
            Kind::Markers,
        );
        // Indexes 0 … MAX + 199 (MAX + 200 distinct; the extra 5 is a duplicate), kept: MAX.
        assert_eq!(f.frames.len(), MAX_EVIDENCE_FRAMES);
        assert_eq!(f.frames_total, MAX_EVIDENCE_FRAMES as u64 + 200);
        assert!(f.frames_cut());
        // The smallest index, 0, is frame 1.
        assert_eq!(f.frames[0], 1);
        let whole = finding(Severity::Note, vec![9, 3, 3], Kind::Markers);
        // Indexes {3, 9} (3 twice) → frames 4, 10: two distinct.
        assert_eq!((whole.frames.clone(), whole.frames_total), (vec![4, 10], 2));
        assert!(!whole.frames_cut());
        assert!(f.frames.windows(2).all(|w| w[0] < w[1]));
    }

    /// Random records (any flags, protocols, lengths, times, address ids in and out of the
    /// table) and flows that do not match the index: every detector must survive them.
    #[test]
    fn hostile_indexes_never_panic() {
        use crate::index::{flag, PacketRecord};
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..40 {
            let mut index = PacketIndex::default();
            for a in ["10.0.0.1", "10.0.0.2", "255.255.255.255", "ff02::1", "::1"] {
                index.addrs.intern(a.parse().unwrap());
            }
            for _ in 0..400 {
                let v = next();
                let protos = [6u8, 6, 6, 17, 1, 58, 0];
                index.records.push(PacketRecord {
                    ts_ns: (next() % 4_000_000_000) as i64
                        - if round % 5 == 0 { 2_000_000_000 } else { 0 },
                    caplen: (v % 1600) as u32,
                    orig_len: ((v >> 11) % 1600) as u32,
                    src: (v >> 3) as u32 % 7,
                    dst: (v >> 7) as u32 % 7,
                    src_port: if v & 1 == 0 {
                        443
                    } else {
                        (v >> 20) as u16 % 4
                    },
                    dst_port: if v & 2 == 0 {
                        443
                    } else {
                        (v >> 24) as u16 % 4
                    },
                    seq: (next() % 4) as u32,
                    ack: (next() % 6) as u32,
                    payload_lo: (v >> 30) as u16 % 3,
                    ip_len_raw: (v >> 33) as u16 % 60,
                    tcp_flags: (v >> 40) as u8,
                    ip_proto: protos[(v >> 48) as usize % protos.len()],
                    flags: (v >> 50) as u16 | flag::TRANSPORT,
                    iface: (v >> 60) as u16,
                    ..PacketRecord::default()
                });
            }
            let mut flows = Flows::build(&index);
            let mut ids: Vec<u32> = flows.stream_of.iter().collect();
            if round % 3 == 1 {
                ids.truncate(100);
            }
            if round % 3 == 2 {
                for s in ids.iter_mut().step_by(7) {
                    *s = s.wrapping_add(3);
                }
            }
            flows.stream_of = crate::flows::StreamIds::from_ids(&ids);
            let findings = run_all(&index, &flows, &[]);
            let _ = report::to_markdown(&findings, "hostile");
            let _ = report::to_json(&findings);
        }
    }

    #[test]
    fn details_keep_order_and_replace() {
        let d = Details::new()
            .with("b", 1u32)
            .with("a", "x")
            .with("b", 2u32)
            .with("none", None::<u32>);
        let keys: Vec<&str> = d.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, vec!["b", "a", "none"]);
        // "b" set to 1, then replaced by 2 in place.
        assert_eq!(d.get("b").and_then(Detail::as_i64), Some(2));
        assert_eq!(d.get("none"), Some(&Detail::Null));
        assert_eq!(
            Kind::ManyConnectionsOneSource.as_str(),
            "many_connections_one_source"
        );
    }
}
