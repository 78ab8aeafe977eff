//! The analysis pass: walks the frames in order and, for each TCP segment, does what
//! `dissect_tcp` does around the sequence analysis — port-reuse bookkeeping, base sequence
//! numbers, completeness, SYN times and the initial RTT, window-scale and SACK options, and
//! whether the analysis is printed at all — then stores the frame's compact result.

use super::sequence::{self, Segment};
use super::state::{Connection, Direction, Record, MAX_SACK_BLOCKS};
use super::{
    bit, completeness as cbit, flags, Change, Changed, DupAck, SegmentAnalysis, SegmentTable,
    StreamFacts, TcpAnalysis,
};
use crate::batched::for_each_batched;
use crate::decode::{TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN};
use crate::flows::{Flows, TcpEvent, NO_STREAM};
use crate::index::{flag, PacketIndex, PacketRecord, TcpOptions};

/// Analyses every TCP segment of `index`.
pub fn analyze(index: &PacketIndex, flows: &Flows) -> TcpAnalysis {
    let mut out = TcpAnalysis {
        segments: SegmentTable::with_capacity(index.len()),
        streams: vec![StreamFacts::default(); flows.streams.len()],
        ..TcpAnalysis::default()
    };
    let mut live = LiveStreams::new(flows.streams.len());
    let mut events = flows.tcp_events.iter().peekable();
    let mut sacks_at = 0;
    for_each_batched(index.records.indexed(), |(i, record)| {
        let frame = i as u32;
        let event = loop {
            match events.peek() {
                Some(&&(f, _)) if f < frame => {
                    events.next();
                }
                Some(&&(f, e)) if f == frame => break Some(e),
                _ => break None,
            }
        };
        let id = flows.stream_of.at(i);
        let mut analysis = SegmentAnalysis::default();
        if id != NO_STREAM && flows.is_quoted(frame) {
            // Wireshark shows the conversation's completeness on a quoted header, nothing else.
            if let Some(state) = live.get(id) {
                analysis.bits = u32::from(state.completeness) << bit::COMPLETENESS_SHIFT;
            }
        }
        let stream = flows.streams.get(id as usize);
        let analysed = id != NO_STREAM
            && !flows.is_quoted(frame)
            && record.is_tcp()
            && !record.has(flag::FRAGMENT);
        let Some(stream) = stream.filter(|_| analysed) else {
            out.segments.push(analysis);
            return;
        };
        let state = live.get_or_start(id, stream.reused_ports);
        let dir = flows.ends(stream, &index.records).direction_of(&record);
        let is_new = frame == stream.first_frame && !stream.reused_ports;
        let options = match record.has(flag::HAS_TCP_OPTIONS) {
            true => index
                .tcp_options
                .get(frame)
                .map(|o| (o, index.tcp_sack_forward(&mut sacks_at, frame))),
            false => None,
        };
        let result = state.segment(frame, &record, options, dir, event, is_new);
        if let Some(dup) = result.dup_ack {
            out.dup_acks.push(frame, dup);
        }
        out.segments.push(result.analysis);
        if frame == stream.last_frame {
            live.end(id, &mut out);
        }
    });
    for id in 0..flows.streams.len() as u32 {
        live.end(id, &mut out);
    }
    out.changes.sort_unstable();
    out.changes.shrink_to_fit();
    out.dup_acks.shrink_to_fit();
    out.segments.finish();
    out
}

/// The streams being analysed, each in a slot of its own, found by stream id. A stream's slot
/// is freed at its last frame and taken by a later stream with the room its lists grew into, so
/// a capture of a million connections allocates for the few in flight at once, not for each.
struct LiveStreams {
    /// Per stream id: its slot + 1 (0: not live).
    slot_of: Vec<u32>,
    slots: Vec<Live>,
    free: Vec<u32>,
}

