//! Network layers: IPv4 (every header field, DF/MF flags, fragment offset, header checksum
//! verified, options; fragments are marked and the payload of non-first fragments is left
//! undissected), IPv6 with its extension-header chain (hop-by-hop, routing, fragment,
//! destination options, AH), and ARP. `by_ip_proto` hands the payload to the transport,
//! ICMP or tunnel dissectors with the addresses they need for pseudo-header checksums.

use super::bytes::Bytes;
use super::checksum::Verdict;
use super::names::ip_proto_name;
use super::text::{bit_pattern, bits_line, flag_line, hex, ipv4 as ip4, ipv6 as ip6, mac};
use super::{data_layer, icmp, transport, tunnel, Cx, Node};
use crate::wire::bytes::{be16, be32};

/// What the transport and ICMP layers need from the IP header that carried them.
#[derive(Clone, Copy)]
pub(crate) struct IpInfo {
    src: [u8; 16],
    dst: [u8; 16],
    v6: bool,
    /// True for any fragment (first or later): the payload is not the whole datagram.
    pub fragment: bool,
    /// End offset of the IP payload as the IP header declares it (may exceed the capture).
    pub end: usize,
}

impl IpInfo {
    pub fn src(&self) -> &[u8] {
        if self.v6 {
            &self.src
        } else {
            &self.src[..4]
        }
    }

    pub fn dst(&self) -> &[u8] {
        if self.v6 {
            &self.dst
        } else {
            &self.dst[..4]
        }
    }

    pub fn is_v6(&self) -> bool {
        self.v6
    }
}

/// Raw IP link types: the version nibble decides.
pub(crate) fn ip_by_version(cx: &mut Cx, b: &Bytes, off: usize) -> Option<usize> {
    match b.u8(off).map(|v| v >> 4) {
        Some(4) => ipv4(cx, b, off),
        Some(6) => ipv6(cx, b, off),
        Some(v) => {
            let node = Node::new("Raw packet data", off, b.remaining(off)).with_child(
                Node::new(format!("IP version nibble: {v}"), off, 1).problem(format!(
                    "Raw IP link type, but the first nibble is {v}: neither IPv4 (4) nor IPv6 (6)"
                )),
            );
            cx.push_layer(node);
            None
        }
        None => {
            let node =
                Node::new("Raw packet data", off, 0).with_child(cx.cut(b, "IP header", off, 1));
            cx.push_layer(node);
            None
        }
    }
}

fn dscp_name(dscp: u8) -> String {
    match dscp {
        0 => "CS0".into(),
        1 => "LE".into(),
        8 | 16 | 24 | 32 | 40 | 48 | 56 => format!("CS{}", dscp / 8),
        10 | 12 | 14 | 18 | 20 | 22 | 26 | 28 | 30 | 34 | 36 | 38 => {
            format!("AF{}{}", dscp / 8, (dscp % 8) / 2)
        }
        44 => "VA".into(),
        46 => "EF".into(),
        _ => format!("Unknown ({dscp})"),
    }
}

fn ecn_name(ecn: u8) -> &'static str {
    match ecn & 3 {
        0 => "Not-ECT",
        1 => "ECT(1)",
        2 => "ECT(0)",
        _ => "CE",
    }
}

/// "Differentiated Services Field: 0x00 (DSCP: CS0, ECN: Not-ECT)" with its two sub-fields.
fn ds_field(value: u8, at: usize, len: usize, name: &str, field: &'static str) -> Node {
    let (dscp, ecn) = (value >> 2, value & 3);
    let v = u64::from(value);
    Node::new(
        format!(
            "{name}: 0x{value:02x} (DSCP: {}, ECN: {})",
            dscp_name(dscp),
            ecn_name(ecn)
        ),
        at,
        len,
    )
    .field(field)
    .with_child(Node::new(
        bits_line(
            v,
            8,
            0xfc,
            "Differentiated Services Codepoint",
            &format!("{} ({dscp})", dscp_name(dscp)),
        ),
        at,
        len,
    ))
    .with_child(Node::new(
        bits_line(
            v,
            8,
            0x03,
            "Explicit Congestion Notification",
            &format!("{} ({ecn})", ecn_name(ecn)),
        ),
        at,
        len,
    ))
}

/// The parts of the IPv4 fixed header later steps need.
struct V4Fixed {
    total_len: usize,
    flags_frag: u16,
    proto: u8,
    checksum: u16,
    src: [u8; 4],
    dst: [u8; 4],
}

