//! Errors that say where and why: every capture error names the byte offset in the (decompressed)
//! input and the number of the frame that could not be read, so a damaged file still yields every
//! frame before the damage and the user learns exactly where reading stopped.

use std::fmt;

/// A capture file could not be read past some point.
///
/// `offset` is the byte offset in the file's (decompressed) stream where the problem starts;
/// `frame` is the 1-based number the unreadable frame would have had in that file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CaptureError {
    pub offset: u64,
    pub frame: u64,
    pub message: String,
}

impl CaptureError {
    pub fn new(offset: u64, frame: u64, message: impl Into<String>) -> Self {
        CaptureError {
            offset,
            frame,
            message: message.into(),
        }
    }
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at byte {} (frame {}): {}",
            self.offset, self.frame, self.message
        )
    }
}

impl std::error::Error for CaptureError {}
