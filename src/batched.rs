//! Passes over every frame, run a batch of frames at a time through a function of their own.
//!
//! Why: in the browser, WebAssembly code starts in V8's baseline compiler (Liftoff) and moves to
//! the optimizing one (TurboFan) only for *later calls* of a function: a call already running
//! never switches. A pass that is one loop over a million frames, called once, therefore runs
//! all its frames as baseline code, two to three times slower. Run through [`for_each_batched`],
//! the loop's body is one function called once per [`BATCH`] frames: after the first few batches
//! the rest run optimized. Natively the cost is one call per batch. In the web build, wasm-opt
//! would inline each `run_batch` back into its pass (binaryen inlines every function with one
//! caller, whatever `#[inline(never)]` said to LLVM): `wasm-pack.toml` tells it not to.

/// Items per call of the batch function.
pub const BATCH: usize = 4096;

/// Calls `step` on every item of `items`, in order, [`BATCH`] items per call of a function that
/// is never inlined (see the module's documentation).
#[inline]
pub fn for_each_batched<I: Iterator>(mut items: I, mut step: impl FnMut(I::Item)) {
    while run_batch(&mut items, &mut step) {}
}

/// Runs up to [`BATCH`] items; false once `items` has ended.
#[inline(never)]
fn run_batch<I: Iterator, F: FnMut(I::Item)>(items: &mut I, step: &mut F) -> bool {
    for _ in 0..BATCH {
        match items.next() {
            Some(item) => step(item),
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_is_stepped_on_once_in_order() {
        for len in [0, 1, BATCH - 1, BATCH, BATCH + 1, 3 * BATCH + 17] {
            let mut seen = Vec::new();
            for_each_batched(0..len, |i| seen.push(i));
            assert_eq!(seen, (0..len).collect::<Vec<_>>(), "{len} items");
        }
    }
}
