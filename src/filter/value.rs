//! Values: the field types of the registry ([`FieldType`], as Wireshark names them), the values a
//! field yields for one frame ([`Val`], borrowed from the index or the frame bytes, never
//! allocated for index fields), the per-frame list of occurrences ([`Occurrences`]: four inline
//! slots, so a multi-valued field like `ip.addr` costs no allocation), and the constants a
//! literal compiles to ([`Constant`], e.g. an address with a CIDR prefix).

use std::borrow::Cow;
use std::cmp::Ordering;

/// A field's type, which decides how literals are read and which operators apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// Unsigned integer (ports, lengths, frame numbers).
    Uint,
    /// Boolean flag (`tcp.flags.syn`): compared with 1/0 or True/False.
    Bool,
    /// Time offset in seconds (`frame.time_relative`), kept as nanoseconds.
    Time,
    Ipv4,
    Ipv6,
    Ether,
    Bytes,
    Str,
    /// A protocol: present or not; its value is the bytes it covers.
    Protocol,
    /// A label without a value (expert flags like `tcp.analysis.retransmission`): present or not.
    Label,
}

impl FieldType {
    /// How the type is named in messages.
    pub fn describe(self) -> &'static str {
        match self {
            FieldType::Uint => "an unsigned integer",
            FieldType::Bool => "a boolean",
            FieldType::Time => "a time offset in seconds",
            FieldType::Ipv4 => "an IPv4 address",
            FieldType::Ipv6 => "an IPv6 address",
            FieldType::Ether => "an Ethernet address",
            FieldType::Bytes => "a byte string",
            FieldType::Str => "a character string",
            FieldType::Protocol => "a protocol",
            FieldType::Label => "a label without a value",
        }
    }

    /// What a literal for this type looks like, for messages.
    pub fn example(self) -> &'static str {
        match self {
            FieldType::Uint => "a number like 80 or 0x50",
            FieldType::Bool => "1 or 0 (or True, False)",
            FieldType::Time => "seconds like 1.5",
            FieldType::Ipv4 => "an IPv4 address like 10.0.0.1 or 10.0.0.0/8",
            FieldType::Ipv6 => "an IPv6 address like 2001:db8::1 or 2001:db8::/32",
            FieldType::Ether => "an Ethernet address like 00:1b:21:3a:32:8d",
            FieldType::Bytes | FieldType::Protocol => "bytes like 16:03:01 or a quoted string",
            FieldType::Str => "a quoted string",
            FieldType::Label => "nothing (test the field alone)",
        }
    }

    /// Short name for completion lists and tables.
    pub fn short_name(self) -> &'static str {
        match self {
            FieldType::Uint => "uint",
            FieldType::Bool => "bool",
            FieldType::Time => "time",
            FieldType::Ipv4 => "ipv4",
            FieldType::Ipv6 => "ipv6",
            FieldType::Ether => "ether",
            FieldType::Bytes => "bytes",
            FieldType::Str => "string",
            FieldType::Protocol => "protocol",
            FieldType::Label => "label",
        }
    }

    /// Types whose values are byte sequences (slices, `contains`, `matches` apply).
    pub fn is_bytes_like(self) -> bool {
        matches!(
            self,
            FieldType::Bytes
                | FieldType::Protocol
                | FieldType::Ether
                | FieldType::Ipv4
                | FieldType::Ipv6
        )
    }
}

/// One occurrence of a field in a frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    Uint(u64),
    /// Only from arithmetic that went below zero.
    Int(i64),
    Bool(bool),
    /// Nanoseconds.
    Time(i64),
    Ipv4(u32),
    Ipv6(u128),
    Ether([u8; 6]),
    Bytes(Cow<'a, [u8]>),
    Str(Cow<'a, str>),
}

impl Default for Val<'_> {
    fn default() -> Self {
        Val::Uint(0)
    }
}

impl<'a> Val<'a> {
    /// The value as a signed 128-bit number, for numeric types.
    pub fn as_number(&self) -> Option<i128> {
        match *self {
            Val::Uint(v) => Some(i128::from(v)),
            Val::Int(v) => Some(i128::from(v)),
            Val::Bool(b) => Some(i128::from(b)),
            Val::Time(ns) => Some(i128::from(ns)),
            _ => None,
        }
    }

    /// The value's bytes, for types that have a byte form (addresses, bytes, strings).
    pub fn bytes(&self) -> Option<Cow<'_, [u8]>> {
        Some(match self {
            Val::Bytes(b) => Cow::Borrowed(b.as_ref()),
            Val::Str(s) => Cow::Borrowed(s.as_bytes()),
            Val::Ether(m) => Cow::Owned(m.to_vec()),
            Val::Ipv4(a) => Cow::Owned(a.to_be_bytes().to_vec()),
            Val::Ipv6(a) => Cow::Owned(a.to_be_bytes().to_vec()),
            _ => return None,
        })
    }
}

/// A constant from the filter text, already converted to the type of what it is compared with.
#[derive(Debug, Clone, PartialEq)]
pub enum Constant {
    /// Integers (also booleans as 0/1 and times as nanoseconds), signed so that `-1` can be
    /// written (and never equals an unsigned field).
    Number(i128),
    Bool(bool),
    Time(i64),
    /// An IPv4 address and prefix length (32 for a plain address).
    Ipv4(u32, u8),
    Ipv6(u128, u8),
    Ether([u8; 6]),
    Bytes(Vec<u8>),
    Str(String),
}

