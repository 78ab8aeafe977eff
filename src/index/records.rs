//! The frame records, stored compactly: 28 bytes a frame instead of the 64 of a
//! [`PacketRecord`], with every value given back exactly.
//!
//! What makes a record long is what repeats, what follows from other fields, or what rarely needs
//! its full width:
//! - the timestamp is kept as a 32-bit step from a base that frames of the same block of
//!   [`BLOCK`] share (a frame whose step does not fit — a clock going back, a gap of more than
//!   4.29 s inside a block, frames of merged files interleaved — keeps its value in a side table
//!   instead);
//! - the file offset follows from the frame before: its offset plus its captured length plus the
//!   gap between them, the record header (16 bytes in pcap; in pcapng, 32 after the frame's
//!   bytes are padded to 4). While every gap follows one such rule ([`GapRule`], learnt from the
//!   first gaps), a row keeps nothing for it; from the first gap that does not (pcapng blocks
//!   with options of varying length), each frame's gap is kept in a byte beside the rows. The
//!   first frame of each group of [`GROUP`] keeps its offset as a step from its block's base, so
//!   finding any frame's offset adds up at most [`GROUP`]` - 1` rows. A frame whose gap does not
//!   fit a byte (frames of merged files interleaved, a Network Monitor frame table out of order,
//!   a skipped block) keeps its offset in a side table, and marks its group as one read the
//!   slow way;
//! - the captured length is the original length until a frame is cut short by the snapshot
//!   length: from that frame on, the captured lengths are kept in 16 bits beside the rows;
//! - the payload length follows from the IP length minus the headers after it, and the IP length
//!   from the original length minus the link header's (and any trailer's): a row keeps each
//!   difference in a byte (a payload that does not follow so, such as an offload frame's, or an
//!   IP length longer than the frame, is kept with the lengths that do not fit, below);
//! - the network addresses, ports, interface, IP protocol and link addresses are interned as one
//!   *tuple* per conversation (20 bytes, both ways, each way's link apart), with a bit in the row
//!   for the side the frame comes from: 16 bytes a frame less. A capture has far fewer
//!   conversations than frames (the synthetic benchmark capture, with a new connection every 6
//!   frames, has the most of any we measure), and the few in flight at once are found in a small
//!   table in front of the map, which is only kept while frames are pushed
//!   ([`Records::shrink_to_fit`] drops it; a later push builds it again);
//! - the original length takes 16 bits, and a frame longer than that (or an offload frame with
//!   its long payload, or lengths that do not follow as above) keeps its lengths, payload length
//!   and IP length in a side table. One escape for all of them keeps the common path of reading a
//!   record to one test (a second one, for the payload alone, made the display filter 10% slower
//!   in wasm).
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
    /// The original length ([`ESCAPE16`]: the lengths are in their side table).
    orig_len: u16,
    window: u16,
    ip_id: u16,
    flags: u16,
    tcp_flags: u8,
    ttl: u8,
    /// The IP length minus the payload length, wrapping (when the lengths are escaped, the
    /// payload length is in their side table instead).
    headers: u8,
    /// The original length minus the IP length, plus 1; 0 when the IP length is 0 (no IP
    /// header, or an offload frame's).
    link_len: u8,
}

/// What the frames of one conversation share, both ways: its endpoints and interface, and the
/// link addresses of each way (20 bytes). Side 0 is the source of the frame that made the tuple;
/// a row says which side its frame comes from ([`SIDE_1`]).
#[derive(Debug, Clone, Copy, Default)]
struct Tuple {
    addrs: [u32; 2],
    ports: [u16; 2],
    /// The link of each side's frames, as its id when that fits 16 bits (a capture has few
    /// links: pairs of link addresses), else [`WIDE_LINK`]; side 1's is [`NO_LINK_YET`] until a
    /// frame from it comes.
    links: [u16; 2],
    iface: u16,
    ip_proto: u8,
}

/// The bit of [`Row::tuple`] saying the frame comes from the tuple's side 1.
const SIDE_1: u32 = 1 << 31;
/// Side 1's link before a frame from that side came.
const NO_LINK_YET: u16 = u16::MAX;
/// A link whose id does not fit a tuple's 16 bits (its id is in [`WideLinks`]).
const WIDE_LINK: u16 = u16::MAX - 1;

