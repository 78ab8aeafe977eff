//! HTTP messages and TLS records as Wireshark's TCP reassembly delivers them: a message or
//! record that spans several segments belongs to the frame that completes it (the segments
//! before it are "TCP segment of a reassembled PDU" and carry no `http` / `tls`), and one
//! frame may complete several. Built once per capture, the first time a filter reads an
//! `http` or `tls` field, from the payload bytes of the TCP segments on HTTP and TLS ports
//! only, walked per stream direction in frame order (retransmitted data is skipped, as
//! Wireshark does not hand it to the application dissector). Without frame bytes the filters
//! fall back to the index's per-segment labels.

use super::context::FrameBytes;
use crate::decode::{self, app::AppInfo, Transport};
use crate::flows::Flows;
use crate::hash::HashMap;
use crate::index::FrameLocation;
use crate::index::{flag, PacketIndex};
use crate::tcp::TcpAnalysis;
use crate::wire::bytes::{be16, be32};

/// TCP ports on which Wireshark 4.0 dissects HTTP by default (the `http.tcp.port` range).
pub const HTTP_PORTS: [u16; 10] = [80, 1900, 2710, 2869, 3128, 3132, 5985, 8080, 8088, 11371];

/// TCP ports on which TLS is dissected by default (HTTPS and the TLS-wrapped variants of
/// other protocols).
pub const TLS_PORTS: [u16; 16] = [
    443, 465, 563, 636, 853, 989, 990, 992, 993, 994, 995, 3269, 5061, 5223, 5671, 8883,
];

/// HTTP request methods Wireshark recognises at the start of a message.
const METHODS: [&str; 27] = [
    "GET",
    "POST",
    "HEAD",
    "PUT",
    "DELETE",
    "OPTIONS",
    "CONNECT",
    "PATCH",
    "TRACE",
    "PROPFIND",
    "PROPPATCH",
    "MKCOL",
    "COPY",
    "MOVE",
    "LOCK",
    "UNLOCK",
    "SEARCH",
    "REPORT",
    "CHECKOUT",
    "CHECKIN",
    "MERGE",
    "NOTIFY",
    "M-SEARCH",
    "SUBSCRIBE",
    "UNSUBSCRIBE",
    "MKACTIVITY",
    "UPDATE",
];

/// Headers longer than this are not reassembled further (a bound on memory).
const MAX_HEADERS: usize = 64 * 1024;
/// TLS records are at most 16 KiB plus expansion; anything larger is not a record.
const MAX_RECORD: usize = 18 * 1024 + 5;
/// Bytes all directions together may hold waiting for the end of a header block, a chunk line
/// or a TLS record. Each direction is bounded on its own ([`MAX_HEADERS`], [`MAX_RECORD`]), but
/// a capture of a million streams that each stop inside a header would still hold gigabytes;
/// past this budget the direction that grows is given up (as after a missing segment), so its
/// PDU is never completed — a capture that reaches it is hostile or broken.
const REASSEMBLY_BUDGET: usize = 64 << 20;

/// One HTTP message, complete in the frame it is listed under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpMessage {
    Request {
        method: String,
        uri: String,
        version: String,
        host: Option<String>,
    },
    Response {
        version: String,
        code: u16,
        reason: String,
    },
}

/// One TLS record, complete in the frame it is listed under.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsRecord {
    pub content_type: u8,
    /// A TLS 1.3 encrypted record: its type is the "opaque type" (`tls.record.opaque_type`),
    /// not a content type.
    pub opaque: bool,
    /// Types of the (unencrypted) handshake messages in the record.
    pub handshake_types: Vec<u8>,
    pub server_name: Option<String>,
}

/// HTTP messages and TLS records per frame index.
#[derive(Debug, Default)]
pub struct AppPdus {
    /// Frame → messages completed in it; an empty list marks continuation data, which
    /// Wireshark still shows as `http`.
    pub http: HashMap<u32, Vec<HttpMessage>>,
    /// Frame → records completed in it; empty for data that is not a TLS record.
    pub tls: HashMap<u32, Vec<TlsRecord>>,
}

