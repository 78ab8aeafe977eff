//! Asks Linux to back the command line's large heap blocks (the index's records, the streams,
//! the per-frame tables: tens of megabytes each on a large capture) with transparent huge pages.
//! Filling such a block otherwise takes one page fault per 4 KiB; with 2 MiB pages it takes one
//! per 2 MiB, and on a 1M-frame capture the faults were a tenth of `tracelens findings`' CPU
//! time. Where the kernel gives huge pages only on request (`madvise`, Debian's default) this is
//! that request; elsewhere, and on other systems, it does nothing.

/// Blocks at least this large are advised (smaller ones rarely span a whole huge page).
pub const FROM_BYTES: usize = 4 << 20;

/// Advises the block of `size` bytes at `ptr` (one the allocator just gave) when it is at least
/// [`FROM_BYTES`] long.
#[inline]
pub fn advise_if_large(ptr: *mut u8, size: usize) {
    if size >= FROM_BYTES {
        advise(ptr, size);
    }
}

/// Advises the whole pages inside the `size` bytes at `ptr`.
#[cfg(target_os = "linux")]
fn advise(ptr: *mut u8, size: usize) {
    const PAGE: usize = 4096;
    let start = (ptr as usize).next_multiple_of(PAGE);
    let end = (ptr as usize).saturating_add(size) & !(PAGE - 1);
    if end > start {
        // SAFETY: the range lies inside a block this process owns; MADV_HUGEPAGE changes only
        // how the kernel backs it, never its contents, and a refusal is harmless.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise(_ptr: *mut u8, _size: usize) {}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block advised is still the block it was: written and read back whole.
    #[test]
    fn an_advised_block_keeps_its_bytes() {
        let mut block = vec![0u8; FROM_BYTES + 12_345];
        advise_if_large(block.as_mut_ptr(), block.len());
        for (i, byte) in block.iter_mut().enumerate() {
            *byte = i as u8;
        }
        assert!(block.iter().enumerate().all(|(i, &b)| b == i as u8));
    }
}
