//! Bounds-checked reads of fixed-size integers and sub-slices at an offset in a byte slice: the
//! one set of byte readers for the whole crate (capture file headers, the fast decoder, the
//! details tree, the filter's deep decoders). Every read returns `None` when the bytes are not
//! there — including offsets whose end overflows `usize` — so hostile input can never panic a
//! reader, and callers decide what a shortfall means. Each reader is `#[inline]` and copies at
//! most eight bytes, so the decode fast path pays nothing over a hand-written index.

/// `len` bytes at `at`, or `None` when they are not all there.
#[inline]
pub fn slice(data: &[u8], at: usize, len: usize) -> Option<&[u8]> {
    data.get(at..at.checked_add(len)?)
}

/// Everything from `at` on (empty when `at` is at or past the end).
#[inline]
pub fn rest(data: &[u8], at: usize) -> &[u8] {
    data.get(at..).unwrap_or(&[])
}

/// `N` bytes at `at` as an array.
#[inline]
pub fn array<const N: usize>(data: &[u8], at: usize) -> Option<[u8; N]> {
    slice(data, at, N)?.try_into().ok()
}

/// The byte at `at`.
#[inline]
pub fn u8(data: &[u8], at: usize) -> Option<u8> {
    data.get(at).copied()
}

/// Defines `$name(data, at) -> Option<$t>`, reading a `$t` at `at` with `$t::$from`.
macro_rules! reader {
    ($($name:ident: $t:ty = $from:ident, $doc:literal;)*) => {$(
        #[doc = $doc]
        #[inline]
        pub fn $name(data: &[u8], at: usize) -> Option<$t> {
            array(data, at).map(<$t>::$from)
        }
    )*};
}

reader! {
    be16: u16 = from_be_bytes, "Big-endian (network order) `u16` at `at`.";
    be32: u32 = from_be_bytes, "Big-endian `u32` at `at`.";
    be64: u64 = from_be_bytes, "Big-endian `u64` at `at`.";
    le16: u16 = from_le_bytes, "Little-endian `u16` at `at`.";
    le32: u32 = from_le_bytes, "Little-endian `u32` at `at`.";
    le64: u64 = from_le_bytes, "Little-endian `u64` at `at`.";
}

/// The byte order of a file format that declares it (pcap, pcapng): the same reads, in that
/// order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endian {
    Little,
    Big,
}

impl Endian {
    #[inline]
    pub fn u16(self, data: &[u8], at: usize) -> Option<u16> {
        match self {
            Endian::Little => le16(data, at),
            Endian::Big => be16(data, at),
        }
    }

    #[inline]
    pub fn u32(self, data: &[u8], at: usize) -> Option<u32> {
        match self {
            Endian::Little => le32(data, at),
            Endian::Big => be32(data, at),
        }
    }

    #[inline]
    pub fn u64(self, data: &[u8], at: usize) -> Option<u64> {
        match self {
            Endian::Little => le64(data, at),
            Endian::Big => be64(data, at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_in_both_orders_and_never_past_the_end() {
        let d = [1u8, 2, 3, 4, 5, 6, 7, 8, 9];
        assert_eq!(be16(&d, 0), Some(0x0102));
        assert_eq!(le16(&d, 0), Some(0x0201));
        assert_eq!(be32(&d, 1), Some(0x0203_0405));
        assert_eq!(le32(&d, 1), Some(0x0504_0302));
        assert_eq!(be64(&d, 1), Some(0x0203_0405_0607_0809));
        assert_eq!(le64(&d, 0), Some(0x0807_0605_0403_0201));
        assert_eq!(Endian::Big.u16(&d, 7), Some(0x0809));
        assert_eq!(Endian::Little.u32(&d, 5), Some(0x0908_0706));
        assert_eq!(be16(&d, 8), None);
        assert_eq!(be32(&d, 6), None);
        assert_eq!(be64(&d, 2), None);
        assert_eq!(u8(&d, 9), None);
        assert_eq!(be16(&d, usize::MAX), None);
        assert_eq!(slice(&d, usize::MAX, 2), None);
        assert_eq!(slice(&d, 7, 2), Some(&d[7..]));
        assert_eq!(rest(&d, 20), &[] as &[u8]);
        assert_eq!(array::<3>(&d, 6), Some([7, 8, 9]));
    }
}
