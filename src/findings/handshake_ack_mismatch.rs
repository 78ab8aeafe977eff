//! `handshake_ack_mismatch`: the third packet of a TCP handshake acknowledges something other than
//! the SYN-ACK's ISN+1 (the seed's FWX_E_SEQ_ACK_MISMATCH case).
//!
//! A firewall or proxy that validates sequence numbers drops such an ACK and ignores the rest of
//! the connection, so the finding states the expected and actual numbers, the difference in
//! bytes, the likely cause (a SYN-ACK that carried payload, which the client acknowledged), and
//! what followed: the first data retransmitted without an answer, the server re-sending its
//! SYN-ACK, a reset — with times. It is an error when the connection then failed, a warning when
//! the server carried on regardless (the path tolerates it, a validating firewall would not).
//!
//! The ACK is judged only when the server sent no data before it (otherwise acknowledging more
//! than ISN+1 is normal).

use super::render;
use super::text::{self, endpoint, frame_no, record, Named, Synack};
use super::{Details, Finding, Kind, Severity};
use crate::capture::FileInfo;
use crate::connections::attempts::{is_rst, is_syn_ack, Attempt, Attempts, Third};
use crate::flows::Flows;
use crate::index::PacketIndex;

pub fn detect(index: &PacketIndex, flows: &Flows, _files: &[FileInfo]) -> Vec<Finding> {
    from_attempts(index, flows, &Attempts::collect(index, flows))
}

pub fn from_attempts(index: &PacketIndex, flows: &Flows, attempts: &Attempts) -> Vec<Finding> {
    attempts
        .list
        .iter()
        .filter(|a| a.ack_mismatch())
        .filter_map(|a| finding(index, flows, a))
        .collect()
}

/// What happened after the mismatched ACK.
pub(crate) struct Aftermath {
    /// The client's first data segment (may be the third packet itself).
    pub first_data: Option<u32>,
    /// Retransmissions of that segment (same sequence number, with payload).
    pub data_retransmissions: Vec<u32>,
    /// SYN-ACKs the server sent again after the third packet.
    pub synack_again: Vec<u32>,
    /// The server sent data or acknowledged the client's data.
    pub server_answered: bool,
    /// The first RST after the third packet.
    pub reset: Option<u32>,
}

fn aftermath(index: &PacketIndex, a: &Attempt, third: Third) -> Aftermath {
    let (after_third, third) = (a.after_third(), third.frame);
    let third_record = record(index, third);
    let mut first_data = (third_record.payload_len() > 0).then_some(third);
    let mut data_seq = third_record.seq;
    let client_next = a.client_isn.wrapping_add(1);
    let mut out = Aftermath {
        first_data: None,
        data_retransmissions: Vec::new(),
        synack_again: Vec::new(),
        server_answered: false,
        reset: None,
    };
    for &i in after_third {
        let r = record(index, i);
        let from_client = (r.src, r.src_port) == a.client();
        if is_rst(&r) {
            out.reset.get_or_insert(i);
            continue;
        }
        if from_client {
            if r.payload_len() == 0 {
                continue;
            }
            match first_data {
                None => {
                    first_data = Some(i);
                    data_seq = r.seq;
                }
                Some(_) if r.seq == data_seq => out.data_retransmissions.push(i),
                Some(_) => {}
            }
        } else if is_syn_ack(&r) {
            out.synack_again.push(i);
        } else if r.payload_len() > 0
            || (first_data.is_some() && (r.ack.wrapping_sub(client_next) as i32) > 0)
        {
            out.server_answered = true;
        }
    }
    out.first_data = first_data;
    out
}

/// What one mismatched handshake shows, before any wording.
pub(crate) struct MismatchFacts {
    /// The client's and server's endpoints, and the server's address.
    pub client: String,
    pub server: Named,
    pub synack: Synack,
    /// The third packet's frame and the ACK it sent.
    pub third: u32,
    pub actual: u32,
    pub after: Aftermath,
    /// The first data's length; each retransmission's delay after it.
    pub first_data: Option<FirstData>,
    /// Who reset the connection (address), and how long after the ACK.
    pub reset_by: Option<ResetBy>,
}

