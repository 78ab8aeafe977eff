//! Where the per-frame results of the TCP analysis are kept: a [`SegmentTable`], which gives
//! back every frame's [`SegmentAnalysis`] exactly while keeping about a third of its 12 bytes.
//! Every frame has 2 bytes (the record / analysed / shown bits and the completeness so far);
//! the three values that only some frames have — analysis flags, the frame acknowledged and
//! bytes in flight — sit in sparse columns: one bit per frame says whether the frame has the
//! value, and the values are stored densely, found by the rank of that bit, in 2 bytes each
//! unless too many need more (those are then kept whole in a side table). The frame
//! acknowledged is stored as its distance back from the acknowledging frame, which fits.

use super::SegmentAnalysis;
use crate::index::SideTable;
use crate::rank_bits::RankedBits;

/// Bits 16..=18 of [`SegmentAnalysis::bits`] (record, analysed, shown).
const STATE_BITS: u32 = 0x7 << 16;
/// Shift of the completeness byte (bits 24..=31) inside [`SegmentAnalysis::bits`].
const COMPLETENESS_SHIFT: u32 = super::bit::COMPLETENESS_SHIFT;

/// Non-zero values in order, 2 bytes each when that is smaller: then a value that does not fit
/// in 16 bits is written 0 and kept whole in a side table keyed by its position.
#[derive(Debug, Clone)]
enum Values {
    Wide(Vec<u32>),
    Narrow { low: Vec<u16>, far: SideTable<u32> },
}

impl Default for Values {
    fn default() -> Self {
        Values::Wide(Vec::new())
    }
}

impl Values {
    #[inline]
    fn get(&self, at: usize) -> Option<u32> {
        match self {
            Values::Wide(values) => values.get(at).copied(),
            Values::Narrow { low, far } => match *low.get(at)? {
                0 => far.get(at as u32).copied(),
                value => Some(u32::from(value)),
            },
        }
    }

    /// The smaller form of `values`: narrow unless values over 16 bits (8 bytes more each)
    /// are so many that it would not save.
    fn compact(values: Vec<u32>) -> Values {
        let fits = |v: u32| v != 0 && v <= u32::from(u16::MAX);
        let far = values.iter().filter(|&&v| !fits(v)).count();
        if far * 4 >= values.len() {
            let mut values = values;
            values.shrink_to_fit();
            return Values::Wide(values);
        }
        let mut far_values = SideTable::default();
        let mut low = Vec::with_capacity(values.len());
        for (at, &value) in values.iter().enumerate() {
            if fits(value) {
                low.push(value as u16);
            } else {
                low.push(0);
                far_values.push(at as u32, value);
            }
        }
        far_values.shrink_to_fit();
        Values::Narrow {
            low,
            far: far_values,
        }
    }
}

/// A value present on only some frames: a bit per frame, the values in frame order.
#[derive(Debug, Clone, Default)]
struct SparseColumn {
    present: RankedBits,
    values: Values,
}

impl SparseColumn {
    fn with_capacity(frames: usize) -> Self {
        SparseColumn {
            present: RankedBits::with_capacity(frames),
            values: Values::default(),
        }
    }

    /// Appends the next frame's value (before [`SparseColumn::finish`]).
    #[inline]
    fn push(&mut self, value: Option<u32>) {
        self.present.push(value.is_some());
        if let (Some(value), Values::Wide(values)) = (value, &mut self.values) {
            values.push(value);
        }
    }

    #[inline]
    fn get(&self, frame_index: usize) -> Option<u32> {
        let at = self.present.rank_of_set(frame_index)?;
        self.values.get(at)
    }

    /// Puts the values in their smaller form; no value is pushed after.
    fn finish(&mut self) {
        self.present.shrink_to_fit();
        if let Values::Wide(values) = &mut self.values {
            self.values = Values::compact(std::mem::take(values));
        }
    }
}

/// Every frame's [`SegmentAnalysis`], compactly (see the module's description).
#[derive(Debug, Clone, Default)]
pub struct SegmentTable {
    /// Per frame: bits 0..=2 the state bits ([`super::bit`] `RECORD`, `ANALYSED`, `SHOWN`),
    /// bits 3..=10 the completeness so far.
    state: Vec<u16>,
    /// The analysis flags (low 16 bits of `bits`), on frames with any.
    flags: SparseColumn,
    /// 1-based own frame number minus the acknowledged frame's (wrapping), on frames that
    /// acknowledge one.
    acked_back: SparseColumn,
    bytes_in_flight: SparseColumn,
}

