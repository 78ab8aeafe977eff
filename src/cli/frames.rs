//! Frame bytes for the CLI's byte-level filters (`tcp.payload`, `frame contains …`): read from
//! the capture files at the offsets the index recorded. Plain files are read with a seek per
//! frame; gzip-compressed files are decompressed into memory once, on the first frame asked for
//! (the index's offsets are in the decompressed stream).

use super::load::Outcome;
use flate2::read::MultiGzDecoder;
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use tracelens::analyzer::FrameLocation;
use tracelens::capture::reader::gzip_ceiling;
use tracelens::filter::FrameBytes;

enum Source {
    Unopened(PathBuf),
    Plain(File),
    Memory(Vec<u8>),
    Unreadable,
}

fn open(path: &PathBuf) -> std::io::Result<Source> {
    let mut file = File::open(path)?;
    let mut magic = [0u8; 2];
    let gzip = file.read_exact(&mut magic).is_ok() && magic == [0x1f, 0x8b];
    if !gzip {
        return Ok(Source::Plain(file));
    }
    let compressed = file.metadata()?.len();
    let file = File::open(path)?;
    let mut data = Vec::new();
    // A damaged gzip stream still yields what decompressed before the damage (the reader said
    // where it is), and no more is inflated than the reader would (a gzip bomb stops there).
    let _ = MultiGzDecoder::new(file)
        .take(gzip_ceiling(compressed))
        .read_to_end(&mut data);
    Ok(Source::Memory(data))
}

/// The capture files of one CLI run, in the order they were loaded. A file whose frames cannot
/// be read again is said once on stderr, with its name and the system's reason.
pub struct CaptureFiles {
    files: Vec<RefCell<Source>>,
    names: Vec<String>,
    reported: Vec<Cell<bool>>,
}

impl CaptureFiles {
    pub fn new(paths: &[PathBuf]) -> Self {
        CaptureFiles {
            files: paths
                .iter()
                .map(|p| RefCell::new(Source::Unopened(p.clone())))
                .collect(),
            names: paths.iter().map(|p| p.display().to_string()).collect(),
            reported: paths.iter().map(|_| Cell::new(false)).collect(),
        }
    }

    /// True when the bytes of some frame could not be read again.
    pub fn failed(&self) -> bool {
        self.reported.iter().any(Cell::get)
    }

    /// Says once per file that its frames' bytes could not be read again, and why.
    fn report(&self, file: usize, why: &str) {
        let Some(reported) = self.reported.get(file).filter(|r| !r.get()) else {
            return;
        };
        reported.set(true);
        let name = self.names.get(file).map_or("?", String::as_str);
        eprintln!("tracelens: {name}: the bytes of its frames could not be read again ({why}); a filter on their bytes does not match them");
    }

    fn read(&self, file: usize, location: &FrameLocation) -> Result<Option<Vec<u8>>, String> {
        let Some(source) = self.files.get(file) else {
            return Ok(None);
        };
        let mut source = source.borrow_mut();
        if let Source::Unopened(path) = &*source {
            let opened = open(path);
            // A file that cannot be opened is said once, then its frames read as absent.
            *source = Source::Unreadable;
            *source = opened.map_err(|e| e.to_string())?;
        }
        let len = location.caplen as usize;
        match &mut *source {
            Source::Plain(file) => {
                let mut buffer = vec![0u8; len];
                file.seek(SeekFrom::Start(location.offset))
                    .and_then(|_| file.read_exact(&mut buffer))
                    .map_err(|e| format!("at byte {}: {e}", location.offset))?;
                Ok(Some(buffer))
            }
            Source::Memory(data) => {
                let start = usize::try_from(location.offset).ok();
                let bytes = start.and_then(|s| data.get(s..s.checked_add(len)?));
                let missing = || format!("byte {} is past its decompressed end", location.offset);
                Ok(Some(bytes.ok_or_else(missing)?.to_vec()))
            }
            Source::Unopened(_) | Source::Unreadable => Ok(None),
        }
    }
}

impl FrameBytes for CaptureFiles {
    fn frame_bytes(&self, _frame_index: usize, location: &FrameLocation) -> Option<Cow<'_, [u8]>> {
        match self.read(location.file, location) {
            Ok(bytes) => bytes.map(Cow::Owned),
            Err(why) => {
                self.report(location.file, &why);
                None
            }
        }
    }
}

/// Applies `-Y FILTER` (if given) to a loaded analyzer, reading frame bytes from `paths` when
/// the filter needs them; `Outcome::Damaged` when some could not be read again (said on
/// stderr). On a bad filter, prints the error with its caret line and returns exit status 2.
pub fn apply_filter(
    analyzer: &mut tracelens::analyzer::Analyzer,
    paths: &[PathBuf],
    filter: Option<&str>,
) -> Result<Outcome, u8> {
    let Some(text) = filter else {
        return Ok(Outcome::Ok);
    };
    let files = CaptureFiles::new(paths);
    match analyzer.apply_filter_with(text, Some(&files)) {
        Ok(_) if files.failed() => Ok(Outcome::Damaged),
        Ok(_) => Ok(Outcome::Ok),
        Err(error) => {
            eprintln!("tracelens: invalid display filter:\n{error}");
            Err(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(offset: u64, caplen: u32) -> FrameLocation {
        FrameLocation {
            file: 0,
            offset,
            caplen,
        }
    }

    #[test]
    fn a_file_gone_or_shorter_than_its_frames_is_said_not_hidden() {
        let path =
            std::env::temp_dir().join(format!("tracelens-frames-{}.pcap", std::process::id()));
        std::fs::write(&path, [1u8, 2, 3, 4, 5, 6, 7, 8]).expect("temp file");
        let files = CaptureFiles::new(std::slice::from_ref(&path));
        assert_eq!(
            files.frame_bytes(0, &at(2, 3)).as_deref(),
            Some(&[3u8, 4, 5][..])
        );
        assert!(!files.failed());
        assert_eq!(
            files.read(0, &at(6, 4)),
            Err("at byte 6: failed to fill whole buffer".into())
        );
        assert!(files.frame_bytes(0, &at(6, 4)).is_none());
        assert!(files.failed());

        std::fs::remove_file(&path).expect("removed");
        let gone = CaptureFiles::new(std::slice::from_ref(&path));
        assert!(gone.frame_bytes(0, &at(0, 1)).is_none() && gone.failed());
        let error = CaptureFiles::new(std::slice::from_ref(&path))
            .read(0, &at(0, 1))
            .expect_err("gone");
        assert!(error.contains("No such file"), "{error}");
        // Said once: later frames of the file read as absent.
        assert_eq!(gone.read(0, &at(0, 1)), Ok(None));
    }
}
