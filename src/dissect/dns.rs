//! DNS over UDP or TCP (2-byte length prefix): header, flags, and every question and resource
//! record with its name — compression pointers followed at most 64 hops, names at most 255
//! bytes — and the record data for A, AAAA, NS, CNAME, PTR, DNAME, MX, TXT, SOA, SRV and OPT
//! (EDNS); other types are shown as hex. Sections and counts are bounded, and a count that
//! promises more records than the message holds is flagged.

use super::bytes::Bytes;
use super::text::{duration, escape, hex, ipv4 as ip4, ipv6 as ip6};
use super::{Cx, Node};
use crate::wire::bytes::be16;

/// Compression pointers followed for one name at most.
const MAX_POINTER_HOPS: usize = 64;
/// Records dissected per section at most.
const MAX_RECORDS: usize = 256;

struct Name {
    text: String,
    /// Bytes the name occupies where it is written (up to and including the first pointer).
    in_place: usize,
    labels: usize,
    problem: Option<String>,
}

/// Read the (possibly compressed) name at `at` of the message that starts at `base`.
fn read_name(b: &Bytes, base: usize, at: usize) -> Name {
    let mut pos = at;
    let mut in_place = None;
    let mut hops = 0;
    let mut text = String::new();
    let mut labels = 0;
    let mut wire_len = 0usize;
    let mut problem = None;
    for _ in 0..512 {
        let Some(len) = b.u8(pos) else {
            problem = Some(format!(
                "Name runs past the end of the message at byte {pos}"
            ));
            break;
        };
        match len & 0xc0 {
            0x00 if len == 0 => {
                pos += 1;
                break;
            }
            0x00 => {
                let Some(label) = b.get(pos + 1, usize::from(len)) else {
                    problem = Some(format!(
                        "Label of {len} bytes at byte {pos} runs past the end of the message"
                    ));
                    break;
                };
                wire_len += usize::from(len) + 1;
                if wire_len > 255 {
                    problem = Some("Name longer than 255 bytes (RFC 1035 limit)".into());
                    break;
                }
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(&escape(label));
                labels += 1;
                pos += 1 + usize::from(len);
            }
            0xc0 => {
                let Some(word) = b.u16(pos) else {
                    problem = Some(format!("Compression pointer at byte {pos} is cut"));
                    break;
                };
                if in_place.is_none() {
                    in_place = Some(pos + 2 - at);
                }
                hops += 1;
                if hops > MAX_POINTER_HOPS {
                    problem = Some(format!(
                        "More than {MAX_POINTER_HOPS} compression pointers: a pointer loop"
                    ));
                    break;
                }
                pos = base + usize::from(word & 0x3fff);
            }
            _ => {
                problem = Some(format!(
                    "Unsupported label type 0x{:02x} at byte {pos}",
                    len & 0xc0
                ));
                break;
            }
        }
    }
    let in_place = in_place
        .unwrap_or(pos.saturating_sub(at))
        .min(b.remaining(at));
    if text.is_empty() && problem.is_none() {
        text = "<Root>".into();
    }
    Name {
        text,
        in_place,
        labels,
        problem,
    }
}

fn type_name(t: u16) -> &'static str {
    match t {
        1 => "A",
        2 => "NS",
        5 => "CNAME",
        6 => "SOA",
        12 => "PTR",
        13 => "HINFO",
        15 => "MX",
        16 => "TXT",
        28 => "AAAA",
        33 => "SRV",
        35 => "NAPTR",
        39 => "DNAME",
        41 => "OPT",
        43 => "DS",
        46 => "RRSIG",
        47 => "NSEC",
        48 => "DNSKEY",
        50 => "NSEC3",
        52 => "TLSA",
        64 => "SVCB",
        65 => "HTTPS",
        99 => "SPF",
        251 => "IXFR",
        252 => "AXFR",
        255 => "ANY",
        257 => "CAA",
        _ => "Unknown",
    }
}

fn class_name(c: u16) -> String {
    match c & 0x7fff {
        1 => "IN".into(),
        3 => "CH".into(),
        4 => "HS".into(),
        254 => "NONE".into(),
        255 => "ANY".into(),
        _ => format!("Unknown (0x{c:04x})"),
    }
}

fn opcode_name(op: u16) -> &'static str {
    match op {
        0 => "Standard query",
        1 => "Inverse query",
        2 => "Server status request",
        4 => "Zone change notification",
        5 => "Dynamic update",
        _ => "Unknown operation",
    }
}

