//! The IPv4 header (RFC 791) as a zero-copy view: every field's byte range in [`field`], and
//! [`Ipv4Header`], which checks once that the 20-byte fixed header is there (and the version
//! nibble is 4) and then reads any field without a failure path. The header length, total
//! length and fragment fields are reported as they are written, never "corrected": the decoder,
//! the details tree and the filter each decide what a strange value means (Wireshark keeps
//! dissecting a total length of 0, which TCP segmentation offload produces, and flags a header
//! length below 20).
//!
//! etherparse's `Ipv4HeaderSlice` rejects exactly the headers a support engineer needs to see
//! (a total length shorter than the header, options cut by the snapshot length) and does not say
//! where a field is, so this view is written here in its style.

use super::view::{header_view, versioned_view};

/// Length of the fixed header (no options).
pub const HEADER_LEN: usize = 20;

header_view! {
    /// A view of an IPv4 header at the start of `bytes` (which may run on into the payload).
    pub struct Ipv4Header, checked to HEADER_LEN;
    /// Byte ranges of the fixed header's fields, from the header's first byte.
    pub mod field {
        pub const VER_IHL: usize = 0;
        /// The DS field (DSCP in the top six bits, ECN in the bottom two).
        pub const DS_FIELD: usize = 1 => ds_field: u8;
        /// The total-length field (header plus payload; 0 under segmentation offload).
        pub const LENGTH: Range<usize> = 2..4 => total_len: u16;
        pub const IDENT: Range<usize> = 4..6 => ident: u16;
        /// The flags and fragment offset word as written.
        pub const FLAGS_FRAG: Range<usize> = 6..8 => flags_frag: u16;
        pub const TTL: usize = 8 => ttl: u8;
        pub const PROTOCOL: usize = 9 => protocol: u8;
        pub const CHECKSUM: Range<usize> = 10..12 => checksum: u16;
        pub const SRC: Range<usize> = 12..16 => src: [u8; 4];
        pub const DST: Range<usize> = 16..20 => dst: [u8; 4];
    }
}

versioned_view!(Ipv4Header, version 4 named "ip.version");

impl<'a> Ipv4Header<'a> {
    /// Header length in bytes as the IHL field says (may be below 20: malformed).
    pub fn header_len(&self) -> usize {
        usize::from(self.bytes[field::VER_IHL] & 0x0f) * 4
    }

    pub fn dscp(&self) -> u8 {
        self.ds_field() >> 2
    }

    pub fn ecn(&self) -> u8 {
        self.ds_field() & 0x03
    }

    pub fn reserved_flag(&self) -> bool {
        self.flags_frag() & 0x8000 != 0
    }

    pub fn dont_fragment(&self) -> bool {
        self.flags_frag() & 0x4000 != 0
    }

    pub fn more_fragments(&self) -> bool {
        self.flags_frag() & 0x2000 != 0
    }

    /// Fragment offset in bytes (the field counts 8-byte units).
    pub fn frag_offset(&self) -> u32 {
        u32::from(self.flags_frag() & 0x1fff) * 8
    }

    /// Part of a fragmented datagram (MF set or a non-zero offset).
    pub fn is_fragment(&self) -> bool {
        self.flags_frag() & 0x3fff != 0
    }

