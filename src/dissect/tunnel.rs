//! Tunnels: GRE (RFC 2784/2890 and the enhanced PPTP version 1: flags, protocol, checksum
//! verified, key, sequence and acknowledgment numbers, then the inner Ethernet, IP, PPP, MPLS
//! or, for Aruba's protocol types 0x8200–0x8370, an 802.11 data frame),
//! ERSPAN type II inside GRE, IP-in-IP (IPv4 or IPv6 carried by IPv4 or IPv6: 4in4, 6in4, 4in6,
//! 6in6) and VXLAN (flags and VNI, then the inner Ethernet frame). Inner packets become further
//! top-level layers. GRE, ERSPAN and VXLAN headers are read through [`crate::wire::gre`],
//! [`crate::wire::erspan`] and [`crate::wire::vxlan`].

use super::bytes::{has, Bytes, Padded};
use super::checksum::Verdict;
use super::link::{by_ethertype, ethernet, ppp, wlan};
use super::names::ethertype_name;
use super::network::{self, Carried, IpInfo};
use super::text::{bits_line, flag_line};
use super::{to_u32, Cx, Node};
use crate::wire::erspan::{self as werspan, field as ef, ErspanHeader};
use crate::wire::gre::{self as wgre, field as gf, is_aruba, opt_field as opt, GreHeader};
use crate::wire::gre::{FLAG_C, FLAG_R, FLAG_S};
use crate::wire::vxlan::{self as wvxlan, field as vf, VxlanHeader};
use std::ops::Range;

pub(crate) fn ip_in_ip(cx: &mut Cx, b: &Bytes, off: usize, version: u8) -> Carried {
    if version == 4 {
        network::ipv4(cx, b, off);
    } else {
        network::ipv6(cx, b, off);
    }
    Carried::default()
}

fn gre_flag_nodes(node: &mut Node, flags: u16, off: usize) {
    let f = u64::from(flags);
    let version = flags & 7;
    let mut fv = Node::new(format!("Flags and Version: 0x{flags:04x}"), off, 2)
        .field("gre.flags_and_version");
    fv.push(
        Node::new(flag_line(f, 16, 0x8000, "Checksum Bit"), off, 2).field("gre.flags.checksum"),
    );
    fv.push(Node::new(flag_line(f, 16, 0x4000, "Routing Bit"), off, 2).field("gre.flags.routing"));
    fv.push(Node::new(flag_line(f, 16, 0x2000, "Key Bit"), off, 2).field("gre.flags.key"));
    fv.push(
        Node::new(flag_line(f, 16, 0x1000, "Sequence Number Bit"), off, 2)
            .field("gre.flags.sequence_number"),
    );
    fv.push(
        Node::new(flag_line(f, 16, 0x0800, "Strict Source Route Bit"), off, 2)
            .field("gre.flags.strict_source_route"),
    );
    fv.push(
        Node::new(
            bits_line(
                f,
                16,
                0x0700,
                "Recursion control",
                &((flags >> 8) & 7).to_string(),
            ),
            off,
            2,
        )
        .field("gre.flags.recursion_control"),
    );
    if version == 1 {
        fv.push(
            Node::new(flag_line(f, 16, 0x0080, "Acknowledgment present"), off, 2)
                .field("gre.flags.ack"),
        );
    }
    fv.push(
        Node::new(
            bits_line(
                f,
                16,
                0x0078,
                "Flags (Reserved)",
                &((flags >> 3) & 0xf).to_string(),
            ),
            off,
            2,
        )
        .field("gre.flags.reserved"),
    );
    let vname = match version {
        0 => "GRE (0)".to_string(),
        1 => "Enhanced GRE (1)".to_string(),
        v => format!("Unknown ({v})"),
    };
    let mut vnode =
        Node::new(bits_line(f, 16, 0x0007, "Version", &vname), off, 2).field("gre.flags.version");
    if version > 1 {
        vnode = vnode.problem(format!(
            "GRE version {version} is not defined (0 = GRE, 1 = PPTP's enhanced GRE)"
        ));
    }
    fv.push(vnode);
    node.push(fv);
}

