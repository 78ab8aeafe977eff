//! The findings as one self-contained HTML page to attach to a case: the capture summary, then
//! each finding (severity, verdict, explanation, filter, numbers) with its evidence frames as a
//! small packet-list table. Inline CSS only: no script, no external reference, and a
//! Content-Security-Policy that forbids loading anything. Every text that can come from the
//! capture (names, verdicts, packet-list columns) is HTML-escaped, `/` included, so hostile
//! packet text never becomes markup or a link.

use super::{Finding, Severity};
use crate::summary::Row;
use crate::summary::Summary;
use std::fmt::Write;

/// Evidence rows shown per finding (the filter selects all of them).
pub const MAX_TABLE_ROWS: usize = 50;

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;\
padding:0 1em;color:#1d2430;background:#fff}h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}\
table{border-collapse:collapse;margin:.5em 0;font-size:12px}td,th{border:1px solid #ccd;\
padding:2px 6px;text-align:left;vertical-align:top}th{background:#eef}code{background:#f3f3f6;\
padding:0 3px}.sev{font-weight:bold;text-transform:uppercase;padding:1px 6px;border-radius:3px}\
.error{background:#fdd;color:#900}.warning{background:#ffe7b3;color:#704800}\
.note{background:#e3ecff;color:#243f8f}.verdict{font-weight:600}.num{text-align:right}\
.muted{color:#667}";

/// The report page. `row(no)` gives the packet-list row of frame `no` (1-based) for the evidence
/// tables.
pub fn to_html(
    findings: &[Finding],
    capture_name: &str,
    summary: &Summary,
    row: &dyn Fn(u64) -> Option<Row>,
) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let name = escape(capture_name);
    out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
    out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n";
    let _ = writeln!(out, "<title>tracelens findings — {name}</title>");
    let _ = writeln!(out, "<style>{STYLE}</style></head><body>");
    let _ = writeln!(out, "<h1>tracelens findings — {name}</h1>");
    write_summary(&mut out, summary);
    write_counts(&mut out, findings);
    for (n, finding) in findings.iter().enumerate() {
        write_finding(&mut out, n + 1, finding, row);
    }
    let _ = writeln!(
        out,
        "<p class=\"muted\">Made by tracelens {} from the capture alone; nothing was uploaded.</p>",
        escape(env!("CARGO_PKG_VERSION"))
    );
    out += "</body></html>\n";
    out
}

fn write_summary(out: &mut String, summary: &Summary) {
    out.push_str("<h2>Capture</h2>\n<table>\n");
    for file in &summary.files {
        let format = file.format.map_or("unknown format", |f| f.describe());
        let gzip = if file.gzip { ", gzip'd" } else { "" };
        let detail = format!("{format}{gzip}, {} frames", file.frames);
        table_row(
            out,
            &format!("File {}", escape(&file.name)),
            &escape(&detail),
        );
    }
    table_row(out, "Frames", &summary.frames.to_string());
    if let Some(first) = summary.first_time_ns {
        table_row(out, "First frame", &escape(&utc(first)));
    }
    if let Some(last) = summary.last_time_ns {
        table_row(out, "Last frame", &escape(&utc(last)));
    }
    if let Some(duration) = summary.duration {
        table_row(out, "Duration", &format!("{duration:.6} s"));
    }
    let bytes = format!(
        "{} captured, {} on the wire",
        summary.bytes, summary.wire_bytes
    );
    table_row(out, "Bytes", &bytes);
    for warning in &summary.warnings {
        table_row(out, "Warning", &escape(warning));
    }
    out.push_str("</table>\n");
}

fn write_counts(out: &mut String, findings: &[Finding]) {
    if findings.is_empty() {
        out.push_str("<p>No findings: nothing in this capture matched a known problem.</p>\n");
        return;
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let _ = writeln!(
        out,
        "<p>{} findings: {} errors, {} warnings, {} notes.</p>",
        findings.len(),
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note)
    );
}

fn write_finding(out: &mut String, n: usize, f: &Finding, row: &dyn Fn(u64) -> Option<Row>) {
    let severity = f.severity.as_str();
    let _ = writeln!(
        out,
        "<h2>{n}. <span class=\"sev {severity}\">{severity}</span> <code>{}</code></h2>",
        escape(f.kind.as_str())
    );
    let _ = writeln!(out, "<p class=\"verdict\">{}</p>", escape(&f.verdict));
    let _ = writeln!(out, "<p>{}</p>", escape(&f.explanation));
    out.push_str("<ul>\n");
    if !f.filter.is_empty() {
        let _ = writeln!(out, "<li>Filter: <code>{}</code></li>", escape(&f.filter));
    }
    if let Some(stream) = f.stream {
        let _ = writeln!(out, "<li>Stream: tcp.stream {stream}</li>");
    }
    let details = f.details.stated();
    if !details.is_empty() {
        let _ = writeln!(out, "<li>Details: {}</li>", escape(&details));
    }
    out.push_str("</ul>\n");
    write_evidence(out, f, row);
}

fn write_evidence(out: &mut String, f: &Finding, row: &dyn Fn(u64) -> Option<Row>) {
    if f.frames.is_empty() {
        return;
    }
    out.push_str(
        "<table><tr><th>No.</th><th>Time</th><th>Source</th><th>Destination</th>\
<th>Protocol</th><th>Length</th><th>Info</th></tr>\n",
    );
    for &no in f.frames.iter().take(MAX_TABLE_ROWS) {
        let Some(r) = row(no) else { continue };
        let _ = writeln!(
            out,
            "<tr><td class=\"num\">{}</td><td class=\"num\">{:.6}</td><td>{}</td><td>{}</td>\
<td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            r.no,
            r.time,
            escape(&r.src),
            escape(&r.dst),
            escape(&r.protocol),
            r.length,
            escape(&r.info)
        );
    }
    out.push_str("</table>\n");
    let total = f.frames_total.max(f.frames.len() as u64);
    let shown = f.frames.len().min(MAX_TABLE_ROWS) as u64;
    if total > shown {
        let _ = writeln!(
            out,
            "<p class=\"muted\">{shown} of {total} evidence frames shown; the filter selects all of them.</p>"
        );
    }
}

fn table_row(out: &mut String, head: &str, value: &str) {
    let _ = writeln!(out, "<tr><th>{head}</th><td>{value}</td></tr>");
}

/// HTML-escapes text for element content and attribute values: `& < > " ' /` become
/// character references, and control characters other than tab and newline become U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out += "&amp;",
            '<' => out += "&lt;",
            '>' => out += "&gt;",
            '"' => out += "&quot;",
            '\'' => out += "&#39;",
            '/' => out += "&#47;",
            '\t' | '\n' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// "2012-06-29 07:28:25.298858000 UTC" for nanoseconds since 1970 (proleptic Gregorian).
fn utc(ns: i64) -> String {
    let secs = ns.div_euclid(1_000_000_000);
    let frac = ns.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let tod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{frac:09} UTC",
        tod / 3600,
        tod / 60 % 60,
        tod % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_links() {
        assert_eq!(
            escape("<script>alert('x')</script> http://a&b"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;&#47;script&gt; http:&#47;&#47;a&amp;b"
        );
        assert_eq!(escape("a\u{0}b"), "a\u{FFFD}b");
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00.000000000 UTC");
        assert_eq!(
            utc(1_340_954_905_298_858_000),
            "2012-06-29 07:28:25.298858000 UTC"
        );
        assert_eq!(utc(-1), "1969-12-31 23:59:59.999999999 UTC");
    }
}
