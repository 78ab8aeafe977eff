//! The TCP header (RFC 9293) as a zero-copy view: field ranges in [`field`], [`TcpHeader`]
//! (checked once: the 20-byte fixed header) and [`Options`], an iterator over the options that
//! says where each one is and stops — reporting why — at a length that is invalid or runs past
//! the options. [`OptionSummary`] is what the sequence analysis keeps of them (MSS, window
//! scale, SACK-permitted, SACK blocks, timestamps, and the order of the first four kinds).
//!
//! The view keeps working when the capture cut the options short (small snapshot lengths):
//! the fixed fields are there, and [`TcpHeader::options`] yields what was captured. etherparse's
//! `TcpHeaderSlice` refuses such headers, which Wireshark still analyses, so it is written here.

use super::bytes::{be16, be32};
use super::view::header_view;

/// Length of the fixed header.
pub const HEADER_LEN: usize = 20;

pub const FIN: u16 = 0x01;
pub const SYN: u16 = 0x02;
pub const RST: u16 = 0x04;
pub const PSH: u16 = 0x08;
pub const ACK: u16 = 0x10;
pub const URG: u16 = 0x20;
pub const ECE: u16 = 0x40;
pub const CWR: u16 = 0x80;
pub const NS: u16 = 0x100;

/// The flags of the low byte (all but NS) as a byte, which is how the index keeps them
/// ([`crate::index::PacketRecord::tcp_flags`]).
pub mod byte {
    pub const FIN: u8 = super::FIN as u8;
    pub const SYN: u8 = super::SYN as u8;
    pub const RST: u8 = super::RST as u8;
    pub const PSH: u8 = super::PSH as u8;
    pub const ACK: u8 = super::ACK as u8;
}

header_view! {
    /// A view of a TCP header at the start of `bytes` (which may run on into the payload).
    pub struct TcpHeader, checked to HEADER_LEN, with new;
    /// Byte ranges of the fixed header's fields, from the header's first byte.
    pub mod field {
        pub const SRC_PORT: Range<usize> = 0..2 => src_port: u16;
        pub const DST_PORT: Range<usize> = 2..4 => dst_port: u16;
        pub const SEQ: Range<usize> = 4..8 => seq: u32;
        pub const ACK: Range<usize> = 8..12 => ack: u32;
        /// Data offset (top nibble), reserved bits and the NS flag (bottom bit).
        pub const DATA_OFFSET: usize = 12;
        pub const FLAGS: usize = 13;
        pub const WINDOW: Range<usize> = 14..16 => window: u16;
        pub const CHECKSUM: Range<usize> = 16..18 => checksum: u16;
        pub const URGENT: Range<usize> = 18..20 => urgent: u16;
    }
}

impl<'a> TcpHeader<'a> {
    /// Header length in bytes as the data-offset field says (may be below 20: malformed).
    pub fn header_len(&self) -> usize {
        usize::from(self.bytes[field::DATA_OFFSET] >> 4) * 4
    }

    /// The 9 flag bits: FIN 0x01 … CWR 0x80, NS 0x100.
    pub fn flags(&self) -> u16 {
        u16::from(self.bytes[field::FLAGS]) | (u16::from(self.bytes[field::DATA_OFFSET] & 1) << 8)
    }

    /// The 12 bits Wireshark shows as `tcp.flags` (three reserved bits above NS).
    pub fn flags12(&self) -> u16 {
        super::view::be16_at(self.bytes, field::DATA_OFFSET) & 0x0fff
    }

    /// The options as captured: from byte 20 to the header length, cut where the capture ends.
    pub fn option_bytes(&self) -> &'a [u8] {
        let end = self.header_len().max(HEADER_LEN).min(self.bytes.len());
        &self.bytes[HEADER_LEN..end]
    }

    /// Whether the capture holds the whole header (options included).
    pub fn options_complete(&self) -> bool {
        self.bytes.len() >= self.header_len()
    }

    /// The options, each with its offset from the header's start.
    pub fn options(&self) -> Options<'a> {
        Options::over(self.option_bytes())
    }

    /// The payload as captured (empty when the header length is invalid or not all captured).
    pub fn payload(&self) -> &'a [u8] {
        let len = self.header_len();
        if len < HEADER_LEN {
            return &[];
        }
        self.bytes.get(len..).unwrap_or(&[])
    }
}

