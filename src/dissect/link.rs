//! Link layers: Ethernet II and 802.3/LLC/SNAP (with padding or trailer after the network
//! packet), 802.1Q / 802.1ad VLAN tags (any number), MPLS label stacks (then IPv4/IPv6 by the
//! first nibble or an Ethernet pseudowire), BSD NULL / OpenBSD LOOP, raw IP, Linux cooked
//! captures v1 (SLL) and v2 (SLL2), PPP (optional FF 03, 1- or 2-byte protocol, LCP/IPCP
//! headers), PPPoE discovery and session, and IEEE 802.11 data frames (as Aruba GRE carries
//! them, without FCS). `by_ethertype` is the dispatcher every layer that
//! carries an EtherType (VLAN, SLL, GRE) calls.

use super::bytes::Bytes;
use super::names::ethertype_name;
use super::network;
use super::text::{bit_pattern, bits_line, escape, hex, mac};
use super::{data_layer, Cx, Node};
use crate::wire::bytes::le16;

pub(crate) fn dissect_link(cx: &mut Cx, b: &Bytes, linktype: u32) {
    match linktype {
        0 | 108 => null_loopback(cx, b, linktype),
        1 => {
            ethernet(cx, b, 0);
        }
        9 | 50 => {
            ppp(cx, b, 0);
        }
        51 => {
            pppoe(cx, b, 0, true);
        }
        12 | 14 | 101 => {
            network::ip_by_version(cx, b, 0);
        }
        228 => {
            network::ipv4(cx, b, 0);
        }
        229 => {
            network::ipv6(cx, b, 0);
        }
        113 => sll(cx, b),
        276 => sll2(cx, b),
        _ => data_layer(cx, b, 0, ", link type not supported by the dissector"),
    }
}

/// Dissect what an EtherType (or SLL/GRE protocol field) announces at `off`. Returns the end
/// offset the carried packet declares (e.g. IPv4 total length), so the caller can show padding.
pub(crate) fn by_ethertype(cx: &mut Cx, b: &Bytes, ethertype: u16, off: usize) -> Option<usize> {
    if !cx.room_for_layer() {
        cx.push_layer(Node::generated("", off));
        return None;
    }
    match ethertype {
        0x0800 => network::ipv4(cx, b, off),
        0x86dd => network::ipv6(cx, b, off),
        0x0806 | 0x8035 => network::arp(cx, b, off),
        0x8100 | 0x88a8 | 0x9100 => vlan(cx, b, off, ethertype),
        0x8847 | 0x8848 => mpls(cx, b, off),
        0x8863 => pppoe(cx, b, off, false),
        0x8864 => pppoe(cx, b, off, true),
        0x880b => ppp(cx, b, off),
        0x6558 => ethernet(cx, b, off),
        _ => {
            data_layer(
                cx,
                b,
                off,
                &format!(
                    ", EtherType 0x{ethertype:04x} ({}) not dissected",
                    ethertype_name(ethertype)
                ),
            );
            None
        }
    }
}

fn mac_node(b: &Bytes, off: usize, name: &str, field: &'static str) -> Option<Node> {
    let a = b.array6(off)?;
    let first = u64::from(a[0]);
    let lg = if first & 0x02 != 0 {
        "Locally administered address (this is NOT the factory default)"
    } else {
        "Globally unique address (factory default)"
    };
    let ig = if first & 0x01 != 0 {
        "Group address (multicast/broadcast)"
    } else {
        "Individual address (unicast)"
    };
    Some(
        Node::new(format!("{name}: {}", mac(&a)), off, 6)
            .field(field)
            .with_child(Node::new(bits_line(first, 8, 0x02, "LG bit", lg), off, 1))
            .with_child(Node::new(bits_line(first, 8, 0x01, "IG bit", ig), off, 1)),
    )
}

