//! Link and tunnel layers the packet index does not keep, which Wireshark dissects as protocols
//! of their own: BSD loopback (`null`), PPP and PPPoE sessions (`ppp`, `pppoes`), the 802.1ad
//! service tag (`ieee8021ad`), 802.2 LLC (`llc`), Aruba GRE's 802.11 frames (`wlan`) and VXLAN
//! (`vxlan`). They are read from the frame bytes by the wire layer's walker
//! ([`crate::wire::walk`]) and its views, only when a filter asks for one of them and only for
//! frames whose index record allows them.

use super::context::Frame;
use super::value::{Occurrences, Val};
use crate::wire::bytes::be16;
use crate::wire::gre::{self, GreHeader};
use crate::wire::link::{wlan_snap_payload, NullHeader};
use crate::wire::ppp::PppHeader;
use crate::wire::walk::GRE_PPP;
use crate::wire::walk::{walk, Flow, LinkLayer, TransportLayer, Tunnel, TunnelKind, Visitor};
use std::borrow::Cow;
use std::ops::Range;

/// The 802.1ad service-tag EtherType.
const ETHERTYPE_8021AD: u16 = 0x88A8;
/// The PPPoE session EtherType.
const ETHERTYPE_PPPOE_SESSION: u16 = 0x8864;
/// A Linux cooked header's protocol for 802.2 LLC frames.
const SLL_LLC: u16 = 0x0004;

/// One PPP header: the address and control bytes (0xFF 0x03) when present, and the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ppp {
    pub address_control: bool,
    pub protocol: u16,
}

/// The layers of one frame, outermost first within each kind, with the frame span each covers.
#[derive(Debug, Default)]
pub struct LinkLayers {
    pub null_family: Option<u32>,
    pub ppp: Vec<(Ppp, Range<usize>)>,
    /// PPPoE session headers: session id.
    pub pppoe_sessions: Vec<(u16, Range<usize>)>,
    /// 802.1ad service tags: the tag control information.
    pub service_tags: Vec<(u16, Range<usize>)>,
    /// LLC headers: DSAP, SSAP, control byte.
    pub llc: Vec<([u8; 3], Range<usize>)>,
    pub wlan: Vec<Range<usize>>,
    /// VXLAN headers: the 16-bit flags and the network identifier.
    pub vxlan: Vec<((u16, u32), Range<usize>)>,
}

/// Collects the layers as the walker meets them.
struct Collector<'a> {
    frame: &'a [u8],
    link_type: u32,
    out: LinkLayers,
}

impl Collector<'_> {
    fn ppp_at(&mut self, at: usize, end: usize) {
        let bytes = self.frame.get(at..end).unwrap_or_default();
        if let Ok(header) = PppHeader::new(bytes) {
            let ppp = Ppp {
                address_control: header.has_address_control(),
                protocol: header.protocol(),
            };
            self.out.ppp.push((ppp, at..end));
        }
    }

    fn llc_at(&mut self, at: usize, end: usize) {
        let Some(header) = self.frame.get(at..at + 3) else {
            return;
        };
        // A raw 802.3 frame (Novell IPX) has no LLC header.
        if header[..2] != [0xFF, 0xFF] {
            self.out
                .llc
                .push(([header[0], header[1], header[2]], at..end));
        }
    }

    /// An Ethernet header at `at`: a service tag, a PPPoE session or an 802.3 length with LLC.
    fn ethernet(&mut self, link: &LinkLayer) {
        let (at, end) = (link.at, link.end);
        match be16(self.frame, at + 12) {
            Some(ETHERTYPE_8021AD) => {
                if let Some(tci) = be16(self.frame, at + 14) {
                    self.out.service_tags.push((tci, at + 14..end));
                }
            }
            Some(ETHERTYPE_PPPOE_SESSION) => self.pppoe(at + 14, end),
            Some(length) if length <= 1500 => self.llc_at(at + 14, end),
            _ => {}
        }
        // A length after VLAN tags.
        if (1..=1500).contains(&link.info.ether_type) && link.info.offset > 14 {
            self.llc_at(at + link.info.offset, end);
        }
    }

    fn pppoe(&mut self, at: usize, end: usize) {
        if let Some(session) = be16(self.frame, at + 2) {
            self.out.pppoe_sessions.push((session, at..end));
            self.ppp_at(at + 6, end);
        }
    }
}

impl<'a> Visitor<'a> for Collector<'a> {
    fn link(&mut self, link: &LinkLayer) {
        let link_type = if link.depth == 0 { self.link_type } else { 1 };
        let data = self.frame.get(link.at..link.end).unwrap_or_default();
        match link_type {
            0 | 108 => {
                self.out.null_family = NullHeader::new(data, link_type).ok().map(|h| h.family())
            }
            1 => self.ethernet(link),
            9 | 50 | 204 => self.ppp_at(link.at, link.end),
            51 => self.pppoe(link.at, link.end),
            113 | 276 if link.info.ether_type == SLL_LLC => {
                self.llc_at(link.at + link.info.offset, link.end);
            }
            _ => {}
        }
    }

    fn upper(&mut self, layer: &TransportLayer) {
        if layer.proto != 47 {
            return;
        }
        let bytes = self.frame.get(layer.at..layer.end).unwrap_or_default();
        let Ok(header) = GreHeader::any_version(bytes) else {
            return;
        };
        let inner = layer.at + header.header_len();
        if header.protocol() == GRE_PPP {
            self.ppp_at(inner, layer.end);
        } else if gre::is_aruba(header.protocol()) {
            self.out.wlan.push(inner..layer.end);
            if let Some((_, llc)) = wlan_snap_payload(header.payload()) {
                self.llc_at(inner + llc - 8, layer.end);
            }
        }
    }

    fn tunnel(&mut self, tunnel: &Tunnel<'a>) -> Flow {
        if let TunnelKind::Vxlan(_, header) = tunnel.kind {
            let at = tunnel.at - crate::wire::vxlan::HEADER_LEN;
            self.out
                .vxlan
                .push(((header.flags16(), header.vni()), at..tunnel.end));
        }
        Flow::Descend
    }
}

