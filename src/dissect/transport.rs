//! Transport layers: TCP (every header field, the 12 flag bits, options — MSS, window scale,
//! SACK-permitted, SACK blocks, timestamps, NOP, EOL, Fast Open and unknown kinds — checksum
//! verified against the pseudo-header, payload length, SYN/SYN-ACK carrying payload flagged) and
//! UDP (length checks, checksum, zero checksum over IPv6 flagged). Payloads are handed to DNS,
//! TLS, HTTP or VXLAN by port and by a look at the first bytes.

use super::bytes::Bytes;
use super::checksum::Verdict;
use super::network::{Carried, IpInfo, SynPayload};
use super::text::{bit_pattern, flag_line, hex};
use super::{data_layer, dns, http, tls, to_u32, tunnel, Cx, Node};
use crate::wire::bytes::{be16, be32};

/// The checksum verdict for a TCP/UDP segment covering `declared` bytes from `off`.
fn segment_verdict(
    cx: &Cx,
    b: &Bytes,
    off: usize,
    declared: usize,
    proto: u8,
    ip: &IpInfo,
) -> Verdict {
    if ip.fragment {
        return Verdict::Unverified("IP fragment, datagram not reassembled");
    }
    let Some(segment) = b.get(off, declared) else {
        return Verdict::Unverified(if cx.quoted {
            "quoted packet"
        } else if b.snapped() {
            "frame cut by the snapshot length"
        } else {
            "segment truncated"
        });
    };
    Verdict::transport(ip.src(), ip.dst(), proto, segment, declared)
}

/// Replace the placeholder checksum child (`field`) by the verdict's label and note.
fn set_checksum(cx: &Cx, node: &mut Node, field: &str, name: &str, stored: u16, verdict: &Verdict) {
    let (label, problem) = verdict.label_and_problem(name, stored);
    // A quoted packet may have been rewritten (NAT) after it left its sender: no expert note.
    let problem = problem.filter(|_| !cx.quoted);
    if let Some(child) = node.children.iter_mut().find(|c| c.field == Some(field)) {
        child.label = label;
        child.problem = problem;
    }
}

struct TcpFixed {
    sport: u16,
    dport: u16,
    seq: u32,
    ack: u32,
    hdr_len: usize,
    flags: u16,
    checksum: u16,
}

const FIN: u16 = 0x001;
const SYN: u16 = 0x002;
const RST: u16 = 0x004;
const PSH: u16 = 0x008;
const ACK: u16 = 0x010;
const URG: u16 = 0x020;
const ECE: u16 = 0x040;
const CWR: u16 = 0x080;
const AE: u16 = 0x100;

fn tcp_fixed_fields(b: &Bytes, off: usize, node: &mut Node) -> Option<TcpFixed> {
    let sport = b.u16(off)?;
    node.push(Node::new(format!("Source Port: {sport}"), off, 2).field("tcp.srcport"));
    let dport = b.u16(off + 2)?;
    node.push(Node::new(format!("Destination Port: {dport}"), off + 2, 2).field("tcp.dstport"));
    let seq = b.u32(off + 4)?;
    node.push(Node::new(format!("Sequence Number (raw): {seq}"), off + 4, 4).field("tcp.seq_raw"));
    let ack = b.u32(off + 8)?;
    let mut ack_node =
        Node::new(format!("Acknowledgment Number (raw): {ack}"), off + 8, 4).field("tcp.ack_raw");
    let word = b.u16(off + 12)?;
    let hdr_len = usize::from(word >> 12) * 4;
    let flags = word & 0x0fff;
    if flags & ACK == 0 && ack != 0 {
        ack_node = ack_node
            .problem("The acknowledgment number field is nonzero while the ACK flag is not set");
    }
    node.push(ack_node);
    let mut len_node = Node::new(
        format!(
            "{} = Header Length: {hdr_len} bytes ({})",
            bit_pattern(u64::from(word >> 8), 8, 0xf0),
            word >> 12
        ),
        off + 12,
        1,
    )
    .field("tcp.hdr_len");
    if hdr_len < 20 {
        len_node = len_node.problem(format!("TCP header length {hdr_len} is less than the minimum of 20 bytes: options and payload cannot be located"));
    }
    node.push(len_node);
    node.push(tcp_flags_node(flags, off + 12));
    let window = b.u16(off + 14)?;
    node.push(Node::new(format!("Window: {window}"), off + 14, 2).field("tcp.window_size_value"));
    let checksum = b.u16(off + 16)?;
    node.push(Node::new(format!("Checksum: 0x{checksum:04x}"), off + 16, 2).field("tcp.checksum"));
    let urgent = b.u16(off + 18)?;
    node.push(
        Node::new(format!("Urgent Pointer: {urgent}"), off + 18, 2).field("tcp.urgent_pointer"),
    );
    Some(TcpFixed {
        sport,
        dport,
        seq,
        ack,
        hdr_len,
        flags,
        checksum,
    })
}

