//! The layer walker: the one place that decides which header follows which. From a frame's link
//! layer it goes through tunnels (IP-in-IP and 6in4/4in6, GRE with IP, Ethernet, PPP (PPTP) or
//! Aruba's 802.11 frames inside, VXLAN on UDP 4789) to the network layer (IPv4, IPv6 and its
//! extension chain, ARP) and the transport (TCP, UDP, ICMP, ICMPv6, and on request the packet an
//! ICMP error quotes), then points at the application payload. Each header is viewed once with
//! the [`super`] views; nesting is bounded by [`MAX_NESTING`]; nothing here can panic on hostile
//! bytes.
//!
//! The walker keeps no results: it calls a [`Visitor`] once per layer with the view, where the
//! layer sits in the frame (frame offsets), where its captured bytes end and how long the packet
//! was on the wire as the enclosing layer frames it. The visitor decides what to keep and
//! whether to go on — the index's fast decoder keeps the innermost packet and reads an ICMP
//! error's quote with [`super::icmp::quoted`]; the display filter keeps every layer and descends
//! into quotes. Fragments end the walk (their transport lives in the first fragment, or in the
//! reassembled datagram), and where the walk stops early a [`Stop`] says where and why.
//!
//! The steps of the common path (link, IP, transport, TCP, UDP) are always inlined: the index
//! walks every frame of a capture, and one function per visitor makes no call per layer (see
//! `analyzer::index_frame` for what it measured); tunnels and ICMP quotes stay calls.

use super::arp::ArpPacket;
use super::gre::{is_aruba, GreHeader};
use super::icmp::IcmpHeader;
use super::ipv4::Ipv4Header;
use super::ipv6::{self, Ipv6Header};
use super::link::{decode_link, wlan_snap_payload, LinkInfo, ETHERTYPE_ARP};
use super::link::{ETHERTYPE_IPV4, ETHERTYPE_IPV6};
use super::tcp::TcpHeader;
use super::udp::UdpHeader;
use super::vxlan::{self, VxlanHeader};
use super::WireError;
use std::ops::Range;

/// Most tunnels (and ICMP quotes) nested inside one another before the walk stops descending.
pub const MAX_NESTING: usize = 4;

/// EtherType of Ethernet carried in GRE ("transparent Ethernet bridging").
pub const ETHERTYPE_TEB: u16 = 0x6558;
/// GRE protocol type of PPP (PPTP's enhanced GRE).
pub const GRE_PPP: u16 = 0x880B;

/// A visitor's answer: go into the layer's payload, or end the walk of this packet here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Descend,
    Stop,
}

/// A link layer: what [`decode_link`] found, at frame offset `at` (`info`'s offsets are from
/// `at`), with the frame's captured bytes ending at `end`.
#[derive(Debug, Clone, Copy)]
pub struct LinkLayer {
    pub info: LinkInfo,
    pub at: usize,
    pub end: usize,
    /// 0 for the frame's own link header, more inside tunnels.
    pub depth: usize,
}

/// The network header of an IP packet.
#[derive(Debug, Clone, Copy)]
pub enum IpHeader<'a> {
    V4(Ipv4Header<'a>),
    V6(Ipv6Header<'a>),
}

/// An IP fragment's identity and place in its datagram.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FragmentInfo {
    pub ident: u32,
    /// Byte offset of this fragment's data in the datagram.
    pub offset: u32,
    /// Bytes of datagram data this fragment carries (from the IP lengths).
    pub len: u32,
    /// More fragments follow (MF flag / IPv6 M flag).
    pub more: bool,
}