/// The client's first data after the mismatched ACK: its length, and each retransmission's
/// delay after it.
pub(crate) struct FirstData {
    pub len: u32,
    pub retrans_offsets_ns: Vec<i64>,
}

/// Who reset the connection after the mismatched ACK (their address), and how long after it.
pub(crate) struct ResetBy {
    pub host: String,
    pub after_ns: Option<i64>,
}

impl MismatchFacts {
    fn gather(index: &PacketIndex, a: &Attempt) -> Option<Self> {
        let third_packet = a.third()?;
        let (third, synack) = (third_packet.frame, third_packet.answers);
        let synack = Synack::of(index, synack);
        let actual = record(index, third).ack;
        let server = Named::of(index, a.server());
        let after = aftermath(index, a, third_packet);
        let reset_by = after.reset.map(|r| {
            let rr = record(index, r);
            ResetBy {
                host: if (rr.src, rr.src_port) == a.client() {
                    text::address(index, a.client().0)
                } else {
                    server.host.clone()
                },
                after_ns: text::between(index, third, r),
            }
        });
        Some(MismatchFacts {
            client: endpoint(index, a.client()),
            server,
            synack,
            third,
            actual,
            first_data: after.first_data.map(|first| FirstData {
                len: record(index, first).payload_len(),
                retrans_offsets_ns: after
                    .data_retransmissions
                    .iter()
                    .filter_map(|&r| text::between(index, first, r))
                    .collect(),
            }),
            reset_by,
            after,
        })
    }

    /// By how much the client's ACK is off what was called for (ahead when positive).
    pub fn diff(&self) -> i64 {
        i64::from(self.actual.wrapping_sub(self.synack.expected_ack()) as i32)
    }

    /// The connection failed after the ACK (rather than carrying on regardless).
    fn failed(&self) -> bool {
        let after = &self.after;
        !after.server_answered
            && (!after.data_retransmissions.is_empty()
                || !after.synack_again.is_empty()
                || after.reset.is_some())
    }

    /// The finding's numbers.
    fn details(&self) -> Details {
        let after = &self.after;
        Details::new()
            .with("client", self.client.clone())
            .with("server", self.server.endpoint.clone())
            .with("synack_isn", self.synack.isn)
            .with("expected_ack", self.synack.expected_ack())
            .with("actual_ack", self.actual)
            .with("difference", self.diff())
            .with("synack_frame", frame_no(self.synack.frame))
            .with("ack_frame", frame_no(self.third))
            .with("synack_payload_len", self.synack.payload)
            .with("synack_ip_len", self.synack.known_ip_len())
            .with("first_data_frame", after.first_data.map(frame_no))
            .with("first_data_len", self.first_data.as_ref().map(|d| d.len))
            .with("data_retransmissions", after.data_retransmissions.len())
            .with(
                "retransmission_offsets_s",
                self.first_data.as_ref().map_or(Vec::new(), |d| {
                    d.retrans_offsets_ns
                        .iter()
                        .map(|&ns| text::seconds(ns))
                        .collect::<Vec<f64>>()
                }),
            )
            .with("synack_retransmissions_after_ack", after.synack_again.len())
            .with("server_answered", after.server_answered)
            .with("reset_frame", after.reset.map(frame_no))
            .with("reset_by", self.reset_by.as_ref().map(|r| r.host.clone()))
            .with(
                "reset_after_s",
                self.reset_by
                    .as_ref()
                    .and_then(|r| r.after_ns)
                    .map(text::seconds),
            )
            .with(
                "related",
                if self.synack.payload > 0 {
                    Some("synack_with_payload")
                } else {
                    None
                },
            )
    }
}

