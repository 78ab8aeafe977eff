//! Connection attempts: every TCP stream that starts with a SYN seen in the capture (the classic
//! `tcp.flags.syn==1 && tcp.flags.ack==0` view), with what became of it — established, refused
//! (RST answering the SYN), unanswered (SYNs, possibly retransmitted, and no SYN+ACK), SYN+ACK
//! never acknowledged, reset later, closed normally — the handshake timings (SYN → SYN+ACK →
//! ACK) and how often the SYN was retransmitted. Streams are Wireshark's (`tcp.stream`), so a
//! port-reusing SYN is a new attempt.

use crate::decode::{TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN};
use crate::flows::{Flows, NO_STREAM};
use crate::index::{flag, PacketIndex};
use serde::Serialize;
use std::net::IpAddr;

/// What became of a connection attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// SYNs without any answer from the server.
    Unanswered,
    /// The server answered the SYN with a reset.
    Refused,
    /// The server sent SYN+ACK but the client never acknowledged it.
    SynAckNotAcknowledged,
    /// Handshake completed and the connection is still open at the end of the capture.
    Established,
    /// Handshake completed, then a reset.
    ResetLater,
    /// Handshake completed and both sides sent FIN.
    ClosedNormally,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Unanswered => "unanswered",
            Outcome::Refused => "refused",
            Outcome::SynAckNotAcknowledged => "syn_ack_not_acknowledged",
            Outcome::Established => "established",
            Outcome::ResetLater => "reset_later",
            Outcome::ClosedNormally => "closed_normally",
        }
    }
}

/// One connection attempt. Frames are 1-based; times are nanoseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// tcp.stream
    pub stream: u32,
    pub client: Option<IpAddr>,
    pub client_port: u16,
    pub server: Option<IpAddr>,
    pub server_port: u16,
    pub outcome: Outcome,
    pub first_syn_frame: u64,
    /// Relative to the first frame of the capture.
    pub first_syn_time_ns: i64,
    /// SYNs sent beyond the first.
    pub syn_retransmissions: u32,
    pub syn_ack_frame: Option<u64>,
    pub ack_frame: Option<u64>,
    /// From the last SYN before the SYN+ACK to the SYN+ACK (the server's answer time).
    pub syn_to_syn_ack_ns: Option<i64>,
    /// From the SYN+ACK to the client's ACK.
    pub syn_ack_to_ack_ns: Option<i64>,
    /// From the first SYN to the client's ACK (what the client waited, retransmissions included).
    pub connect_ns: Option<i64>,
    pub reset_frame: Option<u64>,
    /// "client" or "server".
    pub reset_by: Option<&'static str>,
    pub client_fin_frame: Option<u64>,
    pub server_fin_frame: Option<u64>,
}

/// What is known about an attempt while the frames go by.
struct Builder {
    attempt: Attempt,
    client: (u32, u16),
    last_syn_ns: i64,
    syn_ack_ns: Option<i64>,
    first_syn_ns: i64,
}

