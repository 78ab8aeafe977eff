//! The GRE header (RFC 2784 / 2890, and the enhanced version 1 PPTP uses, RFC 2637) as a
//! zero-copy view: [`GreHeader`] is checked once — the 4-byte base header, a version of 0 or 1,
//! and every optional field its flags announce — and then knows where each optional field is.
//! What the protocol type carries (Ethernet, IP, PPP, an Aruba 802.11 frame, ERSPAN) is the
//! layer walker's business, not this view's.

use super::error::{need, WireError};
use super::view::{be16_at, be32_at};

/// Checksum present (and, in version 0, the offset field with it).
pub const FLAG_C: u16 = 0x8000;
/// Routing present (RFC 1701, obsolete): checksum and offset fields are present too.
pub const FLAG_R: u16 = 0x4000;
pub const FLAG_K: u16 = 0x2000;
pub const FLAG_S: u16 = 0x1000;
/// Acknowledgment number present (version 1 only).
pub const FLAG_A: u16 = 0x0080;

pub const BASE_LEN: usize = 4;

/// Byte ranges of the base header's fields.
pub mod field {
    use std::ops::Range;
    pub const FLAGS: Range<usize> = 0..2;
    pub const PROTOCOL: Range<usize> = 2..4;
}

/// Byte ranges of the optional fields, each from the offset its `*_at` accessor gives.
pub mod opt_field {
    use std::ops::Range;
    /// After [`super::GreHeader::checksum_at`]: the checksum, then the (routing) offset.
    pub const CHECKSUM: Range<usize> = 0..2;
    pub const OFFSET: Range<usize> = 2..4;
    /// After [`super::GreHeader::key_at`]: the key, or in version 1 the payload length and
    /// call ID.
    pub const KEY: Range<usize> = 0..4;
    pub const PAYLOAD_LEN: Range<usize> = 0..2;
    pub const CALL_ID: Range<usize> = 2..4;
    /// After [`super::GreHeader::sequence_at`] and [`super::GreHeader::ack_at`].
    pub const SEQUENCE: Range<usize> = 0..4;
    pub const ACK: Range<usize> = 0..4;
}

/// A view of a GRE header at the start of `bytes`.
#[derive(Debug, Clone, Copy)]
pub struct GreHeader<'a> {
    bytes: &'a [u8],
    len: usize,
}

impl<'a> GreHeader<'a> {
    /// Views the header at the start of `bytes`: its version must be 0 or 1 and every optional
    /// field its flags announce must have been captured.
    pub fn new(bytes: &'a [u8]) -> Result<Self, WireError> {
        need(bytes, BASE_LEN)?;
        match be16_at(bytes, field::FLAGS.start) & 7 {
            0 | 1 => Self::any_version(bytes),
            version => Err(WireError::Malformed {
                field: "gre.version",
                value: u32::from(version),
            }),
        }
    }

    /// Views the header whatever its version says (2 to 7 are undefined: no checksum or
    /// acknowledgment field, a 4-byte key and the sequence number when their flags say so);
    /// every announced field must be there. The details tree uses it to show a header with an
    /// undefined version field by field; everyone else wants [`GreHeader::new`].
    pub fn any_version(bytes: &'a [u8]) -> Result<Self, WireError> {
        need(bytes, BASE_LEN)?;
        let flags = be16_at(bytes, field::FLAGS.start);
        let len = BASE_LEN + 4 * Self::optional_words(flags);
        need(bytes, len)?;
        Ok(GreHeader { bytes, len })
    }

    /// How many 4-byte optional fields the flags announce.
    fn optional_words(flags: u16) -> usize {
        let version = flags & 7;
        let checksum = version == 0 && flags & (FLAG_C | FLAG_R) != 0;
        let ack = version == 1 && flags & FLAG_A != 0;
        [checksum, flags & FLAG_K != 0, flags & FLAG_S != 0, ack]
            .iter()
            .filter(|&&present| present)
            .count()
    }

    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    fn be16(&self, at: usize) -> u16 {
        be16_at(self.bytes, at)
    }

    fn be32(&self, at: usize) -> u32 {
        be32_at(self.bytes, at)
    }

    pub fn flags(&self) -> u16 {
        self.be16(field::FLAGS.start)
    }

    pub fn version(&self) -> u16 {
        self.flags() & 7
    }

    pub fn protocol(&self) -> u16 {
        self.be16(field::PROTOCOL.start)
    }

