//! UDP streams of tunnel headers (VXLAN): Wireshark numbers the outer UDP header of a VXLAN
//! packet as a stream of its own, and following it gives the outer datagrams' payloads (the VXLAN
//! header and the frame inside). The index keeps the outer ports of such frames
//! ([`crate::decode::OuterLayer`]); the payload is read again from the frame's bytes.

use super::{Endpoint, NodeAddr};
use crate::decode::OuterLayer;
use crate::index::{PacketIndex, PacketRecord};
use crate::wire::walk::{walk, Flow, Tunnel, TunnelKind, Visitor};

/// The nodes Wireshark gives a tunnel header's datagram: the ports of the frame's `depth`-th outer
/// UDP header (0: outermost) with the addresses of the innermost packet (its follow tap reads
/// the addresses the dissection ended on: the inner IP header's. Known deviation: when the inner
/// frame is not IP (ARP), Wireshark names the inner Ethernet addresses, which the index does not
/// keep apart; the record's addresses are named instead).
pub(super) fn endpoints(
    index: &PacketIndex,
    record: &PacketRecord,
    frame: u32,
    depth: usize,
) -> Option<(Endpoint, Endpoint)> {
    let layers = index.outer_layers.get(frame)?;
    let (src_port, dst_port) = layers
        .iter()
        .filter_map(|layer| match *layer {
            OuterLayer::Udp { src_port, dst_port } => Some((src_port, dst_port)),
            _ => None,
        })
        .nth(depth)?;
    let (src, dst) = if record.is_ip() {
        let ip = |id| index.addrs.get(id).map(NodeAddr::Ip);
        (ip(record.src), ip(record.dst))
    } else {
        let link = index.links.get(record.link);
        (link.src.map(NodeAddr::Mac), link.dst.map(NodeAddr::Mac))
    };
    Some((Endpoint::new(src, src_port), Endpoint::new(dst, dst_port)))
}

/// The payloads of a frame's VXLAN UDP headers, outermost first.
#[derive(Default)]
struct VxlanPayloads(Vec<Vec<u8>>);

impl<'a> Visitor<'a> for VxlanPayloads {
    fn tunnel(&mut self, tunnel: &Tunnel<'a>) -> Flow {
        if let TunnelKind::Vxlan(udp, _) = tunnel.kind {
            self.0.push(udp.payload().to_vec());
        }
        Flow::Descend
    }
}

/// The payload of the `depth`-th VXLAN UDP header of a frame's bytes (empty when there is none).
pub(super) fn outer_payload(link_type: u32, frame: &[u8], whole: bool, depth: usize) -> Vec<u8> {
    let mut payloads = VxlanPayloads::default();
    walk(link_type, frame, whole, &mut payloads);
    payloads.0.into_iter().nth(depth).unwrap_or_default()
}
