//! UDP datagrams that came in IP fragments: Wireshark follows the datagram on the frame that
//! completes its reassembly, so the piece's bytes are the fragments' data put back together at
//! their offsets, less the UDP header. The fragments are the frames from the datagram's first
//! fragment to the completing one with the same addresses, protocol and identification.

use crate::filter::FrameBytes;
use crate::index::{flag, FrameLocation, PacketIndex, PacketRecord};
use crate::wire::walk::{walk, Flow, IpLayer, Visitor};
use std::ops::Range;

/// UDP header bytes before the payload.
const UDP_HEADER: usize = 8;

/// The fragments (frame, data offset, data length) of the datagram frame `done` completes,
/// whose first fragment is frame `head`.
fn fragments(index: &PacketIndex, head: u32, done: u32) -> Vec<(u32, u32, u32)> {
    let (Some(last), Some(info)) = (index.records.get(done as usize), index.fragments.get(done))
    else {
        return Vec::new();
    };
    let key = datagram_key(&last, info.ident);
    (head..=done)
        .filter_map(|frame| {
            let record = index.records.get(frame as usize)?;
            let piece = index.fragments.get(frame)?;
            (datagram_key(&record, piece.ident) == key).then_some((frame, piece.offset, piece.len))
        })
        .collect()
}

/// What the fragments of one datagram share: IP version, addresses, protocol, identification.
fn datagram_key(record: &PacketRecord, ident: u32) -> (bool, u32, u32, u8, u32) {
    let v6 = record.has(flag::IPV6);
    (v6, record.src, record.dst, record.ip_proto, ident)
}

/// UDP payload bytes of the reassembled datagram, as the index knows them (its fragments'
/// lengths).
pub(super) fn payload_len(index: &PacketIndex, head: u32, done: u32) -> u32 {
    let end = fragments(index, head, done)
        .iter()
        .map(|&(_, offset, len)| offset.saturating_add(len))
        .max()
        .unwrap_or(0);
    end.saturating_sub(UDP_HEADER as u32)
}

/// The innermost IP packet's payload span (a fragment's data).
#[derive(Default)]
struct IpPayload(Option<Range<usize>>);

impl<'a> Visitor<'a> for IpPayload {
    fn ip(&mut self, ip: &IpLayer<'a>) -> Flow {
        self.0 = Some(ip.payload.clone());
        Flow::Descend
    }
}

/// The UDP payload of the datagram frame `done` completes (first fragment in frame `head`),
/// read from the fragments' bytes; a fragment that cannot be read leaves zeros.
pub(super) fn payload(
    index: &PacketIndex,
    source: &dyn FrameBytes,
    head: u32,
    done: u32,
) -> Vec<u8> {
    let pieces = fragments(index, head, done);
    let total = pieces
        .iter()
        .map(|&(_, offset, len)| offset.saturating_add(len) as usize)
        .max()
        .unwrap_or(0);
    let mut datagram = vec![0u8; total];
    // Where fragments overlap, the bytes seen first stay (as in Wireshark's reassembly).
    let mut filled = vec![false; total];
    for (frame, offset, len) in pieces {
        let Some(record) = index.records.get(frame as usize) else {
            continue;
        };
        let location = FrameLocation {
            file: usize::from(index.file_of(&record)),
            offset: record.offset,
            caplen: record.caplen,
        };
        let Some(bytes) = source.frame_bytes(frame as usize, &location) else {
            continue;
        };
        let mut span = IpPayload::default();
        walk(index.link_type_of(&record), &bytes, true, &mut span);
        let Some(data) = span.0.and_then(|range| bytes.get(range)) else {
            continue;
        };
        let at = offset as usize;
        let n = data.len().min(len as usize).min(total.saturating_sub(at));
        for (k, &byte) in data[..n].iter().enumerate() {
            if !filled[at + k] {
                datagram[at + k] = byte;
                filled[at + k] = true;
            }
        }
    }
    // The UDP length field bounds the payload (the fragments may carry more).
    if let Some(field) = datagram.get(4..6) {
        let udp_len = usize::from(u16::from_be_bytes([field[0], field[1]]));
        if udp_len >= UDP_HEADER {
            datagram.truncate(udp_len);
        }
    }
    datagram.split_off(UDP_HEADER.min(datagram.len()))
}
