//! Lexer: splits display-filter text into tokens, each with its byte span. Bare words (field
//! names, numbers, addresses, byte strings like `16:03`, keywords) are one token kind, because
//! what a word means depends on where it stands (the parser and the compiler decide); a word
//! stops before `..` so that set ranges like `1..10` split. Quoted strings are decoded here (C
//! escapes, raw `r"…"` strings, character literals `'P'`).

use super::errors::{ErrorKind, FilterError};

/// Comparison operators, in all their spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`, `eq`, `any_eq`: any occurrence equals.
    Eq,
    /// `!=`, `ne`, `all_ne`: every occurrence differs (4.x semantics).
    AllNe,
    /// `===`, `all_eq`: every occurrence equals.
    AllEq,
    /// `!==`, `~=`, `any_ne`: some occurrence differs.
    AnyNe,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// The operator for a keyword spelling (`eq`, `all_ne`…).
    pub fn from_word(word: &str) -> Option<CmpOp> {
        Some(match word {
            "eq" | "any_eq" => CmpOp::Eq,
            "ne" | "all_ne" => CmpOp::AllNe,
            "all_eq" => CmpOp::AllEq,
            "any_ne" => CmpOp::AnyNe,
            "lt" => CmpOp::Lt,
            "le" => CmpOp::Le,
            "gt" => CmpOp::Gt,
            "ge" => CmpOp::Ge,
            _ => return None,
        })
    }
}

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A bare word: field name, keyword, number, address, byte string…
    Word(String),
    /// A quoted string, escapes decoded (may hold any bytes through `\x` escapes).
    Str(Vec<u8>),
    /// A character literal `'c'`, as its code point.
    Char(u32),
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Comma,
    DotDot,
    Hash,
    Cmp(CmpOp),
    /// `!`
    Bang,
    AndAnd,
    OrOr,
    XorXor,
    /// `&` (bitwise and)
    Amp,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    /// `~` (matches)
    Tilde,
    Eof,
}

impl Tok {
    /// How the token is quoted in error messages.
    pub fn describe(&self) -> String {
        match self {
            Tok::Word(w) => format!("'{w}'"),
            Tok::Str(_) => "a string".into(),
            Tok::Char(_) => "a character literal".into(),
            Tok::Eof => "the end of the filter".into(),
            other => format!("'{}'", other.symbol()),
        }
    }

    fn symbol(&self) -> &'static str {
        match self {
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::Comma => ",",
            Tok::DotDot => "..",
            Tok::Hash => "#",
            Tok::Cmp(CmpOp::Eq) => "==",
            Tok::Cmp(CmpOp::AllNe) => "!=",
            Tok::Cmp(CmpOp::AllEq) => "===",
            Tok::Cmp(CmpOp::AnyNe) => "!==",
            Tok::Cmp(CmpOp::Lt) => "<",
            Tok::Cmp(CmpOp::Le) => "<=",
            Tok::Cmp(CmpOp::Gt) => ">",
            Tok::Cmp(CmpOp::Ge) => ">=",
            Tok::Bang => "!",
            Tok::AndAnd => "&&",
            Tok::OrOr => "||",
            Tok::XorXor => "^^",
            Tok::Amp => "&",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Percent => "%",
            Tok::Tilde => "~",
            Tok::Word(_) | Tok::Str(_) | Tok::Char(_) | Tok::Eof => "",
        }
    }
}

/// A token and the byte range of the filter text it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
    /// The exact source text (for operators written as words, e.g. `eq`, and for messages).
    pub text: String,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | ':' | '-' | '/')
}

