//! ICMP (RFC 792) and ICMPv6 (RFC 4443) as zero-copy views: [`IcmpHeader`] is the 8-byte
//! header both share (type, code, checksum and the four "rest of header" bytes — the echo
//! identifier and sequence number, or what an error message puts there), checked once.
//! [`is_error`] says which types quote the packet in error, and [`quoted`] reads the quoted
//! IP header and transport ports with the same IPv4 / IPv6 / TCP views as every other layer.

use super::ipv4::Ipv4Header;
use super::ipv6::Ipv6Header;
use super::view::header_view;
use std::net::IpAddr;

pub const HEADER_LEN: usize = 8;

header_view! {
    /// A view of an ICMP or ICMPv6 header at the start of `bytes`.
    pub struct IcmpHeader, checked to HEADER_LEN, with new;
    /// Byte ranges of the header's fields.
    pub mod field {
        /// The type.
        pub const TYPE: usize = 0 => kind: u8;
        pub const CODE: usize = 1 => code: u8;
        pub const CHECKSUM: Range<usize> = 2..4 => checksum: u16;
        /// The echo identifier (bytes 4–5).
        pub const IDENT: Range<usize> = 4..6 => ident: u16;
        /// The echo sequence number (bytes 6–7).
        pub const SEQ: Range<usize> = 6..8 => seq: u16;
        /// The four "rest of header" bytes as one word (an error's unused field, a redirect's
        /// gateway, ICMPv6's MTU or pointer).
        pub const REST: Range<usize> = 4..8 => rest_of_header: u32;
        /// ICMP parameter problem: the pointer byte.
        pub const POINTER: usize = 4;
        /// ICMP fragmentation needed: the next hop's MTU (RFC 1191).
        pub const NEXT_HOP_MTU: Range<usize> = 6..8;
        /// ICMP timestamp request and reply (types 13 and 14): milliseconds since midnight UTC.
        pub const ORIGINATE: Range<usize> = 8..12;
        pub const RECEIVE: Range<usize> = 12..16;
        pub const TRANSMIT: Range<usize> = 16..20;
    }
}

impl<'a> IcmpHeader<'a> {
    /// Everything after the 8-byte header as captured (an error's quoted packet, an echo's data).
    pub fn body(&self) -> &'a [u8] {
        &self.bytes[HEADER_LEN..]
    }
}

/// The type and code of an ICMP or ICMPv6 header cut before its checksum (Wireshark still
/// shows them), when those two bytes were captured.
pub fn type_code(bytes: &[u8]) -> Option<(u8, u8)> {
    Some((*bytes.first()?, *bytes.get(1)?))
}

/// Whether an ICMP (`v6` false) or ICMPv6 type quotes the packet in error.
pub fn is_error(v6: bool, kind: u8) -> bool {
    if v6 {
        (1..=4).contains(&kind)
    } else {
        matches!(kind, 3 | 4 | 5 | 11 | 12)
    }
}

/// The transport header quoted in an ICMP/ICMPv6 error message (the packet in error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IcmpQuote {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub ip_proto: u8,
    pub src_port: u16,
    pub dst_port: u16,
    /// TCP only (0 when not captured).
    pub seq: u32,
    pub ack: u32,
    pub tcp_flags: u8,
    /// TCP only: the window field as sent (0 when not captured).
    pub window: u16,
    /// Bytes of the quoted transport header present in the frame.
    pub captured: u16,
}

/// Reads the IP header and the TCP/UDP ports quoted in an error's body. A quoted later
/// fragment, a protocol other than TCP/UDP or a quote too short for the ports gives `None`.
pub fn quoted(body: &[u8]) -> Option<IcmpQuote> {
    let (src, dst, ip_proto, transport_at) = match body.first()? >> 4 {
        4 => {
            let ip = Ipv4Header::new(body).ok()?;
            let ihl = ip.header_len();
            if ihl < super::ipv4::HEADER_LEN || ip.frag_offset() != 0 {
                return None;
            }
            (
                IpAddr::from(ip.src()),
                IpAddr::from(ip.dst()),
                ip.protocol(),
                ihl,
            )
        }
        6 => {
            let ip = Ipv6Header::new(body).ok()?;
            (
                IpAddr::from(ip.src()),
                IpAddr::from(ip.dst()),
                ip.next_header(),
                super::ipv6::HEADER_LEN,
            )
        }
        _ => return None,
    };
    if !matches!(ip_proto, 6 | 17) {
        return None;
    }
    let transport = body.get(transport_at..)?;
    let captured = transport.len().min(usize::from(u16::MAX)) as u16;
    let read = super::bytes::be16;
    let (src_port, dst_port) = (read(transport, 0)?, read(transport, 2)?);
    let (tcp_flags, seq, ack, window) = if ip_proto == 6 {
        (
            transport.get(13).copied().unwrap_or(0),
            super::bytes::be32(transport, 4).unwrap_or(0),
            super::bytes::be32(transport, 8).unwrap_or(0),
            read(transport, 14).unwrap_or(0),
        )
    } else {
        (0, 0, 0, 0)
    };
    Some(IcmpQuote {
        src,
        dst,
        ip_proto,
        src_port,
        dst_port,
        seq,
        ack,
        tcp_flags,
        window,
        captured,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_unreachable_quotes_the_udp_ports() {
        let mut body = vec![
            0x45, 0, 0, 40, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        body.extend([0x30, 0x39, 0x00, 0x35, 0, 20, 0, 0]);
        let q = quoted(&body).unwrap();
        assert_eq!(
            (q.ip_proto, q.src_port, q.dst_port, q.captured),
            (17, 12345, 53, 8)
        );
        assert_eq!(q.dst, IpAddr::from([10, 0, 0, 2]));
        body[6] = 0x00;
        body[7] = 0x10; // a later fragment quotes no ports
        assert_eq!(quoted(&body), None);
        for n in 0..24 {
            assert_eq!(quoted(&body[..n]), None);
        }
    }

    #[test]
    fn echo_fields() {
        let icmp = IcmpHeader::new(&[8, 0, 0xf7, 0xfe, 0, 1, 0, 2, b'x']).unwrap();
        assert_eq!(
            (icmp.kind(), icmp.ident(), icmp.seq(), icmp.body()),
            (8, 1, 2, &b"x"[..])
        );
        assert_eq!(icmp.rest_of_header(), 0x0001_0002);
        assert!(is_error(false, 3) && !is_error(false, 8) && is_error(true, 1));
        assert_eq!(type_code(&[3, 1]), Some((3, 1)));
        assert_eq!(type_code(&[3]), None);
    }
}
