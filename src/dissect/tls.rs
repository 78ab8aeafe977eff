//! TLS records in one TCP segment (no reassembly): content type, version and length of every
//! record; for handshakes the message type and length, the ClientHello (version, random, session
//! ID, cipher suites, compression, extensions with the SNI server name, ALPN and supported
//! versions) and the ServerHello (version, chosen cipher suite, selected TLS 1.3 version);
//! alerts with level and description (fatal ones flagged); other records by size. A record that
//! continues in a later segment is marked as such.

use super::bytes::Bytes;
use super::text::{escape, hex};
use super::{Cx, Node};
use crate::decode::app::tls_version_name;
use crate::wire::bytes::{be16, be32};

/// Records per segment and handshake messages per record shown at most.
const MAX_RECORDS: usize = 64;
const MAX_MESSAGES: usize = 16;

/// Does the payload start with a TLS record header (type 20..24, version 3.x)?
pub(crate) fn looks_like_tls(head: &[u8]) -> bool {
    matches!(head, [20..=24, 3, 0..=4, ..])
}

/// A GREASE value (RFC 8701): both bytes alike, each of the form 0x?A.
fn is_grease(v: u16) -> bool {
    v & 0x0f0f == 0x0a0a && v >> 8 == v & 0xff
}

fn version_name(v: u16) -> String {
    match v {
        0x0300 => "SSL 3.0".into(),
        0x0301 => "TLS 1.0".into(),
        0x0302 => "TLS 1.1".into(),
        0x0303 => "TLS 1.2".into(),
        0x0304 => "TLS 1.3".into(),
        v if is_grease(v) => "Reserved (GREASE)".into(),
        _ => "Unknown".into(),
    }
}

fn content_type_name(t: u8) -> &'static str {
    match t {
        20 => "Change Cipher Spec",
        21 => "Alert",
        22 => "Handshake",
        23 => "Application Data",
        24 => "Heartbeat",
        _ => "Unknown",
    }
}

fn handshake_name(t: u8) -> &'static str {
    match t {
        0 => "Hello Request",
        1 => "Client Hello",
        2 => "Server Hello",
        4 => "New Session Ticket",
        5 => "End of Early Data",
        8 => "Encrypted Extensions",
        11 => "Certificate",
        12 => "Server Key Exchange",
        13 => "Certificate Request",
        14 => "Server Hello Done",
        15 => "Certificate Verify",
        16 => "Client Key Exchange",
        20 => "Finished",
        22 => "Certificate Status",
        24 => "Key Update",
        _ => "Unknown",
    }
}

fn cipher_name(c: u16) -> &'static str {
    match c {
        0x0004 => "TLS_RSA_WITH_RC4_128_MD5",
        0x0005 => "TLS_RSA_WITH_RC4_128_SHA",
        0x000a => "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        0x002f => "TLS_RSA_WITH_AES_128_CBC_SHA",
        0x0033 => "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
        0x0035 => "TLS_RSA_WITH_AES_256_CBC_SHA",
        0x0039 => "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
        0x003c => "TLS_RSA_WITH_AES_128_CBC_SHA256",
        0x003d => "TLS_RSA_WITH_AES_256_CBC_SHA256",
        0x0067 => "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
        0x006b => "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
        0x009c => "TLS_RSA_WITH_AES_128_GCM_SHA256",
        0x009d => "TLS_RSA_WITH_AES_256_GCM_SHA384",
        0x009e => "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        0x009f => "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        0x00ff => "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
        0x1301 => "TLS_AES_128_GCM_SHA256",
        0x1302 => "TLS_AES_256_GCM_SHA384",
        0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        0x5600 => "TLS_FALLBACK_SCSV",
        0xc007 => "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
        0xc009 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        0xc00a => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        0xc011 => "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
        0xc012 => "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
        0xc013 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        0xc014 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        0xc023 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        0xc024 => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        0xc027 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        0xc028 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        0xc02b => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        0xc02c => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        0xc02f => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        0xc030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        0xcca8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        0xcca9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        0xccaa => "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        c if is_grease(c) => "Reserved (GREASE)",
        _ => "Unknown",
    }
}

