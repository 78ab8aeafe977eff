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

use super::text::{self, duration, endpoint, frame_no, record};
use super::{Details, Finding, Kind, Severity};
use crate::capture::FileInfo;
use crate::connections::attempts::{is_rst, is_syn_ack, Attempt, Attempts};
use crate::flows::Flows;
use crate::index::PacketIndex;

pub fn detect(index: &PacketIndex, flows: &Flows, _files: &[FileInfo]) -> Vec<Finding> {
    from_attempts(index, flows, &Attempts::collect(index, flows))
}

pub fn from_attempts(index: &PacketIndex, flows: &Flows, attempts: &Attempts) -> Vec<Finding> {
    attempts
        .list
        .iter()
        .filter(|a| a.ack_mismatch)
        .filter_map(|a| finding(index, flows, a))
        .collect()
}

/// What happened after the mismatched ACK.
struct Aftermath {
    /// The client's first data segment (may be the third packet itself).
    first_data: Option<u32>,
    /// Retransmissions of that segment (same sequence number, with payload).
    data_retransmissions: Vec<u32>,
    /// SYN-ACKs the server sent again after the third packet.
    synack_again: Vec<u32>,
    /// The server sent data or acknowledged the client's data.
    server_answered: bool,
    /// The first RST after the third packet.
    reset: Option<u32>,
}

