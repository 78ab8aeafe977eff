//! Light application labels, computed only where cheap and useful for triage: DNS query names and
//! the response flag, the HTTP request and status lines, the TLS handshake type and the
//! ClientHello's server name. Everything here reads hostile bytes: every access is checked and
//! every loop bounded; strings are returned as-is (the renderers insert them as text).

use crate::wire::bytes::be16;
use crate::wire::dns::{self, DnsHeader};
use serde::Serialize;

/// What the payload of a TCP or UDP packet was recognised as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppInfo {
    Dns {
        id: u16,
        response: bool,
        opcode: u8,
        rcode: u8,
        qtype: u16,
        name: String,
        answers: u16,
    },
    HttpRequest {
        method: String,
        uri: String,
        version: String,
        host: Option<String>,
    },
    HttpResponse {
        version: String,
        code: u16,
        reason: String,
    },
    Tls {
        version: u16,
        record_type: u8,
        handshake_type: Option<u8>,
        server_name: Option<String>,
    },
}

const MAX_LINE: usize = 2048;

/// Reads a DNS message (`payload` starts at the DNS header; `tcp` means a 2-byte length prefix).
pub fn parse_dns(payload: &[u8], tcp: bool) -> Option<AppInfo> {
    let msg = if tcp { payload.get(2..)? } else { payload };
    let header = DnsHeader::new(msg).ok()?;
    let (questions, opcode) = (header.questions(), header.opcode());
    if opcode > 6 || questions > 32 {
        return None;
    }
    let (name, qtype) = if questions > 0 {
        let name = dns::read_name(msg, dns::HEADER_LEN);
        if name.error.is_some() {
            return None;
        }
        let qtype = be16(msg, name.end(dns::HEADER_LEN))?;
        (name.text(msg, graphic_or_question_mark), qtype)
    } else {
        (String::new(), 0)
    };
    Some(AppInfo::Dns {
        id: header.id(),
        response: header.is_response(),
        opcode,
        rcode: header.rcode(),
        qtype,
        name,
        answers: header.answers(),
    })
}

/// The packet list's rendering of a label: printable ASCII as is, any other byte as '?'.
fn graphic_or_question_mark(label: &[u8], out: &mut String) {
    out.extend(
        label
            .iter()
            .map(|&b| if b.is_ascii_graphic() { b as char } else { '?' }),
    );
}

const HTTP_METHODS: [&str; 9] = [
    "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT", "PATCH", "TRACE",
];

/// Recognises an HTTP/1.x request or status line at the start of a TCP payload.
pub fn parse_http(payload: &[u8]) -> Option<AppInfo> {
    // Cheap rejection first: every request method and "HTTP/" start with one of these letters.
    if !matches!(
        payload.first(),
        Some(b'G' | b'P' | b'H' | b'D' | b'O' | b'C' | b'T')
    ) {
        return None;
    }
    let line_end = payload
        .iter()
        .take(MAX_LINE)
        .position(|&b| b == b'\r' || b == b'\n')?;
    let line = std::str::from_utf8(&payload[..line_end]).ok()?;
    let mut parts = line.splitn(3, ' ');
    let first = parts.next()?;
    if let Some(version) = first.strip_prefix("HTTP/") {
        let code = parts.next()?.parse().ok()?;
        return Some(AppInfo::HttpResponse {
            version: format!("HTTP/{version}"),
            code,
            reason: parts.next().unwrap_or("").to_string(),
        });
    }
    if !HTTP_METHODS.contains(&first) {
        return None;
    }
    let uri = parts.next()?.to_string();
    let version = parts.next()?;
    if !version.starts_with("HTTP/") {
        return None;
    }
    Some(AppInfo::HttpRequest {
        method: first.into(),
        uri,
        version: version.into(),
        host: http_header(payload, "host"),
    })
}

/// The value of the first header called `name` (case-insensitive) in an HTTP head.
fn http_header(payload: &[u8], name: &str) -> Option<String> {
    let head = &payload[..payload.len().min(8192)];
    let text = String::from_utf8_lossy(head);
    text.split("\r\n").skip(1).take(100).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_string())
    })
}

/// Recognises a TLS record header and, for a handshake, its type and a ClientHello's SNI.
pub fn parse_tls(payload: &[u8]) -> Option<AppInfo> {
    let header = payload.get(0..5)?;
    let record_type = header[0];
    let version = be16(header, 1)?;
    if !(20..=24).contains(&record_type) || !(0x0300..=0x0304).contains(&version) {
        return None;
    }
    let mut info = AppInfo::Tls {
        version,
        record_type,
        handshake_type: None,
        server_name: None,
    };
    if record_type == 22 {
        if let (
            Some(&handshake_type),
            AppInfo::Tls {
                handshake_type: ht,
                server_name,
                version: v,
                ..
            },
        ) = (payload.get(5), &mut info)
        {
            // A handshake record's first byte is the message type, unless the record is encrypted
            // (then the "type" is noise, which Wireshark shows as "Encrypted Handshake Message").
            if (handshake_type <= 24 && payload.get(6) == Some(&0))
                || handshake_type == 1
                || handshake_type == 2
            {
                *ht = Some(handshake_type);
            }
            if handshake_type == 1 {
                *server_name = client_hello_sni(payload.get(9..)?);
            }
            if handshake_type == 2 {
                if let Some(selected) = server_hello_version(payload.get(9..)?) {
                    *v = selected;
                }
            }
        }
    }
    Some(info)
}

