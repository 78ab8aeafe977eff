//! Compiler: syntax tree → [`Node`] tree, resolving every name against the one field registry
//! and every literal against the type of the field it meets. This is where the teaching errors
//! come from: unknown names (with the nearest registered name), values that do not fit the
//! field's type, operators that do not apply to it, each pointing at the exact span. Numeric
//! index fields compared with constants compile to the fast numeric nodes; tests that need the
//! frame bytes are wrapped so the evaluator fetches bytes only when it reaches them.

use super::errors::{nearest, ErrorKind, FilterError};
use super::fields::{lookup, registry, FieldDef, Reader};
use super::lexer::CmpOp;
use super::literal::{convert, parse_integer, LiteralForm};
use super::parser::{ArithOp, Expr, Quantifier, SetElement, Span, Test, Value, ValueKind};
use super::program::{Func, Node, Norm, NumRange, Operand, Rel, SetItem};
use super::value::{Constant, FieldType};

/// A literal as written (owned, since unary minus builds new text).
#[derive(Debug, Clone)]
enum Literal {
    Word(String),
    Str(Vec<u8>),
    Char(u32),
}

impl Literal {
    fn form(&self) -> LiteralForm<'_> {
        match self {
            Literal::Word(w) => LiteralForm::Word(w),
            Literal::Str(b) => LiteralForm::Str(b),
            Literal::Char(c) => LiteralForm::Char(*c),
        }
    }

    fn shown(&self) -> String {
        match self {
            Literal::Word(w) => format!("'{w}'"),
            Literal::Str(b) => format!("\"{}\"", String::from_utf8_lossy(b)),
            Literal::Char(c) => format!("'{}'", char::from_u32(*c).unwrap_or('?')),
        }
    }
}

/// What a value turned out to be.
enum Resolved {
    /// A field or something computed from fields.
    Typed(Operand, FieldType, Span),
    Literal(Literal, Span),
}

/// Names shown for fields and computed values in messages.
fn operand_name(operand: &Operand, text: &str, span: Span) -> String {
    match operand {
        Operand::Field { def, .. } => def.name.to_string(),
        _ => text.get(span.start..span.end).unwrap_or("").to_string(),
    }
}

/// Whether a word looks like a field name (so that failing to read it as a value is more
/// likely a mistyped field).
fn looks_like_field(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

pub struct Compiler<'t> {
    text: &'t str,
    /// Set when the filter reads an `http` or `tls` field (those come from reassembled PDUs).
    uses_pdus: std::cell::Cell<bool>,
}

impl<'t> Compiler<'t> {
    pub fn new(text: &'t str) -> Self {
        Compiler {
            text,
            uses_pdus: std::cell::Cell::new(false),
        }
    }

    /// Whether the compiled filter reads HTTP or TLS fields.
    pub fn uses_pdus(&self) -> bool {
        self.uses_pdus.get()
    }

    fn note_field(&self, def: &FieldDef) {
        if def.name.starts_with("http") || def.name.starts_with("tls") {
            self.uses_pdus.set(true);
        }
    }

    fn error(&self, kind: ErrorKind, span: Span, message: String) -> FilterError {
        FilterError::at(kind, self.text, span.start, span.end, message)
    }

    /// A type error: the operand at `span` cannot be used this way.
    fn type_error(&self, span: Span, message: String) -> FilterError {
        self.error(ErrorKind::Type, span, message)
    }

    /// A type error about `operand` (of type `ty`, at `span`): `message` gets its name and its
    /// type's description.
    fn operand_error(
        &self,
        operand: &Operand,
        ty: FieldType,
        span: Span,
        message: impl FnOnce(&str, &str) -> String,
    ) -> FilterError {
        let name = operand_name(operand, self.text, span);
        self.type_error(span, message(&name, ty.describe()))
    }

