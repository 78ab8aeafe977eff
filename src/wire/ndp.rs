//! ICMPv6 Neighbor Discovery (RFC 4861) and Multicast Listener Discovery (RFC 2710, RFC 3810)
//! message bodies as zero-copy views over the whole ICMPv6 message (type, code and checksum
//! included, so [`field`] offsets count from the ICMPv6 header). [`NdMessage`] checks once that
//! the fixed part of a router solicitation/advertisement, neighbor solicitation/advertisement or
//! redirect is there; [`NdOptions`] walks the options after it (type, length in units of 8
//! bytes, value), reporting a zero length or a cut option instead of reading on. [`MldMessage`]
//! reads an MLDv1 query/report/done or an MLDv2 report's record count. etherparse types the ND
//! messages' fixed parts but neither says where a field is nor walks the options, so the views
//! are written here.

use super::error::{need, WireError};
use super::view::FieldValue;

pub const ROUTER_SOLICITATION: u8 = 133;
pub const ROUTER_ADVERTISEMENT: u8 = 134;
pub const NEIGHBOR_SOLICITATION: u8 = 135;
pub const NEIGHBOR_ADVERTISEMENT: u8 = 136;
pub const REDIRECT: u8 = 137;
pub const MLDV2_REPORT: u8 = 143;
/// A list holds at most this many options.
pub const MAX_OPTIONS: usize = 64;

/// Byte ranges of the fixed parts' fields (from the ICMPv6 header's start).
pub mod field {
    use std::ops::Range;
    pub const RA_CUR_HOP_LIMIT: usize = 4;
    pub const RA_FLAGS: usize = 5;
    pub const RA_ROUTER_LIFETIME: Range<usize> = 6..8;
    pub const RA_REACHABLE_TIME: Range<usize> = 8..12;
    pub const RA_RETRANS_TIMER: Range<usize> = 12..16;
    /// Neighbor advertisement flags (router, solicited, override) and reserved bits.
    pub const NA_FLAGS: Range<usize> = 4..8;
    /// Target address of a neighbor solicitation/advertisement or redirect.
    pub const TARGET: Range<usize> = 8..24;
    pub const REDIRECT_DESTINATION: Range<usize> = 24..40;
    pub const MLD_MAX_RESPONSE_DELAY: Range<usize> = 4..6;
    pub const MLD_MULTICAST_ADDRESS: Range<usize> = 8..24;
    pub const MLDV2_RECORD_COUNT: Range<usize> = 6..8;
}

/// The length of the fixed part (ICMPv6 header included) of ND message type `kind`.
pub fn nd_fixed_len(kind: u8) -> usize {
    match kind {
        ROUTER_SOLICITATION => 8,
        ROUTER_ADVERTISEMENT => 16,
        NEIGHBOR_SOLICITATION | NEIGHBOR_ADVERTISEMENT => 24,
        _ => 40,
    }
}

/// A Neighbor Discovery message (types 133–137): `bytes` start at its ICMPv6 header.
#[derive(Debug, Clone, Copy)]
pub struct NdMessage<'a> {
    bytes: &'a [u8],
    kind: u8,
}

impl<'a> NdMessage<'a> {
    /// The message of type `kind` (read from the ICMPv6 header by the caller's view).
    pub fn new(bytes: &'a [u8], kind: u8) -> Result<Self, WireError> {
        need(bytes, nd_fixed_len(kind))?;
        Ok(NdMessage { bytes, kind })
    }

    pub fn kind(&self) -> u8 {
        self.kind
    }

    pub fn fixed_len(&self) -> usize {
        nd_fixed_len(self.kind)
    }

    /// The value at `range` when this kind's fixed part (checked in `new`) holds it, else 0:
    /// a type-specific accessor asked of another type reads nothing and cannot panic.
    fn fixed<T: FieldValue<std::ops::Range<usize>> + Default>(
        &self,
        range: std::ops::Range<usize>,
    ) -> T {
        if range.end <= self.fixed_len() {
            T::read(self.bytes, range)
        } else {
            T::default()
        }
    }

    /// Router advertisement fields (type 134; 0 for a type whose fixed part is shorter).
    pub fn cur_hop_limit(&self) -> u8 {
        self.fixed::<[u8; 1]>(field::RA_CUR_HOP_LIMIT..field::RA_CUR_HOP_LIMIT + 1)[0]
    }

