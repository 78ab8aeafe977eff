//! `slow_response`: a server that took long to answer a request — per TCP stream, the time from
//! the client's request (its last original data segment) to the server's first response data,
//! the server's think time as this capture point sees it — separated from the network round
//! trip with what the packets show:
//! - the handshake's round trip (`tcp.analysis.initial_rtt`);
//! - the server's acknowledgement of the request: when the server ACKed the request promptly
//!   (about one round trip) but sent its data late, its TCP stack had the request and the delay
//!   is in the server application (or in whatever answers for it, a proxy or load balancer);
//!   when even the ACK was late, the request was slow to reach the server's TCP stack (loss on
//!   the path, which then also shows as a retransmitted request, or a starved server).
//!
//! One finding per server endpoint whose slowest response took at least the threshold
//! ([`Options::slow_response_ns`](super::Options), 1 s by default), built from its slowest
//! turn, with the server's other connections ranked in `details`. A response measured from a
//! client-side trace includes one network round trip; as the seed says, only a trace taken on
//! the server at the same time tells whether a device in between held the response.

use super::render;
use super::streams::{TcpStreams, Turn, CLIENT_IS_B, NO_TURN};
use super::text::{self, frame_no, Named};
use super::{Details, Finding, Kind, Options, Severity};
use crate::capture::FileInfo;
use crate::decode::AppInfo;
use crate::flows::Flows;
use crate::index::PacketIndex;
use crate::tcp::TcpAnalysis;
use std::collections::BTreeMap;

/// The default threshold: 1 s.
pub const DEFAULT_THRESHOLD_NS: i64 = 1_000_000_000;
/// At most this many findings (servers); the rest are summarised in the last one.
pub const MAX_SERVERS: usize = 20;
/// At most this many responses are ranked in a finding's details.
pub const RANKED: usize = 10;
/// A server's delayed-ACK timer: an ACK within one round trip plus this counts as prompt.
pub const DELAYED_ACK_NS: i64 = 200_000_000;

pub fn detect(index: &PacketIndex, flows: &Flows, _files: &[FileInfo]) -> Vec<Finding> {
    let tcp = super::streams::tcp_analysis(index, flows);
    let options = Options::default();
    let streams = TcpStreams::collect(index, flows, &tcp, options.slow_response_ns);
    from_streams(index, flows, &tcp, &streams, &options)
}

/// Where the time went, as far as the packets tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blame {
    /// The server acknowledged the request promptly and answered late.
    ServerApplication,
    /// Even the server's acknowledgement was late.
    PathOrServerStack,
    /// The response was the first acknowledgement: the capture cannot split the time.
    Undetermined,
}

impl Blame {
    fn as_str(self) -> &'static str {
        match self {
            Blame::ServerApplication => "server_application",
            Blame::PathOrServerStack => "path_or_server_stack",
            Blame::Undetermined => "undetermined",
        }
    }
}

/// One measured response with what is known around it.
pub(crate) struct Measured {
    pub turn: Turn,
    pub client: (u32, u16),
    pub server: (u32, u16),
    pub stream_number: Option<u32>,
    /// The handshake's round trip, and from the request to the server's ACK of it.
    pub rtt_ns: Option<i64>,
    pub ack_ns: Option<i64>,
}

impl Measured {
    pub(crate) fn blame(&self) -> Blame {
        let Some(ack) = self.ack_ns else {
            return Blame::Undetermined;
        };
        let prompt = match self.rtt_ns {
            Some(rtt) => ack <= (2 * rtt).max(rtt + DELAYED_ACK_NS),
            None => ack <= DELAYED_ACK_NS.max(self.turn.think_ns / 4),
        };
        if prompt {
            Blame::ServerApplication
        } else {
            Blame::PathOrServerStack
        }
    }
}

