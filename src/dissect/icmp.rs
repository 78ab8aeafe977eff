//! ICMP and ICMPv6: type and code names, checksum verified, echo identifier and sequence, and for
//! error messages (destination unreachable, time exceeded, redirect, parameter problem, packet
//! too big) the quoted packet — its IP header and the first bytes of its transport — dissected as
//! children of the ICMP node. ICMPv6 also shows the Neighbor Discovery basics (router and
//! neighbor solicitation/advertisement, redirect) with their options, and MLD. The header is
//! read through [`crate::wire::icmp`] and the quoted packet by the same IP and transport views
//! as any other, the Neighbor Discovery and MLD bodies and ND options through
//! [`crate::wire::ndp`].

use super::bytes::{has, Bytes, Padded, Span};
use super::checksum::Verdict;
use super::network::{self, IpInfo};
use super::text::{escape, hex, ipv4 as ip4, ipv6 as ip6, mac};
use super::{Cx, Node};
use crate::wire::bytes::be32;
use crate::wire::checksum::pseudo_header;
use crate::wire::icmp::{self as wicmp, field as f, is_error, IcmpHeader};
use crate::wire::ndp::{self, field as nf, BadNdOption, MldMessage, NdMessage};

/// ICMP errors quoting ICMP errors are followed at most this deep.
const MAX_QUOTE_DEPTH: usize = 2;

fn icmp_type_name(t: u8) -> &'static str {
    match t {
        0 => "Echo (ping) reply",
        3 => "Destination unreachable",
        4 => "Source quench (flow control)",
        5 => "Redirect",
        8 => "Echo (ping) request",
        9 => "Router advertisement",
        10 => "Router solicitation",
        11 => "Time-to-live exceeded",
        12 => "Parameter problem",
        13 => "Timestamp request",
        14 => "Timestamp reply",
        15 => "Information request",
        16 => "Information reply",
        17 => "Address mask request",
        18 => "Address mask reply",
        _ => "Unknown",
    }
}

fn icmp_code_name(t: u8, c: u8) -> &'static str {
    match (t, c) {
        (3, 0) => "Network unreachable",
        (3, 1) => "Host unreachable",
        (3, 2) => "Protocol unreachable",
        (3, 3) => "Port unreachable",
        (3, 4) => "Fragmentation needed",
        (3, 5) => "Source route failed",
        (3, 6) => "Destination network unknown",
        (3, 7) => "Destination host unknown",
        (3, 8) => "Source host isolated",
        (3, 9) => "Network administratively prohibited",
        (3, 10) => "Host administratively prohibited",
        (3, 11) => "Network unreachable for TOS",
        (3, 12) => "Host unreachable for TOS",
        (3, 13) => "Communication administratively filtered",
        (3, 14) => "Host precedence violation",
        (3, 15) => "Precedence cutoff in effect",
        (5, 0) => "Redirect for network",
        (5, 1) => "Redirect for host",
        (5, 2) => "Redirect for TOS and network",
        (5, 3) => "Redirect for TOS and host",
        (11, 0) => "Time to live exceeded in transit",
        (11, 1) => "Fragment reassembly time exceeded",
        (12, 0) => "Pointer indicates the error",
        (12, 1) => "Required option missing",
        (12, 2) => "Bad length",
        _ => "",
    }
}

fn type_code_nodes(
    node: &mut Node,
    off: usize,
    t: u8,
    c: u8,
    tname: &str,
    cname: &str,
    proto: &str,
) {
    // tshark words them differently: "Type: 8 (Echo (ping) request)" for ICMP but
    // "Type: Echo (ping) request (128)" for ICMPv6.
    let label = match (proto, tname) {
        ("icmp", _) => format!("Type: {t} ({tname})"),
        (_, "") => format!("Type: Unknown ({t})"),
        _ => format!("Type: {tname} ({t})"),
    };
    node.push(Node::at(label, off, f::TYPE).field(if proto == "icmp" {
        "icmp.type"
    } else {
        "icmpv6.type"
    }));
    let code = if cname.is_empty() {
        format!("Code: {c}")
    } else {
        format!("Code: {c} ({cname})")
    };
    node.push(Node::at(code, off, f::CODE).field(if proto == "icmp" {
        "icmp.code"
    } else {
        "icmpv6.code"
    }));
}