    fn snippet(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// The error for a word that is not a field.
    pub fn unknown_field(&self, word: &str, span: Span) -> FilterError {
        // Someone typing a prefix of a name means that name (the shortest one); otherwise the
        // nearest name by edit distance.
        let by_prefix = registry()
            .iter()
            .map(|f| f.name)
            .filter(|name| word.len() >= 3 && name.starts_with(word))
            .min_by_key(|name| (name.len(), *name));
        let suggestion = by_prefix.or_else(|| nearest(word, registry().iter().map(|f| f.name)));
        let message = match suggestion {
            Some(name) => format!("'{word}' is not a field; did you mean '{name}'?"),
            None => format!("'{word}' is not a field"),
        };
        self.error(ErrorKind::UnknownField, span, message)
    }

    pub fn compile(&self, expr: &Expr) -> Result<Node, FilterError> {
        Ok(match expr {
            Expr::And(a, b) => {
                let (a, b) = self.ordered(a, b)?;
                Node::And(Box::new(a), Box::new(b))
            }
            Expr::Or(a, b) => {
                let (a, b) = self.ordered(a, b)?;
                Node::Or(Box::new(a), Box::new(b))
            }
            Expr::Xor(a, b) => Node::Xor(Box::new(self.compile(a)?), Box::new(self.compile(b)?)),
            Expr::Not(inner) => Node::Not(Box::new(self.compile(inner)?)),
            Expr::Test(test) => self.test(test)?,
        })
    }

    /// Compiles both operands of a commutative operator, cheaper first.
    fn ordered(&self, a: &Expr, b: &Expr) -> Result<(Node, Node), FilterError> {
        let a = self.compile(a)?;
        let b = self.compile(b)?;
        Ok(if b.cost() < a.cost() { (b, a) } else { (a, b) })
    }

    fn test(&self, test: &Test) -> Result<Node, FilterError> {
        let node = match test {
            Test::Exists(value) => self.exists(value)?,
            Test::Compare {
                quantifier,
                left,
                op,
                op_span,
                right,
            } => self.compare(*quantifier, left, *op, *op_span, right)?,
            Test::In {
                left,
                negated,
                elements,
                ..
            } => {
                let node = self.membership(left, elements)?;
                if *negated {
                    Node::Not(Box::new(node))
                } else {
                    node
                }
            }
            Test::Contains {
                left,
                right,
                op_span,
            } => self.contains(left, right, *op_span)?,
            Test::Matches {
                left,
                right,
                op_span,
            } => self.matches(left, right, *op_span)?,
        };
        Ok(node)
    }

    /// Marks a test that reads frame bytes, behind the index precondition of the field it
    /// reads (so frames that cannot have the field are never fetched).
    fn wrap_bytes(node: Node, needs_bytes: bool) -> Node {
        if needs_bytes {
            Node::WithBytes(Box::new(node))
        } else {
            node
        }
    }

    /// Like [`Compiler::wrap_bytes`] for a test on one operand, adding the precondition of the
    /// field it reads (see [`guard_of`]).
    fn guarded(node: Node, guard: Guard) -> Node {
        let (needs_bytes, present) = guard;
        if !needs_bytes {
            return node;
        }
        let inner = Node::WithBytes(Box::new(node));
        match present {
            Some(present) => Node::Guard(present, Box::new(inner)),
            None => inner,
        }
    }

    // ---- values ------------------------------------------------------------------------------

    fn resolve(&self, value: &Value) -> Result<Resolved, FilterError> {
        match &value.kind {
            ValueKind::Word(word) => match lookup(word) {
                Some(def) => {
                    self.check_available(def, value.span)?;
                    Ok(Resolved::Typed(
                        Operand::Field { def, layer: None },
                        def.ty,
                        value.span,
                    ))
                }
                None => Ok(Resolved::Literal(Literal::Word(word.clone()), value.span)),
            },
            ValueKind::Str(bytes) => Ok(Resolved::Literal(Literal::Str(bytes.clone()), value.span)),
            ValueKind::Char(c) => Ok(Resolved::Literal(Literal::Char(*c), value.span)),
            ValueKind::Layer { base, layer } => {
                let (def, _) = self.field_of(base)?;
                let layer = u8::try_from(*layer).unwrap_or(u8::MAX);
                Ok(Resolved::Typed(
                    Operand::Field {
                        def,
                        layer: Some(layer),
                    },
                    def.ty,
                    value.span,
                ))
            }
            ValueKind::Slice { base, ranges } => {
                let (operand, ty, span) = self.typed(base)?;
                let text = ty == FieldType::Str;
                if !(ty.is_bytes_like() || text) {
                    return Err(self.operand_error(&operand, ty, span, |name, ty| {
                        format!("{name} is {ty}; only byte strings, addresses, strings and protocols can be sliced")
                    }));
                }
                let sliced = Operand::Slice {
                    base: Box::new(operand),
                    ranges: ranges.clone(),
                    text,
                };
                let ty = if text {
                    FieldType::Str
                } else {
                    FieldType::Bytes
                };
                Ok(Resolved::Typed(sliced, ty, value.span))
            }
            ValueKind::Call {
                name,
                name_span,
                args,
            } => self.call(name, *name_span, args, value.span),
            ValueKind::Arith { op, left, right } => self.arith(*op, left, right, value.span),
            ValueKind::Negate(inner) => match self.resolve(inner)? {
                Resolved::Literal(Literal::Word(word), _) if !word.starts_with('-') => Ok(
                    Resolved::Literal(Literal::Word(format!("-{word}")), value.span),
                ),
                Resolved::Typed(operand, ty, _)
                    if matches!(ty, FieldType::Uint | FieldType::Time) =>
                {
                    Ok(Resolved::Typed(
                        Operand::Negate(Box::new(operand)),
                        ty,
                        value.span,
                    ))
                }
                _ => Err(self.type_error(value.span, "'-' applies to numbers only".into())),
            },
        }
    }

    fn check_available(&self, def: &FieldDef, span: Span) -> Result<(), FilterError> {
        self.note_field(def);
        if let Reader::Unavailable(reason) = def.reader {
            return Err(self.error(
                ErrorKind::Unavailable,
                span,
                format!("'{}' is not available yet: {reason}", def.name),
            ));
        }
        Ok(())
    }

    /// A value that must be a registered field (before `#`, as a function argument…).
    fn field_of(&self, value: &Value) -> Result<(&'static FieldDef, Span), FilterError> {
        match &value.kind {
            ValueKind::Word(word) => match lookup(word) {
                Some(def) => {
                    self.check_available(def, value.span)?;
                    Ok((def, value.span))
                }
                None => Err(self.not_a_field(word, value.span)),
            },
            _ => Err(self.error(
                ErrorKind::Syntax,
                value.span,
                format!("'{}' is not a field name", self.snippet(value.span)),
            )),
        }
    }

    fn not_a_field(&self, word: &str, span: Span) -> FilterError {
        if looks_like_field(word) {
            self.unknown_field(word, span)
        } else {
            self.error(
                ErrorKind::Syntax,
                span,
                format!(
                    "'{word}' is a value, not a field; a test needs a field, like 'tcp.port == 80'"
                ),
            )
        }
    }

    /// A value that must be typed (a field or computed from fields).
    fn typed(&self, value: &Value) -> Result<(Operand, FieldType, Span), FilterError> {
        match self.resolve(value)? {
            Resolved::Typed(operand, ty, span) => Ok((operand, ty, span)),
            Resolved::Literal(Literal::Word(word), span) => Err(self.not_a_field(&word, span)),
            Resolved::Literal(literal, span) => Err(self.error(
                ErrorKind::Syntax,
                span,
                format!("{} is a value, not a field; a test needs a field, like 'http.host == \"example.com\"'", literal.shown()),
            )),
        }
    }

    /// Converts a literal to the type `ty` of the field it meets (named `field` in messages).
    fn constant(
        &self,
        literal: &Literal,
        span: Span,
        ty: FieldType,
        field: &str,
    ) -> Result<Constant, FilterError> {
        convert(literal.form(), ty).map_err(|message| {
            if let Literal::Word(word) = literal {
                if looks_like_field(word) && word.contains('.') && !matches!(ty, FieldType::Str) {
                    return self.unknown_field(word, span);
                }
            }
            if let Some(hint) = address_family_hint(literal, ty) {
                return self.type_error(span, format!("{} is {hint}", literal.shown()));
            }
            let reason = if message.is_empty() {
                String::new()
            } else {
                format!(" ({message})")
            };
            self.type_error(
                span,
                format!(
                    "{} is not a valid {field}{reason}: expected {}",
                    literal.shown(),
                    ty.example()
                ),
            )
        })
    }

    fn call(
        &self,
        name: &str,
        name_span: Span,
        args: &[Value],
        span: Span,
    ) -> Result<Resolved, FilterError> {
        let func = match name {
            "len" => Func::Len,
            "count" => Func::Count,
            "lower" => Func::Lower,
            "upper" => Func::Upper,
            "string" => Func::String,
            _ => {
                return Err(self.error(
                    ErrorKind::UnknownField,
                    name_span,
                    format!("'{name}' is not a function; the functions are len, count, lower, upper and string"),
                ))
            }
        };
        if args.len() != 1 {
            return Err(self.error(
                ErrorKind::Syntax,
                span,
                format!(
                    "{name}() takes one field, like {name}(http.host); it was given {}",
                    args.len()
                ),
            ));
        }
        let (operand, ty, arg_span) = self.typed(&args[0])?;
        let ok = match func {
            Func::Len => ty.is_bytes_like() || ty == FieldType::Str,
            Func::Count => true,
            Func::Lower | Func::Upper => ty == FieldType::Str,
            Func::String => !matches!(ty, FieldType::Label | FieldType::Protocol),
        };
        if !ok {
            return Err(self.operand_error(&operand, ty, arg_span, |operand, ty| {
                format!("{name}() does not apply to {operand} ({ty})")
            }));
        }
        let result_type = match func {
            Func::Len | Func::Count => FieldType::Uint,
            _ => FieldType::Str,
        };
        Ok(Resolved::Typed(
            Operand::Call {
                func,
                arg: Box::new(operand),
            },
            result_type,
            span,
        ))
    }

    fn arith(
        &self,
        op: ArithOp,
        left: &Value,
        right: &Value,
        span: Span,
    ) -> Result<Resolved, FilterError> {
        let numeric =
            |ty: FieldType| matches!(ty, FieldType::Uint | FieldType::Bool | FieldType::Time);
        let symbol = match op {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Rem => "%",
            ArithOp::BitAnd => "&",
        };
        let side = |resolved: Resolved,
                    other_ty: Option<FieldType>|
         -> Result<(Operand, FieldType), FilterError> {
            match resolved {
                Resolved::Typed(operand, ty, span) => {
                    if !numeric(ty) {
                        return Err(self.operand_error(&operand, ty, span, |name, ty| {
                            format!("'{symbol}' needs numbers; {name} is {ty}")
                        }));
                    }
                    Ok((operand, ty))
                }
                Resolved::Literal(literal, span) => {
                    let ty = other_ty.unwrap_or(FieldType::Uint);
                    let ty = if ty == FieldType::Bool {
                        FieldType::Uint
                    } else {
                        ty
                    };
                    let constant = match (&literal, ty) {
                        (Literal::Word(word), FieldType::Uint) if parse_integer(word).is_none() => {
                            if looks_like_field(word) {
                                return Err(self.unknown_field(word, span));
                            }
                            return Err(self.type_error(span, format!("'{word}' is not a number")));
                        }
                        _ => self.constant(&literal, span, ty, symbol)?,
                    };
                    Ok((Operand::Const(constant), ty))
                }
            }
        };
        let left = self.resolve(left)?;
        let right = self.resolve(right)?;
        let left_ty = match &left {
            Resolved::Typed(_, ty, _) => Some(*ty),
            Resolved::Literal(..) => None,
        };
        let right_ty = match &right {
            Resolved::Typed(_, ty, _) => Some(*ty),
            Resolved::Literal(..) => None,
        };
        let (left, lt) = side(left, right_ty)?;
        let (right, _) = side(right, left_ty)?;
        let ty = if lt == FieldType::Time {
            FieldType::Time
        } else {
            FieldType::Uint
        };
        Ok(Resolved::Typed(
            Operand::Arith {
                op,
                left: Box::new(left),
                right: Box::new(right),
            },
            ty,
            span,
        ))
    }

    // ---- tests -------------------------------------------------------------------------------

    fn exists(&self, value: &Value) -> Result<Node, FilterError> {
        let (operand, _, _) = self.typed(value)?;
        let node = match operand {
            Operand::Field { def, layer: None } => match def.reader {
                Reader::Numbers(read) => Node::NumPresent(read),
                Reader::Protocol(present, _) | Reader::Label(present) => Node::Present(present),
                Reader::Values(_) | Reader::Unavailable(_) => {
                    Node::HasValues(Operand::Field { def, layer: None })
                }
                Reader::Bytes(present, _) => Node::Guard(
                    present,
                    Box::new(Node::WithBytes(Box::new(Node::HasValues(Operand::Field {
                        def,
                        layer: None,
                    })))),
                ),
            },
            Operand::Field { .. } | Operand::Slice { .. } => {
                let guard = guard_of(&operand);
                Self::guarded(Node::HasValues(operand), guard)
            }
            other => {
                let guard = guard_of(&other);
                Self::guarded(Node::Truthy(other), guard)
            }
        };
        Ok(node)
    }

    fn compare(
        &self,
        quantifier: Option<Quantifier>,
        left: &Value,
        op: CmpOp,
        op_span: Span,
        right: &Value,
    ) -> Result<Node, FilterError> {
        let (mut rel, mut all) = match op {
            CmpOp::Eq => (Rel::Eq, false),
            CmpOp::AllNe => (Rel::Ne, true),
            CmpOp::AllEq => (Rel::Eq, true),
            CmpOp::AnyNe => (Rel::Ne, false),
            CmpOp::Lt => (Rel::Lt, false),
            CmpOp::Le => (Rel::Le, false),
            CmpOp::Gt => (Rel::Gt, false),
            CmpOp::Ge => (Rel::Ge, false),
        };
        match quantifier {
            Some(Quantifier::All) => all = true,
            Some(Quantifier::Any) => all = false,
            None => {}
        }
        let op_text = self.snippet(op_span).to_string();
        let mut l = self.resolve(left)?;
        let mut r = self.resolve(right)?;
        if matches!(l, Resolved::Literal(..)) && matches!(r, Resolved::Typed(..)) {
            std::mem::swap(&mut l, &mut r);
            rel = rel.flipped();
        }
        let (left_operand, left_ty, left_span) = match l {
            Resolved::Typed(operand, ty, span) => (operand, ty, span),
            Resolved::Literal(Literal::Word(word), span) if looks_like_field(&word) => {
                return Err(self.unknown_field(&word, span))
            }
            Resolved::Literal(literal, span) => {
                return Err(self.error(
                    ErrorKind::Syntax,
                    span,
                    format!(
                        "{} is a value, not a field; one side of '{op_text}' must be a field, like 'tcp.port {op_text} 80'",
                        literal.shown()
                    ),
                ))
            }
        };
        let left_name = operand_name(&left_operand, self.text, left_span);
        if left_ty == FieldType::Label {
            return Err(self.type_error(left_span,
                format!("{left_name} is a label without a value; test it alone, like '{left_name}' or 'not {left_name}'"),
            ));
        }
        match r {
            Resolved::Literal(Literal::Word(word), span)
                if matches!(left_ty, FieldType::Bytes | FieldType::Protocol)
                    && WIRESHARK_HEX_NAMES.contains(&word.as_str()) =>
            {
                // Wireshark reads these words as its protocols of that name, not as bytes: a
                // slice compared with one is never true, anything else is a type error.
                if matches!(left_operand, Operand::Slice { .. }) {
                    return Ok(Node::Present(|_| false));
                }
                let instead = if word.len() == 2 {
                    format!("write the byte as 0x{word}")
                } else {
                    format!(
                        "write the bytes with separators: {}",
                        hex_with_colons(&word)
                    )
                };
                Err(self.type_error(
                    span,
                    format!(
                        "'{word}' is the name of a Wireshark protocol, not bytes here; {instead}"
                    ),
                ))
            }
            Resolved::Literal(literal, span) => {
                let constant = self.constant(&literal, span, left_ty, &left_name)?;
                Ok(self.compare_constant(left_operand, left_ty, rel, all, constant))
            }
            Resolved::Typed(right_operand, right_ty, right_span) => {
                let right_name = operand_name(&right_operand, self.text, right_span);
                if right_ty == FieldType::Label {
                    return Err(self.type_error(
                        right_span,
                        format!("{right_name} is a label without a value and cannot be compared"),
                    ));
                }
                if !comparable(left_ty, right_ty) {
                    return Err(self.type_error(
                        op_span,
                        format!(
                            "cannot compare {left_name} ({}) with {right_name} ({})",
                            left_ty.describe(),
                            right_ty.describe()
                        ),
                    ));
                }
                let bytes = left_operand.needs_bytes() || right_operand.needs_bytes();
                Ok(Self::wrap_bytes(
                    Node::Compare {
                        left: left_operand,
                        rel,
                        all,
                        right: right_operand,
                    },
                    bytes,
                ))
            }
        }
    }

    /// A typed operand against a constant: the fast numeric node where possible.
    fn compare_constant(
        &self,
        left: Operand,
        ty: FieldType,
        rel: Rel,
        all: bool,
        constant: Constant,
    ) -> Node {
        if let Operand::Field { def, layer } = &left {
            if let (Reader::Numbers(read), None) = (def.reader, layer) {
                if let Some((norm, value)) = numeric_constant(ty, &constant) {
                    return Node::NumCompare {
                        read,
                        norm,
                        range: NumRange::of(rel, value),
                        all,
                    };
                }
            }
        }
        let guard = guard_of(&left);
        Self::guarded(
            Node::Compare {
                left,
                rel,
                all,
                right: Operand::Const(constant),
            },
            guard,
        )
    }

    fn membership(&self, left: &Value, elements: &[SetElement]) -> Result<Node, FilterError> {
        let (operand, ty, span) = self.typed(left)?;
        let name = operand_name(&operand, self.text, span);
        if ty == FieldType::Label {
            return Err(self.type_error(
                span,
                format!("{name} is a label without a value; it cannot be in a set"),
            ));
        }
        let literal =
            |value: &Value| -> Result<Constant, FilterError> {
                match self.resolve(value)? {
                    Resolved::Literal(literal, span) => self.constant(&literal, span, ty, &name),
                    Resolved::Typed(..) => Err(self
                        .type_error(value.span, "set members must be values, not fields".into())),
                }
            };
        let mut items = Vec::with_capacity(elements.len());
        for element in elements {
            items.push(match element {
                SetElement::One(value) => SetItem::One(literal(value)?),
                SetElement::Range(low, high) => SetItem::Range(literal(low)?, literal(high)?),
            });
        }
        if let Operand::Field { def, layer } = &operand {
            if let (Reader::Numbers(read), None) = (def.reader, layer) {
                let ranges: Option<Vec<(i128, i128)>> = items
                    .iter()
                    .map(|item| match item {
                        SetItem::One(c) => numeric_range(ty, c),
                        SetItem::Range(a, b) => {
                            Some((numeric_range(ty, a)?.0, numeric_range(ty, b)?.1))
                        }
                    })
                    .collect();
                if let Some(ranges) = ranges {
                    // Clamped to what a field can hold; ranges left empty match nothing.
                    let clamp =
                        |v: i128| v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
                    let ranges: Vec<(i64, i64)> = ranges
                        .into_iter()
                        .filter(|(low, high)| low <= high)
                        .map(|(low, high)| (clamp(low), clamp(high)))
                        .collect();
                    let norm = if ty == FieldType::Bool {
                        Norm::Bool
                    } else {
                        Norm::Plain
                    };
                    return Ok(Node::NumIn { read, norm, ranges });
                }
            }
        }
        let guard = guard_of(&operand);
        Ok(Self::guarded(
            Node::In {
                left: operand,
                items,
            },
            guard,
        ))
    }

    fn contains(&self, left: &Value, right: &Value, op_span: Span) -> Result<Node, FilterError> {
        let (operand, ty, span) = self.typed(left)?;
        let name = operand_name(&operand, self.text, span);
        if !holds_bytes(ty) {
            return Err(self.type_error(
                op_span,
                format!(
                    "{name} is {}; 'contains' works on strings, byte strings and protocols",
                    ty.describe()
                ),
            ));
        }
        let right_operand = match self.resolve(right)? {
            Resolved::Literal(literal, span) => {
                let target = if ty == FieldType::Str {
                    FieldType::Str
                } else {
                    FieldType::Bytes
                };
                Operand::Const(self.constant(&literal, span, target, &name)?)
            }
            Resolved::Typed(right_operand, right_ty, right_span) => {
                if !holds_bytes(right_ty) {
                    return Err(self.type_error(
                        right_span,
                        format!(
                            "'contains' needs a string or bytes on the right; this is {}",
                            right_ty.describe()
                        ),
                    ));
                }
                right_operand
            }
        };
        let (left_bytes, present) = guard_of(&operand);
        let guard = (left_bytes || right_operand.needs_bytes(), present);
        Ok(Self::guarded(
            Node::Contains {
                left: operand,
                right: right_operand,
            },
            guard,
        ))
    }

    fn matches(&self, left: &Value, right: &Value, op_span: Span) -> Result<Node, FilterError> {
        let (operand, ty, span) = self.typed(left)?;
        let name = operand_name(&operand, self.text, span);
        if !matches!(ty, FieldType::Str | FieldType::Bytes | FieldType::Protocol) {
            return Err(self.type_error(
                op_span,
                format!(
                    "{name} is {}; 'matches' works on strings, byte strings and protocols",
                    ty.describe()
                ),
            ));
        }
        let ValueKind::Str(pattern) = &right.kind else {
            return Err(self.type_error(
                right.span,
                "'matches' needs a regular expression in double quotes, like \"^GET\"".into(),
            ));
        };
        let pattern = String::from_utf8_lossy(pattern).into_owned();
        let build = |unicode: bool| {
            regex::bytes::RegexBuilder::new(&pattern)
                .case_insensitive(true)
                .unicode(unicode)
                .size_limit(1 << 20)
                .build()
        };
        let regex = build(ty == FieldType::Str)
            .or_else(|_| build(true))
            .map_err(|e| {
                let detail = e.to_string();
                let last = detail
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("invalid pattern");
                let last = last.trim().trim_start_matches("error: ");
                self.error(
                    ErrorKind::Syntax,
                    right.span,
                    format!("invalid regular expression: {last}"),
                )
            })?;
        let guard = guard_of(&operand);
        Ok(Self::guarded(
            Node::Matches {
                left: operand,
                regex,
            },
            guard,
        ))
    }
}

/// Whether a test on an operand reads frame bytes, and the index precondition of its field.
type Guard = (bool, Option<super::fields::PresentFn>);

/// Whether values of this type are byte strings for `contains` (strings, bytes, protocols,
/// Ethernet addresses).
fn holds_bytes(ty: FieldType) -> bool {
    matches!(
        ty,
        FieldType::Str | FieldType::Bytes | FieldType::Protocol | FieldType::Ether
    )
}

fn guard_of(operand: &Operand) -> Guard {
    (operand.needs_bytes(), precondition(operand))
}

/// The index precondition of the field an operand reads, if it reads exactly one field.
fn precondition(operand: &Operand) -> Option<super::fields::PresentFn> {
    match operand {
        Operand::Field { def, .. } => match def.reader {
            Reader::Bytes(present, _) | Reader::Protocol(present, _) => Some(present),
            _ => None,
        },
        Operand::Slice { base, .. } | Operand::Call { arg: base, .. } | Operand::Negate(base) => {
            precondition(base)
        }
        _ => None,
    }
}

/// For an address of the other IP version: which fields take it.
fn address_family_hint(literal: &Literal, ty: FieldType) -> Option<&'static str> {
    let Literal::Word(word) = literal else {
        return None;
    };
    let address = word.split('/').next().unwrap_or(word);
    match ty {
        FieldType::Ipv4 if address.parse::<std::net::Ipv6Addr>().is_ok() => {
            Some("an IPv6 address; IPv6 addresses are in ipv6.addr, ipv6.src and ipv6.dst")
        }
        FieldType::Ipv6 if address.parse::<std::net::Ipv4Addr>().is_ok() => {
            Some("an IPv4 address; IPv4 addresses are in ip.addr, ip.src and ip.dst")
        }
        _ => None,
    }
}

