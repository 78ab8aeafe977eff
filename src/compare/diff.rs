//! The field-level diff of one matched pair, by Wireshark field name: both frames are dissected
//! (the details tree, whose nodes carry display-filter names), every named field below the
//! protocol nodes is listed with its occurrence number (the second `tcp.options.sack_le` is not
//! the first), and values that differ, or that one side lacks, are reported. What a NAT router
//! or any hop is expected to rewrite is left out: link layers, addresses and ports, TTL / hop
//! limit, checksums, the IP ID, and the raw sequence and SACK numbers (a rewritten ISN is reported
//! once per flow, not per packet). Values are the node's text after its name; payload fields are
//! shown as hex.

use serde::Serialize;

/// One field that differs between the two points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub field: String,
    /// The value seen in capture A (`None`: A's packet has no such field).
    pub a: Option<String>,
    pub b: Option<String>,
}

/// Payload bytes shown per payload field.
const HEX_SHOWN: usize = 32;

/// Fields every hop (or a NAT) rewrites, left out of the diff.
pub fn expected_rewrite(field: &str) -> bool {
    const PREFIXES: [&str; 6] = ["eth.", "sll.", "frame.", "vlan.", "null.", "raw."];
    const EXACT: [&str; 24] = [
        "ip.src",
        "ip.dst",
        "ip.addr",
        "ip.src_host",
        "ip.dst_host",
        "ip.host",
        "ip.ttl",
        "ip.id",
        "ipv6.src",
        "ipv6.dst",
        "ipv6.addr",
        "ipv6.hlim",
        "tcp.srcport",
        "tcp.dstport",
        "tcp.port",
        "udp.srcport",
        "udp.dstport",
        "udp.port",
        "tcp.seq_raw",
        "tcp.ack_raw",
        "tcp.options.sack_le",
        "tcp.options.sack_re",
        "icmp.ident",
        "icmpv6.echo.identifier",
    ];
    !field.contains('.')
        || field.contains("checksum")
        || field.ends_with(".stream")
        || PREFIXES.iter().any(|p| field.starts_with(p))
        || EXACT.contains(&field)
}

fn hex(bytes: &[u8]) -> String {
    let mut s: String = bytes
        .iter()
        .take(HEX_SHOWN)
        .map(|b| format!("{b:02x}"))
        .collect();
    if bytes.len() > HEX_SHOWN {
        s.push('…');
    }
    s
}

fn value(node: &crate::dissect::Node, data: &[u8]) -> String {
    let field = node.field.unwrap_or("");
    if field.ends_with("payload") || field == "data.data" || field == "data" {
        let start = node.start as usize;
        let end = start.saturating_add(node.len as usize).min(data.len());
        return hex(data.get(start..end).unwrap_or(&[]));
    }
    // Generated lines are bracketed: "[TCP Segment Len: 2]".
    let label = node.label.as_str();
    let label = label
        .strip_prefix('[')
        .and_then(|l| l.strip_suffix(']'))
        .unwrap_or(label);
    match label.split_once(": ") {
        Some((_, v)) => v.to_string(),
        None => label.to_string(),
    }
}

fn flatten(
    nodes: &[crate::dissect::Node],
    data: &[u8],
    out: &mut Vec<(&'static str, u32, String)>,
) {
    for node in nodes {
        if let Some(field) = node.field {
            if !expected_rewrite(field) {
                let n = out.iter().filter(|(f, _, _)| *f == field).count() as u32;
                out.push((field, n, value(node, data)));
            }
        }
        flatten(&node.children, data, out);
    }
}

/// The changed fields between frame `a` (link type, bytes, wire length) and frame `b`.
pub fn diff(a: (u32, &[u8], u32), b: (u32, &[u8], u32)) -> Vec<Change> {
    let tree_a = crate::dissect::dissect(a.0, a.1, a.2);
    let tree_b = crate::dissect::dissect(b.0, b.1, b.2);
    let (mut fa, mut fb) = (Vec::new(), Vec::new());
    flatten(&tree_a, a.1, &mut fa);
    flatten(&tree_b, b.1, &mut fb);
    let mut changes = Vec::new();
    for (field, n, va) in &fa {
        let vb = fb
            .iter()
            .find(|(f, m, _)| f == field && m == n)
            .map(|(_, _, v)| v);
        if vb != Some(va) {
            changes.push(Change {
                field: (*field).to_string(),
                a: Some(va.clone()),
                b: vb.cloned(),
            });
        }
    }
    for (field, n, vb) in &fb {
        if !fa.iter().any(|(f, m, _)| f == field && m == n) {
            changes.push(Change {
                field: (*field).to_string(),
                a: None,
                b: Some(vb.clone()),
            });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_rewrites_are_left_out() {
        assert!(expected_rewrite("ip.src"));
        assert!(expected_rewrite("tcp.checksum.status"));
        assert!(expected_rewrite("ip"));
        assert!(!expected_rewrite("tcp.options.mss_val"));
        assert!(!expected_rewrite("ip.len"));
        assert!(!expected_rewrite("ip.dsfield.dscp"));
    }

    #[test]
    fn garbage_frames_do_not_panic() {
        let junk = [0xffu8; 7];
        let _ = diff((1, &junk, 7), (1, &[], 0));
        let _ = diff((12345, &junk, 99), (1, &junk, 1));
    }
}
