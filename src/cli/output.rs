//! Writing a command's result to standard output, buffered. A closed stdout (the output piped
//! into `head`) ends the writing quietly: it is not an error of the analysis, and the command
//! still exits with the status of its input.

use serde_json::{json, Value};
use std::io::{BufWriter, Write};

/// Writes `text` as it is.
pub fn write_text(text: &str) {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Writes each line followed by a newline, stopping at the first that cannot be written.
pub fn write_lines(lines: impl IntoIterator<Item = String>) {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for line in lines {
        if writeln!(out, "{line}").is_err() {
            return;
        }
    }
    let _ = out.flush();
}

/// A duration in nanoseconds as JSON seconds (`null` when absent).
pub fn json_seconds(ns: Option<i64>) -> Value {
    ns.map_or(Value::Null, |ns| json!(ns as f64 / 1e9))
}
