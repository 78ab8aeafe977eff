//! `markers`: ICMP echo requests/replies whose size marks a repro. The seed asks customers to run
//! `ping -l 22` before and `ping -l 33` after reproducing a problem (IPv4 total length 20 + 8 + 22
//! = 50 and 61), sometimes `ping -l 44` after a second step; the frames between two markers are
//! where the problem is. Markers are listed with their frame numbers, paired with their replies,
//! and the frame ranges between consecutive markers are offered as focus filters
//! (`frame.number >= a and frame.number <= b`).
//!
//! Which echoes are markers, by ICMP data length N (`ping -l N` / `ping -s N`):
//! - the seed's sizes [`SEED_SIZES`] (22, 33, 44), always;
//! - any other size that stands out: not a tool's default ([`ORDINARY_SIZES`]: 0 for probes,
//!   32 Windows, 56 Linux/macOS/BSD/Juniper, 64, 72 Cisco) and sent at most
//!   [`MAX_STANDOUT_REQUESTS`] times (a continuous ping of one size is traffic, not a marker).
//!
//! IP fragments are skipped (the size of a fragmented echo is known only after reassembly).
//! `ip_len` is the IP total length (for IPv6: 40 + payload length, no extension headers assumed).

use super::render;
use super::text::{self, frame_no};
use super::{Details, Finding, Kind, Severity};
use crate::batched::for_each_batched;
use crate::capture::FileInfo;
use crate::flows::Flows;
use crate::index::{flag, PacketIndex, PacketRecord};
use serde::Serialize;
use std::collections::HashMap;

/// The marker a customer sends before reproducing the problem (`ping -l 22` / `ping -s 22`): ICMP
/// data bytes. The capture plan (`crate::plan`) tells customers these same sizes.
pub const START_MARKER: u32 = 22;
/// The marker sent right after the repro (`ping -l 33`).
pub const END_MARKER: u32 = 33;
/// The marker after a second step of a repro (`ping -l 44`), as in the seed's second example.
pub const STEP_MARKER: u32 = 44;
pub const SEED_SIZES: [u32; 3] = [START_MARKER, END_MARKER, STEP_MARKER];
pub const ORDINARY_SIZES: [u32; 5] = [0, 32, 56, 64, 72];
pub const MAX_STANDOUT_REQUESTS: usize = 20;
/// At most this many markers are listed.
pub const MAX_MARKERS: usize = 200;

/// One marker ping: the request (or a reply whose request was not captured) and its reply.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Marker {
    /// Frame number of the request (1-based), or of the reply when `type` is `reply`.
    pub no: u64,
    pub reply_no: Option<u64>,
    /// IP total length (IPv4 `ip.len`; IPv6 40 + `ipv6.plen`).
    pub ip_len: u32,
    /// ICMP data bytes: the N of `ping -l N`.
    pub payload_len: u32,
    /// Seconds since the first frame.
    pub time: Option<f64>,
    /// `request`, or `reply` for a reply whose request is not in the capture.
    #[serde(rename = "type")]
    pub echo: &'static str,
    #[serde(skip)]
    pub ipv6: bool,
    /// 0-based frame indexes of the request/reply (the first and last frame of the marker).
    #[serde(skip)]
    pub span: (u32, u32),
}

/// A focus range between two consecutive markers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarkerRange {
    pub from: u64,
    pub to: u64,
    pub filter: String,
}

/// Markers and the ranges between them (the `tracelens markers --json` object).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Markers {
    pub markers: Vec<Marker>,
    pub ranges: Vec<MarkerRange>,
}

/// The focus filter for frames `from..=to` (1-based).
pub fn range_filter(from: u64, to: u64) -> String {
    format!("frame.number >= {from} and frame.number <= {to}")
}

fn echo(r: &PacketRecord) -> Option<bool> {
    if !r.has(flag::TRANSPORT) || r.has(flag::FRAGMENT) {
        return None;
    }
    match (r.ip_proto, r.src_port) {
        (1, 8) | (58, 128) => Some(true),
        (1, 0) | (58, 129) => Some(false),
        _ => None,
    }
}

fn ip_len(r: &PacketRecord) -> u32 {
    if r.has(flag::IPV6) {
        40 + u32::from(r.ip_len())
    } else {
        u32::from(r.ip_len())
    }
}

