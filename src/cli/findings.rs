//! `tracelens findings FILE... [--json | --markdown] [-Y FILTER] [--slow-response SECONDS]`: the
//! plain-language findings of [`tracelens::findings`] — what went wrong, the frames that prove
//! it, and the display filter that shows them — ordered by severity, then first frame. `--json`
//! prints an array of objects with keys kind, severity, verdict, explanation, frames, stream,
//! filter and details; `--markdown` prints the report to paste into a support case, `--html` a
//! self-contained HTML page of it (inline CSS, no script, capture text escaped). Checksums
//! are validated while the files are read (for `bad_checksum`). `-Y` keeps the findings whose
//! evidence includes a frame the display filter selects (the analysis still covers the whole
//! capture, so numbers stay the full capture's). `--timings` (hidden) times the analysis pass
//! and each stage of the findings instead. Exit codes as for every command.

use super::load::{ingest_in_memory, load_into, read_whole, Outcome};
use super::output::write_text;
use std::path::PathBuf;
use tracelens::analyzer::Analyzer;
use tracelens::filter::Filter;
use tracelens::findings::{self, report, Finding, Options, Severity};

/// Command-line options of `tracelens findings`.
#[derive(Debug, Clone, Copy)]
pub struct Args<'a> {
    pub json: bool,
    pub markdown: bool,
    /// A self-contained HTML report (`--html`).
    pub html: bool,
    pub filter: Option<&'a str>,
    pub slow_response_s: f64,
    pub timings: bool,
    /// What the analysis keeps in memory, stage by stage (`--memory`).
    pub memory: bool,
}

fn options(args: &Args<'_>) -> Result<Options, String> {
    let s = args.slow_response_s;
    if !s.is_finite() || !(0.0..=1e6).contains(&s) {
        return Err(format!(
            "--slow-response must be a number of seconds between 0 and 1000000, not {s}"
        ));
    }
    Ok(Options {
        slow_response_ns: (s * 1e9).round() as i64,
    })
}

pub fn run(paths: &[PathBuf], args: &Args<'_>) -> u8 {
    let options = match options(args) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("tracelens: {message}");
            return 2;
        }
    };
    // A filter that does not compile is reported before the files are read.
    let filter = match args.filter.map(Filter::compile).transpose() {
        Ok(f) => f,
        Err(error) => {
            eprintln!("tracelens: invalid display filter:\n{error}");
            return 2;
        }
    };
    if args.timings {
        return timings(paths, &options);
    }
    if args.memory {
        return super::memory::run(paths, &options, args.json);
    }
    let mut analyzer = Analyzer::new();
    analyzer.set_checksum_validation(true);
    let (mut analyzer, mut outcome) = load_into(analyzer, paths);
    let mut findings = analyzer.findings_with(&options);
    if let Some(filter) = &filter {
        let files = super::frames::CaptureFiles::new(paths);
        match analyzer.filter_frames(filter, Some(&files)) {
            Ok(selected) => {
                findings::retain_matching(&mut findings, &selected);
                if files.failed() {
                    outcome = outcome.worst(Outcome::Damaged);
                }
            }
            Err(error) => {
                eprintln!("tracelens: invalid display filter:\n{error}");
                return 2;
            }
        }
    }
    let output = if args.json {
        let mut text = serde_json::to_string_pretty(&findings).unwrap_or_else(|_| "[]".into());
        text.push('\n');
        text
    } else if args.markdown {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        report::to_markdown(&findings, &names.join(" + "))
    } else if args.html {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        let row = |no: u64| evidence_row(&analyzer, no);
        report::to_html(&findings, &names.join(" + "), &analyzer.summary(), &row)
    } else {
        to_text(&findings)
    };
    write_text(&output);
    outcome.exit_code()
}

/// The packet-list row of frame `no` (1-based).
fn evidence_row(analyzer: &Analyzer, no: u64) -> Option<tracelens::summary::Row> {
    let index = usize::try_from(no.checked_sub(1)?).ok()?;
    analyzer.rows(index, 1).into_iter().next()
}

/// How many times `--timings` repeats each measurement (the minimum of each is kept, which is
/// what a shared, busy machine lets through most faithfully; the checksum pass, a difference of
/// two ingests run back to back, takes the median difference).
const TIMING_RUNS: usize = 7;

