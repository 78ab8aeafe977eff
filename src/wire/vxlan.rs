//! The VXLAN header (RFC 7348) as a zero-copy view: flags and the 24-bit network identifier,
//! checked once (8 bytes). An Ethernet frame follows it.

use super::view::header_view;

pub const HEADER_LEN: usize = 8;
/// The "I" flag: the VNI is valid. Wireshark's heuristic and ours follow VXLAN only with it set.
pub const FLAG_VNI_VALID: u8 = 0x08;
/// The IANA port Wireshark dissects VXLAN on.
pub const PORT: u16 = 4789;

header_view! {
    /// A view of a VXLAN header at the start of `bytes`.
    pub struct VxlanHeader, checked to HEADER_LEN, with new;
    /// Byte ranges of the header's fields.
    pub mod field {
        /// The flags as Wireshark shows them: 16 bits, the I flag being 0x0800, the G (group
        /// policy) flag 0x8000.
        pub const FLAGS: Range<usize> = 0..2 => flags16: u16;
        pub const VNI: Range<usize> = 4..7 => vni: u32;
        /// The last byte (reserved).
        pub const RESERVED: usize = 7 => reserved: u8;
    }
}

impl<'a> VxlanHeader<'a> {
    /// The first byte of the flags (the I flag is [`FLAG_VNI_VALID`]).
    pub fn flags(&self) -> u8 {
        self.bytes[field::FLAGS.start]
    }

    pub fn vni_valid(&self) -> bool {
        self.flags() & FLAG_VNI_VALID != 0
    }

    /// The inner Ethernet frame as captured.
    pub fn payload(&self) -> &'a [u8] {
        &self.bytes[HEADER_LEN..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vni() {
        let h = VxlanHeader::new(&[0x08, 0, 0, 0, 0, 0x12, 0x34, 0, 0xaa]).unwrap();
        assert!(h.vni_valid());
        assert_eq!((h.flags16(), h.reserved()), (0x0800, 0));
        assert_eq!((h.vni(), h.payload()), (0x1234, &[0xaa][..]));
        assert!(VxlanHeader::new(&[0x08; 7]).is_err());
    }
}
