//! Hand-built packets for the expert notes and the corner cases the corpus lacks: SYN-ACK with
//! payload, short TCP header, IPv4 total length below the header, DNS pointer loop, OpenBSD LOOP
//! byte order, PPPoE session, 802.3/LLC, PPP, IPv4 options, escaping, and the layer limit.

use super::corpus::{all_nodes, check_invariants, field, fields, problems, render};
use crate::dissect::{
    dissect, ipv4_header_checksum_ok, transport_checksum_expected, transport_checksum_ok,
};

const SRC: [u8; 4] = [192, 168, 1, 10];
const DST: [u8; 4] = [192, 168, 1, 20];

fn ipv4(proto: u8, payload: &[u8]) -> Vec<u8> {
    let total = (20 + payload.len()) as u16;
    let mut h = vec![0x45, 0, 0, 0, 0x12, 0x34, 0x40, 0, 64, proto, 0, 0];
    h[2..4].copy_from_slice(&total.to_be_bytes());
    h.extend_from_slice(&SRC);
    h.extend_from_slice(&DST);
    let ck = crate::wire::checksum::expected_over(&h, 10, 0);
    h[10..12].copy_from_slice(&ck.to_be_bytes());
    h.extend_from_slice(payload);
    h
}

fn tcp(flags: u16, options: &[u8], payload: &[u8]) -> Vec<u8> {
    let hdr_len = 20 + options.len();
    let ack = if flags & 0x010 != 0 { 0x20 } else { 0 };
    let mut s = vec![0x01, 0xbb, 0xc3, 0x50, 0, 0, 0x10, 0, 0, 0, ack, 0];
    s.extend_from_slice(&(((hdr_len as u16 / 4) << 12) | flags).to_be_bytes());
    s.extend_from_slice(&[0xff, 0xff, 0, 0, 0, 0]);
    s.extend_from_slice(options);
    s.extend_from_slice(payload);
    let len = s.len();
    let ck = transport_checksum_expected(&SRC, &DST, 6, &s, len).expect("checksum");
    s[16..18].copy_from_slice(&ck.to_be_bytes());
    s
}