fn flag_names(flags: u16) -> Vec<&'static str> {
    let table = [
        (FIN, "FIN"),
        (SYN, "SYN"),
        (RST, "RST"),
        (PSH, "PSH"),
        (ACK, "ACK"),
        (URG, "URG"),
        (ECE, "ECE"),
        (CWR, "CWR"),
        (AE, "AE"),
    ];
    table
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|&(_, n)| n)
        .collect()
}

fn tcp_flags_node(flags: u16, at: usize) -> Node {
    let names = flag_names(flags);
    let f = u64::from(flags);
    let mut node = Node::new(
        format!("Flags: 0x{flags:03x} ({})", names.join(", ")),
        at,
        2,
    )
    .field("tcp.flags");
    let mut reserved = Node::new(
        format!(
            "{} = Reserved: {}",
            bit_pattern(f, 12, 0xe00),
            if flags & 0xe00 != 0 { "Set" } else { "Not set" }
        ),
        at,
        2,
    )
    .field("tcp.flags.res");
    if flags & 0xe00 != 0 {
        reserved = reserved.problem("Reserved TCP flag bits are set");
    }
    node.push(reserved);
    let bits: [(u16, &str, &'static str); 9] = [
        (AE, "Accurate ECN", "tcp.flags.ae"),
        (CWR, "Congestion Window Reduced", "tcp.flags.cwr"),
        (ECE, "ECN-Echo", "tcp.flags.ece"),
        (URG, "Urgent", "tcp.flags.urg"),
        (ACK, "Acknowledgment", "tcp.flags.ack"),
        (PSH, "Push", "tcp.flags.push"),
        (RST, "Reset", "tcp.flags.reset"),
        (SYN, "Syn", "tcp.flags.syn"),
        (FIN, "Fin", "tcp.flags.fin"),
    ];
    for (bit, name, field) in bits {
        node.push(Node::new(flag_line(f, 12, u64::from(bit), name), at, 2).field(field));
    }
    let letters: String = [
        (0x800, '·'),
        (0x400, '·'),
        (0x200, '·'),
        (AE, 'A'),
        (CWR, 'C'),
        (ECE, 'E'),
        (URG, 'U'),
        (ACK, 'A'),
        (PSH, 'P'),
        (RST, 'R'),
        (SYN, 'S'),
        (FIN, 'F'),
    ]
    .iter()
    .map(|&(bit, c)| if flags & bit != 0 { c } else { '·' })
    .collect();
    node.push(Node::generated(format!("[TCP Flags: {letters}]"), at).field("tcp.flags.str"));
    if flags & SYN != 0 && flags & (FIN | RST) != 0 {
        node.problem = Some(format!("Invalid flag combination: {}", names.join(" + ")));
    } else if flags & 0x1ff == 0 {
        node.problem =
            Some("No flag set at all (a \"null\" segment, typical of port scans)".into());
    }
    node
}

/// What the options tell the rest of the dissection.
#[derive(Default)]
struct OptionFacts {
    fast_open: bool,
}

fn tcp_option_name(kind: u8) -> &'static str {
    match kind {
        0 => "End of Option List (EOL)",
        1 => "No-Operation (NOP)",
        2 => "Maximum segment size",
        3 => "Window scale",
        4 => "SACK permitted",
        5 => "SACK",
        8 => "Timestamps",
        19 => "TCP MD5 signature",
        28 => "User Timeout",
        29 => "TCP Authentication Option",
        30 => "Multipath TCP",
        34 => "TCP Fast Open Cookie",
        253 | 254 => "Experimental",
        _ => "Unknown",
    }
}

