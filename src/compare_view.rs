//! What the page's Compare view shows beside the comparison itself: the TCP/UDP flows of both
//! captures paired through the inferred NAT map, with the comparison's lost, injected and modified
//! frames counted per flow and direction, and the side-by-side ladder of one flow pair.
//!
//! Every frame takes what the comparison says of it: lost or injected, or paired with the frame
//! the engine matched it to ([`crate::compare::Comparison::pairs`]), modified when that pair
//! changed in transit; the rest (segments folded by TSO/GRO, duplicates, frames outside the common
//! window) are drawn unpaired. The delay of a pair is B's time brought onto A's clock minus A's.

use crate::analyzer::Analyzer;
use crate::compare::keys::{endpoint, proto_name};
use crate::compare::Comparison;
use crate::flows::{Stream, NO_STREAM};
use crate::hash::HashMap;
use serde::Serialize;
use std::collections::HashSet;

/// At most this many frames per side in a ladder.
pub const MAX_LADDER_FRAMES: usize = 4000;

/// One direction of a flow pair: from the flow's first sender (as A saw it) or back.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FlowDirection {
    pub frames_a: u64,
    pub frames_b: u64,
    pub lost: u64,
    pub injected: u64,
    pub modified: u64,
    /// Median one-way delay of the matched pairs (ms), positive from the point that
    /// saw them first; `None` without pairs.
    pub delay_ms: Option<f64>,
    /// "a" when the packets of this direction passed point A first, "b" for B, "" unknown.
    pub upstream: &'static str,
}

/// A TCP or UDP flow seen at both points (or at one: then the other stream is `None`).
#[derive(Debug, Clone, Serialize)]
pub struct FlowPair {
    /// Position in the list (the ladder's argument).
    pub key: usize,
    pub proto: String,
    /// "10.0.0.1:50512 → 93.184.216.34:80" as A saw it (from the flow's first sender), and B.
    pub a: String,
    pub b: String,
    /// tcp.stream / udp.stream numbers on each side.
    pub a_stream: Option<u32>,
    pub b_stream: Option<u32>,
    /// [from the first sender, back].
    pub dirs: [FlowDirection; 2],
}

/// One frame in a ladder.
#[derive(Debug, Clone, Serialize)]
pub struct Rung {
    /// 1-based frame number on its side.
    pub no: u64,
    /// Seconds since A's first frame, on A's clock (B's times corrected by the clock model).
    pub t: f64,
    /// 0 from the flow's first sender, 1 back.
    pub dir: u8,
    /// "matched", "modified", "lost", "injected" or "unpaired".
    pub kind: &'static str,
    /// The frame on the other side it was paired with.
    pub peer: Option<u64>,
    /// "SYN, ACK · 2 bytes", "40 bytes".
    pub label: String,
}

/// The ladder of one flow pair.
#[derive(Debug, Clone, Serialize)]
pub struct Ladder {
    pub flow: FlowPair,
    pub a: Vec<Rung>,
    pub b: Vec<Rung>,
    /// Frames left out past [`MAX_LADDER_FRAMES`] per side.
    pub truncated: bool,
}

/// What the comparison says of each frame, by 0-based frame index per side.
struct Marks {
    lost: [HashSet<u64>; 2],
    injected: [HashSet<u64>; 2],
    /// The engine's matched pairs: per side, the peer's index on the other side, or [`NO_PEER`].
    peer: [Vec<u32>; 2],
    /// A's indexes whose pair changed in transit.
    changed: HashSet<u32>,
}

const NO_PEER: u32 = u32::MAX;

impl Marks {
    fn new(a: &Analyzer, b: &Analyzer, c: &Comparison) -> Self {
        let side = |file: &str| usize::from(file != "a");
        let mut m = Marks {
            lost: Default::default(),
            injected: Default::default(),
            peer: [vec![NO_PEER; a.len()], vec![NO_PEER; b.len()]],
            changed: HashSet::new(),
        };
        for s in &c.lost {
            m.lost[side(s.file)].insert(s.no);
        }
        for s in &c.injected {
            m.injected[side(s.file)].insert(s.no);
        }
        for p in &c.pairs {
            let (Some(ia), Some(ib)) = (index_of(p.a_no), index_of(p.b_no)) else {
                continue;
            };
            let [peer_a, peer_b] = &mut m.peer;
            if let (Some(x), Some(y)) = (peer_a.get_mut(ia as usize), peer_b.get_mut(ib as usize)) {
                (*x, *y) = (ib, ia);
            }
            if p.changed {
                m.changed.insert(ia);
            }
        }
        m
    }

