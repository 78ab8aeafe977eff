//! Where the TCP/UDP headers Wireshark dissects on a frame come from: the frame's own header,
//! a datagram reassembled from IP fragments (transport header in the first fragment, dissected on
//! the completing frame), a tunnel's UDP header (VXLAN), or a header quoted inside an ICMP error.

use super::Carriage;
use crate::decode::OuterLayer;
use crate::hash::HashMap;
use crate::index::{flag, PacketIndex, PacketRecord};
use std::net::IpAddr;

/// A transport header as the conversation layer sees it.
#[derive(Debug, Clone, Copy)]
pub struct TransportView {
    pub ip_proto: u8,
    pub src: (u32, u16),
    pub dst: (u32, u16),
    /// TCP only: raw seq, ack and flags; whether the sequence analysis runs on it.
    pub seq: u32,
    pub ack: u32,
    pub tcp_flags: u8,
    pub analysed: bool,
    pub carriage: Carriage,
    /// The frame's tuple in the records ([`crate::index::Records::tuple_id`]) when the view is
    /// the frame's own header: then every view of that tuple has the same conversation.
    pub tuple: Option<u32>,
}

impl TransportView {
    /// The frame's own header: addresses from `record`, the transport fields from `header` (the
    /// record itself, or the first fragment of the datagram `record` completes).
    fn own(
        record: &PacketRecord,
        header: &PacketRecord,
        analysed: bool,
        tuple: Option<u32>,
    ) -> Self {
        TransportView {
            ip_proto: header.ip_proto,
            src: (record.src, header.src_port),
            dst: (record.dst, header.dst_port),
            seq: header.seq,
            ack: header.ack,
            tcp_flags: header.tcp_flags,
            analysed,
            carriage: Carriage::Own,
            tuple,
        }
    }

    /// The TCP/UDP header Wireshark dissects on frame `i`, whose record is `record`, if any: the
    /// frame's own, the one of a datagram whose reassembly this frame completes, or one quoted in
    /// an ICMP error.
    #[inline]
    pub fn of_frame(
        index: &PacketIndex,
        i: usize,
        record: &PacketRecord,
        datagrams: &HashMap<u32, u32>,
        extra_ids: &mut ExtraAddressIds,
    ) -> Option<Self> {
        if record.has(flag::FRAGMENT) {
            let first = *datagrams.get(&(i as u32))?;
            let head = index.records.get(first as usize)?;
            if !matches!(head.ip_proto, 6 | 17) {
                return None;
            }
            // The reassembled segment's length is not in the index: no sequence analysis.
            return Some(Self::own(record, &head, false, None));
        }
        if record.is_tcp() || record.is_udp() {
            let tuple = index.records.tuple_id(i);
            return Some(Self::own(record, record, record.is_tcp(), tuple));
        }
        let quote = index.icmp_quotes.get(i as u32)?;
        let conversation_found = match quote.ip_proto {
            17 => quote.captured >= 8,
            // dissect_tcp reads seq, ack, flags and window before the conversation lookup.
            6 => quote.captured >= 16,
            _ => false,
        };
        conversation_found.then(|| TransportView {
            ip_proto: quote.ip_proto,
            src: (extra_ids.id(index, quote.src), quote.src_port),
            dst: (extra_ids.id(index, quote.dst), quote.dst_port),
            seq: quote.seq,
            ack: quote.ack,
            tcp_flags: quote.tcp_flags,
            analysed: false,
            carriage: Carriage::QuotedInIcmpError,
            tuple: None,
        })
    }
}

/// Address ids for addresses the index does not intern (outer tunnel headers, headers quoted in
/// ICMP errors), counting down from the top of the id space so they never collide.
#[derive(Debug, Default)]
pub struct ExtraAddressIds {
    extra: HashMap<IpAddr, u32>,
    /// The index's own ids by address, made at the first question when the index has dropped
    /// its look-up tables ([`crate::index::AddressTable::shrink_to_fit`]): one map for the
    /// pass rather than a search through every address per question.
    index_ids: Option<HashMap<IpAddr, u32>>,
}

impl ExtraAddressIds {
    pub fn id(&mut self, index: &PacketIndex, addr: IpAddr) -> u32 {
        let found = if index.addrs.dropped_lookups() {
            self.index_ids
                .get_or_insert_with(|| index.addrs.iter().map(|(id, a)| (a, id)).collect())
                .get(&addr)
                .copied()
        } else {
            index.addrs.id_of(&addr)
        };
        if let Some(id) = found {
            return id;
        }
        let next = u32::MAX - 1 - self.extra.len() as u32;
        *self.extra.entry(addr).or_insert(next)
    }

    /// The address of an id handed out by [`Self::id`] (not for the index's own ids).
    pub fn address(&self, id: u32) -> Option<IpAddr> {
        self.extra
            .iter()
            .find(|(_, &v)| v == id)
            .map(|(addr, _)| *addr)
    }
}

/// IP reassembly as Wireshark does it by default: for each datagram (addresses, protocol,
/// identification), the frame at which its fragments first cover it completely, mapped to the
/// frame holding its first fragment (where the transport header is). Truncated fragments are
/// not reassembled.
pub fn reassembled_datagrams(index: &PacketIndex) -> HashMap<u32, u32> {
    #[derive(Default)]
    struct Pending {
        pieces: Vec<(u32, u32)>,
        total: Option<u32>,
        head: Option<u32>,
    }
    let mut pending: HashMap<(bool, u32, u32, u8, u32), Pending> = HashMap::default();
    let mut done = HashMap::default();
    for (frame, fragment) in index.fragments.iter() {
        let Some(record) = index.records.get(frame as usize) else {
            continue;
        };
        if record.caplen < record.orig_len {
            continue;
        }
        let key = (
            record.has(flag::IPV6),
            record.src,
            record.dst,
            record.ip_proto,
            fragment.ident,
        );
        let entry = pending.entry(key).or_default();
        entry.pieces.push((
            fragment.offset,
            fragment.offset.saturating_add(fragment.len),
        ));
        if fragment.offset == 0 && entry.head.is_none() {
            entry.head = Some(frame);
        }
        if !fragment.more {
            entry.total = Some(fragment.offset.saturating_add(fragment.len));
        }
        let (Some(total), Some(head)) = (entry.total, entry.head) else {
            continue;
        };
        entry.pieces.sort_unstable();
        let mut covered = 0u32;
        for &(start, end) in &entry.pieces {
            if start > covered {
                break;
            }
            covered = covered.max(end);
        }
        if covered >= total {
            done.insert(frame, head);
            pending.remove(&key);
        }
    }
    done
}

/// The UDP headers among a tunnelled frame's outer layers, each with the IP header before it.
pub(super) fn outer_udp_views(
    index: &PacketIndex,
    i: usize,
    ids: &mut ExtraAddressIds,
) -> Vec<TransportView> {
    let Some(layers) = index.outer_layers.get(i as u32) else {
        return Vec::new();
    };
    let mut views = Vec::new();
    let mut ip = None;
    for layer in layers {
        match *layer {
            OuterLayer::Ip { src, dst } => ip = Some((src, dst)),
            OuterLayer::Udp { src_port, dst_port } => {
                if let Some((src, dst)) = ip {
                    views.push(TransportView {
                        ip_proto: 17,
                        src: (ids.id(index, src), src_port),
                        dst: (ids.id(index, dst), dst_port),
                        seq: 0,
                        ack: 0,
                        tcp_flags: 0,
                        analysed: false,
                        carriage: Carriage::Own,
                        tuple: None,
                    });
                }
            }
            OuterLayer::Ethernet { .. } => {}
        }
    }
    views
}