fn measure(index: &PacketIndex, flows: &Flows, tcp: &TcpAnalysis, turn: &Turn) -> Option<Measured> {
    let stream = flows.streams.get(turn.stream as usize)?;
    let ends = flows.ends(stream, &index.records);
    let (client, server) = if turn.client_dir == 0 {
        (ends.a, ends.b)
    } else {
        (ends.b, ends.a)
    };
    Some(Measured {
        turn: *turn,
        client,
        server,
        stream_number: Some(stream.number),
        rtt_ns: tcp
            .streams
            .get(turn.stream as usize)
            .and_then(|f| f.initial_rtt())
            .map(|(ns, _)| ns)
            .filter(|&ns| ns > 0),
        ack_ns: turn
            .ack
            .and_then(|a| text::between(index, turn.request_last, a))
            .filter(|&ns| ns >= 0),
    })
}

/// What the request was, when the dissectors tell.
pub(crate) enum Request<'a> {
    Http { method: &'a str, uri: &'a str },
    TlsHello { server_name: Option<&'a str> },
}

/// The request's label (`GET /path`), when the dissectors tell what it was.
fn request_label(index: &PacketIndex, frame: u32) -> Option<String> {
    let request = match index.apps.get(frame)? {
        AppInfo::HttpRequest { method, uri, .. } => Request::Http { method, uri },
        AppInfo::Tls {
            handshake_type: Some(1),
            server_name,
            ..
        } => Request::TlsHello {
            server_name: server_name.as_deref(),
        },
        _ => return None,
    };
    Some(render::slow_response::label(&request))
}

pub fn from_streams(
    index: &PacketIndex,
    flows: &Flows,
    tcp: &TcpAnalysis,
    streams: &TcpStreams,
    options: &Options,
) -> Vec<Finding> {
    let threshold = options.slow_response_ns.max(0);
    let mut by_server: BTreeMap<(u32, u16), Vec<Measured>> = BTreeMap::new();
    for turn in streams.turns.iter().filter(|t| t.think_ns >= threshold) {
        if let Some(m) = measure(index, flows, tcp, turn) {
            by_server.entry(m.server).or_default().push(m);
        }
    }
    if by_server.is_empty() {
        return Vec::new();
    }
    // Every measured connection to those servers (its slowest turn), for the median.
    let mut all: BTreeMap<(u32, u16), Vec<u32>> =
        by_server.keys().map(|&k| (k, Vec::new())).collect();
    for (stream, &us) in flows.streams.iter().zip(&streams.slowest_us) {
        if us == NO_TURN {
            continue;
        }
        let ends = flows.ends(stream, &index.records);
        let server = if us & CLIENT_IS_B != 0 {
            ends.a
        } else {
            ends.b
        };
        if let Some(list) = all.get_mut(&server) {
            list.push(us & !CLIENT_IS_B);
        }
    }
    let mut groups: Vec<(Vec<Measured>, Vec<u32>)> = by_server
        .into_iter()
        .map(|(server, mut list)| {
            crate::sort::sort_by(&mut list, |a, b| {
                b.turn
                    .think_ns
                    .cmp(&a.turn.think_ns)
                    .then(a.turn.response.cmp(&b.turn.response))
            });
            let mut times = all.remove(&server).unwrap_or_default();
            times.sort_unstable();
            (list, times)
        })
        .collect();
    crate::sort::sort_by_key(&mut groups, |(g, _)| {
        g.first().map_or(u32::MAX, |m| m.turn.request_first)
    });
    super::one_by_one_then_rest(
        &groups,
        MAX_SERVERS,
        |(g, all)| finding(index, g, all, threshold),
        |rest| {
            let slow: usize = rest.iter().map(|(g, _)| g.len()).sum();
            let (verdict, explanation) = render::slow_response::more(rest.len(), threshold, slow);
            Finding::new(Kind::SlowResponse, Severity::Warning, verdict, explanation)
                .evidence(
                    rest.iter()
                        .filter_map(|(g, _)| g.first())
                        .map(|m| m.turn.response),
                )
                .details(
                    Details::new()
                        .with("servers", rest.len())
                        .with("slow_responses", slow)
                        .with("threshold_s", text::seconds(threshold)),
                )
        },
    )
}

