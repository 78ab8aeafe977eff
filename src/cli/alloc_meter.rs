//! Counts the heap bytes the command line holds, for `tracelens findings --memory`: a global
//! allocator that forwards to mimalloc and keeps the bytes live now and the most ever live.
//! Reading the count before and after each stage of the analysis gives exactly what that stage
//! keeps (the index, the streams, the TCP analysis, the findings), with no estimate per type.
//! The cost is one relaxed atomic add per allocation; the analysis allocates per batch, not per
//! frame, so the timings do not move.
//!
//! Why mimalloc rather than the C library's allocator: glibc gives each block above its mmap
//! threshold a mapping of its own, faulted in 4 KiB at a time (a block under 2 MiB cannot have a
//! huge page, and there are many: the streams' and attempts' chunks, the tables of the findings),
//! where mimalloc carves blocks out of large segments that the kernel backs with huge pages. On
//! the 1M-frame benchmark capture `tracelens findings` took 2,800 page faults instead of 13,000
//! and 0.937× the CPU (`perf stat`; best of 15 runs each, alternating). On the 13M-frame one the
//! CPU was the same within the noise of two runs each, and the resident memory 0.6% more. The
//! wasm build keeps its own allocator. (With glibc, this allocator asked for huge pages itself,
//! `madvise` on every block of 4 MiB or more; under mimalloc that advice changed neither the
//! page faults, 2,779 against 2,791, nor the CPU, 0.998×, and it went.)

use mimalloc::MiMalloc as Inner;
use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering};

/// mimalloc, counted.
pub struct Meter;

/// Heap bytes live now and the most ever live.
struct Counters {
    live: AtomicUsize,
    peak: AtomicUsize,
}

impl Counters {
    const fn new() -> Self {
        Counters {
            live: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }
    fn grew(&self, by: usize) {
        let now = self.live.fetch_add(by, Ordering::Relaxed) + by;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }
    fn shrank(&self, by: usize) {
        self.live.fetch_sub(by, Ordering::Relaxed);
    }
    fn reset_peak(&self) {
        self.peak
            .store(self.live.load(Ordering::Relaxed), Ordering::Relaxed);
    }
}

static HEAP: Counters = Counters::new();

fn grew(by: usize) {
    HEAP.grew(by);
}

fn shrank(by: usize) {
    HEAP.shrank(by);
}

// SAFETY: every call is forwarded unchanged to mimalloc; the counters only observe sizes.
unsafe impl GlobalAlloc for Meter {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = Inner.alloc(layout);
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = Inner.alloc_zeroed(layout);
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        Inner.dealloc(ptr, layout);
        shrank(layout.size());
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = Inner.realloc(ptr, layout, new_size);
        if p.is_null() {
            return p;
        }
        let old_size = layout.size();
        if p == ptr {
            // Resized where it was (a shrink always is): only the difference came or went.
            if new_size >= old_size {
                grew(new_size - old_size);
            } else {
                shrank(old_size - new_size);
            }
        } else {
            // Moved: the old and new blocks both existed during the copy.
            grew(new_size);
            shrank(old_size);
        }
        p
    }
}

/// Heap bytes live now.
pub fn live() -> usize {
    HEAP.live.load(Ordering::Relaxed)
}

/// The most heap bytes ever live (since the start or the last [`reset_peak`]).
pub fn peak() -> usize {
    HEAP.peak.load(Ordering::Relaxed)
}

/// Starts a new peak from what is live now.
pub fn reset_peak() {
    HEAP.reset_peak();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The counting itself, on counters of the test's own (the global ones move with every other
    /// test running at the same time).
    #[test]
    fn counts_live_bytes_and_the_peak() {
        let counters = Counters::new();
        counters.grew(100);
        counters.grew(50);
        counters.shrank(120);
        assert_eq!(counters.live.load(Ordering::Relaxed), 30);
        assert_eq!(counters.peak.load(Ordering::Relaxed), 150);
        counters.reset_peak();
        counters.grew(10);
        assert_eq!(counters.peak.load(Ordering::Relaxed), 40);
    }

    /// The global allocator feeds the global counters.
    #[test]
    fn the_allocator_is_counted() {
        let v: Vec<u64> = Vec::with_capacity(8 << 20);
        assert!(peak() >= 64 << 20);
        drop(v);
    }
}
