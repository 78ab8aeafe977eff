//! The compiled form of a filter: a small tree of [`Node`]s (boolean structure and tests) over
//! [`Operand`]s (fields, constants, slices, functions, arithmetic), produced by the compiler and
//! run by the evaluator. Numeric index fields compared with constants get dedicated nodes
//! ([`Node::NumCompare`], [`Node::NumIn`]) that read straight into a fixed buffer, so the common
//! filters cost a few nanoseconds per frame with no allocation.

use super::fields::{FieldDef, NumberFn, PresentFn};
use super::parser::{ArithOp, SliceRange};
use super::value::Constant;

/// Relation of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rel {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Rel {
    /// Whether an ordering satisfies the relation.
    #[inline(always)]
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Rel::Eq => ordering == Equal,
            Rel::Ne => ordering != Equal,
            Rel::Lt => ordering == Less,
            Rel::Le => ordering != Greater,
            Rel::Gt => ordering == Greater,
            Rel::Ge => ordering != Less,
        }
    }

    /// The relation with its sides swapped (`5 < x` is `x > 5`).
    pub fn flipped(self) -> Rel {
        match self {
            Rel::Lt => Rel::Gt,
            Rel::Le => Rel::Ge,
            Rel::Gt => Rel::Lt,
            Rel::Ge => Rel::Le,
            other => other,
        }
    }
}

/// How a numeric value is prepared before comparing (depends on the field type and constant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Norm {
    /// Compare as is.
    Plain,
    /// Booleans: any non-zero value is 1.
    Bool,
    /// IPv4 with a prefix: keep the network bits.
    Mask(u32),
}

impl Norm {
    #[inline(always)]
    pub fn apply(self, value: i64) -> i64 {
        match self {
            Norm::Plain => value,
            Norm::Bool => i64::from(value != 0),
            Norm::Mask(mask) => i64::from((value as u32) & mask),
        }
    }
}

/// A comparison with a constant as an inclusive range of values (`!=` is its complement), so
/// that the hot loop is two compares whatever the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumRange {
    pub low: i64,
    pub high: i64,
    pub outside: bool,
}

impl NumRange {
    /// The values `v` for which `v rel value` holds.
    pub fn of(rel: Rel, value: i128) -> NumRange {
        let (min, max) = (i128::from(i64::MIN), i128::from(i64::MAX));
        let (low, high, outside) = match rel {
            Rel::Eq => (value, value, false),
            Rel::Ne => (value, value, true),
            Rel::Lt => (min, value - 1, false),
            Rel::Le => (min, value, false),
            Rel::Gt => (value + 1, max, false),
            Rel::Ge => (value, max, false),
        };
        let (low, high) = (low.max(min), high.min(max));
        if low > high {
            // Nothing is inside: an empty range (or, for `!=`, everything is outside).
            return NumRange {
                low: 1,
                high: 0,
                outside,
            };
        }
        NumRange {
            low: low as i64,
            high: high as i64,
            outside,
        }
    }

    #[inline(always)]
    pub fn holds(self, v: i64) -> bool {
        (self.low <= v && v <= self.high) != self.outside
    }
}

/// Functions callable in filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Len,
    Count,
    Lower,
    Upper,
    String,
}

/// Something that yields values for a frame.
pub enum Operand {
    Field {
        def: &'static FieldDef,
        layer: Option<u8>,
    },
    Const(Constant),
    Slice {
        base: Box<Operand>,
        ranges: Vec<SliceRange>,
        /// Slicing a string gives a string (by characters); anything else gives bytes.
        text: bool,
    },
    Call {
        func: Func,
        arg: Box<Operand>,
    },
    Arith {
        op: ArithOp,
        left: Box<Operand>,
        right: Box<Operand>,
    },
    Negate(Box<Operand>),
}

impl Operand {
    /// Whether computing this operand's values needs the frame bytes.
    pub fn needs_bytes(&self) -> bool {
        match self {
            Operand::Field { def, .. } => def.value_needs_bytes(),
            Operand::Const(_) => false,
            // count() of a protocol only needs its presence.
            Operand::Call {
                func: Func::Count,
                arg,
            } => match arg.as_ref() {
                Operand::Field { def, .. } => def.presence_needs_bytes(),
                other => other.needs_bytes(),
            },
            Operand::Slice { base, .. }
            | Operand::Call { arg: base, .. }
            | Operand::Negate(base) => base.needs_bytes(),
            Operand::Arith { left, right, .. } => left.needs_bytes() || right.needs_bytes(),
        }
    }
}

/// A member of a compiled `in` set.
pub enum SetItem {
    One(Constant),
    Range(Constant, Constant),
}

/// A compiled filter expression.
pub enum Node {
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Xor(Box<Node>, Box<Node>),
    Not(Box<Node>),
    /// A protocol or label is present (index only).
    Present(PresentFn),
    /// A numeric index field has at least one occurrence.
    NumPresent(NumberFn),
    /// Any other operand has at least one occurrence.
    HasValues(Operand),
    /// A numeric index field against a constant.
    NumCompare {
        read: NumberFn,
        norm: Norm,
        range: NumRange,
        all: bool,
    },
    /// A numeric index field in a set of ranges (single values are ranges of one).
    NumIn {
        read: NumberFn,
        norm: Norm,
        ranges: Vec<(i64, i64)>,
    },
    Compare {
        left: Operand,
        rel: Rel,
        all: bool,
        right: Operand,
    },
    In {
        left: Operand,
        items: Vec<SetItem>,
    },
    Contains {
        left: Operand,
        right: Operand,
    },
    Matches {
        left: Operand,
        regex: regex::bytes::Regex,
    },
    /// A computed value (bitwise and, arithmetic, function) is non-zero / non-empty.
    Truthy(Operand),
    /// The inner node reads frame bytes (fetched on first use): evaluated last among the
    /// operands of `and`/`or`.
    WithBytes(Box<Node>),
    /// An index precondition (the field's frame must have it) checked before the inner node.
    Guard(PresentFn, Box<Node>),
}

impl Node {
    /// A rough cost, to evaluate cheap operands of `and`/`or` first (frame bytes are expensive).
    pub fn cost(&self) -> u32 {
        match self {
            Node::And(a, b) | Node::Or(a, b) | Node::Xor(a, b) => a.cost().saturating_add(b.cost()),
            Node::Not(a) => a.cost(),
            Node::Guard(_, a) => a.cost(),
            Node::Present(_)
            | Node::NumPresent(_)
            | Node::NumCompare { .. }
            | Node::NumIn { .. } => 1,
            Node::WithBytes(_) => 1000,
            _ => 10,
        }
    }
}
