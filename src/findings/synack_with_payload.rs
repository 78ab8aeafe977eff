//! `synack_with_payload`: a SYN-ACK that carries payload. A SYN-ACK should carry only a TCP
//! header (with options); data on it is legal only with TCP Fast Open, and in the seed's case 2
//! bytes were added on the path. The finding gives the payload length and the IP total length,
//! and says what the client did with the bytes: when it acknowledged them (ACK = ISN+1+payload)
//! it links to the `handshake_ack_mismatch` finding of the same stream.
//!
//! One finding per stream (the first SYN-ACK with payload; retransmitted ones are counted).
//! SYN-ACKs with an IP total length of 0 (segmentation offload on the capturing host) are skipped:
//! their length comes from the captured bytes, which include Ethernet padding.

use super::text::{self, endpoint, frame_no, record};
use super::{Details, Finding, Kind, Severity};
use crate::capture::FileInfo;
use crate::connections::attempts::{Attempt, Attempts};
use crate::flows::Flows;
use crate::index::PacketIndex;

pub fn detect(index: &PacketIndex, flows: &Flows, _files: &[FileInfo]) -> Vec<Finding> {
    from_attempts(index, flows, &Attempts::collect(index, flows))
}

pub fn from_attempts(index: &PacketIndex, flows: &Flows, attempts: &Attempts) -> Vec<Finding> {
    attempts
        .list
        .iter()
        .filter(|a| a.synack_payload)
        .filter_map(|a| finding(index, flows, a))
        .collect()
}

fn carries_payload(index: &PacketIndex, i: u32) -> bool {
    let r = record(index, i);
    r.payload_len > 0 && r.ip_len > 0
}