    /// Frame `i` of side `side` (0: A): its kind and its peer on the other side.
    fn classify(&self, side: usize, i: u32) -> (&'static str, Option<u32>) {
        let no = u64::from(i) + 1;
        if self.lost[side].contains(&no) {
            return ("lost", None);
        }
        if self.injected[side].contains(&no) {
            return ("injected", None);
        }
        let peer = self.peer[side].get(i as usize).copied();
        let Some(p) = peer.filter(|&p| p != NO_PEER) else {
            return ("unpaired", None);
        };
        let a_index = if side == 0 { i } else { p };
        if self.changed.contains(&a_index) {
            ("modified", Some(p))
        } else {
            ("matched", Some(p))
        }
    }
}

/// 0-based index of a 1-based frame number.
fn index_of(no: u64) -> Option<u32> {
    u32::try_from(no.checked_sub(1)?).ok()
}

fn stream_text(analyzer: &Analyzer, s: &Stream) -> [String; 2] {
    let addrs = &analyzer.index().addrs;
    let end = |(id, port): (u32, u16)| -> String {
        match addrs.get(id) {
            Some(addr) => endpoint(s.ip_proto, (addr, port)),
            None => format!("?:{port}"),
        }
    };
    let ends = analyzer.flows().ends(s, &analyzer.index().records);
    [end(ends.a), end(ends.b)]
}

/// At most this many flows go to the page's table (a capture may hold a hundred thousand).
pub const MAX_FLOW_ROWS: usize = 2000;

/// The flows the table lists: those with differences first, then the biggest.
#[derive(Debug, Clone, Serialize)]
pub struct FlowList {
    /// Flows in all (the table shows `rows`).
    pub total: usize,
    pub rows: Vec<FlowPair>,
}

/// [`flow_pairs`] ranked (lost, injected and modified packets first, then frames) and cut to
/// `limit` rows; each keeps its `key` for [`ladder`].
pub fn flow_list(a: &Analyzer, b: &Analyzer, c: &Comparison, limit: usize) -> FlowList {
    let mut rows = flow_pairs(a, b, c);
    let total = rows.len();
    crate::sort::sort_by_key(&mut rows, |f| {
        let [x, y] = &f.dirs;
        let differences = x.lost + y.lost + x.injected + y.injected + x.modified + y.modified;
        let frames = x.frames_a + y.frames_a + x.frames_b + y.frames_b;
        std::cmp::Reverse((differences, frames))
    });
    rows.truncate(limit);
    FlowList { total, rows }
}

/// The flows of both captures, paired: A's in stream order, then B's flows A never saw.
pub fn flow_pairs(a: &Analyzer, b: &Analyzer, c: &Comparison) -> Vec<FlowPair> {
    build(a, b, c).0
}

struct Built {
    /// Per pair: A stream id, B stream id (indexes into `Flows::streams`), and whether B's
    /// direction 0 is A's direction 1.
    ids: Vec<(Option<usize>, Option<usize>, bool)>,
}