impl SegmentTable {
    /// An empty table with room for `frames` frames.
    pub fn with_capacity(frames: usize) -> Self {
        SegmentTable {
            state: Vec::with_capacity(frames),
            flags: SparseColumn::with_capacity(frames),
            acked_back: SparseColumn::with_capacity(frames),
            bytes_in_flight: SparseColumn::with_capacity(frames),
        }
    }

    /// Appends the next frame's result (before [`SegmentTable::finish`]).
    #[inline]
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
        let flags = u32::from(segment.flags());
        self.flags.push((flags != 0).then_some(flags));
        let acked = segment.acked_frame;
        let back = frame_index.wrapping_add(1).wrapping_sub(acked);
        self.acked_back.push((acked != 0).then_some(back));
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
        let state = *self.state.get(frame_index)?;
        let values = [&self.flags, &self.acked_back, &self.bytes_in_flight]
            .map(|column| column.get(frame_index));
        Some(assemble(frame_index, state, values))
    }

    /// Frame `frame_index`'s [`SegmentAnalysis::bits`] (flags, state bits, completeness).
    #[inline]
    pub fn bits(&self, frame_index: usize) -> Option<u32> {
        let state = *self.state.get(frame_index)?;
        let flags = self.flags.get(frame_index);
        Some(assemble(frame_index, state, [flags, None, None]).bits)
    }

    /// The frames with analysis flags, in order: (frame index, [`super::flags`] bits).
    pub fn flagged(&self) -> impl Iterator<Item = (usize, u16)> + '_ {
        let flags = &self.flags;
        let values = (0..).map_while(|at| flags.values.get(at));
        flags
            .present
            .ones_from(0)
            .zip(values)
            .map(|(i, f)| (i, f as u16))
    }

    /// Every frame's result, in frame order (walking the columns, without rank look-ups).
    pub fn iter(&self) -> impl Iterator<Item = SegmentAnalysis> + '_ {
        let mut cursors = [0usize; 3];
        let columns = [&self.flags, &self.acked_back, &self.bytes_in_flight];
        self.state.iter().enumerate().map(move |(i, &state)| {
            let values = std::array::from_fn(|c| {
                let column = columns[c];
                if !column.present.get(i) {
                    return None;
                }
                cursors[c] += 1;
                column.values.get(cursors[c] - 1)
            });
            assemble(i, state, values)
        })
    }

    /// Ends the table: gives back unused room and puts each column's values in its smaller
    /// form. Push nothing after.
    pub fn finish(&mut self) {
        self.state.shrink_to_fit();
        self.flags.finish();
        self.acked_back.finish();
        self.bytes_in_flight.finish();
    }
}

/// A frame's result from its state word and its values of the three columns (flags, distance
/// back to the acknowledged frame, bytes in flight).
#[inline]
fn assemble(
    frame_index: usize,
    state: u16,
    [flags, back, in_flight]: [Option<u32>; 3],
) -> SegmentAnalysis {
    let state = u32::from(state);
    SegmentAnalysis {
        bits: flags.unwrap_or(0) | ((state & 0x7) << 16) | ((state >> 3) << COMPLETENESS_SHIFT),
        acked_frame: back.map_or(0, |back| {
            (frame_index as u32).wrapping_add(1).wrapping_sub(back)
        }),
        bytes_in_flight: in_flight.unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::{bit, flags};

    #[test]
    fn values_narrow_when_few_need_more_than_16_bits_and_stay_whole_otherwise() {
        let mostly_small: Vec<u32> = (1..=100).chain([0, 65_536, u32::MAX]).collect();
        let narrow = Values::compact(mostly_small.clone());
        assert!(matches!(narrow, Values::Narrow { .. }));
        let mostly_large: Vec<u32> = (0..10).map(|i| 70_000 + i).chain([5]).collect();
        let wide = Values::compact(mostly_large.clone());
        assert!(matches!(wide, Values::Wide(_)));
        for (values, want) in [(narrow, mostly_small), (wide, mostly_large)] {
            for (at, &w) in want.iter().enumerate() {
                assert_eq!(values.get(at), Some(w), "value {at}");
            }
            assert_eq!(values.get(want.len()), None);
        }
    }

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
        table.finish();
        let flagged: Vec<(usize, u16)> = want
            .iter()
            .enumerate()
            .filter(|(_, w)| w.flags() != 0)
            .map(|(i, w)| (i, w.flags()))
            .collect();
        assert_eq!(table.flagged().collect::<Vec<_>>(), flagged);
        assert_eq!(table.len(), want.len());
        for (i, w) in want.iter().enumerate() {
            assert_eq!(table.get(i), Some(*w), "frame {i}");
        }
        assert!(table.iter().eq(want.iter().copied()));
        assert_eq!(table.get(want.len()), None);
    }
}
