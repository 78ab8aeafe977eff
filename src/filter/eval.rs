//! Evaluator: runs a compiled [`Node`] tree over every frame of the index and returns the
//! indexes of the frames that match. Numeric index fields go through fixed buffers and the fast
//! numeric nodes; other values through [`Occurrences`] (inline, no allocation for up to four);
//! frame bytes are fetched at most once per frame, and only when a test that needs them is
//! reached. Wireshark 4.x semantics for multi-valued fields: `==` any occurrence equals, `!=`
//! every occurrence differs, `===` every occurrence equals, `!==` some occurrence differs; every
//! comparison requires the field to be present.

use super::context::{FilterData, Frame, FrameState};
use super::fields::{Reader, MAX_NUMBERS};
use super::parser::{ArithOp, SliceRange};
use super::program::{Func, Node, Operand, Rel, SetItem};
use super::value::{compare_constant, compare_values, Constant, FieldType, Occurrences, Val};
use std::borrow::Cow;
use std::cmp::Ordering;

/// Evaluates `node` for frame `f`.
pub fn eval(node: &Node, f: &Frame<'_>) -> bool {
    match node {
        Node::And(a, b) => eval(a, f) && eval(b, f),
        Node::Or(a, b) => eval(a, f) || eval(b, f),
        Node::Xor(a, b) => eval(a, f) != eval(b, f),
        Node::Not(a) => !eval(a, f),
        Node::Guard(present, inner) => present(f) && eval(inner, f),
        Node::WithBytes(inner) => eval(inner, f),
        Node::Present(present) => present(f),
        Node::NumPresent(read) => {
            let mut buffer = [0i64; MAX_NUMBERS];
            read(f, &mut buffer) > 0
        }
        Node::NumCompare {
            read,
            norm,
            range,
            all,
        } => {
            let mut buffer = [0i64; MAX_NUMBERS];
            let n = read(f, &mut buffer).min(MAX_NUMBERS);
            if n == 0 {
                return false;
            }
            let values = &buffer[..n];
            if *all {
                values.iter().all(|&v| range.holds(norm.apply(v)))
            } else {
                values.iter().any(|&v| range.holds(norm.apply(v)))
            }
        }
        Node::NumIn { read, norm, ranges } => {
            let mut buffer = [0i64; MAX_NUMBERS];
            let n = read(f, &mut buffer).min(MAX_NUMBERS);
            for &v in &buffer[..n] {
                let v = norm.apply(v);
                for &(low, high) in ranges {
                    if low <= v && v <= high {
                        return true;
                    }
                }
            }
            false
        }
        leaf => eval_leaf(leaf, f),
    }
}

/// Runs a filter over frames, reusing one [`FrameState`] (reset only after a frame used it).
pub struct Runner<'d> {
    data: &'d FilterData<'d>,
    state: FrameState,
    /// The frame index evaluated last, and where that frame ends in its file.
    before: Option<(usize, u64)>,
}

impl<'d> Runner<'d> {
    pub fn new(data: &'d FilterData<'d>) -> Self {
        Runner {
            data,
            state: FrameState::default(),
            before: None,
        }
    }

    /// Evaluates `node` for frame index `i` (which must be in range).
    #[inline]
    pub fn matches(&mut self, node: &Node, i: usize) -> bool {
        self.state.reset();
        let records = &self.data.index.records;
        // Frames are usually asked for in turn: the one before gives this one's offset.
        let rec = match self.before {
            Some((before, end)) if before.wrapping_add(1) == i => records.at_after(i, end),
            _ => records.at(i),
        };
        self.before = Some((i, rec.offset.wrapping_add(u64::from(rec.caplen))));
        let frame = Frame {
            data: self.data,
            i,
            rec: &rec,
            state: &self.state,
        };
        eval(node, &frame)
    }
}

