//! Checksum verdicts as a node shows them ("correct", "incorrect, should be 0x…" or
//! "unverified" with the reason). The checksums themselves are computed by
//! [`crate::wire::checksum`], the crate's one Internet checksum.

use crate::wire::checksum::{
    expected_over, transport_checksum_expected, transport_checksum_ok, verifies,
};

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
        if verifies(data, acc) {
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
