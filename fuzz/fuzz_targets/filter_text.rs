//! The display-filter lexer, parser and compiler on arbitrary text; what compiles is evaluated
//! over a small capture, and `not` must select exactly the complement.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::filter_text(data));
