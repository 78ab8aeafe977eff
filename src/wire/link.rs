//! Link layers: finds where the network layer starts in a frame of a given LINKTYPE and what it
//! is (an EtherType), recording Ethernet addresses and VLAN tags on the way.
//!
//! etherparse parses Ethernet II and VLAN tags but not SLL2, BSD loopback, PPP, PPPoE or MPLS,
//! and not the lax EtherType chains Wireshark follows (an 802.1ad tag, MPLS guessed by its first
//! nibble, a PPPoE length that ends the packet before the padding), so link layers are read here;
//! the network layer's views ([`super::ipv4`], [`super::ipv6`], [`super::arp`]) take over from
//! the EtherType on.

use crate::wire::bytes::{array, be16, be32, le32};

/// Where the network layer starts and what it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkInfo {
    pub eth_src: Option<[u8; 6]>,
    pub eth_dst: Option<[u8; 6]>,
    /// Outermost 802.1Q VLAN id (tag 0x8100 or 0x9100), if any. An 802.1ad service tag
    /// (0x88a8) is not one: Wireshark dissects it as `ieee8021ad`, not `vlan`.
    pub vlan: Option<u16>,
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

/// Decodes the link layer of `data` for LINKTYPE `link_type`. Returns `None` for link types that
/// tracelens does not decode (the frame is still listed with its raw bytes).
pub fn decode_link(link_type: u32, data: &[u8]) -> Option<LinkInfo> {
    let mut info = LinkInfo::default();
    match link_type {
        1 => {
            info.eth_dst = array(data, 0);
            info.eth_src = array(data, 6);
            let ether_type = be16(data, 12)?;
            if ether_type <= 1500 {
                // 802.3 length field + LLC: not an IP frame as far as the index is concerned.
                info.offset = 14;
                return Some(info);
            }
            after_ether_type(ether_type, data, 14, &mut info);
        }
        0 | 108 => {
            let family = null_family(link_type, data)?;
            info.offset = 4;
            info.ether_type = match family {
                2 => ETHERTYPE_IPV4,
                10 | 23 | 24 | 28 | 30 => ETHERTYPE_IPV6,
                // An unknown family is data to Wireshark's null dissector (and to the details
                // tree): no guessing from the next byte.
                _ => 0,
            };
        }
        12 | 14 | 101 | 228 | 229 => {
            info.ether_type = match link_type {
                228 => ETHERTYPE_IPV4,
                229 => ETHERTYPE_IPV6,
                _ => ether_type_from_ip_version(data, 0),
            };
        }
        113 => {
            // Linux cooked v1: pkttype, ARPHRD, addr len, 8 address bytes, protocol.
            let hatype = be16(data, 2)?;
            let addr_len = be16(data, 4)? as usize;
            if matches!(hatype, 1 | 772) && addr_len == 6 {
                info.eth_src = array(data, 6);
            }
            let protocol = be16(data, 14)?;
            after_ether_type(protocol, data, 16, &mut info);
        }
        276 => {
            // Linux cooked v2: protocol, reserved, ifindex, ARPHRD, pkttype, addr len, address.
            let protocol = be16(data, 0)?;
            let hatype = be16(data, 8)?;
            let addr_len = *data.get(11)? as usize;
            if matches!(hatype, 1 | 772) && addr_len == 6 {
                info.eth_src = array(data, 12);
            }
            after_ether_type(protocol, data, 20, &mut info);
        }
        9 | 50 | 204 => {
            let mut at = 0;
            if data.get(0..2) == Some(&[0xFF, 0x03]) {
                at = 2;
            }
            ppp_protocol(data, at, &mut info)?;
        }
        51 => {
            ppp_protocol(data, 6, &mut info)?;
            info.pppoe = true;
            info.end = pppoe_end(data, 0);
        }
        _ => return None,
    }
    Some(info)
}

/// The address family of a BSD loopback header (LINKTYPE 0, host byte order of the capturing
/// machine, so a value above 0xFFFF is read swapped) or an OpenBSD one (108, network order).
pub fn null_family(link_type: u32, data: &[u8]) -> Option<u32> {
    if link_type == 108 {
        return be32(data, 0);
    }
    let host = le32(data, 0)?;
    Some(if host > 0xFFFF {
        host.swap_bytes()
    } else {
        host
    })
}