fn build(a: &Analyzer, b: &Analyzer, c: &Comparison) -> (Vec<FlowPair>, Built) {
    let translate: HashMap<(&str, &str), &str> = c
        .nat
        .iter()
        .map(|n| ((n.proto.as_str(), n.a.as_str()), n.b.as_str()))
        .collect();
    // B's streams by (proto, endpoints as text), in order (port reuse: k-th with k-th).
    let mut b_by_ends: HashMap<(u8, String, String), Vec<usize>> = HashMap::default();
    let b_streams = &b.flows().streams;
    for id in (0..b_streams.len()).rev() {
        let s = &b_streams[id];
        let [x, y] = stream_text(b, s);
        b_by_ends.entry((s.ip_proto, x, y)).or_default().push(id);
    }
    let mut used_b = vec![false; b_streams.len()];
    let mut ids = Vec::new();
    let mut pairs = Vec::new();
    for (id, s) in a.flows().streams.iter().enumerate() {
        let [x, y] = stream_text(a, s);
        let proto = proto_name(s.ip_proto);
        let tx = translate
            .get(&(proto.as_str(), x.as_str()))
            .map_or_else(|| x.clone(), |t| (*t).to_string());
        let ty = translate
            .get(&(proto.as_str(), y.as_str()))
            .map_or_else(|| y.clone(), |t| (*t).to_string());
        let mut found = None;
        if let Some(list) = b_by_ends.get_mut(&(s.ip_proto, tx.clone(), ty.clone())) {
            found = list.pop().map(|i| (i, false));
        }
        if found.is_none() {
            if let Some(list) = b_by_ends.get_mut(&(s.ip_proto, ty, tx)) {
                found = list.pop().map(|i| (i, true));
            }
        }
        if let Some((i, _)) = found {
            used_b[i] = true;
        }
        let b_text = found.map(|(i, flip)| {
            let [p, q] = stream_text(b, &b_streams[i]);
            if flip {
                format!("{q} → {p}")
            } else {
                format!("{p} → {q}")
            }
        });
        pairs.push(FlowPair {
            key: pairs.len(),
            proto,
            a: format!("{x} → {y}"),
            b: b_text.unwrap_or_default(),
            a_stream: Some(s.number),
            b_stream: found.map(|(i, _)| b_streams[i].number),
            dirs: Default::default(),
        });
        ids.push((Some(id), found.map(|(i, _)| i), found.is_some_and(|f| f.1)));
    }
    for (i, s) in b_streams.iter().enumerate() {
        if used_b[i] {
            continue;
        }
        let [p, q] = stream_text(b, s);
        pairs.push(FlowPair {
            key: pairs.len(),
            proto: proto_name(s.ip_proto),
            a: String::new(),
            b: format!("{p} → {q}"),
            a_stream: None,
            b_stream: Some(s.number),
            dirs: Default::default(),
        });
        ids.push((None, Some(i), false));
    }
    let built = Built { ids };
    fill_counts(a, b, c, &mut pairs, &built);
    (pairs, built)
}

/// Frame indexes of each stream id, by direction ([dir 0, dir 1]).
fn frames_by_stream(analyzer: &Analyzer) -> Vec<[Vec<u32>; 2]> {
    let flows = analyzer.flows();
    let records = &analyzer.index().records;
    let mut out: Vec<[Vec<u32>; 2]> = vec![Default::default(); flows.streams.len()];
    for (i, id) in flows.stream_of.iter().enumerate() {
        if id == NO_STREAM {
            continue;
        }
        let (Some(s), Some(r)) = (flows.streams.get(id as usize), records.get(i)) else {
            continue;
        };
        out[id as usize][flows.ends(s, records).direction_of(&r)].push(i as u32);
    }
    out
}