/// What a direction of an HTTP stream is waiting for.
enum HttpState {
    /// A message start.
    Idle,
    /// Text that is not a message start, held until a line ends (Wireshark waits for a whole
    /// first line; then it shows the data as HTTP continuation).
    NoLine,
    /// The rest of the header block (the bytes so far).
    Headers(Vec<u8>),
    /// `n` more body bytes.
    Body(u64, HttpMessage),
    /// A chunked body.
    Chunked(Chunked, HttpMessage),
}

/// Position in a chunked body.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Chunked {
    /// Reading a chunk-size line (the bytes so far).
    Size(Vec<u8>),
    /// Chunk data left, then its CRLF.
    Data(u64),
    /// The CRLF after chunk data (bytes left).
    DataEnd(u8),
    /// Trailer lines after the last chunk (the current line so far).
    Trailer(Vec<u8>),
}

enum Protocol {
    Http(HttpState),
    Tls { pending: Vec<u8>, flags: TlsFlags },
}

/// One direction of a stream: where the next segment should start, and the protocol state.
struct Direction {
    next_seq: Option<u32>,
    protocol: Protocol,
}

impl Protocol {
    /// Drops a PDU that can no longer complete (a segment is missing).
    fn abandon(&mut self) {
        match self {
            Protocol::Http(state) => *state = HttpState::Idle,
            Protocol::Tls { pending, .. } => pending.clear(),
        }
    }

    /// Bytes held waiting for the rest of a PDU.
    fn held(&self) -> usize {
        match self {
            Protocol::Http(HttpState::Headers(head)) => head.len(),
            Protocol::Http(HttpState::Chunked(Chunked::Size(line) | Chunked::Trailer(line), _)) => {
                line.len()
            }
            Protocol::Http(_) => 0,
            Protocol::Tls { pending, .. } => pending.len(),
        }
    }
}

/// The bytes every direction holds together, against [`REASSEMBLY_BUDGET`].
struct HeldBytes {
    total: usize,
    budget: usize,
}

impl HeldBytes {
    /// Accounts for a direction that held `before` bytes and now holds what `protocol` holds;
    /// over the budget, the direction gives its PDU up. True when it did.
    fn settle(&mut self, protocol: &mut Protocol, before: usize) -> bool {
        let after = protocol.held();
        self.total = self.total - before.min(self.total) + after;
        if self.total <= self.budget {
            return false;
        }
        protocol.abandon();
        self.total -= after;
        true
    }
}

impl AppPdus {
    /// Walks every TCP segment with payload on an HTTP or TLS port.
    pub fn build(
        index: &PacketIndex,
        flows: &Flows,
        tcp: Option<&TcpAnalysis>,
        bytes: &dyn FrameBytes,
    ) -> AppPdus {
        let mut walk = Walk {
            index,
            flows,
            tcp,
            bytes,
            out: AppPdus::default(),
            directions: HashMap::default(),
            heuristic_streams: HashMap::default(),
            held: HeldBytes {
                total: 0,
                budget: REASSEMBLY_BUDGET,
            },
        };
        for i in 0..index.records.len() {
            walk.segment(i);
        }
        walk.out
    }
}

/// The walk over a capture's segments: the PDUs found so far and each direction's state.
struct Walk<'a> {
    index: &'a PacketIndex,
    flows: &'a Flows,
    tcp: Option<&'a TcpAnalysis>,
    bytes: &'a dyn FrameBytes,
    out: AppPdus,
    directions: HashMap<(u32, usize), Direction>,
    /// Streams off the HTTP/TLS ports that a heuristic claimed (true: HTTP), from that
    /// segment on, in both directions.
    heuristic_streams: HashMap<u32, bool>,
    held: HeldBytes,
}

