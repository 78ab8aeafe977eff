//! Counts the heap bytes the command line holds, for `tracelens findings --memory`: a global
//! allocator that forwards to the system's and keeps the bytes live now and the most ever live.
//! Reading the count before and after each stage of the analysis gives exactly what that stage
//! keeps (the index, the streams, the TCP analysis, the findings), with no estimate per type.
//! The cost is one relaxed atomic add per allocation; the analysis allocates per batch, not per
//! frame, so the timings do not move.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The system allocator, counted.
pub struct Meter;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

fn shrank(by: usize) {
    LIVE.fetch_sub(by, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to `System`; the counters only observe sizes.
unsafe impl GlobalAlloc for Meter {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        shrank(layout.size());
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            // The old and new blocks may both exist during the move: count the peak as such.
            grew(new_size);
            shrank(layout.size());
        }
        p
    }
}

/// Heap bytes live now.
pub fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// The most heap bytes ever live (since the start or the last [`reset_peak`]).
pub fn peak() -> usize {
    PEAK.load(Ordering::Relaxed)
}

/// Starts a new peak from what is live now.
pub fn reset_peak() {
    PEAK.store(live(), Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_what_a_vector_keeps() {
        // Large enough that other tests running at the same time cannot hide it.
        let before = live();
        let v: Vec<u64> = Vec::with_capacity(8 << 20);
        assert!(live() >= before + (32 << 20));
        assert!(peak() >= before + (64 << 20));
        drop(v);
    }
}