    /// Header length, optional fields included.
    pub fn header_len(&self) -> usize {
        self.len
    }

    /// Offset of the checksum field (and the offset field after it), when present.
    pub fn checksum_at(&self) -> Option<usize> {
        let f = self.flags();
        (self.version() == 0 && f & (FLAG_C | FLAG_R) != 0).then_some(BASE_LEN)
    }

    /// Offset of the key field (version 1: payload length and call ID), when present.
    pub fn key_at(&self) -> Option<usize> {
        (self.flags() & FLAG_K != 0)
            .then(|| BASE_LEN + 4 * usize::from(self.checksum_at().is_some()))
    }

    /// Offset of the sequence number, when present.
    pub fn sequence_at(&self) -> Option<usize> {
        (self.flags() & FLAG_S != 0).then(|| {
            BASE_LEN
                + 4 * (usize::from(self.checksum_at().is_some())
                    + usize::from(self.key_at().is_some()))
        })
    }

    /// Offset of the acknowledgment number (version 1), when present.
    pub fn ack_at(&self) -> Option<usize> {
        (self.version() == 1 && self.flags() & FLAG_A != 0).then(|| self.len - 4)
    }

    pub fn checksum(&self) -> Option<u16> {
        self.checksum_at().map(|at| self.be16(at))
    }

    /// The offset field after the checksum (RFC 1701 routing), when present.
    pub fn routing_offset(&self) -> Option<u16> {
        self.checksum_at()
            .map(|at| self.be16(at + opt_field::OFFSET.start))
    }

    /// Version 1 (PPTP): the key field's payload length and call ID, when present.
    pub fn payload_len_and_call_id(&self) -> Option<(u16, u16)> {
        let at = self.key_at().filter(|_| self.version() == 1)?;
        Some((
            self.be16(at + opt_field::PAYLOAD_LEN.start),
            self.be16(at + opt_field::CALL_ID.start),
        ))
    }

    pub fn key(&self) -> Option<u32> {
        self.key_at().map(|at| self.be32(at))
    }

    pub fn sequence(&self) -> Option<u32> {
        self.sequence_at().map(|at| self.be32(at))
    }

    pub fn ack(&self) -> Option<u32> {
        self.ack_at().map(|at| self.be32(at))
    }

    /// The payload as captured.
    pub fn payload(&self) -> &'a [u8] {
        &self.bytes[self.len..]
    }
}

/// GRE protocol types Wireshark hands to its 802.11 dissector (Aruba's WLAN tunnels,
/// 0x8200 to 0x8370 in steps of 0x10).
pub fn is_aruba(protocol: u16) -> bool {
    (0x8200..=0x8370).contains(&protocol) && protocol & 0x000F == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_fields_are_located_from_the_flags() {
        // Version 0 with checksum, key and sequence: 16 bytes, then an IPv4 byte.
        let g = [
            0xb0, 0x00, 0x08, 0x00, 0xab, 0xcd, 0, 0, 0, 0, 0, 7, 0, 0, 0, 9, 0x45,
        ];
        let h = GreHeader::new(&g).unwrap();
        assert_eq!((h.header_len(), h.protocol()), (16, 0x0800));
        assert_eq!(
            (h.checksum(), h.key(), h.sequence(), h.ack()),
            (Some(0xabcd), Some(7), Some(9), None)
        );
        assert_eq!(h.payload(), &[0x45]);
        assert_eq!(
            (h.routing_offset(), h.payload_len_and_call_id()),
            (Some(0), None)
        );
        assert!(GreHeader::new(&g[..15]).is_err());
    }

    #[test]
    fn enhanced_gre_has_an_ack_and_no_checksum() {
        // Version 1 (PPTP): K, S and A set; payload length, call id, seq, ack.
        let g = [0x30, 0x81, 0x88, 0x0b, 0, 4, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];
        let h = GreHeader::new(&g).unwrap();
        assert_eq!((h.version(), h.header_len()), (1, 16));
        assert_eq!(
            (h.key_at(), h.sequence(), h.ack()),
            (Some(4), Some(2), Some(3))
        );
        assert_eq!(h.payload_len_and_call_id(), Some((4, 1)));
        let mut v2 = g;
        v2[1] = 0x02;
        assert!(GreHeader::new(&v2).is_err());
        let any = GreHeader::any_version(&v2).unwrap();
        assert_eq!(
            (any.header_len(), any.key(), any.ack()),
            (12, Some(0x0004_0001), None)
        );
    }
}
