//! What a filter is evaluated against: [`FilterData`] (the packet index, the flows, the support
//! tables computed once per capture, and optionally the frame bytes), and [`Frame`], the view of
//! one frame that field readers receive. Frame bytes come through the [`FrameBytes`] trait: the
//! CLI reads them from the file at the record's offset, the page through a synchronous callback
//! into the worker. Filters that only use index fields never ask for bytes.

use super::deep::DeepFrame;
use super::pdus::AppPdus;
use crate::capture::{FileInfo, Format};
use crate::decode::app::AppInfo;
use crate::flows::{Flows, Stream};
use crate::hash::HashMap;
use crate::index::FrameLocation;
use crate::index::{LinkAddrs, PacketIndex, PacketRecord};
use crate::tcp::TcpAnalysis;
use std::borrow::Cow;
use std::cell::OnceCell;

/// Source of frame bytes for byte-level fields (`tcp.payload`, `frame contains …`, slices of
/// protocols).
pub trait FrameBytes {
    /// The captured bytes of frame index `frame_index` (0-based), stored at `location`, or
    /// `None` if they cannot be read (the frame then has no byte-level fields).
    fn frame_bytes(&self, frame_index: usize, location: &FrameLocation) -> Option<Cow<'_, [u8]>>;
}

/// Per-capture tables the filters need beyond the index and the flows, computed once (by
/// [`FilterSupport::build`]) and kept while the capture is open.
#[derive(Debug, Clone, Default)]
pub struct FilterSupport {
    /// Timestamp of the first frame (the zero of `frame.time_relative`).
    pub first_ts: i64,
    /// IP reassembly: the frame completing a datagram → the frame holding its first fragment
    /// (where the transport header is; Wireshark dissects the transport on the completing
    /// frame).
    pub reassembled: HashMap<u32, u32>,
    /// Per address id ([`crate::index::AddressTable`]): the IPv4 address as a number; a flat
    /// table for the address fields' fast path.
    pub ipv4: Ipv4Table,
    /// Per global interface ([`PacketIndex::interfaces`]): `frame.interface_id`, the index of
    /// its IDB within its pcapng section (`None` outside pcapng and for custom blocks).
    pub interface_ids: Vec<Option<u32>>,
}

impl FilterSupport {
    /// Computes the tables from the index and the input files' descriptions.
    pub fn build(index: &PacketIndex, files: &[FileInfo]) -> FilterSupport {
        let first_ts = index.records.first().map_or(0, |r| r.ts_ns);
        FilterSupport {
            first_ts,
            reassembled: crate::flows::reassembled_datagrams(index),
            interface_ids: interface_ids(index, files),
            ipv4: ipv4_table(index),
        }
    }
}

/// IPv4 addresses by address id: 4 bytes and a bit an id (id 0, "no address", has none).
#[derive(Debug, Clone, Default)]
pub struct Ipv4Table {
    numbers: Vec<u32>,
    /// Bit per id: the id is an IPv4 address.
    is_v4: Vec<u64>,
}

impl Ipv4Table {
    /// The IPv4 address of address id `id` as a number (`None` for IPv6 or no address).
    #[inline]
    pub fn get(&self, id: u32) -> Option<u32> {
        let id = id as usize;
        let word = *self.is_v4.get(id / 64)?;
        if word >> (id % 64) & 1 == 0 {
            return None;
        }
        self.numbers.get(id).copied()
    }
}

fn ipv4_table(index: &PacketIndex) -> Ipv4Table {
    let ids = index.addrs.len() + 1;
    let mut table = Ipv4Table {
        numbers: vec![0; ids],
        is_v4: vec![0; ids.div_ceil(64)],
    };
    for (id, address) in index.addrs.iter() {
        let id = id as usize;
        if let (std::net::IpAddr::V4(v4), Some(slot)) = (address, table.numbers.get_mut(id)) {
            *slot = u32::from(v4);
            if let Some(word) = table.is_v4.get_mut(id / 64) {
                *word |= 1 << (id % 64);
            }
        }
    }
    table
}

/// pcapng custom blocks reach the index as frames of a pseudo link type with the top bit set.
pub fn is_custom_block(link_type: u32) -> bool {
    link_type & 0x8000_0000 != 0
}

/// `frame.interface_id` per global interface: the IDB's position among the real interfaces of
/// its pcapng section.
fn interface_ids(index: &PacketIndex, files: &[FileInfo]) -> Vec<Option<u32>> {
    index
        .interfaces
        .iter()
        .map(|global| {
            let file = files.get(usize::from(global.file))?;
            if file.format != Some(Format::PcapNg) || is_custom_block(global.link_type) {
                return None;
            }
            let local = usize::try_from(global.local).ok()?;
            let this = file.interface_basics().get(local)?;
            let before = file.interface_basics().get(..local)?;
            let id = before
                .iter()
                .filter(|i| i.section == this.section && !is_custom_block(i.link_type))
                .count();
            u32::try_from(id).ok()
        })
        .collect()
}

/// Everything a filter reads.
#[derive(Clone, Copy)]
pub struct FilterData<'a> {
    pub index: &'a PacketIndex,
    pub flows: &'a Flows,
    pub support: &'a FilterSupport,
    /// The TCP analysis (`tcp.analysis.*`, `tcp.completeness`, `tcp.window_size`).
    pub tcp: Option<&'a TcpAnalysis>,
    /// HTTP messages and TLS records per completing frame (`http*`, `tls*`); without them the
    /// index's per-segment labels are used.
    pub pdus: Option<&'a AppPdus>,
    pub bytes: Option<&'a dyn FrameBytes>,
}

