//! The ERSPAN type II header (draft-foschiano-erspan) as a zero-copy view: [`ErspanHeader`]
//! checks once that its 8 bytes are there and reads version, VLAN, CoS, truncation flag, session
//! ID and index. An Ethernet frame follows it; GRE announces it with protocol type 0x88BE and a
//! sequence number. etherparse does not parse ERSPAN, so the view is written here.

use super::view::fixed_view;

pub const HEADER_LEN: usize = 8;
/// The GRE protocol type of ERSPAN types I and II.
pub const GRE_PROTOCOL: u16 = 0x88be;

/// Byte ranges of the header's fields (several share bytes: they are bit ranges of two words).
pub mod field {
    use std::ops::Range;
    /// Version: the high nibble.
    pub const VERSION: Range<usize> = 0..1;
    /// VLAN: the low 12 bits of the first two bytes.
    pub const VLAN: Range<usize> = 0..2;
    /// Session ID: the low 10 bits of bytes 2–3.
    pub const SESSION_ID: Range<usize> = 2..4;
    /// Index: the low 20 bits of the second word.
    pub const INDEX: Range<usize> = 4..8;
}

fixed_view! {
    /// An ERSPAN type II header at the start of `bytes`.
    ErspanHeader, HEADER_LEN
}

impl<'a> ErspanHeader<'a> {
    fn word(&self, at: usize) -> u32 {
        let b = &self.bytes[at..at + 4];
        u32::from_be_bytes([b[0], b[1], b[2], b[3]])
    }

    pub fn version(&self) -> u32 {
        self.word(0) >> 28
    }

    pub fn vlan(&self) -> u32 {
        (self.word(0) >> 16) & 0x0fff
    }

    pub fn session_id(&self) -> u32 {
        self.word(0) & 0x03ff
    }

    pub fn index(&self) -> u32 {
        self.word(4) & 0x000f_ffff
    }

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
