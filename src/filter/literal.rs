//! Literals: reads the text of a literal as the type of the field it is compared with, as
//! Wireshark does (the same `16:03` is a byte string next to `tcp.payload` and an IPv6 address
//! next to `ipv6.addr`). Integers in decimal, hex `0x`, octal `0`, binary `0b` or as a character
//! `'P'`; booleans as 1/0 or True/False; times as decimal seconds (exact to the nanosecond);
//! IPv4/IPv6 with an optional CIDR prefix; Ethernet and byte strings as hex bytes separated by
//! `:`, `.` or `-` (or none).

use super::value::{Constant, FieldType};
use std::net::{Ipv4Addr, Ipv6Addr};

/// What the literal was written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiteralForm<'t> {
    Word(&'t str),
    Str(&'t [u8]),
    Char(u32),
}

/// Reads a literal for a field of type `ty`. The error is an extra reason (often empty); the
/// caller words the message with the field's name and an example of a valid value.
pub fn convert(literal: LiteralForm<'_>, ty: FieldType) -> Result<Constant, String> {
    match (literal, ty) {
        (LiteralForm::Char(c), FieldType::Uint | FieldType::Bool) => {
            Ok(Constant::Number(i128::from(c)))
        }
        (LiteralForm::Char(c), FieldType::Bytes | FieldType::Protocol) => {
            let byte =
                u8::try_from(c).map_err(|_| "a character above 255 is not one byte".to_string())?;
            Ok(Constant::Bytes(vec![byte]))
        }
        (LiteralForm::Char(c), FieldType::Str) => Ok(Constant::Str(
            char::from_u32(c).unwrap_or('\u{fffd}').to_string(),
        )),
        (LiteralForm::Str(bytes), FieldType::Str) => {
            Ok(Constant::Str(String::from_utf8_lossy(bytes).into_owned()))
        }
        (LiteralForm::Str(bytes), FieldType::Bytes | FieldType::Protocol) => {
            Ok(Constant::Bytes(bytes.to_vec()))
        }
        (LiteralForm::Str(bytes), _) => {
            // A quoted literal for a non-string field: read its text like a bare word.
            let text = String::from_utf8_lossy(bytes).into_owned();
            convert_word(&text, ty)
        }
        (LiteralForm::Word(word), _) => convert_word(word, ty),
        (LiteralForm::Char(_), _) => {
            Err(format!("a character literal cannot be {}", ty.describe()))
        }
    }
}

/// Reads a bare word; the error (a reason, possibly empty) is completed by the caller.
fn convert_word(word: &str, ty: FieldType) -> Result<Constant, String> {
    let invalid = || String::new();
    match ty {
        FieldType::Uint => parse_integer(word)
            .map(Constant::Number)
            .ok_or_else(invalid),
        FieldType::Bool => {
            if word.eq_ignore_ascii_case("true") {
                return Ok(Constant::Bool(true));
            }
            if word.eq_ignore_ascii_case("false") {
                return Ok(Constant::Bool(false));
            }
            parse_integer(word)
                .map(|n| Constant::Bool(n != 0))
                .ok_or_else(invalid)
        }
        FieldType::Time => parse_seconds(word).map(Constant::Time).ok_or_else(invalid),
        FieldType::Ipv4 => parse_ipv4(word).ok_or_else(invalid),
        FieldType::Ipv6 => parse_ipv6(word).ok_or_else(invalid),
        FieldType::Ether => match parse_hex_bytes(word) {
            Some(bytes) if bytes.len() == 6 => {
                let mut mac = [0u8; 6];
                mac.copy_from_slice(&bytes);
                Ok(Constant::Ether(mac))
            }
            Some(bytes) => Err(format!("it has {} bytes, not 6", bytes.len())),
            None => Err(invalid()),
        },
        FieldType::Bytes | FieldType::Protocol => parse_hex_bytes(word)
            .map(Constant::Bytes)
            .ok_or_else(invalid),
        FieldType::Str => Ok(Constant::Str(word.to_string())),
        FieldType::Label => Err(invalid()),
    }
}

/// Integer in decimal, `0x` hex, `0b` binary or leading-zero octal, optionally negative.
pub fn parse_integer(word: &str) -> Option<i128> {
    let (negative, body) = match word.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, word),
    };
    let (digits, radix) =
        if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (hex, 16)
        } else if let Some(binary) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
            (binary, 2)
        } else if body.len() > 1 && body.starts_with('0') {
            (&body[1..], 8)
        } else {
            (body, 10)
        };
    if digits.is_empty() || digits.len() > 40 || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let value = i128::from_str_radix(digits, radix).ok()?;
    if value > i128::from(u64::MAX) {
        return None;
    }
    Some(if negative { -value } else { value })
}

