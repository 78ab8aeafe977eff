//! DNS resource records after their name (RFC 1035 §4.1.3) and the record data the details
//! tree breaks down, as zero-copy views: [`RecordFields`] (type, class, TTL, data length, checked
//! once), [`MxData`] and [`SrvData`] (the numbers before their names), and the walks over TXT
//! character strings ([`TxtStrings`]) and EDNS options ([`EdnsOptions`]). Names inside record
//! data are read with [`super::dns::read_name`], which follows compression pointers into the
//! whole message. etherparse does not parse DNS, so the views are written here.

use super::error::{need, WireError};
use super::view::{be16_at, header_view};

pub const TYPE_A: u16 = 1;
pub const TYPE_NS: u16 = 2;
pub const TYPE_CNAME: u16 = 5;
pub const TYPE_SOA: u16 = 6;
pub const TYPE_PTR: u16 = 12;
pub const TYPE_MX: u16 = 15;
pub const TYPE_TXT: u16 = 16;
pub const TYPE_AAAA: u16 = 28;
pub const TYPE_SRV: u16 = 33;
pub const TYPE_DNAME: u16 = 39;
pub const TYPE_OPT: u16 = 41;
/// A TXT record or an OPT record shows at most this many strings or options.
pub const MAX_ITEMS: usize = 64;

header_view! {
    /// The fixed fields after a record's name: `bytes` start where the name ends in place.
    pub struct RecordFields, checked to record::LEN, with new;
    /// Byte ranges of a resource record's fields after its name (from the end of the name in
    /// place); the record data follows. In an OPT record (EDNS) the class is the UDP payload
    /// size and the TTL holds the extended RCODE, the EDNS version and the flags.
    pub mod record {
        pub const TYPE: Range<usize> = 0..2 => kind: u16;
        /// The class (an OPT record's UDP payload size).
        pub const CLASS: Range<usize> = 2..4 => class: u16;
        /// The TTL (an OPT record's extended RCODE, EDNS version and flags).
        pub const TTL: Range<usize> = 4..8 => ttl: u32;
        pub const EXT_RCODE: usize = 4;
        pub const EDNS_VERSION: usize = 5;
        pub const EDNS_FLAGS: Range<usize> = 6..8;
        pub const RDLENGTH: Range<usize> = 8..10 => data_len: u16;
        pub const LEN: usize = 10;
    }
}

impl<'a> RecordFields<'a> {
    /// The record data, when all of it was captured.
    pub fn data(&self) -> Option<&'a [u8]> {
        self.bytes
            .get(record::LEN..record::LEN + usize::from(self.data_len()))
    }
}

/// An MX record's data: a preference, then the exchange's name at [`MxData::NAME_AT`].
#[derive(Debug, Clone, Copy)]
pub struct MxData {
    preference: u16,
}

impl MxData {
    pub const NAME_AT: usize = 2;

    /// At least a preference and a one-byte name.
    pub fn new(data: &[u8]) -> Result<Self, WireError> {
        need(data, Self::NAME_AT + 1)?;
        Ok(MxData {
            preference: be16_at(data, 0),
        })
    }

    pub fn preference(&self) -> u16 {
        self.preference
    }
}

/// An SRV record's data: priority, weight, port, then the target's name at
/// [`SrvData::NAME_AT`].
#[derive(Debug, Clone, Copy)]
pub struct SrvData<'a> {
    data: &'a [u8],
}

impl<'a> SrvData<'a> {
    pub const NAME_AT: usize = 6;

    /// At least the three numbers and a one-byte name.
    pub fn new(data: &'a [u8]) -> Result<Self, WireError> {
        need(data, Self::NAME_AT + 1)?;
        Ok(SrvData { data })
    }

    pub fn priority(&self) -> u16 {
        be16_at(self.data, 0)
    }

    pub fn weight(&self) -> u16 {
        be16_at(self.data, 2)
    }

    pub fn port(&self) -> u16 {
        be16_at(self.data, 4)
    }
}

/// The five 32-bit numbers of an SOA record (serial, refresh, retry, expire, minimum) that lie
/// in its `data` from `from` (where its two names end), each with its offset in `data`; fewer
/// when the data ends first.
pub fn soa_numbers(data: &[u8], from: usize) -> impl Iterator<Item = (usize, u32)> + '_ {
    (0..5).map(move |i| from + 4 * i).map_while(move |pos| {
        let b = data.get(pos..pos.checked_add(4)?)?;
        Some((pos, u32::from_be_bytes([b[0], b[1], b[2], b[3]])))
    })
}

