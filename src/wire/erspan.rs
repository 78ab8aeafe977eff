//! The ERSPAN type II header (draft-foschiano-erspan) as a zero-copy view: [`ErspanHeader`]
//! checks once that its 8 bytes are there and reads version, VLAN, CoS, truncation flag, session
//! ID and index. An Ethernet frame follows it; GRE announces it with protocol type 0x88BE and a
//! sequence number. etherparse does not parse ERSPAN, so the view is written here.

use super::view::header_view;

pub const HEADER_LEN: usize = 8;
/// The GRE protocol type of ERSPAN types I and II.
pub const GRE_PROTOCOL: u16 = 0x88be;

header_view! {
    /// An ERSPAN type II header at the start of `bytes`.
    pub struct ErspanHeader, checked to HEADER_LEN, with new;
    /// Byte ranges of the header's fields (several share bytes: they are bit ranges of two
    /// words).
    pub mod field {
        /// Version: the high nibble.
        pub const VERSION: Range<usize> = 0..1 => version: u32, shift 4;
        /// VLAN: the low 12 bits of the first two bytes.
        pub const VLAN: Range<usize> = 0..2 => vlan: u32, mask 0x0fff;
        /// Session ID: the low 10 bits of bytes 2–3.
        pub const SESSION_ID: Range<usize> = 2..4 => session_id: u32, mask 0x03ff;
        /// Index: the low 20 bits of the second word.
        pub const INDEX: Range<usize> = 4..8 => index: u32, mask 0x000f_ffff;
    }
}

impl<'a> ErspanHeader<'a> {
    /// The mirrored Ethernet frame as captured.
    pub fn payload(&self) -> &'a [u8] {
        &self.bytes[HEADER_LEN..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_ii_fields() {
        // Version 1 (type II), VLAN 0, session 100, index 0 (Wireshark's erspan sample).
        let h = ErspanHeader::new(&[0x10, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x05, 0xaa]).unwrap();
        assert_eq!(
            (h.version(), h.vlan(), h.session_id(), h.index()),
            (1, 0, 100, 5)
        );
        assert_eq!(h.payload(), &[0xaa]);
        assert!(ErspanHeader::new(&[0x10; 7]).is_err());
    }
}
