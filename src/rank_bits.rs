//! A bit vector built by appending, one bit per frame, that answers in constant time how many
//! set bits come before a position (rank) and, by a binary search, where the k-th set bit is
//! (select). It costs little more than a bit a position: the bits themselves and, per 256 of
//! them, the count of set bits before. Used where a per-frame value exists on only some frames (the value is then
//! stored densely, at the rank of its frame) and for a filter's selection when it holds many
//! frames (a bit a frame instead of a 32-bit frame index per selected frame).

/// Words (of 64 bits) counted together in the rank directory.
const WORDS_PER_BLOCK: usize = 4;

/// Bits appended in order, with a rank directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RankedBits {
    words: Vec<u64>,
    /// Per block of [`WORDS_PER_BLOCK`] words: the number of set bits in the blocks before it.
    ranks: Vec<u32>,
    len: usize,
    ones: usize,
}

impl RankedBits {
    /// An empty vector with room for `bits` bits.
    pub fn with_capacity(bits: usize) -> Self {
        let words = bits.div_ceil(64);
        RankedBits {
            words: Vec::with_capacity(words),
            ranks: Vec::with_capacity(words.div_ceil(WORDS_PER_BLOCK)),
            len: 0,
            ones: 0,
        }
    }

    /// Appends one bit.
    #[inline]
    pub fn push(&mut self, bit: bool) {
        let offset = self.len % 64;
        if offset == 0 {
            if self.words.len() % WORDS_PER_BLOCK == 0 {
                self.ranks.push(self.ones as u32);
            }
            self.words.push(0);
        }
        if bit {
            if let Some(word) = self.words.last_mut() {
                *word |= 1 << offset;
            }
            self.ones += 1;
        }
        self.len += 1;
    }

    /// Appends `count` unset bits: the same as `count` pushes of `false`, a word at a time.
    pub fn push_zeros(&mut self, count: usize) {
        let end = self.len + count;
        while self.words.len() < end.div_ceil(64) {
            if self.words.len() % WORDS_PER_BLOCK == 0 {
                self.ranks.push(self.ones as u32);
            }
            self.words.push(0);
        }
        self.len = end;
    }

    /// Number of bits appended.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of set bits.
    pub fn count_ones(&self) -> usize {
        self.ones
    }

    /// Whether bit `i` is set (false past the end).
    #[inline]
    pub fn get(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|word| word >> (i % 64) & 1 != 0)
    }

    /// Number of set bits before position `i` (all of them past the end).
    #[inline]
    pub fn rank(&self, i: usize) -> usize {
        let w = i / 64;
        let block = w / WORDS_PER_BLOCK;
        match (
            self.words.get(block * WORDS_PER_BLOCK..=w),
            self.ranks.get(block),
        ) {
            (Some([whole @ .., word]), Some(&before)) => {
                let below = word & ((1u64 << (i % 64)) - 1);
                let whole: u32 = whole.iter().map(|w| w.count_ones()).sum();
                before as usize + whole as usize + below.count_ones() as usize
            }
            _ => self.ones,
        }
    }

    /// Index among the set bits of bit `i` when it is set.
    #[inline]
    pub fn rank_of_set(&self, i: usize) -> Option<usize> {
        self.get(i).then(|| self.rank(i))
    }

    /// Position of the `k`-th set bit (0-based), if there are more than `k`.
    pub fn select(&self, k: usize) -> Option<usize> {
        if k >= self.ones {
            return None;
        }
        // The last block whose count before it is at most k holds the bit.
        let block = self.ranks.partition_point(|&before| before as usize <= k) - 1;
        let mut left = k - *self.ranks.get(block)? as usize;
        let mut w = block * WORDS_PER_BLOCK;
        let mut word = *self.words.get(w)?;
        while word.count_ones() as usize <= left {
            left -= word.count_ones() as usize;
            w += 1;
            word = *self.words.get(w)?;
        }
        for _ in 0..left {
            word &= word - 1;
        }
        Some(w * 64 + word.trailing_zeros() as usize)
    }

    /// Positions of the set bits, ascending, from the `k`-th one on.
    pub fn ones_from(&self, k: usize) -> Ones<'_> {
        match self.select(k) {
            Some(at) => Ones {
                words: &self.words,
                w: at / 64,
                current: self
                    .words
                    .get(at / 64)
                    .map_or(0, |w| w & (!0u64 << (at % 64))),
            },
            None => Ones {
                words: &self.words,
                w: self.words.len(),
                current: 0,
            },
        }
    }

    /// Gives back the room the vectors grew into but do not use.
    pub fn shrink_to_fit(&mut self) {
        self.words.shrink_to_fit();
        self.ranks.shrink_to_fit();
    }

    /// Bytes the vector keeps on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.words.capacity() * 8 + self.ranks.capacity() * 4
    }
}