/// Push the fixed-header fields after version/IHL, one at a time, stopping at the first byte
/// that is not there (a quoted or cut header still shows what it has).
fn ipv4_fixed_fields(b: &Bytes, off: usize, node: &mut Node) -> Option<V4Fixed> {
    let tos = b.u8(off + 1)?;
    node.push(ds_field(
        tos,
        off + 1,
        1,
        "Differentiated Services Field",
        "ip.dsfield",
    ));
    let total_len = b.u16(off + 2)?;
    node.push(Node::new(format!("Total Length: {total_len}"), off + 2, 2).field("ip.len"));
    let id = b.u16(off + 4)?;
    node.push(Node::new(format!("Identification: 0x{id:04x} ({id})"), off + 4, 2).field("ip.id"));
    let flags_frag = b.u16(off + 6)?;
    node.push(ipv4_flags_node(flags_frag, off + 6));
    let frag = flags_frag & 0x1fff;
    node.push(
        Node::new(
            format!(
                "{} = Fragment Offset: {}",
                bit_pattern(u64::from(flags_frag), 16, 0x1fff),
                u32::from(frag) * 8
            ),
            off + 6,
            2,
        )
        .field("ip.frag_offset"),
    );
    let ttl = b.u8(off + 8)?;
    node.push(Node::new(format!("Time to Live: {ttl}"), off + 8, 1).field("ip.ttl"));
    let proto = b.u8(off + 9)?;
    node.push(
        Node::new(
            format!("Protocol: {} ({proto})", ip_proto_name(proto)),
            off + 9,
            1,
        )
        .field("ip.proto"),
    );
    let checksum = b.u16(off + 10)?;
    let src = b.array4(off + 12)?;
    let dst_probe = b.array4(off + 16);
    // The checksum node is added by the caller once the whole header is known to be there.
    let fixed = V4Fixed {
        total_len: usize::from(total_len),
        flags_frag,
        proto,
        checksum,
        src,
        dst: dst_probe.unwrap_or_default(),
    };
    if dst_probe.is_none() {
        node.push(
            Node::new(
                format!("Header Checksum: 0x{checksum:04x} [unverified: header cut]"),
                off + 10,
                2,
            )
            .field("ip.checksum"),
        );
        node.push(Node::new(format!("Source Address: {}", ip4(src)), off + 12, 4).field("ip.src"));
        return None;
    }
    Some(fixed)
}

fn ipv4_flags_node(flags_frag: u16, at: usize) -> Node {
    let flags = (flags_frag >> 13) as u8;
    let byte = u64::from(flags_frag >> 8);
    let mut summary = Vec::new();
    if flags & 0b100 != 0 {
        summary.push("Reserved bit");
    }
    if flags & 0b010 != 0 {
        summary.push("Don't fragment");
    }
    if flags & 0b001 != 0 {
        summary.push("More fragments");
    }
    let text = if summary.is_empty() {
        String::new()
    } else {
        format!(", {}", summary.join(", "))
    };
    let mut rb = Node::new(flag_line(byte, 8, 0x80, "Reserved bit"), at, 1).field("ip.flags.rb");
    if flags & 0b100 != 0 {
        rb = rb.problem("The reserved (\"evil\") bit is set: RFC 791 says it must be zero");
    }
    Node::new(
        format!("{} = Flags: 0x{flags:x}{text}", bit_pattern(byte, 8, 0xe0)),
        at,
        1,
    )
    .field("ip.flags")
    .with_child(rb)
    .with_child(Node::new(flag_line(byte, 8, 0x40, "Don't fragment"), at, 1).field("ip.flags.df"))
    .with_child(Node::new(flag_line(byte, 8, 0x20, "More fragments"), at, 1).field("ip.flags.mf"))
}

/// The note for a declared length that runs past the readable bytes.
fn length_past_end_note(b: &Bytes, what: &str, declared: usize, have: usize) -> String {
    if b.clipped() {
        format!(
            "{what} {declared} runs past the end of the enclosing packet ({have} bytes left there)"
        )
    } else if b.snapped() {
        format!("{what} {declared} but only {have} bytes of this packet were captured: frame cut by the snapshot length")
    } else {
        format!("{what} {declared} but the frame holds only {have} bytes from the IP header on: packet truncated")
    }
}

