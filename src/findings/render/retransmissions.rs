//! The sentences of the `retransmissions` findings: one per sending side whose loss mattered,
//! the summary of light loss, and the note on frames the capture recorded twice.

use crate::findings::retransmissions::{CopiesFacts, LightFacts, RetransFacts, STALL_WARNING_NS};
use crate::findings::text::{self, capitalize, duration, frame_no};

/// The verdict of one side's retransmissions.
pub(crate) fn verdict(f: &RetransFacts<'_>) -> String {
    let side = f.side;
    let n = side.retransmitted.count();
    let (sender, receiver) = (&f.sender, &f.receiver);
    let bytes = text::count(side.retransmitted.bytes, "byte", "bytes");
    let count = text::count(u64::from(n), "retransmission", "retransmissions");
    if f.gave_up {
        return format!(
            "{sender} → {receiver}: {count} ({bytes}) before the connection was reset \
             (see the reset finding)."
        );
    }
    let pct_text = text::percent(u64::from(n), u64::from(side.data.segments) + u64::from(n));
    let stall = if side.stalls.unrecovered {
        format!(
            ", never acknowledged: it waited {} until the capture ended",
            duration(side.stalls.episodes.longest_ns)
        )
    } else if side.stalls.episodes.longest_ns >= STALL_WARNING_NS {
        format!(
            "; the longest wait for an acknowledgement was {}",
            duration(side.stalls.episodes.longest_ns)
        )
    } else {
        String::new()
    };
    format!("{sender} → {receiver}: {count} ({bytes}, {pct_text} of its data segments){stall}.")
}

/// The explanation of one side's retransmissions: what was sent again, how, and what to check.
pub(crate) fn explanation(f: &RetransFacts<'_>) -> String {
    let side = f.side;
    let n = side.retransmitted.count();
    let mut explanation = format!(
        "{} sent {} ({}) and had to send {}",
        f.sender,
        text::count(
            u64::from(side.data.segments),
            "data segment",
            "data segments"
        ),
        text::count(side.data.bytes, "byte", "bytes"),
        if f.same_segment && side.data.segments <= 1 {
            format!("it again {}", text::count(u64::from(n), "time", "times"))
        } else {
            format!("{} again", text::count(u64::from(n), "segment", "segments"))
        },
    );
    let kinds = text::nonzero_counts(&[
        (u64::from(f.timeouts), "after a timeout"),
        (
            u64::from(side.retransmitted.fast),
            "fast after duplicate ACKs",
        ),
        (u64::from(side.retransmitted.spurious), "spurious"),
    ]);
    // Only worth saying when they were not all after a timeout.
    if f.timeouts < n {
        explanation += &format!(" ({})", text::join_and(&kinds));
    }
    explanation += ". ";
    if f.intervals.len() >= 2 {
        let list: Vec<String> = f.intervals.iter().map(|&ns| duration(ns)).collect();
        let doubling = f
            .intervals
            .windows(2)
            .all(|w| w[1] as f64 >= 1.6 * w[0] as f64);
        explanation += &format!(
            "The same segment{} went out again after {}{}. ",
            f.original.map_or(String::new(), |o| format!(
                " (first sent in frame {})",
                frame_no(o)
            )),
            text::join_and(&list),
            if doubling {
                " — each wait about double the one before: TCP's retransmission timer backing \
                 off because nothing came back"
            } else {
                ""
            }
        );
    }
    if side.stalls.unrecovered {
        explanation += &format!(
            "{} never acknowledged it: it is down or unreachable, or the path drops \
             packets in this direction (or the acknowledgements on the way back). ",
            f.receiver.host
        );
    } else if side.stalls.episodes.count > 0 {
        explanation += &format!(
            "Data waited for an acknowledgement {} once retransmissions began (longest {}, {} \
             in all). ",
            text::count(u64::from(side.stalls.episodes.count), "time", "times"),
            duration(side.stalls.episodes.longest_ns),
            duration(side.stalls.episodes.total_ns)
        );
    }
    if f.gave_up {
        explanation += "The connection was then reset; the reset finding tells the rest.";
    } else {
        explanation += &meaning(f);
    }
    explanation
}

