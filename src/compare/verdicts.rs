//! The comparison's verdicts: sentences in the findings style, one per kind of difference
//! (lost and injected packets per direction, duplicates, modified packets grouped by the fields
//! that changed, sequence-number rewriting, the clock, the NAT map, the one-way delay), each with
//! its evidence frames in both files and a display filter for each file.

use super::clock::{ClockModel, ClockStep};
use super::diff::Change;
use super::keys::SideKeys;
use super::pairing::{NatEntry, Pairing};
use super::report::{
    Changed, CompareFinding, Delay, DirectionStats, Directions, Input, Modified, OnePoint,
    SeqRewrite,
};
use crate::findings::text::{count, frame_set_filter, join_and, percent};
use crate::findings::{Details, Severity, MAX_EVIDENCE_FRAMES};
use crate::hash::HashMap;
use crate::summary::thousands;

/// What the verdicts are drawn from.
pub(crate) struct Facts<'a> {
    pub(crate) input: &'a Input<'a>,
    pub(crate) directions: &'a Directions,
    pub(crate) one: &'a OnePoint,
    pub(crate) changed: &'a Changed,
    pub(crate) seq_rewritten: &'a [(u32, SeqRewrite)],
    pub(crate) nat: &'a [NatEntry],
    pub(crate) delay: &'a Delay,
}

/// "These captures have no packets in common", with both sides' packet counts.
pub(crate) fn no_common(packets_a: usize, packets_b: usize) -> CompareFinding {
    FindingBuilder {
        kind: "compare_no_common",
        severity: Severity::Warning,
        verdict: "These captures have no packets in common".into(),
        explanation: format!(
            "None of the {packets_a} packets of capture A was found in capture B ({packets_b} \
             packets): they were not taken on the same traffic, or not at the same time. Nothing \
             is reported as lost or injected."
        ),
        a: Vec::new(),
        b: Vec::new(),
        details: Details::new(),
    }
    .finish()
}

/// Every verdict of captures that share packets, in the report's order.
pub(crate) fn all(f: &Facts<'_>) -> Vec<CompareFinding> {
    let mut out = Vec::new();
    for d in 0..2 {
        out.extend(lost(f, d));
        out.extend(injected(f, d));
    }
    out.extend(duplicated(f.one));
    out.extend(modified_findings(
        &f.changed.modified,
        &f.changed.listed,
        f.input.ka,
        f.input.kb,
        f.input.pairing,
    ));
    out.extend(seq_rewritten(f.seq_rewritten));
    out.push(clock_finding(&f.input.clock));
    out.extend(f.input.clock.steps.iter().map(clock_step_finding));
    out.extend(nat(f.nat));
    out.extend(delays(f.delay, &f.input.clock, f.input.names()));
    out
}

/// (upstream role, upstream file, downstream role, downstream file) of direction `d`.
fn points(f: &Facts<'_>, d: usize) -> (&'static str, &'static str, &'static str, &'static str) {
    let [role_a, role_b] = f.input.roles();
    if d == 0 {
        (role_a, "A", role_b, "B")
    } else {
        (role_b, "B", role_a, "A")
    }
}

fn stats<'a>(f: &Facts<'a>, d: usize) -> &'a DirectionStats {
    if d == 0 {
        &f.directions.a_to_b
    } else {
        &f.directions.b_to_a
    }
}

/// Frames of one file as the evidence of side A or B.
fn on_file(file: &str, frames: Vec<u32>) -> (Vec<u32>, Vec<u32>) {
    if file == "A" {
        (frames, Vec::new())
    } else {
        (Vec::new(), frames)
    }
}

/// "client→server: 17 of 1,204 packets were lost between the two points".
fn lost(f: &Facts<'_>, d: usize) -> Option<CompareFinding> {
    let lost = &f.one.lost[d];
    if lost.is_empty() {
        return None;
    }
    let name = f.input.names()[d];
    let sent = stats(f, d).sent;
    let (up_role, up_file, down_role, down_file) = points(f, d);
    let (fa, fb) = on_file(up_file, lost.iter().map(|x| x.1).collect());
    Some(
        FindingBuilder {
            kind: "compare_lost",
            severity: Severity::Warning,
            verdict: format!(
                "{name}: {} of {} were lost between the two points",
                thousands(lost.len() as u64),
                if sent == 1 {
                    "1 packet".to_string()
                } else {
                    format!("{} packets", thousands(sent))
                }
            ),
            explanation: format!(
                "These packets were captured at the {up_role} side (capture {up_file}) and never \
                 reached the {down_role} side (capture {down_file}) while it was capturing ({} of \
                 the direction's traffic). Something between the two points drops packets: a \
                 congested or faulty link, a firewall or a shaper.",
                percent(lost.len() as u64, sent)
            ),
            a: fa,
            b: fb,
            details: Details::new()
                .with("direction", name)
                .with("lost", lost.len())
                .with("sent", sent),
        }
        .finish(),
    )
}

