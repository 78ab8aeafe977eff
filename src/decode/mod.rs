//! The fast decoder behind the packet index: from a frame's bytes to the handful of fields that
//! flows, filters and detectors need (addresses, ports, TCP header, ICMP id/seq, a light
//! application label). It parses no header itself: the wire layer's walker
//! ([`crate::wire::walk`]) goes through the link layer, tunnels (GRE, VXLAN, IP-in-IP, 6in4,
//! 4in6), IP and transport headers with the wire views, and this module's visitor keeps the
//! innermost packet's fields, which is what the index records, and lists the layers around it.
//! It keeps going on truncated or inconsistent lengths as Wireshark does; where decoding stops it
//! says where and why ([`Decoded::stop`]) instead of failing.

pub mod app;
pub mod layers;

use crate::wire::arp::ArpPacket;
use crate::wire::icmp::{self, is_error, quoted, IcmpHeader};
use crate::wire::ipv4::Ipv4Header;
use crate::wire::ipv6::Ipv6Header;
use crate::wire::link::LinkAddrs;
use crate::wire::tcp::{self, OptionSummary, TcpHeader};
use crate::wire::udp::{self, UdpHeader};
use crate::wire::walk::{walk, Flow, IpHeader, IpLayer, LinkLayer, Stop, StopLayer, StopReason};
use crate::wire::walk::{TransportLayer, Tunnel, TunnelKind, Visitor, MAX_NESTING};
pub use app::AppInfo;
pub use layers::{FragmentInfo, IcmpQuote, OuterLayer};
use std::net::IpAddr;
use std::ops::Range;

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

/// The TCP options the analysis uses (the wire layer's summary of them).
pub type TcpOptions = OptionSummary;

pub use crate::wire::tcp::{
    ACK as TCP_ACK, FIN as TCP_FIN, PSH as TCP_PSH, RST as TCP_RST, SYN as TCP_SYN, URG as TCP_URG,
};

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

impl Arp {
    /// The fields of an Ethernet/IPv4 ARP message.
    pub fn of(arp: &ArpPacket<'_>) -> Arp {
        Arp {
            opcode: arp.opcode(),
            sender_mac: arp.sender_mac(),
            sender_ip: arp.sender_ip(),
            target_mac: arp.target_mac(),
            target_ip: arp.target_ip(),
        }
    }
}

/// Everything the index keeps from one frame.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decoded {
    /// The outermost link header's addresses and VLAN id.
    pub link: LinkAddrs,
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
    /// first (without the outermost link header, which is `link`).
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

/// Decodes a frame captured on a link of type `link_type`, not knowing its length on the wire
/// (an IPv6 payload length past the frame is kept).
pub fn decode(link_type: u32, data: &[u8]) -> Decoded {
    let mut out = Decoded::default();
    walk(link_type, data, false, &mut Decoder::new(data, &mut out));
    out
}

/// Decodes a frame that was `wire_len` bytes long on the wire. A frame captured whole frames its
/// network packet: an IPv6 payload length past its end is cut to it, as Wireshark does.
pub fn decode_on_wire(link_type: u32, data: &[u8], wire_len: u32) -> Decoded {
    let mut out = Decoded::default();
    decode_on_wire_into(link_type, data, wire_len, &mut out);
    out
}

/// [`decode_on_wire`] into `out`, which is reset first: indexing decodes every frame of a capture
/// into one `Decoded` (392 bytes) instead of returning and moving a new one per frame.
#[inline(always)]
pub fn decode_on_wire_into(link_type: u32, data: &[u8], wire_len: u32, out: &mut Decoded) {
    *out = Decoded::default();
    let whole = usize::try_from(wire_len).is_ok_and(|w| w <= data.len());
    walk(link_type, data, whole, &mut Decoder::new(data, out));
}

/// The walker's visitor that fills a [`Decoded`]: the innermost packet's fields replace the
/// outer ones, and the layers around it are listed in `outer_layers`.
struct Decoder<'a, 'o> {
    frame: &'a [u8],
    out: &'o mut Decoded,
    /// Per open tunnel: how many outer layers were listed before it.
    tunnels: [usize; MAX_NESTING + 1],
    open: usize,
}

impl<'a, 'o> Decoder<'a, 'o> {
    fn new(frame: &'a [u8], out: &'o mut Decoded) -> Self {
        Decoder {
            frame,
            out,
            tunnels: [0; MAX_NESTING + 1],
            open: 0,
        }
    }

    #[inline(always)]
    fn ipv4(&mut self, h: &Ipv4Header<'a>) {
        let out = &mut *self.out;
        out.src = Some(IpAddr::from(h.src()));
        out.dst = Some(IpAddr::from(h.dst()));
        out.ip_len = h.total_len();
        out.ip_id = h.ident();
        out.ttl = h.ttl();
        out.dont_fragment = h.dont_fragment();
    }

