//! The fuzz targets' checks (`fuzz/fuzz_targets/checks.rs`) on stable Rust, in the ordinary test
//! run: every input a fuzzer once crashed on (`fuzz/regressions/<target>/`) must now pass, and
//! so must a sample of each seed corpus when `fuzz/seed.py` has made one. This keeps the
//! harnesses compiling and the fixed crashes fixed without nightly or libFuzzer.

#[path = "../fuzz/fuzz_targets/checks.rs"]
mod checks;

use std::path::Path;

type Check = fn(&[u8]);

const TARGETS: [(&str, Check); 6] = [
    ("capture_chunks", checks::capture_chunks),
    ("wire_decode", checks::wire_decode),
    ("dissect", checks::dissect),
    ("filter_text", checks::filter_text),
    ("filter_frames", checks::filter_frames),
    ("findings", checks::findings),
];

/// Runs `check` on every file of `dir` (at most `limit`, in name order); returns how many.
fn replay(dir: &Path, check: Check, limit: usize) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths.iter().take(limit) {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        println!("{}", path.display());
        check(&data);
    }
    paths.len().min(limit)
}

#[test]
fn every_saved_crash_input_passes_its_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let replayed: usize = TARGETS
        .iter()
        .map(|(name, check)| replay(&root.join(name), *check, usize::MAX))
        .sum();
    println!("{replayed} saved inputs replayed");
}

#[test]
fn seed_corpora_pass_their_checks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    for (name, check) in TARGETS {
        let n = replay(&root.join(name), check, 200);
        println!("{name}: {n} seeds");
    }
}

#[test]
fn the_checks_catch_what_they_claim_to() {
    // A capture whose frames cite nothing wrong: the checks hold on the bundled sample.
    let sample = include_bytes!("../www/samples/synack-2-bytes.pcap");
    checks::capture_chunks(&[7].iter().chain(sample.iter()).copied().collect::<Vec<_>>());
    checks::filter_text(b"tcp.flags.syn == 1 and not tcp.len == 0");
    // pcap_of cuts frames at the lengths the input gives.
    let file = checks::pcap_of(1, &[3, 1, 2, 3, 0, 2, 9]);
    let analyzer = checks::analyze(&file, 5);
    assert_eq!(analyzer.len(), 3);
}