/// Iterator over the positions of set bits ([`RankedBits::ones_from`]).
#[derive(Debug, Clone)]
pub struct Ones<'a> {
    words: &'a [u64],
    w: usize,
    current: u64,
}

impl Iterator for Ones<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.current == 0 {
            self.w += 1;
            self.current = *self.words.get(self.w)?;
        }
        let bit = self.current.trailing_zeros() as usize;
        self.current &= self.current - 1;
        Some(self.w * 64 + bit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(pattern: impl Iterator<Item = bool>) -> RankedBits {
        let mut out = RankedBits::default();
        pattern.for_each(|b| out.push(b));
        out
    }

    #[test]
    fn pushing_zeros_at_once_equals_pushing_them_one_by_one() {
        // Runs that end inside a word, on a word's end, on a block's end, and runs of 0.
        let runs = [0usize, 1, 62, 63, 64, 1, 255, 256, 0, 700, 3, 1];
        let (mut at_once, mut one_by_one) = (RankedBits::default(), RankedBits::default());
        for (n, &run) in runs.iter().enumerate() {
            at_once.push_zeros(run);
            (0..run).for_each(|_| one_by_one.push(false));
            at_once.push(n % 2 == 0);
            one_by_one.push(n % 2 == 0);
            assert_eq!(at_once, one_by_one, "after run {n} of {run}");
        }
        at_once.push_zeros(130);
        (0..130).for_each(|_| one_by_one.push(false));
        assert_eq!(at_once, one_by_one);
    }

    #[test]
    fn rank_select_and_iteration_agree_with_a_plain_list() {
        // Every third position, a run across a word boundary, an empty stretch of blocks.
        let n = 1500;
        let pattern: Vec<bool> = (0..n)
            .map(|i| (i % 3 == 0 && !(500..1100).contains(&i)) || (60..70).contains(&i))
            .collect();
        let b = bits(pattern.iter().copied());
        let set: Vec<usize> = (0..n).filter(|&i| pattern[i]).collect();
        assert_eq!(b.len(), n);
        assert_eq!(b.count_ones(), set.len());
        for i in 0..=n {
            assert_eq!(
                b.rank(i),
                set.iter().filter(|&&s| s < i).count(),
                "rank {i}"
            );
            assert_eq!(b.get(i), pattern.get(i) == Some(&true), "get {i}");
        }
        for (k, &at) in set.iter().enumerate() {
            assert_eq!(b.select(k), Some(at), "select {k}");
            assert_eq!(b.rank_of_set(at), Some(k));
            assert_eq!(b.ones_from(k).collect::<Vec<_>>(), set[k..].to_vec());
        }
        assert_eq!(b.select(set.len()), None);
        assert_eq!(b.ones_from(set.len()).next(), None);
        assert_eq!(b.rank_of_set(1), None);
    }

    #[test]
    fn empty_and_all_clear_vectors_have_no_ones() {
        let empty = RankedBits::default();
        assert_eq!(
            (empty.rank(5), empty.select(0), empty.get(0)),
            (0, None, false)
        );
        assert_eq!(empty.ones_from(0).next(), None);
        let clear = bits((0..130).map(|_| false));
        assert_eq!((clear.rank(129), clear.select(0)), (0, None));
        assert_eq!(clear.ones_from(0).count(), 0);
        let last = bits((0..130).map(|i| i == 129));
        assert_eq!(last.ones_from(0).collect::<Vec<_>>(), vec![129]);
    }
}