/// Checksum verdict over the whole message (`acc` carries the ICMPv6 pseudo-header).
fn message_verdict(cx: &Cx, b: &Bytes, off: usize, end: usize, ip: &IpInfo, acc: u64) -> Verdict {
    if cx.quoted {
        return Verdict::Unverified("quoted packet");
    }
    if ip.fragment {
        return Verdict::Unverified("IP fragment, datagram not reassembled");
    }
    match b.get(off, end.saturating_sub(off)) {
        Some(msg) => Verdict::over(msg, f::CHECKSUM.start, acc),
        None => Verdict::Unverified(if b.snapped() {
            "frame cut by the snapshot length"
        } else {
            "message truncated"
        }),
    }
}

fn checksum_node(stored: u16, off: usize, verdict: &Verdict, field: &'static str) -> Node {
    let (label, problem) = verdict.label_and_problem("Checksum", stored);
    let mut n = Node::at(label, off, f::CHECKSUM).field(field);
    n.problem = problem;
    n
}

/// The echo identifier and sequence number (when captured) and the data after them.
fn echo_fields(node: &mut Node, b: &Bytes, h: &IcmpHeader, off: usize, v6: bool) {
    let (idf, seqf) = if v6 {
        ("icmpv6.echo.identifier", "icmpv6.echo.sequence_number")
    } else {
        ("icmp.ident", "icmp.seq")
    };
    if has(b.remaining(off), f::SEQ) {
        let (id, seq) = (h.ident(), h.seq());
        if v6 {
            node.push(Node::at(format!("Identifier: 0x{id:04x}"), off, f::IDENT).field(idf));
            node.push(Node::at(format!("Sequence: {seq}"), off, f::SEQ).field(seqf));
        } else {
            let be = format!("Identifier (BE): {id} (0x{id:04x})");
            node.push(Node::at(be, off, f::IDENT).field(idf));
            let le = id.swap_bytes();
            let le = format!("Identifier (LE): {le} (0x{le:04x})");
            node.push(Node::at(le, off, f::IDENT).field("icmp.ident_le"));
            let be = format!("Sequence Number (BE): {seq} (0x{seq:04x})");
            node.push(Node::at(be, off, f::SEQ).field(seqf));
            let le = seq.swap_bytes();
            let le = format!("Sequence Number (LE): {le} (0x{le:04x})");
            node.push(Node::at(le, off, f::SEQ).field("icmp.seq_le"));
        }
    }
    let at = off + wicmp::HEADER_LEN;
    let data = b.rest(at);
    if !data.is_empty() {
        node.push(
            Node::new(format!("Data ({} bytes)", data.len()), at, data.len())
                .field("data.data")
                .with_child(Node::new(format!("Data: {}", hex(data)), at, data.len())),
        );
    }
}

/// Dissect the packet an ICMP error quotes, as children of `node`.
fn quoted_packet(cx: &Cx, node: &mut Node, b: &Bytes, off: usize, v6: bool) {
    if b.remaining(off) == 0 {
        return;
    }
    if cx.quote_depth >= MAX_QUOTE_DEPTH {
        node.push(Node::new(
            "[Quoted packet not dissected: ICMP errors nested too deep]",
            off,
            b.remaining(off),
        ));
        return;
    }
    let mut sub = Cx {
        layers: Vec::new(),
        quoted: true,
        quote_depth: cx.quote_depth + 1,
    };
    if v6 {
        network::ipv6(&mut sub, b, off);
    } else {
        network::ipv4(&mut sub, b, off);
    }
    node.children.extend(sub.layers);
}

/// The ICMP header at `off` viewed over `pad` when it is cut; `None` (after pushing the
/// layer with a cut note) when type, code and checksum are not all there.
fn icmp_header<'p>(
    cx: &mut Cx,
    b: &'p Bytes,
    off: usize,
    pad: &'p mut Padded<{ wicmp::HEADER_LEN }>,
    mut node: Node,
    what: &str,
) -> Option<(IcmpHeader<'p>, Node)> {
    let header = IcmpHeader::new(pad.over(b.rest(off))).ok();
    match header.filter(|_| has(b.remaining(off), f::CHECKSUM)) {
        Some(h) => Some((h, node)),
        None => {
            node.push(cx.cut(b, what, off, 4));
            cx.push_layer(node);
            None
        }
    }
}