/// The length a known option kind must have (None: variable or unknown).
fn tcp_option_fixed_len(kind: u8) -> Option<usize> {
    match kind {
        2 => Some(4),
        3 => Some(3),
        4 => Some(2),
        8 => Some(10),
        19 => Some(18),
        28 => Some(4),
        _ => None,
    }
}

fn tcp_options(b: &Bytes, start: usize, end: usize, facts: &mut OptionFacts) -> Node {
    let mut node = Node::new(
        format!("Options: ({} bytes)", end - start),
        start,
        (end - start).min(b.remaining(start)),
    )
    .field("tcp.options");
    let mut names = Vec::new();
    let mut at = start;
    for _ in 0..40 {
        if at >= end {
            break;
        }
        let Some(kind) = b.u8(at) else { break };
        if kind == 0 || kind == 1 {
            let field = if kind == 0 {
                "tcp.options.eol"
            } else {
                "tcp.options.nop"
            };
            node.push(
                Node::new(format!("TCP Option - {}", tcp_option_name(kind)), at, 1).field(field),
            );
            names.push(tcp_option_name(kind).to_string());
            at += 1;
            if kind == 0 {
                if at < end {
                    node.push(
                        Node::new(
                            format!("Padding after EOL ({} bytes)", end - at),
                            at,
                            (end - at).min(b.remaining(at)),
                        )
                        .field("tcp.options.padding"),
                    );
                }
                break;
            }
            continue;
        }
        let Some(len) = b.u8(at + 1).map(usize::from) else {
            break;
        };
        if len < 2 || at + len > end {
            node.push(
                Node::new(format!("TCP Option - {} (kind {kind}), length {len}", tcp_option_name(kind)), at, (end - at).min(b.remaining(at)))
                    .field("tcp.option_kind")
                    .problem(format!("TCP option length {len} is invalid: it must be at least 2 and fit in the {} bytes of options left", end - at)),
            );
            break;
        }
        let Some(value) = b.get(at + 2, len - 2) else {
            break;
        };
        let mut opt = tcp_option_node(kind, value, at, len, facts);
        if let Some(want) = tcp_option_fixed_len(kind).filter(|&w| w != len) {
            opt = opt.problem(format!(
                "{} option length {len}, should be {want}",
                tcp_option_name(kind)
            ));
        }
        names.push(tcp_option_name(kind).to_string());
        node.push(opt);
        at += len;
    }
    if !names.is_empty() {
        node.label = format!("{}, {}", node.label, names.join(", "));
    }
    node
}

