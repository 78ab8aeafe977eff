//! What the integration tests share: the capture corpus (`../shared/captures`, or
//! `TRACELENS_CAPTURES`), the capture paths its MANIFEST lists (each must exist: a missing file
//! fails the test, never skips it), and a capture read through the `Analyzer` exactly as the CLI
//! reads it, with its bytes held in memory for the byte-level filters and exports.

// Each test binary uses part of this module.
#![allow(dead_code)]

use std::borrow::Cow;
use std::io::Read;
use std::path::{Path, PathBuf};
use tracelens::analyzer::{Analyzer, FrameLocation};
use tracelens::filter::FrameBytes;

/// The capture corpus folder.
pub fn corpus_dir() -> PathBuf {
    std::env::var_os("TRACELENS_CAPTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures"))
}

/// The capture paths of the MANIFEST's file table, in its order. Capture rows name a file under
/// its source folder; rows of its other tables (a "`.cap` that is really pcap") have no folder.
/// A listed file that the corpus lacks fails the calling test.
pub fn manifest_paths() -> Vec<String> {
    let dir = corpus_dir();
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.md")).expect("MANIFEST.md");
    manifest
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .filter(|path| path.contains('/'))
        .inspect(|path| {
            assert!(
                dir.join(path).is_file(),
                "MANIFEST.md names {path}, which is not in the corpus"
            )
        })
        .map(str::to_string)
        .collect()
}

/// A capture held in memory, decompressed when gzip'd (the index's offsets are in that stream).
pub struct Memory(pub Vec<u8>);

impl Memory {
    /// The bytes of a capture file as the index addresses them.
    pub fn of(raw: Vec<u8>) -> Memory {
        if !raw.starts_with(&[0x1f, 0x8b]) {
            return Memory(raw);
        }
        let mut out = Vec::new();
        let _ = flate2::read::MultiGzDecoder::new(raw.as_slice()).read_to_end(&mut out);
        Memory(out)
    }
}

impl FrameBytes for Memory {
    fn frame_bytes(&self, _frame: usize, at: &FrameLocation) -> Option<Cow<'_, [u8]>> {
        let start = usize::try_from(at.offset).ok()?;
        self.0
            .get(start..start + at.caplen as usize)
            .map(Cow::Borrowed)
    }
}

/// Reads `raw` (named `name`) through the analyzer in 64 KiB chunks, as the CLI and the page do.
pub fn analyze(name: &str, raw: Vec<u8>) -> (Analyzer, Memory) {
    let mut analyzer = Analyzer::new();
    let file = analyzer.begin_file(name);
    for chunk in raw.chunks(1 << 16) {
        analyzer.push(file, chunk);
    }
    analyzer.end_file(file);
    analyzer.finish();
    (analyzer, Memory::of(raw))
}

/// A capture file read through the analyzer, with its bytes.
pub fn load_file(path: &Path) -> (Analyzer, Memory) {
    let raw = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    analyze(&path.display().to_string(), raw)
}

/// A corpus capture (path relative to the corpus) read through the analyzer, with its bytes.
pub fn load(capture: &str) -> (Analyzer, Memory) {
    let raw =
        std::fs::read(corpus_dir().join(capture)).unwrap_or_else(|e| panic!("{capture}: {e}"));
    analyze(capture, raw)
}
