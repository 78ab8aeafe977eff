//! Robustness: every prefix of a few real frames, and many copies with random bytes changed
//! (a small deterministic xorshift generator, no extra crates), must dissect without a panic
//! and with every node inside the captured bytes.

use super::corpus::{check_invariants, frame, Frame};
use crate::dissect::dissect;

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Mutations per sample frame; `DISSECT_FUZZ_ITERS=100000` runs a longer local campaign.
fn iterations() -> usize {
    std::env::var("DISSECT_FUZZ_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(500)
}

fn samples() -> Vec<Frame> {
    vec![
        frame("chrissanders/tcp_handshake.pcapng", 1),
        frame("chrissanders/dns_query_response.pcapng", 2),
        frame("chrissanders/http_google.pcapng", 4),
        frame("zeek/openjdk-25.0.2-zeek.org.pcap", 4),
        frame("tcpdump/802.1ad_QinQ.pcap", 1),
        frame("zeek/mixed-vlan-mpls.pcap", 1),
        frame("zeek/gre-sample.pcap", 34),
        frame("tcpdump/vxlan.pcap", 1),
        frame("zeek/ping6-in-ipv4.pcap", 1),
        frame("tcpdump/dns-badcookie.pcap", 4),
        frame("tcpdump/pptp.pcap", 16),
        frame("zeek/ipv6-fragmented-dns.pcap", 2),
    ]
}

#[test]
fn every_prefix_dissects() {
    for f in samples() {
        for n in 0..=f.data.len() {
            let cut = &f.data[..n];
            check_invariants(&dissect(f.link_type, cut, f.orig_len), n);
            // The same bytes claimed as the whole wire frame (malformed instead of cut).
            check_invariants(&dissect(f.link_type, cut, n as u32), n);
        }
    }
}

#[test]
fn random_byte_flips_dissect() {
    let seed = std::env::var("DISSECT_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x9e37_79b9_7f4a_7c15);
    let mut rng = XorShift(seed);
    for f in samples() {
        for _ in 0..iterations() {
            let mut data = f.data.clone();
            for _ in 0..1 + rng.below(6) {
                let i = rng.below(data.len());
                data[i] = rng.next() as u8;
            }
            let len = rng.below(data.len() + 1).max(data.len() / 2);
            check_invariants(&dissect(f.link_type, &data[..len], f.orig_len), len);
        }
    }
}

#[test]
fn random_bytes_under_every_link_type() {
    let mut rng = XorShift(42);
    for link in [0, 1, 9, 12, 14, 50, 51, 101, 108, 113, 228, 229, 276, 147] {
        for _ in 0..iterations() {
            let len = rng.below(200);
            let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            check_invariants(&dissect(link, &data, len as u32), len);
        }
    }
}
