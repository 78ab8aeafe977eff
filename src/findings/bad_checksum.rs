//! `bad_checksum`: frames whose IPv4 header, TCP or UDP checksum is wrong, and why.
//!
//! Checksums need the frame bytes, which the detectors never read: when the analyzer is asked to
//! ([`Analyzer::set_checksum_validation`](crate::analyzer::Analyzer::set_checksum_validation)),
//! [`check`] runs on the frames while they are indexed — every frame of a file's first
//! [`CHECK_ALL_FRAMES`], then one in [`CHECK_ONE_IN`], which keeps large captures cheap (what the
//! detector explains affects every frame of a host or a conversation) — and the wrong ones are
//! kept in a sparse side table ([`PacketIndex::checksums`]) with by how much they are off. The
//! detector then explains them, most innocent explanation first:
//! - **checksum offload**: every wrong frame was sent by the capturing host (the host that
//!   appears in every conversation of its interface), or is larger than the link's MTU and was
//!   sent by it (segmentation offload) or received by it (segments merged by receive offload). The host handed the packet to its
//!   network card before the card filled in the checksum, so the capture holds a placeholder (0,
//!   or the partial pseudo-header sum offload leaves there). A note: not a network fault.
//! - **rewritten addresses**: in a conversation, every wrong checksum, in both directions, is off
//!   by the same amount. Changing addresses changes the pseudo-header sum by a constant (the same
//!   both ways), so the addresses were rewritten after the checksums were computed (an anonymised
//!   or edited trace). A note.
//! - **never filled in**: the wrong checksums are all 0, from several hosts: a generated trace or
//!   one edited by a tool that left them empty. A note.
//! - anything else is a warning naming the hosts: corrupted on the way (a faulty card, cable or
//!   switch port) or modified by a device that did not fix the checksum.

use super::render;
use super::text::{self, address};
use super::{Details, Finding, Kind, Severity};
pub use crate::checksums::{bit, ChecksumIssue};

use crate::capture::FileInfo;
use crate::decode::{Decoded, Transport};
use crate::flows::Flows;
use crate::index::{PacketIndex, PacketRecord};
use crate::wire::bytes::be16;
use crate::wire::checksum::{fold, pseudo_header_ip as pseudo, sum};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// Every frame of a file's first this many is validated …
pub const CHECK_ALL_FRAMES: u32 = 100_000;
/// … then one frame in this many: offload and rewritten addresses affect every frame of a host
/// or conversation, so a sample finds them, and validation stays a small part of reading a
/// large capture.
pub const CHECK_ONE_IN: u32 = 8;

/// Whether frame `frame_index` (0-based, in its file) gets its checksums validated.
pub fn should_check(frame_index: u32) -> bool {
    frame_index < CHECK_ALL_FRAMES || frame_index % CHECK_ONE_IN == 0
}

/// Validates the innermost IPv4 header checksum and the TCP or UDP checksum of one decoded
/// frame. `None` when both are correct or cannot be told (truncated, a fragment, a UDP checksum
/// of 0, TCP options cut by the snapshot length). Never panics on hostile input.
pub fn check(d: &Decoded, data: &[u8]) -> Option<ChecksumIssue> {
    let (src, dst) = (d.src?, d.dst?);
    let mut issue = ChecksumIssue::default();
    let net = data.get(d.net_offset as usize..)?;
    if src.is_ipv4() && net.first().is_some_and(|b| b >> 4 == 4) {
        let ihl = usize::from(net[0] & 0x0f) * 4;
        if let Some(header) = net.get(..ihl).filter(|_| ihl >= 20) {
            let s = fold(sum(header, 0));
            if s != 0xffff {
                issue.bits |= bit::IP_BAD;
                issue.ip_delta = !s;
                if header[10..12] == [0, 0] {
                    issue.bits |= bit::IP_ZERO;
                }
            }
        }
    }
    if !d.fragment {
        let found = match &d.transport {
            Transport::Tcp(t) if !d.tcp_options_cut => Some((
                6u8,
                usize::from(t.header_len),
                usize::from(t.header_len).checked_add(d.payload_len as usize)?,
                16usize,
            )),
            Transport::Udp { length } => Some((17, 8, usize::from(*length), 6)),
            _ => None,
        };
        if let Some((protocol, header_len, declared, field)) = found {
            let start = (d.payload_offset as usize).checked_sub(header_len)?;
            let segment = data.get(start..start.checked_add(declared)?);
            let stored = segment.and_then(|s| be16(s, field));
            if let (Some(segment), Some(stored)) = (segment, stored) {
                let udp_unset = protocol == 17 && stored == 0;
                if declared >= header_len && !udp_unset {
                    let p = pseudo(&src, &dst, protocol, declared);
                    let s = fold(sum(segment, p));
                    if s != 0xffff {
                        issue.bits |= bit::TRANSPORT_BAD;
                        issue.transport_delta = !s;
                        if protocol == 17 {
                            issue.bits |= bit::UDP;
                        }
                        if stored == 0 {
                            issue.bits |= bit::TRANSPORT_ZERO;
                        }
                        let without_len = pseudo(&src, &dst, protocol, 0);
                        if stored == fold(p) || stored == fold(without_len) {
                            issue.bits |= bit::TRANSPORT_PARTIAL;
                        }
                    }
                }
            }
        }
    }
    (issue.bits != 0).then_some(issue)
}

