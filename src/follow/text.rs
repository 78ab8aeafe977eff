//! tshark's renderings of a followed stream (`-z follow,PROTO,MODE,N`, ui/cli/tap-follow.c):
//! `ascii` (each piece's length, then its bytes with every byte outside printable ASCII but CR
//! and LF shown as '.'), `hex` (a 16-byte-per-line dump whose offsets count each node's bytes)
//! and `raw` (lowercase hex, one line per piece); the server's pieces are indented by a tab.

use super::{Follow, PageItem};
use crate::index::PacketIndex;
use std::fmt::Write;

/// How a followed stream is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Ascii,
    Hex,
    Raw,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Ascii => "ascii",
            Mode::Hex => "hex",
            Mode::Raw => "raw",
        }
    }
    pub fn parse(text: &str) -> Option<Mode> {
        match text {
            "ascii" => Some(Mode::Ascii),
            "hex" => Some(Mode::Hex),
            "raw" => Some(Mode::Raw),
            _ => None,
        }
    }
}

const SEPARATOR: &str = "===================================================================\n";

/// The bytes of Wireshark's note for bytes missing from the capture (with its NUL).
pub fn missing_note(bytes: i32) -> Vec<u8> {
    let mut note = format!("[{bytes} bytes missing in capture file]").into_bytes();
    note.push(0);
    note
}

/// An (address id, port) endpoint as tshark names a node: "10.0.0.1:80", "[2001:db8::1]:80".
pub fn node_name(index: &PacketIndex, (id, port): (u32, u16)) -> String {
    match index.addrs.get(id) {
        Some(std::net::IpAddr::V6(addr)) => format!("[{addr}]:{port}"),
        Some(addr) => format!("{addr}:{port}"),
        None => format!("?:{port}"),
    }
}

/// The header tshark prints before the pieces.
pub fn header(follow: &Follow, mode: Mode, index: &PacketIndex) -> String {
    let node = |n| node_name(index, n);
    let proto = follow.protocol.name();
    format!(
        "\n{SEPARATOR}Follow: {proto},{}\nFilter: {proto}.stream eq {}\nNode 0: {}\nNode 1: {}\n",
        mode.name(),
        follow.number,
        node(follow.nodes[0]),
        node(follow.nodes[1]),
    )
}

/// The line tshark prints after the pieces.
pub fn footer() -> &'static str {
    SEPARATOR
}

/// A byte as the ascii rendering shows it.
pub fn ascii_char(byte: u8) -> char {
    match byte {
        b'\r' | b'\n' | 0x20..=0x7e => char::from(byte),
        _ => '.',
    }
}

/// One piece in `mode`, as tshark prints it.
pub fn piece(item: &PageItem, mode: Mode) -> String {
    let indent = if item.piece.server { "\t" } else { "" };
    let mut out = String::new();
    match mode {
        Mode::Ascii => {
            let _ = writeln!(out, "{indent}{}", item.bytes.len());
            out.extend(item.bytes.iter().map(|&b| ascii_char(b)));
            out.push('\n');
        }
        Mode::Raw => {
            out.push_str(indent);
            for b in &item.bytes {
                let _ = write!(out, "{b:02x}");
            }
            out.push('\n');
        }
        Mode::Hex => {
            for (line, bytes) in item.bytes.chunks(16).enumerate() {
                let offset = item.offset.wrapping_add(line as u64 * 16) as u32;
                out.push_str(indent);
                out.push_str(&hex_line(offset, bytes));
                out.push('\n');
            }
        }
    }
    out
}

/// One line of the hex dump: offset, up to 16 bytes in hex (a gap after 8), their characters.
pub fn hex_line(offset: u32, bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(50);
    let mut text = String::with_capacity(17);
    for (i, &b) in bytes.iter().enumerate() {
        let _ = write!(hex, "{b:02x} ");
        text.push(if (0x20..0x7f).contains(&b) {
            char::from(b)
        } else {
            '.'
        });
        if i == 7 {
            hex.push(' ');
            text.push(' ');
        }
    }
    // tshark drops one trailing space (meant for the gap after the eighth byte).
    if text.ends_with(' ') {
        text.pop();
    }
    format!("{offset:08X}  {hex:<49} {text}")
}

/// Bytes read per page by [`write`].
const PAGE_BYTES: usize = 1 << 20;

/// Writes the whole followed stream in `mode` as tshark prints it, reading the pieces' bytes a
/// page at a time.
pub fn write(
    follow: &Follow,
    index: &PacketIndex,
    source: &dyn crate::filter::FrameBytes,
    mode: Mode,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    out.write_all(header(follow, mode, index).as_bytes())?;
    let mut at = super::Cursor::default();
    while at.piece < follow.pieces.len() {
        let (items, next) = follow.page(index, source, at, PAGE_BYTES);
        for item in &items {
            out.write_all(piece(item, mode).as_bytes())?;
        }
        at = next;
    }
    out.write_all(footer().as_bytes())
}

/// A piece as the page shows it (no tshark decorations): `ascii` keeps line feeds, drops a CR
/// before one and shows every other byte outside printable ASCII as '.'; `hex` the dump lines
/// (offsets counted per node); `raw` the bytes in lowercase hex.
pub fn display(item: &PageItem, mode: Mode) -> String {
    match mode {
        Mode::Ascii => {
            let bytes = &item.bytes;
            let mut out = String::with_capacity(bytes.len());
            for (i, &b) in bytes.iter().enumerate() {
                match b {
                    b'\r' if bytes.get(i + 1) == Some(&b'\n') => {}
                    b'\n' => out.push('\n'),
                    0x20..=0x7e => out.push(char::from(b)),
                    _ => out.push('.'),
                }
            }
            out
        }
        Mode::Hex => {
            let lines: Vec<String> = item
                .bytes
                .chunks(16)
                .enumerate()
                .map(|(n, bytes)| hex_line(item.offset.wrapping_add(n as u64 * 16) as u32, bytes))
                .collect();
            lines.join("\n")
        }
        Mode::Raw => item.bytes.iter().fold(String::new(), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        }),
    }
}