impl<'a> Walk<'a> {
    /// Frame `i`: a quoted HTTP/TLS payload, or a segment handed to its direction's state.
    fn segment(&mut self, i: usize) {
        if let Some(http) = quoted_payload_protocol(self.index, i, self.bytes) {
            if http {
                self.out.http.insert(i as u32, Vec::new());
            } else {
                self.out.tls.insert(i as u32, Vec::new());
            }
            return;
        }
        let index = self.index;
        let record = &index.records.at(i);
        let Some((stream_id, by_port)) = self.candidate(i) else {
            return;
        };
        let Some(frame) = self.frame(i) else { return };
        let Some(payload) = tcp_payload(index, record, &frame) else {
            return;
        };
        let ports = [record.src_port, record.dst_port];
        let http = match self.heuristic_streams.get(&stream_id) {
            _ if by_port => ports.iter().any(|p| HTTP_PORTS.contains(p)),
            Some(&http) => http,
            None => match heuristic(payload) {
                Some(http) => *self.heuristic_streams.entry(stream_id).or_insert(http),
                None => return,
            },
        };
        let Some(stream) = self.flows.stream(i) else {
            return;
        };
        let key = (
            stream_id,
            self.flows.ends(stream, &index.records).direction_of(record),
        );
        let direction = self
            .directions
            .entry(key)
            .or_insert_with(|| Direction::new(http));
        let held_before = direction.protocol.held();
        // A gap before this segment: what was being reassembled never completes, and this
        // segment is dissected afresh.
        if direction
            .next_seq
            .is_some_and(|next| record.seq.wrapping_sub(next) as i32 > 0)
        {
            direction.protocol.abandon();
        }
        direction.next_seq = Some(record.seq.wrapping_add(record.payload_len()));
        let chose_tls13 = direction.feed(i as u32, payload, &mut self.out);
        self.held.settle(&mut direction.protocol, held_before);
        if chose_tls13 {
            // The other direction of a TLS 1.3 stream is encrypted from here on too.
            let reverse = self
                .directions
                .entry((stream_id, 1 - key.1))
                .or_insert_with(|| Direction::new(false));
            if let Protocol::Tls { flags, .. } = &mut reverse.protocol {
                flags.tls13 = true;
            }
        }
    }

    /// Whether frame `i` is a segment to hand to HTTP or TLS: its stream and whether its ports
    /// are HTTP/TLS ports (else a heuristic may claim it). Decided on the index alone, so the
    /// bytes of every other segment are never read.
    fn candidate(&self, i: usize) -> Option<(u32, bool)> {
        let record = &self.index.records.at(i);
        // RST payloads are diagnostics, never handed to the application dissector.
        if !record.is_tcp()
            || record.payload_len() == 0
            || record.has(flag::FRAGMENT)
            || record.tcp_flags & 0x04 != 0
        {
            return None;
        }
        let ports = [record.src_port, record.dst_port];
        let by_port = ports
            .iter()
            .any(|p| HTTP_PORTS.contains(p) || TLS_PORTS.contains(p));
        let stream_id = self.flows.stream_of.get(i)?;
        self.flows.stream(i)?;
        let claimed = self.heuristic_streams.contains_key(&stream_id);
        let port_dissector = ports.iter().any(|&p| super::tcp_ports::is_registered(p));
        if !by_port && !claimed && (port_dissector || !may_start(record)) {
            return None;
        }
        let resent = crate::tcp::flags::RETRANSMISSION
            | crate::tcp::flags::FAST_RETRANSMISSION
            | crate::tcp::flags::SPURIOUS_RETRANSMISSION
            | crate::tcp::flags::OUT_OF_ORDER;
        if self
            .tcp
            .is_some_and(|t| t.segment_bits(i).flags() & resent != 0)
        {
            return None;
        }
        Some((stream_id, by_port))
    }

    fn frame(&self, i: usize) -> Option<std::borrow::Cow<'a, [u8]>> {
        let bytes: &'a dyn FrameBytes = self.bytes;
        let record = &self.index.records.at(i);
        let location = FrameLocation {
            file: usize::from(self.index.file_of(record)),
            offset: record.offset,
            caplen: record.caplen,
        };
        bytes.frame_bytes(i, &location)
    }
}

/// The captured TCP payload of a frame (none when empty or not TCP after all).
fn tcp_payload<'f>(
    index: &PacketIndex,
    record: &crate::index::PacketRecord,
    frame: &'f [u8],
) -> Option<&'f [u8]> {
    let decoded = decode::decode_on_wire(index.link_type_of(record), frame, record.orig_len);
    if !matches!(decoded.transport, Transport::Tcp(_)) {
        return None;
    }
    let start = decoded.payload_offset as usize;
    let end = (start + decoded.payload_len as usize).min(frame.len());
    frame.get(start..end).filter(|p| !p.is_empty())
}

