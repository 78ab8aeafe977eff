//! The frame records, stored compactly: 32 bytes a frame instead of the 64 of a
//! [`PacketRecord`], with every value given back exactly.
//!
//! What makes a record long is what repeats, what follows from other fields, or what rarely needs
//! its full width:
//! - the timestamp is kept as a 32-bit step from a base that frames of the same block of
//!   [`BLOCK`] share (a frame whose step does not fit — a clock going back, a gap of more than
//!   4.29 s inside a block, frames of merged files interleaved — keeps its value in a side table
//!   instead);
//! - the file offset mostly follows from the frame before: its offset plus its captured length
//!   plus the record header between them (16 bytes in pcap, 28–40 in pcapng). A row keeps only
//!   that header's length, in a byte; the first frame of each group of [`GROUP`] keeps its offset
//!   as a step from its block's base, so finding any frame's offset adds up at most
//!   [`GROUP`]` - 1` rows. A frame whose gap does not fit a byte (frames of merged files
//!   interleaved, a Network Monitor frame table out of order, a skipped block) keeps its offset in
//!   a side table, and marks its group as one read the slow way;
//! - the payload length follows from the IP length minus the headers after it: a row keeps the
//!   headers' length in a byte (a payload that does not follow so, such as an offload frame's,
//!   is kept with the lengths that do not fit, below);
//! - the network addresses, ports, interface, IP protocol and link addresses are interned as one
//!   *tuple* per conversation (24 bytes, both ways, each way's link apart), with a bit in the row
//!   for the side the frame comes from: 16 bytes a frame less. A capture has far fewer
//!   conversations than frames (the synthetic benchmark capture, with a new connection every 6
//!   frames, has the most of any we measure), and the few in flight at once are found in a small
//!   table in front of the map, which is only kept while frames are pushed
//!   ([`Records::shrink_to_fit`] drops it; a later push builds it again);
//! - the captured and original lengths take 16 bits each, and a frame longer than that (or an
//!   offload frame with its long payload, or a payload that does not follow from the IP length)
//!   keeps both, and its payload length, in a side table. One escape for the three keeps the
//!   common path of reading a record to one test (a second one, for the payload alone, made the
//!   display filter 10% slower in wasm).
//!
//! Records are pushed in order and read by value ([`Records::get`], [`Records::at`],
//! [`Records::iter`]); nothing changes a record once it is in. A unit test checks that every
//! record comes back as it went in, escapes included.

use super::{PacketRecord, SideTable};
use crate::hash::{fmix64, HashMap};

/// Frames per block sharing one timestamp and offset base (a power of two).
pub const BLOCK: usize = 256;
const BLOCK_SHIFT: u32 = BLOCK.trailing_zeros();
/// Frames per group whose offsets follow from the group's first (a power of two dividing
/// [`BLOCK`]).
pub const GROUP: usize = 16;
const GROUP_SHIFT: u32 = GROUP.trailing_zeros();
/// A step, length or gap that did not fit: the value is in a side table.
const ESCAPE32: u32 = u32::MAX;
const ESCAPE16: u16 = u16::MAX;
const ESCAPE8: u8 = u8::MAX;
/// A group whose offsets are read the slow way: its first frame's offset, and every offset whose
/// gap did not fit, are in the side table, and so may its frames' lengths be.
const IRREGULAR: u32 = u32::MAX;

/// One stored frame (see the module's documentation for what each field holds).
#[derive(Debug, Clone, Copy, Default)]
#[repr(C)]
struct Row {
    ts_step: u32,
    tuple: u32,
    seq: u32,
    ack: u32,
    caplen: u16,
    orig_len: u16,
    window: u16,
    ip_len_raw: u16,
    ip_id: u16,
    flags: u16,
    tcp_flags: u8,
    ttl: u8,
    /// The bytes between the end of the frame before and this frame's offset ([`ESCAPE8`]: the
    /// offset is in the side table).
    gap: u8,
    /// The IP length minus the payload length, wrapping (when the lengths are escaped, the
    /// payload length is in their side table instead).
    headers: u8,
}

/// What the frames of one conversation share, both ways: its endpoints and interface, and the
/// link addresses of each way. Side 0 is the source of the frame that made the tuple; a row says
/// which side its frame comes from ([`SIDE_1`]).
#[derive(Debug, Clone, Copy, Default)]
struct Tuple {
    addrs: [u32; 2],
    /// The link of each side's frames; side 1's is [`NO_LINK_YET`] until a frame from it comes.
    links: [u32; 2],
    ports: [u16; 2],
    iface: u16,
    ip_proto: u8,
}

