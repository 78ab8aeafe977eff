//! Every layer of a frame whose index record holds only the innermost packet: tunnels (GRE,
//! Aruba GRE's 802.11 data frames, IP-in-IP, 6in4/4in6, VXLAN) and ICMP errors (Wireshark
//! dissects the quoted IP header and transport ports too, so `ip.addr` and `udp.port` have one
//! occurrence per layer). Decoded from the frame bytes, only for such frames and only when a
//! filter reads a field that has several layers; everything else comes from the index. Hostile bytes: every read is checked,
//! nesting is bounded.

use crate::decode::app::{parse_dns, AppInfo};
use crate::wire::bytes::{array, be16};
use crate::wire::gre::is_aruba as is_aruba_gre;
use crate::wire::link::{decode_link, wlan_snap_payload};
use std::net::IpAddr;

/// One IPv4 or IPv6 header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpLayer {
    pub v6: bool,
    pub src: IpAddr,
    pub dst: IpAddr,
    /// IPv4 total length / IPv6 payload length.
    pub len: u16,
    pub id: u16,
    /// TTL / hop limit.
    pub ttl: u8,
    /// IPv4 protocol / IPv6 next header (of the fixed header).
    pub proto: u8,
    pub df: bool,
    pub mf: bool,
}

/// All layers of one frame, outermost first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeepFrame {
    /// Ethernet headers: (source, destination).
    pub eth: Vec<([u8; 6], [u8; 6])>,
    pub ip: Vec<IpLayer>,
    /// UDP headers: (source port, destination port, length field).
    pub udp: Vec<(u16, u16, u16)>,
    /// TCP headers (ports only; quoted ones may be cut short).
    pub tcp: Vec<(u16, u16)>,
    /// ICMP / ICMPv6 headers: (is v6, type, code).
    pub icmp: Vec<(bool, u8, u8)>,
    pub gre: bool,
    /// DNS messages in UDP payloads on ports 53/5353/5355 (inside tunnels and ICMP errors, or
    /// of a reassembled datagram).
    pub dns: Vec<AppInfo>,
}

const MAX_DEPTH: usize = 8;

/// Decodes every layer of a frame of link type `link_type`.
pub fn decode(link_type: u32, bytes: &[u8]) -> DeepFrame {
    let mut out = DeepFrame::default();
    link(link_type, bytes, 0, &mut out, 0);
    out
}

/// The layers of the frame completing an IP datagram: its own headers, then the transport of
/// the reassembled datagram, read from the first fragment (`head`, of link type `head_link`):
/// Wireshark dissects the transport on the completing frame.
pub fn decode_reassembled(link_type: u32, bytes: &[u8], head_link: u32, head: &[u8]) -> DeepFrame {
    let mut out = decode(link_type, bytes);
    if let Some((proto, start, end)) = first_fragment_payload(head_link, head) {
        next(proto, head, start, end, &mut out, 1);
    }
    out
}

/// The innermost IP header of a first fragment: its transport protocol and the span of its
/// payload.
fn first_fragment_payload(link_type: u32, bytes: &[u8]) -> Option<(u8, usize, usize)> {
    let info = decode_link(link_type, bytes)?;
    let at = info.offset;
    let first = *bytes.get(at)?;
    match first >> 4 {
        4 => {
            let ihl = usize::from(first & 0x0F) * 4;
            let len = usize::from(be16(bytes, at + 2)?);
            let flags = be16(bytes, at + 6)?;
            if ihl < 20 || flags & 0x1FFF != 0 {
                return None;
            }
            let end = if len == 0 {
                bytes.len()
            } else {
                (at + len).min(bytes.len())
            };
            Some((*bytes.get(at + 9)?, at + ihl, end))
        }
        6 => {
            let plen = usize::from(be16(bytes, at + 4)?);
            let end = (at + 40 + plen).min(bytes.len());
            let mut proto = *bytes.get(at + 6)?;
            let mut offset = at + 40;
            for _ in 0..8 {
                match proto {
                    0 | 43 | 60 => {
                        proto = *bytes.get(offset)?;
                        offset += (usize::from(*bytes.get(offset + 1)?) + 1) * 8;
                    }
                    44 => {
                        if be16(bytes, offset + 2)? & 0xFFF8 != 0 {
                            return None;
                        }
                        proto = *bytes.get(offset)?;
                        offset += 8;
                    }
                    _ => return Some((proto, offset, end)),
                }
            }
            None
        }
        _ => None,
    }
}

