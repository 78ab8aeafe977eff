//! Link layers: Ethernet II and 802.3/LLC/SNAP (with padding or trailer after the network
//! packet), 802.1Q / 802.1ad VLAN tags (any number), MPLS label stacks (then IPv4/IPv6 by the
//! first nibble or an Ethernet pseudowire), BSD NULL / OpenBSD LOOP, raw IP, Linux cooked
//! captures v1 (SLL) and v2 (SLL2), PPP (optional FF 03, 1- or 2-byte protocol, LCP/IPCP
//! headers), PPPoE discovery and session, and IEEE 802.11 data frames (as Aruba GRE carries
//! them, without FCS). `by_ethertype` is the dispatcher every layer that
//! carries an EtherType (VLAN, SLL, GRE) calls.

use super::bytes::{has, push_captured, Bytes, Padded, Span};
use super::names::ethertype_name;
use super::network;
use super::text::{bit_pattern, bits_line, escape, hex, mac};
use super::{data_layer, Cx, Node};
use crate::wire::ethernet::{self as eth, field as ef, vlan_field as vf, EthernetHeader, VlanTag};
use crate::wire::link::{NullHeader, ETHERTYPE_IPV4, ETHERTYPE_IPV6, NULL_HEADER_LEN};
use crate::wire::llc::{self, field as lf, LlcHeader};
use crate::wire::mpls::{self as wmpls, field as mf, MplsEntry, MplsPayload};
use crate::wire::ppp::{
    self, control_field as cf, pppoe_field as pf, PppControl, PppHeader, PppoeHeader,
};
use crate::wire::sll::{self, field as s1, field2 as s2, Sll2Header, SllHeader};
use crate::wire::wlan::{self, field as wf, FrameControl, WlanHeader};
use std::ops::Range;

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

fn mac_node(a: [u8; 6], off: usize, name: &str, field: &'static str) -> Node {
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
    Node::new(format!("{name}: {}", mac(&a)), off, 6)
        .field(field)
        .with_child(Node::new(bits_line(first, 8, 0x02, "LG bit", lg), off, 1))
        .with_child(Node::new(bits_line(first, 8, 0x01, "IG bit", ig), off, 1))
}

