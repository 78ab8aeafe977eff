//! The sentences of the `bad_checksum` finding: one verdict sentence and one explanation
//! paragraph per explanation found (corruption, checksum offload, rewritten addresses, never
//! filled in), and the note on sampled validation.

use crate::findings::bad_checksum::{
    ChecksumFacts, Offload, Rewritten, Senders, Which, CHECK_ALL_FRAMES, CHECK_ONE_IN,
};
use crate::findings::text::{self, capitalize};

/// Which checksums are wrong: `3 IPv4 header and 2 TCP`.
pub(crate) fn which(w: Which) -> String {
    text::join_and(&text::nonzero_counts(&[
        (w.ip, "IPv4 header"),
        (w.tcp, "TCP"),
        (w.udp, "UDP"),
    ]))
}

/// The rewritten conversations: `10.0.0.1 ↔ 10.0.0.2`.
pub(crate) fn pairs(r: &Rewritten) -> Vec<String> {
    r.pairs.iter().map(|(a, b)| format!("{a} ↔ {b}")).collect()
}

/// `10.0.0.1 (12 frames), 10.0.0.2 (3 frames)`, or the one sender's address.
fn senders(s: &Senders) -> String {
    let mut parts: Vec<String> = if s.distinct == 1 {
        s.names()
    } else {
        s.senders
            .iter()
            .take(5)
            .map(|(a, c)| format!("{a} ({})", text::count(*c, "frame", "frames")))
            .collect()
    };
    if s.distinct > 5 {
        parts.push(format!("{} more", s.distinct - 5));
    }
    text::join_and(&parts)
}

fn carries(n: usize) -> &'static str {
    if n == 1 {
        "carries"
    } else {
        "carry"
    }
}

/// The verdict and explanation of the finding.
pub(crate) fn text(f: &ChecksumFacts) -> (String, String) {
    let mut verdicts: Vec<String> = Vec::new();
    let mut explanation = String::new();
    if let Some(u) = &f.unexplained {
        verdicts.push(format!(
            "{} from {} {} wrong checksums ({}) that checksum offload does not explain.",
            text::count(u.frames as u64, "frame", "frames"),
            senders(u),
            carries(u.frames),
            which(u.which)
        ));
        explanation += &format!(
            "The packets from {} arrived with checksums that do not match their contents, and \
             they were not sent by the capturing host, so offload cannot explain them: they were \
             corrupted on the way (a faulty network card, cable, switch port or Wi-Fi link), or a \
             device in between changed them without fixing the checksum (a NAT, a WAN optimiser, \
             a broken proxy). A receiver drops such packets, which then shows as retransmissions. \
             Check interface error counters (CRC, alignment errors) on the switch ports along \
             the path and on those hosts, and take a trace nearer to the sender to see where the \
             damage happens. ",
            text::join_and(&u.names())
        );
    }
    if let Some(o) = &f.offload {
        verdicts.push(offload_verdict(o));
        explanation += &offload_explanation(o);
    }
    if let Some(r) = &f.rewritten {
        let between = match r.pairs.as_slice() {
            [(a, b)] if r.pair_count == 1 => format!("{a} and {b}"),
            _ => text::join_and(&pairs(r)),
        };
        verdicts.push(format!(
            "The wrong checksums of {} between {between} are all off by the same amount per \
             conversation: the addresses were rewritten after the checksums were computed — not \
             a network fault.",
            text::count(r.frames as u64, "frame", "frames"),
        ));
        explanation +=
            &format!(
            "Every wrong checksum in {} conversation is off by the same one's-complement amount \
             (0x{:04x} in the first). Data corruption would change it from packet to packet; \
             a constant error is what changing the IP addresses (which the TCP and UDP checksums \
             cover) does to every packet of a conversation. This trace was anonymised or edited \
             after capture, or a device translated the addresses without updating the \
             checksums. ",
            if r.pair_count == 1 { "each" } else { "each such" },
            r.delta
        );
    }
    if let Some(n) = &f.never {
        verdicts.push(format!(
            "{} from {} have checksums of 0: they were never filled in — a generated or \
             edited trace, not a network fault.",
            text::count(n.frames as u64, "frame", "frames"),
            senders(n)
        ));
        explanation += "Checksums left at 0 by several hosts mean the packets were written by a \
                        tool (a traffic generator, a trace editor) that did not compute them; \
                        offload on every host at once is unlikely. ";
    }
    if f.checked < f.frames_total {
        explanation += &format!(
            "Checksums were validated for {} of the {} frames (every frame of each \
             file's first {CHECK_ALL_FRAMES}, then one in {CHECK_ONE_IN}), so the counts are of \
             the frames checked. ",
            f.checked, f.frames_total
        );
    }
    (verdicts.join(" "), explanation.trim_end().to_string())
}