/// The bit of [`Row::tuple`] saying the frame comes from the tuple's side 1.
const SIDE_1: u32 = 1 << 31;
/// Side 1's link before a frame from that side came (link ids are small numbers).
const NO_LINK_YET: u32 = u32::MAX;

impl Tuple {
    fn new(record: &PacketRecord) -> Self {
        Tuple {
            addrs: [record.src, record.dst],
            links: [record.link, NO_LINK_YET],
            ports: [record.src_port, record.dst_port],
            iface: record.iface,
            ip_proto: record.ip_proto,
        }
    }
    fn conversation(&self) -> Conversation {
        Conversation::new(
            (self.addrs[0], self.ports[0]),
            (self.addrs[1], self.ports[1]),
            self.iface,
            self.ip_proto,
        )
    }
    /// [`Tuple::side_of`] when `record` is of this tuple's conversation, else `None`.
    #[inline]
    fn side_if_of(&mut self, record: &PacketRecord) -> Option<u32> {
        if record.iface != self.iface || record.ip_proto != self.ip_proto {
            return None;
        }
        let here = (record.src, record.src_port, record.dst, record.dst_port);
        let [a, b] = self.addrs;
        let [a_port, b_port] = self.ports;
        let side = if here == (a, a_port, b, b_port) {
            0
        } else if here == (b, b_port, a, a_port) {
            1
        } else {
            return None;
        };
        self.side_over(side, record.link)
    }
    /// The side `record` comes from — when the link it came over is this tuple's for that side
    /// (taking it for side 1 if no frame came from there yet). `record` must be of the tuple's
    /// conversation.
    #[inline]
    fn side_of(&mut self, record: &PacketRecord) -> Option<u32> {
        let side = usize::from((record.src, record.src_port) != (self.addrs[0], self.ports[0]));
        self.side_over(side, record.link)
    }
    /// `side` as the row's side bit, when `link` is that side's link (or side 1 has none yet,
    /// and takes it).
    #[inline]
    fn side_over(&mut self, side: usize, link: u32) -> Option<u32> {
        if self.links[side] == link {
            return Some(if side == 0 { 0 } else { SIDE_1 });
        }
        if side == 1 && self.links[1] == NO_LINK_YET {
            self.links[1] = link;
            return Some(SIDE_1);
        }
        None
    }
}

/// What a tuple is found by: its endpoints in order, interface and protocol.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
struct Conversation {
    low: u32,
    high: u32,
    low_port: u16,
    high_port: u16,
    iface: u16,
    ip_proto: u8,
}

impl Conversation {
    #[inline]
    fn new(a: (u32, u16), b: (u32, u16), iface: u16, ip_proto: u8) -> Self {
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        Conversation {
            low: low.0,
            high: high.0,
            low_port: low.1,
            high_port: high.1,
            iface,
            ip_proto,
        }
    }
    #[inline]
    fn of(record: &PacketRecord) -> Self {
        Conversation::new(
            (record.src, record.src_port),
            (record.dst, record.dst_port),
            record.iface,
            record.ip_proto,
        )
    }
}

/// Where `record`'s conversation goes in [`Records::hot`]: a hash of its two endpoints that does
/// not depend on their order (so both ways of a conversation land in one place), its interface
/// and protocol.
#[inline]
fn hot_place(record: &PacketRecord) -> usize {
    let a = u64::from(record.src) << 16 | u64::from(record.src_port);
    let b = u64::from(record.dst) << 16 | u64::from(record.dst_port);
    let words = (a ^ b)
        ^ a.wrapping_add(b).rotate_left(29)
        ^ (u64::from(record.iface) << 8 | u64::from(record.ip_proto)) << 48;
    (fmix64(words) >> (64 - HOT_TUPLES.trailing_zeros())) as usize
}

/// Places in [`Records::hot`] (4 KB): more than the conversations a capture has in flight.
const HOT_TUPLES: usize = 1024;

/// The timestamp and offset the frames of one block step from.
#[derive(Debug, Clone, Copy, Default)]
struct Base {
    ts_ns: i64,
    offset: u64,
}

/// Lengths that do not fit the row: the captured and original lengths, whether the payload is an
/// offload frame's long one (see [`PacketRecord::long_payload`]), and the payload length's low
/// 16 bits.
#[derive(Debug, Clone, Copy)]
struct Lengths {
    caplen: u32,
    orig_len: u32,
    long_payload: bool,
    payload_lo: u16,
}

