//! The option lists inside IPv6 hop-by-hop and destination-options headers (RFC 8200 §4.2):
//! [`Ipv6Options`] walks the type–length–value options after an extension header's first two
//! bytes — Pad1 is one byte, every other option carries its length — and reports an option
//! whose length runs past its header instead of reading on. The details tree and any other
//! reader of these options use it. etherparse's `Ipv6RawExtHeaderSlice` hands the option bytes
//! over unparsed, so the walk is written here.

use super::ipv6::ext_field;

/// Pad1, the one one-byte option.
pub const PAD1: u8 = 0;
pub const PADN: u8 = 1;
pub const ROUTER_ALERT: u8 = 5;
pub const JUMBO_PAYLOAD: u8 = 0xc2;
pub const HOME_ADDRESS: u8 = 0xc9;
/// A list holds at most this many options (a 2048-byte header of Pad1s holds more: the rest is
/// not walked).
pub const MAX_OPTIONS: usize = 64;

/// One option: its type, where it starts (from the extension header's start), its value's
/// length as the length byte says, and the value bytes as captured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv6Option<'a> {
    pub kind: u8,
    pub start: usize,
    /// The length byte (0 for Pad1, which has none).
    pub len: usize,
    pub value: &'a [u8],
}

impl Ipv6Option<'_> {
    /// Bytes the option covers: 1 for Pad1, else type, length and value.
    pub fn wire_len(&self) -> usize {
        if self.kind == PAD1 {
            1
        } else {
            2 + self.len
        }
    }
}

/// An option whose length runs past the end of its header: the list ends there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadIpv6Option {
    pub kind: u8,
    pub start: usize,
    pub len: usize,
}

/// The options of one hop-by-hop or destination-options header.
#[derive(Debug, Clone)]
pub struct Ipv6Options<'a> {
    header: &'a [u8],
    end: usize,
    at: usize,
    count: usize,
    done: bool,
}

impl<'a> Ipv6Options<'a> {
    /// The options of the extension header whose captured bytes start `header` and whose
    /// length field says `header_len` bytes.
    pub fn new(header: &'a [u8], header_len: usize) -> Ipv6Options<'a> {
        Ipv6Options {
            header,
            end: header_len,
            at: ext_field::OPTIONS,
            count: 0,
            done: false,
        }
    }
}

impl<'a> Iterator for Ipv6Options<'a> {
    type Item = Result<Ipv6Option<'a>, BadIpv6Option>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.count >= MAX_OPTIONS || self.at >= self.end {
            return None;
        }
        self.count += 1;
        let start = self.at;
        let kind = *self.header.get(start)?;
        if kind == PAD1 {
            self.at += 1;
            let value = &[][..];
            return Some(Ok(Ipv6Option {
                kind,
                start,
                len: 0,
                value,
            }));
        }
        let len = usize::from(self.header.get(start + 1).copied().unwrap_or(0));
        if start + 2 + len > self.end {
            self.done = true;
            return Some(Err(BadIpv6Option { kind, start, len }));
        }
        self.at += 2 + len;
        Some(Ok(Ipv6Option {
            value: self.header.get(start + 2..self.at).unwrap_or(&[]),
            kind,
            start,
            len,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_router_alert_and_padding() {
        // An MLD report's hop-by-hop header: next 58, length 0 (8 bytes), Router Alert (MLD),
        // PadN of 0 bytes.
        let h = [58, 0, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00];
        let opts: Vec<_> = Ipv6Options::new(&h, 8).collect();
        assert_eq!(opts.len(), 2);
        let ra = opts[0].unwrap();
        assert_eq!(
            (ra.kind, ra.start, ra.len, ra.value),
            (ROUTER_ALERT, 2, 2, &[0, 0][..])
        );
        let pad = opts[1].unwrap();
        assert_eq!((pad.kind, pad.start, pad.wire_len()), (PADN, 6, 2));
        // Pad1s, then an option whose length runs past the header.
        let h = [6, 0, 0, 0, 0x1e, 0x09, 0, 0];
        let opts: Vec<_> = Ipv6Options::new(&h, 8).collect();
        assert_eq!(opts[0].unwrap().wire_len(), 1);
        let bad = BadIpv6Option {
            kind: 0x1e,
            start: 4,
            len: 9,
        };
        assert_eq!((opts.len(), opts[2]), (3, Err(bad)));
    }
}
