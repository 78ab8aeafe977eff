//! The findings as a report for a support case: Markdown to paste into a ticket, and JSON (the
//! same array `tracelens findings --json` prints). The JSON is written here, without serde_json,
//! so the browser build (which has no serde_json) can export it too.

pub use super::html::to_html;
use super::{Detail, Finding, Severity};
use std::fmt::Write;

/// Markdown: a title naming the capture, a count by severity, then one section per finding with
/// its verdict, explanation, evidence frames, stream, filter and numbers.
pub fn to_markdown(findings: &[Finding], capture_name: &str) -> String {
    let mut out = String::new();
    let name = super::text::clean(capture_name, 200);
    let _ = writeln!(out, "# tracelens findings — {}\n", escape(&name));
    if findings.is_empty() {
        out += "No findings: nothing in this capture matched a known problem.\n";
        return out;
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count() as u64;
    let parts: Vec<String> = [
        (Severity::Error, "error", "errors"),
        (Severity::Warning, "warning", "warnings"),
        (Severity::Note, "note", "notes"),
    ]
    .iter()
    .filter(|(s, _, _)| count(*s) > 0)
    .map(|&(s, one, many)| super::text::count(count(s), one, many))
    .collect();
    let _ = writeln!(
        out,
        "{}: {}.\n",
        super::text::count(findings.len() as u64, "finding", "findings"),
        parts.join(", ")
    );
    for (n, f) in findings.iter().enumerate() {
        let _ = writeln!(
            out,
            "## {}. {} · `{}`\n",
            n + 1,
            f.severity.as_str().to_uppercase(),
            f.kind.as_str()
        );
        let _ = writeln!(out, "**{}**\n", escape(&f.verdict));
        let _ = writeln!(out, "{}\n", escape(&f.explanation));
        if !f.frames.is_empty() {
            let frames: Vec<String> = f.frames.iter().map(u64::to_string).collect();
            let _ = writeln!(out, "- Evidence frames: {}", frames.join(", "));
            if f.frames_cut() {
                let _ = writeln!(
                    out,
                    "- Evidence frames listed: the first {} of {} (the filter selects all of them)",
                    f.frames.len(),
                    f.frames_total
                );
            }
        }
        if let Some(stream) = f.stream {
            let _ = writeln!(out, "- Stream: tcp.stream {stream}");
        }
        if !f.filter.is_empty() {
            let _ = writeln!(out, "- Filter: {}", code_span(&f.filter));
        }
        if !f.details.is_empty() {
            let _ = writeln!(out, "- Details: {}", code_span(&f.details.stated()));
        }
        out += "\n";
    }
    out
}

/// Markdown-escapes free text (the characters that would start emphasis, links, HTML or code).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        // Backticks in our own texts mark filters: keep them as code.
        out.push(c);
    }
    out
}

/// An inline code span that survives backticks inside the text.
fn code_span(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// JSON: an array of objects with keys kind, severity, verdict, explanation, frames,
/// frames_total, stream, filter and details — what serde would write for `&[Finding]`.
pub fn to_json(findings: &[Finding]) -> String {
    let mut out = String::from("[");
    for (n, f) in findings.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        out += "{\"kind\":";
        json_string(&mut out, f.kind.as_str());
        out += ",\"severity\":";
        json_string(&mut out, f.severity.as_str());
        out += ",\"verdict\":";
        json_string(&mut out, &f.verdict);
        out += ",\"explanation\":";
        json_string(&mut out, &f.explanation);
        out += ",\"frames\":[";
        let frames: Vec<String> = f.frames.iter().map(u64::to_string).collect();
        out += &frames.join(",");
        out += "],\"frames_total\":";
        out += &f.frames_total.to_string();
        out += ",\"stream\":";
        match f.stream {
            Some(s) => out += &s.to_string(),
            None => out += "null",
        }
        out += ",\"filter\":";
        json_string(&mut out, &f.filter);
        out += ",\"details\":{";
        for (k, (key, value)) in f.details.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            json_string(&mut out, key);
            out.push(':');
            json_value(&mut out, value);
        }
        out += "}}";
    }
    out.push(']');
    out
}

fn json_value(out: &mut String, v: &Detail) {
    match v {
        Detail::Null => *out += "null",
        Detail::Bool(b) => *out += if *b { "true" } else { "false" },
        Detail::Int(i) => *out += &i.to_string(),
        Detail::Float(f) if f.is_finite() => {
            // Keep a decimal point so the value reads back as a float.
            let text = f.to_string();
            *out += &text;
            if !text.contains(['.', 'e', 'E']) {
                *out += ".0";
            }
        }
        Detail::Float(_) => *out += "null",
        Detail::Text(t) => json_string(out, t),
        Detail::List(items) => {
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                json_value(out, item);
            }
            out.push(']');
        }
    }
}

fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => *out += "\\\"",
            '\\' => *out += "\\\\",
            '\n' => *out += "\\n",
            '\r' => *out += "\\r",
            '\t' => *out += "\\t",
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Details, Kind};

    fn sample() -> Vec<Finding> {
        vec![Finding::new(
            Kind::HandshakeAckMismatch,
            Severity::Error,
            "Handshake ACK mismatch on a → b: 2 bytes *ahead*.".into(),
            "Quote \" and\nnewline.".into(),
        )
        .evidence([455, 456])
        .stream(Some(3))
        .filter("tcp.stream == 3")
        .details(
            Details::new()
                .with("expected_ack", 2180033886u32)
                .with("after_s", 6.0)
                .with("by", None::<u32>)
                .with("list", vec![1u32, 2]),
        )]
    }

    #[test]
    fn markdown_names_the_capture_and_lists_evidence() {
        let md = to_markdown(&sample(), "client_trace.cap");
        assert!(md.starts_with("# tracelens findings — client\\_trace.cap\n"));
        // sample() is one finding of severity Error.
        assert!(md.contains("1 finding: 1 error."));
        assert!(md.contains("## 1. ERROR · `handshake_ack_mismatch`"));
        assert!(md.contains("2 bytes \\*ahead\\*"));
        // evidence([455, 456]) takes 0-based indexes: frames 456, 457.
        assert!(md.contains("- Evidence frames: 456, 457"));
        assert!(md.contains("- Filter: `tcp.stream == 3`"));
        // The details as built, in order; `by` is None and left out.
        assert!(md.contains("- Details: `expected_ack = 2180033886; after_s = 6; list = [1, 2]`"));
        assert!(to_markdown(&[], "x").contains("No findings"));
        assert_eq!(code_span("a`b"), "``a`b``");
    }

    #[test]
    fn json_is_escaped_and_complete() {
        let json = to_json(&sample());
        assert!(json.starts_with("[{\"kind\":\"handshake_ack_mismatch\",\"severity\":\"error\""));
        assert!(json.contains("\"explanation\":\"Quote \\\" and\\nnewline.\""));
        // Indexes 455, 456 → frames 456, 457, two in all; stream(Some(3)).
        assert!(json.contains(
            "\"frames\":[456,457],\"frames_total\":2,\"stream\":3,\"filter\":\"tcp.stream == 3\""
        ));
        // The details as built: 2180033886, 6.0, None → null, [1, 2].
        assert!(json.contains(
            "\"details\":{\"expected_ack\":2180033886,\"after_s\":6.0,\"by\":null,\"list\":[1,2]}"
        ));
        assert_eq!(to_json(&[]), "[]");
    }
}