/// The capturing host's addresses, and what they are.
fn host_and_role(o: &Offload) -> (String, &'static str) {
    let role = if o.virtual_hosts && o.host_count > 1 {
        "hosts on the capturing machine, such as virtual machines or containers"
    } else if o.host_count > 1 {
        "the capturing host's addresses"
    } else {
        "the capturing host"
    };
    (text::join_and(&o.hosts), role)
}

fn offload_verdict(o: &Offload) -> String {
    let (host_name, role) = host_and_role(o);
    let mut what = Vec::new();
    if o.sent > 0 {
        what.push(format!(
            "{} sent by {host_name} ({role})",
            text::count(o.sent as u64, "frame", "frames")
        ));
    }
    let by = if o.sent > 0 { "by it" } else { "by" };
    if o.segmented > 0 {
        what.push(format!(
            "{} larger than the MTU sent {by}{}",
            text::count(o.segmented as u64, "frame", "frames"),
            if o.sent > 0 {
                String::new()
            } else {
                format!(" {host_name} ({role})")
            }
        ));
    }
    if o.received > 0 {
        what.push(format!(
            "{} larger than the MTU received {by}{}",
            text::count(o.received as u64, "frame", "frames"),
            if o.sent > 0 || o.segmented > 0 {
                String::new()
            } else {
                format!(" {host_name} ({role})")
            }
        ));
    }
    format!(
        "{} {} wrong checksums ({}): checksum offload explains them — they are not a \
         network fault.",
        capitalize(&text::join_and(&what)),
        carries(o.frames),
        which(o.which)
    )
}

fn offload_explanation(o: &Offload) -> String {
    let (host_name, _) = host_and_role(o);
    let who = if o.virtual_hosts && o.host_count > 1 {
        format!(
            "{host_name} each left exactly the placeholder values offload leaves, which \
             corruption does not produce: they are hosts on the capturing machine (virtual \
             machines or containers behind a virtual bridge) whose packets were copied \
             before any card filled the checksums in."
        )
    } else {
        format!(
            "{host_name} {} the capturing host (it takes part in every conversation it \
             could see).",
            if o.host_count > 1 {
                "are addresses of"
            } else {
                "is"
            }
        )
    };
    let mut explanation = format!(
        "{who} A host that offloads checksums to its network card hands each packet to the \
         card before the card computes the checksum, and the capture copies the packet at \
         that moment, with a placeholder in the field"
    );
    let placeholders = text::nonzero_counts(&[
        (o.zero, "of these hold 0"),
        (
            o.partial,
            "hold just the pseudo-header sum, the partial value offload leaves for the card to \
             finish",
        ),
    ]);
    if !placeholders.is_empty() {
        explanation += &format!(" ({})", text::join_and(&placeholders));
    }
    explanation += ". ";
    if o.segmented > 0 {
        explanation += "Frames larger than the MTU cannot have crossed the wire as they are: \
                        the host handed the card one large segment, which the card cut into \
                        MTU-sized packets with their own checksums (segmentation offload, \
                        TSO/LSO). ";
    }
    if o.received > 0 {
        explanation += "Frames larger than the MTU cannot have crossed the wire as they are: \
                        the receiving card merged several segments into one (large receive \
                        offload) without recomputing the checksum. ";
    }
    explanation += "The packets on the wire carried correct checksums; Wireshark does not \
                    even check them by default for this reason. To see real checksums, \
                    capture from another machine (a mirror port or a tap) or turn offload \
                    off on the capturing host's card while you capture. ";
    explanation
}
