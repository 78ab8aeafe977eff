//! Every frame's stream id ([`super::Flows`]), kept in 2 bytes a frame instead of 4 and given
//! back exactly, with no more work to read one than a plain column.
//!
//! Stream ids are numbered in order of first appearance, so the frames of one block of
//! [`BLOCK`] frames mostly carry ids close to each other: the streams in flight then. Each block
//! keeps a base id, and each frame its id's distance up from the base in 16 bits. The base is
//! the one that lets the most frames of the block fit; a frame that does not (a long-lived
//! stream among far newer ones) keeps its id whole in a side table, marked by [`ESCAPE`]. A frame
//! of no stream is [`NONE`].

use super::NO_STREAM;
use crate::index::SideTable;

/// Frames per block sharing one base id (a power of two).
const BLOCK: usize = 256;
const BLOCK_SHIFT: u32 = BLOCK.trailing_zeros();
/// The frame belongs to no stream.
const NONE: u16 = u16::MAX;
/// The frame's id is in the side table.
const ESCAPE: u16 = u16::MAX - 1;
/// Ids a block can reach from its base.
const SPAN: u32 = ESCAPE as u32;

/// The stream id of every frame, in frame order (see the module's documentation).
#[derive(Debug, Clone, Default)]
pub struct StreamIds {
    steps: Vec<u16>,
    bases: Vec<u32>,
    far: SideTable<u32>,
    /// The ids of the block being filled, before [`StreamIds::seal`] encodes it.
    open: Vec<u32>,
}

impl StreamIds {
    /// Room for `frames` ids.
    pub fn with_capacity(frames: usize) -> Self {
        StreamIds {
            steps: Vec::with_capacity(frames),
            bases: Vec::with_capacity(frames.div_ceil(BLOCK)),
            ..StreamIds::default()
        }
    }

    /// The ids of `ids`, in order.
    pub fn from_ids(ids: &[u32]) -> Self {
        let mut column = StreamIds::with_capacity(ids.len());
        for &id in ids {
            column.push(id);
        }
        column.seal();
        column
    }

    /// Appends the next frame's id ([`NO_STREAM`] for none). Read back after [`StreamIds::seal`].
    #[inline]
    pub fn push(&mut self, id: u32) {
        if self.open.capacity() == 0 {
            self.open.reserve_exact(BLOCK);
        }
        self.open.push(id);
        if self.open.len() == BLOCK {
            self.encode_open();
        }
    }

    /// Encodes the last, partial block and gives back unused room: every id pushed can be read.
    pub fn seal(&mut self) {
        if !self.open.is_empty() {
            self.encode_open();
        }
        self.open = Vec::new();
        self.steps.shrink_to_fit();
        self.bases.shrink_to_fit();
        self.far.shrink_to_fit();
    }

    /// The id of frame index `i` ([`NO_STREAM`] for none), or `None` past the frames sealed.
    #[inline]
    pub fn get(&self, i: usize) -> Option<u32> {
        let step = *self.steps.get(i)?;
        if step < ESCAPE {
            // Every frame sealed lies in a block that has its base.
            let base = self.bases.get(i >> BLOCK_SHIFT).copied();
            return Some(base.map_or(NO_STREAM, |base| base + u32::from(step)));
        }
        Some(if step == NONE {
            NO_STREAM
        } else {
            self.far_id(i)
        })
    }

    /// The id of frame index `i`, escaped to the side table (rare: kept out of [`Self::get`]'s
    /// way).
    #[cold]
    #[inline(never)]
    fn far_id(&self, i: usize) -> u32 {
        self.far.get(i as u32).copied().unwrap_or(NO_STREAM)
    }

    /// The id of frame index `i`, [`NO_STREAM`] past the end.
    #[inline]
    pub fn at(&self, i: usize) -> u32 {
        self.get(i).unwrap_or(NO_STREAM)
    }