fn aftermath(index: &PacketIndex, a: &Attempt, third: u32) -> Aftermath {
    let third_record = record(index, third);
    let mut first_data = (third_record.payload_len > 0).then_some(third);
    let mut data_seq = third_record.seq;
    let client_next = a.client_isn.wrapping_add(1);
    let mut out = Aftermath {
        first_data: None,
        data_retransmissions: Vec::new(),
        synack_again: Vec::new(),
        server_answered: false,
        reset: None,
    };
    for &i in &a.after_third {
        let r = record(index, i);
        let from_client = (r.src, r.src_port) == a.client;
        if is_rst(&r) {
            out.reset.get_or_insert(i);
            continue;
        }
        if from_client {
            if r.payload_len == 0 {
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
        } else if r.payload_len > 0
            || (first_data.is_some() && (r.ack.wrapping_sub(client_next) as i32) > 0)
        {
            out.server_answered = true;
        }
    }
    out.first_data = first_data;
    out
}

fn finding(index: &PacketIndex, flows: &Flows, a: &Attempt) -> Option<Finding> {
    let third = a.third?;
    let synack = a.third_answers?;
    let synack_r = record(index, synack);
    let third_r = record(index, third);
    let isn = synack_r.seq;
    let expected = isn.wrapping_add(1);
    let actual = third_r.ack;
    let diff = i64::from(actual.wrapping_sub(expected) as i32);
    let client = endpoint(index, a.client);
    let server = endpoint(index, a.server);
    let server_host = text::address(index, a.server.0);
    let payload = u32::from(synack_r.payload_len);
    let ip_len_known = synack_r.ip_len > 0;
    let after = aftermath(index, a, third);

    let bytes = text::count(diff.unsigned_abs(), "byte", "bytes");
    let off = if diff > 0 { "ahead" } else { "behind" };
    let verdict = format!(
        "Handshake ACK mismatch on {client} → {server}: the client acknowledged {actual}, but the \
         SYN-ACK's ISN+1 is {expected} ({bytes} {off})."
    );

    let mut explanation = format!(
        "The SYN-ACK from {server} (frame {}) has sequence number {isn}, so the third packet of the \
         handshake should acknowledge {expected}; the client's ACK (frame {}) acknowledges {actual}. ",
        frame_no(synack),
        frame_no(third)
    );
    let acked_payload = payload > 0 && diff == i64::from(payload);
    if payload > 0 {
        let header = u32::from(synack_r.ip_len).saturating_sub(payload);
        let lengths = if ip_len_known {
            format!(
                " (IP total length {}, where {header} was expected)",
                synack_r.ip_len
            )
        } else {
            String::new()
        };
        explanation += &format!(
            "The SYN-ACK arrived carrying {}{lengths}, which a SYN-ACK should never carry, ",
            text::count(u64::from(payload), "byte of payload", "bytes of payload"),
        );
        explanation += if acked_payload {
            "so the client's TCP stack acknowledged them too. "
        } else {
            "and the ACK is off by a different amount, so something also changed the numbers. "
        };
    } else {
        explanation += "The SYN-ACK seen here carries no payload, so the wrong number comes from \
                        the client's side of this capture point: something between here and the \
                        client changed the SYN-ACK (added bytes or rewrote its sequence number), \
                        or the client's TCP stack is at fault. ";
    }

    explanation += "A firewall or proxy that validates sequence numbers (TMG logs this as \
                    FWX_E_SEQ_ACK_MISMATCH) drops such an ACK and everything after it on the \
                    connection.";
    let mut consequences: Vec<String> = Vec::new();
    let data_len = after.first_data.map(|i| record(index, i).payload_len);
    if let (Some(first), Some(len)) = (after.first_data, data_len) {
        let what = format!(
            "the first data ({}, frame {})",
            text::count(u64::from(len), "byte", "bytes"),
            frame_no(first)
        );
        if after.server_answered {
            consequences.push(format!("the server answered {what}"));
        } else if after.data_retransmissions.is_empty() {
            consequences.push(format!("{what} got no answer"));
        } else {
            let offsets: Vec<String> = after
                .data_retransmissions
                .iter()
                .filter_map(|&r| text::between(index, first, r))
                .map(duration)
                .collect();
            let timing = if offsets.is_empty() {
                String::new()
            } else {
                format!(" (after {})", text::join_and(&offsets))
            };
            consequences.push(format!(
                "{what} was never answered and was retransmitted {}{timing}",
                text::count(after.data_retransmissions.len() as u64, "time", "times"),
            ));
        }
    } else if !after.server_answered {
        consequences.push("the server sent nothing more".into());
    }
    if !after.synack_again.is_empty() {
        consequences.push(format!(
            "{server_host} re-sent its SYN-ACK ({}), so it never saw the handshake complete",
            text::frames_text(&after.synack_again, 5)
        ));
    }
    let reset_after = after.reset.and_then(|r| text::between(index, third, r));
    let reset_by = after.reset.map(|r| {
        let rr = record(index, r);
        if (rr.src, rr.src_port) == a.client {
            text::address(index, a.client.0)
        } else {
            server_host.clone()
        }
    });
    if let (Some(rst), Some(by)) = (after.reset, &reset_by) {
        let when = reset_after.map_or(String::new(), |ns| {
            format!(" {} after the ACK", duration(ns))
        });
        consequences.push(format!(
            "{by} reset the connection{when} (frame {})",
            frame_no(rst)
        ));
    }
    let failed = !after.server_answered
        && (!after.data_retransmissions.is_empty()
            || !after.synack_again.is_empty()
            || after.reset.is_some());
    if !consequences.is_empty() {
        let lead = if after.server_answered {
            " Here the connection carried on regardless — this path tolerates the mismatch, a \
             validating firewall would not:"
        } else {
            " That is what followed here:"
        };
        explanation += &format!("{lead} {}.", text::join_clauses(&consequences));
    }
    explanation += if payload > 0 {
        " Something between the server and the client added the bytes — the server's NIC driver, \
         a device on the path (a wireless access point, a WAN optimiser) or the client's NIC \
         driver: take a capture at the server side at the same time and compare its SYN-ACK with \
         this one, then update NIC drivers and firmware along the path."
    } else {
        " Take a capture on the client itself at the same time and compare the SYN-ACK and the \
         ACK there: if the client received a SYN-ACK with extra bytes, the device that added them \
         sits between the two capture points."
    };

    let severity = if failed {
        Severity::Error
    } else {
        Severity::Warning
    };
    let mut frames = vec![synack, third];
    frames.extend(after.first_data);
    frames.extend(&after.data_retransmissions);
    frames.extend(&after.synack_again);
    frames.extend(after.reset);
    let retrans_offsets: Vec<f64> = after
        .first_data
        .map(|first| {
            after
                .data_retransmissions
                .iter()
                .filter_map(|&r| text::between(index, first, r))
                .map(text::seconds)
                .collect()
        })
        .unwrap_or_default();
    let details = Details::new()
        .with("client", client)
        .with("server", server)
        .with("synack_isn", isn)
        .with("expected_ack", expected)
        .with("actual_ack", actual)
        .with("difference", diff)
        .with("synack_frame", frame_no(synack))
        .with("ack_frame", frame_no(third))
        .with("synack_payload_len", payload)
        .with("synack_ip_len", ip_len_known.then_some(synack_r.ip_len))
        .with("first_data_frame", after.first_data.map(frame_no))
        .with("first_data_len", data_len)
        .with("data_retransmissions", after.data_retransmissions.len())
        .with("retransmission_offsets_s", retrans_offsets)
        .with("synack_retransmissions_after_ack", after.synack_again.len())
        .with("server_answered", after.server_answered)
        .with("reset_frame", after.reset.map(frame_no))
        .with("reset_by", reset_by)
        .with("reset_after_s", reset_after.map(text::seconds))
        .with(
            "related",
            if payload > 0 {
                Some("synack_with_payload")
            } else {
                None
            },
        );
    let stream = a.stream_number(flows);
    let filter = stream.map_or_else(
        || {
            format!(
                "{} && tcp.port == {}",
                text::addr_filter(index, a.client.0),
                a.client.1
            )
        },
        |n| format!("tcp.stream == {n}"),
    );
    Some(
        Finding::new(Kind::HandshakeAckMismatch, severity, verdict, explanation)
            .evidence(frames)
            .stream(stream)
            .filter(filter)
            .details(details),
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