/// Ethernet II or 802.3 at `off`; returns the end its payload declared (for an outer caller).
pub(crate) fn ethernet(cx: &mut Cx, b: &Bytes, off: usize) -> Option<usize> {
    let mut node = Node::new("Ethernet II", off, b.remaining(off).min(14));
    let fields = (|| {
        let dst = b.array6(off)?;
        node.push(mac_node(b, off, "Destination", "eth.dst")?);
        let src = b.array6(off + 6)?;
        node.push(mac_node(b, off + 6, "Source", "eth.src")?);
        node.label = format!("Ethernet II, Src: {}, Dst: {}", mac(&src), mac(&dst));
        b.u16(off + 12)
    })();
    let Some(type_or_len) = fields else {
        node.push(cx.cut(b, "Ethernet header", off, 14));
        cx.push_layer(node);
        return None;
    };
    let payload = off + 14;
    let idx = cx.layers.len();
    let declared_end = if type_or_len <= 1500 {
        node.label = node.label.replacen("Ethernet II", "IEEE 802.3 Ethernet", 1);
        let end = payload + usize::from(type_or_len);
        let mut len_node =
            Node::new(format!("Length: {type_or_len}"), off + 12, 2).field("eth.len");
        if end > b.len() && !b.snapped() {
            len_node = len_node.problem(format!(
                "802.3 length {type_or_len} runs past the end of the frame ({} bytes after the header)",
                b.remaining(payload)
            ));
        }
        node.push(len_node);
        if !cx.push_layer(node) {
            return None;
        }
        llc(cx, &b.clip(end), payload);
        Some(end)
    } else {
        let mut type_node = Node::new(
            format!(
                "Type: {} (0x{type_or_len:04x})",
                ethertype_name(type_or_len)
            ),
            off + 12,
            2,
        )
        .field("eth.type");
        if type_or_len < 0x0600 {
            type_node = type_node.problem(format!(
                "Value 0x{type_or_len:04x} is neither an 802.3 length (at most 1500) nor an EtherType (at least 0x0600)"
            ));
        }
        node.push(type_node);
        if !cx.push_layer(node) {
            return None;
        }
        by_ethertype(cx, b, type_or_len, payload)
    };
    if let Some(end) = declared_end {
        add_padding(cx, b, idx, end);
    }
    declared_end
}

/// The minimum Ethernet frame without its FCS: shorter frames are padded up to it.
const ETH_MIN_LEN: usize = 60;

/// Bytes after the carried packet's declared end, as Wireshark splits them: zero padding up to
/// the 60-byte minimum frame, then a trailer (FCS, vendor trailer) for whatever follows.
fn add_padding(cx: &mut Cx, b: &Bytes, eth_index: usize, end: usize) {
    let extra = b.rest(end);
    if extra.is_empty() || end == 0 {
        return;
    }
    let Some(eth) = cx.layers.get_mut(eth_index) else {
        return;
    };
    let to_minimum = ETH_MIN_LEN.saturating_sub(end).min(extra.len());
    let (pad, trailer) = if extra[..to_minimum].iter().all(|&x| x == 0) {
        extra.split_at(to_minimum)
    } else {
        (&extra[..0], extra)
    };
    if !pad.is_empty() {
        eth.push(Node::new(format!("Padding: {}", hex(pad)), end, pad.len()).field("eth.padding"));
    }
    if !trailer.is_empty() {
        let at = end + pad.len();
        eth.push(
            Node::new(format!("Trailer: {}", hex(trailer)), at, trailer.len()).field("eth.trailer"),
        );
    }
}