    /// The whole header as captured (fewer bytes than `header_len` when the capture cut it),
    /// or `None` when the header length is below 20.
    pub fn header(&self) -> Option<&'a [u8]> {
        let len = self.header_len();
        (len >= HEADER_LEN).then(|| &self.bytes[..len.min(self.bytes.len())])
    }

    /// The options as captured (between the fixed header and the header length).
    pub fn options(&self) -> &'a [u8] {
        let end = self
            .header_len()
            .clamp(HEADER_LEN, self.bytes.len().max(HEADER_LEN));
        &self.bytes[HEADER_LEN..end.min(self.bytes.len())]
    }

    /// The options as captured, one by one (they share TCP's kind–length format; offsets count
    /// from the IPv4 header's start).
    pub fn option_list(&self) -> super::tcp::Options<'a> {
        super::tcp::Options::over(self.options())
    }

    /// Bytes of payload the header declares (total length minus header length; 0 when the
    /// total length is 0 or shorter than the header).
    pub fn declared_payload_len(&self) -> u32 {
        u32::from(self.total_len()).saturating_sub(self.header_len() as u32)
    }

    /// End of the packet (from the header's start) as the total length declares it, clipped to
    /// `available`; a total length of 0 (segmentation offload) means "up to `available`".
    pub fn packet_end(&self, available: usize) -> usize {
        match usize::from(self.total_len()) {
            0 => available,
            len => len.min(available),
        }
    }

    /// Whether the header checksum is right (the header must be complete).
    pub fn checksum_ok(&self) -> Option<bool> {
        let header = self.header()?;
        (header.len() == self.header_len())
            .then(|| super::checksum::fold(super::checksum::sum(header, 0)) == 0xffff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::WireError;

    /// A real SYN's IPv4 header (from the synack-2-bytes sample).
    const HEADER: [u8; 20] = [
        0x45, 0x00, 0x00, 0x3c, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06, 0xb1, 0xe6, 0xac, 0x10, 0x0a,
        0x63, 0xac, 0x10, 0x0a, 0x0c,
    ];

    #[test]
    fn reads_every_fixed_field() {
        let h = Ipv4Header::new(&HEADER).unwrap();
        assert_eq!(h.header_len(), 20);
        assert_eq!(h.total_len(), 60);
        assert_eq!(h.ident(), 0x1c46);
        assert!(h.dont_fragment() && !h.more_fragments() && !h.is_fragment());
        assert_eq!((h.ttl(), h.protocol()), (64, 6));
        assert_eq!(h.src(), [172, 16, 10, 99]);
        assert_eq!(h.dst(), [172, 16, 10, 12]);
        assert_eq!(h.checksum_ok(), Some(true));
        assert_eq!(h.declared_payload_len(), 40);
        let mut with_options = HEADER.to_vec();
        with_options[0] = 0x47;
        with_options.extend([1, 148, 4, 0, 0, 0, 0, 0]); // NOP, Router Alert 0, EOL, padding
        let h = Ipv4Header::new(&with_options).unwrap();
        let kinds: Vec<(u8, usize, usize)> = h
            .option_list()
            .map(|o| o.map(|o| (o.kind, o.start, o.len)).unwrap())
            .collect();
        assert_eq!(kinds, [(1, 20, 1), (148, 21, 4), (0, 25, 1)]);
    }

    #[test]
    fn agrees_with_etherparse_on_every_field() {
        let ours = Ipv4Header::new(&HEADER).unwrap();
        let theirs = etherparse::Ipv4HeaderSlice::from_slice(&HEADER).unwrap();
        assert_eq!(ours.total_len(), theirs.total_len());
        assert_eq!(ours.ident(), theirs.identification());
        assert_eq!(ours.ttl(), theirs.ttl());
        assert_eq!(ours.protocol(), theirs.protocol().0);
        assert_eq!(ours.src(), theirs.source());
        assert_eq!(ours.dst(), theirs.destination());
        assert_eq!(ours.checksum(), theirs.header_checksum());
    }

    #[test]
    fn short_or_foreign_headers_are_refused_not_panicked_on() {
        for n in 0..20 {
            assert!(matches!(
                Ipv4Header::new(&HEADER[..n]),
                Err(WireError::Truncated { needed: 20, .. })
            ));
        }
        let mut v6 = HEADER;
        v6[0] = 0x65;
        assert!(Ipv4Header::new(&v6).is_err());
        let mut bad_ihl = HEADER;
        bad_ihl[0] = 0x43;
        let h = Ipv4Header::new(&bad_ihl).unwrap();
        assert_eq!(h.header(), None);
        assert!(h.options().is_empty());
    }
}
