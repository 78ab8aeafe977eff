//! HTTP/1.x request and status lines and header lines, from the first bytes of one TCP segment
//! (no reassembly): method, URI and version, or version, status code and reason phrase, then
//! each header as text (well-known ones with their display-filter field), the blank line, and
//! the size of the body bytes that follow in the same segment.

use super::bytes::Bytes;
use super::text::escape;
use super::{Cx, Node};

const METHODS: [&str; 10] = [
    "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT", "TRACE", "PATCH", "PROPFIND",
];

/// Header lines shown at most.
const MAX_LINES: usize = 200;

/// Does the payload start like an HTTP/1.x request or response?
pub(crate) fn looks_like_http(head: &[u8]) -> bool {
    head.starts_with(b"HTTP/1.")
        || METHODS
            .iter()
            .any(|m| head.starts_with(m.as_bytes()) && head.get(m.len()) == Some(&b' '))
}

/// Split at the first CRLF (or bare LF); returns (line without terminator, terminator length).
fn next_line(rest: &[u8]) -> Option<(&[u8], usize)> {
    let lf = rest.iter().position(|&c| c == b'\n')?;
    if lf > 0 && rest[lf - 1] == b'\r' {
        Some((&rest[..lf - 1], 2))
    } else {
        Some((&rest[..lf], 1))
    }
}

fn header_field(name: &str) -> &'static str {
    match name.to_ascii_lowercase().as_str() {
        "host" => "http.host",
        "user-agent" => "http.user_agent",
        "accept" => "http.accept",
        "accept-encoding" => "http.accept_encoding",
        "accept-language" => "http.accept_language",
        "connection" => "http.connection",
        "content-type" => "http.content_type",
        "content-length" => "http.content_length_header",
        "content-encoding" => "http.content_encoding",
        "transfer-encoding" => "http.transfer_encoding",
        "cookie" => "http.cookie",
        "set-cookie" => "http.set_cookie",
        "location" => "http.location",
        "referer" => "http.referer",
        "server" => "http.server",
        "date" => "http.date",
        "cache-control" => "http.cache_control",
        "authorization" => "http.authorization",
        "upgrade" => "http.upgrade",
        _ => "http.header",
    }
}

fn first_line_nodes(node: &mut Node, line: &[u8], at: usize) {
    let mut parts = line.splitn(3, |&c| c == b' ');
    let (a, b, c) = (
        parts.next().unwrap_or(&[]),
        parts.next().unwrap_or(&[]),
        parts.next().unwrap_or(&[]),
    );
    // A part the line does not have is an empty node at the line's end, never past it.
    let line_end = at + line.len();
    let b_at = (at + a.len() + 1).min(line_end);
    let c_at = (b_at + b.len() + 1).min(line_end);
    if line.starts_with(b"HTTP/") {
        node.label = format!("Hypertext Transfer Protocol, {}", escape(line));
        node.push(
            Node::new(format!("Response Version: {}", escape(a)), at, a.len())
                .field("http.response.version"),
        );
        let mut code = Node::new(format!("Status Code: {}", escape(b)), b_at, b.len())
            .field("http.response.code");
        if b.first().is_some_and(|&d| d == b'5') {
            code = code.problem(format!("Server error {}", escape(line)));
        }
        node.push(code);
        node.push(
            Node::new(format!("Response Phrase: {}", escape(c)), c_at, c.len())
                .field("http.response.phrase"),
        );
    } else {
        node.label = format!("Hypertext Transfer Protocol, {}", escape(line));
        node.push(
            Node::new(format!("Request Method: {}", escape(a)), at, a.len())
                .field("http.request.method"),
        );
        node.push(
            Node::new(format!("Request URI: {}", escape(b)), b_at, b.len())
                .field("http.request.uri"),
        );
        node.push(
            Node::new(format!("Request Version: {}", escape(c)), c_at, c.len())
                .field("http.request.version"),
        );
    }
}

pub(crate) fn http(cx: &mut Cx, b: &Bytes, off: usize) {
    let data = b.rest(off);
    let mut node = Node::new("Hypertext Transfer Protocol", off, data.len());
    let mut pos = 0;
    let mut ended = false;
    for i in 0..MAX_LINES {
        let Some((line, term)) = next_line(data.get(pos..).unwrap_or(&[])) else {
            break;
        };
        let at = off + pos;
        let full = line.len() + term;
        let shown = escape(data.get(pos..pos + full).unwrap_or(line));
        if i == 0 {
            let mut first = Node::new(shown, at, full);
            first_line_nodes(&mut first, line, at);
            node.label = first.label.clone();
            first.label = escape(data.get(pos..pos + full).unwrap_or(line));
            node.push(first);
        } else if line.is_empty() {
            node.push(Node::new(shown, at, full));
            pos += full;
            ended = true;
            break;
        } else {
            let name = line.split(|&c| c == b':').next().unwrap_or(&[]);
            let field = header_field(&String::from_utf8_lossy(name));
            node.push(Node::new(shown, at, full).field(field));
        }
        pos += full;
    }
    if !ended {
        let rest = data.len().saturating_sub(pos);
        if rest > 0 {
            node.push(Node::new(
                format!(
                    "[Unterminated line ({rest} bytes): {}]",
                    escape(data.get(pos..).unwrap_or(&[]))
                ),
                off + pos,
                rest,
            ));
        }
        node.push(Node::generated(
            "[Headers continue in a later segment: not reassembled]",
            off + data.len(),
        ));
    } else if pos < data.len() {
        let body = data.len() - pos;
        node.push(
            Node::new(
                format!("File Data: {body} bytes (in this segment)"),
                off + pos,
                body,
            )
            .field("http.file_data"),
        );
    }
    cx.push_layer(node);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every part node of a first line lies inside the line, however few parts it has (a status
    /// line cut after its code put the phrase one byte past the frame's end; found by fuzzing).
    #[test]
    fn first_line_parts_stay_inside_the_line() {
        for line in [
            &b"HTTP/1.1 200"[..],
            b"HTTP/1.1",
            b"GET",
            b"GET /",
            b"HTTP/1.1 200 OK",
        ] {
            let mut node = Node::new("", 10, line.len());
            first_line_nodes(&mut node, line, 10);
            for part in &node.children {
                let end = part.start + part.len;
                assert!(
                    end as usize <= 10 + line.len(),
                    "{:?} ends at {end}",
                    part.label
                );
            }
        }
        let mut node = Node::new("", 0, 12);
        first_line_nodes(&mut node, b"HTTP/1.1 200", 0);
        let phrase = &node.children[2];
        assert_eq!(
            (phrase.label.as_str(), phrase.start, phrase.len),
            ("Response Phrase: ", 12, 0)
        );
    }
}