/// "1 RST and 2 segments" for the injected frames of one side.
fn injected_kinds(keys: &SideKeys, frames: &[u32]) -> Vec<String> {
    let mut kinds: HashMap<String, u64> = HashMap::default();
    for &i in frames {
        let k = &keys.keys[i as usize];
        let proto = keys.flows[k.flow as usize].proto;
        *kinds.entry(packet_kind(proto, k.tcp_flags)).or_default() += 1;
    }
    let mut kinds: Vec<(String, u64)> = kinds.into_iter().collect();
    crate::sort::sort_by(&mut kinds, |x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    kinds
        .iter()
        .map(|(k, n)| {
            if *n == 1 {
                format!("1 {k}")
            } else {
                format!("{n} {k}s")
            }
        })
        .collect()
}

/// "…: 1 packet reached the client side without passing the server side (1 RST): injected".
fn injected(f: &Facts<'_>, d: usize) -> Option<CompareFinding> {
    let injected = &f.one.injected[d];
    if injected.is_empty() {
        return None;
    }
    let name = f.input.names()[d];
    let (up_role, up_file, down_role, down_file) = points(f, d);
    let frames: Vec<u32> = injected.iter().map(|x| x.1).collect();
    let down_keys = if down_file == "A" {
        f.input.ka
    } else {
        f.input.kb
    };
    let what = injected_kinds(down_keys, &frames);
    let (fa, fb) = on_file(down_file, frames);
    Some(
        FindingBuilder {
            kind: "compare_injected",
            severity: Severity::Warning,
            verdict: format!(
                "{name}: {} reached the {down_role} side without passing the {up_role} side \
                 ({}): injected between the points",
                count(injected.len() as u64, "packet", "packets"),
                join_and(&what)
            ),
            explanation: format!(
                "Capture {down_file} holds these packets and capture {up_file}, taken \
                 upstream at the same time, does not: a device between the points \
                 forged them (a reset or a redirect from a firewall or an IPS is the \
                 usual case), or capture {up_file} dropped them."
            ),
            a: fa,
            b: fb,
            details: Details::new()
                .with("direction", name)
                .with("injected", injected.len()),
        }
        .finish(),
    )
}

fn duplicated(one: &OnePoint) -> Option<CompareFinding> {
    let duplicated = &one.duplicated;
    let total = duplicated[0].len() + duplicated[1].len();
    if total == 0 {
        return None;
    }
    let frames_of = |file: bool| -> Vec<u32> {
        duplicated
            .iter()
            .flatten()
            .filter(|x| x.0 == file)
            .map(|x| x.1)
            .collect()
    };
    Some(
        FindingBuilder {
            kind: "compare_duplicated",
            severity: Severity::Note,
            verdict: format!(
                "{} arrived twice although sent once: duplicated between the points",
                count(total as u64, "packet", "packets")
            ),
            explanation: "The downstream capture holds an extra identical copy of a \
                packet the upstream capture saw once: a link-layer retransmission, a \
                mirrored or looping path, or a duplicate made by the capture itself."
                .into(),
            a: frames_of(false),
            b: frames_of(true),
            details: Details::new()
                .with("a_to_b", duplicated[0].len())
                .with("b_to_a", duplicated[1].len()),
        }
        .finish(),
    )
}

fn seq_rewritten(rewritten: &[(u32, SeqRewrite)]) -> Option<CompareFinding> {
    if rewritten.is_empty() {
        return None;
    }
    let deltas: Vec<String> = rewritten
        .iter()
        .take(3)
        .map(|(_, s)| format!("{} by {}", s.flow, s.delta))
        .collect();
    Some(
        FindingBuilder {
            kind: "compare_seq_rewritten",
            severity: Severity::Note,
            verdict: format!(
                "TCP sequence numbers are rewritten between the points in {} ({})",
                count(rewritten.len() as u64, "flow direction", "flow directions"),
                join_and(&deltas)
            ),
            explanation: "The same segments carry other sequence numbers at the two \
                points, shifted by a constant per connection: a firewall randomises the \
                ISN (Cisco ASA's default, pf's modulate state). It breaks SACK and TCP \
                timestamps checks on some paths."
                .into(),
            a: rewritten.iter().map(|(f, _)| *f).collect(),
            b: Vec::new(),
            details: Details::new().with("flows", rewritten.len()),
        }
        .finish(),
    )
}

fn nat(nat: &[NatEntry]) -> Option<CompareFinding> {
    if nat.is_empty() {
        return None;
    }
    let shown: Vec<String> = nat
        .iter()
        .take(3)
        .map(|n| format!("{} {} ↔ {}", n.proto, n.a, n.b))
        .collect();
    Some(
        FindingBuilder {
            kind: "compare_nat",
            severity: Severity::Note,
            verdict: format!(
                "A NAT between the points rewrites {} ({})",
                count(nat.len() as u64, "endpoint", "endpoints"),
                join_and(&shown)
            ),
            explanation: "Flows were paired by their content, not their addresses; \
                the map lists each address and port as each capture saw it."
                .into(),
            a: Vec::new(),
            b: Vec::new(),
            details: Details::new().with("bindings", nat.len()),
        }
        .finish(),
    )
}

fn delays(delay: &Delay, clock: &ClockModel, names: [&str; 2]) -> Vec<CompareFinding> {
    let mut out = Vec::new();
    for (name, p) in names.iter().zip([delay.a_to_b, delay.b_to_a]) {
        let Some(p) = p else {
            continue;
        };
        out.push(
            FindingBuilder {
                kind: "compare_delay",
                severity: Severity::Note,
                verdict: format!(
                    "{name}: one-way delay between the points {:.3} ms median, {:.3} ms at the \
                     99th percentile",
                    p.p50_ms, p.p99_ms
                ),
                explanation: format!(
                    "Measured on {} matched packets after the clock correction; the \
                     variation is exact, the absolute values are known to within ±{}.",
                    p.count,
                    clock.uncertainty_s.map_or(
                        "an unknown amount (packets seen one way only)".into(),
                        |u| { format!("{:.3} ms", u * 1e3) }
                    )
                ),
                a: Vec::new(),
                b: Vec::new(),
                details: Details::new()
                    .with("p50_ms", p.p50_ms)
                    .with("p99_ms", p.p99_ms),
            }
            .finish(),
        );
    }
    out
}

fn tcp_kind(flags: u8) -> &'static str {
    match flags & 0x17 {
        f if f & 0x04 != 0 => "RST",
        0x12 => "SYN-ACK",
        0x02 => "SYN",
        f if f & 0x01 != 0 => "FIN",
        _ => "segment",
    }
}

