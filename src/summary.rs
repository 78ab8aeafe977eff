//! One line per frame in Wireshark's summary style: No., Time, Source, Destination, Protocol,
//! Length, Info — rendered from the index (and flows), never from the capture bytes, so the page
//! can fetch any range of rows instantly.

use crate::capture::FileInfo;
use crate::decode::app::{tls_version_name, AppInfo};
use crate::flows::Flows;
use crate::index::{flag, PacketIndex, PacketRecord};
use crate::tcp::TcpAnalysis;
use serde::Serialize;
use std::fmt::Write;

/// Whole-capture facts for the summary view (built by `Analyzer::summary`) and `tracelens info`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub files: Vec<FileInfo>,
    pub frames: u64,
    /// Epoch seconds of the first and last frame with a timestamp.
    pub first_time: Option<f64>,
    pub last_time: Option<f64>,
    pub first_time_ns: Option<i64>,
    pub last_time_ns: Option<i64>,
    pub duration: Option<f64>,
    /// Bytes captured (sum of captured lengths).
    pub bytes: u64,
    /// Bytes on the wire (sum of original lengths).
    pub wire_bytes: u64,
    pub truncated_frames: u64,
    pub warnings: Vec<String>,
    /// Where the analysis stopped taking frames (a capture larger than the page holds), if it did.
    pub frames_cut: Option<crate::analyzer::capacity::FramesCut>,
    /// Bytes of index per frame (records only) and in total (with tables).
    pub index_bytes_per_frame: usize,
    pub index_bytes: usize,
}

/// One row of the packet list.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Row {
    pub no: u64,
    /// Seconds since the first frame.
    pub time: f64,
    /// Epoch seconds, or None when the frame has no timestamp.
    pub abs_time: Option<f64>,
    /// Seconds since the previous frame.
    pub delta: f64,
    pub src: String,
    pub dst: String,
    pub protocol: String,
    pub length: u32,
    pub caplen: u32,
    pub info: String,
    pub file: u16,
    /// Colour class for the page: tcp, udp, icmp, arp, dns, http, tls, bad, warn, other.
    pub class: &'static str,
}

/// `n` with its thousands grouped by commas, as the page and the reports write counts: 1,204.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Formats a MAC address as Wireshark does without name resolution.
pub fn format_mac(mac: &[u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]
    )
}

/// Adds Wireshark's TCP analysis to a row: the Info prefix ("[TCP Retransmission] ",
/// "[TCP Dup ACK 8#1] " …) and the "bad" colour class for problems (any analysis flag but
/// window update, keep-alive and keep-alive ACK, as Wireshark's "Bad TCP" colouring rule).
pub fn annotate_tcp(row: &mut Row, tcp: &crate::tcp::TcpAnalysis, i: usize) {
    let seg = tcp.segment(i);
    if !seg.shown() || seg.flags() == 0 {
        return;
    }
    let dup = tcp.dup_ack(i).map(|d| (d.frame, d.num));
    row.info = format!(
        "{}{}",
        crate::tcp::flags::info_prefix(seg.flags(), dup),
        row.info
    );
    if crate::tcp::flags::is_problem(seg.flags()) {
        row.class = "bad";
    }
}

/// Renders rows `start..start+count` (0-based frame indexes).
pub fn rows(
    index: &PacketIndex,
    flows: &Flows,
    tcp: Option<&TcpAnalysis>,
    start: usize,
    count: usize,
) -> Vec<Row> {
    let end = start.saturating_add(count).min(index.len());
    let first = first_time(index);
    (start..end)
        .map(|i| row(index, flows, tcp, i, first))
        .collect()
}

/// Timestamp of the first frame that has one (the zero of relative time).
pub fn first_time(index: &PacketIndex) -> i64 {
    index
        .records
        .iter()
        .find(|r| r.has(flag::HAS_TIME))
        .map_or(0, |r| r.ts_ns)
}