    fn ipv6(&mut self, ip: &IpLayer<'a>, h: &Ipv6Header<'a>) -> Flow {
        let out = &mut *self.out;
        out.src = Some(IpAddr::from(h.src()));
        out.dst = Some(IpAddr::from(h.dst()));
        out.ip_len = h.payload_len();
        out.ip_id = 0;
        out.ttl = h.hop_limit();
        // Still an extension header (or mobility, HIP, shim6): the chain ended early.
        out.ipv6_extensions_cut =
            ip.extensions_cut || matches!(ip.proto, 0 | 43 | 44 | 51 | 60 | 135 | 139 | 140);
        Flow::Descend
    }

    /// The first fragment of a TCP or UDP datagram carries the ports reassembly will need.
    fn fragment(&mut self, ip: &IpLayer<'a>) {
        let out = &mut *self.out;
        if ip.later_fragment() {
            out.payload_len = ip.wire_payload_len;
            out.payload_offset = ip.payload.start as u32;
        } else if matches!(ip.proto, 6 | 17) {
            if let Some((src, dst)) = self.frame.get(ip.payload.clone()).and_then(udp::ports) {
                (out.src_port, out.dst_port) = (src, dst);
            }
        }
    }

    fn set_stop(&mut self, why: impl Into<String>) {
        self.out.stop = Some(why.into());
    }

    /// A TCP header whose options were cut by the snapshot length still has its fixed fields,
    /// which Wireshark analyses; keep them.
    fn cut_tcp(&mut self, t: &TransportLayer, tcp: &TcpHeader<'a>) {
        let header_len = tcp.header_len();
        if header_len < tcp::HEADER_LEN {
            return;
        }
        self.out.payload_len = t.wire_len.saturating_sub(header_len as u32);
        self.out.payload_offset = t.end as u32;
        self.out.tcp_options_cut = true;
        self.out.transport = Transport::Tcp(tcp_fields(tcp));
    }
}

impl<'a> Visitor<'a> for Decoder<'a, '_> {
    #[inline(always)]
    fn link(&mut self, link: &LinkLayer) {
        let (info, out) = (&link.info, &mut *self.out);
        if link.depth == 0 {
            out.link = info.addrs;
        } else if let (Some(src), Some(dst)) = (info.addrs.src, info.addrs.dst) {
            out.outer_layers.push(OuterLayer::Ethernet { src, dst });
        }
    }

    fn arp(&mut self, arp: &ArpPacket<'a>, _at: usize) {
        self.out.arp = Some(Arp::of(arp));
    }

    #[inline(always)]
    fn ip(&mut self, ip: &IpLayer<'a>) -> Flow {
        if !ip.complete {
            return Flow::Stop;
        }
        self.out.net_offset = ip.at as u32;
        let flow = match &ip.header {
            IpHeader::V4(h) => {
                self.ipv4(h);
                Flow::Descend
            }
            IpHeader::V6(h) => self.ipv6(ip, h),
        };
        let out = &mut *self.out;
        out.ip_proto = ip.proto;
        out.fragment = ip.fragment.is_some();
        out.later_fragment = ip.later_fragment();
        out.fragment_info = ip.fragment;
        if ip.fragment.is_some() {
            self.fragment(ip);
            if ip.later_fragment() {
                return Flow::Stop;
            }
        }
        if let IpHeader::V6(h) = &ip.header {
            // IPv6 has no TSO convention: a zero payload length (without a jumbo option) leaves
            // nothing for the transport layer, as in Wireshark (its TCP dissector then fails).
            if h.payload_len() == 0 && h.next_header() != 0 {
                self.set_stop("IPv6 payload length is 0");
                return Flow::Stop;
            }
        }
        flow
    }

    fn upper(&mut self, t: &TransportLayer) {
        // An IGMP message shorter than its 8-byte header is cut (Wireshark: malformed).
        if t.proto == 2 && t.end - t.at < 8 {
            self.set_stop("IGMP message is cut");
        }
    }

    fn tunnel(&mut self, tunnel: &Tunnel<'a>) -> Flow {
        let out = &mut *self.out;
        out.tunnelled = true;
        self.tunnels[self.open.min(MAX_NESTING)] = out.outer_layers.len();
        self.open += 1;
        if let (Some(src), Some(dst)) = (out.src, out.dst) {
            out.outer_layers.push(OuterLayer::Ip { src, dst });
        }
        if let TunnelKind::Vxlan(udp, _) = tunnel.kind {
            out.outer_layers.push(OuterLayer::Udp {
                src_port: udp.src_port(),
                dst_port: udp.dst_port(),
            });
        }
        Flow::Descend
    }