/// The server_name extension of a ClientHello body (starting at client_version).
fn client_hello_sni(body: &[u8]) -> Option<String> {
    let mut at = 2 + 32;
    let session_len = *body.get(at)? as usize;
    at += 1 + session_len;
    let suites_len = be16(body, at)? as usize;
    at += 2 + suites_len;
    let compression_len = *body.get(at)? as usize;
    at += 1 + compression_len;
    let extensions_len = be16(body, at)? as usize;
    at += 2;
    let end = (at + extensions_len).min(body.len());
    for extension in hello_extensions(body, at, end, 128) {
        let (kind, at, len) = extension?;
        let data = body.get(at + 4..at + 4 + len)?;
        if kind == 0 {
            // server_name_list: list length u16, then type u8 (0 = host_name), name length u16, name.
            let name_len = be16(data, 3)? as usize;
            let name = data.get(5..5 + name_len)?;
            return Some(String::from_utf8_lossy(name).into_owned());
        }
    }
    None
}

/// The selected version of a ServerHello (supported_versions extension for TLS 1.3).
fn server_hello_version(body: &[u8]) -> Option<u16> {
    let legacy = be16(body, 0)?;
    let mut at = 2 + 32;
    let session_len = *body.get(at)? as usize;
    at += 1 + session_len + 2 + 1;
    let Some(extensions_len) = be16(body, at) else {
        return Some(legacy);
    };
    let extensions_len = usize::from(extensions_len);
    at += 2;
    let end = (at + extensions_len).min(body.len());
    for extension in hello_extensions(body, at, end, 64) {
        let (kind, at, len) = extension?;
        if kind == 43 && len == 2 {
            return be16(body, at + 4);
        }
    }
    Some(legacy)
}

/// The extensions of a hello message from `at` to `end`, at most `most` of them: each one's
/// type, offset and length, or `None` (and nothing after it) where its 4-byte header is cut.
fn hello_extensions(
    body: &[u8],
    mut at: usize,
    end: usize,
    most: usize,
) -> impl Iterator<Item = Option<(u16, usize, usize)>> + '_ {
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed || at + 4 > end {
            return None;
        }
        let header = be16(body, at).zip(be16(body, at + 2));
        let Some((kind, len)) = header else {
            failed = true;
            return Some(None);
        };
        let extension = (kind, at, usize::from(len));
        at += 4 + usize::from(len);
        Some(Some(extension))
    })
    .take(most)
}

/// Wireshark's name for a TLS version, as used in the Protocol column.
pub fn tls_version_name(version: u16) -> &'static str {
    match version {
        0x0300 => "SSLv3",
        0x0301 => "TLSv1",
        0x0302 => "TLSv1.1",
        0x0303 => "TLSv1.2",
        0x0304 => "TLSv1.3",
        _ => "TLS",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_query_with_compression_loop_is_bounded() {
        // Header + a name that points to itself.
        let msg = [
            0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1,
        ];
        assert_eq!(parse_dns(&msg, false), None);
    }

    #[test]
    fn dns_query_name() {
        // chrissanders/dns_query_response.pcapng frame 1 payload (query for google.com A).
        let msg = [
            0x75, 0xc0, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, b'g',
            b'o', b'o', b'g', b'l', b'e', 0x03, b'c', b'o', b'm', 0x00, 0x00, 0x01, 0x00, 0x01,
        ];
        match parse_dns(&msg, false) {
            Some(AppInfo::Dns {
                name,
                qtype,
                response,
                ..
            }) => {
                assert_eq!((name.as_str(), qtype, response), ("google.com", 1, false));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn http_request_and_status() {
        let req = b"GET /images/a.jpg HTTP/1.1\r\nHost: example.com\r\n\r\n";
        assert_eq!(
            parse_http(req),
            Some(AppInfo::HttpRequest {
                method: "GET".into(),
                uri: "/images/a.jpg".into(),
                version: "HTTP/1.1".into(),
                host: Some("example.com".into())
            })
        );
        assert!(matches!(
            parse_http(b"HTTP/1.1 200 OK\r\n"),
            Some(AppInfo::HttpResponse { code: 200, .. })
        ));
        assert_eq!(parse_http(b"SSH-2.0-OpenSSH\r\n"), None);
    }

    #[test]
    fn tls_garbage_does_not_panic() {
        for len in 0..64 {
            let mut bytes = vec![0x16, 0x03, 0x01, 0x00, 0x40, 0x01];
            bytes.resize(len.max(6), 0xFF);
            let _ = parse_tls(&bytes);
        }
    }
}