pub(crate) fn ipv4(cx: &mut Cx, b: &Bytes, off: usize) -> Option<usize> {
    let mut node = Node::new("Internet Protocol Version 4", off, b.remaining(off).min(20));
    let Some(vihl) = b.u8(off) else {
        node.push(cx.cut(b, "IPv4 header", off, 20));
        cx.push_layer(node);
        return None;
    };
    let (version, ihl) = (vihl >> 4, usize::from(vihl & 0x0f) * 4);
    let v = u64::from(vihl);
    let mut version_node = Node::new(
        bits_line(v, 8, 0xf0, "Version", &version.to_string()),
        off,
        1,
    )
    .field("ip.version");
    if version != 4 {
        version_node = version_node.problem(format!(
            "Version {version} in what should be an IPv4 header"
        ));
    }
    node.push(version_node);
    let mut ihl_node = Node::new(
        bits_line(
            v,
            8,
            0x0f,
            "Header Length",
            &format!("{ihl} bytes ({})", vihl & 0x0f),
        ),
        off,
        1,
    )
    .field("ip.hdr_len");
    if ihl < 20 {
        ihl_node = ihl_node.problem(format!(
            "Header length {ihl} bytes is less than the minimum of 20: the rest cannot be decoded"
        ));
    }
    node.push(ihl_node);
    if version != 4 || ihl < 20 {
        cx.push_layer(node);
        return None;
    }
    let Some(fixed) = ipv4_fixed_fields(b, off, &mut node) else {
        node.push(cx.cut(b, "IPv4 header", off, ihl));
        cx.push_layer(node);
        return None;
    };
    if b.remaining(off) < ihl {
        let ck = format!(
            "Header Checksum: 0x{:04x} [unverified: header cut]",
            fixed.checksum
        );
        node.push(Node::new(ck, off + 10, 2).field("ip.checksum"));
        node.push(
            Node::new(format!("Source Address: {}", ip4(fixed.src)), off + 12, 4).field("ip.src"),
        );
        node.push(
            Node::new(
                format!("Destination Address: {}", ip4(fixed.dst)),
                off + 16,
                4,
            )
            .field("ip.dst"),
        );
        node.push(cx.cut(b, "IPv4 header", off, ihl));
        cx.push_layer(node);
        return None;
    }
    node.len = ihl as u32;
    node.label = format!(
        "Internet Protocol Version 4, Src: {}, Dst: {}",
        ip4(fixed.src),
        ip4(fixed.dst)
    );
    let header = b.get(off, ihl).unwrap_or(&[]);
    let (label, problem) =
        Verdict::over(header, 10, 0).label_and_problem("Header Checksum", fixed.checksum);
    let mut ck = Node::new(label, off + 10, 2).field("ip.checksum");
    ck.problem = problem;
    node.push(ck);
    node.push(
        Node::new(format!("Source Address: {}", ip4(fixed.src)), off + 12, 4).field("ip.src"),
    );
    node.push(
        Node::new(
            format!("Destination Address: {}", ip4(fixed.dst)),
            off + 16,
            4,
        )
        .field("ip.dst"),
    );
    if ihl > 20 {
        node.push(ipv4_options(b, off + 20, off + ihl));
    }

    // Where the payload ends, and whether the declared length is believable.
    let mut end = off + fixed.total_len;
    if fixed.total_len == 0 && !cx.quoted {
        end = b.len();
        // tshark shows (and filters on) the length the frame implies, worded like this.
        if let Some(len) = node.children.iter_mut().find(|c| c.field == Some("ip.len")) {
            len.label = format!(
                "[Total Length: {} bytes (reported as 0, presumed to be because of \"TCP segmentation offload\" (TSO))]",
                end.saturating_sub(off)
            );
        }
        flag_child(&mut node, "ip.len", "Total length 0: probably a segment handed to the NIC for TCP segmentation offload (captured on the sending host); using the captured length".into());
    } else if fixed.total_len < ihl {
        flag_child(
            &mut node,
            "ip.len",
            format!(
                "Total length {} is smaller than the {ihl}-byte header",
                fixed.total_len
            ),
        );
        cx.push_layer(node);
        return None;
    } else if end > b.len() && !cx.quoted {
        let note = length_past_end_note(b, "Total length", fixed.total_len, b.remaining(off));
        flag_child(&mut node, "ip.len", note);
    }

    let frag_offset = usize::from(fixed.flags_frag & 0x1fff) * 8;
    let more_fragments = fixed.flags_frag & 0x2000 != 0;
    let fragment = frag_offset > 0 || more_fragments;
    if fragment {
        node.push(Node::generated(
            format!(
                "[Fragment: offset {frag_offset}, {} payload bytes, {}]",
                fixed.total_len.saturating_sub(ihl),
                if more_fragments {
                    "more fragments follow"
                } else {
                    "last fragment"
                }
            ),
            off + 6,
        ));
    }
    let ip_layer = cx.layers.len();
    if !cx.push_layer(node) {
        return Some(end);
    }
    let inner = b.clip(end);
    let payload = off + ihl;
    if frag_offset > 0 {
        fragment_data(cx, &inner, payload, frag_offset);
        return Some(end);
    }
    let mut src = [0u8; 16];
    let mut dst = [0u8; 16];
    src[..4].copy_from_slice(&fixed.src);
    dst[..4].copy_from_slice(&fixed.dst);
    let info = IpInfo {
        src,
        dst,
        v6: false,
        fragment,
        end,
    };
    let carried = by_ip_proto(cx, &inner, fixed.proto, payload, &info);
    if let Some(syn) = carried.syn_payload {
        let note = format!(
            "Total length {} but a header-only {} would be {} ({ihl} IP + {} TCP)",
            fixed.total_len,
            syn.kind,
            ihl + syn.tcp_header,
            syn.tcp_header
        );
        if let Some(ip) = cx.layers.get_mut(ip_layer) {
            flag_child(ip, "ip.len", note);
        }
    }
    Some(end)
}

