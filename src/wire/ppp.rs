//! PPP (RFC 1661/1662) and PPPoE (RFC 2516) headers as zero-copy views. [`PppHeader`] reads the
//! optional `FF 03` address/control bytes and the 1-byte (odd first byte, RFC 1661's protocol
//! field compression) or 2-byte protocol; [`PppoeHeader`] the 6-byte PPPoE header and the end of
//! the payload its length announces, [`PppControl`] the LCP/IPCP header and options and
//! [`pppoe_tags`] the discovery tags. The index's link decoder ([`super::link`]), the GRE walker
//! and the details tree read PPP and PPPoE only through them. etherparse parses neither.

use super::error::{need, WireError};
use super::view::header_view;

pub const PPPOE_LEN: usize = 6;
pub const PROTO_IPV4: u16 = 0x0021;
pub const PROTO_IPV6: u16 = 0x0057;

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

header_view! {
    /// A PPPoE (discovery or session) header at the start of `bytes`.
    pub struct PppoeHeader, checked to PPPOE_LEN, with new;
    /// Byte ranges of the PPPoE header's fields.
    pub mod pppoe_field {
        /// Version (high nibble) and type (low nibble).
        pub const VER_TYPE: usize = 0 => ver_type: u8;
        pub const CODE: usize = 1 => code: u8;
        pub const SESSION_ID: Range<usize> = 2..4 => session_id: u16;
        pub const LENGTH: Range<usize> = 4..6 => payload_len: u16;
    }
}

impl<'a> PppoeHeader<'a> {
    pub fn version(&self) -> u8 {
        self.ver_type() >> 4
    }

    pub fn kind(&self) -> u8 {
        self.ver_type() & 0x0f
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

/// PPP's control protocols (LCP, IPCP, IPV6CP, CCP) share a 4-byte header: code, identifier,
/// length; configure messages (codes 1–4) carry type–length options after it.
pub const CONTROL_LEN: usize = 4;
/// At most this many control options or PPPoE tags are walked.
pub const MAX_CONTROL_OPTIONS: usize = 64;
pub const MAX_PPPOE_TAGS: usize = 128;

header_view! {
    /// An LCP/IPCP/IPV6CP/CCP packet at the start of `bytes`.
    pub struct PppControl, checked to CONTROL_LEN, with new;
    /// Byte ranges of a control protocol header's fields.
    pub mod control_field {
        pub const CODE: usize = 0 => code: u8;
        pub const IDENTIFIER: usize = 1 => identifier: u8;
        pub const LENGTH: Range<usize> = 2..4 => length: u16;
    }
}

impl<'a> PppControl<'a> {
    /// The end of the packet (from its start): its length, or the captured end if sooner.
    pub fn end(&self) -> usize {
        usize::from(self.length()).min(self.bytes.len())
    }

    /// True for Configure-Request/Ack/Nak/Reject, which carry options.
    pub fn has_options(&self) -> bool {
        (1..=4).contains(&self.code())
    }

    /// The options as (start from the packet's start, type, length): each at least 2 bytes and
    /// inside the packet; the walk stops at the first that is not.
    pub fn options(&self) -> impl Iterator<Item = (usize, u8, usize)> + 'a {
        let (bytes, end) = (self.bytes, self.end());
        let mut at = CONTROL_LEN;
        (0..MAX_CONTROL_OPTIONS).map_while(move |_| {
            let (kind, len) = (*bytes.get(at)?, usize::from(*bytes.get(at + 1)?));
            if at + 2 > end || len < 2 || at + len > end {
                return None;
            }
            let start = at;
            at += len;
            Some((start, kind, len))
        })
    }
}

/// One PPPoE discovery tag: where it starts in the payload, its type, its length field and its
/// value as captured (cut at the captured end when the length runs past it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PppoeTag<'a> {
    pub start: usize,
    pub kind: u16,
    pub len: usize,
    pub value: &'a [u8],
}

/// The tags of a PPPoE discovery payload: `payload` as captured, `declared` bytes long by the
/// header's length field. The walk ends after End-Of-List (type 0) or the declared end.
pub fn pppoe_tags(payload: &[u8], declared: usize) -> impl Iterator<Item = PppoeTag<'_>> + '_ {
    let mut at = 0;
    let mut done = false;
    (0..MAX_PPPOE_TAGS).map_while(move |_| {
        if done {
            return None;
        }
        let kind = u16::from_be_bytes([*payload.get(at)?, *payload.get(at + 1)?]);
        let len = usize::from(u16::from_be_bytes([
            *payload.get(at + 2)?,
            *payload.get(at + 3)?,
        ]));
        let rest = &payload[at + 4..];
        let tag = PppoeTag {
            start: at,
            kind,
            len,
            value: rest.get(..len).unwrap_or(rest),
        };
        at += 4 + len;
        done = kind == 0 || at >= declared;
        Some(tag)
    })
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
    fn lcp_options_and_pppoe_tags() {
        // LCP Configure-Request, id 1, length 14: MRU 1492, magic number.
        let lcp = [1, 1, 0, 14, 1, 4, 5, 0xd4, 5, 6, 1, 2, 3, 4, 0xff];
        let c = PppControl::new(&lcp).unwrap();
        assert_eq!(
            (c.code(), c.identifier(), c.length(), c.end()),
            (1, 1, 14, 14)
        );
        let opts: Vec<_> = c.options().collect();
        assert_eq!(opts, vec![(4, 1, 4), (8, 5, 6)]);
        // PADI: Service-Name (empty), Host-Uniq of 2 bytes, then a tag cut by the capture.
        let tags = [1, 1, 0, 0, 1, 3, 0, 2, 0xab, 0xcd, 1, 2, 0, 9, 0x41];
        let t: Vec<_> = pppoe_tags(&tags, 30).collect();
        assert_eq!(t.len(), 3);
        assert_eq!(
            (t[1].start, t[1].kind, t[1].value),
            (4, 0x0103, &[0xab, 0xcd][..])
        );
        assert_eq!((t[2].len, t[2].value), (9, &[0x41][..]));
        assert_eq!(pppoe_tags(&tags, 4).count(), 1);
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
