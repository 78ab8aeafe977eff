//! The IPv6 header (RFC 8200) and its extension-header chain as zero-copy views: the fixed
//! header's field ranges in [`field`], [`Ipv6Header`] (checked once: 40 bytes, version 6) and
//! [`Extensions`], which walks hop-by-hop, routing, fragment, destination-options and
//! authentication headers to the upper-layer protocol, at most [`MAX_EXTENSIONS`] of them, and
//! says whether the chain ended early. Lengths are reported as written: a payload length of 0
//! (a jumbogram, or segmentation offload) or one past the capture is for the caller to judge.
//!
//! etherparse's `LaxIpv6Slice` walks the same chain but hides where each extension header sits,
//! which the details tree and the filter's byte fields need, so the chain is walked here.

use super::view::{header_view, versioned_view};

/// Byte ranges of an extension header's fields, from the extension header's first byte.
pub mod ext_field {
    use std::ops::Range;
    pub const NEXT_HEADER: usize = 0;
    /// Length in 8-byte units after the first 8 (AH: 4-byte units after the first 8).
    pub const LENGTH: usize = 1;
    /// Hop-by-hop and destination options: the option list after next header and length.
    pub const OPTIONS: usize = 2;
    pub const ROUTING_TYPE: usize = 2;
    pub const SEGMENTS_LEFT: usize = 3;
    /// Routing types 0, 2 and 4: 16-byte addresses from here.
    pub const ROUTING_ADDRESSES: usize = 8;
    /// Fragment header: offset (13 bits), two reserved bits, M flag.
    pub const FRAG_OFFSET_FLAGS: Range<usize> = 2..4;
    pub const FRAG_IDENT: Range<usize> = 4..8;
    pub const AH_SPI: Range<usize> = 4..8;
    pub const AH_SEQUENCE: Range<usize> = 8..12;
    /// The AH integrity check value, to the header's end.
    pub const AH_ICV: usize = 12;
}

/// Length of the fixed header.
pub const HEADER_LEN: usize = 40;

/// Most extension headers walked before the chain is given up as malformed.
pub const MAX_EXTENSIONS: usize = 16;

/// IP protocol numbers that are IPv6 extension headers (hop-by-hop, routing, fragment, AH,
/// destination options).
pub fn is_extension(next_header: u8) -> bool {
    matches!(next_header, 0 | 43 | 44 | 51 | 60)
}

header_view! {
    /// A view of an IPv6 header at the start of `bytes` (which may run on into the payload).
    pub struct Ipv6Header, checked to HEADER_LEN;
    /// Byte ranges of the fixed header's fields, from the header's first byte.
    pub mod field {
        /// Version, traffic class and flow label.
        pub const VER_TC_FLOW: Range<usize> = 0..4 => ver_tc_flow: u32;
        /// The bytes each part of the first word touches (the version nibble, the traffic
        /// class across the first two bytes, the 20-bit flow label in the last three).
        pub const VERSION: Range<usize> = 0..1;
        pub const TRAFFIC_CLASS: Range<usize> = 0..2;
        pub const FLOW_LABEL: Range<usize> = 1..4;
        pub const PAYLOAD_LEN: Range<usize> = 4..6 => payload_len: u16;
        pub const NEXT_HEADER: usize = 6 => next_header: u8;
        pub const HOP_LIMIT: usize = 7 => hop_limit: u8;
        pub const SRC: Range<usize> = 8..24 => src: [u8; 16];
        pub const DST: Range<usize> = 24..40 => dst: [u8; 16];
    }
}

versioned_view!(Ipv6Header, version 6 named "ipv6.version");

impl<'a> Ipv6Header<'a> {
    pub fn traffic_class(&self) -> u8 {
        (self.ver_tc_flow() >> 20) as u8
    }

    pub fn flow_label(&self) -> u32 {
        self.ver_tc_flow() & 0x000f_ffff
    }

    /// The extension headers after the fixed header, within the first `end` bytes of the view
    /// (the packet's end as the caller frames it).
    pub fn extensions(&self, end: usize) -> Extensions<'a> {
        Extensions {
            bytes: &self.bytes[..end.clamp(HEADER_LEN, self.bytes.len())],
            at: HEADER_LEN,
            next: self.next_header(),
            walked: 0,
            stopped: false,
        }
    }
}

/// One extension header: its protocol number, where it is (offsets from the IPv6 header's
/// start) and the protocol after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extension {
    pub kind: u8,
    pub start: usize,
    pub len: usize,
    pub next: u8,
}

impl Extension {
    /// The extension header of protocol `kind` at `at` in `bytes` (offsets count from the
    /// bytes' start), when its next-header and length bytes and every byte its length announces
    /// are there. [`Extensions`] reads each header of a chain with it; IPv4 carries AH (51)
    /// directly, outside any chain.
    pub fn at(bytes: &[u8], kind: u8, at: usize) -> Option<Extension> {
        let next = super::bytes::u8(bytes, at + ext_field::NEXT_HEADER)?;
        let raw_len = usize::from(super::bytes::u8(bytes, at + ext_field::LENGTH)?);
        let len = match kind {
            44 => 8,
            51 => (raw_len + 2) * 4,
            _ => (raw_len + 1) * 8,
        };
        super::bytes::slice(bytes, at, len)?;
        Some(Extension {
            kind,
            start: at,
            len,
            next,
        })
    }

