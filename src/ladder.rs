//! The ladder (flow) diagram of a set of frames — one TCP stream, or the frames a display filter
//! selected: the endpoints become columns (in order of first appearance, at most
//! [`MAX_COLUMNS`], the rest sharing an "other" column), every frame an arrow from its source
//! column to its destination column, labelled with its packet-list Info text and marked when
//! the TCP analysis flags a problem. The columns are found over every frame; the arrows are
//! handed out a page at a time.

use crate::flows::Flows;
use crate::hash::HashMap;
use crate::index::{PacketIndex, PacketRecord};
use crate::summary;
use crate::tcp::TcpAnalysis;
use serde::Serialize;

/// Columns drawn at most; endpoints beyond share the last one.
pub const MAX_COLUMNS: usize = 12;

/// The name of the shared column for endpoints beyond [`MAX_COLUMNS`].
pub const OTHER_COLUMN: &str = "(other endpoints)";

/// One arrow: a frame from column `from` to column `to`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Arrow {
    /// 1-based frame number.
    pub no: u64,
    /// Seconds since the capture's first frame.
    pub time: f64,
    pub from: usize,
    pub to: usize,
    pub protocol: String,
    /// The packet list's Info text (for TCP: analysis prefix, ports, flags, seq/ack, length).
    pub label: String,
    /// The packet list's colour class ("bad" for TCP problems, "warn", "tcp", "udp", …).
    pub class: &'static str,
    /// The TCP analysis flags a problem on this frame.
    pub problem: bool,
}

/// A page of the ladder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LadderPage {
    pub columns: Vec<String>,
    /// Frames in the whole ladder.
    pub total: usize,
    /// Position of the first arrow of this page among all.
    pub start: usize,
    pub arrows: Vec<Arrow>,
}

/// What identifies an endpoint column: an IP address, else a link address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Endpoint {
    Ip(u32),
    Link(Option<[u8; 6]>),
}

fn endpoints(index: &PacketIndex, record: &PacketRecord) -> (Endpoint, Endpoint) {
    if record.is_ip() {
        return (Endpoint::Ip(record.src), Endpoint::Ip(record.dst));
    }
    let link = index.links.get(record.link);
    (Endpoint::Link(link.src), Endpoint::Link(link.dst))
}

fn name(index: &PacketIndex, endpoint: Endpoint) -> String {
    match endpoint {
        Endpoint::Ip(id) => index.addrs.get(id).map_or("?".into(), |a| a.to_string()),
        Endpoint::Link(Some(mac)) => summary::format_mac(&mac),
        Endpoint::Link(None) => "?".into(),
    }
}

/// Arrows `start..start+count` of the ladder of `frames` (0-based frame indexes, in order).
pub fn page(
    index: &PacketIndex,
    flows: &Flows,
    tcp: &TcpAnalysis,
    frames: &[u32],
    start: usize,
    count: usize,
) -> LadderPage {
    let mut column_of: HashMap<Endpoint, usize> = HashMap::default();
    let mut order: Vec<Endpoint> = Vec::new();
    let mut overflow = false;
    let mut place = |e: Endpoint, overflow: &mut bool| -> usize {
        if let Some(&at) = column_of.get(&e) {
            return at;
        }
        if order.len() + 1 >= MAX_COLUMNS {
            *overflow = true;
            return MAX_COLUMNS - 1;
        }
        order.push(e);
        column_of.insert(e, order.len() - 1);
        order.len() - 1
    };
    let mut sides = Vec::with_capacity(frames.len());
    for &i in frames {
        let Some(record) = index.records.get(i as usize) else {
            sides.push((0, 0));
            continue;
        };
        let (src, dst) = endpoints(index, &record);
        let from = place(src, &mut overflow);
        let to = place(dst, &mut overflow);
        sides.push((from, to));
    }
    let mut columns: Vec<String> = order.iter().map(|&e| name(index, e)).collect();
    if overflow {
        columns.push(OTHER_COLUMN.into());
    }
    let first = summary::first_time(index);
    let start = start.min(frames.len());
    let end = start.saturating_add(count).min(frames.len());
    let arrows = (start..end)
        .filter_map(|at| {
            let i = frames[at] as usize;
            index.records.get(i)?;
            let row = summary::row(index, flows, Some(tcp), i, first);
            let flags = tcp.segment(i);
            let (from, to) = sides[at];
            Some(Arrow {
                no: row.no,
                time: row.time,
                from,
                to,
                protocol: row.protocol,
                label: row.info,
                class: row.class,
                problem: flags.shown() && crate::tcp::flags::is_problem(flags.flags()),
            })
        })
        .collect();
    LadderPage {
        columns,
        total: frames.len(),
        start,
        arrows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retransmitting_stream_has_two_columns_and_red_arrows() {
        let (analyzer, _) = crate::follow::tests::corpus("chrissanders/tcp_retransmissions.pcapng");
        let frames = analyzer.tcp_stream_frames(0).expect("stream 0");
        let (index, flows, tcp) = (analyzer.index(), analyzer.flows(), analyzer.tcp());
        let ladder = page(index, flows, tcp, &frames, 0, 3);
        assert_eq!(ladder.columns, vec!["10.3.30.1", "10.3.71.7"]);
        assert_eq!(ladder.total, frames.len());
        assert_eq!(ladder.arrows.len(), 3);
        let first = &ladder.arrows[0];
        assert_eq!(
            (first.no, first.from, first.to, first.problem),
            (1, 0, 1, false)
        );
        assert!(first.label.contains("Len=648"), "{}", first.label);
        // Frame 2 repeats frame 1: a retransmission, drawn as a problem.
        assert!(ladder.arrows[1].problem);
        let later = page(index, flows, tcp, &frames, 2, 10);
        assert_eq!(later.start, 2);
        assert_eq!(later.arrows[0].no, 3);
    }
}
