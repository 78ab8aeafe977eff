//! The fast decoder behind the packet index: from a frame's bytes to the handful of fields that
//! flows, filters and detectors need (addresses, ports, TCP header, ICMP id/seq, a light
//! application label). Link layers are read in [`link`]; IP and transport headers by etherparse's
//! lax slicer, which keeps going on truncated or inconsistent lengths; tunnels (GRE, VXLAN,
//! IP-in-IP, 6in4, 4in6) are followed to the innermost packet, which is what the index records.
//! Where decoding stops it says where and why ([`Decoded::stop`]) instead of failing.

pub mod app;
pub mod layers;

use crate::wire::bytes::{array, be16, be32};
use crate::wire::link::{self, decode_link, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6};
pub use app::AppInfo;
use etherparse::{EtherType, LaxNetSlice, LaxSlicedPacket, TransportSlice};
pub use layers::{FragmentInfo, IcmpQuote, OuterLayer};
use std::net::IpAddr;

/// TCP header fields the analysis needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tcp {
    pub seq: u32,
    pub ack: u32,
    /// FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80; NS is 0x100.
    pub flags: u16,
    pub window: u16,
    pub header_len: u8,
    pub options: TcpOptions,
}

/// The TCP options the analysis uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TcpOptions {
    pub mss: Option<u16>,
    pub window_scale: Option<u8>,
    pub sack_permitted: bool,
    /// Number of SACK blocks (the edges are in `sack`).
    pub sack_count: u8,
    pub sack: [(u32, u32); 4],
    pub timestamp: Option<(u32, u32)>,
    /// Kinds of the MSS, window-scale, SACK-permitted and SACK options in packet order (0 ends
    /// the list), so the Info column lists them as Wireshark does.
    pub order: [u8; 4],
}

pub const TCP_FIN: u16 = 0x01;
pub const TCP_SYN: u16 = 0x02;
pub const TCP_RST: u16 = 0x04;
pub const TCP_PSH: u16 = 0x08;
pub const TCP_ACK: u16 = 0x10;
pub const TCP_URG: u16 = 0x20;

/// The transport layer as far as it could be read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Transport {
    #[default]
    None,
    Tcp(Tcp),
    Udp {
        length: u16,
    },
    Icmp {
        icmp_type: u8,
        code: u8,
        ident: u16,
        seq: u16,
    },
    Icmpv6 {
        icmp_type: u8,
        code: u8,
        ident: u16,
        seq: u16,
    },
}

/// ARP fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arp {
    pub opcode: u16,
    pub sender_mac: [u8; 6],
    pub sender_ip: [u8; 4],
    pub target_mac: [u8; 6],
    pub target_ip: [u8; 4],
}

/// Everything the index keeps from one frame.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decoded {
    pub eth_src: Option<[u8; 6]>,
    pub eth_dst: Option<[u8; 6]>,
    pub vlan: Option<u16>,
    pub ether_type: u16,
    /// Innermost network-layer addresses.
    pub src: Option<IpAddr>,
    pub dst: Option<IpAddr>,
    pub arp: Option<Arp>,
    /// IPv4 total length, or IPv6 payload length.
    pub ip_len: u16,
    pub ip_id: u16,
    pub ttl: u8,
    /// IP protocol number of the innermost transport (6 TCP, 17 UDP…).
    pub ip_proto: u8,
    pub dont_fragment: bool,
    /// Part of a fragmented datagram (MF set or non-zero offset / IPv6 fragment header).
    pub fragment: bool,
    /// A later fragment (its transport header lives in the first one).
    pub later_fragment: bool,
    pub src_port: u16,
    pub dst_port: u16,
    pub transport: Transport,
    /// Bytes of transport payload on the wire (from the IP lengths, not what was captured).
    pub payload_len: u32,
    /// Offset of the transport payload in the frame.
    pub payload_offset: u32,
    /// The packet was carried in a tunnel (the fields above are the inner packet's).
    pub tunnelled: bool,
    pub app: Option<AppInfo>,
    /// Where and why decoding stopped early (snaplen, malformed header), if it did.
    pub stop: Option<String>,
    /// Tunnelled frames: the Ethernet/IP/UDP layers around the innermost packet, outermost
    /// first (without the outermost link header, which is `eth_src`/`eth_dst`).
    pub outer_layers: Vec<OuterLayer>,
    /// The innermost IP header is a fragment.
    pub fragment_info: Option<FragmentInfo>,
    /// An ICMP error's quoted transport header.
    pub icmp_quote: Option<IcmpQuote>,
    /// The TCP header's options were cut short by the snapshot length.
    pub tcp_options_cut: bool,
    /// The innermost IPv6 header's extension-header chain could not be read to its end.
    pub ipv6_extensions_cut: bool,
    /// Offset of the innermost IP header in the frame (for checksum validation).
    pub net_offset: u32,
}

