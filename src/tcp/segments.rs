//! Where the per-frame results of the TCP analysis are kept: a [`SegmentTable`], which gives
//! back every frame's [`SegmentAnalysis`] exactly while keeping about a third of its 12 bytes.
//! Every frame has 2 bytes (the record / analysed / shown bits and the completeness so far);
//! the three values that only some frames have — analysis flags, the frame acknowledged and
//! bytes in flight — sit in sparse columns: one bit per frame says whether the frame has the
//! value, and the values are stored densely, found by the rank of that bit. The frame
//! acknowledged is stored as its distance back from the acknowledging frame (2 bytes), with the
//! rare distance that does not fit in a side table.

use super::SegmentAnalysis;
use crate::index::SideTable;
use crate::rank_bits::RankedBits;

/// Bits 16..=18 of [`SegmentAnalysis::bits`] (record, analysed, shown).
const STATE_BITS: u32 = 0x7 << 16;
/// Shift of the completeness byte (bits 24..=31) inside [`SegmentAnalysis::bits`].
const COMPLETENESS_SHIFT: u32 = super::bit::COMPLETENESS_SHIFT;

/// A value present on only some frames: a bit per frame, the values in frame order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct SparseColumn<T> {
    present: RankedBits,
    values: Vec<T>,
}

impl<T: Copy> SparseColumn<T> {
    fn with_capacity(frames: usize) -> Self {
        SparseColumn {
            present: RankedBits::with_capacity(frames),
            values: Vec::new(),
        }
    }

    #[inline]
    fn push(&mut self, value: Option<T>) {
        self.present.push(value.is_some());
        if let Some(value) = value {
            self.values.push(value);
        }
    }

    #[inline]
    fn get(&self, frame_index: usize) -> Option<T> {
        let at = self.present.rank_of_set(frame_index)?;
        self.values.get(at).copied()
    }

    fn shrink_to_fit(&mut self) {
        self.present.shrink_to_fit();
        self.values.shrink_to_fit();
    }
}

/// Every frame's [`SegmentAnalysis`], compactly (see the module's description).
#[derive(Debug, Clone, Default)]
pub struct SegmentTable {
    /// Per frame: bits 0..=2 the state bits ([`super::bit`] `RECORD`, `ANALYSED`, `SHOWN`),
    /// bits 3..=10 the completeness so far.
    state: Vec<u16>,
    /// The analysis flags (low 16 bits of `bits`), on frames with any.
    flags: SparseColumn<u16>,
    /// 1-based own frame number minus the acknowledged frame's, on frames that acknowledge one;
    /// 0 when the distance does not fit (the frame is then in `acked_far`).
    acked_back: SparseColumn<u16>,
    acked_far: SideTable<u32>,
    bytes_in_flight: SparseColumn<u32>,
}

impl SegmentTable {
    /// An empty table with room for `frames` frames.
    pub fn with_capacity(frames: usize) -> Self {
        SegmentTable {
            state: Vec::with_capacity(frames),
            flags: SparseColumn::with_capacity(frames),
            acked_back: SparseColumn::with_capacity(frames),
            acked_far: SideTable::default(),
            bytes_in_flight: SparseColumn::with_capacity(frames),
        }
    }

    /// Appends the next frame's result.
    pub fn push(&mut self, segment: SegmentAnalysis) {
        let frame_index = self.state.len() as u32;
        debug_assert_eq!(
            segment.bits & 0x00F8_0000,
            0,
            "no bits between shown and completeness"
        );
        let state =
            ((segment.bits & STATE_BITS) >> 16) | ((segment.bits >> COMPLETENESS_SHIFT) << 3);
        self.state.push(state as u16);
        self.flags
            .push((segment.flags() != 0).then_some(segment.flags()));
        let acked_back = (segment.acked_frame != 0).then(|| {
            let back = frame_index
                .wrapping_add(1)
                .wrapping_sub(segment.acked_frame);
            match u16::try_from(back) {
                Ok(back) if back != 0 => back,
                _ => {
                    self.acked_far.push(frame_index, segment.acked_frame);
                    0
                }
            }
        });
        self.acked_back.push(acked_back);
        let in_flight = segment.bytes_in_flight;
        self.bytes_in_flight
            .push((in_flight != 0).then_some(in_flight));
    }

    /// Number of frames.
    pub fn len(&self) -> usize {
        self.state.len()
    }

    pub fn is_empty(&self) -> bool {
        self.state.is_empty()
    }

    /// Frame `frame_index`'s result, if the table has the frame.
    pub fn get(&self, frame_index: usize) -> Option<SegmentAnalysis> {
        let state = u32::from(*self.state.get(frame_index)?);
        let flags = self.flags.get(frame_index).unwrap_or(0);
        let acked_frame = match self.acked_back.get(frame_index) {
            None => 0,
            Some(0) => self.acked_far.get(frame_index as u32).copied().unwrap_or(0),
            Some(back) => (frame_index as u32 + 1).wrapping_sub(u32::from(back)),
        };
        Some(SegmentAnalysis {
            bits: u32::from(flags) | ((state & 0x7) << 16) | ((state >> 3) << COMPLETENESS_SHIFT),
            acked_frame,
            bytes_in_flight: self.bytes_in_flight.get(frame_index).unwrap_or(0),
        })
    }

    /// Every frame's result, in frame order.
    pub fn iter(&self) -> impl Iterator<Item = SegmentAnalysis> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// Gives back the room the value vectors grew into but do not use.
    pub fn shrink_to_fit(&mut self) {
        self.state.shrink_to_fit();
        self.flags.shrink_to_fit();
        self.acked_back.shrink_to_fit();
        self.acked_far.shrink_to_fit();
        self.bytes_in_flight.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::{bit, flags};

    #[test]
    fn every_result_comes_back_exactly() {
        let shown = bit::RECORD | bit::ANALYSED | bit::SHOWN;
        let results = vec![
            SegmentAnalysis::default(),
            SegmentAnalysis {
                bits: bit::ANALYSED | (0x3F << bit::COMPLETENESS_SHIFT),
                ..SegmentAnalysis::default()
            },
            SegmentAnalysis {
                bits: shown | u32::from(flags::DUPLICATE_ACK | flags::WINDOW_FULL),
                acked_frame: 1,
                bytes_in_flight: 0,
            },
            SegmentAnalysis {
                bits: shown | (0x07 << bit::COMPLETENESS_SHIFT),
                acked_frame: 0,
                bytes_in_flight: u32::MAX,
            },
            // Acknowledges a frame too far back for 16 bits, and one ahead (never seen, but kept).
            SegmentAnalysis {
                bits: shown,
                acked_frame: 0,
                bytes_in_flight: 1,
            },
        ];
        let mut table = SegmentTable::with_capacity(8);
        let mut want = results.clone();
        for r in results {
            table.push(r);
        }
        let far = SegmentAnalysis {
            bits: shown,
            acked_frame: 7,
            bytes_in_flight: 100_000,
        };
        for _ in 0..70_000 {
            table.push(SegmentAnalysis::default());
            want.push(SegmentAnalysis::default());
        }
        let ahead = SegmentAnalysis {
            acked_frame: 80_000,
            ..far
        };
        for r in [far, ahead] {
            table.push(r);
            want.push(r);
        }
        table.shrink_to_fit();
        assert_eq!(table.len(), want.len());
        for (i, w) in want.iter().enumerate() {
            assert_eq!(table.get(i), Some(*w), "frame {i}");
        }
        assert!(table.iter().eq(want.iter().copied()));
        assert_eq!(table.get(want.len()), None);
    }
}
