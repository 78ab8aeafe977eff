//! Network layers: IPv4 (every header field, DF/MF flags, fragment offset, header checksum
//! verified, options; fragments are marked and the payload of non-first fragments is left
//! undissected), IPv6 with its extension-header chain (hop-by-hop, routing, fragment,
//! destination options, AH), and ARP. `by_ip_proto` hands the payload to the transport,
//! ICMP or tunnel dissectors with the addresses they need for pseudo-header checksums. Headers
//! and the extension chain (IPv4 options included) are read through [`crate::wire::ipv4`] and
//! [`crate::wire::ipv6`], the option lists inside IPv6 hop-by-hop and destination headers
//! through [`crate::wire::ipv6opt`].

use super::bytes::{has, push_labelled, Bytes, Padded, Span};
use super::checksum::Verdict;
use super::names::ip_proto_name;
use super::text::{bit_pattern, bits_line, flag_line, hex, ipv4 as ip4, ipv6 as ip6, mac};
use super::{data_layer, icmp, to_u32, transport, tunnel, Cx, Node};
use crate::wire::arp::field as af;
use crate::wire::bytes::{array, be16, be32, u8 as u8_at};
use crate::wire::ipv4::{self as wv4, field as v4, Ipv4Header};
use crate::wire::ipv6::{self as wv6, ext_field, field as v6f, Extension, Fragment, Ipv6Header};
use crate::wire::ipv6opt::{self as opt6, BadIpv6Option, Ipv6Options};

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
    let (dscp_text, ecn_text) = (dscp_name(dscp), ecn_name(ecn));
    let label = format!("{name}: 0x{value:02x} (DSCP: {dscp_text}, ECN: {ecn_text})");
    let mut node = Node::new(label, at, len).field(field);
    let parts = [
        (0xfc, "Differentiated Services Codepoint", dscp_text, dscp),
        (
            0x03,
            "Explicit Congestion Notification",
            ecn_text.to_string(),
            ecn,
        ),
    ];
    for (mask, part, text, raw) in parts {
        let line = bits_line(u64::from(value), 8, mask, part, &format!("{text} ({raw})"));
        node.push(Node::new(line, at, len));
    }
    node
}

/// The version and header-length nodes; false when the rest of the header cannot be decoded
/// (not version 4, or a header length below 20).
fn ipv4_version_nodes(h: &Ipv4Header, off: usize, node: &mut Node) -> bool {
    let (version, ihl) = (h.version(), h.header_len());
    let v = u64::from(version) << 4 | (ihl / 4) as u64;
    let mut version_node = Node::at(
        bits_line(v, 8, 0xf0, "Version", &version.to_string()),
        off,
        v4::VER_IHL,
    )
    .field("ip.version");
    if version != 4 {
        version_node = version_node.problem(format!(
            "Version {version} in what should be an IPv4 header"
        ));
    }
    node.push(version_node);
    let shown = format!("{ihl} bytes ({})", ihl / 4);
    let mut ihl_node = Node::at(
        bits_line(v, 8, 0x0f, "Header Length", &shown),
        off,
        v4::VER_IHL,
    )
    .field("ip.hdr_len");
    if ihl < 20 {
        ihl_node = ihl_node.problem(format!(
            "Header length {ihl} bytes is less than the minimum of 20: the rest cannot be decoded"
        ));
    }
    node.push(ihl_node);
    version == 4 && ihl >= 20
}

