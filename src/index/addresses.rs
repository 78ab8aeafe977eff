//! The index's interned IP addresses: each distinct address gets an id (1, 2, …; 0 means
//! "none"), and records keep the id.
//!
//! A capture of many short connections has about one new address per connection — four million
//! in a 24M-frame capture — so the table is built for size, and interning is on every frame's
//! path, so it is built for few cache misses. The addresses are kept in exact chunks
//! ([`ChunkedVec`], never moved): an IPv4 address as its 4 bytes, an IPv6 address as the 4-byte
//! number of its 16 bytes in a list of their own, and a bit per id saying which (an `IpAddr`
//! takes 17 bytes). The lookups are open-addressing tables probed
//! linearly: IPv4 addresses are found in one table whose 8-byte slots hold the address beside its
//! id (at most three quarters full), so a look-up reads one slot and never the stored address;
//! IPv6 addresses go through a table of ids alone (4 bytes a slot, at most half full), compared
//! against the stored addresses. A `HashMap<IpAddr, u32>` beside a `Vec<IpAddr>` took about 60
//! bytes an address once both had doubled, and left the buffers they had doubled from as holes
//! in the page's wasm heap.

use crate::chunked::ChunkedVec;
use crate::hash::fmix64;
use std::net::IpAddr;

/// Interned network addresses; id 0 means "none".
#[derive(Debug, Default, Clone)]
pub struct AddressTable {
    /// Per id − 1: the IPv4 address's bits, or the IPv6 address's place in `v6_addrs`.
    entries: ChunkedVec<u32>,
    /// Per id − 1, a bit: the entry is IPv6.
    is_v6: Vec<u64>,
    v6_addrs: ChunkedVec<[u8; 16]>,
    /// IPv4: 0 (free) or the address in the high 32 bits and its id in the low; a power of two
    /// long, at most three quarters full.
    v4_slots: Vec<u64>,
    v4_count: usize,
    /// IPv6: 0 (free) or an id; a power of two long, at most half full.
    v6_slots: Vec<u32>,
    v6_count: usize,
    /// IPv4 addresses interned lately, as in `v4_slots`, at a place their hash gives (a new one
    /// takes the place of the old): the hosts of the connections in flight are a few hundred at
    /// most, found here without a cache miss where the whole table (millions of slots) misses.
    hot_v4: Option<Box<[u64; HOT_V4]>>,
    /// The ids of the last two IPv6 addresses interned (0: none): a frame's two addresses are
    /// usually those of the frame before, one of them nearly always.
    recent_v6: [u32; 2],
}

/// Places in [`AddressTable::hot_v4`] (8 KB).
const HOT_V4: usize = 1024;

impl AddressTable {
    /// The id of `addr`, given a new one when it is first seen.
    #[inline]
    pub fn intern(&mut self, addr: IpAddr) -> u32 {
        match addr {
            IpAddr::V4(v4) => self.intern_v4(u32::from(v4)),
            IpAddr::V6(_) => self.intern_v6(addr),
        }
    }

    #[inline]
    fn intern_v4(&mut self, bits: u32) -> u32 {
        let hash = v4_hash(bits);
        let hot = self.hot_v4.get_or_insert_with(|| Box::new([0; HOT_V4]));
        let place = &mut hot[hash as usize % HOT_V4];
        if *place != 0 && (*place >> 32) as u32 == bits {
            return *place as u32;
        }
        let id = self.intern_v4_cold(bits, hash);
        if let Some(hot) = self.hot_v4.as_mut() {
            hot[hash as usize % HOT_V4] = u64::from(bits) << 32 | u64::from(id);
        }
        id
    }