fn tcp_option_node(kind: u8, value: &[u8], at: usize, len: usize, facts: &mut OptionFacts) -> Node {
    let kind_node = Node::new(format!("Kind: {} ({kind})", tcp_option_name(kind)), at, 1)
        .field("tcp.option_kind");
    let len_node = Node::new(format!("Length: {len}"), at + 1, 1).field("tcp.option_len");
    let (label, field, extra): (String, &'static str, Vec<Node>) = match kind {
        2 => match be16(value, 0) {
            Some(mss) => (
                format!("TCP Option - Maximum segment size: {mss} bytes"),
                "tcp.options.mss",
                vec![Node::new(format!("MSS Value: {mss}"), at + 2, 2).field("tcp.options.mss_val")],
            ),
            None => (
                "TCP Option - Maximum segment size (malformed)".into(),
                "tcp.options.mss",
                vec![],
            ),
        },
        3 => match value.first() {
            Some(&shift) => {
                let mut n = Node::new(format!("Shift count: {shift}"), at + 2, 1)
                    .field("tcp.options.wscale.shift");
                if shift > 14 {
                    n = n.problem(format!(
                        "Window scale shift {shift} is larger than the maximum 14 (RFC 7323)"
                    ));
                }
                (
                    format!(
                        "TCP Option - Window scale: {shift} (multiply by {})",
                        1u64 << shift.min(30)
                    ),
                    "tcp.options.wscale",
                    vec![
                        n,
                        Node::generated(format!("[Multiplier: {}]", 1u64 << shift.min(30)), at + 2)
                            .field("tcp.options.wscale.multiplier"),
                    ],
                )
            }
            None => (
                "TCP Option - Window scale (malformed)".into(),
                "tcp.options.wscale",
                vec![],
            ),
        },
        4 => (
            "TCP Option - SACK permitted".into(),
            "tcp.options.sack_perm",
            vec![],
        ),
        5 => {
            let mut blocks = Vec::new();
            let mut edges = Vec::new();
            for i in 0..(value.len() / 8).min(4) {
                let (le, re) = (
                    be32(value, i * 8).unwrap_or(0),
                    be32(value, i * 8 + 4).unwrap_or(0),
                );
                edges.push(format!("{le}-{re}"));
                blocks.push(
                    Node::new(format!("left edge = {le} (raw)"), at + 2 + i * 8, 4)
                        .field("tcp.options.sack_le"),
                );
                blocks.push(
                    Node::new(format!("right edge = {re} (raw)"), at + 6 + i * 8, 4)
                        .field("tcp.options.sack_re"),
                );
            }
            (
                format!("TCP Option - SACK {}", edges.join(" ")),
                "tcp.options.sack",
                blocks,
            )
        }
        8 => match (be32(value, 0), be32(value, 4)) {
            (Some(tsval), Some(tsecr)) => (
                format!("TCP Option - Timestamps: TSval {tsval}, TSecr {tsecr}"),
                "tcp.options.timestamp",
                vec![
                    Node::new(format!("Timestamp value: {tsval}"), at + 2, 4)
                        .field("tcp.options.timestamp.tsval"),
                    Node::new(format!("Timestamp echo reply: {tsecr}"), at + 6, 4)
                        .field("tcp.options.timestamp.tsecr"),
                ],
            ),
            _ => (
                "TCP Option - Timestamps (malformed)".into(),
                "tcp.options.timestamp",
                vec![],
            ),
        },
        34 => {
            facts.fast_open = true;
            (
                format!("TCP Option - TCP Fast Open: cookie {}", hex(value)),
                "tcp.options.tfo",
                vec![],
            )
        }
        254 if value.get(..2) == Some(&[0xf9, 0x89]) => {
            facts.fast_open = true;
            (
                format!(
                    "TCP Option - TCP Fast Open (experimental): cookie {}",
                    hex(value.get(2..).unwrap_or(&[]))
                ),
                "tcp.options.tfo",
                vec![],
            )
        }
        _ => (
            format!(
                "TCP Option - {} (kind {kind}), {len} bytes: {}",
                tcp_option_name(kind),
                hex(value)
            ),
            "tcp.options.unknown.payload",
            vec![],
        ),
    };
    let mut node = Node::new(label, at, len)
        .field(field)
        .with_child(kind_node)
        .with_child(len_node);
    node.children.extend(extra);
    node
}