fn eval_leaf(node: &Node, f: &Frame<'_>) -> bool {
    match node {
        Node::HasValues(operand) => {
            let mut values = Occurrences::new();
            collect(operand, f, &mut values);
            !values.is_empty()
        }
        Node::Compare {
            left,
            rel,
            all,
            right,
        } => compare(left, *rel, *all, right, f),
        Node::In { left, items } => {
            let mut values = Occurrences::new();
            collect(left, f, &mut values);
            let found = values.values().any(|v| {
                items.iter().any(|item| match item {
                    SetItem::One(c) => compare_constant(v, c) == Some(Ordering::Equal),
                    SetItem::Range(low, high) => {
                        compare_constant(v, low).is_some_and(|o| o != Ordering::Less)
                            && compare_constant(v, high).is_some_and(|o| o != Ordering::Greater)
                    }
                })
            });
            found
        }
        Node::Contains { left, right } => contains(left, right, f),
        Node::Matches { left, regex } => {
            let mut values = Occurrences::new();
            collect(left, f, &mut values);
            let found = values
                .values()
                .any(|v| v.bytes().is_some_and(|b| regex.is_match(&b)));
            found
        }
        Node::Truthy(operand) => {
            let mut values = Occurrences::new();
            collect(operand, f, &mut values);
            let found = values.values().any(|v| match v.as_number() {
                Some(n) => n != 0,
                None => v.bytes().is_some_and(|b| !b.is_empty()),
            });
            found
        }
        Node::And(..)
        | Node::Or(..)
        | Node::Xor(..)
        | Node::Not(..)
        | Node::Guard(..)
        | Node::WithBytes(..)
        | Node::Present(_)
        | Node::NumPresent(_)
        | Node::NumCompare { .. }
        | Node::NumIn { .. } => eval(node, f),
    }
}

fn compare(left: &Operand, rel: Rel, all: bool, right: &Operand, f: &Frame<'_>) -> bool {
    let mut lefts = Occurrences::new();
    collect(left, f, &mut lefts);
    if lefts.is_empty() {
        return false;
    }
    if let Operand::Const(constant) = right {
        let test = |v: &Val<'_>| compare_constant(v, constant).is_some_and(|o| rel.holds(o));
        return if all {
            lefts.values().all(test)
        } else {
            lefts.values().any(test)
        };
    }
    let mut rights = Occurrences::new();
    collect(right, f, &mut rights);
    if rights.is_empty() {
        return false;
    }
    let test = |a: &Val<'_>, b: &Val<'_>| compare_values(a, b).is_some_and(|o| rel.holds(o));
    if all {
        lefts.values().all(|a| rights.values().all(|b| test(a, b)))
    } else {
        lefts.values().any(|a| rights.values().any(|b| test(a, b)))
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

fn contains(left: &Operand, right: &Operand, f: &Frame<'_>) -> bool {
    let mut lefts = Occurrences::new();
    collect(left, f, &mut lefts);
    if lefts.is_empty() {
        return false;
    }
    let mut rights = Occurrences::new();
    match right {
        Operand::Const(Constant::Bytes(b)) => rights.push(Val::Bytes(Cow::Borrowed(b.as_slice()))),
        Operand::Const(Constant::Str(s)) => rights.push(Val::Str(Cow::Borrowed(s.as_str()))),
        Operand::Const(Constant::Ether(m)) => rights.push(Val::Ether(*m)),
        Operand::Const(_) => return false,
        other => collect(other, f, &mut rights),
    }
    let found = lefts.values().any(|haystack| {
        rights
            .values()
            .any(|needle| match (haystack.bytes(), needle.bytes()) {
                (Some(h), Some(n)) => find(&h, &n),
                _ => false,
            })
    });
    found
}

/// The value a constant stands for, when it takes part in arithmetic or a function.
fn constant_value(constant: &Constant) -> Option<Val<'_>> {
    Some(match constant {
        Constant::Number(n) => {
            if *n >= 0 {
                Val::Uint(u64::try_from(*n).ok()?)
            } else {
                Val::Int(i64::try_from(*n).ok()?)
            }
        }
        Constant::Bool(b) => Val::Bool(*b),
        Constant::Time(ns) => Val::Time(*ns),
        Constant::Ipv4(a, _) => Val::Ipv4(*a),
        Constant::Ipv6(a, _) => Val::Ipv6(*a),
        Constant::Ether(m) => Val::Ether(*m),
        Constant::Bytes(b) => Val::Bytes(Cow::Borrowed(b.as_slice())),
        Constant::Str(s) => Val::Str(Cow::Borrowed(s.as_str())),
    })
}

/// A numeric field value as a typed value.
fn number_value(ty: FieldType, n: i64) -> Val<'static> {
    match ty {
        FieldType::Bool => Val::Bool(n != 0),
        FieldType::Time => Val::Time(n),
        FieldType::Ipv4 => Val::Ipv4(n as u32),
        _ => {
            if n >= 0 {
                Val::Uint(n as u64)
            } else {
                Val::Int(n)
            }
        }
    }
}

