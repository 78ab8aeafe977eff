//! Facts about the layers around the innermost packet that flows and conversation tables need:
//! the outer address layers of tunnelled frames (every Ethernet, IP and UDP header Wireshark
//! taps), IP fragment identities for reassembly, the transport header quoted inside an ICMP
//! error, and a TCP header whose options were cut by the snapshot length.

use super::{read_tcp_options, Tcp};
use crate::wire::bytes::{be16, be32};
use std::net::IpAddr;

/// One address-bearing layer outside the innermost network header, outermost first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OuterLayer {
    Ethernet {
        src: [u8; 6],
        dst: [u8; 6],
    },
    Ip {
        src: IpAddr,
        dst: IpAddr,
    },
    /// A UDP header carrying a tunnel (VXLAN); `payload_len` from its length field.
    Udp {
        src_port: u16,
        dst_port: u16,
    },
}

/// An IP fragment's identity and place in its datagram.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FragmentInfo {
    pub ident: u32,
    /// Byte offset of this fragment's data in the datagram.
    pub offset: u32,
    /// Bytes of datagram data this fragment carries (from the IP lengths).
    pub len: u32,
    /// More fragments follow (MF flag / IPv6 M flag).
    pub more: bool,
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

/// ICMPv4 types whose body quotes the packet in error.
pub fn icmpv4_is_error(icmp_type: u8) -> bool {
    matches!(icmp_type, 3 | 4 | 5 | 11 | 12)
}

/// ICMPv6 types whose body quotes the packet in error.
pub fn icmpv6_is_error(icmp_type: u8) -> bool {
    matches!(icmp_type, 1..=4)
}

/// Reads the IP header and transport ports quoted in an ICMP error body.
pub fn quoted_packet(body: &[u8]) -> Option<IcmpQuote> {
    let version = body.first()? >> 4;
    let (src, dst, ip_proto, transport_at) = match version {
        4 => {
            let ihl = usize::from(body[0] & 0x0F) * 4;
            if ihl < 20 {
                return None;
            }
            let src: [u8; 4] = body.get(12..16)?.try_into().ok()?;
            let dst: [u8; 4] = body.get(16..20)?.try_into().ok()?;
            // A later fragment quotes no transport header.
            if be16(body, 6)? & 0x1FFF != 0 {
                return None;
            }
            (IpAddr::from(src), IpAddr::from(dst), *body.get(9)?, ihl)
        }
        6 => {
            let src: [u8; 16] = body.get(8..24)?.try_into().ok()?;
            let dst: [u8; 16] = body.get(24..40)?.try_into().ok()?;
            (IpAddr::from(src), IpAddr::from(dst), *body.get(6)?, 40)
        }
        _ => return None,
    };
    if !matches!(ip_proto, 6 | 17) {
        return None;
    }
    let transport = body.get(transport_at..)?;
    let captured = transport.len().min(usize::from(u16::MAX)) as u16;
    let (tcp_flags, seq, ack, window) = if ip_proto == 6 {
        (
            transport.get(13).copied().unwrap_or(0),
            be32(transport, 4).unwrap_or(0),
            be32(transport, 8).unwrap_or(0),
            be16(transport, 14).unwrap_or(0),
        )
    } else {
        (0, 0, 0, 0)
    };
    Some(IcmpQuote {
        src,
        dst,
        ip_proto,
        src_port: be16(transport, 0)?,
        dst_port: be16(transport, 2)?,
        seq,
        ack,
        tcp_flags,
        window,
        captured,
    })
}

/// A TCP header whose fixed 20 bytes were captured but whose options were cut short: the fixed
/// fields and whatever options fit. Returns `None` when the fixed header itself is incomplete.
pub fn tcp_with_cut_options(segment: &[u8]) -> Option<Tcp> {
    let fixed = segment.get(..20)?;
    let header_len = (fixed[12] >> 4) * 4;
    let flags = u16::from(fixed[13]) | (u16::from(fixed[12] & 1) << 8);
    let options_end = usize::from(header_len).min(segment.len()).max(20);
    Some(Tcp {
        seq: be32(fixed, 4)?,
        ack: be32(fixed, 8)?,
        flags,
        window: be16(fixed, 14)?,
        header_len,
        options: read_tcp_options(&segment[20..options_end]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_udp_in_an_icmp_error() {
        let mut body = vec![
            0x45, 0, 0, 60, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        body.extend_from_slice(&[0x93, 0x2b, 0, 53, 0, 40, 0, 0]);
        let quote = quoted_packet(&body).unwrap();
        assert_eq!(
            (quote.ip_proto, quote.src_port, quote.dst_port),
            (17, 37675, 53)
        );
        assert_eq!(quote.captured, 8);
        assert!(quoted_packet(&body[..22]).is_none());
        for len in 0..body.len() {
            let _ = quoted_packet(&body[..len]);
        }
    }

    #[test]
    fn cut_tcp_options_keep_the_fixed_header() {
        let mut seg = vec![
            0xed, 0x9b, 0, 25, 0, 0, 0, 100, 0, 0, 0, 0, 0xa0, 0xc2, 0x16, 0xd0, 0, 0, 0, 0,
        ];
        seg.extend_from_slice(&[2, 4, 5, 0xb4, 4, 2, 8]);
        let tcp = tcp_with_cut_options(&seg).unwrap();
        assert_eq!((tcp.seq, tcp.flags, tcp.header_len), (100, 0xc2, 40));
        assert_eq!(tcp.options.mss, Some(1460));
        assert!(tcp.options.sack_permitted);
        assert!(tcp_with_cut_options(&seg[..19]).is_none());
    }
}