/// What one slow server's finding tells, before any wording.
pub(crate) struct SlowFacts<'a> {
    /// The slowest response.
    pub lead: &'a Measured,
    /// The server's and client's endpoints and addresses.
    pub server: Named,
    pub client: Named,
    /// What the request was (`GET /path`), when known.
    pub label: Option<String>,
    /// Slow responses, measured connections, and the median of their slowest responses.
    pub slow: usize,
    pub measured: usize,
    pub median_ns: Option<i64>,
    pub threshold_ns: i64,
}

/// One server's finding from its slow responses (slowest first) and the slowest-turn times of
/// all its measured connections (microseconds, ascending).
fn finding(index: &PacketIndex, group: &[Measured], all_us: &[u32], threshold: i64) -> Finding {
    let lead = &group[0];
    let t = &lead.turn;
    let f = SlowFacts {
        lead,
        server: Named::of(index, lead.server),
        client: Named::of(index, lead.client),
        label: request_label(index, t.request_first),
        slow: group.len(),
        measured: all_us.len().max(group.len()),
        median_ns: all_us.get(all_us.len() / 2).map(|&us| i64::from(us) * 1000),
        threshold_ns: threshold,
    };
    let verdict = render::slow_response::verdict(&f);
    let explanation = render::slow_response::explanation(&f);
    let mut frames = vec![t.request_first, t.request_last, t.response];
    frames.extend(t.ack);
    for m in group.iter().skip(1) {
        frames.push(m.turn.request_last);
        frames.push(m.turn.response);
    }
    let numbers: Vec<u32> = group.iter().filter_map(|m| m.stream_number).collect();
    // At most 50 streams in the filter.
    let filter = text::streams_filter(&numbers[..numbers.len().min(50)]);
    Finding::new(Kind::SlowResponse, Severity::Warning, verdict, explanation)
        .evidence(frames)
        .stream(if group.len() == 1 {
            lead.stream_number
        } else {
            None
        })
        .filter(filter)
        .details(details(&f, group))
}

