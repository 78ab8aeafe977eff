//! Byte-level field readers: the bytes a protocol covers (`frame`, `eth`, `ip`, `tcp`, `dns`…, as
//! used by `contains`, `matches` and slices) and payload fields (`tcp.payload`, `udp.payload`).
//! Offsets come from decoding the frame's bytes again with the same decoder that built the
//! index (and the wire layer's views), so they agree with every index field. These run only when a filter asks for bytes.

use super::context::Frame;
use super::value::{Occurrences, Val};
use crate::decode::{self, Decoded, Transport};
use crate::wire::arp;
use crate::wire::bytes::be16;
use crate::wire::ipv4::Ipv4Header;
use crate::wire::ipv6::{self, Ipv6Header};
use crate::wire::link::decode_link;
use std::borrow::Cow;

fn push_range<'r>(out: &mut Occurrences<'r>, bytes: &'r [u8], start: usize, end: usize) {
    let end = end.min(bytes.len());
    if let Some(slice) = bytes.get(start..end) {
        out.push(Val::Bytes(Cow::Borrowed(slice)));
    }
}

fn decoded(f: &Frame<'_>, bytes: &[u8]) -> Decoded {
    decode::decode_on_wire(f.link_type(), bytes, f.rec.orig_len)
}

/// Offset of the network-layer header (after link headers), if the link type is decoded.
fn network_offset(f: &Frame<'_>, bytes: &[u8]) -> Option<usize> {
    decode_link(f.link_type(), bytes).map(|info| info.offset)
}

/// `frame` and `eth`: every captured byte.
pub fn frame_span<'r>(f: &Frame<'r>, out: &mut Occurrences<'r>) {
    if let Some(bytes) = f.bytes() {
        push_range(out, bytes, 0, bytes.len());
    }
}

/// `eth.type`: the EtherType after the Ethernet addresses (802.3 frames, which carry a length
/// there, have none).
pub fn ether_type<'r>(f: &Frame<'r>, out: &mut Occurrences<'r>) {
    let Some(ether_type) = f.bytes().and_then(|b| be16(b, 12)) else {
        return;
    };
    if ether_type > 1500 {
        out.push(Val::Uint(u64::from(ether_type)));
    }
}

/// `vlan`: from the first tag's TCI to the end.
pub fn vlan_span<'r>(f: &Frame<'r>, out: &mut Occurrences<'r>) {
    if let Some(bytes) = f.bytes() {
        push_range(out, bytes, 14, bytes.len());
    }
}

/// `ip` / `ipv6`: from the (outer) IP header to the end of the datagram as captured.
pub fn ip_span<'r>(f: &Frame<'r>, out: &mut Occurrences<'r>) {
    let Some(bytes) = f.bytes() else { return };
    let Some(info) = decode_link(f.link_type(), bytes) else {
        return;
    };
    let (start, frame_end) = (info.offset, info.end.unwrap_or(bytes.len()));
    let Some(data) = bytes.get(start..frame_end) else {
        return;
    };
    let length = match data.first().map(|b| b >> 4) {
        Some(4) => Ipv4Header::new(data)
            .ok()
            .map(|h| usize::from(h.total_len())),
        Some(6) => Ipv6Header::new(data)
            .ok()
            .map(|h| ipv6::HEADER_LEN + usize::from(h.payload_len())),
        _ => None,
    };
    let end = match length {
        Some(len) if len > 0 => start + len,
        _ => frame_end,
    };
    push_range(out, bytes, start, end);
}

/// Transport header length of the decoded frame (TCP data offset, 8 for UDP and ICMP).
fn transport_header_len(d: &Decoded) -> usize {
    match &d.transport {
        Transport::Tcp(tcp) => usize::from(tcp.header_len),
        Transport::Udp { .. } | Transport::Icmp { .. } | Transport::Icmpv6 { .. } => 8,
        Transport::None => 0,
    }
}

/// End of the transport payload on the wire, bounded by what was captured.
fn payload_end(d: &Decoded, bytes: &[u8]) -> usize {
    (d.payload_offset as usize + d.payload_len as usize).min(bytes.len())
}