fn rcode_name(rc: u16) -> &'static str {
    match rc {
        0 => "No error",
        1 => "Format error",
        2 => "Server failure",
        3 => "No such name",
        4 => "Not implemented",
        5 => "Refused",
        6 => "Name exists",
        7 => "RRset exists",
        8 => "RRset does not exist",
        9 => "Not authoritative",
        10 => "Name out of zone",
        _ => "Unknown error",
    }
}

fn flags_node(flags: u16, at: usize) -> Node {
    use super::text::bits_line;
    let f = u64::from(flags);
    let response = flags & 0x8000 != 0;
    let opcode = (flags >> 11) & 0xf;
    let rcode = flags & 0xf;
    let mut summary = opcode_name(opcode).to_string();
    if response {
        summary.push_str(&format!(" response, {}", rcode_name(rcode)));
    }
    let mut node = Node::new(format!("Flags: 0x{flags:04x} {summary}"), at, 2).field("dns.flags");
    let yn = |bit: u16, yes: &str, no: &str| {
        if flags & bit != 0 {
            yes.to_string()
        } else {
            no.to_string()
        }
    };
    node.push(
        Node::new(
            bits_line(
                f,
                16,
                0x8000,
                "Response",
                &yn(0x8000, "Message is a response", "Message is a query"),
            ),
            at,
            2,
        )
        .field("dns.flags.response"),
    );
    node.push(
        Node::new(
            bits_line(
                f,
                16,
                0x7800,
                "Opcode",
                &format!("{} ({opcode})", opcode_name(opcode)),
            ),
            at,
            2,
        )
        .field("dns.flags.opcode"),
    );
    if response {
        node.push(
            Node::new(
                bits_line(
                    f,
                    16,
                    0x0400,
                    "Authoritative",
                    &yn(
                        0x0400,
                        "Server is an authority for domain",
                        "Server is not an authority for domain",
                    ),
                ),
                at,
                2,
            )
            .field("dns.flags.authoritative"),
        );
    }
    node.push(
        Node::new(
            bits_line(
                f,
                16,
                0x0200,
                "Truncated",
                &yn(0x0200, "Message is truncated", "Message is not truncated"),
            ),
            at,
            2,
        )
        .field("dns.flags.truncated"),
    );
    node.push(
        Node::new(
            bits_line(
                f,
                16,
                0x0100,
                "Recursion desired",
                &yn(0x0100, "Do query recursively", "Don't do query recursively"),
            ),
            at,
            2,
        )
        .field("dns.flags.recdesired"),
    );
    if response {
        node.push(
            Node::new(
                bits_line(
                    f,
                    16,
                    0x0080,
                    "Recursion available",
                    &yn(
                        0x0080,
                        "Server can do recursive queries",
                        "Server can't do recursive queries",
                    ),
                ),
                at,
                2,
            )
            .field("dns.flags.recavail"),
        );
    }
    node.push(
        Node::new(
            bits_line(
                f,
                16,
                0x0040,
                "Z",
                &format!("reserved ({})", (flags >> 6) & 1),
            ),
            at,
            2,
        )
        .field("dns.flags.z"),
    );
    if response {
        node.push(
            Node::new(
                bits_line(
                    f,
                    16,
                    0x0020,
                    "Answer authenticated",
                    &yn(
                        0x0020,
                        "Answer/authority portion was authenticated by the server",
                        "Answer/authority portion was not authenticated by the server",
                    ),
                ),
                at,
                2,
            )
            .field("dns.flags.authenticated"),
        );
    } else {
        node.push(
            Node::new(
                bits_line(f, 16, 0x0020, "AD bit", &yn(0x0020, "Set", "Not set")),
                at,
                2,
            )
            .field("dns.flags.authenticated"),
        );
    }
    node.push(
        Node::new(
            bits_line(
                f,
                16,
                0x0010,
                "Non-authenticated data",
                &yn(0x0010, "Acceptable", "Unacceptable"),
            ),
            at,
            2,
        )
        .field("dns.flags.checkdisable"),
    );
    if response {
        let mut rc = Node::new(
            bits_line(
                f,
                16,
                0x000f,
                "Reply code",
                &format!("{} ({rcode})", rcode_name(rcode)),
            ),
            at,
            2,
        )
        .field("dns.flags.rcode");
        if matches!(rcode, 1 | 2 | 5) {
            rc = rc.problem(format!("The server answered {}", rcode_name(rcode)));
        }
        node.push(rc);
    }
    node
}