/// Every connection attempt, in order of the first SYN.
pub fn attempts(index: &PacketIndex, flows: &Flows) -> Vec<Attempt> {
    let zero = index.records.first().map_or(0, |r| r.ts_ns);
    // Per flows stream id: index into `built`, or u32::MAX.
    let mut slot_of: Vec<u32> = vec![u32::MAX; flows.streams.len()];
    let mut built: Vec<Builder> = Vec::new();
    for (i, r) in index.records.iter().enumerate() {
        let id = flows.stream_of.get(i).copied().unwrap_or(NO_STREAM);
        if id == NO_STREAM || !r.is_tcp() || r.has(flag::FRAGMENT) || flows.is_quoted(i as u32) {
            continue;
        }
        let Some(stream) = flows.streams.get(id as usize) else {
            continue;
        };
        let f = u16::from(r.tcp_flags);
        let no = i as u64 + 1;
        let src = (r.src, r.src_port);
        let syn = f & (TCP_SYN | TCP_ACK) == TCP_SYN;
        let Some(&slot) = slot_of.get(id as usize) else {
            continue;
        };
        if slot == u32::MAX {
            if !syn {
                continue; // the stream did not start with a SYN in this capture
            }
            slot_of[id as usize] = built.len() as u32;
            built.push(Builder {
                attempt: Attempt {
                    stream: stream.number,
                    client: index.addrs.get(r.src),
                    client_port: r.src_port,
                    server: index.addrs.get(r.dst),
                    server_port: r.dst_port,
                    outcome: Outcome::Unanswered,
                    first_syn_frame: no,
                    first_syn_time_ns: r.ts_ns - zero,
                    syn_retransmissions: 0,
                    syn_ack_frame: None,
                    ack_frame: None,
                    syn_to_syn_ack_ns: None,
                    syn_ack_to_ack_ns: None,
                    connect_ns: None,
                    reset_frame: None,
                    reset_by: None,
                    client_fin_frame: None,
                    server_fin_frame: None,
                },
                client: src,
                last_syn_ns: r.ts_ns,
                syn_ack_ns: None,
                first_syn_ns: r.ts_ns,
            });
            continue;
        }
        let b = &mut built[slot as usize];
        let from_client = src == b.client;
        let a = &mut b.attempt;
        if syn && from_client {
            if a.syn_ack_frame.is_none() {
                a.syn_retransmissions += 1;
                b.last_syn_ns = r.ts_ns;
            }
            continue;
        }
        if f & (TCP_SYN | TCP_ACK) == TCP_SYN | TCP_ACK && !from_client {
            if a.syn_ack_frame.is_none() {
                a.syn_ack_frame = Some(no);
                a.syn_to_syn_ack_ns = Some(r.ts_ns - b.last_syn_ns);
                b.syn_ack_ns = Some(r.ts_ns);
            }
            continue;
        }
        if f & TCP_RST != 0 && a.reset_frame.is_none() {
            a.reset_frame = Some(no);
            a.reset_by = Some(if from_client { "client" } else { "server" });
        }
        if f & (TCP_SYN | TCP_ACK) == TCP_ACK && from_client && a.ack_frame.is_none() {
            if let Some(syn_ack) = b.syn_ack_ns {
                if f & TCP_RST == 0 {
                    a.ack_frame = Some(no);
                    a.syn_ack_to_ack_ns = Some(r.ts_ns - syn_ack);
                    a.connect_ns = Some(r.ts_ns - b.first_syn_ns);
                }
            }
        }
        if f & TCP_FIN != 0 {
            let slot = if from_client {
                &mut a.client_fin_frame
            } else {
                &mut a.server_fin_frame
            };
            slot.get_or_insert(no);
        }
    }
    built
        .into_iter()
        .map(|mut b| {
            b.attempt.outcome = outcome_of(&b.attempt);
            b.attempt
        })
        .collect()
}

fn outcome_of(a: &Attempt) -> Outcome {
    match (a.syn_ack_frame.is_some(), a.ack_frame.is_some()) {
        (false, _) if a.reset_by == Some("server") => Outcome::Refused,
        (false, _) => Outcome::Unanswered,
        (true, false) => Outcome::SynAckNotAcknowledged,
        (true, true) if a.reset_frame.is_some() => Outcome::ResetLater,
        (true, true) if a.client_fin_frame.is_some() && a.server_fin_frame.is_some() => {
            Outcome::ClosedNormally
        }
        (true, true) => Outcome::Established,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::PacketRecord;

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
            records,
            ..PacketIndex::default()
        };
        let flows = Flows::build(&index);
        attempts(&index, &flows)
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
        assert_eq!(a.syn_to_syn_ack_ns, Some(500));
        assert_eq!(a.syn_ack_to_ack_ns, Some(200));
        assert_eq!(a.connect_ns, Some(1_700));
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
    fn streams_without_a_syn_are_not_attempts() {
        assert!(run(vec![seg(1, 2, 0x10, 0), seg(2, 1, 0x10, 1)]).is_empty());
    }
}
