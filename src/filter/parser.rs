//! Parser: tokens → syntax tree, every node keeping the byte span it was written at so the
//! compiler can point at the exact part of the text that is wrong. Precedence, loosest first:
//! `or`/`||`, `xor`/`^^`, `and`/`&&`, `not`/`!`, then tests. A test is a value alone (existence,
//! or non-zero for `tcp.flags & 0x02`), a comparison (optionally quantified with `any`/`all`),
//! `in {…}` / `not in {…}` with ranges `a..b` (commas optional), `contains`, or
//! `matches`/`~`. Values are field names (with `#layer` and `[slices]`), literals, function calls
//! `len(…)`, and arithmetic in braces `{tcp.srcport + 1}`. Whether a bare word is a field or a
//! literal is decided by the compiler, which knows the field registry.

use super::errors::{ErrorKind, FilterError};
use super::lexer::{tokenize, CmpOp, Tok, Token};

/// A byte range of the filter text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A boolean expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Or(Box<Expr>, Box<Expr>),
    Xor(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Test(Test),
}

/// `any` / `all` written before a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    Any,
    All,
}

/// One test on values.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// A value alone: the field or protocol is present (or the computed value is non-zero).
    Exists(Value),
    Compare {
        quantifier: Option<Quantifier>,
        left: Value,
        op: CmpOp,
        op_span: Span,
        right: Value,
    },
    In {
        left: Value,
        negated: bool,
        elements: Vec<SetElement>,
        op_span: Span,
    },
    Contains {
        left: Value,
        right: Value,
        op_span: Span,
    },
    Matches {
        left: Value,
        right: Value,
        op_span: Span,
    },
}

/// A member of an `in {…}` set.
#[derive(Debug, Clone, PartialEq)]
pub enum SetElement {
    One(Value),
    Range(Value, Value),
}

/// One range of a slice `[…]`. Negative offsets count from the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SliceRange {
    /// `i:j` — `j` bytes from `i`; `i:` — from `i` to the end (`len` None).
    StartLen { start: i64, len: Option<i64> },
    /// `i-j` — from `i` to `j` inclusive.
    StartEnd { start: i64, end: i64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    BitAnd,
}

/// A value with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind {
    /// A bare word: a field name or a literal, decided by the compiler.
    Word(String),
    /// `field#n`: only the occurrences from the n-th layer.
    Layer {
        base: Box<Value>,
        layer: u32,
    },
    Str(Vec<u8>),
    Char(u32),
    Slice {
        base: Box<Value>,
        ranges: Vec<SliceRange>,
    },
    Call {
        name: String,
        name_span: Span,
        args: Vec<Value>,
    },
    Arith {
        op: ArithOp,
        left: Box<Value>,
        right: Box<Value>,
    },
    Negate(Box<Value>),
}

/// Parses a filter. Empty (or blank) text is not an error here: callers treat it as "no filter".
pub fn parse(text: &str) -> Result<Expr, FilterError> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        text,
        tokens,
        at: 0,
        depth: 0,
    };
    let expr = parser.expr("a field, a value or '('")?;
    let token = parser.peek();
    if token.tok != Tok::Eof {
        let message = if token.tok == Tok::RParen {
            "this ')' has no matching '('".to_string()
        } else {
            format!(
                "unexpected {}; expected 'and', 'or' or the end of the filter",
                token.tok.describe()
            )
        };
        return Err(parser.error_at(parser.at, message));
    }
    Ok(expr)
}

/// Nesting limit: deeper filters are rejected instead of overflowing the stack.
const MAX_DEPTH: usize = 64;

struct Parser<'t> {
    text: &'t str,
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "and" | "or" | "xor" | "not" | "in" | "contains" | "matches" | "any" | "all"
    ) || CmpOp::from_word(word).is_some()
}

impl<'t> Parser<'t> {
    fn peek(&self) -> &Token {
        &self.tokens[self.at.min(self.tokens.len() - 1)]
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        &self.tokens[(self.at + ahead).min(self.tokens.len() - 1)]
    }

    fn bump(&mut self) -> Token {
        let token = self.peek().clone();
        if self.at < self.tokens.len() - 1 {
            self.at += 1;
        }
        token
    }

    fn span_of(&self, index: usize) -> Span {
        let token = &self.tokens[index.min(self.tokens.len() - 1)];
        Span {
            start: token.start,
            end: token.end,
        }
    }

    fn error_at(&self, index: usize, message: String) -> FilterError {
        let span = self.span_of(index);
        FilterError::at(ErrorKind::Syntax, self.text, span.start, span.end, message)
    }