fn vlan(cx: &mut Cx, b: &Bytes, off: usize, tpid: u16) -> Option<usize> {
    // Wireshark dissects an 802.1ad service tag with its own protocol and fields
    // (ieee8021ad.*, the type as ieee8021ah.etype): `vlan.id == 200` does not match a QinQ
    // frame whose service tag is 200.
    let ad = tpid == 0x88a8;
    let (name, fields) = if ad {
        (
            "IEEE 802.1ad",
            [
                "ieee8021ad.priority",
                "ieee8021ad.dei",
                "ieee8021ad.id",
                "ieee8021ah.etype",
            ],
        )
    } else {
        (
            "802.1Q Virtual LAN",
            ["vlan.priority", "vlan.dei", "vlan.id", "vlan.etype"],
        )
    };
    let mut node = Node::new(name, off, b.remaining(off).min(4));
    let Some((tci, inner)) = b.u16(off).zip(b.u16(off + 2)) else {
        node.push(cx.cut(b, "VLAN tag", off, 4));
        cx.push_layer(node);
        return None;
    };
    let (pri, dei, id) = (tci >> 13, (tci >> 12) & 1, tci & 0x0fff);
    node.label = if ad {
        format!("{name}, ID: {id}")
    } else {
        format!("{name}, PRI: {pri}, DEI: {dei}, ID: {id}")
    };
    let t = u64::from(tci);
    node.push(
        Node::new(
            bits_line(t, 16, 0xe000, "Priority", &pri.to_string()),
            off,
            2,
        )
        .field(fields[0]),
    );
    node.push(
        Node::new(bits_line(t, 16, 0x1000, "DEI", &dei.to_string()), off, 2).field(fields[1]),
    );
    node.push(Node::new(bits_line(t, 16, 0x0fff, "ID", &id.to_string()), off, 2).field(fields[2]));
    node.push(
        Node::new(
            format!("Type: {} (0x{inner:04x})", ethertype_name(inner)),
            off + 2,
            2,
        )
        .field(fields[3]),
    );
    if !cx.push_layer(node) {
        return None;
    }
    if inner <= 1500 {
        let end = off + 4 + usize::from(inner);
        llc(cx, &b.clip(end), off + 4);
        return Some(end);
    }
    by_ethertype(cx, b, inner, off + 4)
}

/// 802.2 LLC (and SNAP) after an 802.3 length field.
pub(crate) fn llc(cx: &mut Cx, b: &Bytes, off: usize) {
    if b.get(off, 2) == Some(&[0xff, 0xff]) {
        data_layer(cx, b, off, ", raw 802.3 (Novell IPX), not dissected");
        return;
    }
    let mut node = Node::new("Logical-Link Control", off, b.remaining(off).min(3));
    let Some((dsap, ssap, control)) = b
        .u8(off)
        .zip(b.u8(off + 1))
        .zip(b.u8(off + 2))
        .map(|((d, s), c)| (d, s, c))
    else {
        node.push(cx.cut(b, "LLC header", off, 3));
        cx.push_layer(node);
        return;
    };
    node.push(
        Node::new(format!("DSAP: {} (0x{dsap:02x})", sap_name(dsap)), off, 1).field("llc.dsap"),
    );
    node.push(
        Node::new(
            format!("SSAP: {} (0x{ssap:02x})", sap_name(ssap)),
            off + 1,
            1,
        )
        .field("llc.ssap"),
    );
    node.push(
        Node::new(format!("Control field: 0x{control:02x}"), off + 2, 1).field("llc.control"),
    );
    let mut next = off + 3;
    let mut snap_type = None;
    if dsap == 0xaa && ssap == 0xaa {
        if let Some((oui, pid)) = b.get(next, 3).zip(b.u16(next + 3)) {
            node.push(
                Node::new(format!("Organization Code: {}", mac(oui)), next, 3).field("llc.oui"),
            );
            node.push(
                Node::new(
                    format!("Type: {} (0x{pid:04x})", ethertype_name(pid)),
                    next + 3,
                    2,
                )
                .field("llc.type"),
            );
            node.len = 8;
            if oui == [0, 0, 0] {
                snap_type = Some(pid);
            }
            next += 5;
        } else {
            node.push(cx.cut(b, "SNAP header", next, 5));
        }
    }
    if !cx.push_layer(node) {
        return;
    }
    match snap_type {
        Some(t) => {
            by_ethertype(cx, b, t, next);
        }
        None => data_layer(cx, b, next, ""),
    }
}

fn sap_name(sap: u8) -> &'static str {
    match sap & 0xfe {
        0x00 => "NULL LSAP",
        0x06 => "IP",
        0x42 => "Spanning Tree BPDU",
        0xaa => "SNAP",
        0xe0 => "NetWare",
        0xf0 => "NetBIOS",
        0xfe => "ISO Network Layer",
        _ => "Unknown",
    }
}