fn packet_kind(proto: u8, flags: u8) -> String {
    match proto {
        6 => tcp_kind(flags).to_string(),
        17 => "UDP datagram".into(),
        1 | 58 => "ICMP message".into(),
        _ => "packet".into(),
    }
}

fn bytes_text(n: u64) -> String {
    if n == 0 {
        "no payload".into()
    } else {
        count(n, "byte of payload", "bytes of payload")
    }
}

fn evidence(frames: &[u32]) -> (Vec<u64>, String) {
    if frames.is_empty() {
        return (Vec::new(), String::new());
    }
    let listed: Vec<u64> = frames
        .iter()
        .take(MAX_EVIDENCE_FRAMES)
        .map(|&i| u64::from(i) + 1)
        .collect();
    let shown = &frames[..frames.len().min(64)];
    (listed, frame_set_filter(shown))
}

struct FindingBuilder {
    kind: &'static str,
    severity: Severity,
    verdict: String,
    explanation: String,
    a: Vec<u32>,
    b: Vec<u32>,
    details: Details,
}

impl FindingBuilder {
    fn finish(mut self) -> CompareFinding {
        self.a.sort_unstable();
        self.a.dedup();
        self.b.sort_unstable();
        self.b.dedup();
        let (frames_a, filter_a) = evidence(&self.a);
        let (frames_b, filter_b) = evidence(&self.b);
        CompareFinding {
            kind: self.kind,
            severity: self.severity,
            verdict: self.verdict,
            explanation: self.explanation,
            frames_total: (self.a.len() + self.b.len()) as u64,
            frames_a,
            frames_b,
            filter_a,
            filter_b,
            details: self.details,
        }
    }
}