    /// [`AddressTable::intern_v4`] past the hot addresses.
    fn intern_v4_cold(&mut self, bits: u32, hash: u32) -> u32 {
        if self.dropped_lookups() {
            self.rebuild_lookups();
        }
        if (self.v4_count + 1) * 4 > self.v4_slots.len() * 3 {
            self.grow_v4();
        }
        let at = match find_v4(&self.v4_slots, bits, hash) {
            Ok(id) => return id,
            Err(at) => at,
        };
        let id = self.push(IpAddr::from(bits.to_be_bytes()));
        self.v4_slots[at] = u64::from(bits) << 32 | u64::from(id);
        self.v4_count += 1;
        id
    }

    fn intern_v6(&mut self, addr: IpAddr) -> u32 {
        for id in self.recent_v6 {
            if id != 0 && self.get(id) == Some(addr) {
                return id;
            }
        }
        let id = self.intern_v6_cold(addr);
        if id != self.recent_v6[0] {
            self.recent_v6 = [id, self.recent_v6[0]];
        }
        id
    }

    /// [`AddressTable::intern_v6`] past the recent addresses.
    fn intern_v6_cold(&mut self, addr: IpAddr) -> u32 {
        if self.dropped_lookups() {
            self.rebuild_lookups();
        }
        if (self.v6_count + 1) * 2 > self.v6_slots.len() {
            self.grow_v6();
        }
        let at = match self.find_v6(&addr) {
            Ok(id) => return id,
            Err(at) => at,
        };
        let id = self.push(addr);
        self.v6_slots[at] = id;
        self.v6_count += 1;
        id
    }

    fn push(&mut self, addr: IpAddr) -> u32 {
        let at = self.entries.len();
        if at % 64 == 0 {
            self.is_v6.push(0);
        }
        match addr {
            IpAddr::V4(v4) => self.entries.push(u32::from(v4)),
            IpAddr::V6(v6) => {
                self.entries.push(self.v6_addrs.len() as u32);
                self.v6_addrs.push(v6.octets());
                if let Some(word) = self.is_v6.last_mut() {
                    *word |= 1 << (at % 64);
                }
            }
        }
        self.entries.len() as u32
    }

    pub fn get(&self, id: u32) -> Option<IpAddr> {
        let at = id.checked_sub(1)? as usize;
        let entry = *self.entries.get(at)?;
        let v6 = self
            .is_v6
            .get(at / 64)
            .is_some_and(|w| w >> (at % 64) & 1 == 1);
        if v6 {
            self.v6_addrs.get(entry as usize).map(|&b| IpAddr::from(b))
        } else {
            Some(IpAddr::from(entry.to_be_bytes()))
        }
    }

