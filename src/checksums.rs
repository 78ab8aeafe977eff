//! What the index keeps about wrong checksums: one [`ChecksumIssue`] per frame whose IPv4 header,
//! TCP or UDP checksum is wrong (a sparse side table of [`PacketIndex`](crate::index::PacketIndex)).
//!
//! Only the data lives here, below the index, so that the index never depends on a detector:
//! the validation itself and its explanation are the `bad_checksum` finding
//! ([`crate::findings::bad_checksum`]), which fills and reads this table.

/// Bits of [`ChecksumIssue::bits`].
pub mod bit {
    /// The IPv4 header checksum is wrong.
    pub const IP_BAD: u8 = 1;
    /// … and it is 0.
    pub const IP_ZERO: u8 = 2;
    /// The TCP or UDP checksum is wrong.
    pub const TRANSPORT_BAD: u8 = 4;
    /// … and it is 0 (TCP).
    pub const TRANSPORT_ZERO: u8 = 8;
    /// … and it holds the pseudo-header sum alone (what checksum offload leaves there).
    pub const TRANSPORT_PARTIAL: u8 = 16;
    /// The transport is UDP (else TCP).
    pub const UDP: u8 = 32;
}

/// What is wrong with one frame's checksums, and by how much (the one's-complement amount the
/// stored value is off, which is the same for every packet of a conversation whose addresses
/// were rewritten).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChecksumIssue {
    pub bits: u8,
    pub ip_delta: u16,
    pub transport_delta: u16,
}

impl ChecksumIssue {
    pub fn has(&self, b: u8) -> bool {
        self.bits & b != 0
    }
}