/// Renders the row of frame index `i`; `first` is [`first_time`]. With the TCP analysis, TCP
/// rows show the scaled window and Wireshark's analysis prefix ("[TCP Retransmission] " …).
pub fn row(
    index: &PacketIndex,
    flows: &Flows,
    tcp: Option<&TcpAnalysis>,
    i: usize,
    first: i64,
) -> Row {
    let r = &index.records.at(i);
    let previous = i
        .checked_sub(1)
        .map_or(r.ts_ns, |p| index.records.at(p).ts_ns);
    let (src, dst) = addresses(index, r);
    let app = if r.has(flag::HAS_APP) {
        index.apps.get(i as u32)
    } else {
        None
    };
    let mut row = Row {
        no: i as u64 + 1,
        time: (r.ts_ns - first) as f64 / 1e9,
        abs_time: r.has(flag::HAS_TIME).then(|| r.ts_ns as f64 / 1e9),
        delta: (r.ts_ns - previous) as f64 / 1e9,
        src,
        dst,
        protocol: protocol(index, r, app),
        length: r.orig_len,
        caplen: r.caplen,
        info: info(index, flows, tcp, i, r, app),
        file: index.file_of(r),
        class: class(r, app),
    };
    if let Some(tcp) = tcp.filter(|_| r.is_tcp()) {
        annotate_tcp(&mut row, tcp, i);
    }
    row
}

fn addresses(index: &PacketIndex, r: &PacketRecord) -> (String, String) {
    if r.is_ip() {
        let show = |id| {
            index
                .addrs
                .get(id)
                .map(|a| a.to_string())
                .unwrap_or_default()
        };
        return (show(r.src), show(r.dst));
    }
    let link = index.links.get(r.link);
    let mac = |m: Option<[u8; 6]>| m.map(|m| format_mac(&m)).unwrap_or_default();
    (mac(link.src), mac(link.dst))
}

/// The Protocol column.
pub fn protocol(index: &PacketIndex, r: &PacketRecord, app: Option<&AppInfo>) -> String {
    if let Some(app) = app {
        return match app {
            AppInfo::Dns { .. } if r.src_port == 5353 || r.dst_port == 5353 => "MDNS".into(),
            AppInfo::Dns { .. } if r.src_port == 5355 || r.dst_port == 5355 => "LLMNR".into(),
            AppInfo::Dns { .. } => "DNS".into(),
            AppInfo::HttpRequest { .. } | AppInfo::HttpResponse { .. } => "HTTP".into(),
            AppInfo::Tls { version, .. } => tls_version_name(*version).into(),
        };
    }
    if r.has(flag::ARP) {
        return "ARP".into();
    }
    if r.has(flag::LATER_FRAGMENT) {
        return if r.has(flag::IPV6) {
            "IPv6".into()
        } else {
            "IPv4".into()
        };
    }
    match r.ip_proto {
        6 if r.is_tcp() || r.has(flag::PORTS_ONLY) => "TCP".into(),
        17 if r.is_udp() || r.has(flag::PORTS_ONLY) => well_known_udp(r).unwrap_or("UDP").into(),
        1 if r.is_icmp() => "ICMP".into(),
        58 if r.is_icmpv6() => "ICMPv6".into(),
        47 => "GRE".into(),
        _ if r.has(flag::IPV4) => "IPv4".into(),
        _ if r.has(flag::IPV6) => "IPv6".into(),
        _ => match index.link_type_of(r) {
            1 => "Ethernet".into(),
            0xFFE0 => "NetEvent".into(),
            0xFFFB => "NetMon Network Info".into(),
            0xFFFF => "NetMon Filter".into(),
            other if other & 0x8000_0000 != 0 => match other & 0x7FFF_FFFF {
                0x0BAD | 0x4000_0BAD => "pcapng custom block".into(),
                0x0009 => "systemd journal".into(),
                kind => format!("pcapng block 0x{kind:08x}"),
            },
            other => format!("LINKTYPE {other}"),
        },
    }
}

fn well_known_udp(r: &PacketRecord) -> Option<&'static str> {
    let name = |port| match port {
        67 | 68 => Some("DHCP"),
        123 => Some("NTP"),
        137 => Some("NBNS"),
        138 => Some("BROWSER"),
        161 | 162 => Some("SNMP"),
        1900 => Some("SSDP"),
        4789 => Some("VXLAN"),
        _ => None,
    };
    name(r.dst_port).or_else(|| name(r.src_port))
}