    /// An error at the current token: `expected <what>, found <the token>`.
    fn unexpected(&self, what: &str) -> FilterError {
        let found = self.peek().tok.describe();
        self.error_at(self.at, format!("expected {what}, found {found}"))
    }

    fn word_is(&self, word: &str) -> bool {
        matches!(&self.peek().tok, Tok::Word(w) if w == word)
    }

    fn enter(&mut self) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_at(self.at, "the filter is nested too deeply".into()));
        }
        Ok(())
    }

    fn expr(&mut self, expected: &str) -> Result<Expr, FilterError> {
        self.enter()?;
        let or = self.logical(0, expected)?;
        self.depth -= 1;
        Ok(or)
    }

    /// One level of the logical operators, loosest first (`or`, `xor`, `and`): its terms, each
    /// parsed at the next level, joined into a balanced tree.
    fn logical(&mut self, level: usize, expected: &str) -> Result<Expr, FilterError> {
        const LEVELS: [(&str, Tok, Join); 3] = [
            ("or", Tok::OrOr, Expr::Or),
            ("xor", Tok::XorXor, Expr::Xor),
            ("and", Tok::AndAnd, Expr::And),
        ];
        let Some((word, symbol, join)) = LEVELS.get(level) else {
            return self.unary(expected);
        };
        let mut terms = vec![self.logical(level + 1, expected)?];
        while self.word_is(word) || self.peek().tok == *symbol {
            let op = self.bump().text;
            terms.push(self.logical(level + 1, &format!("a test after '{op}'"))?);
        }
        Ok(balanced(terms, *join))
    }

    fn unary(&mut self, expected: &str) -> Result<Expr, FilterError> {
        if self.word_is("not") || self.peek().tok == Tok::Bang {
            let op = self.bump().text;
            self.enter()?;
            let inner = self.unary(&format!("a test after '{op}'"))?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        if self.peek().tok == Tok::LParen {
            let open = self.at;
            self.bump();
            if self.peek().tok == Tok::RParen {
                return Err(
                    self.error_at(self.at, "empty parentheses; expected a test inside".into())
                );
            }
            let inner = self.expr("a test after '('")?;
            if self.peek().tok != Tok::RParen {
                if self.peek().tok == Tok::Eof {
                    return Err(self.error_at(open, "this '(' is never closed".into()));
                }
                return Err(self.error_at(
                    self.at,
                    format!(
                        "unexpected {}; expected ')' to close the '(' at column {}",
                        self.peek().tok.describe(),
                        self.text[..self.span_of(open).start].chars().count() + 1
                    ),
                ));
            }
            self.bump();
            return Ok(inner);
        }
        self.test(expected)
    }

    /// A test: `[any|all] value [op value | in {…} | contains v | matches v]`.
    fn test(&mut self, expected: &str) -> Result<Expr, FilterError> {
        let quantifier = if self.word_is("any") || self.word_is("all") {
            // `any`/`all` are quantifiers only when a value follows (not an operator or the end).
            let next = &self.peek_at(1).tok;
            let starts_value = matches!(next, Tok::Word(w) if !is_keyword(w))
                || matches!(next, Tok::LBrace | Tok::Str(_) | Tok::Char(_));
            if starts_value {
                let word = self.bump();
                Some((
                    if word.text == "any" {
                        Quantifier::Any
                    } else {
                        Quantifier::All
                    },
                    self.at - 1,
                ))
            } else {
                None
            }
        } else {
            None
        };
        let left = self.value(expected)?;
        let op_index = self.at;
        let op_token = self.peek().clone();
        let op_span = self.span_of(op_index);
        let comparison = match &op_token.tok {
            Tok::Cmp(op) => Some(*op),
            Tok::Word(w) => CmpOp::from_word(w),
            _ => None,
        };
        if let Some(op) = comparison {
            self.bump();
            let right = self.value(&format!("a value after '{}'", op_token.text))?;
            return Ok(Expr::Test(Test::Compare {
                quantifier: quantifier.map(|(q, _)| q),
                left,
                op,
                op_span,
                right,
            }));
        }
        if let Some((_, index)) = quantifier {
            return Err(self.error_at(
                index,
                format!(
                    "'{}' must be followed by a comparison, like '{} tcp.port > 1024'",
                    self.tokens[index].text, self.tokens[index].text
                ),
            ));
        }
        let test = match &op_token.tok {
            Tok::Word(w) if w == "in" => {
                self.bump();
                Test::In {
                    left,
                    negated: false,
                    elements: self.set()?,
                    op_span,
                }
            }
            Tok::Word(w)
                if w == "not" && matches!(&self.peek_at(1).tok, Tok::Word(n) if n == "in") =>
            {
                self.bump();
                let span = op_span.to(self.span_of(self.at));
                self.bump();
                Test::In {
                    left,
                    negated: true,
                    elements: self.set()?,
                    op_span: span,
                }
            }
            Tok::Word(w) if w == "contains" => {
                self.bump();
                let right = self.value("a value after 'contains'")?;
                Test::Contains {
                    left,
                    right,
                    op_span,
                }
            }
            Tok::Word(w) if w == "matches" => {
                self.bump();
                let right = self.value("a quoted regular expression after 'matches'")?;
                Test::Matches {
                    left,
                    right,
                    op_span,
                }
            }
            Tok::Tilde => {
                self.bump();
                let right = self.value("a quoted regular expression after '~'")?;
                Test::Matches {
                    left,
                    right,
                    op_span,
                }
            }
            _ => Test::Exists(left),
        };
        Ok(Expr::Test(test))
    }

    /// `{ elem [,] elem … }` where elem is `value` or `value..value`.
    fn set(&mut self) -> Result<Vec<SetElement>, FilterError> {
        if self.peek().tok != Tok::LBrace {
            return Err(self.unexpected("'{' after 'in' (a set like {80, 443, 8000..8080})"));
        }
        let open = self.at;
        self.bump();
        let mut elements = Vec::new();
        loop {
            match self.peek().tok {
                Tok::RBrace => {
                    if elements.is_empty() {
                        return Err(self.error_at(
                            self.at,
                            "empty set; put at least one value between the braces".into(),
                        ));
                    }
                    self.bump();
                    return Ok(elements);
                }
                Tok::Eof => return Err(self.error_at(open, "this '{' is never closed".into())),
                Tok::Comma if !elements.is_empty() => {
                    self.bump();
                    if matches!(self.peek().tok, Tok::RBrace | Tok::Comma) {
                        return Err(self.unexpected("a value after ','"));
                    }
                }
                _ => {
                    let first = self.value("a value in the set")?;
                    if self.peek().tok == Tok::DotDot {
                        self.bump();
                        let last = self.value("a value after '..'")?;
                        elements.push(SetElement::Range(first, last));
                    } else {
                        elements.push(SetElement::One(first));
                    }
                }
            }
        }
    }

    /// A value: `bitand := arith_primary { '&' arith_primary }`.
    fn value(&mut self, expected: &str) -> Result<Value, FilterError> {
        self.enter()?;
        let mut left = self.primary(expected)?;
        while self.peek().tok == Tok::Amp {
            self.bump();
            let right = self.primary("a value after '&'")?;
            let span = left.span.to(right.span);
            left = Value {
                kind: ValueKind::Arith {
                    op: ArithOp::BitAnd,
                    left: Box::new(left),
                    right: Box::new(right),
                },
                span,
            };
        }
        self.depth -= 1;
        Ok(left)
    }

    fn primary(&mut self, expected: &str) -> Result<Value, FilterError> {
        let index = self.at;
        let token = self.peek().clone();
        let span = self.span_of(index);
        let mut value = match &token.tok {
            Tok::Word(w) if !is_keyword(w) => {
                self.bump();
                if self.peek().tok == Tok::LParen
                    && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    return self.call(w.clone(), span);
                }
                Value {
                    kind: ValueKind::Word(w.clone()),
                    span,
                }
            }
            Tok::Str(bytes) => {
                self.bump();
                Value {
                    kind: ValueKind::Str(bytes.clone()),
                    span,
                }
            }
            Tok::Char(c) => {
                self.bump();
                Value {
                    kind: ValueKind::Char(*c),
                    span,
                }
            }
            Tok::LBrace => {
                self.bump();
                let inner = self.arith()?;
                if self.peek().tok != Tok::RBrace {
                    return Err(self.unexpected("'}' to close the arithmetic"));
                }
                let close = self.span_of(self.at);
                self.bump();
                Value {
                    kind: inner.kind,
                    span: span.to(close),
                }
            }
            other => {
                let message = match other {
                    Tok::Eof => format!("expected {expected}"),
                    _ => format!("expected {expected}, found {}", other.describe()),
                };
                return Err(self.error_at(index, message));
            }
        };
        // Postfix: `#layer` then `[slices]`.
        if self.peek().tok == Tok::Hash {
            let hash = self.at;
            self.bump();
            let layer = match &self.peek().tok {
                Tok::Word(w) => w.parse::<u32>().ok().filter(|&n| n > 0),
                _ => None,
            };
            let Some(layer) = layer else {
                return Err(self.error_at(
                    hash,
                    "'#' must be followed by a layer number (1 is the outermost), like ip.addr#2"
                        .into(),
                ));
            };
            let end = self.span_of(self.at);
            self.bump();
            value = Value {
                span: value.span.to(end),
                kind: ValueKind::Layer {
                    base: Box::new(value),
                    layer,
                },
            };
        }
        while self.peek().tok == Tok::LBracket {
            let (ranges, close) = self.slice()?;
            value = Value {
                span: value.span.to(close),
                kind: ValueKind::Slice {
                    base: Box::new(value),
                    ranges,
                },
            };
        }
        Ok(value)
    }

    fn call(&mut self, name: String, name_span: Span) -> Result<Value, FilterError> {
        let open = self.at;
        self.bump(); // (
        let mut args = Vec::new();
        if self.peek().tok != Tok::RParen {
            loop {
                args.push(self.value(&format!("an argument for {name}()"))?);
                if self.peek().tok == Tok::Comma {
                    self.bump();
                    continue;
                }
                break;
            }
        }
        if self.peek().tok != Tok::RParen {
            if self.peek().tok == Tok::Eof {
                return Err(self.error_at(open, "this '(' is never closed".into()));
            }
            return Err(self.unexpected(&format!("',' or ')' in the call to {name}()")));
        }
        let close = self.span_of(self.at);
        self.bump();
        Ok(Value {
            kind: ValueKind::Call {
                name,
                name_span,
                args,
            },
            span: name_span.to(close),
        })
    }

    /// Arithmetic inside braces: `+ -` over `* / %` over unary minus over values.
    fn arith(&mut self) -> Result<Value, FilterError> {
        self.enter()?;
        let sum = self.arith_level(false)?;
        self.depth -= 1;
        Ok(sum)
    }

    /// Operands joined by the additive operators, or (`multiplicative`) by `* / %`.
    fn arith_level(&mut self, multiplicative: bool) -> Result<Value, FilterError> {
        let operand = |p: &mut Self| {
            if multiplicative {
                p.factor()
            } else {
                p.arith_level(true)
            }
        };
        let mut left = operand(self)?;
        while let Some(op) = arith_operator(&self.peek().tok, multiplicative) {
            self.bump();
            let right = operand(self)?;
            left = arith(op, left, right);
        }
        Ok(left)
    }

    fn factor(&mut self) -> Result<Value, FilterError> {
        if self.peek().tok == Tok::Minus {
            let span = self.span_of(self.at);
            self.bump();
            self.enter()?;
            let inner = self.factor()?;
            self.depth -= 1;
            return Ok(Value {
                span: span.to(inner.span),
                kind: ValueKind::Negate(Box::new(inner)),
            });
        }
        self.value("a value in the arithmetic")
    }

    /// `[range, range…]`; returns the ranges and the span of the closing bracket.
    fn slice(&mut self) -> Result<(Vec<SliceRange>, Span), FilterError> {
        let open = self.at;
        self.bump(); // [
        let mut ranges = Vec::new();
        loop {
            let index = self.at;
            match self.peek().tok.clone() {
                Tok::Word(w) => {
                    let Some(range) = parse_slice_range(&w) else {
                        return Err(self.error_at(
                            index,
                            format!("'{w}' is not a slice range; use i:j (j bytes from i), i-j (i to j), i, :j or i:"),
                        ));
                    };
                    ranges.push(range);
                    self.bump();
                }
                Tok::Eof => return Err(self.error_at(open, "this '[' is never closed".into())),
                other => {
                    return Err(self.error_at(
                        index,
                        format!(
                            "expected a slice range like 0:2 in the brackets, found {}",
                            other.describe()
                        ),
                    ))
                }
            }
            match self.peek().tok {
                Tok::Comma => {
                    self.bump();
                }
                Tok::RBracket => {
                    let close = self.span_of(self.at);
                    self.bump();
                    return Ok((ranges, close));
                }
                Tok::Eof => return Err(self.error_at(open, "this '[' is never closed".into())),
                _ => return Err(self.unexpected("',' or ']' in the slice")),
            }
        }
    }
}