/// Attach `note` to the direct child carrying `field` (appending if it already has one).
pub(crate) fn flag_child(node: &mut Node, field: &str, note: String) {
    if let Some(child) = node.children.iter_mut().find(|c| c.field == Some(field)) {
        child.problem = Some(match child.problem.take() {
            Some(old) => format!("{old}; {note}"),
            None => note,
        });
    }
}

fn fragment_data(cx: &mut Cx, b: &Bytes, off: usize, frag_offset: usize) {
    let have = b.remaining(off);
    cx.push_layer(Node::new(
        format!("Fragment data ({have} bytes at datagram offset {frag_offset}; not reassembled, not dissected)"),
        off,
        have,
    ).field("data.data"));
}

fn ipv4_option_name(t: u8) -> &'static str {
    match t {
        0 => "End of Options List (EOL)",
        1 => "No Operation (NOP)",
        7 => "Record Route",
        68 => "Time Stamp",
        82 => "Traceroute",
        130 => "Security",
        131 => "Loose Source Route",
        133 => "Extended Security",
        136 => "Stream ID",
        137 => "Strict Source Route",
        148 => "Router Alert",
        25 => "Quick-Start",
        _ => "Unknown",
    }
}

fn ipv4_options(b: &Bytes, start: usize, end: usize) -> Node {
    let mut node = Node::new(
        format!("Options: ({} bytes)", end - start),
        start,
        end - start,
    )
    .field("ip.options");
    let mut at = start;
    let mut names = Vec::new();
    for _ in 0..40 {
        if at >= end {
            break;
        }
        let Some(t) = b.u8(at) else { break };
        if t == 0 || t == 1 {
            node.push(
                Node::new(format!("IP Option - {}", ipv4_option_name(t)), at, 1)
                    .field("ip.opt.type"),
            );
            names.push(ipv4_option_name(t));
            at += 1;
            if t == 0 {
                break;
            }
            continue;
        }
        let len = usize::from(b.u8(at + 1).unwrap_or(0));
        if len < 2 || at + len > end {
            node.push(
                Node::new(format!("IP Option - {} (type {t}), bad length {len}", ipv4_option_name(t)), at, (end - at).min(b.remaining(at)))
                    .problem(format!("IPv4 option length {len} is invalid: it must be at least 2 and fit in the {}-byte options area", end - start)),
            );
            break;
        }
        let value = b.get(at + 2, len - 2).unwrap_or(&[]);
        let extra = match (t, be16(value, 0)) {
            (148, Some(v)) if value.len() == 2 => format!(": {v}"),
            _ => format!(" ({len} bytes)"),
        };
        node.push(
            Node::new(
                format!("IP Option - {}{extra}", ipv4_option_name(t)),
                at,
                len,
            )
            .field("ip.opt.type"),
        );
        names.push(ipv4_option_name(t));
        at += len;
    }
    if !names.is_empty() {
        node.label = format!("{}, {}", node.label, names.join(", "));
    }
    node
}

/// What a transport dissector reports back to the IP layer.
#[derive(Default)]
pub(crate) struct Carried {
    pub syn_payload: Option<SynPayload>,
}