/// Follows VLAN tags, MPLS labels and PPPoE from an EtherType at `at` to the network layer.
fn after_ether_type(mut ether_type: u16, data: &[u8], mut at: usize, info: &mut LinkInfo) {
    for _ in 0..8 {
        match ether_type {
            ETHERTYPE_VLAN | ETHERTYPE_QINQ | ETHERTYPE_QINQ_OLD => {
                let Some(tci) = be16(data, at) else { break };
                if ether_type != ETHERTYPE_QINQ {
                    info.vlan.get_or_insert(tci & 0x0FFF);
                }
                let Some(next) = be16(data, at + 2) else {
                    break;
                };
                ether_type = next;
                at += 4;
            }
            ETHERTYPE_MPLS | ETHERTYPE_MPLS_MULTICAST => {
                info.mpls = true;
                // Walk labels to the bottom of stack, then guess the payload from its first nibble.
                let mut labels = 0;
                while let Some(entry) = data.get(at..at + 4) {
                    at += 4;
                    labels += 1;
                    if entry[2] & 0x01 != 0 || labels >= 16 {
                        break;
                    }
                }
                ether_type = ether_type_from_ip_version(data, at);
                break;
            }
            ETHERTYPE_PPPOE_SESSION => {
                info.pppoe = true;
                info.end = pppoe_end(data, at);
                let mut inner = LinkInfo::default();
                if ppp_protocol(data, at + 6, &mut inner).is_some() {
                    ether_type = inner.ether_type;
                    at = inner.offset;
                } else {
                    ether_type = 0;
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
/// the EtherType of the body and its offset in `data`. `None` for management, control,
/// protected and null-data frames, A-MSDUs and bodies that are not SNAP with an EtherType.
pub fn wlan_snap_payload(data: &[u8]) -> Option<(u16, usize)> {
    let (fc0, fc1) = (*data.first()?, *data.get(1)?);
    let subtype = fc0 >> 4;
    // Version 0, type 2 (data), not protected, a subtype that carries a body.
    if fc0 & 0x03 != 0 || (fc0 >> 2) & 0x03 != 2 || fc1 & 0x40 != 0 || subtype & 0x04 != 0 {
        return None;
    }
    let mut len = 24;
    if fc1 & 0x03 == 0x03 {
        len += 6; // address 4 (to and from the DS)
    }
    if subtype & 0x08 != 0 {
        if data.get(len)? & 0x80 != 0 {
            return None; // A-MSDU
        }
        len += 2; // QoS control
        if fc1 & 0x80 != 0 {
            len += 4; // HT control
        }
    }
    let llc = data.get(len..len + 8)?;
    let bridge_tunnel = llc[3..6] == [0x00, 0x00, 0xF8];
    if llc[0..3] != [0xAA, 0xAA, 0x03] || (llc[3..6] != [0, 0, 0] && !bridge_tunnel) {
        return None;
    }
    Some((be16(llc, 6)?, len + 8))
}

/// End of a PPPoE session payload whose 6-byte header is at `at`, from its length field; `None`
/// (the rest of the frame) when the field is 0 or runs past the frame, as Wireshark does.
fn pppoe_end(data: &[u8], at: usize) -> Option<usize> {
    let len = usize::from(be16(data, at + 4)?);
    let end = at + 6 + len;
    (len > 0 && end <= data.len()).then_some(end)
}

/// A PPP protocol field at `at` and its length (1 byte when compressed, else 2).
pub fn ppp_protocol_field(data: &[u8], at: usize) -> Option<(u16, usize)> {
    let first = *data.get(at)?;
    if first & 0x01 == 1 {
        Some((u16::from(first), 1))
    } else {
        Some((be16(data, at)?, 2))
    }
}

/// Reads a PPP protocol field at `at`.
fn ppp_protocol(data: &[u8], at: usize, info: &mut LinkInfo) -> Option<()> {
    let (protocol, len) = ppp_protocol_field(data, at)?;
    info.offset = at + len;
    info.ether_type = match protocol {
        0x0021 => ETHERTYPE_IPV4,
        0x0057 => ETHERTYPE_IPV6,
        _ => 0,
    };
    Some(())
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
            (info.vlan, info.ether_type, info.offset),
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