impl Direction {
    fn new(http: bool) -> Direction {
        Direction {
            next_seq: None,
            protocol: if http {
                Protocol::Http(HttpState::Idle)
            } else {
                Protocol::Tls {
                    pending: Vec::new(),
                    flags: TlsFlags::default(),
                }
            },
        }
    }

    /// Hands one segment's payload to the direction's protocol and records what completes in
    /// frame `frame_no`. True when this segment's ServerHello chose TLS 1.3.
    fn feed(&mut self, frame_no: u32, payload: &[u8], out: &mut AppPdus) -> bool {
        match &mut self.protocol {
            Protocol::Http(state) => {
                if let Some(messages) = http_segment(state, payload) {
                    out.http.insert(frame_no, messages);
                }
                false
            }
            Protocol::Tls { pending, flags } => {
                let was_tls13 = flags.tls13;
                match tls_segment(pending, flags, payload) {
                    TlsOutcome::Records(records) => {
                        out.tls.insert(frame_no, records);
                    }
                    // A segment that starts a record is dissected as TLS (the record completes
                    // later); one that only continues a record is not. Data that is not a
                    // record, once a record was seen, is shown as "Continuation Data".
                    TlsOutcome::Started => {
                        out.tls.insert(frame_no, Vec::new());
                    }
                    TlsOutcome::NotTls if flags.seen_record => {
                        out.tls.insert(frame_no, Vec::new());
                    }
                    TlsOutcome::Extended | TlsOutcome::NotTls => {}
                }
                flags.tls13 && !was_tls13
            }
        }
    }
}

/// Cheap pre-check on the index, so the bytes of every other segment are not read: a segment
/// the index labelled (HTTP with a known method or a status line, a TLS record of SSL 3.0 to
/// TLS 1.3). It misses what only the heuristics accept: a request line with a method the label
/// does not know and GM/T TLS (version 0x0101).
fn may_start(record: &crate::index::PacketRecord) -> bool {
    record.has(flag::HAS_APP)
}

/// Wireshark 4.0's HTTP and TLS heuristics on TCP (both enabled by default and tried after the
/// port tables): `Some(true)` when the first line is terminated and starts with "HTTP/1." or
/// ends with "HTTP/1.x" (`dissect_http_heur_tcp`); `Some(false)` when the payload starts with
/// a TLS record header of type handshake or application data, version SSL 3.0, TLS 1.0–1.2 or
/// GM/T 0x0101 and a length in 1..18432 (`is_sslv3_or_tls`).
fn heuristic(payload: &[u8]) -> Option<bool> {
    if let [kind, major, minor, len_hi, len_lo, ..] = *payload {
        let version = u16::from_be_bytes([major, minor]);
        let len = u16::from_be_bytes([len_hi, len_lo]);
        if matches!(kind, 22 | 23)
            && matches!(version, 0x0300..=0x0303 | 0x0101)
            && (1..0x4000 + 2048).contains(&len)
        {
            return Some(false);
        }
    }
    let line_end = payload.iter().position(|&b| b == b'\r' || b == b'\n')?;
    let line = &payload[..line_end];
    let starts = line.len() >= 7 && line[..7].eq_ignore_ascii_case(b"HTTP/1.");
    let ends = line.len() > 8 && line[line.len() - 8..][..7].eq_ignore_ascii_case(b"HTTP/1.");
    (line.len() != 8 && (starts || ends)).then_some(true)
}

