//! Turning packet bytes into label text: printable ASCII is kept, everything else is escaped
//! (`\r`, `\n`, `\t`, `\\`, `\xNN`), and long strings are cut at [`MAX_TEXT`] characters with an
//! ellipsis. Also the small formatters every layer shares: MAC and IP addresses, hex dumps and
//! Wireshark's bit-pattern prefixes (`.1.. .... = Don't fragment: Set`).

use std::fmt::Write;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Longest text (in output characters) taken from packet bytes into one label.
pub(crate) const MAX_TEXT: usize = 200;

/// Packet bytes as safe, length-limited plain text.
pub(crate) fn escape(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        if out.len() >= MAX_TEXT {
            out.push('…');
            break;
        }
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out
}

/// Bytes as lowercase hex, cut (with an ellipsis) after `MAX_TEXT / 2` bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (i, b) in bytes.iter().enumerate() {
        if i >= MAX_TEXT / 2 {
            out.push('…');
            break;
        }
        let _ = write!(out, "{b:02x}");
    }
    out
}

pub(crate) fn mac(a: &[u8]) -> String {
    let mut out = String::new();
    for (i, b) in a.iter().take(32).enumerate() {
        if i > 0 {
            out.push(':');
        }
        let _ = write!(out, "{b:02x}");
    }
    out
}

pub(crate) fn ipv4(a: [u8; 4]) -> String {
    Ipv4Addr::from(a).to_string()
}

pub(crate) fn ipv6(a: [u8; 16]) -> String {
    Ipv6Addr::from(a).to_string()
}

/// Wireshark's bit-pattern prefix: the bits of `value` under `mask` shown as 0/1, the others as
/// dots, in groups of four, over `bits` bits. `bit_pattern(0x40, 8, 0x40)` is ".1.. ....".
pub(crate) fn bit_pattern(value: u64, bits: u32, mask: u64) -> String {
    let mut out = String::new();
    let bits = bits.min(64);
    for i in (0..bits).rev() {
        let bit = 1u64 << i;
        out.push(if mask & bit == 0 {
            '.'
        } else if value & bit != 0 {
            '1'
        } else {
            '0'
        });
        if i % 4 == 0 && i != 0 {
            out.push(' ');
        }
    }
    out
}

/// "Set" / "Not set", the way Wireshark names a one-bit flag.
pub(crate) fn set(on: bool) -> &'static str {
    if on {
        "Set"
    } else {
        "Not set"
    }
}

/// A one-bit flag line: ".1.. .... = Don't fragment: Set".
pub(crate) fn flag_line(value: u64, bits: u32, mask: u64, name: &str) -> String {
    format!(
        "{} = {name}: {}",
        bit_pattern(value, bits, mask),
        set(value & mask != 0)
    )
}

/// A multi-bit field line: ".... .000 = Recursion control: 0" (value already shifted).
pub(crate) fn bits_line(value: u64, bits: u32, mask: u64, name: &str, shown: &str) -> String {
    format!("{} = {name}: {shown}", bit_pattern(value, bits, mask))
}

/// Seconds as "300 (5 minutes)" style text for TTLs and lifetimes.
pub(crate) fn duration(secs: u32) -> String {
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3_600,
        secs % 3_600 / 60,
        secs % 60,
    );
    let mut parts = Vec::new();
    for (n, unit) in [(d, "day"), (h, "hour"), (m, "minute"), (s, "second")] {
        if n > 0 {
            parts.push(format!("{n} {unit}{}", if n == 1 { "" } else { "s" }));
        }
    }
    if parts.is_empty() {
        parts.push("0 seconds".to_string());
    }
    format!("{secs} ({})", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_and_high_bytes() {
        assert_eq!(escape(b"GET /\r\n\x07\xff\\"), "GET /\\r\\n\\x07\\xff\\\\");
    }

    #[test]
    fn long_text_is_cut() {
        let s = escape(&[b'a'; 1000]);
        assert!(s.chars().count() <= MAX_TEXT + 1);
        assert!(s.ends_with('…'));
    }

    #[test]
    fn bit_patterns_match_wireshark() {
        assert_eq!(bit_pattern(0x40, 8, 0x40), ".1.. ....");
        assert_eq!(bit_pattern(0x012, 12, 0x002), ".... .... ..1.");
        assert_eq!(bit_pattern(0x45, 8, 0xf0), "0100 ....");
    }

    #[test]
    fn durations() {
        assert_eq!(duration(300), "300 (5 minutes)");
        assert_eq!(duration(3661), "3661 (1 hour, 1 minute, 1 second)");
    }
}
