//! A vector kept in fixed-size chunks, for the large lists the analysis builds after the index
//! (the connection attempts: over 500 MB at twenty million frames).
//!
//! The page's wasm32 memory only grows, and its allocator can reuse a freed block only for
//! something that fits in it. By the time the findings are made, the index and the streams have
//! left many freed blocks behind them (each vector that doubled on its way up left its old
//! buffers), none of them large. A list in one contiguous block cannot go into any of them and
//! is added on top of everything: the wasm's memory grew by its whole size. In chunks of
//! [`CHUNK`] elements, allocated exactly, it fills those holes first, and it never doubles or
//! moves. Natively it costs nothing measurable (one division per lookup, by a power of two).

use std::ops::{Index, IndexMut};

/// Elements per chunk: a power of two, so that finding one is a shift and a mask.
const CHUNK: usize = 1 << 12;

/// A growable list of `T` in chunks of [`CHUNK`] elements.
#[derive(Debug, Clone)]
pub struct ChunkedVec<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for ChunkedVec<T> {
    fn default() -> Self {
        ChunkedVec {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> ChunkedVec<T> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `value`; a full last chunk is followed by a new one of exactly [`CHUNK`].
    pub fn push(&mut self, value: T) {
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK => last.push(value),
            _ => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push(value);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }

    pub fn get(&self, at: usize) -> Option<&T> {
        self.chunks.get(at / CHUNK)?.get(at % CHUNK)
    }

    pub fn get_mut(&mut self, at: usize) -> Option<&mut T> {
        self.chunks.get_mut(at / CHUNK)?.get_mut(at % CHUNK)
    }

    pub fn first(&self) -> Option<&T> {
        self.get(0)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + Clone + '_ {
        self.chunks.iter().flatten()
    }

    /// The chunks, in order, each given up as it is taken: a caller that turns every element
    /// into something else holds one chunk of the old list at a time, not the whole of it.
    pub fn into_chunks(self) -> impl Iterator<Item = Vec<T>> {
        self.chunks.into_iter()
    }

    /// Heap bytes held, for the memory report.
    pub fn heap_bytes(&self) -> usize {
        self.chunks.capacity() * std::mem::size_of::<Vec<T>>()
            + self.chunks.len() * CHUNK * std::mem::size_of::<T>()
    }
}

impl<T> Index<usize> for ChunkedVec<T> {
    type Output = T;

    fn index(&self, at: usize) -> &T {
        &self.chunks[at / CHUNK][at % CHUNK]
    }
}

impl<T> IndexMut<usize> for ChunkedVec<T> {
    fn index_mut(&mut self, at: usize) -> &mut T {
        &mut self.chunks[at / CHUNK][at % CHUNK]
    }
}

impl<'a, T> IntoIterator for &'a ChunkedVec<T> {
    type Item = &'a T;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Vec<T>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.chunks.iter().flatten()
    }
}

impl<T> FromIterator<T> for ChunkedVec<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut list = ChunkedVec::new();
        for item in items {
            list.push(item);
        }
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crosses_chunks_in_order_and_finds_every_element() {
        let n = 3 * CHUNK + 5;
        let mut list: ChunkedVec<u32> = (0..n as u32).collect();
        assert_eq!(list.len(), n);
        assert_eq!(list.chunks.len(), 4);
        assert!(list.chunks.iter().all(|c| c.capacity() == CHUNK));
        assert!(list.iter().copied().eq(0..n as u32));
        assert!(list.iter().rev().copied().eq((0..n as u32).rev()));
        assert_eq!(list[CHUNK], CHUNK as u32);
        assert_eq!(list.get(n - 1), Some(&(n as u32 - 1)));
        assert_eq!(list.get(n), None);
        *list.get_mut(CHUNK - 1).unwrap() = 7;
        assert_eq!(list[CHUNK - 1], 7);
        assert_eq!((&list).into_iter().count(), n);
        assert!(ChunkedVec::<u8>::new().first().is_none());
        let sizes: Vec<usize> = list.into_chunks().map(|c| c.len()).collect();
        assert_eq!(sizes, [CHUNK, CHUNK, CHUNK, 5]);
    }
}
