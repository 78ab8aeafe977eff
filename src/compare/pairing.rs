//! Flow pairing and the NAT map, inferred, never typed in. Anchors are content keys that occur
//! exactly once on each side (found without looking at time: a sort and a merge, EFF pcapdiff's
//! manifest idea); each anchor votes for the pair (A flow, B flow, same or swapped initiator), and
//! pairs are taken greedily by votes so each flow is paired once. Flows that no anchor ties (every
//! packet has a twin elsewhere, as in a SYN scan) are paired afterwards by their first packet's key
//! and the nearest first time on the fitted clock. Which point each direction of a pair passes
//! first is read from the anchors' clock differences (`t_b − t_a` is larger for packets that
//! passed A first); pairs without packets both ways follow the majority. The NAT map lists each
//! endpoint whose address or port differs between the two sides' views of a paired flow.

use super::clock::ClockModel;
use super::keys::{endpoint, proto_name, SideKeys, NO_FLOW};
use crate::hash::{HashMap, HashSet};
use serde::Serialize;
use std::collections::BTreeSet;

/// `Pairing::pair_of_*` for an unpaired flow.
pub const NO_PAIR: u32 = u32::MAX;

/// One flow seen at both points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowPair {
    pub a: u32,
    pub b: u32,
    /// B's direction numbering is the reverse of A's (B saw the other end start the flow).
    pub flip: bool,
    /// Per A direction: the packets pass point A first.
    pub a_first: [bool; 2],
    /// Anchors that voted for the pair (0: paired by its first packet).
    pub votes: u32,
    /// TCP, per A direction: B's sequence number minus A's for the same byte (0: not rewritten).
    pub seq_delta: [u32; 2],
}

impl FlowPair {
    /// B's direction number for A's direction `dir`.
    pub fn b_dir(&self, dir: u8) -> u8 {
        dir ^ u8::from(self.flip)
    }
}

/// The flow pairs and, per side's flow, its pair.
#[derive(Debug, Clone, Default)]
pub struct Pairing {
    pub pairs: Vec<FlowPair>,
    pub pair_of_a: Vec<u32>,
    pub pair_of_b: Vec<u32>,
    /// For most pairs, the initiator's packets pass A first (A is on the initiators' side).
    pub a_on_initiator_side: bool,
}

/// One NAT binding: an endpoint as A saw it and as B saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NatEntry {
    pub proto: String,
    pub a: String,
    pub b: String,
    /// Flows that used the binding.
    pub flows: u32,
}

/// Frame-index pairs (A, B) whose content key occurs once on each side.
pub fn anchors(a: &SideKeys, b: &SideKeys) -> Vec<(u32, u32)> {
    let sorted = |side: &SideKeys| {
        let mut v: Vec<(u64, u32)> = side
            .keys
            .iter()
            .enumerate()
            .filter(|(_, k)| k.flow != NO_FLOW)
            .map(|(i, k)| (k.content, i as u32))
            .collect();
        v.sort_unstable();
        v
    };
    let (va, vb) = (sorted(a), sorted(b));
    let group_end = |v: &[(u64, u32)], i: usize| {
        let mut j = i;
        while j < v.len() && v[j].0 == v[i].0 {
            j += 1;
        }
        j
    };
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < va.len() && j < vb.len() {
        match va[i].0.cmp(&vb[j].0) {
            std::cmp::Ordering::Less => i = group_end(&va, i),
            std::cmp::Ordering::Greater => j = group_end(&vb, j),
            std::cmp::Ordering::Equal => {
                let (ei, ej) = (group_end(&va, i), group_end(&vb, j));
                if ei - i == 1 && ej - j == 1 {
                    out.push((va[i].1, vb[j].1));
                }
                i = ei;
                j = ej;
            }
        }
    }
    out.sort_unstable();
    out
}