fn finding(index: &PacketIndex, flows: &Flows, a: &Attempt) -> Option<Finding> {
    let f = MismatchFacts::gather(index, a)?;
    let severity = if f.failed() {
        Severity::Error
    } else {
        Severity::Warning
    };
    let mut frames = vec![f.synack.frame, f.third];
    frames.extend(f.after.first_data);
    frames.extend(&f.after.data_retransmissions);
    frames.extend(&f.after.synack_again);
    frames.extend(f.after.reset);
    let stream = a.stream_number(flows);
    let filter = stream.map_or_else(
        || {
            format!(
                "{} && tcp.port == {}",
                text::addr_filter(index, a.client().0),
                a.client().1
            )
        },
        |n| format!("tcp.stream == {n}"),
    );
    Some(
        Finding::new(
            Kind::HandshakeAckMismatch,
            severity,
            render::handshake_ack_mismatch::verdict(&f),
            render::handshake_ack_mismatch::explanation(&f),
        )
        .evidence(frames)
        .stream(stream)
        .filter(filter)
        .details(f.details()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connections::attempts::tests::{index_of, tcp};
    use crate::connections::attempts::{ACK, RST, SYN};

    const C: (u32, u16) = (1, 50183);
    const S: (u32, u16) = (2, 443);

    #[test]
    fn a_synack_with_two_bytes_acked_by_the_client_then_silence_is_an_error() {
        let (index, flows) = index_of(vec![
            tcp(0, C, S, 367515135, 0, SYN, 0),
            tcp(17, S, C, 2180033885, 367515136, SYN | ACK, 2),
            tcp(18, C, S, 367515136, 2180033888, ACK, 0),
            tcp(20, C, S, 367515136, 2180033888, ACK, 127),
            tcp(336, C, S, 367515136, 2180033888, ACK, 127),
            tcp(6048, S, C, 2180033886, 367515136, RST | ACK, 0),
        ]);
        let findings = detect(&index, &flows, &[]);
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(f.severity, Severity::Error);
        // Built: SYN-ACK seq 2180033885 (ISN+1 = 2180033886) with 2 bytes, the ACK (frame 3)
        // acks 2180033888: 2 ahead. Data at 20 ms (frame 4), again at 336 ms (+316 ms, frame 5);
        // RST at 6048 ms, 6048 − 18 = 6030 ms after the ACK. Evidence: frames 2–6.
        assert!(f.verdict.contains("2180033888"), "{}", f.verdict);
        assert!(f.verdict.contains("2180033886"), "{}", f.verdict);
        assert!(f.verdict.contains("(2 bytes ahead)"), "{}", f.verdict);
        assert!(
            f.explanation
                .contains("retransmitted 1 time (after 316 ms)"),
            "{}",
            f.explanation
        );
        assert!(
            f.explanation
                .contains("reset the connection 6.03 s after the ACK"),
            "{}",
            f.explanation
        );
        assert_eq!(f.frames, vec![2, 3, 4, 5, 6]);
        assert_eq!(f.filter, "tcp.stream == 0");
        assert_eq!(
            f.details.get("difference").and_then(|d| d.as_i64()),
            Some(2)
        );
    }

    #[test]
    fn a_mismatch_the_server_tolerates_is_a_warning() {
        let (index, flows) = index_of(vec![
            tcp(0, C, S, 100, 0, SYN, 0),
            tcp(10, S, C, 500, 101, SYN | ACK, 0),
            tcp(11, C, S, 101, 505, ACK, 10),
            tcp(20, S, C, 501, 111, ACK, 50),
        ]);
        let findings = detect(&index, &flows, &[]);
        assert_eq!(findings[0].severity, Severity::Warning);
        assert!(findings[0].explanation.contains("carries no payload"));
        assert!(findings[0]
            .explanation
            .contains("the server answered the first data"));
    }

    #[test]
    fn an_ack_behind_wraps_correctly() {
        let (index, flows) = index_of(vec![
            tcp(0, C, S, 100, 0, SYN, 0),
            tcp(10, S, C, u32::MAX, 101, SYN | ACK, 0),
            tcp(11, C, S, 101, u32::MAX - 2, ACK, 0),
        ]);
        let f = &detect(&index, &flows, &[])[0];
        assert!(f.verdict.contains("(3 bytes behind)"), "{}", f.verdict);
        assert!(f.verdict.contains("ISN+1 is 0 "), "{}", f.verdict);
    }
}
