//! Wording helpers shared by the detectors: addresses and endpoints as Wireshark shows them,
//! durations people read at a glance, lists joined with "and", counted nouns, sentence starts
//! ([`capitalize`]), display-filter fragments, and [`clean`] for any text that comes from the
//! capture itself.

use crate::connections::attempts::PathGroup;
use crate::index::{flag, PacketIndex, PacketRecord};
use std::net::IpAddr;

/// An address id as text ("?" when unknown).
pub fn address(index: &PacketIndex, id: u32) -> String {
    index
        .addrs
        .get(id)
        .map_or_else(|| "?".to_string(), |a| a.to_string())
}

/// `10.0.0.1:443`, or `[2001:db8::1]:443` for IPv6.
pub fn endpoint(index: &PacketIndex, (id, port): (u32, u16)) -> String {
    match index.addrs.get(id) {
        Some(IpAddr::V6(a)) => format!("[{a}]:{port}"),
        Some(a) => format!("{a}:{port}"),
        None => format!("?:{port}"),
    }
}

/// An endpoint as the findings name it: `address:port` ([`endpoint`]) and the address alone
/// ([`address`]). Shown, it is the endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub endpoint: String,
    pub host: String,
}

impl Named {
    pub fn of(index: &PacketIndex, (id, port): (u32, u16)) -> Named {
        Named {
            endpoint: endpoint(index, (id, port)),
            host: address(index, id),
        }
    }
}

impl std::fmt::Display for Named {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(&self.endpoint)
    }
}

/// A client → server:port path's failed attempts as the wordings name them: the server and its
/// port, how many attempts, and how many clients (with the one client's address when there is
/// one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathNames {
    pub server: Named,
    pub port: u16,
    pub attempts: u64,
    pub clients: usize,
    pub client: Option<String>,
}

impl PathNames {
    pub fn of(index: &PacketIndex, g: &PathGroup<'_>) -> PathNames {
        PathNames {
            server: Named::of(index, g.server),
            port: g.server.1,
            attempts: g.attempts.len() as u64,
            clients: g.clients.len(),
            client: (g.clients.len() == 1).then(|| address(index, g.clients[0])),
        }
    }

    /// The one client's address, or `3 clients`.
    pub fn who(&self) -> String {
        match &self.client {
            Some(host) => host.clone(),
            None => format!("{} clients", self.clients),
        }
    }
}

/// A SYN-ACK as the handshake findings describe it: its frame (0-based), ISN, payload length and
/// IP length (IPv4 total length, IPv6 payload length; 0 when the header left it out, as
/// segmentation offload does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Synack {
    pub frame: u32,
    pub isn: u32,
    pub payload: u32,
    pub ip_len: u16,
}

impl Synack {
    pub fn of(index: &PacketIndex, frame: u32) -> Synack {
        let r = record(index, frame);
        Synack {
            frame,
            isn: r.seq,
            payload: r.payload_len(),
            ip_len: r.ip_len(),
        }
    }

    /// The acknowledgement number that answers it: ISN + 1.
    pub fn expected_ack(&self) -> u32 {
        self.isn.wrapping_add(1)
    }

    /// The IP length, when the header gave one.
    pub fn known_ip_len(&self) -> Option<u16> {
        (self.ip_len > 0).then_some(self.ip_len)
    }

    /// The IP length it would have without its payload (all a SYN-ACK should be).
    pub fn ip_len_without_payload(&self) -> u32 {
        u32::from(self.ip_len).saturating_sub(self.payload)
    }
}

/// The display-filter protocol of an address: `ip` or `ipv6`.
pub fn ip_proto_field(index: &PacketIndex, id: u32) -> &'static str {
    match index.addrs.get(id) {
        Some(IpAddr::V6(_)) => "ipv6",
        _ => "ip",
    }
}

/// `ip.addr == 10.0.0.1` (or `ipv6.addr == …`).
pub fn addr_filter(index: &PacketIndex, id: u32) -> String {
    format!(
        "{}.addr == {}",
        ip_proto_field(index, id),
        address(index, id)
    )
}

/// `ip.src == 10.0.0.1` (or `ipv6.src == …`).
pub fn src_filter(index: &PacketIndex, id: u32) -> String {
    format!(
        "{}.src == {}",
        ip_proto_field(index, id),
        address(index, id)
    )
}

