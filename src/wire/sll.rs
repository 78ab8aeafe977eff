//! Linux cooked capture headers as zero-copy views: [`SllHeader`] (LINKTYPE_LINUX_SLL, 16
//! bytes) and [`Sll2Header`] (LINKTYPE_LINUX_SLL2, 20 bytes), each checked once. The index's
//! link decoder ([`super::link`]) and the details tree read cooked headers only through them.
//! etherparse reads SLL v1 (`LinuxSllHeaderSlice`) but rejects packet types and ARPHRD values it
//! does not know, and has no SLL2, so the views are written here.

use super::view::header_view;

pub const SLL_LEN: usize = 16;
pub const SLL2_LEN: usize = 20;
/// Room for the link-layer address in either header.
pub const ADDR_ROOM: usize = 8;
/// ARPHRD values whose address is an Ethernet MAC.
pub const ARPHRD_ETHER: u16 = 1;
pub const ARPHRD_LOOPBACK: u16 = 772;

/// The address bytes (at most 8, as many as `len` says) at `r`.
fn address(b: &[u8], r: std::ops::Range<usize>, len: usize) -> &[u8] {
    &b[r.start..r.start + len.min(ADDR_ROOM)]
}

/// The MAC address when the ARPHRD type is Ethernet or loopback and the address is 6 bytes.
fn mac(hatype: u16, address: &[u8]) -> Option<[u8; 6]> {
    if !matches!(hatype, ARPHRD_ETHER | ARPHRD_LOOPBACK) {
        return None;
    }
    address.try_into().ok()
}

header_view! {
    /// A Linux cooked v1 header at the start of `bytes`.
    pub struct SllHeader, checked to SLL_LEN, with new;
    /// Byte ranges of the v1 header's fields.
    pub mod field {
        pub const PKTTYPE: Range<usize> = 0..2 => packet_type: u16;
        pub const HATYPE: Range<usize> = 2..4 => hatype: u16;
        pub const HALEN: Range<usize> = 4..6 => addr_len: u16;
        pub const ADDR: Range<usize> = 6..14;
        /// An EtherType, or one of Linux's small values (1: Novell 802.3, 4: 802.2 LLC).
        pub const PROTOCOL: Range<usize> = 14..16 => protocol: u16;
    }
}

impl<'a> SllHeader<'a> {
    /// The address bytes the length announces (at most 8).
    pub fn address(&self) -> &'a [u8] {
        address(self.bytes, field::ADDR, usize::from(self.addr_len()))
    }

    /// The sender's MAC address, for Ethernet and loopback interfaces.
    pub fn mac(&self) -> Option<[u8; 6]> {
        mac(self.hatype(), self.address())
    }
}

header_view! {
    /// A Linux cooked v2 header at the start of `bytes`.
    pub struct Sll2Header, checked to SLL2_LEN, with new;
    /// Byte ranges of the v2 header's fields.
    pub mod field2 {
        pub const PROTOCOL: Range<usize> = 0..2 => protocol: u16;
        pub const RESERVED: Range<usize> = 2..4 => reserved: u16;
        pub const IFINDEX: Range<usize> = 4..8 => ifindex: u32;
        pub const HATYPE: Range<usize> = 8..10 => hatype: u16;
        pub const PKTTYPE: usize = 10 => packet_type: u8;
        pub const HALEN: usize = 11 => addr_len: u8;
        pub const ADDR: Range<usize> = 12..20;
    }
}

impl<'a> Sll2Header<'a> {
    pub fn address(&self) -> &'a [u8] {
        address(self.bytes, field2::ADDR, usize::from(self.addr_len()))
    }

    pub fn mac(&self) -> Option<[u8; 6]> {
        mac(self.hatype(), self.address())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cooked_v1_agrees_with_etherparse() {
        // Sent by us (4), Ethernet (1), 6-byte address, IPv4.
        let h = [
            0, 4, 0, 1, 0, 6, 0x00, 0x0c, 0x29, 0x01, 0x02, 0x03, 0, 0, 0x08, 0x00, 0x45,
        ];
        let v = SllHeader::new(&h).unwrap();
        let oracle = etherparse::LinuxSllHeaderSlice::from_slice(&h).unwrap();
        assert_eq!(v.addr_len(), oracle.sender_address_valid_length());
        assert_eq!(v.address(), &oracle.sender_address()[..6]);
        assert_eq!((v.packet_type(), v.hatype(), v.protocol()), (4, 1, 0x0800));
        assert_eq!(v.mac(), Some([0x00, 0x0c, 0x29, 0x01, 0x02, 0x03]));
        assert!(SllHeader::new(&h[..15]).is_err());
    }

    #[test]
    fn cooked_v2_fields() {
        // IPv6, ifindex 3, ARPHRD 772 (loopback), outgoing (4), 6-byte address.
        let h = [
            0x86, 0xdd, 0, 0, 0, 0, 0, 3, 0x03, 0x04, 4, 6, 1, 2, 3, 4, 5, 6, 0, 0,
        ];
        let v = Sll2Header::new(&h).unwrap();
        assert_eq!((v.protocol(), v.reserved(), v.ifindex()), (0x86dd, 0, 3));
        assert_eq!((v.hatype(), v.packet_type(), v.addr_len()), (772, 4, 6));
        assert_eq!(v.mac(), Some([1, 2, 3, 4, 5, 6]));
        assert_eq!(v.address(), &[1, 2, 3, 4, 5, 6]);
        assert!(Sll2Header::new(&h[..19]).is_err());
    }
}
