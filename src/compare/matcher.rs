//! The windowed match: every packet of a paired flow is looked for on the other side among the
//! packets of the same pair and direction, in three passes over the leftovers of the previous one.
//! (1) Exact: the same NAT-invariant content key. (2) Folded: TCP data whose byte range is tiled
//! by the other side's segments of that range (segmentation or receive offload on a capture host
//! splits or joins segments: that is not loss). (3) Fuzzy: the same TCP relative sequence number
//! and SYN/FIN/RST flags, UDP IP ID or ICMP type and sequence, but different content: a packet
//! modified in transit. Within a key, copies (retransmissions, duplicates) are paired in order,
//! never collapsed: walking both sides' copies in time, a downstream copy earlier than any upstream
//! copy could explain it is seen downstream only, an upstream copy later than the window is lost,
//! and when two upstream copies could explain one downstream copy the one with the same IPv4 ID
//! takes it (when the IDs tell them apart), else the one whose delay is closest to the expected
//! one.

use super::clock::ClockModel;
use super::keys::{SideKeys, NO_FLOW, NO_FUZZY};
use super::pairing::{Pairing, NO_PAIR};
use super::report::PerSide;
use rustc_hash::FxHasher;
use std::hash::Hasher;

/// One matched packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchPair {
    /// Frame indexes (0-based) on each side.
    pub a: u32,
    pub b: u32,
    pub pair: u32,
    /// A's direction number.
    pub dir: u8,
    /// Matched on the fuzzy key: the content differs.
    pub fuzzy: bool,
}

/// The outcome of the match.
#[derive(Debug, Clone, Default)]
pub struct Matching {
    pub matched: Vec<MatchPair>,
    /// Frames of paired flows folded into the other side's segmentation.
    pub folded: PerSide,
    /// Per frame: matched or folded.
    pub done: PerSide<Vec<bool>>,
}

/// Matching tolerances.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// How far before the upstream copy (after clock correction) a downstream copy may appear.
    pub early_ns: i64,
    /// The longest transit accepted.
    pub late_ns: i64,
    /// The typical corrected transit for packets passing A first ([0]) and B first ([1]): when
    /// copies are unequal in number, the pairing closest to it wins.
    pub expected_ns: [i64; 2],
}

/// A frame on one side: its pair, A's direction number, time on A's clock.
#[derive(Clone, Copy)]
struct Entry {
    key: u64,
    t: i64,
    frame: u32,
    /// pair << 1 | A's direction.
    pair_dir: u32,
    /// IPv4 identification (0: none).
    ip_id: u16,
}

fn place(side: &SideKeys, pairing: &Pairing, is_b: bool, frame: usize) -> Option<(u32, u8)> {
    let k = side.keys.get(frame)?;
    if k.flow == NO_FLOW {
        return None;
    }
    let of = if is_b {
        &pairing.pair_of_b
    } else {
        &pairing.pair_of_a
    };
    let p = *of.get(k.flow as usize)?;
    if p == NO_PAIR {
        return None;
    }
    let dir = if is_b {
        k.dir ^ u8::from(pairing.pairs[p as usize].flip)
    } else {
        k.dir
    };
    Some((p, dir))
}

/// A key of one pair and direction (A's numbering).
pub(crate) fn hash3(pair: u32, dir: u8, value: u64) -> u64 {
    let mut h = FxHasher::default();
    h.write_u32(pair);
    h.write_u8(dir);
    h.write_u64(value);
    h.finish()
}

struct Ctx<'a> {
    a: &'a SideKeys,
    b: &'a SideKeys,
    pairing: &'a Pairing,
    clock: &'a ClockModel,
    window: Window,
}

