//! Link layers: finds where the network layer starts in a frame of a given LINKTYPE and what it
//! is (an EtherType), recording Ethernet addresses and VLAN tags on the way.
//!
//! etherparse parses Ethernet II and VLAN tags but not SLL2, BSD loopback, PPP, PPPoE or MPLS,
//! and not the lax EtherType chains Wireshark follows (an 802.1ad tag, MPLS guessed by its first
//! nibble, a PPPoE length that ends the packet before the padding), so link layers are read here;
//! the network layer's views ([`super::ipv4`], [`super::ipv6`], [`super::arp`]) take over from
//! the EtherType on.

use super::error::{need, WireError};
use super::ethernet::{self, EthernetHeader, VlanTag};
use super::mpls::{self, MplsEntry};
use super::ppp::{PppHeader, PppoeHeader, PPPOE_LEN};
use super::sll::{self, Sll2Header, SllHeader};
use crate::wire::bytes::{be32, le32, rest};

/// Link-layer addressing of a frame: Ethernet source, destination and outer VLAN id (what the
/// link decoder records, the decoder keeps and the index interns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LinkAddrs {
    pub src: Option<[u8; 6]>,
    pub dst: Option<[u8; 6]>,
    /// Outermost 802.1Q VLAN id (tag 0x8100 or 0x9100), if any. An 802.1ad service tag
    /// (0x88a8) is not one: Wireshark dissects it as `ieee8021ad`, not `vlan`.
    pub vlan: Option<u16>,
}

/// Where the network layer starts and what it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkInfo {
    pub addrs: LinkAddrs,
    /// EtherType of the network layer (0x0800, 0x86DD, 0x0806…), or 0 when unknown.
    pub ether_type: u16,
    /// Offset of the network-layer header in the frame.
    pub offset: usize,
    /// End of the network-layer packet when the link layer has a length field (PPPoE's payload
    /// length), `None` for "the rest of the frame": what follows is Ethernet padding or trailer,
    /// which Wireshark never hands to IP (it matters when the IP length is 0, i.e. TSO).
    pub end: Option<usize>,
    pub mpls: bool,
    pub pppoe: bool,
}

pub const ETHERTYPE_IPV4: u16 = 0x0800;
pub const ETHERTYPE_IPV6: u16 = 0x86DD;
pub const ETHERTYPE_ARP: u16 = 0x0806;
const ETHERTYPE_VLAN: u16 = 0x8100;
const ETHERTYPE_QINQ: u16 = 0x88A8;
const ETHERTYPE_QINQ_OLD: u16 = 0x9100;
const ETHERTYPE_MPLS: u16 = 0x8847;
const ETHERTYPE_MPLS_MULTICAST: u16 = 0x8848;
const ETHERTYPE_PPPOE_SESSION: u16 = 0x8864;

/// EtherType for an IP header by its version nibble (raw-IP link types).
pub fn ether_type_from_ip_version(data: &[u8], at: usize) -> u16 {
    match data.get(at).map(|b| b >> 4) {
        Some(4) => ETHERTYPE_IPV4,
        Some(6) => ETHERTYPE_IPV6,
        _ => 0,
    }
}

/// The 4-byte address family header of BSD NULL (LINKTYPE 0, the capturing host's byte order)
/// and OpenBSD LOOP (LINKTYPE 108, network order), checked once.
#[derive(Debug, Clone, Copy)]
pub struct NullHeader {
    family: u32,
}

/// The BSD loopback header's length (its one field, the address family).
pub const NULL_HEADER_LEN: usize = 4;