    pub fn ra_flags(&self) -> u8 {
        self.fixed::<[u8; 1]>(field::RA_FLAGS..field::RA_FLAGS + 1)[0]
    }

    pub fn router_lifetime(&self) -> u16 {
        self.fixed(field::RA_ROUTER_LIFETIME)
    }

    pub fn reachable_time(&self) -> u32 {
        self.fixed(field::RA_REACHABLE_TIME)
    }

    pub fn retrans_timer(&self) -> u32 {
        self.fixed(field::RA_RETRANS_TIMER)
    }

    /// Neighbor advertisement flags word (types 135–137; 0 for a shorter fixed part).
    pub fn na_flags(&self) -> u32 {
        self.fixed(field::NA_FLAGS)
    }

    /// The target address (types 135–137).
    pub fn target(&self) -> Option<[u8; 16]> {
        (self.fixed_len() >= field::TARGET.end).then(|| FieldValue::read(self.bytes, field::TARGET))
    }

    /// The redirect's destination address (type 137).
    pub fn redirect_destination(&self) -> Option<[u8; 16]> {
        let r = field::REDIRECT_DESTINATION;
        (self.kind == REDIRECT).then(|| FieldValue::read(self.bytes, r))
    }

    /// How many captured bytes the message has from `start` on (for an option cut short).
    pub fn options_bytes_from(&self, start: usize) -> usize {
        self.bytes.len().saturating_sub(start)
    }

    /// The options after the fixed part, as captured.
    pub fn options(&self) -> NdOptions<'a> {
        NdOptions::new(self.bytes, self.fixed_len())
    }
}

/// An MLD message: a v1 query, report or done (types 130–132) or a v2 report (143).
#[derive(Debug, Clone, Copy)]
pub struct MldMessage<'a> {
    bytes: &'a [u8],
}

impl<'a> MldMessage<'a> {
    /// An MLDv1 message: 24 bytes (header, delay, reserved, multicast address).
    pub fn v1(bytes: &'a [u8]) -> Result<Self, WireError> {
        need(bytes, field::MLD_MULTICAST_ADDRESS.end)?;
        Ok(MldMessage { bytes })
    }

    /// An MLDv2 report's header: 8 bytes (header, reserved, record count).
    pub fn v2_report(bytes: &'a [u8]) -> Result<Self, WireError> {
        need(bytes, field::MLDV2_RECORD_COUNT.end)?;
        Ok(MldMessage { bytes })
    }

    /// The maximum response delay (v1 only: the bytes are there only for a v1 view).
    pub fn max_response_delay(&self) -> u16 {
        FieldValue::read(self.bytes, field::MLD_MAX_RESPONSE_DELAY)
    }

    /// The multicast address (v1 only).
    pub fn multicast_address(&self) -> [u8; 16] {
        let r = field::MLD_MULTICAST_ADDRESS;
        if self.bytes.len() < r.end {
            return [0; 16];
        }
        FieldValue::read(self.bytes, r)
    }

    pub fn record_count(&self) -> u16 {
        FieldValue::read(self.bytes, field::MLDV2_RECORD_COUNT)
    }
}

/// One ND option: type, where it starts (from the ICMPv6 header), its length in bytes (the
/// length byte times 8) and its value (the bytes after type and length).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NdOption<'a> {
    pub kind: u8,
    pub start: usize,
    pub len: usize,
    pub value: &'a [u8],
}

/// Why an option list ended early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadNdOption {
    /// A length of 0, which RFC 4861 says makes the rest unreadable.
    ZeroLength { kind: u8, start: usize },
    /// An option of `len` bytes runs past the captured message.
    Cut { kind: u8, start: usize, len: usize },
}

/// The options of an ND message.
#[derive(Debug, Clone)]
pub struct NdOptions<'a> {
    bytes: &'a [u8],
    at: usize,
    count: usize,
    done: bool,
}