/// Decimal seconds (`1`, `0.05`, `-2.5`, `.5`) to nanoseconds, exactly; digits past the ninth
/// decimal are cut.
pub fn parse_seconds(word: &str) -> Option<i64> {
    let (negative, body) = match word.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, word),
    };
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    if (whole.is_empty() && fraction.is_empty())
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || whole.len() > 11
    {
        return None;
    }
    let seconds: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut nanos: i64 = 0;
    for (i, digit) in fraction.bytes().take(9).enumerate() {
        nanos += i64::from(digit - b'0') * 10i64.pow(8 - i as u32);
    }
    let total = seconds.checked_mul(1_000_000_000)?.checked_add(nanos)?;
    Some(if negative { -total } else { total })
}

fn split_prefix(word: &str, max: u8) -> Option<(&str, u8)> {
    match word.split_once('/') {
        Some((address, prefix)) => {
            if prefix.is_empty() || prefix.len() > 3 || !prefix.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            let prefix: u8 = prefix.parse().ok()?;
            (prefix <= max).then_some((address, prefix))
        }
        None => Some((word, max)),
    }
}

fn parse_ipv4(word: &str) -> Option<Constant> {
    let (address, prefix) = split_prefix(word, 32)?;
    let address: Ipv4Addr = address.parse().ok()?;
    Some(Constant::Ipv4(u32::from(address), prefix))
}

fn parse_ipv6(word: &str) -> Option<Constant> {
    let (address, prefix) = split_prefix(word, 128)?;
    let address: Ipv6Addr = address
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()?;
    Some(Constant::Ipv6(u128::from(address), prefix))
}

/// Hex bytes: `00:1b:21`, `00-1b-21`, `001b.213a` (groups of 2 or 4 digits with '.'), one or two
/// digits per byte with ':' or '-', an even run of hex digits without separators, or one byte
/// as `0x47`.
pub fn parse_hex_bytes(word: &str) -> Option<Vec<u8>> {
    if word.is_empty() || word.len() > 65_536 {
        return None;
    }
    // One byte written as a number: 0x47.
    if let Some(hex) = word.strip_prefix("0x").or_else(|| word.strip_prefix("0X")) {
        if (1..=2).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return u8::from_str_radix(hex, 16).ok().map(|b| vec![b]);
        }
        return None;
    }
    let separator = word.chars().find(|c| matches!(c, ':' | '-' | '.'));
    let parts: Vec<&str> = match separator {
        Some(sep) => word.split(sep).collect(),
        None => vec![word],
    };
    let mut out = Vec::new();
    for part in parts {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let even = if part.len() == 1 {
            format!("0{part}")
        } else if part.len() % 2 == 1 || (separator.is_some_and(|s| s != '.') && part.len() != 2) {
            return None;
        } else {
            part.to_string()
        };
        for pair in even.as_bytes().chunks(2) {
            let text = std::str::from_utf8(pair).ok()?;
            out.push(u8::from_str_radix(text, 16).ok()?);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        assert_eq!(parse_integer("80"), Some(80));
        assert_eq!(parse_integer("0x50"), Some(80));
        assert_eq!(parse_integer("0120"), Some(80));
        assert_eq!(parse_integer("0b1010000"), Some(80));
        assert_eq!(parse_integer("-1"), Some(-1));
        assert_eq!(parse_integer("0"), Some(0));
        assert_eq!(parse_integer("80.0"), None);
        assert_eq!(parse_integer("1e2"), None);
        assert_eq!(parse_integer("99999999999999999999999999"), None);
    }

    #[test]
    fn seconds() {
        assert_eq!(parse_seconds("1.5"), Some(1_500_000_000));
        assert_eq!(parse_seconds("0.000000001"), Some(1));
        assert_eq!(parse_seconds(".5"), Some(500_000_000));
        assert_eq!(parse_seconds("-2"), Some(-2_000_000_000));
        assert_eq!(parse_seconds("."), None);
        assert_eq!(parse_seconds("1e3"), None);
    }

    #[test]
    fn addresses_and_bytes() {
        assert_eq!(
            parse_ipv4("10.0.0.0/8"),
            Some(Constant::Ipv4(0x0a00_0000, 8))
        );
        assert_eq!(parse_ipv4("10.0.0.1/33"), None);
        assert_eq!(
            parse_ipv6("2001:db8::/32"),
            Some(Constant::Ipv6(0x2001_0db8 << 96, 32))
        );
        assert_eq!(parse_hex_bytes("16:03"), Some(vec![0x16, 0x03]));
        assert_eq!(parse_hex_bytes("00-1b-21"), Some(vec![0, 0x1b, 0x21]));
        assert_eq!(
            parse_hex_bytes("001b.213a.328d"),
            Some(vec![0, 0x1b, 0x21, 0x3a, 0x32, 0x8d])
        );
        assert_eq!(parse_hex_bytes("0025b3"), Some(vec![0, 0x25, 0xb3]));
        assert_eq!(parse_hex_bytes("16"), Some(vec![0x16]));
        assert_eq!(parse_hex_bytes("0:1"), Some(vec![0, 1]));
        assert_eq!(parse_hex_bytes("xyz"), None);
        assert_eq!(parse_hex_bytes("1::2"), None);
        assert_eq!(parse_hex_bytes("0x47"), Some(vec![0x47]));
        assert_eq!(parse_hex_bytes("0x4745"), None);
    }
}