pub(crate) fn tcp(cx: &mut Cx, b: &Bytes, off: usize, ip: &IpInfo) -> Carried {
    let mut node = Node::new(
        "Transmission Control Protocol",
        off,
        b.remaining(off).min(20),
    );
    let Some(f) = tcp_fixed_fields(b, off, &mut node) else {
        node.push(cx.cut(b, "TCP header", off, 20));
        if let Some((s, d)) = b.u16(off).zip(b.u16(off + 2)) {
            node.label = format!("Transmission Control Protocol, Src Port: {s}, Dst Port: {d}");
        }
        cx.push_layer(node);
        return Carried::default();
    };
    let declared = ip.end.saturating_sub(off);
    node.label = format!(
        "Transmission Control Protocol, Src Port: {}, Dst Port: {}, Seq: {}, Ack: {}",
        f.sport, f.dport, f.seq, f.ack
    );
    if f.hdr_len < 20 {
        cx.push_layer(node);
        return Carried::default();
    }
    if f.hdr_len > declared && !cx.quoted {
        super::network::flag_child(
            &mut node,
            "tcp.hdr_len",
            format!(
                "Header length {} exceeds the {declared} bytes the IP header leaves for TCP",
                f.hdr_len
            ),
        );
        cx.push_layer(node);
        return Carried::default();
    }
    let mut facts = OptionFacts::default();
    if f.hdr_len > 20 {
        if b.remaining(off) >= f.hdr_len {
            node.push(tcp_options(b, off + 20, off + f.hdr_len, &mut facts));
        } else {
            let mut options = tcp_options(b, off + 20, off + f.hdr_len, &mut facts);
            options.push(cx.cut(b, "TCP option area", off + 20, f.hdr_len - 20));
            node.push(options);
            // The layer covers the captured part of its header, options included.
            node.len = to_u32(b.remaining(off).min(f.hdr_len));
            set_checksum(
                cx,
                &mut node,
                "tcp.checksum",
                "Checksum",
                f.checksum,
                &Verdict::Unverified("header cut"),
            );
            cx.push_layer(node);
            return Carried::default();
        }
    }
    node.len = f.hdr_len as u32;
    let payload_len = declared.saturating_sub(f.hdr_len);
    node.label = format!("{}, Len: {payload_len}", node.label);
    let verdict = segment_verdict(cx, b, off, declared, 6, ip);
    set_checksum(
        cx,
        &mut node,
        "tcp.checksum",
        "Checksum",
        f.checksum,
        &verdict,
    );
    node.push(Node::generated(format!("[TCP Segment Len: {payload_len}]"), off).field("tcp.len"));

    let mut carried = Carried::default();
    // The note on a SYN's payload goes under the payload node, whose bytes it covers.
    let mut syn_note = None;
    if f.flags & SYN != 0 && payload_len > 0 {
        let kind = if f.flags & ACK != 0 { "SYN-ACK" } else { "SYN" };
        let mut gen = Node::generated(
            format!("[{kind} carries {payload_len} bytes of payload]"),
            off + f.hdr_len,
        );
        // Cover the payload bytes themselves, so the hex view marks exactly what the SYN carried.
        gen.len = b.remaining(off + f.hdr_len).min(payload_len) as u32;
        if facts.fast_open {
            syn_note = Some(gen.with_child(Node::generated(
                "[Carried with a TCP Fast Open cookie: allowed]",
                off + f.hdr_len,
            )));
        } else {
            syn_note = Some(gen.problem(format!(
                "{kind} carries {payload_len} byte{} of payload; the peer's ACK will count {}: a {kind} should carry none",
                if payload_len == 1 { "" } else { "s" },
                if payload_len == 1 { "it" } else { "them" }
            )));
            carried.syn_payload = Some(SynPayload {
                kind,
                tcp_header: f.hdr_len,
            });
        }
    }
    let payload_off = off + f.hdr_len;
    let captured_payload = b.remaining(payload_off).min(payload_len);
    if payload_len > 0 {
        let mut p = Node::new(
            format!("TCP payload ({payload_len} bytes)"),
            payload_off,
            captured_payload,
        )
        .field("tcp.payload");
        p.children.extend(syn_note);
        if captured_payload < payload_len && !cx.quoted {
            p.push(b.cut_node("TCP payload", payload_off, payload_len));
        }
        if f.flags & RST != 0 {
            p.push(
                Node::new(
                    format!(
                        "[Reset cause: {}]",
                        super::text::escape(b.get(payload_off, captured_payload).unwrap_or(&[]))
                    ),
                    payload_off,
                    captured_payload,
                )
                .field("tcp.reset_cause"),
            );
        }
        node.push(p);
    }
    if !cx.push_layer(node) {
        return carried;
    }
    if captured_payload > 0 && !ip.fragment {
        tcp_application(cx, b, payload_off, f.sport, f.dport);
    }
    carried
}