fn prefix_mask_v4(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix.min(32)))
    }
}

fn prefix_mask_v6(prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(prefix.min(128)))
    }
}

/// Orders a frame value against a constant. `None` when they cannot be compared (different
/// kinds). For an address with a prefix, "equal" means "inside the subnet", and the order is
/// that of the masked address.
pub fn compare_constant(value: &Val<'_>, constant: &Constant) -> Option<Ordering> {
    match (value, constant) {
        (Val::Ipv4(a), Constant::Ipv4(net, prefix)) => {
            let mask = prefix_mask_v4(*prefix);
            Some((a & mask).cmp(&(net & mask)))
        }
        (Val::Ipv6(a), Constant::Ipv6(net, prefix)) => {
            let mask = prefix_mask_v6(*prefix);
            Some((a & mask).cmp(&(net & mask)))
        }
        (Val::Ether(a), Constant::Ether(b)) => Some(a.cmp(b)),
        (Val::Str(a), Constant::Str(b)) => Some(a.as_ref().cmp(b.as_str())),
        (Val::Bool(a), Constant::Bool(b)) => Some(a.cmp(b)),
        (Val::Time(a), Constant::Time(b)) => Some(a.cmp(b)),
        (_, Constant::Number(n)) => value.as_number().map(|v| v.cmp(n)),
        (_, Constant::Bytes(b)) => value.bytes().map(|v| v.as_ref().cmp(b.as_slice())),
        (_, Constant::Ether(b)) => value.bytes().map(|v| v.as_ref().cmp(b.as_slice())),
        (_, Constant::Str(s)) => value.bytes().map(|v| v.as_ref().cmp(s.as_bytes())),
        _ => None,
    }
}

/// Orders two frame values (field against field).
pub fn compare_values(a: &Val<'_>, b: &Val<'_>) -> Option<Ordering> {
    match (a, b) {
        (Val::Ipv4(x), Val::Ipv4(y)) => Some(x.cmp(y)),
        (Val::Ipv6(x), Val::Ipv6(y)) => Some(x.cmp(y)),
        (Val::Ether(x), Val::Ether(y)) => Some(x.cmp(y)),
        (Val::Str(x), Val::Str(y)) => Some(x.cmp(y)),
        (Val::Time(x), Val::Time(y)) => Some(x.cmp(y)),
        _ => match (a.as_number(), b.as_number()) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => match (a.bytes(), b.bytes()) {
                (Some(x), Some(y)) => Some(x.as_ref().cmp(y.as_ref())),
                _ => None,
            },
        },
    }
}

const INLINE: usize = 4;

/// The occurrences of a field in one frame, each with the layer it came from (1 = outermost).
/// Up to four live inline; more spill into a vector (rare: tunnels, several TLS messages).
#[derive(Debug, Default)]
pub struct Occurrences<'a> {
    inline: [(Val<'a>, u8); INLINE],
    len: usize,
    spill: Vec<(Val<'a>, u8)>,
}

impl<'a> Occurrences<'a> {
    pub fn new() -> Self {
        Occurrences::default()
    }

    /// Adds an occurrence from layer 1.
    pub fn push(&mut self, value: Val<'a>) {
        self.push_layer(value, 1);
    }

    pub fn push_layer(&mut self, value: Val<'a>, layer: u8) {
        if self.len < INLINE {
            self.inline[self.len] = (value, layer);
        } else {
            self.spill.push((value, layer));
        }
        self.len += 1;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn clear(&mut self) {
        self.len = 0;
        self.spill.clear();
    }

    /// Values with their layers, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = &(Val<'a>, u8)> {
        self.inline[..self.len.min(INLINE)]
            .iter()
            .chain(self.spill.iter())
    }

    pub fn values(&self) -> impl Iterator<Item = &Val<'a>> {
        self.iter().map(|(v, _)| v)
    }

    /// Keeps only the occurrences of layer `layer`.
    pub fn keep_layer(&mut self, layer: u8) {
        let kept: Vec<(Val<'a>, u8)> = self.iter().filter(|(_, l)| *l == layer).cloned().collect();
        self.clear();
        for (value, l) in kept {
            self.push_layer(value, l);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_equality_is_membership() {
        let net = Constant::Ipv4(0x0a01_0000, 16);
        assert_eq!(
            compare_constant(&Val::Ipv4(0x0a01_0203), &net),
            Some(Ordering::Equal)
        );
        assert_eq!(
            compare_constant(&Val::Ipv4(0x0a02_0203), &net),
            Some(Ordering::Greater)
        );
        let v6 = Constant::Ipv6(0x2001_0db8 << 96, 32);
        assert_eq!(
            compare_constant(&Val::Ipv6((0x2001_0db8 << 96) | 5), &v6),
            Some(Ordering::Equal)
        );
        assert_eq!(
            compare_constant(&Val::Ipv4(1), &Constant::Ipv4(2, 0)),
            Some(Ordering::Equal)
        );
    }

    #[test]
    fn occurrences_spill_past_four() {
        let mut occurrences = Occurrences::new();
        for i in 0..6 {
            occurrences.push_layer(Val::Uint(i), (i % 2) as u8 + 1);
        }
        assert_eq!(occurrences.len(), 6);
        assert_eq!(occurrences.values().last(), Some(&Val::Uint(5)));
        occurrences.keep_layer(2);
        assert_eq!(
            occurrences.values().cloned().collect::<Vec<_>>(),
            vec![Val::Uint(1), Val::Uint(3), Val::Uint(5)]
        );
    }
}
