//! The sentences of the `handshake_ack_mismatch` finding: the expected and actual numbers, the
//! likely cause, what followed on the connection, and where to take the next capture.

use crate::findings::handshake_ack_mismatch::{MismatchFacts, ResetBy};
use crate::findings::text::{self, duration, frame_no};

/// The verdict: the numbers and by how much they differ.
pub(crate) fn verdict(f: &MismatchFacts) -> String {
    let bytes = text::count(f.diff().unsigned_abs(), "byte", "bytes");
    let off = if f.diff() > 0 { "ahead" } else { "behind" };
    format!(
        "Handshake ACK mismatch on {} → {}: the client acknowledged {}, but the \
         SYN-ACK's ISN+1 is {} ({bytes} {off}).",
        f.client,
        f.server,
        f.actual,
        f.synack.expected_ack()
    )
}

/// The explanation: the numbers, the cause, what followed and what to do.
pub(crate) fn explanation(f: &MismatchFacts) -> String {
    let mut explanation = format!(
        "The SYN-ACK from {} (frame {}) has sequence number {}, so the third packet of the \
         handshake should acknowledge {}; the client's ACK (frame {}) acknowledges {}. ",
        f.server,
        frame_no(f.synack.frame),
        f.synack.isn,
        f.synack.expected_ack(),
        frame_no(f.third),
        f.actual
    );
    explanation += &cause(f);
    explanation += "A firewall or proxy that validates sequence numbers (TMG logs this as \
                    FWX_E_SEQ_ACK_MISMATCH) drops such an ACK and everything after it on the \
                    connection.";
    let consequences = consequences(f);
    if !consequences.is_empty() {
        let lead = if f.after.server_answered {
            " Here the connection carried on regardless — this path tolerates the mismatch, a \
             validating firewall would not:"
        } else {
            " That is what followed here:"
        };
        explanation += &format!("{lead} {}.", text::join_clauses(&consequences));
    }
    explanation += if f.synack.payload > 0 {
        " Something between the server and the client added the bytes — the server's NIC driver, \
         a device on the path (a wireless access point, a WAN optimiser) or the client's NIC \
         driver: take a capture at the server side at the same time and compare its SYN-ACK with \
         this one, then update NIC drivers and firmware along the path."
    } else {
        " Take a capture on the client itself at the same time and compare the SYN-ACK and the \
         ACK there: if the client received a SYN-ACK with extra bytes, the device that added them \
         sits between the two capture points."
    };
    explanation
}

/// Why the ACK is off: the SYN-ACK's payload, or something on the client's side.
fn cause(f: &MismatchFacts) -> String {
    if f.synack.payload == 0 {
        return "The SYN-ACK seen here carries no payload, so the wrong number comes from \
                the client's side of this capture point: something between here and the \
                client changed the SYN-ACK (added bytes or rewrote its sequence number), \
                or the client's TCP stack is at fault. "
            .to_string();
    }
    let lengths = f.synack.known_ip_len().map_or(String::new(), |ip_len| {
        let header = f.synack.ip_len_without_payload();
        format!(" (IP total length {ip_len}, where {header} was expected)")
    });
    let mut out = format!(
        "The SYN-ACK arrived carrying {}{lengths}, which a SYN-ACK should never carry, ",
        text::count(
            u64::from(f.synack.payload),
            "byte of payload",
            "bytes of payload"
        ),
    );
    out += if f.diff() == i64::from(f.synack.payload) {
        "so the client's TCP stack acknowledged them too. "
    } else {
        "and the ACK is off by a different amount, so something also changed the numbers. "
    };
    out
}

/// What followed the ACK, one clause each.
fn consequences(f: &MismatchFacts) -> Vec<String> {
    let after = &f.after;
    let mut consequences: Vec<String> = Vec::new();
    if let (Some(first), Some(data)) = (after.first_data, &f.first_data) {
        let what = format!(
            "the first data ({}, frame {})",
            text::count(u64::from(data.len), "byte", "bytes"),
            frame_no(first)
        );
        if after.server_answered {
            consequences.push(format!("the server answered {what}"));
        } else if after.data_retransmissions.is_empty() {
            consequences.push(format!("{what} got no answer"));
        } else {
            let offsets: Vec<String> = data
                .retrans_offsets_ns
                .iter()
                .map(|&ns| duration(ns))
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
            "{} re-sent its SYN-ACK ({}), so it never saw the handshake complete",
            f.server.host,
            text::frames_text(&after.synack_again, 5)
        ));
    }
    if let (Some(rst), Some(ResetBy { host: by, after_ns })) = (after.reset, &f.reset_by) {
        let when = after_ns.map_or(String::new(), |ns| {
            format!(" {} after the ACK", duration(ns))
        });
        consequences.push(format!(
            "{by} reset the connection{when} (frame {})",
            frame_no(rst)
        ));
    }
    consequences
}