fn clock_finding(clock: &ClockModel) -> CompareFinding {
    let offset = clock.offset_s;
    let whole = offset.round();
    let mut hints = Vec::new();
    if whole.abs() >= 1.0 && (offset - whole).abs() < 0.01 {
        if whole.abs() == 37.0 {
            hints.push(
                "it is 37 s, the TAI−UTC difference: one capture took hardware (TAI) timestamps"
                    .to_string(),
            );
        } else if whole.abs() >= 1800.0 && (whole.abs() % 1800.0) == 0.0 {
            hints.push("it is a whole number of half hours: a time-zone mistake".to_string());
        } else {
            hints.push("it is close to a whole number of seconds: likely a clock-source mismatch rather than drift".to_string());
        }
    }
    let bound = clock.uncertainty_s.map_or(
        "unbounded (packets seen one way only: the offset includes the smallest one-way delay)"
            .to_string(),
        |u| format!("±{:.3} ms", u * 1e3),
    );
    let mut explanation = format!(
        "Fitted from packets seen once at each point: capture B's clock reads {offset:+.6} s \
         against A's at A's first frame and runs {:+.1} ppm faster; offset uncertainty {bound}.",
        clock.drift_ppm
    );
    if clock.inconsistent {
        explanation.push_str(
            " The two directions' delays overlap: no single line separates them (a clock step \
             during the capture, or packets matched wrongly).",
        );
    }
    if !hints.is_empty() {
        explanation.push_str(&format!(" The offset is suspicious: {}.", hints.join("; ")));
    }
    FindingBuilder {
        kind: "compare_clock",
        severity: Severity::Note,
        verdict: format!(
            "Capture B's clock is {:.6} s {} capture A's (drift {:+.1} ppm)",
            offset.abs(),
            if offset >= 0.0 { "ahead of" } else { "behind" },
            clock.drift_ppm
        ),
        explanation,
        a: Vec::new(),
        b: Vec::new(),
        details: Details::new()
            .with("offset_s", offset)
            .with("drift_ppm", clock.drift_ppm)
            .with("uncertainty_s", clock.uncertainty_s),
    }
    .finish()
}

/// "Capture B's clock jumped forward by 250.000 ms (±0.012 ms) 1.234 s after A's first frame".
fn clock_step_finding(step: &ClockStep) -> CompareFinding {
    let bound = step.uncertainty_s.map_or(
        " (bound unknown: packets seen one way only)".to_string(),
        |u| format!(" (±{:.3} ms)", u * 1e3),
    );
    FindingBuilder {
        kind: "compare_clock_step",
        severity: Severity::Note,
        verdict: format!(
            "Capture B's clock jumped {} by {:.3} ms{bound} {:.3} s after capture A's first \
             frame, just before B's frame {}",
            if step.by_s >= 0.0 { "forward" } else { "back" },
            step.by_s.abs() * 1e3,
            step.at_s,
            step.b_no
        ),
        explanation: "Every packet's time difference between the two captures moved by the same \
            amount at once, far more than the delays vary: the capture host's clock was stepped \
            (an NTP correction or a manual change). Times after the step are brought back \
            across it before matching and before the delays are measured."
            .into(),
        a: Vec::new(),
        b: vec![step.b_frame],
        details: Details::new()
            .with("at_s", step.at_s)
            .with("by_s", step.by_s)
            .with("uncertainty_s", step.uncertainty_s),
    }
    .finish()
}

/// One finding per kind of change (the set of changed field names).
fn modified_findings(
    modified: &[Modified],
    pairs: &[(usize, u32, u32, u8, u32)],
    ka: &SideKeys,
    kb: &SideKeys,
    pairing: &Pairing,
) -> Vec<CompareFinding> {
    group_by_fields(modified, pairs)
        .into_iter()
        .map(|(fields, members)| {
            let n = members.len();
            let verdict =
                modified_verdict(modified, pairs[members[0]], &fields, n, ka, kb, pairing);
            FindingBuilder {
                kind: "compare_modified",
                severity: Severity::Warning,
                verdict,
                explanation: format!(
                    "The same packet, matched at both points, differs in {} beyond what a router \
                     or NAT rewrites (addresses, ports, TTL, checksums). Upstream values are \
                     what the sender sent; downstream values are what arrived.",
                    join_and(&fields)
                ),
                a: members.iter().map(|&k| pairs[k].1).collect(),
                b: members.iter().map(|&k| pairs[k].2).collect(),
                details: Details::new().with("packets", n).with("fields", fields),
            }
            .finish()
        })
        .collect()
}