fn ethernet(ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    ];
    f.extend_from_slice(&ethertype.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

fn run(link: u32, frame: &[u8]) -> Vec<crate::dissect::Node> {
    let t = dissect(link, frame, frame.len() as u32);
    check_invariants(&t, frame.len());
    t
}

#[test]
fn syn_ack_with_two_payload_bytes_is_flagged() {
    let seg = tcp(0x012, &[2, 4, 0x05, 0xb4], b"hi");
    let packet = ipv4(6, &seg);
    assert_eq!(packet.len(), 46);
    let t = run(1, &ethernet(0x0800, &packet));
    assert_eq!(field(&t, "ip.len").label, "Total Length: 46");
    assert_eq!(
        field(&t, "ip.len").problem.as_deref(),
        Some("Total length 46 but a header-only SYN-ACK would be 44 (20 IP + 24 TCP)")
    );
    assert!(
        problems(&t).contains(&"SYN-ACK carries 2 bytes of payload; the peer's ACK will count them: a SYN-ACK should carry none".to_string()),
        "{}",
        render(&t)
    );
    assert_eq!(field(&t, "tcp.checksum").problem, None);
    assert_eq!(field(&t, "ip.checksum").problem, None);
    assert_eq!(field(&t, "tcp.len").label, "[TCP Segment Len: 2]");
    // The note covers the two payload bytes, so the hex view highlights exactly them.
    let note = all_nodes(&t)
        .into_iter()
        .find(|n| n.label == "[SYN-ACK carries 2 bytes of payload]")
        .expect("payload note");
    assert_eq!((note.start, note.len), (14 + 20 + 24, 2));
    // ... and sits under the payload node, whose bytes it covers.
    let payload = field(&t, "tcp.payload");
    assert!(payload.children.iter().any(|n| std::ptr::eq(n, note)));
    assert_eq!((payload.start, payload.len), (58, 2));
    assert_eq!(&ethernet(0x0800, &packet)[58..60], b"hi");
}

#[test]
fn syn_with_fast_open_cookie_is_not_a_problem() {
    let seg = tcp(
        0x002,
        &[1, 1, 34, 10, 1, 2, 3, 4, 5, 6, 7, 8],
        b"GET / HTTP/1.1\r\n\r\n",
    );
    let t = run(1, &ethernet(0x0800, &ipv4(6, &seg)));
    assert!(problems(&t).is_empty(), "{:?}", problems(&t));
    assert!(field(&t, "tcp.options.tfo")
        .label
        .starts_with("TCP Option - TCP Fast Open"));
}

#[test]
fn bad_tcp_checksum_says_what_it_should_be() {
    let mut seg = tcp(0x018, &[], b"data");
    let good = u16::from_be_bytes([seg[16], seg[17]]);
    seg[16..18].copy_from_slice(&good.wrapping_sub(2).to_be_bytes());
    let t = run(1, &ethernet(0x0800, &ipv4(6, &seg)));
    let expected = format!(
        "Checksum incorrect: 0x{:04x}, should be 0x{good:04x} (may be caused by checksum offload on the capturing host)",
        good.wrapping_sub(2)
    );
    assert_eq!(
        field(&t, "tcp.checksum").problem.as_deref(),
        Some(expected.as_str())
    );
}

#[test]
fn tcp_header_length_below_twenty() {
    let mut seg = tcp(0x010, &[], &[]);
    seg[12] = 0x30;
    let t = run(1, &ethernet(0x0800, &ipv4(6, &seg)));
    let hl = field(&t, "tcp.hdr_len");
    assert_eq!(hl.label, "0011 .... = Header Length: 12 bytes (3)");
    assert!(hl.problem.as_deref().is_some_and(
        |p| p.starts_with("TCP header length 12 is less than the minimum of 20 bytes")
    ));
}

#[test]
fn ipv4_total_length_smaller_than_header_and_bad_ihl() {
    let mut p = ipv4(6, &tcp(0x010, &[], &[]));
    p[2..4].copy_from_slice(&16u16.to_be_bytes());
    let t = run(101, &p);
    assert_eq!(
        field(&t, "ip.len").problem.as_deref(),
        Some("Total length 16 is smaller than the 20-byte header")
    );
    assert!(fields(&t, "tcp.srcport").is_empty());
    assert!(
        field(&t, "ip.checksum").problem.is_some(),
        "changed length, stale checksum"
    );

    let mut p = ipv4(6, &tcp(0x010, &[], &[]));
    p[0] = 0x43;
    let t = run(101, &p);
    assert!(field(&t, "ip.hdr_len")
        .problem
        .as_deref()
        .is_some_and(|n| n.starts_with("Header length 12 bytes is less than the minimum of 20")));
}

#[test]
fn ipv4_length_beyond_the_wire_frame() {
    let mut p = ipv4(17, &[0, 53, 0, 53, 0, 8, 0, 0]);
    p[2..4].copy_from_slice(&100u16.to_be_bytes());
    let t = run(101, &p);
    assert_eq!(
        field(&t, "ip.len").problem.as_deref(),
        Some("Total length 100 but the frame holds only 28 bytes from the IP header on: packet truncated")
    );
}

#[test]
fn ipv4_options_router_alert() {
    let mut h = vec![0x46, 0, 0, 24, 0, 1, 0, 0, 1, 2, 0, 0];
    h.extend_from_slice(&SRC);
    h.extend_from_slice(&[224, 0, 0, 22]);
    h.extend_from_slice(&[148, 4, 0, 0]);
    let ck = crate::wire::checksum::expected_over(&h, 10, 0);
    h[10..12].copy_from_slice(&ck.to_be_bytes());
    assert_eq!(ipv4_header_checksum_ok(&h), Some(true));
    let t = run(228, &h);
    assert_eq!(
        field(&t, "ip.options").label,
        "Options: (4 bytes), Router Alert"
    );
    assert_eq!(
        field(&t, "ip.opt.type").label,
        "IP Option - Router Alert: 0"
    );
    assert!(field(&t, "ip.checksum").label.ends_with("[correct]"));
}

#[test]
fn dns_pointer_loop_is_bounded() {
    // A query whose name is a pointer to itself (offset 12 of the DNS message).
    let dns = [
        0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 1, 0, 1,
    ];
    let mut udp = vec![0x30, 0x39, 0, 53, 0, (8 + dns.len()) as u8, 0, 0];
    udp.extend_from_slice(&dns);
    let t = run(101, &ipv4(17, &udp));
    let name = field(&t, "dns.qry.name");
    assert!(
        name.problem
            .as_deref()
            .is_some_and(|p| p.contains("pointer loop")),
        "{}",
        render(&t)
    );
}

#[test]
fn openbsd_loop_and_null_byte_orders() {
    let p = ipv4(17, &[0, 53, 0, 53, 0, 8, 0, 0]);
    let mut be = vec![0, 0, 0, 2];
    be.extend_from_slice(&p);
    let mut le = vec![2, 0, 0, 0];
    le.extend_from_slice(&p);
    let mut v6 = vec![0x1e, 0, 0, 0];
    v6.extend_from_slice(&[0x60, 0, 0, 0, 0, 0, 59, 64]);
    v6.extend_from_slice(&[0; 32]);
    for (link, frame, family) in [
        (108, &be, "Family: IP (2)"),
        (0, &le, "Family: IP (2)"),
        (0, &v6, "Family: IPv6 (30)"),
    ] {
        let t = run(link, frame);
        assert_eq!(field(&t, "null.family").label, family);
        assert_eq!(t[2].start, 4);
    }
}

#[test]
fn pppoe_session_over_ethernet() {
    let ip = ipv4(17, &[0, 53, 0, 53, 0, 8, 0, 0]);
    let mut pppoe = vec![0x11, 0x00, 0x00, 0x2a];
    pppoe.extend_from_slice(&((ip.len() + 2) as u16).to_be_bytes());
    pppoe.extend_from_slice(&[0x00, 0x21]);
    pppoe.extend_from_slice(&ip);
    let t = run(1, &ethernet(0x8864, &pppoe));
    assert_eq!(field(&t, "pppoe.session_id").label, "Session ID: 0x002a");
    assert_eq!(
        field(&t, "ppp.protocol").label,
        "Protocol: Internet Protocol version 4 (0x0021)"
    );
    assert_eq!(field(&t, "udp.srcport").start, 14 + 6 + 2 + 20);

    // Link type 51 (PPPoE without Ethernet) and 9 (PPP with FF 03 and a 1-byte protocol).
    let t = run(51, &pppoe);
    assert_eq!(field(&t, "ip.version").start, 8);
    let mut ppp = vec![0xff, 0x03, 0x21];
    ppp.extend_from_slice(&ip);
    let t = run(9, &ppp);
    assert_eq!(
        field(&t, "ppp.protocol").label,
        "Protocol: Internet Protocol version 4 (0x21, compressed)"
    );
    assert_eq!(field(&t, "ip.version").start, 3);
}

#[test]
fn ieee_802_3_llc_spanning_tree() {
    let mut f = vec![
        0x01, 0x80, 0xc2, 0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 38, 0x42, 0x42, 0x03,
    ];
    f.extend_from_slice(&[0u8; 35]);
    f.extend_from_slice(&[0u8; 8]);
    let t = run(1, &f);
    assert_eq!(field(&t, "eth.len").label, "Length: 38");
    assert_eq!(
        field(&t, "llc.dsap").label,
        "DSAP: Spanning Tree BPDU (0x42)"
    );
    assert_eq!(field(&t, "eth.padding").start, 52);
}

#[test]
fn http_text_is_escaped_and_bounded() {
    let mut payload = b"GET /\x07\x1b[31m HTTP/1.1\r\nX-Long: ".to_vec();
    payload.extend_from_slice(&[b'a'; 5000]);
    payload.extend_from_slice(b"\r\n\r\n");
    let t = run(1, &ethernet(0x0800, &ipv4(6, &tcp(0x018, &[], &payload))));
    assert_eq!(
        field(&t, "http.request.uri").label,
        "Request URI: /\\x07\\x1b[31m"
    );
    let long = fields(&t, "http.header");
    assert!(
        long[0].label.chars().count() < 260,
        "{}",
        long[0].label.len()
    );
}

#[test]
fn nested_gre_stops_at_the_layer_limit() {
    let mut packet = ipv4(17, &[0, 53, 0, 53, 0, 8, 0, 0]);
    for _ in 0..40 {
        let mut gre = vec![0, 0, 0x08, 0x00];
        gre.extend_from_slice(&packet);
        packet = ipv4(47, &gre);
    }
    let t = run(101, &packet);
    assert!(t.len() <= crate::dissect::MAX_LAYERS + 1);
    assert!(problems(&t)
        .iter()
        .any(|p| p.contains("stacked protocol layers")));
}

#[test]
fn transport_checksum_api() {
    let seg = tcp(0x010, &[], b"abc");
    assert_eq!(
        transport_checksum_ok(&SRC, &DST, 6, &seg, seg.len()),
        Some(true)
    );
    assert_eq!(
        transport_checksum_ok(&SRC, &DST, 6, &seg[..seg.len() - 1], seg.len()),
        None
    );
    assert_eq!(
        transport_checksum_ok(&SRC, &DST[..3], 6, &seg, seg.len()),
        None
    );
    let mut bad = seg.clone();
    bad[20] ^= 0xff;
    assert_eq!(
        transport_checksum_ok(&SRC, &DST, 6, &bad, bad.len()),
        Some(false)
    );
}