pub(crate) struct SynPayload {
    pub kind: &'static str,
    pub tcp_header: usize,
}

/// Hand the IP payload at `off` to the dissector for `proto`.
pub(crate) fn by_ip_proto(cx: &mut Cx, b: &Bytes, proto: u8, off: usize, ip: &IpInfo) -> Carried {
    if !cx.room_for_layer() {
        cx.push_layer(Node::generated("", off));
        return Carried::default();
    }
    match proto {
        6 => return transport::tcp(cx, b, off, ip),
        17 => transport::udp(cx, b, off, ip),
        1 => icmp::icmp(cx, b, off, ip),
        58 => icmp::icmpv6(cx, b, off, ip),
        47 => return tunnel::gre(cx, b, off, ip),
        4 => return tunnel::ip_in_ip(cx, b, off, 4),
        41 => return tunnel::ip_in_ip(cx, b, off, 6),
        51 => {
            if let Some((next, after)) = ipv4_auth_header(cx, b, off) {
                return by_ip_proto(cx, b, next, after, ip);
            }
        }
        59 => {}
        _ => data_layer(
            cx,
            b,
            off,
            &format!(
                ", IP protocol {proto} ({}) not dissected",
                ip_proto_name(proto)
            ),
        ),
    }
    Carried::default()
}

/// AH carried directly by IPv4 (in IPv6 it is part of the extension-header chain).
fn ipv4_auth_header(cx: &mut Cx, b: &Bytes, off: usize) -> Option<(u8, usize)> {
    match ext_header(b, 51, off) {
        Ok(ext) => {
            let next = ext.next;
            let after = off + ext.len;
            cx.push_layer(ext.node).then_some((next, after))
        }
        Err(()) => {
            let node = Node::new("Authentication Header", off, b.remaining(off))
                .with_child(cx.cut(b, "Authentication Header", off, 12));
            cx.push_layer(node);
            None
        }
    }
}

/// One IPv6 extension header as parsed.
struct Ext {
    node: Node,
    next: u8,
    len: usize,
    /// Offset of a non-first fragment (its payload cannot be dissected).
    later_fragment: Option<usize>,
    any_fragment: bool,
    /// Final destination announced by a routing header (for the pseudo-header).
    final_dst: Option<[u8; 16]>,
}

fn is_extension_header(nxt: u8) -> bool {
    matches!(nxt, 0 | 43 | 44 | 51 | 60)
}

/// Parse the extension header `nxt` at `at`; Err when its bytes are not all there.
fn ext_header(b: &Bytes, nxt: u8, at: usize) -> Result<Ext, ()> {
    let next = b.u8(at).ok_or(())?;
    let raw_len = b.u8(at + 1).ok_or(())?;
    let len = match nxt {
        44 => 8,
        51 => (usize::from(raw_len) + 2) * 4,
        _ => (usize::from(raw_len) + 1) * 8,
    };
    b.get(at, len).ok_or(())?;
    let name = match nxt {
        0 => "IPv6 Hop-by-Hop Option",
        43 => "Routing Header for IPv6",
        44 => "Fragment Header for IPv6",
        51 => "Authentication Header",
        _ => "Destination Options for IPv6",
    };
    let mut node = Node::new(name, at, len);
    node.push(
        Node::new(
            format!("Next Header: {} ({next})", ip_proto_name(next)),
            at,
            1,
        )
        .field("ipv6.nxt"),
    );
    let mut ext = Ext {
        node: Node::generated("", at),
        next,
        len,
        later_fragment: None,
        any_fragment: false,
        final_dst: None,
    };
    match nxt {
        44 => fragment_header(b, at, &mut node, &mut ext),
        51 => {
            node.push(
                Node::new(format!("Length: {raw_len} ({len} bytes)"), at + 1, 1).field("ah.length"),
            );
            let spi = b.u32(at + 4).unwrap_or(0);
            let seq = b.u32(at + 8).unwrap_or(0);
            node.push(Node::new(format!("AH SPI: 0x{spi:08x}"), at + 4, 4).field("ah.spi"));
            node.push(Node::new(format!("AH Sequence: {seq}"), at + 8, 4).field("ah.sequence"));
            let icv = b.get(at + 12, len.saturating_sub(12)).unwrap_or(&[]);
            node.push(
                Node::new(format!("AH ICV: {}", hex(icv)), at + 12, icv.len()).field("ah.icv"),
            );
        }
        43 => routing_header(b, at, len, raw_len, &mut node, &mut ext),
        _ => {
            node.push(
                Node::new(format!("Length: {raw_len} ({len} bytes)"), at + 1, 1)
                    .field("ipv6.opt.length"),
            );
            ipv6_options(b, at + 2, at + len, &mut node);
        }
    }
    ext.node = node;
    Ok(ext)
}

