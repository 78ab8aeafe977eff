//! Streams capture files from disk into an [`Analyzer`] in fixed-size chunks (the page feeds
//! `File` slices the same way) and turns the outcome into the CLI's exit status; for timings,
//! [`read_whole`] and [`ingest_in_memory`] do the same from memory.
//!
//! A large regular file is mapped into memory rather than read: `read` copies every byte from the
//! page cache into the buffer, and that copy was an eighth of the CPU time of
//! `tracelens findings` on a 1M-frame capture. As in ripgrep, the price is that a file cut
//! shorter by another program while it is mapped ends the process (the kernel's SIGBUS); a file
//! that grows while it is read is read as it was when opened, as with `read`.

use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use tracelens::analyzer::Analyzer;

/// Chunk size used when reading files.
const CHUNK: usize = 8 << 20;
/// Files at least this large are mapped rather than read (mapping a small file costs more than
/// copying it).
const MAP_FROM: u64 = 16 << 20;

/// What happened to the inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// At least one file was damaged; frames before the damage were kept.
    Damaged,
    /// A file could not be opened or read at all.
    Unusable,
}

impl Outcome {
    /// The worse of two outcomes.
    pub fn worst(self, other: Outcome) -> Outcome {
        let rank = |o: Outcome| o.exit_code();
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }

    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Ok => 0,
            Outcome::Damaged => 1,
            Outcome::Unusable => 2,
        }
    }
}

/// Reads every file whole into memory, for timings that must not measure the disk; `None`,
/// after saying why, when one cannot be read.
pub fn read_whole(paths: &[PathBuf]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    for path in paths {
        match std::fs::read(path) {
            Ok(bytes) => files.push((path.display().to_string(), bytes)),
            Err(e) => {
                eprintln!("tracelens: cannot read {}: {e}", path.display());
                return None;
            }
        }
    }
    Some(files)
}

/// Feeds files [`read_whole`] read into `analyzer` in the chunks [`load_into`] reads from disk,
/// and finishes it.
pub fn ingest_in_memory(mut analyzer: Analyzer, files: &[(String, Vec<u8>)]) -> Analyzer {
    for (name, bytes) in files {
        let file = analyzer.begin_file(name);
        for chunk in bytes.chunks(CHUNK) {
            analyzer.push(file, chunk);
        }
        analyzer.end_file(file);
    }
    analyzer.finish();
    analyzer
}

/// Reads every file into a finished analyzer.
pub fn load(paths: &[PathBuf]) -> (Analyzer, Outcome) {
    load_into(Analyzer::new(), paths)
}

/// Reads every file into `analyzer` (set up by the caller, e.g. to validate checksums) and
/// finishes it. A file that cannot be opened, or whose reading fails part way, ends there with
/// the system's reason as its error (the frames read before it stay); every file's error is then
/// said once on stderr, with the file's name.
pub fn load_into(mut analyzer: Analyzer, paths: &[PathBuf]) -> (Analyzer, Outcome) {
    let mut buffer = vec![0u8; CHUNK];
    for path in paths {
        let file_no = analyzer.begin_file(&path.display().to_string());
        match stream_file(&mut analyzer, file_no, path, &mut buffer) {
            Ok(()) => analyzer.end_file(file_no),
            Err(e) => analyzer.abandon_file(file_no, &e.to_string()),
        }
    }
    analyzer.finish();
    let mut outcome = Outcome::Ok;
    for info in analyzer.file_infos() {
        if let Some(error) = &info.error {
            eprintln!("tracelens: {}: {error}", info.name);
            outcome = outcome.worst(if info.frames == 0 {
                Outcome::Unusable
            } else {
                Outcome::Damaged
            });
        }
    }
    (analyzer, outcome)
}

/// Pushes the bytes of `path` into file `file_no` of `analyzer`, chunk by chunk.
fn stream_file(
    analyzer: &mut Analyzer,
    file_no: usize,
    path: &PathBuf,
    buffer: &mut [u8],
) -> std::io::Result<()> {
    let mut file = File::open(path)?;
    let metadata = file.metadata().ok();
    let size = metadata.as_ref().map(|m| m.len());
    if metadata.is_some_and(|m| m.is_file() && m.len() >= MAP_FROM) {
        // SAFETY: the map is only read, and dropped before this function returns; see the
        // module's documentation for a file truncated meanwhile.
        // (No `madvise` advice: sequential, will-need and populating the map up front all
        // measured the same as none.)
        if let Ok(map) = unsafe { memmap2::Mmap::map(&file) } {
            if !map.starts_with(&[0x1f, 0x8b]) {
                analyzer.expect_bytes(file_no, map.len() as u64);
            }
            for chunk in map.chunks(CHUNK) {
                analyzer.push(file_no, chunk);
            }
            return Ok(());
        }
    }
    let mut first = true;
    loop {
        match file.read(buffer) {
            Ok(0) => return Ok(()),
            Ok(n) => {
                // A file read as it is (not gzip, whose size says little of what it inflates to)
                // lets the analyzer plan its records' memory.
                if std::mem::take(&mut first) && !buffer[..n].starts_with(&[0x1f, 0x8b]) {
                    if let Some(size) = size {
                        analyzer.expect_bytes(file_no, size);
                    }
                }
                analyzer.push(file_no, &buffer[..n]);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}
