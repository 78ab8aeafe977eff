//! The per-segment rules of Wireshark 4.0's `tcp_analyze_sequence_number`, in its normative
//! order: zero-window probe, zero window, lost segment, keep-alive, window update, window full,
//! keep-alive ACK, zero-window-probe ACK, duplicate ACK; then ACKed-unseen-segment; then the
//! retransmission family (spurious, fast, out-of-order, plain); then the state update, ACK
//! matching (`ack_rtt`) and bytes in flight. All sequence arithmetic is modulo 2^32.

use super::flags::*;
use super::state::{gt, le, lt, Connection, Direction, Record, Unacked, MAX_UNACKED_SEGMENTS};
use crate::decode::{TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN};

/// The facts of one segment the rules look at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Segment {
    /// 1-based frame number.
    pub frame: u32,
    pub seq: u32,
    pub ack: u32,
    pub seglen: u32,
    /// TCP header flags (FIN 0x01 … CWR 0x80).
    pub flags: u16,
    /// Raw (unscaled) window.
    pub window: u32,
    /// Nanoseconds.
    pub ts: i64,
}

impl Segment {
    fn has(&self, bits: u16) -> bool {
        self.flags & bits != 0
    }
    fn syn_fin_rst(&self) -> bool {
        self.has(TCP_SYN | TCP_FIN | TCP_RST)
    }
}

/// Fast retransmissions must follow the duplicate ACKs within 20 ms.
const FAST_RETRANSMISSION_WINDOW_NS: u64 = 20_000_000;
/// Out-of-order threshold while the initial RTT is unknown.
const DEFAULT_OUT_OF_ORDER_NS: u64 = 3_000_000;
/// Bytes in flight are reported only below this.
const MAX_BYTES_IN_FLIGHT: u32 = 2_000_000_000;

/// Time difference as Wireshark computes it into a `guint64`: negative differences wrap to huge
/// values and so never pass a "less than" threshold.
fn elapsed(now: i64, then: i64) -> u64 {
    now.wrapping_sub(then) as u64
}

/// Runs the sequence analysis of `seg`, sent in direction `dir` of `conn`, updating the state
/// and the frame's record (created when any rule needs it).
pub fn analyze(conn: &mut Connection, dir: usize, seg: &Segment, record: &mut Option<Record>) {
    let first_rtt = conn.ts_first_rtt;
    let (fwd, rev) = conn.split(dir);
    if seg.has(TCP_ACK) {
        rev.valid_bif = true;
    }
    check_forward(fwd, rev, seg, record);
    if seg.ack != fwd.lastack {
        fwd.lastnondupack = seg.frame;
        fwd.dupacknum = 0;
    }
    check_acked_unseen(rev, seg, record);
    if seg.seglen > 0 || seg.has(TCP_SYN | TCP_FIN) {
        classify_retransmission(fwd, rev, seg, first_rtt, record);
    }
    update_state(fwd, seg, record);
    match_acks(rev, seg, record);
    bytes_in_flight(fwd, rev, seg, record);
}

fn flag(record: &mut Option<Record>, bit: u16) {
    record.get_or_insert_with(Record::default).flags |= bit;
}

fn flagged(record: &Option<Record>, bit: u16) -> bool {
    record.is_some_and(|r| r.flags & bit != 0)
}