/// The optional fields the flags announce that end within the `have` captured bytes.
fn gre_optional_fields(node: &mut Node, h: &GreHeader, off: usize, have: usize) {
    let shown = |at: usize, r: Range<usize>| at + r.end <= have;
    if let Some(at) = h.checksum_at() {
        if shown(at, opt::CHECKSUM) {
            let ck = format!("Checksum: 0x{:04x}", h.checksum().unwrap_or_default());
            node.push(Node::at(ck, off + at, opt::CHECKSUM).field("gre.checksum"));
        }
        if shown(at, opt::OFFSET) {
            let offset = format!("Offset: {}", h.routing_offset().unwrap_or_default());
            node.push(Node::at(offset, off + at, opt::OFFSET).field("gre.offset"));
        }
    }
    if let Some(at) = h.key_at() {
        if let Some((plen, call)) = h.payload_len_and_call_id() {
            if shown(at, opt::PAYLOAD_LEN) {
                let label = format!("Payload Length: {plen}");
                node.push(
                    Node::at(label, off + at, opt::PAYLOAD_LEN).field("gre.key.payload_length"),
                );
            }
            if shown(at, opt::CALL_ID) {
                let label = format!("Call ID: {call}");
                node.push(Node::at(label, off + at, opt::CALL_ID).field("gre.key.call_id"));
            }
        } else if shown(at, opt::KEY) {
            let key = h.key().unwrap_or_default();
            let label = format!("Key: 0x{key:08x} ({key})");
            node.push(Node::at(label, off + at, opt::KEY).field("gre.key"));
        }
    }
    if let Some(at) = h.sequence_at().filter(|&at| shown(at, opt::SEQUENCE)) {
        let label = format!("Sequence Number: {}", h.sequence().unwrap_or_default());
        node.push(Node::at(label, off + at, opt::SEQUENCE).field("gre.sequence_number"));
    }
    if let Some(at) = h.ack_at().filter(|&at| shown(at, opt::ACK)) {
        let label = format!("Acknowledgment Number: {}", h.ack().unwrap_or_default());
        node.push(Node::at(label, off + at, opt::ACK).field("gre.ack_number"));
    }
}

/// The header's fields that end within the `have` captured bytes.
fn gre_header(node: &mut Node, h: &GreHeader, off: usize, have: usize) {
    if !has(have, gf::FLAGS) {
        return;
    }
    gre_flag_nodes(node, h.flags(), off);
    if !has(have, gf::PROTOCOL) {
        return;
    }
    let protocol = h.protocol();
    let pname = match protocol {
        0x880b => "PPP",
        0x0800 => "IP",
        p if is_aruba(p) => "ARUBA WLAN",
        p => ethertype_name(p),
    };
    node.push(
        Node::at(
            format!("Protocol Type: {pname} (0x{protocol:04x})"),
            off,
            gf::PROTOCOL,
        )
        .field("gre.proto"),
    );
    node.label = format!("Generic Routing Encapsulation ({pname})");
    gre_optional_fields(node, h, off, have);
}

/// The longest GRE header: the base and four optional words.
const GRE_MAX_LEN: usize = wgre::BASE_LEN + 16;