/// The records of an index, in frame order.
#[derive(Debug, Default, Clone)]
pub struct Records {
    rows: Vec<Row>,
    bases: Vec<Base>,
    tuples: Vec<Tuple>,
    /// Conversation → the number of its latest tuple in `tuples`, only while frames are pushed
    /// (see the module's documentation), with `hot` in front: a tuple's number + 1 at the place
    /// [`hot_place`] gives (0: empty; a newer conversation takes the place of an older). A frame
    /// checks the tuple found there against its own fields, which it reads anyway for its side.
    tuple_ids: HashMap<Conversation, u32>,
    hot: Vec<u32>,
    /// Per group of [`GROUP`] frames: its first frame's offset as a step from its block's base,
    /// or [`IRREGULAR`].
    groups: Vec<u32>,
    /// Where the frame pushed last ends in its file (its offset plus its captured length).
    last_end: u64,
    times: SideTable<i64>,
    offsets: SideTable<u64>,
    lengths: SideTable<Lengths>,
    /// Room was planned for the frames expected ([`Records::plan`]): past it, grow by an eighth.
    planned: bool,
}

impl Records {
    pub fn new() -> Self {
        Self::default()
    }
    #[inline]
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Room for `additional` more records without growing (as `Vec::reserve`).
    pub fn reserve(&mut self, additional: usize) {
        self.rows.reserve(additional);
        self.bases.reserve(additional.div_ceil(BLOCK));
        self.groups.reserve(additional.div_ceil(GROUP));
    }
    /// Room for one more record, or false when memory is refused. A vector doubles as it grows;
    /// when doubling is refused, or room was planned ([`Records::plan`]) and has run out, it
    /// grows by an eighth. Also false once the tuples' numbers are used up (the row's top bit is
    /// the side: 2³¹ conversations, far beyond what memory holds).
    #[inline]
    pub fn try_reserve_one(&mut self) -> bool {
        if self.tuples.len() >= SIDE_1 as usize - 1 {
            return false;
        }
        let rows = &mut self.rows;
        let grown = rows.len() < rows.capacity()
            || (!self.planned && rows.try_reserve(1).is_ok())
            || rows.try_reserve_exact(rows.len() / 8 + 1).is_ok();
        grown
            && (self.bases.len() < self.bases.capacity() || self.bases.try_reserve(1).is_ok())
            && (self.groups.len() < self.groups.capacity() || self.groups.try_reserve(1).is_ok())
    }

    /// Makes room for `frames` records in all, at once (when the memory is there), and from then
    /// on grows by an eighth instead of doubling: a vector that doubles holds its old and new
    /// copies while it copies, up to three times the records' size at the end of a large file.
    /// The tuples and their map get room for as many as the frames so far had per frame: a map
    /// that grows moves every entry each time it doubles, and at millions of conversations each
    /// move misses the CPU's caches.
    pub fn plan(&mut self, frames: usize) {
        self.planned = true;
        let more = frames.saturating_sub(self.rows.len());
        if self.rows.try_reserve_exact(more).is_ok() {
            let _ = self.bases.try_reserve_exact(frames.div_ceil(BLOCK));
            let _ = self.groups.try_reserve_exact(frames.div_ceil(GROUP));
        }
        let so_far = self.rows.len().max(1) as u64;
        let tuples = (self.tuples.len() as u64).saturating_mul(frames as u64) / so_far;
        let more_tuples = usize::try_from(tuples)
            .unwrap_or(usize::MAX)
            .saturating_sub(self.tuples.len());
        if more_tuples > 0 && self.tuples.try_reserve_exact(more_tuples).is_ok() {
            let _ = self.tuple_ids.try_reserve(more_tuples);
        }
    }
    /// Records the room held can take without growing.
    pub fn capacity(&self) -> usize {
        self.rows.capacity()
    }

    /// Appends a record.
    pub fn push(&mut self, record: PacketRecord) {
        let frame = self.rows.len();
        let key = frame as u32;
        if frame % BLOCK == 0 {
            self.bases.push(Base {
                ts_ns: record.ts_ns,
                offset: record.offset,
            });
        }
        let base = self.bases[frame >> BLOCK_SHIFT];
        let ts_step = match record.ts_ns.checked_sub(base.ts_ns) {
            Some(step) if (0..i64::from(ESCAPE32)).contains(&step) => step as u32,
            _ => {
                self.times.push(key, record.ts_ns);
                ESCAPE32
            }
        };
        let short = |n: u32| n < u32::from(ESCAPE16);
        let headers = record.ip_len_raw.wrapping_sub(record.payload_lo);
        let lengths_fit = short(record.caplen)
            && short(record.orig_len)
            && !record.long_payload
            && headers <= u16::from(u8::MAX);
        let (caplen, orig_len, headers) = if lengths_fit {
            (record.caplen as u16, record.orig_len as u16, headers as u8)
        } else {
            let lengths = Lengths {
                caplen: record.caplen,
                orig_len: record.orig_len,
                long_payload: record.long_payload,
                payload_lo: record.payload_lo,
            };
            self.lengths.push(key, lengths);
            (ESCAPE16, ESCAPE16, 0)
        };
        let gap = self.gap(frame, &record, base.offset, lengths_fit);
        self.last_end = record.offset.wrapping_add(u64::from(record.caplen));
        let tuple = self.intern(&record);
        self.rows.push(Row {
            ts_step,
            tuple,
            seq: record.seq,
            ack: record.ack,
            caplen,
            orig_len,
            window: record.window,
            ip_len_raw: record.ip_len_raw,
            ip_id: record.ip_id,
            flags: record.flags,
            tcp_flags: record.tcp_flags,
            ttl: record.ttl,
            gap,
            headers,
        });
    }