pub(crate) fn icmp(cx: &mut Cx, b: &Bytes, off: usize, ip: &IpInfo) {
    let node = Node::new("Internet Control Message Protocol", off, b.remaining(off));
    let mut pad = Padded::new();
    let Some((h, mut node)) = icmp_header(cx, b, off, &mut pad, node, "ICMP header") else {
        return;
    };
    let (t, c) = (h.kind(), h.code());
    type_code_nodes(
        &mut node,
        off,
        t,
        c,
        icmp_type_name(t),
        icmp_code_name(t, c),
        "icmp",
    );
    let verdict = message_verdict(cx, b, off, ip.end, ip, 0);
    node.push(checksum_node(h.checksum(), off, &verdict, "icmp.checksum"));
    match t {
        0 | 8 => echo_fields(&mut node, b, &h, off, false),
        t if is_error(false, t) => {
            if !has(b.remaining(off), f::REST) {
                return cx.push_cut(b, node, "ICMP error header", off, wicmp::HEADER_LEN);
            }
            let word = h.rest_of_header();
            node.push(match (t, c) {
                (5, _) => Node::at(
                    format!("Gateway Address: {}", ip4(word.to_be_bytes())),
                    off,
                    f::REST,
                )
                .field("icmp.redir_gw"),
                (12, _) => Node::at(format!("Pointer: {}", word >> 24), off, f::POINTER)
                    .field("icmp.pointer"),
                (3, 4) => Node::at(
                    format!("MTU of next hop: {}", h.seq()),
                    off,
                    f::NEXT_HOP_MTU,
                )
                .field("icmp.mtu"),
                _ => Node::at(format!("Unused: {word:08x}"), off, f::REST).field("icmp.unused"),
            });
            quoted_packet(cx, &mut node, b, off + wicmp::HEADER_LEN, false);
        }
        13 | 14 => timestamp_fields(&mut node, b, &h, off),
        _ => data_after_header(b, off, &mut node),
    }
    cx.push_layer(node);
}

/// ICMP timestamp request and reply: identifier, sequence number and three timestamps, as far
/// as they were captured.
fn timestamp_fields(node: &mut Node, b: &Bytes, h: &IcmpHeader, off: usize) {
    let have = b.remaining(off);
    if has(have, f::SEQ) {
        let (id, seq) = (h.ident(), h.seq());
        node.push(
            Node::at(format!("Identifier: {id} (0x{id:04x})"), off, f::IDENT).field("icmp.ident"),
        );
        node.push(
            Node::at(format!("Sequence Number: {seq} (0x{seq:04x})"), off, f::SEQ)
                .field("icmp.seq"),
        );
    }
    let stamps = [
        ("Originate timestamp", f::ORIGINATE),
        ("Receive timestamp", f::RECEIVE),
        ("Transmit timestamp", f::TRANSMIT),
    ];
    for (name, range) in stamps {
        if let Some(v) = be32(b.rest(off), range.start) {
            node.push(Node::at(
                format!("{name}: {v} ms after midnight UTC"),
                off,
                range,
            ));
        }
    }
}

/// Whatever follows the 4-byte type/code/checksum header of a message this dissector does not
/// break down, as one data node (none when nothing follows).
fn data_after_header(b: &Bytes, off: usize, node: &mut Node) {
    let at = off + f::REST.start;
    let rest = b.rest(at);
    if !rest.is_empty() {
        node.push(
            Node::new(
                format!("Data ({} bytes): {}", rest.len(), hex(rest)),
                at,
                rest.len(),
            )
            .field("data.data"),
        );
    }
}

fn icmpv6_type_name(t: u8) -> &'static str {
    match t {
        1 => "Destination Unreachable",
        2 => "Packet Too Big",
        3 => "Time Exceeded",
        4 => "Parameter Problem",
        128 => "Echo (ping) request",
        129 => "Echo (ping) reply",
        130 => "Multicast Listener Query",
        131 => "Multicast Listener Report",
        132 => "Multicast Listener Done",
        133 => "Router Solicitation",
        134 => "Router Advertisement",
        135 => "Neighbor Solicitation",
        136 => "Neighbor Advertisement",
        137 => "Redirect",
        138 => "Router Renumbering",
        143 => "Multicast Listener Report Message v2",
        _ => "Unknown",
    }
}