/// What each kind of retransmission means, and where to look.
fn meaning(f: &RetransFacts<'_>) -> String {
    let mut meaning = Vec::new();
    if f.timeouts > 0 {
        meaning
            .push("a retransmission after a timeout means the sender heard nothing back in time");
    }
    if f.side.retransmitted.fast > 0 {
        meaning.push(
            "a fast retransmission means the receiver reported a gap with duplicate ACKs — a \
             segment was lost in between",
        );
    }
    if f.side.retransmitted.spurious > 0 {
        meaning.push(
            "a spurious one means the data had arrived and only the acknowledgement was late \
             or lost",
        );
    }
    let meaning: Vec<String> = meaning.into_iter().map(String::from).collect();
    capitalize(&text::join_clauses(&meaning))
        + ". Loss like this comes from the path between the two hosts: congestion \
           and full queues, a faulty link or cable, a duplex mismatch, Wi-Fi. Check \
           the interface error and drop counters on the devices in between, and \
           take a trace at the receiver at the same time to see whether the \
           originals arrived."
}

/// The summary of light retransmissions: verdict and explanation.
pub(crate) fn light(f: &LightFacts) -> (String, String) {
    let verdict = format!(
        "{} had to retransmit a little and recovered quickly ({}, {} of all data segments in \
         the capture; the longest wait {}).",
        text::count(f.connections as u64, "connection", "connections"),
        text::count(f.segments, "retransmission", "retransmissions"),
        text::percent(f.segments, f.all_data),
        duration(f.longest_ns)
    );
    let explanation = if f.heavy {
        format!(
            "No single connection stalled, but together these retransmissions are {} of the \
             data the capture carries — more than the odd lost segment a busy path shows: \
             something between the hosts loses packets steadily (congestion, a faulty link, a \
             duplex mismatch, Wi-Fi). Look for what the affected connections share (a server, \
             a subnet, a link) and check the interface error and drop counters there.",
            text::percent(f.segments, f.all_data)
        )
    } else {
        "A little loss is normal on a busy path: TCP recovered each time without a long wait. \
         Worth a look only if the same path also shows slow responses or resets, or if the \
         share grows."
            .to_string()
    };
    (verdict, explanation)
}

/// The note on frames recorded twice: verdict and explanation.
pub(crate) fn copies(f: &CopiesFacts) -> (String, String) {
    let total = f.total;
    let verdict = if total == 1 {
        "1 frame is an exact copy of the frame just before it: the capture recorded that packet \
         twice — it is not a retransmission."
            .to_string()
    } else {
        format!(
            "{total} frames are exact copies of the frame just before them: the capture recorded \
             those packets twice — they are not retransmissions."
        )
    };
    let explanation = format!(
        "Each copy repeats its predecessor's sequence and acknowledgement numbers, length, \
         window, flags and IP ID{}. Wireshark flags them as retransmissions or duplicate ACKs, \
         but a retransmitted segment is a new packet sent after a timeout or duplicate ACKs; an \
         identical one right behind the original is the same packet seen twice. That happens \
         when a mirror (SPAN) port copies both the ingress and egress of the same traffic, when \
         the capture runs on several interfaces the packet crosses (a bridge and its member, a \
         VM host and its guest), or when files of overlapping captures were merged. Read the \
         retransmission and duplicate-ACK counts of {} with this in mind, or remove the copies \
         (editcap -d) before comparing with other traces.",
        if f.gap_ns > 0 {
            format!(" (the first {} after it)", duration(f.gap_ns))
        } else {
            ", with the same timestamp".to_string()
        },
        text::join_and(&f.hosts)
    );
    (verdict, explanation)
}