    /// Frames with an id.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Every frame's id in order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.len()).map(|i| self.at(i))
    }

    /// Bytes held on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.steps.capacity() * 2
            + self.bases.capacity() * 4
            + self.far.heap_bytes()
            + self.open.capacity() * 4
    }

    /// Writes the open block: its base, then each frame's step or escape.
    fn encode_open(&mut self) {
        let first = self.steps.len();
        let base = best_base(&self.open);
        self.bases.push(base);
        let far = &mut self.far;
        let steps = self.open.iter().enumerate().map(|(at, &id)| {
            let step = id.wrapping_sub(base);
            if id == NO_STREAM {
                NONE
            } else if step < SPAN {
                step as u16
            } else {
                far.push((first + at) as u32, id);
                ESCAPE
            }
        });
        self.steps.extend(steps);
        self.open.clear();
    }
}

/// The base that puts the most of `ids` (not counting [`NO_STREAM`]) within [`SPAN`] above it:
/// the smallest id when they all fit, else the start of the fullest window.
fn best_base(ids: &[u32]) -> u32 {
    let (mut low, mut high) = (NO_STREAM, 0);
    for &id in ids {
        low = low.min(id);
        // NO_STREAM is the largest value: it never lowers `low`, and is kept out of `high`.
        high = high.max(if id == NO_STREAM { 0 } else { id });
    }
    if high.wrapping_sub(low) < SPAN {
        // All fit (or there are none: then `low` is NO_STREAM and no step is taken from it).
        return low;
    }
    let mut sorted: Vec<u32> = ids.iter().copied().filter(|&id| id != NO_STREAM).collect();
    sorted.sort_unstable();
    let low = sorted[0];
    let (mut best, mut best_count, mut end) = (low, 0, 0);
    for (start, &base) in sorted.iter().enumerate() {
        while end < sorted.len() && sorted[end] - base < SPAN {
            end += 1;
        }
        if end - start > best_count {
            (best, best_count) = (base, end - start);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(ids: &[u32]) -> StreamIds {
        let column = StreamIds::from_ids(ids);
        assert_eq!(column.len(), ids.len());
        let back: Vec<u32> = column.iter().collect();
        assert_eq!(back, ids);
        for (i, &id) in ids.iter().enumerate() {
            assert_eq!(column.get(i), Some(id));
        }
        assert_eq!(column.get(ids.len()), None);
        column
    }

    #[test]
    fn near_ids_take_two_bytes_a_frame_and_come_back() {
        // Streams opening every 6 frames, each lasting about 40 frames, with frames of none.
        let ids: Vec<u32> = (0..10_000u32)
            .map(|i| {
                if i % 11 == 0 {
                    NO_STREAM
                } else {
                    (i / 6).saturating_sub(i % 7)
                }
            })
            .collect();
        let column = round_trip(&ids);
        assert!(column.far.is_empty());
        assert!(column.heap_bytes() <= ids.len() * 2 + ids.len().div_ceil(BLOCK) * 4);
    }

    #[test]
    fn far_ids_keep_their_value_whole() {
        // A long-lived stream 0 among streams 100,000 ids newer, and ids at the top of the range.
        let mut ids = Vec::new();
        for i in 0..1_000u32 {
            ids.push(if i % 3 == 0 { 0 } else { 100_000 + i / 4 });
        }
        ids.extend([u32::MAX - 1, 5, NO_STREAM, u32::MAX - 2]);
        let column = round_trip(&ids);
        // The newer streams are most of each block: the long-lived one is the exception.
        assert!(column.far.len() <= ids.len() / 3 + 4);
    }

    #[test]
    fn an_empty_or_partial_column_reads_back() {
        round_trip(&[]);
        round_trip(&[NO_STREAM; 3]);
        round_trip(&[7]);
        round_trip(&(0..BLOCK as u32 + 1).collect::<Vec<_>>());
    }
}
