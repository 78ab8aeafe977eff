//! DNS messages (RFC 1035) as zero-copy views: [`DnsHeader`] (the 12-byte header, checked once)
//! and [`read_name`], the one reader of domain names for the whole crate — labels, compression
//! pointers followed at most [`MAX_POINTER_HOPS`] times, a name at most 255 bytes on the wire —
//! which says where the name ends in place and, when it cannot be read to its end, where and why.
//! The labels stay bytes: the packet list, the details tree and the filter each turn them into
//! text their own way (the details tree escapes every byte that is not printable).

use super::view::header_view;
use std::fmt;
use std::ops::Range;

pub const HEADER_LEN: usize = 12;
/// Most compression pointers followed in one name (a loop ends here).
pub const MAX_POINTER_HOPS: usize = 64;
/// Longest name on the wire (RFC 1035 §2.3.4).
pub const MAX_NAME_LEN: usize = 255;

/// DNS over TCP: the 2-byte length prefix before each message (RFC 1035 §4.2.2).
pub const TCP_LENGTH_PREFIX: std::ops::Range<usize> = 0..2;

/// Byte ranges of a question's fields after its name (from the end of the name in place).
pub mod question {
    use std::ops::Range;
    pub const TYPE: Range<usize> = 0..2;
    pub const CLASS: Range<usize> = 2..4;
    pub const LEN: usize = 4;
}

/// Byte ranges of a resource record's fields after its name (the table of
/// [`super::dnsrr::RecordFields`]).
pub use super::dnsrr::record;

header_view! {
    /// A view of a DNS message's header at the start of `bytes` (the whole message follows).
    pub struct DnsHeader, checked to HEADER_LEN, with new;
    /// Byte ranges of the header's fields.
    pub mod field {
        pub const ID: Range<usize> = 0..2 => id: u16;
        pub const FLAGS: Range<usize> = 2..4 => flags: u16;
        pub const QDCOUNT: Range<usize> = 4..6 => questions: u16;
        pub const ANCOUNT: Range<usize> = 6..8 => answers: u16;
        pub const NSCOUNT: Range<usize> = 8..10 => authorities: u16;
        pub const ARCOUNT: Range<usize> = 10..12 => additionals: u16;
    }
}

impl<'a> DnsHeader<'a> {
    pub fn is_response(&self) -> bool {
        self.flags() & 0x8000 != 0
    }

    pub fn opcode(&self) -> u8 {
        ((self.flags() >> 11) & 0xf) as u8
    }

    pub fn rcode(&self) -> u8 {
        (self.flags() & 0xf) as u8
    }
}

/// Why a name could not be read to its end (offsets are from the message's start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameError {
    /// The message ends where the next label's length byte should be.
    PastEnd { at: usize },
    /// A label of `len` bytes at `at` runs past the end of the message.
    LabelPastEnd { at: usize, len: u8 },
    /// More than 255 bytes on the wire.
    TooLong,
    /// A compression pointer at `at` is cut.
    PointerCut { at: usize },
    /// More than [`MAX_POINTER_HOPS`] pointers: a loop.
    PointerLoop,
    /// A label type other than length (0b00) or pointer (0b11).
    LabelType { at: usize, bits: u8 },
}

impl NameError {
    /// The same error with its offsets counted from `base` bytes earlier: a frame offset, for a
    /// message that starts at frame offset `base`.
    pub fn offset_by(self, base: usize) -> NameError {
        match self {
            NameError::PastEnd { at } => NameError::PastEnd { at: at + base },
            NameError::LabelPastEnd { at, len } => NameError::LabelPastEnd { at: at + base, len },
            NameError::PointerCut { at } => NameError::PointerCut { at: at + base },
            NameError::LabelType { at, bits } => NameError::LabelType {
                at: at + base,
                bits,
            },
            other => other,
        }
    }
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            NameError::PastEnd { at } => {
                write!(f, "Name runs past the end of the message at byte {at}")
            }
            NameError::LabelPastEnd { at, len } => write!(
                f,
                "Label of {len} bytes at byte {at} runs past the end of the message"
            ),
            NameError::TooLong => write!(f, "Name longer than 255 bytes (RFC 1035 limit)"),
            NameError::PointerCut { at } => write!(f, "Compression pointer at byte {at} is cut"),
            NameError::PointerLoop => write!(
                f,
                "More than {MAX_POINTER_HOPS} compression pointers: a pointer loop"
            ),
            NameError::LabelType { at, bits } => {
                write!(f, "Unsupported label type 0x{bits:02x} at byte {at}")
            }
        }
    }
}

