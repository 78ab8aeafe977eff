//! Findings, end to end: captures rebuilt from the numbers printed in the seed (the client trace
//! of the SYN-ACK that gained 2 bytes, the TMG-side trace of the same connection, a NAT flood,
//! marker pings around a repro) are written with a small pcap writer, read back through the
//! `Analyzer` exactly as the CLI and the page read files, and checked kind by kind: severities,
//! the numbers in the verdicts, evidence frames and filters. Real captures from
//! `../shared/captures/` cover unanswered SYNs, refused connections, snaplen cuts, capture filters
//! and ISB drops; every detector also gets a clean capture that must not trigger it, and a sweep
//! over the whole corpus checks that no clean capture yields an error-severity finding.

mod common;

use common::{manifest_paths, Memory};
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::{DataLink, Endianness, TsResolution};
use serde_json::Value;
use std::time::Duration;
use tracelens::analyzer::Analyzer;
use tracelens::findings::{self, markers, report, Finding, Kind, Severity};

/// A small capture writer: Ethernet/IPv4 frames (TCP, ICMP echo, ARP) with correct lengths and
/// checksums, padded to Ethernet's 60-byte minimum, written as a nanosecond pcap.
mod capture {
    use super::*;

    pub type Endpoint = ([u8; 4], u16);

    pub const FIN: u8 = 0x01;
    pub const SYN: u8 = 0x02;
    pub const RST: u8 = 0x04;
    pub const PSH: u8 = 0x08;
    pub const ACK: u8 = 0x10;

    /// MSS 1460, NOP, window scale 2, NOP, NOP, SACK permitted (a Windows 7 SYN).
    pub const SYN_OPTIONS: &[u8] = &[2, 4, 0x05, 0xb4, 1, 3, 3, 2, 1, 1, 4, 2];
    /// MSS 1380 only (the TMG server's SYN-ACK in the seed).
    pub const SYNACK_OPTIONS: &[u8] = &[2, 4, 0x05, 0x64];

