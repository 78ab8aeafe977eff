//! Ethernet II / IEEE 802.3 headers and 802.1Q / 802.1ad VLAN tags as zero-copy views:
//! [`EthernetHeader`] checks once that the 14-byte header is there, [`VlanTag`] the 4-byte tag
//! after a TPID. Both the index's link decoder ([`super::link`]) and the details tree read
//! Ethernet and VLAN bytes only through them. etherparse's `Ethernet2HeaderSlice` and
//! `SingleVlanHeaderSlice` read the same bytes but do not say where a field is, and the details
//! tree must show a header cut short field by field, so the views are written here (etherparse's
//! slices are the oracle of the tests).

use super::view::header_view;

pub const HEADER_LEN: usize = 14;
pub const VLAN_TAG_LEN: usize = 4;
/// A type/length field up to this value is an IEEE 802.3 length, not an EtherType.
pub const MAX_8023_LEN: u16 = 1500;

header_view! {
    /// An Ethernet II or IEEE 802.3 header at the start of `bytes`.
    pub struct EthernetHeader, checked to HEADER_LEN, with new;
    /// Byte ranges of the Ethernet header's fields.
    pub mod field {
        pub const DST: Range<usize> = 0..6 => dst: [u8; 6];
        pub const SRC: Range<usize> = 6..12 => src: [u8; 6];
        /// EtherType (Ethernet II) or payload length (IEEE 802.3).
        pub const TYPE_OR_LEN: Range<usize> = 12..14 => type_or_len: u16;
    }
}

header_view! {
    /// An 802.1Q / 802.1ad tag (the 4 bytes after its TPID) at the start of `bytes`.
    pub struct VlanTag, checked to VLAN_TAG_LEN, with new;
    /// Byte ranges of a VLAN tag's fields (after its TPID).
    pub mod vlan_field {
        /// Priority, DEI and VLAN id: one 16-bit word.
        pub const TCI: Range<usize> = 0..2 => tci: u16;
        /// The EtherType (or 802.3 length) of what the tag carries.
        pub const ETHER_TYPE: Range<usize> = 2..4 => ether_type: u16;
    }
}

impl<'a> EthernetHeader<'a> {
    /// True for an IEEE 802.3 frame (a length, then LLC).
    pub fn is_8023(&self) -> bool {
        self.type_or_len() <= MAX_8023_LEN
    }
}

impl<'a> VlanTag<'a> {
    pub fn priority(&self) -> u16 {
        self.tci() >> 13
    }

    pub fn dei(&self) -> u16 {
        (self.tci() >> 12) & 1
    }

    #[inline]
    pub fn id(&self) -> u16 {
        self.tci() & 0x0fff
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ethernet_and_vlan_agree_with_etherparse() {
        // tcpdump/802.1ad_QinQ.pcap frame 1: broadcast, 88a8 tag (S-VLAN 100), 8100 tag
        // (VLAN 200, priority 5), ARP.
        let frame = [
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x0c, 0x29, 0x01, 0x02, 0x03, 0x88, 0xa8,
            0x00, 0x64, 0x81, 0x00, 0xa0, 0xc8, 0x08, 0x06,
        ];
        let eth = EthernetHeader::new(&frame).unwrap();
        let oracle = etherparse::Ethernet2HeaderSlice::from_slice(&frame).unwrap();
        assert_eq!(
            (eth.dst(), eth.src()),
            (oracle.destination(), oracle.source())
        );
        assert_eq!(eth.type_or_len(), oracle.ether_type().0);
        assert!(!eth.is_8023());
        let tag = VlanTag::new(&frame[14..]).unwrap();
        assert_eq!((tag.id(), tag.ether_type()), (100, 0x8100));
        let inner = VlanTag::new(&frame[18..]).unwrap();
        let oracle = etherparse::SingleVlanHeaderSlice::from_slice(&frame[18..]).unwrap();
        assert_eq!(inner.id(), oracle.vlan_identifier().value());
        assert_eq!(
            inner.priority(),
            u16::from(oracle.priority_code_point().value())
        );
        assert_eq!((inner.dei(), inner.ether_type()), (0, 0x0806));
        assert!(EthernetHeader::new(&frame[..13]).is_err());
        assert!(VlanTag::new(&frame[18..21]).is_err());
    }
}