fn extension_name(t: u16) -> &'static str {
    match t {
        0 => "server_name",
        1 => "max_fragment_length",
        5 => "status_request",
        10 => "supported_groups",
        11 => "ec_point_formats",
        13 => "signature_algorithms",
        15 => "heartbeat",
        16 => "application_layer_protocol_negotiation",
        18 => "signed_certificate_timestamp",
        21 => "padding",
        22 => "encrypt_then_mac",
        23 => "extended_master_secret",
        27 => "compress_certificate",
        35 => "session_ticket",
        41 => "pre_shared_key",
        42 => "early_data",
        43 => "supported_versions",
        44 => "cookie",
        45 => "psk_key_exchange_modes",
        51 => "key_share",
        13172 => "next_protocol_negotiation",
        17513 => "application_settings",
        65037 => "encrypted_client_hello",
        65281 => "renegotiation_info",
        t if is_grease(t) => "Reserved (GREASE)",
        _ => "Unknown",
    }
}

fn alert_name(d: u8) -> &'static str {
    match d {
        0 => "Close Notify",
        10 => "Unexpected Message",
        20 => "Bad Record MAC",
        21 => "Decryption Failed",
        22 => "Record Overflow",
        30 => "Decompression Failure",
        40 => "Handshake Failure",
        41 => "No Certificate",
        42 => "Bad Certificate",
        43 => "Unsupported Certificate",
        44 => "Certificate Revoked",
        45 => "Certificate Expired",
        46 => "Certificate Unknown",
        47 => "Illegal Parameter",
        48 => "Unknown CA",
        49 => "Access Denied",
        50 => "Decode Error",
        51 => "Decrypt Error",
        70 => "Protocol Version",
        71 => "Insufficient Security",
        80 => "Internal Error",
        86 => "Inappropriate Fallback",
        90 => "User Canceled",
        100 => "No Renegotiation",
        109 => "Missing Extension",
        110 => "Unsupported Extension",
        112 => "Unrecognized Name",
        113 => "Bad Certificate Status Response",
        115 => "Unknown PSK Identity",
        116 => "Certificate Required",
        120 => "No Application Protocol",
        _ => "Unknown",
    }
}

pub(crate) fn tls(cx: &mut Cx, b: &Bytes, off: usize) {
    let mut node = Node::new("Transport Layer Security", off, b.remaining(off));
    let mut at = off;
    for _ in 0..MAX_RECORDS {
        let rest = b.rest(at);
        if rest.is_empty() {
            break;
        }
        if rest.len() < 5 {
            node.push(Node::new(
                format!(
                    "[Record header continues in a later segment: {} of 5 bytes here]",
                    rest.len()
                ),
                at,
                rest.len(),
            ));
            break;
        }
        if !looks_like_tls(rest) {
            node.push(Node::new(
                format!(
                    "[Not a TLS record header: {} bytes not dissected]",
                    rest.len()
                ),
                at,
                rest.len(),
            ));
            break;
        }
        let (Some(ct), Some(version), Some(len)) = (b.u8(at), b.u16(at + 1), b.u16(at + 3)) else {
            break;
        };
        let len = usize::from(len);
        node.push(record(b, at, ct, version, len));
        at += 5 + len;
    }
    cx.push_layer(node);
}

