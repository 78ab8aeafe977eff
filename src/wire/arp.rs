//! ARP (RFC 826) for Ethernet and IPv4 as a zero-copy view: [`ArpPacket`] checks once that the
//! 28-byte Ethernet/IPv4 message is there (hardware length 6, protocol length 4) and then reads
//! the opcode and the four addresses. Other hardware or protocol types are not viewed (the
//! details tree shows their fixed header from [`field`]).

use super::error::WireError;
use super::view::header_view;

/// Byte ranges of the message's fields (Ethernet/IPv4 layout for the addresses).
pub mod field {
    use std::ops::Range;
    pub const HTYPE: Range<usize> = 0..2;
    pub const PTYPE: Range<usize> = 2..4;
    pub const HLEN: usize = 4;
    pub const PLEN: usize = 5;
    pub const OPCODE: Range<usize> = 6..8;
    pub const SENDER_MAC: Range<usize> = 8..14;
    pub const SENDER_IP: Range<usize> = 14..18;
    pub const TARGET_MAC: Range<usize> = 18..24;
    pub const TARGET_IP: Range<usize> = 24..28;
}

pub const ETHERNET_IPV4_LEN: usize = 28;

header_view! {
    /// An Ethernet/IPv4 ARP (or RARP) message.
    pub struct ArpPacket, checked to ETHERNET_IPV4_LEN;
    hardware_type: u16 = field::HTYPE;
    protocol_type: u16 = field::PTYPE;
    opcode: u16 = field::OPCODE;
    sender_mac: [u8; 6] = field::SENDER_MAC;
    sender_ip: [u8; 4] = field::SENDER_IP;
    target_mac: [u8; 6] = field::TARGET_MAC;
    target_ip: [u8; 4] = field::TARGET_IP;
}

impl<'a> ArpPacket<'a> {
    pub fn new(bytes: &'a [u8]) -> Result<Self, WireError> {
        let arp = Self::at_least(bytes)?;
        for (at, want, name) in [
            (field::HLEN, 6, "arp.hw.size"),
            (field::PLEN, 4, "arp.proto.size"),
        ] {
            if bytes[at] != want {
                return Err(WireError::Malformed {
                    field: name,
                    value: u32::from(bytes[at]),
                });
            }
        }
        Ok(arp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_has() {
        let mut m = vec![0, 1, 8, 0, 6, 4, 0, 1];
        m.extend([
            2, 0, 0, 0, 0, 1, 192, 168, 1, 1, 0, 0, 0, 0, 0, 0, 192, 168, 1, 2,
        ]);
        let arp = ArpPacket::new(&m).unwrap();
        assert_eq!(
            (arp.opcode(), arp.sender_ip(), arp.target_ip()),
            (1, [192, 168, 1, 1], [192, 168, 1, 2])
        );
        assert_eq!(arp.sender_mac(), [2, 0, 0, 0, 0, 1]);
        m[4] = 8;
        assert!(ArpPacket::new(&m).is_err());
        assert!(ArpPacket::new(&m[..27]).is_err());
    }
}
