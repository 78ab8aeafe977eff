//! The English of the findings, in one place: every verdict, explanation and what-to-check
//! sentence that a detector shows is written here, one file per detector, from the plain facts
//! (counts, frames, endpoints, durations, the classification) the detector gathered. Detectors
//! classify and collect data; they hold no prose. The phrase helpers they share (plurals,
//! durations, lists, endpoints) are in [`super::text`].

pub(crate) mod bad_checksum;
pub(crate) mod capture_quality;
pub(crate) mod connection_refused;
pub(crate) mod handshake_ack_mismatch;
pub(crate) mod many_connections;
pub(crate) mod markers;
pub(crate) mod reset;
pub(crate) mod retransmissions;
pub(crate) mod slow_response;
pub(crate) mod synack_with_payload;
pub(crate) mod truncated_frames;
pub(crate) mod unanswered_syn;
pub(crate) mod zero_window;
