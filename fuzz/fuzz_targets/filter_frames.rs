//! Every field the filter knows, read from arbitrary frames: each filter of a fixed list that
//! touches one field family (addresses, ports, TCP analysis, DNS/HTTP/TLS, bytes and slices,
//! tunnels) is evaluated over a capture made from the input.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::filter_frames(data));