/// One IPv4 or IPv6 packet as the walker met it. Offsets are frame offsets.
#[derive(Debug, Clone)]
pub struct IpLayer<'a> {
    pub header: IpHeader<'a>,
    pub at: usize,
    /// End of the bytes the enclosing layer gives this packet (captured).
    pub end: usize,
    /// The header can be read to its end (IPv4: header length at least 20, all captured). When
    /// false the walk stops after this layer.
    pub complete: bool,
    /// The upper-layer protocol (after IPv6 extension headers or an IPv4 AH) and its bytes as
    /// captured, within the length the header declares.
    pub proto: u8,
    pub payload: Range<usize>,
    /// Bytes of upper-layer payload on the wire, from the IP lengths (a length of 0 — TSO — or
    /// one shorter than the headers counts what was captured).
    pub wire_payload_len: u32,
    /// Part of a fragmented datagram: the walk ends here.
    pub fragment: Option<FragmentInfo>,
    /// The extension chain (IPv6, or IPv4's authentication header) could not be read to its
    /// end: `proto` is the extension where it stopped, and the walk ends after this layer.
    pub extensions_cut: bool,
    /// Nesting depth (tunnels and ICMP quotes around this packet).
    pub depth: usize,
    /// Inside an ICMP error's quote.
    pub quoted: bool,
}

impl IpLayer<'_> {
    /// Where the upper layer sits (for [`walk_upper`]).
    pub fn transport(&self) -> TransportLayer {
        TransportLayer {
            proto: self.proto,
            at: self.payload.start,
            end: self.payload.end,
            wire_len: self.wire_payload_len,
            depth: self.depth,
            quoted: self.quoted,
        }
    }

    /// A later fragment (offset not 0): its transport header is in the first fragment.
    pub fn later_fragment(&self) -> bool {
        self.fragment.is_some_and(|f| f.offset != 0)
    }
}

/// Where a transport header sits: IP protocol, frame offsets, and its IP packet's facts.
#[derive(Debug, Clone, Copy)]
pub struct TransportLayer {
    pub proto: u8,
    pub at: usize,
    /// End of the IP payload as captured.
    pub end: usize,
    /// Bytes of IP payload on the wire ([`IpLayer::wire_payload_len`]).
    pub wire_len: u32,
    pub depth: usize,
    pub quoted: bool,
}

impl TransportLayer {
    fn bytes<'a>(&self, frame: &'a [u8]) -> &'a [u8] {
        frame.get(self.at..self.end).unwrap_or_default()
    }
}

/// The kind of a tunnel and its outer header.
#[derive(Debug, Clone, Copy)]
pub enum TunnelKind<'a> {
    /// IP protocol 4 or 41.
    IpInIp,
    Gre(GreHeader<'a>),
    /// VXLAN on UDP (the UDP header is the tunnel's too).
    Vxlan(UdpHeader<'a>, VxlanHeader<'a>),
}

/// A tunnel about to be entered: what carries the inner packet, what it is (an EtherType), and
/// where it sits.
#[derive(Debug, Clone, Copy)]
pub struct Tunnel<'a> {
    pub kind: TunnelKind<'a>,
    /// EtherType of the inner packet (0x0800, 0x86DD, or [`ETHERTYPE_TEB`] for Ethernet).
    pub ether_type: u16,
    pub at: usize,
    pub end: usize,
    /// Depth of the inner packet.
    pub depth: usize,
}

/// Which layer the walk stopped in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopLayer {
    Link,
    Ipv4,
    Ipv6,
    /// An IPv6 extension header, or IPv4's authentication header.
    Extensions,
    Tcp,
    Udp,
    Icmp,
}

/// Why the walk stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// A link type that is not decoded.
    LinkType(u32),
    /// The frame ends inside the link header.
    LinkCut,
    /// The IP header's version is not the one the enclosing layer announces (Wireshark: "Bogus
    /// IP version").
    BogusVersion,
    /// The header could not be viewed.
    Header(WireError),
    /// The header's length field is invalid or runs past the captured bytes.
    Length,
}

/// Where and why the walk ended early: the layer, its frame offsets, its depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stop {
    pub layer: StopLayer,
    pub reason: StopReason,
    pub at: usize,
    pub end: usize,
    pub depth: usize,
}

