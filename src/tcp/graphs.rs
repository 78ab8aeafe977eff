//! The numbers behind a TCP stream's graphs, per direction, as flat columns the page draws
//! without building an object per segment: the segments one side sent (time, unwrapped relative
//! sequence number, length, analysis flags, bytes in flight, throughput) and what the other side
//! sent back (acknowledgement, scaled receive window, SACK blocks, `ack_rtt`). One pass over the
//! stream's frames on top of the flows and the TCP analysis; sequence numbers are unwrapped past
//! 2^32 so a long transfer keeps climbing.

use super::TcpAnalysis;
use crate::decode::{TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN};
use crate::flows::{Flows, Stream};
use crate::index::PacketIndex;

/// Bits of [`DirectionGraph::seg_flags`] and [`DirectionGraph::ack_flags`] above the 16
/// analysis flags ([`super::flags`]).
pub mod bit {
    pub const SYN: u32 = 1 << 16;
    pub const FIN: u32 = 1 << 17;
    pub const RST: u32 = 1 << 18;
}

/// Segments over which throughput is averaged (tcptrace's moving average counts segments).
pub const THROUGHPUT_SEGMENTS: usize = 20;

/// One direction of a stream: the segments it sent and the other side's answers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DirectionGraph {
    /// 1-based frame numbers of the segments this direction sent (every one, data or not).
    pub seg_frame: Vec<u32>,
    /// Seconds since the capture's first frame.
    pub seg_time: Vec<f64>,
    /// Relative sequence number, unwrapped.
    pub seg_seq: Vec<f64>,
    pub seg_len: Vec<u32>,
    /// Analysis flags (low 16 bits) and [`bit`]s.
    pub seg_flags: Vec<u32>,
    /// `tcp.analysis.bytes_in_flight`, NaN where none is shown.
    pub seg_in_flight: Vec<f64>,
    /// Bits per second over the last [`THROUGHPUT_SEGMENTS`] segments (NaN for the first one).
    pub seg_throughput: Vec<f64>,
    /// Frames the other direction sent with the ACK flag (its SYN+ACK included).
    pub ack_frame: Vec<u32>,
    pub ack_time: Vec<f64>,
    /// Acknowledgement number relative to this direction's base, unwrapped.
    pub ack_seq: Vec<f64>,
    /// Receive window after scaling (NaN when unknown).
    pub ack_window: Vec<f64>,
    pub ack_flags: Vec<u32>,
    /// `tcp.analysis.ack_rtt` in seconds, NaN where none.
    pub ack_rtt: Vec<f64>,
    /// SACK blocks as triples (index into the ack columns, left edge, right edge), relative and
    /// unwrapped like `ack_seq`.
    pub sack: Vec<f64>,
}

/// Unwraps 32-bit relative sequence numbers into a line that keeps climbing past 2^32.
#[derive(Debug, Default)]
struct Unwrap {
    last: Option<i64>,
}

impl Unwrap {
    fn at(&mut self, value: u32) -> f64 {
        let unwrapped = match self.last {
            None => i64::from(value),
            Some(last) => last + i64::from(value.wrapping_sub(last as u32) as i32),
        };
        self.last = Some(unwrapped);
        unwrapped as f64
    }
    /// Unwraps near the last value without moving it (for ACKs and SACK edges).
    fn near(&self, value: u32) -> f64 {
        match self.last {
            None => f64::from(value),
            Some(last) => (last + i64::from(value.wrapping_sub(last as u32) as i32)) as f64,
        }
    }
}

/// The graph of stream `id` (index into [`Flows::streams`]) for the data direction `dir` (0:
/// A→B, A being the source of the stream's first frame).
pub fn direction_graph(
    index: &PacketIndex,
    flows: &Flows,
    tcp: &TcpAnalysis,
    id: usize,
    dir: usize,
) -> DirectionGraph {
    let mut out = DirectionGraph::default();
    let Some(stream) = flows.streams.get(id) else {
        return out;
    };
    let ends = flows.ends(stream, &index.records);
    let first = crate::summary::first_time(index);
    let mut seq_line = Unwrap::default();
    for frame in flows.frames_of(id) {
        if flows.is_quoted(frame) {
            continue;
        }
        let i = frame as usize;
        let Some(record) = index.records.get(i).filter(|r| r.is_tcp()) else {
            continue;
        };
        let time = (record.ts_ns - first) as f64 / 1e9;
        let flags = u32::from(tcp.segment(i).flags()) | header_bits(record.tcp_flags);
        let frame_dir = ends.direction_of(&record);
        if frame_dir == dir {
            let (seq, _) = stream.relative(&record, frame_dir);
            let seg = tcp.segment(i);
            out.seg_frame.push(i as u32 + 1);
            out.seg_time.push(time);
            out.seg_seq.push(seq_line.at(seq));
            out.seg_len.push(record.payload_len());
            out.seg_flags.push(flags);
            out.seg_in_flight
                .push(if seg.shown() && seg.bytes_in_flight != 0 {
                    f64::from(seg.bytes_in_flight)
                } else {
                    f64::NAN
                });
        } else if u16::from(record.tcp_flags) & TCP_ACK != 0 {
            let (_, ack) = stream.relative(&record, frame_dir);
            let at = out.ack_frame.len() as f64;
            out.ack_frame.push(i as u32 + 1);
            out.ack_time.push(time);
            out.ack_seq.push(seq_line.near(ack));
            let window = tcp.scaled_window(flows, index, i);
            out.ack_window.push(window.map_or(f64::NAN, f64::from));
            out.ack_flags.push(flags);
            let rtt = tcp.ack_rtt_ns(index, i);
            out.ack_rtt.push(rtt.map_or(f64::NAN, |ns| ns as f64 / 1e9));
            push_sacks(&mut out.sack, at, index, stream, dir, i, &seq_line);
        }
    }
    out.seg_throughput = throughput(&out.seg_time, &out.seg_len, THROUGHPUT_SEGMENTS);
    out
}