fn fragment_header(b: &Bytes, at: usize, node: &mut Node, ext: &mut Ext) {
    let word = b.u16(at + 2).unwrap_or(0);
    let id = b.u32(at + 4).unwrap_or(0);
    let offset = usize::from(word >> 3) * 8;
    let w = u64::from(word);
    node.push(
        Node::new(
            format!("{} = Offset: {offset}", bit_pattern(w, 16, 0xfff8)),
            at + 2,
            2,
        )
        .field("ipv6.fragment.offset"),
    );
    node.push(
        Node::new(
            flag_line(w, 16, 0x0001, "More Fragments")
                .replace("Set", "Yes")
                .replace("Not Yes", "No"),
            at + 2,
            2,
        )
        .field("ipv6.fragment.more"),
    );
    node.push(
        Node::new(format!("Identification: 0x{id:08x}"), at + 4, 4).field("ipv6.fragment.id"),
    );
    ext.any_fragment = true;
    if offset > 0 {
        ext.later_fragment = Some(offset);
    }
}

fn routing_header(b: &Bytes, at: usize, len: usize, raw_len: u8, node: &mut Node, ext: &mut Ext) {
    let rtype = b.u8(at + 2).unwrap_or(0);
    let left = b.u8(at + 3).unwrap_or(0);
    let tname = match rtype {
        0 => "Source Route (deprecated)",
        2 => "Type 2 Routing (Mobile IPv6)",
        3 => "RPL Source Route",
        4 => "Segment Routing",
        _ => "Unknown",
    };
    node.push(
        Node::new(format!("Length: {raw_len} ({len} bytes)"), at + 1, 1).field("ipv6.routing.len"),
    );
    node.push(Node::new(format!("Type: {tname} ({rtype})"), at + 2, 1).field("ipv6.routing.type"));
    node.push(Node::new(format!("Segments Left: {left}"), at + 3, 1).field("ipv6.routing.segleft"));
    let addresses = len.saturating_sub(8) / 16;
    if matches!(rtype, 0 | 2 | 4) {
        for i in 0..addresses.min(32) {
            if let Some(a) = b.array16(at + 8 + 16 * i) {
                node.push(
                    Node::new(format!("Address[{i}]: {}", ip6(a)), at + 8 + 16 * i, 16)
                        .field("ipv6.routing.addr"),
                );
            }
        }
    }
    if left > 0 && addresses > 0 {
        ext.final_dst = match rtype {
            0 => b.array16(at + 8 + 16 * (addresses - 1)),
            2 | 4 => b.array16(at + 8),
            _ => None,
        };
    }
}

fn ipv6_options(b: &Bytes, start: usize, end: usize, node: &mut Node) {
    let mut at = start;
    for _ in 0..64 {
        if at >= end {
            break;
        }
        let Some(t) = b.u8(at) else { break };
        if t == 0 {
            node.push(Node::new("Pad1", at, 1).field("ipv6.opt.pad1"));
            at += 1;
            continue;
        }
        let len = usize::from(b.u8(at + 1).unwrap_or(0));
        if at + 2 + len > end {
            node.push(
                Node::new(format!("Option type 0x{t:02x}, length {len}"), at, end - at).problem(
                    format!("IPv6 option length {len} runs past the end of its header"),
                ),
            );
            break;
        }
        let value = b.get(at + 2, len).unwrap_or(&[]);
        let label = match (t, be16(value, 0), be32(value, 0)) {
            (1, ..) => format!("PadN: {len} bytes"),
            (5, Some(v), _) if len == 2 => format!("Router Alert: {v}"),
            (0xc2, _, Some(v)) if len == 4 => format!("Jumbo Payload: {v}"),
            (0xc9, ..) => format!("Home Address: {}", hex(value)),
            _ => format!("Option type 0x{t:02x}, length {len}: {}", hex(value)),
        };
        node.push(Node::new(label, at, 2 + len).field("ipv6.opt.type"));
        at += 2 + len;
    }
}

