//! TCP sequence analysis with Wireshark 4.0 parity: for every TCP frame the `tcp.analysis.*`
//! facts (flags such as retransmission or duplicate ACK, the frame it acknowledges and so
//! `ack_rtt`, bytes in flight, the dup-ACK number), and for every stream its initial RTT,
//! completeness and window scaling. It runs once over the index after the merge, in frame order,
//! on top of [`crate::flows::Flows`]' stream numbering.
//!
//! Results are compact: every frame's 12-byte [`SegmentAnalysis`] kept in a [`SegmentTable`]
//! (about 4 bytes a frame), duplicate-ACK details in a sparse side table, one 16-byte
//! [`StreamFacts`] per stream. Connection state exists only while a
//! stream is live (it is dropped after the stream's last frame).

pub mod flags;
pub mod graphs;
mod pass;
pub mod rows;
mod segments;
pub mod sequence;
pub mod state;
#[cfg(test)]
mod tests;

use crate::flows::{Flows, Stream};
use crate::index::{PacketIndex, SideTable};

pub use pass::analyze;
pub use segments::SegmentTable;

/// Bits of [`SegmentAnalysis::bits`] above the 16 analysis flags.
pub mod bit {
    /// The frame has an analysis record (Wireshark shows the `[SEQ/ACK analysis]` tree).
    pub const RECORD: u32 = 1 << 16;
    /// The sequence analysis ran on this frame (a TCP segment, not an IP fragment or a header
    /// quoted in an ICMP error).
    pub const ANALYSED: u32 = 1 << 17;
    /// Wireshark got as far as printing the analysis (it stops inside options cut short by the
    /// snapshot length, and then neither prints nor taps the segment).
    pub const SHOWN: u32 = 1 << 18;
    /// Shift of the running (single-pass) completeness value.
    pub const COMPLETENESS_SHIFT: u32 = 24;
}

/// Analysis result of one frame (all zero for non-TCP frames).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[repr(C)]
pub struct SegmentAnalysis {
    /// Low 16 bits: [`flags`]; then [`bit`]s; top byte: completeness so far.
    pub bits: u32,
    /// 1-based number of the frame this segment acknowledges (0 = none).
    pub acked_frame: u32,
    /// Bytes in flight (0 = not shown).
    pub bytes_in_flight: u32,
}

impl SegmentAnalysis {
    /// The analysis flags ([`flags`] bits).
    pub fn flags(&self) -> u16 {
        SegmentBits(self.bits).flags()
    }
    pub fn has(&self, bit: u32) -> bool {
        SegmentBits(self.bits).has(bit)
    }
    /// Whether tshark shows the `tcp.analysis` fields of this frame at all.
    pub fn shown(&self) -> bool {
        SegmentBits(self.bits).shown()
    }
    /// `tcp.completeness` as single-pass tshark shows it on this frame (the value before the
    /// frame's own contribution).
    pub fn completeness_so_far(&self) -> u8 {
        SegmentBits(self.bits).completeness_so_far()
    }
}

/// [`SegmentAnalysis::bits`] alone — flags, [`bit`]s and completeness so far — which
/// [`TcpAnalysis::segment_bits`] reads faster than the whole result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SegmentBits(pub u32);

impl SegmentBits {
    /// The analysis flags ([`flags`] bits).
    pub fn flags(self) -> u16 {
        (self.0 & 0xFFFF) as u16
    }
    pub fn has(self, bit: u32) -> bool {
        self.0 & bit != 0
    }
    /// Whether tshark shows the `tcp.analysis` fields of this frame at all.
    pub fn shown(self) -> bool {
        self.has(bit::RECORD) && self.has(bit::SHOWN)
    }
    /// `tcp.completeness` as single-pass tshark shows it on this frame (the value before the
    /// frame's own contribution).
    pub fn completeness_so_far(self) -> u8 {
        (self.0 >> bit::COMPLETENESS_SHIFT) as u8 & 0x3F
    }
}