/// SYN, FIN and RST as [`bit`]s.
fn header_bits(tcp_flags: u8) -> u32 {
    let flags = u16::from(tcp_flags);
    let mut bits = 0;
    if flags & TCP_SYN != 0 {
        bits |= bit::SYN;
    }
    if flags & TCP_FIN != 0 {
        bits |= bit::FIN;
    }
    if flags & TCP_RST != 0 {
        bits |= bit::RST;
    }
    bits
}

/// The SACK blocks frame `i` carries, relative to direction `dir`'s base.
fn push_sacks(
    out: &mut Vec<f64>,
    at: f64,
    index: &PacketIndex,
    stream: &Stream,
    dir: usize,
    i: usize,
    line: &Unwrap,
) {
    let base = stream.base_seq(dir).unwrap_or(0);
    for &(left, right) in index.tcp_sack(i as u32) {
        out.push(at);
        out.push(line.near(left.wrapping_sub(base)));
        out.push(line.near(right.wrapping_sub(base)));
    }
}

/// Bits per second over a moving window of `span` segments: the bytes of the segments after the
/// window's first one, over the time since it (NaN while no time has passed).
pub fn throughput(time: &[f64], len: &[u32], span: usize) -> Vec<f64> {
    let mut sums = Vec::with_capacity(len.len() + 1);
    sums.push(0u64);
    for &l in len {
        let last = sums.last().copied().unwrap_or(0);
        sums.push(last + u64::from(l));
    }
    (0..time.len().min(len.len()))
        .map(|i| {
            let from = i.saturating_sub(span.max(1) - 1);
            let dt = time[i] - time[from];
            let bytes = sums[i + 1] - sums[from + 1];
            if dt > 0.0 {
                bytes as f64 * 8.0 / dt
            } else {
                f64::NAN
            }
        })
        .collect()
}

#[cfg(test)]
mod graph_tests {
    use super::*;

    #[test]
    fn unwrapping_keeps_sequence_numbers_climbing_past_four_gigabytes() {
        let mut line = Unwrap::default();
        assert_eq!(line.at(4_294_967_000), 4_294_967_000.0);
        assert_eq!(line.at(200), 4_294_967_496.0);
        assert_eq!(line.near(4_294_967_200), 4_294_967_200.0);
    }

    #[test]
    fn a_zero_window_shows_on_the_receivers_acks() {
        let (analyzer, _) =
            crate::follow::tests::corpus("chrissanders/tcp_zerowindowrecovery.pcapng");
        let (index, flows, tcp) = (analyzer.index(), analyzer.flows(), analyzer.tcp());
        // A (192.168.0.20) only acknowledges; B→A carries the data.
        let g = direction_graph(index, flows, tcp, 0, 1);
        assert_eq!(&g.ack_frame[..4], &[1, 2, 3, 4]);
        assert_eq!(&g.ack_seq[..3], &[1.0, 2921.0, 5841.0]);
        assert_eq!(&g.ack_window[..3], &[8760.0, 5840.0, 2920.0]);
        assert_ne!(
            g.ack_flags[3] & u32::from(super::super::flags::ZERO_WINDOW),
            0
        );
        assert_eq!(g.seg_frame.len() + g.ack_frame.len(), flows.stream_of.len());
        assert!(g.seg_time.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn throughput_counts_bytes_after_the_window_start() {
        let t = [0.0, 1.0, 2.0, 2.0];
        let l = [100, 100, 100, 50];
        let tput = throughput(&t, &l, 3);
        assert!(tput[0].is_nan());
        assert_eq!(tput[1], 800.0);
        assert_eq!(tput[2], 800.0);
        // Window [1, 3]: 150 bytes after the first, over 1 s.
        assert_eq!(tput[3], 1200.0);
    }
}