/// A TCP segment with payload quoted in an ICMP error, on an HTTP (`true`) or TLS (`false`)
/// port. Wireshark hands quoted payload straight to the port's dissector (no reassembly), so
/// the frame is `http` / `tls`; no message or record is read from it.
fn quoted_payload_protocol(index: &PacketIndex, i: usize, bytes: &dyn FrameBytes) -> Option<bool> {
    let quote = index.icmp_quotes.get(i as u32)?;
    let ports = [quote.src_port, quote.dst_port];
    let http = ports.iter().any(|p| HTTP_PORTS.contains(p));
    if quote.ip_proto != 6 || !(http || ports.iter().any(|p| TLS_PORTS.contains(p))) {
        return None;
    }
    let record = index.records.get(i)?;
    let location = FrameLocation {
        file: usize::from(index.file_of(&record)),
        offset: record.offset,
        caplen: record.caplen,
    };
    let frame = bytes.frame_bytes(i, &location)?;
    let decoded = decode::decode_on_wire(index.link_type_of(&record), &frame, record.orig_len);
    let body = frame.get(decoded.payload_offset as usize..)?;
    let tcp = body.get(body.len().checked_sub(usize::from(quote.captured))?..)?;
    let header_len = usize::from(tcp.get(12)? >> 4) * 4;
    (header_len >= 20 && tcp.len() > header_len).then_some(http)
}

fn starts_like_http(data: &[u8]) -> bool {
    if data.starts_with(b"HTTP/") {
        return true;
    }
    let word_end = data.iter().take(16).position(|&b| b == b' ');
    match word_end {
        Some(end) => std::str::from_utf8(&data[..end]).is_ok_and(|w| METHODS.contains(&w)),
        None => false,
    }
}