/// What is fetched or decoded for one frame at most once, on first use.
#[derive(Default)]
pub struct FrameState {
    bytes: OnceCell<Option<Vec<u8>>>,
    deep: OnceCell<Option<Box<DeepFrame>>>,
}

impl FrameState {
    /// Forgets the previous frame's bytes and layers (cheap when none were fetched).
    #[inline]
    pub fn reset(&mut self) {
        if self.bytes.get().is_some() {
            self.bytes = OnceCell::new();
        }
        if self.deep.get().is_some() {
            self.deep = OnceCell::new();
        }
    }
}

/// One frame as field readers see it.
#[derive(Clone, Copy)]
pub struct Frame<'r> {
    pub data: &'r FilterData<'r>,
    /// Frame index (0-based).
    pub i: usize,
    pub rec: &'r PacketRecord,
    pub state: &'r FrameState,
}

impl<'r> Frame<'r> {
    /// The frame's captured bytes (fetched on first use; `None` without a source or on a read
    /// error).
    pub fn bytes(&self) -> Option<&'r [u8]> {
        let state: &'r FrameState = self.state;
        state
            .bytes
            .get_or_init(|| {
                let source = self.data.bytes?;
                let location = FrameLocation {
                    file: usize::from(self.data.index.file_of(self.rec)),
                    offset: self.rec.offset,
                    caplen: self.rec.caplen,
                };
                source.frame_bytes(self.i, &location).map(Cow::into_owned)
            })
            .as_deref()
    }

    /// Whether the index holds only part of what Wireshark dissects on this frame, so that
    /// layered fields must come from [`Frame::deep`]: a tunnel or an ICMP error (the index
    /// keeps the innermost packet), or the fragment completing an IP datagram whose transport
    /// header the index does not hold.
    pub fn is_layered(&self) -> bool {
        let r = self.rec;
        r.has(crate::index::flag::TUNNELLED)
            || (r.is_icmp() && matches!(r.src_port, 3 | 4 | 5 | 11 | 12))
            || (r.is_icmpv6() && (1..=4).contains(&r.src_port))
            || (r.has(crate::index::flag::FRAGMENT) && self.reassembly_head().is_some())
    }

    /// For the fragment completing an IP datagram whose first fragment's transport header is
    /// not in the index: that first fragment's frame index.
    fn reassembly_head(&self) -> Option<usize> {
        let head = *self.data.support.reassembled.get(&(self.i as u32))? as usize;
        let record = self.data.index.records.get(head)?;
        (!record.has(crate::index::flag::TRANSPORT)).then_some(head)
    }

    /// The bytes of another frame (not cached).
    fn other_frame_bytes(&self, i: usize) -> Option<Vec<u8>> {
        let source = self.data.bytes?;
        let record = self.data.index.records.get(i)?;
        let location = FrameLocation {
            file: usize::from(self.data.index.file_of(&record)),
            offset: record.offset,
            caplen: record.caplen,
        };
        source.frame_bytes(i, &location).map(Cow::into_owned)
    }

    /// Every layer of a layered frame, decoded from its bytes (`None` for other frames, or
    /// when the bytes cannot be read: then the index's innermost packet is used).
    pub fn deep(&self) -> Option<&'r DeepFrame> {
        if !self.is_layered() {
            return None;
        }
        let state: &'r FrameState = self.state;
        state
            .deep
            .get_or_init(|| {
                let bytes = self.bytes()?;
                let deep = match self.reassembly_head() {
                    Some(head) => {
                        let head_bytes = self.other_frame_bytes(head)?;
                        let head_link = self
                            .data
                            .index
                            .records
                            .get(head)
                            .map_or(0, |r| self.data.index.link_type_of(&r));
                        super::deep::decode_reassembled(
                            self.link_type(),
                            bytes,
                            head_link,
                            &head_bytes,
                        )
                    }
                    None => super::deep::decode(self.link_type(), bytes),
                };
                Some(Box::new(deep))
            })
            .as_deref()
    }

    pub fn link_type(&self) -> u32 {
        self.data.index.link_type_of(self.rec)
    }
    pub fn link(&self) -> LinkAddrs {
        self.data.index.links.get(self.rec.link)
    }

    /// The application label of the frame, if it has one.
    pub fn app(&self) -> Option<&'r AppInfo> {
        if self.rec.has(crate::index::flag::HAS_APP) {
            self.data.index.apps.get(self.i as u32)
        } else {
            None
        }
    }

    pub fn stream(&self) -> Option<&'r Stream> {
        self.data.flows.stream(self.i)
    }

    /// The endpoints of `stream`, a stream of these flows.
    pub fn ends(&self, stream: &Stream) -> crate::flows::Ends {
        self.data.flows.ends(stream, &self.data.index.records)
    }

    /// Stream index (into `Flows::streams`) of the frame.
    pub fn stream_id(&self) -> Option<usize> {
        let id = self.data.flows.stream_of.get(self.i)?;
        (id != crate::flows::NO_STREAM).then_some(id as usize)
    }

    pub fn addr(&self, id: u32) -> Option<std::net::IpAddr> {
        self.data.index.addrs.get(id)
    }
}
