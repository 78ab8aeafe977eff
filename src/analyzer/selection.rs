//! The frames an applied display filter selected, kept in whichever of three forms is smallest:
//! a list of frame indexes (4 bytes a selected frame) when few match, one bit per frame of the
//! capture (with a rank directory, 1.5 bits a frame) when many do — a first filter such as
//! `tcp` often selects most frames — or nothing per frame when every frame matched. Each form
//! answers the view's questions: how many, the frame at a position, the position of a frame, and
//! the frames in order from a position.

use crate::rank_bits::{Ones, RankedBits};

/// Frame indexes (0-based, ascending) selected by a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// The selected frames, listed.
    List(Vec<u32>),
    /// One bit per frame of the capture, set where the frame is selected.
    Bits(RankedBits),
    /// Every frame of a capture of this many.
    All(usize),
}

impl Selection {
    /// The selection whose bit `i` tells whether frame `i` is selected, in its smaller form.
    pub fn from_bits(bits: RankedBits) -> Selection {
        if bits.count_ones() == bits.len() {
            Selection::All(bits.len())
        } else if bits.count_ones() * 4 < bits.heap_bytes() {
            let mut list = Vec::with_capacity(bits.count_ones());
            list.extend(bits.ones_from(0).map(|i| i as u32));
            Selection::List(list)
        } else {
            let mut bits = bits;
            bits.shrink_to_fit();
            Selection::Bits(bits)
        }
    }

    /// Number of selected frames.
    pub fn len(&self) -> usize {
        match self {
            Selection::List(list) => list.len(),
            Selection::Bits(bits) => bits.count_ones(),
            Selection::All(frames) => *frames,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The frame at position `pos` of the selection.
    pub fn get(&self, pos: usize) -> Option<u32> {
        match self {
            Selection::List(list) => list.get(pos).copied(),
            Selection::Bits(bits) => bits.select(pos).map(|i| i as u32),
            Selection::All(frames) => (pos < *frames).then_some(pos as u32),
        }
    }

    /// Position in the selection of frame index `frame`, if selected.
    pub fn position_of(&self, frame: u32) -> Option<usize> {
        match self {
            Selection::List(list) => list.binary_search(&frame).ok(),
            Selection::Bits(bits) => bits.rank_of_set(frame as usize),
            Selection::All(frames) => ((frame as usize) < *frames).then_some(frame as usize),
        }
    }

    /// The selected frames in order.
    pub fn iter(&self) -> SelectionIter<'_> {
        self.iter_from(0)
    }

    /// The selected frames in order, from position `pos` on.
    pub fn iter_from(&self, pos: usize) -> SelectionIter<'_> {
        match self {
            Selection::List(list) => SelectionIter::List(list.get(pos..).unwrap_or(&[]).iter()),
            Selection::Bits(bits) => SelectionIter::Bits(bits.ones_from(pos)),
            Selection::All(frames) => SelectionIter::All(pos.min(*frames) as u32..*frames as u32),
        }
    }

    /// The selected frames as a list.
    pub fn to_vec(&self) -> Vec<u32> {
        match self {
            Selection::List(list) => list.clone(),
            Selection::Bits(_) | Selection::All(_) => self.iter().collect(),
        }
    }
}

/// Iterator over a [`Selection`]'s frame indexes.
#[derive(Debug, Clone)]
pub enum SelectionIter<'a> {
    List(std::slice::Iter<'a, u32>),
    Bits(Ones<'a>),
    All(std::ops::Range<u32>),
}

impl Iterator for SelectionIter<'_> {
    type Item = u32;

    #[inline]
    fn next(&mut self) -> Option<u32> {
        match self {
            SelectionIter::List(list) => list.next().copied(),
            SelectionIter::Bits(ones) => ones.next().map(|i| i as u32),
            SelectionIter::All(frames) => frames.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selection(frames: usize, selected: impl Fn(usize) -> bool) -> Selection {
        let mut bits = RankedBits::with_capacity(frames);
        (0..frames).for_each(|i| bits.push(selected(i)));
        Selection::from_bits(bits)
    }

    fn check(sel: &Selection, want: &[u32]) {
        assert_eq!(sel.len(), want.len());
        assert_eq!(sel.to_vec(), want);
        for (pos, &frame) in want.iter().enumerate() {
            assert_eq!(sel.get(pos), Some(frame));
            assert_eq!(sel.position_of(frame), Some(pos));
            assert_eq!(sel.iter_from(pos).collect::<Vec<_>>(), want[pos..]);
        }
        assert_eq!(sel.get(want.len()), None);
        assert_eq!(sel.iter_from(want.len() + 3).next(), None);
    }

    #[test]
    fn a_dense_selection_keeps_bits_a_sparse_one_a_list_and_a_whole_one_nothing() {
        let dense = selection(1000, |i| i % 7 != 3);
        assert!(matches!(dense, Selection::Bits(_)));
        let want: Vec<u32> = (0..1000).filter(|i| i % 7 != 3).collect();
        check(&dense, &want);
        assert_eq!(dense.position_of(3), None);

        let sparse = selection(1000, |i| i % 100 == 5);
        assert!(matches!(sparse, Selection::List(_)));
        check(&sparse, &[5, 105, 205, 305, 405, 505, 605, 705, 805, 905]);
        assert_eq!(sparse.position_of(6), None);

        let all = selection(1000, |_| true);
        assert!(matches!(all, Selection::All(1000)));
        check(&all, &(0..1000).collect::<Vec<u32>>());
        assert_eq!(all.position_of(1000), None);

        let none = selection(10, |_| false);
        check(&none, &[]);
        assert!(none.is_empty());
    }
}