impl NullHeader {
    /// The header at the start of `bytes` of a LINKTYPE 0 or 108 frame. A NULL family is read
    /// little-endian and byte-swapped when that leaves it above 0xFFFF, as Wireshark does on a
    /// little-endian host; a LOOP family is always big-endian.
    #[inline]
    pub fn new(bytes: &[u8], link_type: u32) -> Result<NullHeader, WireError> {
        need(bytes, NULL_HEADER_LEN)?;
        let family = if link_type == 108 {
            be32(bytes, 0).unwrap_or_default()
        } else {
            let host = le32(bytes, 0).unwrap_or_default();
            if host > 0xFFFF {
                host.swap_bytes()
            } else {
                host
            }
        };
        Ok(NullHeader { family })
    }

    pub fn family(&self) -> u32 {
        self.family
    }

    /// The EtherType of the family's packets (IPv4 or IPv6), 0 for any other family: an unknown
    /// family is data to Wireshark's null dissector, no guessing from the next byte.
    #[inline]
    pub fn ether_type(&self) -> u16 {
        match self.family {
            2 => ETHERTYPE_IPV4,
            10 | 23 | 24 | 28 | 30 => ETHERTYPE_IPV6,
            _ => 0,
        }
    }
}

/// Decodes the link layer of `data` for LINKTYPE `link_type`. Returns `None` for link types that
/// tracelens does not decode (the frame is still listed with its raw bytes) and for link headers
/// cut short.
#[inline(always)]
pub fn decode_link(link_type: u32, data: &[u8]) -> Option<LinkInfo> {
    let mut info = LinkInfo::default();
    match link_type {
        1 => {
            let eth = EthernetHeader::new(data).ok()?;
            info.addrs.dst = Some(eth.dst());
            info.addrs.src = Some(eth.src());
            if eth.is_8023() {
                // 802.3 length field + LLC: not an IP frame as far as the index is concerned.
                info.offset = ethernet::HEADER_LEN;
                return Some(info);
            }
            after_ether_type(eth.type_or_len(), data, ethernet::HEADER_LEN, &mut info);
        }
        0 | 108 => {
            info.offset = NULL_HEADER_LEN;
            info.ether_type = NullHeader::new(data, link_type).ok()?.ether_type();
        }
        12 | 14 | 101 | 228 | 229 => {
            info.ether_type = match link_type {
                228 => ETHERTYPE_IPV4,
                229 => ETHERTYPE_IPV6,
                _ => ether_type_from_ip_version(data, 0),
            };
        }
        113 => {
            let sll = SllHeader::new(data).ok()?;
            info.addrs.src = sll.mac();
            after_ether_type(sll.protocol(), data, sll::SLL_LEN, &mut info);
        }
        276 => {
            let sll = Sll2Header::new(data).ok()?;
            info.addrs.src = sll.mac();
            after_ether_type(sll.protocol(), data, sll::SLL2_LEN, &mut info);
        }
        9 | 50 | 204 => {
            let ppp = PppHeader::new(data).ok()?;
            info.offset = ppp.len();
            info.ether_type = ppp.ether_type();
        }
        51 => {
            let ppp = PppHeader::without_address(rest(data, PPPOE_LEN)).ok()?;
            info.offset = PPPOE_LEN + ppp.len();
            info.ether_type = ppp.ether_type();
            info.pppoe = true;
            info.end = PppoeHeader::new(data).ok().and_then(|h| h.payload_end());
        }
        _ => return None,
    }
    Some(info)
}

