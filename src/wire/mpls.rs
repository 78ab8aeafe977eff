//! One MPLS label stack entry (RFC 3032) as a zero-copy view: [`MplsEntry`] checks once that
//! its 4 bytes are there and reads the label, traffic class, bottom-of-stack bit and TTL. The
//! index's link decoder ([`super::link`]) and the details tree walk a label stack entry by entry
//! through it; [`payload_kind`] guesses what follows the stack and [`control_word_sequence`]
//! reads an Ethernet pseudowire's control word. etherparse does not parse MPLS, so the view is written here.

use super::error::{need, WireError};
use super::view::header_view;

pub const ENTRY_LEN: usize = 4;

header_view! {
    /// A label stack entry at the start of `bytes`.
    pub struct MplsEntry, checked to ENTRY_LEN, with new;
    /// Each field is a bit range of the one 32-bit entry (as tshark shows it).
    pub mod field {
        /// The whole entry as one big-endian word.
        pub const ENTRY: Range<usize> = 0..4 => word: u32;
        pub const LABEL_MASK: u32 = 0xffff_f000;
        pub const TC_MASK: u32 = 0x0e00;
        pub const BOTTOM_MASK: u32 = 0x0100;
        pub const TTL_MASK: u32 = 0xff;
    }
}

impl<'a> MplsEntry<'a> {
    pub fn label(&self) -> u32 {
        self.word() >> 12
    }

    /// Traffic class (the former "experimental" bits).
    pub fn tc(&self) -> u32 {
        (self.word() >> 9) & 7
    }

    /// Bottom of stack: the last entry before the payload.
    #[inline]
    pub fn bottom(&self) -> bool {
        self.bytes[2] & 0x01 != 0
    }

    pub fn ttl(&self) -> u32 {
        self.word() & 0xff
    }
}

/// What follows the bottom label, guessed from its first nibble as Wireshark does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MplsPayload {
    Ipv4,
    Ipv6,
    /// An Ethernet pseudowire behind a control word (first nibble 0).
    ControlWord,
    /// An Ethernet pseudowire without a control word.
    Ethernet,
}

/// The payload after the bottom of the stack, from its first byte (`None` when there is none).
pub fn payload_kind(payload: &[u8]) -> Option<MplsPayload> {
    Some(match payload.first()? >> 4 {
        4 => MplsPayload::Ipv4,
        6 => MplsPayload::Ipv6,
        0 => MplsPayload::ControlWord,
        _ => MplsPayload::Ethernet,
    })
}

pub const CONTROL_WORD_LEN: usize = 4;
/// The control word's sequence number (RFC 4385).
pub const CONTROL_WORD_SEQUENCE: std::ops::Range<usize> = 2..4;

/// The sequence number of the pseudowire control word at the start of `bytes`.
pub fn control_word_sequence(bytes: &[u8]) -> Result<u16, WireError> {
    need(bytes, CONTROL_WORD_LEN)?;
    Ok(u16::from_be_bytes([bytes[2], bytes[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_fields() {
        // Label 16, TC 0, bottom of stack, TTL 255 (tcpdump/mpls-ldp-hello style entry).
        let e = MplsEntry::new(&[0x00, 0x01, 0x01, 0xff, 0x45]).unwrap();
        assert_eq!((e.label(), e.tc(), e.bottom(), e.ttl()), (16, 0, true, 255));
        let e = MplsEntry::new(&[0x00, 0x01, 0x0e, 0x40]).unwrap();
        assert_eq!((e.label(), e.tc(), e.bottom(), e.ttl()), (16, 7, false, 64));
        assert!(MplsEntry::new(&[0; 3]).is_err());
        assert_eq!(payload_kind(&[0x45]), Some(MplsPayload::Ipv4));
        assert_eq!(payload_kind(&[0x00]), Some(MplsPayload::ControlWord));
        assert_eq!(payload_kind(&[]), None);
        assert_eq!(control_word_sequence(&[0, 0, 0x01, 0x02]), Ok(0x0102));
    }
}