impl<'a> NdOptions<'a> {
    /// The options from `at` in the message `bytes`.
    pub fn new(bytes: &'a [u8], at: usize) -> NdOptions<'a> {
        NdOptions {
            bytes,
            at,
            count: 0,
            done: false,
        }
    }
}

impl<'a> Iterator for NdOptions<'a> {
    type Item = Result<NdOption<'a>, BadNdOption>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.count >= MAX_OPTIONS {
            return None;
        }
        self.count += 1;
        let start = self.at;
        let (kind, units) = (*self.bytes.get(start)?, *self.bytes.get(start + 1)?);
        let len = usize::from(units) * 8;
        if len == 0 {
            self.done = true;
            return Some(Err(BadNdOption::ZeroLength { kind, start }));
        }
        let Some(value) = self.bytes.get(start + 2..start + len) else {
            self.done = true;
            return Some(Err(BadNdOption::Cut { kind, start, len }));
        };
        self.at += len;
        Some(Ok(NdOption {
            kind,
            start,
            len,
            value,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_types_fields_read_as_zero_not_past_the_checked_bytes() {
        // A router solicitation is checked to its 8-byte fixed part only: the advertisement's
        // fields (bytes 4..16) and the neighbor advertisement's flags are not its own.
        let rs = [133, 0, 0x12, 0x34, 0, 0, 0, 0];
        let nd = NdMessage::new(&rs, ROUTER_SOLICITATION).unwrap();
        assert_eq!(
            (
                nd.reachable_time(),
                nd.retrans_timer(),
                nd.router_lifetime()
            ),
            (0, 0, 0)
        );
        assert_eq!(
            (nd.cur_hop_limit(), nd.ra_flags(), nd.na_flags()),
            (0, 0, 0)
        );
        assert_eq!(nd.target(), None);
        // A router advertisement reads them: hop limit 64, M flag, lifetime 1800 s, 30 s, 1 s.
        let ra = [
            134, 0, 0, 0, 64, 0x80, 0x07, 0x08, 0, 0, 0x75, 0x30, 0, 0, 0x03, 0xe8,
        ];
        let nd = NdMessage::new(&ra, ROUTER_ADVERTISEMENT).unwrap();
        assert_eq!(
            (nd.cur_hop_limit(), nd.ra_flags(), nd.router_lifetime()),
            (64, 0x80, 1800)
        );
        assert_eq!((nd.reachable_time(), nd.retrans_timer()), (30_000, 1000));
    }

    #[test]
    fn neighbor_advertisement_with_target_link_layer_option() {
        let mut m = vec![136, 0, 0, 0, 0x60, 0, 0, 0];
        m.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        m.extend_from_slice(&[2, 1, 0x00, 0x0c, 0x29, 0x01, 0x02, 0x03]);
        let nd = NdMessage::new(&m, NEIGHBOR_ADVERTISEMENT).unwrap();
        assert_eq!(nd.na_flags(), 0x6000_0000);
        assert_eq!(nd.target().unwrap()[15], 1);
        assert_eq!(nd.redirect_destination(), None);
        let opts: Vec<_> = nd.options().collect();
        let tlla = opts[0].unwrap();
        assert_eq!((opts.len(), tlla.kind, tlla.start, tlla.len), (1, 2, 24, 8));
        assert_eq!(tlla.value, &[0x00, 0x0c, 0x29, 0x01, 0x02, 0x03]);
        // A zero length ends the list; a cut option too.
        m.extend_from_slice(&[1, 0]);
        let last = NdMessage::new(&m, 136).unwrap().options().last().unwrap();
        assert_eq!(last, Err(BadNdOption::ZeroLength { kind: 1, start: 32 }));
        m.truncate(30);
        let last = NdMessage::new(&m, 136).unwrap().options().last().unwrap();
        assert_eq!(
            last,
            Err(BadNdOption::Cut {
                kind: 2,
                start: 24,
                len: 8
            })
        );
        assert!(NdMessage::new(&m[..23], 136).is_err());
    }

    #[test]
    fn mld_messages() {
        let mut m = vec![131, 0, 0, 0, 0, 10, 0, 0];
        m.extend_from_slice(&[0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfb]);
        let v1 = MldMessage::v1(&m).unwrap();
        assert_eq!(
            (v1.max_response_delay(), v1.multicast_address()[15]),
            (10, 0xfb)
        );
        let v2 = MldMessage::v2_report(&[143, 0, 0, 0, 0, 0, 0, 3]).unwrap();
        assert_eq!(v2.record_count(), 3);
        assert!(MldMessage::v1(&m[..23]).is_err());
    }
}