    fn checksum(data: &[u8], initial: u32) -> u16 {
        let mut sum = initial;
        for chunk in data.chunks(2) {
            let word = if chunk.len() == 2 {
                u16::from_be_bytes([chunk[0], chunk[1]])
            } else {
                u16::from(chunk[0]) << 8
            };
            sum += u32::from(word);
        }
        while sum > 0xFFFF {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        !(sum as u16)
    }

    fn ethernet(ether_type: u16, payload: &[u8]) -> Vec<u8> {
        let mut frame = vec![
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x12, 0x34, 0x56, 0x78, 0x1b,
        ];
        frame.extend_from_slice(&ether_type.to_be_bytes());
        frame.extend_from_slice(payload);
        frame.resize(frame.len().max(60), 0);
        frame
    }

    fn ipv4(src: [u8; 4], dst: [u8; 4], proto: u8, ttl: u8, body: &[u8]) -> Vec<u8> {
        let total = (20 + body.len()) as u16;
        let mut ip = vec![0x45, 0];
        ip.extend_from_slice(&total.to_be_bytes());
        ip.extend_from_slice(&[0x05, 0x3e, 0x40, 0x00, ttl, proto, 0, 0]);
        ip.extend_from_slice(&src);
        ip.extend_from_slice(&dst);
        let sum = checksum(&ip, 0);
        ip[10..12].copy_from_slice(&sum.to_be_bytes());
        ip.extend_from_slice(body);
        ip
    }

    /// An Ethernet/IPv4/TCP frame.
    #[allow(clippy::too_many_arguments)]
    pub fn tcp(
        src: Endpoint,
        dst: Endpoint,
        seq: u32,
        ack: u32,
        flags: u8,
        window: u16,
        options: &[u8],
        payload: &[u8],
    ) -> Vec<u8> {
        let header_len = 20 + options.len();
        let mut segment = Vec::new();
        segment.extend_from_slice(&src.1.to_be_bytes());
        segment.extend_from_slice(&dst.1.to_be_bytes());
        segment.extend_from_slice(&seq.to_be_bytes());
        segment.extend_from_slice(&ack.to_be_bytes());
        segment.push(((header_len / 4) as u8) << 4);
        segment.push(flags);
        segment.extend_from_slice(&window.to_be_bytes());
        segment.extend_from_slice(&[0, 0, 0, 0]);
        segment.extend_from_slice(options);
        segment.extend_from_slice(payload);
        let mut pseudo = 0u32;
        for a in [src.0, dst.0] {
            pseudo += u32::from(u16::from_be_bytes([a[0], a[1]]))
                + u32::from(u16::from_be_bytes([a[2], a[3]]));
        }
        pseudo += 6 + segment.len() as u32;
        let sum = checksum(&segment, pseudo);
        segment[16..18].copy_from_slice(&sum.to_be_bytes());
        let ttl = if src.0[0] == 10 { 128 } else { 120 };
        ethernet(0x0800, &ipv4(src.0, dst.0, 6, ttl, &segment))
    }

    /// An ICMP echo request or reply carrying `data` (Windows `ping -l N` data is a repeating
    /// alphabet).
    pub fn echo(
        src: [u8; 4],
        dst: [u8; 4],
        request: bool,
        ident: u16,
        seq: u16,
        data_len: usize,
    ) -> Vec<u8> {
        let data: Vec<u8> = (0..data_len).map(|i| b'a' + (i % 23) as u8).collect();
        let mut icmp = vec![if request { 8 } else { 0 }, 0, 0, 0];
        icmp.extend_from_slice(&ident.to_be_bytes());
        icmp.extend_from_slice(&seq.to_be_bytes());
        icmp.extend_from_slice(&data);
        let sum = checksum(&icmp, 0);
        icmp[2..4].copy_from_slice(&sum.to_be_bytes());
        ethernet(0x0800, &ipv4(src, dst, 1, 128, &icmp))
    }

    /// A broadcast ARP request: filler that no detector looks at.
    pub fn arp(sender: [u8; 4], target: [u8; 4]) -> Vec<u8> {
        let mut body = vec![0, 1, 8, 0, 6, 4, 0, 1, 0x00, 0x12, 0x34, 0x56, 0x78, 0x1b];
        body.extend_from_slice(&sender);
        body.extend_from_slice(&[0; 6]);
        body.extend_from_slice(&target);
        let mut frame = vec![0xff; 6];
        frame.extend_from_slice(&[0x00, 0x12, 0x34, 0x56, 0x78, 0x1b, 0x08, 0x06]);
        frame.extend_from_slice(&body);
        frame.resize(60, 0);
        frame
    }

    /// Writes (nanoseconds since the epoch, frame) pairs as a nanosecond little-endian pcap.
    pub fn pcap(frames: &[(i64, Vec<u8>)]) -> Vec<u8> {
        let header = PcapHeader {
            snaplen: 65535,
            datalink: DataLink::ETHERNET,
            ts_resolution: TsResolution::NanoSecond,
            endianness: Endianness::Little,
            ..PcapHeader::default()
        };
        let mut writer = PcapWriter::with_header(Vec::new(), header).expect("pcap header");
        for (ns, frame) in frames {
            let time = Duration::from_nanos(*ns as u64);
            writer
                .write_packet(&PcapPacket::new(time, frame.len() as u32, frame))
                .expect("pcap record");
        }
        writer.into_writer()
    }

    /// Frames placed at given frame numbers (1-based) and times (seconds after `epoch`), with ARP
    /// filler in between at interpolated times, up to `total` frames — so that frame numbers and
    /// times are the ones the seed printed.
    pub fn at_numbers(
        epoch_s: i64,
        placed: &[(u64, f64, Vec<u8>)],
        total: u64,
    ) -> Vec<(i64, Vec<u8>)> {
        // Integer nanoseconds: an f64 of epoch nanoseconds would lose the seed's 100 ns digits.
        let to_ns = |s: f64| epoch_s * 1_000_000_000 + (s * 1e9).round() as i64;
        let mut out = Vec::new();
        // Frame 1 is the zero of relative time, as in the seed's listings.
        let mut anchors: Vec<(u64, f64)> = vec![(1, 0.0)];
        anchors.extend(placed.iter().map(|(n, t, _)| (*n, *t)));
        let last = anchors.last().copied().unwrap_or((0, 0.0));
        anchors.push((total + 1, last.1 + 0.01 * (total + 1 - last.0) as f64));
        for no in 1..=total {
            if let Some((_, t, frame)) = placed.iter().find(|(n, _, _)| *n == no) {
                out.push((to_ns(*t), frame.clone()));
                continue;
            }
            let at = anchors
                .iter()
                .position(|(n, _)| *n > no)
                .unwrap_or(anchors.len() - 1);
            let (n0, t0) = anchors[at - 1];
            let (n1, t1) = anchors[at];
            let t = t0 + (t1 - t0) * (no - n0) as f64 / (n1 - n0) as f64;
            out.push((to_ns(t), arp([10, 110, 233, 77], [10, 110, 233, 1])));
        }
        out
    }
}

use capture::{ACK, FIN, PSH, RST, SYN, SYNACK_OPTIONS, SYN_OPTIONS};

fn analyze(bytes: &[u8]) -> Analyzer {
    let mut analyzer = Analyzer::new();
    let file = analyzer.begin_file("capture");
    analyzer.push(file, bytes);
    analyzer.finish();
    analyzer
}

fn corpus(path: &str) -> Analyzer {
    let full = format!("{}/../shared/captures/{path}", env!("CARGO_MANIFEST_DIR"));
    analyze(&std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}")))
}

fn of_kind(findings: &[Finding], kind: Kind) -> Vec<&Finding> {
    findings.iter().filter(|f| f.kind == kind).collect()
}

fn one_of_kind(findings: &[Finding], kind: Kind) -> &Finding {
    let list = of_kind(findings, kind);
    assert_eq!(list.len(), 1, "expected one {kind:?}: {findings:#?}");
    list[0]
}

fn detail_i64(f: &Finding, key: &str) -> Option<i64> {
    f.details.get(key).and_then(|d| d.as_i64())
}

// ---------------------------------------------------------------------------------------------
// The seed's SYN-ACK that gained 2 bytes.

const CLIENT: capture::Endpoint = ([10, 110, 233, 50], 50183);
const SERVER: capture::Endpoint = ([172, 16, 1, 1], 443);
const CLIENT_ISN: u32 = 367515135;
const SERVER_ISN: u32 = 2180033885;
/// 2012-05-01 14:44:05 UTC: frame 453 at 27.14 s is 14:44:32, as the seed prints.
const EPOCH: i64 = 1_335_883_445;

/// A 127-byte TLS 1.0 ClientHello record (10 cipher suites, a padding extension).
fn client_hello() -> Vec<u8> {
    let mut body = vec![0x03, 0x01];
    body.extend((0..32).map(|i| i as u8 * 7));
    body.push(0); // session id
    body.extend_from_slice(&20u16.to_be_bytes());
    for suite in [
        0x002fu16, 0x0035, 0x0005, 0x000a, 0xc013, 0xc014, 0xc009, 0xc00a, 0x0032, 0x0038,
    ] {
        body.extend_from_slice(&suite.to_be_bytes());
    }
    body.extend_from_slice(&[1, 0]); // null compression
    body.extend_from_slice(&57u16.to_be_bytes());
    body.extend_from_slice(&[0x00, 0x15, 0x00, 53]);
    body.extend_from_slice(&[0u8; 53]);
    assert_eq!(body.len(), 118);
    let mut record = vec![0x16, 0x03, 0x01, 0, 122, 0x01, 0, 0, 118];
    record.extend(body);
    assert_eq!(record.len(), 127);
    record
}

/// The client-side trace (frames 453–568, times as the seed prints them).
fn seed_client_trace() -> Vec<u8> {
    use capture::tcp;
    let hello = client_hello();
    let data = |t: f64, no: u64| {
        (
            no,
            t,
            tcp(
                CLIENT,
                SERVER,
                CLIENT_ISN + 1,
                SERVER_ISN + 3,
                PSH | ACK,
                64860,
                &[],
                &hello,
            ),
        )
    };
    let placed = vec![
        (
            453,
            27.1395045,
            tcp(CLIENT, SERVER, CLIENT_ISN, 0, SYN, 8192, SYN_OPTIONS, &[]),
        ),
        // The SYN-ACK arrives with 2 bytes of payload: IP total length 46.
        (
            456,
            27.1565249,
            tcp(
                SERVER,
                CLIENT,
                SERVER_ISN,
                CLIENT_ISN + 1,
                SYN | ACK,
                64240,
                SYNACK_OPTIONS,
                &[0, 0],
            ),
        ),
        // The client acknowledges them: 2180033888 instead of 2180033886.
        (
            457,
            27.1565443,
            tcp(
                CLIENT,
                SERVER,
                CLIENT_ISN + 1,
                SERVER_ISN + 3,
                ACK,
                64860,
                &[],
                &[],
            ),
        ),
        data(27.1585176, 458),
        data(27.4744962, 465),
        data(28.0828875, 476),
        data(29.2948179, 494),
        (
            512,
            30.3815127,
            tcp(
                SERVER,
                CLIENT,
                SERVER_ISN,
                CLIENT_ISN + 1,
                SYN | ACK,
                64240,
                SYNACK_OPTIONS,
                &[0, 0],
            ),
        ),
        (
            513,
            30.3815385,
            tcp(
                CLIENT,
                SERVER,
                CLIENT_ISN + 128,
                SERVER_ISN + 3,
                ACK,
                64860,
                &[],
                &[],
            ),
        ),
        data(30.5019345, 516),
        data(31.7018989, 535),
        (
            568,
            33.1872833,
            tcp(
                SERVER,
                CLIENT,
                SERVER_ISN + 1,
                CLIENT_ISN + 1,
                RST | ACK,
                8192,
                &[],
                &[],
            ),
        ),
    ];
    capture::pcap(&capture::at_numbers(EPOCH, &placed, 580))
}

/// The TMG server's internal-interface trace of the same connection (frames 6457–7481): its
/// SYN-ACK carries no payload, yet the client's ACK is 2180033888.
fn seed_tmg_trace() -> Vec<u8> {
    use capture::tcp;
    let hello = client_hello();
    let data = |t: f64, no: u64| {
        (
            no,
            t,
            tcp(
                CLIENT,
                SERVER,
                CLIENT_ISN + 1,
                SERVER_ISN + 3,
                PSH | ACK,
                64860,
                &[],
                &hello,
            ),
        )
    };
    let placed = vec![
        (
            6457,
            39.8915584,
            tcp(CLIENT, SERVER, CLIENT_ISN, 0, SYN, 8192, SYN_OPTIONS, &[]),
        ),
        (
            6461,
            39.9079944,
            tcp(
                SERVER,
                CLIENT,
                SERVER_ISN,
                CLIENT_ISN + 1,
                SYN | ACK,
                64240,
                SYNACK_OPTIONS,
                &[],
            ),
        ),
        (
            6462,
            39.9084181,
            tcp(
                CLIENT,
                SERVER,
                CLIENT_ISN + 1,
                SERVER_ISN + 3,
                ACK,
                64860,
                &[],
                &[],
            ),
        ),
        data(39.9103936, 6463),
        data(40.2259991, 6489),
        data(40.8343158, 6614),
        data(42.0457229, 6806),
        (
            6872,
            43.1311020,
            tcp(
                SERVER,
                CLIENT,
                SERVER_ISN,
                CLIENT_ISN + 1,
                SYN | ACK,
                64240,
                SYNACK_OPTIONS,
                &[],
            ),
        ),
        (
            6873,
            43.1314010,
            tcp(
                CLIENT,
                SERVER,
                CLIENT_ISN + 128,
                SERVER_ISN + 3,
                ACK,
                64860,
                &[],
                &[],
            ),
        ),
        data(43.2517820, 6891),
        data(44.4514449, 7110),
        (
            7481,
            45.9360680,
            tcp(
                SERVER,
                CLIENT,
                SERVER_ISN + 1,
                CLIENT_ISN + 1,
                RST | ACK,
                8192,
                &[],
                &[],
            ),
        ),
    ];
    capture::pcap(&capture::at_numbers(EPOCH, &placed, 7481))
}

#[test]
fn seed_client_trace_reads_back_as_printed() {
    let analyzer = analyze(&seed_client_trace());
    // at_numbers(EPOCH, placed, 580): 580 frames, the placed ones at their numbers.
    assert_eq!(analyzer.len(), 580);
    // Frame numbers and relative times as the seed prints them (frame 453 at 27.1395045 s).
    let records = &analyzer.index().records;
    assert_eq!(records.at(452).ts_ns - records.at(0).ts_ns, 27_139_504_500);
    assert_eq!(records.at(567).ts_ns - records.at(0).ts_ns, 33_187_283_300);
    // Frame 456: seq SERVER_ISN, 2 payload bytes, IP length 20 + 24 (MSS option) + 2 = 46;
    // frame 457 acks SERVER_ISN + 3 = 2180033888; frame 458 is the 127-byte client_hello().
    let synack = analyzer.index().records.at(455);
    assert_eq!(
        (synack.seq, synack.payload_len(), synack.ip_len()),
        (SERVER_ISN, 2, 46)
    );
    let ack = analyzer.index().records.at(456);
    assert_eq!(ack.ack, 2180033888);
    assert_eq!(analyzer.index().records.at(457).payload_len(), 127);
}

#[test]
fn handshake_ack_mismatch_in_the_seeds_client_trace() {
    let findings = analyze(&seed_client_trace()).findings();
    let f = one_of_kind(&findings, Kind::HandshakeAckMismatch);
    assert_eq!(f.severity, Severity::Error);
    // Built: SYN-ACK seq SERVER_ISN = 2180033885, so ISN+1 = 2180033886; the ACK (frame 457)
    // acks SERVER_ISN + 3 = 2180033888: 2 ahead.
    assert_eq!(
        f.verdict,
        "Handshake ACK mismatch on 10.110.233.50:50183 → 172.16.1.1:443: the client acknowledged \
         2180033888, but the SYN-ACK's ISN+1 is 2180033886 (2 bytes ahead)."
    );
    // Evidence: the SYN-ACK, the ACK, the ClientHello and its 5 retransmissions, the SYN-ACK the
    // server sent again, and the RST.
    assert_eq!(
        f.frames,
        vec![456, 457, 458, 465, 476, 494, 512, 516, 535, 568]
    );
    // One TCP connection in the trace (the rest is ARP filler): stream 0.
    assert_eq!(f.stream, Some(0));
    assert_eq!(f.filter, "tcp.stream == 0");
    // It is the first finding: errors come first.
    assert_eq!(findings[0].kind, Kind::HandshakeAckMismatch);
}

#[test]
fn handshake_ack_mismatch_explanation_has_the_seeds_numbers() {
    let findings = analyze(&seed_client_trace()).findings();
    let f = one_of_kind(&findings, Kind::HandshakeAckMismatch);
    // From the placed times: first data (458) at 27.1585176 s; copies at 27.4744962 (+315.98
    // ms), 28.0828875 (+924.37 ms), 29.2948179 (+2.1363 s), 30.5019345 (+3.3434 s), 31.7018989
    // (+4.5434 s): 5 retransmissions. RST (568) at 33.1872833 − ACK (457) at 27.1565443 =
    // 6.030739 s. SYN-ACK IP length 46 against 20 + 24 = 44 without payload.
    for needle in [
        "The SYN-ACK from 172.16.1.1:443 (frame 456) has sequence number 2180033885, so the third \
         packet of the handshake should acknowledge 2180033886; the client's ACK (frame 457) \
         acknowledges 2180033888.",
        "The SYN-ACK arrived carrying 2 bytes of payload (IP total length 46, where 44 was \
         expected), which a SYN-ACK should never carry, so the client's TCP stack acknowledged \
         them too.",
        "FWX_E_SEQ_ACK_MISMATCH",
        "the first data (127 bytes, frame 458) was never answered and was retransmitted 5 times \
         (after 316 ms, 924 ms, 2.14 s, 3.34 s and 4.54 s); 172.16.1.1 re-sent its SYN-ACK \
         (frame 512), so it never saw the handshake complete; and 172.16.1.1 reset the connection \
         6.03 s after the ACK (frame 568).",
        "take a capture at the server side at the same time",
    ] {
        assert!(
            f.explanation.contains(needle),
            "missing {needle:?} in:\n{}",
            f.explanation
        );
    }
    assert_eq!(detail_i64(f, "expected_ack"), Some(2180033886));
    assert_eq!(detail_i64(f, "actual_ack"), Some(2180033888));
    assert_eq!(detail_i64(f, "difference"), Some(2));
    assert_eq!(detail_i64(f, "synack_ip_len"), Some(46));
    assert_eq!(detail_i64(f, "data_retransmissions"), Some(5));
    assert_eq!(detail_i64(f, "reset_frame"), Some(568));
    assert_eq!(
        f.details.get("reset_after_s").and_then(|d| d.as_f64()),
        Some(6.030739)
    );
    assert_eq!(
        f.details.get("server_answered").and_then(|d| d.as_bool()),
        Some(false)
    );
}

#[test]
fn handshake_ack_mismatch_seen_from_the_tmg_side_blames_the_path_to_the_client() {
    let findings = analyze(&seed_tmg_trace()).findings();
    let f = one_of_kind(&findings, Kind::HandshakeAckMismatch);
    assert_eq!(f.severity, Severity::Error);
    // From the placed times: data at 39.9103936 s, copies +315.61 ms, +923.92 ms, +2.1353 s,
    // +3.3414 s, +4.5411 s; RST (7481) at 45.9360680 − ACK (6462) at 39.9084181 = 6.02765 s.
    assert!(f.verdict.contains(
        "acknowledged 2180033888, but the SYN-ACK's ISN+1 is 2180033886 (2 bytes ahead)"
    ));
    assert!(
        f.explanation
            .contains("The SYN-ACK seen here carries no payload"),
        "{}",
        f.explanation
    );
    assert!(
        f.explanation
            .contains("retransmitted 5 times (after 316 ms, 924 ms, 2.14 s, 3.34 s and 4.54 s)"),
        "{}",
        f.explanation
    );
    assert!(
        f.explanation
            .contains("reset the connection 6.03 s after the ACK (frame 7481)"),
        "{}",
        f.explanation
    );
    assert_eq!(
        f.frames,
        vec![6461, 6462, 6463, 6489, 6614, 6806, 6872, 6891, 7110, 7481]
    );
    assert!(of_kind(&findings, Kind::SynackWithPayload).is_empty());
}

#[test]
fn synack_with_payload_in_the_seeds_client_trace_links_to_the_mismatch() {
    let findings = analyze(&seed_client_trace()).findings();
    let f = one_of_kind(&findings, Kind::SynackWithPayload);
    assert_eq!(f.severity, Severity::Warning);
    // Built: both SYN-ACKs (456, 512) carry &[0, 0]: IP length 20 + 24 + 2 = 46, 44 without;
    // the ACK at 457 acks SERVER_ISN + 3 = ISN+1+2.
    assert_eq!(
        f.verdict,
        "The SYN-ACK from 172.16.1.1:443 to 10.110.233.50:50183 carries 2 bytes of payload (IP total length 46)."
    );
    assert!(
        f.explanation.contains("where 44 would be expected"),
        "{}",
        f.explanation
    );
    assert!(f
        .explanation
        .contains("Every retransmission of the SYN-ACK carries them too (frame 512)"));
    assert!(
        f.explanation.contains("The client acknowledged the extra bytes: its ACK (frame 457) is 2180033888 = ISN+1+2, not 2180033886"),
        "{}",
        f.explanation
    );
    assert_eq!(f.frames, vec![456, 457, 512]);
    assert_eq!(
        f.filter,
        "(tcp.stream == 0 && tcp.flags.syn == 1 && tcp.flags.ack == 1) || frame.number == 457"
    );
    assert_eq!(
        f.details.get("related").and_then(|d| d.as_str()),
        Some("handshake_ack_mismatch")
    );
    assert_eq!(detail_i64(f, "payload_len"), Some(2));
    assert_eq!(detail_i64(f, "ip_len"), Some(46));
}

// ---------------------------------------------------------------------------------------------
// The seed's NAT in front of a TMG server with flood mitigation.

const NAT: [u8; 4] = [192, 168, 200, 1];
const TMG: capture::Endpoint = ([10, 0, 0, 5], 443);

/// 420 connection attempts from one address in 58.66 s; every third gets no answer (its SYN is
/// retransmitted 3 s later), the others complete a handshake and a short exchange.
fn nat_flood(fail_every: u32) -> Vec<u8> {
    use capture::tcp;
    let mut frames: Vec<(i64, Vec<u8>)> = Vec::new();
    let base = 1_335_880_000_000_000_000i64;
    for k in 0..420u32 {
        let t = base + i64::from(k) * 140_000_000;
        let client = (NAT, 20000 + k as u16);
        let isn = 1_000_000 * k;
        frames.push((t, tcp(client, TMG, isn, 0, SYN, 8192, SYN_OPTIONS, &[])));
        if fail_every > 0 && k % fail_every == 0 {
            frames.push((
                t + 3_000_000_000,
                tcp(client, TMG, isn, 0, SYN, 8192, SYN_OPTIONS, &[]),
            ));
            continue;
        }
        let server_isn = 7_000_000 + k;
        frames.push((
            t + 1_000_000,
            tcp(
                TMG,
                client,
                server_isn,
                isn + 1,
                SYN | ACK,
                64240,
                SYNACK_OPTIONS,
                &[],
            ),
        ));
        frames.push((
            t + 1_100_000,
            tcp(client, TMG, isn + 1, server_isn + 1, ACK, 64860, &[], &[]),
        ));
        frames.push((
            t + 1_200_000,
            tcp(
                client,
                TMG,
                isn + 1,
                server_isn + 1,
                FIN | ACK,
                64860,
                &[],
                &[],
            ),
        ));
    }
    frames.sort_by_key(|(t, _)| *t);
    capture::pcap(&frames)
}

#[test]
fn many_connections_one_source_finds_the_nat_flood() {
    let findings = analyze(&nat_flood(3)).findings();
    let f = one_of_kind(&findings, Kind::ManyConnectionsOneSource);
    assert_eq!(f.severity, Severity::Warning);
    // nat_flood(3): 420 attempts 140 ms apart (419 × 0.14 s = 58.66 s); k = 0, 3, … (140) get
    // no answer, the 280 others a SYN-ACK 1 ms after their SYN.
    assert_eq!(
        f.verdict,
        "192.168.200.1 → 10.0.0.5:443: the server answered only part of 420 connection attempts \
         made in 58.7 s (140 never answered), while it kept answering the same source — the \
         pattern of a per-source connection limit."
    );
    assert_eq!(
        f.filter,
        "ip.addr == 192.168.200.1 && ip.addr == 10.0.0.5 && tcp.port == 443 && tcp.flags.syn == 1 && frame.number >= 1 && frame.number <= 1400"
    );
    // Evidence: 140 × 2 SYNs of the unanswered attempts, 280 SYNs and 280 SYN-ACKs of the
    // answered ones. The last frame of the capture (1400 = 140 × 2 + 280 × 4) is the resent SYN
    // of attempt 417, 3 s after its first.
    assert_eq!(f.frames.len(), 840);
    assert_eq!(f.frames_total, 840);
    assert_eq!(f.frames[0], 1);
}

#[test]
fn many_connections_one_source_explanation_has_the_numbers_and_the_nat_advice() {
    let findings = analyze(&nat_flood(3)).findings();
    let f = one_of_kind(&findings, Kind::ManyConnectionsOneSource);
    // nat_flood(3): 420 attempts over 419 × 0.14 s = 58.66 s; k % 3 == 0 → 140 unanswered,
    // 2 SYNs each (280 SYNs without a SYN-ACK); 280 answered with 1 SYN each: 280 + 280 = 560.
    for needle in [
        "192.168.200.1 started 420 TCP connections to 10.0.0.5:443 within 58.7 s",
        "280 were answered at once; 140 never answered.",
        "Of the 560 SYNs sent for them, 280 got no SYN-ACK.",
        "While those waited, the server answered 280 other attempts from the same address",
        "NAT on a router or firewall in front of many clients",
        "flood mitigation",
        "per-IP connection quota",
    ] {
        assert!(
            f.explanation.contains(needle),
            "missing {needle:?} in:\n{}",
            f.explanation
        );
    }
    assert_eq!(detail_i64(f, "attempts"), Some(420));
    assert_eq!(detail_i64(f, "failed"), Some(140));
    assert_eq!(detail_i64(f, "unanswered"), Some(140));
    assert_eq!(detail_i64(f, "refused"), Some(0));
    // The unanswered SYNs are one unanswered_syn group, not 140 findings, and it points to the
    // limit instead of telling another story.
    let u = one_of_kind(&findings, Kind::UnansweredSyn);
    assert!(u.verdict.starts_with("192.168.200.1 → 10.0.0.5:443: 140 connection attempts got no answer in this trace (280 SYNs"), "{}", u.verdict);
    assert_eq!(
        detail_str(u, "explained_by"),
        Some("many_connections_one_source")
    );
    assert!(u
        .explanation
        .contains("a per-source connection limit, not a server that is down"));
    assert!(!u.explanation.contains("you cannot tell"));
    // 140 unanswered attempts × 2 SYNs.
    assert_eq!(u.frames.len(), 280);
}

/// The case a new user tried: one translated address opens 40 connections within one second
/// to a server with a per-source SYN limit. The server answers the first 5 at once; of the
/// other 35 it answers 20 only after the client sent the SYN again (1 s later) and 15 never
/// (7 SYNs each, Windows' backoff 1, 3, 7, 15, 31, 63 s… cut at 21 s): 5 + 20×2 + 15×7 = 150
/// SYNs, of which 20 + 105 = 125 got no SYN-ACK.
fn rate_limited_burst() -> Vec<u8> {
    use capture::tcp;
    let base = 1_335_880_000_000_000_000i64;
    let backoff_ms = [0i64, 1000, 3000, 7000, 15000, 31000, 63000];
    let mut frames: Vec<(i64, Vec<u8>)> = Vec::new();
    for k in 0..40u16 {
        let client = (NAT, 40000 + k);
        let t0 = base + i64::from(k) * 24_000_000;
        let isn = 5_000_000 * u32::from(k);
        let answered_after = match k {
            0..=4 => Some(0usize),
            _ if matches!((k - 5) % 7, 0 | 3 | 5) => None,
            _ => Some(1),
        };
        let syns = answered_after.map_or(backoff_ms.len(), |r| r + 1);
        for ms in &backoff_ms[..syns] {
            frames.push((
                t0 + ms * 1_000_000,
                tcp(client, TMG, isn, 0, SYN, 8192, SYN_OPTIONS, &[]),
            ));
        }
        if answered_after.is_some() {
            let at = t0 + backoff_ms[syns - 1] * 1_000_000 + 1_500_000;
            let server_isn = 9_000_000 + u32::from(k);
            frames.push((
                at,
                tcp(
                    TMG,
                    client,
                    server_isn,
                    isn + 1,
                    SYN | ACK,
                    64240,
                    SYNACK_OPTIONS,
                    &[],
                ),
            ));
            frames.push((
                at + 100_000,
                tcp(client, TMG, isn + 1, server_isn + 1, ACK, 64860, &[], &[]),
            ));
        }
    }
    frames.sort_by_key(|(t, _)| *t);
    capture::pcap(&frames)
}

#[test]
fn many_connections_one_source_names_a_rate_limited_source() {
    let findings = analyze(&rate_limited_burst()).findings();
    let f = one_of_kind(&findings, Kind::ManyConnectionsOneSource);
    // 40 first SYNs 24 ms apart: 39 × 24 ms = 936 ms.
    assert_eq!(
        f.verdict,
        "192.168.200.1 → 10.0.0.5:443: the server answered only part of 40 connection attempts \
         made in 936 ms (15 never answered and 20 answered only after the SYN was sent again), \
         while it kept answering the same source — the pattern of a per-source connection limit."
    );
    assert_eq!(detail_i64(f, "attempts"), Some(40));
    assert_eq!(detail_i64(f, "syns"), Some(150));
    assert_eq!(detail_i64(f, "syns_unanswered"), Some(125));
    assert_eq!(detail_i64(f, "synacks"), Some(25));
    // k = 5..39: (k − 5) % 7 in {0, 3, 5} is 3 of every 7 of the 35 → 15 never answered, 20
    // answered after one resend, 5 at once. SYNs: 5 + 20 × 2 + 15 × 7 = 150; without SYN-ACK:
    // 20 + 15 × 7 = 125; SYN-ACKs: 5 + 20 = 25. All 40 first SYNs within 936 ms (one second);
    // rate 40 / 0.936 s = 42.74 → 42.7.
    assert_eq!(detail_i64(f, "busiest_second_attempts"), Some(40));
    assert_eq!(detail_f64(f, "rate_per_s"), Some(42.7));
    // The 5 answered at once were answered before the first troubled attempt (k = 5); the 20
    // answered after a resent SYN got their SYN-ACKs while the 15 never answered still waited.
    assert_eq!(detail_i64(f, "answered_meanwhile"), Some(20));
    // Evidence: 150 SYNs + 25 SYN-ACKs.
    assert_eq!(f.frames.len(), 175);
    // The unanswered attempts point to it.
    let u = one_of_kind(&findings, Kind::UnansweredSyn);
    assert!(
        u.verdict
            .contains("15 connection attempts got no answer in this trace (105 SYNs"),
        "{}",
        u.verdict
    );
    assert_eq!(
        detail_str(u, "explained_by"),
        Some("many_connections_one_source")
    );
    // 15 never answered × 7 SYNs.
    assert_eq!(u.frames.len(), 105);
}

#[test]
fn many_connections_one_source_is_quiet_when_they_are_all_answered() {
    let findings = analyze(&nat_flood(0)).findings();
    assert!(
        of_kind(&findings, Kind::ManyConnectionsOneSource).is_empty(),
        "{findings:#?}"
    );
    assert!(findings.is_empty(), "{findings:#?}");
}

// ---------------------------------------------------------------------------------------------
// Marker pings around a repro.

const PC: [u8; 4] = [10, 1, 1, 20];
const GATEWAY: [u8; 4] = [10, 1, 1, 1];

/// The seed's example: frames 1–5 traffic, a 22-byte echo request at 6 and its reply at 9, the
/// repro in 10–19, a 33-byte echo request at 20 and its reply at 23, then 24–27.
fn marker_trace() -> Vec<u8> {
    use capture::tcp;
    let web = ([93, 184, 216, 34], 80);
    let mut frames = Vec::new();
    let mut seq = 5000u32;
    for no in 1..=27u64 {
        let t = 1_335_880_000_000_000_000i64 + no as i64 * 250_000_000;
        let frame = match no {
            6 => capture::echo(PC, GATEWAY, true, 1, 7, 22),
            9 => capture::echo(GATEWAY, PC, false, 1, 7, 22),
            20 => capture::echo(PC, GATEWAY, true, 1, 8, 33),
            23 => capture::echo(GATEWAY, PC, false, 1, 8, 33),
            n if n % 2 == 0 => {
                seq += 100;
                tcp(
                    (PC, 49200),
                    web,
                    seq,
                    9000,
                    PSH | ACK,
                    64240,
                    &[],
                    &[b'x'; 100],
                )
            }
            _ => tcp(web, (PC, 49200), 9000, seq + 100, ACK, 64240, &[], &[]),
        };
        frames.push((t, frame));
    }
    capture::pcap(&frames)
}

#[test]
fn markers_pair_requests_with_replies_and_offer_the_range_between() {
    let analyzer = analyze(&marker_trace());
    let found = markers::find(analyzer.index());
    let list: Vec<(u64, Option<u64>, u32, u32)> = found
        .markers
        .iter()
        .map(|m| (m.no, m.reply_no, m.ip_len, m.payload_len))
        .collect();
    // marker_trace: echo requests at 6 (22 data bytes: IP 20 + ICMP 8 + 22 = 50) and 20 (33:
    // 61), replies at 9 and 23; frame n at n × 250 ms, so frame 6 is 5 × 0.25 = 1.25 s after
    // frame 1. The repro lies between the first reply (9) and the second request (20).
    assert_eq!(list, vec![(6, Some(9), 50, 22), (20, Some(23), 61, 33)]);
    assert_eq!(found.markers[0].time, Some(1.25));
    assert_eq!(found.ranges.len(), 1);
    assert_eq!((found.ranges[0].from, found.ranges[0].to), (10, 19));
    assert_eq!(
        found.ranges[0].filter,
        "frame.number >= 10 and frame.number <= 19"
    );

    let findings = analyzer.findings();
    let f = one_of_kind(&findings, Kind::Markers);
    assert_eq!(f.severity, Severity::Note);
    assert_eq!(
        f.verdict,
        "Marker pings found: 22 bytes (ip.len 50) at frame 6 and 33 bytes (ip.len 61) at frame 20; \
         the repro lies between frames 10 and 19."
    );
    assert_eq!(f.frames, vec![6, 9, 20, 23]);
    assert_eq!(f.filter, "frame.number >= 10 and frame.number <= 19");
    assert!(f
        .explanation
        .contains("put `frame.number >= 10 and frame.number <= 19` in front of any other filter"));
}

#[test]
fn markers_json_has_the_documented_shape() {
    let analyzer = analyze(&marker_trace());
    let value = serde_json::to_value(markers::find(analyzer.index())).unwrap();
    assert_eq!(
        value["markers"][0],
        serde_json::json!({"no": 6, "reply_no": 9, "ip_len": 50, "payload_len": 22, "time": 1.25, "type": "request"})
    );
    assert_eq!(
        value["ranges"],
        serde_json::json!([{"from": 10, "to": 19, "filter": "frame.number >= 10 and frame.number <= 19"}])
    );
}

#[test]
fn markers_repeated_pings_form_one_marker_each_side() {
    // ping -l 22 -n 2 before, ping -l 33 -n 2 after: the range runs from after the second 22-byte
    // reply to before the first 33-byte request.
    let mut frames = Vec::new();
    let t = |n: i64| 1_335_880_000_000_000_000i64 + n * 1_000_000;
    frames.push((t(1), capture::echo(PC, GATEWAY, true, 1, 1, 22)));
    frames.push((t(2), capture::echo(GATEWAY, PC, false, 1, 1, 22)));
    frames.push((t(3), capture::echo(PC, GATEWAY, true, 1, 2, 22)));
    frames.push((t(4), capture::echo(GATEWAY, PC, false, 1, 2, 22)));
    for n in 5..=9 {
        frames.push((t(n), capture::arp(PC, GATEWAY)));
    }
    frames.push((t(10), capture::echo(PC, GATEWAY, true, 1, 3, 33)));
    frames.push((t(11), capture::echo(GATEWAY, PC, false, 1, 3, 33)));
    frames.push((t(12), capture::echo(PC, GATEWAY, true, 1, 4, 33)));
    frames.push((t(13), capture::echo(GATEWAY, PC, false, 1, 4, 33)));
    let found = markers::find(analyze(&capture::pcap(&frames)).index());
    // Built: 4 echo requests (frames 1, 3, 10, 12); the ARP filler is frames 5–9.
    assert_eq!(found.markers.len(), 4);
    assert_eq!(found.ranges.len(), 1);
    assert_eq!(
        found.ranges[0].filter,
        "frame.number >= 5 and frame.number <= 9"
    );
}

#[test]
fn markers_are_not_ordinary_pings() {
    for path in [
        "chrissanders/icmp_echo.pcapng",
        "zeek/5-pings.pcap",
        "libpcap/gateway_or_not.pcap",
    ] {
        let analyzer = corpus(path);
        assert!(markers::find(analyzer.index()).markers.is_empty(), "{path}");
        assert!(
            of_kind(&analyzer.findings(), Kind::Markers).is_empty(),
            "{path}"
        );
    }
    // 52 data bytes is no ping default: it stands out. tshark -T fields -e frame.number
    //   -e ipv6.plen -e icmpv6.type -e data.len: ten frames, ipv6.plen 60, data 52, echo requests
    // (128) at 1, 3, 5, 7, 9 (5 pings). The three files above carry ping defaults (tshark -e
    // data.len: 32 in icmp_echo, 48 in 5-pings, 48 and 56 in gateway_or_not).
    let findings = corpus("zeek/ping6-in-ipv4.pcap").findings();
    let f = one_of_kind(&findings, Kind::Markers);
    assert_eq!(
        f.verdict,
        "Marker pings found: 52 bytes (ipv6.plen 60) at frame 1, 5 pings."
    );
    assert_eq!(f.filter, "(icmpv6 && (ipv6.plen == 60))");
}

// ---------------------------------------------------------------------------------------------
// Real captures.

#[test]
fn unanswered_syn_in_nowebaccess3() {
    let findings = corpus("chrissanders/nowebaccess3.pcapng").findings();
    let f = one_of_kind(&findings, Kind::UnansweredSyn);
    assert_eq!(f.severity, Severity::Warning);
    // tshark -r nowebaccess3.pcapng -Y 'tcp.flags.syn==1' -T fields -e frame.number
    //   -e frame.time_relative -e ip.src -e ip.dst -e tcp.dstport -e tcp.flags.str -e tcp.stream
    // prints only 3 0.014421 / 4 0.019417 / 5 1.016531, all 172.16.0.8 → 74.125.95.105:80
    // "··········S·", stream 0 (no SYN-ACK at all): 3 SYNs over 1.016531 − 0.014421 = 1.00 s.
    assert_eq!(
        f.verdict,
        "172.16.0.8 → 74.125.95.105:80: 1 connection attempt got no answer in this trace (3 SYNs over 1.00 s)."
    );
    assert_eq!(f.frames, vec![3, 4, 5]);
    assert_eq!(f.stream, Some(0));
    assert_eq!(
        f.filter,
        "ip.addr == 172.16.0.8 && ip.addr == 74.125.95.105 && tcp.port == 80 && tcp.flags.syn == 1"
    );
}

#[test]
fn unanswered_syn_explanation_has_the_timings_and_the_seeds_advice() {
    let findings = corpus("chrissanders/nowebaccess3.pcapng").findings();
    let f = one_of_kind(&findings, Kind::UnansweredSyn);
    // Same tshark listing: 0.019417 − 0.014421 = 4.996 ms, 1.016531 − 0.014421 = 1.00211 s.
    assert!(f.explanation.contains("The client sent a SYN (frame 3) and retransmitted it 2 times (after 5.0 ms and 1.00 s)"), "{}", f.explanation);
    assert!(f
        .explanation
        .contains("you cannot tell whether 74.125.95.105 received the SYNs"));
    assert!(f.explanation.contains("Take a trace on the server"));
    assert_eq!(detail_i64(f, "syns"), Some(3));
    let offsets: Vec<f64> = f
        .details
        .get("retransmission_offsets_s")
        .and_then(|d| d.as_list())
        .unwrap()
        .iter()
        .filter_map(|d| d.as_f64())
        .collect();
    assert_eq!(offsets, vec![0.004996, 1.00211]);
}

#[test]
fn connection_refused_in_tcp_refuseconnection() {
    let findings = corpus("chrissanders/tcp_refuseconnection.pcapng").findings();
    let f = one_of_kind(&findings, Kind::ConnectionRefused);
    assert_eq!(f.severity, Severity::Warning);
    // tshark -r tcp_refuseconnection.pcapng -T fields -e frame.number -e frame.time_relative
    //   -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport -e tcp.flags.str
    // 1 0.000000 192.168.100.138:3372 → 192.168.100.1:80 "··········S·"
    // 2 0.001316 192.168.100.1:80 → 192.168.100.138:3372 "·······A·R··" (1.316 ms later)
    assert_eq!(
        f.verdict,
        "192.168.100.1:80 refused 1 connection attempt from 192.168.100.138: the SYN was answered by RST, ACK 1.3 ms later."
    );
    assert_eq!(f.frames, vec![1, 2]);
    assert!(f
        .explanation
        .contains("nothing accepts connections on port 80 at 192.168.100.1"));
    assert_eq!(
        f.details.get("answer_delay_s").and_then(|d| d.as_f64()),
        Some(0.001316)
    );
    assert!(of_kind(&findings, Kind::UnansweredSyn).is_empty());
}

/// zeek's syn-then-rst.pcap is listed as "SYN answered by RST", but both frames come from
/// 1.1.1.1:13131: the client reset its own attempt 0.3 ms after the SYN, before any answer could
/// come (tshark -T fields -e frame.number -e frame.time_relative -e ip.src -e tcp.srcport
/// -e tcp.flags.str: `1 0.000000 1.1.1.1 13131 ··········S·`, `2 0.000309 1.1.1.1 13131
/// ·········R··`). That is neither a refusal nor an unanswered SYN (the client did not wait), so no finding.
#[test]
fn a_client_resetting_its_own_attempt_is_not_refused() {
    let findings = corpus("zeek/syn-then-rst.pcap").findings();
    assert!(
        of_kind(&findings, Kind::ConnectionRefused).is_empty(),
        "{findings:#?}"
    );
    assert!(
        of_kind(&findings, Kind::UnansweredSyn).is_empty(),
        "{findings:#?}"
    );
}

#[test]
fn truncated_frames_in_truncated_header_reported_once() {
    // capinfos -c: 24 packets; tshark -Y 'frame.cap_len < frame.len' | wc -l: 24; the pcap
    // header's snaplen (bytes 16–19, xxd -e): 0x44 = 68.
    let findings = corpus("zeek/truncated-header.pcap").findings();
    let f = one_of_kind(&findings, Kind::TruncatedFrames);
    assert!(
        f.verdict.starts_with(
            "24 of 24 frames were cut short by the capture (snapshot length 68 bytes)"
        ),
        "{}",
        f.verdict
    );
    assert_eq!(f.filter, "frame.cap_len < frame.len");
    assert_eq!(f.frames.len(), 24);
    assert_eq!(detail_i64(f, "truncated_frames"), Some(24));
    assert!(f.explanation.contains(
        "application content (TLS handshakes, HTTP headers and bodies) cannot be decoded"
    ));
    // A cut after the headers (snaplen 256) is only a note. capinfos -c: 18 packets; tshark -Y
    // 'frame.cap_len < frame.len' | wc -l: 4; pcap header snaplen 0x100 = 256.
    let quic = corpus("tcpdump/quic_handshake_truncated.pcap").findings();
    let f = one_of_kind(&quic, Kind::TruncatedFrames);
    assert_eq!(f.severity, Severity::Note);
    assert_eq!(
        f.verdict,
        "4 of 18 frames were cut short by the capture (snapshot length 256 bytes)."
    );
    assert!(f
        .explanation
        .contains("connection analysis (handshakes, retransmissions, resets, timings) is sound"));
}

#[test]
fn capture_quality_reports_the_capture_filter_and_no_drops_for_dhcp_option_108() {
    // Its ISB says 2 received, 0 dropped: no drop finding; its IDB has a capture filter.
    // capinfos: "Interface #0 info: Name = en0, Filter string = udp port bootpc or udp port
    // bootps"; the ISB options (read with a few lines of Python, tshark 4.0 does not print
    // them): isb_ifrecv 2, isb_ifdrop 0.
    let findings = corpus("tcpdump/dhcp-option-108.pcapng").findings();
    let f = one_of_kind(&findings, Kind::CaptureQuality);
    assert_eq!(f.severity, Severity::Note);
    assert_eq!(
        f.verdict,
        "The capture was taken with a capture filter: en0 \"udp port bootpc or udp port bootps\"."
    );
    assert!(f
        .explanation
        .contains("the absence of a packet here proves nothing outside the filter"));
    assert_eq!(
        f.details.get("issue").and_then(|d| d.as_str()),
        Some("capture_filter")
    );
}

#[test]
fn capture_quality_reports_isb_drops() {
    // The ISB options (pcapng spec codes 4 ifrecv, 5 ifdrop, 7 osdrop; read with a few lines
    // of Python, tshark 4.0 does not print ISBs): interface 0 (eth0) ifrecv 100, ifdrop 1,
    // osdrop 42; interface 2 ("silly!\nethernet interface 2" in capinfos) ifdrop 10 and no
    // ifrecv. Dropped: 1 + 42 + 10 = 53, received: 100.
    let findings = corpus("pcapng-test-generator/test102.pcapng").findings();
    let drops: Vec<&Finding> = of_kind(&findings, Kind::CaptureQuality)
        .into_iter()
        .filter(|f| f.details.get("issue").and_then(|d| d.as_str()) == Some("drops"))
        .collect();
    assert_eq!(drops.len(), 1);
    assert_eq!(drops[0].severity, Severity::Warning);
    assert!(
        drops[0]
            .verdict
            .starts_with("The capture reports 53 packets dropped of 100 received"),
        "{}",
        drops[0].verdict
    );
    assert!(drops[0]
        .explanation
        .contains("dumpcap -b filesize:204800 -b files:80"));
    // Interface names from the file are cleaned (test102 has one with a newline in it).
    assert!(!drops[0].verdict.contains('\n'));
}

#[test]
fn capture_quality_notes_a_single_hosts_capture() {
    // tshark -Y 'eth.dst.ig == 0 && ip' | wc -l: 956 unicast IP frames; adding
    // '&& !(ip.addr == 172.16.0.122)': 0.
    let findings = corpus("chrissanders/http_espn.pcapng").findings();
    let f = one_of_kind(&findings, Kind::CaptureQuality);
    assert_eq!(f.severity, Severity::Note);
    assert!(f
        .verdict
        .starts_with("Every unicast packet in this capture is to or from 172.16.0.122"));
    assert!(f.explanation.contains("mirrored switch port (SPAN)"));
    assert!(f
        .explanation
        .contains("capture on both ends at the same time"));
    assert_eq!(f.filter, "ip.addr == 172.16.0.122");
}

/// A mirror port copying only one direction: the clients' segments acknowledge data the trace
/// never shows.
#[test]
fn capture_quality_reports_one_direction_only() {
    use capture::tcp;
    let server = ([192, 0, 2, 10], 443);
    let mut frames = Vec::new();
    for k in 0..3u16 {
        let client = ([10, 0, 0, 1], 50000 + k);
        let t = 1_335_880_000_000_000_000i64 + i64::from(k) * 1_000_000_000;
        frames.push((t, tcp(client, server, 1000, 0, SYN, 8192, SYN_OPTIONS, &[])));
        frames.push((
            t + 30_000_000,
            tcp(client, server, 1001, 5001, ACK, 64860, &[], &[]),
        ));
        frames.push((
            t + 31_000_000,
            tcp(
                client,
                server,
                1001,
                5001,
                PSH | ACK,
                64860,
                &[],
                &[b'x'; 200],
            ),
        ));
        frames.push((
            t + 90_000_000,
            tcp(client, server, 1201, 9001, ACK, 64860, &[], &[]),
        ));
    }
    let findings = analyze(&capture::pcap(&frames)).findings();
    // Built: 3 connections (streams 0–2) of 4 client frames each, their SYNs at 1, 5, 9; not one
    // frame from the server.
    let f = findings
        .iter()
        .find(|f| f.details.get("issue").and_then(|d| d.as_str()) == Some("one_direction"))
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(
        f.verdict,
        "Only one direction was captured for 3 of 3 TCP connections."
    );
    assert_eq!(f.filter, "tcp.stream in {0 1 2}");
    assert_eq!(f.frames, vec![1, 5, 9]);
    assert!(f
        .explanation
        .contains("a mirror (SPAN) port set to copy only received or only sent traffic"));
    // The clients went on acknowledging: their SYNs were answered out of sight, not unanswered.
    assert!(
        of_kind(&findings, Kind::UnansweredSyn).is_empty(),
        "{findings:#?}"
    );
}

/// Clean captures must not trigger the detectors built for trouble.
#[test]
fn clean_captures_trigger_no_tcp_detector() {
    for path in [
        "chrissanders/tcp_handshake.pcapng",
        "zeek/tls1.2.pcap",
        "chrissanders/http_google.pcapng",
    ] {
        let analyzer = corpus(path);
        let findings = analyzer.findings();
        for kind in [
            Kind::HandshakeAckMismatch,
            Kind::SynackWithPayload,
            Kind::UnansweredSyn,
            Kind::ConnectionRefused,
            Kind::ManyConnectionsOneSource,
            Kind::TruncatedFrames,
            Kind::Markers,
        ] {
            assert!(
                of_kind(&findings, kind).is_empty(),
                "{path}: {kind:?} in {findings:#?}"
            );
        }
        // The per-detector entry points agree with run_all.
        let (index, flows, files) = (analyzer.index(), analyzer.flows(), analyzer.file_infos());
        assert!(findings::handshake_ack_mismatch::detect(index, flows, &files).is_empty());
        assert!(findings::synack_with_payload::detect(index, flows, &files).is_empty());
        assert!(findings::unanswered_syn::detect(index, flows, &files).is_empty());
        assert!(findings::connection_refused::detect(index, flows, &files).is_empty());
        assert!(findings::many_connections_one_source::detect(index, flows, &files).is_empty());
        assert!(findings::truncated_frames::detect(index, flows, &files).is_empty());
        assert!(findings::markers::detect(index, flows, &files).is_empty());
    }
    // tcp_handshake.pcapng: three frames (tshark -T fields -e tcp.flags.str: S, SA, A between
    // two hosts), no capture-quality remark either.
    assert!(corpus("chrissanders/tcp_handshake.pcapng")
        .findings()
        .is_empty());
}

// ---------------------------------------------------------------------------------------------
// The whole corpus.

/// The corpus files that are neither BAD INPUT nor TCP trouble (retransmissions, RSTs, refused or
/// unanswered connections, dup ACKs, zero windows) in the MANIFEST: none may yield an error.
///
/// Warnings they yield, and why (checked below, so this list stays true):
/// - `pcapng-test-generator/test102.pcapng`, `test202.pcapng`: capture_quality `drops` — their
///   synthetic ISBs report 53 dropped packets.
///
/// Notes they yield (not checked one by one): snaplen cuts after the headers
/// (quic_handshake_truncated, test008, test102, test202), capture filters (dhcp-option-108,
/// test008), single-host captures (http_espn, ipv6_fragments, MS-WMOD_Example2), and the 52-byte
/// IPv6 pings of ping6-in-ipv4 as markers. With checksums validated (as `tracelens findings`
/// does): `bad_checksum` notes for checksum offload on the capturing host (http_espn,
/// http_ip4and6, ip_frag_source, bgp-role, dns-badcookie and quic_handshake_truncated on
/// loopback, pcapng-multi-interface, openjdk's frame merged by receive offload, the four
/// ms-netcaps files, the five pcapng-test-generator files) and for addresses rewritten after
/// capture (dssetup, mixed-vlan-mpls); a `retransmissions` note for pptp.pcap, whose server
/// frames were all captured twice.
const CLEAN: &[&str] = &[
    "tcpdump/pptp.pcap",
    "tcpdump/tcp-handshake-nano.pcap",
    "tcpdump/LINKTYPE_RAW_ipv4.pcap",
    "tcpdump/LINKTYPE_IPV4.pcap",
    "tcpdump/LINKTYPE_IPV6.pcap",
    "tcpdump/dns-badcookie.pcap",
    "tcpdump/icmpv6-RFC2894-RR.pcap",
    "tcpdump/quic_handshake_truncated.pcap",
    "tcpdump/802.1ad_QinQ.pcap",
    "tcpdump/vxlan.pcap",
    "tcpdump/empty.pcapng",
    "tcpdump/time_2106_overflow.pcapng",
    "tcpdump/dhcp-option-108.pcapng",
    "tcpdump/bgp-role.pcapng",
    "libpcap/gateway_or_not.pcap",
    "zeek/linux_dlt_sll2.pcap",
    "zeek/openjdk-25.0.2-zeek.org.pcap",
    "zeek/pcapng-multi-interface.pcapng",
    "zeek/mime-header-size-limit.pcap.gz",
    "zeek/portmapper-many-unanswered-calls.pcapng.gz",
    "zeek/dssetup_DsRoleGetPrimaryDomainInformation_standalone_workstation.cap",
    "zeek/fragmented-1.pcap",
    "zeek/ipv6-fragmented-dns.pcap",
    "zeek/gre-sample.pcap",
    "zeek/ping6-in-ipv4.pcap",
    "zeek/4in6.pcap",
    "zeek/http-vlan-0.pcap",
    "zeek/mixed-vlan-mpls.pcap",
    "zeek/5-pings.pcap",
    "zeek/icmp6-ping.pcap",
    "zeek/timeout-with-pings.pcap",
    "zeek/tls1.2.pcap",
    "chrissanders/tcp_handshake.pcapng",
    "chrissanders/tcp_teardown.pcapng",
    "chrissanders/icmp_echo.pcapng",
    "chrissanders/ip_frag_source.pcapng",
    "chrissanders/ipv6_fragments.pcapng",
    "chrissanders/http_google.pcapng",
    "chrissanders/http_ip4and6.pcapng",
    "chrissanders/dns_query_response.pcapng",
    "chrissanders/udp_dnsrequest.pcapng",
    "chrissanders/http_espn.pcapng",
    "ms-netcaps/MS-AUTHSOD_Example2-1_Win2016_X64_Win2016_X64_Domain.cap",
    "ms-netcaps/MS-WMOD_Example4_WS2016_X64_Win10_X64_Domain_Hagala.cap",
    "ms-netcaps/MS-WMOD_Example2_WS2016_X64_Win10_X64_Domain_Hagala.cap",
    "ms-netcaps/MS-CCROD_Example1_Win2016_X64_Win10_X64_Domain.cap",
    "pcapng-test-generator/test102.pcapng",
    "pcapng-test-generator/test100.pcapng",
    "pcapng-test-generator/test202.pcapng",
    "pcapng-test-generator/test008.pcapng",
    "pcapng-test-generator/test010.pcapng",
    "pcap-parser/modified-format.pcap",
    // Added with the second round of the corpus: a clean HTTP session over PPPoE, TCP inside
    // Ethernet-over-GRE, one handshake seen under three VLAN taggings, a Docker API session on a
    // libvirt bridge (its slow long-poll answers its headers at once), IPv6 TCP in 6in4, and a
    // Telnet session labelled one way with MPLS. Their notes: one light retransmission
    // (temp1), two frame copies (vlan-pcp-dei), checksum offload on the capturing machine
    // (docker-http-upgrade, 6in4tunnel's receive offload), a closing reset and a single-host
    // capture (mpls-basic).
    "suricata-verify/bug-4810/pppoe-session-http.pcap",
    "suricata-verify/bug-2576-02/temp1.pcap",
    "zeek/vlan-pcp-dei.pcapng",
    "zeek/docker-http-upgrade.pcap",
    "ndpi/6in4tunnel.pcap",
    "arkime/mpls-basic.pcap",
];

/// Clean files allowed a warning, with the only kind they may have.
const CLEAN_WITH_WARNINGS: &[(&str, Kind)] = &[
    ("pcapng-test-generator/test102.pcapng", Kind::CaptureQuality),
    ("pcapng-test-generator/test202.pcapng", Kind::CaptureQuality),
];

#[test]
fn no_false_alarms_on_clean_captures_and_no_panic_anywhere() {
    let paths = manifest_paths();
    assert!(
        paths.len() >= 80,
        "corpus not found ({} files)",
        paths.len()
    );
    for clean in CLEAN {
        assert!(
            paths.iter().any(|p| p == clean),
            "{clean} is not in the MANIFEST"
        );
    }
    let mut problems = Vec::new();
    for path in &paths {
        // Every capture, hostile ones included, runs through every detector without panicking
        // (with checksums validated, as `tracelens findings` reads files).
        let findings = corpus_checked(path).findings();
        for f in &findings {
            assert!(
                !f.verdict.is_empty() && !f.explanation.is_empty(),
                "{path}: empty text in {f:?}"
            );
            assert!(
                f.frames.windows(2).all(|w| w[0] < w[1]),
                "{path}: frames not ascending"
            );
        }
        if !CLEAN.contains(&path.as_str()) {
            continue;
        }
        for f in &findings {
            match f.severity {
                Severity::Error => {
                    problems.push(format!("{path}: error {}: {}", f.kind.as_str(), f.verdict))
                }
                Severity::Warning if !CLEAN_WITH_WARNINGS.contains(&(path.as_str(), f.kind)) => {
                    problems.push(format!(
                        "{path}: undocumented warning {}: {}",
                        f.kind.as_str(),
                        f.verdict
                    ))
                }
                _ => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn findings_are_ordered_by_severity_then_first_frame() {
    let mut findings = analyze(&seed_client_trace()).findings();
    findings.extend(analyze(&nat_flood(3)).findings());
    findings.extend(analyze(&marker_trace()).findings());
    findings::sort_findings(&mut findings);
    let keys: Vec<(Severity, u64)> = findings
        .iter()
        .map(|f| (f.severity, f.first_frame().unwrap_or(u64::MAX)))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(findings[0].severity, Severity::Error);
}

// ---------------------------------------------------------------------------------------------
// Report export and the command line.

#[test]
fn report_json_equals_serde_and_markdown_reads_well() {
    let findings = analyze(&seed_client_trace()).findings();
    let ours: Value = serde_json::from_str(&report::to_json(&findings)).expect("valid JSON");
    assert_eq!(ours, serde_json::to_value(&findings).unwrap());
    let first = &ours[0];
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "kind",
        "severity",
        "verdict",
        "explanation",
        "frames",
        "stream",
        "filter",
        "details",
    ] {
        assert!(keys.contains(&key), "{key} missing: {keys:?}");
    }
    assert_eq!(first["kind"], "handshake_ack_mismatch");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["details"]["expected_ack"], 2180033886u64);

    // The client trace yields handshake_ack_mismatch (error) and synack_with_payload (warning),
    // nothing else (the tests above); evidence frames as in the mismatch test.
    let md = report::to_markdown(&findings, "client.cap");
    assert!(
        md.starts_with("# tracelens findings — client.cap\n\n2 findings: 1 error, 1 warning.\n"),
        "{md}"
    );
    assert!(md.contains("## 1. ERROR · `handshake_ack_mismatch`"));
    assert!(md.contains("- Evidence frames: 456, 457, 458, 465, 476, 494, 512, 516, 535, 568"));
    assert!(md.contains("- Filter: `tcp.stream == 0`"));
    assert!(md.contains("## 2. WARNING · `synack_with_payload`"));
}

fn temp_capture(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path =
        std::env::temp_dir().join(format!("tracelens-findings-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).expect("temp capture");
    path
}

fn run_cli(args: &[&str]) -> (String, i32) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tracelens"))
        .args(args)
        .output()
        .expect("run tracelens");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn cli_findings_and_markers() {
    let seed = temp_capture("seed.pcap", &seed_client_trace());
    let marks = temp_capture("markers.pcap", &marker_trace());
    let seed_arg = seed.to_str().unwrap();
    let marks_arg = marks.to_str().unwrap();

    let (json, code) = run_cli(&["findings", seed_arg, "--json"]);
    assert_eq!(code, 0);
    let value: Value = serde_json::from_str(&json).expect("findings --json");
    assert_eq!(value[0]["kind"], "handshake_ack_mismatch");
    // The mismatch's first evidence frame is the SYN-ACK placed at 456.
    assert_eq!(value[0]["frames"][0], 456);
    assert_eq!(value[0]["stream"], 0);

    let (text, code) = run_cli(&["findings", seed_arg]);
    assert_eq!(code, 0);
    assert!(
        text.starts_with("2 findings: 1 error, 1 warning.\n"),
        "{text}"
    );
    assert!(
        text.contains("ERROR    handshake_ack_mismatch (tcp.stream 0)"),
        "{text}"
    );
    assert!(text.contains("  Filter: tcp.stream == 0"), "{text}");

    let (md, code) = run_cli(&["findings", seed_arg, "--markdown"]);
    assert_eq!(code, 0);
    assert!(
        md.contains("## 1. ERROR · `handshake_ack_mismatch`"),
        "{md}"
    );

    let (json, code) = run_cli(&["markers", marks_arg, "--json"]);
    assert_eq!(code, 0);
    let value: Value = serde_json::from_str(&json).expect("markers --json");
    assert_eq!(value["markers"][0]["no"], 6);
    assert_eq!(value["markers"][0]["reply_no"], 9);
    assert_eq!(value["markers"][1]["ip_len"], 61);
    assert_eq!(
        value["ranges"][0]["filter"],
        "frame.number >= 10 and frame.number <= 19"
    );

    let (text, _) = run_cli(&["markers", marks_arg]);
    assert!(
        text.contains("frames 10–19: frame.number >= 10 and frame.number <= 19"),
        "{text}"
    );

    let (_, code) = run_cli(&["findings", "/nonexistent/capture.pcap"]);
    assert_eq!(code, 2);
    let _ = std::fs::remove_file(seed);
    let _ = std::fs::remove_file(marks);
}

// ---------------------------------------------------------------------------------------------
// The second part: slow responses, resets, retransmissions, zero windows, bad checksums, and
// `tracelens findings -Y`.

/// [`analyze`] with checksums validated while indexing, as `tracelens findings` reads files.
fn analyze_checked(bytes: &[u8]) -> Analyzer {
    let mut analyzer = Analyzer::new();
    analyzer.set_checksum_validation(true);
    let file = analyzer.begin_file("capture");
    analyzer.push(file, bytes);
    analyzer.finish();
    analyzer
}

fn corpus_checked(path: &str) -> Analyzer {
    let full = format!("{}/../shared/captures/{path}", env!("CARGO_MANIFEST_DIR"));
    analyze_checked(&std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}")))
}

fn detail_f64(f: &Finding, key: &str) -> Option<f64> {
    f.details.get(key).and_then(|d| d.as_f64())
}

fn detail_str<'a>(f: &'a Finding, key: &str) -> Option<&'a str> {
    f.details.get(key).and_then(|d| d.as_str())
}

/// A frame of the capture writer (Ethernet + 20-byte IPv4 + TCP) with its TCP checksum replaced
/// by the partial pseudo-header sum checksum offload leaves there: the frame as the sending
/// host's own capture records it.
fn offloaded(mut frame: Vec<u8>) -> Vec<u8> {
    let ip = 14;
    let total = usize::from(u16::from_be_bytes([frame[ip + 2], frame[ip + 3]]));
    let mut sum = 6 + (total - 20) as u32;
    for at in (ip + 12..ip + 20).step_by(2) {
        sum += u32::from(u16::from_be_bytes([frame[at], frame[at + 1]]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    let at = ip + 20 + 16;
    frame[at..at + 2].copy_from_slice(&(sum as u16).to_be_bytes());
    frame
}

/// A frame whose TCP payload byte `at` (from the end) changed after its checksum was computed
/// (damaged on the way).
fn corrupted(mut frame: Vec<u8>, at: usize) -> Vec<u8> {
    let ip = 14;
    let total = usize::from(u16::from_be_bytes([frame[ip + 2], frame[ip + 3]]));
    frame[ip + total - 1 - at] ^= 0x5a;
    frame
}

/// The seed's example 2, a client-side trace: "HTTP response is sent by the HTTP server after 4
/// seconds". 192.168.4.71:45221 → 10.17.200.49:80: the SYN at 16:57:37.537895, the client's ACK
/// and the SYN-ACK (MSS 1380) at .787895 (in that order, as printed), a 355-byte GET, the
/// server's ACK at 38.053520, the 200 OK at 42.084770 and the rest of the JPEG. The client is
/// the capturing host: its frames carry offload's placeholder checksums ("[TCP CHECKSUM
/// INCORRECT]" in the seed).
const WEB_CLIENT: capture::Endpoint = ([192, 168, 4, 71], 45221);
const WEB_SERVER: capture::Endpoint = ([10, 17, 200, 49], 80);
/// 2011-03-31 16:57:37 UTC (the seed's example 1 is dated 2011-03-31).
const WEB_EPOCH: i64 = 1_301_590_657;

fn seed_slow_web_trace() -> Vec<u8> {
    slow_web_trace(
        b"GET /images/downloads/cartoons/thumb_1.jpg HTTP/1.1\r\nHost: www.example.com\r\n\
                    User-Agent: Mozilla/5.0\r\nAccept: image/png,image/*;q=0.8,*/*;q=0.5\r\n",
    )
}

/// The seed's slow web exchange with `request_head` as the start of the 355-byte GET.
fn slow_web_trace(request_head: &[u8]) -> Vec<u8> {
    use capture::tcp;
    let (c, s) = (3_804_322_416u32, 1_210_589_316u32);
    let at = |us: i64| WEB_EPOCH * 1_000_000_000 + us * 1000;
    let mut get = request_head.to_vec();
    get.resize(355 - 4, b'x');
    get.extend_from_slice(b"\r\n\r\n");
    let segment = |first: bool| -> Vec<u8> {
        let mut data = if first {
            b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 5000\r\n\r\n\xff\xd8"
                .to_vec()
        } else {
            Vec::new()
        };
        data.resize(1380, 0x42);
        data
    };
    let syn_options = [2, 4, 0x05, 0xb4, 1, 1, 4, 2];
    let frames = vec![
        (
            at(537_895),
            offloaded(tcp(
                WEB_CLIENT,
                WEB_SERVER,
                c,
                0,
                SYN,
                65535,
                &syn_options,
                &[],
            )),
        ),
        (
            at(787_895),
            offloaded(tcp(
                WEB_CLIENT,
                WEB_SERVER,
                c + 1,
                s + 1,
                ACK,
                65535,
                &[],
                &[],
            )),
        ),
        (
            at(787_895),
            tcp(
                WEB_SERVER,
                WEB_CLIENT,
                s,
                c + 1,
                SYN | ACK,
                5840,
                SYNACK_OPTIONS,
                &[],
            ),
        ),
        (
            at(787_895),
            offloaded(tcp(
                WEB_CLIENT,
                WEB_SERVER,
                c + 1,
                s + 1,
                PSH | ACK,
                65535,
                &[],
                &get,
            )),
        ),
        (
            at(1_053_520),
            tcp(WEB_SERVER, WEB_CLIENT, s + 1, c + 356, ACK, 6432, &[], &[]),
        ),
        (
            at(5_084_770),
            tcp(
                WEB_SERVER,
                WEB_CLIENT,
                s + 1,
                c + 356,
                ACK,
                6432,
                &[],
                &segment(true),
            ),
        ),
        (
            at(5_084_770),
            tcp(
                WEB_SERVER,
                WEB_CLIENT,
                s + 1381,
                c + 356,
                PSH | ACK,
                6432,
                &[],
                &segment(false),
            ),
        ),
        (
            at(5_084_770),
            offloaded(tcp(
                WEB_CLIENT,
                WEB_SERVER,
                c + 356,
                s + 2761,
                ACK,
                65535,
                &[],
                &[],
            )),
        ),
        (
            at(5_350_395),
            tcp(
                WEB_SERVER,
                WEB_CLIENT,
                s + 2761,
                c + 356,
                ACK,
                6432,
                &[],
                &segment(false),
            ),
        ),
    ];
    capture::pcap(&frames)
}

#[test]
fn slow_response_in_the_seeds_four_second_example() {
    let findings = analyze_checked(&seed_slow_web_trace()).findings();
    let f = one_of_kind(&findings, Kind::SlowResponse);
    assert_eq!(f.severity, Severity::Warning);
    // Built (µs after WEB_EPOCH): GET (frame 4) at 787_895, server ACK (5) at 1_053_520, first
    // data (6) at 5_084_770: 4_296_875 µs to answer, 265_625 µs to acknowledge.
    assert_eq!(
        f.verdict,
        "10.17.200.49:80 took 4.30 s to answer 192.168.4.71's request (GET \
         /images/downloads/cartoons/thumb_1.jpg): it acknowledged the request after 266 ms, so \
         the delay is in the server application, not the network."
    );
    // The GET, the server's ACK and its first response data.
    assert_eq!(f.frames, vec![4, 5, 6]);
    assert_eq!(f.stream, Some(0));
    assert_eq!(f.filter, "tcp.stream == 0");
    // Nothing else is wrong with this connection.
    for kind in [Kind::Reset, Kind::Retransmissions, Kind::ZeroWindow] {
        assert!(of_kind(&findings, kind).is_empty(), "{findings:#?}");
    }
}

#[test]
fn slow_response_separates_server_time_from_the_round_trip() {
    let findings = analyze_checked(&seed_slow_web_trace()).findings();
    let f = one_of_kind(&findings, Kind::SlowResponse);
    for needle in [
        "The client 192.168.4.71:45221 sent its request (355 bytes, frame 4) and the server's \
         first response data came in frame 6, 4.30 s after the request's last segment.",
        "The handshake shows a network round trip of 250 ms.",
        "The server's TCP stack acknowledged the whole request after 266 ms (frame 5) — about one \
         round trip, then its first data came 4.03 s later",
        // The seed's caveat: one capture point cannot tell the server from a proxy.
        "cannot tell whether 10.17.200.49 itself waited or a device in between (a web proxy, a \
         load balancer) held the response: take a trace on the server at the same time",
    ] {
        assert!(
            f.explanation.contains(needle),
            "{needle}\n{}",
            f.explanation
        );
    }
    // 5_084_770 − 787_895 = 4_296_875 µs; 1_053_520 − 787_895 = 265_625; 5_084_770 −
    // 1_053_520 = 4_031_250; SYN at 537_895 → SYN-ACK at 787_895: 250_000 µs; GET 355 bytes.
    assert_eq!(detail_f64(f, "response_time_s"), Some(4.296875));
    assert_eq!(detail_f64(f, "ack_time_s"), Some(0.265625));
    assert_eq!(detail_f64(f, "after_ack_s"), Some(4.03125));
    assert_eq!(detail_f64(f, "handshake_rtt_s"), Some(0.25));
    assert_eq!(detail_str(f, "blame"), Some("server_application"));
    assert_eq!(detail_i64(f, "request_bytes"), Some(355));
    assert_eq!(detail_i64(f, "measured_connections"), Some(1));
    let ranked = f.details.get("ranked_response_s").and_then(|d| d.as_list());
    assert_eq!(ranked.map(<[_]>::len), Some(1));
}

#[test]
fn slow_response_threshold_is_a_parameter() {
    let analyzer = analyze(&seed_slow_web_trace());
    let at = |seconds: f64| {
        let options = findings::Options {
            slow_response_ns: (seconds * 1e9) as i64,
        };
        of_kind(&analyzer.findings_with(&options), Kind::SlowResponse).len()
    };
    assert_eq!(findings::Options::default().slow_response_ns, 1_000_000_000);
    // The response took 4.296875 s (built above): over 1 s and 4.2 s, under 4.5 s.
    assert_eq!(at(1.0), 1);
    assert_eq!(at(4.2), 1);
    assert_eq!(at(4.5), 0);
}

#[test]
fn slow_response_is_quiet_on_clean_captures() {
    for path in [
        "chrissanders/http_google.pcapng",
        "chrissanders/http_espn.pcapng",
        "zeek/tls1.2.pcap",
        "chrissanders/tcp_handshake.pcapng",
    ] {
        let findings = corpus(path).findings();
        assert!(
            of_kind(&findings, Kind::SlowResponse).is_empty(),
            "{path}: {findings:#?}"
        );
    }
}

#[test]
fn reset_in_rst_inject_rae_names_the_server_and_the_forged_first_rst() {
    let findings = corpus("zeek/rst-inject-rae.pcap").findings();
    let f = one_of_kind(&findings, Kind::Reset);
    assert_eq!(f.severity, Severity::Warning);
    // tshark -r rst-inject-rae.pcap -T fields -e frame.number -e frame.time_relative -e ip.src
    //   -e tcp.srcport -e ip.ttl -e tcp.flags.str -e tcp.len -e frame.time_delta:
    // 1 0.000000 1.2.0.2:2527 ttl 62 S · 2 0.233736 1.2.0.3:6649 ttl 46 RST(+ACK)
    // 3 1.266240 1.2.0.3 ttl 49 SYN-ACK · 4 1.267865 1.2.0.2 ACK · 5 1.268743 1.2.0.2 PSH len 25
    // 6 2.851917 1.2.0.3 ttl 49 ACK · 7 2.853291 1.2.0.3 ttl 49 RST, ACK (delta 1.374 ms)
    // So: reset 2.853291 s after the SYN (frame 1), 25 bytes from the client and 0 from the
    // server before it, the forged-looking RST at frame 2 with TTL 46 against 49.
    assert_eq!(
        f.verdict,
        "1.2.0.3:6649 reset its connection with 1.2.0.2:2527 2.85 s after it was opened instead \
         of answering the client's request."
    );
    for needle in [
        "The server 1.2.0.3:6649 sent RST, ACK in frame 7; the connection had been established in \
         frame 4; before it, the client 1.2.0.2:2527 sent 25 bytes and the server 1.2.0.3:6649 \
         sent 0 bytes.",
        "The frame before the RST (frame 6) came 1.4 ms earlier.",
        "The RST has the same TTL (49) as 1.2.0.3's other packets",
        "Earlier, frame 2 — a RST in 1.2.0.3's name with TTL 46, while its own packets have TTL \
         49 — came before the connection was even established",
    ] {
        assert!(
            f.explanation.contains(needle),
            "{needle}\n{}",
            f.explanation
        );
    }
    assert_eq!(f.frames, vec![2, 4, 5, 6, 7]);
    assert_eq!(detail_str(f, "cause"), Some("request_unanswered"));
    assert_eq!(detail_str(f, "reset_by_role"), Some("server"));
    assert_eq!(detail_f64(f, "after_s"), Some(2.853291));
    assert_eq!(detail_i64(f, "rst_ttl"), Some(49));
    assert_eq!(detail_i64(f, "early_rst_frame"), Some(2));
}

/// A client that retransmits its request four times without an answer, then gives up.
fn gave_up_trace() -> Vec<u8> {
    use capture::tcp;
    let client = ([10, 1, 1, 5], 51000);
    let server = ([192, 0, 2, 80], 443);
    let t = |ms: i64| 1_335_880_000_000_000_000i64 + ms * 1_000_000;
    let request = [0x17u8; 200];
    let mut frames = vec![
        (
            t(0),
            tcp(client, server, 1000, 0, SYN, 64240, SYN_OPTIONS, &[]),
        ),
        (
            t(20),
            tcp(
                server,
                client,
                9000,
                1001,
                SYN | ACK,
                65535,
                SYNACK_OPTIONS,
                &[],
            ),
        ),
        (t(21), tcp(client, server, 1001, 9001, ACK, 64240, &[], &[])),
        (
            t(22),
            tcp(client, server, 1001, 9001, PSH | ACK, 64240, &[], &request),
        ),
    ];
    for ms in [322, 922, 2122, 4522] {
        frames.push((
            t(ms),
            tcp(client, server, 1001, 9001, PSH | ACK, 64240, &[], &request),
        ));
    }
    frames.push((
        t(9322),
        tcp(client, server, 1201, 9001, RST | ACK, 0, &[], &[]),
    ));
    capture::pcap(&frames)
}

#[test]
fn reset_after_unanswered_retransmissions_is_an_error_and_the_retransmissions_point_to_it() {
    let findings = analyze(&gave_up_trace()).findings();
    let f = one_of_kind(&findings, Kind::Reset);
    assert_eq!(f.severity, Severity::Error);
    // gave_up_trace: SYN at 0 ms, RST at 9322 ms (9.32 s); request at 22 ms (frame 4), sent
    // again at 322, 922, 2122, 4522 ms (frames 5–8: 4 times), unacknowledged from 22 to 9322 ms
    // = 9.30 s. Evidence: the ACK that established it (3), the request and its copies, the
    // RST (9).
    assert_eq!(
        f.verdict,
        "10.1.1.5:51000 reset its connection with 192.0.2.80:443 9.32 s after it was opened, after \
         retransmitting data 4 times without an acknowledgement for 9.30 s: it gave up."
    );
    assert_eq!(
        detail_str(f, "cause"),
        Some("gave_up_after_retransmissions")
    );
    assert_eq!(detail_i64(f, "retransmissions_before"), Some(4));
    assert_eq!(f.frames, vec![3, 4, 5, 6, 7, 8, 9]);
    // The retransmissions are told briefly and point here.
    let r = one_of_kind(&findings, Kind::Retransmissions);
    assert_eq!(r.severity, Severity::Note);
    assert!(
        r.verdict.contains("(see the reset finding)"),
        "{}",
        r.verdict
    );
    assert_eq!(detail_str(r, "related"), Some("reset"));
    // Errors come first.
    assert_eq!(findings[0].kind, Kind::Reset);
}

#[test]
fn reset_of_a_completed_exchange_is_one_note() {
    // SMB and LDAP clients on Windows close with RST after the last response (or after FIN).
    let findings = corpus(
        "ms-netcaps/MS-ADOD_Example2_10_Win2016_X64_Win2016_X64_Domain_ObtainAListOfUserAccountsUsingTheLDAPProtocol.cap",
    )
    .findings();
    let f = one_of_kind(&findings, Kind::Reset);
    assert_eq!(f.severity, Severity::Note);
    // tshark -Y 'tcp.flags.reset==1 || tcp.flags.fin==1' -T fields -e frame.number -e tcp.stream
    //   -e ip.src -e tcp.flags.str: 29 stream 0 RST,ACK; 39 stream 1 FIN,ACK; 41 stream 1
    // RST,ACK; `-z conv,tcp`: 2 conversations (:445 SMB, :389 LDAP), each with its exchange done.
    assert_eq!(
        f.verdict,
        "2 connections were closed with a reset after their exchange had completed (1 after a \
         FIN): the way many applications close, not a fault."
    );
    assert_eq!(f.frames, vec![29, 41]);
    assert_eq!(f.filter, "tcp.stream in {0 1} && tcp.flags.reset == 1");
    assert_eq!(detail_i64(f, "connections"), Some(2));
}

#[test]
fn reset_does_not_repeat_refusals_or_the_handshake_mismatch() {
    // A SYN answered by RST is connection_refused, never a reset of an established connection.
    for path in [
        "chrissanders/tcp_refuseconnection.pcapng",
        "zeek/syn-then-rst.pcap",
    ] {
        let findings = corpus(path).findings();
        assert!(
            of_kind(&findings, Kind::Reset).is_empty(),
            "{path}: {findings:#?}"
        );
    }
    let findings = corpus("chrissanders/tcp_refuseconnection.pcapng").findings();
    assert_eq!(of_kind(&findings, Kind::ConnectionRefused).len(), 1);
    // The seed's reset after the SYN-ACK mismatch and its retransmitted ClientHello are told by
    // handshake_ack_mismatch, on both sides of the TMG.
    for trace in [seed_client_trace(), seed_tmg_trace()] {
        let findings = analyze(&trace).findings();
        assert_eq!(of_kind(&findings, Kind::HandshakeAckMismatch).len(), 1);
        for kind in [Kind::Reset, Kind::Retransmissions] {
            assert!(of_kind(&findings, kind).is_empty(), "{findings:#?}");
        }
    }
}

#[test]
fn retransmissions_in_tcp_retransmissions_show_the_backoff() {
    let findings = corpus("chrissanders/tcp_retransmissions.pcapng").findings();
    let f = one_of_kind(&findings, Kind::Retransmissions);
    assert_eq!(f.severity, Severity::Warning);
    // tshark -T fields -e frame.number -e frame.time_relative -e ip.src -e tcp.srcport -e tcp.len
    //   -e tcp.seq -e tcp.analysis.retransmission -e frame.time_delta: six frames, all
    // 10.3.30.1:1048 → 10.3.71.7:1043, len 648, seq 1; frames 2–6 flagged retransmission,
    // deltas 0.206, 0.600, 1.200, 2.400, 4.805 s; last at 9.211 s (capinfos -u: 9.211000 s);
    // nothing from 10.3.71.7. 5 × 648 = 3240 bytes; 5 of 6 data segments = 83 %.
    assert_eq!(
        f.verdict,
        "10.3.30.1:1048 → 10.3.71.7:1043: 5 retransmissions (3240 bytes, 83% of its data \
         segments), never acknowledged: it waited 9.21 s until the capture ended."
    );
    for needle in [
        "10.3.30.1:1048 sent 1 data segment (648 bytes) and had to send it again 5 times.",
        "The same segment (first sent in frame 1) went out again after 206 ms, 600 ms, 1.20 s, \
         2.40 s and 4.80 s — each wait about double the one before",
        "10.3.71.7 never acknowledged it",
    ] {
        assert!(
            f.explanation.contains(needle),
            "{needle}\n{}",
            f.explanation
        );
    }
    assert_eq!(f.frames, vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(
        f.filter,
        "tcp.stream == 0 && ip.src == 10.3.30.1 && (tcp.analysis.retransmission || frame.number == 1)"
    );
    assert_eq!(detail_i64(f, "retransmissions"), Some(5));
    assert_eq!(detail_i64(f, "retransmitted_bytes"), Some(3240));
    assert_eq!(detail_f64(f, "longest_stall_s"), Some(9.211));
    assert_eq!(
        f.details
            .get("never_acknowledged")
            .and_then(|d| d.as_bool()),
        Some(true)
    );
    let intervals: Vec<f64> = f
        .details
        .get("intervals_s")
        .and_then(|d| d.as_list())
        .unwrap_or(&[])
        .iter()
        .filter_map(|d| d.as_f64())
        .collect();
    assert_eq!(intervals, vec![0.206, 0.6, 1.2, 2.4, 4.805]);
}

#[test]
fn retransmissions_that_are_copies_of_one_packet_are_told_apart() {
    // pptp.pcap: every frame of 10.1.1.10 was captured twice, 0.1–0.2 ms apart, with the same
    // IP ID; Wireshark flags the second copies as retransmissions and duplicate ACKs.
    // tshark -Y 'tcp.analysis.retransmission || tcp.analysis.duplicate_ack' -T fields
    //   -e frame.number -e ip.src -e ip.id -e frame.time_delta: 3 7 9 12 14 18 20 23, all
    // 10.1.1.10, each with the IP ID of the frame before it, 0.099–0.236 ms after it. With
    // -o frame.generate_md5_hash:TRUE, 3, 9 and 14 hash like their predecessors; 7, 12, 18, 20
    // and 23 differ only in a 6-byte Ethernet trailer (eth.trailer 555555555555): the same IP
    // packet. Frame 3 is the copy of the SYN-ACK in frame 2.
    let findings = corpus("tcpdump/pptp.pcap").findings();
    let f = one_of_kind(&findings, Kind::Retransmissions);
    assert_eq!(f.severity, Severity::Note);
    assert_eq!(
        f.verdict,
        "8 frames are exact copies of the frame just before them: the capture recorded those \
         packets twice — they are not retransmissions."
    );
    assert_eq!(f.frames, vec![3, 7, 9, 12, 14, 18, 20, 23]);
    assert_eq!(detail_str(f, "issue"), Some("duplicate_frames"));
    // ssh-dups: every packet four times; no retransmission warning either. tshark -o
    // frame.generate_md5_hash:TRUE -T fields -e frame.md5_hash, counting frames whose hash
    // equals the previous frame's: 280.
    let findings = corpus("zeek/ssh-dups.pcap").findings();
    let f = one_of_kind(&findings, Kind::Retransmissions);
    assert_eq!(f.severity, Severity::Note);
    assert_eq!(detail_i64(f, "copies"), Some(280));
}

#[test]
fn retransmissions_light_loss_is_a_note_and_clean_captures_have_none() {
    // tshark -Y 'tcp.analysis.retransmission || tcp.analysis.fast_retransmission' | wc -l: 1,
    // of -Y 'tcp.len > 0' | wc -l: 4 data segments.
    let findings = corpus("chrissanders/tcp_dupack.pcapng").findings();
    let f = one_of_kind(&findings, Kind::Retransmissions);
    assert_eq!(f.severity, Severity::Note);
    assert_eq!(detail_str(f, "issue"), Some("light"));
    for path in [
        "chrissanders/http_google.pcapng",
        "chrissanders/http_espn.pcapng",
        "zeek/tls1.2.pcap",
    ] {
        let findings = corpus(path).findings();
        assert!(
            of_kind(&findings, Kind::Retransmissions).is_empty(),
            "{path}: {findings:#?}"
        );
    }
}

#[test]
fn zero_window_that_never_reopens_is_a_warning_with_its_stall() {
    let findings = corpus("chrissanders/tcp_zerowindowdead.pcapng").findings();
    let f = one_of_kind(&findings, Kind::ZeroWindow);
    assert_eq!(f.severity, Severity::Warning);
    // tshark -T fields -e frame.number -e frame.time_relative -e ip.src -e tcp.srcport
    //   -e tcp.window_size -e tcp.len -e tcp.analysis.zero_window: 172.31.136.85:38760 sends
    // window 0 (zero_window flagged) in frames 2 (0.000029), 4, 6, 8 (23.731553); 195.81.202.68
    // sends frames 3, 5, 7 (3 probes after the first data in frame 1). Stall: 23.731553 −
    // 0.000029 = 23.731524 s.
    assert_eq!(
        f.verdict,
        "172.31.136.85:38760 advertised a zero window to 195.81.202.68:80 and never reopened it: \
         the transfer stood still for 23.7 s until the capture ended."
    );
    for needle in [
        "172.31.136.85:38760 advertised a window of 0 bytes in 4 frames (the first is frame 2); \
         195.81.202.68:80 probed it 3 times meanwhile and every answer still said 0.",
        "This is not a network fault: look at the application on 172.31.136.85",
    ] {
        assert!(
            f.explanation.contains(needle),
            "{needle}\n{}",
            f.explanation
        );
    }
    assert_eq!(f.frames, vec![2, 4, 6, 8]);
    assert_eq!(detail_f64(f, "longest_s"), Some(23.731524));
    assert_eq!(detail_i64(f, "probes"), Some(3));
    assert_eq!(
        f.details.get("never_reopened").and_then(|d| d.as_bool()),
        Some(true)
    );
}

#[test]
fn zero_window_that_reopens_quickly_is_a_note() {
    // tshark -T fields -e frame.number -e frame.time_relative -e ip.src -e tcp.srcport
    //   -e tcp.window_size -e tcp.analysis.zero_window -e tcp.analysis.window_update:
    // 4 0.000632 192.168.0.20:2235 window 0 (zero_window), 5 0.010637 window 64240
    // (window_update): reopened 10.005 ms later.
    let findings = corpus("chrissanders/tcp_zerowindowrecovery.pcapng").findings();
    let f = one_of_kind(&findings, Kind::ZeroWindow);
    assert_eq!(f.severity, Severity::Note);
    assert_eq!(
        f.verdict,
        "192.168.0.20:2235 advertised a zero window to 192.168.0.30:1720 and reopened it after 10 \
         ms."
    );
    assert_eq!(f.frames, vec![4, 5]);
    assert_eq!(detail_i64(f, "reopened_frame"), Some(5));
    for path in [
        "chrissanders/http_google.pcapng",
        "chrissanders/http_espn.pcapng",
        "chrissanders/tcp_retransmissions.pcapng",
    ] {
        let findings = corpus(path).findings();
        assert!(
            of_kind(&findings, Kind::ZeroWindow).is_empty(),
            "{path}: {findings:#?}"
        );
    }
}

#[test]
fn bad_checksum_offload_on_the_capturing_host_is_a_note() {
    // tshark -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE finds 77 bad checksums in
    // http_espn, every one from 172.16.0.122, the host the capture was taken on:
    // -Y 'tcp.checksum.status==0 || udp.checksum.status==0' -T fields -e frame.number -e ip.src
    // gives 77 frames (63 with tcp.checksum.status 0, 14 with udp.checksum.status 0), all from
    // 172.16.0.122, the first ones 1 6 9 14 21 41 42.
    let findings = corpus_checked("chrissanders/http_espn.pcapng").findings();
    let f = one_of_kind(&findings, Kind::BadChecksum);
    assert_eq!(f.severity, Severity::Note);
    assert_eq!(
        f.verdict,
        "77 frames sent by 172.16.0.122 (the capturing host) carry wrong checksums (63 TCP and 14 \
         UDP): checksum offload explains them — they are not a network fault."
    );
    assert!(f
        .explanation
        .contains("hands each packet to the card before the card computes the checksum"));
    // The filter selects exactly the 77 frames.
    assert_eq!(f.frames.len(), 77);
    assert!(
        f.filter.starts_with("frame.number in {1 6 9 14 21 41..42 "),
        "{}",
        f.filter
    );
    assert_eq!(detail_i64(f, "bad_frames"), Some(77));
    // Windows with segmentation offload: IP checksums of 0 and frames larger than the MTU.
    // tshark -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE
    //   -Y 'ip.checksum.status==0 || tcp.checksum.status==0 || udp.checksum.status==0'
    //   -T fields -e ip.src -e ip.checksum -e frame.len: 20 frames, all from 192.168.0.101,
    // all with ip.checksum 0x0000 (20 IP), 19 with a bad TCP and 1 with a bad UDP checksum, 1
    // with frame.len > 1514.
    let findings = corpus_checked(
        "ms-netcaps/MS-ADOD_Example2_10_Win2016_X64_Win2016_X64_Domain_ObtainAListOfUserAccountsUsingTheLDAPProtocol.cap",
    )
    .findings();
    let f = one_of_kind(&findings, Kind::BadChecksum);
    assert_eq!(f.severity, Severity::Note);
    assert!(
        f.verdict.starts_with(
            "19 frames sent by 192.168.0.101 (the capturing host) and 1 frame larger than the \
             MTU sent by it carry wrong checksums (20 IPv4 header, 19 TCP and 1 UDP)"
        ),
        "{}",
        f.verdict
    );
    assert_eq!(detail_i64(f, "segmentation_offload_frames"), Some(1));
    assert_eq!(detail_i64(f, "placeholder_zero"), Some(20));
}

#[test]
fn bad_checksum_explanation_counts_the_seeds_placeholders() {
    let findings = analyze_checked(&seed_slow_web_trace()).findings();
    let f = one_of_kind(&findings, Kind::BadChecksum);
    assert_eq!(f.severity, Severity::Note);
    // Built: the client's four frames (1 SYN, 2 ACK, 4 GET, 8 ACK) go through offloaded(),
    // which stores the pseudo-header sum; the server's five are correct.
    assert_eq!(
        f.verdict,
        "4 frames sent by 192.168.4.71 (the capturing host) carry wrong checksums (4 TCP): \
         checksum offload explains them — they are not a network fault."
    );
    assert!(
        f.explanation.contains(
            "(4 hold just the pseudo-header sum, the partial value offload leaves for the card \
             to finish)"
        ),
        "{}",
        f.explanation
    );
    assert_eq!(f.frames, vec![1, 2, 4, 8]);
    assert_eq!(detail_i64(f, "placeholder_partial"), Some(4));
}

#[test]
fn bad_checksum_of_an_anonymised_trace_is_a_rewrite() {
    // tshark -o tcp.check_checksum:TRUE -T fields -e tcp.checksum.status: 9 frames, all 0
    // (bad); -V: every one is off by the same 0x125f (frame 1: 0x85cd, should be 0x736e), IP
    // header checksums correct. In one's-complement terms the stored sum is the correct one
    // plus 0x125f, i.e. minus its complement 0xeda0.
    let findings = corpus_checked("zeek/get-to-ssh-server.pcap").findings();
    let f = one_of_kind(&findings, Kind::BadChecksum);
    assert_eq!(f.severity, Severity::Note);
    assert_eq!(
        f.verdict,
        "The wrong checksums of 9 frames between 136.216.42.40 and 130.74.164.231 are all off by \
         the same amount per conversation: the addresses were rewritten after the checksums were \
         computed — not a network fault."
    );
    assert!(f.explanation.contains("(0xeda0 in the first)"));
    assert_eq!(detail_i64(f, "rewritten_frames"), Some(9));
}

/// The capturing host 10.0.0.5 talks to two web servers; two frames from 192.0.2.10 arrive
/// damaged.
fn damaged_trace() -> Vec<u8> {
    use capture::tcp;
    let me = ([10, 0, 0, 5], 50500);
    let t = |ms: i64| 1_335_880_000_000_000_000i64 + ms * 1_000_000;
    let mut frames = Vec::new();
    for (k, server) in [([192, 0, 2, 10], 80), ([192, 0, 2, 20], 80)]
        .into_iter()
        .enumerate()
    {
        let me = (me.0, me.1 + k as u16);
        let base = k as i64 * 1000;
        let damage = |frame: Vec<u8>, at: usize| {
            if k == 0 {
                corrupted(frame, at)
            } else {
                frame
            }
        };
        frames.push((
            t(base),
            tcp(me, server, 100, 0, SYN, 64240, SYN_OPTIONS, &[]),
        ));
        frames.push((
            t(base + 10),
            tcp(server, me, 700, 101, SYN | ACK, 65535, SYNACK_OPTIONS, &[]),
        ));
        frames.push((
            t(base + 11),
            tcp(me, server, 101, 701, ACK, 64240, &[], &[]),
        ));
        frames.push((
            t(base + 12),
            tcp(me, server, 101, 701, PSH | ACK, 64240, &[], &[b'g'; 80]),
        ));
        frames.push((
            t(base + 30),
            damage(
                tcp(server, me, 701, 181, PSH | ACK, 65535, &[], &[b'r'; 400]),
                7,
            ),
        ));
        frames.push((
            t(base + 31),
            damage(
                tcp(server, me, 1101, 181, PSH | ACK, 65535, &[], &[b's'; 400]),
                120,
            ),
        ));
        frames.push((
            t(base + 32),
            tcp(me, server, 181, 1501, ACK, 64240, &[], &[]),
        ));
    }
    capture::pcap(&frames)
}

#[test]
fn bad_checksum_from_another_host_is_a_warning_naming_it() {
    let findings = analyze_checked(&damaged_trace()).findings();
    let f = one_of_kind(&findings, Kind::BadChecksum);
    assert_eq!(f.severity, Severity::Warning);
    // Built: 7 frames per server; only k = 0 (192.0.2.10) has its two data frames, the 5th and
    // 6th, corrupted().
    assert_eq!(
        f.verdict,
        "2 frames from 192.0.2.10 carry wrong checksums (2 TCP) that checksum offload does not \
         explain."
    );
    assert!(f.explanation.contains("corrupted on the way"));
    assert_eq!(f.frames, vec![5, 6]);
    assert_eq!(f.filter, "frame.number in {5..6}");
}

#[test]
fn bad_checksum_needs_validation_and_good_checksums_give_none() {
    // Without validation (the analyzer's default) no checksum finding appears.
    let findings = corpus("chrissanders/http_espn.pcapng").findings();
    assert!(of_kind(&findings, Kind::BadChecksum).is_empty());
    for path in [
        "chrissanders/tcp_handshake.pcapng",
        "chrissanders/http_google.pcapng",
        "zeek/tls1.2.pcap",
    ] {
        let findings = corpus_checked(path).findings();
        assert!(
            of_kind(&findings, Kind::BadChecksum).is_empty(),
            "{path}: {findings:#?}"
        );
    }
}

#[test]
fn cli_findings_filter_threshold_and_timings() {
    let rst = format!(
        "{}/../shared/captures/zeek/rst-inject-rae.pcap",
        env!("CARGO_MANIFEST_DIR")
    );
    let kinds = |args: &[&str]| -> Vec<String> {
        let (json, code) = run_cli(args);
        assert_eq!(code, 0, "{args:?}");
        let value: Value = serde_json::from_str(&json).expect("findings --json");
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["kind"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(kinds(&["findings", &rst, "--json"]), vec!["reset"]);
    // -Y keeps the findings whose evidence the filter selects.
    assert_eq!(
        kinds(&["findings", &rst, "--json", "-Y", "tcp.flags.reset == 1"]),
        vec!["reset"]
    );
    // The reset's evidence is frames 2, 4, 5, 6, 7 (tshark listing in the reset test above): a
    // filter for frames after 7 selects none of it.
    assert!(kinds(&["findings", &rst, "--json", "-Y", "frame.number > 7"]).is_empty());
    let (_, code) = run_cli(&["findings", &rst, "-Y", "tcp.prot == 80"]);
    assert_eq!(code, 2);

    let web = temp_capture("slow-web.pcap", &seed_slow_web_trace());
    let web_arg = web.to_str().unwrap();
    let all = kinds(&["findings", web_arg, "--json"]);
    assert!(all.contains(&"slow_response".to_string()), "{all:?}");
    // `tracelens findings` validates checksums.
    assert!(all.contains(&"bad_checksum".to_string()), "{all:?}");
    let patient = kinds(&["findings", web_arg, "--json", "--slow-response", "5"]);
    assert!(
        !patient.contains(&"slow_response".to_string()),
        "{patient:?}"
    );
    let (_, code) = run_cli(&["findings", web_arg, "--slow-response", "-1"]);
    assert_eq!(code, 2);

    let (text, code) = run_cli(&["findings", web_arg, "--timings"]);
    assert_eq!(code, 0);
    assert!(text.contains("analysis pass: "), "{text}");
    assert!(text.contains("(budget 25%)"), "{text}");
    let _ = std::fs::remove_file(web);
}

// ---------------------------------------------------------------------------------------------
// Evidence that is complete and agrees with the sentence, over the whole corpus.

/// The frames (1-based) that `filter` selects, run through our own filter engine.
fn selected(analyzer: &mut Analyzer, bytes: &Memory, filter: &str) -> Result<Vec<u64>, String> {
    let compiled = tracelens::filter::Filter::compile(filter).map_err(|e| e.to_string())?;
    let frames = analyzer
        .filter_frames(&compiled, Some(bytes))
        .map_err(|e| e.to_string())?;
    Ok(frames.into_iter().map(|i| u64::from(i) + 1).collect())
}

/// How many of `frames` the filter `what` selects.
fn count_of(analyzer: &mut Analyzer, bytes: &Memory, frames: &[u64], what: &str) -> i64 {
    let hits = selected(analyzer, bytes, what).unwrap_or_else(|e| panic!("{what}: {e}"));
    frames
        .iter()
        .filter(|no| hits.binary_search(no).is_ok())
        .count() as i64
}

const RETRANSMITTED: &str = "tcp.analysis.retransmission || tcp.analysis.fast_retransmission \
                             || tcp.analysis.spurious_retransmission";

/// Everything wrong with one finding's evidence: its filter must select every evidence frame,
/// every frame number its details cite must be evidence, and the counts its details state must
/// be counts of its evidence (each checked by a filter over the evidence frames, so the check
/// does not lean on the detector's own bookkeeping).
fn evidence_problems(analyzer: &mut Analyzer, bytes: &Memory, f: &Finding) -> Vec<String> {
    let mut problems = Vec::new();
    let mut say = |what: String| problems.push(format!("{}: {what}", f.kind.as_str()));
    let total = f.frames_total as i64;
    if f.frames.len() as u64 != f.frames_total {
        say(format!(
            "lists {} of {} frames",
            f.frames.len(),
            f.frames_total
        ));
    }
    if !f.frames.is_empty() {
        match selected(analyzer, bytes, &f.filter) {
            Ok(hits) => {
                let missing: Vec<u64> = f
                    .frames
                    .iter()
                    .copied()
                    .filter(|no| hits.binary_search(no).is_err())
                    .take(8)
                    .collect();
                if !missing.is_empty() {
                    say(format!("filter `{}` misses frames {missing:?}", f.filter));
                }
            }
            Err(e) => say(format!("filter `{}` does not compile: {e}", f.filter)),
        }
    }
    for (key, value) in f.details.iter() {
        let cited: Vec<i64> = if key.ends_with("_frame") {
            value.as_i64().into_iter().collect()
        } else if key.ends_with("_frames") {
            value
                .as_list()
                .map(|l| l.iter().filter_map(|d| d.as_i64()).collect())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        for no in cited {
            if f.frames.binary_search(&(no as u64)).is_err() {
                say(format!(
                    "details.{key} cites frame {no}, not in the evidence"
                ));
            }
        }
    }
    let d = |key: &str| f.details.get(key).and_then(|v| v.as_i64());
    let mut expect = |key: &str, want: Option<i64>, got: i64| {
        if let Some(want) = want {
            if want != got {
                problems.push(format!(
                    "{}: details.{key} = {want}, but the evidence holds {got}",
                    f.kind.as_str()
                ));
            }
        }
    };
    let frames = f.frames.clone();
    match f.kind {
        Kind::UnansweredSyn => {
            let syns = count_of(
                analyzer,
                bytes,
                &frames,
                "tcp.flags.syn == 1 && tcp.flags.ack == 0",
            );
            expect("syns", d("syns"), syns);
            expect("syns (all evidence)", d("syns"), total);
        }
        Kind::ManyConnectionsOneSource => {
            let syns = count_of(
                analyzer,
                bytes,
                &frames,
                "tcp.flags.syn == 1 && tcp.flags.ack == 0",
            );
            let synacks = count_of(
                analyzer,
                bytes,
                &frames,
                "tcp.flags.syn == 1 && tcp.flags.ack == 1",
            );
            if d("synacks").is_some() {
                expect("syns", d("syns"), syns);
                expect("synacks", d("synacks"), synacks);
                expect(
                    "syns + synacks",
                    d("syns").zip(d("synacks")).map(|(a, b)| a + b),
                    total,
                );
            } else {
                expect("attempts", d("attempts"), syns);
                expect("attempts (all evidence)", d("attempts"), total);
            }
        }
        Kind::BadChecksum => expect("bad_frames", d("bad_frames"), total),
        Kind::TruncatedFrames => expect("truncated_frames", d("truncated_frames"), total),
        Kind::Retransmissions => {
            expect("copies", d("copies"), total);
            let retransmitted = count_of(analyzer, bytes, &frames, RETRANSMITTED);
            expect("retransmissions", d("retransmissions"), retransmitted);
        }
        Kind::Reset => {
            let resets = count_of(analyzer, bytes, &frames, "tcp.flags.reset == 1");
            expect("connections", d("connections"), resets);
        }
        Kind::ZeroWindow => {
            let zero = count_of(
                analyzer,
                bytes,
                &frames,
                "tcp.window_size == 0 && tcp.flags.reset == 0",
            );
            expect("zero_window_frames", d("zero_window_frames"), zero);
        }
        Kind::ConnectionRefused => {
            let answers = count_of(
                analyzer,
                bytes,
                &frames,
                "tcp.flags.reset == 1 || icmp || icmpv6",
            );
            expect("attempts", d("attempts"), answers);
        }
        _ => {}
    }
    problems
}

/// 120 clients (10.20.0.0, 10.20.0.1, …), each trying its own port of one server once: the even
/// ones are refused by a RST, the odd ones send their SYN twice (3 s apart) and get nothing —
/// more paths than the refused and unanswered findings list one by one, so their summaries
/// carry the rest.
fn many_failing_paths() -> Vec<u8> {
    use capture::tcp;
    let base = 1_335_880_000_000_000_000i64;
    let server = [10, 0, 0, 9];
    let mut frames: Vec<(i64, Vec<u8>)> = Vec::new();
    for k in 0..120u16 {
        let client = ([10, 20, (k / 256) as u8, (k % 256) as u8], 30000 + k);
        let port = 1000 + k;
        let t = base + i64::from(k) * 10_000_000;
        let isn = 77_000 * u32::from(k);
        frames.push((
            t,
            tcp(client, (server, port), isn, 0, SYN, 8192, SYN_OPTIONS, &[]),
        ));
        if k % 2 == 0 {
            frames.push((
                t + 300_000,
                tcp((server, port), client, 0, isn + 1, RST | ACK, 0, &[], &[]),
            ));
        } else {
            frames.push((
                t + 3_000_000_000,
                tcp(client, (server, port), isn, 0, SYN, 8192, SYN_OPTIONS, &[]),
            ));
        }
    }
    frames.sort_by_key(|(t, _)| *t);
    capture::pcap(&frames)
}

#[test]
fn summaries_of_many_failing_paths_count_their_evidence() {
    let findings = analyze(&many_failing_paths()).findings();
    let refused = of_kind(&findings, Kind::ConnectionRefused);
    let unanswered = of_kind(&findings, Kind::UnansweredSyn);
    // Built: k = 0..120, the 60 even k refused, the 60 odd k unanswered with 2 SYNs each. Each
    // detector lists at most MAX_GROUPS = 50 findings (connection_refused.rs,
    // unanswered_syn.rs): 49 paths one by one and a summary of the other 60 − 49 = 11.
    assert_eq!((refused.len(), unanswered.len()), (50, 50));
    // 60 refused paths: 49 one by one, the other 11 in the summary with 11 SYNs + 11 RSTs.
    let summary = refused
        .iter()
        .find(|f| detail_i64(f, "paths").is_some())
        .unwrap();
    assert_eq!(detail_i64(summary, "paths"), Some(11));
    assert_eq!(summary.frames.len(), 22);
    // 60 unanswered paths: the summary holds 11 attempts of 2 SYNs each.
    let summary = unanswered
        .iter()
        .find(|f| detail_i64(f, "paths").is_some())
        .unwrap();
    assert_eq!(detail_i64(summary, "syns"), Some(22));
    assert_eq!(summary.frames.len(), 22);
}

#[test]
fn every_finding_lists_all_its_evidence_and_its_counts_match_it() {
    let dir = format!("{}/../shared/captures", env!("CARGO_MANIFEST_DIR"));
    let mut problems = Vec::new();
    let mut checked = 0;
    let mut inputs: Vec<(String, Vec<u8>)> = manifest_paths()
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(format!("{dir}/{p}")).expect("corpus file");
            (p, bytes)
        })
        .collect();
    inputs.push(("built: seed client trace".into(), seed_client_trace()));
    inputs.push(("built: nat_flood(3)".into(), nat_flood(3)));
    inputs.push(("built: rate_limited_burst".into(), rate_limited_burst()));
    inputs.push(("built: many_failing_paths".into(), many_failing_paths()));
    for (name, raw) in inputs {
        let mut analyzer = analyze_checked(&raw);
        let bytes = Memory::of(raw);
        for f in analyzer.findings() {
            checked += 1;
            // Users never read about "the seed": the text says what happened.
            for text in [&f.verdict, &f.explanation] {
                if text.to_lowercase().contains("seed") {
                    problems.push(format!("{name}: {} says \"seed\": {text}", f.kind.as_str()));
                }
            }
            for p in evidence_problems(&mut analyzer, &bytes, &f) {
                problems.push(format!("{name}: {p}"));
            }
        }
    }
    assert!(checked > 150, "only {checked} findings checked");
    assert!(
        problems.is_empty(),
        "{} problems in {checked} findings:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// zeek/docker-http-upgrade.pcap, captured on a libvirt bridge: all 200 frames, from the host
/// 192.168.122.1 (123) and the guest 192.168.122.87 (77), carry the TCP pseudo-header sum as
/// checksum (`tshark -o tcp.check_checksum:TRUE -T fields -e ip.src -e tcp.checksum
/// -e tcp.checksum.status`: status 0 (bad) on every frame, 0x75d8 on both 74-byte SYNs).
/// Placeholders from two hosts are offload inside the capturing machine, not corruption.
#[test]
fn bad_checksum_placeholders_from_virtual_machines_are_a_note() {
    let findings = corpus_checked("zeek/docker-http-upgrade.pcap").findings();
    let f = one_of_kind(&findings, Kind::BadChecksum);
    assert_eq!(f.severity, Severity::Note, "{}", f.verdict);
    assert_eq!(detail_i64(f, "bad_frames"), Some(200));
    assert_eq!(detail_i64(f, "placeholder_partial"), Some(200));
    assert!(f.verdict.contains("192.168.122.1 and 192.168.122.87 (hosts on the capturing machine, such as virtual machines or containers)"), "{}", f.verdict);
    // One sender leaving IPv4 checksums of 0 and TCP pseudo-header sums is the capturing host
    // (tshark: ip.checksum 0x0000 with status 0 on 172.31.112.17's frames, good the other way).
    let findings = corpus_checked("zeek/smb_v2_only_non_zero_reserved1.pcap").findings();
    let f = one_of_kind(&findings, Kind::BadChecksum);
    assert_eq!(f.severity, Severity::Note, "{}", f.verdict);
    // tshark -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE
    //   -Y 'ip.checksum.status==0 || tcp.checksum.status==0 || udp.checksum.status==0'
    //   -T fields -e ip.src | sort | uniq -c: 113 172.31.112.17.
    assert!(
        f.verdict
            .starts_with("113 frames sent by 172.31.112.17 (the capturing host)"),
        "{}",
        f.verdict
    );
}

/// The HTML report: self-contained (no script, no external reference) and hostile capture text
/// (an HTTP request line and Host header carrying markup and a URL) comes out escaped.
#[test]
fn html_report_escapes_hostile_capture_text() {
    let hostile = b"GET /<script>alert(1)</script>?u=https://evil.example/x HTTP/1.1\r\n\
                    Host: <script>http://evil.example</script>\r\n";
    let analyzer = analyze_checked(&slow_web_trace(hostile));
    let findings = analyzer.findings();
    let slow = one_of_kind(&findings, Kind::SlowResponse);
    assert!(slow.verdict.contains("<script>"), "{}", slow.verdict);
    let row = |no: u64| {
        analyzer
            .rows(usize::try_from(no - 1).ok()?, 1)
            .into_iter()
            .next()
    };
    let name = "<img src=x onerror=alert(1)>.pcap";
    let html = tracelens::findings::report::to_html(&findings, name, &analyzer.summary(), &row);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.to_lowercase().contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );
    // No tag refers to anything: no src, href or url( inside any tag.
    for tag in html.split('<').skip(1).filter_map(|t| t.split('>').next()) {
        assert!(
            !tag.contains("src=") && !tag.contains("href="),
            "tag <{tag}>"
        );
    }
    assert!(!html.contains("url("));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#47;script&gt;"),
        "{html}"
    );
    // The evidence table has the GET's packet-list row (its Info column carries the request).
    assert!(html.contains("<td>HTTP</td>"), "{html}");
    assert!(html.contains("GET &#47;&lt;script&gt;"), "{html}");
    assert!(html.contains("slow_response") && html.contains("tcp.stream == 0"));
    assert!(html.contains("<h2>Capture</h2>") && html.contains("2011-03-31 16:57:37"));
}