/// Every tuple's links in 32 bits, once a link's id did not fit 16 (none in a capture of fewer
/// than 65,534 links; from the first such link on, beside the tuples, which then hold the
/// narrow ids only to say whether side 1 has its link yet). Read without a call or a search, so
/// a loop that does not read the link drops it.
#[derive(Debug, Clone, Default)]
struct WideLinks {
    kept: bool,
    /// Per tuple: side 0's link, side 1's.
    links: Vec<[u32; 2]>,
}

impl WideLinks {
    /// What a tuple keeps for `link`, the link of side `side` of tuple `id` (when the wide links
    /// are kept, they get it too).
    #[inline]
    fn store(&mut self, id: u32, side: usize, link: u32) -> u16 {
        if let Some(links) = self.links.get_mut(id as usize) {
            links[side & 1] = link;
        }
        match u16::try_from(link) {
            Ok(narrow) if narrow < WIDE_LINK => narrow,
            _ => WIDE_LINK,
        }
    }
    /// Whether `stored`, what tuple `id` keeps for the link of its side `side`, is `link`.
    #[inline]
    fn matches(&self, stored: u16, id: u32, side: usize, link: u32) -> bool {
        match self.links.get(id as usize) {
            _ if stored == NO_LINK_YET => false,
            Some(links) => links[side & 1] == link,
            None => u32::from(stored) == link,
        }
    }
    /// The link id of side `side` of tuple `id`, which keeps `stored` for it.
    #[inline(always)]
    fn get(&self, stored: u16, id: u32, side: usize) -> u32 {
        if self.kept {
            self.links
                .get(id as usize)
                .map_or(0, |links| links[side & 1])
        } else {
            u32::from(stored)
        }
    }
}