fn mpls(cx: &mut Cx, b: &Bytes, mut off: usize) -> Option<usize> {
    for _ in 0..super::MAX_LAYERS {
        let mut node = Node::new(
            "MultiProtocol Label Switching Header",
            off,
            b.remaining(off).min(4),
        );
        let Some(entry) = b.u32(off) else {
            node.push(cx.cut(b, "MPLS label stack entry", off, 4));
            cx.push_layer(node);
            return None;
        };
        let (label, tc, bos, ttl) = (
            entry >> 12,
            (entry >> 9) & 7,
            (entry >> 8) & 1,
            entry & 0xff,
        );
        let e = u64::from(entry);
        // Each field is a bit range of the 32-bit entry and covers all 4 bytes, as in tshark.
        node.label = format!(
            "MultiProtocol Label Switching Header, Label: {label}{}, Exp: {tc}, S: {bos}, TTL: {ttl}",
            mpls_reserved_label(label)
        );
        node.push(
            Node::new(
                bits_line(e, 32, 0xffff_f000, "MPLS Label", &label.to_string()),
                off,
                4,
            )
            .field("mpls.label"),
        );
        node.push(
            Node::new(
                bits_line(e, 32, 0x0e00, "MPLS Experimental Bits", &tc.to_string()),
                off,
                4,
            )
            .field("mpls.exp"),
        );
        node.push(
            Node::new(
                bits_line(
                    e,
                    32,
                    0x0100,
                    "MPLS Bottom Of Label Stack",
                    &bos.to_string(),
                ),
                off,
                4,
            )
            .field("mpls.bottom"),
        );
        node.push(
            Node::new(bits_line(e, 32, 0xff, "MPLS TTL", &ttl.to_string()), off, 4)
                .field("mpls.ttl"),
        );
        if !cx.push_layer(node) {
            return None;
        }
        off += 4;
        if bos == 1 {
            return mpls_payload(cx, b, off);
        }
    }
    None
}

fn mpls_reserved_label(label: u32) -> &'static str {
    match label {
        0 => " (IPv4 Explicit-Null)",
        1 => " (Router Alert)",
        2 => " (IPv6 Explicit-Null)",
        3 => " (Implicit-Null)",
        7 => " (Entropy Label Indicator)",
        13 => " (Generic Associated Channel Label)",
        14 => " (OAM Alert)",
        15 => " (Extension)",
        _ => "",
    }
}

/// After the bottom label: IPv4 or IPv6 by the first nibble, else an Ethernet pseudowire
/// (with a control word when the nibble is 0).
fn mpls_payload(cx: &mut Cx, b: &Bytes, off: usize) -> Option<usize> {
    let first = b.u8(off)?;
    match first >> 4 {
        4 => network::ipv4(cx, b, off),
        6 => network::ipv6(cx, b, off),
        0 => {
            let mut node = Node::new("PW Ethernet Control Word", off, b.remaining(off).min(4));
            match b.u32(off) {
                Some(cw) => node.push(
                    Node::new(format!("Sequence Number: {}", cw & 0xffff), off + 2, 2)
                        .field("pwethcw.sequence_number"),
                ),
                None => node.push(cx.cut(b, "pseudowire control word", off, 4)),
            }
            if !cx.push_layer(node) || b.remaining(off) < 4 {
                return None;
            }
            ethernet(cx, b, off + 4)
        }
        _ => ethernet(cx, b, off),
    }
}

fn address_family_name(af: u32) -> &'static str {
    match af {
        2 => "IP",
        7 => "OSI",
        10 | 23 | 24 | 28 | 30 => "IPv6",
        _ => "Unknown",
    }
}

/// BSD NULL (host byte order) and OpenBSD LOOP (network order) 4-byte address family.
fn null_loopback(cx: &mut Cx, b: &Bytes, linktype: u32) {
    let name = if linktype == 108 {
        "OpenBSD loopback"
    } else {
        "Null/Loopback"
    };
    let mut node = Node::new(name, 0, b.remaining(0).min(4));
    let Some(raw) = b.u32(0) else {
        node.push(cx.cut(b, "loopback header", 0, 4));
        cx.push_layer(node);
        return;
    };
    let af = if raw > 0xffff { raw.swap_bytes() } else { raw };
    node.push(
        Node::new(format!("Family: {} ({af})", address_family_name(af)), 0, 4).field("null.family"),
    );
    if !cx.push_layer(node) {
        return;
    }
    match af {
        2 => {
            network::ipv4(cx, b, 4);
        }
        10 | 23 | 24 | 28 | 30 => {
            network::ipv6(cx, b, 4);
        }
        _ => data_layer(cx, b, 4, ", address family not dissected"),
    }
}

