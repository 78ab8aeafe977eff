//! The hash maps' hasher. Natively it is rustc-hash's Fx hasher (fast, and good enough with
//! 64-bit hashes). On 32-bit targets — the page's wasm32 — Fx computes a 32-bit hash, and for the
//! keys an index interns (addresses, link addresses, 5-tuples) its bits are too regular for
//! hashbrown, which takes a bucket from the low bits and a tag from the top seven: lookups then
//! probe long runs, and the cost per frame grew with the capture (a profile of the wasm on 4M
//! frames: 53% of the indexing in `HashMap::get`; 8M frames took 4.4 times as long as 4M in
//! Chromium, not 2). There, keys are folded into 64 bits and finished with MurmurHash3's
//! avalanche (`fmix64`), so every bit of the hash depends on every bit of the key.

use std::hash::Hasher;

/// The hasher of [`HashMap`] and [`HashSet`] on 32-bit targets (see above).
#[derive(Debug, Default, Clone, Copy)]
pub struct MixHasher(u64);

impl MixHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(26) ^ word).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

impl Hasher for MixHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            self.add(u64::from_le_bytes(w));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        fmix64(self.0)
    }
}

/// MurmurHash3's 64-bit finalizer: every output bit depends on every input bit.
#[inline]
pub fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

/// How the maps build their hasher: Fx natively, [`MixHasher`] on 32-bit targets.
#[cfg(target_pointer_width = "64")]
pub type BuildHasher = rustc_hash::FxBuildHasher;
#[cfg(not(target_pointer_width = "64"))]
pub type BuildHasher = std::hash::BuildHasherDefault<MixHasher>;

/// A hash map with [`BuildHasher`].
pub type HashMap<K, V> = std::collections::HashMap<K, V, BuildHasher>;
/// A hash set with [`BuildHasher`].
pub type HashSet<K> = std::collections::HashSet<K, BuildHasher>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher as _, BuildHasherDefault, Hash};
    use std::net::{IpAddr, Ipv4Addr};

    fn hash_of(value: impl Hash) -> u64 {
        BuildHasherDefault::<MixHasher>::default().hash_one(value)
    }

    /// Consecutive addresses (as a capture's hosts are) spread over hashbrown's buckets and tags
    /// on a 32-bit target: the low 32 bits of their hashes, and the top seven of those, differ.
    #[test]
    fn consecutive_addresses_spread_over_buckets_and_tags() {
        let n = 1 << 16;
        let hashes: Vec<u64> = (0..n)
            .map(|i| hash_of(IpAddr::V4(Ipv4Addr::from(0x0A00_0000 + i))))
            .collect();
        let mut buckets = vec![0u32; 1 << 12];
        let mut tags = [0u32; 128];
        for h in &hashes {
            buckets[(*h as u32 & 0xFFF) as usize] += 1;
            tags[(*h as u32 >> 25) as usize] += 1;
        }
        // 65,536 keys in 4,096 buckets: 16 on average; a regular hash piles them up.
        assert!(
            buckets.iter().all(|&b| b < 48),
            "{:?}",
            buckets.iter().max()
        );
        assert!(tags.iter().all(|&t| t > 256 && t < 768), "{tags:?}");
    }

    #[test]
    fn a_tail_shorter_than_a_word_still_counts() {
        assert_ne!(
            hash_of([1u8, 2, 3].as_slice()),
            hash_of([1u8, 2, 3, 0].as_slice())
        );
        assert_ne!(hash_of(1u32), hash_of(2u32));
    }
}