/// The fixed-header fields after version/IHL that end within the `have` captured bytes (a
/// quoted or cut header still shows what it has). The checksum comes with the source address,
/// unverified until the caller knows the whole header is there.
fn ipv4_fixed_fields(h: &Ipv4Header, off: usize, have: usize, node: &mut Node) {
    if has(have, v4::DS_FIELD) {
        let at = off + v4::DS_FIELD;
        node.push(ds_field(
            h.ds_field(),
            at,
            1,
            "Differentiated Services Field",
            "ip.dsfield",
        ));
    }
    if has(have, v4::LENGTH) {
        let len = h.total_len();
        node.push(Node::at(format!("Total Length: {len}"), off, v4::LENGTH).field("ip.len"));
    }
    if has(have, v4::IDENT) {
        let id = h.ident();
        node.push(
            Node::at(format!("Identification: 0x{id:04x} ({id})"), off, v4::IDENT).field("ip.id"),
        );
    }
    if has(have, v4::FLAGS_FRAG) {
        let word = h.flags_frag();
        node.push(ipv4_flags_node(word, off + v4::FLAGS_FRAG.start));
        let pattern = bit_pattern(u64::from(word), 16, 0x1fff);
        let label = format!("{pattern} = Fragment Offset: {}", h.frag_offset());
        node.push(Node::at(label, off, v4::FLAGS_FRAG).field("ip.frag_offset"));
    }
    if has(have, v4::TTL) {
        node.push(Node::at(format!("Time to Live: {}", h.ttl()), off, v4::TTL).field("ip.ttl"));
    }
    if has(have, v4::PROTOCOL) {
        let proto = h.protocol();
        let label = format!("Protocol: {} ({proto})", ip_proto_name(proto));
        node.push(Node::at(label, off, v4::PROTOCOL).field("ip.proto"));
    }
    if has(have, v4::SRC) {
        let ck = format!(
            "Header Checksum: 0x{:04x} [unverified: header cut]",
            h.checksum()
        );
        node.push(Node::at(ck, off, v4::CHECKSUM).field("ip.checksum"));
        let src = format!("Source Address: {}", ip4(h.src()));
        node.push(Node::at(src, off, v4::SRC).field("ip.src"));
    }
    if has(have, v4::DST) {
        let dst = format!("Destination Address: {}", ip4(h.dst()));
        node.push(Node::at(dst, off, v4::DST).field("ip.dst"));
    }
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
    let have = b.remaining(off);
    let mut node = Node::header("Internet Protocol Version 4", off, have, wv4::HEADER_LEN);
    let mut pad = Padded::<{ wv4::HEADER_LEN }>::new();
    let Some(h) = Ipv4Header::any_version(pad.over(b.rest(off)))
        .ok()
        .filter(|_| have > 0)
    else {
        return cx.push_cut(b, node, "IPv4 header", off, wv4::HEADER_LEN);
    };
    if !ipv4_version_nodes(&h, off, &mut node) {
        cx.push_layer(node);
        return None;
    }
    let ihl = h.header_len();
    ipv4_fixed_fields(&h, off, have, &mut node);
    if have < ihl {
        return cx.push_cut(b, node, "IPv4 header", off, ihl);
    }
    node.len = to_u32(ihl);
    node.label = format!(
        "Internet Protocol Version 4, Src: {}, Dst: {}",
        ip4(h.src()),
        ip4(h.dst())
    );
    let header = b.get(off, ihl).unwrap_or(&[]);
    let verdict = Verdict::over(header, v4::CHECKSUM.start, 0);
    if let Some(ck) = node
        .children
        .iter_mut()
        .find(|c| c.field == Some("ip.checksum"))
    {
        (ck.label, ck.problem) = verdict.label_and_problem("Header Checksum", h.checksum());
    }
    if ihl > wv4::HEADER_LEN {
        node.push(ipv4_options(b, &h, off));
    }
    let Some(end) = ipv4_end(cx, b, off, &h, &mut node) else {
        cx.push_layer(node);
        return None;
    };
    ipv4_payload(cx, b, off, &h, end, node);
    Some(end)
}

/// Where the payload ends, and whether the declared total length is believable (None: it is
/// shorter than the header, nothing follows).
fn ipv4_end(cx: &Cx, b: &Bytes, off: usize, h: &Ipv4Header, node: &mut Node) -> Option<usize> {
    let (total_len, ihl) = (usize::from(h.total_len()), h.header_len());
    let mut end = off + total_len;
    if total_len == 0 && !cx.quoted {
        end = b.len();
        // tshark shows (and filters on) the length the frame implies, worded like this.
        if let Some(len) = node.children.iter_mut().find(|c| c.field == Some("ip.len")) {
            len.label = format!(
                "[Total Length: {} bytes (reported as 0, presumed to be because of \"TCP segmentation offload\" (TSO))]",
                end.saturating_sub(off)
            );
        }
        flag_child(node, "ip.len", "Total length 0: probably a segment handed to the NIC for TCP segmentation offload (captured on the sending host); using the captured length".into());
    } else if total_len < ihl {
        let note = format!("Total length {total_len} is smaller than the {ihl}-byte header");
        flag_child(node, "ip.len", note);
        return None;
    } else if end > b.len() && !cx.quoted {
        let note = length_past_end_note(b, "Total length", total_len, b.remaining(off));
        flag_child(node, "ip.len", note);
    }
    Some(end)
}