fn sll_packet_type_name(t: u16) -> &'static str {
    match t {
        0 => "Unicast to us",
        1 => "Broadcast",
        2 => "Multicast",
        3 => "Unicast to another host",
        4 => "Sent by us",
        _ => "Unknown",
    }
}

fn arphrd_name(t: u16) -> &'static str {
    match t {
        1 => "Ethernet",
        24 => "IEEE 1394",
        512 => "PPP",
        772 => "Loopback",
        776 => "IPv6-in-IPv4",
        778 => "IP GRE",
        801 => "IEEE 802.11",
        803 => "IEEE 802.11 + radiotap",
        824 => "Netlink",
        65534 => "None",
        _ => "Unknown",
    }
}

/// Protocol field of SLL/SLL2: an EtherType, or one of Linux's small values for 802.2/802.3.
fn sll_protocol(cx: &mut Cx, b: &Bytes, proto: u16, off: usize) {
    match proto {
        0x0004 => llc(cx, b, off),
        0x0001 => data_layer(cx, b, off, ", Novell 802.3 not dissected"),
        p if p < 0x0600 => data_layer(cx, b, off, ", Linux protocol value not dissected"),
        p => {
            by_ethertype(cx, b, p, off);
        }
    }
}

fn sll_address(b: &Bytes, off: usize, addr_len: usize) -> Node {
    if addr_len == 0 {
        return Node::new(
            format!("Unused: {}", hex(b.get(off, 8).unwrap_or(&[]))),
            off,
            8,
        )
        .field("sll.unused");
    }
    let bytes = b.get(off, addr_len.min(8)).unwrap_or(&[]);
    Node::new(format!("Source: {}", mac(bytes)), off, 8).field("sll.src.eth")
}

/// The packet type field of either cooked header (`len` bytes: 2 in v1, 1 in v2).
fn sll_pkttype(ptype: u16, at: usize, len: usize) -> Node {
    Node::new(
        format!("Packet type: {} ({ptype})", sll_packet_type_name(ptype)),
        at,
        len,
    )
    .field("sll.pkttype")
}

/// The 2-byte ARPHRD link-layer address type of either cooked header.
fn sll_hatype(hatype: u16, at: usize) -> Node {
    Node::new(
        format!(
            "Link-layer address type: {} ({hatype})",
            arphrd_name(hatype)
        ),
        at,
        2,
    )
    .field("sll.hatype")
}

/// The 2-byte EtherType of either cooked header.
fn sll_etype(proto: u16, at: usize) -> Node {
    Node::new(
        format!("Protocol: {} (0x{proto:04x})", ethertype_name(proto)),
        at,
        2,
    )
    .field("sll.etype")
}

fn sll(cx: &mut Cx, b: &Bytes) {
    let mut node = Node::new("Linux cooked capture v1", 0, b.remaining(0).min(16));
    let fields = (|| {
        let ptype = b.u16(0)?;
        node.push(sll_pkttype(ptype, 0, 2));
        let hatype = b.u16(2)?;
        node.push(sll_hatype(hatype, 2));
        let alen = b.u16(4)?;
        node.push(Node::new(format!("Link-layer address length: {alen}"), 4, 2).field("sll.halen"));
        b.get(6, 8)?;
        node.push(sll_address(b, 6, usize::from(alen)));
        let proto = b.u16(14)?;
        node.push(sll_etype(proto, 14));
        Some(proto)
    })();
    let Some(proto) = fields else {
        node.push(cx.cut(b, "Linux cooked header", 0, 16));
        cx.push_layer(node);
        return;
    };
    if cx.push_layer(node) {
        sll_protocol(cx, b, proto, 16);
    }
}

