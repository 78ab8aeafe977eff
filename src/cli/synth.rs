//! `tracelens synth OUT --packets N`: writes the deterministic synthetic capture used by the
//! benchmarks and the browser scale tests.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

pub fn run(out: &Path, packets: u64, seed: u64) -> u8 {
    let file = match File::create(out) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("tracelens: cannot create {}: {e}", out.display());
            return 2;
        }
    };
    match tracelens::synth::write_synthetic_capture(
        BufWriter::with_capacity(1 << 20, file),
        packets,
        seed,
    ) {
        Ok(n) => {
            eprintln!("wrote {n} frames to {}", out.display());
            0
        }
        Err(e) => {
            eprintln!("tracelens: writing {}: {e}", out.display());
            2
        }
    }
}