/// At least this many wrong checksums in a conversation, in both directions, to call its
/// addresses rewritten.
pub const MIN_REWRITTEN: usize = 3;

/// A host as the capture sees it: by its link address when there is one, else by its IP
/// address id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Host {
    Mac([u8; 6]),
    Addr(u32),
}

fn is_group(index: &PacketIndex, id: u32) -> bool {
    match index.addrs.get(id) {
        Some(IpAddr::V4(a)) => a.is_multicast() || a.is_broadcast() || a.octets()[3] == 255,
        Some(IpAddr::V6(a)) => a.is_multicast(),
        None => true,
    }
}

/// The link-level sender and receiver of a unicast frame.
fn macs(index: &PacketIndex, r: &PacketRecord) -> Option<(Host, Host)> {
    let link = index.links.get(r.link);
    match (link.src, link.dst) {
        (Some(s), Some(d)) if s != [0; 6] && d != [0; 6] && d[0] & 1 == 0 => {
            Some((Host::Mac(s), Host::Mac(d)))
        }
        _ => None,
    }
}

/// Hosts present in every unicast IP conversation of one interface, by link address and by IP
/// address (`None` before the first conversation; an empty list when no host is in all), and
/// the source addresses seen behind each candidate link address.
#[derive(Debug, Clone, Default)]
struct Local {
    macs: Option<Vec<Host>>,
    addrs: Option<Vec<Host>>,
    /// (link address, distinct source addresses behind it, capped at `MAX_OWN_ADDRESSES + 1`).
    behind: Vec<(Host, Vec<u32>)>,
    /// Addresses (by id) that took part in a unicast conversation on this interface.
    unicast: Vec<bool>,
}

/// A host has a few addresses (IPv4, IPv6 global and link-local); a link address with more
/// source addresses behind it is a router's, relaying other hosts' packets.
const MAX_OWN_ADDRESSES: usize = 4;

fn narrow(set: &mut Option<Vec<Host>>, a: Host, b: Host) {
    match set {
        None => *set = Some(if a == b { vec![a] } else { vec![a, b] }),
        Some(list) => list.retain(|h| *h == a || *h == b),
    }
}

impl Local {
    /// Whether the host with link address `mac` (if the link has them) and IP address `addr`
    /// is the capturing host of this interface: the one present in every conversation — by
    /// link address when there is one (a host with several IP addresses shows them all behind
    /// it, and its broadcasts count too), unless a router's many addresses are behind it.
    fn is(&self, mac: Option<Host>, addr: Host) -> bool {
        match (mac, &self.macs) {
            (Some(m), Some(list)) => {
                let Host::Addr(id) = addr else { return false };
                // When one address takes part in every conversation, another address behind
                // the same link address must have had no unicast conversation of its own (a
                // host's second address sending only broadcasts, say).
                let addr_ok = match &self.addrs {
                    Some(own) if !own.is_empty() => {
                        own.contains(&addr)
                            || !self.unicast.get(id as usize).copied().unwrap_or(false)
                    }
                    _ => true,
                };
                addr_ok
                    && list.contains(&m)
                    && self
                        .behind
                        .iter()
                        .find(|(h, _)| *h == m)
                        .is_none_or(|(_, addrs)| addrs.len() <= MAX_OWN_ADDRESSES)
            }
            _ => self.addrs.as_ref().is_some_and(|l| l.contains(&addr)),
        }
    }
}