fn record(b: &Bytes, at: usize, ct: u8, version: u16, len: usize) -> Node {
    let body_at = at + 5;
    let have = b.remaining(body_at).min(len);
    let body = b.get(body_at, have).unwrap_or(&[]);
    let mut node = Node::new(
        format!(
            "{} Record Layer: {} Protocol",
            tls_version_name(version),
            content_type_name(ct)
        ),
        at,
        5 + have,
    );
    node.push(
        Node::new(
            format!("Content Type: {} ({ct})", content_type_name(ct)),
            at,
            1,
        )
        .field("tls.record.content_type"),
    );
    node.push(
        Node::new(
            format!("Version: {} (0x{version:04x})", version_name(version)),
            at + 1,
            2,
        )
        .field("tls.record.version"),
    );
    let mut len_node = Node::new(format!("Length: {len}"), at + 3, 2).field("tls.record.length");
    if len > 16384 + 2048 {
        len_node = len_node.problem(format!(
            "Record length {len} exceeds the TLS maximum of 18432 bytes"
        ));
    }
    node.push(len_node);
    match ct {
        22 => handshake_messages(&mut node, body, body_at, have == len),
        21 => alert(&mut node, body, body_at),
        20 => node.push(
            Node::new("Change Cipher Spec Message", body_at, have).field("tls.change_cipher_spec"),
        ),
        23 => node.push(
            Node::new(
                format!("Encrypted Application Data: {}", hex(body)),
                body_at,
                have,
            )
            .field("tls.app_data"),
        ),
        _ => node.push(Node::new(format!("Data: {}", hex(body)), body_at, have)),
    }
    if have < len {
        node.push(Node::generated(
            format!("[Record continues in a later segment: {have} of {len} bytes here]"),
            body_at + have,
        ));
    }
    node
}

fn alert(node: &mut Node, body: &[u8], at: usize) {
    match body {
        [level, desc] => {
            let lname = match level {
                1 => "Warning",
                2 => "Fatal",
                _ => "Unknown",
            };
            let prefix = node
                .label
                .split(" Record Layer")
                .next()
                .unwrap_or("TLS")
                .to_string();
            node.label = format!(
                "{prefix} Record Layer: Alert (Level: {lname}, Description: {})",
                alert_name(*desc)
            );
            node.push(
                Node::new(format!("Level: {lname} ({level})"), at, 1)
                    .field("tls.alert_message.level"),
            );
            let mut d = Node::new(
                format!("Description: {} ({desc})", alert_name(*desc)),
                at + 1,
                1,
            )
            .field("tls.alert_message.desc");
            if *level == 2 {
                d = d.problem(format!(
                    "Fatal TLS alert: {}; the connection is being closed",
                    alert_name(*desc)
                ));
            }
            node.push(d);
        }
        _ => node.push(Node::new("Encrypted Alert", at, body.len()).field("tls.alert_message")),
    }
}

/// The handshake messages in one record's body (`complete`: the whole record is here).
fn handshake_messages(node: &mut Node, body: &[u8], at: usize, complete: bool) {
    let mut pos = 0;
    let mut names = Vec::new();
    for _ in 0..MAX_MESSAGES {
        if pos >= body.len() {
            break;
        }
        let Some(h) = be32(body, pos) else {
            node.push(Node::new(
                "Handshake message header cut",
                at + pos,
                body.len() - pos,
            ));
            break;
        };
        let (t, len) = ((h >> 24) as u8, (h & 0x00ff_ffff) as usize);
        let known = handshake_name(t) != "Unknown";
        // After ChangeCipherSpec handshake records are encrypted: the "header" is noise.
        let overflows_small_record =
            complete && pos == 0 && pos + 4 + len > body.len() && body.len() < 64;
        if !known || overflows_small_record {
            node.push(
                Node::new("Encrypted Handshake Message", at + pos, body.len() - pos)
                    .field("tls.handshake.encrypted"),
            );
            names.push("Encrypted Handshake Message");
            break;
        }
        let avail = body.len().min(pos + 4 + len) - pos;
        let msg_body = body.get(pos + 4..pos + avail).unwrap_or(&[]);
        let mut m = Node::new(
            format!("Handshake Protocol: {}", handshake_name(t)),
            at + pos,
            avail,
        );
        m.push(
            Node::new(
                format!("Handshake Type: {} ({t})", handshake_name(t)),
                at + pos,
                1,
            )
            .field("tls.handshake.type"),
        );
        m.push(Node::new(format!("Length: {len}"), at + pos + 1, 3).field("tls.handshake.length"));
        let body_at = at + pos + 4;
        match t {
            1 => hello(&mut m, msg_body, body_at, true),
            2 => hello(&mut m, msg_body, body_at, false),
            _ => {}
        }
        if avail < 4 + len {
            m.push(Node::generated(
                format!(
                    "[Message continues in a later record or segment: {} of {len} bytes here]",
                    avail - 4
                ),
                at + pos + avail,
            ));
        }
        node.push(m);
        names.push(handshake_name(t));
        pos += 4 + len;
    }
    if !names.is_empty() {
        node.label = format!("{}: {}", node.label, names.join(", "));
    }
}

