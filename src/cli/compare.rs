//! `tracelens compare A B [--json]`, or `tracelens compare --a A1 A2 … --b B1 B2 … [--json]`
//! when a side was captured in several chained files: two captures of the same traffic taken at
//! two points, compared packet by packet (lost, injected, modified, delay, NAT map, clock). Each
//! side's files are read into memory once, indexed exactly as `packets` reads them (merged into
//! one timeline), and their frames' bytes are read from that memory by the comparison.

use super::output::write_text;
use flate2::read::MultiGzDecoder;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;
use tracelens::analyzer::FrameLocation;
use tracelens::compare::{self, Comparison, Side};
use tracelens::filter::FrameBytes;

/// The decompressed bytes of one side's files, in load order.
struct MemoryFiles(Vec<Vec<u8>>);

impl FrameBytes for MemoryFiles {
    fn frame_bytes(&self, _frame: usize, at: &FrameLocation) -> Option<Cow<'_, [u8]>> {
        let data = self.0.get(at.file)?;
        let start = usize::try_from(at.offset).ok()?;
        data.get(start..start.checked_add(at.caplen as usize)?)
            .map(Cow::Borrowed)
    }
}

fn plain(raw: Vec<u8>) -> Vec<u8> {
    if !raw.starts_with(&[0x1f, 0x8b]) {
        return raw;
    }
    let mut out = Vec::new();
    // A damaged gzip stream still yields what decompressed before the damage, and no more is
    // inflated than the reader would (a gzip bomb stops there).
    let ceiling = tracelens::capture::reader::gzip_ceiling(raw.len() as u64);
    let _ = MultiGzDecoder::new(raw.as_slice())
        .take(ceiling)
        .read_to_end(&mut out);
    out
}

/// Reads one side: the analyzer and its files' bytes.
fn load_side(paths: &[PathBuf]) -> Option<(tracelens::analyzer::Analyzer, MemoryFiles, u8)> {
    let files = super::load::read_whole(paths)?;
    let analyzer = super::load::ingest_in_memory(tracelens::analyzer::Analyzer::new(), &files);
    let mut status = 0;
    for info in analyzer.file_infos() {
        if let Some(error) = &info.error {
            eprintln!("tracelens: {}: {error}", info.name);
            status = if info.frames == 0 { 2 } else { status.max(1) };
        }
    }
    let bytes = MemoryFiles(files.into_iter().map(|(_, b)| plain(b)).collect());
    Some((analyzer, bytes, status))
}

/// Runs the command; `a` and `b` are each side's files in order.
pub fn run(a: &[PathBuf], b: &[PathBuf], json: bool, timings: bool) -> u8 {
    if a.is_empty() || b.is_empty() {
        eprintln!("tracelens: compare needs files for both sides: compare A B, or compare --a A1 A2 --b B1");
        return 2;
    }
    let start = Instant::now();
    let Some((analyzer_a, bytes_a, status_a)) = load_side(a) else {
        return 2;
    };
    let Some((analyzer_b, bytes_b, status_b)) = load_side(b) else {
        return 2;
    };
    let ingest = start.elapsed();
    let start = Instant::now();
    let comparison = compare::compare(
        Side {
            analyzer: &analyzer_a,
            bytes: &bytes_a,
        },
        Side {
            analyzer: &analyzer_b,
            bytes: &bytes_b,
        },
    );
    let elapsed = start.elapsed();
    if timings {
        eprintln!(
            "ingest {:.3} s ({} + {} frames), compare {:.3} s, ratio {:.2}",
            ingest.as_secs_f64(),
            analyzer_a.len(),
            analyzer_b.len(),
            elapsed.as_secs_f64(),
            elapsed.as_secs_f64() / ingest.as_secs_f64().max(1e-9)
        );
    }
    if json {
        match serde_json::to_string_pretty(&comparison) {
            Ok(text) => write_text(&(text + "\n")),
            Err(e) => {
                eprintln!("tracelens: {e}");
                return 2;
            }
        }
    } else {
        write_text(&text_report(&comparison));
    }
    status_a.max(status_b)
}

/// The comparison as text lines (clock, counts, NAT, verdicts, the first 50 of each list).
fn text_report(c: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "clock: B − A = {:+.6} s at A's first frame, drift {:+.2} ppm, uncertainty {}",
        c.clock.offset_s,
        c.clock.drift_ppm,
        c.clock
            .uncertainty_s
            .map_or("unknown".to_string(), |u| format!("±{:.3} ms", u * 1e3))
    );
    let _ = writeln!(
        out,
        "matched {} packets in {} paired flows; lost {}, injected {}, modified {}",
        c.matched,
        c.flows_paired,
        c.lost.len(),
        c.injected.len(),
        c.modified_total
    );
    for d in [&c.directions.a_to_b, &c.directions.b_to_a] {
        let _ = writeln!(
            out,
            "  {}: sent {}, matched {}, lost {}, injected {}, modified {}, hops {}",
            d.name,
            d.sent,
            d.matched,
            d.lost,
            d.injected,
            d.modified,
            d.hops.map_or("?".into(), |h| h.to_string())
        );
    }
    for n in &c.nat {
        let _ = writeln!(out, "nat {} {} ↔ {} ({} flows)", n.proto, n.a, n.b, n.flows);
    }
    for f in &c.findings {
        let _ = writeln!(out, "[{}] {}", f.severity.as_str(), f.verdict);
        if !f.filter_a.is_empty() {
            let _ = writeln!(out, "    A: {}", f.filter_a);
        }
        if !f.filter_b.is_empty() {
            let _ = writeln!(out, "    B: {}", f.filter_b);
        }
    }
    for s in c.lost.iter().take(50) {
        let _ = writeln!(out, "lost     {} #{} {}", s.file, s.no, s.flow);
    }
    for s in c.injected.iter().take(50) {
        let _ = writeln!(out, "injected {} #{} {}", s.file, s.no, s.flow);
    }
    for m in c.modified.iter().take(50) {
        let changes: Vec<String> = m
            .changes
            .iter()
            .map(|ch| {
                format!(
                    "{}: {} → {}",
                    ch.field,
                    ch.a.as_deref().unwrap_or("absent"),
                    ch.b.as_deref().unwrap_or("absent")
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "modified a #{} b #{}: {}",
            m.a_no,
            m.b_no,
            changes.join("; ")
        );
    }
    out
}