/// Whether every wrong checksum of a frame is a value offload leaves behind: 0 in the IPv4
/// header, the pseudo-header sum in TCP/UDP.
fn is_placeholder(info: ChecksumIssue) -> bool {
    let ip_ok = !info.has(bit::IP_BAD) || info.has(bit::IP_ZERO);
    let transport_ok = !info.has(bit::TRANSPORT_BAD) || info.has(bit::TRANSPORT_PARTIAL);
    ip_ok && transport_ok && (info.has(bit::IP_BAD) || info.has(bit::TRANSPORT_BAD))
}

/// The capturing host of each interface.
fn local_hosts(index: &PacketIndex) -> Vec<Local> {
    let mut out: Vec<Local> = Vec::new();
    for r in &index.records {
        if !r.is_ip() || r.src == 0 || r.dst == 0 {
            continue;
        }
        let iface = usize::from(r.iface);
        if iface >= out.len() {
            if iface > 4096 {
                continue;
            }
            out.resize(iface + 1, Local::default());
        }
        let local = &mut out[iface];
        let link = index.links.get(r.link);
        if let Some(src) = link.src.filter(|s| *s != [0; 6]) {
            let host = Host::Mac(src);
            let known = local.behind.len();
            match local.behind.iter_mut().find(|(h, _)| *h == host) {
                Some((_, addrs)) if addrs.len() <= MAX_OWN_ADDRESSES && !addrs.contains(&r.src) => {
                    addrs.push(r.src)
                }
                Some(_) => {}
                None if known < 64 => local.behind.push((host, vec![r.src])),
                None => {}
            }
        }
        if is_group(index, r.dst) {
            continue;
        }
        for id in [r.src, r.dst] {
            let id = id as usize;
            if id <= index.addrs.len() {
                if local.unicast.len() <= id {
                    local.unicast.resize(index.addrs.len() + 1, false);
                }
                local.unicast[id] = true;
            }
        }
        narrow(&mut local.addrs, Host::Addr(r.src), Host::Addr(r.dst));
        if let Some((s, d)) = macs(index, &r) {
            narrow(&mut local.macs, s, d);
        }
    }
    out
}

/// Whether the sender of `r` also sent TCP or UDP frames of ordinary size whose checksums were
/// validated and found correct.
fn sends_good_frames(index: &PacketIndex, r: &PacketRecord) -> bool {
    index.records.indexed().any(|(i, o)| {
        o.src == r.src
            && o.iface == r.iface
            && (o.is_tcp() || o.is_udp())
            && !oversized(&o)
            && o.caplen >= o.orig_len
            && index.checksums.get(i as u32).is_none()
    })
}

/// Frames larger than an Ethernet MTU: merged by receive offload (LRO/GRO) or built for
/// segmentation offload.
fn oversized(r: &PacketRecord) -> bool {
    r.ip_len() > 1500 || r.payload_len() > 1480
}

pub fn detect(index: &PacketIndex, _flows: &Flows, _files: &[FileInfo]) -> Vec<Finding> {
    if index.checksums_checked == 0 || index.checksums.is_empty() {
        return Vec::new();
    }
    let bad: Vec<(u32, ChecksumIssue, PacketRecord)> = index
        .checksums
        .iter()
        .filter_map(|(i, issue)| Some((i, *issue, index.records.get(i as usize)?)))
        .collect();
    if bad.is_empty() {
        return Vec::new();
    }
    let mut why: Vec<Why> = vec![Why::Unexplained; bad.len()];
    let rewritten_pairs = rewritten(&bad, &mut why);
    offloaded(index, &bad, &mut why);
    never_filled(&bad, &mut why);
    vec![finding(index, &bad, &why, &rewritten_pairs)]
}

/// A wrong checksum: its frame index, what is wrong, and its record.
type Bad = (u32, ChecksumIssue, PacketRecord);