/// A cursor over a handshake body with absolute frame offsets for the nodes.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<(&'a [u8], usize)> {
        let s = self.data.get(self.pos..self.pos.checked_add(n)?)?;
        let at = self.base + self.pos;
        self.pos += n;
        Some((s, at))
    }

    fn u8(&mut self) -> Option<(u8, usize)> {
        self.take(1).map(|(s, at)| (s[0], at))
    }

    fn u16(&mut self) -> Option<(u16, usize)> {
        let (s, at) = self.take(2)?;
        Some((be16(s, 0)?, at))
    }
}

fn hello(m: &mut Node, body: &[u8], at: usize, client: bool) {
    let mut r = Reader {
        data: body,
        pos: 0,
        base: at,
    };
    if hello_fields(m, &mut r, client).is_none() {
        m.push(Node::generated(
            "[Hello message cut before its end: remaining fields not shown]",
            at + r.pos,
        ));
    }
}

fn hello_fields(m: &mut Node, r: &mut Reader, client: bool) -> Option<()> {
    let (v, at) = r.u16()?;
    m.push(
        Node::new(format!("Version: {} (0x{v:04x})", version_name(v)), at, 2)
            .field("tls.handshake.version"),
    );
    let (random, at) = r.take(32)?;
    m.push(Node::new(format!("Random: {}", hex(random)), at, 32).field("tls.handshake.random"));
    let (sid_len, at) = r.u8()?;
    m.push(
        Node::new(format!("Session ID Length: {sid_len}"), at, 1)
            .field("tls.handshake.session_id_length"),
    );
    let (sid, at) = r.take(usize::from(sid_len))?;
    if !sid.is_empty() {
        m.push(
            Node::new(format!("Session ID: {}", hex(sid)), at, sid.len())
                .field("tls.handshake.session_id"),
        );
    }
    if client {
        let (cs_len, at) = r.u16()?;
        m.push(
            Node::new(format!("Cipher Suites Length: {cs_len}"), at, 2)
                .field("tls.handshake.cipher_suites_length"),
        );
        let (suites, at) = r.take(usize::from(cs_len))?;
        let mut list = Node::new(
            format!("Cipher Suites ({} suites)", suites.len() / 2),
            at,
            suites.len(),
        );
        for (i, pair) in suites.chunks_exact(2).take(256).enumerate() {
            let c = be16(pair, 0).unwrap_or_default();
            list.push(
                Node::new(
                    format!("Cipher Suite: {} (0x{c:04x})", cipher_name(c)),
                    at + 2 * i,
                    2,
                )
                .field("tls.handshake.ciphersuite"),
            );
        }
        m.push(list);
        let (comp_len, at) = r.u8()?;
        m.push(
            Node::new(format!("Compression Methods Length: {comp_len}"), at, 1)
                .field("tls.handshake.comp_methods_length"),
        );
        let (comp, at) = r.take(usize::from(comp_len))?;
        m.push(
            Node::new(
                format!("Compression Methods: {}", hex(comp)),
                at,
                comp.len(),
            )
            .field("tls.handshake.comp_methods"),
        );
    } else {
        let (c, at) = r.u16()?;
        let mut n = Node::new(
            format!("Cipher Suite: {} (0x{c:04x})", cipher_name(c)),
            at,
            2,
        )
        .field("tls.handshake.ciphersuite");
        let name = cipher_name(c);
        if name.contains("RC4")
            || name.contains("3DES")
            || name.contains("NULL")
            || name.contains("EXPORT")
        {
            n = n.problem(format!("The server chose a weak cipher suite ({name})"));
        }
        m.push(n);
        let (comp, at) = r.u8()?;
        m.push(
            Node::new(format!("Compression Method: {comp}"), at, 1)
                .field("tls.handshake.comp_method"),
        );
    }
    if r.pos >= r.data.len() {
        return Some(());
    }
    let (ext_len, at) = r.u16()?;
    m.push(
        Node::new(format!("Extensions Length: {ext_len}"), at, 2)
            .field("tls.handshake.extensions_length"),
    );
    for _ in 0..128 {
        if r.pos >= r.data.len() {
            break;
        }
        let (t, at) = r.u16()?;
        let (len, _) = r.u16()?;
        let (data, data_at) = r.take(usize::from(len))?;
        m.push(extension(t, data, at, data_at, client));
    }
    Some(())
}

