//! Unit tests per rule, on small segment sequences between 10.0.0.1:40000 (client) and
//! 10.0.0.2:80 (server). Every expectation below is what tshark 4.0.17 reports for the same
//! sequence written as a pcap (checked when the tests were written), so each test pins one
//! Wireshark rule: the flag, the frame it lands on and its companions (ack_rtt, bytes in flight,
//! dup-ACK numbers).

use super::flags::*;
use super::rows::{row, Passes, TcpRow};
use super::{analyze, TcpAnalysis};
use crate::decode::TcpOptions;
use crate::flows::Flows;
use crate::index::{flag, PacketIndex, PacketRecord};

const SYN: u8 = 0x02;
const ACK: u8 = 0x10;
const PSH_ACK: u8 = 0x18;
const SYN_ACK: u8 = 0x12;
const FIN_ACK: u8 = 0x11;

/// One segment: direction, TCP flags, raw seq/ack, payload length, raw window, time (µs) and
/// options.
struct Seg {
    from_client: bool,
    flags: u8,
    seq: u32,
    ack: u32,
    len: u16,
    win: u16,
    t_us: i64,
    options: Option<TcpOptions>,
}

fn c(flags: u8, seq: u32, ack: u32, len: u16, win: u16, t_us: i64) -> Seg {
    Seg {
        from_client: true,
        flags,
        seq,
        ack,
        len,
        win,
        t_us,
        options: None,
    }
}

fn s(flags: u8, seq: u32, ack: u32, len: u16, win: u16, t_us: i64) -> Seg {
    Seg {
        from_client: false,
        ..c(flags, seq, ack, len, win, t_us)
    }
}

fn with_ws(mut seg: Seg, shift: u8) -> Seg {
    seg.options = Some(TcpOptions {
        window_scale: Some(shift),
        ..TcpOptions::default()
    });
    seg
}

fn with_sack(mut seg: Seg, left: u32, right: u32) -> Seg {
    let mut options = TcpOptions {
        sack_count: 1,
        ..TcpOptions::default()
    };
    options.sack[0] = (left, right);
    seg.options = Some(options);
    seg
}

struct Run {
    index: PacketIndex,
    flows: Flows,
    tcp: TcpAnalysis,
}

impl Run {
    fn row(&self, no: usize) -> TcpRow {
        row(&self.index, &self.flows, &self.tcp, no - 1, Passes::Two).expect("a TCP frame")
    }
    /// The `tcp.analysis.*` fields of frame `no` (1-based), as tshark names them.
    fn flags(&self, no: usize) -> Vec<&'static str> {
        field_names(self.row(no).flags)
    }
    fn rtt_us(&self, no: usize) -> Option<i64> {
        self.row(no).ack_rtt_ns.map(|ns| ns / 1000)
    }
    fn bif(&self, no: usize) -> Option<u32> {
        self.row(no).bytes_in_flight
    }
}

fn run(segments: Vec<Seg>) -> Run {
    let mut index = PacketIndex::default();
    let client = index.addrs.intern("10.0.0.1".parse().unwrap());
    let server = index.addrs.intern("10.0.0.2".parse().unwrap());
    for (i, seg) in segments.into_iter().enumerate() {
        let (src, dst, sport, dport) = if seg.from_client {
            (client, server, 40000, 80)
        } else {
            (server, client, 80, 40000)
        };
        let mut flags = flag::IPV4 | flag::TRANSPORT | flag::HAS_TIME;
        if let Some(options) = seg.options {
            flags |= flag::HAS_TCP_OPTIONS;
            index.tcp_options.push(i as u32, options);
        }
        index.records.push(PacketRecord {
            ts_ns: 1_000_000_000_000 + seg.t_us * 1000,
            src,
            dst,
            src_port: sport,
            dst_port: dport,
            seq: seg.seq,
            ack: seg.ack,
            payload_len: seg.len,
            window: seg.win,
            tcp_flags: seg.flags,
            ip_proto: 6,
            flags,
            ..PacketRecord::default()
        });
    }
    let flows = Flows::build(&index);
    let tcp = analyze(&index, &flows);
    Run { index, flows, tcp }
}