/// The layers of frame `f` (none without its bytes).
pub fn link_layers(f: &Frame<'_>) -> LinkLayers {
    match f.bytes() {
        Some(frame) => collect(f.link_type(), frame),
        None => LinkLayers::default(),
    }
}

/// The layers of a frame of LINKTYPE `link_type`.
fn collect(link_type: u32, frame: &[u8]) -> LinkLayers {
    let mut collector = Collector {
        frame,
        link_type,
        out: LinkLayers::default(),
    };
    walk(link_type, frame, false, &mut collector);
    collector.out
}

fn push_span<'r>(f: &Frame<'r>, out: &mut Occurrences<'r>, span: Range<usize>) {
    if let Some(bytes) = f
        .bytes()
        .and_then(|b| b.get(span.start..span.end.min(b.len())))
    {
        out.push(Val::Bytes(Cow::Borrowed(bytes)));
    }
}

/// A protocol's occurrences: the bytes each of its layers covers.
pub fn spans<'r>(
    f: &Frame<'r>,
    out: &mut Occurrences<'r>,
    of: fn(LinkLayers) -> Vec<Range<usize>>,
) {
    for span in of(link_layers(f)) {
        push_span(f, out, span);
    }
}

/// A numeric field's occurrences, one per layer.
pub fn numbers<'r>(f: &Frame<'r>, out: &mut Occurrences<'r>, of: fn(LinkLayers) -> Vec<u64>) {
    for value in of(link_layers(f)) {
        out.push(Val::Uint(value));
    }
}

/// Whether the frame's link layer or a GRE or UDP header in it may carry one of these layers
/// (the precondition that spares the other frames a walk).
pub fn may_have_link_layers(f: &Frame<'_>) -> bool {
    matches!(f.link_type(), 0 | 1 | 9 | 50 | 51 | 108 | 113 | 204 | 276)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(text: &str) -> Vec<u8> {
        let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
        let value = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
        digits
            .chunks(2)
            .map(|p| value(p[0]) << 4 | value(p[1]))
            .collect()
    }

    #[test]
    fn a_service_tag_is_read_before_the_vlan_tag() {
        // tcpdump/802.1ad_QinQ.pcap frame 1: 88a8 (S-VLAN 200), 8100 (VLAN 2001), ARP; tshark:
        // ieee8021ad.id 200, priority 0, dei 0.
        let frame = hex("ffffffffffff0020d25afb3f88a800c8810007d1080600010800060400010020");
        let layers = collect(1, &frame);
        assert_eq!(layers.service_tags.len(), 1);
        assert_eq!(layers.service_tags[0].0, 200);
        assert!(layers.llc.is_empty() && layers.ppp.is_empty());
    }

    #[test]
    fn a_pppoe_session_carries_ppp() {
        // suricata-verify/bug-4810/pppoe-session-http.pcap frame 1: session 0x002d, PPP IPv4.
        let frame = hex("000c2939f3c3000c29208ea1886411 00002d003d 0021 4500003c00004000400 6edda0a6400008efab383de");
        let layers = collect(1, &frame);
        assert_eq!(
            layers
                .pppoe_sessions
                .iter()
                .map(|s| s.0)
                .collect::<Vec<_>>(),
            [0x002d]
        );
        let ppp = Ppp {
            address_control: false,
            protocol: 0x0021,
        };
        assert_eq!(layers.ppp.iter().map(|p| p.0).collect::<Vec<_>>(), [ppp]);
    }

    #[test]
    fn vxlan_and_cisco_llc() {
        // tcpdump/vxlan.pcap frame 1 (VNI 100) up to the inner Ethernet header.
        let frame = hex(
            "00163e0871cf36dc851eb340080045000086d2c0400040115152c0a8cb01c0a8ca01b05d12b50072
             000008000000000064000030880100020016 3e37f6040800",
        );
        let layers = collect(1, &frame);
        assert_eq!(
            layers.vxlan.iter().map(|v| v.0).collect::<Vec<_>>(),
            [(0x0800, 100)]
        );
        // arkime/mpls-basic.pcap frame 22: 802.3 length, LLC AA AA 03 (SNAP, CDP).
        let frame = hex("01000ccccccc0030960528380145aaaa0300000c2000");
        let llc = collect(1, &frame).llc;
        assert_eq!(
            llc.iter().map(|h| h.0).collect::<Vec<_>>(),
            [[0xaa, 0xaa, 0x03]]
        );
    }

    #[test]
    fn loopback_family_and_short_frames() {
        assert_eq!(collect(0, &[2, 0, 0, 0, 0x45]).null_family, Some(2));
        assert_eq!(collect(108, &[0, 0, 0, 24]).null_family, Some(24));
        for link in [0, 1, 9, 51, 108, 113, 204, 276] {
            for len in 0..40 {
                let _ = collect(link, &vec![0x88; len]);
            }
        }
    }
}
