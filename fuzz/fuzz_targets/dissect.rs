//! The details tree of one arbitrary frame: never a panic, and every node's bytes lie inside
//! the frame (the page highlights them).
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::dissect(data));