/// Conversations whose wrong checksums are all off by the same amount: marks their frames
/// [`Why::Rewritten`] and returns them with that amount.
fn rewritten(bad: &[Bad], why: &mut [Why]) -> Vec<((u32, u32), u16)> {
    let mut pairs: BTreeMap<(u32, u32), Vec<usize>> = BTreeMap::new();
    for (n, (_, _, r)) in bad.iter().enumerate() {
        pairs
            .entry((r.src.min(r.dst), r.src.max(r.dst)))
            .or_default()
            .push(n);
    }
    let mut rewritten_pairs: Vec<((u32, u32), u16)> = Vec::new();
    for (&pair, members) in &pairs {
        // Rewriting changes the sum of both addresses, the same for both directions: ask for
        // wrong checksums both ways, and a few of them.
        let both_ways = members.iter().any(|&n| bad[n].2.src == pair.0)
            && members.iter().any(|&n| bad[n].2.src == pair.1);
        if members.len() < MIN_REWRITTEN || !both_ways {
            continue;
        }
        let constant = |b: u8, delta: fn(&ChecksumIssue) -> u16| {
            let mut values = members
                .iter()
                .map(|&n| &bad[n].1)
                .filter(|i| i.has(b))
                .map(delta);
            match values.next() {
                None => Some(None),
                Some(first) => values.all(|v| v == first).then_some(Some(first)),
            }
        };
        let partial = members.iter().any(|&n| {
            bad[n]
                .1
                .has(bit::TRANSPORT_PARTIAL | bit::TRANSPORT_ZERO | bit::IP_ZERO)
        });
        if let (Some(t), Some(ip)) = (
            constant(bit::TRANSPORT_BAD, |i| i.transport_delta),
            constant(bit::IP_BAD, |i| i.ip_delta),
        ) {
            if !partial && (t.is_some() || ip.is_some()) {
                rewritten_pairs.push((pair, t.or(ip).unwrap_or(0)));
                for &n in members {
                    why[n] = Why::Rewritten;
                }
            }
        }
    }

    rewritten_pairs
}

/// Checksum offload: the rest come from one host per interface, the capturing host — sent by
/// it, or larger than the MTU and sent (segmentation offload) or received (receive offload) by
/// it. Marks them when every interface's are explained so.
fn offloaded(index: &PacketIndex, bad: &[Bad], why: &mut [Why]) {
    let locals = local_hosts(index);
    let mut by_iface: BTreeMap<u16, Vec<usize>> = BTreeMap::new();
    for (n, (_, _, r)) in bad.iter().enumerate() {
        if why[n] == Why::Unexplained {
            by_iface.entry(r.iface).or_default().push(n);
        }
    }
    let side = |r: &PacketRecord, sender: bool| -> (Option<Host>, Host) {
        let link = index.links.get(r.link);
        let mac = |m: Option<[u8; 6]>| m.filter(|m| *m != [0; 6] && m[0] & 1 == 0).map(Host::Mac);
        if sender {
            (mac(link.src), Host::Addr(r.src))
        } else {
            (mac(link.dst), Host::Addr(r.dst))
        }
    };
    let mut offload: Vec<(usize, Why)> = Vec::new();
    let mut offload_ok = true;
    for (iface, members) in &by_iface {
        let Some(local) = locals.get(usize::from(*iface)) else {
            offload_ok = false;
            break;
        };
        let (big, normal): (Vec<usize>, Vec<usize>) =
            members.iter().partition(|&&n| oversized(&bad[n].2));
        // The capturing host: the one sender of the ordinary frames, or of the oversized ones,
        // or their one receiver.
        let one = |list: &[usize], sender: bool| -> Option<Host> {
            let mut host: Option<Host> = None;
            for &n in list {
                let (mac, addr) = side(&bad[n].2, sender);
                if !local.is(mac, addr) {
                    return None;
                }
                let who = mac.unwrap_or(addr);
                if *host.get_or_insert(who) != who {
                    return None;
                }
            }
            host
        };
        let host = if normal.is_empty() {
            // Only oversized frames: sent with segmentation offload, or received with receive
            // offload. A sender whose other frames carry good checksums does not leave
            // placeholders, so then they were received.
            let sender_clean = big
                .first()
                .is_some_and(|&n| sends_good_frames(index, &bad[n].2));
            if sender_clean {
                one(&big, false).or_else(|| one(&big, true))
            } else {
                one(&big, true).or_else(|| one(&big, false))
            }
        } else {
            one(&normal, true)
        };
        let Some(host) = host else {
            // No single capturing host sent them all, yet every checksum is exactly the
            // placeholder offload leaves (0 in the IP header, the pseudo-header sum in TCP/UDP):
            // corruption does not land on those values. Several hosts inside the capturing
            // machine (VMs and containers on a virtual bridge) hand packets over that way.
            if members.iter().all(|&n| is_placeholder(bad[n].1)) {
                offload.extend(members.iter().map(|&n| (n, Why::VirtualOffload)));
                continue;
            }
            offload_ok = false;
            break;
        };
        offload.extend(normal.iter().map(|&n| (n, Why::Offload)));
        for &n in &big {
            let r = &bad[n].2;
            let is = |sender: bool| {
                let (mac, addr) = side(r, sender);
                mac.unwrap_or(addr) == host
            };
            if is(true) {
                offload.push((n, Why::SegmentOffload));
            } else if is(false) {
                offload.push((n, Why::ReceiveOffload));
            } else {
                offload_ok = false;
            }
        }
    }
    if offload_ok {
        for (n, w) in offload {
            why[n] = w;
        }
    }
}

