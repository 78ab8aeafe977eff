//! The wire layer and the index's decoder on one arbitrary frame of any corpus link type.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::wire_decode(data));