#[test]
fn handshake_gives_ack_rtt_initial_rtt_and_bytes_in_flight() {
    let r = run(vec![
        with_ws(c(SYN, 1000, 0, 0, 65535, 0), 7),
        with_ws(s(SYN_ACK, 5000, 1001, 0, 65535, 10_000), 7),
        c(ACK, 1001, 5001, 0, 512, 20_000),
        c(PSH_ACK, 1001, 5001, 100, 512, 21_000),
        c(PSH_ACK, 1101, 5001, 100, 512, 21_500),
        s(ACK, 5001, 1201, 0, 512, 40_000),
    ]);
    assert_eq!(r.rtt_us(2), Some(10_000));
    assert_eq!(r.rtt_us(3), Some(10_000));
    assert_eq!(r.row(3).initial_rtt_ns, Some(20_000_000));
    assert_eq!((r.bif(4), r.bif(5)), (Some(100), Some(200)));
    // The ACK of 1201 matches frame 5 exactly; frame 4 is covered silently.
    assert_eq!((r.row(6).acks_frame, r.rtt_us(6)), (Some(5), Some(18_500)));
    // Scaled windows: 512 << 7 after the handshake, SYNs unscaled.
    assert_eq!(r.row(3).window, Some(512 << 7));
    assert_eq!(r.row(1).window, Some(65535));
    assert_eq!(
        (r.row(4).seq, r.row(4).ack, r.row(4).nxtseq),
        (1, 1, Some(101))
    );
    assert!((1..=6).all(|no| r.flags(no).is_empty()));
}

#[test]
fn lost_segment_out_of_order_and_spurious_retransmission() {
    let r = run(vec![
        c(ACK, 1001, 9001, 100, 512, 0),
        c(ACK, 1201, 9001, 100, 512, 1_000),
        c(ACK, 1101, 9001, 100, 512, 1_500),
        s(ACK, 9001, 1301, 0, 512, 50_000),
        c(ACK, 1001, 9001, 100, 512, 300_000),
    ]);
    assert_eq!(r.flags(2), vec!["lost_segment"]);
    // BiF is off after a gap until the peer ACKs again.
    assert_eq!(r.bif(2), None);
    // 0.5 ms after the highest segment, below the 3 ms default threshold.
    assert_eq!(r.flags(3), vec!["out_of_order"]);
    assert_eq!(r.rtt_us(4), Some(49_000));
    assert_eq!(
        r.flags(5),
        vec!["retransmission", "spurious_retransmission"]
    );
    assert_eq!(r.bif(5), Some(100));
}

#[test]
fn duplicate_acks_then_fast_retransmission_then_retransmission() {
    let r = run(vec![
        c(ACK, 1001, 9001, 100, 512, 0),
        c(ACK, 1101, 9001, 100, 512, 100),
        c(ACK, 1201, 9001, 100, 512, 200),
        s(ACK, 9001, 1101, 0, 1000, 50_000),
        s(ACK, 9001, 1101, 0, 1000, 50_100),
        s(ACK, 9001, 1101, 0, 1000, 50_200),
        c(ACK, 1101, 9001, 100, 512, 50_300),
        c(ACK, 1201, 9001, 100, 512, 400_000),
    ]);
    assert_eq!(r.bif(3), Some(300));
    assert_eq!(r.rtt_us(4), Some(50_000));
    for (no, num) in [(5, 1), (6, 2)] {
        assert_eq!(r.flags(no), vec!["duplicate_ack"]);
        assert_eq!(
            (r.row(no).dup_ack_num, r.row(no).dup_ack_frame),
            (Some(num), Some(4))
        );
    }
    // Two dup ACKs, the segment the peer asks for, within 20 ms.
    assert_eq!(r.flags(7), vec!["retransmission", "fast_retransmission"]);
    assert_eq!(r.flags(8), vec!["retransmission"]);
    assert_eq!((r.bif(7), r.bif(8)), (Some(200), Some(200)));
}

#[test]
fn zero_window_probe_probe_ack_and_window_update() {
    let r = run(vec![
        c(ACK, 1001, 9001, 100, 512, 0),
        s(ACK, 9001, 1101, 0, 0, 1_000),
        c(ACK, 1101, 9001, 1, 512, 200_000),
        s(ACK, 9001, 1101, 0, 0, 201_000),
        s(ACK, 9001, 1101, 0, 1000, 300_000),
        c(ACK, 1101, 9001, 100, 512, 300_500),
    ]);
    assert_eq!(r.flags(2), vec!["zero_window"]);
    assert_eq!(r.flags(3), vec!["zero_window_probe"]);
    assert_eq!(r.flags(4), vec!["zero_window", "zero_window_probe_ack"]);
    assert_eq!(r.flags(5), vec!["window_update"]);
    // The probe did not advance the sequence: the next full segment is new data.
    assert!(r.flags(6).is_empty());
    assert_eq!(r.bif(6), Some(100));
}