fn sll2(cx: &mut Cx, b: &Bytes) {
    let mut node = Node::new("Linux cooked capture v2", 0, b.remaining(0).min(20));
    let fields = (|| {
        let proto = b.u16(0)?;
        node.push(sll_etype(proto, 0));
        let reserved = b.u16(2)?;
        node.push(Node::new(format!("Reserved: {reserved}"), 2, 2).field("sll.reserved"));
        let ifindex = b.u32(4)?;
        node.push(Node::new(format!("Interface index: {ifindex}"), 4, 4).field("sll.ifindex"));
        let hatype = b.u16(8)?;
        node.push(sll_hatype(hatype, 8));
        let ptype = b.u8(10)?;
        node.push(sll_pkttype(u16::from(ptype), 10, 1));
        let alen = b.u8(11)?;
        node.push(
            Node::new(format!("Link-layer address length: {alen}"), 11, 1).field("sll.halen"),
        );
        b.get(12, 8)?;
        node.push(sll_address(b, 12, usize::from(alen)));
        Some(proto)
    })();
    let Some(proto) = fields else {
        node.push(cx.cut(b, "Linux cooked v2 header", 0, 20));
        cx.push_layer(node);
        return;
    };
    if cx.push_layer(node) {
        sll_protocol(cx, b, proto, 20);
    }
}

fn ppp_protocol_name(p: u16) -> &'static str {
    match p {
        0x0021 => "Internet Protocol version 4",
        0x0057 => "Internet Protocol version 6",
        0x0281 => "MPLS",
        0x002d => "Van Jacobson Compressed TCP/IP",
        0x002f => "Van Jacobson Uncompressed TCP/IP",
        0x00fd => "Compressed datagram",
        0x8021 => "Internet Protocol Control Protocol",
        0x8057 => "IPv6 Control Protocol",
        0x80fd => "Compression Control Protocol",
        0xc021 => "Link Control Protocol",
        0xc023 => "Password Authentication Protocol",
        0xc223 => "Challenge Handshake Authentication Protocol",
        _ => "Unknown",
    }
}

/// PPP at `off`: optional FF 03 address/control, then a 1-byte (odd first byte) or 2-byte
/// protocol.
pub(crate) fn ppp(cx: &mut Cx, b: &Bytes, off: usize) -> Option<usize> {
    let mut node = Node::new("Point-to-Point Protocol", off, 0);
    let mut at = off;
    if b.get(off, 2) == Some(&[0xff, 0x03]) {
        node.push(Node::new("Address: 0xff", off, 1).field("ppp.address"));
        node.push(Node::new("Control: 0x03", off + 1, 1).field("ppp.control"));
        at += 2;
    }
    let protocol = match b.u8(at) {
        Some(first) if first & 1 == 1 => {
            node.push(
                Node::new(
                    format!(
                        "Protocol: {} (0x{first:02x}, compressed)",
                        ppp_protocol_name(u16::from(first))
                    ),
                    at,
                    1,
                )
                .field("ppp.protocol"),
            );
            at += 1;
            Some(u16::from(first))
        }
        Some(_) => b.u16(at).inspect(|&p| {
            node.push(
                Node::new(
                    format!("Protocol: {} (0x{p:04x})", ppp_protocol_name(p)),
                    at,
                    2,
                )
                .field("ppp.protocol"),
            );
            at += 2;
        }),
        None => None,
    };
    node.set_end(at.min(b.len()));
    let Some(protocol) = protocol else {
        node.push(cx.cut(b, "PPP header", at, 2));
        cx.push_layer(node);
        return None;
    };
    if !cx.push_layer(node) {
        return None;
    }
    match protocol {
        0x0021 => network::ipv4(cx, b, at),
        0x0057 => network::ipv6(cx, b, at),
        0x0281 => mpls(cx, b, at),
        0xc021 | 0x8021 | 0x8057 | 0x80fd => {
            ppp_control(cx, b, at, protocol);
            None
        }
        _ => {
            data_layer(cx, b, at, "");
            None
        }
    }
}

fn ppp_control_code_name(code: u8) -> &'static str {
    match code {
        1 => "Configuration Request",
        2 => "Configuration Ack",
        3 => "Configuration Nak",
        4 => "Configuration Reject",
        5 => "Termination Request",
        6 => "Termination Ack",
        7 => "Code Reject",
        8 => "Protocol Reject",
        9 => "Echo Request",
        10 => "Echo Reply",
        11 => "Discard Request",
        12 => "Identification",
        13 => "Time Remaining",
        _ => "Unknown",
    }
}