pub(crate) fn ipv6(cx: &mut Cx, b: &Bytes, off: usize) -> Option<usize> {
    let mut node = Node::new("Internet Protocol Version 6", off, b.remaining(off).min(40));
    let fixed = ipv6_fixed_fields(b, off, &mut node);
    let Some((version, plen, nxt, src, dst)) = fixed else {
        node.push(cx.cut(b, "IPv6 header", off, 40));
        cx.push_layer(node);
        return None;
    };
    if version != 6 {
        cx.push_layer(node);
        return None;
    }
    node.label = format!(
        "Internet Protocol Version 6, Src: {}, Dst: {}",
        ip6(src),
        ip6(dst)
    );
    let payload_start = off + 40;
    let mut end = payload_start + usize::from(plen);
    if plen == 0 && nxt != 59 && b.remaining(payload_start) > 0 && !cx.quoted {
        end = b.len();
        node.push(Node::generated("[Payload length 0 with data following: a jumbogram or a segmentation-offload packet; using the captured length]", off + 4));
    } else if end > b.len() && !cx.quoted {
        let note = length_past_end_note(
            b,
            "Payload length",
            usize::from(plen),
            b.remaining(payload_start),
        );
        flag_child(&mut node, "ipv6.plen", note);
        if b.clipped() || !b.snapped() {
            // The bytes end at a real framing (an enclosing packet's length, or a frame that
            // was captured whole): Wireshark cuts the payload to it ("IPv6 payload length
            // exceeds framing length").
            end = b.len();
        }
    }
    let inner = b.clip(end);

    let mut at = payload_start;
    let mut next = nxt;
    let mut fragment = false;
    let mut final_dst = dst;
    for _ in 0..16 {
        if !is_extension_header(next) {
            break;
        }
        match ext_header(&inner, next, at) {
            Ok(ext) => {
                at += ext.len;
                next = ext.next;
                fragment |= ext.any_fragment;
                if let Some(d) = ext.final_dst {
                    final_dst = d;
                }
                node.push(ext.node);
                if let Some(offset) = ext.later_fragment {
                    node.set_end(at.min(b.len()));
                    if cx.push_layer(node) {
                        fragment_data(cx, &inner, at, offset);
                    }
                    return Some(end);
                }
            }
            Err(()) => {
                node.push(cx.cut(&inner, "IPv6 extension header", at, 8));
                node.set_end(inner.len());
                cx.push_layer(node);
                return Some(end);
            }
        }
    }
    node.set_end(at.min(b.len()));
    let ip_layer = cx.layers.len();
    if !cx.push_layer(node) {
        return Some(end);
    }
    let info = IpInfo {
        src,
        dst: final_dst,
        v6: true,
        fragment,
        end,
    };
    let carried = by_ip_proto(cx, &inner, next, at, &info);
    if let Some(syn) = carried.syn_payload {
        let note = format!(
            "Payload length {plen} but a header-only {} would be {}",
            syn.kind,
            at - payload_start + syn.tcp_header
        );
        if let Some(ip) = cx.layers.get_mut(ip_layer) {
            flag_child(ip, "ipv6.plen", note);
        }
    }
    Some(end)
}

type V6Fixed = (u8, u16, u8, [u8; 16], [u8; 16]);

fn ipv6_fixed_fields(b: &Bytes, off: usize, node: &mut Node) -> Option<V6Fixed> {
    let first = b.u32(off)?;
    let version = (first >> 28) as u8;
    let mut vnode = Node::new(
        format!(
            "{} = Version: {version}",
            bit_pattern(u64::from(first >> 24), 8, 0xf0)
        ),
        off,
        1,
    )
    .field("ip.version");
    if version != 6 {
        vnode = vnode.problem(format!(
            "Version {version} in what should be an IPv6 header"
        ));
        node.push(vnode);
        return Some((version, 0, 59, [0; 16], [0; 16]));
    }
    node.push(vnode);
    let tclass = ((first >> 20) & 0xff) as u8;
    node.push(ds_field(tclass, off, 2, "Traffic Class", "ipv6.tclass"));
    let flow = first & 0x000f_ffff;
    node.push(Node::new(format!("Flow Label: 0x{flow:05x}"), off + 1, 3).field("ipv6.flow"));
    let plen = b.u16(off + 4)?;
    node.push(Node::new(format!("Payload Length: {plen}"), off + 4, 2).field("ipv6.plen"));
    let nxt = b.u8(off + 6)?;
    node.push(
        Node::new(
            format!("Next Header: {} ({nxt})", ip_proto_name(nxt)),
            off + 6,
            1,
        )
        .field("ipv6.nxt"),
    );
    let hlim = b.u8(off + 7)?;
    node.push(Node::new(format!("Hop Limit: {hlim}"), off + 7, 1).field("ipv6.hlim"));
    let src = b.array16(off + 8)?;
    node.push(Node::new(format!("Source Address: {}", ip6(src)), off + 8, 16).field("ipv6.src"));
    let dst = b.array16(off + 24)?;
    node.push(
        Node::new(format!("Destination Address: {}", ip6(dst)), off + 24, 16).field("ipv6.dst"),
    );
    Some((version, plen, nxt, src, dst))
}

