//! Every layer of a frame whose index record holds only the innermost packet: tunnels (GRE,
//! Aruba GRE's 802.11 data frames, IP-in-IP, 6in4/4in6, VXLAN) and ICMP errors (Wireshark
//! dissects the quoted IP header and transport ports too, so `ip.addr` and `udp.port` have one
//! occurrence per layer). Read from the frame bytes by the wire layer's walker
//! ([`crate::wire::walk`]), descending into ICMP errors' quotes, only for such frames and only
//! when a filter reads a field that has several layers; everything else comes from the index.

use crate::decode::app::{parse_dns, AppInfo};
use crate::wire::bytes::be16;
use crate::wire::icmp::{self, IcmpHeader};
use crate::wire::ipv4;
use crate::wire::tcp::TcpHeader;
use crate::wire::udp::{self, UdpHeader};
use crate::wire::walk::{walk, walk_upper, Flow, IpHeader, IpLayer as WireIp, LinkLayer};
use crate::wire::walk::{Stop, StopLayer, StopReason, TransportLayer, Visitor};
use std::net::IpAddr;
use std::ops::Range;

/// One IPv4 or IPv6 header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpLayer {
    pub v6: bool,
    pub src: IpAddr,
    pub dst: IpAddr,
    /// IPv4 total length / IPv6 payload length.
    pub len: u16,
    pub id: u16,
    /// TTL / hop limit.
    pub ttl: u8,
    /// IPv4 protocol / IPv6 next header (of the fixed header).
    pub proto: u8,
    pub df: bool,
    pub mf: bool,
}

/// All layers of one frame, outermost first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeepFrame {
    /// Ethernet headers: (source, destination).
    pub eth: Vec<([u8; 6], [u8; 6])>,
    pub ip: Vec<IpLayer>,
    /// UDP headers: (source port, destination port, length field).
    pub udp: Vec<(u16, u16, u16)>,
    /// TCP headers (ports only; quoted ones may be cut short).
    pub tcp: Vec<(u16, u16)>,
    /// ICMP / ICMPv6 headers: (is v6, type, code).
    pub icmp: Vec<(bool, u8, u8)>,
    pub gre: bool,
    /// DNS messages in UDP payloads on ports 53/5353/5355 (inside tunnels and ICMP errors, or
    /// of a reassembled datagram).
    pub dns: Vec<AppInfo>,
}

/// Decodes every layer of a frame of link type `link_type`.
pub fn decode(link_type: u32, bytes: &[u8]) -> DeepFrame {
    let mut layers = Layers {
        link_type,
        frame: bytes,
        out: DeepFrame::default(),
        upper: 0,
    };
    walk(link_type, bytes, false, &mut layers);
    layers.out
}

/// The layers of the frame completing an IP datagram: its own headers, then the transport of
/// the reassembled datagram, read from the first fragment (`head`, of link type `head_link`):
/// Wireshark dissects the transport on the completing frame.
pub fn decode_reassembled(link_type: u32, bytes: &[u8], head_link: u32, head: &[u8]) -> DeepFrame {
    let out = decode(link_type, bytes);
    let mut first = FirstFragment(None);
    walk(head_link, head, false, &mut first);
    let Some(mut transport) = first.0 else {
        return out;
    };
    transport.depth = 1;
    let mut layers = Layers {
        link_type: head_link,
        frame: head,
        out,
        upper: 0,
    };
    walk_upper(head, &transport, &mut layers);
    layers.out
}

/// Finds the first IP header of a first fragment: where its upper layer is.
struct FirstFragment(Option<TransportLayer>);

impl<'a> Visitor<'a> for FirstFragment {
    fn ip(&mut self, ip: &WireIp<'a>) -> Flow {
        if ip.complete && !ip.later_fragment() {
            self.0 = Some(ip.transport());
        }
        Flow::Stop
    }
}

/// The walker's visitor that lists every layer.
struct Layers<'a> {
    link_type: u32,
    frame: &'a [u8],
    out: DeepFrame,
    /// The IP protocol of the last upper layer met.
    upper: u8,
}