impl Ctx<'_> {
    /// TCP sequence and acknowledgement numbers on B's numbering (A's are shifted by the pair's
    /// sequence delta).
    fn aligned(&self, is_b: bool, i: usize, pair: u32, dir: u8) -> (u32, u32) {
        let side = if is_b { self.b } else { self.a };
        let k = &side.keys[i];
        if is_b {
            return (k.seq, k.ack);
        }
        let delta = self.pairing.pairs[pair as usize].seq_delta;
        let ack = if k.ack == 0 && k.tcp_flags & 0x10 == 0 {
            0
        } else {
            k.ack.wrapping_add(delta[usize::from(1 - dir.min(1))])
        };
        (k.seq.wrapping_add(delta[usize::from(dir.min(1))]), ack)
    }

    fn is_tcp(&self, is_b: bool, i: usize) -> bool {
        let side = if is_b { self.b } else { self.a };
        side.flows
            .get(side.keys[i].flow as usize)
            .is_some_and(|f| f.proto == 6)
    }

    fn exact(&self, is_b: bool, i: usize, pair: u32, dir: u8) -> u64 {
        let side = if is_b { self.b } else { self.a };
        let content = side.keys[i].content;
        if !self.is_tcp(is_b, i) {
            return hash3(pair, dir, content);
        }
        let (seq, ack) = self.aligned(is_b, i, pair, dir);
        hash3(
            pair,
            dir,
            content ^ (u64::from(seq) << 32 | u64::from(ack)).wrapping_mul(0x9e37_79b9_7f4a_7c15),
        )
    }

    fn fuzzy(&self, is_b: bool, i: usize, pair: u32, dir: u8) -> Option<u64> {
        let side = if is_b { self.b } else { self.a };
        let k = &side.keys[i];
        if k.fuzzy == NO_FUZZY {
            return None;
        }
        let value = if self.is_tcp(is_b, i) {
            self.aligned(is_b, i, pair, dir).0
        } else {
            k.fuzzy
        };
        Some(hash3(
            pair,
            dir,
            u64::from(value) << 8 | u64::from(k.tcp_flags & 0x07),
        ))
    }

    fn time(&self, is_b: bool, frame: u32) -> i64 {
        let side = if is_b { self.b } else { self.a };
        let t = side.keys[frame as usize].ts_ns;
        if is_b {
            self.clock.b_frame_to_a_ns(frame as usize, t)
        } else {
            t
        }
    }

    /// Entries of one side not done yet, keyed by `key_of` (None: skip), sorted by key then time.
    fn entries(
        &self,
        is_b: bool,
        done: &[bool],
        key_of: impl Fn(usize, u32, u8) -> Option<u64>,
    ) -> Vec<Entry> {
        let side = if is_b { self.b } else { self.a };
        let mut v: Vec<Entry> = (0..side.keys.len())
            .filter(|&i| !done[i])
            .filter_map(|i| {
                let (p, dir) = place(side, self.pairing, is_b, i)?;
                let key = key_of(i, p, dir)?;
                Some(Entry {
                    key,
                    t: self.time(is_b, i as u32),
                    frame: i as u32,
                    pair_dir: p << 1 | u32::from(dir & 1),
                    ip_id: side.keys[i].ip_id,
                })
            })
            .collect();
        v.sort_unstable_by(|x, y| x.key.cmp(&y.key).then(x.t.cmp(&y.t)));
        v
    }

    /// One pass: pairs entries with equal keys in order inside the window.
    fn pass(&self, ea: &[Entry], eb: &[Entry], fuzzy: bool, out: &mut Matching) {
        let end = |v: &[Entry], i: usize| {
            let mut j = i;
            while j < v.len() && v[j].key == v[i].key {
                j += 1;
            }
            j
        };
        let (mut i, mut j) = (0, 0);
        while i < ea.len() && j < eb.len() {
            match ea[i].key.cmp(&eb[j].key) {
                std::cmp::Ordering::Less => i = end(ea, i),
                std::cmp::Ordering::Greater => j = end(eb, j),
                std::cmp::Ordering::Equal => {
                    let (ei, ej) = (end(ea, i), end(eb, j));
                    self.walk(&ea[i..ei], &eb[j..ej], fuzzy, out);
                    i = ei;
                    j = ej;
                }
            }
        }
    }

    /// Pairs the copies of one key in order.
    fn walk(&self, ga: &[Entry], gb: &[Entry], fuzzy: bool, out: &mut Matching) {
        let (pair, dir) = (ga[0].pair_dir >> 1, (ga[0].pair_dir & 1) as u8);
        let a_first = self.pairing.pairs[pair as usize].a_first[usize::from(dir)];
        let (up, down) = if a_first { (ga, gb) } else { (gb, ga) };
        let delay = |i: usize, j: usize| down[j].t.saturating_sub(up[i].t);
        let expected = self.window.expected_ns[usize::from(!a_first)];
        let dist = |x: i64| x.saturating_sub(expected).saturating_abs();
        // Whether `x` upstream and `y` downstream carry the same IPv4 ID (None: one has none).
        let same_id =
            |x: &Entry, y: &Entry| (x.ip_id != 0 && y.ip_id != 0).then_some(x.ip_id == y.ip_id);
        // Take the next copy instead of this one: by IP ID when it tells them apart, else by
        // the delay closest to the expected one.
        let next_fits_better =
            |this: (&Entry, &Entry), next: (&Entry, &Entry), d: i64, d2: i64| match (
                same_id(this.0, this.1),
                same_id(next.0, next.1),
            ) {
                (Some(false), Some(true)) => true,
                (Some(true), Some(false)) => false,
                _ => dist(d2) < dist(d),
            };
        let (mut i, mut j) = (0, 0);
        while i < up.len() && j < down.len() {
            let d = delay(i, j);
            if d < -self.window.early_ns {
                j += 1;
                continue;
            }
            if d > self.window.late_ns {
                i += 1;
                continue;
            }
            let (left_up, left_down) = (up.len() - i, down.len() - j);
            // More upstream copies left: one was lost; skip this one if the next fits better.
            if left_up > left_down && i + 1 < up.len() {
                let d2 = delay(i + 1, j);
                if d2 >= -self.window.early_ns
                    && next_fits_better((&up[i], &down[j]), (&up[i + 1], &down[j]), d, d2)
                {
                    i += 1;
                    continue;
                }
            }
            // More downstream copies left: one is extra; skip this one if the next fits better.
            if left_down > left_up && j + 1 < down.len() {
                let d2 = delay(i, j + 1);
                if d2 <= self.window.late_ns
                    && next_fits_better((&up[i], &down[j]), (&up[i], &down[j + 1]), d, d2)
                {
                    j += 1;
                    continue;
                }
            }
            let (fa, fb) = if a_first {
                (up[i].frame, down[j].frame)
            } else {
                (down[j].frame, up[i].frame)
            };
            out.done.a[fa as usize] = true;
            out.done.b[fb as usize] = true;
            out.matched.push(MatchPair {
                a: fa,
                b: fb,
                pair,
                dir,
                fuzzy,
            });
            i += 1;
            j += 1;
        }
    }

    /// TCP data not matched whole, folded by byte range: per pair and direction, runs of
    /// contiguous segments on each side that start and end at the same relative sequence numbers.
    fn fold(&self, out: &mut Matching) {
        let collect = |is_b: bool, done: &[bool]| {
            let side = if is_b { self.b } else { self.a };
            let mut v: Vec<(u32, u8, u32, u32, u32)> = (0..side.keys.len())
                .filter(|&i| !done[i])
                .filter_map(|i| {
                    let k = &side.keys[i];
                    if k.payload_len == 0 || k.fuzzy == NO_FUZZY || k.tcp_flags & 0x07 != 0 {
                        return None;
                    }
                    let (p, dir) = place(side, self.pairing, is_b, i)?;
                    if side.flows[k.flow as usize].proto != 6 {
                        return None;
                    }
                    let seq = self.aligned(is_b, i, p, dir).0;
                    Some((p, dir, seq, k.payload_len, i as u32))
                })
                .collect();
            v.sort_unstable();
            v
        };
        let va = collect(false, &out.done.a);
        let vb = collect(true, &out.done.b);
        let (mut i, mut j) = (0, 0);
        while i < va.len() && j < vb.len() {
            let (ka, kb) = ((va[i].0, va[i].1, va[i].2), (vb[j].0, vb[j].1, vb[j].2));
            if ka < kb {
                i += 1;
                continue;
            }
            if kb < ka {
                j += 1;
                continue;
            }
            // Same start: extend the shorter run until the ends meet.
            let (mut ea, mut eb) = (va[i].2.wrapping_add(va[i].3), vb[j].2.wrapping_add(vb[j].3));
            let (mut ni, mut nj) = (i + 1, j + 1);
            let same = |x: &(u32, u8, u32, u32, u32), y: &(u32, u8, u32, u32, u32)| {
                x.0 == y.0 && x.1 == y.1
            };
            let mut steps = 0;
            while ea != eb && steps < 256 {
                steps += 1;
                if ea.wrapping_sub(eb) as i32 > 0 {
                    match vb.get(nj) {
                        Some(n) if same(n, &vb[j]) && n.2 == eb => {
                            eb = eb.wrapping_add(n.3);
                            nj += 1;
                        }
                        _ => break,
                    }
                } else {
                    match va.get(ni) {
                        Some(n) if same(n, &va[i]) && n.2 == ea => {
                            ea = ea.wrapping_add(n.3);
                            ni += 1;
                        }
                        _ => break,
                    }
                }
            }
            let within = {
                let ta = self.time(false, va[i].4);
                let tb = self.time(true, vb[j].4);
                let d = tb.saturating_sub(ta).saturating_abs();
                d <= self.window.late_ns
            };
            if ea == eb && within && (ni - i > 1 || nj - j > 1) {
                for x in &va[i..ni] {
                    out.done.a[x.4 as usize] = true;
                }
                for y in &vb[j..nj] {
                    out.done.b[y.4 as usize] = true;
                }
                out.folded.a += (ni - i) as u64;
                out.folded.b += (nj - j) as u64;
                i = ni;
                j = nj;
            } else {
                i += 1;
                j += 1;
            }
        }
    }
}