/// The modified pairs grouped by the set of changed field names, in first-seen order.
fn group_by_fields(
    modified: &[Modified],
    pairs: &[(usize, u32, u32, u8, u32)],
) -> Vec<(Vec<String>, Vec<usize>)> {
    let mut groups: Vec<(Vec<String>, Vec<usize>)> = Vec::new();
    for (n, &(m, ..)) in pairs.iter().enumerate() {
        let mut fields: Vec<String> = modified[m]
            .changes
            .iter()
            .map(|c| c.field.clone())
            .collect();
        fields.sort();
        fields.dedup();
        match groups.iter_mut().find(|(f, _)| *f == fields) {
            Some((_, members)) => members.push(n),
            None => groups.push((fields, vec![n])),
        }
    }
    groups
}

/// The sentence of one group, told from its first pair `(m, A frame, B frame, dir, pair)`.
fn modified_verdict(
    modified: &[Modified],
    (m, fa, fb, dir, pair): (usize, u32, u32, u8, u32),
    fields: &[String],
    n: usize,
    ka: &SideKeys,
    kb: &SideKeys,
    pairing: &Pairing,
) -> String {
    let a_first = pairing.pairs[pair as usize].a_first[usize::from(dir)];
    let flow = &ka.flows[pairing.pairs[pair as usize].a as usize];
    // Sender and receiver roles of the direction.
    let (sender, receiver) = if dir == 0 {
        ("client", "server")
    } else {
        ("server", "client")
    };
    let changes = &modified[m].changes;
    let updown = |c: &Change| {
        if a_first {
            (c.a.clone(), c.b.clone())
        } else {
            (c.b.clone(), c.a.clone())
        }
    };
    let (ka_key, kb_key) = (&ka.keys[fa as usize], &kb.keys[fb as usize]);
    let kind = packet_kind(flow.proto, ka_key.tcp_flags);
    if fields.iter().any(|f| f == "tcp.len" || f == "udp.length") {
        let (up_len, down_len) = if a_first {
            (ka_key.payload_len, kb_key.payload_len)
        } else {
            (kb_key.payload_len, ka_key.payload_len)
        };
        let port = flow.ends[usize::from(1 - dir.min(1))].1;
        let lead = if n > 1 {
            format!("{n} packets changed size between the points; e.g. ")
        } else {
            String::new()
        };
        return format!(
            "{lead}the {sender}'s {kind} to port {port} left the {sender} with {} and reached \
             the {receiver} with {}: something between the points modifies packets",
            bytes_text(u64::from(up_len)),
            size_change(up_len, down_len)
        );
    }
    if let Some(c) = changes.iter().find(|c| c.field == "tcp.options.mss_val") {
        let (u, d) = updown(c);
        return format!(
            "MSS clamped between the points: the {sender}'s {kind} left with MSS {} and \
             arrived with {} ({})",
            u.unwrap_or_else(|| "none".into()),
            d.unwrap_or_else(|| "none".into()),
            count(n as u64, "packet", "packets")
        );
    }
    let shown: Vec<String> = changes
        .iter()
        .take(4)
        .map(|c| {
            let (u, d) = updown(c);
            format!(
                "{} {} → {}",
                c.field,
                u.unwrap_or_else(|| "absent".into()),
                d.unwrap_or_else(|| "absent".into())
            )
        })
        .collect();
    format!(
        "{} modified between the two points ({})",
        count(n as u64, "packet was", "packets were"),
        join_and(&shown)
    )
}

/// "2 bytes (2 bytes added)", "no payload (40 bytes removed)".
fn size_change(up_len: u32, down_len: u32) -> String {
    let delta = i64::from(down_len) - i64::from(up_len);
    let how = if delta >= 0 {
        format!("{} added", count(delta as u64, "byte", "bytes"))
    } else {
        format!("{} removed", count(delta.unsigned_abs(), "byte", "bytes"))
    };
    let reached = if down_len == 0 {
        "no payload".to_string()
    } else {
        count(u64::from(down_len), "byte", "bytes")
    };
    format!("{reached} ({how})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_the_findings() {
        use crate::summary::thousands;
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1204), "1,204");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(tcp_kind(0x12), "SYN-ACK");
        assert_eq!(tcp_kind(0x14), "RST");
        assert_eq!(bytes_text(0), "no payload");
        assert_eq!(bytes_text(2), "2 bytes of payload");
    }
}
