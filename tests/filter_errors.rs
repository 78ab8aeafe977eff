//! Display-filter errors and completion, checked for their exact text: each error is the filter,
//! a caret line under the offending span, and a message that says what to write instead
//! (syntax errors, unknown fields with the nearest registered name, type mismatches). Also the
//! exact completion lists the page's filter bar shows, and that no text makes the compiler panic.

use tracelens::filter::{check, complete, ErrorKind, Filter};

/// The rendered error (filter line + caret line and message) for `text`.
fn error(text: &str) -> String {
    match Filter::compile(text) {
        Ok(_) => panic!("{text:?} compiled"),
        Err(e) => e.to_string(),
    }
}

fn kind(text: &str) -> ErrorKind {
    Filter::compile(text).expect_err(text).kind
}

#[test]
fn syntax_errors_point_at_the_problem() {
    let cases = [
        ("tcp.port == ", "tcp.port == \n            ^ expected a value after '=='"),
        ("tcp.port eq", "tcp.port eq\n           ^ expected a value after 'eq'"),
        ("tcp.port == 80 and", "tcp.port == 80 and\n                  ^ expected a test after 'and'"),
        ("tcp.port == 80 || ", "tcp.port == 80 || \n                  ^ expected a test after '||'"),
        ("!", "!\n ^ expected a test after '!'"),
        ("", ""),
        ("(tcp.port == 80", "(tcp.port == 80\n^ this '(' is never closed"),
        ("tcp.port == 80)", "tcp.port == 80)\n              ^ this ')' has no matching '('"),
        ("()", "()\n ^ empty parentheses; expected a test inside"),
        ("tcp.port = 80", "tcp.port = 80\n         ^ '=' is not an operator; use '==' to compare"),
        ("ip.src == 1.2.3.4 | udp", "ip.src == 1.2.3.4 | udp\n                  ^ '|' is not an operator; use '||' or 'or'"),
        (
            "tcp.port == 80 andd udp",
            "tcp.port == 80 andd udp\n               ^~~~ unexpected 'andd'; expected 'and', 'or' or the end of the filter",
        ),
        (
            "tcp.port == 80 tcp",
            "tcp.port == 80 tcp\n               ^~~ unexpected 'tcp'; expected 'and', 'or' or the end of the filter",
        ),
        ("tcp.port in {80, 443", "tcp.port in {80, 443\n            ^ this '{' is never closed"),
        (
            "tcp.port in 80",
            "tcp.port in 80\n            ^~ expected '{' after 'in' (a set like {80, 443, 8000..8080}), found '80'",
        ),
        ("tcp.port in {}", "tcp.port in {}\n             ^ empty set; put at least one value between the braces"),
        (
            "tcp.payload[0:2 == 16:03",
            "tcp.payload[0:2 == 16:03\n                ^~ expected ',' or ']' in the slice, found '=='",
        ),
        (
            "tcp.payload[x] == 16",
            "tcp.payload[x] == 16\n            ^ 'x' is not a slice range; use i:j (j bytes from i), i-j (i to j), i, :j or i:",
        ),
        ("\"unterminated", "\"unterminated\n^ this string is never closed (missing '\"')"),
        ("http.host == \"a\\qb\"", "http.host == \"a\\qb\"\n               ^~ '\\q' is not a known escape sequence"),
        (
            "all tcp.port",
            "all tcp.port\n^~~ 'all' must be followed by a comparison, like 'all tcp.port > 1024'",
        ),
        (
            "80",
            "80\n^~ '80' is a value, not a field; a test needs a field, like 'tcp.port == 80'",
        ),
        (
            "ip.addr#0 == 1.2.3.4",
            "ip.addr#0 == 1.2.3.4\n       ^ '#' must be followed by a layer number (1 is the outermost), like ip.addr#2",
        ),
        (
            "http.host matches \"(\"",
            "http.host matches \"(\"\n                  ^~~ invalid regular expression: unclosed group",
        ),
    ];
    for (text, expected) in cases {
        if text.is_empty() {
            assert!(check(text).is_ok(), "the empty filter matches everything");
            continue;
        }
        assert_eq!(error(text), expected, "for {text:?}");
    }
    assert_eq!(kind("tcp.port =="), ErrorKind::Syntax);
}