impl<'a> Visitor<'a> for Layers<'a> {
    fn link(&mut self, link: &LinkLayer) {
        // Inner links (in GRE and VXLAN) are Ethernet.
        if link.depth > 0 || self.link_type == 1 {
            if let (Some(src), Some(dst)) = (link.info.addrs.src, link.info.addrs.dst) {
                self.out.eth.push((src, dst));
            }
        }
    }

    fn ip(&mut self, ip: &WireIp<'a>) -> Flow {
        match ip.header {
            IpHeader::V4(h) => {
                if h.header_len() < ipv4::HEADER_LEN {
                    return Flow::Stop;
                }
                self.out.ip.push(IpLayer {
                    v6: false,
                    src: IpAddr::from(h.src()),
                    dst: IpAddr::from(h.dst()),
                    len: h.total_len(),
                    id: h.ident(),
                    ttl: h.ttl(),
                    proto: h.protocol(),
                    df: h.dont_fragment(),
                    mf: h.more_fragments(),
                });
                // A total length shorter than the header: Wireshark's "Bogus IP length".
                let bogus = usize::from(h.total_len()) < h.header_len() && h.total_len() != 0;
                if bogus {
                    return Flow::Stop;
                }
            }
            IpHeader::V6(h) => {
                self.out.ip.push(IpLayer {
                    v6: true,
                    src: IpAddr::from(h.src()),
                    dst: IpAddr::from(h.dst()),
                    len: h.payload_len(),
                    id: 0,
                    ttl: h.hop_limit(),
                    proto: h.next_header(),
                    df: false,
                    mf: false,
                });
                if h.payload_len() == 0 {
                    return Flow::Stop;
                }
            }
        }
        // Fragments: the transport is dissected on the reassembled datagram, not here (the
        // walker stops at them).
        Flow::Descend
    }

    fn upper(&mut self, layer: &TransportLayer) {
        self.out.gre |= layer.proto == 47;
        self.upper = layer.proto;
    }

    fn tcp(&mut self, _layer: &TransportLayer, tcp: &TcpHeader<'a>) {
        self.out.tcp.push((tcp.src_port(), tcp.dst_port()));
    }

    fn udp(&mut self, _layer: &TransportLayer, udp: &UdpHeader<'a>) {
        self.out
            .udp
            .push((udp.src_port(), udp.dst_port(), udp.length()));
    }

    fn icmp(&mut self, _layer: &TransportLayer, icmp: &IcmpHeader<'a>, v6: bool) -> Flow {
        self.out.icmp.push((v6, icmp.kind(), icmp.code()));
        Flow::Descend
    }

    fn payload(&mut self, layer: &TransportLayer, span: Range<usize>) {
        if layer.proto != 17 {
            return;
        }
        let Some(&(src, dst, _)) = self.out.udp.last() else {
            return;
        };
        if [src, dst].iter().any(|p| matches!(p, 53 | 5353 | 5355)) {
            let message = self.frame.get(span).and_then(|m| parse_dns(m, false));
            self.out.dns.extend(message);
        }
    }

    /// A transport header cut short still shows the fields that were captured.
    fn stop(&mut self, stop: &Stop) {
        if !matches!(stop.reason, StopReason::Header(_)) {
            return;
        }
        let bytes = self.frame.get(stop.at..stop.end).unwrap_or_default();
        match stop.layer {
            StopLayer::Tcp => self.out.tcp.extend(udp::ports(bytes)),
            StopLayer::Udp => {
                let len = be16(bytes, udp::field::LENGTH.start);
                if let (Some((src, dst)), Some(len)) = (udp::ports(bytes), len) {
                    self.out.udp.push((src, dst, len));
                }
            }
            StopLayer::Icmp => {
                let v6 = self.upper == 58;
                if let Some((kind, code)) = icmp::type_code(bytes) {
                    self.out.icmp.push((v6, kind, code));
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ethernet / IPv4 (GRE) / GRE / IPv4 / ICMP echo.
    fn gre_frame() -> Vec<u8> {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[0x08, 0x00]);
        f.extend_from_slice(&[
            0x45, 0, 0, 52, 0, 1, 0x40, 0, 64, 47, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ]);
        f.extend_from_slice(&[0, 0, 0x08, 0x00]);
        f.extend_from_slice(&[
            0x45, 0, 0, 28, 0, 2, 0, 0, 32, 1, 0, 0, 192, 168, 0, 1, 192, 168, 0, 2,
        ]);
        f.extend_from_slice(&[8, 0, 0, 0, 0, 1, 0, 1]);
        f
    }

    #[test]
    fn gre_tunnel_layers() {
        let deep = decode(1, &gre_frame());
        assert!(deep.gre);
        assert_eq!(deep.ip.len(), 2);
        assert_eq!(
            (deep.ip[0].ttl, deep.ip[0].proto, deep.ip[0].df),
            (64, 47, true)
        );
        assert_eq!((deep.ip[1].ttl, deep.ip[1].proto), (32, 1));
        assert_eq!(deep.icmp, vec![(false, 8, 0)]);
    }

    #[test]
    fn every_prefix_is_safe() {
        let frame = gre_frame();
        for len in 0..=frame.len() {
            for link_type in [0, 1, 101, 113, 276] {
                let _ = decode(link_type, &frame[..len]);
            }
        }
    }
}