impl Decoded {
    pub fn tcp(&self) -> Option<&Tcp> {
        match &self.transport {
            Transport::Tcp(tcp) => Some(tcp),
            _ => None,
        }
    }
}

const MAX_TUNNEL_DEPTH: usize = 4;

/// Decodes a frame captured on a link of type `link_type`, not knowing its length on the wire
/// (an IPv6 payload length past the frame is kept).
pub fn decode(link_type: u32, data: &[u8]) -> Decoded {
    let mut out = Decoded::default();
    decode_link_frame(link_type, data, 0, &mut out, 0, false);
    out
}

/// Decodes a frame that was `wire_len` bytes long on the wire. A frame captured whole frames its
/// network packet: an IPv6 payload length past its end is cut to it, as Wireshark does.
pub fn decode_on_wire(link_type: u32, data: &[u8], wire_len: u32) -> Decoded {
    let mut out = Decoded::default();
    let whole = usize::try_from(wire_len).is_ok_and(|w| w <= data.len());
    decode_link_frame(link_type, data, 0, &mut out, 0, whole);
    out
}

/// `whole`: `data` is all of the link frame (not cut by the snapshot length), so its end is the
/// network packet's framing.
fn decode_link_frame(
    link_type: u32,
    data: &[u8],
    base: usize,
    out: &mut Decoded,
    depth: usize,
    whole: bool,
) {
    let Some(link) = decode_link(link_type, data) else {
        if depth == 0 {
            out.stop = Some(format!("link type {link_type} is not decoded"));
        }
        return;
    };
    if depth == 0 {
        out.eth_src = link.eth_src;
        out.eth_dst = link.eth_dst;
        out.vlan = link.vlan;
    } else if let (Some(src), Some(dst)) = (link.eth_src, link.eth_dst) {
        out.outer_layers.push(OuterLayer::Ethernet { src, dst });
    }
    out.ether_type = link.ether_type;
    let end = link.end.unwrap_or(data.len());
    let Some(rest) = data.get(link.offset..end) else {
        out.stop = Some(format!(
            "frame ends inside the link header ({} bytes)",
            data.len()
        ));
        return;
    };
    match link.ether_type {
        ETHERTYPE_IPV4 | ETHERTYPE_IPV6 if !ip_version_matches(link.ether_type, rest) => {
            // Wireshark hands the bytes to the dissector the link layer names, which rejects
            // a header of the other IP version ("Bogus IP version").
            out.stop = Some("IP version does not match the link-layer protocol".into());
        }
        ETHERTYPE_IPV4 | ETHERTYPE_IPV6 => {
            let framing = (whole || link.end.is_some()).then_some(rest.len() as u32);
            decode_ip(rest, base + link.offset, out, depth, framing)
        }
        ETHERTYPE_ARP => out.arp = decode_arp(rest),
        _ => {}
    }
}

/// An Ethernet/IPv4 ARP (or RARP) message at the start of `data`.
pub(crate) fn decode_arp(data: &[u8]) -> Option<Arp> {
    let arp = data.get(0..28)?;
    // Ethernet/IPv4 ARP only: hardware type 1, protocol 0x0800, lengths 6 and 4.
    if arp[4] != 6 || arp[5] != 4 {
        return None;
    }
    Some(Arp {
        opcode: be16(arp, 6)?,
        sender_mac: array(arp, 8)?,
        sender_ip: array(arp, 14)?,
        target_mac: array(arp, 18)?,
        target_ip: array(arp, 24)?,
    })
}