/// Finds the marker pings of a capture and the ranges between them.
pub fn find(index: &PacketIndex) -> Markers {
    // Echoes are ICMP or ICMPv6: without either, no frame needs reading.
    if !index.records.has_ip_proto(&[1, 58]) {
        return Markers::default();
    }
    let first_time = index
        .records
        .iter()
        .find(|r| r.has(flag::HAS_TIME))
        .map(|r| r.ts_ns);
    // Every echo (one pass), and requests per data size, to tell a marker from a continuous ping.
    let mut echoes: Vec<u32> = Vec::new();
    let mut requests_of_size: HashMap<u32, usize> = HashMap::new();
    for_each_batched(index.records.indexed(), |(i, r)| {
        if let Some(request) = echo(&r) {
            echoes.push(i as u32);
            if request {
                *requests_of_size.entry(r.payload_len()).or_default() += 1;
            }
        }
    });
    let is_marker_size = |n: u32| {
        SEED_SIZES.contains(&n)
            || (!ORDINARY_SIZES.contains(&n)
                && requests_of_size.get(&n).copied().unwrap_or(0) <= MAX_STANDOUT_REQUESTS)
    };
    let mut markers: Vec<Marker> = Vec::new();
    // Open requests by (src, dst, ident/seq, size) → marker index.
    let mut open: HashMap<(u32, u32, u32, u32), Vec<usize>> = HashMap::new();
    for i in echoes {
        let Some(r) = index.records.get(i as usize) else {
            continue;
        };
        let Some(request) = echo(&r) else { continue };
        if !is_marker_size(r.payload_len()) {
            continue;
        }
        let time = first_time
            .filter(|_| r.has(flag::HAS_TIME))
            .map(|first| text::seconds(r.ts_ns.saturating_sub(first)));
        if !request {
            let key = (r.dst, r.src, r.seq, r.payload_len());
            if let Some(at) = open.get_mut(&key).and_then(|list| {
                let at = *list.first()?;
                list.remove(0);
                Some(at)
            }) {
                if let Some(m) = markers.get_mut(at) {
                    m.reply_no = Some(frame_no(i));
                    m.span.1 = i;
                }
                continue;
            }
        }
        if markers.len() >= MAX_MARKERS {
            continue;
        }
        if request {
            open.entry((r.src, r.dst, r.seq, r.payload_len()))
                .or_default()
                .push(markers.len());
        }
        markers.push(Marker {
            no: frame_no(i),
            reply_no: None,
            ip_len: ip_len(&r),
            payload_len: r.payload_len(),
            time,
            echo: if request { "request" } else { "reply" },
            ipv6: r.has(flag::IPV6),
            span: (i, i),
        });
    }
    let ranges = ranges_between(&markers);
    Markers { markers, ranges }
}

/// Consecutive markers of one size form a group (`ping -n 2` sends two); a range runs from the
/// frame after one group's last frame to the frame before the next group's first frame.
fn ranges_between(markers: &[Marker]) -> Vec<MarkerRange> {
    let mut groups: Vec<(u32, u32, u32)> = Vec::new();
    for m in markers {
        match groups.last_mut() {
            Some(g) if g.0 == m.payload_len => {
                g.1 = g.1.min(m.span.0);
                g.2 = g.2.max(m.span.1);
            }
            _ => groups.push((m.payload_len, m.span.0, m.span.1)),
        }
    }
    groups
        .windows(2)
        .filter_map(|w| {
            let from = frame_no(w[0].2) + 1;
            let to = frame_no(w[1].1).checked_sub(1)?;
            (from <= to).then(|| MarkerRange {
                from,
                to,
                filter: range_filter(from, to),
            })
        })
        .collect()
}

/// One marker size (and IP version), in order of appearance.
pub(crate) struct MarkerSize {
    pub payload_len: u32,
    pub ipv6: bool,
    pub ip_len: u32,
    /// How many markers have it, and the first one's frame number.
    pub count: u64,
    pub first_no: u64,
}

/// The marker sizes, in order of appearance.
fn sizes(markers: &[Marker]) -> Vec<MarkerSize> {
    let mut sizes: Vec<MarkerSize> = Vec::new();
    for m in markers {
        match sizes
            .iter_mut()
            .find(|s| s.payload_len == m.payload_len && s.ipv6 == m.ipv6)
        {
            Some(s) => s.count += 1,
            None => sizes.push(MarkerSize {
                payload_len: m.payload_len,
                ipv6: m.ipv6,
                ip_len: m.ip_len,
                count: 1,
                first_no: m.no,
            }),
        }
    }
    sizes
}

/// A filter for the markers themselves (when there is no range between them).
fn size_filter(sizes: &[MarkerSize]) -> String {
    let v4: Vec<String> = sizes
        .iter()
        .filter(|s| !s.ipv6)
        .map(|s| format!("ip.len == {}", s.ip_len))
        .collect();
    let v6: Vec<String> = sizes
        .iter()
        .filter(|s| s.ipv6)
        .map(|s| format!("ipv6.plen == {}", s.ip_len.saturating_sub(40)))
        .collect();
    let mut parts = Vec::new();
    if !v4.is_empty() {
        parts.push(format!("(icmp && ({}))", v4.join(" || ")));
    }
    if !v6.is_empty() {
        parts.push(format!("(icmpv6 && ({}))", v6.join(" || ")));
    }
    parts.join(" || ")
}

