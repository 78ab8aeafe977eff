//! Frame bytes for the CLI's byte-level filters (`tcp.payload`, `frame contains …`): read from
//! the capture files at the offsets the index recorded. Plain files are read with a seek per
//! frame; gzip-compressed files are decompressed into memory once, on the first frame asked for
//! (the index's offsets are in the decompressed stream).

use flate2::read::MultiGzDecoder;
use std::borrow::Cow;
use std::cell::RefCell;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use tracelens::analyzer::FrameLocation;
use tracelens::filter::FrameBytes;

enum Source {
    Unopened(PathBuf),
    Plain(File),
    Memory(Vec<u8>),
    Unreadable,
}

fn open(path: &PathBuf) -> Source {
    let Ok(mut file) = File::open(path) else {
        return Source::Unreadable;
    };
    let mut magic = [0u8; 2];
    let gzip = file.read_exact(&mut magic).is_ok() && magic == [0x1f, 0x8b];
    if !gzip {
        return Source::Plain(file);
    }
    let Ok(file) = File::open(path) else {
        return Source::Unreadable;
    };
    let mut data = Vec::new();
    // A damaged gzip stream still yields what decompressed before the damage.
    let _ = MultiGzDecoder::new(file).read_to_end(&mut data);
    Source::Memory(data)
}

/// The capture files of one CLI run, in the order they were loaded.
pub struct CaptureFiles {
    files: Vec<RefCell<Source>>,
}

impl CaptureFiles {
    pub fn new(paths: &[PathBuf]) -> Self {
        CaptureFiles {
            files: paths
                .iter()
                .map(|p| RefCell::new(Source::Unopened(p.clone())))
                .collect(),
        }
    }
}

impl FrameBytes for CaptureFiles {
    fn frame_bytes(&self, _frame_index: usize, location: &FrameLocation) -> Option<Cow<'_, [u8]>> {
        let mut source = self.files.get(location.file)?.borrow_mut();
        if let Source::Unopened(path) = &*source {
            *source = open(path);
        }
        let len = location.caplen as usize;
        match &mut *source {
            Source::Plain(file) => {
                let mut buffer = vec![0u8; len];
                file.seek(SeekFrom::Start(location.offset)).ok()?;
                file.read_exact(&mut buffer).ok()?;
                Some(Cow::Owned(buffer))
            }
            Source::Memory(data) => {
                let start = usize::try_from(location.offset).ok()?;
                let bytes = data.get(start..start.checked_add(len)?)?;
                Some(Cow::Owned(bytes.to_vec()))
            }
            Source::Unopened(_) | Source::Unreadable => None,
        }
    }
}

/// Applies `-Y FILTER` (if given) to a loaded analyzer, reading frame bytes from `paths` when
/// the filter needs them. On a bad filter, prints the error with its caret line and returns
/// exit status 2.
pub fn apply_filter(
    analyzer: &mut tracelens::analyzer::Analyzer,
    paths: &[PathBuf],
    filter: Option<&str>,
) -> Result<(), u8> {
    let Some(text) = filter else {
        return Ok(());
    };
    let files = CaptureFiles::new(paths);
    match analyzer.apply_filter_with(text, Some(&files)) {
        Ok(_) => Ok(()),
        Err(error) => {
            eprintln!("tracelens: invalid display filter:\n{error}");
            Err(2)
        }
    }
}