fn tcp_application(cx: &mut Cx, b: &Bytes, off: usize, sport: u16, dport: u16) {
    let head = b.rest(off);
    if sport == 53 || dport == 53 {
        dns::dns(cx, b, off, true);
    } else if tls::looks_like_tls(head) {
        tls::tls(cx, b, off);
    } else if http::looks_like_http(head) {
        http::http(cx, b, off);
    }
}

pub(crate) fn udp(cx: &mut Cx, b: &Bytes, off: usize, ip: &IpInfo) {
    let mut node = Node::new("User Datagram Protocol", off, b.remaining(off).min(8));
    let fields = (|| {
        let sport = b.u16(off)?;
        node.push(Node::new(format!("Source Port: {sport}"), off, 2).field("udp.srcport"));
        let dport = b.u16(off + 2)?;
        node.push(Node::new(format!("Destination Port: {dport}"), off + 2, 2).field("udp.dstport"));
        node.label = format!("User Datagram Protocol, Src Port: {sport}, Dst Port: {dport}");
        let len = b.u16(off + 4)?;
        node.push(Node::new(format!("Length: {len}"), off + 4, 2).field("udp.length"));
        let checksum = b.u16(off + 6)?;
        node.push(
            Node::new(format!("Checksum: 0x{checksum:04x}"), off + 6, 2).field("udp.checksum"),
        );
        Some((sport, dport, usize::from(len), checksum))
    })();
    let Some((sport, dport, len, checksum)) = fields else {
        node.push(cx.cut(b, "UDP header", off, 8));
        cx.push_layer(node);
        return;
    };
    let declared = ip.end.saturating_sub(off);
    let mut udp_end = off + declared;
    let mut length_ok = true;
    if len < 8 {
        super::network::flag_child(
            &mut node,
            "udp.length",
            format!("UDP length {len} is less than the 8-byte header"),
        );
        length_ok = false;
    } else if len > declared && !cx.quoted && !ip.fragment {
        super::network::flag_child(
            &mut node,
            "udp.length",
            format!("UDP length {len} exceeds the {declared} bytes the IP header leaves for UDP"),
        );
        length_ok = false;
    } else {
        udp_end = off + len;
    }
    let verdict = if checksum == 0 {
        Verdict::Unverified("zero value: checksum not computed by the sender")
    } else if !length_ok {
        Verdict::Unverified("bad length")
    } else {
        segment_verdict(cx, b, off, len, 17, ip)
    };
    set_checksum(
        cx,
        &mut node,
        "udp.checksum",
        "Checksum",
        checksum,
        &verdict,
    );
    if checksum == 0 && ip.is_v6() && !cx.quoted {
        super::network::flag_child(&mut node, "udp.checksum", "A zero UDP checksum is not allowed over IPv6 (RFC 8200), except for tunnels (RFC 6935)".into());
    }
    let payload_len = udp_end.saturating_sub(off + 8);
    let inner = b.clip(udp_end);
    if payload_len > 0 {
        let captured = inner.remaining(off + 8).min(payload_len);
        node.push(
            Node::new(
                format!("UDP payload ({payload_len} bytes)"),
                off + 8,
                captured,
            )
            .field("udp.payload"),
        );
    }
    if ip.fragment {
        node.push(Node::generated(
            "[Datagram continues in later IP fragments: payload not dissected (no reassembly)]",
            off + 8,
        ));
    }
    if !cx.push_layer(node) || inner.remaining(off + 8) == 0 || ip.fragment {
        return;
    }
    udp_application(cx, &inner, off + 8, sport, dport);
}

fn udp_application(cx: &mut Cx, b: &Bytes, off: usize, sport: u16, dport: u16) {
    let either = |p: u16| sport == p || dport == p;
    if either(53) || either(5353) || either(5355) {
        dns::dns(cx, b, off, false);
    } else if either(4789) {
        tunnel::vxlan(cx, b, off);
    } else {
        data_layer(cx, b, off, "");
    }
}
