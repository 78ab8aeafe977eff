//! Tunnels: GRE (RFC 2784/2890 and the enhanced PPTP version 1: flags, protocol, checksum
//! verified, key, sequence and acknowledgment numbers, then the inner Ethernet, IP, PPP, MPLS
//! or, for Aruba's protocol types 0x8200–0x8370, an 802.11 data frame),
//! ERSPAN type II inside GRE, IP-in-IP (IPv4 or IPv6 carried by IPv4 or IPv6: 4in4, 6in4, 4in6,
//! 6in6) and VXLAN (flags and VNI, then the inner Ethernet frame). Inner packets become further
//! top-level layers.

use super::bytes::Bytes;
use super::checksum::Verdict;
use super::link::{by_ethertype, ethernet, ppp, wlan};
use super::names::ethertype_name;
use super::network::{self, Carried, IpInfo};
use super::text::{bits_line, flag_line};
use super::{Cx, Node};

pub(crate) fn ip_in_ip(cx: &mut Cx, b: &Bytes, off: usize, version: u8) -> Carried {
    if version == 4 {
        network::ipv4(cx, b, off);
    } else {
        network::ipv6(cx, b, off);
    }
    Carried::default()
}

struct GreHeader {
    flags: u16,
    protocol: u16,
    len: usize,
}

const GRE_C: u16 = 0x8000;
const GRE_R: u16 = 0x4000;
const GRE_K: u16 = 0x2000;
const GRE_S: u16 = 0x1000;
const GRE_A: u16 = 0x0080;

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

/// The variable part of the GRE header; returns its total length.
fn gre_optional_fields(node: &mut Node, b: &Bytes, off: usize, flags: u16) -> Option<usize> {
    let version = flags & 7;
    let mut at = off + 4;
    if flags & (GRE_C | GRE_R) != 0 && version == 0 {
        let ck = b.u16(at)?;
        node.push(Node::new(format!("Checksum: 0x{ck:04x}"), at, 2).field("gre.checksum"));
        let offset = b.u16(at + 2)?;
        node.push(Node::new(format!("Offset: {offset}"), at + 2, 2).field("gre.offset"));
        at += 4;
    }
    if flags & GRE_K != 0 {
        if version == 1 {
            let plen = b.u16(at)?;
            node.push(
                Node::new(format!("Payload Length: {plen}"), at, 2).field("gre.key.payload_length"),
            );
            let call = b.u16(at + 2)?;
            node.push(Node::new(format!("Call ID: {call}"), at + 2, 2).field("gre.key.call_id"));
        } else {
            let key = b.u32(at)?;
            node.push(Node::new(format!("Key: 0x{key:08x} ({key})"), at, 4).field("gre.key"));
        }
        at += 4;
    }
    if flags & GRE_S != 0 {
        let seq = b.u32(at)?;
        node.push(Node::new(format!("Sequence Number: {seq}"), at, 4).field("gre.sequence_number"));
        at += 4;
    }
    if flags & GRE_A != 0 && version == 1 {
        let ack = b.u32(at)?;
        node.push(
            Node::new(format!("Acknowledgment Number: {ack}"), at, 4).field("gre.ack_number"),
        );
        at += 4;
    }
    Some(at - off)
}

fn gre_header(node: &mut Node, b: &Bytes, off: usize) -> Option<GreHeader> {
    let flags = b.u16(off)?;
    gre_flag_nodes(node, flags, off);
    let protocol = b.u16(off + 2)?;
    let pname = match protocol {
        0x880b => "PPP",
        0x0800 => "IP",
        p if crate::wire::gre::is_aruba(p) => "ARUBA WLAN",
        p => ethertype_name(p),
    };
    node.push(
        Node::new(
            format!("Protocol Type: {pname} (0x{protocol:04x})"),
            off + 2,
            2,
        )
        .field("gre.proto"),
    );
    node.label = format!("Generic Routing Encapsulation ({pname})");
    let len = gre_optional_fields(node, b, off, flags)?;
    Some(GreHeader {
        flags,
        protocol,
        len,
    })
}