fn offset_in(outer: &[u8], inner: &[u8]) -> usize {
    (inner.as_ptr() as usize).saturating_sub(outer.as_ptr() as usize)
}

/// Decodes an IP packet starting at `data[0]` (frame offset `base`). `framing` is the length the
/// enclosing IP header gives the packet (`None` on a link layer): an IPv6 payload length past it
/// is cut to it, as Wireshark does ("IPv6 payload length exceeds framing length").
fn decode_ip(data: &[u8], base: usize, out: &mut Decoded, depth: usize, framing: Option<u32>) {
    let packet = LaxSlicedPacket::from_ether_type(
        EtherType(if data.first().map(|b| b >> 4) == Some(6) {
            ETHERTYPE_IPV6
        } else {
            ETHERTYPE_IPV4
        }),
        data,
    );
    let Some(net) = &packet.net else {
        out.stop = Some(match &packet.stop_err {
            Some((err, layer)) => format!("{layer:?} header could not be read: {err}"),
            None => "network header could not be read".into(),
        });
        return;
    };
    out.net_offset = base as u32;
    let payload = match net {
        LaxNetSlice::Ipv4(ipv4) => {
            let header = ipv4.header();
            out.src = Some(IpAddr::from(header.source()));
            out.dst = Some(IpAddr::from(header.destination()));
            out.ip_len = header.total_len();
            out.ip_id = header.identification();
            out.ttl = header.ttl();
            out.dont_fragment = header.dont_fragment();
            let offset = header.fragments_offset().value();
            out.fragment = header.more_fragments() || offset != 0;
            out.later_fragment = offset != 0;
            out.fragment_info = out.fragment.then(|| FragmentInfo {
                ident: u32::from(header.identification()),
                offset: u32::from(offset) * 8,
                len: u32::from(header.total_len()).saturating_sub(u32::from(header.ihl()) * 4),
                more: header.more_fragments(),
            });
            ipv4.payload()
        }
        LaxNetSlice::Ipv6(ipv6) => {
            let header = ipv6.header();
            out.src = Some(IpAddr::from(header.source()));
            out.dst = Some(IpAddr::from(header.destination()));
            out.ip_len = header.payload_length();
            out.ip_id = 0;
            out.ttl = header.hop_limit();
            out.fragment =
                ipv6.is_payload_fragmented() || ipv6.extensions().is_fragmenting_payload();
            out.fragment_info = if out.fragment {
                ipv6_fragment_info(ipv6)
            } else {
                None
            };
            // Only fragments after the first lack the transport header.
            out.later_fragment = match out.fragment_info {
                Some(info) => info.offset != 0,
                None => ipv6.is_payload_fragmented(),
            };
            ipv6.payload()
        }
        LaxNetSlice::Arp(_) => return,
    };
    out.ip_proto = payload.ip_number.0;
    if let LaxNetSlice::Ipv6(_) = net {
        // Still an extension header: the chain ended early (truncated or malformed).
        out.ipv6_extensions_cut = matches!(out.ip_proto, 0 | 43 | 44 | 51 | 60 | 135 | 139 | 140);
    }
    let payload_start = base + offset_in(data, payload.payload);
    let wire_payload_len = match net {
        LaxNetSlice::Ipv4(ipv4) => {
            let header = ipv4.header();
            u32::from(header.total_len()).saturating_sub(u32::from(header.ihl()) * 4)
        }
        LaxNetSlice::Ipv6(ipv6) => {
            let declared = u32::from(ipv6.header().payload_length());
            let framed = framing.map_or(declared, |f| declared.min(f.saturating_sub(40)));
            framed.saturating_sub(ipv6.extensions().slice().len() as u32)
        }
        _ => payload.payload.len() as u32,
    };
    let wire_payload_len = if wire_payload_len == 0 {
        payload.payload.len() as u32
    } else {
        wire_payload_len
    };
    if out.later_fragment {
        out.payload_len = wire_payload_len;
        out.payload_offset = payload_start as u32;
        return;
    }
    if out.fragment && matches!(out.ip_proto, 6 | 17) {
        // A first fragment carries the transport ports, which reassembly will need.
        if let (Some(src), Some(dst)) = (be16(payload.payload, 0), be16(payload.payload, 2)) {
            out.src_port = src;
            out.dst_port = dst;
        }
    }
    if let LaxNetSlice::Ipv6(ipv6) = net {
        // IPv6 has no TSO convention: a zero payload length (without a jumbo option) leaves
        // nothing for the transport layer, as in Wireshark (its TCP dissector then fails).
        let jumbo = ipv6.header().next_header().0 == 0;
        if ipv6.header().payload_length() == 0 && !jumbo {
            out.stop = Some("IPv6 payload length is 0".into());
            return;
        }
    }
    // Tunnels: the inner packet replaces the outer fields.
    if depth < MAX_TUNNEL_DEPTH {
        match out.ip_proto {
            4 | 41 => {
                let want = if out.ip_proto == 4 {
                    ETHERTYPE_IPV4
                } else {
                    ETHERTYPE_IPV6
                };
                if !ip_version_matches(want, payload.payload) {
                    // Wireshark's IPv4 / IPv6 dissector rejects the inner header ("Bogus IP
                    // version"): the payload is data and the outer header stays the frame's.
                    out.stop = Some("tunnelled IP header has the wrong version".into());
                    return;
                }
                out.tunnelled = true;
                let from = out.outer_layers.len();
                push_outer_ip(out);
                decode_ip(
                    payload.payload,
                    payload_start,
                    out,
                    depth + 1,
                    Some(wire_payload_len),
                );
                forget_outer_layers_without_inner_ip(out, from);
                return;
            }
            47 => {
                if let Some((ether_type, inner_offset)) = gre_payload(payload.payload) {
                    if let Some(inner) = payload.payload.get(inner_offset..) {
                        if !ip_version_matches(ether_type, inner) {
                            out.stop = Some("tunnelled IP header has the wrong version".into());
                            return;
                        }
                        out.tunnelled = true;
                        let from = out.outer_layers.len();
                        push_outer_ip(out);
                        let inner_base = payload_start + inner_offset;
                        match ether_type {
                            0x6558 => {
                                decode_link_frame(1, inner, inner_base, out, depth + 1, false)
                            }
                            ETHERTYPE_IPV4 | ETHERTYPE_IPV6 => decode_ip(
                                inner,
                                inner_base,
                                out,
                                depth + 1,
                                Some(wire_payload_len.saturating_sub(inner_offset as u32)),
                            ),
                            _ => out.tunnelled = false,
                        }
                        if out.tunnelled {
                            forget_outer_layers_without_inner_ip(out, from);
                            return;
                        }
                        out.outer_layers.truncate(from);
                    }
                }
            }
            _ => {}
        }
    }
    decode_transport(&packet, data, base, wire_payload_len, out, depth);
}

