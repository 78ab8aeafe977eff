//! The TCP analysis flags: Wireshark's internal bit values (packet-tcp.c `TCP_A_*`), their
//! display-filter names (`tcp.analysis.<name>`), and the Info-column prefixes.

pub const RETRANSMISSION: u16 = 0x0001;
pub const LOST_SEGMENT: u16 = 0x0002;
pub const ACK_LOST_SEGMENT: u16 = 0x0004;
pub const KEEP_ALIVE: u16 = 0x0008;
pub const DUPLICATE_ACK: u16 = 0x0010;
pub const ZERO_WINDOW: u16 = 0x0020;
pub const ZERO_WINDOW_PROBE: u16 = 0x0040;
pub const ZERO_WINDOW_PROBE_ACK: u16 = 0x0080;
pub const KEEP_ALIVE_ACK: u16 = 0x0100;
pub const OUT_OF_ORDER: u16 = 0x0200;
pub const FAST_RETRANSMISSION: u16 = 0x0400;
pub const WINDOW_UPDATE: u16 = 0x0800;
pub const WINDOW_FULL: u16 = 0x1000;
pub const REUSED_PORTS: u16 = 0x2000;
pub const SPURIOUS_RETRANSMISSION: u16 = 0x4000;

/// Every flag with its filter name, in the order of issue #4 (and of `tracelens tcp` output).
pub const NAMES: [(u16, &str); 15] = [
    (RETRANSMISSION, "retransmission"),
    (FAST_RETRANSMISSION, "fast_retransmission"),
    (SPURIOUS_RETRANSMISSION, "spurious_retransmission"),
    (OUT_OF_ORDER, "out_of_order"),
    (LOST_SEGMENT, "lost_segment"),
    (ACK_LOST_SEGMENT, "ack_lost_segment"),
    (DUPLICATE_ACK, "duplicate_ack"),
    (ZERO_WINDOW, "zero_window"),
    (ZERO_WINDOW_PROBE, "zero_window_probe"),
    (ZERO_WINDOW_PROBE_ACK, "zero_window_probe_ack"),
    (WINDOW_FULL, "window_full"),
    (WINDOW_UPDATE, "window_update"),
    (KEEP_ALIVE, "keep_alive"),
    (KEEP_ALIVE_ACK, "keep_alive_ack"),
    (REUSED_PORTS, "reused_ports"),
];

/// The `tcp.analysis.*` fields present for a set of flags, as tshark reports them: fast and
/// spurious retransmissions also carry the `retransmission` expert item, so the filter
/// `tcp.analysis.retransmission` matches all three kinds.
pub fn field_names(flags: u16) -> Vec<&'static str> {
    let shown = if flags & (FAST_RETRANSMISSION | SPURIOUS_RETRANSMISSION) != 0 {
        flags | RETRANSMISSION
    } else {
        flags
    };
    NAMES
        .iter()
        .filter(|(bit, _)| shown & bit != 0)
        .map(|(_, name)| *name)
        .collect()
}

/// Problems as Wireshark's "Bad TCP" colouring rule sees them: any flag except window update,
/// keep-alive and keep-alive ACK.
pub fn is_problem(flags: u16) -> bool {
    flags & !(WINDOW_UPDATE | KEEP_ALIVE | KEEP_ALIVE_ACK) != 0
}

/// The Info-column text Wireshark puts in front of a segment's summary for its flags, e.g.
/// `"[TCP Dup ACK 8#1] "`. Wireshark prepends the items one by one, so the last one it adds
/// comes first; this reproduces that order.
pub fn info_prefix(flags: u16, dup_ack: Option<(u32, u32)>) -> String {
    let simple = |bit: u16, text: &'static str| (flags & bit != 0).then(|| text.to_string());
    let dup = (flags & DUPLICATE_ACK != 0)
        .then_some(dup_ack)
        .flatten()
        .map(|(frame, num)| format!("[TCP Dup ACK {frame}#{num}] "));
    let items: Vec<String> = [
        simple(REUSED_PORTS, "[TCP Port numbers reused] "),
        simple(RETRANSMISSION, "[TCP Retransmission] "),
        simple(FAST_RETRANSMISSION, "[TCP Fast Retransmission] "),
        simple(SPURIOUS_RETRANSMISSION, "[TCP Spurious Retransmission] "),
        simple(OUT_OF_ORDER, "[TCP Out-Of-Order] "),
        simple(LOST_SEGMENT, "[TCP Previous segment not captured] "),
        simple(ACK_LOST_SEGMENT, "[TCP ACKed unseen segment] "),
        simple(WINDOW_UPDATE, "[TCP Window Update] "),
        simple(WINDOW_FULL, "[TCP Window Full] "),
        simple(KEEP_ALIVE, "[TCP Keep-Alive] "),
        simple(KEEP_ALIVE_ACK, "[TCP Keep-Alive ACK] "),
        dup,
        simple(ZERO_WINDOW_PROBE, "[TCP ZeroWindowProbe] "),
        simple(ZERO_WINDOW, "[TCP ZeroWindow] "),
        simple(ZERO_WINDOW_PROBE_ACK, "[TCP ZeroWindowProbeAck] "),
    ]
    .into_iter()
    .flatten()
    .collect();
    items.iter().rev().map(String::as_str).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_retransmissions_also_match_the_retransmission_field() {
        assert_eq!(
            field_names(FAST_RETRANSMISSION),
            vec!["retransmission", "fast_retransmission"]
        );
        assert_eq!(field_names(DUPLICATE_ACK), vec!["duplicate_ack"]);
    }

    #[test]
    fn prefixes_come_out_in_wireshark_order() {
        // Combinations tshark 4.0.17 prints (`tshark -n -r FILE -T fields -e frame.number
        // -e _ws.col.Info`): suricata-verify/http-mime-truncated/input.pcap frame 400
        // "[TCP ZeroWindowProbeAck] [TCP ZeroWindow] 49160 → 80 ...";
        // suricata-verify/tls-subjectaltname/input.pcap frame 21 "[TCP Previous segment not
        // captured] [TCP Port numbers reused] ..." and frame 114 "[TCP Retransmission] [TCP Port
        // numbers reused] ..."; ndpi/heuristic_tcp_ack_payload.pcap frame 12 "[TCP ACKed unseen
        // segment] [TCP Retransmission] ..."; chrissanders/tcp_dupack.pcapng frame 3 "[TCP Dup
        // ACK 1#1] ...".
        assert_eq!(
            info_prefix(ZERO_WINDOW_PROBE_ACK | ZERO_WINDOW, None),
            "[TCP ZeroWindowProbeAck] [TCP ZeroWindow] "
        );
        assert_eq!(
            info_prefix(LOST_SEGMENT | REUSED_PORTS, None),
            "[TCP Previous segment not captured] [TCP Port numbers reused] "
        );
        assert_eq!(
            info_prefix(RETRANSMISSION | REUSED_PORTS, None),
            "[TCP Retransmission] [TCP Port numbers reused] "
        );
        assert_eq!(
            info_prefix(ACK_LOST_SEGMENT | RETRANSMISSION, None),
            "[TCP ACKed unseen segment] [TCP Retransmission] "
        );
        assert_eq!(
            info_prefix(DUPLICATE_ACK, Some((1, 1))),
            "[TCP Dup ACK 1#1] "
        );
        assert_eq!(info_prefix(0, None), "");
    }

    #[test]
    fn window_updates_are_not_problems() {
        assert!(!is_problem(WINDOW_UPDATE | KEEP_ALIVE));
        assert!(is_problem(ZERO_WINDOW));
    }
}