pub(crate) fn gre(cx: &mut Cx, b: &Bytes, off: usize, ip: &IpInfo) -> Carried {
    let mut node = Node::new(
        "Generic Routing Encapsulation",
        off,
        b.remaining(off).min(4),
    );
    let Some(h) = gre_header(&mut node, b, off) else {
        node.push(cx.cut(b, "GRE header", off, 4));
        node.set_end(b.len());
        cx.push_layer(node);
        return Carried::default();
    };
    node.len = h.len as u32;
    if h.flags & GRE_C != 0 && h.flags & 7 == 0 {
        let verdict = if cx.quoted {
            Verdict::Unverified("quoted packet")
        } else {
            match b.get(off, ip.end.saturating_sub(off)) {
                Some(seg) if !ip.fragment => Verdict::over(seg, 4, 0),
                _ => Verdict::Unverified("packet not complete"),
            }
        };
        if let Some(child) = node
            .children
            .iter_mut()
            .find(|c| c.field == Some("gre.checksum"))
        {
            let stored = b.u16(off + 4).unwrap_or(0);
            let (label, problem) = verdict.label_and_problem("Checksum", stored);
            child.label = label;
            child.problem = problem;
        }
    }
    if h.flags & GRE_R != 0 && h.flags & 7 == 0 {
        node.push(Node::generated(
            "[Source routing entries follow (RFC 1701, obsolete): payload not dissected]",
            off + h.len,
        ));
        cx.push_layer(node);
        return Carried::default();
    }
    if !cx.push_layer(node) {
        return Carried::default();
    }
    let payload = off + h.len;
    if b.remaining(payload) == 0 {
        return Carried::default();
    }
    match h.protocol {
        0x6558 => {
            ethernet(cx, b, payload);
        }
        0x880b => {
            ppp(cx, b, payload);
        }
        0x88be if h.flags & GRE_S != 0 => erspan_type2(cx, b, payload),
        p if crate::wire::gre::is_aruba(p) => wlan(cx, b, payload),
        p => {
            by_ethertype(cx, b, p, payload);
        }
    }
    Carried::default()
}

/// ERSPAN type II: 8-byte header (version, VLAN, CoS, session ID, index), then Ethernet.
fn erspan_type2(cx: &mut Cx, b: &Bytes, off: usize) {
    let mut node = Node::new(
        "Encapsulated Remote Switch Packet ANalysis",
        off,
        b.remaining(off).min(8),
    );
    let Some((w1, w2)) = b.u32(off).zip(b.u32(off + 4)) else {
        node.push(cx.cut(b, "ERSPAN header", off, 8));
        cx.push_layer(node);
        return;
    };
    node.push(Node::new(format!("Version: {}", w1 >> 28), off, 1).field("erspan.version"));
    node.push(Node::new(format!("Vlan: {}", (w1 >> 16) & 0x0fff), off, 2).field("erspan.vlan"));
    node.push(Node::new(format!("SpanID: {}", w1 & 0x03ff), off + 2, 2).field("erspan.spanid"));
    node.push(Node::new(format!("Index: {}", w2 & 0x000f_ffff), off + 4, 4).field("erspan.index"));
    if cx.push_layer(node) {
        ethernet(cx, b, off + 8);
    }
}

pub(crate) fn vxlan(cx: &mut Cx, b: &Bytes, off: usize) {
    let mut node = Node::new(
        "Virtual eXtensible Local Area Network",
        off,
        b.remaining(off).min(8),
    );
    let Some((flags, vni_word)) = b.u16(off).zip(b.u32(off + 4)) else {
        node.push(cx.cut(b, "VXLAN header", off, 8));
        cx.push_layer(node);
        return;
    };
    let f = u64::from(flags);
    let mut fnode = Node::new(
        format!(
            "Flags: 0x{flags:04x}{}",
            if flags & 0x0800 != 0 {
                ", VXLAN Network ID (VNI)"
            } else {
                ""
            }
        ),
        off,
        2,
    )
    .field("vxlan.flags");
    fnode.push(
        Node::new(flag_line(f, 16, 0x8000, "GBP Extension"), off, 2).field("vxlan.flags.gbp"),
    );
    fnode.push(
        Node::new(flag_line(f, 16, 0x0800, "VXLAN Network ID (VNI)"), off, 2)
            .field("vxlan.flags.i"),
    );
    if flags & 0x0800 == 0 {
        fnode = fnode.problem("The I flag is not set: by RFC 7348 the VNI is then not valid");
    }
    node.push(fnode);
    let vni = vni_word >> 8;
    node.push(
        Node::new(format!("VXLAN Network Identifier (VNI): {vni}"), off + 4, 3).field("vxlan.vni"),
    );
    node.push(
        Node::new(format!("Reserved: {}", vni_word & 0xff), off + 7, 1).field("vxlan.reserved8"),
    );
    if cx.push_layer(node) {
        ethernet(cx, b, off + 8);
    }
}