/// One TCP option: kind, where it starts (from the TCP header's start), its total length and
/// its value bytes (after kind and length; empty for EOL and NOP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpOption<'a> {
    pub kind: u8,
    pub start: usize,
    pub len: usize,
    pub value: &'a [u8],
}

/// Why an option list ended before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadOption {
    pub kind: u8,
    /// Offset from the TCP header's start.
    pub start: usize,
    /// The length byte, `None` when it was not captured.
    pub len: Option<u8>,
}

/// Iterates the options; an invalid length ends it with one `Err`.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    bytes: &'a [u8],
    at: usize,
    done: bool,
}

impl<'a> Options<'a> {
    /// Iterates `option_bytes` — an option area in the kind–length format TCP shares with IPv4
    /// (RFC 791: EOL ends the list, NOP is one byte, every other option carries its length),
    /// which in both headers starts 20 bytes in, where the offsets count from. IPv4's
    /// [`super::ipv4::Ipv4Header::option_list`] walks its options with it.
    pub fn over(option_bytes: &'a [u8]) -> Options<'a> {
        Options {
            bytes: option_bytes,
            at: 0,
            done: false,
        }
    }
}

impl<'a> Iterator for Options<'a> {
    type Item = Result<TcpOption<'a>, BadOption>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let at = self.at;
        let start = HEADER_LEN + at;
        let kind = *self.bytes.get(at)?;
        if kind <= 1 {
            self.at += 1;
            self.done = kind == 0;
            return Some(Ok(TcpOption {
                kind,
                start,
                len: 1,
                value: &[],
            }));
        }
        let len = self.bytes.get(at + 1).copied();
        let fits = len.filter(|&l| l >= 2 && at + usize::from(l) <= self.bytes.len());
        let Some(len) = fits else {
            self.done = true;
            return Some(Err(BadOption { kind, start, len }));
        };
        let len = usize::from(len);
        self.at += len;
        Some(Ok(TcpOption {
            kind,
            start,
            len,
            value: &self.bytes[at + 2..at + len],
        }))
    }
}

/// The options the sequence analysis uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OptionSummary {
    pub mss: Option<u16>,
    pub window_scale: Option<u8>,
    pub sack_permitted: bool,
    /// Number of SACK blocks (the edges are in `sack`).
    pub sack_count: u8,
    pub sack: [(u32, u32); 4],
    pub timestamp: Option<(u32, u32)>,
    /// Kinds of the MSS, window-scale, SACK-permitted and SACK options in packet order (0 ends
    /// the list), so the Info column lists them as Wireshark does.
    pub order: [u8; 4],
}

impl OptionSummary {
    /// Reads the options of `tcp` up to the first invalid one. The two layouts nearly every
    /// segment after the handshake has — none, or two NOPs and a timestamp — are read without
    /// walking the list (the walk gives the same summary).
    #[inline]
    pub fn of(tcp: &TcpHeader<'_>) -> OptionSummary {
        match tcp.option_bytes() {
            [] => OptionSummary::default(),
            &[1, 1, 8, 10, a0, a1, a2, a3, b0, b1, b2, b3] => OptionSummary {
                timestamp: Some((
                    u32::from_be_bytes([a0, a1, a2, a3]),
                    u32::from_be_bytes([b0, b1, b2, b3]),
                )),
                ..OptionSummary::default()
            },
            _ => Self::walk(tcp),
        }
    }

    #[inline(never)]
    fn walk(tcp: &TcpHeader<'_>) -> OptionSummary {
        let mut out = OptionSummary::default();
        for option in tcp.options() {
            let Ok(option) = option else { break };
            if option.kind == 0 {
                break;
            }
            out.add(&option);
        }
        out
    }