#[test]
fn unknown_fields_suggest_the_nearest_name() {
    let cases = [
        ("tcp.prot == 80", "tcp.prot == 80\n^~~~~~~~ 'tcp.prot' is not a field; did you mean 'tcp.port'?"),
        ("ip.adr", "ip.adr\n^~~~~~ 'ip.adr' is not a field; did you mean 'ip.addr'?"),
        ("icmp.typ == 8", "icmp.typ == 8\n^~~~~~~~ 'icmp.typ' is not a field; did you mean 'icmp.type'?"),
        ("httpp", "httpp\n^~~~~ 'httpp' is not a field; did you mean 'http'?"),
        (
            "tcp.flags.synn == 1",
            "tcp.flags.synn == 1\n^~~~~~~~~~~~~~ 'tcp.flags.synn' is not a field; did you mean 'tcp.flags.syn'?",
        ),
        (
            "dns.qry.nam contains \"x\"",
            "dns.qry.nam contains \"x\"\n^~~~~~~~~~~ 'dns.qry.nam' is not a field; did you mean 'dns.qry.name'?",
        ),
        (
            "tcp.port == tcp.prot",
            "tcp.port == tcp.prot\n            ^~~~~~~~ 'tcp.prot' is not a field; did you mean 'tcp.port'?",
        ),
        (
            "tcp.analysis.retrans",
            "tcp.analysis.retrans\n^~~~~~~~~~~~~~~~~~~~ 'tcp.analysis.retrans' is not a field; did you mean 'tcp.analysis.retransmission'?",
        ),
        ("smb2.cmd == 5", "smb2.cmd == 5\n^~~~~~~~ 'smb2.cmd' is not a field"),
        (
            "foo(tcp.port) == 1",
            "foo(tcp.port) == 1\n^~~ 'foo' is not a function; the functions are len, count, lower, upper and string",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(error(text), expected, "for {text:?}");
        assert_eq!(kind(text), ErrorKind::UnknownField, "for {text:?}");
    }
}

#[test]
fn type_mismatches_say_what_fits() {
    let cases = [
        (
            "tcp.port == abc",
            "tcp.port == abc\n            ^~~ 'abc' is not a valid tcp.port: expected a number like 80 or 0x50",
        ),
        (
            "tcp.len == 1.5",
            "tcp.len == 1.5\n           ^~~ '1.5' is not a valid tcp.len: expected a number like 80 or 0x50",
        ),
        (
            "ip.addr == 10.0.0.300",
            "ip.addr == 10.0.0.300\n           ^~~~~~~~~~ '10.0.0.300' is not a valid ip.addr: expected an IPv4 address like 10.0.0.1 or 10.0.0.0/8",
        ),
        (
            "ip.addr == 10.0.0.0/33",
            "ip.addr == 10.0.0.0/33\n           ^~~~~~~~~~~ '10.0.0.0/33' is not a valid ip.addr: expected an IPv4 address like 10.0.0.1 or 10.0.0.0/8",
        ),
        (
            "ip.addr == ::1",
            "ip.addr == ::1\n           ^~~ '::1' is an IPv6 address; IPv6 addresses are in ipv6.addr, ipv6.src and ipv6.dst",
        ),
        (
            "ipv6.addr == 10.0.0.1",
            "ipv6.addr == 10.0.0.1\n             ^~~~~~~~ '10.0.0.1' is an IPv4 address; IPv4 addresses are in ip.addr, ip.src and ip.dst",
        ),
        (
            "eth.src == 00:11:22",
            "eth.src == 00:11:22\n           ^~~~~~~~ '00:11:22' is not a valid eth.src (it has 3 bytes, not 6): expected an Ethernet address like 00:1b:21:3a:32:8d",
        ),
        (
            "frame.time_relative > soon",
            "frame.time_relative > soon\n                      ^~~~ 'soon' is not a valid frame.time_relative: expected seconds like 1.5",
        ),
        (
            "tcp.flags.syn == yes",
            "tcp.flags.syn == yes\n                 ^~~ 'yes' is not a valid tcp.flags.syn: expected 1 or 0 (or True, False)",
        ),
        (
            "tcp.port contains 80",
            "tcp.port contains 80\n         ^~~~~~~~ tcp.port is an unsigned integer; 'contains' works on strings, byte strings and protocols",
        ),
        (
            "tcp.srcport ~ \"8\"",
            "tcp.srcport ~ \"8\"\n            ^ tcp.srcport is an unsigned integer; 'matches' works on strings, byte strings and protocols",
        ),
        (
            "http.host matches example",
            "http.host matches example\n                  ^~~~~~~ 'matches' needs a regular expression in double quotes, like \"^GET\"",
        ),
        (
            "tcp.analysis.retransmission == 1",
            "tcp.analysis.retransmission == 1\n^~~~~~~~~~~~~~~~~~~~~~~~~~~ tcp.analysis.retransmission is a label without a value; test it alone, like 'tcp.analysis.retransmission' or 'not tcp.analysis.retransmission'",
        ),
        (
            "ip.src == tcp.port",
            "ip.src == tcp.port\n       ^~ cannot compare ip.src (an IPv4 address) with tcp.port (an unsigned integer)",
        ),
        (
            "tcp.port[0:1] == 00",
            "tcp.port[0:1] == 00\n^~~~~~~~ tcp.port is an unsigned integer; only byte strings, addresses, strings and protocols can be sliced",
        ),
        (
            "tcp.payload == ff",
            "tcp.payload == ff\n               ^~ 'ff' is the name of a Wireshark protocol, not bytes here; write the byte as 0xff",
        ),
        (
            "len(tcp.port) > 1",
            "len(tcp.port) > 1\n    ^~~~~~~~ len() does not apply to tcp.port (an unsigned integer)",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(error(text), expected, "for {text:?}");
        assert_eq!(kind(text), ErrorKind::Type, "for {text:?}");
    }
}

#[test]
fn spans_are_in_characters() {
    let e = Filter::compile("http.host == \"é\" and tcp.prot").unwrap_err();
    assert_eq!((e.start, e.end), (21, 29));
    assert_eq!(e.caret_line(), format!("{}^~~~~~~~", " ".repeat(21)));
}

#[test]
fn wireshark_spellings_compile() {
    for text in [
        "tcp.flags.syn==1 and tcp.port==80",
        "ip.len==50 and icmp",
        "frame.number>=126 and frame.number<=210",
        "tcp.port in {80, 443, 8000..8080}",
        "tcp.port in {80 443}",
        "tcp.port not in {80, 443}",
        "ip.addr == 10.0.0.0/8 && !(udp.port == 53)",
        "ipv6.addr == 2001:db8::/32",
        "eth.src[0:3] == 00:1b:21",
        "tcp.payload[0:2] == 16:03",
        "frame[-4:] == 0.1.2.3",
        "tcp.payload[1,3-5,9:] contains \"x\"",
        "http.request.method == GET",
        "http.host matches \"^www\\\\.\"",
        "http.host ~ r\"\\.com$\"",
        "tcp.port eq 80 or udp.port ne 53",
        "ip.ttl lt 64 and ip.ttl ge 1 and frame.len gt 60 and frame.len le 1514",
        "ip.addr != 10.0.0.1 and ip.addr !== 10.0.0.2 and ip.addr ~= 10.0.0.3 and ip.addr === 10.0.0.4",
        "all tcp.port > 1024 or any tcp.port < 1024",
        "tcp.flags & 0x12 == 0x12",
        "tcp.flags & 0x02",
        "{tcp.srcport + 1} == 81",
        "len(tcp.payload) > 100 and count(ip.addr) == 2",
        "lower(http.host) contains \"google\" and upper(http.request.method) == \"GET\"",
        "string(tcp.port) == \"80\"",
        "ip.addr#1 == 10.0.0.1",
        "tcp.port == 'P'",
        "tcp.flags.syn == True",
        "frame.time_relative >= 1.5",
        "tcp.port == 0x50 or tcp.port == 0120 or tcp.port == 0b1010000",
        "tcp.payload[0:1] == 0x47 and eth.dst[0] == ff",
    ] {
        assert!(check(text).is_ok(), "{text:?}: {:?}", check(text).err().map(|e| e.to_string()));
    }
}

#[test]
fn completion_lists_fields_with_descriptions() {
    let names = |text: &str| {
        complete(text)
            .into_iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
    };
    let protocols =
        "arp dns eth frame gre http icmp icmpv6 ieee8021ad ip ipv6 llc llmnr mdns mpls \
                     null ppp pppoes sll tcp tls udp vlan vxlan wlan";
    assert_eq!(names(""), protocols.split_whitespace().collect::<Vec<_>>());
    assert_eq!(
        names("tcp.fl"),
        [
            "tcp.flags",
            "tcp.flags.ack",
            "tcp.flags.ae",
            "tcp.flags.cwr",
            "tcp.flags.ece",
            "tcp.flags.fin",
            "tcp.flags.push",
            "tcp.flags.reset",
            "tcp.flags.syn",
            "tcp.flags.urg"
        ]
    );
    assert_eq!(
        names("ip."),
        [
            "ip.addr",
            "ip.dst",
            "ip.flags.df",
            "ip.flags.mf",
            "ip.id",
            "ip.len",
            "ip.proto",
            "ip.src",
            "ip.ttl",
            "ip.version"
        ]
    );
    // The word being typed at the end of a longer filter; an exact match comes first.
    assert_eq!(
        names("tcp.port == 80 and ud"),
        [
            "udp",
            "udp.dstport",
            "udp.length",
            "udp.payload",
            "udp.port",
            "udp.srcport",
            "udp.stream"
        ]
    );
    assert_eq!(names("(dns.qry.n"), ["dns.qry.name"]);
    assert!(names("zz").is_empty());
    let port = complete("tcp.port").into_iter().next().unwrap();
    assert_eq!(
        (port.name, port.description, port.ty),
        ("tcp.port", "TCP source or destination port", "uint")
    );
}

#[test]
fn no_text_makes_the_compiler_panic() {
    let pieces = [
        "tcp",
        ".",
        "port",
        "==",
        "!=",
        "===",
        "!==",
        "~=",
        "~",
        "<",
        ">=",
        "80",
        "-1",
        "0x",
        "'",
        "\"",
        "\\",
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        ":",
        "-",
        ",",
        "..",
        "#",
        "&",
        "&&",
        "||",
        "!",
        "and",
        "or",
        "not",
        "in",
        "contains",
        "matches",
        "all",
        "any",
        "len(",
        "r\"",
        "é",
        "\u{0}",
        " ",
        "1.2.3.4/",
        "::",
        "ff:",
        "frame[",
        "-9999999999999",
    ];
    // Every sequence of up to three pieces, and some long random-ish ones.
    let mut count = 0;
    for a in pieces {
        for b in pieces {
            for c in pieces {
                let text = format!("{a}{b} {c}");
                let _ = Filter::compile(&text);
                count += 1;
            }
        }
    }
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..2000 {
        let mut text = String::new();
        for _ in 0..12 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            if seed & 1 == 0 {
                text.push(' ');
            }
        }
        let _ = Filter::compile(&text);
    }
    assert!(count > 100_000);
}