/// Zero checksums from several hosts: never filled in.
fn never_filled(bad: &[Bad], why: &mut [Why]) {
    let unexplained: Vec<usize> = (0..bad.len())
        .filter(|&n| why[n] == Why::Unexplained)
        .collect();
    let all_zero = !unexplained.is_empty()
        && unexplained.iter().all(|&n| {
            let i = &bad[n].1;
            (!i.has(bit::TRANSPORT_BAD) || i.has(bit::TRANSPORT_ZERO))
                && (!i.has(bit::IP_BAD) || i.has(bit::IP_ZERO))
        });
    if all_zero {
        for n in unexplained {
            why[n] = Why::NeverFilled;
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    Offload,
    /// Offload placeholders from several hosts inside the capturing machine (VMs, containers).
    VirtualOffload,
    SegmentOffload,
    ReceiveOffload,
    Rewritten,
    NeverFilled,
    Unexplained,
}

/// How many frames have a wrong IPv4 header, TCP and UDP checksum.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Which {
    pub ip: u64,
    pub tcp: u64,
    pub udp: u64,
}

impl Which {
    fn of(frames: &[&Bad]) -> Self {
        let count = |p: &dyn Fn(&ChecksumIssue) -> bool| {
            frames.iter().filter(|(_, i, _)| p(i)).count() as u64
        };
        Which {
            ip: count(&|i| i.has(bit::IP_BAD)),
            tcp: count(&|i| i.has(bit::TRANSPORT_BAD) && !i.has(bit::UDP)),
            udp: count(&|i| i.has(bit::TRANSPORT_BAD) && i.has(bit::UDP)),
        }
    }
}

/// Frames with one explanation (or none), and who sent them.
pub(crate) struct Senders {
    pub frames: usize,
    pub which: Which,
    /// The senders' addresses with their frame counts, most frames first (at most 10).
    pub senders: Vec<(String, u64)>,
    /// How many distinct senders there are.
    pub distinct: usize,
}

impl Senders {
    fn of(index: &PacketIndex, frames: &[&Bad]) -> Self {
        let mut counts: BTreeMap<u32, u64> = BTreeMap::new();
        for (_, _, r) in frames {
            *counts.entry(r.src).or_default() += 1;
        }
        let mut list: Vec<(u32, u64)> = counts.into_iter().collect();
        crate::sort::sort_by(&mut list, |a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Senders {
            frames: frames.len(),
            which: Which::of(frames),
            senders: list
                .iter()
                .take(10)
                .map(|&(a, c)| (address(index, a), c))
                .collect(),
            distinct: list.len(),
        }
    }
    /// The senders' addresses (at most 10).
    pub fn names(&self) -> Vec<String> {
        self.senders.iter().map(|(a, _)| a.clone()).collect()
    }
}

/// Frames checksum offload explains.
pub(crate) struct Offload {
    pub frames: usize,
    pub which: Which,
    /// The capturing host's addresses, most frequent first (at most 4), and how many it has.
    pub hosts: Vec<String>,
    pub host_count: usize,
    /// Several hosts inside the capturing machine left placeholders.
    pub virtual_hosts: bool,
    /// Sent by the capturing host; larger than the MTU sent, and received, by it.
    pub sent: usize,
    pub segmented: usize,
    pub received: usize,
    /// Placeholders: 0, and the partial pseudo-header sum.
    pub zero: u64,
    pub partial: u64,
}

/// Conversations whose addresses were rewritten after the checksums were computed.
pub(crate) struct Rewritten {
    pub frames: usize,
    /// The first five conversations' addresses, how many there are, and by how much the first
    /// one's checksums are off.
    pub pairs: Vec<(String, String)>,
    pub pair_count: usize,
    pub delta: u16,
}

/// Everything the `bad_checksum` finding tells, before any wording.
pub(crate) struct ChecksumFacts {
    pub unexplained: Option<Senders>,
    pub offload: Option<Offload>,
    pub rewritten: Option<Rewritten>,
    pub never: Option<Senders>,
    /// Frames whose checksums were validated, of all frames.
    pub checked: u64,
    pub frames_total: u64,
}

fn offload_facts(index: &PacketIndex, bad: &[Bad], why: &[Why], offload: &[&Bad]) -> Offload {
    // The capturing host's addresses, most frequent first (a host has several: IPv4, IPv6,
    // one per interface captured).
    let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
    for ((_, _, r), w) in bad.iter().zip(why) {
        match w {
            Why::ReceiveOffload => *counts.entry(r.dst).or_default() += 1,
            Why::Offload | Why::VirtualOffload | Why::SegmentOffload => {
                *counts.entry(r.src).or_default() += 1
            }
            _ => {}
        }
    }
    let mut hosts: Vec<(u32, usize)> = counts.into_iter().collect();
    crate::sort::sort_by(&mut hosts, |a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let segmented = why.iter().filter(|&&w| w == Why::SegmentOffload).count();
    let received = why.iter().filter(|&&w| w == Why::ReceiveOffload).count();
    Offload {
        frames: offload.len(),
        which: Which::of(offload),
        hosts: hosts
            .iter()
            .take(4)
            .map(|&(h, _)| address(index, h))
            .collect(),
        host_count: hosts.len(),
        virtual_hosts: why.contains(&Why::VirtualOffload),
        sent: offload.len() - received - segmented,
        segmented,
        received,
        zero: offload
            .iter()
            .filter(|(_, i, _)| i.has(bit::TRANSPORT_ZERO) || i.has(bit::IP_ZERO))
            .count() as u64,
        partial: offload
            .iter()
            .filter(|(_, i, _)| i.has(bit::TRANSPORT_PARTIAL))
            .count() as u64,
    }
}

impl ChecksumFacts {
    fn gather(
        index: &PacketIndex,
        bad: &[Bad],
        why: &[Why],
        rewritten_pairs: &[((u32, u32), u16)],
    ) -> Self {
        let of = |w: &[Why]| -> Vec<&Bad> {
            bad.iter()
                .zip(why)
                .filter(|(_, y)| w.contains(y))
                .map(|(b, _)| b)
                .collect()
        };
        let offload = of(&[
            Why::Offload,
            Why::VirtualOffload,
            Why::SegmentOffload,
            Why::ReceiveOffload,
        ]);
        let rewritten = of(&[Why::Rewritten]);
        let senders = |list: Vec<&Bad>| (!list.is_empty()).then(|| Senders::of(index, &list));
        ChecksumFacts {
            unexplained: senders(of(&[Why::Unexplained])),
            offload: (!offload.is_empty()).then(|| offload_facts(index, bad, why, &offload)),
            rewritten: (!rewritten.is_empty()).then(|| Rewritten {
                frames: rewritten.len(),
                pairs: rewritten_pairs
                    .iter()
                    .take(5)
                    .map(|((a, b), _)| (address(index, *a), address(index, *b)))
                    .collect(),
                pair_count: rewritten_pairs.len(),
                delta: rewritten_pairs.first().map_or(0, |(_, d)| *d),
            }),
            never: senders(of(&[Why::NeverFilled])),
            checked: index.checksums_checked,
            frames_total: index.len() as u64,
        }
    }

    /// The finding's numbers, in their stable order.
    fn details(&self, all: Which, total: u64) -> Details {
        let mut details = Details::new().with("bad_frames", total);
        if let Some(u) = &self.unexplained {
            details.set("unexplained_frames", u.frames);
            details.set("unexplained_senders", u.names());
        }
        if let Some(o) = &self.offload {
            details.set("offload_frames", o.frames);
            details.set("capturing_host", o.hosts.clone());
            details.set("placeholder_zero", o.zero);
            details.set("placeholder_partial", o.partial);
            details.set("segmentation_offload_frames", o.segmented);
            details.set("receive_offload_frames", o.received);
        }
        if let Some(r) = &self.rewritten {
            details.set("rewritten_frames", r.frames);
            details.set("rewritten_conversations", render::bad_checksum::pairs(r));
        }
        if let Some(n) = &self.never {
            details.set("zero_frames", n.frames);
            details.set("zero_senders", n.names());
        }
        details.set("checked_frames", self.checked);
        details.set("frames_by_checksum", render::bad_checksum::which(all));
        details
    }
}

fn finding(
    index: &PacketIndex,
    bad: &[Bad],
    why: &[Why],
    rewritten_pairs: &[((u32, u32), u16)],
) -> Finding {
    let facts = ChecksumFacts::gather(index, bad, why, rewritten_pairs);
    let (verdict, explanation) = render::bad_checksum::text(&facts);
    let severity = Severity::warning_if(facts.unexplained.is_some());
    // Every frame the verdict counts, and a filter that selects exactly them (offload frames
    // are not all TCP/UDP first fragments, nor all from one host).
    let evidence: Vec<u32> = bad.iter().map(|(i, _, _)| *i).collect();
    let filter = text::frame_set_filter(&evidence);
    let all = Which::of(&bad.iter().collect::<Vec<_>>());
    Finding::new(Kind::BadChecksum, severity, verdict, explanation)
        .evidence(evidence)
        .filter(filter)
        .details(facts.details(all, bad.len() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random records, link addresses and checksum entries (frames past the end, any bits,
    /// interface numbers far out of range): the detector must survive them.
    #[test]
    fn hostile_checksum_tables_never_panic() {
        use crate::index::{flag, LinkAddrs};
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..30 {
            let mut index = PacketIndex::default();
            for a in [
                "10.0.0.1",
                "10.0.0.2",
                "10.0.0.255",
                "ff02::1",
                "::1",
                "192.0.2.1",
            ] {
                index.addrs.intern(a.parse().unwrap());
            }
            for m in 0..4u8 {
                index.links.intern(LinkAddrs {
                    src: Some([m, 1, 2, 3, 4, m]),
                    dst: Some([m & 1, 9, 9, 9, 9, m]),
                    vlan: None,
                });
            }
            for _ in 0..300 {
                let v = next();
                index.records.push(PacketRecord {
                    src: (v % 8) as u32,
                    dst: ((v >> 3) % 8) as u32,
                    link: ((v >> 6) % 6) as u32,
                    iface: if round % 4 == 0 { (v >> 9) as u16 } else { 0 },
                    ip_len_raw: (v >> 20) as u16,
                    payload_lo: (v >> 36) as u16,
                    caplen: (v >> 40) as u32 % 2000,
                    orig_len: (v >> 44) as u32 % 2000,
                    ip_proto: [6u8, 17, 1][(v >> 52) as usize % 3],
                    flags: flag::IPV4 | flag::TRANSPORT,
                    ..PacketRecord::default()
                });
            }
            let mut key = 0u32;
            for _ in 0..120 {
                key += 1 + (next() % 4) as u32;
                let v = next();
                index.checksums.push(
                    key,
                    ChecksumIssue {
                        bits: v as u8,
                        ip_delta: (v >> 8) as u16 % 3,
                        transport_delta: (v >> 24) as u16 % 3,
                    },
                );
            }
            index.checksums_checked = index.records.len() as u64;
            let flows = Flows::build(&index);
            let findings = detect(&index, &flows, &[]);
            // `detect` returns either nothing or one finding for the whole capture
            // (`vec![finding(..)]`), whatever the table holds.
            assert!(findings.len() <= 1);
        }
    }

    #[test]
    fn hostile_decodes_never_panic() {
        let d = Decoded {
            src: Some("10.0.0.1".parse().unwrap()),
            dst: Some("10.0.0.2".parse().unwrap()),
            net_offset: 90,
            payload_offset: 3,
            payload_len: u32::MAX,
            transport: Transport::Udp { length: 65535 },
            ..Decoded::default()
        };
        for len in 0..120 {
            let data = vec![0x45u8; len];
            let _ = check(&d, &data);
        }
    }
}