/// Pairs flows by anchor votes and infers which point each direction passes first.
pub fn pair_flows(a: &SideKeys, b: &SideKeys, anchors: &[(u32, u32)]) -> Pairing {
    let mut votes: HashMap<(u32, u32, bool), u32> = HashMap::default();
    for &(ia, ib) in anchors {
        let (ka, kb) = (&a.keys[ia as usize], &b.keys[ib as usize]);
        if a.flows[ka.flow as usize].proto != b.flows[kb.flow as usize].proto {
            continue;
        }
        *votes
            .entry((ka.flow, kb.flow, ka.dir != kb.dir))
            .or_default() += 1;
    }
    let mut ranked: Vec<((u32, u32, bool), u32)> = votes.into_iter().collect();
    crate::sort::sort_by(&mut ranked, |x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    let mut pairing = Pairing {
        pair_of_a: vec![NO_PAIR; a.flows.len()],
        pair_of_b: vec![NO_PAIR; b.flows.len()],
        ..Pairing::default()
    };
    for ((fa, fb, flip), n) in ranked {
        if pairing.pair_of_a[fa as usize] != NO_PAIR || pairing.pair_of_b[fb as usize] != NO_PAIR {
            continue;
        }
        pairing.pair_of_a[fa as usize] = pairing.pairs.len() as u32;
        pairing.pair_of_b[fb as usize] = pairing.pairs.len() as u32;
        pairing.pairs.push(FlowPair {
            a: fa,
            b: fb,
            flip,
            a_first: [true, false],
            votes: n,
            seq_delta: [0, 0],
        });
    }
    infer_directions(a, b, anchors, &mut pairing, &|_| 0);
    pairing
}

/// Infers which point each direction of each pair passes first, and which side A is on, from the
/// anchors' `t_b − t_a` (`jumped_ns(B frame)`: B's clock steps before that frame, taken out).
pub fn infer_directions(
    a: &SideKeys,
    b: &SideKeys,
    anchors: &[(u32, u32)],
    pairing: &mut Pairing,
    jumped_ns: &dyn Fn(u32) -> i64,
) {
    // Which direction passes A first: per pair, anchors next to each other in B's order but of
    // opposite directions vote by which has the larger `t_b − t_a` (neighbours, not medians of
    // the whole flow, so a clock step inside the flow moves one vote at most).
    let mut diffs: Vec<Vec<(u32, u8, i64)>> = vec![Vec::new(); pairing.pairs.len()];
    for &(ia, ib) in anchors {
        let (ka, kb) = (&a.keys[ia as usize], &b.keys[ib as usize]);
        let p = pairing.pair_of_a[ka.flow as usize];
        if p == NO_PAIR || pairing.pair_of_b[kb.flow as usize] != p {
            continue;
        }
        let tb = kb.ts_ns.saturating_sub(jumped_ns(ib));
        diffs[p as usize].push((ib, ka.dir, tb.saturating_sub(ka.ts_ns)));
    }
    let (mut initiator_a_first, mut initiator_b_first) = (0u64, 0u64);
    let mut known = vec![false; pairing.pairs.len()];
    for (p, list) in diffs.iter_mut().enumerate() {
        list.sort_unstable();
        let mut vote = 0i64;
        let mut voted = false;
        for w in list.windows(2) {
            let ((_, dx, x), (_, dy, y)) = (w[0], w[1]);
            if dx == dy {
                continue;
            }
            let (d0, d1) = if dx == 0 { (x, y) } else { (y, x) };
            vote += if d0 >= d1 { 1 } else { -1 };
            voted = true;
        }
        if voted {
            let a_first = vote >= 0;
            pairing.pairs[p].a_first = [a_first, !a_first];
            known[p] = true;
            if a_first {
                initiator_a_first += list.len() as u64;
            } else {
                initiator_b_first += list.len() as u64;
            }
        }
    }
    pairing.a_on_initiator_side = initiator_a_first >= initiator_b_first;
    let default = pairing.a_on_initiator_side;
    for (pair, known) in pairing.pairs.iter_mut().zip(known) {
        if !known {
            pair.a_first = [default, !default];
        }
    }
}

/// Pairs the flows no anchor tied: same protocol and first-packet key (content, then the fuzzy
/// key with the same SYN/FIN/RST flags), the nearest first time on `clock` within `window_ns`.
pub fn pair_leftovers(
    a: &SideKeys,
    b: &SideKeys,
    pairing: &mut Pairing,
    clock: &ClockModel,
    window_ns: i64,
) {
    // Unpaired B flows by first-packet key, ordered by first time on A's clock.
    type Candidates = BTreeSet<(i64, u32)>;
    let mut by_content: HashMap<(u8, u64), Candidates> = HashMap::default();
    let mut by_fuzzy: HashMap<(u8, u8, u32), Candidates> = HashMap::default();
    for (fb, flow) in b.flows.iter().enumerate() {
        if pairing.pair_of_b[fb] != NO_PAIR {
            continue;
        }
        let t = clock.b_frame_to_a_ns(flow.first_frame as usize, flow.first_ts);
        by_content
            .entry((flow.proto, flow.first_content))
            .or_default()
            .insert((t, fb as u32));
        if flow.first_fuzzy != super::keys::NO_FUZZY {
            by_fuzzy
                .entry((flow.proto, flow.first_flags & 0x07, flow.first_fuzzy))
                .or_default()
                .insert((t, fb as u32));
        }
    }
    let nearest = |set: &Candidates, t: i64| -> Option<(i64, u32)> {
        let after = set.range((t, 0)..).next();
        let before = set.range(..(t, 0)).next_back();
        [after, before]
            .into_iter()
            .flatten()
            .map(|&(tb, fb)| (tb.saturating_sub(t).saturating_abs(), tb, fb))
            .filter(|&(gap, _, _)| gap <= window_ns)
            .min()
            .map(|(_, tb, fb)| (tb, fb))
    };
    let default = pairing.a_on_initiator_side;
    for (fa, flow) in a.flows.iter().enumerate() {
        if pairing.pair_of_a[fa] != NO_PAIR {
            continue;
        }
        let content_key = (flow.proto, flow.first_content);
        let fuzzy_key = (flow.proto, flow.first_flags & 0x07, flow.first_fuzzy);
        let found = by_content
            .get(&content_key)
            .and_then(|set| nearest(set, flow.first_ts))
            .or_else(|| {
                by_fuzzy
                    .get(&fuzzy_key)
                    .and_then(|set| nearest(set, flow.first_ts))
            });
        let Some((tb, fb)) = found else { continue };
        // Taken: out of both indexes.
        let fbf = &b.flows[fb as usize];
        if let Some(set) = by_content.get_mut(&(fbf.proto, fbf.first_content)) {
            set.remove(&(tb, fb));
        }
        if let Some(set) = by_fuzzy.get_mut(&(fbf.proto, fbf.first_flags & 0x07, fbf.first_fuzzy)) {
            set.remove(&(tb, fb));
        }
        let dir_a = a.keys[flow.first_frame as usize].dir;
        let dir_b = b.keys[fbf.first_frame as usize].dir;
        pairing.pair_of_a[fa] = pairing.pairs.len() as u32;
        pairing.pair_of_b[fb as usize] = pairing.pairs.len() as u32;
        pairing.pairs.push(FlowPair {
            a: fa as u32,
            b: fb,
            flip: dir_a != dir_b,
            a_first: [default, !default],
            votes: 0,
            seq_delta: [0, 0],
        });
    }
}

/// Per TCP pair and direction, the sequence shift between the sides: the most common
/// difference of the anchors' sequence numbers (or of the other direction's acknowledgement
/// numbers), else of the two sides' ISNs (first sequence numbers seen).
pub fn fill_seq_deltas(a: &SideKeys, b: &SideKeys, pairing: &mut Pairing, anchors: &[(u32, u32)]) {
    // (pair, what: dir * 2 + (0 seq, 1 ack), value)
    let mut votes: Vec<(u32, u8, u32)> = Vec::new();
    for &(ia, ib) in anchors {
        let (ka, kb) = (&a.keys[ia as usize], &b.keys[ib as usize]);
        let p = pairing.pair_of_a[ka.flow as usize];
        if p == NO_PAIR
            || pairing.pair_of_b[kb.flow as usize] != p
            || a.flows[ka.flow as usize].proto != 6
        {
            continue;
        }
        votes.push((p, ka.dir * 2, kb.seq.wrapping_sub(ka.seq)));
        if ka.tcp_flags & 0x10 != 0 && kb.tcp_flags & 0x10 != 0 {
            votes.push((p, ka.dir * 2 + 1, kb.ack.wrapping_sub(ka.ack)));
        }
    }
    votes.sort_unstable();
    // The most common value per (pair, what).
    let mut best: HashMap<(u32, u8), (u32, usize)> = HashMap::default();
    let mut i = 0;
    while i < votes.len() {
        let mut j = i;
        while j < votes.len() && votes[j] == votes[i] {
            j += 1;
        }
        let (p, what, value) = votes[i];
        let slot = best.entry((p, what)).or_insert((value, 0));
        if j - i > slot.1 {
            *slot = (value, j - i);
        }
        i = j;
    }
    for (p, pair) in pairing.pairs.iter_mut().enumerate() {
        let (fa, fb) = (&a.flows[pair.a as usize], &b.flows[pair.b as usize]);
        if fa.proto != 6 {
            continue;
        }
        for d in 0..2u8 {
            let seq = best.get(&(p as u32, d * 2)).map(|x| x.0);
            let ack = best.get(&(p as u32, (1 - d) * 2 + 1)).map(|x| x.0);
            let isn = fa.isn[usize::from(d)]
                .zip(fb.isn[usize::from(d ^ u8::from(pair.flip))])
                .map(|(x, y)| y.wrapping_sub(x));
            pair.seq_delta[usize::from(d)] = seq.or(ack).or(isn).unwrap_or(0);
        }
    }
}

/// The NAT map: every endpoint whose address or port differs between the two views of a pair.
pub fn nat_map(a: &SideKeys, b: &SideKeys, pairing: &Pairing) -> Vec<NatEntry> {
    let mut seen: HashMap<(u8, String, String), u32> = HashMap::default();
    let mut order = Vec::new();
    for pair in &pairing.pairs {
        let (fa, fb) = (&a.flows[pair.a as usize], &b.flows[pair.b as usize]);
        for end in 0..2 {
            let ea = fa.ends[end];
            let eb = fb.ends[end ^ usize::from(pair.flip)];
            if ea == eb {
                continue;
            }
            let key = (fa.proto, endpoint(fa.proto, ea), endpoint(fb.proto, eb));
            let n = seen.entry(key.clone()).or_insert(0);
            if *n == 0 {
                order.push(key);
            }
            *n += 1;
        }
    }
    let mut done = HashSet::default();
    order
        .into_iter()
        .filter(|k| done.insert(k.clone()))
        .map(|k| NatEntry {
            proto: proto_name(k.0),
            flows: seen.get(&k).copied().unwrap_or(0),
            a: k.1,
            b: k.2,
        })
        .collect()
}