/// The fragment header of an IPv6 packet: identification, offset, M flag and the bytes of
/// fragmentable data it carries (payload length minus the extension headers).
fn ipv6_fragment_info(ipv6: &etherparse::LaxIpv6Slice<'_>) -> Option<FragmentInfo> {
    let extensions = ipv6.extensions().clone();
    let ext_len = extensions.slice().len() as u32;
    extensions.into_iter().find_map(|ext| match ext {
        etherparse::Ipv6ExtensionSlice::Fragment(fragment) => Some(FragmentInfo {
            ident: fragment.identification(),
            offset: u32::from(fragment.fragment_offset().value()) * 8,
            len: u32::from(ipv6.header().payload_length()).saturating_sub(ext_len),
            more: fragment.more_fragments(),
        }),
        _ => None,
    })
}

/// Whether an IP header's version nibble is the one its EtherType announces.
fn ip_version_matches(ether_type: u16, data: &[u8]) -> bool {
    let version = data.first().map(|b| b >> 4);
    match ether_type {
        ETHERTYPE_IPV4 => version == Some(4),
        ETHERTYPE_IPV6 => version == Some(6),
        _ => true,
    }
}

/// A tunnel whose inner packet has no IP header (ARP in VXLAN, say): the outer IP (and UDP)
/// header stays the frame's own, so it must not also be listed among the outer layers.
fn forget_outer_layers_without_inner_ip(out: &mut Decoded, from: usize) {
    let (Some(src), Some(dst)) = (out.src, out.dst) else {
        return;
    };
    if out.outer_layers.get(from) != Some(&OuterLayer::Ip { src, dst }) {
        return;
    }
    let mut at = 0;
    out.outer_layers.retain(|layer| {
        at += 1;
        at <= from || matches!(layer, OuterLayer::Ethernet { .. })
    });
}