/// The character strings of a TXT record: each item is where the string's length byte is and
/// the string's bytes (cut at the data's end when its length runs past it).
#[derive(Debug, Clone)]
pub struct TxtStrings<'a> {
    data: &'a [u8],
    pos: usize,
    count: usize,
}

impl<'a> TxtStrings<'a> {
    pub fn new(data: &'a [u8]) -> TxtStrings<'a> {
        TxtStrings {
            data,
            pos: 0,
            count: 0,
        }
    }
}

impl<'a> Iterator for TxtStrings<'a> {
    type Item = (usize, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.count >= MAX_ITEMS {
            return None;
        }
        self.count += 1;
        let pos = self.pos;
        let len = usize::from(*self.data.get(pos)?);
        let rest = self.data.get(pos + 1..).unwrap_or(&[]);
        let text = rest.get(..len).unwrap_or(rest);
        self.pos += 1 + len;
        Some((pos, text))
    }
}

/// One EDNS option: where it starts in the OPT record's data, its code, its length field and
/// its value as captured (cut at the data's end when the length runs past it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EdnsOption<'a> {
    pub start: usize,
    pub code: u16,
    pub len: usize,
    pub value: &'a [u8],
}

/// The options of an OPT record's data.
#[derive(Debug, Clone)]
pub struct EdnsOptions<'a> {
    data: &'a [u8],
    pos: usize,
    count: usize,
}

impl<'a> EdnsOptions<'a> {
    pub fn new(data: &'a [u8]) -> EdnsOptions<'a> {
        EdnsOptions {
            data,
            pos: 0,
            count: 0,
        }
    }
}

impl<'a> Iterator for EdnsOptions<'a> {
    type Item = EdnsOption<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.count >= MAX_ITEMS || self.data.len() < self.pos.checked_add(4)? {
            return None;
        }
        self.count += 1;
        let start = self.pos;
        let (code, len) = (
            be16_at(self.data, start),
            usize::from(be16_at(self.data, start + 2)),
        );
        let rest = &self.data[start + 4..];
        let value = rest.get(..len).unwrap_or(rest);
        self.pos += 4 + len;
        Some(EdnsOption {
            start,
            code,
            len,
            value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_fields_and_data() {
        // An A record after its name: type 1, class IN, TTL 300, 4 bytes.
        let r = [0, 1, 0, 1, 0, 0, 1, 0x2c, 0, 4, 192, 0, 2, 1];
        let f = RecordFields::new(&r).unwrap();
        assert_eq!((f.kind(), f.class(), f.ttl(), f.data_len()), (1, 1, 300, 4));
        assert_eq!(f.data(), Some(&[192, 0, 2, 1][..]));
        assert_eq!(RecordFields::new(&r[..13]).unwrap().data(), None);
        assert!(RecordFields::new(&r[..9]).is_err());
    }

    #[test]
    fn mx_srv_txt_and_edns() {
        assert_eq!(MxData::new(&[0, 10, 0]).unwrap().preference(), 10);
        let soa: Vec<_> = soa_numbers(&[9, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0], 1).collect();
        assert_eq!(soa, vec![(1, 1), (5, 2)]);
        assert!(MxData::new(&[0, 10]).is_err());
        let srv = SrvData::new(&[0, 1, 0, 2, 0x01, 0xbb, 0]).unwrap();
        assert_eq!((srv.priority(), srv.weight(), srv.port()), (1, 2, 443));
        let txt: Vec<_> = TxtStrings::new(&[2, b'h', b'i', 5, b'x']).collect();
        assert_eq!(txt, vec![(0, &b"hi"[..]), (3, &b"x"[..])]);
        // A COOKIE option (10) of 8 bytes, then a cut one.
        let mut opt = vec![0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8];
        opt.extend_from_slice(&[0, 12, 0, 4, 0]);
        let opts: Vec<_> = EdnsOptions::new(&opt).collect();
        assert_eq!((opts.len(), opts[0].code, opts[0].len), (2, 10, 8));
        assert_eq!(
            (opts[1].start, opts[1].len, opts[1].value),
            (12, 4, &[0][..])
        );
    }
}