/// One direction of a pair: each frame with its kind and peer, and the delays of the pairs.
struct Paired {
    a: Vec<(u32, &'static str, Option<u32>)>,
    b: Vec<(u32, &'static str, Option<u32>)>,
    delays_ns: Vec<i64>,
}

fn pair_direction(
    a: &Analyzer,
    b: &Analyzer,
    c: &Comparison,
    marks: &Marks,
    fa: &[u32],
    fb: &[u32],
) -> Paired {
    let ta = |i: u32| a.index().records.get(i as usize).map_or(0, |r| r.ts_ns);
    let tb = |i: u32| {
        c.clock.b_frame_to_a_ns(
            i as usize,
            b.index().records.get(i as usize).map_or(0, |r| r.ts_ns),
        )
    };
    let mut out = Paired {
        a: Vec::with_capacity(fa.len()),
        b: Vec::with_capacity(fb.len()),
        delays_ns: Vec::new(),
    };
    for &i in fa {
        let (kind, peer) = marks.classify(0, i);
        if let Some(p) = peer {
            out.delays_ns.push(tb(p) - ta(i));
        }
        out.a.push((i, kind, peer));
    }
    for &i in fb {
        let (kind, peer) = marks.classify(1, i);
        out.b.push((i, kind, peer));
    }
    out
}

fn direction_stats(p: &mut Paired) -> FlowDirection {
    let count = |v: &[(u32, &'static str, Option<u32>)], k: &str| {
        v.iter().filter(|e| e.1 == k).count() as u64
    };
    let mut d = FlowDirection {
        frames_a: p.a.len() as u64,
        frames_b: p.b.len() as u64,
        lost: count(&p.a, "lost") + count(&p.b, "lost"),
        injected: count(&p.a, "injected") + count(&p.b, "injected"),
        modified: count(&p.a, "modified"),
        delay_ms: None,
        upstream: "",
    };
    if !p.delays_ns.is_empty() {
        let mid = p.delays_ns.len() / 2;
        let median = *p.delays_ns.select_nth_unstable(mid).1;
        d.upstream = if median >= 0 { "a" } else { "b" };
        d.delay_ms = Some(median.unsigned_abs() as f64 / 1e6);
    } else if count(&p.a, "lost") > 0 || count(&p.b, "injected") > 0 {
        d.upstream = "a";
    } else if count(&p.b, "lost") > 0 || count(&p.a, "injected") > 0 {
        d.upstream = "b";
    }
    d
}

/// B's frames of a direction of A's flow, given B's stream frames and whether B's directions are
/// flipped against A's.
fn b_frames(fb: Option<&[Vec<u32>; 2]>, flip: bool, dir: usize) -> &[u32] {
    fb.map_or(&[], |f| &f[if flip { 1 - dir } else { dir }])
}

fn fill_counts(a: &Analyzer, b: &Analyzer, c: &Comparison, pairs: &mut [FlowPair], built: &Built) {
    let marks = Marks::new(a, b, c);
    let sa = frames_by_stream(a);
    let sb = frames_by_stream(b);
    for (pair, &(ia, ib, flip)) in pairs.iter_mut().zip(&built.ids) {
        for dir in 0..2 {
            let fa = ia.and_then(|i| sa.get(i)).map_or(&[][..], |f| &f[dir][..]);
            let fb = b_frames(ib.and_then(|i| sb.get(i)), flip, dir);
            let mut p = pair_direction(a, b, c, &marks, fa, fb);
            pair.dirs[dir] = direction_stats(&mut p);
        }
    }
}

fn label(analyzer: &Analyzer, i: u32) -> String {
    let Some(r) = analyzer.index().records.get(i as usize) else {
        return String::new();
    };
    let mut parts = Vec::new();
    if r.is_tcp() {
        let names = [
            (crate::decode::TCP_SYN, "SYN"),
            (crate::decode::TCP_FIN, "FIN"),
            (crate::decode::TCP_RST, "RST"),
            (0x08, "PSH"),
            (0x10, "ACK"),
        ];
        let flags: Vec<&str> = names
            .iter()
            .filter(|(bit, _)| u16::from(r.tcp_flags) & bit != 0)
            .map(|(_, n)| *n)
            .collect();
        if !flags.is_empty() {
            parts.push(flags.join(", "));
        }
    }
    parts.push(format!(
        "{} byte{}",
        r.payload_len(),
        if r.payload_len() == 1 { "" } else { "s" }
    ));
    parts.join(" · ")
}

/// The ladder of flow pair `key` (a position in [`flow_pairs`]), or `None`.
pub fn ladder(a: &Analyzer, b: &Analyzer, c: &Comparison, key: usize) -> Option<Ladder> {
    let (pairs, built) = build(a, b, c);
    let flow = pairs.get(key)?.clone();
    let &(ia, ib, flip) = built.ids.get(key)?;
    let marks = Marks::new(a, b, c);
    let sa = frames_by_stream(a);
    let sb = frames_by_stream(b);
    let origin = c.clock.origin_ns;
    let mut out = Ladder {
        flow,
        a: Vec::new(),
        b: Vec::new(),
        truncated: false,
    };
    for dir in 0..2 {
        let fa = ia.and_then(|i| sa.get(i)).map_or(&[][..], |f| &f[dir][..]);
        let fb = b_frames(ib.and_then(|i| sb.get(i)), flip, dir);
        let p = pair_direction(a, b, c, &marks, fa, fb);
        let rung =
            |side: &Analyzer, (i, kind, peer): (u32, &'static str, Option<u32>), t: i64| Rung {
                no: u64::from(i) + 1,
                t: (t - origin) as f64 / 1e9,
                dir: dir as u8,
                kind,
                peer: peer.map(|p| u64::from(p) + 1),
                label: label(side, i),
            };
        for e in p.a {
            let t = a.index().records.get(e.0 as usize).map_or(0, |r| r.ts_ns);
            out.a.push(rung(a, e, t));
        }
        for e in p.b {
            let t = b.index().records.get(e.0 as usize).map_or(0, |r| r.ts_ns);
            out.b
                .push(rung(b, e, c.clock.b_frame_to_a_ns(e.0 as usize, t)));
        }
    }
    for side in [&mut out.a, &mut out.b] {
        crate::sort::sort_by_key(side, |r| r.no);
        if side.len() > MAX_LADDER_FRAMES {
            side.truncate(MAX_LADDER_FRAMES);
            out.truncated = true;
        }
    }
    Some(out)
}
