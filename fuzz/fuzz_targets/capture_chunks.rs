//! Capture readers (pcap, pcapng, Network Monitor, gzip) fed the same bytes in chunks of
//! different sizes: never a panic, and the index and the error are the same however the bytes
//! arrive.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::capture_chunks(data));