/// LCP / IPCP / IPV6CP / CCP: code, identifier, length and the options as type/length pairs.
fn ppp_control(cx: &mut Cx, b: &Bytes, off: usize, protocol: u16) {
    let mut node = Node::new(ppp_protocol_name(protocol), off, b.remaining(off).min(4));
    let Some((code, (id, len))) = b.u8(off).zip(b.u8(off + 1).zip(b.u16(off + 2))) else {
        node.push(cx.cut(b, "PPP control header", off, 4));
        cx.push_layer(node);
        return;
    };
    node.push(
        Node::new(
            format!("Code: {} ({code})", ppp_control_code_name(code)),
            off,
            1,
        )
        .field("ppp.code"),
    );
    node.push(
        Node::new(format!("Identifier: {id} (0x{id:02x})"), off + 1, 1).field("ppp.identifier"),
    );
    node.push(Node::new(format!("Length: {len}"), off + 2, 2).field("ppp.length"));
    let end = (off + usize::from(len)).min(b.len());
    node.set_end(end.max(off + 4).min(b.len()));
    if (1..=4).contains(&code) {
        let mut at = off + 4;
        for _ in 0..64 {
            let Some((t, l)) = b.u8(at).zip(b.u8(at + 1)) else {
                break;
            };
            if at + 2 > end || l < 2 || at + usize::from(l) > end {
                break;
            }
            node.push(Node::new(
                format!("Option: type {t}, length {l}"),
                at,
                usize::from(l),
            ));
            at += usize::from(l);
        }
    }
    cx.push_layer(node);
}

fn pppoe_code_name(code: u8) -> &'static str {
    match code {
        0x00 => "Session Data",
        0x07 => "Active Discovery Offer (PADO)",
        0x09 => "Active Discovery Initiation (PADI)",
        0x19 => "Active Discovery Request (PADR)",
        0x65 => "Active Discovery Session-confirmation (PADS)",
        0xa7 => "Active Discovery Terminate (PADT)",
        _ => "Unknown",
    }
}

fn pppoe_tag_name(t: u16) -> &'static str {
    match t {
        0x0000 => "End-Of-List",
        0x0101 => "Service-Name",
        0x0102 => "AC-Name",
        0x0103 => "Host-Uniq",
        0x0104 => "AC-Cookie",
        0x0105 => "Vendor-Specific",
        0x0110 => "Relay-Session-Id",
        0x0120 => "PPP-Max-Payload",
        0x0201 => "Service-Name-Error",
        0x0202 => "AC-System-Error",
        0x0203 => "Generic-Error",
        _ => "Unknown",
    }
}

/// PPPoE discovery (tags) or session (a PPP frame without address/control).
fn pppoe(cx: &mut Cx, b: &Bytes, off: usize, session: bool) -> Option<usize> {
    let name = if session {
        "PPP-over-Ethernet Session"
    } else {
        "PPP-over-Ethernet Discovery"
    };
    let mut node = Node::new(name, off, b.remaining(off).min(6));
    let fields = (|| {
        let vt = b.u8(off)?;
        node.push(
            Node::new(
                format!(
                    "{} = Version: {}",
                    bit_pattern(u64::from(vt), 8, 0xf0),
                    vt >> 4
                ),
                off,
                1,
            )
            .field("pppoe.version"),
        );
        node.push(
            Node::new(
                format!(
                    "{} = Type: {}",
                    bit_pattern(u64::from(vt), 8, 0x0f),
                    vt & 0x0f
                ),
                off,
                1,
            )
            .field("pppoe.type"),
        );
        let code = b.u8(off + 1)?;
        node.push(
            Node::new(
                format!("Code: {} (0x{code:02x})", pppoe_code_name(code)),
                off + 1,
                1,
            )
            .field("pppoe.code"),
        );
        let sid = b.u16(off + 2)?;
        node.push(
            Node::new(format!("Session ID: 0x{sid:04x}"), off + 2, 2).field("pppoe.session_id"),
        );
        let len = b.u16(off + 4)?;
        node.push(
            Node::new(format!("Payload Length: {len}"), off + 4, 2).field("pppoe.payload_length"),
        );
        Some(len)
    })();
    let Some(len) = fields else {
        node.push(cx.cut(b, "PPPoE header", off, 6));
        cx.push_layer(node);
        return None;
    };
    let payload = off + 6;
    let end = payload + usize::from(len);
    let inner = b.clip(end);
    if !session {
        pppoe_tags(&mut node, &inner, payload, end);
    }
    if !cx.push_layer(node) {
        return None;
    }
    if session {
        ppp(cx, &inner, payload);
    }
    Some(end)
}

