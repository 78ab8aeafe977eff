//! The Internet checksum (RFC 1071): the one implementation for the whole crate — the synthetic
//! capture writer fills checksums in with it, the details tree shows verdicts with it and the
//! `bad_checksum` finding validates frames with it while they are indexed — so all three agree
//! on odd lengths, UDP's "zero means not computed" and the IPv4/IPv6 pseudo-headers. The sum is
//! written for speed (four 32-bit lanes the compiler vectorises), because validation runs during
//! ingest; it allocates nothing and never panics.

use super::bytes;
use std::net::IpAddr;

/// One's-complement sum of `data` (16-bit big-endian words, an odd last byte padded with zero)
/// added to `acc`, not folded. The bytes are summed as little-endian 32-bit words in four lanes
/// (which the compiler vectorises) and the folded result byte-swapped: one's-complement sums do
/// not depend on byte order (RFC 1071), and 2^32 ≡ 1 (mod 2^16 − 1).
#[inline]
pub fn sum(data: &[u8], acc: u64) -> u64 {
    let mut lanes = [0u64; 4];
    let mut chunks = data.chunks_exact(16);
    for c in &mut chunks {
        for (k, lane) in lanes.iter_mut().enumerate() {
            let at = 4 * k;
            *lane += u64::from(u32::from_le_bytes([c[at], c[at + 1], c[at + 2], c[at + 3]]));
        }
    }
    let mut le: u64 = lanes.iter().sum();
    let mut words = chunks.remainder().chunks_exact(2);
    for w in &mut words {
        le += u64::from(u16::from_le_bytes([w[0], w[1]]));
    }
    if let Some(&last) = words.remainder().first() {
        le += u64::from(last);
    }
    acc + u64::from(fold(le).swap_bytes())
}

/// Folds a sum to 16 bits (end-around carry).
#[inline]
pub fn fold(mut acc: u64) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

/// The checksum of `data` (whose checksum field holds zero) starting from the partial sum `acc`.
#[inline]
pub fn checksum(data: &[u8], acc: u64) -> u16 {
    !fold(sum(data, acc))
}

/// Does `data`, checksum field included, sum (with `acc`) to all ones, i.e. verify?
#[inline]
pub fn verifies(data: &[u8], acc: u64) -> bool {
    fold(sum(data, acc)) == 0xffff
}

/// The checksum `data` should carry, computed with the 2-byte field at `field_at` taken as zero.
pub fn expected_over(data: &[u8], field_at: usize, acc: u64) -> u16 {
    let mut acc = sum(data, acc);
    if let Some(stored) = bytes::be16(data, field_at) {
        // Subtract the stored field (adding its one's complement keeps the sum unsigned).
        acc += 0xffff - u64::from(stored);
    }
    !fold(acc)
}

/// Pseudo-header sum for IPv4 (4-byte addresses) or IPv6 (16-byte addresses); `None` for
/// addresses of other or mismatched sizes, or a length past `u32`.
pub fn pseudo_header(src: &[u8], dst: &[u8], protocol: u8, length: usize) -> Option<u64> {
    if src.len() != dst.len() || !(src.len() == 4 || src.len() == 16) {
        return None;
    }
    let length = u32::try_from(length).ok()?;
    Some(
        sum(dst, sum(src, 0))
            + u64::from(protocol)
            + u64::from(length >> 16)
            + u64::from(length & 0xffff),
    )
}

/// [`pseudo_header`] for parsed addresses; a mixed IPv4/IPv6 pair contributes no address sum.
pub fn pseudo_header_ip(src: &IpAddr, dst: &IpAddr, protocol: u8, length: usize) -> u64 {
    let addrs = match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => sum(&d.octets(), sum(&s.octets(), 0)),
        (IpAddr::V6(s), IpAddr::V6(d)) => sum(&d.octets(), sum(&s.octets(), 0)),
        _ => 0,
    };
    addrs + u64::from(protocol) + (length as u64 >> 16) + (length as u64 & 0xffff)
}

/// Does the IPv4 header (at least the IHL-declared bytes) carry a correct header checksum?
/// `None` when the slice is shorter than 20 bytes or than the header length it declares.
pub fn ipv4_header_checksum_ok(header: &[u8]) -> Option<bool> {
    let ihl = usize::from(*header.first()? & 0x0f) * 4;
    if ihl < 20 {
        return None;
    }
    Some(verifies(header.get(..ihl)?, 0))
}

/// Offset of the checksum field inside the segment for the protocols that use a pseudo-header:
/// TCP (6), UDP (17) and ICMPv6 (58).
pub fn transport_field_offset(protocol: u8) -> Option<usize> {
    match protocol {
        6 => Some(16),
        17 => Some(6),
        58 => Some(2),
        _ => None,
    }
}