impl LiveStreams {
    fn new(streams: usize) -> Self {
        LiveStreams {
            slot_of: vec![0; streams],
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    /// Stream `id`'s state, when it is live.
    fn get(&self, id: u32) -> Option<&Live> {
        let slot = self.slot_of.get(id as usize)?.checked_sub(1)?;
        self.slots.get(slot as usize)
    }

    /// Stream `id`'s state, started now when it is not live (`id` must be a stream's).
    fn get_or_start(&mut self, id: u32, reused_ports: bool) -> &mut Live {
        let slot = match self.slot_of[id as usize].checked_sub(1) {
            Some(slot) => slot as usize,
            None => {
                let slot = match self.free.pop() {
                    Some(slot) => {
                        self.slots[slot as usize].restart(reused_ports);
                        slot
                    }
                    None => {
                        self.slots.push(Live::new(reused_ports));
                        self.slots.len() as u32 - 1
                    }
                };
                self.slot_of[id as usize] = slot + 1;
                slot as usize
            }
        };
        &mut self.slots[slot]
    }

    /// Ends stream `id` when it is live: its facts and changes go to `out`, its slot is freed.
    fn end(&mut self, id: u32, out: &mut TcpAnalysis) {
        let Some(slot) = self.slot_of.get_mut(id as usize) else {
            return;
        };
        let Some(at) = slot.checked_sub(1) else {
            return;
        };
        *slot = 0;
        if let Some(done) = self.slots.get(at as usize) {
            out.streams[id as usize] = done.facts();
            out.changes.extend(done.changes(id));
            self.free.push(at);
        }
    }
}

/// A live stream: the connection state plus the facts collected so far.
struct Live {
    conn: Connection,
    completeness: u8,
    /// Completeness bits of the stream's first frame as a non-first frame would count them
    /// (`tshark -2` adds them in its second pass).
    first_frame_bits: Option<u8>,
    initial_rtt: Option<(i64, u32)>,
    /// Per direction: a frame whose window was shown scaled (a non-SYN) has been seen.
    window_shown: [bool; 2],
    /// Mid-stream changes: (dir, what, frame, old value).
    changed: Vec<(u8, Changed, u32, u32)>,
}

/// What one segment produced.
struct SegmentResult {
    analysis: SegmentAnalysis,
    dup_ack: Option<DupAck>,
}

fn has(flags: u16, bits: u16) -> bool {
    flags & bits != 0
}

/// Completeness bits a segment adds to a conversation that already exists.
fn completeness_bits(tcp_flags: u16, seglen: u32) -> u8 {
    let mut bits = 0;
    if tcp_flags & (TCP_SYN | TCP_ACK) == TCP_SYN | TCP_ACK {
        bits |= cbit::SYN_ACK;
    }
    if tcp_flags & (TCP_SYN | TCP_ACK) == TCP_ACK {
        bits |= if seglen > 0 { cbit::DATA } else { cbit::ACK };
    }
    if tcp_flags & (TCP_FIN | TCP_ACK) == TCP_FIN | TCP_ACK {
        bits |= cbit::FIN;
    }
    if has(tcp_flags, TCP_RST) {
        bits |= cbit::RST;
    }
    bits
}

/// A new stream's completeness: one started by a port-reusing SYN starts "SYN sent".
fn first_completeness(reused_ports: bool) -> u8 {
    if reused_ports {
        cbit::SYN
    } else {
        0
    }
}

impl Live {
    fn new(reused_ports: bool) -> Self {
        Live {
            conn: Connection::default(),
            completeness: first_completeness(reused_ports),
            first_frame_bits: None,
            initial_rtt: None,
            window_shown: [false; 2],
            changed: Vec::new(),
        }
    }

    /// [`Live::new`] in place, keeping the room its lists grew into.
    fn restart(&mut self, reused_ports: bool) {
        let Live {
            conn,
            completeness,
            first_frame_bits,
            initial_rtt,
            window_shown,
            changed,
        } = self;
        conn.restart();
        *completeness = first_completeness(reused_ports);
        *first_frame_bits = None;
        *initial_rtt = None;
        *window_shown = [false; 2];
        changed.clear();
    }

    fn changes(&self, stream: u32) -> impl Iterator<Item = Change> + '_ {
        self.changed
            .iter()
            .map(move |&(dir, what, frame, old)| Change {
                stream,
                dir,
                what,
                frame,
                old,
            })
    }

    fn facts(&self) -> StreamFacts {
        let (initial_rtt_ns, initial_rtt_frame) = self.initial_rtt.unwrap_or((0, 0));
        StreamFacts {
            initial_rtt_ns,
            initial_rtt_frame,
            completeness: self.completeness,
            first_frame_bits: self.first_frame_bits.unwrap_or(0),
            win_scale: [self.conn.dirs[0].win_scale, self.conn.dirs[1].win_scale],
        }
    }

    /// Analyses one segment of the stream; `options` are the frame's handshake options and SACK
    /// blocks, when it has any.
    fn segment(
        &mut self,
        frame: u32,
        record: &PacketRecord,
        options: Option<(&TcpOptions, &[(u32, u32)])>,
        dir: usize,
        event: Option<TcpEvent>,
        is_new: bool,
    ) -> SegmentResult {
        let tcp_flags = u16::from(record.tcp_flags);
        let seg = Segment {
            frame: frame.saturating_add(1),
            seq: record.seq,
            ack: record.ack,
            seglen: record.payload_len(),
            flags: tcp_flags,
            window: u32::from(record.window),
            ts: record.ts_ns,
        };
        let mut rec: Option<Record> = None;
        match event {
            Some(TcpEvent::ReusedPortsSyn) => {
                rec.get_or_insert_with(Record::default).flags |= flags::REUSED_PORTS;
            }
            Some(TcpEvent::ReusedPortsSynAck) => {
                if let Some(old) = self.conn.dirs[dir].base_seq {
                    self.changed.push((dir as u8, Changed::Base, frame, old));
                }
                self.conn.dirs[dir].set_base(seg.seq);
                rec.get_or_insert_with(Record::default).flags |= flags::REUSED_PORTS;
            }
            Some(TcpEvent::SynRetransmission) => {
                let fwd = &mut self.conn.dirs[dir];
                fwd.nextseq = fwd.maxseqtobeacked;
                rec.get_or_insert_with(Record::default);
            }
            None => {}
        }
        self.conn.dirs[dir].sack_count = 0;

        set_bases(&mut self.conn, dir, &seg);
        sequence::analyze(&mut self.conn, dir, &seg, &mut rec);
        let completeness_shown = self.completeness;
        self.update_completeness(is_new, &seg);
        self.handshake_times(dir, &seg, frame);

        let options_cut = record.has(flag::TCP_OPTIONS_CUT);
        if !has(tcp_flags, TCP_SYN) {
            self.window_shown[dir] = true;
        }
        let scale_before = [self.conn.dirs[0].win_scale, self.conn.dirs[1].win_scale];
        if let Some((options, sack)) = options {
            let fwd = &mut self.conn.dirs[dir];
            if let Some(shift) = options.window_scale {
                fwd.win_scale = shift.min(14) as i8;
            }
            if !sack.is_empty() {
                let n = sack.len().min(MAX_SACK_BLOCKS);
                fwd.sack[..n].copy_from_slice(&sack[..n]);
                fwd.sack_count = n as u8;
            }
        }
        if !options_cut && has(tcp_flags, TCP_SYN) {
            verify_window_scaling(&mut self.conn, dir, has(tcp_flags, TCP_ACK));
        }
        for (d, before) in scale_before.into_iter().enumerate() {
            if self.window_shown[d] && self.conn.dirs[d].win_scale != before {
                let old = u32::from(before as u8);
                self.changed.push((d as u8, Changed::Shift, frame, old));
            }
        }

        let mut bits = bit::ANALYSED | (u32::from(completeness_shown) << bit::COMPLETENESS_SHIFT);
        if !options_cut {
            bits |= bit::SHOWN;
        }
        let mut analysis = SegmentAnalysis {
            bits,
            ..SegmentAnalysis::default()
        };
        let mut dup_ack = None;
        if let Some(r) = rec {
            analysis.bits |= bit::RECORD | u32::from(r.flags);
            analysis.acked_frame = r.frame_acked;
            analysis.bytes_in_flight = r.bytes_in_flight;
            if r.dupack_num != 0 {
                dup_ack = Some(DupAck {
                    num: r.dupack_num,
                    frame: r.dupack_frame,
                });
            }
        }
        SegmentResult { analysis, dup_ack }
    }

    fn update_completeness(&mut self, is_new: bool, seg: &Segment) {
        if is_new {
            let mut value = 0;
            if seg.flags & (TCP_SYN | TCP_ACK) == TCP_SYN {
                value |= cbit::SYN;
                if seg.seglen > 0 {
                    value |= cbit::DATA;
                }
            }
            self.completeness = value;
            self.first_frame_bits = Some(completeness_bits(seg.flags, seg.seglen));
        } else {
            self.completeness |= completeness_bits(seg.flags, seg.seglen);
        }
    }

    /// SYN time, `is_first_ack` and the initial RTT (time from the last SYN to the first
    /// segment with ACK and without SYN).
    fn handshake_times(&mut self, dir: usize, seg: &Segment, frame: u32) {
        let conn = &mut self.conn;
        if has(seg.flags, TCP_SYN) {
            if !has(seg.flags, TCP_ACK) {
                conn.ts_mru_syn = seg.ts;
            }
            conn.dirs[dir].is_first_ack = true;
        }
        let pure_ack = seg.flags & (TCP_SYN | TCP_ACK) == TCP_ACK;
        if pure_ack && conn.ts_mru_syn != 0 && conn.ts_first_rtt == 0 {
            conn.ts_first_rtt = seg.ts.wrapping_sub(conn.ts_mru_syn);
            if conn.ts_first_rtt != 0 {
                self.initial_rtt = Some((conn.ts_first_rtt, frame));
            }
        }
        if pure_ack {
            conn.dirs[dir].is_first_ack = false;
        }
    }
}

/// Base sequence numbers: a direction's first segment sets its own (SYN: seq, else seq−1);
/// the first segment with ACK sets the other direction's (ack−1).
fn set_bases(conn: &mut Connection, dir: usize, seg: &Segment) {
    let (fwd, rev) = conn.split(dir);
    if fwd.base_seq.is_none() {
        fwd.set_base(if has(seg.flags, TCP_SYN) {
            seg.seq
        } else {
            seg.seq.wrapping_sub(1)
        });
    }
    if rev.base_seq.is_none() && has(seg.flags, TCP_ACK) {
        rev.set_base(seg.ack.wrapping_sub(1));
    }
}

/// After a SYN or SYN+ACK: if this side offered no window scale, neither side scales; if the
/// SYN+ACK offers one but the SYN did not, this side does not scale either.
fn verify_window_scaling(conn: &mut Connection, dir: usize, is_syn_ack: bool) {
    let (fwd, rev): (&mut Direction, &mut Direction) = conn.split(dir);
    if fwd.win_scale == -1 {
        fwd.win_scale = -2;
        rev.win_scale = -2;
    } else if is_syn_ack && rev.win_scale == -2 {
        fwd.win_scale = -2;
    }
}
