//! DNS over UDP or TCP (2-byte length prefix): header, flags, and every question and resource
//! record with its name — compression pointers followed at most 64 hops, names at most 255
//! bytes — and the record data for A, AAAA, NS, CNAME, PTR, DNAME, MX, TXT, SOA, SRV and OPT
//! (EDNS); other types are shown as hex. Sections and counts are bounded, and a count that
//! promises more records than the message holds is flagged. The header, the field layout after
//! each name and the names themselves come from [`crate::wire::dns`].

use super::bytes::{has, Bytes, Padded};
use super::text::{bits_line, duration, escape, hex, ipv4 as ip4, ipv6 as ip6};
use super::{Cx, Node};
use crate::wire::bytes::be16;
use crate::wire::dns::{self as wdns, field as df, question as qf, record as rf, DnsHeader};
use crate::wire::dnsrr::{
    self as rr, soa_numbers, EdnsOptions, MxData, RecordFields, SrvData, TxtStrings,
};

/// Records dissected per section at most.
const MAX_RECORDS: usize = 256;

/// A name as the tree shows it.
struct Name {
    text: String,
    /// Bytes the name occupies where it is written (up to and including the first pointer).
    in_place: usize,
    labels: usize,
    problem: Option<String>,
}

/// Read the (possibly compressed) name at frame offset `at` of the message that starts at
/// `base` (compression pointers count from there), with [`wdns::read_name`].
fn read_name(b: &Bytes, base: usize, at: usize) -> Name {
    let msg = b.rest(base);
    let name = wdns::read_name(msg, at.saturating_sub(base));
    Name {
        text: name.text(msg, |label, out| out.push_str(&escape(label))),
        in_place: name.in_place,
        labels: name.labels.len(),
        problem: name.error.map(|e| e.offset_by(base).to_string()),
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

/// The one-bit flags: mask, name, text when set, text when clear, field, and whether only a
/// response shows it (the AD bit is worded differently in a query, see [`flags_node`]).
const FLAG_BITS: [(u16, &str, &str, &str, &str, bool); 7] = [
    (
        0x8000,
        "Response",
        "Message is a response",
        "Message is a query",
        "dns.flags.response",
        false,
    ),
    (
        0x0400,
        "Authoritative",
        "Server is an authority for domain",
        "Server is not an authority for domain",
        "dns.flags.authoritative",
        true,
    ),
    (
        0x0200,
        "Truncated",
        "Message is truncated",
        "Message is not truncated",
        "dns.flags.truncated",
        false,
    ),
    (
        0x0100,
        "Recursion desired",
        "Do query recursively",
        "Don't do query recursively",
        "dns.flags.recdesired",
        false,
    ),
    (
        0x0080,
        "Recursion available",
        "Server can do recursive queries",
        "Server can't do recursive queries",
        "dns.flags.recavail",
        true,
    ),
    (
        0x0020,
        "Answer authenticated",
        "Answer/authority portion was authenticated by the server",
        "Answer/authority portion was not authenticated by the server",
        "dns.flags.authenticated",
        true,
    ),
    (
        0x0010,
        "Non-authenticated data",
        "Acceptable",
        "Unacceptable",
        "dns.flags.checkdisable",
        false,
    ),
];

fn flags_node(flags: u16, at: usize) -> Node {
    let f = u64::from(flags);
    let response = flags & 0x8000 != 0;
    let opcode = (flags >> 11) & 0xf;
    let rcode = flags & 0xf;
    let mut summary = opcode_name(opcode).to_string();
    if response {
        summary.push_str(&format!(" response, {}", rcode_name(rcode)));
    }
    let mut node = Node::new(format!("Flags: 0x{flags:04x} {summary}"), at, 2).field("dns.flags");
    let bit = |(mask, name, yes, no, field, _): (u16, &str, &str, &str, &'static str, bool)| {
        let shown = if flags & mask != 0 { yes } else { no };
        Node::new(bits_line(f, 16, u64::from(mask), name, shown), at, 2).field(field)
    };
    let [qr, aa, tc, rd, ra, ad, cd] = FLAG_BITS;
    node.push(bit(qr));
    let opcode_text = format!("{} ({opcode})", opcode_name(opcode));
    node.push(
        Node::new(bits_line(f, 16, 0x7800, "Opcode", &opcode_text), at, 2)
            .field("dns.flags.opcode"),
    );
    for flag in [aa, tc, rd, ra] {
        if response || !flag.5 {
            node.push(bit(flag));
        }
    }
    let z = format!("reserved ({})", (flags >> 6) & 1);
    node.push(Node::new(bits_line(f, 16, 0x0040, "Z", &z), at, 2).field("dns.flags.z"));
    node.push(bit(if response {
        ad
    } else {
        (
            0x0020,
            "AD bit",
            "Set",
            "Not set",
            "dns.flags.authenticated",
            false,
        )
    }));
    node.push(bit(cd));
    if response {
        let rcode_text = format!("{} ({rcode})", rcode_name(rcode));
        let mut rc = Node::new(bits_line(f, 16, 0x000f, "Reply code", &rcode_text), at, 2)
            .field("dns.flags.rcode");
        if matches!(rcode, 1 | 2 | 5) {
            rc = rc.problem(format!("The server answered {}", rcode_name(rcode)));
        }
        node.push(rc);
    }
    node
}

/// The header fields that end within the `have` bytes of the message.
fn header_nodes(h: &DnsHeader, base: usize, have: usize, node: &mut Node) {
    if has(have, df::ID) {
        let id = h.id();
        node.push(Node::at(format!("Transaction ID: 0x{id:04x}"), base, df::ID).field("dns.id"));
    }
    if has(have, df::FLAGS) {
        node.push(flags_node(h.flags(), base + df::FLAGS.start));
    }
    let counts = [
        ("Questions", "dns.count.queries", df::QDCOUNT, h.questions()),
        ("Answer RRs", "dns.count.answers", df::ANCOUNT, h.answers()),
        (
            "Authority RRs",
            "dns.count.auth_rr",
            df::NSCOUNT,
            h.authorities(),
        ),
        (
            "Additional RRs",
            "dns.count.add_rr",
            df::ARCOUNT,
            h.additionals(),
        ),
    ];
    for (name, field, range, v) in counts {
        if has(have, range.clone()) {
            node.push(Node::at(format!("{name}: {v}"), base, range).field(field));
        }
    }
}

pub(crate) fn dns(cx: &mut Cx, b: &Bytes, off: usize, over_tcp: bool) {
    let mut node = Node::new("Domain Name System", off, b.remaining(off));
    let mut base = off;
    let mut msg = *b;
    if over_tcp {
        let Some(len) = be16(b.rest(off), wdns::TCP_LENGTH_PREFIX.start) else {
            return cx.push_cut(b, node, "DNS length prefix", off, 2);
        };
        let prefix = wdns::TCP_LENGTH_PREFIX;
        node.push(Node::at(format!("Length: {len}"), off, prefix.clone()).field("dns.length"));
        base = off + prefix.end;
        msg = b.clip(base + usize::from(len));
    }
    let have = msg.remaining(base);
    let mut pad = Padded::<{ wdns::HEADER_LEN }>::new();
    let Ok(h) = DnsHeader::new(pad.over(msg.rest(base))) else {
        return;
    };
    header_nodes(&h, base, have, &mut node);
    if !has(have, df::ARCOUNT) {
        return cx.push_cut(&msg, node, "DNS header", base, wdns::HEADER_LEN);
    }
    node.label = format!(
        "Domain Name System ({})",
        if h.is_response() { "response" } else { "query" }
    );
    let mut at = base + wdns::HEADER_LEN;
    let sections = [
        ("Queries", h.questions()),
        ("Answers", h.answers()),
        ("Authoritative nameservers", h.authorities()),
        ("Additional records", h.additionals()),
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
    let (Some(t), Some(c)) = (
        b.u16(after + qf::TYPE.start),
        b.u16(after + qf::CLASS.start),
    ) else {
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
        name.in_place + qf::LEN,
    );
    name_nodes(&name, at, "dns.qry.name", &mut node);
    node.push(
        Node::generated(format!("[Name Length: {}]", name.text.len()), at)
            .field("dns.qry.name.len"),
    );
    node.push(
        Node::generated(format!("[Label Count: {}]", name.labels), at).field("dns.count.labels"),
    );
    let type_label = format!("Type: {} ({t})", type_name(t));
    node.push(Node::at(type_label, after, qf::TYPE).field("dns.qry.type"));
    let class_label = format!("Class: {} (0x{c:04x})", class_name(c));
    node.push(Node::at(class_label, after, qf::CLASS).field("dns.qry.class"));
    Ok((node, after + qf::LEN))
}

fn record(b: &Bytes, base: usize, at: usize) -> Result<(Node, usize), Node> {
    let name = read_name(b, base, at);
    let after = at + name.in_place;
    let fixed = RecordFields::new(b.rest(after)).ok();
    let Some(fields) = fixed.filter(|_| name.problem.is_none()) else {
        let mut n = Node::new(format!("{}: <record cut>", name.text), at, b.remaining(at));
        name_nodes(&name, at, "dns.resp.name", &mut n);
        return Err(n);
    };
    let (t, c, ttl) = (fields.kind(), fields.class(), fields.ttl());
    let rdata_at = after + rf::LEN;
    let rdlen = usize::from(fields.data_len());
    let end = rdata_at + rdlen;
    let Some(data) = fields.data() else {
        let label = format!(
            "{}: type {}, data length {rdlen} <record cut>",
            name.text,
            type_name(t)
        );
        return Err(Node::new(label, at, b.remaining(at)));
    };
    let mut node = Node::new("", at, end - at);
    name_nodes(&name, at, "dns.resp.name", &mut node);
    let type_label = format!("Type: {} ({t})", type_name(t));
    node.push(Node::at(type_label, after, rf::TYPE).field("dns.resp.type"));
    let summary = if t == rr::TYPE_OPT {
        opt_header_nodes(&mut node, after, c, ttl);
        format!("{}: type OPT", name.text)
    } else {
        let class_label = format!("Class: {} (0x{c:04x})", class_name(c));
        node.push(Node::at(class_label, after, rf::CLASS).field("dns.resp.class"));
        let ttl_label = format!("Time to live: {}", duration(ttl));
        node.push(Node::at(ttl_label, after, rf::TTL).field("dns.resp.ttl"));
        format!(
            "{}: type {}, class {}",
            name.text,
            type_name(t),
            class_name(c)
        )
    };
    let len_label = format!("Data length: {rdlen}");
    node.push(Node::at(len_label, after, rf::RDLENGTH).field("dns.resp.len"));
    let rd = Rdata {
        b,
        base,
        at: rdata_at,
        len: rdlen,
    };
    let data_summary = rdata(&rd, data, t, &mut node);
    node.label = if data_summary.is_empty() {
        summary
    } else {
        format!("{summary}, {data_summary}")
    };
    Ok((node, end))
}

fn opt_header_nodes(node: &mut Node, after: usize, class: u16, ttl: u32) {
    node.push(
        Node::at(format!("UDP payload size: {class}"), after, rf::CLASS)
            .field("dns.rr.udp_payload_size"),
    );
    node.push(
        Node::at(
            format!("Higher bits in extended RCODE: 0x{:02x}", ttl >> 24),
            after,
            rf::EXT_RCODE,
        )
        .field("dns.resp.ext_rcode"),
    );
    node.push(
        Node::at(
            format!("EDNS0 version: {}", (ttl >> 16) & 0xff),
            after,
            rf::EDNS_VERSION,
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
            after + rf::EDNS_FLAGS.start,
            rf::EDNS_FLAGS.len(),
        )
        .field("dns.resp.z"),
    );
}

/// The record data's bytes: where they are, and the message they belong to (names in them may
/// point anywhere in it).
struct Rdata<'a, 'b> {
    b: &'a Bytes<'b>,
    base: usize,
    at: usize,
    len: usize,
}

impl Rdata<'_, '_> {
    /// A name in the record data at `pos` as a child of `node`; returns its text.
    fn name(&self, field: &'static str, title: &str, node: &mut Node, pos: usize) -> String {
        let n = read_name(self.b, self.base, pos);
        let mut child = Node::new(format!("{title}: {}", n.text), pos, n.in_place).field(field);
        if let Some(p) = n.problem.clone() {
            child = child.problem(p);
        } else if pos + n.in_place > self.at + self.len {
            child = child.problem("Name runs past the record data length");
        }
        node.push(child);
        n.text
    }
}

/// Decode the record data `data` (at `rd`); returns the text that goes after the record
/// summary.
fn rdata(rd: &Rdata, data: &[u8], t: u16, node: &mut Node) -> String {
    let (at, len) = (rd.at, rd.len);
    match (t, len) {
        (rr::TYPE_A, 4) => {
            let a = ip4([data[0], data[1], data[2], data[3]]);
            node.push(Node::new(format!("Address: {a}"), at, 4).field("dns.a"));
            format!("addr {a}")
        }
        (rr::TYPE_AAAA, 16) => {
            let mut x = [0u8; 16];
            x.copy_from_slice(data);
            let a = ip6(x);
            node.push(Node::new(format!("AAAA Address: {a}"), at, 16).field("dns.aaaa"));
            format!("addr {a}")
        }
        (rr::TYPE_NS, _) => format!("ns {}", rd.name("dns.ns", "Name Server", node, at)),
        (rr::TYPE_CNAME, _) => format!("cname {}", rd.name("dns.cname", "CNAME", node, at)),
        (rr::TYPE_PTR, _) => rd.name("dns.ptr.domain_name", "Domain Name", node, at),
        (rr::TYPE_DNAME, _) => format!("dname {}", rd.name("dns.dname", "DNAME", node, at)),
        (rr::TYPE_MX, _) if MxData::new(data).is_ok() => mx(rd, data, node),
        (rr::TYPE_TXT, _) => txt_strings(data, at, node),
        (rr::TYPE_SOA, _) => soa(rd, node),
        (rr::TYPE_SRV, _) if SrvData::new(data).is_ok() => srv(rd, data, node),
        (rr::TYPE_OPT, _) => {
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

fn mx(rd: &Rdata, data: &[u8], node: &mut Node) -> String {
    let Ok(mx) = MxData::new(data) else {
        return String::new();
    };
    let pref = mx.preference();
    node.push(Node::new(format!("Preference: {pref}"), rd.at, 2).field("dns.mx.preference"));
    let name_at = rd.at + MxData::NAME_AT;
    let exchange = rd.name("dns.mx.mail_exchange", "Mail Exchange", node, name_at);
    format!("preference {pref}, mx {exchange}")
}

fn srv(rd: &Rdata, data: &[u8], node: &mut Node) -> String {
    let Ok(srv) = SrvData::new(data) else {
        return String::new();
    };
    let (prio, weight, port, at) = (srv.priority(), srv.weight(), srv.port(), rd.at);
    node.push(Node::new(format!("Priority: {prio}"), at, 2).field("dns.srv.priority"));
    node.push(Node::new(format!("Weight: {weight}"), at + 2, 2).field("dns.srv.weight"));
    node.push(Node::new(format!("Port: {port}"), at + 4, 2).field("dns.srv.port"));
    let target = rd.name("dns.srv.target", "Target", node, at + SrvData::NAME_AT);
    format!("priority {prio}, weight {weight}, port {port}, target {target}")
}

/// The character strings of a TXT record; returns the first.
fn txt_strings(data: &[u8], at: usize, node: &mut Node) -> String {
    let mut first = None;
    for (pos, s) in TxtStrings::new(data) {
        node.push(Node::new(format!("TXT: {}", escape(s)), at + pos, 1 + s.len()).field("dns.txt"));
        first.get_or_insert_with(|| escape(s));
    }
    first.unwrap_or_default()
}

/// An SOA record: two names, then five 32-bit numbers; returns "mname …".
fn soa(rd: &Rdata, node: &mut Node) -> String {
    let (b, base, at, len) = (rd.b, rd.base, rd.at, rd.len);
    let mname = read_name(b, base, at);
    rd.name("dns.soa.mname", "Primary name server", node, at);
    let rpos = at + mname.in_place;
    let rname = read_name(b, base, rpos);
    rd.name(
        "dns.soa.rname",
        "Responsible authority's mailbox",
        node,
        rpos,
    );
    let names_end = rpos + rname.in_place;
    let fields = [
        ("Serial Number", "dns.soa.serial_number"),
        ("Refresh Interval", "dns.soa.refresh_interval"),
        ("Retry Interval", "dns.soa.retry_interval"),
        ("Expire limit", "dns.soa.expire_limit"),
        ("Minimum TTL", "dns.soa.minimum_ttl"),
    ];
    let data = b.get(at, len).unwrap_or_default();
    let numbers = soa_numbers(data, names_end.saturating_sub(at));
    for ((title, field), (pos, v)) in fields.into_iter().zip(numbers) {
        let shown = if title == "Serial Number" {
            v.to_string()
        } else {
            duration(v)
        };
        node.push(Node::new(format!("{title}: {shown}"), at + pos, 4).field(field));
    }
    format!("mname {}", mname.text)
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
    for option in EdnsOptions::new(data) {
        let (code, len, value) = (option.code, option.len, option.value);
        let label = format!(
            "Option: {} ({code}), {len} bytes: {}",
            edns_option_name(code),
            hex(value)
        );
        node.push(Node::new(label, at + option.start, 4 + value.len()).field("dns.opt"));
    }
}