fn extension(t: u16, data: &[u8], at: usize, data_at: usize, client: bool) -> Node {
    let mut node = Node::new(
        format!("Extension: {} (len={})", extension_name(t), data.len()),
        at,
        4 + data.len(),
    );
    node.push(
        Node::new(format!("Type: {} ({t})", extension_name(t)), at, 2)
            .field("tls.handshake.extension.type"),
    );
    node.push(
        Node::new(format!("Length: {}", data.len()), at + 2, 2)
            .field("tls.handshake.extension.len"),
    );
    let mut r = Reader {
        data,
        pos: 0,
        base: data_at,
    };
    match t {
        0 => server_names(&mut node, &mut r),
        16 => alpn(&mut node, &mut r),
        43 if client => {
            if let Some((n, _)) = r.u8() {
                for _ in 0..usize::from(n) / 2 {
                    let Some((v, vat)) = r.u16() else { break };
                    node.push(
                        Node::new(
                            format!("Supported Version: {} (0x{v:04x})", version_name(v)),
                            vat,
                            2,
                        )
                        .field("tls.handshake.extensions.supported_version"),
                    );
                }
            }
        }
        43 => {
            if let Some((v, vat)) = r.u16() {
                node.label = format!("{} {}", node.label, version_name(v));
                node.push(
                    Node::new(
                        format!("Supported Version: {} (0x{v:04x})", version_name(v)),
                        vat,
                        2,
                    )
                    .field("tls.handshake.extensions.supported_version"),
                );
            }
        }
        _ => {}
    }
    node
}

fn server_names(node: &mut Node, r: &mut Reader) {
    let Some((list_len, at)) = r.u16() else {
        return;
    };
    node.push(
        Node::new(format!("Server Name list length: {list_len}"), at, 2)
            .field("tls.handshake.extensions_server_name_list_len"),
    );
    for _ in 0..16 {
        let Some((kind, kat)) = r.u8() else { break };
        let Some((len, _)) = r.u16() else { break };
        let Some((name, nat)) = r.take(usize::from(len)) else {
            break;
        };
        let text = escape(name);
        node.label = format!("Extension: server_name (len={}) name={text}", r.data.len());
        node.push(
            Node::new(
                format!(
                    "Server Name Type: {} ({kind})",
                    if kind == 0 { "host_name" } else { "unknown" }
                ),
                kat,
                1,
            )
            .field("tls.handshake.extensions_server_name_type"),
        );
        node.push(
            Node::new(format!("Server Name length: {len}"), kat + 1, 2)
                .field("tls.handshake.extensions_server_name_len"),
        );
        node.push(
            Node::new(format!("Server Name: {text}"), nat, name.len())
                .field("tls.handshake.extensions_server_name"),
        );
    }
}

fn alpn(node: &mut Node, r: &mut Reader) {
    let Some((_, _)) = r.u16() else { return };
    let mut protos = Vec::new();
    for _ in 0..32 {
        let Some((len, _)) = r.u8() else { break };
        let Some((p, pat)) = r.take(usize::from(len)) else {
            break;
        };
        protos.push(escape(p));
        node.push(
            Node::new(format!("ALPN Next Protocol: {}", escape(p)), pat, p.len())
                .field("tls.handshake.extensions_alpn_str"),
        );
    }
    if !protos.is_empty() {
        node.label = format!("{}: {}", node.label, protos.join(", "));
    }
}