/// Push the IPv4 layer and dissect its payload up to `end`.
fn ipv4_payload(cx: &mut Cx, b: &Bytes, off: usize, h: &Ipv4Header, end: usize, mut node: Node) {
    let (ihl, frag_offset) = (h.header_len(), h.frag_offset() as usize);
    let fragment = h.is_fragment();
    if fragment {
        node.push(Node::generated(
            format!(
                "[Fragment: offset {frag_offset}, {} payload bytes, {}]",
                usize::from(h.total_len()).saturating_sub(ihl),
                if h.more_fragments() {
                    "more fragments follow"
                } else {
                    "last fragment"
                }
            ),
            off + v4::FLAGS_FRAG.start,
        ));
    }
    let ip_layer = cx.layers.len();
    if !cx.push_layer(node) {
        return;
    }
    let inner = b.clip(end);
    let payload = off + ihl;
    if frag_offset > 0 {
        fragment_data(cx, &inner, payload, frag_offset);
        return;
    }
    let mut src = [0u8; 16];
    let mut dst = [0u8; 16];
    src[..4].copy_from_slice(&h.src());
    dst[..4].copy_from_slice(&h.dst());
    let info = IpInfo {
        src,
        dst,
        v6: false,
        fragment,
        end,
    };
    let carried = by_ip_proto(cx, &inner, h.protocol(), payload, &info);
    if let Some(syn) = carried.syn_payload {
        let note = format!(
            "Total length {} but a header-only {} would be {} ({ihl} IP + {} TCP)",
            h.total_len(),
            syn.kind,
            ihl + syn.tcp_header,
            syn.tcp_header
        );
        if let Some(ip) = cx.layers.get_mut(ip_layer) {
            flag_child(ip, "ip.len", note);
        }
    }
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

/// The options of a whole IPv4 header `h` at frame offset `off`.
fn ipv4_options(b: &Bytes, h: &Ipv4Header, off: usize) -> Node {
    let (start, end) = (off + wv4::HEADER_LEN, off + h.header_len());
    let mut node = Node::new(
        format!("Options: ({} bytes)", end - start),
        start,
        end - start,
    )
    .field("ip.options");
    let mut names = Vec::new();
    for option in h.option_list() {
        let option = match option {
            Ok(option) => option,
            Err(bad) => {
                // A length byte past the option area is read from the packet, as Wireshark does.
                let (t, at) = (bad.kind, off + bad.start);
                let len = bad.len.or_else(|| b.u8(at + 1)).unwrap_or(0);
                node.push(
                    Node::new(format!("IP Option - {} (type {t}), bad length {len}", ipv4_option_name(t)), at, (end - at).min(b.remaining(at)))
                        .problem(format!("IPv4 option length {len} is invalid: it must be at least 2 and fit in the {}-byte options area", end - start)),
                );
                break;
            }
        };
        let (t, at, value) = (option.kind, off + option.start, option.value);
        names.push(ipv4_option_name(t));
        let extra = match (t, be16(value, 0)) {
            (0 | 1, _) => String::new(),
            (148, Some(v)) if value.len() == 2 => format!(": {v}"),
            _ => format!(" ({} bytes)", option.len),
        };
        node.push(
            Node::new(
                format!("IP Option - {}{extra}", ipv4_option_name(t)),
                at,
                option.len,
            )
            .field("ip.opt.type"),
        );
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
    let bytes = b.rest(off);
    match Extension::at(bytes, 51, 0) {
        Some(ext) => cx
            .push_layer(ext_node(bytes, &ext, off))
            .then_some((ext.next, off + ext.len)),
        None => {
            let node = Node::new("Authentication Header", off, b.remaining(off))
                .with_child(cx.cut(b, "Authentication Header", off, 12));
            cx.push_layer(node);
            None
        }
    }
}

/// One extension header as a node: `bytes` are what the [`Extension`]'s offsets count from,
/// and start at frame offset `base`.
fn ext_node(bytes: &[u8], ext: &Extension, base: usize) -> Node {
    let at = base + ext.start;
    let name = match ext.kind {
        0 => "IPv6 Hop-by-Hop Option",
        43 => "Routing Header for IPv6",
        44 => "Fragment Header for IPv6",
        51 => "Authentication Header",
        _ => "Destination Options for IPv6",
    };
    let mut node = Node::new(name, at, ext.len);
    let next = format!("Next Header: {} ({})", ip_proto_name(ext.next), ext.next);
    node.push(Node::at(next, at, ext_field::NEXT_HEADER).field("ipv6.nxt"));
    // The header and what follows it: a malformed header's fields are read as Wireshark reads
    // them, from the packet.
    let rest = bytes.get(ext.start..).unwrap_or_default();
    let raw_len = ext.raw_len(bytes);
    let length = format!("Length: {raw_len} ({} bytes)", ext.len);
    let length = Node::at(length, at, ext_field::LENGTH);
    match ext.kind {
        44 => {
            if let Some(fragment) = ext.fragment(bytes) {
                fragment_header(&fragment, at, &mut node);
            }
        }
        51 => {
            node.push(length.field("ah.length"));
            ah_fields(rest, ext.len, at, &mut node);
        }
        43 => {
            node.push(length.field("ipv6.routing.len"));
            routing_header(rest, ext.len, at, &mut node);
        }
        _ => {
            node.push(length.field("ipv6.opt.length"));
            ipv6_options(rest, ext.len, at, &mut node);
        }
    }
    node
}

/// The AH's SPI, sequence number and ICV, each only as far as the captured bytes hold it.
fn ah_fields(rest: &[u8], len: usize, at: usize, node: &mut Node) {
    if let Some(spi) = be32(rest, ext_field::AH_SPI.start) {
        node.push(Node::at(format!("AH SPI: 0x{spi:08x}"), at, ext_field::AH_SPI).field("ah.spi"));
    }
    if let Some(seq) = be32(rest, ext_field::AH_SEQUENCE.start) {
        node.push(
            Node::at(format!("AH Sequence: {seq}"), at, ext_field::AH_SEQUENCE)
                .field("ah.sequence"),
        );
    }
    let Some(icv) = rest.get(ext_field::AH_ICV..len.min(rest.len())) else {
        return;
    };
    node.push(
        Node::new(
            format!("AH ICV: {}", hex(icv)),
            at + ext_field::AH_ICV,
            icv.len(),
        )
        .field("ah.icv"),
    );
}

fn fragment_header(fragment: &Fragment, at: usize, node: &mut Node) {
    let word =
        ((fragment.offset / 8) as u16) << 3 | fragment.reserved_bits | u16::from(fragment.more);
    let w = u64::from(word);
    let offset = fragment.offset;
    node.push(
        Node::at(
            format!("{} = Offset: {offset}", bit_pattern(w, 16, 0xfff8)),
            at,
            ext_field::FRAG_OFFSET_FLAGS,
        )
        .field("ipv6.fragment.offset"),
    );
    node.push(
        Node::at(
            flag_line(w, 16, 0x0001, "More Fragments")
                .replace("Set", "Yes")
                .replace("Not Yes", "No"),
            at,
            ext_field::FRAG_OFFSET_FLAGS,
        )
        .field("ipv6.fragment.more"),
    );
    let id = format!("Identification: 0x{:08x}", fragment.ident);
    node.push(Node::at(id, at, ext_field::FRAG_IDENT).field("ipv6.fragment.id"));
}

/// How many 16-byte addresses a routing header of `len` bytes has room for.
fn routing_slots(len: usize) -> usize {
    len.saturating_sub(ext_field::ROUTING_ADDRESSES) / 16
}

/// The `i`th address of a routing header (`rest` starts at the header) and its offset.
fn routing_address(rest: &[u8], i: usize) -> Option<(usize, [u8; 16])> {
    let at = ext_field::ROUTING_ADDRESSES + 16 * i;
    array::<16>(rest, at).map(|a| (at, a))
}

fn routing_header(rest: &[u8], len: usize, at: usize, node: &mut Node) {
    let rtype = u8_at(rest, ext_field::ROUTING_TYPE).unwrap_or(0);
    let left = u8_at(rest, ext_field::SEGMENTS_LEFT).unwrap_or(0);
    let tname = match rtype {
        0 => "Source Route (deprecated)",
        2 => "Type 2 Routing (Mobile IPv6)",
        3 => "RPL Source Route",
        4 => "Segment Routing",
        _ => "Unknown",
    };
    node.push(
        Node::at(
            format!("Type: {tname} ({rtype})"),
            at,
            ext_field::ROUTING_TYPE,
        )
        .field("ipv6.routing.type"),
    );
    node.push(
        Node::at(
            format!("Segments Left: {left}"),
            at,
            ext_field::SEGMENTS_LEFT,
        )
        .field("ipv6.routing.segleft"),
    );
    if !matches!(rtype, 0 | 2 | 4) {
        return;
    }
    for i in 0..routing_slots(len).min(32) {
        if let Some((pos, a)) = routing_address(rest, i) {
            let label = format!("Address[{i}]: {}", ip6(a));
            node.push(Node::new(label, at + pos, 16).field("ipv6.routing.addr"));
        }
    }
}

/// The final destination a routing header announces (for the pseudo-header checksum).
fn routing_final_dst(rest: &[u8], len: usize) -> Option<[u8; 16]> {
    let slots = routing_slots(len);
    if u8_at(rest, ext_field::SEGMENTS_LEFT)? == 0 || slots == 0 {
        return None;
    }
    let i = match u8_at(rest, ext_field::ROUTING_TYPE)? {
        0 => slots - 1,
        2 | 4 => 0,
        _ => return None,
    };
    routing_address(rest, i).map(|(_, a)| a)
}

/// The options of a hop-by-hop or destination-options header of `end` bytes (`ext` starts at
/// the header, at frame offset `base`).
fn ipv6_options(ext: &[u8], end: usize, base: usize, node: &mut Node) {
    for option in Ipv6Options::new(ext, end) {
        let option = match option {
            Ok(option) => option,
            Err(BadIpv6Option {
                kind: t,
                start,
                len,
            }) => {
                let label = format!("Option type 0x{t:02x}, length {len}");
                let note = format!("IPv6 option length {len} runs past the end of its header");
                node.push(Node::new(label, base + start, end - start).problem(note));
                break;
            }
        };
        let (t, len, value) = (option.kind, option.len, option.value);
        let at = base + option.start;
        if t == opt6::PAD1 {
            node.push(Node::new("Pad1", at, 1).field("ipv6.opt.pad1"));
            continue;
        }
        let label = match (t, be16(value, 0), be32(value, 0)) {
            (opt6::PADN, ..) => format!("PadN: {len} bytes"),
            (opt6::ROUTER_ALERT, Some(v), _) if len == 2 => format!("Router Alert: {v}"),
            (opt6::JUMBO_PAYLOAD, _, Some(v)) if len == 4 => format!("Jumbo Payload: {v}"),
            (opt6::HOME_ADDRESS, ..) => format!("Home Address: {}", hex(value)),
            _ => format!("Option type 0x{t:02x}, length {len}: {}", hex(value)),
        };
        node.push(Node::new(label, at, option.wire_len()).field("ipv6.opt.type"));
    }
}

pub(crate) fn ipv6(cx: &mut Cx, b: &Bytes, off: usize) -> Option<usize> {
    let have = b.remaining(off);
    let mut node = Node::header("Internet Protocol Version 6", off, have, wv6::HEADER_LEN);
    let mut pad = Padded::<{ wv6::HEADER_LEN }>::new();
    let view = Ipv6Header::any_version(pad.over(b.rest(off))).ok();
    let Some(h) = view.filter(|_| has(have, v6f::VER_TC_FLOW)) else {
        return cx.push_cut(b, node, "IPv6 header", off, wv6::HEADER_LEN);
    };
    if !ipv6_fixed_fields(&h, off, have, &mut node) {
        if h.version() == 6 {
            node.push(cx.cut(b, "IPv6 header", off, wv6::HEADER_LEN));
        }
        cx.push_layer(node);
        return None;
    }
    node.label = format!(
        "Internet Protocol Version 6, Src: {}, Dst: {}",
        ip6(h.src()),
        ip6(h.dst())
    );
    let end = ipv6_end(cx, b, off, &h, &mut node);
    ipv6_chain(cx, b, off, &h, end, node);
    Some(end)
}

/// Where the payload ends as the payload length declares it (or the framing, when that is
/// believed instead).
fn ipv6_end(cx: &Cx, b: &Bytes, off: usize, h: &Ipv6Header, node: &mut Node) -> usize {
    let payload_start = off + wv6::HEADER_LEN;
    let plen = usize::from(h.payload_len());
    let mut end = payload_start + plen;
    if plen == 0 && h.next_header() != 59 && b.remaining(payload_start) > 0 && !cx.quoted {
        end = b.len();
        node.push(Node::generated("[Payload length 0 with data following: a jumbogram or a segmentation-offload packet; using the captured length]", off + v6f::PAYLOAD_LEN.start));
    } else if end > b.len() && !cx.quoted {
        let note = length_past_end_note(b, "Payload length", plen, b.remaining(payload_start));
        flag_child(node, "ipv6.plen", note);
        if b.clipped() || !b.snapped() {
            // The bytes end at a real framing (an enclosing packet's length, or a frame that
            // was captured whole): Wireshark cuts the payload to it ("IPv6 payload length
            // exceeds framing length").
            end = b.len();
        }
    }
    end
}

/// The extension-header chain, then the layer is pushed and the upper-layer protocol
/// dissected.
fn ipv6_chain(cx: &mut Cx, b: &Bytes, off: usize, h: &Ipv6Header, end: usize, mut node: Node) {
    let inner = b.clip(end);
    let bytes = inner.rest(off);
    let mut chain = h.extensions(end - off);
    let mut fragment = false;
    let mut final_dst = h.dst();
    for ext in chain.by_ref().take(wv6::MAX_EXTENSIONS) {
        let frag = ext.fragment(bytes);
        fragment |= frag.is_some();
        if ext.kind == 43 {
            let rest = bytes.get(ext.start..).unwrap_or_default();
            final_dst = routing_final_dst(rest, ext.len).unwrap_or(final_dst);
        }
        node.push(ext_node(bytes, &ext, off));
        if let Some(later) = frag.filter(|f| f.offset > 0) {
            let at = off + ext.start + ext.len;
            node.set_end(at.min(b.len()));
            if cx.push_layer(node) {
                fragment_data(cx, &inner, at, later.offset as usize);
            }
            return;
        }
    }
    let (next, upper) = chain.upper();
    let at = off + upper;
    if chain.cut() {
        node.push(cx.cut(&inner, "IPv6 extension header", at, 8));
        node.set_end(inner.len());
        cx.push_layer(node);
        return;
    }
    node.set_end(at.min(b.len()));
    let ip_layer = cx.layers.len();
    if !cx.push_layer(node) {
        return;
    }
    let mut dst = [0u8; 16];
    dst.copy_from_slice(&final_dst);
    let info = IpInfo {
        src: h.src(),
        dst,
        v6: true,
        fragment,
        end,
    };
    let carried = by_ip_proto(cx, &inner, next, at, &info);
    if let Some(syn) = carried.syn_payload {
        let note = format!(
            "Payload length {} but a header-only {} would be {}",
            h.payload_len(),
            syn.kind,
            upper - wv6::HEADER_LEN + syn.tcp_header
        );
        if let Some(ip) = cx.layers.get_mut(ip_layer) {
            flag_child(ip, "ipv6.plen", note);
        }
    }
}

/// The fixed header's fields that end within the `have` captured bytes; false unless it is a
/// whole version-6 header.
fn ipv6_fixed_fields(h: &Ipv6Header, off: usize, have: usize, node: &mut Node) -> bool {
    let version = h.version();
    let first = u64::from(version) << 4 | u64::from(h.traffic_class() >> 4);
    let label = format!("{} = Version: {version}", bit_pattern(first, 8, 0xf0));
    let mut vnode = Node::at(label, off, v6f::VERSION).field("ip.version");
    if version != 6 {
        vnode = vnode.problem(format!(
            "Version {version} in what should be an IPv6 header"
        ));
        node.push(vnode);
        return false;
    }
    node.push(vnode);
    let tclass = h.traffic_class();
    let tc = v6f::TRAFFIC_CLASS;
    node.push(ds_field(
        tclass,
        off + tc.start,
        tc.len(),
        "Traffic Class",
        "ipv6.tclass",
    ));
    let flow = format!("Flow Label: 0x{:05x}", h.flow_label());
    node.push(Node::at(flow, off, v6f::FLOW_LABEL).field("ipv6.flow"));
    let nxt = h.next_header();
    let plen = format!("Payload Length: {}", h.payload_len());
    let next = format!("Next Header: {} ({nxt})", ip_proto_name(nxt));
    let hlim = format!("Hop Limit: {}", h.hop_limit());
    let src = format!("Source Address: {}", ip6(h.src()));
    let dst = format!("Destination Address: {}", ip6(h.dst()));
    let fields = [
        (plen, v6f::PAYLOAD_LEN, "ipv6.plen"),
        (next, v6f::NEXT_HEADER.span(), "ipv6.nxt"),
        (hlim, v6f::HOP_LIMIT.span(), "ipv6.hlim"),
        (src, v6f::SRC, "ipv6.src"),
        (dst, v6f::DST, "ipv6.dst"),
    ];
    push_labelled(node, off, have, fields);
    has(have, v6f::DST)
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

/// The fixed part of an ARP message (hardware and protocol types and sizes, opcode), field by
/// field as far as it was captured; the sizes and opcode once all of it is there.
fn arp_fixed_fields(b: &Bytes, off: usize, node: &mut Node) -> Option<(usize, usize, u16)> {
    let bytes = b.rest(off);
    let htype = be16(bytes, af::HTYPE.start)?;
    let hname = if htype == 1 { "Ethernet" } else { "Unknown" };
    let label = format!("Hardware type: {hname} ({htype})");
    node.push(Node::at(label, off, af::HTYPE).field("arp.hw.type"));
    let ptype = be16(bytes, af::PTYPE.start)?;
    let pname = super::names::ethertype_name(ptype);
    let label = format!("Protocol type: {pname} (0x{ptype:04x})");
    node.push(Node::at(label, off, af::PTYPE).field("arp.proto.type"));
    let hlen = u8_at(bytes, af::HLEN)?;
    node.push(Node::at(format!("Hardware size: {hlen}"), off, af::HLEN).field("arp.hw.size"));
    let plen = u8_at(bytes, af::PLEN)?;
    node.push(Node::at(format!("Protocol size: {plen}"), off, af::PLEN).field("arp.proto.size"));
    let op = be16(bytes, af::OPCODE.start)?;
    let label = format!("Opcode: {} ({op})", arp_opcode_name(op));
    node.push(Node::at(label, off, af::OPCODE).field("arp.opcode"));
    Some((usize::from(hlen), usize::from(plen), op))
}

/// The ARP message at `off`. The fixed part's fields are [`crate::wire::arp::field`]'s; the
/// addresses follow with the sizes it declares (the Ethernet/IPv4 layout that
/// [`crate::wire::arp::ArpPacket`] views, or any other), so they are walked here.
pub(crate) fn arp(cx: &mut Cx, b: &Bytes, off: usize) -> Option<usize> {
    let mut node = Node::header("Address Resolution Protocol", off, b.remaining(off), 8);
    let Some((hlen, plen, op)) = arp_fixed_fields(b, off, &mut node) else {
        return cx.push_cut(b, node, "ARP header", off, 8);
    };
    let total = af::SENDER_MAC.start + 2 * hlen + 2 * plen;
    let is_ip = plen == 4;
    let mut at = off + af::SENDER_MAC.start;
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