/// `tcp.analysis.duplicate_ack_num` and `duplicate_ack_frame` (1-based).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DupAck {
    pub num: u32,
    pub frame: u32,
}

/// What is known about a TCP stream once the capture is analysed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamFacts {
    /// `tcp.analysis.initial_rtt` in nanoseconds (0 = none: Wireshark shows no zero RTT), and
    /// the 0-based frame that set it; see [`StreamFacts::initial_rtt`]. Two plain fields rather
    /// than an `Option` of a pair, which would take 24 bytes instead of 12.
    pub initial_rtt_ns: i64,
    pub initial_rtt_frame: u32,
    /// `tcp.completeness` at the end of the first pass.
    pub completeness: u8,
    /// The bits the stream's first frame adds when it is seen again as a known conversation
    /// (a first frame without SYN counts nothing in the first pass; `tshark -2` and the GUI
    /// count it in their second pass, from the second frame on).
    pub first_frame_bits: u8,
    /// Window scale per direction (A→B, B→A): −1 unknown, −2 none, else the shift.
    pub win_scale: [i8; 2],
}

impl StreamFacts {
    /// `tcp.analysis.initial_rtt` in nanoseconds and the 0-based frame that set it, if known.
    pub fn initial_rtt(&self) -> Option<(i64, u32)> {
        (self.initial_rtt_ns != 0).then_some((self.initial_rtt_ns, self.initial_rtt_frame))
    }

    /// `tcp.completeness` as `tshark -2` shows it on a frame of the stream.
    pub fn completeness_two_pass(&self, is_first_frame: bool) -> u8 {
        if is_first_frame {
            self.completeness
        } else {
            self.completeness | self.first_frame_bits
        }
    }
}

/// Completeness bits (`tcp.completeness`).
pub mod completeness {
    pub const SYN: u8 = 0x01;
    pub const SYN_ACK: u8 = 0x02;
    pub const ACK: u8 = 0x04;
    pub const DATA: u8 = 0x08;
    pub const FIN: u8 = 0x10;
    pub const RST: u8 = 0x20;
}

/// What a [`Change`] changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Changed {
    /// The base of relative sequence numbers (moved by a port-reusing SYN+ACK): frames before
    /// the change were shown relative to the old base.
    Base,
    /// The window scale shift, after frames of that direction were already shown with the old
    /// one (`old` holds the old [`StreamFacts::win_scale`] value as `u8`).
    Shift,
}

/// A per-direction value that changed mid-stream. Single-pass tshark shows earlier frames with
/// the old value; `tshark -2` and the GUI show the final value everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// Flows stream id.
    pub stream: u32,
    pub dir: u8,
    pub what: Changed,
    /// 0-based frame at which the change happened (a base moves before that frame is shown,
    /// a shift after).
    pub frame: u32,
    /// The value before the change.
    pub old: u32,
}

/// TCP analysis of a whole capture.
#[derive(Debug, Default, Clone)]
pub struct TcpAnalysis {
    /// One entry per frame of the index.
    pub segments: SegmentTable,
    /// Duplicate ACK details, keyed by 0-based frame.
    pub dup_acks: SideTable<DupAck>,
    /// Per flows stream id (UDP streams get the default).
    pub streams: Vec<StreamFacts>,
    /// Mid-stream changes of bases and window scales (rare), sorted.
    pub changes: Vec<Change>,
}

impl TcpAnalysis {
    /// The value single-pass tshark used on frame `frame_index` where it differs from the final
    /// one: the old value of the first change that came after the frame was shown.
    pub fn value_before_change(
        &self,
        stream: u32,
        dir: usize,
        what: Changed,
        frame_index: u32,
    ) -> Option<u32> {
        let key = (stream, dir as u8, what);
        let start = self
            .changes
            .partition_point(|c| (c.stream, c.dir, c.what) < key);
        self.changes[start..]
            .iter()
            .take_while(|c| (c.stream, c.dir, c.what) == key)
            .find(|c| match what {
                Changed::Base => c.frame > frame_index,
                Changed::Shift => c.frame >= frame_index,
            })
            .map(|c| c.old)
    }

