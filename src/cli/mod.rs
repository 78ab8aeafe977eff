//! Command implementations for the `tracelens` binary, one module per command, plus the shared
//! loading step that streams files into an [`Analyzer`] exactly as the page does.

pub mod alloc_meter;
pub mod compare;
pub mod connections;
pub mod conv;
pub mod endpoints;
pub mod export;
pub mod findings;
pub mod follow;
pub mod frames;
pub mod info;
pub mod io;
pub mod load;
pub mod markers;
pub mod memory;
pub mod output;
pub mod packets;
pub mod plan;
pub mod synth;
pub mod tables;
pub mod tcp;
