//! Every detector over an arbitrary small capture: the findings pass never panics, and every
//! evidence frame it cites exists.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::findings(data));