    fn tunnel_end(&mut self, _tunnel: &Tunnel<'a>) {
        self.open -= 1;
        let from = self.tunnels[self.open.min(MAX_NESTING)];
        forget_outer_layers_without_inner_ip(self.out, from);
    }

    #[inline(always)]
    fn tcp(&mut self, t: &TransportLayer, tcp: &TcpHeader<'a>) {
        let out = &mut *self.out;
        (out.src_port, out.dst_port) = (tcp.src_port(), tcp.dst_port());
        let header_len = tcp.header_len();
        if header_len < tcp::HEADER_LEN || !tcp.options_complete() {
            return self.cut_tcp(t, tcp);
        }
        out.transport = Transport::Tcp(tcp_fields(tcp));
        out.payload_len = t.wire_len.saturating_sub(header_len as u32);
        out.payload_offset = (t.at + header_len) as u32;
    }

    fn udp(&mut self, t: &TransportLayer, udp: &UdpHeader<'a>) {
        let out = &mut *self.out;
        (out.src_port, out.dst_port) = (udp.src_port(), udp.dst_port());
        out.transport = Transport::Udp {
            length: udp.length(),
        };
        out.payload_len = u32::from(udp.length()).saturating_sub(8);
        out.payload_offset = (t.at + udp::HEADER_LEN) as u32;
    }

    fn icmp(&mut self, t: &TransportLayer, icmp: &IcmpHeader<'a>, v6: bool) -> Flow {
        if !v6 && matches!(icmp.kind(), 13 | 14) && icmp.code() == 0 && t.end - t.at != 20 {
            // A timestamp message is exactly 20 bytes; anything else is not read.
            self.set_stop("ICMP timestamp message is not 20 bytes");
            return Flow::Stop;
        }
        let out = &mut *self.out;
        if is_error(v6, icmp.kind()) {
            out.icmp_quote = quoted(icmp.body());
        }
        let (icmp_type, code, ident, seq) = (icmp.kind(), icmp.code(), icmp.ident(), icmp.seq());
        out.transport = if v6 {
            Transport::Icmpv6 {
                icmp_type,
                code,
                ident,
                seq,
            }
        } else {
            Transport::Icmp {
                icmp_type,
                code,
                ident,
                seq,
            }
        };
        out.payload_len = t.wire_len.saturating_sub(8);
        out.payload_offset = (t.at + icmp::HEADER_LEN) as u32;
        Flow::Stop
    }

    #[inline(always)]
    fn payload(&mut self, t: &TransportLayer, span: Range<usize>) {
        let payload = self.frame.get(span).unwrap_or_default();
        let out = &mut *self.out;
        out.app = match t.proto {
            6 if !payload.is_empty() => label_tcp(out.src_port, out.dst_port, payload),
            17 => label_udp(out.src_port, out.dst_port, payload),
            _ => None,
        };
    }

    fn stop(&mut self, stop: &Stop) {
        if stop.layer == StopLayer::Link && stop.depth > 0 && stop.reason != StopReason::LinkCut {
            return; // an unreadable link header inside a tunnel is just data
        }
        if matches!(stop.layer, StopLayer::Tcp | StopLayer::Udp) {
            // When the transport header was cut short (small snaplen), keep the ports if they
            // were captured, as Wireshark does.
            if let Some((src, dst)) = self.frame.get(stop.at..stop.end).and_then(udp::ports) {
                (self.out.src_port, self.out.dst_port) = (src, dst);
            }
        }
        self.set_stop(stop_text(stop));
    }
}

/// Where and why decoding stopped, in words.
fn stop_text(stop: &Stop) -> String {
    let at = stop.at;
    match stop.reason {
        StopReason::LinkType(link_type) => format!("link type {link_type} is not decoded"),
        StopReason::LinkCut => format!("frame ends inside the link header ({} bytes)", stop.end),
        StopReason::BogusVersion => format!(
            "{:?} header at byte {at} has another IP version than its enclosing layer announces",
            stop.layer
        ),
        StopReason::Header(err) => format!(
            "{:?} header at byte {at} could not be read: {err}",
            stop.layer
        ),
        StopReason::Length => format!(
            "{:?} header at byte {at} is cut or its length is invalid",
            stop.layer
        ),
    }
}

/// The TCP fields the analysis keeps, options read as far as they were captured.
#[inline(always)]
fn tcp_fields(tcp: &TcpHeader<'_>) -> Tcp {
    Tcp {
        seq: tcp.seq(),
        ack: tcp.ack(),
        flags: tcp.flags(),
        window: tcp.window(),
        header_len: tcp.header_len() as u8,
        options: OptionSummary::of(tcp),
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

#[inline(always)]
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
