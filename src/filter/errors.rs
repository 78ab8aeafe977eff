//! Filter errors that teach: every error names the character span it is about, so it can be
//! rendered as the filter text with a caret line under the offending part (the CLI prints that;
//! the page underlines the span). Unknown field names come with the nearest registered name by
//! edit distance.

use std::fmt;

/// What kind of mistake the filter text holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The text does not follow the grammar (unexpected token, unbalanced parenthesis…).
    Syntax,
    /// A name that is not in the field registry.
    UnknownField,
    /// A value or operator that does not fit the field's type.
    Type,
    /// The field exists but cannot be computed in this session (analysis not available, no frame
    /// bytes).
    Unavailable,
}

/// A filter that cannot be compiled, with the span (in characters) it is about.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FilterError {
    pub kind: ErrorKind,
    /// One-line explanation, e.g. "'tcp.prot' is not a field; did you mean 'tcp.port'?".
    pub message: String,
    /// Character offset of the first character the error is about.
    pub start: usize,
    /// Character offset just past the span (`start + 1` at least).
    pub end: usize,
    /// The filter text.
    pub text: String,
}

impl FilterError {
    /// An error covering byte range `start..end` of `text` (converted to character offsets).
    pub fn at(kind: ErrorKind, text: &str, start: usize, end: usize, message: String) -> Self {
        let to_chars = |byte: usize| {
            text.get(..byte.min(text.len()))
                .map_or(0, |s| s.chars().count())
        };
        let start_chars = to_chars(start);
        let end_chars = to_chars(end).max(start_chars + 1);
        FilterError {
            kind,
            message,
            start: start_chars,
            end: end_chars,
            text: text.to_string(),
        }
    }

    /// The caret line: spaces up to the span, `^` under its first character and `~` under the rest.
    pub fn caret_line(&self) -> String {
        let mut line = " ".repeat(self.start);
        line.push('^');
        line.push_str(&"~".repeat(self.end.saturating_sub(self.start + 1)));
        line
    }
}

impl fmt::Display for FilterError {
    /// Two lines: the filter text, then the caret line followed by the message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n{} {}", self.text, self.caret_line(), self.message)
    }
}

impl std::error::Error for FilterError {}

/// Edit distance between two short strings (field names): insertions, deletions, substitutions
/// and transpositions of neighbours ("prot" → "port") each cost 1 (optimal string alignment).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut table = vec![0usize; (a.len() + 1) * width];
    for (i, row) in table.chunks_mut(width).enumerate() {
        row[0] = i;
    }
    for (j, cell) in table.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (table[(i - 1) * width + j] + 1)
                .min(table[i * width + j - 1] + 1)
                .min(table[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(table[(i - 2) * width + j - 2] + 1);
            }
            table[i * width + j] = best;
        }
    }
    table[a.len() * width + b.len()]
}

/// The candidate nearest to `name` by edit distance, if it is close enough to be a plausible
/// typo (at most a quarter of the name's length, and at least 1 edit allowed). Ties go to the
/// earlier candidate.
pub fn nearest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 4).max(1);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let distance = edit_distance(name, candidate);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_under_span() {
        let error = FilterError::at(
            ErrorKind::Syntax,
            "tcp.port == ",
            12,
            12,
            "expected a value after '=='".into(),
        );
        assert_eq!(
            error.to_string(),
            "tcp.port == \n            ^ expected a value after '=='"
        );
    }

    #[test]
    fn distances() {
        assert_eq!(edit_distance("tcp.prot", "tcp.port"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(
            nearest("tcp.prot", ["udp.port", "tcp.port"].into_iter()),
            Some("tcp.port")
        );
    }
}
