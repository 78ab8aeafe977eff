//! Checked big-endian reads at absolute frame offsets. A [`Bytes`] is the frame (or the frame
//! clipped at the end a length field declares, which keeps offsets absolute), plus what is needed
//! to explain a shortfall: was the frame cut by the snapshot length, or is a length field or the
//! packet itself too short? Every read returns `None` instead of panicking: the reads are
//! [`crate::wire::bytes`]'s, the crate's one set of byte readers, at absolute offsets. [`Padded`]
//! and [`has`] let a layer show a cut header field by field through its wire view.

use super::Node;
use crate::wire::bytes as wire;
use std::ops::Range;

/// Byte span of a header field: a `field` module's range, or its single-byte offset.
pub(crate) trait Span {
    fn span(self) -> Range<usize>;
}

impl Span for usize {
    fn span(self) -> Range<usize> {
        self..self + 1
    }
}

impl Span for Range<usize> {
    fn span(self) -> Range<usize> {
        self
    }
}

/// Whether `field` ends within the first `have` bytes of its header.
pub(crate) fn has(have: usize, field: impl Span) -> bool {
    field.span().end <= have
}

/// Pushes onto `node` those of `fields` (a field's byte range in its header, and the node that
/// shows it) that end within the `have` captured bytes: a cut header shows what it has.
pub(crate) fn push_captured<const N: usize>(
    node: &mut Node,
    have: usize,
    fields: [(Range<usize>, Node); N],
) {
    node.children.extend(
        fields
            .into_iter()
            .filter(|(range, _)| has(have, range.clone()))
            .map(|(_, child)| child),
    );
}

/// Pushes onto `node` a child per field of `fields` (its label, its range in the header at
/// frame offset `base`, its display-filter name) that ends within the `have` captured bytes.
pub(crate) fn push_labelled<const N: usize>(
    node: &mut Node,
    base: usize,
    have: usize,
    fields: [(String, Range<usize>, &'static str); N],
) {
    let children = fields.map(|(label, range, name)| {
        let child = Node::at(label, base, range.clone()).field(name);
        (range, child)
    });
    push_captured(node, have, children);
}

/// A header's bytes for a view that needs `N` of them: the bytes themselves when all `N` are
/// there, else a zero-padded copy (on the stack). The details tree shows a cut header field by
/// field from the same view: it shows only the fields that end within the captured bytes
/// ([`has`]), so the padding is never shown.
pub(crate) struct Padded<const N: usize>([u8; N]);

impl<const N: usize> Padded<N> {
    pub fn new() -> Self {
        Padded([0; N])
    }

    pub fn over<'s>(&'s mut self, bytes: &'s [u8]) -> &'s [u8] {
        if bytes.len() >= N {
            return bytes;
        }
        self.0[..bytes.len()].copy_from_slice(bytes);
        &self.0
    }
}

#[derive(Clone, Copy)]
pub(crate) struct Bytes<'a> {
    /// The readable bytes: the captured frame, possibly clipped at a declared end.
    data: &'a [u8],
    /// Length of the captured frame before any clipping.
    captured: usize,
    /// Length of the frame on the wire.
    on_wire: usize,
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8], on_wire: usize) -> Bytes<'a> {
        Bytes {
            data,
            captured: data.len(),
            on_wire,
        }
    }

    /// Number of readable bytes (absolute end offset).
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Bytes readable from `off` on.
    pub fn remaining(&self, off: usize) -> usize {
        self.data.len().saturating_sub(off)
    }

    /// The same frame, readable only up to `end` (a declared end such as IPv4 total length).
    pub fn clip(&self, end: usize) -> Bytes<'a> {
        let end = end.min(self.data.len());
        Bytes {
            data: self.data.get(..end).unwrap_or(self.data),
            ..*self
        }
    }

    pub fn get(&self, off: usize, len: usize) -> Option<&'a [u8]> {
        wire::slice(self.data, off, len)
    }

    /// Everything readable from `off` (empty past the end).
    pub fn rest(&self, off: usize) -> &'a [u8] {
        wire::rest(self.data, off)
    }

    pub fn u8(&self, off: usize) -> Option<u8> {
        wire::u8(self.data, off)
    }

    pub fn u16(&self, off: usize) -> Option<u16> {
        wire::be16(self.data, off)
    }

    /// True when the frame itself (not a length field) is shorter than the wire frame.
    pub fn snapped(&self) -> bool {
        self.captured < self.on_wire
    }

    /// True when this view was clipped by a declared length before the captured end.
    pub fn clipped(&self) -> bool {
        self.data.len() < self.captured
    }

    /// Why `needed` bytes at `off` for `what` are not there, as a problem node over what remains.
    pub fn cut_node(&self, what: &str, off: usize, needed: usize) -> Node {
        let have = self.remaining(off);
        let start = off.min(self.data.len());
        let note = if self.clipped() {
            format!(
                "Malformed: the enclosing length field leaves {have} bytes at byte {off} for the {what}, which needs {needed}"
            )
        } else if self.snapped() {
            format!(
                "Frame cut by the snapshot length at byte {}: the {what} needs {needed} bytes, {have} captured",
                self.captured
            )
        } else {
            format!(
                "Packet ends at byte {}: the {what} needs {needed} bytes, only {have} present (malformed or short packet)",
                self.captured
            )
        };
        Node::new(format!("[{what} truncated]"), start, have).problem(note)
    }
}