/// Whether a line ends in `data`: a LF, or a CR that is not the last byte (which might be the
/// first half of a CRLF still to come).
fn has_line_end(data: &[u8]) -> bool {
    data.iter()
        .enumerate()
        .any(|(k, &b)| b == b'\n' || (b == b'\r' && k + 1 < data.len()))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Parses a complete header block: the message and how its body is delimited.
fn parse_head(head: &[u8]) -> Option<(HttpMessage, BodyKind)> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let first = lines.next()?;
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines.take(200) {
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let chunked =
        header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let length = header("content-length").and_then(|v| v.parse::<u64>().ok());
    let mut parts = first.splitn(3, ' ');
    let word = parts.next()?;
    if let Some(version) = word.strip_prefix("HTTP/") {
        let code: u16 = parts.next()?.trim().parse().ok()?;
        let reason = parts.next().unwrap_or("").to_string();
        let body = if (100..200).contains(&code) || code == 204 || code == 304 {
            BodyKind::Length(0)
        } else if chunked {
            BodyKind::Chunked
        } else if let Some(length) = length {
            BodyKind::Length(length)
        } else {
            BodyKind::RestOfSegment
        };
        let message = HttpMessage::Response {
            version: format!("HTTP/{version}"),
            code,
            reason,
        };
        return Some((message, body));
    }
    let uri = parts.next()?.to_string();
    let version = parts.next().unwrap_or("").to_string();
    let body = if chunked {
        BodyKind::Chunked
    } else {
        BodyKind::Length(length.unwrap_or(0))
    };
    let message = HttpMessage::Request {
        method: word.to_string(),
        uri,
        version,
        host: header("host"),
    };
    Some((message, body))
}

enum BodyKind {
    Length(u64),
    Chunked,
    /// No length given: the body is what the segment holds (Wireshark does not wait).
    RestOfSegment,
}

/// Feeds one segment's payload to an HTTP direction; returns the messages completed in it,
/// an empty list for continuation data, or `None` when the segment only extends a message.
fn http_segment(state: &mut HttpState, payload: &[u8]) -> Option<Vec<HttpMessage>> {
    let mut done = Vec::new();
    let mut continuation = false;
    let mut at = 0;
    for _ in 0..1024 {
        if at >= payload.len() {
            break;
        }
        let rest = &payload[at..];
        match std::mem::replace(state, HttpState::Idle) {
            HttpState::Idle => {
                if starts_like_http(rest) {
                    *state = HttpState::Headers(Vec::new());
                    continue;
                }
                // Not a message start. Binary data (a first byte that is not printable) is
                // not HTTP; text is HTTP continuation once a line ends.
                if rest.first().is_some_and(|b| (0x20..=0x7e).contains(b)) {
                    *state = HttpState::NoLine;
                    continue;
                }
                break;
            }
            HttpState::NoLine => {
                if has_line_end(rest) {
                    continuation = true;
                } else {
                    *state = HttpState::NoLine;
                }
                break;
            }
            HttpState::Headers(mut head) => {
                // Look for the blank line across the segment boundary too.
                let overlap = head.len().min(3);
                let mut window = head[head.len() - overlap..].to_vec();
                window.extend_from_slice(rest);
                match find(&window, b"\r\n\r\n") {
                    Some(position) => {
                        let used = position + 4 - overlap;
                        head.extend_from_slice(&rest[..used]);
                        at += used;
                        match parse_head(&head) {
                            Some((message, BodyKind::Length(0))) => done.push(message),
                            Some((message, BodyKind::Length(n))) => {
                                *state = HttpState::Body(n, message)
                            }
                            Some((message, BodyKind::Chunked)) => {
                                *state = HttpState::Chunked(Chunked::Size(Vec::new()), message)
                            }
                            Some((message, BodyKind::RestOfSegment)) => {
                                done.push(message);
                                at = payload.len();
                            }
                            None => {
                                continuation = true;
                                break;
                            }
                        }
                    }
                    None => {
                        head.extend_from_slice(rest);
                        at = payload.len();
                        if head.len() <= MAX_HEADERS {
                            *state = HttpState::Headers(head);
                        }
                    }
                }
            }
            HttpState::Body(remaining, message) => {
                let take = remaining.min(rest.len() as u64);
                at += take as usize;
                if take == remaining {
                    done.push(message);
                } else {
                    *state = HttpState::Body(remaining - take, message);
                }
            }
            HttpState::Chunked(chunked, message) => {
                let (used, chunked) = feed_chunked(chunked, rest);
                at += used;
                match chunked {
                    Some(chunked) => *state = HttpState::Chunked(chunked, message),
                    None => done.push(message),
                }
            }
        }
    }
    if done.is_empty() && !continuation {
        None
    } else {
        Some(done)
    }
}

/// Advances a chunked body over `data`; returns the bytes used and the new position, or
/// `None` when the body ended.
fn feed_chunked(mut chunked: Chunked, data: &[u8]) -> (usize, Option<Chunked>) {
    let mut at = 0;
    for _ in 0..100_000 {
        if at >= data.len() {
            return (at, Some(chunked));
        }
        chunked = match chunked {
            Chunked::Size(mut line) => match data[at..].iter().position(|&b| b == b'\n') {
                Some(end) => {
                    line.extend_from_slice(&data[at..at + end]);
                    at += end + 1;
                    let text = String::from_utf8_lossy(&line);
                    let digits = text
                        .trim()
                        .split(';')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_string();
                    match u64::from_str_radix(&digits, 16) {
                        Ok(0) => Chunked::Trailer(Vec::new()),
                        Ok(size) => Chunked::Data(size),
                        // Not a chunk size: give up on the body here.
                        Err(_) => return (data.len(), None),
                    }
                }
                None => {
                    line.extend_from_slice(&data[at..]);
                    at = data.len();
                    if line.len() > 1024 {
                        return (at, None);
                    }
                    Chunked::Size(line)
                }
            },
            Chunked::Data(remaining) => {
                let take = remaining.min((data.len() - at) as u64);
                at += take as usize;
                if take == remaining {
                    Chunked::DataEnd(2)
                } else {
                    Chunked::Data(remaining - take)
                }
            }
            Chunked::DataEnd(left) => {
                at += 1;
                if left <= 1 {
                    Chunked::Size(Vec::new())
                } else {
                    Chunked::DataEnd(left - 1)
                }
            }
            Chunked::Trailer(mut line) => match data[at..].iter().position(|&b| b == b'\n') {
                Some(end) => {
                    line.extend_from_slice(&data[at..at + end]);
                    at += end + 1;
                    if line.iter().all(|&b| b == b'\r') {
                        return (at, None);
                    }
                    Chunked::Trailer(Vec::new())
                }
                None => {
                    line.extend_from_slice(&data[at..]);
                    at = data.len();
                    Chunked::Trailer(line)
                }
            },
        };
    }
    (at, Some(chunked))
}

/// What a TLS direction has seen.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct TlsFlags {
    /// A ChangeCipherSpec: later handshake records are encrypted.
    encrypted: bool,
    /// The ServerHello chose TLS 1.3: application-data records are opaque.
    tls13: bool,
    /// A record has started in this direction: data that is not a record is then shown as
    /// "Continuation Data" (before that, Wireshark's TLS dissector declines it).
    seen_record: bool,
}