    /// The id of `addr`, if it was interned. After [`AddressTable::shrink_to_fit`] this is a
    /// search through every address (see [`AddressTable::dropped_lookups`]).
    pub fn id_of(&self, addr: &IpAddr) -> Option<u32> {
        if self.dropped_lookups() {
            return self.iter().find(|(_, a)| a == addr).map(|(id, _)| id);
        }
        match addr {
            IpAddr::V4(v4) => {
                let bits = u32::from(*v4);
                find_v4(&self.v4_slots, bits, v4_hash(bits)).ok()
            }
            IpAddr::V6(_) => self.find_v6(addr).ok(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (u32, IpAddr)> + '_ {
        (1..=self.len() as u32).filter_map(|id| Some((id, self.get(id)?)))
    }

    /// Drops the look-up tables, which only interning needs (a later [`AddressTable::intern`]
    /// builds them again): about 12 bytes an address of the 16 the table took, 2 bytes a frame on
    /// a capture of short connections. [`AddressTable::id_of`] then searches every address.
    pub fn shrink_to_fit(&mut self) {
        self.v4_slots = Vec::new();
        self.v6_slots = Vec::new();
        self.hot_v4 = None;
        self.is_v6.shrink_to_fit();
    }

    /// Whether [`AddressTable::shrink_to_fit`] dropped the look-up tables (and no interning
    /// has built them again since).
    pub fn dropped_lookups(&self) -> bool {
        (self.v4_count > 0 && self.v4_slots.is_empty())
            || (self.v6_count > 0 && self.v6_slots.is_empty())
    }

    /// Builds the look-up tables again from the addresses, as large as interning them one by
    /// one would have made them.
    #[cold]
    fn rebuild_lookups(&mut self) {
        let mut v4_len = 16;
        while self.v4_count * 4 > v4_len * 3 {
            v4_len *= 2;
        }
        let mut v6_len = 16;
        while self.v6_count * 2 > v6_len {
            v6_len *= 2;
        }
        self.v4_slots = vec![0; v4_len];
        self.v6_slots = vec![0; v6_len];
        let (v4_mask, v6_mask) = (v4_len - 1, v6_len - 1);
        for id in 1..=self.len() as u32 {
            match self.get(id) {
                Some(IpAddr::V4(v4)) => {
                    let bits = u32::from(v4);
                    let mut at = v4_hash(bits) as usize & v4_mask;
                    while self.v4_slots[at] != 0 {
                        at = (at + 1) & v4_mask;
                    }
                    self.v4_slots[at] = u64::from(bits) << 32 | u64::from(id);
                }
                Some(addr @ IpAddr::V6(_)) => {
                    let mut at = slot_hash(&addr) as usize & v6_mask;
                    while self.v6_slots[at] != 0 {
                        at = (at + 1) & v6_mask;
                    }
                    self.v6_slots[at] = id;
                }
                None => {}
            }
        }
    }

    /// Heap bytes held, for the memory report.
    pub fn heap_bytes(&self) -> usize {
        let hot = self.hot_v4.as_ref().map_or(0, |_| HOT_V4 * 8);
        self.entries.heap_bytes()
            + self.is_v6.capacity() * 8
            + self.v6_addrs.heap_bytes()
            + self.v4_slots.capacity() * 8
            + self.v6_slots.capacity() * 4
            + hot
    }

    /// `Ok(id)` of IPv6 `addr`, or `Err(slot)`: the free slot where it would go.
    fn find_v6(&self, addr: &IpAddr) -> Result<u32, usize> {
        if self.v6_slots.is_empty() {
            return Err(0);
        }
        let mask = self.v6_slots.len() - 1;
        let mut at = slot_hash(addr) as usize & mask;
        loop {
            match self.v6_slots[at] {
                0 => return Err(at),
                id if self.get(id).as_ref() == Some(addr) => return Ok(id),
                _ => at = (at + 1) & mask,
            }
        }
    }

    /// Doubles the IPv4 slots (16 at first) and places every entry again.
    fn grow_v4(&mut self) {
        let len = (self.v4_slots.len() * 2).max(16);
        let old = std::mem::replace(&mut self.v4_slots, vec![0; len]);
        let mask = len - 1;
        for slot in old.into_iter().filter(|&slot| slot != 0) {
            let mut at = v4_hash((slot >> 32) as u32) as usize & mask;
            while self.v4_slots[at] != 0 {
                at = (at + 1) & mask;
            }
            self.v4_slots[at] = slot;
        }
    }

    /// Doubles the IPv6 slots (16 at first) and places every id again.
    fn grow_v6(&mut self) {
        let len = (self.v6_slots.len() * 2).max(16);
        self.v6_slots = vec![0; len];
        let mask = len - 1;
        for id in 1..=self.len() as u32 {
            if let Some(addr @ IpAddr::V6(_)) = self.get(id) {
                let mut at = slot_hash(&addr) as usize & mask;
                while self.v6_slots[at] != 0 {
                    at = (at + 1) & mask;
                }
                self.v6_slots[at] = id;
            }
        }
    }
}

/// `Ok(id)` of the IPv4 address `bits` (whose [`v4_hash`] is `hash`) in `slots`, or
/// `Err(slot)`: the free slot where it would go.
fn find_v4(slots: &[u64], bits: u32, hash: u32) -> Result<u32, usize> {
    if slots.is_empty() {
        return Err(0);
    }
    let mask = slots.len() - 1;
    let mut at = hash as usize & mask;
    loop {
        match slots[at] {
            0 => return Err(at),
            slot if (slot >> 32) as u32 == bits => return Ok(slot as u32),
            _ => at = (at + 1) & mask,
        }
    }
}

/// Where an IPv4 address starts probing: its bits through MurmurHash3's avalanche ([`fmix64`]),
/// so the low bits the table takes depend on every bit of the address.
#[inline]
fn v4_hash(bits: u32) -> u32 {
    fmix64(u64::from(bits)) as u32
}

/// Where an IPv6 address starts probing: its bits folded into 64 and through the same avalanche.
/// (The maps' hasher reaches the same through the `Hash` trait, several calls an address.)
fn slot_hash(addr: &IpAddr) -> u64 {
    match addr {
        IpAddr::V4(v4) => u64::from(v4_hash(u32::from(*v4))),
        IpAddr::V6(v6) => {
            let bits = u128::from(*v6);
            fmix64((bits as u64) ^ ((bits >> 64) as u64).rotate_left(17))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_given_in_order_once_and_found_again() {
        let mut table = AddressTable::default();
        assert_eq!(table.id_of(&"10.0.0.1".parse().unwrap()), None);
        let addrs: Vec<IpAddr> = (0..20_000u32)
            .map(|i| {
                if i % 3 == 0 {
                    IpAddr::from([0x2001, 0xdb8, 0, 0, 0, 0, (i >> 16) as u16, i as u16])
                } else {
                    IpAddr::from((0x0a00_0000 | i).to_be_bytes())
                }
            })
            .collect();
        for (i, &a) in addrs.iter().enumerate() {
            assert_eq!(table.intern(a), i as u32 + 1);
        }
        for (i, &a) in addrs.iter().enumerate().rev() {
            assert_eq!(table.intern(a), i as u32 + 1, "interned again");
            assert_eq!(table.id_of(&a), Some(i as u32 + 1));
            assert_eq!(table.get(i as u32 + 1), Some(a));
        }
        assert_eq!(table.len(), addrs.len());
        assert_eq!(table.get(0), None);
        assert_eq!(table.get(addrs.len() as u32 + 1), None);
        assert!(table.v6_slots.len() >= 2 * table.v6_count);
        assert!(table.v4_slots.len() * 3 >= 4 * table.v4_count);
        assert_eq!(table.v4_count + table.v6_count, addrs.len());
        assert!(table.iter().map(|(_, a)| a).eq(addrs.iter().copied()));

        // Without the look-up tables, the ids are found by search; interning builds them again.
        let (before, lookups) = (
            table.heap_bytes(),
            table.v4_slots.len() * 8 + table.v6_slots.len() * 4,
        );
        table.shrink_to_fit();
        assert!(table.dropped_lookups());
        assert!(
            table.heap_bytes() <= before - lookups,
            "the look-up tables are given back"
        );
        for (i, a) in addrs.iter().enumerate().step_by(97) {
            assert_eq!(table.id_of(a), Some(i as u32 + 1), "found by search");
        }
        assert_eq!(table.id_of(&"192.0.2.1".parse().unwrap()), None);
        assert_eq!(
            table.intern("192.0.2.1".parse().unwrap()),
            addrs.len() as u32 + 1
        );
        assert!(!table.dropped_lookups());
        for (i, &a) in addrs.iter().enumerate() {
            assert_eq!(
                table.intern(a),
                i as u32 + 1,
                "interned after the tables came back"
            );
        }
    }

    #[test]
    fn the_all_zero_address_is_an_address_like_any_other() {
        let mut table = AddressTable::default();
        let zero: IpAddr = "0.0.0.0".parse().unwrap();
        assert_eq!(table.intern(zero), 1);
        table.intern("10.9.9.9".parse().unwrap());
        table.intern("10.9.9.8".parse().unwrap());
        assert_eq!(
            table.intern(zero),
            1,
            "its slot is not taken for a free one"
        );
        assert_eq!(table.id_of(&zero), Some(1));
        assert_eq!(table.len(), 3);
    }
}
