//! Why a header view could not be made: too few bytes (how many were needed, how many there
//! were) or a field whose value makes the header unreadable (which field, what value). Views are
//! checked once, on construction, so this is the only failure a view ever reports; the callers
//! add where in the frame the header started.

use std::fmt;

/// A header that could not be viewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireError {
    /// The header needs `needed` bytes; only `have` were captured.
    Truncated { needed: usize, have: usize },
    /// A field's value makes the rest unreadable (a version nibble that is not this protocol's,
    /// a header length below the minimum…).
    Malformed { field: &'static str, value: u32 },
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::Truncated { needed, have } => {
                write!(f, "header needs {needed} bytes, only {have} captured")
            }
            WireError::Malformed { field, value } => write!(f, "{field} {value} is not valid"),
        }
    }
}

/// `Ok` when `bytes` holds at least `needed` bytes.
#[inline]
pub(crate) fn need(bytes: &[u8], needed: usize) -> Result<(), WireError> {
    if bytes.len() >= needed {
        Ok(())
    } else {
        Err(WireError::Truncated {
            needed,
            have: bytes.len(),
        })
    }
}