/// Records the current (outer) IP header before a tunnel's inner packet replaces it.
fn push_outer_ip(out: &mut Decoded) {
    if let (Some(src), Some(dst)) = (out.src, out.dst) {
        out.outer_layers.push(OuterLayer::Ip { src, dst });
    }
}

/// GRE header: returns the protocol type and the header length.
fn gre_payload(gre: &[u8]) -> Option<(u16, usize)> {
    let flags = be16(gre, 0)?;
    let protocol = be16(gre, 2)?;
    if flags & 0x0007 > 1 {
        return None; // only versions 0 and 1 (enhanced GRE for PPTP)
    }
    let mut len = 4;
    if flags & 0x8000 != 0 {
        len += 4; // checksum + reserved
    }
    if flags & 0x2000 != 0 {
        len += 4; // key
    }
    if flags & 0x1000 != 0 {
        len += 4; // sequence number
    }
    if flags & 0x0007 == 1 && flags & 0x0080 != 0 {
        len += 4; // acknowledgement number (enhanced GRE)
    }
    if protocol == 0x880B {
        // PPP inside enhanced GRE (PPTP).
        let mut info = link::LinkInfo::default();
        let ppp = gre.get(len..)?;
        let skip = if ppp.get(0..2) == Some(&[0xFF, 0x03]) {
            2
        } else {
            0
        };
        let mut ppp_info = link::decode_link(9, ppp.get(skip..)?)?;
        ppp_info.offset += skip;
        info.ether_type = ppp_info.ether_type;
        return Some((info.ether_type, len + ppp_info.offset));
    }
    if crate::wire::gre::is_aruba(protocol) {
        let (ether_type, at) = link::wlan_snap_payload(gre.get(len..)?)?;
        return Some((ether_type, len + at));
    }
    Some((protocol, len))
}