/// What a segment did to a TLS direction.
#[derive(Debug, PartialEq, Eq)]
enum TlsOutcome {
    /// Records completed in this segment.
    Records(Vec<TlsRecord>),
    /// The segment started a record that is not complete yet (Wireshark shows `tls`).
    Started,
    /// The segment only extended a pending record (a segment of a reassembled PDU).
    Extended,
    /// Not TLS (the data does not start a record).
    NotTls,
}

/// Feeds one segment's payload to a TLS direction.
fn tls_segment(pending: &mut Vec<u8>, flags: &mut TlsFlags, payload: &[u8]) -> TlsOutcome {
    let fresh = pending.is_empty();
    pending.extend_from_slice(payload);
    let data = std::mem::take(pending);
    let mut records = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let rest = &data[at..];
        let plausible = rest.first().is_some_and(|t| (20..=24).contains(t))
            && rest.get(1).is_none_or(|&major| major == 3);
        let length = be16(rest, 3).map(usize::from);
        if !plausible || length.is_some_and(|l| l + 5 > MAX_RECORD) {
            break;
        }
        match length {
            Some(length) if rest.len() >= 5 + length => {
                records.push(tls_record(&rest[..5 + length], flags));
                at += 5 + length;
            }
            _ => {
                *pending = rest.to_vec();
                break;
            }
        }
    }
    flags.seen_record |= !records.is_empty() || !pending.is_empty();
    if !records.is_empty() {
        TlsOutcome::Records(records)
    } else if !pending.is_empty() {
        if fresh {
            TlsOutcome::Started
        } else {
            TlsOutcome::Extended
        }
    } else {
        TlsOutcome::NotTls
    }
}