/// Ethernet II or 802.3 at `off`; returns the end its payload declared (for an outer caller).
pub(crate) fn ethernet(cx: &mut Cx, b: &Bytes, off: usize) -> Option<usize> {
    let have = b.remaining(off);
    let mut node = Node::header("Ethernet II", off, have, eth::HEADER_LEN);
    let mut pad = Padded::<{ eth::HEADER_LEN }>::new();
    let h = EthernetHeader::new(pad.over(b.rest(off))).ok()?;
    if has(have, ef::DST) {
        node.push(mac_node(h.dst(), off, "Destination", "eth.dst"));
    }
    if has(have, ef::SRC) {
        node.push(mac_node(h.src(), off + ef::SRC.start, "Source", "eth.src"));
        node.label = format!(
            "Ethernet II, Src: {}, Dst: {}",
            mac(&h.src()),
            mac(&h.dst())
        );
    }
    if !has(have, ef::TYPE_OR_LEN) {
        return cx.push_cut(b, node, "Ethernet header", off, eth::HEADER_LEN);
    }
    let type_or_len = h.type_or_len();
    let payload = off + eth::HEADER_LEN;
    let idx = cx.layers.len();
    let declared_end = if h.is_8023() {
        node.label = node.label.replacen("Ethernet II", "IEEE 802.3 Ethernet", 1);
        let end = payload + usize::from(type_or_len);
        let mut len_node =
            Node::at(format!("Length: {type_or_len}"), off, ef::TYPE_OR_LEN).field("eth.len");
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
        let label = format!(
            "Type: {} (0x{type_or_len:04x})",
            ethertype_name(type_or_len)
        );
        let mut type_node = Node::at(label, off, ef::TYPE_OR_LEN).field("eth.type");
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
    let (mut node, tag) =
        cx.header_view(b, off, (name, "VLAN tag"), eth::VLAN_TAG_LEN, VlanTag::new)?;
    let (tci, inner) = (tag.tci(), tag.ether_type());
    let (pri, dei, id) = (tag.priority(), tag.dei(), tag.id());
    node.label = if ad {
        format!("{name}, ID: {id}")
    } else {
        format!("{name}, PRI: {pri}, DEI: {dei}, ID: {id}")
    };
    let t = u64::from(tci);
    let tci_bits = [
        (0xe000, "Priority", pri),
        (0x1000, "DEI", dei),
        (0x0fff, "ID", id),
    ];
    for ((mask, label, value), field) in tci_bits.into_iter().zip(fields) {
        let line = bits_line(t, 16, mask, label, &value.to_string());
        node.push(Node::at(line, off, vf::TCI).field(field));
    }
    let label = format!("Type: {} (0x{inner:04x})", ethertype_name(inner));
    node.push(Node::at(label, off, vf::ETHER_TYPE).field(fields[3]));
    if !cx.push_layer(node) {
        return None;
    }
    let payload = off + eth::VLAN_TAG_LEN;
    if inner <= eth::MAX_8023_LEN {
        let end = payload + usize::from(inner);
        llc(cx, &b.clip(end), payload);
        return Some(end);
    }
    by_ethertype(cx, b, inner, payload)
}

/// 802.2 LLC (and SNAP) after an 802.3 length field.
pub(crate) fn llc(cx: &mut Cx, b: &Bytes, off: usize) {
    if b.get(off, 2) == Some(&[0xff, 0xff]) {
        data_layer(cx, b, off, ", raw 802.3 (Novell IPX), not dissected");
        return;
    }
    let Some((mut node, h)) = cx.header_view(
        b,
        off,
        ("Logical-Link Control", "LLC header"),
        llc::LLC_LEN,
        LlcHeader::new,
    ) else {
        return;
    };
    let (dsap, ssap, control) = (h.dsap(), h.ssap(), h.control());
    let dsap_label = format!("DSAP: {} (0x{dsap:02x})", sap_name(dsap));
    node.push(Node::at(dsap_label, off, lf::DSAP).field("llc.dsap"));
    let ssap_label = format!("SSAP: {} (0x{ssap:02x})", sap_name(ssap));
    node.push(Node::at(ssap_label, off, lf::SSAP).field("llc.ssap"));
    let control_label = format!("Control field: 0x{control:02x}");
    node.push(Node::at(control_label, off, lf::CONTROL).field("llc.control"));
    let mut next = off + llc::LLC_LEN;
    let mut snap_type = None;
    if let Some(snap) = h.snap() {
        let (oui, pid) = (snap.oui(), snap.protocol());
        let oui_label = format!("Organization Code: {}", mac(&oui));
        node.push(Node::at(oui_label, off, lf::OUI).field("llc.oui"));
        let pid_label = format!("Type: {} (0x{pid:04x})", ethertype_name(pid));
        node.push(Node::at(pid_label, off, lf::PROTOCOL).field("llc.type"));
        node.len = super::to_u32(llc::SNAP_LEN);
        if oui == [0, 0, 0] {
            snap_type = Some(pid);
        }
        next = off + llc::SNAP_LEN;
    } else if h.announces_snap() {
        node.push(cx.cut(b, "SNAP header", next, llc::SNAP_LEN - llc::LLC_LEN));
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
        let (mut node, entry) = cx.header_view(
            b,
            off,
            (
                "MultiProtocol Label Switching Header",
                "MPLS label stack entry",
            ),
            wmpls::ENTRY_LEN,
            MplsEntry::new,
        )?;
        let (label, tc, ttl) = (entry.label(), entry.tc(), entry.ttl());
        let bos = u32::from(entry.bottom());
        let e = u64::from(entry.word());
        // Each field is a bit range of the 32-bit entry and covers all 4 bytes, as in tshark.
        node.label = format!(
            "MultiProtocol Label Switching Header, Label: {label}{}, Exp: {tc}, S: {bos}, TTL: {ttl}",
            mpls_reserved_label(label)
        );
        let bit_fields = [
            (mf::LABEL_MASK, "MPLS Label", label, "mpls.label"),
            (mf::TC_MASK, "MPLS Experimental Bits", tc, "mpls.exp"),
            (
                mf::BOTTOM_MASK,
                "MPLS Bottom Of Label Stack",
                bos,
                "mpls.bottom",
            ),
            (mf::TTL_MASK, "MPLS TTL", ttl, "mpls.ttl"),
        ];
        for (mask, name, value, field) in bit_fields {
            let line = bits_line(e, 32, u64::from(mask), name, &value.to_string());
            node.push(Node::at(line, off, mf::ENTRY).field(field));
        }
        if !cx.push_layer(node) {
            return None;
        }
        off += wmpls::ENTRY_LEN;
        if entry.bottom() {
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
    match wmpls::payload_kind(b.rest(off))? {
        MplsPayload::Ipv4 => network::ipv4(cx, b, off),
        MplsPayload::Ipv6 => network::ipv6(cx, b, off),
        MplsPayload::ControlWord => {
            let names = ("PW Ethernet Control Word", "pseudowire control word");
            let view = wmpls::control_word_sequence;
            let len = wmpls::CONTROL_WORD_LEN;
            let (node, seq) = cx.header_view(b, off, names, len, view)?;
            let label = format!("Sequence Number: {seq}");
            let seq_node = Node::at(label, off, wmpls::CONTROL_WORD_SEQUENCE);
            let node = node.with_child(seq_node.field("pwethcw.sequence_number"));
            if !cx.push_layer(node) {
                return None;
            }
            ethernet(cx, b, off + len)
        }
        MplsPayload::Ethernet => ethernet(cx, b, off),
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
    let Some((mut node, h)) =
        cx.header_view(b, 0, (name, "loopback header"), NULL_HEADER_LEN, |bytes| {
            NullHeader::new(bytes, linktype)
        })
    else {
        return;
    };
    let af = h.family();
    let label = format!("Family: {} ({af})", address_family_name(af));
    node.push(Node::new(label, 0, NULL_HEADER_LEN).field("null.family"));
    if !cx.push_layer(node) {
        return;
    }
    match h.ether_type() {
        ETHERTYPE_IPV4 => {
            network::ipv4(cx, b, NULL_HEADER_LEN);
        }
        ETHERTYPE_IPV6 => {
            network::ipv6(cx, b, NULL_HEADER_LEN);
        }
        _ => data_layer(cx, b, NULL_HEADER_LEN, ", address family not dissected"),
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

/// The 8-byte address field of either cooked header at `at`, showing the `address` bytes its
/// length announces (or the unused bytes when it announces none).
fn sll_address(address: &[u8], room: &[u8], at: usize) -> Node {
    if address.is_empty() {
        return Node::new(format!("Unused: {}", hex(room)), at, sll::ADDR_ROOM).field("sll.unused");
    }
    Node::new(format!("Source: {}", mac(address)), at, sll::ADDR_ROOM).field("sll.src.eth")
}

/// The packet type field of either cooked header (at `at`: 2 bytes in v1, 1 in v2).
fn sll_pkttype(ptype: u16, at: Range<usize>) -> Node {
    let label = format!("Packet type: {} ({ptype})", sll_packet_type_name(ptype));
    Node::at(label, 0, at).field("sll.pkttype")
}

/// The ARPHRD link-layer address type of either cooked header.
fn sll_hatype(hatype: u16, at: Range<usize>) -> Node {
    let label = format!(
        "Link-layer address type: {} ({hatype})",
        arphrd_name(hatype)
    );
    Node::at(label, 0, at).field("sll.hatype")
}

/// The link-layer address length of either cooked header (2 bytes in v1, 1 in v2).
fn sll_halen(len: u16, at: Range<usize>) -> Node {
    Node::at(format!("Link-layer address length: {len}"), 0, at).field("sll.halen")
}

/// The EtherType (or Linux protocol value) of either cooked header.
fn sll_etype(proto: u16, at: Range<usize>) -> Node {
    let label = format!("Protocol: {} (0x{proto:04x})", ethertype_name(proto));
    Node::at(label, 0, at).field("sll.etype")
}

fn sll(cx: &mut Cx, b: &Bytes) {
    let mut pad = Padded::<{ sll::SLL_LEN }>::new();
    let bytes = pad.over(b.rest(0));
    let Ok(h) = SllHeader::new(bytes) else {
        return;
    };
    let fields = [
        (s1::PKTTYPE, sll_pkttype(h.packet_type(), s1::PKTTYPE)),
        (s1::HATYPE, sll_hatype(h.hatype(), s1::HATYPE)),
        (s1::HALEN, sll_halen(h.addr_len(), s1::HALEN)),
        (
            s1::ADDR,
            sll_address(h.address(), &bytes[s1::ADDR], s1::ADDR.start),
        ),
        (s1::PROTOCOL, sll_etype(h.protocol(), s1::PROTOCOL)),
    ];
    let name = "Linux cooked capture v1";
    cooked(cx, b, (name, "Linux cooked header"), fields, h.protocol());
}

fn sll2(cx: &mut Cx, b: &Bytes) {
    let mut pad = Padded::<{ sll::SLL2_LEN }>::new();
    let bytes = pad.over(b.rest(0));
    let Ok(h) = Sll2Header::new(bytes) else {
        return;
    };
    let (reserved, ifindex) = (h.reserved(), h.ifindex());
    let fields = [
        (s2::PROTOCOL, sll_etype(h.protocol(), s2::PROTOCOL)),
        (
            s2::RESERVED,
            Node::at(format!("Reserved: {reserved}"), 0, s2::RESERVED).field("sll.reserved"),
        ),
        (
            s2::IFINDEX,
            Node::at(format!("Interface index: {ifindex}"), 0, s2::IFINDEX).field("sll.ifindex"),
        ),
        (s2::HATYPE, sll_hatype(h.hatype(), s2::HATYPE)),
        (
            s2::PKTTYPE.span(),
            sll_pkttype(h.packet_type().into(), s2::PKTTYPE.span()),
        ),
        (
            s2::HALEN.span(),
            sll_halen(h.addr_len().into(), s2::HALEN.span()),
        ),
        (
            s2::ADDR,
            sll_address(h.address(), &bytes[s2::ADDR], s2::ADDR.start),
        ),
    ];
    let name = "Linux cooked capture v2";
    cooked(
        cx,
        b,
        (name, "Linux cooked v2 header"),
        fields,
        h.protocol(),
    );
}

/// A Linux cooked header's layer: its `fields` (the last one ending the header) as far as they
/// were captured, then what its `protocol` field announces. `names` are the layer's and the
/// header's (for the note when it is cut).
fn cooked<const N: usize>(
    cx: &mut Cx,
    b: &Bytes,
    names: (&str, &str),
    fields: [(Range<usize>, Node); N],
    protocol: u16,
) {
    let len = fields.last().map_or(0, |(range, _)| range.end);
    let have = b.remaining(0);
    let mut node = Node::header(names.0, 0, have, len);
    push_captured(&mut node, have, fields);
    if have < len {
        return cx.push_cut(b, node, names.1, 0, len);
    }
    if cx.push_layer(node) {
        sll_protocol(cx, b, protocol, len);
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
    let header = PppHeader::new(b.rest(off));
    if ppp::starts_with_address_control(b.rest(off)) {
        node.push(Node::new("Address: 0xff", off, 1).field("ppp.address"));
        node.push(Node::new("Control: 0x03", off + 1, 1).field("ppp.control"));
    }
    let Ok(h) = header else {
        let at = off + ppp::address_control_len(b.rest(off));
        node.set_end(at.min(b.len()));
        return cx.push_cut(b, node, "PPP header", at, 2);
    };
    let (protocol, at) = (h.protocol(), off + h.protocol_offset());
    let label = if h.compressed() {
        let name = ppp_protocol_name(protocol);
        format!("Protocol: {name} (0x{protocol:02x}, compressed)")
    } else {
        format!(
            "Protocol: {} (0x{protocol:04x})",
            ppp_protocol_name(protocol)
        )
    };
    node.push(Node::new(label, at, h.protocol_len()).field("ppp.protocol"));
    let at = off + h.len();
    node.set_end(at);
    if !cx.push_layer(node) {
        return None;
    }
    match protocol {
        ppp::PROTO_IPV4 => network::ipv4(cx, b, at),
        ppp::PROTO_IPV6 => network::ipv6(cx, b, at),
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
    let names = (ppp_protocol_name(protocol), "PPP control header");
    let view = PppControl::new;
    let Some((mut node, h)) = cx.header_view(b, off, names, ppp::CONTROL_LEN, view) else {
        return;
    };
    let (code, id, len) = (h.code(), h.identifier(), h.length());
    let code_label = format!("Code: {} ({code})", ppp_control_code_name(code));
    node.push(Node::at(code_label, off, cf::CODE).field("ppp.code"));
    let id_label = format!("Identifier: {id} (0x{id:02x})");
    node.push(Node::at(id_label, off, cf::IDENTIFIER).field("ppp.identifier"));
    node.push(Node::at(format!("Length: {len}"), off, cf::LENGTH).field("ppp.length"));
    node.set_end(off + h.end().max(ppp::CONTROL_LEN));
    if h.has_options() {
        for (start, t, l) in h.options() {
            node.push(Node::new(
                format!("Option: type {t}, length {l}"),
                off + start,
                l,
            ));
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
    let have = b.remaining(off);
    let mut node = Node::header(name, off, have, ppp::PPPOE_LEN);
    let mut pad = Padded::<{ ppp::PPPOE_LEN }>::new();
    let h = PppoeHeader::new(pad.over(b.rest(off))).ok()?;
    let (vt, code) = (u64::from(h.ver_type()), h.code());
    let version = format!("{} = Version: {}", bit_pattern(vt, 8, 0xf0), h.version());
    let kind = format!("{} = Type: {}", bit_pattern(vt, 8, 0x0f), h.kind());
    let code_label = format!("Code: {} (0x{code:02x})", pppoe_code_name(code));
    let session_id = format!("Session ID: 0x{:04x}", h.session_id());
    let fields = [
        (
            pf::VER_TYPE.span(),
            Node::at(version, off, pf::VER_TYPE).field("pppoe.version"),
        ),
        (
            pf::VER_TYPE.span(),
            Node::at(kind, off, pf::VER_TYPE).field("pppoe.type"),
        ),
        (
            pf::CODE.span(),
            Node::at(code_label, off, pf::CODE).field("pppoe.code"),
        ),
        (
            pf::SESSION_ID,
            Node::at(session_id, off, pf::SESSION_ID).field("pppoe.session_id"),
        ),
    ];
    push_captured(&mut node, have, fields);
    if !has(have, pf::LENGTH) {
        return cx.push_cut(b, node, "PPPoE header", off, ppp::PPPOE_LEN);
    }
    let len = h.payload_len();
    let label = format!("Payload Length: {len}");
    node.push(Node::at(label, off, pf::LENGTH).field("pppoe.payload_length"));
    let payload = off + ppp::PPPOE_LEN;
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

fn pppoe_tags(node: &mut Node, b: &Bytes, at: usize, end: usize) {
    let mut tags = Node::new("PPPoE Tags", at, b.remaining(at));
    let payload = b.rest(at);
    for tag in ppp::pppoe_tags(payload, end.saturating_sub(at)) {
        let shown = match tag.kind {
            0x0101 | 0x0102 | 0x0201..=0x0203 => escape(tag.value),
            _ => hex(tag.value),
        };
        let label = format!("{}: {shown}", pppoe_tag_name(tag.kind));
        let len = (4 + tag.len).min(payload.len() - tag.start);
        tags.push(Node::new(label, at + tag.start, len).field("pppoe.tag"));
    }
    node.push(tags);
}

/// An IEEE 802.11 frame without FCS (Aruba GRE): frame control, duration, addresses, sequence
/// control and QoS control of a data frame, then its LLC/SNAP body. Other frames (management,
/// control, protected, null data, A-MSDU) show their header and the rest as data.
pub(crate) fn wlan(cx: &mut Cx, b: &Bytes, off: usize) {
    let names = ("IEEE 802.11", "802.11 header");
    let view = FrameControl::new;
    let Some((mut node, fc)) = cx.header_view(b, off, names, wlan::HEADER_LEN, view) else {
        return;
    };
    let (kind, subtype, flags) = (fc.kind(), fc.subtype(), fc.flags());
    node.label = match (kind, fc.is_qos()) {
        (wlan::TYPE_DATA, true) => format!("IEEE 802.11 QoS Data, Flags: 0x{flags:02x}"),
        (wlan::TYPE_DATA, false) => format!("IEEE 802.11 Data, Flags: 0x{flags:02x}"),
        _ => format!("IEEE 802.11, type {kind} subtype {subtype}, Flags: 0x{flags:02x}"),
    };
    let fc_label = format!("Frame Control Field: 0x{:04x}", fc.word());
    node.push(Node::at(fc_label, off, wf::FRAME_CONTROL).field("wlan.fc"));
    let body = wlan::snap_payload(b.rest(off));
    let Some((body, h)) = body.zip(WlanHeader::new(b.rest(off)).ok()) else {
        if cx.push_layer(node) {
            data_layer(cx, b, off + 2, ", 802.11 frame not dissected further");
        }
        return;
    };
    wlan_header_fields(&mut node, &h, off, flags);
    node.len = super::to_u32(body.1 - llc::SNAP_LEN);
    if cx.push_layer(node) {
        llc(cx, b, off + body.1 - llc::SNAP_LEN);
    }
}

fn wlan_header_fields(node: &mut Node, h: &WlanHeader, off: usize, flags: u8) {
    let duration = format!("Duration: {} microseconds", h.duration() & 0x7fff);
    node.push(Node::at(duration, off, wf::DURATION).field("wlan.duration"));
    let third = match flags & 0x03 {
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
        let at = off + wf::ADDRESSES.start + 6 * i;
        let label = format!("{name}: {}", mac(&h.address(i)));
        node.push(Node::new(label, at, 6).field(field));
    }
    let seq = format!("Sequence number: {}", h.sequence());
    node.push(Node::at(seq, off, wf::SEQUENCE).field("wlan.seq"));
}