    fn add(&mut self, option: &TcpOption<'_>) {
        let body = option.value;
        match (option.kind, body.len()) {
            (2, 2) => self.mss = be16(body, 0),
            (3, 1) => self.window_scale = Some(body[0]),
            (4, 0) => self.sack_permitted = true,
            (5, n) if n % 8 == 0 => {
                for block in body.chunks_exact(8).take(4) {
                    if let (Some(left), Some(right)) = (be32(block, 0), be32(block, 4)) {
                        self.sack[usize::from(self.sack_count)] = (left, right);
                        self.sack_count += 1;
                    }
                }
            }
            (8, 8) => self.timestamp = be32(body, 0).zip(be32(body, 4)),
            _ => {}
        }
        if matches!(option.kind, 2..=5) {
            if let Some(slot) = self.order.iter_mut().find(|k| **k == 0) {
                *slot = option.kind;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A SYN with MSS 1460, SACK permitted, timestamps, NOP and window scale 7 (the layout
    /// Linux sends).
    const SYN_HEADER: [u8; 40] = [
        0xc4, 0x50, 0x01, 0xbb, 0x3a, 0x2b, 0x1c, 0x0d, 0, 0, 0, 0, 0xa0, 0x02, 0xfa, 0xf0, 0x12,
        0x34, 0, 0, 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x30, 0x39, 0, 0, 0, 0, 1, 3, 3, 7,
    ];

    #[test]
    fn fixed_fields_and_options() {
        let tcp = TcpHeader::new(&SYN_HEADER).unwrap();
        assert_eq!((tcp.src_port(), tcp.dst_port()), (50256, 443));
        assert_eq!(tcp.seq(), 0x3a2b1c0d);
        assert_eq!(
            (tcp.header_len(), tcp.flags(), tcp.window()),
            (40, SYN, 64240)
        );
        let kinds: Vec<u8> = tcp.options().map(|o| o.unwrap().kind).collect();
        assert_eq!(kinds, [2, 4, 8, 1, 3]);
        let summary = OptionSummary::of(&tcp);
        assert_eq!(summary.mss, Some(1460));
        assert_eq!(summary.window_scale, Some(7));
        assert!(summary.sack_permitted);
        assert_eq!(summary.timestamp, Some((12345, 0)));
        assert_eq!(summary.order, [2, 4, 3, 0]);
        assert!(tcp.payload().is_empty());
    }

    #[test]
    fn the_usual_layouts_read_as_the_walk_reads_them() {
        let mut header = SYN_HEADER;
        header[12] = 0x80; // 32 bytes: NOP, NOP, timestamps
        header[13] = 0x10; // ACK
        header[20..32].copy_from_slice(&[1, 1, 8, 10, 0, 0, 0x30, 0x39, 0xde, 0xad, 0xbe, 0xef]);
        let tcp = TcpHeader::new(&header[..32]).unwrap();
        assert_eq!(OptionSummary::of(&tcp), OptionSummary::walk(&tcp));
        assert_eq!(
            OptionSummary::of(&tcp).timestamp,
            Some((12345, 0xdead_beef))
        );
        header[12] = 0x50;
        let tcp = TcpHeader::new(&header[..20]).unwrap();
        assert_eq!(OptionSummary::of(&tcp), OptionSummary::default());
        assert_eq!(OptionSummary::walk(&tcp), OptionSummary::default());
    }

    #[test]
    fn agrees_with_etherparse() {
        let ours = TcpHeader::new(&SYN_HEADER).unwrap();
        let theirs = etherparse::TcpHeaderSlice::from_slice(&SYN_HEADER).unwrap();
        assert_eq!(ours.seq(), theirs.sequence_number());
        assert_eq!(ours.ack(), theirs.acknowledgment_number());
        assert_eq!(ours.window(), theirs.window_size());
        assert_eq!(ours.header_len(), usize::from(theirs.data_offset()) * 4);
        assert_eq!(ours.option_bytes(), theirs.options());
        assert_eq!(ours.checksum(), theirs.checksum());
    }

    #[test]
    fn cut_options_keep_the_fixed_fields() {
        for n in 20..40 {
            let tcp = TcpHeader::new(&SYN_HEADER[..n]).unwrap();
            assert_eq!(tcp.seq(), 0x3a2b1c0d);
            assert!(!tcp.options_complete());
            let _ = OptionSummary::of(&tcp);
        }
        let mut bad = SYN_HEADER;
        bad[21] = 1; // MSS length 1
        let tcp = TcpHeader::new(&bad).unwrap();
        let first = tcp.options().next().unwrap();
        assert_eq!(
            first,
            Err(BadOption {
                kind: 2,
                start: 20,
                len: Some(1)
            })
        );
    }
}
