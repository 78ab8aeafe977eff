//! The sentences of the `synack_with_payload` finding: the payload and lengths, what the client
//! did with the bytes, and where they may have come from.

use crate::findings::synack_with_payload::{ClientAck, SynackFacts};
use crate::findings::text::{self, frame_no};

fn length_name(f: &SynackFacts) -> &'static str {
    if f.ipv6 {
        "IPv6 payload length"
    } else {
        "IP total length"
    }
}

/// The verdict: who sent the SYN-ACK and how much it carries.
pub(crate) fn verdict(f: &SynackFacts) -> String {
    format!(
        "The SYN-ACK from {} to {} carries {} of payload ({} {}).",
        f.server,
        f.client,
        text::count(u64::from(f.first.payload), "byte", "bytes"),
        length_name(f),
        f.first.ip_len
    )
}

/// The explanation: the lengths, the retransmissions, the client's ACK, and the likely cause.
pub(crate) fn explanation(f: &SynackFacts) -> String {
    let (payload, expected) = (f.first.payload, f.first.expected_ack());
    let mut explanation = format!(
        "A SYN-ACK should carry only a TCP header (with options): here the {} is {}, \
         where {} would be expected, and the {} sit after the TCP header (frame {}). ",
        length_name(f),
        f.first.ip_len,
        f.first.ip_len_without_payload(),
        text::count(u64::from(payload), "byte", "bytes"),
        frame_no(f.first.frame)
    );
    if f.with_payload.len() > 1 {
        explanation += &format!(
            "Every retransmission of the SYN-ACK carries them too ({}). ",
            text::frames_text(&f.with_payload[1..], 5)
        );
    }
    explanation += &match f.client_ack {
        ClientAck::Payload { frame, ack } => format!(
            "The client acknowledged the extra bytes: its ACK (frame {}) is {ack} = ISN+1+{payload}, \
             not {expected}, which is the handshake ACK mismatch reported for this stream; a \
             firewall that validates sequence numbers drops that ACK and the connection with it. ",
            frame_no(frame)
        ),
        ClientAck::Isn { frame } => format!(
            "The client ignored them: its ACK (frame {}) is {expected} = ISN+1, so the handshake \
             itself is consistent. ",
            frame_no(frame)
        ),
        ClientAck::Other { frame, ack } => format!(
            "The client's ACK (frame {}) is {ack}, neither ISN+1 ({expected}) nor ISN+1+{payload}. ",
            frame_no(frame)
        ),
        ClientAck::None => "The capture holds no ACK from the client for it. ".to_string(),
    };
    explanation += "Payload on a SYN-ACK is legitimate only with TCP Fast Open (the client's SYN \
                    then carries a Fast Open cookie). Otherwise something on the path added the \
                    bytes — a NIC driver on either end, a wireless access point, a WAN optimiser: \
                    capture at the server side at the same time and compare the SYN-ACK there \
                    (a SYN-ACK that leaves the server with an IP total length of 44 and arrives \
                    with 46 gained its 2 bytes on the way).";
    explanation
}