/// Phase A: the checks about this direction, up to Wireshark's `finished_fwd` label.
fn check_forward(fwd: &mut Direction, rev: &Direction, seg: &Segment, record: &mut Option<Record>) {
    let Segment {
        seq,
        ack,
        seglen,
        window,
        ..
    } = *seg;
    if seglen == 1 && seq == fwd.nextseq && rev.window == 0 {
        flag(record, ZERO_WINDOW_PROBE);
        return;
    }
    if window == 0 && !seg.syn_fin_rst() {
        flag(record, ZERO_WINDOW);
    }
    if fwd.nextseq != 0 && gt(seq, fwd.nextseq) && !seg.has(TCP_RST) {
        flag(record, LOST_SEGMENT);
        fwd.valid_bif = false;
    }
    let repeats_last = seq == fwd.nextseq && ack == fwd.lastack && !seg.syn_fin_rst();
    if seglen <= 1 && seq == fwd.nextseq.wrapping_sub(1) && !seg.syn_fin_rst() {
        flag(record, KEEP_ALIVE);
    }
    if seglen == 0 && window != 0 && window != fwd.window && repeats_last {
        flag(record, WINDOW_UPDATE);
    }
    if seglen > 0 && rev.win_scale != -1 && !seg.syn_fin_rst() {
        let shift = if rev.is_first_ack || rev.win_scale == -2 {
            0
        } else {
            rev.win_scale as u32
        };
        let edge = rev.lastack.wrapping_add(rev.window.wrapping_shl(shift));
        if seq.wrapping_add(seglen) == edge {
            flag(record, WINDOW_FULL);
        }
    }
    if seglen != 0 || window != fwd.window || !repeats_last {
        return;
    }
    if window != 0 && rev.lastsegmentflags & KEEP_ALIVE != 0 {
        flag(record, KEEP_ALIVE_ACK);
    } else if window == 0 && rev.lastsegmentflags & ZERO_WINDOW_PROBE != 0 {
        flag(record, ZERO_WINDOW_PROBE_ACK);
    } else if window != 0 {
        fwd.dupacknum = if fwd.dupacknum == -1 {
            1
        } else {
            fwd.dupacknum.saturating_add(1)
        };
        let r = record.get_or_insert_with(Record::default);
        r.flags |= DUPLICATE_ACK;
        r.dupack_num = fwd.dupacknum as u32;
        r.dupack_frame = fwd.lastnondupack;
    }
}

/// "ACKed segment that wasn't captured": this ACK goes beyond what the other side was seen to
/// send; the boundary then jumps so one loss is reported once.
fn check_acked_unseen(rev: &mut Direction, seg: &Segment, record: &mut Option<Record>) {
    if rev.maxseqtobeacked == 0 || !gt(seg.ack, rev.maxseqtobeacked) || !seg.has(TCP_ACK) {
        return;
    }
    let r = record.get_or_insert_with(Record::default);
    if lt(rev.maxseqtobeacked, rev.nextseq) {
        rev.maxseqtobeacked = rev.nextseq;
        r.flags |= ACK_LOST_SEGMENT;
    } else {
        if rev.dupacknum == 0 {
            r.flags |= ACK_LOST_SEGMENT;
        }
        rev.dupacknum = -1;
    }
}

/// Phase B: spurious, fast retransmission, out-of-order or plain retransmission, for segments
/// with data, SYN or FIN.
fn classify_retransmission(
    fwd: &Direction,
    rev: &Direction,
    seg: &Segment,
    first_rtt: i64,
    record: &mut Option<Record>,
) {
    if flagged(record, KEEP_ALIVE) {
        return;
    }
    let Segment {
        seq, seglen, ts, ..
    } = *seg;
    let mut not_advanced = fwd.nextseq != 0 && lt(seq, fwd.nextseq);
    if seglen > 1 && fwd.nextseq.wrapping_sub(1) == seq {
        not_advanced = false;
    }
    if seglen > 0 && rev.lastack != 0 && le(seq.wrapping_add(seglen), rev.lastack) {
        flag(record, SPURIOUS_RETRANSMISSION);
        return;
    }
    if not_advanced
        && rev.dupacknum >= 2
        && rev.lastack == seq
        && elapsed(ts, rev.lastacktime) < FAST_RETRANSMISSION_WINDOW_NS
    {
        flag(record, FAST_RETRANSMISSION);
        return;
    }
    let threshold = if first_rtt == 0 {
        DEFAULT_OUT_OF_ORDER_NS
    } else {
        first_rtt as u64
    };
    let end = seq
        .wrapping_add(seglen)
        .wrapping_add(u32::from(seg.has(TCP_SYN | TCP_FIN)));
    if not_advanced && elapsed(ts, fwd.nextseqtime) < threshold && fwd.nextseq != end {
        flag(record, OUT_OF_ORDER);
        return;
    }
    if not_advanced {
        flag(record, RETRANSMISSION);
    }
}