/// The exact-match key of frame `i` of side A (`is_b` false) or B, in pair `pair`, A's direction
/// `dir`.
pub fn exact_key(
    a: &SideKeys,
    b: &SideKeys,
    pairing: &Pairing,
    is_b: bool,
    i: usize,
    pair: u32,
    dir: u8,
) -> u64 {
    let clock = ClockModel::identity(0);
    let ctx = Ctx {
        a,
        b,
        pairing,
        clock: &clock,
        window: Window {
            early_ns: 0,
            late_ns: 0,
            expected_ns: [0, 0],
        },
    };
    ctx.exact(is_b, i, pair, dir)
}

/// Matches the packets of paired flows.
pub fn match_packets(
    a: &SideKeys,
    b: &SideKeys,
    pairing: &Pairing,
    clock: &ClockModel,
    window: Window,
) -> Matching {
    let ctx = Ctx {
        a,
        b,
        pairing,
        clock,
        window,
    };
    let mut out = Matching {
        done: PerSide {
            a: vec![false; a.keys.len()],
            b: vec![false; b.keys.len()],
        },
        ..Matching::default()
    };
    let ea = ctx.entries(false, &out.done.a, |i, p, dir| {
        Some(ctx.exact(false, i, p, dir))
    });
    let eb = ctx.entries(true, &out.done.b, |i, p, dir| {
        Some(ctx.exact(true, i, p, dir))
    });
    ctx.pass(&ea, &eb, false, &mut out);
    drop((ea, eb));
    ctx.fold(&mut out);
    let ea = ctx.entries(false, &out.done.a, |i, p, dir| ctx.fuzzy(false, i, p, dir));
    let eb = ctx.entries(true, &out.done.b, |i, p, dir| ctx.fuzzy(true, i, p, dir));
    ctx.pass(&ea, &eb, true, &mut out);
    out.matched.sort_unstable_by_key(|m| (m.a, m.b));
    out
}