    /// The row's gap for `record`, frame index `frame`, of a block whose base offset is
    /// `base_offset`: 0 for a group's first frame (whose offset goes to [`Records::groups`]),
    /// else the bytes since the end of the frame before. A gap that does not fit (kept in the side
    /// table), or lengths that did not (`lengths_fit` false), make the group [`IRREGULAR`].
    #[inline]
    fn gap(
        &mut self,
        frame: usize,
        record: &PacketRecord,
        base_offset: u64,
        lengths_fit: bool,
    ) -> u8 {
        let key = frame as u32;
        if frame % GROUP == 0 {
            let step = match record.offset.checked_sub(base_offset) {
                Some(step) if step < u64::from(IRREGULAR) && lengths_fit => step as u32,
                _ => {
                    self.offsets.push(key, record.offset);
                    IRREGULAR
                }
            };
            self.groups.push(step);
            return 0;
        }
        let gap = record.offset.wrapping_sub(self.last_end);
        if gap < u64::from(ESCAPE8) && lengths_fit {
            return gap as u8;
        }
        self.make_irregular(frame, base_offset);
        if gap < u64::from(ESCAPE8) {
            gap as u8
        } else {
            self.offsets.push(key, record.offset);
            ESCAPE8
        }
    }

    /// Marks the group of frame index `frame` (not its first) [`IRREGULAR`], moving its first
    /// frame's offset to the side table. No later frame of the group has pushed an offset yet
    /// (that would have made it irregular already), so the side table's keys stay in order.
    #[cold]
    #[inline(never)]
    fn make_irregular(&mut self, frame: usize, base_offset: u64) {
        let first = frame & !(GROUP - 1);
        if let Some(step) = self.groups.get_mut(first >> GROUP_SHIFT) {
            if *step != IRREGULAR {
                self.offsets
                    .push(first as u32, base_offset.wrapping_add(u64::from(*step)));
                *step = IRREGULAR;
            }
        }
    }

    /// The tuple of `record`'s conversation and link, as its number with the side bit.
    #[inline]
    fn intern(&mut self, record: &PacketRecord) -> u32 {
        let place = hot_place(record);
        if let Some(&id_plus_1) = self.hot.get(place) {
            let id = id_plus_1.wrapping_sub(1);
            if let Some(side) = self
                .tuples
                .get_mut(id as usize)
                .and_then(|t| t.side_if_of(record))
            {
                return id | side;
            }
        }
        self.intern_cold(record, Conversation::of(record), place)
    }

    /// [`Records::intern`] past the hot table: the map, and a new tuple when the conversation is
    /// new or the frame's link differs from its latest tuple's for the frame's side (the frame
    /// is then side 0 of the new tuple).
    #[inline(never)]
    fn intern_cold(
        &mut self,
        record: &PacketRecord,
        conversation: Conversation,
        place: usize,
    ) -> u32 {
        use std::collections::hash_map::Entry;
        if self.hot.is_empty() {
            // The first push, or the first after `shrink_to_fit`: the map again (a later tuple of
            // the same conversation replaces an earlier).
            self.hot = vec![0; HOT_TUPLES];
            self.tuple_ids.clear();
            self.tuple_ids.extend(
                (0u32..)
                    .zip(&self.tuples)
                    .map(|(id, t)| (t.conversation(), id)),
            );
        }
        let new_id = self.tuples.len() as u32;
        let (id, side) = match self.tuple_ids.entry(conversation) {
            Entry::Occupied(mut entry) => {
                let id = *entry.get();
                match self
                    .tuples
                    .get_mut(id as usize)
                    .and_then(|t| t.side_of(record))
                {
                    Some(side) => (id, side),
                    None => {
                        entry.insert(new_id);
                        self.tuples.push(Tuple::new(record));
                        (new_id, 0)
                    }
                }
            }
            Entry::Vacant(entry) => {
                entry.insert(new_id);
                self.tuples.push(Tuple::new(record));
                (new_id, 0)
            }
        };
        if let Some(hot) = self.hot.get_mut(place) {
            *hot = id + 1;
        }
        id | side
    }

