//! One row per TCP frame with the values tshark shows for it (`tcp.stream`, relative
//! `tcp.seq`/`tcp.ack`/`tcp.nxtseq`, scaled `tcp.window_size`, the `tcp.analysis.*` fields and
//! `tcp.completeness`), shared by `tracelens tcp`, the page and the parity tests.

use super::{Changed, TcpAnalysis};
use crate::decode::{TCP_ACK, TCP_FIN, TCP_SYN};
use crate::flows::Flows;
use crate::index::PacketIndex;
use serde::Serialize;

/// The analysis facts of one TCP frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TcpRow {
    /// 1-based frame number.
    pub no: u64,
    pub stream: u32,
    /// Relative sequence / acknowledgement numbers (raw where Wireshark shows raw ones: no
    /// analysis, or no ACK flag for `ack`).
    pub seq: u32,
    pub ack: u32,
    /// Segment length; `None` for a TCP header quoted in an ICMP error (Wireshark shows none).
    pub len: Option<u32>,
    pub nxtseq: Option<u32>,
    /// Window after scaling.
    pub window: Option<u32>,
    /// Analysis flag bits ([`super::flags`]).
    pub flags: u16,
    /// Nanoseconds.
    pub ack_rtt_ns: Option<i64>,
    pub initial_rtt_ns: Option<i64>,
    pub bytes_in_flight: Option<u32>,
    pub acks_frame: Option<u32>,
    pub dup_ack_num: Option<u32>,
    pub dup_ack_frame: Option<u32>,
    pub completeness: Option<u8>,
}

/// Whether values are shown as `tshark -2` (and the GUI) shows them — final per-stream facts on
/// every frame — or as single-pass tshark does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passes {
    One,
    Two,
}

/// The row of frame `i` (0-based), or `None` when it carries no TCP header.
pub fn row(
    index: &PacketIndex,
    flows: &Flows,
    tcp: &TcpAnalysis,
    i: usize,
    passes: Passes,
) -> Option<TcpRow> {
    let id = flows.stream_of.get(i)?;
    let stream = flows.streams.get(id as usize)?;
    if stream.ip_proto != 6 {
        return None;
    }
    let record = index.records.get(i)?;
    if flows.is_quoted(i as u32) {
        return quoted_row(index, tcp, i, (id, stream.number), passes);
    }
    let seg = tcp.segment(i);
    let facts = tcp.streams.get(id as usize).copied().unwrap_or_default();
    let analysed = seg.has(super::bit::ANALYSED);
    let tcp_flags = u16::from(record.tcp_flags);
    let dir = flows.ends(stream, &index.records).direction_of(&record);
    let base = |d: usize| {
        let earlier = (passes == Passes::One)
            .then(|| tcp.value_before_change(id, d, Changed::Base, i as u32))
            .flatten();
        earlier.unwrap_or(stream.base_seq(d).unwrap_or(0))
    };
    let (seq, ack) = if analysed {
        let seq = record.seq.wrapping_sub(base(dir));
        let ack = if tcp_flags & TCP_ACK != 0 {
            record.ack.wrapping_sub(base(1 - dir))
        } else {
            record.ack
        };
        (seq, ack)
    } else {
        (record.seq, record.ack)
    };
    let len = record.payload_len();
    let shown_len = Some(len);
    let shown = seg.shown();
    let dup = tcp.dup_ack(i).filter(|_| shown);
    let completeness = match passes {
        Passes::Two => facts.completeness_two_pass(i as u32 == stream.first_frame),
        Passes::One => seg.completeness_so_far(),
    };
    Some(TcpRow {
        no: i as u64 + 1,
        stream: stream.number,
        seq,
        ack,
        len: shown_len,
        nxtseq: analysed.then(|| {
            seq.wrapping_add(len)
                .wrapping_add(u32::from(tcp_flags & (TCP_SYN | TCP_FIN) != 0))
        }),
        window: analysed
            .then(|| tcp.scaled_window_at(flows, index, i, passes == Passes::One))
            .flatten(),
        flags: if shown { seg.flags() } else { 0 },
        ack_rtt_ns: tcp.ack_rtt_ns(index, i),
        initial_rtt_ns: tcp.initial_rtt_ns(flows, i, passes == Passes::Two),
        bytes_in_flight: (shown && seg.bytes_in_flight != 0).then_some(seg.bytes_in_flight),
        acks_frame: (shown && seg.acked_frame != 0).then_some(seg.acked_frame),
        dup_ack_num: dup.map(|d| d.num),
        dup_ack_frame: dup.map(|d| d.frame),
        completeness: analysed.then_some(completeness),
    })
}

/// A TCP header quoted in an ICMP error: Wireshark finds its conversation (stream number and
/// completeness) but analyses nothing, so sequence numbers are raw, the window unscaled and there
/// is no segment length.
fn quoted_row(
    index: &PacketIndex,
    tcp: &TcpAnalysis,
    i: usize,
    (id, stream): (u32, u32),
    passes: Passes,
) -> Option<TcpRow> {
    let quote = index.icmp_quotes.get(i as u32)?;
    let completeness = match passes {
        Passes::One => tcp.segment_bits(i).completeness_so_far(),
        Passes::Two => tcp
            .streams
            .get(id as usize)
            .map_or(0, |facts| facts.completeness_two_pass(false)),
    };
    Some(TcpRow {
        no: i as u64 + 1,
        stream,
        seq: quote.seq,
        ack: quote.ack,
        len: None,
        nxtseq: None,
        window: (quote.captured >= 16).then_some(u32::from(quote.window)),
        flags: 0,
        ack_rtt_ns: None,
        initial_rtt_ns: None,
        bytes_in_flight: None,
        acks_frame: None,
        dup_ack_num: None,
        dup_ack_frame: None,
        completeness: Some(completeness),
    })
}

/// Formats nanoseconds as tshark prints a relative time field (seconds, 9 decimals).
pub fn seconds(ns: i64) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let abs = ns.unsigned_abs();
    format!("{sign}{}.{:09}", abs / 1_000_000_000, abs % 1_000_000_000)
}