/// Joins a chain of operands of an associative operator into a balanced tree, so that a long
/// `a or b or c …` (scripts generate those) nests only logarithmically deep.
/// Builds a binary node (`Expr::And`…) from its two operands.
type Join = fn(Box<Expr>, Box<Expr>) -> Expr;

fn balanced(mut terms: Vec<Expr>, join: Join) -> Expr {
    if terms.len() > 1 {
        let right = terms.split_off(terms.len() / 2);
        return join(
            Box::new(balanced(terms, join)),
            Box::new(balanced(right, join)),
        );
    }
    // Callers always pass at least one term.
    terms
        .pop()
        .unwrap_or(Expr::Not(Box::new(Expr::Not(Box::new(Expr::Test(
            Test::Exists(Value {
                kind: ValueKind::Word("frame".into()),
                span: Span::default(),
            }),
        ))))))
}

/// The arithmetic operator a token stands for at the additive or multiplicative level.
fn arith_operator(tok: &Tok, multiplicative: bool) -> Option<ArithOp> {
    match (tok, multiplicative) {
        (Tok::Plus, false) => Some(ArithOp::Add),
        (Tok::Minus, false) => Some(ArithOp::Sub),
        (Tok::Star, true) => Some(ArithOp::Mul),
        (Tok::Slash, true) => Some(ArithOp::Div),
        (Tok::Percent, true) => Some(ArithOp::Rem),
        _ => None,
    }
}

