//! ARP (RFC 826) for Ethernet and IPv4 as a zero-copy view: [`ArpPacket`] checks once that the
//! 28-byte Ethernet/IPv4 message is there (hardware length 6, protocol length 4) and then reads
//! the opcode and the four addresses. Other hardware or protocol types are not viewed (the
//! details tree shows their fixed header from [`field`]).

use super::error::WireError;
use super::view::header_view;

pub const ETHERNET_IPV4_LEN: usize = 28;

header_view! {
    /// An Ethernet/IPv4 ARP (or RARP) message.
    pub struct ArpPacket, checked to ETHERNET_IPV4_LEN;
    /// Byte ranges of the message's fields (Ethernet/IPv4 layout for the addresses).
    pub mod field {
        pub const HTYPE: Range<usize> = 0..2 => hardware_type: u16;
        pub const PTYPE: Range<usize> = 2..4 => protocol_type: u16;
        pub const HLEN: usize = 4;
        pub const PLEN: usize = 5;
        pub const OPCODE: Range<usize> = 6..8 => opcode: u16;
        pub const SENDER_MAC: Range<usize> = 8..14 => sender_mac: [u8; 6];
        pub const SENDER_IP: Range<usize> = 14..18 => sender_ip: [u8; 4];
        pub const TARGET_MAC: Range<usize> = 18..24 => target_mac: [u8; 6];
        pub const TARGET_IP: Range<usize> = 24..28 => target_ip: [u8; 4];
    }
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