    /// The extension header's bytes in `ipv6` (the bytes its [`Ipv6Header`] views; empty when
    /// given other bytes that are too short).
    pub fn bytes<'a>(&self, ipv6: &'a [u8]) -> &'a [u8] {
        super::bytes::slice(ipv6, self.start, self.len).unwrap_or_default()
    }

    /// The length byte as written.
    pub fn raw_len(&self, ipv6: &[u8]) -> u8 {
        super::bytes::u8(ipv6, self.start + ext_field::LENGTH).unwrap_or_default()
    }

    /// The fragment header's offset (bytes), M flag and identification.
    pub fn fragment(&self, ipv6: &[u8]) -> Option<Fragment> {
        if self.kind != 44 {
            return None;
        }
        let word = super::bytes::be16(ipv6, self.start + 2)?;
        Some(Fragment {
            offset: u32::from(word >> 3) * 8,
            more: word & 1 != 0,
            reserved_bits: word & 0x0006,
            ident: super::bytes::be32(ipv6, self.start + 4)?,
        })
    }
}

/// The fields of an IPv6 fragment header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fragment {
    pub offset: u32,
    pub more: bool,
    pub reserved_bits: u16,
    pub ident: u32,
}

/// Walks an extension-header chain; after the last one, [`Extensions::upper`] is the
/// upper-layer protocol and where it starts.
#[derive(Debug, Clone)]
pub struct Extensions<'a> {
    bytes: &'a [u8],
    at: usize,
    next: u8,
    walked: usize,
    stopped: bool,
}

impl Extensions<'_> {
    /// The protocol after the headers walked so far and its offset from the IPv6 header.
    pub fn upper(&self) -> (u8, usize) {
        (self.next, self.at)
    }

    /// The chain ended inside an extension header (cut, or longer than the packet) or ran past
    /// [`MAX_EXTENSIONS`]: `upper` is still an extension header.
    pub fn cut(&self) -> bool {
        self.stopped && is_extension(self.next)
    }
}

impl Iterator for Extensions<'_> {
    type Item = Extension;

    fn next(&mut self) -> Option<Extension> {
        if self.stopped || !is_extension(self.next) {
            return None;
        }
        self.walked += 1;
        let ext =
            Extension::at(self.bytes, self.next, self.at).filter(|_| self.walked <= MAX_EXTENSIONS);
        let Some(ext) = ext else {
            self.stopped = true;
            return None;
        };
        self.at += ext.len;
        self.next = ext.next;
        Some(ext)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(next: u8, payload_len: u16) -> Vec<u8> {
        let mut h = vec![0x60, 0, 0, 0];
        h.extend(payload_len.to_be_bytes());
        h.extend([next, 64]);
        h.extend(
            [0x20, 0x01, 0x0d, 0xb8]
                .iter()
                .chain([0u8; 11].iter())
                .chain([1].iter()),
        );
        h.extend(
            [0x20, 0x01, 0x0d, 0xb8]
                .iter()
                .chain([0u8; 11].iter())
                .chain([2].iter()),
        );
        h
    }

    #[test]
    fn walks_hop_by_hop_and_fragment_to_udp() {
        let mut p = header(0, 24);
        p.extend([44, 0, 1, 4, 0, 0, 0, 0]); // hop-by-hop: next fragment, PadN
        p.extend([17, 0, 0x00, 0x09, 0, 0, 0x12, 0x34]); // fragment: offset 8, M, id 0x1234
        p.extend([0; 8]);
        let h = Ipv6Header::new(&p).unwrap();
        let mut chain = h.extensions(p.len());
        let exts: Vec<_> = chain.by_ref().collect();
        assert_eq!(exts.len(), 2);
        assert_eq!(chain.upper(), (17, 56));
        assert!(!chain.cut());
        let frag = exts[1].fragment(&p).unwrap();
        assert_eq!((frag.offset, frag.more, frag.ident), (8, true, 0x1234));
        assert_eq!(h.payload_len(), 24);
        assert_eq!(h.dst()[15], 2);
    }

    #[test]
    fn a_cut_chain_is_reported_not_panicked_on() {
        let mut p = header(60, 16);
        p.extend([6, 1, 0, 0]); // destination options claiming 16 bytes, 4 captured
        let h = Ipv6Header::new(&p).unwrap();
        let mut chain = h.extensions(p.len());
        assert_eq!(chain.next(), None);
        assert!(chain.cut());
        for n in 0..40 {
            assert!(Ipv6Header::new(&p[..n]).is_err());
        }
    }
}