/// `--timings`: reads the files into memory, then times — each the minimum of
/// [`TIMING_RUNS`] runs (the median for the checksum pass) — the analysis pass as `tracelens tcp --bench` does (ingest, streams,
/// TCP analysis), the extra cost of validating checksums while indexing, and each stage of the
/// findings, and prints what the findings add to the analysis pass.
fn timings(paths: &[PathBuf], options: &Options) -> u8 {
    use std::time::Instant;
    let Some(files) = read_whole(paths) else {
        return Outcome::Unusable.exit_code();
    };
    let ingest = |validate: bool| {
        let mut analyzer = Analyzer::new();
        analyzer.set_checksum_validation(validate);
        ingest_in_memory(analyzer, &files)
    };
    let min = |slot: &mut f64, value: f64| {
        if *slot == 0.0 || value < *slot {
            *slot = value;
        }
    };
    let (mut t_ingest, mut t_streams, mut t_tcp) = (0.0, 0.0, 0.0);
    let mut checksum_costs: Vec<f64> = Vec::new();
    let mut t_findings = 0.0;
    let mut stage_min: Vec<(&'static str, f64)> = Vec::new();
    let mut count = 0;
    for _ in 0..TIMING_RUNS {
        let start = Instant::now();
        let analyzer = ingest(false);
        let plain = start.elapsed().as_secs_f64();
        min(&mut t_ingest, plain);
        let start = Instant::now();
        let _ = analyzer.flows();
        min(&mut t_streams, start.elapsed().as_secs_f64());
        let start = Instant::now();
        let _ = analyzer.tcp();
        min(&mut t_tcp, start.elapsed().as_secs_f64());
        drop(analyzer);
        let start = Instant::now();
        let checked = ingest(true);
        checksum_costs.push(start.elapsed().as_secs_f64() - plain);
        let (index, flows, tcp) = (checked.index(), checked.flows(), checked.tcp());
        let infos = checked.file_infos();
        let start = Instant::now();
        let mut last = start;
        let mut stages: Vec<(&'static str, f64)> = Vec::new();
        let found = findings::run_stages(index, flows, tcp, &infos, options, &mut |name| {
            let now = Instant::now();
            stages.push((name, (now - last).as_secs_f64()));
            last = now;
        });
        min(&mut t_findings, start.elapsed().as_secs_f64());
        if stage_min.is_empty() {
            stage_min = stages;
        } else {
            for (slot, (_, value)) in stage_min.iter_mut().zip(stages) {
                min(&mut slot.1, value);
            }
        }
        count = found.len();
        std::hint::black_box(&found);
    }
    let size: usize = files.iter().map(|(_, b)| b.len()).sum();
    let pass = t_ingest + t_streams + t_tcp;
    checksum_costs.sort_by(f64::total_cmp);
    let checksums = checksum_costs
        .get(checksum_costs.len() / 2)
        .copied()
        .unwrap_or(0.0)
        .max(0.0);
    println!(
        "input: {:.1} MB in {} file(s); each time is the minimum of {TIMING_RUNS} runs (the \
         checksum pass: the median extra time of an ingest that validates)",
        size as f64 / 1e6,
        files.len()
    );
    println!(
        "analysis pass: {pass:.3} s (ingest {t_ingest:.3} s, streams {t_streams:.3} s, TCP \
         analysis {t_tcp:.3} s)"
    );
    println!(
        "checksum validation while indexing: +{checksums:.3} s ({:.1}% of the analysis pass)",
        checksums * 100.0 / pass
    );
    let stages: Vec<String> = stage_min
        .iter()
        .map(|(name, s)| format!("{name} {s:.3} s"))
        .collect();
    println!(
        "findings: {t_findings:.3} s ({:.1}% of the analysis pass; {count} findings): {}",
        t_findings * 100.0 / pass,
        stages.join(", ")
    );
    println!(
        "findings + checksum validation: {:.1}% of the analysis pass (budget 25%)",
        (t_findings + checksums) * 100.0 / pass
    );
    0
}

/// Readable text: a count line, then per finding its severity and kind, the verdict, the wrapped
/// explanation, the evidence frames and the filter.
pub fn to_text(findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "No findings.\n".into();
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let mut parts = Vec::new();
    for (s, one, many) in [
        (Severity::Error, "error", "errors"),
        (Severity::Warning, "warning", "warnings"),
        (Severity::Note, "note", "notes"),
    ] {
        match count(s) {
            0 => {}
            1 => parts.push(format!("1 {one}")),
            n => parts.push(format!("{n} {many}")),
        }
    }
    let total = if findings.len() == 1 {
        "1 finding".to_string()
    } else {
        format!("{} findings", findings.len())
    };
    let mut out = format!("{total}: {}.\n", parts.join(", "));
    for f in findings {
        out += "\n";
        let stream = f
            .stream
            .map_or(String::new(), |s| format!(" (tcp.stream {s})"));
        out += &format!(
            "{:<8} {}{stream}\n",
            f.severity.as_str().to_uppercase(),
            f.kind.as_str()
        );
        for line in wrap(&f.verdict, 96) {
            out += &format!("  {line}\n");
        }
        out += "\n";
        for line in wrap(&f.explanation, 96) {
            out += &format!("  {line}\n");
        }
        if !f.frames.is_empty() {
            let frames: Vec<String> = f.frames.iter().map(u64::to_string).collect();
            for (n, line) in wrap(&frames.join(", "), 88).iter().enumerate() {
                let label = if n == 0 { "Frames:" } else { "" };
                out += &format!("  {label:<8}{line}\n");
            }
            if f.frames_cut() {
                out += &format!(
                    "          (the first {} of {} frames; the filter selects all of them)\n",
                    f.frames.len(),
                    f.frames_total
                );
            }
        }
        if !f.filter.is_empty() {
            out += &format!("  Filter: {}\n", f.filter);
        }
    }
    out
}

/// Greedy word wrap at `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