/// Bare words that Wireshark 4.0 resolves to one of its protocols although they also read as
/// hex bytes (`tshark -G protocols`: dc, fc, ff, fc00, fefd, e100, e164, e212).
const WIRESHARK_HEX_NAMES: [&str; 8] = ["dc", "fc", "ff", "fc00", "fefd", "e100", "e164", "e212"];

/// `fc00` → `fc:00`.
fn hex_with_colons(word: &str) -> String {
    word.as_bytes()
        .chunks(2)
        .map(|pair| String::from_utf8_lossy(pair).into_owned())
        .collect::<Vec<_>>()
        .join(":")
}

/// Whether two types can be compared with each other.
fn comparable(a: FieldType, b: FieldType) -> bool {
    use FieldType::*;
    let numeric = |t| matches!(t, Uint | Bool);
    let bytes = |t| matches!(t, Bytes | Protocol | Ether);
    a == b
        || (numeric(a) && numeric(b))
        || (bytes(a) && bytes(b))
        || (matches!(a, Str) && bytes(b))
        || (bytes(a) && matches!(b, Str))
}

/// A constant as the fast path sees it: normalization and the value to compare with.
fn numeric_constant(ty: FieldType, constant: &Constant) -> Option<(Norm, i128)> {
    Some(match (ty, constant) {
        (FieldType::Bool, Constant::Bool(b)) => (Norm::Bool, i128::from(*b)),
        (FieldType::Bool, Constant::Number(n)) => (Norm::Bool, i128::from(*n != 0)),
        (FieldType::Uint, Constant::Number(n)) => (Norm::Plain, *n),
        (FieldType::Time, Constant::Time(ns)) => (Norm::Plain, i128::from(*ns)),
        (FieldType::Ipv4, Constant::Ipv4(address, prefix)) => {
            let mask = if *prefix == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from((*prefix).min(32)))
            };
            (Norm::Mask(mask), i128::from(address & mask))
        }
        _ => return None,
    })
}

/// A constant as an inclusive numeric range (a CIDR block is the range of its addresses).
fn numeric_range(ty: FieldType, constant: &Constant) -> Option<(i128, i128)> {
    match (ty, constant) {
        (FieldType::Ipv4, Constant::Ipv4(address, prefix)) => {
            let mask = if *prefix == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from((*prefix).min(32)))
            };
            Some((i128::from(address & mask), i128::from(address | !mask)))
        }
        _ => {
            let (_, value) = numeric_constant(ty, constant)?;
            Some((value, value))
        }
    }
}