    /// The number of frame index `i`'s tuple: frames with the same number share their
    /// conversation (both ways), interface and each way's link (see the module's
    /// documentation).
    #[inline]
    pub fn tuple_id(&self, i: usize) -> Option<u32> {
        self.rows.get(i).map(|row| row.tuple & !SIDE_1)
    }
    /// How many tuples there are: every [`Records::tuple_id`] is below this.
    pub fn tuple_count(&self) -> usize {
        self.tuples.len()
    }

    /// The record of frame index `i`, if there is one.
    #[inline(always)]
    pub fn get(&self, i: usize) -> Option<PacketRecord> {
        let row = self.rows.get(i)?;
        Some(self.decode(i, row))
    }
    /// The record of frame index `i`, which must exist (as slice indexing).
    #[inline(always)]
    pub fn at(&self, i: usize) -> PacketRecord {
        self.decode(i, &self.rows[i])
    }
    pub fn first(&self) -> Option<PacketRecord> {
        self.get(0)
    }
    pub fn last(&self) -> Option<PacketRecord> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }
    /// The records with their frame indexes (as `iter().enumerate()`, but always inlined, so a
    /// loop decodes only the fields it reads).
    #[inline]
    pub fn indexed(&self) -> Indexed<'_> {
        Indexed(self.iter())
    }
    #[inline]
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            records: self,
            front: 0,
            back: self.len(),
        }
    }

    #[inline(always)]
    fn decode(&self, i: usize, row: &Row) -> PacketRecord {
        self.decode_after(i, row, None)
    }

    /// The record of frame index `i`, which must exist, when the frame before it ends at
    /// `end_before` in its file (its offset plus its captured length): as [`Records::at`], but
    /// its offset is found from that end in one step rather than from its group's first frame.
    /// For a pass that reads every frame's offset in turn (the display filter).
    #[inline(always)]
    pub fn at_after(&self, i: usize, end_before: u64) -> PacketRecord {
        self.decode_after(i, &self.rows[i], Some(end_before))
    }

    #[inline(always)]
    fn decode_after(&self, i: usize, row: &Row, end_before: Option<u64>) -> PacketRecord {
        let base = self
            .bases
            .get(i >> BLOCK_SHIFT)
            .copied()
            .unwrap_or_default();
        let ts_ns = match row.ts_step {
            ESCAPE32 => self.escaped_time(i),
            step => base.ts_ns + i64::from(step),
        };
        let offset = match end_before {
            Some(end) if i % GROUP != 0 && row.gap != ESCAPE8 => {
                end.wrapping_add(u64::from(row.gap))
            }
            _ => self.offset_of(i, base.offset),
        };
        let (caplen, orig_len, long_payload, payload_lo) = match row.caplen {
            ESCAPE16 => self.escaped_lengths(i),
            caplen => (
                u32::from(caplen),
                u32::from(row.orig_len),
                false,
                row.ip_len_raw.wrapping_sub(u16::from(row.headers)),
            ),
        };
        let side = (row.tuple >> 31) as usize;
        let tuple = self
            .tuples
            .get((row.tuple & !SIDE_1) as usize)
            .copied()
            .unwrap_or_default();
        PacketRecord {
            ts_ns,
            offset,
            caplen,
            orig_len,
            src: tuple.addrs[side],
            dst: tuple.addrs[side ^ 1],
            link: tuple.links[side],
            seq: row.seq,
            ack: row.ack,
            payload_lo,
            src_port: tuple.ports[side],
            dst_port: tuple.ports[side ^ 1],
            window: row.window,
            ip_len_raw: row.ip_len_raw,
            ip_id: row.ip_id,
            iface: tuple.iface,
            flags: row.flags,
            tcp_flags: row.tcp_flags,
            ip_proto: tuple.ip_proto,
            ttl: row.ttl,
            long_payload,
        }
    }

    /// Frame index `i`'s offset, in a block whose base offset is `base_offset`: its group's
    /// first offset plus the lengths and gaps of the rows since (at most [`GROUP`]` - 1`).
    /// Without a call or a check that can fail, a loop that does not read the offset drops it.
    #[inline(always)]
    fn offset_of(&self, i: usize, base_offset: u64) -> u64 {
        let first = i & !(GROUP - 1);
        match self.groups.get(i >> GROUP_SHIFT) {
            Some(&step) if step != IRREGULAR => {
                let mut offset = base_offset.wrapping_add(u64::from(step));
                if let Some((head, rest)) = self.rows.get(first..=i).and_then(|r| r.split_first()) {
                    let mut length = head.caplen;
                    for row in rest {
                        offset = offset.wrapping_add(u64::from(length) + u64::from(row.gap));
                        length = row.caplen;
                    }
                }
                offset
            }
            _ => self.irregular_offset(i),
        }
    }

    // The escaped values: rare, so kept out of line (the common path of `decode` stays small
    // enough to be inlined where records are read, and fields nobody reads cost nothing there).
    #[cold]
    #[inline(never)]
    fn escaped_time(&self, i: usize) -> i64 {
        self.times.get(i as u32).copied().unwrap_or_default()
    }
    /// [`Records::offset_of`] in an [`IRREGULAR`] group: from its first frame's offset, each
    /// frame's own where its gap did not fit, lengths from the side table where they did not.
    #[cold]
    #[inline(never)]
    fn irregular_offset(&self, i: usize) -> u64 {
        let escaped = |k: usize| self.offsets.get(k as u32).copied().unwrap_or_default();
        let first = i & !(GROUP - 1);
        let mut offset = escaped(first);
        for k in first + 1..=i {
            let (Some(before), Some(row)) = (self.rows.get(k - 1), self.rows.get(k)) else {
                break;
            };
            offset = match row.gap {
                ESCAPE8 => escaped(k),
                gap => {
                    let length = match before.caplen {
                        ESCAPE16 => self.escaped_lengths(k - 1).0,
                        caplen => u32::from(caplen),
                    };
                    offset.wrapping_add(u64::from(length) + u64::from(gap))
                }
            };
        }
        offset
    }

    #[cold]
    #[inline(never)]
    fn escaped_lengths(&self, i: usize) -> (u32, u32, bool, u16) {
        self.lengths.get(i as u32).map_or((0, 0, false, 0), |l| {
            (l.caplen, l.orig_len, l.long_payload, l.payload_lo)
        })
    }

    /// Gives back spare room once every record is in, and drops the tuple map (a later push
    /// builds it again).
    pub fn shrink_to_fit(&mut self) {
        self.rows.shrink_to_fit();
        self.bases.shrink_to_fit();
        self.tuples.shrink_to_fit();
        self.tuple_ids = HashMap::default();
        self.hot = Vec::new();
        self.groups.shrink_to_fit();
        self.times.shrink_to_fit();
        self.offsets.shrink_to_fit();
        self.lengths.shrink_to_fit();
    }

    /// Heap bytes held, for the memory report.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.rows.capacity() * size_of::<Row>()
            + self.bases.capacity() * size_of::<Base>()
            + self.tuples.capacity() * size_of::<Tuple>()
            + self.tuple_ids.capacity() * (size_of::<(Conversation, u32)>() + 1)
            + self.hot.capacity() * size_of::<u32>()
            + self.groups.capacity() * size_of::<u32>()
            + self.times.heap_bytes()
            + self.offsets.heap_bytes()
            + self.lengths.heap_bytes()
    }
}

