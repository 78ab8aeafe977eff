//! The UDP header (RFC 768) as a zero-copy view: field ranges in [`field`] and [`UdpHeader`],
//! checked once (8 bytes). The length field is reported as written; [`UdpHeader::payload_end`]
//! applies Wireshark's reading of it (a length below 8 or past the packet is not trusted).

use super::view::header_view;

pub const HEADER_LEN: usize = 8;

header_view! {
    /// A view of a UDP header at the start of `bytes` (which may run on into the payload).
    pub struct UdpHeader, checked to HEADER_LEN, with new;
    /// Byte ranges of the header's fields.
    pub mod field {
        pub const SRC_PORT: Range<usize> = 0..2 => src_port: u16;
        pub const DST_PORT: Range<usize> = 2..4 => dst_port: u16;
        pub const LENGTH: Range<usize> = 4..6 => length: u16;
        pub const CHECKSUM: Range<usize> = 6..8 => checksum: u16;
    }
}

impl<'a> UdpHeader<'a> {
    /// End of the datagram from the header's start: the length field when it is at least 8,
    /// clipped to `available`; else `available`.
    pub fn payload_end(&self, available: usize) -> usize {
        match usize::from(self.length()) {
            len if len >= HEADER_LEN => len.min(available),
            _ => available,
        }
    }

    /// The payload as captured, within the length field.
    pub fn payload(&self) -> &'a [u8] {
        let end = self.payload_end(self.bytes.len());
        &self.bytes[HEADER_LEN..end.max(HEADER_LEN)]
    }
}

/// The source and destination ports at the start of a TCP or UDP header (the first four bytes,
/// the same in both), when they were captured even if the rest of the header was not.
pub fn ports(bytes: &[u8]) -> Option<(u16, u16)> {
    Some((super::bytes::be16(bytes, 0)?, super::bytes::be16(bytes, 2)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_query_header() {
        let d = [
            0xd4, 0x31, 0x00, 0x35, 0x00, 0x0a, 0xab, 0xcd, 0x12, 0x34, 0xff,
        ];
        let udp = UdpHeader::new(&d).unwrap();
        assert_eq!(
            (udp.src_port(), udp.dst_port(), udp.length()),
            (54321, 53, 10)
        );
        assert_eq!(udp.payload(), &[0x12, 0x34]);
        assert!(UdpHeader::new(&d[..7]).is_err());
        let mut short = d;
        short[5] = 3;
        assert_eq!(UdpHeader::new(&short).unwrap().payload().len(), 3);
        assert_eq!(ports(&d[..4]), Some((54321, 53)));
        assert_eq!(ports(&d[..3]), None);
    }
}