#[test]
fn keep_alive_and_keep_alive_ack() {
    let r = run(vec![
        c(ACK, 1001, 9001, 100, 512, 0),
        s(ACK, 9001, 1101, 0, 1000, 1_000),
        c(ACK, 1100, 9001, 0, 512, 60_000_000),
        s(ACK, 9001, 1101, 0, 1000, 60_001_000),
        c(ACK, 1100, 9001, 1, 512, 120_000_000),
    ]);
    assert_eq!(r.flags(3), vec!["keep_alive"]);
    assert_eq!(r.flags(4), vec!["keep_alive_ack"]);
    // A one-byte keep-alive is not a retransmission.
    assert_eq!(r.flags(5), vec!["keep_alive"]);
}

#[test]
fn window_full_needs_the_exact_edge_of_the_scaled_window() {
    let r = run(vec![
        with_ws(c(SYN, 1000, 0, 0, 65535, 0), 0),
        with_ws(s(SYN_ACK, 5000, 1001, 0, 65535, 1_000), 0),
        c(ACK, 1001, 5001, 0, 65535, 2_000),
        s(ACK, 5001, 1001, 0, 300, 3_000),
        c(PSH_ACK, 1001, 5001, 300, 65535, 4_000),
    ]);
    assert_eq!(r.flags(4), vec!["window_update"]);
    assert_eq!(r.flags(5), vec!["window_full"]);
}

#[test]
fn a_new_isn_reuses_ports_and_the_original_syn_is_the_one_acked() {
    let r = run(vec![
        c(SYN, 1000, 0, 0, 65535, 0),
        s(SYN_ACK, 5000, 1001, 0, 65535, 1_000),
        c(ACK, 1001, 5001, 0, 512, 2_000),
        c(FIN_ACK, 1001, 5001, 0, 512, 3_000),
        s(FIN_ACK, 5001, 1002, 0, 512, 4_000),
        c(ACK, 1002, 5002, 0, 512, 5_000),
        c(SYN, 777_777, 0, 0, 65535, 10_000_000),
        c(SYN, 777_777, 0, 0, 65535, 11_000_000),
        s(SYN_ACK, 3333, 777_778, 0, 65535, 11_001_000),
    ]);
    assert_eq!((r.row(6).stream, r.row(7).stream), (0, 1));
    assert_eq!(r.flags(7), vec!["reused_ports"]);
    assert_eq!(r.flags(8), vec!["retransmission"]);
    // The SYN+ACK matches both SYNs; the walk ends on the oldest.
    assert_eq!(
        (r.row(9).acks_frame, r.rtt_us(9)),
        (Some(7), Some(1_001_000))
    );
    // tshark -2: SYN, SYN-ACK, ACK, FIN for the first connection; SYN, SYN-ACK for the second.
    assert_eq!(r.row(1).completeness, Some(0x17));
    assert_eq!(r.row(7).completeness, Some(0x03));
}

#[test]
fn sacked_bytes_are_not_in_flight() {
    let r = run(vec![
        c(ACK, 1001, 9001, 100, 512, 0),
        c(ACK, 1101, 9001, 100, 512, 100),
        c(ACK, 1201, 9001, 100, 512, 200),
        with_sack(s(ACK, 9001, 1101, 0, 1000, 50_000), 1201, 1301),
        c(ACK, 1301, 9001, 100, 512, 50_100),
    ]);
    // Unacked 1101..1401 is 300 bytes, 100 of them SACKed.
    assert_eq!(r.bif(5), Some(200));
}

#[test]
fn acked_unseen_segment_is_reported_once() {
    let r = run(vec![
        c(ACK, 1001, 9001, 100, 512, 0),
        s(ACK, 9001, 1501, 0, 1000, 1_000),
        s(ACK, 9001, 1501, 0, 1000, 2_000),
        c(ACK, 1501, 9001, 100, 512, 3_000),
    ]);
    assert_eq!(r.flags(2), vec!["ack_lost_segment"]);
    assert_eq!(r.flags(3), vec!["duplicate_ack"]);
    assert_eq!(r.flags(4), vec!["lost_segment"]);
}

#[test]
fn hostile_sequences_do_not_panic() {
    // Wrapping sequence numbers, zero windows, zero-length streams, no timestamps.
    let mut segments = vec![
        c(SYN, u32::MAX, 0, 0, 0, 0),
        s(SYN_ACK, u32::MAX - 1, 0, 0, 0, -5),
        c(ACK, 0, u32::MAX, 0, 0, -10),
        c(PSH_ACK, 0, u32::MAX, 65535, 0, 0),
        s(0x04, 0, 0, 0, 0, 0),
    ];
    for k in 0..200u32 {
        segments.push(c(
            PSH_ACK,
            k.wrapping_mul(0x9E37_79B9),
            k,
            (k % 3) as u16,
            0,
            0,
        ));
    }
    let r = run(segments);
    for no in 1..=r.index.len() {
        let _ = r.row(no);
    }
}