/// The numbers of one slow server's finding, with its slowest responses ranked.
fn details(f: &SlowFacts<'_>, group: &[Measured]) -> Details {
    let (lead, t) = (f.lead, &f.lead.turn);
    let ranked: Vec<&Measured> = group.iter().take(RANKED).collect();
    Details::new()
        .with("server", f.server.endpoint.clone())
        .with("client", f.client.endpoint.clone())
        .with("port", lead.server.1)
        .with("request", f.label.clone())
        .with("request_frame", frame_no(t.request_first))
        .with("request_last_frame", frame_no(t.request_last))
        .with("request_bytes", t.request_bytes)
        .with("ack_frame", t.ack.map(frame_no))
        .with("response_frame", frame_no(t.response))
        .with("response_time_s", text::seconds(t.think_ns))
        .with("ack_time_s", lead.ack_ns.map(text::seconds))
        .with(
            "after_ack_s",
            lead.ack_ns
                .map(|a| text::seconds(t.think_ns.saturating_sub(a))),
        )
        .with("handshake_rtt_s", lead.rtt_ns.map(text::seconds))
        .with("blame", f.lead.blame().as_str())
        .with("request_retransmitted", t.request_retransmitted)
        .with("threshold_s", text::seconds(f.threshold_ns))
        .with("slow_connections", f.slow)
        .with("measured_connections", f.measured)
        .with("median_response_s", f.median_ns.map(text::seconds))
        .with(
            "ranked_streams",
            ranked
                .iter()
                .map(|m| m.stream_number.map_or(-1, i64::from))
                .collect::<Vec<i64>>(),
        )
        .with(
            "ranked_response_s",
            ranked
                .iter()
                .map(|m| text::seconds(m.turn.think_ns))
                .collect::<Vec<f64>>(),
        )
        .with(
            "ranked_ack_s",
            ranked
                .iter()
                .map(|m| m.ack_ns.map(text::seconds))
                .collect::<Vec<Option<f64>>>(),
        )
        .with(
            "ranked_response_frames",
            ranked
                .iter()
                .map(|m| frame_no(m.turn.response))
                .collect::<Vec<u64>>(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connections::attempts::tests::index_of;
    use crate::connections::attempts::{ACK, SYN};
    use crate::findings::streams::tests::tcp;

    const C: (u32, u16) = (1, 45221);
    const S: (u32, u16) = (2, 80);

    fn run(records: Vec<crate::index::PacketRecord>, threshold_ms: i64) -> Vec<Finding> {
        let (index, flows) = index_of(records);
        let tcp = crate::findings::streams::tcp_analysis(&index, &flows);
        let options = Options {
            slow_response_ns: threshold_ms * 1_000_000,
        };
        let streams = TcpStreams::collect(&index, &flows, &tcp, options.slow_response_ns);
        from_streams(&index, &flows, &tcp, &streams, &options)
    }

    /// The seed's example: the SYN-ACK after 250 ms, a 355-byte GET, the server's ACK and its
    /// first data (times in ms after the GET). Times start at 1 s (a SYN at time 0 sets no RTT,
    /// as in Wireshark).
    fn seed_like(ack_ms: i64, response_ms: i64) -> Vec<crate::index::PacketRecord> {
        vec![
            tcp(1000, C, S, 100, 0, SYN, 0),
            tcp(1250, S, C, 500, 101, SYN | ACK, 0),
            tcp(1250, C, S, 101, 501, ACK, 0),
            tcp(1250, C, S, 101, 501, ACK, 355),
            tcp(1250 + ack_ms, S, C, 501, 456, ACK, 0),
            tcp(1250 + response_ms, S, C, 501, 456, ACK, 1460),
        ]
    }

    #[test]
    fn a_prompt_ack_and_a_late_response_blame_the_server_application() {
        let findings = run(seed_like(266, 4297), 1000);
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(f.severity, Severity::Warning);
        // GET at 1250 ms, first data at 1250 + 4297 ms → 4.297 s, shown as 4.30 s (≥ 1 s).
        assert!(f
            .verdict
            .starts_with("10.0.0.2:80 took 4.30 s to answer 10.0.0.1's request"));
        // The server's ACK 266 ms after the GET: within max(2 × 250, 250 + 200) = 500 ms of the
        // handshake's round trip (SYN at 1000, ACK at 1250 ms → 250 ms), so prompt.
        assert!(f
            .verdict
            .contains("after 266 ms, so the delay is in the server application"));
        // 4297 − 266 = 4031 ms → 4.03 s.
        assert!(f
            .explanation
            .contains("then its first data came 4.03 s later"));
        // Frames 1-based: the GET, the ACK and the response are records 3, 4, 5.
        assert_eq!(f.frames, vec![4, 5, 6]);
        assert_eq!(
            f.details.get("blame").and_then(|d| d.as_str()),
            Some("server_application")
        );
    }

    #[test]
    fn a_late_ack_blames_the_path_or_the_server_stack() {
        let f = &run(seed_like(2500, 4297), 1000)[0];
        // ACK 2500 ms after the GET → 2.50 s, beyond the 500 ms a prompt ACK may take; round
        // trip SYN (1000 ms) → ACK (1250 ms) = 250 ms.
        assert!(
            f.verdict
                .contains("even its acknowledgement took 2.50 s (round trip 250 ms)"),
            "{}",
            f.verdict
        );
    }

    #[test]
    fn a_fast_response_or_a_higher_threshold_gives_nothing() {
        // Answered 40 ms after the GET: under the 1000 ms threshold.
        assert!(run(seed_like(10, 40), 1000).is_empty());
        // 4297 ms < a 5000 ms threshold.
        assert!(run(seed_like(266, 4297), 5000).is_empty());
    }
}
