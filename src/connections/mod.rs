//! Connection attempts: every TCP stream that starts with a SYN seen in the capture (the classic
//! `tcp.flags.syn==1 && tcp.flags.ack==0` view), with what became of it — established, refused
//! (RST or ICMP unreachable answering the SYN), unanswered (SYNs, possibly retransmitted, and no
//! answer although the client waited), inconclusive (one SYN, too soon to tell), answer not
//! captured, SYN+ACK never acknowledged, reset later, closed normally — the handshake timings
//! (SYN → SYN+ACK → ACK) and how often the SYN was retransmitted. Streams are Wireshark's
//! (`tcp.stream`), so a port-reusing SYN is a new attempt.
//!
//! The rows are a view of the one connection-attempt model, [`attempts`](mod@attempts): its [`Outcome`] and the
//! frames it keeps (SYNs, SYN-ACKs, the third packet, the first RST, the FINs), shared with the
//! findings (`unanswered_syn`, `connection_refused`, …), so a stream is classified once.

pub mod attempts;

pub use attempts::Outcome;

use crate::chunked::ChunkedVec;
use crate::flows::Flows;
use crate::index::PacketIndex;
use serde::{Serialize, Serializer};
use std::net::IpAddr;

/// One row of the Connections table: a view of one [`attempts::Attempt`]. Frames are 1-based;
/// times are nanoseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// tcp.stream
    pub stream: u32,
    pub client: Option<IpAddr>,
    pub client_port: u16,
    pub server: Option<IpAddr>,
    pub server_port: u16,
    /// Serialized as its table word ([`Outcome::name`]).
    #[serde(serialize_with = "outcome_name")]
    pub outcome: Outcome,
    pub first_syn_frame: u32,
    /// Relative to the first frame of the capture.
    pub first_syn_time_ns: i64,
    /// SYNs sent beyond the first, before the SYN+ACK.
    pub syn_retransmissions: u32,
    pub syn_ack_frame: Option<u32>,
    pub ack_frame: Option<u32>,
    #[serde(flatten)]
    pub times: HandshakeTimes,
    pub reset_frame: Option<u32>,
    /// "client" or "server".
    pub reset_by: Option<&'static str>,
    pub client_fin_frame: Option<u32>,
    pub server_fin_frame: Option<u32>,
}

/// How long the handshake's steps took (nanoseconds; `None` where a step is missing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HandshakeTimes {
    /// From the last SYN before the SYN+ACK to the SYN+ACK (the server's answer time).
    pub syn_to_syn_ack_ns: Option<i64>,
    /// From the SYN+ACK to the client's ACK.
    pub syn_ack_to_ack_ns: Option<i64>,
    /// From the first SYN to the client's ACK (what the client waited, retransmissions included).
    pub connect_ns: Option<i64>,
}

fn outcome_name<S: Serializer>(outcome: &Outcome, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(outcome.name())
}

/// Every connection attempt, in order of the first SYN. The rows are made from the collected
/// attempts a chunk at a time, each chunk given back once its rows are made, and kept in chunks
/// themselves: at twenty million frames each list is over 500 MB, and the two are never held
/// whole at once.
pub fn attempts(index: &PacketIndex, flows: &Flows) -> ChunkedVec<Attempt> {
    let model = attempts::Attempts::collect(index, flows);
    let capture_end = model.capture_end;
    let mut rows = ChunkedVec::new();
    for chunk in model.list.into_chunks() {
        for a in &chunk {
            if let Some(r) = row(index, flows, a, a.outcome(index, capture_end)) {
                rows.push(r);
            }
        }
    }
    rows
}

/// About the most [`attempts`] and the page's table of them hold at once, in bytes: the larger
/// of the collected attempts and their rows (both kept in chunks; the first given back as the
/// second is made), and the table's two orders (sorted, shown). What the page checks is free
/// first.
pub fn table_bytes(flows: &Flows) -> usize {
    let streams = flows.streams.iter().filter(|s| s.ip_proto == 6).count();
    let largest = std::mem::size_of::<attempts::Attempt>().max(std::mem::size_of::<Attempt>());
    streams * (largest + 8)
}