/// What a complete record holds. Handshake records after a ChangeCipherSpec are encrypted;
/// after a TLS 1.3 ServerHello, application-data records are opaque.
fn tls_record(record: &[u8], flags: &mut TlsFlags) -> TlsRecord {
    let content_type = record[0];
    let mut out = TlsRecord {
        content_type,
        opaque: flags.tls13 && content_type == 23,
        ..TlsRecord::default()
    };
    if content_type == 20 {
        flags.encrypted = true;
    }
    if content_type != 22 || flags.encrypted {
        return out;
    }
    let body = &record[5..];
    let mut at = 0;
    for _ in 0..64 {
        let Some(header) = be32(body, at) else {
            break;
        };
        // Handshake type (1 byte), then a 24-bit length.
        let (kind, length) = ((header >> 24) as u8, (header & 0x00ff_ffff) as usize);
        out.handshake_types.push(kind);
        match (kind, decode::app::parse_tls(record)) {
            (1, Some(AppInfo::Tls { server_name, .. })) => out.server_name = server_name,
            (2, Some(AppInfo::Tls { version, .. })) => flags.tls13 = version == 0x0304,
            _ => {}
        }
        at += 4 + length;
        if at >= body.len() {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_bytes_over_the_budget_give_the_growing_pdu_up() {
        let mut held = HeldBytes {
            total: 0,
            budget: 150,
        };
        // Two HTTP directions stop inside their header blocks: 100 bytes, then 40 more, fit.
        let mut first = Protocol::Http(HttpState::Headers(vec![b'a'; 100]));
        assert!(!held.settle(&mut first, 0));
        let mut second = Protocol::Http(HttpState::Headers(vec![b'b'; 40]));
        assert!(!held.settle(&mut second, 0));
        assert_eq!(held.total, 140);
        // The second grows to 60 bytes: 160 > 150, so it is given up and holds nothing.
        if let Protocol::Http(HttpState::Headers(head)) = &mut second {
            head.extend_from_slice(&[b'b'; 20]);
        }
        assert!(held.settle(&mut second, 40));
        assert!(matches!(second, Protocol::Http(HttpState::Idle)));
        assert_eq!(held.total, 100);
        // A TLS direction's pending record counts too; the first direction completing its
        // headers (holding nothing any more) frees its 100 bytes.
        let mut tls = Protocol::Tls {
            pending: vec![22; 45],
            flags: TlsFlags::default(),
        };
        assert!(!held.settle(&mut tls, 0));
        first = Protocol::Http(HttpState::Idle);
        assert!(!held.settle(&mut first, 100));
        assert_eq!(held.total, 45);
    }

    #[test]
    fn a_response_completes_where_its_body_ends() {
        let mut state = HttpState::Idle;
        let head = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345";
        assert_eq!(http_segment(&mut state, head), None);
        let done = http_segment(&mut state, b"67890").expect("complete");
        assert!(matches!(
            done.as_slice(),
            [HttpMessage::Response { code: 200, .. }]
        ));
        assert_eq!(
            http_segment(&mut state, b"more text"),
            None,
            "no line end yet"
        );
        assert_eq!(
            http_segment(&mut state, b" and\r\nmore"),
            Some(vec![]),
            "continuation"
        );
        assert_eq!(
            http_segment(&mut state, b"\x9fbinary\n"),
            None,
            "binary is not HTTP"
        );
    }

    #[test]
    fn headers_split_across_segments_and_pipelined_requests() {
        let mut state = HttpState::Idle;
        assert_eq!(
            http_segment(&mut state, b"GET / HTTP/1.1\r\nHost: a\r"),
            None
        );
        let done = http_segment(&mut state, b"\n\r\nGET /b HTTP/1.1\r\n\r\n").expect("two");
        assert_eq!(done.len(), 2);
        assert!(matches!(&done[0], HttpMessage::Request { host: Some(h), .. } if h == "a"));
    }

    #[test]
    fn chunked_bodies_end_at_the_last_chunk() {
        let mut state = HttpState::Idle;
        let part = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel";
        assert_eq!(http_segment(&mut state, part), None);
        let done = http_segment(&mut state, b"lo\r\n0\r\n\r\n").expect("complete");
        assert_eq!(done.len(), 1);
    }

    #[test]
    fn tls_records_complete_in_the_segment_that_ends_them() {
        let mut pending = Vec::new();
        let mut flags = TlsFlags::default();
        let records = |outcome: TlsOutcome| match outcome {
            TlsOutcome::Records(records) => records,
            other => panic!("{other:?}"),
        };
        // A ServerHello record, then the first byte of a Certificate record's body.
        let mut first = vec![22, 3, 3, 0, 8, 2, 0, 0, 4, 3, 3, 0, 0];
        first.extend_from_slice(&[22, 3, 3, 0, 8, 11]);
        let hello = records(tls_segment(&mut pending, &mut flags, &first));
        assert_eq!(hello[0].handshake_types, vec![2]);
        assert_eq!(
            tls_segment(&mut pending, &mut flags, &[0, 0, 2]),
            TlsOutcome::Extended
        );
        let rest = [1, 2, 0, 0, 20, 3, 3, 0, 1, 1];
        let done = records(tls_segment(&mut pending, &mut flags, &rest));
        assert_eq!(done.len(), 2);
        assert_eq!(done[0].handshake_types, vec![11]);
        assert!(flags.encrypted);
        assert_eq!(
            tls_segment(&mut pending, &mut flags, &[23, 3, 3, 9, 0]),
            TlsOutcome::Started
        );
        pending.clear();
        assert_eq!(
            tls_segment(&mut pending, &mut flags, b"abc"),
            TlsOutcome::NotTls
        );
    }

    #[test]
    fn hostile_payloads_are_bounded() {
        let mut state = HttpState::Idle;
        for _ in 0..100 {
            let _ = http_segment(&mut state, b"GET / HTTP/1.1\r\nX: aaaaaaaaaaaaaaaaaaaaaaaa");
        }
        let mut state = HttpState::Chunked(
            Chunked::Size(Vec::new()),
            HttpMessage::Response {
                version: String::new(),
                code: 200,
                reason: String::new(),
            },
        );
        let _ = http_segment(&mut state, b"zz\r\n");
        let mut pending = Vec::new();
        let mut flags = TlsFlags::default();
        for len in 0..40 {
            let _ = tls_segment(&mut pending, &mut flags, &vec![22; len]);
        }
    }
}