/// Follows VLAN tags, MPLS labels and PPPoE from an EtherType at `at` to the network layer.
#[inline(always)]
fn after_ether_type(mut ether_type: u16, data: &[u8], mut at: usize, info: &mut LinkInfo) {
    for _ in 0..8 {
        match ether_type {
            ETHERTYPE_VLAN | ETHERTYPE_QINQ | ETHERTYPE_QINQ_OLD => {
                let Ok(tag) = VlanTag::new(rest(data, at)) else {
                    break;
                };
                if ether_type != ETHERTYPE_QINQ {
                    info.addrs.vlan.get_or_insert(tag.id());
                }
                ether_type = tag.ether_type();
                at += ethernet::VLAN_TAG_LEN;
            }
            ETHERTYPE_MPLS | ETHERTYPE_MPLS_MULTICAST => {
                info.mpls = true;
                // Walk labels to the bottom of stack, then guess the payload from its first nibble.
                let mut labels = 0;
                while let Ok(entry) = MplsEntry::new(rest(data, at)) {
                    at += mpls::ENTRY_LEN;
                    labels += 1;
                    if entry.bottom() || labels >= 16 {
                        break;
                    }
                }
                ether_type = ether_type_from_ip_version(data, at);
                break;
            }
            ETHERTYPE_PPPOE_SESSION => {
                info.pppoe = true;
                let pppoe = rest(data, at);
                info.end = PppoeHeader::new(pppoe)
                    .ok()
                    .and_then(|h| h.payload_end())
                    .map(|end| at + end);
                match PppHeader::without_address(rest(pppoe, PPPOE_LEN)) {
                    Ok(ppp) => {
                        ether_type = ppp.ether_type();
                        at += PPPOE_LEN + ppp.len();
                    }
                    Err(_) => ether_type = 0,
                }
                break;
            }
            _ => break,
        }
    }
    info.ether_type = ether_type;
    info.offset = at;
}

/// An IEEE 802.11 data frame without FCS (as Aruba GRE carries it) whose body is LLC/SNAP:
/// the EtherType of the body and its offset in `data` (see [`super::wlan::snap_payload`]).
pub fn wlan_snap_payload(data: &[u8]) -> Option<(u16, usize)> {
    super::wlan::snap_payload(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_loopback_family_in_either_byte_order() {
        // tcpdump/dns-badcookie.pcap: AF_INET = 2 little-endian, then an IPv4 header.
        let frame = [2, 0, 0, 0, 0x45, 0, 0, 20];
        assert_eq!(decode_link(0, &frame).unwrap().ether_type, ETHERTYPE_IPV4);
        // macOS AF_INET6 = 30 written big-endian by a capturing host of the other byte order.
        let frame = [0, 0, 0, 30, 0x60, 0, 0, 0];
        let info = decode_link(0, &frame).unwrap();
        assert_eq!((info.ether_type, info.offset), (ETHERTYPE_IPV6, 4));
        // An unknown family (7) before what looks like IPv4 is not decoded, as in tshark.
        let frame = [7, 0, 0, 0, 0x45, 0, 0, 20];
        assert_eq!(decode_link(0, &frame).unwrap().ether_type, 0);
    }

    #[test]
    fn qinq_tags_are_followed() {
        // tcpdump/802.1ad_QinQ.pcap frame 1: 88a8 tag (S-VLAN 100) then 8100 (VLAN 200) then
        // ARP; `vlan` is the 802.1Q tag's, as Wireshark's vlan.id.
        let mut frame = vec![0xff; 12];
        frame.extend_from_slice(&[0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0x00, 0xc8, 0x08, 0x06]);
        let info = decode_link(1, &frame).unwrap();
        assert_eq!(
            (info.addrs.vlan, info.ether_type, info.offset),
            (Some(200), ETHERTYPE_ARP, 22)
        );
    }

    #[test]
    fn pppoe_length_ends_the_packet_before_the_padding() {
        let mut frame = vec![0xff; 12];
        frame.extend_from_slice(&[0x88, 0x64, 0x11, 0x00, 0x12, 0x34, 0x00, 0x03, 0x21]);
        frame.extend_from_slice(&[0x45, 0x00]);
        frame.resize(60, 0);
        let info = decode_link(1, &frame).unwrap();
        assert_eq!(
            (info.ether_type, info.offset, info.end),
            (ETHERTYPE_IPV4, 21, Some(23))
        );
    }

    #[test]
    fn short_frames_do_not_panic() {
        for link in [0, 1, 9, 51, 101, 108, 113, 228, 276] {
            for len in 0..24 {
                let _ = decode_link(link, &vec![0x81; len]);
            }
        }
    }
}