/// How many occurrences one protocol layer gives a numeric field: two for the "source or
/// destination" fields (`ip.addr`, `tcp.port`…), one otherwise.
fn values_per_layer(name: &str) -> usize {
    if name.ends_with(".addr") || name.ends_with(".port") {
        2
    } else {
        1
    }
}

/// Collects the values of an operand for frame `f`.
pub fn collect<'r>(operand: &'r Operand, f: &Frame<'r>, out: &mut Occurrences<'r>) {
    match operand {
        Operand::Field { def, layer } => {
            match def.reader {
                Reader::Numbers(read) => {
                    let mut buffer = [0i64; MAX_NUMBERS];
                    let n = read(f, &mut buffer).min(MAX_NUMBERS);
                    let per_layer = values_per_layer(def.name);
                    for (k, &v) in buffer[..n].iter().enumerate() {
                        let layer = u8::try_from(k / per_layer + 1).unwrap_or(u8::MAX);
                        out.push_layer(number_value(def.ty, v), layer);
                    }
                }
                Reader::Values(read) => read(f, out),
                Reader::Bytes(present, read) => {
                    if present(f) {
                        read(f, out);
                    }
                }
                Reader::Protocol(present, span) => {
                    if present(f) {
                        span(f, out);
                    }
                }
                Reader::Label(present) => {
                    if present(f) {
                        out.push(Val::Bool(true));
                    }
                }
                Reader::Unavailable(_) => {}
            }
            if let Some(layer) = layer {
                out.keep_layer(*layer);
            }
        }
        Operand::Const(constant) => {
            if let Some(v) = constant_value(constant) {
                out.push(v);
            }
        }
        Operand::Slice { base, ranges, text } => {
            let mut bases = Occurrences::new();
            collect(base, f, &mut bases);
            for value in bases.values() {
                if *text {
                    if let Val::Str(s) = value {
                        let chars: Vec<char> = s.chars().collect();
                        if let Some(picked) = apply_ranges(&chars, ranges) {
                            out.push(Val::Str(Cow::Owned(picked.into_iter().collect())));
                        }
                    }
                } else if let Some(bytes) = value.bytes() {
                    if let Some(picked) = apply_ranges(&bytes, ranges) {
                        out.push(Val::Bytes(Cow::Owned(picked)));
                    }
                }
            }
        }
        Operand::Call { func, arg } => call(*func, arg, f, out),
        Operand::Arith { op, left, right } => {
            let mut lefts = Occurrences::new();
            let mut rights = Occurrences::new();
            collect(left, f, &mut lefts);
            collect(right, f, &mut rights);
            for a in lefts.values() {
                for b in rights.values() {
                    if let Some(v) = arithmetic(*op, a, b) {
                        out.push(v);
                    }
                }
            }
        }
        Operand::Negate(inner) => {
            let mut values = Occurrences::new();
            collect(inner, f, &mut values);
            for v in values.values() {
                match *v {
                    Val::Time(ns) => out.push(Val::Time(ns.saturating_neg())),
                    _ => {
                        if let Some(n) = v.as_number().and_then(|n| i64::try_from(-n).ok()) {
                            out.push(Val::Int(n));
                        }
                    }
                }
            }
        }
    }
}

