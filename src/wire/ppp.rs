//! PPP (RFC 1661/1662) and PPPoE (RFC 2516) headers as zero-copy views. [`PppHeader`] reads the
//! optional `FF 03` address/control bytes and the 1-byte (odd first byte, RFC 1661's protocol
//! field compression) or 2-byte protocol; [`PppoeHeader`] the 6-byte PPPoE header and the end of
//! the payload its length announces. The index's link decoder ([`super::link`]), the GRE walker
//! and the details tree read PPP and PPPoE only through them. etherparse parses neither.

use super::error::{need, WireError};

pub const PPPOE_LEN: usize = 6;
pub const PROTO_IPV4: u16 = 0x0021;
pub const PROTO_IPV6: u16 = 0x0057;

/// Byte ranges of the PPPoE header's fields.
pub mod pppoe_field {
    use std::ops::Range;
    /// Version (high nibble) and type (low nibble).
    pub const VER_TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const SESSION_ID: Range<usize> = 2..4;
    pub const LENGTH: Range<usize> = 4..6;
}

/// True when `bytes` starts with PPP's `FF 03` address and control bytes (HDLC-like framing).
#[inline]
pub fn starts_with_address_control(bytes: &[u8]) -> bool {
    bytes.get(0..2) == Some(&[0xff, 0x03])
}

/// How many address/control bytes `bytes` starts with: 2 or 0.
pub fn address_control_len(bytes: &[u8]) -> usize {
    if starts_with_address_control(bytes) {
        2
    } else {
        0
    }
}

/// A PPP header at the start of `bytes`: where the protocol field is and how long it is.
#[derive(Debug, Clone, Copy)]
pub struct PppHeader {
    /// True when the header starts with the `FF 03` address and control bytes.
    address_control: bool,
    protocol: u16,
    /// 1 (compressed) or 2.
    protocol_len: usize,
}

impl PppHeader {
    /// A header that may start with `FF 03` (HDLC-like framing, PPP over GRE).
    #[inline]
    pub fn new(bytes: &[u8]) -> Result<Self, WireError> {
        let skip = address_control_len(bytes);
        Self::protocol_at(bytes, skip, skip == 2)
    }

    /// A header that starts with the protocol field (a PPPoE session's payload).
    #[inline]
    pub fn without_address(bytes: &[u8]) -> Result<Self, WireError> {
        Self::protocol_at(bytes, 0, false)
    }

    #[inline]
    fn protocol_at(bytes: &[u8], at: usize, address_control: bool) -> Result<Self, WireError> {
        need(bytes, at + 1)?;
        let first = bytes[at];
        let (protocol, protocol_len) = if first & 0x01 == 1 {
            (u16::from(first), 1)
        } else {
            need(bytes, at + 2)?;
            (u16::from_be_bytes([first, bytes[at + 1]]), 2)
        };
        Ok(PppHeader {
            address_control,
            protocol,
            protocol_len,
        })
    }

    pub fn has_address_control(&self) -> bool {
        self.address_control
    }

    /// Where the protocol field starts.
    pub fn protocol_offset(&self) -> usize {
        if self.address_control {
            2
        } else {
            0
        }
    }

    pub fn protocol_len(&self) -> usize {
        self.protocol_len
    }

    pub fn compressed(&self) -> bool {
        self.protocol_len == 1
    }

    #[inline]
    pub fn protocol(&self) -> u16 {
        self.protocol
    }

    /// The header's length: where the protocol's packet starts.
    #[inline]
    pub fn len(&self) -> usize {
        self.protocol_offset() + self.protocol_len
    }

    /// Never empty (the protocol field is at least one byte); for clippy's `len` rule.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The EtherType of an IPv4 or IPv6 payload, else 0.
    #[inline]
    pub fn ether_type(&self) -> u16 {
        match self.protocol {
            PROTO_IPV4 => super::link::ETHERTYPE_IPV4,
            PROTO_IPV6 => super::link::ETHERTYPE_IPV6,
            _ => 0,
        }
    }
}

/// A PPPoE (discovery or session) header at the start of `bytes`.
#[derive(Debug, Clone, Copy)]
pub struct PppoeHeader<'a> {
    bytes: &'a [u8],
}

impl<'a> PppoeHeader<'a> {
    #[inline]
    pub fn new(bytes: &'a [u8]) -> Result<Self, WireError> {
        need(bytes, PPPOE_LEN)?;
        Ok(PppoeHeader { bytes })
    }

    pub fn version(&self) -> u8 {
        self.bytes[pppoe_field::VER_TYPE] >> 4
    }

    pub fn kind(&self) -> u8 {
        self.bytes[pppoe_field::VER_TYPE] & 0x0f
    }

    pub fn ver_type(&self) -> u8 {
        self.bytes[pppoe_field::VER_TYPE]
    }

    pub fn code(&self) -> u8 {
        self.bytes[pppoe_field::CODE]
    }

    pub fn session_id(&self) -> u16 {
        u16::from_be_bytes([self.bytes[2], self.bytes[3]])
    }

    #[inline]
    pub fn payload_len(&self) -> u16 {
        u16::from_be_bytes([self.bytes[4], self.bytes[5]])
    }

    /// End of the payload (from the header's start) by the length field; `None` (the rest of
    /// the frame) when the field is 0 or runs past the bytes, as Wireshark does.
    #[inline]
    pub fn payload_end(&self) -> Option<usize> {
        let len = usize::from(self.payload_len());
        let end = PPPOE_LEN + len;
        (len > 0 && end <= self.bytes.len()).then_some(end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ppp_protocol_field_forms() {
        let h = PppHeader::new(&[0xff, 0x03, 0x00, 0x21, 0x45]).unwrap();
        assert!(h.has_address_control() && !h.compressed());
        assert_eq!((h.protocol(), h.len(), h.ether_type()), (0x21, 4, 0x0800));
        let h = PppHeader::new(&[0x57, 0x60]).unwrap();
        assert!(h.compressed());
        assert_eq!((h.protocol(), h.len(), h.ether_type()), (0x57, 1, 0x86dd));
        let h = PppHeader::without_address(&[0xff, 0x03]).unwrap();
        assert_eq!((h.protocol(), h.len()), (0xff, 1));
        assert!(PppHeader::new(&[0xff, 0x03, 0x00]).is_err());
        assert!(PppHeader::new(&[]).is_err());
    }

    #[test]
    fn pppoe_length_ends_the_payload() {
        let mut b = vec![0x11, 0x00, 0x12, 0x34, 0x00, 0x03, 0x00, 0x21, 0x45];
        let h = PppoeHeader::new(&b).unwrap();
        assert_eq!((h.version(), h.kind(), h.code()), (1, 1, 0));
        assert_eq!((h.session_id(), h.payload_end()), (0x1234, Some(9)));
        b.truncate(8);
        assert_eq!(PppoeHeader::new(&b).unwrap().payload_end(), None);
        assert!(PppoeHeader::new(&b[..5]).is_err());
    }
}