fn finding(index: &PacketIndex, flows: &Flows, a: &Attempt) -> Option<Finding> {
    let with_payload: Vec<u32> = a
        .synacks
        .iter()
        .copied()
        .filter(|&i| carries_payload(index, i))
        .collect();
    let first = *with_payload.first()?;
    let r = record(index, first);
    let payload = u32::from(r.payload_len);
    let header = u32::from(r.ip_len).saturating_sub(payload);
    let client = endpoint(index, a.client);
    let server = endpoint(index, a.server);
    let ipv6 = text::ip_proto_field(index, a.server.0) == "ipv6";
    let length_name = if ipv6 {
        "IPv6 payload length"
    } else {
        "IP total length"
    };
    let bytes = text::count(u64::from(payload), "byte", "bytes");
    let verdict = format!(
        "The SYN-ACK from {server} to {client} carries {bytes} of payload ({length_name} {}).",
        r.ip_len
    );
    let mut explanation = format!(
        "A SYN-ACK should carry only a TCP header (with options): here the {length_name} is {}, \
         where {header} would be expected, and the {bytes} sit after the TCP header (frame {}). ",
        r.ip_len,
        frame_no(first)
    );
    if with_payload.len() > 1 {
        explanation += &format!(
            "Every retransmission of the SYN-ACK carries them too ({}). ",
            text::frames_text(&with_payload[1..], 5)
        );
    }
    let expected = r.seq.wrapping_add(1);
    let third = a.third.filter(|_| {
        a.third_answers
            .is_some_and(|s| record(index, s).seq == r.seq)
    });
    let client_acked = third.map(|t| record(index, t).ack);
    let linked = client_acked == Some(expected.wrapping_add(payload));
    match (third, client_acked) {
        (Some(t), Some(ack)) if linked => {
            explanation += &format!(
                "The client acknowledged the extra bytes: its ACK (frame {}) is {ack} = ISN+1+{payload}, \
                 not {expected}, which is the handshake ACK mismatch reported for this stream; a \
                 firewall that validates sequence numbers drops that ACK and the connection with it. ",
                frame_no(t)
            );
        }
        (Some(t), Some(ack)) if ack == expected => {
            explanation += &format!(
                "The client ignored them: its ACK (frame {}) is {expected} = ISN+1, so the handshake \
                 itself is consistent. ",
                frame_no(t)
            );
        }
        (Some(t), Some(ack)) => {
            explanation += &format!(
                "The client's ACK (frame {}) is {ack}, neither ISN+1 ({expected}) nor ISN+1+{payload}. ",
                frame_no(t)
            );
        }
        _ => {
            explanation += "The capture holds no ACK from the client for it. ";
        }
    }
    explanation += "Payload on a SYN-ACK is legitimate only with TCP Fast Open (the client's SYN \
                    then carries a Fast Open cookie). Otherwise something on the path added the \
                    bytes — a NIC driver on either end, a wireless access point, a WAN optimiser: \
                    capture at the server side at the same time and compare the SYN-ACK there \
                    (a SYN-ACK that leaves the server with an IP total length of 44 and arrives \
                    with 46 gained its 2 bytes on the way).";
    let stream = a.stream_number(flows);
    // The SYN-ACKs (with payload) and the client's answer to them.
    let synacks = stream.map_or_else(
        || "tcp.flags.syn == 1 && tcp.flags.ack == 1 && tcp.len > 0".to_string(),
        |n| format!("tcp.stream == {n} && tcp.flags.syn == 1 && tcp.flags.ack == 1"),
    );
    let filter = match third {
        Some(t) => format!("({synacks}) || frame.number == {}", frame_no(t)),
        None => synacks,
    };
    let mut frames = with_payload.clone();
    frames.extend(third);
    let details = Details::new()
        .with("client", client)
        .with("server", server)
        .with("synack_frame", frame_no(first))
        .with("synack_isn", r.seq)
        .with("payload_len", payload)
        .with("ip_len", r.ip_len)
        .with("expected_ip_len", header)
        .with("synacks_with_payload", with_payload.len())
        .with("ack_frame", third.map(frame_no))
        .with("client_ack", client_acked)
        .with("client_acknowledged_payload", linked)
        .with(
            "related",
            if linked {
                Some("handshake_ack_mismatch")
            } else {
                None
            },
        );
    Some(
        Finding::new(
            Kind::SynackWithPayload,
            Severity::Warning,
            verdict,
            explanation,
        )
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
    use crate::connections::attempts::{ACK, SYN};

    const C: (u32, u16) = (1, 50183);
    const S: (u32, u16) = (2, 443);

    #[test]
    fn payload_acked_by_the_client_links_to_the_mismatch() {
        let (index, flows) = index_of(vec![
            tcp(0, C, S, 10, 0, SYN, 0),
            tcp(1, S, C, 2180033885, 11, SYN | ACK, 2),
            tcp(2, C, S, 11, 2180033888, ACK, 0),
        ]);
        let f = &detect(&index, &flows, &[])[0];
        assert_eq!(f.severity, Severity::Warning);
        // Built: attempts::tests::tcp gives ip_len 40 + payload: 40 + 2 = 42; the ACK (frame 3)
        // acks 2180033885 + 1 + 2; evidence: SYN-ACK (2) and ACK (3).
        assert!(
            f.verdict
                .contains("carries 2 bytes of payload (IP total length 42)"),
            "{}",
            f.verdict
        );
        assert!(f
            .explanation
            .contains("The client acknowledged the extra bytes"));
        assert_eq!(
            f.details.get("related").and_then(|d| d.as_str()),
            Some("handshake_ack_mismatch")
        );
        assert_eq!(f.frames, vec![2, 3]);
    }

    #[test]
    fn payload_ignored_by_the_client_and_clean_synacks() {
        let (index, flows) = index_of(vec![
            tcp(0, C, S, 10, 0, SYN, 0),
            tcp(1, S, C, 500, 11, SYN | ACK, 2),
            tcp(2, C, S, 11, 501, ACK, 0),
            tcp(3, (1, 50184), S, 10, 0, SYN, 0),
            tcp(4, S, (1, 50184), 900, 11, SYN | ACK, 0),
        ]);
        let findings = detect(&index, &flows, &[]);
        assert_eq!(findings.len(), 1);
        assert!(findings[0].explanation.contains("The client ignored them"));
        assert_eq!(
            findings[0].details.get("related"),
            Some(&crate::findings::Detail::Null)
        );
    }
}