/// A name as read: its labels (ranges in the message), how many bytes it occupies where it
/// starts, and the error that ended it early, if one did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DnsName {
    pub labels: Vec<Range<usize>>,
    /// Bytes from the name's start to the end of its in-place part (after the terminating zero
    /// or the first pointer), clipped to the message.
    pub in_place: usize,
    pub error: Option<NameError>,
}

impl DnsName {
    /// The dotted name, each label rendered by `label` (`<Root>` for the root name).
    pub fn text(&self, msg: &[u8], label: impl Fn(&[u8], &mut String)) -> String {
        let mut text = String::new();
        for (i, range) in self.labels.iter().enumerate() {
            if i > 0 {
                text.push('.');
            }
            label(msg.get(range.clone()).unwrap_or_default(), &mut text);
        }
        if text.is_empty() && self.error.is_none() {
            text.push_str("<Root>");
        }
        text
    }

    /// Offset just after the name's in-place part (where the question's type field starts).
    pub fn end(&self, at: usize) -> usize {
        at + self.in_place
    }
}

/// Reads the (possibly compressed) name at `at` of the message `msg`.
pub fn read_name(msg: &[u8], at: usize) -> DnsName {
    let mut name = DnsName::default();
    let mut pos = at;
    let mut in_place = None;
    let (mut hops, mut wire_len) = (0, 0usize);
    let error = loop {
        let Some(&len) = msg.get(pos) else {
            break Some(NameError::PastEnd { at: pos });
        };
        match len & 0xc0 {
            0x00 if len == 0 => {
                pos += 1;
                break None;
            }
            0x00 => {
                let label = pos + 1..pos + 1 + usize::from(len);
                if label.end > msg.len() {
                    break Some(NameError::LabelPastEnd { at: pos, len });
                }
                wire_len += usize::from(len) + 1;
                if wire_len > MAX_NAME_LEN {
                    break Some(NameError::TooLong);
                }
                name.labels.push(label.clone());
                pos = label.end;
            }
            0xc0 => {
                let Some(word) = super::bytes::be16(msg, pos) else {
                    break Some(NameError::PointerCut { at: pos });
                };
                // Only the first pointer ends the name in place; later ones may point backwards.
                if in_place.is_none() {
                    in_place = Some(pos + 2 - at);
                }
                hops += 1;
                if hops > MAX_POINTER_HOPS {
                    break Some(NameError::PointerLoop);
                }
                pos = usize::from(word & 0x3fff);
            }
            bits => break Some(NameError::LabelType { at: pos, bits }),
        }
    };
    name.error = error;
    name.in_place = in_place
        .unwrap_or(pos.saturating_sub(at))
        .min(msg.len().saturating_sub(at));
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(label: &[u8], out: &mut String) {
        out.extend(label.iter().map(|&b| b as char));
    }

    #[test]
    fn compressed_names_and_their_in_place_length() {
        // Header, then "example.com" at 12, then "www" + pointer to 12 at 25.
        let mut msg = vec![0; 12];
        msg.extend(b"\x07example\x03com\x00");
        msg.extend(b"\x03www\xc0\x0c");
        let first = read_name(&msg, 12);
        assert_eq!(first.text(&msg, plain), "example.com");
        assert_eq!((first.in_place, first.end(12)), (13, 25));
        let second = read_name(&msg, 25);
        assert_eq!(second.text(&msg, plain), "www.example.com");
        assert_eq!(second.in_place, 6);
        assert_eq!(read_name(&[0], 0).text(&[0], plain), "<Root>");
        // A pointer to a name that itself ends in a pointer further back (debug builds once
        // overflowed computing the in-place length at the second pointer).
        msg.extend(b"\xc0\x19");
        let third = read_name(&msg, 31);
        assert_eq!(third.text(&msg, plain), "www.example.com");
        assert_eq!((third.in_place, third.error), (2, None));
    }

    #[test]
    fn loops_and_cuts_end_with_a_reason() {
        let cut_at_5 = NameError::PastEnd { at: 5 };
        assert_eq!(cut_at_5.offset_by(40), NameError::PastEnd { at: 45 });
        assert_eq!(NameError::TooLong.offset_by(40), NameError::TooLong);
        let looped = [0xc0, 0x00];
        assert_eq!(read_name(&looped, 0).error, Some(NameError::PointerLoop));
        let cut = b"\x07exam";
        assert_eq!(
            read_name(cut, 0).error,
            Some(NameError::LabelPastEnd { at: 0, len: 7 })
        );
        assert_eq!(
            read_name(&[0x40], 0).error,
            Some(NameError::LabelType { at: 0, bits: 0x40 })
        );
        let mut long = Vec::new();
        for _ in 0..5 {
            long.push(63);
            long.extend([b'a'; 63]);
        }
        long.push(0);
        assert_eq!(read_name(&long, 0).error, Some(NameError::TooLong));
    }
}