/// The declared segment, the offset of its checksum field and its pseudo-header sum; `None` when
/// the segment is shorter than declared or than its checksum field, or the addresses or protocol
/// do not allow a pseudo-header checksum.
fn segment_sum<'a>(
    src: &[u8],
    dst: &[u8],
    protocol: u8,
    segment: &'a [u8],
    declared_len: usize,
) -> Option<(&'a [u8], usize, u64)> {
    let field_at = transport_field_offset(protocol)?;
    let seg = segment.get(..declared_len)?;
    bytes::be16(seg, field_at)?;
    Some((
        seg,
        field_at,
        pseudo_header(src, dst, protocol, declared_len)?,
    ))
}

/// Does a TCP (6), UDP (17) or ICMPv6 (58) segment carry a correct checksum?
///
/// `src`/`dst` are the IP addresses (4 or 16 bytes), `segment` the captured transport bytes and
/// `declared_len` the segment length the IP header (or UDP length) declares. `None` when that
/// cannot be told: the segment is truncated, the addresses are malformed, the protocol has no
/// pseudo-header checksum, or a UDP checksum is zero (meaning "not computed").
pub fn transport_checksum_ok(
    src: &[u8],
    dst: &[u8],
    protocol: u8,
    segment: &[u8],
    declared_len: usize,
) -> Option<bool> {
    let (seg, field_at, acc) = segment_sum(src, dst, protocol, segment, declared_len)?;
    if protocol == 17 && bytes::be16(seg, field_at) == Some(0) {
        return None;
    }
    Some(verifies(seg, acc))
}

/// The checksum value the segment should carry (same inputs as [`transport_checksum_ok`]);
/// `None` when it cannot be computed.
pub fn transport_checksum_expected(
    src: &[u8],
    dst: &[u8],
    protocol: u8,
    segment: &[u8],
    declared_len: usize,
) -> Option<u16> {
    let (seg, field_at, acc) = segment_sum(src, dst, protocol, segment, declared_len)?;
    let expected = expected_over(seg, field_at, acc);
    // UDP sends a computed zero as all ones (zero means "no checksum").
    Some(if protocol == 17 && expected == 0 {
        0xffff
    } else {
        expected
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // IPv4 header of chrissanders/tcp_handshake.pcapng frame 1.
    const HDR: [u8; 20] = [
        0x45, 0x00, 0x00, 0x3c, 0x3b, 0x5f, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, 0xac, 0x14, 0x0a,
        0x02, 0xac, 0x14, 0x0a, 0x03,
    ];

    #[test]
    fn sums_by_sixteen_bytes_match_sums_by_two() {
        let data: Vec<u8> = (0..1001u32).map(|i| (i * 37 % 251) as u8).collect();
        for len in [0, 1, 2, 7, 8, 9, 15, 16, 17, 1000, 1001] {
            // Expected: the RFC 1071 sum written out one big-endian 16-bit word at a time (an
            // odd last byte padded with 0), folded the same way.
            let mut s = 0u64;
            for w in data[..len].chunks(2) {
                s += u64::from(u16::from_be_bytes([w[0], *w.get(1).unwrap_or(&0)]));
            }
            assert_eq!(fold(sum(&data[..len], 0)), fold(s), "{len}");
        }
    }

    #[test]
    fn ipv4_checksum_round_trip() {
        let mut h = HDR;
        let expected = expected_over(&h, 10, 0);
        assert_eq!(expected, checksum(&h, 0));
        h[10..12].copy_from_slice(&expected.to_be_bytes());
        assert_eq!(ipv4_header_checksum_ok(&h), Some(true));
        h[11] ^= 1;
        assert_eq!(ipv4_header_checksum_ok(&h), Some(false));
        assert_eq!(ipv4_header_checksum_ok(&h[..19]), None);
    }

    #[test]
    fn zero_udp_checksum_cannot_be_told() {
        let seg = [0, 53, 0, 53, 0, 8, 0, 0];
        assert_eq!(transport_checksum_ok(&[1; 4], &[2; 4], 17, &seg, 8), None);
        assert_eq!(transport_checksum_ok(&[1; 4], &[2; 4], 17, &seg, 9), None);
    }

    #[test]
    fn pseudo_headers_agree() {
        let (s, d) = ([10u8, 0, 0, 1], [10u8, 0, 0, 2]);
        let ip = pseudo_header_ip(&IpAddr::from(s), &IpAddr::from(d), 6, 40);
        assert_eq!(pseudo_header(&s, &d, 6, 40), Some(ip));
        assert_eq!(pseudo_header(&s, &d[..3], 6, 40), None);
    }
}