/// The 1-based frame number of a 0-based frame index.
pub fn frame_no(i: u32) -> u64 {
    u64::from(i) + 1
}

/// A frame's timestamp in nanoseconds, when the capture recorded one.
pub fn time_of(index: &PacketIndex, i: u32) -> Option<i64> {
    index
        .records
        .get(i as usize)
        .filter(|r| r.has(flag::HAS_TIME))
        .map(|r| r.ts_ns)
}

/// Nanoseconds from frame `a` to frame `b` (both must have times).
pub fn between(index: &PacketIndex, a: u32, b: u32) -> Option<i64> {
    Some(time_of(index, b)?.saturating_sub(time_of(index, a)?))
}

/// The record of a 0-based frame index (a default record when out of range, never a panic).
pub fn record(index: &PacketIndex, i: u32) -> PacketRecord {
    index.records.get(i as usize).unwrap_or_default()
}

/// Seconds (for `details`), rounded to the microsecond.
pub fn seconds(ns: i64) -> f64 {
    (ns as f64 / 1e3).round() / 1e6
}

/// A duration for people: `850 µs`, `4.2 ms`, `316 ms`, `2.14 s`, `61.0 s`, `3 min 20 s`.
pub fn duration(ns: i64) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let ns = ns.unsigned_abs() as f64;
    let text = if ns < 1e6 {
        format!("{:.0} µs", ns / 1e3)
    } else if ns < 1e7 {
        format!("{:.1} ms", ns / 1e6)
    } else if ns < 1e9 {
        format!("{:.0} ms", ns / 1e6)
    } else if ns < 1e10 {
        format!("{:.2} s", ns / 1e9)
    } else if ns < 180e9 {
        format!("{:.1} s", ns / 1e9)
    } else {
        let secs = (ns / 1e9).round() as u64;
        format!("{} min {} s", secs / 60, secs % 60)
    };
    format!("{sign}{text}")
}

/// `1 attempt`, `3 attempts`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The counts that are not zero, each followed by what it counts: `[(3, "refused"), (0, "reset")]`
/// gives `3 refused`.
pub fn nonzero_counts(counts: &[(u64, &str)]) -> Vec<String> {
    counts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect()
}

/// `a`, `a and b`, `a, b and c`.
pub fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Clauses that may contain commas: `a; b; and c`.
pub fn join_clauses(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a}; and {b}"),
        [rest @ .., last] => format!("{}; and {last}", rest.join("; ")),
    }
}

/// The text with its first letter in upper case, to start a sentence.
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A display filter for these `tcp.stream` numbers: `tcp.stream == 3` for one,
/// `tcp.stream in {3 5 8}` for more.
pub fn streams_filter(streams: &[u32]) -> String {
    match streams {
        [one] => format!("tcp.stream == {one}"),
        many => {
            let list: Vec<String> = many.iter().map(u32::to_string).collect();
            format!("tcp.stream in {{{}}}", list.join(" "))
        }
    }
}

/// The stream a finding is about when its evidence lies in exactly one.
pub fn only_stream(streams: &[u32]) -> Option<u32> {
    match streams {
        [one] => Some(*one),
        _ => None,
    }
}

/// A display filter that selects exactly these frames (0-based indexes, any order):
/// `frame.number in {3 7..9 12}`, runs of consecutive frames written as ranges.
pub fn frame_set_filter(frames: &[u32]) -> String {
    let mut sorted: Vec<u64> = frames.iter().map(|&i| frame_no(i)).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut items: Vec<String> = Vec::new();
    let mut k = 0;
    while k < sorted.len() {
        let start = sorted[k];
        let mut end = start;
        while k + 1 < sorted.len() && sorted[k + 1] == end + 1 {
            k += 1;
            end += 1;
        }
        items.push(if end == start {
            start.to_string()
        } else {
            format!("{start}..{end}")
        });
        k += 1;
    }
    format!("frame.number in {{{}}}", items.join(" "))
}

/// Frame numbers as text, shortened after `max`: `frames 3, 4 and 5`, `frame 7`.
pub fn frames_text(frames: &[u32], max: usize) -> String {
    let mut items: Vec<String> = frames
        .iter()
        .take(max)
        .map(|&i| frame_no(i).to_string())
        .collect();
    if frames.len() > max {
        items.push(format!("{} more", frames.len() - max));
    }
    let word = if frames.len() == 1 { "frame" } else { "frames" };
    format!("{word} {}", join_and(&items))
}