fn decode_transport(
    packet: &LaxSlicedPacket<'_>,
    data: &[u8],
    base: usize,
    wire_payload_len: u32,
    out: &mut Decoded,
    depth: usize,
) {
    match &packet.transport {
        Some(TransportSlice::Tcp(tcp)) => {
            let mut flags = u16::from(tcp.slice()[13]);
            if tcp.ns() {
                flags |= 0x100;
            }
            let header_len = tcp.data_offset() * 4;
            out.src_port = tcp.source_port();
            out.dst_port = tcp.destination_port();
            out.transport = Transport::Tcp(Tcp {
                seq: tcp.sequence_number(),
                ack: tcp.acknowledgment_number(),
                flags,
                window: tcp.window_size(),
                header_len,
                options: read_tcp_options(tcp.options()),
            });
            out.payload_len = wire_payload_len.saturating_sub(u32::from(header_len));
            out.payload_offset = (base + offset_in(data, tcp.payload())) as u32;
            let payload = tcp.payload();
            if !payload.is_empty() {
                out.app = label_tcp(out.src_port, out.dst_port, payload);
            }
        }
        Some(TransportSlice::Udp(udp)) => {
            out.src_port = udp.source_port();
            out.dst_port = udp.destination_port();
            out.transport = Transport::Udp {
                length: udp.length(),
            };
            out.payload_len = u32::from(udp.length()).saturating_sub(8);
            let payload = udp.payload();
            out.payload_offset = (base + offset_in(data, payload)) as u32;
            if depth < MAX_TUNNEL_DEPTH
                && out.dst_port == 4789
                && payload.len() > 8
                && payload[0] & 0x08 != 0
            {
                let inner_base = out.payload_offset as usize + 8;
                out.tunnelled = true;
                let from = out.outer_layers.len();
                push_outer_ip(out);
                out.outer_layers.push(OuterLayer::Udp {
                    src_port: out.src_port,
                    dst_port: out.dst_port,
                });
                decode_link_frame(1, &payload[8..], inner_base, out, depth + 1, false);
                forget_outer_layers_without_inner_ip(out, from);
                return;
            }
            out.app = label_udp(out.src_port, out.dst_port, payload);
        }
        Some(TransportSlice::Icmpv4(icmp)) => {
            let rest = u32::from_be_bytes(icmp.bytes5to8());
            let (ident, seq) = ((rest >> 16) as u16, rest as u16);
            if layers::icmpv4_is_error(icmp.type_u8()) {
                out.icmp_quote = layers::quoted_packet(icmp.payload());
            }
            out.transport = Transport::Icmp {
                icmp_type: icmp.type_u8(),
                code: icmp.code_u8(),
                ident,
                seq,
            };
            out.payload_len = wire_payload_len.saturating_sub(8);
            out.payload_offset = (base + offset_in(data, icmp.payload())) as u32;
        }
        Some(TransportSlice::Icmpv6(icmp)) => {
            let rest = u32::from_be_bytes(icmp.bytes5to8());
            let (ident, seq) = ((rest >> 16) as u16, rest as u16);
            if layers::icmpv6_is_error(icmp.type_u8()) {
                out.icmp_quote = layers::quoted_packet(icmp.payload());
            }
            out.transport = Transport::Icmpv6 {
                icmp_type: icmp.type_u8(),
                code: icmp.code_u8(),
                ident,
                seq,
            };
            out.payload_len = wire_payload_len.saturating_sub(8);
            out.payload_offset = (base + offset_in(data, icmp.payload())) as u32;
        }
        Some(TransportSlice::Igmp(_)) | None => {
            salvage_ports(packet, out);
            salvage_cut_tcp(packet, data, base, wire_payload_len, out);
            if let Some((err, layer)) = &packet.stop_err {
                out.stop = Some(format!("{layer:?} could not be read: {err}"));
            }
        }
    }
}

/// When the transport header was cut short (small snaplen), keep the ports if they were captured,
/// as Wireshark does.
fn salvage_ports(packet: &LaxSlicedPacket<'_>, out: &mut Decoded) {
    let Some(net) = &packet.net else { return };
    let Some(payload) = net.ip_payload_ref() else {
        return;
    };
    if matches!(payload.ip_number.0, 6 | 17) && !payload.fragmented {
        if let (Some(src), Some(dst)) = (be16(payload.payload, 0), be16(payload.payload, 2)) {
            out.src_port = src;
            out.dst_port = dst;
        }
    }
}

/// A TCP header whose options were cut by the snapshot length still has its fixed fields, which
/// Wireshark analyses; keep them.
fn salvage_cut_tcp(
    packet: &LaxSlicedPacket<'_>,
    data: &[u8],
    base: usize,
    wire_payload_len: u32,
    out: &mut Decoded,
) {
    let Some(net) = &packet.net else { return };
    let Some(payload) = net.ip_payload_ref() else {
        return;
    };
    if payload.ip_number.0 != 6 || payload.fragmented {
        return;
    }
    let Some(tcp) = layers::tcp_with_cut_options(payload.payload) else {
        return;
    };
    if tcp.header_len < 20 || payload.payload.len() >= usize::from(tcp.header_len) {
        return;
    }
    out.payload_len = wire_payload_len.saturating_sub(u32::from(tcp.header_len));
    out.payload_offset = (base + offset_in(data, payload.payload) + payload.payload.len()) as u32;
    out.tcp_options_cut = true;
    out.transport = Transport::Tcp(tcp);
}