/// Splits `text` into tokens; the last one is always [`Tok::Eof`].
pub fn tokenize(text: &str) -> Result<Vec<Token>, FilterError> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let byte_at = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let char_at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let syntax = |start: usize, end: usize, message: String| {
        FilterError::at(ErrorKind::Syntax, text, start, end, message)
    };
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(c) = char_at(i) {
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let next = char_at(i + 1);
        let (tok, len) = match c {
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            '{' => (Tok::LBrace, 1),
            '}' => (Tok::RBrace, 1),
            '[' => (Tok::LBracket, 1),
            ']' => (Tok::RBracket, 1),
            ',' => (Tok::Comma, 1),
            '#' => (Tok::Hash, 1),
            '+' => (Tok::Plus, 1),
            '*' => (Tok::Star, 1),
            '%' => (Tok::Percent, 1),
            '.' if next == Some('.') => (Tok::DotDot, 2),
            '=' if next == Some('=') && char_at(i + 2) == Some('=') => (Tok::Cmp(CmpOp::AllEq), 3),
            '=' if next == Some('=') => (Tok::Cmp(CmpOp::Eq), 2),
            '=' => {
                return Err(syntax(
                    byte_at(i),
                    byte_at(i + 1),
                    "'=' is not an operator; use '==' to compare".into(),
                ))
            }
            '!' if next == Some('=') && char_at(i + 2) == Some('=') => (Tok::Cmp(CmpOp::AnyNe), 3),
            '!' if next == Some('=') => (Tok::Cmp(CmpOp::AllNe), 2),
            '!' => (Tok::Bang, 1),
            '~' if next == Some('=') => (Tok::Cmp(CmpOp::AnyNe), 2),
            '~' => (Tok::Tilde, 1),
            '<' if next == Some('=') => (Tok::Cmp(CmpOp::Le), 2),
            '<' => (Tok::Cmp(CmpOp::Lt), 1),
            '>' if next == Some('=') => (Tok::Cmp(CmpOp::Ge), 2),
            '>' => (Tok::Cmp(CmpOp::Gt), 1),
            '&' if next == Some('&') => (Tok::AndAnd, 2),
            '&' => (Tok::Amp, 1),
            '|' if next == Some('|') => (Tok::OrOr, 2),
            '|' => {
                return Err(syntax(
                    byte_at(i),
                    byte_at(i + 1),
                    "'|' is not an operator; use '||' or 'or'".into(),
                ))
            }
            '^' if next == Some('^') => (Tok::XorXor, 2),
            '"' => {
                let (bytes, len) = lex_string(text, &chars, i + 1, false)?;
                (Tok::Str(bytes), len + 1)
            }
            'r' | 'R' if next == Some('"') => {
                let (bytes, len) = lex_string(text, &chars, i + 2, true)?;
                (Tok::Str(bytes), len + 2)
            }
            '\'' => lex_char(text, &chars, i)?,
            '-' if !next.is_some_and(|n| n.is_ascii_digit()) => (Tok::Minus, 1),
            '/' => (Tok::Slash, 1),
            c if is_word_char(c) => {
                let mut end = i + 1;
                while let Some(c) = char_at(end) {
                    if !is_word_char(c) || (c == '.' && char_at(end + 1) == Some('.')) {
                        break;
                    }
                    end += 1;
                }
                let word: String = chars[i..end].iter().map(|&(_, c)| c).collect();
                (Tok::Word(word), end - i)
            }
            other => {
                return Err(syntax(
                    byte_at(i),
                    byte_at(i + 1),
                    format!("'{other}' is not allowed here"),
                ))
            }
        };
        i += len;
        tokens.push(Token {
            tok,
            start: byte_at(start),
            end: byte_at(i),
            text: text[byte_at(start)..byte_at(i)].to_string(),
        });
    }
    tokens.push(Token {
        tok: Tok::Eof,
        start: text.len(),
        end: text.len(),
        text: String::new(),
    });
    Ok(tokens)
}

/// Reads a string body starting at char index `from` (after the opening quote); returns the
/// decoded bytes and the number of chars consumed including the closing quote.
fn lex_string(
    text: &str,
    chars: &[(usize, char)],
    from: usize,
    raw: bool,
) -> Result<(Vec<u8>, usize), FilterError> {
    let byte_at = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let open = byte_at(from.saturating_sub(if raw { 2 } else { 1 }));
    let mut out = Vec::new();
    let mut i = from;
    loop {
        let Some(&(_, c)) = chars.get(i) else {
            return Err(FilterError::at(
                ErrorKind::Syntax,
                text,
                open,
                open + 1,
                "this string is never closed (missing '\"')".into(),
            ));
        };
        match c {
            '"' => return Ok((out, i + 1 - from)),
            '\\' if raw => {
                // Raw strings keep backslashes; \" still does not end the string.
                out.push(b'\\');
                if chars.get(i + 1).map(|&(_, c)| c) == Some('"') {
                    out.push(b'"');
                    i += 1;
                }
            }
            '\\' => {
                let (bytes, used) = lex_escape(text, chars, i)?;
                out.extend_from_slice(&bytes);
                i += used - 1;
            }
            c => {
                let mut buffer = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
            }
        }
        i += 1;
    }
}

