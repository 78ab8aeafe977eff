//! Display-filter parity with tshark 4.0: every filter of `tests/filters/filters.txt` is run over
//! every capture of `../shared/captures/` and must select exactly the frames `tshark -Y` selects
//! (goldens in `tests/goldens/filters/`). Deviations are allowed only where PARITY.md's
//! "Display filters" section lists the filter and capture with a reason.
//!
//! Set `FILTER_GOLDENS=<dir>` to compare against another directory of goldens in the dev format
//! (one `<capture path with / as _>.txt` per capture, lines `<filter index> <frame>...`).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use tracelens::analyzer::{Analyzer, FrameLocation};
use tracelens::filter::{Filter, FrameBytes};

fn corpus_dir() -> PathBuf {
    std::env::var_os("TRACELENS_CAPTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures"))
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The filters, in order (comments and blank lines skipped).
fn filters() -> Vec<String> {
    let text =
        std::fs::read_to_string(repo().join("tests/filters/filters.txt")).expect("filters.txt");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Capture paths named in the corpus MANIFEST.
fn captures() -> Vec<String> {
    let manifest = std::fs::read_to_string(corpus_dir().join("MANIFEST.md")).expect("MANIFEST.md");
    manifest
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .filter(|path| corpus_dir().join(path).is_file())
        .map(str::to_string)
        .collect()
}

/// A capture held in memory (decompressed when gzip'd: the index's offsets are in that stream).
struct Memory(Vec<u8>);

impl FrameBytes for Memory {
    fn frame_bytes(&self, _frame: usize, at: &FrameLocation) -> Option<Cow<'_, [u8]>> {
        let start = usize::try_from(at.offset).ok()?;
        self.0
            .get(start..start + at.caplen as usize)
            .map(Cow::Borrowed)
    }
}

fn load(path: &str) -> (Analyzer, Memory) {
    let raw = std::fs::read(corpus_dir().join(path)).expect("capture");
    let mut analyzer = Analyzer::new();
    let file = analyzer.begin_file(path);
    analyzer.push(file, &raw);
    analyzer.finish();
    let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        let _ = flate2::read::MultiGzDecoder::new(raw.as_slice()).read_to_end(&mut out);
        out
    } else {
        raw
    };
    (analyzer, Memory(bytes))
}

/// Goldens: filter index → capture → frame numbers (`None` when tshark rejected the filter or
/// could not read the capture).
type Goldens = BTreeMap<(usize, String), Option<Vec<u64>>>;

fn dev_goldens(dir: &Path, captures: &[String]) -> Goldens {
    let mut goldens = Goldens::new();
    for capture in captures {
        let file = dir.join(format!("{}.txt", capture.replace('/', "_")));
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for line in text.lines() {
            let mut parts = line.split_whitespace();
            let Some(index) = parts.next().and_then(|n| n.parse::<usize>().ok()) else {
                continue;
            };
            let rest: Vec<&str> = parts.collect();
            let frames = if rest == ["ERR"] {
                None
            } else {
                Some(rest.iter().filter_map(|n| n.parse().ok()).collect())
            };
            goldens.insert((index, capture.clone()), frames);
        }
    }
    goldens
}

/// Deviations listed in PARITY.md's "Display filters" section: lines of the form
/// `- filter NN on <capture>: reason` (capture `*` = every capture).
fn allowed_deviations() -> BTreeSet<(usize, String)> {
    let text = std::fs::read_to_string(repo().join("PARITY.md")).unwrap_or_default();
    let Some(section) = text.split("## Display filters").nth(1) else {
        return BTreeSet::new();
    };
    let section = section.split("\n## ").next().unwrap_or("");
    section
        .lines()
        .filter_map(|line| line.trim().strip_prefix("- filter "))
        .filter_map(|rest| {
            let (number, rest) = rest.split_once(" on ")?;
            let (capture, _) = rest.split_once(':')?;
            Some((
                number.trim().parse().ok()?,
                capture.trim().trim_matches('`').to_string(),
            ))
        })
        .collect()
}

#[test]
fn filters_select_the_frames_tshark_selects() {
    let dir = std::env::var_os("FILTER_GOLDENS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("tests/goldens/filters"));
    if !dir.is_dir() {
        eprintln!(
            "SKIPPED: no filter goldens at {} (tests/goldens/generate.sh writes them)",
            dir.display()
        );
        return;
    }
    let filters = filters();
    let captures = captures();
    let goldens = dev_goldens(&dir, &captures);
    assert!(!goldens.is_empty(), "no goldens in {}", dir.display());
    let allowed = allowed_deviations();
    let compiled: Vec<Result<Filter, String>> = filters
        .iter()
        .map(|f| Filter::compile(f).map_err(|e| e.to_string()))
        .collect();
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut tolerated = 0;
    let mut stale = Vec::new();
    for capture in &captures {
        let (mut analyzer, bytes) = load(capture);
        for (index, filter) in compiled.iter().enumerate() {
            let Some(expected) = goldens.get(&(index, capture.clone())) else {
                continue;
            };
            let Some(expected) = expected else { continue };
            checked += 1;
            let got: Result<Vec<u64>, String> = match filter {
                Ok(filter) => analyzer
                    .filter_frames(filter, Some(&bytes))
                    .map(|frames| frames.into_iter().map(|i| u64::from(i) + 1).collect())
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.clone()),
            };
            let listed = allowed.contains(&(index, capture.clone()))
                || allowed.contains(&(index, "*".to_string()));
            if got.as_ref() == Ok(expected) {
                if listed {
                    stale.push(format!("filter {index:02} on {capture}"));
                }
                continue;
            }
            if listed {
                tolerated += 1;
                continue;
            }
            let detail = match &got {
                Ok(frames) => {
                    let want: BTreeSet<_> = expected.iter().collect();
                    let have: BTreeSet<_> = frames.iter().collect();
                    let missing: Vec<_> = want.difference(&have).take(12).collect();
                    let extra: Vec<_> = have.difference(&want).take(12).collect();
                    format!(
                        "missing {missing:?} extra {extra:?} (tshark {} frames, we {})",
                        expected.len(),
                        frames.len()
                    )
                }
                Err(e) => format!("error: {}", e.replace('\n', " | ")),
            };
            failures.push(format!(
                "filter {index:02} `{}` on {capture}: {detail}",
                filters[index]
            ));
        }
    }
    eprintln!(
        "{checked} filter x capture pairs checked, {} differ, {tolerated} listed in PARITY.md",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