fn read_tcp_options(options: &[u8]) -> TcpOptions {
    let mut out = TcpOptions::default();
    let mut at = 0;
    while at < options.len() {
        let kind = options[at];
        if kind == 0 {
            break;
        }
        if kind == 1 {
            at += 1;
            continue;
        }
        let Some(&len) = options.get(at + 1) else {
            break;
        };
        let len = len as usize;
        if len < 2 || at + len > options.len() {
            break;
        }
        let body = &options[at + 2..at + len];
        match (kind, body.len()) {
            (2, 2) => out.mss = be16(body, 0),
            (3, 1) => out.window_scale = Some(body[0]),
            (4, 0) => out.sack_permitted = true,
            (5, n) if n % 8 == 0 => {
                for block in body.chunks_exact(8).take(4) {
                    if let (Some(left), Some(right)) = (be32(block, 0), be32(block, 4)) {
                        out.sack[out.sack_count as usize] = (left, right);
                        out.sack_count += 1;
                    }
                }
            }
            (8, 8) => out.timestamp = be32(body, 0).zip(be32(body, 4)),
            _ => {}
        }
        if matches!(kind, 2..=5) {
            if let Some(slot) = out.order.iter_mut().find(|k| **k == 0) {
                *slot = kind;
            }
        }
        at += len;
    }
    out
}

fn label_tcp(src_port: u16, dst_port: u16, payload: &[u8]) -> Option<AppInfo> {
    let ports = [src_port, dst_port];
    if ports.contains(&53) {
        return app::parse_dns(payload, true);
    }
    app::parse_tls(payload).or_else(|| app::parse_http(payload))
}

fn label_udp(src_port: u16, dst_port: u16, payload: &[u8]) -> Option<AppInfo> {
    let ports = [src_port, dst_port];
    if ports.contains(&53) || ports.contains(&5353) || ports.contains(&5355) {
        return app::parse_dns(payload, false);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// chrissanders/tcp_handshake.pcapng frame 1: Ethernet, IPv4, TCP SYN with options.
    fn syn_frame() -> Vec<u8> {
        let mut frame = vec![
            0x00, 0x1b, 0x21, 0x3a, 0x32, 0x8d, 0x00, 0x22, 0x19, 0x8c, 0x36, 0x77, 0x08,
            0x00, // ethernet
            0x45, 0x00, 0x00, 0x30, 0x12, 0x34, 0x40, 0x00, 0x80, 0x06, 0x00, 0x00, 10, 0, 0, 1,
            10, 0, 0, 2, // ipv4
            0xc0, 0x01, 0x00, 0x50, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0x70, 0x02,
            0x20, 0x00, 0x00, 0x00, 0x00, 0x00, // tcp
        ];
        frame.extend_from_slice(&[0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x04, 0x02]); // MSS 1460, NOP NOP SACKP
        frame
    }

    #[test]
    fn tcp_syn_fields() {
        let d = decode(1, &syn_frame());
        assert_eq!(d.src, Some("10.0.0.1".parse().unwrap()));
        assert_eq!((d.src_port, d.dst_port), (49153, 80));
        let tcp = d.tcp().unwrap();
        assert_eq!(
            (tcp.seq, tcp.flags, tcp.window, tcp.header_len),
            (1000, TCP_SYN, 8192, 28)
        );
        assert_eq!(tcp.options.mss, Some(1460));
        assert!(tcp.options.sack_permitted);
        assert_eq!(d.payload_len, 0);
        assert!(d.dont_fragment);
    }

    #[test]
    fn truncated_tcp_keeps_ports() {
        let frame = syn_frame();
        let d = decode(1, &frame[..14 + 20 + 6]);
        assert_eq!((d.src_port, d.dst_port), (49153, 80));
        assert!(d.tcp().is_none());
        assert!(d.stop.is_some());
    }

    #[test]
    fn every_prefix_decodes_without_panic() {
        let frame = syn_frame();
        for len in 0..frame.len() {
            for link in [0, 1, 101, 113, 276] {
                let _ = decode(link, &frame[..len]);
            }
        }
    }
}