fn arith(op: ArithOp, left: Value, right: Value) -> Value {
    let span = left.span.to(right.span);
    Value {
        kind: ValueKind::Arith {
            op,
            left: Box::new(left),
            right: Box::new(right),
        },
        span,
    }
}

/// Parses one slice range: `i:j`, `i-j`, `i`, `:j`, `i:` (i may be negative).
fn parse_slice_range(text: &str) -> Option<SliceRange> {
    let number = |s: &str| -> Option<i64> {
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 12 {
            return None;
        }
        let value: i64 = digits.parse().ok()?;
        Some(if negative { -value } else { value })
    };
    if let Some((start, len)) = text.split_once(':') {
        let start = if start.is_empty() { 0 } else { number(start)? };
        let len = if len.is_empty() {
            None
        } else {
            Some(number(len)?)
        };
        if len.is_some_and(|l| l < 0) {
            return None;
        }
        return Some(SliceRange::StartLen { start, len });
    }
    // `i-j`: the separator is a '-' that is not the sign of the first number.
    let body = text.strip_prefix('-').unwrap_or(text);
    if let Some(position) = body.find('-') {
        let split = position + (text.len() - body.len());
        let start = number(&text[..split])?;
        let end = number(&text[split + 1..])?;
        return Some(SliceRange::StartEnd { start, end });
    }
    Some(SliceRange::StartLen {
        start: number(text)?,
        len: Some(1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_not_and_or() {
        let expr = parse("not tcp or udp and icmp").unwrap();
        match expr {
            Expr::Or(left, right) => {
                assert!(matches!(*left, Expr::Not(_)));
                assert!(matches!(*right, Expr::And(_, _)));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn slice_ranges() {
        assert_eq!(
            parse_slice_range("0:2"),
            Some(SliceRange::StartLen {
                start: 0,
                len: Some(2)
            })
        );
        assert_eq!(
            parse_slice_range("-4:"),
            Some(SliceRange::StartLen {
                start: -4,
                len: None
            })
        );
        assert_eq!(
            parse_slice_range("3-5"),
            Some(SliceRange::StartEnd { start: 3, end: 5 })
        );
        assert_eq!(
            parse_slice_range(":3"),
            Some(SliceRange::StartLen {
                start: 0,
                len: Some(3)
            })
        );
        assert_eq!(
            parse_slice_range("7"),
            Some(SliceRange::StartLen {
                start: 7,
                len: Some(1)
            })
        );
        assert_eq!(parse_slice_range("x"), None);
    }

    #[test]
    fn errors_point_at_the_problem() {
        let error = parse("tcp.port == ").unwrap_err();
        assert_eq!(
            error.to_string(),
            "tcp.port == \n            ^ expected a value after '=='"
        );
        let error = parse("(tcp").unwrap_err();
        assert_eq!(error.start, 0);
        assert!(parse("tcp.port in {80 443 1..3}").is_ok());
        assert!(parse("((((((((((tcp))))))))))").is_ok());
        assert!(parse(&"(".repeat(10_000)).is_err());
        assert!(parse(&"!".repeat(10_000)).is_err());
        let long = vec!["tcp.port == 1"; 20_000].join(" or ");
        assert!(parse(&long).is_ok());
    }
}