fn class(r: &PacketRecord, app: Option<&AppInfo>) -> &'static str {
    if r.is_tcp() && r.tcp_flags & 0x04 != 0 {
        return "bad";
    }
    if r.has(flag::DECODE_STOPPED) && !r.has(flag::PORTS_ONLY) {
        return "warn";
    }
    match app {
        Some(AppInfo::Dns { .. }) => return "dns",
        Some(AppInfo::HttpRequest { .. } | AppInfo::HttpResponse { .. }) => return "http",
        Some(AppInfo::Tls { .. }) => return "tls",
        None => {}
    }
    if r.has(flag::ARP) {
        "arp"
    } else if r.is_tcp() {
        "tcp"
    } else if r.is_udp() {
        "udp"
    } else if r.is_icmp() || r.is_icmpv6() {
        "icmp"
    } else {
        "other"
    }
}

/// Names of the TCP flags set, in Wireshark's order.
pub fn tcp_flag_names(flags: u8, ns: bool) -> Vec<&'static str> {
    let names = [
        (0x02, "SYN"),
        (0x01, "FIN"),
        (0x04, "RST"),
        (0x08, "PSH"),
        (0x10, "ACK"),
        (0x20, "URG"),
        (0x40, "ECE"),
        (0x80, "CWR"),
    ];
    let mut out: Vec<&str> = names
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, n)| *n)
        .collect();
    if ns {
        out.push("NS");
    }
    out
}

/// The Info column.
fn info(
    index: &PacketIndex,
    flows: &Flows,
    tcp: Option<&TcpAnalysis>,
    i: usize,
    r: &PacketRecord,
    app: Option<&AppInfo>,
) -> String {
    if let Some(app) = app {
        return app_info(app);
    }
    if r.has(flag::LATER_FRAGMENT) {
        return format!(
            "Fragmented IP protocol (proto={}, ID=0x{:04x})",
            r.ip_proto, r.ip_id
        );
    }
    if let Some(arp) = index.arp.get(i as u32) {
        let ip = |a: [u8; 4]| std::net::Ipv4Addr::from(a).to_string();
        return match arp.opcode {
            1 if arp.sender_ip == arp.target_ip => {
                format!("ARP Announcement for {}", ip(arp.sender_ip))
            }
            1 => format!("Who has {}? Tell {}", ip(arp.target_ip), ip(arp.sender_ip)),
            2 => format!(
                "{} is at {}",
                ip(arp.sender_ip),
                format_mac(&arp.sender_mac)
            ),
            op => format!("ARP opcode {op}"),
        };
    }
    if r.is_tcp() {
        return tcp_info(index, flows, tcp, i, r);
    }
    if r.is_udp() {
        return format!("{} → {} Len={}", r.src_port, r.dst_port, r.payload_len());
    }
    if r.is_icmp() || r.is_icmpv6() {
        return icmp_info(r);
    }
    if r.has(flag::PORTS_ONLY) {
        return format!(
            "{} → {} [header cut short by the snapshot length]",
            r.src_port, r.dst_port
        );
    }
    if r.has(flag::DECODE_STOPPED) {
        return format!("{} bytes; not decoded further", r.caplen);
    }
    String::new()
}

fn tcp_info(
    index: &PacketIndex,
    flows: &Flows,
    tcp: Option<&TcpAnalysis>,
    i: usize,
    r: &PacketRecord,
) -> String {
    let mut out = format!(
        "{} → {} [{}]",
        r.src_port,
        r.dst_port,
        tcp_flag_names(r.tcp_flags, r.has(flag::TCP_NS)).join(", ")
    );
    let (seq, ack) = flows.stream(i).map_or((r.seq, r.ack), |s| {
        s.relative(r, flows.ends(s, &index.records).direction_of(r))
    });
    let _ = write!(out, " Seq={seq}");
    if r.tcp_flags & 0x10 != 0 {
        let _ = write!(out, " Ack={ack}");
    }
    // Single-pass tshark scales the window by what the handshake announced so far.
    let window = tcp
        .and_then(|t| t.scaled_window_at(flows, index, i, true))
        .unwrap_or(u32::from(r.window));
    let _ = write!(out, " Win={window} Len={}", r.payload_len());
    if let Some(options) = index.tcp_options.get(i as u32) {
        for kind in options.order.iter().take_while(|&&k| k != 0) {
            match kind {
                2 => {
                    if let Some(mss) = options.mss {
                        let _ = write!(out, " MSS={mss}");
                    }
                }
                3 => {
                    if let Some(ws) = options.window_scale {
                        let _ = write!(out, " WS={}", 1u32 << ws.min(14));
                    }
                }
                4 => out.push_str(" SACK_PERM"),
                _ => {
                    for (left, right) in index.tcp_sack(i as u32) {
                        let base = flows
                            .stream(i)
                            .and_then(|s| {
                                s.base_seq(1 - flows.ends(s, &index.records).direction_of(r))
                            })
                            .unwrap_or(0);
                        let _ = write!(
                            out,
                            " SLE={} SRE={}",
                            left.wrapping_sub(base),
                            right.wrapping_sub(base)
                        );
                    }
                }
            }
        }
    }
    out
}