/// Decodes the escape sequence whose backslash is at char index `at`; returns its bytes and how
/// many chars it used (backslash included).
fn lex_escape(
    text: &str,
    chars: &[(usize, char)],
    at: usize,
) -> Result<(Vec<u8>, usize), FilterError> {
    let byte_at = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let char_at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let bad = |len: usize, message: String| {
        FilterError::at(
            ErrorKind::Syntax,
            text,
            byte_at(at),
            byte_at(at + len),
            message,
        )
    };
    let Some(kind) = char_at(at + 1) else {
        return Err(bad(
            1,
            "a '\\' at the end of the filter escapes nothing".into(),
        ));
    };
    let simple = |b: u8| Ok((vec![b], 2));
    match kind {
        '\\' => simple(b'\\'),
        '"' => simple(b'"'),
        '\'' => simple(b'\''),
        'a' => simple(7),
        'b' => simple(8),
        'f' => simple(12),
        'n' => simple(b'\n'),
        'r' => simple(b'\r'),
        't' => simple(b'\t'),
        'v' => simple(11),
        'x' => {
            let digits: String = (at + 2..at + 4)
                .map_while(|i| char_at(i).filter(char::is_ascii_hexdigit))
                .collect();
            if digits.is_empty() {
                return Err(bad(
                    2,
                    "'\\x' must be followed by one or two hex digits".into(),
                ));
            }
            let value = u8::from_str_radix(&digits, 16).unwrap_or(0);
            Ok((vec![value], 2 + digits.len()))
        }
        '0'..='7' => {
            let digits: String = (at + 1..at + 4)
                .map_while(|i| char_at(i).filter(|c| ('0'..='7').contains(c)))
                .collect();
            let value = u32::from_str_radix(&digits, 8).unwrap_or(0);
            if value > 255 {
                return Err(bad(
                    1 + digits.len(),
                    format!("octal escape '\\{digits}' is larger than 255"),
                ));
            }
            Ok((vec![value as u8], 1 + digits.len()))
        }
        'u' | 'U' => {
            let width = if kind == 'u' { 4 } else { 8 };
            let digits: String = (at + 2..at + 2 + width)
                .map_while(|i| char_at(i).filter(char::is_ascii_hexdigit))
                .collect();
            let decoded = u32::from_str_radix(&digits, 16)
                .ok()
                .and_then(char::from_u32);
            match decoded {
                Some(c) if digits.len() == width => {
                    let mut buffer = [0u8; 4];
                    Ok((c.encode_utf8(&mut buffer).as_bytes().to_vec(), 2 + width))
                }
                _ => Err(bad(
                    2 + digits.len(),
                    format!(
                        "'\\{kind}' must be followed by {width} hex digits of a valid character"
                    ),
                )),
            }
        }
        other => Err(bad(
            2,
            format!("'\\{other}' is not a known escape sequence"),
        )),
    }
}

/// Reads a character literal starting at the quote at char index `at`.
fn lex_char(text: &str, chars: &[(usize, char)], at: usize) -> Result<(Tok, usize), FilterError> {
    let byte_at = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let char_at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let (value, used) = match char_at(at + 1) {
        Some('\\') => {
            let (bytes, used) = lex_escape(text, chars, at + 1)?;
            let value = match std::str::from_utf8(&bytes)
                .ok()
                .and_then(|s| s.chars().next())
            {
                Some(c) if bytes.len() > 1 => u32::from(c),
                _ => u32::from(bytes.first().copied().unwrap_or(0)),
            };
            (value, used)
        }
        Some(c) if c != '\'' => (u32::from(c), 1),
        _ => {
            return Err(FilterError::at(
                ErrorKind::Syntax,
                text,
                byte_at(at),
                byte_at(at + 2),
                "a character literal holds one character, like 'A' or '\\n'".into(),
            ))
        }
    };
    if char_at(at + 1 + used) != Some('\'') {
        return Err(FilterError::at(
            ErrorKind::Syntax,
            text,
            byte_at(at),
            byte_at(at + 1 + used),
            "this character literal is never closed (missing \"'\")".into(),
        ));
    }
    Ok((Tok::Char(value), used + 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Tok> {
        tokenize(text).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn words_operators_and_sets() {
        assert_eq!(
            kinds("tcp.port in {80, 8000..8080}"),
            vec![
                Tok::Word("tcp.port".into()),
                Tok::Word("in".into()),
                Tok::LBrace,
                Tok::Word("80".into()),
                Tok::Comma,
                Tok::Word("8000".into()),
                Tok::DotDot,
                Tok::Word("8080".into()),
                Tok::RBrace,
                Tok::Eof
            ]
        );
        assert_eq!(
            kinds("ip.addr==10.0.0.0/8&&!tcp"),
            vec![
                Tok::Word("ip.addr".into()),
                Tok::Cmp(CmpOp::Eq),
                Tok::Word("10.0.0.0/8".into()),
                Tok::AndAnd,
                Tok::Bang,
                Tok::Word("tcp".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn strings_and_chars() {
        assert_eq!(kinds(r#""a\x41\n\101""#)[0], Tok::Str(b"aA\nA".to_vec()));
        assert_eq!(kinds(r#"r"a\d""#)[0], Tok::Str(b"a\\d".to_vec()));
        assert_eq!(kinds("'P'")[0], Tok::Char(80));
        assert_eq!(kinds(r"'\n'")[0], Tok::Char(10));
        assert!(tokenize("\"open").is_err());
        assert!(tokenize("a = b").is_err());
    }

    #[test]
    fn never_panics_on_odd_text() {
        for text in [
            "\\",
            "'",
            "'\\",
            "\"\\x",
            "\"\\u12",
            "r\"",
            "€€ == \"é",
            "'\\777'",
            "\"\\U0011ffff\"",
        ] {
            let _ = tokenize(text);
        }
    }
}
