//! The field registry: every display-filter field tracelens knows, with its Wireshark name and
//! type, a one-line description, and how to read it — from the packet index and flows (fast, no
//! bytes), from the TCP analysis, or from the frame bytes. This is the single list that the
//! compiler resolves names against, that completion offers, and that unknown names are matched
//! against for suggestions.

use super::context::Frame;
use super::dissection::*;
use super::layers;
use super::links;
use super::value::{FieldType, Occurrences, Val};
use crate::decode::app::AppInfo;
use crate::index::flag;
use crate::tcp::flags as tflags;
use std::borrow::Cow;
use std::sync::OnceLock;

/// Up to this many numeric occurrences per frame for fast numeric fields.
pub const MAX_NUMBERS: usize = 8;

/// Reads numeric occurrences (integers, booleans as 0/1, times in ns, IPv4 as u32) into the
/// buffer and returns how many there are.
pub type NumberFn = for<'r> fn(&Frame<'r>, &mut [i64; MAX_NUMBERS]) -> usize;
/// Reads occurrences of any type.
pub type ValuesFn = for<'r> fn(&Frame<'r>, &mut Occurrences<'r>);
/// Whether a protocol or label is present.
pub type PresentFn = for<'r> fn(&Frame<'r>) -> bool;

/// How a field is read.
#[derive(Clone, Copy)]
pub enum Reader {
    /// Numeric values from the index (the fast path).
    Numbers(NumberFn),
    /// Values of any type from the index.
    Values(ValuesFn),
    /// Values that need the frame bytes; the frame must first pass the index precondition.
    Bytes(PresentFn, ValuesFn),
    /// A protocol: presence from the index; its value (the bytes it covers) needs the frame.
    Protocol(PresentFn, ValuesFn),
    /// A label (no value): presence only.
    Label(PresentFn),
    /// Not computed by this build; the text says why.
    Unavailable(&'static str),
}

/// One registered field.
#[derive(Clone, Copy)]
pub struct FieldDef {
    pub name: &'static str,
    pub ty: FieldType,
    pub description: &'static str,
    pub reader: Reader,
}

impl FieldDef {
    /// Whether reading the field's value needs the frame bytes.
    pub fn value_needs_bytes(&self) -> bool {
        matches!(self.reader, Reader::Bytes(..) | Reader::Protocol(..))
    }

    /// Whether the field's presence alone needs the frame bytes.
    pub fn presence_needs_bytes(&self) -> bool {
        matches!(self.reader, Reader::Bytes(..))
    }
}

/// The registry, sorted by name.
pub fn registry() -> &'static [FieldDef] {
    static REGISTRY: OnceLock<Vec<FieldDef>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut fields = build();
        fields.sort_by(|a, b| a.name.cmp(b.name));
        fields
    })
}

/// Looks a field up by its exact name.
pub fn lookup(name: &str) -> Option<&'static FieldDef> {
    let fields = registry();
    fields
        .binary_search_by(|f| f.name.cmp(name))
        .ok()
        .map(|i| &fields[i])
}

macro_rules! field {
    ($name:expr, $ty:ident, $desc:expr, $reader:expr) => {
        FieldDef {
            name: $name,
            ty: FieldType::$ty,
            description: $desc,
            reader: $reader,
        }
    };
}

macro_rules! label {
    ($name:expr, $desc:expr, $bits:expr) => {
        field!(
            $name,
            Label,
            $desc,
            Reader::Label(|f| analysis_flag(f, $bits))
        )
    };
}

