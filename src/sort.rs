//! Sorting on cold paths without a copy of the standard library's sort per call site.
//!
//! `slice::sort_by(|a, b| …)` compiles the whole sort (driftsort: about 8 KB of wasm) once for
//! every distinct closure; with some thirty call sites in the findings, compare report and tables
//! that was over 250 KB of the web build — for lists that are short or sorted once per capture.
//! Here the comparison reaches one non-generic index sort through `&dyn Fn`, and only a small
//! permutation step is generic, so every call site costs a few hundred bytes.
//!
//! Both functions are stable (equal elements keep their order), like `slice::sort_by`. The hot
//! paths that sort per frame (the index, flows, the compare matcher's windows) keep the standard
//! sort: an indirect comparison is slower, and there it matters.

use std::cmp::Ordering;

/// Sorts `items` stably by `compare`.
pub fn sort_by<T>(items: &mut [T], compare: impl Fn(&T, &T) -> Ordering) {
    let order = sorted_order(items.len(), &|a, b| compare(&items[a], &items[b]));
    permute(items, order);
}

/// Sorts `items` stably by the key `key` gives.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// The positions `0..len` in the order `compare` (over positions) puts them, ties in position
/// order. One instance for every caller.
fn sorted_order(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

/// Moves `items[order[i]]` to position `i` for every `i`, following each cycle of the
/// permutation once (`order` is used up as the "done" marks).
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..items.len() {
        let mut at = start;
        while order[at] != at {
            let from = order[at];
            order[at] = at;
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_stable_sort() {
        // Pairs with many equal keys: stability shows in the second member.
        let mut seed = 0x2545_f491_u32;
        for len in [0usize, 1, 2, 3, 7, 20, 257, 1000] {
            let items: Vec<(u8, u32)> = (0..len)
                .map(|i| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    ((seed % 7) as u8, i as u32)
                })
                .collect();
            let mut ours = items.clone();
            sort_by_key(&mut ours, |p| p.0);
            let mut std_sorted = items.clone();
            std_sorted.sort_by_key(|p| p.0);
            assert_eq!(ours, std_sorted, "len {len}");
            let mut desc = items.clone();
            sort_by(&mut desc, |a, b| b.0.cmp(&a.0));
            let mut std_desc = items;
            std_desc.sort_by_key(|p| std::cmp::Reverse(p.0));
            assert_eq!(desc, std_desc, "len {len} descending");
        }
    }

    #[test]
    fn moves_owned_values_without_cloning() {
        let mut names: Vec<String> = ["syn", "ack", "rst", "fin", "psh"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        sort_by(&mut names, |a, b| a.cmp(b));
        assert_eq!(names, ["ack", "fin", "psh", "rst", "syn"]);
    }
}