pub(crate) fn dns(cx: &mut Cx, b: &Bytes, off: usize, over_tcp: bool) {
    let mut node = Node::new("Domain Name System", off, b.remaining(off));
    let mut base = off;
    let mut msg = *b;
    if over_tcp {
        let Some(len) = b.u16(off) else {
            node.push(cx.cut(b, "DNS length prefix", off, 2));
            cx.push_layer(node);
            return;
        };
        node.push(Node::new(format!("Length: {len}"), off, 2).field("dns.length"));
        base = off + 2;
        msg = b.clip(base + usize::from(len));
    }
    let header = (|| {
        let id = msg.u16(base)?;
        node.push(Node::new(format!("Transaction ID: 0x{id:04x}"), base, 2).field("dns.id"));
        let flags = msg.u16(base + 2)?;
        node.push(flags_node(flags, base + 2));
        let names = [
            ("Questions", "dns.count.queries"),
            ("Answer RRs", "dns.count.answers"),
            ("Authority RRs", "dns.count.auth_rr"),
            ("Additional RRs", "dns.count.add_rr"),
        ];
        let mut counts = [0u16; 4];
        for (i, (name, field)) in names.iter().enumerate() {
            let v = msg.u16(base + 4 + 2 * i)?;
            node.push(Node::new(format!("{name}: {v}"), base + 4 + 2 * i, 2).field(field));
            counts[i] = v;
        }
        Some((flags, counts))
    })();
    let Some((flags, counts)) = header else {
        node.push(cx.cut(&msg, "DNS header", base, 12));
        cx.push_layer(node);
        return;
    };
    node.label = format!(
        "Domain Name System ({})",
        if flags & 0x8000 != 0 {
            "response"
        } else {
            "query"
        }
    );
    let mut at = base + 12;
    let sections = [
        ("Queries", counts[0]),
        ("Answers", counts[1]),
        ("Authoritative nameservers", counts[2]),
        ("Additional records", counts[3]),
    ];
    for (i, (title, count)) in sections.iter().enumerate() {
        if *count == 0 {
            continue;
        }
        let mut section = Node::new(*title, at, 0);
        let ok = parse_section(
            &msg,
            base,
            &mut at,
            usize::from(*count),
            i == 0,
            &mut section,
        );
        section.set_end(at.min(msg.len()));
        node.push(section);
        if !ok {
            break;
        }
    }
    cx.push_layer(node);
}

/// Parse `count` questions or records at `*at`; false once the message runs out.
fn parse_section(
    b: &Bytes,
    base: usize,
    at: &mut usize,
    count: usize,
    questions: bool,
    section: &mut Node,
) -> bool {
    for i in 0..count.min(MAX_RECORDS) {
        let parsed = if questions {
            question(b, base, *at)
        } else {
            record(b, base, *at)
        };
        match parsed {
            Ok((node, next)) => {
                section.push(node);
                *at = next;
            }
            Err(node) => {
                section.push(node.problem(format!(
                    "{}: the header promises {count} entries here, entry {} does not fit",
                    node_problem_text(b),
                    i + 1
                )));
                return false;
            }
        }
    }
    if count > MAX_RECORDS {
        section.push(Node::generated(
            format!("[{} more entries not shown]", count - MAX_RECORDS),
            *at,
        ));
    }
    true
}

fn node_problem_text(b: &Bytes) -> &'static str {
    if b.snapped() {
        "Frame cut by the snapshot length"
    } else {
        "Malformed DNS message"
    }
}

fn name_nodes(name: &Name, at: usize, field: &'static str, node: &mut Node) {
    let mut n = Node::new(format!("Name: {}", name.text), at, name.in_place).field(field);
    if let Some(p) = &name.problem {
        n = n.problem(p.clone());
    }
    node.push(n);
}

fn question(b: &Bytes, base: usize, at: usize) -> Result<(Node, usize), Node> {
    let name = read_name(b, base, at);
    let after = at + name.in_place;
    let (Some(t), Some(c)) = (b.u16(after), b.u16(after + 2)) else {
        return Err(Node::new(
            format!("{}: <question cut>", name.text),
            at,
            b.remaining(at),
        ));
    };
    if name.problem.is_some() {
        let mut n = Node::new(name.text.clone(), at, b.remaining(at));
        name_nodes(&name, at, "dns.qry.name", &mut n);
        return Err(n);
    }
    let mut node = Node::new(
        format!(
            "{}: type {}, class {}",
            name.text,
            type_name(t),
            class_name(c)
        ),
        at,
        name.in_place + 4,
    );
    name_nodes(&name, at, "dns.qry.name", &mut node);
    node.push(
        Node::generated(format!("[Name Length: {}]", name.text.len()), at)
            .field("dns.qry.name.len"),
    );
    node.push(
        Node::generated(format!("[Label Count: {}]", name.labels), at).field("dns.count.labels"),
    );
    node.push(Node::new(format!("Type: {} ({t})", type_name(t)), after, 2).field("dns.qry.type"));
    node.push(
        Node::new(
            format!("Class: {} (0x{c:04x})", class_name(c)),
            after + 2,
            2,
        )
        .field("dns.qry.class"),
    );
    Ok((node, after + 4))
}