#[allow(clippy::too_many_lines)]
fn build() -> Vec<FieldDef> {
    use Reader::*;
    vec![
        // ---- frame ----
        field!("frame", Protocol, "Every frame (its value is all the captured bytes)", Protocol(|_| true, layers::frame_span)),
        field!("frame.number", Uint, "Frame number, 1-based", Numbers(|f, b| one(b, f.i as i64 + 1))),
        field!("frame.time_relative", Time, "Seconds since the first frame", Numbers(|f, b| {
            if f.rec.has(flag::HAS_TIME) { one(b, f.rec.ts_ns - f.data.support.first_ts) } else { 0 }
        })),
        field!("frame.time_delta", Time, "Seconds since the previous captured frame", Numbers(|f, b| {
            if f.rec.has(flag::HAS_TIME) { one(b, if f.i == 0 { 0 } else { f.rec.ts_ns - previous_ts(f) }) } else { 0 }
        })),
        field!("frame.time_epoch", Time, "Seconds since 1970-01-01 UTC", Numbers(|f, b| {
            if f.rec.has(flag::HAS_TIME) { one(b, f.rec.ts_ns) } else { 0 }
        })),
        field!("frame.len", Uint, "Frame length on the wire (bytes)", Numbers(|f, b| one(b, i64::from(f.rec.orig_len)))),
        field!("frame.cap_len", Uint, "Bytes captured of the frame (less than frame.len when cut by the snapshot length)", Numbers(|f, b| one(b, i64::from(f.rec.caplen)))),
        field!("frame.interface_id", Uint, "Capture interface number (the interface's position in its pcapng section)", Numbers(|f, b| {
            match f.data.support.interface_ids.get(usize::from(f.rec.iface)) {
                Some(Some(id)) => one(b, i64::from(*id)),
                _ => 0,
            }
        })),
        // ---- link layers ----
        field!("eth", Protocol, "Ethernet II / 802.3 frame", Protocol(is_ethernet, layers::frame_span)),
        field!("eth.addr", Ether, "Ethernet source or destination address", Values(|f, out| ethernet_pairs(f, out, true, true))),
        field!("eth.src", Ether, "Ethernet source address", Values(|f, out| ethernet_pairs(f, out, true, false))),
        field!("eth.dst", Ether, "Ethernet destination address", Values(|f, out| ethernet_pairs(f, out, false, true))),
        field!("eth.type", Uint, "EtherType of the Ethernet header (0x0800 IPv4, 0x86dd IPv6, 0x0806 ARP, 0x8100 VLAN…; read from the frame bytes)", Bytes(is_ethernet, layers::ether_type)),
        field!("vlan", Protocol, "802.1Q VLAN tag", Protocol(|f| f.link().vlan.is_some(), layers::vlan_span)),
        field!("vlan.id", Uint, "VLAN identifier (outermost 802.1Q tag; an 802.1ad service tag is not one)", Numbers(|f, b| match f.link().vlan {
            Some(id) => one(b, i64::from(id)),
            None => 0,
        })),
        field!("sll", Protocol, "Linux cooked capture header (v1 or v2)", Protocol(|f| matches!(f.link_type(), 113 | 276), layers::frame_span)),
        field!("sll.src.eth", Ether, "Linux cooked capture: the sender's 6-byte link-layer address (Ethernet or loopback)", Values(sll_source)),
        field!("mpls", Protocol, "MPLS label stack (read from the frame bytes)", Bytes(|f| f.link_type() == 1, layers::mpls)),
        field!("gre", Protocol, "Generic Routing Encapsulation", Protocol(
            |f| match f.deep() {
                Some(deep) => deep.gre,
                None => f.rec.ip_proto == 47 && (is_ipv4(f) || is_ipv6(f)),
            },
            layers::transport_span
        )),
        // ---- link and tunnel layers the index does not keep (read from the frame bytes) ----
        field!("null", Protocol, "BSD loopback header (LINKTYPE_NULL / LOOP)", Protocol(|f| matches!(f.link_type(), 0 | 108), layers::frame_span)),
        field!("null.family", Uint, "BSD loopback address family (2 IPv4; 10, 23, 24, 28, 30 IPv6)", Bytes(|f| matches!(f.link_type(), 0 | 108), |f, out| links::numbers(f, out, |l| l.null_family.map(u64::from).into_iter().collect()))),
        field!("ppp", Protocol, "Point-to-Point Protocol (PPP links, PPPoE sessions, PPTP's GRE)", Bytes(links::may_have_link_layers, |f, out| links::spans(f, out, |l| l.ppp.into_iter().map(|p| p.1).collect()))),
        field!("ppp.address", Uint, "PPP address byte (0xff)", Bytes(links::may_have_link_layers, |f, out| links::numbers(f, out, |l| l.ppp.iter().filter(|p| p.0.address_control).map(|_| 0xFF).collect()))),
        field!("ppp.control", Uint, "PPP control byte (0x03)", Bytes(links::may_have_link_layers, |f, out| links::numbers(f, out, |l| l.ppp.iter().filter(|p| p.0.address_control).map(|_| 0x03).collect()))),
        field!("ppp.protocol", Uint, "Protocol carried by PPP (0x0021 IPv4, 0x0057 IPv6, 0xc021 LCP…)", Bytes(links::may_have_link_layers, |f, out| links::numbers(f, out, |l| l.ppp.iter().map(|p| u64::from(p.0.protocol)).collect()))),
        field!("pppoes", Protocol, "PPP-over-Ethernet session", Bytes(links::may_have_link_layers, |f, out| links::spans(f, out, |l| l.pppoe_sessions.into_iter().map(|p| p.1).collect()))),
        field!("pppoe.session_id", Uint, "PPPoE session identifier", Bytes(links::may_have_link_layers, |f, out| links::numbers(f, out, |l| l.pppoe_sessions.iter().map(|p| u64::from(p.0)).collect()))),
        field!("ieee8021ad", Protocol, "IEEE 802.1ad service tag (QinQ)", Bytes(is_ethernet, |f, out| links::spans(f, out, |l| l.service_tags.into_iter().map(|t| t.1).collect()))),
        field!("ieee8021ad.id", Uint, "802.1ad service VLAN identifier", Bytes(is_ethernet, |f, out| links::numbers(f, out, |l| l.service_tags.iter().map(|t| u64::from(t.0 & 0x0FFF)).collect()))),
        field!("ieee8021ad.priority", Uint, "802.1ad service tag priority", Bytes(is_ethernet, |f, out| links::numbers(f, out, |l| l.service_tags.iter().map(|t| u64::from(t.0 >> 13)).collect()))),
        field!("ieee8021ad.dei", Uint, "802.1ad service tag drop eligible indicator", Bytes(is_ethernet, |f, out| links::numbers(f, out, |l| l.service_tags.iter().map(|t| u64::from((t.0 >> 12) & 1)).collect()))),
        field!("llc", Protocol, "IEEE 802.2 Logical-Link Control", Bytes(links::may_have_link_layers, |f, out| links::spans(f, out, |l| l.llc.into_iter().map(|h| h.1).collect()))),
        field!("llc.dsap", Uint, "LLC destination service access point", Bytes(links::may_have_link_layers, |f, out| links::numbers(f, out, |l| l.llc.iter().map(|h| u64::from(h.0[0])).collect()))),
        field!("llc.ssap", Uint, "LLC source service access point", Bytes(links::may_have_link_layers, |f, out| links::numbers(f, out, |l| l.llc.iter().map(|h| u64::from(h.0[1])).collect()))),
        field!("wlan", Protocol, "IEEE 802.11 frame (carried by Aruba's GRE)", Bytes(|f| f.rec.ip_proto == 47 || f.rec.has(flag::TUNNELLED), |f, out| links::spans(f, out, |l| l.wlan))),
        field!("vxlan", Protocol, "Virtual eXtensible LAN (UDP 4789)", Bytes(|f| f.rec.has(flag::TUNNELLED), |f, out| links::spans(f, out, |l| l.vxlan.into_iter().map(|v| v.1).collect()))),
        field!("vxlan.flags", Uint, "VXLAN flags (0x0800: the VNI is valid)", Bytes(|f| f.rec.has(flag::TUNNELLED), |f, out| links::numbers(f, out, |l| l.vxlan.iter().map(|v| u64::from(v.0 .0)).collect()))),
        field!("vxlan.vni", Uint, "VXLAN network identifier", Bytes(|f| f.rec.has(flag::TUNNELLED), |f, out| links::numbers(f, out, |l| l.vxlan.iter().map(|v| u64::from(v.0 .1)).collect()))),
        // ---- IPv4 ----
        field!("ip", Protocol, "Internet Protocol version 4", Protocol(
            |f| match f.deep() {
                Some(deep) => deep.ip.iter().any(|l| !l.v6),
                None => is_ipv4(f),
            },
            layers::ip_span
        )),
        field!("ip.addr", Ipv4, "IPv4 source or destination address", Numbers(|f, b| ipv4_addresses(f, b, true, true))),
        field!("ip.src", Ipv4, "IPv4 source address", Numbers(|f, b| ipv4_addresses(f, b, true, false))),
        field!("ip.dst", Ipv4, "IPv4 destination address", Numbers(|f, b| ipv4_addresses(f, b, false, true))),
        field!("ip.len", Uint, "IPv4 total length (header and payload)", Numbers(|f, b| ip_numbers(f, b, false, |l| i64::from(l.len), ipv4_total_length))),
        field!("ip.id", Uint, "IPv4 identification", Numbers(|f, b| ip_numbers(f, b, false, |l| i64::from(l.id), |f| i64::from(f.rec.ip_id)))),
        field!("ip.ttl", Uint, "IPv4 time to live", Numbers(|f, b| ip_numbers(f, b, false, |l| i64::from(l.ttl), |f| i64::from(f.rec.ttl)))),
        field!("ip.proto", Uint, "Protocol carried by IPv4 (6 TCP, 17 UDP, 1 ICMP, 47 GRE…)", Numbers(|f, b| ip_numbers(f, b, false, |l| i64::from(l.proto), |f| i64::from(f.rec.ip_proto)))),
        field!("ip.version", Uint, "IP version (4)", Numbers(|f, b| ip_numbers(f, b, false, |_| 4, |_| 4))),
        field!("ip.flags.df", Bool, "IPv4 Don't Fragment flag", Numbers(|f, b| ip_numbers(f, b, false, |l| i64::from(l.df), |f| i64::from(f.rec.has(flag::DONT_FRAGMENT))))),
        field!("ip.flags.mf", Bool, "IPv4 More Fragments flag", Numbers(|f, b| ip_numbers(f, b, false, |l| i64::from(l.mf), |f| {
            i64::from(f.rec.has(flag::FRAGMENT) && f.data.index.fragments.get(f.i as u32).is_some_and(|x| x.more))
        }))),
        // ---- IPv6 ----
        field!("ipv6", Protocol, "Internet Protocol version 6", Protocol(
            |f| match f.deep() {
                Some(deep) => deep.ip.iter().any(|l| l.v6),
                // A raw-IPv6 link always gets the IPv6 dissector, even on a bad packet.
                None => is_ipv6(f) || f.link_type() == 229,
            },
            layers::ip_span
        )),
        field!("ipv6.addr", Ipv6, "IPv6 source or destination address", Values(|f, out| ipv6_addresses(f, out, true, true))),
        field!("ipv6.src", Ipv6, "IPv6 source address", Values(|f, out| ipv6_addresses(f, out, true, false))),
        field!("ipv6.dst", Ipv6, "IPv6 destination address", Values(|f, out| ipv6_addresses(f, out, false, true))),
        field!("ipv6.plen", Uint, "IPv6 payload length", Numbers(|f, b| ip_numbers(f, b, true, |l| i64::from(l.len), |f| i64::from(f.rec.ip_len())))),
        field!("ipv6.hlim", Uint, "IPv6 hop limit", Numbers(|f, b| ip_numbers(f, b, true, |l| i64::from(l.ttl), |f| i64::from(f.rec.ttl)))),
        field!("ipv6.version", Uint, "IP version (6)", Numbers(|f, b| ip_numbers(f, b, true, |_| 6, |_| 6))),
        field!("ipv6.nxt", Uint, "IPv6 next header of the fixed header (44 fragment, 0 hop-by-hop, 6 TCP…; read from the frame bytes)", Bytes(is_ipv6, layers::ipv6_next_header)),
        // ---- TCP ----
        field!("tcp", Protocol, "Transmission Control Protocol", Protocol(is_tcp_present, layers::transport_span)),
        field!("tcp.port", Uint, "TCP source or destination port", Numbers(|f, b| port_numbers(f, b, false, 2))),
        field!("tcp.srcport", Uint, "TCP source port", Numbers(|f, b| port_numbers(f, b, false, 0))),
        field!("tcp.dstport", Uint, "TCP destination port", Numbers(|f, b| port_numbers(f, b, false, 1))),
        field!("tcp.stream", Uint, "TCP stream index, 0-based, in order of first appearance", Numbers(|f, b| match f.stream() {
            Some(s) if s.ip_proto == 6 && (tcp_ports(f).is_some() || f.is_layered()) => one(b, i64::from(s.number)),
            _ => 0,
        })),
        field!("tcp.seq", Uint, "TCP sequence number, relative to the stream's first", Numbers(|f, b| match relative_seq_ack(f) {
            Some((seq, _)) => one(b, i64::from(seq)),
            None => 0,
        })),
        field!("tcp.ack", Uint, "TCP acknowledgment number, relative to the peer's first sequence number", Numbers(|f, b| match relative_seq_ack(f) {
            Some((_, ack)) => one(b, i64::from(ack)),
            None => 0,
        })),
        field!("tcp.nxtseq", Uint, "Relative sequence number of the next byte this side will send", Numbers(|f, b| {
            match (relative_seq_ack(f), tcp_record(f)) {
                (Some((seq, _)), Some(t)) if is_analysed(f) => {
                    let extra = u32::from(t.tcp_flags & 0x03 != 0);
                    one(b, i64::from(seq.wrapping_add(t.payload_len()).wrapping_add(extra)))
                }
                _ => 0,
            }
        })),
        field!("tcp.seq_raw", Uint, "TCP sequence number as sent", Numbers(|f, b| tcp_number(f, b, |t| i64::from(t.seq)))),
        field!("tcp.ack_raw", Uint, "TCP acknowledgment number as sent", Numbers(|f, b| tcp_number(f, b, |t| i64::from(t.ack)))),
        field!("tcp.len", Uint, "TCP payload length (bytes of segment data)", Numbers(|f, b| tcp_number(f, b, |t| i64::from(t.payload_len())))),
        field!("tcp.flags", Uint, "TCP flags as a number (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20…)", Numbers(|f, b| {
            tcp_number(f, b, |t| i64::from(t.tcp_flags) | if t.has(flag::TCP_NS) { 0x100 } else { 0 })
        })),
        field!("tcp.flags.fin", Bool, "TCP FIN flag: the sender has finished sending", Numbers(|f, b| tcp_flag(f, b, 0x01))),
        field!("tcp.flags.syn", Bool, "TCP SYN flag: connection setup", Numbers(|f, b| tcp_flag(f, b, 0x02))),
        field!("tcp.flags.reset", Bool, "TCP RST flag: connection reset", Numbers(|f, b| tcp_flag(f, b, 0x04))),
        field!("tcp.flags.push", Bool, "TCP PSH flag: push data to the application", Numbers(|f, b| tcp_flag(f, b, 0x08))),
        field!("tcp.flags.ack", Bool, "TCP ACK flag: the acknowledgment number is valid", Numbers(|f, b| tcp_flag(f, b, 0x10))),
        field!("tcp.flags.urg", Bool, "TCP URG flag: the urgent pointer is valid", Numbers(|f, b| tcp_flag(f, b, 0x20))),
        field!("tcp.flags.ece", Bool, "TCP ECE flag: ECN echo", Numbers(|f, b| tcp_flag(f, b, 0x40))),
        field!("tcp.flags.cwr", Bool, "TCP CWR flag: congestion window reduced", Numbers(|f, b| tcp_flag(f, b, 0x80))),
        field!("tcp.flags.ae", Bool, "TCP AE (formerly NS) flag: accurate ECN", Numbers(|f, b| tcp_number(f, b, |t| i64::from(t.has(flag::TCP_NS))))),
        field!("tcp.window_size_value", Uint, "TCP window field as sent (before scaling)", Numbers(|f, b| tcp_number(f, b, |t| i64::from(t.window)))),
        field!("tcp.window_size", Uint, "TCP receive window in bytes, after window scaling", Numbers(|f, b| {
            let Some(t) = tcp_record(f) else { return 0 };
            let raw = i64::from(t.window);
            if let (Some(tcp), true) = (f.data.tcp, is_analysed(f)) {
                // Single-pass: a frame shown before the window scale was known is not scaled.
                return one(b, tcp.scaled_window_at(f.data.flows, f.data.index, f.i, true).map_or(raw, i64::from));
            }
            // Not analysed (or no analysis given): the window as sent.
            one(b, raw)
        })),
        field!("tcp.options.mss_val", Uint, "TCP maximum segment size option (SYN)", Numbers(|f, b| {
            match (tcp_record(f), transport_index(f)) {
                (Some(_), Some(i)) => match f.data.index.tcp_options.get(i as u32).and_then(|o| o.mss) {
                    Some(mss) => one(b, i64::from(mss)),
                    None => 0,
                },
                _ => 0,
            }
        })),
        field!("tcp.options.wscale.shift", Uint, "TCP window scale option: shift count (SYN)", Numbers(|f, b| {
            match (tcp_record(f), transport_index(f)) {
                (Some(_), Some(i)) => match f.data.index.tcp_options.get(i as u32).and_then(|o| o.window_scale) {
                    Some(shift) => one(b, i64::from(shift)),
                    None => 0,
                },
                _ => 0,
            }
        })),
        field!("tcp.options.sack_perm", Label, "TCP SACK-permitted option (SYN)", Label(|f| {
            match (tcp_record(f), transport_index(f)) {
                (Some(_), Some(i)) => f.data.index.tcp_options.get(i as u32).is_some_and(|o| o.sack_permitted),
                _ => false,
            }
        })),
        field!("tcp.payload", Bytes, "TCP segment data (read from the frame bytes)", Bytes(|f| tcp_record(f).is_some_and(|t| t.payload_len() > 0) && !f.rec.has(flag::FRAGMENT), layers::tcp_payload)),
        // ---- TCP analysis ----
        label!("tcp.analysis.flags", "Any TCP analysis note on this segment (problems, window updates, keep-alives)", u16::MAX),
        label!("tcp.analysis.retransmission", "Suspected retransmission (also set on fast and spurious retransmissions)", tflags::RETRANSMISSION | tflags::FAST_RETRANSMISSION | tflags::SPURIOUS_RETRANSMISSION),
        label!("tcp.analysis.fast_retransmission", "Suspected fast retransmission (after duplicate ACKs)", tflags::FAST_RETRANSMISSION),
        label!("tcp.analysis.spurious_retransmission", "Retransmission of data the receiver had already acknowledged", tflags::SPURIOUS_RETRANSMISSION),
        label!("tcp.analysis.out_of_order", "Suspected out-of-order segment", tflags::OUT_OF_ORDER),
        label!("tcp.analysis.lost_segment", "Previous segment not captured (a gap in the sequence numbers)", tflags::LOST_SEGMENT),
        label!("tcp.analysis.ack_lost_segment", "ACK for data that was not captured", tflags::ACK_LOST_SEGMENT),
        label!("tcp.analysis.duplicate_ack", "Duplicate ACK", tflags::DUPLICATE_ACK),
        label!("tcp.analysis.zero_window", "The sender's receive window is zero", tflags::ZERO_WINDOW),
        label!("tcp.analysis.zero_window_probe", "Probe of a peer's zero window", tflags::ZERO_WINDOW_PROBE),
        label!("tcp.analysis.zero_window_probe_ack", "ACK of a zero-window probe", tflags::ZERO_WINDOW_PROBE_ACK),
        label!("tcp.analysis.window_full", "The segment fills the peer's advertised window", tflags::WINDOW_FULL),
        label!("tcp.analysis.window_update", "Window update: only the window changed", tflags::WINDOW_UPDATE),
        label!("tcp.analysis.keep_alive", "TCP keep-alive segment", tflags::KEEP_ALIVE),
        label!("tcp.analysis.keep_alive_ack", "ACK of a TCP keep-alive", tflags::KEEP_ALIVE_ACK),
        label!("tcp.analysis.reused_ports", "A new connection reuses the ports of an earlier one", tflags::REUSED_PORTS),
        field!("tcp.analysis.duplicate_ack_num", Uint, "Duplicate ACK number (1 for the first duplicate)", Numbers(|f, b| {
            match (analysis_flag(f, tflags::DUPLICATE_ACK), f.data.tcp.and_then(|t| t.dup_ack(f.i))) {
                (true, Some(dup)) => one(b, i64::from(dup.num)),
                _ => 0,
            }
        })),
        field!("tcp.analysis.acks_frame", Uint, "Frame number of the segment this ACK acknowledges", Numbers(|f, b| match analysis(f) {
            Some(s) if s.acked_frame != 0 => one(b, i64::from(s.acked_frame)),
            _ => 0,
        })),
        field!("tcp.analysis.ack_rtt", Time, "Round-trip time: seconds from a segment to the ACK that covers it", Numbers(|f, b| {
            match f.data.tcp.and_then(|t| t.ack_rtt_ns(f.data.index, f.i)) {
                Some(rtt) => one(b, rtt),
                None => 0,
            }
        })),
        field!("tcp.analysis.initial_rtt", Time, "Handshake round-trip time (SYN to the ACK of the SYN-ACK)", Numbers(|f, b| {
            match f.data.tcp.and_then(|t| t.initial_rtt_ns(f.data.flows, f.i, false)) {
                Some(rtt) => one(b, rtt),
                None => 0,
            }
        })),
        field!("tcp.analysis.bytes_in_flight", Uint, "Bytes sent but not yet acknowledged", Numbers(|f, b| match analysis(f) {
            Some(s) if s.bytes_in_flight != 0 => one(b, i64::from(s.bytes_in_flight)),
            _ => 0,
        })),
        field!("tcp.completeness", Uint, "Connection completeness so far (bits: 1 SYN, 2 SYN-ACK, 4 ACK, 8 data, 16 FIN, 32 RST)", Numbers(|f, b| {
            match (f.data.tcp, tcp_record(f)) {
                (Some(tcp), Some(_)) if tcp.segment_bits(f.i).has(crate::tcp::bit::ANALYSED) => one(b, i64::from(tcp.segment_bits(f.i).completeness_so_far())),
                _ => 0,
            }
        })),
        // ---- UDP ----
        field!("udp", Protocol, "User Datagram Protocol", Protocol(is_udp_present, layers::transport_span)),
        field!("udp.port", Uint, "UDP source or destination port", Numbers(|f, b| port_numbers(f, b, true, 2))),
        field!("udp.srcport", Uint, "UDP source port", Numbers(|f, b| port_numbers(f, b, true, 0))),
        field!("udp.dstport", Uint, "UDP destination port", Numbers(|f, b| port_numbers(f, b, true, 1))),
        field!("udp.length", Uint, "UDP length field (header and payload)", Numbers(|f, b| {
            if let Some(d) = f.deep() {
                return many(b, d.udp.iter().map(|&(_, _, len)| i64::from(len)));
            }
            match udp_ports(f) {
                Some(t) if t.is_udp() => one(b, i64::from(t.payload_len()) + 8),
                _ => 0,
            }
        })),
        field!("udp.stream", Uint, "UDP stream index, 0-based, in order of first appearance (tunnel carriers first)", Numbers(|f, b| {
            let flows = f.data.flows;
            let outer = if f.rec.has(flag::TUNNELLED) {
                flows
                    .outer_udp_streams(f.i as u32)
                    .filter_map(|id| flows.streams.get(id as usize))
                    .map(|s| i64::from(s.number))
                    .collect()
            } else {
                Vec::new()
            };
            let inner = match f.stream() {
                Some(s) if s.ip_proto == 17 && (udp_ports(f).is_some() || f.is_layered()) => Some(i64::from(s.number)),
                _ => None,
            };
            many(b, outer.into_iter().chain(inner))
        })),
        field!("udp.payload", Bytes, "UDP datagram data (read from the frame bytes)", Bytes(|f| udp_ports(f).is_some() && !f.rec.has(flag::FRAGMENT), layers::udp_payload)),
        // ---- ICMP ----
        field!("icmp", Protocol, "Internet Control Message Protocol (IPv4)", Protocol(|f| is_icmp_present(f, false), layers::transport_span)),
        field!("icmp.type", Uint, "ICMP type (8 echo request, 0 echo reply, 3 unreachable, 11 time exceeded…)", Numbers(|f, b| {
            if let Some(d) = f.deep() {
                return many(b, d.icmp.iter().filter(|i| !i.0).map(|i| i64::from(i.1)));
            }
            icmp_record(f).map_or(0, |t| one(b, i64::from(t.src_port)))
        })),
        field!("icmp.code", Uint, "ICMP code", Numbers(|f, b| {
            if let Some(d) = f.deep() {
                return many(b, d.icmp.iter().filter(|i| !i.0).map(|i| i64::from(i.2)));
            }
            icmp_record(f).map_or(0, |t| one(b, i64::from(t.dst_port)))
        })),
        field!("icmp.ident", Uint, "ICMP echo identifier (big-endian)", Numbers(|f, b| match icmp_record(f) {
            Some(t) if is_icmp_echo_like(t.src_port) => one(b, i64::from(t.seq >> 16)),
            _ => 0,
        })),
        field!("icmp.seq", Uint, "ICMP echo sequence number (big-endian)", Numbers(|f, b| match icmp_record(f) {
            Some(t) if is_icmp_echo_like(t.src_port) => one(b, i64::from(t.seq & 0xFFFF)),
            _ => 0,
        })),
        field!("icmpv6", Protocol, "Internet Control Message Protocol for IPv6", Protocol(|f| is_icmp_present(f, true), layers::transport_span)),
        field!("icmpv6.type", Uint, "ICMPv6 type (128 echo request, 129 echo reply, 135 neighbor solicitation…)", Numbers(|f, b| {
            if let Some(d) = f.deep() {
                return many(b, d.icmp.iter().filter(|i| i.0).map(|i| i64::from(i.1)));
            }
            icmpv6_record(f).map_or(0, |t| one(b, i64::from(t.src_port)))
        })),
        field!("icmpv6.code", Uint, "ICMPv6 code", Numbers(|f, b| {
            if let Some(d) = f.deep() {
                return many(b, d.icmp.iter().filter(|i| i.0).map(|i| i64::from(i.2)));
            }
            icmpv6_record(f).map_or(0, |t| one(b, i64::from(t.dst_port)))
        })),
        field!("icmpv6.echo.identifier", Uint, "ICMPv6 echo identifier", Numbers(|f, b| match icmpv6_record(f) {
            Some(t) if matches!(t.src_port, 128 | 129) => one(b, i64::from(t.seq >> 16)),
            _ => 0,
        })),
        field!("icmpv6.echo.sequence_number", Uint, "ICMPv6 echo sequence number", Numbers(|f, b| match icmpv6_record(f) {
            Some(t) if matches!(t.src_port, 128 | 129) => one(b, i64::from(t.seq & 0xFFFF)),
            _ => 0,
        })),
        // ---- ARP ----
        field!("arp", Protocol, "Address Resolution Protocol (and reverse ARP)", Protocol(|f| f.rec.has(flag::ARP) || is_rarp(f), layers::arp_span)),
        field!("arp.hw.type", Uint, "ARP hardware type (1 Ethernet; read from the frame bytes)", Bytes(|f| f.rec.has(flag::ARP), layers::arp_hardware_type)),
        field!("arp.proto.type", Uint, "ARP protocol type (0x0800 IPv4; read from the frame bytes)", Bytes(|f| f.rec.has(flag::ARP), layers::arp_protocol_type)),
        field!("arp.hw.size", Uint, "ARP hardware address size (6 for Ethernet)", Numbers(|f, b| if f.rec.has(flag::ARP) { one(b, 6) } else { 0 })),
        field!("arp.proto.size", Uint, "ARP protocol address size (4 for IPv4)", Numbers(|f, b| if f.rec.has(flag::ARP) { one(b, 4) } else { 0 })),
        field!("arp.opcode", Uint, "ARP opcode (1 request, 2 reply)", Numbers(|f, b| match arp_message(f) {
            Some(arp) => one(b, i64::from(arp.opcode)),
            None => 0,
        })),
        field!("arp.src.hw_mac", Ether, "ARP sender MAC address", Values(|f, out| arp_mac(f, out, true))),
        field!("arp.src.proto_ipv4", Ipv4, "ARP sender IPv4 address", Numbers(|f, b| arp_ipv4(f, b, true))),
        field!("arp.dst.hw_mac", Ether, "ARP target MAC address", Values(|f, out| arp_mac(f, out, false))),
        field!("arp.dst.proto_ipv4", Ipv4, "ARP target IPv4 address", Numbers(|f, b| arp_ipv4(f, b, false))),
        // ---- DNS ----
        field!("dns", Protocol, "Domain Name System (not mDNS or LLMNR)", Protocol(|f| dns_family(f) == Some("dns"), layers::app_span)),
        field!("mdns", Protocol, "Multicast DNS (UDP 5353)", Protocol(|f| dns_family(f) == Some("mdns"), layers::app_span)),
        field!("llmnr", Protocol, "Link-Local Multicast Name Resolution (UDP 5355)", Protocol(|f| dns_family(f) == Some("llmnr"), layers::app_span)),
        field!("dns.qry.name", Str, "DNS query name (first question)", Values(|f, out| {
            if f.is_layered() {
                for message in dns_messages(f) {
                    if let AppInfo::Dns { name, .. } = message.as_ref() {
                        if !name.is_empty() {
                            out.push(Val::Str(Cow::Owned(name.clone())));
                        }
                    }
                }
                return;
            }
            if let Some(AppInfo::Dns { name, .. }) = dns(f) {
                if !name.is_empty() {
                    out.push(Val::Str(Cow::Borrowed(name.as_str())));
                }
            }
        })),
        field!("dns.qry.type", Uint, "DNS query type (1 A, 28 AAAA, 5 CNAME…)", Numbers(|f, b| dns_number(f, b, |m| match m {
            AppInfo::Dns { name, qtype, .. } if !name.is_empty() => Some(i64::from(*qtype)),
            _ => None,
        }))),
        field!("dns.flags.response", Bool, "DNS message is a response", Numbers(|f, b| dns_number(f, b, |m| match m {
            AppInfo::Dns { response, .. } => Some(i64::from(*response)),
            _ => None,
        }))),
        field!("dns.flags.rcode", Uint, "DNS reply code (0 no error, 3 no such name…)", Numbers(|f, b| dns_number(f, b, |m| match m {
            AppInfo::Dns { rcode, .. } => Some(i64::from(*rcode)),
            _ => None,
        }))),
        field!("dns.id", Uint, "DNS transaction ID", Numbers(|f, b| dns_number(f, b, |m| match m {
            AppInfo::Dns { id, .. } => Some(i64::from(*id)),
            _ => None,
        }))),
        field!("dns.count.answers", Uint, "Number of DNS answer records", Numbers(|f, b| dns_number(f, b, |m| match m {
            AppInfo::Dns { answers, .. } => Some(i64::from(*answers)),
            _ => None,
        }))),
        // ---- HTTP ----
        field!("http", Protocol, "Hypertext Transfer Protocol (the frame that completes a message, or continuation data)", Protocol(
            |f| match f.data.pdus {
                Some(pdus) => pdus.http.contains_key(&(f.i as u32)),
                None => http(f).is_some(),
            },
            layers::app_span
        )),
        field!("http.request", Label, "The frame completes an HTTP request", Label(|f| {
            http_messages(f).iter().any(|m| matches!(m, HttpView::Request { .. }))
        })),
        field!("http.response", Label, "The frame completes an HTTP response", Label(|f| {
            http_messages(f).iter().any(|m| matches!(m, HttpView::Response { .. }))
        })),
        field!("http.request.method", Str, "HTTP request method (GET, POST…)", Values(|f, out| {
            for m in http_messages(f) {
                if let HttpView::Request { method, .. } = m {
                    out.push(Val::Str(Cow::Borrowed(method)));
                }
            }
        })),
        field!("http.request.uri", Str, "HTTP request URI", Values(|f, out| {
            for m in http_messages(f) {
                if let HttpView::Request { uri, .. } = m {
                    out.push(Val::Str(Cow::Borrowed(uri)));
                }
            }
        })),
        field!("http.request.version", Str, "HTTP version of a request (HTTP/1.1…)", Values(|f, out| {
            for m in http_messages(f) {
                if let HttpView::Request { version, .. } = m {
                    out.push(Val::Str(Cow::Borrowed(version)));
                }
            }
        })),
        field!("http.host", Str, "HTTP Host header of a request", Values(|f, out| {
            for m in http_messages(f) {
                if let HttpView::Request { host: Some(host), .. } = m {
                    out.push(Val::Str(Cow::Borrowed(host)));
                }
            }
        })),
        field!("http.response.code", Uint, "HTTP response status code (200, 404…)", Numbers(|f, b| {
            many(b, http_messages(f).iter().filter_map(|m| match m {
                HttpView::Response { code, .. } => Some(i64::from(*code)),
                HttpView::Request { .. } => None,
            }))
        })),
        field!("http.response.phrase", Str, "HTTP response reason phrase (OK, Not Found…)", Values(|f, out| {
            for m in http_messages(f) {
                if let HttpView::Response { reason, .. } = m {
                    out.push(Val::Str(Cow::Borrowed(reason)));
                }
            }
        })),
        // ---- TLS ----
        field!("tls", Protocol, "Transport Layer Security (the frame that completes a record, or continuation data)", Protocol(
            |f| match f.data.pdus {
                Some(pdus) => pdus.tls.contains_key(&(f.i as u32)),
                None => tls(f).is_some(),
            },
            layers::app_span
        )),
        field!("tls.record.content_type", Uint, "TLS record content type (22 handshake, 23 application data, 21 alert…)", Numbers(|f, b| {
            if let Some(pdus) = f.data.pdus {
                let records = pdus.tls.get(&(f.i as u32)).map_or(&[][..], Vec::as_slice);
                return many(b, records.iter().filter(|r| !r.opaque).map(|r| i64::from(r.content_type)));
            }
            match tls(f) {
                Some(AppInfo::Tls { record_type, .. }) => one(b, i64::from(*record_type)),
                _ => 0,
            }
        })),
        field!("tls.record.opaque_type", Uint, "TLS 1.3 encrypted record's outer type (23)", Numbers(|f, b| {
            let records = f.data.pdus.and_then(|p| p.tls.get(&(f.i as u32))).map_or(&[][..], Vec::as_slice);
            many(b, records.iter().filter(|r| r.opaque).map(|r| i64::from(r.content_type)))
        })),
        field!("tls.handshake.type", Uint, "TLS handshake message type (1 ClientHello, 2 ServerHello, 11 Certificate…)", Numbers(|f, b| {
            if let Some(pdus) = f.data.pdus {
                let records = pdus.tls.get(&(f.i as u32)).map_or(&[][..], Vec::as_slice);
                return many(b, records.iter().flat_map(|r| r.handshake_types.iter().map(|&t| i64::from(t))));
            }
            match tls(f) {
                Some(AppInfo::Tls { handshake_type: Some(t), .. }) => one(b, i64::from(*t)),
                _ => 0,
            }
        })),
        field!("tls.handshake.extensions_server_name", Str, "TLS ClientHello server name (SNI)", Values(|f, out| {
            if let Some(pdus) = f.data.pdus {
                for record in pdus.tls.get(&(f.i as u32)).map_or(&[][..], Vec::as_slice) {
                    if let Some(name) = &record.server_name {
                        out.push(Val::Str(Cow::Borrowed(name.as_str())));
                    }
                }
                return;
            }
            if let Some(AppInfo::Tls { server_name: Some(name), .. }) = tls(f) {
                out.push(Val::Str(Cow::Borrowed(name.as_str())));
            }
        })),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_described() {
        let fields = registry();
        for pair in fields.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} duplicated or unsorted",
                pair[1].name
            );
        }
        for field in fields {
            assert!(
                !field.description.is_empty() && !field.description.contains('\n'),
                "{}",
                field.name
            );
        }
        assert!(lookup("tcp.port").is_some());
        assert!(lookup("tcp.prot").is_none());
    }
}