/// Equal when they hold the same records (however they are stored).
impl PartialEq for Records {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl From<Vec<PacketRecord>> for Records {
    fn from(records: Vec<PacketRecord>) -> Self {
        records.into_iter().collect()
    }
}

impl FromIterator<PacketRecord> for Records {
    fn from_iter<I: IntoIterator<Item = PacketRecord>>(iter: I) -> Self {
        let mut records = Records::new();
        for record in iter {
            records.push(record);
        }
        records
    }
}

/// The records in frame order, by value.
pub struct Iter<'a> {
    records: &'a Records,
    front: usize,
    back: usize,
}

impl Iterator for Iter<'_> {
    type Item = PacketRecord;
    #[inline(always)]
    fn next(&mut self) -> Option<PacketRecord> {
        if self.front >= self.back {
            return None;
        }
        let i = self.front;
        self.front += 1;
        Some(self.records.at(i))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }
    fn nth(&mut self, n: usize) -> Option<PacketRecord> {
        self.front = self.front.saturating_add(n).min(self.back);
        self.next()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<PacketRecord> {
        if self.front >= self.back {
            return None;
        }
        self.back -= 1;
        Some(self.records.at(self.back))
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// The records with their frame indexes: see [`Records::indexed`].
pub struct Indexed<'a>(Iter<'a>);

impl Iterator for Indexed<'_> {
    type Item = (usize, PacketRecord);
    #[inline(always)]
    fn next(&mut self) -> Option<(usize, PacketRecord)> {
        let i = self.0.front;
        self.0.next().map(|r| (i, r))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<'a> IntoIterator for &'a Records {
    type Item = PacketRecord;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`Records::at_after`] gives back every record of `all` (as pushed) from the end of the one
    /// before it.
    fn assert_every_record_comes_back_after_the_one_before(
        records: &Records,
        all: &[PacketRecord],
    ) {
        for (i, pair) in all.windows(2).enumerate() {
            let end_before = pair[0].offset + u64::from(pair[0].caplen);
            assert_eq!(
                records.at_after(i + 1, end_before),
                pair[1],
                "frame index {}",
                i + 1
            );
        }
    }

    fn record(n: u32) -> PacketRecord {
        PacketRecord {
            ts_ns: 1_700_000_000_000_000_000 + i64::from(n) * 1_000,
            offset: 24 + u64::from(n) * 80,
            caplen: 64,
            orig_len: 64,
            src: 1 + n % 3,
            dst: 2,
            link: 1,
            seq: n.wrapping_mul(7),
            ack: n,
            payload_lo: 10,
            src_port: 1000 + n as u16,
            dst_port: 80,
            window: 512,
            ip_len_raw: 50,
            ip_id: n as u16,
            iface: 0,
            flags: super::super::flag::IPV4 | super::super::flag::TRANSPORT,
            tcp_flags: 0x18,
            ip_proto: 6,
            ttl: 64,
            long_payload: false,
        }
    }

    #[test]
    fn every_record_comes_back_as_it_went_in() {
        let mut all: Vec<PacketRecord> = (0..3 * BLOCK as u32 + 7).map(record).collect();
        // Escapes: a clock going back, a gap of an hour, a file offset going back (merged files),
        // one of 5 GB, a long frame, an offload frame, a frame without time.
        all[3].ts_ns -= 5_000;
        all[BLOCK + 1].ts_ns += 3_600_000_000_000;
        all[BLOCK + 2].offset = 24;
        all[2 * BLOCK + 9].offset += 5 << 30;
        all[2 * BLOCK + 10].caplen = 70_000;
        all[2 * BLOCK + 10].orig_len = 70_000;
        all[2 * BLOCK + 11].set_lengths(0, 100_000);
        all[2 * BLOCK + 11].caplen = 100_054;
        all[2 * BLOCK + 11].orig_len = 100_054;
        all[2 * BLOCK + 12].ts_ns = 0;
        all[2 * BLOCK + 13].orig_len = 65_535;
        all[5] = PacketRecord::default();
        // A payload that does not follow from the IP length (a malformed header).
        all[7].payload_lo = 60_000;
        let records: Records = all.iter().copied().collect();
        assert_eq!(records.len(), all.len());
        for (i, want) in all.iter().enumerate() {
            assert_eq!(records.get(i).as_ref(), Some(want), "frame index {i}");
        }
        assert!(records.iter().eq(all.iter().copied()));
        assert!(records.iter().rev().eq(all.iter().rev().copied()));
        assert_every_record_comes_back_after_the_one_before(&records, &all);
        assert_eq!(records.get(all.len()), None);
        assert_eq!(records.times.len(), 4, "escaped timestamps");
        // An offset out of place escapes with the frame after it (whose gap runs from it), and
        // its group's first offset goes to the side table: 3 for frame index 5, 3 for BLOCK + 2;
        // 2 for the 5 GB jump (and its group's first), then the long frames' offsets, which go
        // back from where such a frame ends (3).
        assert_eq!(records.offsets.len(), 11, "escaped offsets");
        assert_eq!(records.lengths.len(), 4, "escaped lengths and payloads");
        // Pushing after shrinking keeps tuples shared.
        let mut records = records;
        records.shrink_to_fit();
        assert!(records.tuple_ids.is_empty(), "the map is dropped");
        let tuples = records.tuples.len();
        records.push(record(1));
        records.push(record(3 * BLOCK as u32 + 100));
        assert_eq!(records.tuples.len(), tuples + 1);
        assert_eq!(records.at(records.len() - 2), record(1));
        assert_eq!(records.last(), Some(record(3 * BLOCK as u32 + 100)));
    }

    #[test]
    fn offsets_that_follow_each_other_need_no_side_table() {
        // pcap's 16-byte record headers, pcapng's padded blocks of 28 to 31 bytes more.
        for header in [16u64, 28] {
            let mut offset = 24;
            let all: Vec<PacketRecord> = (0..2 * BLOCK as u32 + 5)
                .map(|n| {
                    let caplen = 54 + n % 1400;
                    let padded = u64::from(caplen.next_multiple_of(4) - caplen);
                    offset += header + if header == 16 { 0 } else { padded };
                    let r = PacketRecord {
                        offset,
                        caplen,
                        orig_len: caplen,
                        ..record(n)
                    };
                    offset += u64::from(caplen);
                    r
                })
                .collect();
            let records: Records = all.iter().copied().collect();
            assert!(
                records.iter().eq(all.iter().copied()),
                "{header}-byte headers"
            );
            assert!(records.offsets.is_empty() && records.groups.iter().all(|&g| g != IRREGULAR));
        }
    }

    #[test]
    fn frames_in_any_file_order_come_back() {
        // A Network Monitor frame table may list frames in any order: every offset escapes, and
        // every frame still comes back, read forwards, backwards or one at a time.
        let all: Vec<PacketRecord> = (0..3 * GROUP as u32 + 3)
            .rev()
            .map(|n| PacketRecord {
                caplen: if n % 7 == 0 { 70_000 } else { 64 },
                ..record(n)
            })
            .collect();
        let records: Records = all.iter().copied().collect();
        assert!(records.iter().eq(all.iter().copied()));
        assert!(records.iter().rev().eq(all.iter().rev().copied()));
        for (i, want) in all.iter().enumerate().rev() {
            assert_eq!(records.at(i), *want, "frame index {i}");
        }
        assert_every_record_comes_back_after_the_one_before(&records, &all);
        assert!(records.groups.iter().all(|&g| g == IRREGULAR));
    }

    #[test]
    fn tuples_evicted_from_the_hot_table_are_found_again() {
        // More conversations in flight than the hot table has places, each seen twice.
        let all: Vec<PacketRecord> = (0..2 * HOT_TUPLES as u32)
            .chain(0..2 * HOT_TUPLES as u32)
            .map(|n| PacketRecord {
                src: n,
                src_port: n as u16,
                ..record(0)
            })
            .collect();
        let records: Records = all.iter().copied().collect();
        assert_eq!(records.tuples.len(), 2 * HOT_TUPLES);
        assert!(records.iter().eq(all.iter().copied()));
    }

    #[test]
    fn both_ways_share_a_tuple_until_a_link_changes() {
        let a_to_b = record(0);
        let b_to_a = PacketRecord {
            src: a_to_b.dst,
            dst: a_to_b.src,
            src_port: a_to_b.dst_port,
            dst_port: a_to_b.src_port,
            link: 2,
            ..a_to_b
        };
        let via_other_router = PacketRecord { link: 3, ..a_to_b };
        let to_itself = PacketRecord {
            dst: a_to_b.src,
            dst_port: a_to_b.src_port,
            ..a_to_b
        };
        let all = [
            a_to_b,
            b_to_a,
            a_to_b,
            b_to_a,
            via_other_router,
            b_to_a,
            a_to_b,
            to_itself,
            to_itself,
            PacketRecord {
                link: 4,
                ..to_itself
            },
        ];
        let records: Records = all.iter().copied().collect();
        assert!(records.iter().eq(all.iter().copied()));
        // One tuple for the first four frames; the other router's frame starts a second, which
        // the answer after it joins; the frame by the first router again, a third; the frames
        // to itself, two (one per link).
        assert_eq!(records.tuples.len(), 5);
    }

    #[test]
    fn planning_gives_the_tuples_room_for_the_frames_to_come() {
        // 1,000 frames of 250 conversations (each seen 4 times), then room planned for 10,000:
        // the tuples and the map get room for 2,500, and the frames still come back.
        let all: Vec<PacketRecord> = (0..10_000u32).map(|n| record(n / 4)).collect();
        let mut records = Records::new();
        for r in &all[..1_000] {
            records.push(*r);
        }
        records.plan(10_000);
        assert!(records.tuples.capacity() >= 2_500);
        assert!(records.tuple_ids.capacity() >= 2_500);
        let (tuples, map) = (records.tuples.as_ptr(), records.tuple_ids.capacity());
        for r in &all[1_000..] {
            records.push(*r);
        }
        assert_eq!(records.tuples.len(), 2_500);
        assert_eq!(records.tuples.as_ptr(), tuples, "the tuples did not move");
        assert_eq!(records.tuple_ids.capacity(), map, "the map did not grow");
        assert!(records.iter().eq(all.iter().copied()));
    }

    #[test]
    fn a_row_is_32_bytes() {
        assert_eq!(std::mem::size_of::<Row>(), 32);
    }
}