fn arp_opcode_name(op: u16) -> &'static str {
    match op {
        1 => "request",
        2 => "reply",
        3 => "reverse request",
        4 => "reverse reply",
        8 => "inverse request",
        9 => "inverse reply",
        _ => "unknown",
    }
}

fn arp_address(bytes: &[u8], ip: bool) -> String {
    match (ip, bytes.len()) {
        (true, 4) => ip4([bytes[0], bytes[1], bytes[2], bytes[3]]),
        (false, 6) => mac(bytes),
        _ => hex(bytes),
    }
}

pub(crate) fn arp(cx: &mut Cx, b: &Bytes, off: usize) -> Option<usize> {
    let mut node = Node::new("Address Resolution Protocol", off, b.remaining(off).min(8));
    let fields = (|| {
        let htype = b.u16(off)?;
        node.push(
            Node::new(
                format!(
                    "Hardware type: {} ({htype})",
                    if htype == 1 { "Ethernet" } else { "Unknown" }
                ),
                off,
                2,
            )
            .field("arp.hw.type"),
        );
        let ptype = b.u16(off + 2)?;
        node.push(
            Node::new(
                format!(
                    "Protocol type: {} (0x{ptype:04x})",
                    super::names::ethertype_name(ptype)
                ),
                off + 2,
                2,
            )
            .field("arp.proto.type"),
        );
        let hlen = b.u8(off + 4)?;
        node.push(Node::new(format!("Hardware size: {hlen}"), off + 4, 1).field("arp.hw.size"));
        let plen = b.u8(off + 5)?;
        node.push(Node::new(format!("Protocol size: {plen}"), off + 5, 1).field("arp.proto.size"));
        let op = b.u16(off + 6)?;
        node.push(
            Node::new(
                format!("Opcode: {} ({op})", arp_opcode_name(op)),
                off + 6,
                2,
            )
            .field("arp.opcode"),
        );
        Some((usize::from(hlen), usize::from(plen), op))
    })();
    let Some((hlen, plen, op)) = fields else {
        node.push(cx.cut(b, "ARP header", off, 8));
        cx.push_layer(node);
        return None;
    };
    let total = 8 + 2 * hlen + 2 * plen;
    let is_ip = plen == 4;
    let mut at = off + 8;
    let parts: [(&str, usize, bool, &'static str); 4] = [
        ("Sender MAC address", hlen, false, "arp.src.hw_mac"),
        ("Sender IP address", plen, is_ip, "arp.src.proto_ipv4"),
        ("Target MAC address", hlen, false, "arp.dst.hw_mac"),
        ("Target IP address", plen, is_ip, "arp.dst.proto_ipv4"),
    ];
    let mut values = Vec::new();
    for (name, len, ip, field) in parts {
        let Some(bytes) = b.get(at, len) else {
            node.push(cx.cut(b, "ARP addresses", off, total));
            node.set_end(b.len());
            cx.push_layer(node);
            return None;
        };
        let text = arp_address(bytes, ip);
        node.push(Node::new(format!("{name}: {text}"), at, len).field(field));
        values.push(text);
        at += len;
    }
    node.set_end(at);
    let gratuitous = values.get(1) == values.get(3);
    node.label = format!(
        "Address Resolution Protocol ({}{})",
        arp_opcode_name(op),
        if gratuitous { "/gratuitous ARP" } else { "" }
    );
    let summary = match (op, values.as_slice()) {
        (1, [_, spa, _, tpa]) => format!("[Who has {tpa}? Tell {spa}]"),
        (2, [sha, spa, _, _]) => format!("[{spa} is at {sha}]"),
        _ => String::new(),
    };
    if !summary.is_empty() {
        node.push(Node::generated(summary, off));
    }
    cx.push_layer(node);
    Some(off + total)
}