/// `tcp`, `udp`, `icmp`, `icmpv6`: from the transport header to the end of its payload.
pub fn transport_span<'r>(f: &Frame<'r>, out: &mut Occurrences<'r>) {
    let Some(bytes) = f.bytes() else { return };
    let d = decoded(f, bytes);
    let header = transport_header_len(&d);
    if header == 0 {
        return;
    }
    let start = (d.payload_offset as usize).saturating_sub(header);
    push_range(out, bytes, start, payload_end(&d, bytes));
}

/// `arp`: the ARP message.
pub fn arp_span<'r>(f: &Frame<'r>, out: &mut Occurrences<'r>) {
    let Some(bytes) = f.bytes() else { return };
    if let Some(start) = network_offset(f, bytes) {
        push_range(out, bytes, start, bytes.len());
    }
}

/// A big-endian 16-bit field at `at` of the ARP message ([`arp::field`]'s hardware or protocol
/// type: any ARP, not only the Ethernet/IPv4 messages [`arp::ArpPacket`] views).
fn arp_u16<'r>(f: &Frame<'r>, out: &mut Occurrences<'r>, at: usize) {
    let Some(bytes) = f.bytes() else { return };
    let Some(start) = network_offset(f, bytes) else {
        return;
    };
    if let Some(field) = be16(bytes, start + at) {
        out.push(Val::Uint(u64::from(field)));
    }
}

/// `arp.hw.type`.
pub fn arp_hardware_type<'r>(f: &Frame<'r>, out: &mut Occurrences<'r>) {
    arp_u16(f, out, arp::field::HTYPE.start);
}

/// `arp.proto.type`.
pub fn arp_protocol_type<'r>(f: &Frame<'r>, out: &mut Occurrences<'r>) {
    arp_u16(f, out, arp::field::PTYPE.start);
}

/// Application protocols (`dns`, `http`, `tls`): the transport payload.
pub fn app_span<'r>(f: &Frame<'r>, out: &mut Occurrences<'r>) {
    let Some(bytes) = f.bytes() else { return };
    let d = decoded(f, bytes);
    if transport_header_len(&d) == 0 {
        return;
    }
    push_range(
        out,
        bytes,
        d.payload_offset as usize,
        payload_end(&d, bytes),
    );
}

fn payload_of<'r>(f: &Frame<'r>, out: &mut Occurrences<'r>, want_tcp: bool) {
    let Some(bytes) = f.bytes() else { return };
    let d = decoded(f, bytes);
    let matches = match d.transport {
        Transport::Tcp(_) => want_tcp,
        Transport::Udp { .. } => !want_tcp,
        _ => false,
    };
    let start = d.payload_offset as usize;
    let end = payload_end(&d, bytes);
    if matches && d.payload_len > 0 && start < end {
        push_range(out, bytes, start, end);
    }
}

/// `tcp.payload`: the segment's data as captured.
pub fn tcp_payload<'r>(f: &Frame<'r>, out: &mut Occurrences<'r>) {
    payload_of(f, out, true);
}

/// `udp.payload`: the datagram's data as captured.
pub fn udp_payload<'r>(f: &Frame<'r>, out: &mut Occurrences<'r>) {
    payload_of(f, out, false);
}

/// `mpls`: an MPLS label stack in the link layer (a marker; its value is the rest of the frame).
pub fn mpls<'r>(f: &Frame<'r>, out: &mut Occurrences<'r>) {
    let Some(bytes) = f.bytes() else { return };
    if let Some(info) = decode_link(f.link_type(), bytes) {
        if info.mpls {
            push_range(out, bytes, 14, bytes.len());
        }
    }
}

/// `ipv6.nxt`: the next-header byte of the (outermost) IPv6 header.
pub fn ipv6_next_header<'r>(f: &Frame<'r>, out: &mut Occurrences<'r>) {
    if let Some(deep) = f.deep() {
        for layer in deep.ip.iter().filter(|l| l.v6) {
            out.push(Val::Uint(u64::from(layer.proto)));
        }
        return;
    }
    let Some(bytes) = f.bytes() else { return };
    let Some(start) = network_offset(f, bytes) else {
        return;
    };
    if bytes.get(start).is_some_and(|b| b >> 4 == 6) {
        // The field as captured, even when the rest of the header was not.
        if let Some(&next) = bytes.get(start + ipv6::field::NEXT_HEADER) {
            out.push(Val::Uint(u64::from(next)));
        }
    }
}