fn link(link_type: u32, bytes: &[u8], base: usize, out: &mut DeepFrame, depth: usize) {
    let Some(data) = bytes.get(base..) else {
        return;
    };
    let Some(info) = decode_link(link_type, data) else {
        return;
    };
    if link_type == 1 {
        if let (Some(src), Some(dst)) = (info.eth_src, info.eth_dst) {
            out.eth.push((src, dst));
        }
    }
    if matches!(info.ether_type, 0x0800 | 0x86DD) {
        let want = version_of_ether_type(info.ether_type);
        let end = info.end.map_or(bytes.len(), |end| base + end);
        ip(bytes, base + info.offset, end, out, depth, want);
    }
}

/// The IP version an EtherType announces (`None` for other protocols).
fn version_of_ether_type(ether_type: u16) -> Option<u8> {
    match ether_type {
        0x0800 => Some(4),
        0x86DD => Some(6),
        _ => None,
    }
}

/// An IP header at `at`; `end` bounds the packet (the enclosing length field or the capture).
/// `want` is the version the enclosing layer announces (EtherType, IP protocol 4 / 41): a header
/// of another version is not IP, as Wireshark's dissectors reject it ("Bogus IP version").
fn ip(bytes: &[u8], at: usize, end: usize, out: &mut DeepFrame, depth: usize, want: Option<u8>) {
    if depth >= MAX_DEPTH {
        return;
    }
    let end = end.min(bytes.len());
    let Some(data) = bytes.get(at..end) else {
        return;
    };
    let Some(&first) = data.first() else { return };
    if want.is_some_and(|v| v != first >> 4) {
        return;
    }
    match first >> 4 {
        4 => {
            let ihl = usize::from(first & 0x0F) * 4;
            let Some(header) = data.get(..20) else { return };
            if ihl < 20 {
                return;
            }
            let (Some(len), Some(flags), Some(id), Some(src), Some(dst)) = (
                be16(header, 2),
                be16(header, 6),
                be16(header, 4),
                array::<4>(header, 12),
                array::<4>(header, 16),
            ) else {
                return;
            };
            let layer = IpLayer {
                v6: false,
                src: IpAddr::from(src),
                dst: IpAddr::from(dst),
                len,
                id,
                ttl: header[8],
                proto: header[9],
                df: flags & 0x4000 != 0,
                mf: flags & 0x2000 != 0,
            };
            out.ip.push(layer);
            // Fragments: the transport is dissected on the reassembled datagram, not here.
            if flags & 0x3FFF != 0 {
                return;
            }
            let packet_end = if len == 0 {
                end
            } else {
                (at + usize::from(len)).min(end)
            };
            next(layer.proto, bytes, at + ihl, packet_end, out, depth);
        }
        6 => {
            let Some(header) = data.get(..40) else { return };
            let (Some(plen), Some(src), Some(dst)) = (
                be16(header, 4),
                array::<16>(header, 8),
                array::<16>(header, 24),
            ) else {
                return;
            };
            out.ip.push(IpLayer {
                v6: true,
                src: IpAddr::from(src),
                dst: IpAddr::from(dst),
                len: plen,
                id: 0,
                ttl: header[7],
                proto: header[6],
                df: false,
                mf: false,
            });
            if plen == 0 {
                return;
            }
            let packet_end = (at + 40 + usize::from(plen)).min(end);
            // Extension headers up to the transport.
            let mut proto = header[6];
            let mut offset = at + 40;
            for _ in 0..8 {
                match proto {
                    0 | 43 | 60 => {
                        let (Some(&nh), Some(&len)) = (bytes.get(offset), bytes.get(offset + 1))
                        else {
                            return;
                        };
                        proto = nh;
                        offset += (usize::from(len) + 1) * 8;
                    }
                    44 => {
                        let (Some(&nh), Some(fragment)) =
                            (bytes.get(offset), be16(bytes, offset + 2))
                        else {
                            return;
                        };
                        if fragment & 0xFFF9 != 0 {
                            return;
                        }
                        proto = nh;
                        offset += 8;
                    }
                    _ => break,
                }
            }
            next(proto, bytes, offset, packet_end, out, depth);
        }
        _ => {}
    }
}