    pub fn segment(&self, frame_index: usize) -> SegmentAnalysis {
        self.segments.get(frame_index).unwrap_or_default()
    }

    /// [`Self::segment`]'s `bits` alone, for readers of flags, state bits or completeness.
    #[inline]
    pub fn segment_bits(&self, frame_index: usize) -> SegmentBits {
        SegmentBits(self.segments.bits(frame_index).unwrap_or(0))
    }

    pub fn dup_ack(&self, frame_index: usize) -> Option<DupAck> {
        self.dup_acks.get(frame_index as u32).copied()
    }

    /// `tcp.analysis.ack_rtt` in nanoseconds: shown when the frame acknowledges one and the
    /// difference is not zero.
    pub fn ack_rtt_ns(&self, index: &PacketIndex, frame_index: usize) -> Option<i64> {
        let seg = self.segment(frame_index);
        if !seg.shown() || seg.acked_frame == 0 {
            return None;
        }
        let now = index.records.get(frame_index)?.ts_ns;
        let then = index.records.get(seg.acked_frame as usize - 1)?.ts_ns;
        let rtt = now.wrapping_sub(then);
        (rtt != 0).then_some(rtt)
    }

    /// `tcp.analysis.initial_rtt` shown on a frame: with `two_pass` (tshark -2, the GUI) every
    /// frame with analysis of the stream shows the final value; single-pass only from the frame
    /// that set it.
    pub fn initial_rtt_ns(&self, flows: &Flows, frame_index: usize, two_pass: bool) -> Option<i64> {
        let seg = self.segment(frame_index);
        if !seg.shown() {
            return None;
        }
        let id = flows.stream_of.get(frame_index)?;
        let (rtt, set_at) = self.streams.get(id as usize)?.initial_rtt()?;
        (two_pass || frame_index as u32 >= set_at).then_some(rtt)
    }

    /// `tcp.window_size`: the raw window scaled by its direction's final shift (as `tshark -2`
    /// and the GUI show it); SYNs are never scaled.
    pub fn scaled_window(
        &self,
        flows: &Flows,
        index: &PacketIndex,
        frame_index: usize,
    ) -> Option<u32> {
        self.scaled_window_at(flows, index, frame_index, false)
    }

    /// [`Self::scaled_window`], or with `single_pass` scaled by the shift known when the frame
    /// was read (single-pass tshark).
    pub fn scaled_window_at(
        &self,
        flows: &Flows,
        index: &PacketIndex,
        frame_index: usize,
        single_pass: bool,
    ) -> Option<u32> {
        let record = index.records.get(frame_index)?;
        let raw = u32::from(record.window);
        let stream: &Stream = flows.stream(frame_index)?;
        if u16::from(record.tcp_flags) & crate::decode::TCP_SYN != 0 {
            return Some(raw);
        }
        let id = flows.stream_of.at(frame_index);
        let dir = flows.ends(stream, &index.records).direction_of(&record);
        let mut shift = self.streams.get(id as usize)?.win_scale[dir];
        if single_pass {
            let frame = frame_index as u32;
            if let Some(old) = self.value_before_change(id, dir, Changed::Shift, frame) {
                shift = old as u8 as i8;
            }
        }
        Some(if shift >= 0 { raw << shift } else { raw })
    }
}

/// Wireshark's text for a completeness value.
pub fn completeness_label(value: u8) -> String {
    match value {
        1 => "Incomplete, SYN_SENT".into(),
        3 => "Incomplete, CLIENT_ESTABLISHED".into(),
        7 => "Incomplete, ESTABLISHED".into(),
        15 => "Incomplete, DATA".into(),
        31 | 47 | 63 => "Complete, WITH_DATA".into(),
        23 | 39 | 55 => "Complete, NO_DATA".into(),
        other => format!("Incomplete ({other})"),
    }
}