fn icmpv6_code_name(t: u8, c: u8) -> &'static str {
    match (t, c) {
        (1, 0) => "no route to destination",
        (1, 1) => "communication with destination administratively prohibited",
        (1, 2) => "beyond scope of source address",
        (1, 3) => "address unreachable",
        (1, 4) => "port unreachable",
        (1, 5) => "source address failed ingress/egress policy",
        (1, 6) => "reject route to destination",
        (3, 0) => "hop limit exceeded in transit",
        (3, 1) => "fragment reassembly time exceeded",
        (4, 0) => "erroneous header field encountered",
        (4, 1) => "unrecognized Next Header type encountered",
        (4, 2) => "unrecognized IPv6 option encountered",
        _ => "",
    }
}

pub(crate) fn icmpv6(cx: &mut Cx, b: &Bytes, off: usize, ip: &IpInfo) {
    let node = Node::new(
        "Internet Control Message Protocol v6",
        off,
        b.remaining(off),
    );
    let mut pad = Padded::new();
    let Some((h, mut node)) = icmp_header(cx, b, off, &mut pad, node, "ICMPv6 header") else {
        return;
    };
    let (t, c) = (h.kind(), h.code());
    type_code_nodes(
        &mut node,
        off,
        t,
        c,
        icmpv6_type_name(t),
        icmpv6_code_name(t, c),
        "icmpv6",
    );
    let msg_len = ip.end.saturating_sub(off);
    let verdict = match pseudo_header(ip.src(), ip.dst(), 58, msg_len) {
        Some(acc) => message_verdict(cx, b, off, ip.end, ip, acc),
        None => Verdict::Unverified("no IPv6 pseudo-header"),
    };
    node.push(checksum_node(
        h.checksum(),
        off,
        &verdict,
        "icmpv6.checksum",
    ));
    match t {
        128 | 129 => echo_fields(&mut node, b, &h, off, true),
        t if is_error(true, t) => {
            if !has(b.remaining(off), f::REST) {
                return cx.push_cut(b, node, "ICMPv6 error header", off, wicmp::HEADER_LEN);
            }
            let word = h.rest_of_header();
            node.push(match t {
                2 => Node::at(format!("MTU: {word}"), off, f::REST).field("icmpv6.mtu"),
                4 => Node::at(format!("Pointer: {word}"), off, f::REST).field("icmpv6.pointer"),
                _ => {
                    Node::at(format!("Reserved: {word:08x}"), off, f::REST).field("icmpv6.reserved")
                }
            });
            quoted_packet(cx, &mut node, b, off + wicmp::HEADER_LEN, true);
        }
        133..=137 => neighbor_discovery(cx, &mut node, b, off, t),
        130..=132 => {
            if let Ok(mld) = MldMessage::v1(b.rest(off)) {
                let delay = format!("Maximum Response Delay [ms]: {}", mld.max_response_delay());
                node.push(
                    Node::at(delay, off, nf::MLD_MAX_RESPONSE_DELAY)
                        .field("icmpv6.mld.maximum_response_delay"),
                );
                let group = format!("Multicast Address: {}", ip6(mld.multicast_address()));
                node.push(
                    Node::at(group, off, nf::MLD_MULTICAST_ADDRESS)
                        .field("icmpv6.mld.multicast_address"),
                );
            }
        }
        ndp::MLDV2_REPORT => {
            if let Ok(mld) = MldMessage::v2_report(b.rest(off)) {
                let n = mld.record_count();
                let label = format!("Number of Multicast Address Records: {n}");
                node.push(
                    Node::at(label, off, nf::MLDV2_RECORD_COUNT)
                        .field("icmpv6.mldr.nb_mcast_records"),
                );
            }
        }
        _ => data_after_header(b, off, &mut node),
    }
    cx.push_layer(node);
}