/// What a consumer of the walk does with each layer. Every method has a default that keeps
/// nothing and descends, so a visitor implements only the layers it reads.
pub trait Visitor<'a> {
    fn link(&mut self, _link: &LinkLayer) {}
    fn arp(&mut self, _arp: &ArpPacket<'a>, _at: usize) {}
    /// An IP header; [`Flow::Stop`] ends the walk of this packet.
    fn ip(&mut self, _ip: &IpLayer<'a>) -> Flow {
        Flow::Descend
    }
    /// The upper-layer protocol of a (complete, unfragmented) IP packet, before it is read.
    fn upper(&mut self, _layer: &TransportLayer) {}
    /// A tunnel, before its inner packet; [`Flow::Stop`] leaves the payload undescended.
    fn tunnel(&mut self, _tunnel: &Tunnel<'a>) -> Flow {
        Flow::Descend
    }
    /// After a tunnel's inner packet has been walked.
    fn tunnel_end(&mut self, _tunnel: &Tunnel<'a>) {}
    /// A TCP header (its fixed 20 bytes; the options may be cut or its length invalid).
    fn tcp(&mut self, _layer: &TransportLayer, _tcp: &TcpHeader<'a>) {}
    fn udp(&mut self, _layer: &TransportLayer, _udp: &UdpHeader<'a>) {}
    /// An ICMP (`v6` false) or ICMPv6 header; [`Flow::Descend`] walks an error's quoted packet.
    fn icmp(&mut self, _layer: &TransportLayer, _icmp: &IcmpHeader<'a>, _v6: bool) -> Flow {
        Flow::Stop
    }
    /// The application payload of a TCP segment or UDP datagram (frame offsets, captured).
    fn payload(&mut self, _layer: &TransportLayer, _span: Range<usize>) {}
    /// The walk of this packet ended early.
    fn stop(&mut self, _stop: &Stop) {}
}

/// Walks the frame `frame` of LINKTYPE `link_type`. `whole`: the frame was captured whole (not
/// cut by the snapshot length), so its end frames the network packet.
pub fn walk<'a, V: Visitor<'a>>(link_type: u32, frame: &'a [u8], whole: bool, v: &mut V) {
    Walk { frame, v }.link(link_type, 0, frame.len(), 0, whole);
}

/// Walks the upper layer of an IP packet from `layer` on (the transport of a datagram whose
/// first fragment is `frame`, say).
pub fn walk_upper<'a, V: Visitor<'a>>(frame: &'a [u8], layer: &TransportLayer, v: &mut V) {
    Walk { frame, v }.transport(layer);
}

/// One walk: the frame and its visitor.
struct Walk<'a, 'v, V> {
    frame: &'a [u8],
    v: &'v mut V,
}

/// The IP version an EtherType announces.
fn version_of(ether_type: u16) -> Option<u8> {
    match ether_type {
        ETHERTYPE_IPV4 => Some(4),
        ETHERTYPE_IPV6 => Some(6),
        _ => None,
    }
}

/// Whether the bytes at `at` hold the IP version `ether_type` announces (true for non-IP).
fn version_matches(frame: &[u8], at: usize, end: usize, ether_type: u16) -> bool {
    match version_of(ether_type) {
        Some(want) => frame.get(at..end).and_then(|b| b.first()).map(|b| b >> 4) == Some(want),
        None => true,
    }
}

impl<'a, V: Visitor<'a>> Walk<'a, '_, V> {
    fn stop(&mut self, layer: StopLayer, reason: StopReason, at: usize, end: usize, depth: usize) {
        self.v.stop(&Stop {
            layer,
            reason,
            at,
            end,
            depth,
        });
    }

    /// The transport header `t`'s view, or `None` after reporting why it could not be made.
    fn view_or_stop<H>(
        &mut self,
        view: Result<H, WireError>,
        layer: StopLayer,
        t: &TransportLayer,
    ) -> Option<H> {
        view.map_err(|err| self.stop(layer, StopReason::Header(err), t.at, t.end, t.depth))
            .ok()
    }

    /// A link header at `at`, the frame's bytes ending at `end`.
    #[inline(always)]
    fn link(&mut self, link_type: u32, at: usize, end: usize, depth: usize, whole: bool) {
        let data = self.frame.get(at..end).unwrap_or_default();
        let Some(info) = decode_link(link_type, data) else {
            let reason = StopReason::LinkType(link_type);
            return self.stop(StopLayer::Link, reason, at, end, depth);
        };
        self.v.link(&LinkLayer {
            info,
            at,
            end,
            depth,
        });
        let net_end = info.end.map_or(end, |e| at + e);
        let net_at = at + info.offset;
        if net_at > net_end {
            return self.stop(StopLayer::Link, StopReason::LinkCut, at, end, depth);
        }
        match info.ether_type {
            ETHERTYPE_IPV4 | ETHERTYPE_IPV6 => {
                if !version_matches(self.frame, net_at, net_end, info.ether_type) {
                    let layer = ip_layer(info.ether_type);
                    let reason = StopReason::BogusVersion;
                    return self.stop(layer, reason, net_at, net_end, depth);
                }
                let framed = (whole || info.end.is_some()).then_some((net_end - net_at) as u32);
                let want = version_of(info.ether_type);
                self.ip(net_at, net_end, framed, want, depth, false);
            }
            ETHERTYPE_ARP => {
                if let Ok(arp) = ArpPacket::new(&self.frame[net_at..net_end]) {
                    self.v.arp(&arp, net_at);
                }
            }
            _ => {}
        }
    }

    /// An IP packet at `at..end`; `want` is the version the enclosing layer announces.
    #[inline(always)]
    fn ip(
        &mut self,
        at: usize,
        end: usize,
        framed: Option<u32>,
        want: Option<u8>,
        depth: usize,
        quoted: bool,
    ) {
        let data = self.frame.get(at..end).unwrap_or_default();
        let version = data.first().map(|b| b >> 4);
        if want.is_some_and(|w| Some(w) != version) {
            let layer = ip_layer(if want == Some(6) { ETHERTYPE_IPV6 } else { 0 });
            return self.stop(layer, StopReason::BogusVersion, at, end, depth);
        }
        let layer = if version == Some(6) {
            ipv6_layer(data, at, end, framed)
        } else {
            ipv4_layer(data, at, end)
        };
        let mut layer = match layer {
            Ok(layer) => layer,
            Err((layer, err)) => {
                return self.stop(layer, StopReason::Header(err), at, end, depth);
            }
        };
        (layer.depth, layer.quoted) = (depth, quoted);
        let flow = self.v.ip(&layer);
        if !layer.complete {
            return self.stop(StopLayer::Ipv4, StopReason::Length, at, end, depth);
        }
        if flow == Flow::Stop || layer.fragment.is_some() {
            return;
        }
        if layer.extensions_cut {
            let at = layer.payload.start;
            let reason = StopReason::Length;
            return self.stop(StopLayer::Extensions, reason, at, end, depth);
        }
        self.upper(&layer);
    }

    /// The payload of a complete, unfragmented IP packet.
    #[inline(always)]
    fn upper(&mut self, ip: &IpLayer<'a>) {
        let t = ip.transport();
        self.transport(&t);
    }

    #[inline(always)]
    fn transport(&mut self, t: &TransportLayer) {
        self.v.upper(t);
        let tunnels = t.depth < MAX_NESTING;
        match t.proto {
            4 | 41 if tunnels => self.ip_in_ip(t),
            47 if tunnels => self.gre(t),
            6 => self.tcp(t),
            17 => self.udp(t),
            1 | 58 => self.icmp(t),
            _ => {}
        }
    }

    fn ip_in_ip(&mut self, t: &TransportLayer) {
        let ether_type = if t.proto == 4 {
            ETHERTYPE_IPV4
        } else {
            ETHERTYPE_IPV6
        };
        let tunnel = Tunnel {
            kind: TunnelKind::IpInIp,
            ether_type,
            at: t.at,
            end: t.end,
            depth: t.depth + 1,
        };
        self.enter(&tunnel, Some(t.wire_len));
    }

    /// Checks the inner packet's version, then walks it between the visitor's `tunnel` and
    /// `tunnel_end`.
    fn enter(&mut self, tunnel: &Tunnel<'a>, framed: Option<u32>) {
        let (at, end, depth) = (tunnel.at, tunnel.end, tunnel.depth);
        if !version_matches(self.frame, at, end, tunnel.ether_type) {
            let layer = ip_layer(tunnel.ether_type);
            return self.stop(layer, StopReason::BogusVersion, at, end, depth - 1);
        }
        if self.v.tunnel(tunnel) == Flow::Stop {
            return;
        }
        match tunnel.ether_type {
            ETHERTYPE_TEB => self.link(1, at, end, depth, false),
            e => self.ip(at, end, framed, version_of(e), depth, false),
        }
        self.v.tunnel_end(tunnel);
    }

    fn gre(&mut self, t: &TransportLayer) {
        let Ok(gre) = GreHeader::new(t.bytes(self.frame)) else {
            return;
        };
        let Some((ether_type, inner)) = gre_inner(&gre) else {
            return;
        };
        let at = t.at + inner;
        if at > t.end || !matches!(ether_type, ETHERTYPE_TEB | ETHERTYPE_IPV4 | ETHERTYPE_IPV6) {
            return;
        }
        let tunnel = Tunnel {
            kind: TunnelKind::Gre(gre),
            ether_type,
            at,
            end: t.end,
            depth: t.depth + 1,
        };
        let framed = (ether_type != ETHERTYPE_TEB).then(|| t.wire_len.saturating_sub(inner as u32));
        self.enter(&tunnel, framed);
    }

    #[inline(always)]
    fn tcp(&mut self, t: &TransportLayer) {
        let data = t.bytes(self.frame);
        let Some(tcp) = self.view_or_stop(TcpHeader::new(data), StopLayer::Tcp, t) else {
            return;
        };
        self.v.tcp(t, &tcp);
        let len = tcp.header_len();
        if len < super::tcp::HEADER_LEN || !tcp.options_complete() {
            return self.stop(StopLayer::Tcp, StopReason::Length, t.at, t.end, t.depth);
        }
        self.v.payload(t, t.at + len..t.end);
    }

    #[inline(always)]
    fn udp(&mut self, t: &TransportLayer) {
        let data = t.bytes(self.frame);
        let Some(udp) = self.view_or_stop(UdpHeader::new(data), StopLayer::Udp, t) else {
            return;
        };
        self.v.udp(t, &udp);
        let payload_end = t.at + udp.payload_end(data.len()).max(super::udp::HEADER_LEN);
        let payload = t.at + super::udp::HEADER_LEN..payload_end;
        let vxlan = VxlanHeader::new(udp.payload())
            .ok()
            .filter(|h| h.vni_valid() && !h.payload().is_empty());
        match vxlan {
            Some(vxlan) if udp.dst_port() == vxlan::PORT && t.depth < MAX_NESTING => {
                let tunnel = Tunnel {
                    kind: TunnelKind::Vxlan(udp, vxlan),
                    ether_type: ETHERTYPE_TEB,
                    at: payload.start + vxlan::HEADER_LEN,
                    end: payload.end,
                    depth: t.depth + 1,
                };
                self.enter(&tunnel, None);
            }
            _ => self.v.payload(t, payload),
        }
    }

    fn icmp(&mut self, t: &TransportLayer) {
        let data = t.bytes(self.frame);
        let Some(icmp) = self.view_or_stop(IcmpHeader::new(data), StopLayer::Icmp, t) else {
            return;
        };
        let v6 = t.proto == 58;
        let descend = self.v.icmp(t, &icmp, v6) == Flow::Descend;
        if descend && super::icmp::is_error(v6, icmp.kind()) && t.depth < MAX_NESTING {
            let at = t.at + super::icmp::HEADER_LEN;
            self.ip(at, t.end, None, None, t.depth + 1, true);
        }
    }
}

/// The stop layer of an IP header announced by `ether_type`.
fn ip_layer(ether_type: u16) -> StopLayer {
    if ether_type == ETHERTYPE_IPV6 {
        StopLayer::Ipv6
    } else {
        StopLayer::Ipv4
    }
}

/// What a GRE header carries (an EtherType) and where it starts, from the GRE header's start:
/// PPP (PPTP) is followed to the IP packet it carries, Aruba's 802.11 frames to their
/// LLC/SNAP payload.
fn gre_inner(gre: &GreHeader<'_>) -> Option<(u16, usize)> {
    let len = gre.header_len();
    let payload = gre.payload();
    if gre.protocol() == GRE_PPP {
        let skip = if payload.get(0..2) == Some(&[0xFF, 0x03]) {
            2
        } else {
            0
        };
        let ppp = decode_link(9, payload.get(skip..)?)?;
        return Some((ppp.ether_type, len + skip + ppp.offset));
    }
    if is_aruba(gre.protocol()) {
        let (ether_type, at) = wlan_snap_payload(payload)?;
        return Some((ether_type, len + at));
    }
    Some((gre.protocol(), len))
}

/// An IPv4 packet: the header, its payload within the total length (the captured bytes when
/// the total length is 0 or shorter than the header), and an authentication header skipped.
#[inline(always)]
fn ipv4_layer(data: &[u8], at: usize, end: usize) -> Result<IpLayer<'_>, (StopLayer, WireError)> {
    let h = Ipv4Header::new(data).map_err(|e| (StopLayer::Ipv4, e))?;
    let hl = h.header_len();
    let complete = hl >= super::ipv4::HEADER_LEN && hl <= data.len();
    let total = usize::from(h.total_len());
    let payload_end = if total < hl {
        data.len()
    } else {
        total.min(data.len())
    };
    let mut payload = (at + hl).min(at + payload_end)..at + payload_end;
    let mut proto = h.protocol();
    let mut auth_cut = false;
    if complete && proto == 51 {
        match auth_header(&data[payload.start - at..payload_end]) {
            Some((next, len)) => {
                proto = next;
                payload.start += len;
            }
            None => auth_cut = true,
        }
    }
    let declared = u32::from(h.total_len()).saturating_sub(hl as u32);
    let wire_payload_len = match declared {
        0 => payload.len() as u32,
        n => n,
    };
    let fragment = h.is_fragment().then(|| FragmentInfo {
        ident: u32::from(h.ident()),
        offset: h.frag_offset(),
        len: declared,
        more: h.more_fragments(),
    });
    Ok(IpLayer {
        header: IpHeader::V4(h),
        at,
        end,
        complete,
        proto,
        payload,
        wire_payload_len,
        fragment,
        extensions_cut: auth_cut,
        depth: 0,
        quoted: false,
    })
}

/// An IP authentication header (RFC 4302) at the start of `data`: the protocol after it and
/// its length, when it is all there (its length field counts 4-byte words minus 2).
pub fn auth_header(data: &[u8]) -> Option<(u8, usize)> {
    let (next, words) = (*data.first()?, *data.get(1)?);
    let len = (usize::from(words) + 2) * 4;
    (data.len() >= 12 && words >= 1 && len <= data.len()).then_some((next, len))
}

/// An IPv6 packet: the header, its extension chain walked within the payload length (the
/// captured bytes when it is 0), the first fragment header, and the upper layer.
fn ipv6_layer(
    data: &[u8],
    at: usize,
    end: usize,
    framed: Option<u32>,
) -> Result<IpLayer<'_>, (StopLayer, WireError)> {
    let h = Ipv6Header::new(data).map_err(|e| (StopLayer::Ipv6, e))?;
    let declared = usize::from(h.payload_len());
    let region = if declared == 0 {
        data.len()
    } else {
        (ipv6::HEADER_LEN + declared).min(data.len())
    };
    let mut chain = h.extensions(region);
    let (mut first_fragment, mut fragmented, mut cut) = (None, false, false);
    for (i, ext) in chain.by_ref().enumerate() {
        if ext.kind == 0 && i > 0 {
            // Hop-by-hop options must come first (RFC 8200 §4.1): the chain is malformed here.
            cut = true;
            break;
        }
        if let Some(f) = ext.fragment(data) {
            fragmented |= f.offset != 0 || f.more;
            first_fragment.get_or_insert(f);
        }
    }
    let (proto, upper_at) = if cut {
        (0, chain_position(&h, region))
    } else {
        chain.upper()
    };
    let cut = cut || chain.cut();
    let ext_len = (upper_at - ipv6::HEADER_LEN) as u32;
    let payload = at + upper_at..at + region;
    let declared = u32::from(h.payload_len());
    let framed_len = framed.map_or(declared, |f| declared.min(f.saturating_sub(40)));
    let wire_payload_len = match framed_len.saturating_sub(ext_len) {
        0 => payload.len() as u32,
        n => n,
    };
    let fragment = first_fragment.filter(|_| fragmented).map(|f| FragmentInfo {
        ident: f.ident,
        offset: f.offset,
        len: declared.saturating_sub(ext_len),
        more: f.more,
    });
    Ok(IpLayer {
        header: IpHeader::V6(h),
        at,
        end,
        complete: true,
        proto,
        payload,
        wire_payload_len,
        fragment,
        extensions_cut: cut,
        depth: 0,
        quoted: false,
    })
}

/// Where a chain with a misplaced hop-by-hop header stops: the start of that header.
fn chain_position(h: &Ipv6Header<'_>, region: usize) -> usize {
    let mut chain = h.extensions(region);
    let mut at = ipv6::HEADER_LEN;
    for (i, ext) in chain.by_ref().enumerate() {
        if ext.kind == 0 && i > 0 {
            return ext.start;
        }
        at = ext.start + ext.len;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records what the walk met, in order, descending into ICMP quotes.
    #[derive(Default)]
    struct Trace {
        seen: Vec<String>,
    }

    impl<'a> Visitor<'a> for Trace {
        fn link(&mut self, link: &LinkLayer) {
            self.seen.push(format!("link@{}", link.at));
        }
        fn ip(&mut self, ip: &IpLayer<'a>) -> Flow {
            let v = if matches!(ip.header, IpHeader::V4(_)) {
                4
            } else {
                6
            };
            let frag = if ip.fragment.is_some() { " frag" } else { "" };
            self.seen
                .push(format!("ipv{v}@{} p{}{frag}", ip.at, ip.proto));
            Flow::Descend
        }
        fn tunnel(&mut self, t: &Tunnel<'a>) -> Flow {
            self.seen
                .push(format!("tunnel {:#06x}@{}", t.ether_type, t.at));
            Flow::Descend
        }
        fn tcp(&mut self, t: &TransportLayer, tcp: &TcpHeader<'a>) {
            self.seen.push(format!("tcp@{} {}", t.at, tcp.dst_port()));
        }
        fn udp(&mut self, t: &TransportLayer, udp: &UdpHeader<'a>) {
            self.seen.push(format!("udp@{} {}", t.at, udp.dst_port()));
        }
        fn icmp(&mut self, t: &TransportLayer, icmp: &IcmpHeader<'a>, _v6: bool) -> Flow {
            self.seen.push(format!("icmp@{} {}", t.at, icmp.kind()));
            Flow::Descend
        }
        fn payload(&mut self, _t: &TransportLayer, span: Range<usize>) {
            self.seen.push(format!("payload {span:?}"));
        }
        fn stop(&mut self, stop: &Stop) {
            self.seen.push(format!("stop {:?}", stop.layer));
        }
    }

    fn trace(link_type: u32, frame: &[u8]) -> Vec<String> {
        let mut t = Trace::default();
        walk(link_type, frame, true, &mut t);
        t.seen
    }

    fn ipv4(proto: u8, payload_len: usize, flags_frag: u16) -> Vec<u8> {
        let total = (20 + payload_len) as u16;
        let mut h = vec![0x45, 0];
        h.extend(total.to_be_bytes());
        h.extend([0, 1]);
        h.extend(flags_frag.to_be_bytes());
        h.extend([64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
        h
    }

    /// Ethernet / IPv4 / GRE / IPv4 / ICMP echo (the zeek gre-sample layout).
    fn gre_frame() -> Vec<u8> {
        let mut f = vec![2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00];
        f.extend(ipv4(47, 4 + 20 + 8, 0x4000));
        f.extend([0, 0, 0x08, 0x00]);
        f.extend(ipv4(1, 8, 0));
        f.extend([8, 0, 0xf7, 0xfe, 0, 1, 0, 1]);
        f
    }

    #[test]
    fn gre_is_walked_to_the_inner_icmp() {
        assert_eq!(
            trace(1, &gre_frame()),
            [
                "link@0",
                "ipv4@14 p47",
                "tunnel 0x0800@38",
                "ipv4@38 p1",
                "icmp@58 8"
            ]
        );
    }

    #[test]
    fn icmp_errors_quote_a_packet_the_visitor_may_enter() {
        // Raw IPv4 / ICMP port unreachable quoting IPv4 / UDP to port 53.
        let mut f = ipv4(1, 8 + 28, 0);
        f.extend([3, 3, 0, 0, 0, 0, 0, 0]);
        f.extend(ipv4(17, 8, 0));
        f.extend([0x30, 0x39, 0, 53, 0, 8, 0, 0]);
        assert_eq!(
            trace(101, &f),
            [
                "link@0",
                "ipv4@0 p1",
                "icmp@20 3",
                "ipv4@28 p17",
                "udp@48 53",
                "payload 56..56"
            ]
        );
    }

    #[test]
    fn fragments_and_bogus_versions_end_the_walk() {
        let mut f = ipv4(17, 8, 0x2000); // first fragment (MF)
        f.extend([0x30, 0x39, 0, 53, 0, 8, 0, 0]);
        assert_eq!(trace(101, &f), ["link@0", "ipv4@0 p17 frag"]);
        let mut eth = vec![0; 12];
        eth.extend([0x86, 0xdd]); // IPv6 EtherType, IPv4 header
        eth.extend(ipv4(17, 0, 0));
        assert_eq!(trace(1, &eth), ["link@0", "stop Ipv6"]);
    }

    #[test]
    fn vxlan_carries_an_ethernet_frame() {
        let mut f = ipv4(17, 8 + 8 + 14 + 20 + 8, 0);
        f.extend([0x30, 0x39, 0x12, 0xb5, 0, 58, 0, 0]); // UDP to 4789
        f.extend([0x08, 0, 0, 0, 0, 0, 7, 0]); // VXLAN, VNI 7
        f.extend([2, 0, 0, 0, 0, 3, 2, 0, 0, 0, 0, 4, 0x08, 0x00]);
        f.extend(ipv4(6, 8, 0));
        f.extend([0; 8]); // a TCP header cut at 8 bytes
        assert_eq!(
            trace(101, &f),
            [
                "link@0",
                "ipv4@0 p17",
                "udp@20 4789",
                "tunnel 0x6558@36",
                "link@36",
                "ipv4@50 p6",
                "stop Tcp"
            ]
        );
    }

    #[test]
    fn every_prefix_walks_without_panic() {
        let frame = gre_frame();
        for len in 0..=frame.len() {
            for link_type in [0, 1, 9, 101, 113, 276] {
                let _ = trace(link_type, &frame[..len]);
            }
        }
    }

    #[test]
    fn authentication_headers_are_skipped() {
        assert_eq!(auth_header(&[6, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), None);
        let ah = [6, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1];
        assert_eq!(auth_header(&ah), Some((6, 12)));
    }
}
