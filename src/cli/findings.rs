//! `tracelens findings FILE... [--json | --markdown]`: the plain-language findings of
//! [`tracelens::findings`] — what went wrong, the frames that prove it, and the display filter that
//! shows them — ordered by severity, then first frame. `--json` prints an array of objects with
//! keys kind, severity, verdict, explanation, frames, stream, filter and details; `--markdown`
//! prints the report to paste into a support case. Exit codes as for every command.

use super::load::load;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use tracelens::findings::{report, Finding, Severity};

pub fn run(paths: &[PathBuf], as_json: bool, markdown: bool) -> u8 {
    let (analyzer, outcome) = load(paths);
    let findings = analyzer.findings();
    let output = if as_json {
        let mut text = serde_json::to_string_pretty(&findings).unwrap_or_else(|_| "[]".into());
        text.push('\n');
        text
    } else if markdown {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        report::to_markdown(&findings, &names.join(" + "))
    } else {
        to_text(&findings)
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    // A closed stdout (piped into head) is not an error of the analysis.
    let _ = out.write_all(output.as_bytes()).and_then(|()| out.flush());
    outcome.exit_code()
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