fn call<'r>(func: Func, arg: &'r Operand, f: &Frame<'r>, out: &mut Occurrences<'r>) {
    if func == Func::Count {
        // Protocols and labels count by presence, without their bytes.
        if let Operand::Field { def, layer: None } = arg {
            if let Reader::Protocol(present, _) | Reader::Label(present) = def.reader {
                out.push(Val::Uint(u64::from(present(f))));
                return;
            }
        }
    }
    let mut values = Occurrences::new();
    collect(arg, f, &mut values);
    match func {
        Func::Count => out.push(Val::Uint(values.len() as u64)),
        Func::Len => {
            for v in values.values() {
                let len = match v {
                    Val::Str(s) => s.chars().count(),
                    other => other.bytes().map_or(0, |b| b.len()),
                };
                out.push(Val::Uint(len as u64));
            }
        }
        Func::Lower | Func::Upper => {
            for v in values.values() {
                if let Val::Str(s) = v {
                    let changed = if func == Func::Lower {
                        s.to_lowercase()
                    } else {
                        s.to_uppercase()
                    };
                    out.push(Val::Str(Cow::Owned(changed)));
                }
            }
        }
        Func::String => {
            for v in values.values() {
                out.push(Val::Str(Cow::Owned(display(v))));
            }
        }
    }
}

/// The text form of a value (as `string()` gives it).
pub fn display(v: &Val<'_>) -> String {
    match v {
        Val::Uint(n) => n.to_string(),
        Val::Int(n) => n.to_string(),
        Val::Bool(b) => if *b { "1" } else { "0" }.to_string(),
        Val::Time(ns) => {
            let sign = if *ns < 0 { "-" } else { "" };
            let abs = ns.unsigned_abs();
            format!("{sign}{}.{:09}", abs / 1_000_000_000, abs % 1_000_000_000)
        }
        Val::Ipv4(a) => std::net::Ipv4Addr::from(*a).to_string(),
        Val::Ipv6(a) => std::net::Ipv6Addr::from(*a).to_string(),
        Val::Ether(m) => m
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":"),
        Val::Bytes(b) => b
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":"),
        Val::Str(s) => s.to_string(),
    }
}

fn arithmetic(op: ArithOp, a: &Val<'_>, b: &Val<'_>) -> Option<Val<'static>> {
    let time = matches!(a, Val::Time(_)) || matches!(b, Val::Time(_));
    let x = a.as_number()?;
    let y = b.as_number()?;
    let result = match op {
        ArithOp::Add => x.checked_add(y)?,
        ArithOp::Sub => x.checked_sub(y)?,
        ArithOp::Mul => x.checked_mul(y)?,
        ArithOp::Div => x.checked_div(y)?,
        ArithOp::Rem => x.checked_rem(y)?,
        ArithOp::BitAnd => x & y,
    };
    let result = i64::try_from(result).ok()?;
    Some(if time {
        Val::Time(result)
    } else if result >= 0 {
        Val::Uint(result as u64)
    } else {
        Val::Int(result)
    })
}

/// Applies slice ranges to a sequence; `None` when a range falls outside it (Wireshark then
/// has no value for the slice).
fn apply_ranges<T: Clone>(items: &[T], ranges: &[SliceRange]) -> Option<Vec<T>> {
    let len = items.len() as i64;
    let absolute = |i: i64| if i < 0 { len + i } else { i };
    let mut out = Vec::new();
    for range in ranges {
        let (start, end) = match *range {
            SliceRange::StartLen { start, len: count } => {
                let start = absolute(start);
                let end = match count {
                    Some(count) => start.checked_add(count)?,
                    None => len,
                };
                (start, end)
            }
            SliceRange::StartEnd { start, end } => (absolute(start), absolute(end).checked_add(1)?),
        };
        if start < 0 || end > len || start > end {
            return None;
        }
        out.extend_from_slice(&items[start as usize..end as usize]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices() {
        let data = [1u8, 2, 3, 4, 5, 6];
        let r = |start, len| SliceRange::StartLen { start, len };
        assert_eq!(apply_ranges(&data, &[r(0, Some(2))]), Some(vec![1, 2]));
        assert_eq!(apply_ranges(&data, &[r(-4, None)]), Some(vec![3, 4, 5, 6]));
        assert_eq!(
            apply_ranges(&data, &[SliceRange::StartEnd { start: 1, end: 3 }]),
            Some(vec![2, 3, 4])
        );
        assert_eq!(
            apply_ranges(&data, &[r(1, Some(1)), r(4, None)]),
            Some(vec![2, 5, 6])
        );
        assert_eq!(apply_ranges(&data, &[r(5, Some(2))]), None);
        assert_eq!(apply_ranges(&data, &[r(-7, Some(1))]), None);
        assert_eq!(apply_ranges(&data, &[r(i64::MAX, Some(i64::MAX))]), None);
    }
}