fn record(b: &Bytes, base: usize, at: usize) -> Result<(Node, usize), Node> {
    let name = read_name(b, base, at);
    let after = at + name.in_place;
    let fixed = (|| {
        Some((
            b.u16(after)?,
            b.u16(after + 2)?,
            b.u32(after + 4)?,
            b.u16(after + 8)?,
        ))
    })();
    let Some((t, c, ttl, rdlen)) = fixed.filter(|_| name.problem.is_none()) else {
        let mut n = Node::new(format!("{}: <record cut>", name.text), at, b.remaining(at));
        name_nodes(&name, at, "dns.resp.name", &mut n);
        return Err(n);
    };
    let rdata_at = after + 10;
    let rdlen = usize::from(rdlen);
    let end = rdata_at + rdlen;
    if b.get(rdata_at, rdlen).is_none() {
        let n = Node::new(
            format!(
                "{}: type {}, data length {rdlen} <record cut>",
                name.text,
                type_name(t)
            ),
            at,
            b.remaining(at),
        );
        return Err(n);
    }
    let mut node = Node::new("", at, end - at);
    name_nodes(&name, at, "dns.resp.name", &mut node);
    node.push(Node::new(format!("Type: {} ({t})", type_name(t)), after, 2).field("dns.resp.type"));
    let summary = if t == 41 {
        opt_header_nodes(&mut node, after, c, ttl);
        format!("{}: type OPT", name.text)
    } else {
        node.push(
            Node::new(
                format!("Class: {} (0x{c:04x})", class_name(c)),
                after + 2,
                2,
            )
            .field("dns.resp.class"),
        );
        node.push(
            Node::new(format!("Time to live: {}", duration(ttl)), after + 4, 4)
                .field("dns.resp.ttl"),
        );
        format!(
            "{}: type {}, class {}",
            name.text,
            type_name(t),
            class_name(c)
        )
    };
    node.push(Node::new(format!("Data length: {rdlen}"), after + 8, 2).field("dns.resp.len"));
    let data_summary = rdata(b, base, rdata_at, rdlen, t, &mut node);
    node.label = if data_summary.is_empty() {
        summary
    } else {
        format!("{summary}, {data_summary}")
    };
    Ok((node, end))
}

fn opt_header_nodes(node: &mut Node, after: usize, class: u16, ttl: u32) {
    node.push(
        Node::new(format!("UDP payload size: {class}"), after + 2, 2)
            .field("dns.rr.udp_payload_size"),
    );
    node.push(
        Node::new(
            format!("Higher bits in extended RCODE: 0x{:02x}", ttl >> 24),
            after + 4,
            1,
        )
        .field("dns.resp.ext_rcode"),
    );
    node.push(
        Node::new(
            format!("EDNS0 version: {}", (ttl >> 16) & 0xff),
            after + 5,
            1,
        )
        .field("dns.resp.edns0_version"),
    );
    node.push(
        Node::new(
            format!(
                "Z: 0x{:04x} (DO bit: {})",
                ttl & 0xffff,
                if ttl & 0x8000 != 0 {
                    "Accepts DNSSEC security RRs"
                } else {
                    "Cannot handle DNSSEC security RRs"
                }
            ),
            after + 6,
            2,
        )
        .field("dns.resp.z"),
    );
}