fn pppoe_tags(node: &mut Node, b: &Bytes, mut at: usize, end: usize) {
    let mut tags = Node::new("PPPoE Tags", at, b.remaining(at));
    for _ in 0..128 {
        let Some((t, l)) = b.u16(at).zip(b.u16(at + 2)) else {
            break;
        };
        let l = usize::from(l);
        let value = b.get(at + 4, l).unwrap_or(b.rest(at + 4));
        let shown = match t {
            0x0101 | 0x0102 | 0x0201..=0x0203 => escape(value),
            _ => hex(value),
        };
        tags.push(
            Node::new(
                format!("{}: {shown}", pppoe_tag_name(t)),
                at,
                (4 + l).min(b.remaining(at)),
            )
            .field("pppoe.tag"),
        );
        at += 4 + l;
        if t == 0 || at >= end {
            break;
        }
    }
    node.push(tags);
}

/// An IEEE 802.11 frame without FCS (Aruba GRE): frame control, duration, addresses, sequence
/// control and QoS control of a data frame, then its LLC/SNAP body. Other frames (management,
/// control, protected, null data, A-MSDU) show their header and the rest as data.
pub(crate) fn wlan(cx: &mut Cx, b: &Bytes, off: usize) {
    let mut node = Node::new("IEEE 802.11", off, b.remaining(off).min(24));
    let Some((fc0, fc1)) = b.u8(off).zip(b.u8(off + 1)) else {
        node.push(cx.cut(b, "802.11 header", off, 24));
        cx.push_layer(node);
        return;
    };
    let fc = u16::from_be_bytes([fc0, fc1]);
    let (kind, subtype) = ((fc0 >> 2) & 3, fc0 >> 4);
    node.label = match (kind, subtype & 0x08 != 0) {
        (2, true) => format!("IEEE 802.11 QoS Data, Flags: 0x{fc1:02x}"),
        (2, false) => format!("IEEE 802.11 Data, Flags: 0x{fc1:02x}"),
        _ => format!("IEEE 802.11, type {kind} subtype {subtype}, Flags: 0x{fc1:02x}"),
    };
    node.push(Node::new(format!("Frame Control Field: 0x{fc:04x}"), off, 2).field("wlan.fc"));
    let Some(body) = crate::wire::link::wlan_snap_payload(b.rest(off)) else {
        if cx.push_layer(node) {
            data_layer(cx, b, off + 2, ", 802.11 frame not dissected further");
        }
        return;
    };
    wlan_header_fields(&mut node, b, off, fc1);
    node.len = super::to_u32(body.1 - 8);
    if cx.push_layer(node) {
        llc(cx, b, off + body.1 - 8);
    }
}

fn wlan_header_fields(node: &mut Node, b: &Bytes, off: usize, fc1: u8) {
    if let Some(duration) = b.u16(off + 2) {
        node.push(
            Node::new(
                format!("Duration: {} microseconds", duration & 0x7fff),
                off + 2,
                2,
            )
            .field("wlan.duration"),
        );
    }
    let third = match fc1 & 0x03 {
        0 => ("BSS Id", "wlan.bssid"),
        1 | 3 => ("Destination address", "wlan.da"),
        _ => ("Source address", "wlan.sa"),
    };
    let names = [
        ("Receiver address", "wlan.ra"),
        ("Transmitter address", "wlan.ta"),
        third,
    ];
    for (i, (name, field)) in names.into_iter().enumerate() {
        let at = off + 4 + 6 * i;
        if let Some(a) = b.array6(at) {
            node.push(Node::new(format!("{name}: {}", mac(&a)), at, 6).field(field));
        }
    }
    if let Some(seq) = le16(b.rest(off + 22), 0) {
        node.push(
            Node::new(format!("Sequence number: {}", seq >> 4), off + 22, 2).field("wlan.seq"),
        );
    }
}