fn icmp_info(r: &PacketRecord) -> String {
    let (ident, seq) = (r.seq >> 16, r.seq & 0xFFFF);
    let v6 = r.is_icmpv6();
    let kind = match (v6, r.src_port) {
        (false, 8) | (true, 128) => "Echo (ping) request",
        (false, 0) | (true, 129) => "Echo (ping) reply",
        (false, 3) => "Destination unreachable",
        (false, 11) | (true, 3) => "Time-to-live exceeded",
        (false, 5) => "Redirect",
        (true, 1) => "Destination Unreachable",
        (true, 2) => "Packet Too Big",
        (true, 133) => "Router Solicitation",
        (true, 134) => "Router Advertisement",
        (true, 135) => "Neighbor Solicitation",
        (true, 136) => "Neighbor Advertisement",
        _ => "",
    };
    let echo = matches!((v6, r.src_port), (false, 0 | 8) | (true, 128 | 129));
    if echo {
        format!(
            "{kind}  id=0x{ident:04x}, seq={seq}/{}, {}={}",
            seq.swap_bytes() & 0xFFFF,
            if v6 { "hop limit" } else { "ttl" },
            r.ttl
        )
    } else if kind.is_empty() {
        format!("Type {} code {}", r.src_port, r.dst_port)
    } else {
        format!("{kind} (code {})", r.dst_port)
    }
}

/// Info text for a recognised application message.
pub fn app_info(app: &AppInfo) -> String {
    match app {
        AppInfo::Dns {
            id,
            response,
            qtype,
            name,
            rcode,
            ..
        } => {
            let kind = if *response {
                "Standard query response"
            } else {
                "Standard query"
            };
            let rcode = match (*response, *rcode) {
                (true, 3) => " No such name",
                (true, 2) => " Server failure",
                (true, 5) => " Refused",
                _ => "",
            };
            format!("{kind} 0x{id:04x}{rcode} {} {name}", dns_type_name(*qtype))
        }
        AppInfo::HttpRequest {
            method,
            uri,
            version,
            ..
        } => format!("{method} {uri} {version}"),
        AppInfo::HttpResponse {
            version,
            code,
            reason,
        } => format!("{version} {code} {reason}"),
        AppInfo::Tls {
            record_type,
            handshake_type,
            server_name,
            ..
        } => match (record_type, handshake_type) {
            (22, Some(1)) => match server_name {
                Some(sni) => format!("Client Hello (SNI={sni})"),
                None => "Client Hello".into(),
            },
            (22, Some(2)) => "Server Hello".into(),
            (22, Some(11)) => "Certificate".into(),
            (22, Some(12)) => "Server Key Exchange".into(),
            (22, Some(14)) => "Server Hello Done".into(),
            (22, Some(16)) => "Client Key Exchange".into(),
            (22, Some(4)) => "New Session Ticket".into(),
            (22, _) => "Encrypted Handshake Message".into(),
            (20, _) => "Change Cipher Spec".into(),
            (21, _) => "Alert".into(),
            (23, _) => "Application Data".into(),
            _ => "TLS record".into(),
        },
    }
}

fn dns_type_name(qtype: u16) -> String {
    match qtype {
        1 => "A".into(),
        2 => "NS".into(),
        5 => "CNAME".into(),
        6 => "SOA".into(),
        12 => "PTR".into(),
        15 => "MX".into(),
        16 => "TXT".into(),
        28 => "AAAA".into(),
        33 => "SRV".into(),
        255 => "ANY".into(),
        other => format!("Unknown ({other})"),
    }
}
