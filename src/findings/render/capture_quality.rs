//! The sentences of the `capture_quality` findings: dropped packets, capture filters, one
//! direction captured, and a trace taken on one host — each with the seed's advice.

use crate::findings::text::{self, frame_no};

/// `eth0: 12` for an interface that dropped packets.
pub(crate) fn dropped_on(label: &str, dropped: u64) -> String {
    format!("{label}: {dropped}")
}

/// `eth0 "port 443"` for an interface captured with a filter.
pub(crate) fn filtered_on(label: &str, filter: &str) -> String {
    format!("{label} \"{filter}\"")
}

/// Dropped packets (with [`dropped_on`] per interface): verdict and explanation.
pub(crate) fn drops(total: u64, received: u64, interfaces: &[String]) -> (String, String) {
    let of = if received > 0 {
        format!(" of {received} received")
    } else {
        String::new()
    };
    let verdict = format!(
        "The capture reports {}{of} ({}).",
        text::count(total, "packet dropped", "packets dropped"),
        interfaces.join(", ")
    );
    let explanation = "The capturing tool could not keep up, so packets that crossed the wire \
                       are missing from this trace: gaps (\"previous segment not captured\"), \
                       unanswered requests and some apparent retransmissions may be artefacts of \
                       the capture, not of the network. Capture again with a snaplen (the first \
                       256 bytes keep every header and save ~80 %), write to a fast local disk, \
                       and split the trace into files (a ring buffer: dumpcap -b filesize:204800 \
                       -b files:80) rather than one huge file."
        .to_string();
    (verdict, explanation)
}

/// Capture filters (with [`filtered_on`] per interface): verdict and explanation.
pub(crate) fn capture_filter(labels: &[String]) -> (String, String) {
    let verdict = format!(
        "The capture was taken with a capture filter: {}.",
        text::join_and(labels)
    );
    let explanation = "Only packets matching the filter were recorded: traffic it excluded is not \
                       in the trace, so the absence of a packet here proves nothing outside the \
                       filter (a missing DNS answer, ARP, ICMP error or a second connection may \
                       simply have been filtered out). Capture without a filter unless you are \
                       sure what you need; to keep a busy server's trace small, use a snaplen \
                       (the first 256 bytes of each packet) instead."
        .to_string();
    (verdict, explanation)
}

/// One direction captured for `one_way` of `total` connections: verdict and explanation.
pub(crate) fn one_direction(one_way: usize, total: usize, first_frame: u32) -> (String, String) {
    let verdict =
        format!("Only one direction was captured for {one_way} of {total} TCP connections.");
    let explanation = format!(
        "In these connections only one side's packets are in the trace, although they acknowledge \
         data from the other side (their ACK flag is set; first: frame {}). The capture point sees \
         one direction only: asymmetric routing around it, a mirror (SPAN) port set to copy only \
         received or only sent traffic, or a tap with one leg connected. Retransmissions, \
         unanswered SYNs and missing ACKs are then artefacts of the capture. Mirror both \
         directions, or capture on the hosts themselves.",
        frame_no(first_frame)
    );
    (verdict, explanation)
}

/// Every unicast packet involves the host `name`: verdict and explanation.
pub(crate) fn own_traffic_only(name: &str) -> (String, String) {
    let verdict = format!(
        "Every unicast packet in this capture is to or from {name}: it was taken on that host (or \
         on a port that carries only its traffic)."
    );
    let explanation = format!(
        "On a switched network a capture on one host sees its own traffic plus broadcasts, \
         multicasts and frames for unknown destinations, nothing else: conversations between \
         other hosts are not here. If the problem involves them, capture on a mirrored switch \
         port (SPAN) or on those hosts. Traffic between processes on {name} itself (a browser and \
         a web server on the same machine) never reaches the network adapter and cannot appear in \
         any capture; a loopback or ETW trace shows it. And a trace from one end cannot tell \
         whether the other end received a packet, answered it, or where a delay was spent: for \
         connectivity and delay problems, capture on both ends at the same time."
    );
    (verdict, explanation)
}