/// Decode the record data; returns the text that goes after the record summary.
fn rdata(b: &Bytes, base: usize, at: usize, len: usize, t: u16, node: &mut Node) -> String {
    let Some(data) = b.get(at, len) else {
        return String::new();
    };
    let name_field = |field: &'static str, title: &str, node: &mut Node, pos: usize| -> String {
        let n = read_name(b, base, pos);
        let mut child = Node::new(format!("{title}: {}", n.text), pos, n.in_place).field(field);
        if let Some(p) = n.problem.clone() {
            child = child.problem(p);
        } else if pos + n.in_place > at + len {
            child = child.problem("Name runs past the record data length");
        }
        node.push(child);
        n.text
    };
    match (t, len) {
        (1, 4) => {
            let a = ip4([data[0], data[1], data[2], data[3]]);
            node.push(Node::new(format!("Address: {a}"), at, 4).field("dns.a"));
            format!("addr {a}")
        }
        (28, 16) => {
            let mut x = [0u8; 16];
            x.copy_from_slice(data);
            let a = ip6(x);
            node.push(Node::new(format!("AAAA Address: {a}"), at, 16).field("dns.aaaa"));
            format!("addr {a}")
        }
        (2, _) => format!("ns {}", name_field("dns.ns", "Name Server", node, at)),
        (5, _) => format!("cname {}", name_field("dns.cname", "CNAME", node, at)),
        (12, _) => name_field("dns.ptr.domain_name", "Domain Name", node, at),
        (39, _) => format!("dname {}", name_field("dns.dname", "DNAME", node, at)),
        (15, l) if l >= 3 => {
            let pref = be16(data, 0).unwrap_or_default();
            node.push(Node::new(format!("Preference: {pref}"), at, 2).field("dns.mx.preference"));
            format!(
                "preference {pref}, mx {}",
                name_field("dns.mx.mail_exchange", "Mail Exchange", node, at + 2)
            )
        }
        (16, _) => {
            let mut pos = 0;
            let mut texts = Vec::new();
            for _ in 0..64 {
                let Some(&l) = data.get(pos) else { break };
                let s = data
                    .get(pos + 1..pos + 1 + usize::from(l))
                    .unwrap_or(data.get(pos + 1..).unwrap_or(&[]));
                node.push(
                    Node::new(format!("TXT: {}", escape(s)), at + pos, 1 + s.len())
                        .field("dns.txt"),
                );
                texts.push(escape(s));
                pos += 1 + usize::from(l);
            }
            texts.first().cloned().unwrap_or_default()
        }
        (6, _) => {
            let mname = read_name(b, base, at);
            name_field("dns.soa.mname", "Primary name server", node, at);
            let rpos = at + mname.in_place;
            let rname = read_name(b, base, rpos);
            name_field(
                "dns.soa.rname",
                "Responsible authority's mailbox",
                node,
                rpos,
            );
            let mut pos = rpos + rname.in_place;
            let fields = [
                ("Serial Number", "dns.soa.serial_number"),
                ("Refresh Interval", "dns.soa.refresh_interval"),
                ("Retry Interval", "dns.soa.retry_interval"),
                ("Expire limit", "dns.soa.expire_limit"),
                ("Minimum TTL", "dns.soa.minimum_ttl"),
            ];
            for (title, field) in fields {
                if pos + 4 > at + len {
                    break;
                }
                let v = b.u32(pos).unwrap_or(0);
                let shown = if title == "Serial Number" {
                    v.to_string()
                } else {
                    duration(v)
                };
                node.push(Node::new(format!("{title}: {shown}"), pos, 4).field(field));
                pos += 4;
            }
            format!("mname {}", mname.text)
        }
        (33, l) if l >= 7 => {
            let (prio, weight, port) = (
                be16(data, 0).unwrap_or_default(),
                be16(data, 2).unwrap_or_default(),
                be16(data, 4).unwrap_or_default(),
            );
            node.push(Node::new(format!("Priority: {prio}"), at, 2).field("dns.srv.priority"));
            node.push(Node::new(format!("Weight: {weight}"), at + 2, 2).field("dns.srv.weight"));
            node.push(Node::new(format!("Port: {port}"), at + 4, 2).field("dns.srv.port"));
            let target = name_field("dns.srv.target", "Target", node, at + 6);
            format!("priority {prio}, weight {weight}, port {port}, target {target}")
        }
        (41, _) => {
            edns_options(data, at, node);
            String::new()
        }
        (_, 0) => String::new(),
        _ => {
            node.push(Node::new(format!("Data: {}", hex(data)), at, len).field("dns.data"));
            String::new()
        }
    }
}

fn edns_option_name(code: u16) -> &'static str {
    match code {
        3 => "NSID",
        8 => "CSUBNET - Client subnet",
        9 => "EXPIRE",
        10 => "COOKIE",
        11 => "edns-tcp-keepalive",
        12 => "PADDING",
        15 => "Extended DNS Error",
        _ => "Unknown",
    }
}

fn edns_options(data: &[u8], at: usize, node: &mut Node) {
    let mut pos = 0;
    for _ in 0..64 {
        let (Some(code), Some(len)) = (be16(data, pos), be16(data, pos + 2)) else {
            break;
        };
        let len = usize::from(len);
        let value = data
            .get(pos + 4..pos + 4 + len)
            .unwrap_or(data.get(pos + 4..).unwrap_or(&[]));
        node.push(
            Node::new(
                format!(
                    "Option: {} ({code}), {len} bytes: {}",
                    edns_option_name(code),
                    hex(value)
                ),
                at + pos,
                4 + value.len(),
            )
            .field("dns.opt"),
        );
        pos += 4 + len;
    }
}
