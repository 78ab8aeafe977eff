//! The index's interned IP addresses: each distinct address gets an id (1, 2, …; 0 means
//! "none"), and records keep the id.
//!
//! A capture of many short connections has about one new address per connection — four million
//! in a 24M-frame capture — so the table is built for size. The addresses are kept in exact
//! chunks ([`ChunkedVec`]: 17 bytes each, never moved), and the lookup is an open-addressing
//! table of ids alone (4 bytes a slot, at most half full), probed linearly and compared against
//! the addresses themselves. A `HashMap<IpAddr, u32>` beside a `Vec<IpAddr>` took about 60
//! bytes an address once both had doubled, and left the buffers they had doubled from as holes
//! in the page's wasm heap.

use crate::chunked::ChunkedVec;
use std::net::IpAddr;

/// Interned network addresses; id 0 means "none".
#[derive(Debug, Default, Clone)]
pub struct AddressTable {
    addrs: ChunkedVec<IpAddr>,
    /// 0 (free) or an id; a power of two long, at most half full.
    slots: Vec<u32>,
    /// The ids of the last two addresses interned (0: none): a frame's two addresses are
    /// usually those of the frame before, one of them nearly always.
    recent: [u32; 2],
}

impl AddressTable {
    /// The id of `addr`, given a new one when it is first seen.
    pub fn intern(&mut self, addr: IpAddr) -> u32 {
        for id in self.recent {
            if id != 0 && self.addrs.get(id as usize - 1) == Some(&addr) {
                return id;
            }
        }
        let id = self.intern_new(addr);
        if id != self.recent[0] {
            self.recent = [id, self.recent[0]];
        }
        id
    }

    /// [`AddressTable::intern`] past the recent ids.
    fn intern_new(&mut self, addr: IpAddr) -> u32 {
        if (self.addrs.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let at = match self.find(&addr) {
            Ok(id) => return id,
            Err(at) => at,
        };
        self.addrs.push(addr);
        let id = self.addrs.len() as u32;
        self.slots[at] = id;
        id
    }

    pub fn get(&self, id: u32) -> Option<IpAddr> {
        id.checked_sub(1)
            .and_then(|i| self.addrs.get(i as usize))
            .copied()
    }

    pub fn id_of(&self, addr: &IpAddr) -> Option<u32> {
        self.find(addr).ok()
    }

    pub fn len(&self) -> usize {
        self.addrs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.addrs.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (u32, IpAddr)> + '_ {
        self.addrs
            .iter()
            .enumerate()
            .map(|(i, a)| (i as u32 + 1, *a))
    }

    /// Heap bytes held, for the memory report.
    pub fn heap_bytes(&self) -> usize {
        self.addrs.heap_bytes() + self.slots.capacity() * 4
    }

    /// `Ok(id)` of `addr`, or `Err(slot)`: the free slot where it would go.
    fn find(&self, addr: &IpAddr) -> Result<u32, usize> {
        if self.slots.is_empty() {
            return Err(0);
        }
        let mask = self.slots.len() - 1;
        let mut at = slot_hash(addr) as usize & mask;
        loop {
            match self.slots[at] {
                0 => return Err(at),
                id if self.addrs.get(id as usize - 1) == Some(addr) => return Ok(id),
                _ => at = (at + 1) & mask,
            }
        }
    }

    /// Doubles the slots (16 at first) and places every id again.
    fn grow(&mut self) {
        let len = (self.slots.len() * 2).max(16);
        self.slots = vec![0; len];
        let mask = len - 1;
        for (i, addr) in self.addrs.iter().enumerate() {
            let mut at = slot_hash(addr) as usize & mask;
            while self.slots[at] != 0 {
                at = (at + 1) & mask;
            }
            self.slots[at] = i as u32 + 1;
        }
    }
}

/// Where `addr` starts probing: its bits folded into 64 and finished with MurmurHash3's
/// avalanche (`fmix64`), so the low bits the table takes depend on every bit of the address.
/// (The maps' hasher reaches the same through the `Hash` trait, several calls an address.)
fn slot_hash(addr: &IpAddr) -> u64 {
    let folded = match addr {
        IpAddr::V4(v4) => u64::from(u32::from(*v4)) | 4 << 32,
        IpAddr::V6(v6) => {
            let bits = u128::from(*v6);
            (bits as u64) ^ ((bits >> 64) as u64).rotate_left(17) ^ 6 << 32
        }
    };
    let mut h = folded;
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ h >> 33
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
        assert!(table.slots.len() >= 2 * addrs.len());
        assert!(table.iter().map(|(_, a)| a).eq(addrs.iter().copied()));
    }
}