/// Phase C: remember the segment and this direction's highest sequence, window and ACK.
fn update_state(fwd: &mut Direction, seg: &Segment, record: &Option<Record>) {
    let mut nextseq = seg.seq.wrapping_add(seg.seglen);
    if (seg.seglen > 0 || seg.has(TCP_SYN | TCP_FIN)) && fwd.unacked.len() < MAX_UNACKED_SEGMENTS {
        // The SYN/FIN byte is counted only for segments that are recorded.
        if seg.has(TCP_SYN | TCP_FIN) {
            nextseq = nextseq.wrapping_add(1);
        }
        fwd.push_unacked(Unacked {
            frame: seg.frame,
            seq: seg.seq,
            nextseq,
            ts: seg.ts,
        });
    }
    let probe = flagged(record, ZERO_WINDOW_PROBE);
    if (gt(nextseq, fwd.nextseq) || fwd.nextseq == 0) && !probe {
        fwd.nextseq = nextseq;
        fwd.nextseqframe = seg.frame;
        fwd.nextseqtime = seg.ts;
    }
    if (seg.seq == fwd.maxseqtobeacked || fwd.maxseqtobeacked == 0) && !probe {
        fwd.maxseqtobeacked = fwd.nextseq;
    }
    fwd.window = seg.window;
    fwd.lastack = seg.ack;
    fwd.lastacktime = seg.ts;
    fwd.lastsegmentflags = record.map_or(0, |r| r.flags);
}

/// Removes the other direction's segments this ACK covers; an exact match gives `acks_frame`
/// (and so `ack_rtt`). Walks newest to oldest, so with a retransmission and its original both
/// matching, the original (oldest) wins, as in Wireshark.
fn match_acks(rev: &mut Direction, seg: &Segment, record: &mut Option<Record>) {
    let ack = seg.ack;
    let mut acked_frame = None;
    let before = rev.unacked.len();
    let mut changed = false;
    // Oldest first: the first exact match is the one Wireshark's newest-first walk ends on.
    rev.unacked.retain_mut(|entry| {
        if ack == entry.nextseq {
            acked_frame.get_or_insert(entry.frame);
            false
        } else if gt(ack, entry.seq) && le(ack, entry.nextseq) {
            entry.seq = ack;
            changed = true;
            true
        } else {
            gt(entry.nextseq, ack)
        }
    });
    if changed || rev.unacked.len() != before {
        rev.span = None;
    }
    if let Some(frame) = acked_frame {
        record.get_or_insert_with(Record::default).frame_acked = frame;
    }
}

/// Bytes in flight (the default, payload-based method): the span of this direction's
/// unacknowledged segments minus what the peer SACKed, shown on data segments only.
fn bytes_in_flight(
    fwd: &mut Direction,
    rev: &Direction,
    seg: &Segment,
    record: &mut Option<Record>,
) {
    if seg.seglen == 0 || !fwd.valid_bif {
        return;
    }
    let Some((first, last)) = fwd.unacked_span() else {
        return;
    };
    let mut in_flight = last.wrapping_sub(first);
    if rev.sack_count > 0 {
        in_flight = in_flight.wrapping_sub(rev.sacked_bytes());
    }
    let r = record.get_or_insert_with(Record::default);
    if in_flight > 0 && in_flight < MAX_BYTES_IN_FLIGHT {
        r.bytes_in_flight = in_flight - u32::from(seg.has(TCP_SYN | TCP_FIN));
    }
}
