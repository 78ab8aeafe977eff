//! Internet checksums (RFC 1071) for the IPv4 header and for TCP, UDP, ICMPv6 and GRE with their
//! pseudo-headers, as verdicts a node can show ("correct", "incorrect, should be 0x…" or
//! "unverified" with the reason). The two public helpers are reused by the diagnosis work.

/// One's-complement sum of `data` (odd length padded with a zero byte), not yet folded.
fn sum_words(data: &[u8], mut acc: u64) -> u64 {
    let mut chunks = data.chunks_exact(2);
    for pair in &mut chunks {
        acc += u64::from(u16::from_be_bytes([pair[0], pair[1]]));
    }
    if let Some(&last) = chunks.remainder().first() {
        acc += u64::from(last) << 8;
    }
    acc
}

fn fold(mut acc: u64) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

/// The checksum `data` should carry, computed with the 2-byte field at `field_at` taken as zero.
pub(crate) fn expected_over(data: &[u8], field_at: usize, acc: u64) -> u16 {
    let mut acc = sum_words(data, acc);
    if let Some(field) = data.get(field_at..field_at + 2) {
        let stored = u64::from(u16::from_be_bytes([field[0], field[1]]));
        // Subtract the stored field (adding its one's complement keeps the sum unsigned).
        acc += 0xffff - stored;
    }
    !fold(acc)
}

/// Does the IPv4 header (at least the IHL-declared bytes) carry a correct header checksum?
/// `None` when the slice is shorter than 20 bytes or than the header length it declares.
pub fn ipv4_header_checksum_ok(header: &[u8]) -> Option<bool> {
    let ihl = usize::from(*header.first()? & 0x0f) * 4;
    if ihl < 20 {
        return None;
    }
    let h = header.get(..ihl)?;
    Some(fold(sum_words(h, 0)) == 0xffff)
}

/// Pseudo-header sum for IPv4 (4-byte addresses) or IPv6 (16-byte addresses).
fn pseudo_header_sum(src: &[u8], dst: &[u8], protocol: u8, length: usize) -> Option<u64> {
    if src.len() != dst.len() || !(src.len() == 4 || src.len() == 16) {
        return None;
    }
    let length = u32::try_from(length).ok()?;
    let mut acc = sum_words(src, 0);
    acc = sum_words(dst, acc);
    acc += u64::from(protocol);
    acc += u64::from(length >> 16) + u64::from(length & 0xffff);
    Some(acc)
}

/// Offset of the checksum field inside the segment for the protocols that use a pseudo-header.
fn checksum_field_offset(protocol: u8) -> Option<usize> {
    match protocol {
        6 => Some(16),
        17 => Some(6),
        58 => Some(2),
        _ => None,
    }
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
    let field_at = checksum_field_offset(protocol)?;
    let seg = segment.get(..declared_len)?;
    let stored = seg.get(field_at..field_at + 2)?;
    if protocol == 17 && stored == [0, 0] {
        return None;
    }
    let acc = pseudo_header_sum(src, dst, protocol, declared_len)?;
    Some(fold(sum_words(seg, acc)) == 0xffff)
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
    let field_at = checksum_field_offset(protocol)?;
    let seg = segment.get(..declared_len)?;
    seg.get(field_at..field_at + 2)?;
    let acc = pseudo_header_sum(src, dst, protocol, declared_len)?;
    let expected = expected_over(seg, field_at, acc);
    // UDP sends a computed zero as all ones (zero means "no checksum").
    Some(if protocol == 17 && expected == 0 {
        0xffff
    } else {
        expected
    })
}

/// What a checksum node says.
pub(crate) enum Verdict {
    Correct,
    Incorrect { expected: u16 },
    Unverified(&'static str),
}

impl Verdict {
    /// The verdict for a checksum computed over `data` with the field at `field_at` (no
    /// pseudo-header unless `acc` carries one).
    pub fn over(data: &[u8], field_at: usize, acc: u64) -> Verdict {
        if fold(sum_words(data, acc)) == 0xffff {
            Verdict::Correct
        } else {
            Verdict::Incorrect {
                expected: expected_over(data, field_at, acc),
            }
        }
    }

    pub fn transport(
        src: &[u8],
        dst: &[u8],
        protocol: u8,
        segment: &[u8],
        declared_len: usize,
    ) -> Verdict {
        match (
            transport_checksum_ok(src, dst, protocol, segment, declared_len),
            transport_checksum_expected(src, dst, protocol, segment, declared_len),
        ) {
            (Some(true), _) => Verdict::Correct,
            (Some(false), Some(expected)) => Verdict::Incorrect { expected },
            _ => Verdict::Unverified("cannot be computed"),
        }
    }

    /// "Checksum: 0x1234 [correct]" plus, when wrong, the expert note.
    pub fn label_and_problem(&self, name: &str, stored: u16) -> (String, Option<String>) {
        match self {
            Verdict::Correct => (format!("{name}: 0x{stored:04x} [correct]"), None),
            Verdict::Incorrect { expected } => (
                format!("{name}: 0x{stored:04x} [incorrect, should be 0x{expected:04x}]"),
                Some(format!(
                    "{name} incorrect: 0x{stored:04x}, should be 0x{expected:04x} (may be caused by checksum offload on the capturing host)"
                )),
            ),
            Verdict::Unverified(why) => (format!("{name}: 0x{stored:04x} [unverified: {why}]"), None),
        }
    }
}

/// Pseudo-header sum for callers that verify by hand (ICMPv6 inside `Verdict::over`).
pub(crate) fn pseudo_sum(src: &[u8], dst: &[u8], protocol: u8, length: usize) -> Option<u64> {
    pseudo_header_sum(src, dst, protocol, length)
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
    fn ipv4_checksum_round_trip() {
        let mut h = HDR;
        let expected = expected_over(&h, 10, 0);
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
}
