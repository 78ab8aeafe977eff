//! `synack_with_payload`: a SYN-ACK that carries payload. A SYN-ACK should carry only a TCP
//! header (with options); data on it is legal only with TCP Fast Open, and in the seed's case 2
//! bytes were added on the path. The finding gives the payload length and the IP total length,
//! and says what the client did with the bytes: when it acknowledged them (ACK = ISN+1+payload)
//! it links to the `handshake_ack_mismatch` finding of the same stream.
//!
//! One finding per stream (the first SYN-ACK with payload; retransmitted ones are counted).
//! SYN-ACKs with an IP total length of 0 (segmentation offload on the capturing host) are skipped:
//! their length comes from the captured bytes, which include Ethernet padding.

use super::render;
use super::text::{self, endpoint, frame_no, record, Synack};
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
        .filter(|a| a.synack_payload())
        .filter_map(|a| finding(index, flows, a))
        .collect()
}

fn carries_payload(index: &PacketIndex, i: u32) -> bool {
    let r = record(index, i);
    r.payload_len() > 0 && r.ip_len() > 0
}

/// The client's ACK of the SYN-ACK (the handshake's third packet), compared with the ISN.
#[derive(Clone, Copy)]
pub(crate) enum ClientAck {
    /// ISN+1+payload: it acknowledged the extra bytes.
    Payload { frame: u32, ack: u32 },
    /// ISN+1: it ignored them.
    Isn { frame: u32 },
    /// Neither.
    Other { frame: u32, ack: u32 },
    /// No ACK in the capture.
    None,
}

/// What one SYN-ACK with payload shows, before any wording.
pub(crate) struct SynackFacts {
    /// The client's and server's endpoints; whether they are IPv6.
    pub client: String,
    pub server: String,
    pub ipv6: bool,
    /// The first SYN-ACK with payload, and every one of them.
    pub first: Synack,
    pub with_payload: Vec<u32>,
    pub client_ack: ClientAck,
}

fn finding(index: &PacketIndex, flows: &Flows, a: &Attempt) -> Option<Finding> {
    let with_payload: Vec<u32> = a
        .synacks()
        .iter()
        .copied()
        .filter(|&i| carries_payload(index, i))
        .collect();
    let first = Synack::of(index, *with_payload.first()?);
    let (payload, expected) = (first.payload, first.expected_ack());
    let third = a
        .third()
        .filter(|t| record(index, t.answers).seq == first.isn)
        .map(|t| t.frame);
    let client_acked = third.map(|t| record(index, t).ack);
    let linked = client_acked == Some(expected.wrapping_add(payload));
    let client_ack = match (third, client_acked) {
        (Some(frame), Some(ack)) if linked => ClientAck::Payload { frame, ack },
        (Some(frame), Some(ack)) if ack == expected => ClientAck::Isn { frame },
        (Some(frame), Some(ack)) => ClientAck::Other { frame, ack },
        _ => ClientAck::None,
    };
    let f = SynackFacts {
        client: endpoint(index, a.client()),
        server: endpoint(index, a.server()),
        ipv6: text::ip_proto_field(index, a.server().0) == "ipv6",
        first,
        client_ack,
        with_payload,
    };
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
    let mut frames = f.with_payload.clone();
    frames.extend(third);
    let details = Details::new()
        .with("client", f.client.clone())
        .with("server", f.server.clone())
        .with("synack_frame", frame_no(first.frame))
        .with("synack_isn", first.isn)
        .with("payload_len", payload)
        .with("ip_len", first.ip_len)
        .with("expected_ip_len", first.ip_len_without_payload())
        .with("synacks_with_payload", f.with_payload.len())
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
            render::synack_with_payload::verdict(&f),
            render::synack_with_payload::explanation(&f),
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