/// Text taken from a capture (a capture filter, an interface name) made safe to show: control
/// characters become spaces, runs of spaces collapse, and it is cut to `max` characters.
pub fn clean(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut last_space = false;
    for c in text.chars() {
        let c = if c.is_control() { ' ' } else { c };
        if c == ' ' && last_space {
            continue;
        }
        last_space = c == ' ';
        out.push(c);
    }
    let trimmed = out.trim();
    if trimmed.chars().count() > max {
        let cut: String = trimmed.chars().take(max).collect();
        format!("{cut}…")
    } else {
        trimmed.to_string()
    }
}

/// A percentage for people: `37%`, `0.5%`.
pub fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0%".into();
    }
    let p = part as f64 * 100.0 / whole as f64;
    if p >= 10.0 || p == 0.0 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        // 309 000 ns = 309 µs (< 1 ms: whole µs).
        assert_eq!(duration(309_000), "309 µs");
        // 1.316 ms (< 10 ms: one decimal) → 1.3 ms.
        assert_eq!(duration(1_316_000), "1.3 ms");
        // 315.9786 ms (< 1 s: whole ms) → 316 ms.
        assert_eq!(duration(315_978_600), "316 ms");
        // 6.0287657 s (< 10 s: two decimals) → 6.03 s.
        assert_eq!(duration(6_028_765_700), "6.03 s");
        // 61 s (< 180 s: one decimal) → 61.0 s.
        assert_eq!(duration(61_000_000_000), "61.0 s");
        // 200 s = 3 × 60 + 20.
        assert_eq!(duration(200_000_000_000), "3 min 20 s");
        // 6 028 765.7 µs rounded to the µs → 6.028766 s.
        assert_eq!(seconds(6_028_765_700), 6.028766);
    }

    #[test]
    fn a_frame_set_filter_selects_exactly_its_frames() {
        // Indexes + 1: 12, 3, 7, 8, 9, 1, 8 → sorted, deduplicated 1, 3, 7, 8, 9, 12; 7 … 9 is
        // one run.
        assert_eq!(
            frame_set_filter(&[11, 2, 6, 7, 8, 0, 7]),
            "frame.number in {1 3 7..9 12}"
        );
        assert_eq!(frame_set_filter(&[]), "frame.number in {}");
    }

    #[test]
    fn lists_and_counts() {
        assert_eq!(
            join_and(&["a".into(), "b".into(), "c".into()]),
            "a, b and c"
        );
        assert_eq!(count(1, "SYN", "SYNs"), "1 SYN");
        assert_eq!(join_clauses(&["a, b".into(), "c".into()]), "a, b; and c");
        // Indexes 2, 3 → frames 3, 4 shown; 3 − 2 = 1 more.
        assert_eq!(frames_text(&[2, 3, 4], 2), "frames 3, 4 and 1 more");
        // Index 0 is frame 1.
        assert_eq!(frames_text(&[0], 5), "frame 1");
        // 100 / 3 = 33.3% (≥ 10%: no decimal) → 33%.
        assert_eq!(percent(1, 3), "33%");
        // 100 / 200 = 0.5% (< 10%: one decimal).
        assert_eq!(percent(1, 200), "0.5%");
        assert_eq!(streams_filter(&[7]), "tcp.stream == 7");
        assert_eq!(streams_filter(&[3, 5, 8]), "tcp.stream in {3 5 8}");
        assert_eq!(only_stream(&[7]), Some(7));
        assert_eq!(only_stream(&[3, 5]), None);
        // The zero count is left out, the others keep their order.
        assert_eq!(
            nonzero_counts(&[(3, "refused"), (0, "reset"), (1, "spurious")]),
            ["3 refused", "1 spurious"]
        );
    }

    #[test]
    fn capture_text_is_cleaned() {
        assert_eq!(
            clean("silly!\nethernet\t\tinterface", 100),
            "silly! ethernet interface"
        );
        // Cut to 3 characters, "abc", marked with "…".
        assert_eq!(clean("abcdef", 3), "abc…");
    }
}