pub fn detect(index: &PacketIndex, _flows: &Flows, _files: &[FileInfo]) -> Vec<Finding> {
    let found = find(index);
    if found.markers.is_empty() {
        return Vec::new();
    }
    let sizes = sizes(&found.markers);
    let unpaired = found
        .markers
        .iter()
        .filter(|m| m.echo == "request" && m.reply_no.is_none())
        .count();
    let verdict = render::markers::verdict(&found, &sizes);
    let explanation = render::markers::explanation(&found, unpaired);
    let filter = match found.ranges.first() {
        Some(r) => r.filter.clone(),
        None => size_filter(&sizes),
    };
    let mut frames: Vec<u32> = Vec::new();
    for m in &found.markers {
        frames.push(m.span.0);
        frames.push(m.span.1);
    }
    let details = Details::new()
        .with(
            "sizes",
            sizes.iter().map(|s| s.payload_len).collect::<Vec<u32>>(),
        )
        .with(
            "marker_frames",
            found.markers.iter().map(|m| m.no).collect::<Vec<u64>>(),
        )
        .with(
            "reply_frames",
            found
                .markers
                .iter()
                .filter_map(|m| m.reply_no)
                .collect::<Vec<u64>>(),
        )
        .with(
            "ranges",
            found
                .ranges
                .iter()
                .map(|r| r.filter.clone())
                .collect::<Vec<String>>(),
        );
    vec![
        Finding::new(Kind::Markers, Severity::Note, verdict, explanation)
            .evidence(frames)
            .filter(filter)
            .details(details),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ping(request: bool, data: u16, seq: u16, ms: i64) -> PacketRecord {
        let (src, dst) = if request { (1, 2) } else { (2, 1) };
        PacketRecord {
            ts_ns: ms * 1_000_000,
            src,
            dst,
            src_port: if request { 8 } else { 0 },
            seq: 1 << 16 | u32::from(seq),
            payload_lo: data,
            ip_len_raw: 28 + data,
            ip_proto: 1,
            flags: flag::TRANSPORT | flag::IPV4 | flag::HAS_TIME,
            ..PacketRecord::default()
        }
    }

    fn other(ms: i64) -> PacketRecord {
        PacketRecord {
            ts_ns: ms * 1_000_000,
            flags: flag::HAS_TIME,
            ..PacketRecord::default()
        }
    }

    /// The seed's example: 22-byte request at 6, reply at 9, 33-byte request at 20, reply at 23.
    fn seed_example() -> PacketIndex {
        let mut records: Vec<PacketRecord> = (0..27).map(other).collect();
        records[5] = ping(true, 22, 1, 5);
        records[8] = ping(false, 22, 1, 8);
        records[19] = ping(true, 33, 2, 19);
        records[22] = ping(false, 33, 2, 22);
        PacketIndex {
            records: records.into(),
            ..PacketIndex::default()
        }
    }

    #[test]
    fn the_seeds_example_focuses_on_frames_10_to_19() {
        let found = find(&seed_example());
        let pairs: Vec<(u64, Option<u64>, u32)> = found
            .markers
            .iter()
            .map(|m| (m.no, m.reply_no, m.ip_len))
            .collect();
        // Frames 1-based: records 5, 8, 19, 22 are frames 6, 9, 20, 23; ip.len = ip_len as
        // built, 28 + data: 28 + 22 = 50, 28 + 33 = 61.
        assert_eq!(pairs, vec![(6, Some(9), 50), (20, Some(23), 61)]);
        // From the frame after the first reply (9 + 1 = 10) to the one before the second
        // request (20 − 1 = 19).
        assert_eq!(
            found.ranges,
            vec![MarkerRange {
                from: 10,
                to: 19,
                filter: "frame.number >= 10 and frame.number <= 19".into()
            }]
        );
        let f = &detect(&seed_example(), &Flows::default(), &[])[0];
        // The same numbers as above: sizes 22 and 33, ip.len 50 and 61, frames 6 and 20, range
        // 10 … 19.
        assert_eq!(
            f.verdict,
            "Marker pings found: 22 bytes (ip.len 50) at frame 6 and 33 bytes (ip.len 61) at frame 20; the repro lies between frames 10 and 19."
        );
        assert_eq!(f.filter, "frame.number >= 10 and frame.number <= 19");
        // Both requests and both replies: frames 6, 9, 20, 23 (records 5, 8, 19, 22).
        assert_eq!(f.frames, vec![6, 9, 20, 23]);
    }

    #[test]
    fn default_sizes_and_continuous_pings_are_not_markers() {
        let mut records: Vec<PacketRecord> = Vec::new();
        for k in 0..30 {
            records.push(ping(true, 32, k, i64::from(k)));
            records.push(ping(true, 1000, k, i64::from(k)));
        }
        records.push(ping(true, 1234, 99, 50));
        let index = PacketIndex {
            records: records.into(),
            ..PacketIndex::default()
        };
        let found = find(&index);
        // 32 is Windows' default size; 1000 is sent 30 times (> MAX_STANDOUT_REQUESTS, 20): only
        // the single 1234-byte request stands out.
        assert_eq!(found.markers.len(), 1);
        // ip_len as built: 28 + 1234 = 1262.
        assert_eq!(found.markers[0].ip_len, 1262);
        // One marker, no second one to bound a range.
        assert!(found.ranges.is_empty());
        let f = &detect(&index, &Flows::default(), &[])[0];
        assert_eq!(f.filter, "(icmp && (ip.len == 1262))");
    }
}