/// The table row of one attempt of the model (`None` only when its stream is missing).
pub fn row(
    index: &PacketIndex,
    flows: &Flows,
    a: &attempts::Attempt,
    outcome: Outcome,
) -> Option<Attempt> {
    let zero = index.records.first().map_or(0, |r| r.ts_ns);
    let ts = |i: u32| index.records.get(i as usize).map(|r| r.ts_ns);
    // Frame numbers as u32 (the index numbers frames with u32): the table of a large capture has
    // millions of rows.
    let no = |i: u32| i.saturating_add(1);
    let first_syn = a.first_syn();
    let syn_ack = a.synacks().first().copied();
    // SYNs before the (first) SYN-ACK: the retransmissions the table counts, and the last one
    // the SYN-ACK answers.
    let mut before = a
        .syns()
        .iter()
        .copied()
        .filter(|&s| syn_ack.is_none_or(|ans| s < ans));
    let syn_retransmissions = (before.clone().count() as u32).saturating_sub(1);
    let last_syn = before.next_back().unwrap_or(first_syn);
    let ack = a.third_frame().filter(|_| syn_ack.is_some());
    let between = |from: Option<u32>, to: Option<u32>| {
        let (from, to) = (ts(from?)?, ts(to?)?);
        Some(to.saturating_sub(from))
    };
    Some(Attempt {
        stream: a.stream_number(flows)?,
        client: index.addrs.get(a.client().0),
        client_port: a.client().1,
        server: index.addrs.get(a.server().0),
        server_port: a.server().1,
        outcome,
        first_syn_frame: no(first_syn),
        first_syn_time_ns: ts(first_syn).unwrap_or(zero).saturating_sub(zero),
        syn_retransmissions,
        syn_ack_frame: syn_ack.map(no),
        ack_frame: ack.map(no),
        times: HandshakeTimes {
            syn_to_syn_ack_ns: between(Some(last_syn), syn_ack),
            syn_ack_to_ack_ns: between(syn_ack, ack),
            connect_ns: between(Some(first_syn), ack),
        },
        reset_frame: a.rst_frame().map(no),
        reset_by: a
            .rst()
            .map(|rst| if rst.from_server { "server" } else { "client" }),
        client_fin_frame: a.client_fin().map(no),
        server_fin_frame: a.server_fin().map(no),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{flag, PacketRecord};

    fn seg(src: u32, dst: u32, flags: u8, ts: i64) -> PacketRecord {
        let (sp, dp) = if src == 1 { (40000, 80) } else { (80, 40000) };
        PacketRecord {
            src,
            dst,
            src_port: sp,
            dst_port: dp,
            tcp_flags: flags,
            ts_ns: ts,
            seq: if src == 1 { 100 } else { 900 },
            ip_proto: 6,
            flags: flag::TRANSPORT | flag::IPV4 | flag::HAS_TIME,
            ..PacketRecord::default()
        }
    }

    fn run(records: Vec<PacketRecord>) -> Vec<Attempt> {
        let index = PacketIndex {
            records: records.into(),
            ..PacketIndex::default()
        };
        let flows = Flows::build(&index);
        attempts(&index, &flows).iter().cloned().collect()
    }

    #[test]
    fn refused_and_unanswered() {
        let refused = run(vec![seg(1, 2, 0x02, 0), seg(2, 1, 0x14, 1000)]);
        assert_eq!(refused[0].outcome, Outcome::Refused);
        let unanswered = run(vec![seg(1, 2, 0x02, 0), seg(1, 2, 0x02, 3_000_000_000)]);
        assert_eq!(unanswered[0].outcome, Outcome::Unanswered);
        assert_eq!(unanswered[0].syn_retransmissions, 1);
    }

    #[test]
    fn handshake_timings_and_normal_close() {
        let a = run(vec![
            seg(1, 2, 0x02, 0),
            seg(1, 2, 0x02, 1_000),
            seg(2, 1, 0x12, 1_500),
            seg(1, 2, 0x10, 1_700),
            seg(1, 2, 0x11, 5_000),
            seg(2, 1, 0x11, 6_000),
        ]);
        let a = &a[0];
        assert_eq!(a.outcome, Outcome::ClosedNormally);
        assert_eq!(a.syn_retransmissions, 1);
        // By hand: SYN-ACK at 1500 - last SYN at 1000 = 500; ACK at 1700 - SYN-ACK at 1500 =
        // 200; ACK at 1700 - first SYN at 0 = 1700.
        assert_eq!(a.times.syn_to_syn_ack_ns, Some(500));
        assert_eq!(a.times.syn_ack_to_ack_ns, Some(200));
        assert_eq!(a.times.connect_ns, Some(1_700));
    }

    #[test]
    fn syn_ack_not_acknowledged_and_reset_later() {
        let a = run(vec![seg(1, 2, 0x02, 0), seg(2, 1, 0x12, 10)]);
        assert_eq!(a[0].outcome, Outcome::SynAckNotAcknowledged);
        let b = run(vec![
            seg(1, 2, 0x02, 0),
            seg(2, 1, 0x12, 10),
            seg(1, 2, 0x10, 20),
            seg(2, 1, 0x14, 30),
        ]);
        assert_eq!(b[0].outcome, Outcome::ResetLater);
        assert_eq!(b[0].reset_by, Some("server"));
    }

    #[test]
    fn words_the_findings_share() {
        // One SYN and the capture ends: too soon to tell (no `unanswered_syn` either).
        let lone = run(vec![seg(1, 2, 0x02, 0)]);
        assert_eq!(lone[0].outcome, Outcome::Inconclusive);
        assert_eq!(lone[0].outcome.name(), "inconclusive");
        // The client's own RST 0.3 ms after its SYN: it gave up, nothing was refused.
        let aborted = run(vec![seg(1, 2, 0x02, 0), seg(1, 2, 0x04, 300_000)]);
        assert_eq!(aborted[0].outcome.name(), "inconclusive");
        assert_eq!(aborted[0].reset_by, Some("client"));
        // SYN, then the client's ACKs: the SYN-ACK is missing from the capture.
        let unseen = run(vec![
            seg(1, 2, 0x02, 0),
            seg(1, 2, 0x10, 1_000),
            seg(1, 2, 0x18, 2_000),
        ]);
        assert_eq!(unseen[0].outcome.name(), "answer_not_captured");
        assert_eq!(unseen[0].ack_frame, None);
        // The server talks without a SYN-ACK in the trace.
        let other = run(vec![seg(1, 2, 0x02, 0), seg(2, 1, 0x10, 1_000)]);
        assert_eq!(other[0].outcome, Outcome::Other);
        assert_eq!(other[0].outcome.name(), "answer_not_captured");
        assert_eq!(Outcome::Unreachable.name(), "refused");
    }

    #[test]
    fn retransmissions_count_the_syns_before_the_syn_ack() {
        // SYN at 0, resent at 1000 and 3000; SYN-ACK at 3500; a late duplicate SYN at 4000.
        let a = run(vec![
            seg(1, 2, 0x02, 0),
            seg(1, 2, 0x02, 1_000),
            seg(1, 2, 0x02, 3_000),
            seg(2, 1, 0x12, 3_500),
            seg(1, 2, 0x02, 4_000),
            seg(1, 2, 0x10, 4_100),
        ]);
        let a = &a[0];
        assert_eq!(a.syn_retransmissions, 2);
        // 3500 - 3000 (the last SYN before the SYN-ACK); 4100 - 3500; 4100 - 0.
        assert_eq!(a.times.syn_to_syn_ack_ns, Some(500));
        assert_eq!(a.times.syn_ack_to_ack_ns, Some(600));
        assert_eq!(a.times.connect_ns, Some(4_100));
        assert_eq!((a.syn_ack_frame, a.ack_frame), (Some(4), Some(6)));
        assert_eq!(a.outcome, Outcome::Established);
    }

    #[test]
    fn the_json_word_is_the_outcome_name() {
        let a = run(vec![seg(1, 2, 0x02, 0), seg(2, 1, 0x14, 1000)]);
        let v = serde_json::to_value(&a[0]).unwrap();
        assert_eq!(v["outcome"], "refused");
        assert_eq!(v["reset_by"], "server");
    }

    #[test]
    fn streams_without_a_syn_are_not_attempts() {
        assert!(run(vec![seg(1, 2, 0x10, 0), seg(2, 1, 0x10, 1)]).is_empty());
    }
}