impl Tuple {
    /// The tuple `record` makes, as tuple number `id`.
    fn new(record: &PacketRecord, id: u32, wide: &mut WideLinks) -> Self {
        if wide.kept {
            wide.links.push([0, u32::MAX]);
        }
        Tuple {
            addrs: [record.src, record.dst],
            links: [wide.store(id, 0, record.link), NO_LINK_YET],
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
    fn side_if_of(&mut self, record: &PacketRecord, id: u32, wide: &mut WideLinks) -> Option<u32> {
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
        self.side_over(side, record.link, id, wide)
    }
    /// The side `record` comes from — when the link it came over is this tuple's (number `id`)
    /// for that side (taking it for side 1 if no frame came from there yet). `record` must be of
    /// the tuple's conversation.
    #[inline]
    fn side_of(&mut self, record: &PacketRecord, id: u32, wide: &mut WideLinks) -> Option<u32> {
        let side = usize::from((record.src, record.src_port) != (self.addrs[0], self.ports[0]));
        self.side_over(side, record.link, id, wide)
    }
    /// `side` as the row's side bit, when `link` is that side's link (or side 1 has none yet,
    /// and takes it).
    #[inline]
    fn side_over(&mut self, side: usize, link: u32, id: u32, wide: &mut WideLinks) -> Option<u32> {
        if wide.matches(self.links[side], id, side, link) {
            return Some(if side == 0 { 0 } else { SIDE_1 });
        }
        if side == 1 && self.links[1] == NO_LINK_YET {
            self.links[1] = wide.store(id, 1, link);
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
/// offload frame's long one (see [`PacketRecord::long_payload`]), the payload length's low 16
/// bits and the IP length field as it came.
#[derive(Debug, Clone, Copy)]
struct Lengths {
    caplen: u32,
    orig_len: u32,
    long_payload: bool,
    payload_lo: u16,
    ip_len_raw: u16,
}

/// What lengths a frame's row takes: its original length, and the `headers` and `link_len`
/// bytes; `None` when they do not fit (the lengths are then escaped).
#[inline]
fn row_lengths(record: &PacketRecord) -> Option<(u16, u8, u8)> {
    let short = |n: u32| n < u32::from(ESCAPE16);
    let headers = u8::try_from(record.ip_len_raw.wrapping_sub(record.payload_lo)).ok()?;
    let link_len = match record.ip_len_raw {
        0 => 0,
        ip_len => u8::try_from(record.orig_len.checked_sub(u32::from(ip_len))? + 1).ok()?,
    };
    let fits = short(record.caplen) && short(record.orig_len) && !record.long_payload;
    fits.then_some((record.orig_len as u16, headers, link_len))
}

/// How the gap between two frames follows from the first one's captured length, while every
/// gap so far has followed one rule: a record header of fixed length (pcap's 16 bytes), or one
/// after the frame's bytes are padded to 4 (pcapng: its block's trailer and the next block's
/// header, 32 bytes). The rule is learnt from the first gap, both ways at once: a gap that one
/// way does not predict leaves the other, and only once neither predicts a gap do the gaps need
/// keeping ([`Records::gaps`]). Every gap so far follows each way still held, so reading with
/// either gives the same offsets.
#[derive(Debug, Clone, Copy, Default)]
struct GapRule {
    /// The header's length each way: without padding, and with padding to 4.
    headers: [u8; 2],
    /// Which ways every gap so far followed (bit 0: without padding, bit 1: with); 0 before the
    /// first gap.
    holding: u8,
    /// What [`GapRule::after`] reads: the header's length of the way used, and 3 when that way
    /// pads to 4 (else 0).
    header: u32,
    pad_mask: u32,
}

impl GapRule {
    /// The gap after a frame of `caplen` captured bytes.
    #[inline(always)]
    fn after(self, caplen: u32) -> u32 {
        self.header + (self.pad_mask & caplen.wrapping_neg())
    }

    /// Whether `gap`, after a frame of `caplen` captured bytes, follows the rule (learnt from the
    /// first gap asked about). Once only one way holds, one comparison.
    #[inline(always)]
    fn follows(&mut self, caplen: u32, gap: u8) -> bool {
        if self.holding.is_power_of_two() {
            return self.after(caplen) == u32::from(gap);
        }
        self.learn(caplen, gap)
    }

    /// [`GapRule::follows`] while no way, or both, hold.
    #[inline(never)]
    fn learn(&mut self, caplen: u32, gap: u8) -> bool {
        let pad = caplen.wrapping_neg() & 3;
        let padded_header = u32::from(gap).checked_sub(pad);
        let holding = if self.holding == 0 {
            self.headers = [gap, padded_header.unwrap_or(0) as u8];
            1 | u8::from(padded_header.is_some()) << 1
        } else {
            let plain = gap == self.headers[0];
            let padded = padded_header == Some(u32::from(self.headers[1]));
            self.holding & (u8::from(plain) | u8::from(padded) << 1)
        };
        if holding == 0 {
            return false;
        }
        self.holding = holding;
        (self.header, self.pad_mask) = if holding & 1 != 0 {
            (u32::from(self.headers[0]), 0)
        } else {
            (u32::from(self.headers[1]), 3)
        };
        true
    }
}

/// Room in a column kept per frame for its next value, when the column is kept (non-empty):
/// up to `rows_room`, the room the rows have, else one more (false when memory is refused).
#[inline]
fn column_room<T>(column: &mut Vec<T>, rows_room: usize) -> bool {
    column.is_empty()
        || column.len() < column.capacity()
        || column
            .try_reserve_exact(rows_room.saturating_sub(column.len()).max(1))
            .is_ok()
}

/// Room in a column being started at frame index `frame`, for as many frames as the rows have
/// room for (false when memory is refused).
fn column_start_room<T>(column: &mut Vec<T>, rows_room: usize, frame: usize) -> bool {
    column.try_reserve_exact(rows_room.max(frame + 1)).is_ok()
}

/// The records of an index, in frame order.
#[derive(Debug, Default, Clone)]
pub struct Records {
    rows: Vec<Row>,
    bases: Vec<Base>,
    tuples: Vec<Tuple>,
    wide_links: WideLinks,
    /// Conversation → the number of its latest tuple in `tuples`, only while frames are pushed
    /// (see the module's documentation), with `hot` in front: a tuple's number + 1 at the place
    /// [`hot_place`] gives (0: empty; a newer conversation takes the place of an older). A frame
    /// checks the tuple found there against its own fields, which it reads anyway for its side.
    tuple_ids: HashMap<Conversation, u32>,
    hot: Vec<u32>,
    /// Per group of [`GROUP`] frames: its first frame's offset as a step from its block's base,
    /// or [`IRREGULAR`].
    groups: Vec<u32>,
    /// Per frame, its captured length, once one frame's differed from its original length; empty
    /// until then (a row's captured length is its original length). [`ESCAPE16`] where the
    /// lengths are escaped.
    caplens: Vec<u16>,
    /// Per frame, the bytes between the end of the frame before and its offset, once one gap
    /// did not follow [`Records::gap_rule`]; empty until then. 0 for a group's first frame;
    /// [`ESCAPE8`] where the offset is in the side table.
    gaps: Vec<u8>,
    gap_rule: GapRule,
    /// Where the frame pushed last ends in its file (its offset plus its captured length), and
    /// its captured length.
    last_end: u64,
    last_caplen: u32,
    times: SideTable<i64>,
    offsets: SideTable<u64>,
    lengths: SideTable<Lengths>,
    /// Room was planned for the frames expected ([`Records::plan`]): past it, grow by an eighth.
    planned: bool,
    /// The lengths of every frame pushed, added up as they come.
    totals: LengthTotals,
}

/// The captured and original lengths of every frame of [`Records`], added up as they are pushed:
/// what the capture summary and the snapshot-length finding need, without a pass over the rows.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LengthTotals {
    /// Captured bytes.
    pub captured: u64,
    /// Bytes on the wire (original lengths).
    pub wire: u64,
    /// Frames whose captured length is below their original length (cut by the snapshot length).
    pub cut_frames: u64,
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
        if !self.caplens.is_empty() {
            self.caplens.reserve(additional);
        }
        if !self.gaps.is_empty() {
            self.gaps.reserve(additional);
        }
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
            && column_room(&mut self.caplens, self.rows.capacity())
            && column_room(&mut self.gaps, self.rows.capacity())
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
            let _ = column_room(&mut self.caplens, frames);
            let _ = column_room(&mut self.gaps, frames);
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
    #[inline(always)]
    pub fn push(&mut self, record: PacketRecord) {
        self.totals.captured += u64::from(record.caplen);
        self.totals.wire += u64::from(record.orig_len);
        self.totals.cut_frames += u64::from(record.caplen < record.orig_len);
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
        let mut caplens_kept = !self.caplens.is_empty();
        let in_row = row_lengths(&record).filter(|_| {
            if record.caplen != record.orig_len && !caplens_kept {
                caplens_kept = self.keep_caplens(frame);
            }
            record.caplen == record.orig_len || caplens_kept
        });
        let (orig_len, headers, link_len) = in_row.unwrap_or_else(|| {
            let lengths = Lengths {
                caplen: record.caplen,
                orig_len: record.orig_len,
                long_payload: record.long_payload,
                payload_lo: record.payload_lo,
                ip_len_raw: record.ip_len_raw,
            };
            self.lengths.push(key, lengths);
            (ESCAPE16, 0, 0)
        });
        if caplens_kept {
            let caplen = if in_row.is_some() {
                record.caplen as u16
            } else {
                ESCAPE16
            };
            self.caplens.push(caplen);
        }
        self.push_gap(frame, &record, base.offset, in_row.is_some());
        self.last_end = record.offset.wrapping_add(u64::from(record.caplen));
        self.last_caplen = record.caplen;
        let tuple = self.intern(&record);
        self.rows.push(Row {
            ts_step,
            tuple,
            seq: record.seq,
            ack: record.ack,
            orig_len,
            window: record.window,
            ip_id: record.ip_id,
            flags: record.flags,
            tcp_flags: record.tcp_flags,
            ttl: record.ttl,
            headers,
            link_len,
        });
    }

    /// Starts [`Records::caplens`], which the first frame whose captured length differs from its
    /// original length (frame index `frame`) needs, with the captured lengths of the rows so far
    /// (their original lengths, or [`ESCAPE16`]), and room for the frames the rows have room
    /// for. False when memory for it is refused (the frame's lengths are then escaped).
    #[cold]
    #[inline(never)]
    fn keep_caplens(&mut self, frame: usize) -> bool {
        if !column_start_room(&mut self.caplens, self.rows.capacity(), frame) {
            return false;
        }
        self.caplens
            .extend(self.rows.iter().map(|row| row.orig_len));
        true
    }

    /// Keeps where frame index `frame` (`record`) is, in a block whose base offset is
    /// `base_offset`: a group's first frame as a step from the base (in [`Records::groups`]),
    /// else by its gap since the end of the frame before — nothing when the gap follows
    /// [`Records::gap_rule`], else in [`Records::gaps`], which the first gap that does not follow
    /// starts. A gap that does not fit a byte (or when memory for the gaps is refused) puts the
    /// offset in the side table. Such an offset, or lengths that did not fit the row
    /// (`lengths_fit` false), make the group [`IRREGULAR`].
    #[inline]
    fn push_gap(
        &mut self,
        frame: usize,
        record: &PacketRecord,
        base_offset: u64,
        lengths_fit: bool,
    ) {
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
            if !self.gaps.is_empty() {
                self.gaps.push(0);
            }
            return;
        }
        let gap = u8::try_from(record.offset.wrapping_sub(self.last_end))
            .ok()
            .filter(|&gap| gap != ESCAPE8);
        let kept = gap.filter(|&gap| {
            !self.gaps.is_empty()
                || self.gap_rule.follows(self.last_caplen, gap)
                || self.keep_gaps(frame)
        });
        if kept.is_none() || !lengths_fit {
            self.make_irregular(frame, base_offset);
        }
        if kept.is_none() {
            self.offsets.push(key, record.offset);
        }
        if !self.gaps.is_empty() {
            self.gaps.push(kept.unwrap_or(ESCAPE8));
        }
    }

    /// Starts [`Records::gaps`] with the gaps of the `frame` rows so far, with room for the
    /// frames the rows have room for (false when memory for it is refused).
    #[cold]
    #[inline(never)]
    fn keep_gaps(&mut self, frame: usize) -> bool {
        if !column_start_room(&mut self.gaps, self.rows.capacity(), frame) {
            return false;
        }
        let mut escaped = 0;
        for k in 0..frame {
            let gap = if k % GROUP == 0 {
                0
            } else if self.offsets.get_forward(&mut escaped, k as u32).is_some() {
                ESCAPE8
            } else {
                self.gap_rule.after(self.caplen_of(k - 1)) as u8
            };
            self.gaps.push(gap);
        }
        true
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
        if record.link >= u32::from(WIDE_LINK) && !self.wide_links.kept {
            self.keep_wide_links();
        }
        let place = hot_place(record);
        if let Some(&id_plus_1) = self.hot.get(place) {
            let id = id_plus_1.wrapping_sub(1);
            if let Some(side) = self
                .tuples
                .get_mut(id as usize)
                .and_then(|t| t.side_if_of(record, id, &mut self.wide_links))
            {
                return id | side;
            }
        }
        self.intern_cold(record, Conversation::of(record), place)
    }

    /// Starts [`Records::wide_links`], at the first link whose id does not fit a tuple, with
    /// every tuple's links so far.
    #[cold]
    #[inline(never)]
    fn keep_wide_links(&mut self) {
        let wide = |stored: u16| match stored {
            NO_LINK_YET => u32::MAX,
            narrow => u32::from(narrow),
        };
        self.wide_links = WideLinks {
            kept: true,
            links: self
                .tuples
                .iter()
                .map(|t| [wide(t.links[0]), wide(t.links[1])])
                .collect(),
        };
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
                    .and_then(|t| t.side_of(record, id, &mut self.wide_links))
                {
                    Some(side) => (id, side),
                    None => {
                        entry.insert(new_id);
                        self.tuples
                            .push(Tuple::new(record, new_id, &mut self.wide_links));
                        (new_id, 0)
                    }
                }
            }
            Entry::Vacant(entry) => {
                entry.insert(new_id);
                self.tuples
                    .push(Tuple::new(record, new_id, &mut self.wide_links));
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
    /// The endpoints of tuple `id` (a [`Records::tuple_id`]), side 0's first: (address id,
    /// port) each.
    #[inline]
    pub fn tuple_ends(&self, id: u32) -> Option<[(u32, u16); 2]> {
        let tuple = self.tuples.get(id as usize)?;
        Some([
            (tuple.addrs[0], tuple.ports[0]),
            (tuple.addrs[1], tuple.ports[1]),
        ])
    }
    /// How many tuples there are: every [`Records::tuple_id`] is below this.
    pub fn tuple_count(&self) -> usize {
        self.tuples.len()
    }

    /// Whether some frame's `ip_proto` is one of `protocols`, told from the tuples (a frame's
    /// protocol is its tuple's) without reading the rows.
    pub fn has_ip_proto(&self, protocols: &[u8]) -> bool {
        self.tuples.iter().any(|t| protocols.contains(&t.ip_proto))
    }

    /// The lengths of every frame, added up ([`LengthTotals`]).
    pub fn totals(&self) -> LengthTotals {
        self.totals
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
            Some(end) if i % GROUP != 0 && self.regular_group(i) => {
                let caplen_before = self
                    .rows
                    .get(i - 1)
                    .map_or(0, |before| self.row_caplen(i - 1, before));
                end.wrapping_add(u64::from(self.gap_before(i, caplen_before)))
            }
            _ => self.offset_of(i, base.offset),
        };
        let (caplen, orig_len, long_payload, payload_lo, ip_len_raw) = match row.orig_len {
            ESCAPE16 => self.escaped_lengths(i),
            orig_len => {
                let ip_len_raw = match row.link_len {
                    0 => 0,
                    link_len => orig_len.wrapping_sub(u16::from(link_len)).wrapping_add(1),
                };
                (
                    self.row_caplen(i, row),
                    u32::from(orig_len),
                    false,
                    ip_len_raw.wrapping_sub(u16::from(row.headers)),
                    ip_len_raw,
                )
            }
        };
        let side = (row.tuple >> 31) as usize;
        let tuple_id = row.tuple & !SIDE_1;
        let tuple = self
            .tuples
            .get(tuple_id as usize)
            .copied()
            .unwrap_or_default();
        PacketRecord {
            ts_ns,
            offset,
            caplen,
            orig_len,
            src: tuple.addrs[side],
            dst: tuple.addrs[side ^ 1],
            link: self.wide_links.get(tuple.links[side], tuple_id, side),
            seq: row.seq,
            ack: row.ack,
            payload_lo,
            src_port: tuple.ports[side],
            dst_port: tuple.ports[side ^ 1],
            window: row.window,
            ip_len_raw,
            ip_id: row.ip_id,
            iface: tuple.iface,
            flags: row.flags,
            tcp_flags: row.tcp_flags,
            ip_proto: tuple.ip_proto,
            ttl: row.ttl,
            long_payload,
        }
    }

    /// Whether frame index `i`'s group is read the quick way (not [`IRREGULAR`]).
    #[inline(always)]
    fn regular_group(&self, i: usize) -> bool {
        self.groups
            .get(i >> GROUP_SHIFT)
            .is_some_and(|&step| step != IRREGULAR)
    }

    /// The captured length of frame index `k`, whose lengths fit its `row`.
    #[inline(always)]
    fn row_caplen(&self, k: usize, row: &Row) -> u32 {
        u32::from(if self.caplens.is_empty() {
            row.orig_len
        } else {
            self.caplens.get(k).copied().unwrap_or(row.orig_len)
        })
    }

    /// The captured length of frame index `k`, escaped or not (0 past the end).
    fn caplen_of(&self, k: usize) -> u32 {
        match self.rows.get(k) {
            Some(row) if row.orig_len == ESCAPE16 => self.escaped_lengths(k).0,
            Some(row) => self.row_caplen(k, row),
            None => 0,
        }
    }

    /// The gap before frame index `k` (not a group's first, nor one whose offset is in the side
    /// table), after a frame of `caplen_before` captured bytes.
    #[inline(always)]
    fn gap_before(&self, k: usize, caplen_before: u32) -> u32 {
        if self.gaps.is_empty() {
            self.gap_rule.after(caplen_before)
        } else {
            u32::from(self.gaps.get(k).copied().unwrap_or(0))
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
                    if self.caplens.is_empty() && self.gaps.is_empty() {
                        // The common case: every length and gap from the rows and the rule.
                        let mut length = u32::from(head.orig_len);
                        for row in rest {
                            offset = offset
                                .wrapping_add(u64::from(length + self.gap_rule.after(length)));
                            length = u32::from(row.orig_len);
                        }
                    } else {
                        let mut length = self.row_caplen(first, head);
                        for (k, row) in (first + 1..).zip(rest) {
                            offset = offset.wrapping_add(
                                u64::from(length) + u64::from(self.gap_before(k, length)),
                            );
                            length = self.row_caplen(k, row);
                        }
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
    /// [`Records::offset_of`] in an [`IRREGULAR`] group: from the last offset in the side table
    /// at or before frame index `i` (its group's first frame's is there), each frame after it by
    /// its gap and the length before it, escaped or not.
    #[cold]
    #[inline(never)]
    fn irregular_offset(&self, i: usize) -> u64 {
        let Some((from, &offset)) = self.offsets.at_or_before(i as u32) else {
            return 0;
        };
        let mut offset = offset;
        for k in from as usize + 1..=i {
            let length = self.caplen_of(k - 1);
            offset = offset.wrapping_add(u64::from(length) + u64::from(self.gap_before(k, length)));
        }
        offset
    }

    #[cold]
    #[inline(never)]
    fn escaped_lengths(&self, i: usize) -> (u32, u32, bool, u16, u16) {
        self.lengths.get(i as u32).map_or((0, 0, false, 0, 0), |l| {
            (
                l.caplen,
                l.orig_len,
                l.long_payload,
                l.payload_lo,
                l.ip_len_raw,
            )
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
        self.caplens.shrink_to_fit();
        self.gaps.shrink_to_fit();
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
            + self.wide_links.links.capacity() * size_of::<[u32; 2]>()
            + self.tuple_ids.capacity() * (size_of::<(Conversation, u32)>() + 1)
            + self.hot.capacity() * size_of::<u32>()
            + self.groups.capacity() * size_of::<u32>()
            + self.caplens.capacity() * size_of::<u16>()
            + self.gaps.capacity()
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

    /// `frames` records as a file lays them out: each after a record header of `header` bytes,
    /// with its bytes padded to `align` and followed by a trailer of `trailer` bytes; `caplen`
    /// and `orig_len` give each frame's lengths from its number.
    fn laid_out(
        frames: u32,
        (header, align, trailer): (u32, u32, u32),
        lengths: impl Fn(u32) -> (u32, u32),
    ) -> Vec<PacketRecord> {
        let mut offset = 24u64;
        (0..frames)
            .map(|n| {
                let (caplen, orig_len) = lengths(n);
                offset += u64::from(header);
                let r = PacketRecord {
                    offset,
                    caplen,
                    orig_len,
                    ip_len_raw: (orig_len - 14) as u16,
                    payload_lo: (orig_len - 54) as u16,
                    ..record(n)
                };
                offset += u64::from(caplen.next_multiple_of(align) + trailer);
                r
            })
            .collect()
    }

    #[test]
    fn offsets_that_follow_each_other_need_no_side_table() {
        // pcap's 16-byte record headers; pcapng's blocks, whose bytes are padded to 4 and whose
        // 28-byte headers follow the block before's 4-byte trailer.
        for layout in [(16, 1, 0), (28, 4, 4)] {
            let all = laid_out(2 * BLOCK as u32 + 5, layout, |n| {
                (54 + n % 1400, 54 + n % 1400)
            });
            let records: Records = all.iter().copied().collect();
            assert!(records.iter().eq(all.iter().copied()), "{layout:?}");
            assert_every_record_comes_back_after_the_one_before(&records, &all);
            assert!(records.offsets.is_empty() && records.groups.iter().all(|&g| g != IRREGULAR));
            assert!(records.lengths.is_empty(), "no escaped lengths");
            assert!(
                records.gaps.is_empty() && records.caplens.is_empty(),
                "no columns kept"
            );
            assert_eq!(records.totals().cut_frames, 0);
        }
    }

    #[test]
    fn frames_cut_short_keep_their_captured_lengths_from_the_first_one_cut() {
        // A capture with a snapshot length of 100, whose first frame, or first 40, are short.
        for first_cut in [0, 40] {
            let all = laid_out(3 * BLOCK as u32, (16, 1, 0), |n| {
                let orig_len = if n < first_cut {
                    60 + n
                } else {
                    60 + n % 1400 + 40
                };
                (orig_len.min(100), orig_len)
            });
            let records: Records = all.iter().copied().collect();
            assert_eq!(records.caplens.len(), all.len(), "cut from {first_cut}");
            let cut = all.iter().filter(|r| r.caplen < r.orig_len).count() as u64;
            assert_eq!(records.totals().cut_frames, cut);
            assert!(records.lengths.is_empty() && records.gaps.is_empty());
            assert!(records.iter().eq(all.iter().copied()));
            assert!(records.iter().rev().eq(all.iter().rev().copied()));
            assert_every_record_comes_back_after_the_one_before(&records, &all);
        }
    }

    #[test]
    fn the_protocols_of_the_frames_are_told_from_the_tuples() {
        let all = laid_out(3 * GROUP as u32, (16, 1, 0), |n| (60 + n, 60 + n));
        let mut records: Records = all.iter().copied().collect();
        let protocols: Vec<u8> = all.iter().map(|r| r.ip_proto).collect();
        assert!(records.has_ip_proto(&protocols[..1]));
        assert!(!records.has_ip_proto(&[1, 58]));
        records.push(PacketRecord {
            ip_proto: 58,
            offset: all[all.len() - 1].offset + 200,
            ..all[0]
        });
        assert!(records.has_ip_proto(&[1, 58]));
    }

    #[test]
    fn the_lengths_are_added_up_as_frames_are_pushed() {
        // Frames of whole lengths, then one of 100,000 bytes on the wire (its lengths do not fit
        // the row) cut to 1,000.
        let mut all = laid_out(40, (16, 1, 0), |n| (60 + n, 60 + n));
        let last = all[39];
        all.push(PacketRecord {
            offset: last.offset + u64::from(last.caplen) + 16,
            caplen: 1_000,
            orig_len: 100_000,
            ..last
        });
        let records: Records = all.iter().copied().collect();
        assert!(records.iter().eq(all.iter().copied()));
        let sum = |f: fn(&PacketRecord) -> u32| all.iter().map(|r| u64::from(f(r))).sum::<u64>();
        assert_eq!(
            records.totals(),
            LengthTotals {
                captured: sum(|r| r.caplen),
                wire: sum(|r| r.orig_len),
                cut_frames: 1,
            }
        );
    }

    #[test]
    fn gaps_that_follow_no_rule_are_kept_from_the_first_one() {
        // pcapng blocks whose options vary in length from some frame on, with a long block
        // (say, statistics) between two frames before and after that.
        for first_odd in [3, GROUP as u32, BLOCK as u32 + 1] {
            let mut all = laid_out(2 * BLOCK as u32 + 9, (28, 4, 4), |n| {
                (60 + n % 7, 60 + n % 7)
            });
            let mut shift = 0;
            for (n, r) in (0u32..).zip(all.iter_mut()) {
                if n == 2 || n == 2 * BLOCK as u32 + 3 {
                    shift += 400;
                }
                if n >= first_odd {
                    shift += u64::from(n % 3) * 4;
                }
                r.offset += shift;
            }
            let records: Records = all.iter().copied().collect();
            assert_eq!(
                records.gaps.len(),
                all.len(),
                "first odd gap at {first_odd}"
            );
            assert_eq!(
                records.offsets.len(),
                4,
                "two long gaps and their groups' firsts"
            );
            assert!(records.iter().eq(all.iter().copied()));
            for (i, want) in all.iter().enumerate().rev() {
                assert_eq!(records.at(i), *want, "frame index {i}");
            }
            assert_every_record_comes_back_after_the_one_before(&records, &all);
        }
    }

    #[test]
    fn ip_lengths_that_do_not_follow_the_frame_length_are_escaped() {
        let all = [
            // No IP header; a raw IP frame (no link header); a frame shorter than its IP length
            // says; one 300 bytes longer than it (a trailer).
            PacketRecord {
                ip_len_raw: 0,
                payload_lo: 0,
                ..record(0)
            },
            PacketRecord {
                ip_len_raw: 64,
                payload_lo: 24,
                ..record(1)
            },
            PacketRecord {
                ip_len_raw: 1500,
                payload_lo: 1460,
                ..record(2)
            },
            PacketRecord {
                ip_len_raw: 40,
                payload_lo: 0,
                orig_len: 340,
                caplen: 340,
                ..record(3)
            },
        ];
        let records: Records = all.iter().copied().collect();
        assert!(records.iter().eq(all.iter().copied()));
        assert_eq!(records.lengths.len(), 2, "the last two");
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

    /// A frame the other way of `r`'s conversation, over link `link`.
    fn answer(r: PacketRecord, link: u32) -> PacketRecord {
        PacketRecord {
            src: r.dst,
            dst: r.src,
            src_port: r.dst_port,
            dst_port: r.src_port,
            link,
            ..r
        }
    }

    #[test]
    fn both_ways_share_a_tuple_until_a_link_changes() {
        let a_to_b = record(0);
        let b_to_a = answer(a_to_b, 2);
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
    fn links_whose_ids_do_not_fit_16_bits_come_back() {
        // Both ways of a conversation over links numbered past 65,533, then over one that fits,
        // and one whose id is the side-1-not-seen-yet value.
        let a_to_b = PacketRecord {
            link: 70_000,
            ..record(0)
        };
        let b_to_a = answer(a_to_b, 70_001);
        let links = [70_002, 7, 0xFFFF, 0xFFFE];
        let all: Vec<PacketRecord> = [a_to_b, b_to_a, a_to_b]
            .into_iter()
            .chain(links.map(|link| answer(a_to_b, link)))
            .collect();
        let records: Records = all.iter().copied().collect();
        assert!(records.iter().eq(all));
        // One tuple for the first three, then one for each change of link.
        assert_eq!(records.tuples.len(), 5);
        assert!(records.wide_links.kept, "from the first frame on");
        assert_eq!(records.wide_links.links.len(), records.tuples.len());
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
    fn a_row_is_28_bytes_and_a_tuple_20() {
        assert_eq!(std::mem::size_of::<Row>(), 28);
        assert_eq!(std::mem::size_of::<Tuple>(), 20);
    }
}