/// The payload of an IP header: protocol `proto` at `at`, up to `end`.
fn next(proto: u8, bytes: &[u8], at: usize, end: usize, out: &mut DeepFrame, depth: usize) {
    if at > end {
        return;
    }
    match proto {
        4 => ip(bytes, at, end, out, depth + 1, Some(4)),
        41 => ip(bytes, at, end, out, depth + 1, Some(6)),
        47 => {
            out.gre = true;
            let Some(flags) = be16(bytes, at) else { return };
            let Some(protocol) = be16(bytes, at + 2) else {
                return;
            };
            let mut len = 4;
            for bit in [0x8000u16, 0x2000, 0x1000] {
                if flags & bit != 0 {
                    len += 4;
                }
            }
            if flags & 0x0007 == 1 && flags & 0x0080 != 0 {
                len += 4;
            }
            let inner = at + len;
            match protocol {
                0x6558 => link(1, &bytes[..end.min(bytes.len())], inner, out, depth + 1),
                p @ (0x0800 | 0x86DD) => {
                    ip(bytes, inner, end, out, depth + 1, version_of_ether_type(p))
                }
                p if is_aruba_gre(p) => {
                    let wlan = bytes.get(inner..end.min(bytes.len())).unwrap_or_default();
                    if let Some((p @ (0x0800 | 0x86DD), at)) = wlan_snap_payload(wlan) {
                        ip(
                            bytes,
                            inner + at,
                            end,
                            out,
                            depth + 1,
                            version_of_ether_type(p),
                        );
                    }
                }
                0x880B => {
                    let mut offset = inner;
                    if bytes.get(offset..offset + 2) == Some(&[0xFF, 0x03]) {
                        offset += 2;
                    }
                    let (ppp, width) = match bytes.get(offset) {
                        Some(&b) if b & 1 == 1 => (u16::from(b), 1),
                        Some(_) => match be16(bytes, offset) {
                            Some(p) => (p, 2),
                            None => return,
                        },
                        None => return,
                    };
                    if matches!(ppp, 0x0021 | 0x0057) {
                        let want = if ppp == 0x0021 { 4 } else { 6 };
                        ip(bytes, offset + width, end, out, depth + 1, Some(want));
                    }
                }
                _ => {}
            }
        }
        17 => {
            let (Some(src), Some(dst), Some(len)) =
                (be16(bytes, at), be16(bytes, at + 2), be16(bytes, at + 4))
            else {
                return;
            };
            out.udp.push((src, dst, len));
            let payload = at + 8;
            let payload_end = if len >= 8 {
                (at + usize::from(len)).min(end)
            } else {
                end
            };
            if dst == 4789 && bytes.get(payload).is_some_and(|f| f & 0x08 != 0) {
                link(
                    1,
                    &bytes[..payload_end.min(bytes.len())],
                    payload + 8,
                    out,
                    depth + 1,
                );
            } else if [src, dst].iter().any(|p| matches!(p, 53 | 5353 | 5355)) {
                let message = bytes
                    .get(payload..payload_end)
                    .and_then(|m| parse_dns(m, false));
                if let Some(message) = message {
                    out.dns.push(message);
                }
            }
        }
        6 => {
            if let (Some(src), Some(dst)) = (be16(bytes, at), be16(bytes, at + 2)) {
                out.tcp.push((src, dst));
            }
        }
        1 | 58 => {
            let v6 = proto == 58;
            let (Some(&kind), Some(&code)) = (bytes.get(at), bytes.get(at + 1)) else {
                return;
            };
            out.icmp.push((v6, kind, code));
            let error = if v6 {
                (1..=4).contains(&kind)
            } else {
                matches!(kind, 3 | 4 | 5 | 11 | 12)
            };
            if error {
                ip(bytes, at + 8, end, out, depth + 1, None);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ethernet / IPv4 (GRE) / GRE / IPv4 / ICMP echo.
    fn gre_frame() -> Vec<u8> {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[0x08, 0x00]);
        f.extend_from_slice(&[
            0x45, 0, 0, 52, 0, 1, 0x40, 0, 64, 47, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ]);
        f.extend_from_slice(&[0, 0, 0x08, 0x00]);
        f.extend_from_slice(&[
            0x45, 0, 0, 28, 0, 2, 0, 0, 32, 1, 0, 0, 192, 168, 0, 1, 192, 168, 0, 2,
        ]);
        f.extend_from_slice(&[8, 0, 0, 0, 0, 1, 0, 1]);
        f
    }

    #[test]
    fn gre_tunnel_layers() {
        let deep = decode(1, &gre_frame());
        assert!(deep.gre);
        assert_eq!(deep.ip.len(), 2);
        assert_eq!(
            (deep.ip[0].ttl, deep.ip[0].proto, deep.ip[0].df),
            (64, 47, true)
        );
        assert_eq!((deep.ip[1].ttl, deep.ip[1].proto), (32, 1));
        assert_eq!(deep.icmp, vec![(false, 8, 0)]);
    }

    #[test]
    fn every_prefix_is_safe() {
        let frame = gre_frame();
        for len in 0..=frame.len() {
            for link_type in [0, 1, 101, 113, 276] {
                let _ = decode(link_type, &frame[..len]);
            }
        }
    }
}