pub(crate) fn gre(cx: &mut Cx, b: &Bytes, off: usize, ip: &IpInfo) -> Carried {
    let have = b.remaining(off);
    let mut node = Node::header("Generic Routing Encapsulation", off, have, wgre::BASE_LEN);
    let mut pad = Padded::<GRE_MAX_LEN>::new();
    let Ok(h) = GreHeader::any_version(pad.over(b.rest(off))) else {
        return Carried::default();
    };
    gre_header(&mut node, &h, off, have);
    if have < h.header_len() {
        node.push(cx.cut(b, "GRE header", off, wgre::BASE_LEN));
        node.set_end(b.len());
        cx.push_layer(node);
        return Carried::default();
    }
    let (flags, len) = (h.flags(), h.header_len());
    node.len = to_u32(len);
    if flags & FLAG_C != 0 && h.version() == 0 {
        let verdict = if cx.quoted {
            Verdict::Unverified("quoted packet")
        } else {
            match b.get(off, ip.end.saturating_sub(off)) {
                Some(seg) if !ip.fragment => Verdict::over(seg, h.checksum_at().unwrap_or(0), 0),
                _ => Verdict::Unverified("packet not complete"),
            }
        };
        if let Some(child) = node
            .children
            .iter_mut()
            .find(|c| c.field == Some("gre.checksum"))
        {
            let stored = h.checksum().unwrap_or(0);
            (child.label, child.problem) = verdict.label_and_problem("Checksum", stored);
        }
    }
    if flags & FLAG_R != 0 && h.version() == 0 {
        node.push(Node::generated(
            "[Source routing entries follow (RFC 1701, obsolete): payload not dissected]",
            off + len,
        ));
        cx.push_layer(node);
        return Carried::default();
    }
    if !cx.push_layer(node) {
        return Carried::default();
    }
    let payload = off + len;
    if b.remaining(payload) == 0 {
        return Carried::default();
    }
    match h.protocol() {
        0x6558 => {
            ethernet(cx, b, payload);
        }
        0x880b => {
            ppp(cx, b, payload);
        }
        werspan::GRE_PROTOCOL if flags & FLAG_S != 0 => erspan_type2(cx, b, payload),
        p if is_aruba(p) => wlan(cx, b, payload),
        p => {
            by_ethertype(cx, b, p, payload);
        }
    }
    Carried::default()
}

/// ERSPAN type II: 8-byte header (version, VLAN, CoS, session ID, index), then Ethernet.
fn erspan_type2(cx: &mut Cx, b: &Bytes, off: usize) {
    let name = "Encapsulated Remote Switch Packet ANalysis";
    let Some((mut node, h)) = cx.header_view(
        b,
        off,
        (name, "ERSPAN header"),
        werspan::HEADER_LEN,
        ErspanHeader::new,
    ) else {
        return;
    };
    let fields = [
        ("Version", h.version(), ef::VERSION, "erspan.version"),
        ("Vlan", h.vlan(), ef::VLAN, "erspan.vlan"),
        ("SpanID", h.session_id(), ef::SESSION_ID, "erspan.spanid"),
        ("Index", h.index(), ef::INDEX, "erspan.index"),
    ];
    for (label, value, range, field) in fields {
        node.push(Node::at(format!("{label}: {value}"), off, range).field(field));
    }
    if cx.push_layer(node) {
        ethernet(cx, b, off + werspan::HEADER_LEN);
    }
}

pub(crate) fn vxlan(cx: &mut Cx, b: &Bytes, off: usize) {
    let Some((mut node, h)) = cx.header_view(
        b,
        off,
        ("Virtual eXtensible Local Area Network", "VXLAN header"),
        wvxlan::HEADER_LEN,
        VxlanHeader::new,
    ) else {
        return;
    };
    let flags = h.flags16();
    let f = u64::from(flags);
    let i_flag = u16::from(wvxlan::FLAG_VNI_VALID) << 8;
    let mut fnode = Node::at(
        format!(
            "Flags: 0x{flags:04x}{}",
            if h.vni_valid() {
                ", VXLAN Network ID (VNI)"
            } else {
                ""
            }
        ),
        off,
        vf::FLAGS,
    )
    .field("vxlan.flags");
    fnode.push(
        Node::at(flag_line(f, 16, 0x8000, "GBP Extension"), off, vf::FLAGS)
            .field("vxlan.flags.gbp"),
    );
    fnode.push(
        Node::at(
            flag_line(f, 16, u64::from(i_flag), "VXLAN Network ID (VNI)"),
            off,
            vf::FLAGS,
        )
        .field("vxlan.flags.i"),
    );
    if !h.vni_valid() {
        fnode = fnode.problem("The I flag is not set: by RFC 7348 the VNI is then not valid");
    }
    node.push(fnode);
    let vni = format!("VXLAN Network Identifier (VNI): {}", h.vni());
    node.push(Node::at(vni, off, vf::VNI).field("vxlan.vni"));
    let reserved = format!("Reserved: {}", h.reserved());
    node.push(Node::at(reserved, off, vf::RESERVED).field("vxlan.reserved8"));
    if cx.push_layer(node) {
        ethernet(cx, b, off + wvxlan::HEADER_LEN);
    }
}
