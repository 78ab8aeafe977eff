//! Transport layers: TCP (every header field, the 12 flag bits, options — MSS, window scale,
//! SACK-permitted, SACK blocks, timestamps, NOP, EOL, Fast Open and unknown kinds — checksum
//! verified against the pseudo-header, payload length, SYN/SYN-ACK carrying payload flagged) and
//! UDP (length checks, checksum, zero checksum over IPv6 flagged). Payloads are handed to DNS,
//! TLS, HTTP or VXLAN by port and by a look at the first bytes. Headers and the option list are
//! read through [`crate::wire::tcp`] and [`crate::wire::udp`].

use super::bytes::{has, push_labelled, Bytes, Padded};
use super::checksum::Verdict;
use super::network::{Carried, IpInfo, SynPayload};
use super::text::{bit_pattern, flag_line, hex};
use super::{data_layer, dns, http, tls, to_u32, tunnel, Cx, Node};
use crate::wire::bytes::{be16, be32};
use crate::wire::tcp::{self as wtcp, field as tf, TcpHeader, TcpOption};
use crate::wire::tcp::{ACK, CWR, ECE, FIN, NS as AE, PSH, RST, SYN, URG};
use crate::wire::udp::{self as wudp, field as uf, UdpHeader};

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

/// The fixed-header fields that end within the `have` captured bytes (the acknowledgment
/// number comes with the header length and flags, which say whether it should be zero).
fn tcp_fixed_fields(h: &TcpHeader, off: usize, have: usize, node: &mut Node) {
    let src = format!("Source Port: {}", h.src_port());
    let dst = format!("Destination Port: {}", h.dst_port());
    let seq = format!("Sequence Number (raw): {}", h.seq());
    let head = [
        (src, tf::SRC_PORT, "tcp.srcport"),
        (dst, tf::DST_PORT, "tcp.dstport"),
        (seq, tf::SEQ, "tcp.seq_raw"),
    ];
    push_labelled(node, off, have, head);
    if !has(have, tf::FLAGS) {
        return;
    }
    let (ack, flags, hdr_len) = (h.ack(), h.flags12(), h.header_len());
    let mut ack_node =
        Node::at(format!("Acknowledgment Number (raw): {ack}"), off, tf::ACK).field("tcp.ack_raw");
    if flags & ACK == 0 && ack != 0 {
        ack_node = ack_node
            .problem("The acknowledgment number field is nonzero while the ACK flag is not set");
    }
    node.push(ack_node);
    let mut len_node = Node::at(
        format!(
            "{} = Header Length: {hdr_len} bytes ({})",
            bit_pattern((hdr_len as u64 / 4) << 4, 8, 0xf0),
            hdr_len / 4
        ),
        off,
        tf::DATA_OFFSET,
    )
    .field("tcp.hdr_len");
    if hdr_len < 20 {
        len_node = len_node.problem(format!("TCP header length {hdr_len} is less than the minimum of 20 bytes: options and payload cannot be located"));
    }
    node.push(len_node);
    node.push(tcp_flags_node(flags, off + tf::DATA_OFFSET));
    let window = format!("Window: {}", h.window());
    let checksum = format!("Checksum: 0x{:04x}", h.checksum());
    let urgent = format!("Urgent Pointer: {}", h.urgent());
    let tail = [
        (window, tf::WINDOW, "tcp.window_size_value"),
        (checksum, tf::CHECKSUM, "tcp.checksum"),
        (urgent, tf::URGENT, "tcp.urgent_pointer"),
    ];
    push_labelled(node, off, have, tail);
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

/// The options of `h` (at frame offset `off`), as far as they were captured.
fn tcp_options(b: &Bytes, h: &TcpHeader, off: usize, facts: &mut OptionFacts) -> Node {
    let (start, end) = (off + wtcp::HEADER_LEN, off + h.header_len());
    let mut node = Node::new(
        format!("Options: ({} bytes)", end - start),
        start,
        (end - start).min(b.remaining(start)),
    )
    .field("tcp.options");
    let mut names = Vec::new();
    for option in h.options() {
        let option = match option {
            Ok(option) => option,
            Err(bad) => {
                // An option the capture cut (but whose length fits) just ends the list. A
                // length byte past the option area is read from the packet, as Wireshark does.
                let at = off + bad.start;
                let len = bad.len.or_else(|| b.u8(at + 1)).map(usize::from);
                if let Some(len) = len.filter(|&l| l < 2 || at + l > end) {
                    node.push(bad_option_node(b, bad.kind, len, at, end));
                }
                break;
            }
        };
        let (kind, at) = (option.kind, off + option.start);
        names.push(tcp_option_name(kind).to_string());
        if kind <= 1 {
            node.push(single_byte_option(kind, at));
            if kind == 0 && at + 1 < end {
                let pad = at + 1;
                node.push(
                    Node::new(
                        format!("Padding after EOL ({} bytes)", end - pad),
                        pad,
                        (end - pad).min(b.remaining(pad)),
                    )
                    .field("tcp.options.padding"),
                );
            }
            continue;
        }
        let mut opt = tcp_option_node(&option, at, facts);
        if let Some(want) = tcp_option_fixed_len(kind).filter(|&w| w != option.len) {
            opt = opt.problem(format!(
                "{} option length {}, should be {want}",
                tcp_option_name(kind),
                option.len
            ));
        }
        node.push(opt);
    }
    if !names.is_empty() {
        node.label = format!("{}, {}", node.label, names.join(", "));
    }
    node
}

/// EOL or NOP.
fn single_byte_option(kind: u8, at: usize) -> Node {
    let field = if kind == 0 {
        "tcp.options.eol"
    } else {
        "tcp.options.nop"
    };
    Node::new(format!("TCP Option - {}", tcp_option_name(kind)), at, 1).field(field)
}

fn bad_option_node(b: &Bytes, kind: u8, len: usize, at: usize, end: usize) -> Node {
    Node::new(format!("TCP Option - {} (kind {kind}), length {len}", tcp_option_name(kind)), at, (end - at).min(b.remaining(at)))
        .field("tcp.option_kind")
        .problem(format!("TCP option length {len} is invalid: it must be at least 2 and fit in the {} bytes of options left", end - at))
}

/// A known option's label, display-filter field and value nodes.
type OptionDetail = (String, &'static str, Vec<Node>);

fn tcp_option_node(option: &TcpOption, at: usize, facts: &mut OptionFacts) -> Node {
    let (kind, len, value) = (option.kind, option.len, option.value);
    let kind_node = Node::new(format!("Kind: {} ({kind})", tcp_option_name(kind)), at, 1)
        .field("tcp.option_kind");
    let len_node = Node::new(format!("Length: {len}"), at + 1, 1).field("tcp.option_len");
    let (label, field, extra) = match kind {
        2 => mss_option(value, at),
        3 => window_scale_option(value, at),
        4 => (
            "TCP Option - SACK permitted".into(),
            "tcp.options.sack_perm",
            vec![],
        ),
        5 => sack_option(value, at),
        8 => timestamps_option(value, at),
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

fn mss_option(value: &[u8], at: usize) -> OptionDetail {
    match be16(value, 0) {
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
    }
}

fn window_scale_option(value: &[u8], at: usize) -> OptionDetail {
    let Some(&shift) = value.first() else {
        return (
            "TCP Option - Window scale (malformed)".into(),
            "tcp.options.wscale",
            vec![],
        );
    };
    let mut n =
        Node::new(format!("Shift count: {shift}"), at + 2, 1).field("tcp.options.wscale.shift");
    if shift > 14 {
        n = n.problem(format!(
            "Window scale shift {shift} is larger than the maximum 14 (RFC 7323)"
        ));
    }
    let multiplier = 1u64 << shift.min(30);
    (
        format!("TCP Option - Window scale: {shift} (multiply by {multiplier})"),
        "tcp.options.wscale",
        vec![
            n,
            Node::generated(format!("[Multiplier: {multiplier}]"), at + 2)
                .field("tcp.options.wscale.multiplier"),
        ],
    )
}

fn sack_option(value: &[u8], at: usize) -> OptionDetail {
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

fn timestamps_option(value: &[u8], at: usize) -> OptionDetail {
    match (be32(value, 0), be32(value, 4)) {
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
    }
}

pub(crate) fn tcp(cx: &mut Cx, b: &Bytes, off: usize, ip: &IpInfo) -> Carried {
    let have = b.remaining(off);
    let mut node = Node::header("Transmission Control Protocol", off, have, wtcp::HEADER_LEN);
    let mut pad = Padded::<{ wtcp::HEADER_LEN }>::new();
    let Ok(h) = TcpHeader::new(pad.over(b.rest(off))) else {
        return Carried::default();
    };
    tcp_fixed_fields(&h, off, have, &mut node);
    if !has(have, tf::URGENT) {
        node.push(cx.cut(b, "TCP header", off, wtcp::HEADER_LEN));
        if has(have, tf::DST_PORT) {
            node.label = format!(
                "Transmission Control Protocol, Src Port: {}, Dst Port: {}",
                h.src_port(),
                h.dst_port()
            );
        }
        cx.push_layer(node);
        return Carried::default();
    }
    match tcp_header(cx, b, off, ip, &h, &mut node) {
        Some(facts) => tcp_segment(cx, b, off, ip, &h, &facts, node),
        None => {
            cx.push_layer(node);
            Carried::default()
        }
    }
}

/// The layer's label, the header-length checks and the options of a TCP header whose fixed
/// part is there; `None` when no payload can be located (the node is then complete).
fn tcp_header(
    cx: &Cx,
    b: &Bytes,
    off: usize,
    ip: &IpInfo,
    h: &TcpHeader,
    node: &mut Node,
) -> Option<OptionFacts> {
    let declared = ip.end.saturating_sub(off);
    let hdr_len = h.header_len();
    node.label = format!(
        "Transmission Control Protocol, Src Port: {}, Dst Port: {}, Seq: {}, Ack: {}",
        h.src_port(),
        h.dst_port(),
        h.seq(),
        h.ack()
    );
    if hdr_len < wtcp::HEADER_LEN {
        return None;
    }
    if hdr_len > declared && !cx.quoted {
        let note = format!(
            "Header length {hdr_len} exceeds the {declared} bytes the IP header leaves for TCP"
        );
        super::network::flag_child(node, "tcp.hdr_len", note);
        return None;
    }
    let mut facts = OptionFacts::default();
    if hdr_len > wtcp::HEADER_LEN {
        let mut options = tcp_options(b, h, off, &mut facts);
        if !h.options_complete() {
            let at = off + wtcp::HEADER_LEN;
            options.push(cx.cut(b, "TCP option area", at, hdr_len - wtcp::HEADER_LEN));
            node.push(options);
            // The layer covers the captured part of its header, options included.
            node.len = to_u32(b.remaining(off).min(hdr_len));
            let verdict = Verdict::Unverified("header cut");
            set_checksum(cx, node, "tcp.checksum", "Checksum", h.checksum(), &verdict);
            return None;
        }
        node.push(options);
    }
    Some(facts)
}

/// The segment length, checksum verdict and payload of a TCP header whose options are all
/// there; pushes the layer, then the application data.
fn tcp_segment(
    cx: &mut Cx,
    b: &Bytes,
    off: usize,
    ip: &IpInfo,
    h: &TcpHeader,
    facts: &OptionFacts,
    mut node: Node,
) -> Carried {
    let (hdr_len, flags) = (h.header_len(), h.flags12());
    let declared = ip.end.saturating_sub(off);
    node.len = to_u32(hdr_len);
    let payload_len = declared.saturating_sub(hdr_len);
    node.label = format!("{}, Len: {payload_len}", node.label);
    let verdict = segment_verdict(cx, b, off, declared, 6, ip);
    set_checksum(
        cx,
        &mut node,
        "tcp.checksum",
        "Checksum",
        h.checksum(),
        &verdict,
    );
    node.push(Node::generated(format!("[TCP Segment Len: {payload_len}]"), off).field("tcp.len"));

    let mut carried = Carried::default();
    let payload_off = off + hdr_len;
    // The note on a SYN's payload goes under the payload node, whose bytes it covers.
    let mut syn_note = None;
    if flags & SYN != 0 && payload_len > 0 {
        let kind = if flags & ACK != 0 { "SYN-ACK" } else { "SYN" };
        let mut gen = Node::generated(
            format!("[{kind} carries {payload_len} bytes of payload]"),
            payload_off,
        );
        // Cover the payload bytes themselves, so the hex view marks exactly what the SYN carried.
        gen.len = to_u32(b.remaining(payload_off).min(payload_len));
        if facts.fast_open {
            syn_note = Some(gen.with_child(Node::generated(
                "[Carried with a TCP Fast Open cookie: allowed]",
                payload_off,
            )));
        } else {
            syn_note = Some(gen.problem(format!(
                "{kind} carries {payload_len} byte{} of payload; the peer's ACK will count {}: a {kind} should carry none",
                if payload_len == 1 { "" } else { "s" },
                if payload_len == 1 { "it" } else { "them" }
            )));
            carried.syn_payload = Some(SynPayload {
                kind,
                tcp_header: hdr_len,
            });
        }
    }
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
        if flags & RST != 0 {
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
        tcp_application(cx, b, payload_off, h.src_port(), h.dst_port());
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

/// The header fields that end within the `have` captured bytes.
fn udp_fields(h: &UdpHeader, off: usize, have: usize, node: &mut Node) {
    if has(have, uf::SRC_PORT) {
        let label = format!("Source Port: {}", h.src_port());
        node.push(Node::at(label, off, uf::SRC_PORT).field("udp.srcport"));
    }
    if has(have, uf::DST_PORT) {
        let label = format!("Destination Port: {}", h.dst_port());
        node.push(Node::at(label, off, uf::DST_PORT).field("udp.dstport"));
        node.label = format!(
            "User Datagram Protocol, Src Port: {}, Dst Port: {}",
            h.src_port(),
            h.dst_port()
        );
    }
    if has(have, uf::LENGTH) {
        let label = format!("Length: {}", h.length());
        node.push(Node::at(label, off, uf::LENGTH).field("udp.length"));
    }
    if has(have, uf::CHECKSUM) {
        let label = format!("Checksum: 0x{:04x}", h.checksum());
        node.push(Node::at(label, off, uf::CHECKSUM).field("udp.checksum"));
    }
}

pub(crate) fn udp(cx: &mut Cx, b: &Bytes, off: usize, ip: &IpInfo) {
    let have = b.remaining(off);
    let mut node = Node::header("User Datagram Protocol", off, have, wudp::HEADER_LEN);
    let mut pad = Padded::<{ wudp::HEADER_LEN }>::new();
    let Ok(h) = UdpHeader::new(pad.over(b.rest(off))) else {
        return;
    };
    udp_fields(&h, off, have, &mut node);
    if !has(have, uf::CHECKSUM) {
        return cx.push_cut(b, node, "UDP header", off, wudp::HEADER_LEN);
    }
    let (sport, dport, len, checksum) = (
        h.src_port(),
        h.dst_port(),
        usize::from(h.length()),
        h.checksum(),
    );
    let declared = ip.end.saturating_sub(off);
    let mut udp_end = off + declared;
    let mut length_ok = true;
    if len < wudp::HEADER_LEN {
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
    let payload_at = off + wudp::HEADER_LEN;
    let payload_len = udp_end.saturating_sub(payload_at);
    let inner = b.clip(udp_end);
    if payload_len > 0 {
        let captured = inner.remaining(payload_at).min(payload_len);
        node.push(
            Node::new(
                format!("UDP payload ({payload_len} bytes)"),
                payload_at,
                captured,
            )
            .field("udp.payload"),
        );
    }
    if ip.fragment {
        node.push(Node::generated(
            "[Datagram continues in later IP fragments: payload not dissected (no reassembly)]",
            payload_at,
        ));
    }
    if !cx.push_layer(node) || inner.remaining(payload_at) == 0 || ip.fragment {
        return;
    }
    udp_application(cx, &inner, payload_at, sport, dport);
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