/// Router/neighbor solicitation and advertisement and redirect: fixed part, then options.
fn neighbor_discovery(cx: &Cx, node: &mut Node, b: &Bytes, off: usize, t: u8) {
    let Ok(nd) = NdMessage::new(b.rest(off), t) else {
        let needed = ndp::nd_fixed_len(t);
        node.push(cx.cut(b, "Neighbor Discovery message", off, needed));
        return;
    };
    if t == ndp::ROUTER_ADVERTISEMENT {
        router_advertisement(&nd, off, node);
    }
    if t == ndp::NEIGHBOR_ADVERTISEMENT {
        let f = nd.na_flags();
        let label = format!(
            "Flags: 0x{f:08x} (Router: {}, Solicited: {}, Override: {})",
            f & 0x8000_0000 != 0,
            f & 0x4000_0000 != 0,
            f & 0x2000_0000 != 0
        );
        node.push(Node::at(label, off, nf::NA_FLAGS).field("icmpv6.nd.na.flag"));
    }
    if let Some(target) = nd.target() {
        let label = format!("Target Address: {}", ip6(target));
        node.push(Node::at(label, off, nf::TARGET).field("icmpv6.nd.ns.target_address"));
    }
    if let Some(dst) = nd.redirect_destination() {
        let label = format!("Destination Address: {}", ip6(dst));
        node.push(
            Node::at(label, off, nf::REDIRECT_DESTINATION)
                .field("icmpv6.nd.rd.destination_address"),
        );
    }
    nd_options(node, &nd, off);
}

fn router_advertisement(nd: &NdMessage, off: usize, node: &mut Node) {
    let flags = nd.ra_flags();
    let flags_label = format!(
        "Flags: 0x{flags:02x} (Managed: {}, Other: {})",
        flags & 0x80 != 0,
        flags & 0x40 != 0
    );
    let fields = [
        (
            format!("Cur hop limit: {}", nd.cur_hop_limit()),
            nf::RA_CUR_HOP_LIMIT.span(),
            "icmpv6.nd.ra.cur_hop_limit",
        ),
        (flags_label, nf::RA_FLAGS.span(), "icmpv6.nd.ra.flag"),
        (
            format!("Router lifetime (s): {}", nd.router_lifetime()),
            nf::RA_ROUTER_LIFETIME,
            "icmpv6.nd.ra.router_lifetime",
        ),
        (
            format!("Reachable time (ms): {}", nd.reachable_time()),
            nf::RA_REACHABLE_TIME,
            "icmpv6.nd.ra.reachable_time",
        ),
        (
            format!("Retrans timer (ms): {}", nd.retrans_timer()),
            nf::RA_RETRANS_TIMER,
            "icmpv6.nd.ra.retrans_timer",
        ),
    ];
    for (label, range, field) in fields {
        node.push(Node::at(label, off, range).field(field));
    }
}

fn nd_option_name(t: u8) -> &'static str {
    match t {
        1 => "Source link-layer address",
        2 => "Target link-layer address",
        3 => "Prefix information",
        4 => "Redirected header",
        5 => "MTU",
        14 => "Nonce",
        24 => "Route Information",
        25 => "Recursive DNS Server",
        31 => "DNS Search List",
        _ => "Unknown",
    }
}

/// The options of `nd`, whose ICMPv6 header is at frame offset `off`.
fn nd_options(node: &mut Node, nd: &NdMessage, off: usize) {
    for option in nd.options() {
        let option = match option {
            Ok(option) => option,
            Err(BadNdOption::ZeroLength { kind, start }) => {
                let label = format!("ICMPv6 Option ({}), length 0", nd_option_name(kind));
                let note = "ICMPv6 option with length 0 is invalid (RFC 4861): the remaining options are ignored";
                node.push(Node::new(label, off + start, 2).problem(note));
                break;
            }
            Err(BadNdOption::Cut { kind, start, len }) => {
                let name = nd_option_name(kind);
                let label = format!("ICMPv6 Option ({name}), {len} bytes, truncated");
                let have = nd.options_bytes_from(start);
                node.push(Node::new(label, off + start, have));
                break;
            }
        };
        let (t, value) = (option.kind, option.value);
        let shown = match t {
            1 | 2 => mac(value.get(..6).unwrap_or(value)),
            3 if value.len() >= 30 => {
                let mut p = [0u8; 16];
                p.copy_from_slice(&value[14..30]);
                format!("{}/{}", ip6(p), value[0])
            }
            5 if value.len() >= 6 => be32(value, 2).unwrap_or_default().to_string(),
            _ => hex(value),
        };
        let label = format!(
            "ICMPv6 Option ({}): {}",
            nd_option_name(t),
            escape(shown.as_bytes())
        );
        node.push(Node::new(label, off + option.start, option.len).field("icmpv6.opt"));
    }
}
