//! Display filters with Wireshark's syntax and 4.x semantics, compiled once and evaluated over
//! the packet index: `lexer` → `parser` (spans kept) → `compile` (against the one field
//! registry in `fields`) → `eval` (a tight loop over the records; frame bytes are read only for
//! byte-level fields, through [`FrameBytes`]). Errors say where (a caret under the span) and
//! what to do instead; [`complete`] offers field names with descriptions for a filter bar.
//!
//! ```
//! use tracelens::filter::Filter;
//! let filter = Filter::compile("tcp.flags.syn == 1 and tcp.port == 443").unwrap();
//! assert!(!filter.needs_bytes());
//! let error = Filter::compile("tcp.prot == 80").unwrap_err();
//! assert_eq!(error.message, "'tcp.prot' is not a field; did you mean 'tcp.port'?");
//! ```

mod compile;
mod context;
mod deep;
mod dissection;
mod errors;
mod eval;
mod fields;
mod layers;
mod lexer;
mod links;
mod literal;
mod parser;
mod pdus;
mod program;
mod tcp_ports;
mod value;

pub use context::{FilterData, FilterSupport, Frame, FrameBytes};
pub use errors::{ErrorKind, FilterError};
pub use fields::{registry, FieldDef};
pub use pdus::{AppPdus, HttpMessage, TlsRecord};
pub use value::FieldType;

use program::Node;

/// A compiled display filter.
pub struct Filter {
    text: String,
    /// `None` for an empty filter (every frame matches).
    root: Option<Node>,
    needs_bytes: bool,
    uses_pdus: bool,
}

impl std::fmt::Debug for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Filter")
            .field("text", &self.text)
            .field("needs_bytes", &self.needs_bytes)
            .finish()
    }
}

fn contains_bytes(node: &Node) -> bool {
    match node {
        Node::WithBytes(_) => true,
        Node::And(a, b) | Node::Or(a, b) | Node::Xor(a, b) => {
            contains_bytes(a) || contains_bytes(b)
        }
        Node::Not(a) | Node::Guard(_, a) => contains_bytes(a),
        _ => false,
    }
}

impl Filter {
    /// Compiles filter text. Blank text is the empty filter, which matches every frame.
    pub fn compile(text: &str) -> Result<Filter, FilterError> {
        if text.trim().is_empty() {
            return Ok(Filter {
                text: text.to_string(),
                root: None,
                needs_bytes: false,
                uses_pdus: false,
            });
        }
        let expr = parser::parse(text)?;
        let compiler = compile::Compiler::new(text);
        let root = compiler.compile(&expr)?;
        Ok(Filter {
            text: text.to_string(),
            needs_bytes: contains_bytes(&root),
            uses_pdus: compiler.uses_pdus(),
            root: Some(root),
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether some test reads the frame bytes (for the others, only the index is read).
    pub fn needs_bytes(&self) -> bool {
        self.needs_bytes
    }

    /// Whether some test reads HTTP or TLS fields, which come from reassembled messages (see
    /// [`AppPdus`]).
    pub fn uses_pdus(&self) -> bool {
        self.uses_pdus
    }

    /// Whether frame index `i` matches.
    pub fn matches<'d>(&self, data: &'d FilterData<'d>, i: usize) -> bool {
        if i >= data.index.records.len() {
            return false;
        }
        match &self.root {
            None => true,
            Some(root) => eval::Runner::new(data).matches(root, i),
        }
    }

    /// Indexes (0-based) of every matching frame, in order. Fails only when the filter needs
    /// frame bytes and `data` has no source for them.
    pub fn matching_frames<'d>(&self, data: &'d FilterData<'d>) -> Result<Vec<u32>, FilterError> {
        let mut out = Vec::new();
        self.each_frame(data, |i, matched| {
            if matched {
                out.push(i as u32);
            }
        })?;
        Ok(out)
    }

    /// Evaluates every frame in order and tells `each` (frame index, whether it matches). Fails
    /// (before any call) only when the filter needs frame bytes and `data` has no source.
    pub fn each_frame<'d>(
        &self,
        data: &'d FilterData<'d>,
        mut each: impl FnMut(usize, bool),
    ) -> Result<(), FilterError> {
        let count = data.index.records.len();
        let Some(root) = &self.root else {
            (0..count).for_each(|i| each(i, true));
            return Ok(());
        };
        if self.needs_bytes && data.bytes.is_none() {
            return Err(FilterError::at(
                ErrorKind::Unavailable,
                &self.text,
                0,
                self.text.len(),
                "this filter reads the packet bytes, which cannot be fetched here".into(),
            ));
        }
        let mut runner = eval::Runner::new(data);
        for i in 0..count {
            each(i, runner.matches(root, i));
        }
        Ok(())
    }
}

/// Checks filter text without evaluating it (for live validation in a filter bar).
pub fn check(text: &str) -> Result<(), FilterError> {
    Filter::compile(text).map(|_| ())
}

/// A completion candidate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Completion {
    pub name: &'static str,
    pub description: &'static str,
    /// Short type name: uint, bool, time, ipv4, ipv6, ether, bytes, string, protocol, label.
    pub ty: &'static str,
}

/// Field names (with descriptions) for the word being typed at the end of `text`: every field
/// whose name starts with that word, an exact match first, then by name. With nothing typed
/// yet, the protocols.
pub fn complete(text: &str) -> Vec<Completion> {
    let word_start = text
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &text[word_start..];
    let mut out: Vec<Completion> = registry()
        .iter()
        .filter(|f| {
            if word.is_empty() {
                !f.name.contains('.')
            } else {
                f.name.starts_with(word)
            }
        })
        .map(|f| Completion {
            name: f.name,
            description: f.description,
            ty: f.ty.short_name(),
        })
        .collect();
    out.sort_by_key(|c| (c.name != word, c.name));
    out
}
