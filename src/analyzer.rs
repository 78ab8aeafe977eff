//! The analysis session both front ends drive: files are opened, fed chunk by chunk (as a browser
//! hands slices of a `File`, or the CLI reads a file), indexed as they stream, and merged into one
//! timeline by timestamp when the last one ends. Everything a view needs afterwards (summary, rows,
//! frame locations, details) is answered from the index, plus the frame's bytes for details.

use crate::capture::reader::CaptureReader;
use crate::capture::{FileInfo, RawFrame};
use crate::decode::{self};
use crate::flows::Flows;
pub use crate::index::FrameLocation;
use crate::index::{record_from, GlobalInterface, PacketIndex, PacketRecord, SideTable};
pub use crate::summary::Summary;

use crate::hash::HashMap;
use crate::summary::{self, Row};
use crate::tcp::TcpAnalysis;
use serde::Serialize;
use std::sync::OnceLock;

#[cfg(all(test, feature = "cli"))]
mod bench;
pub mod capacity;
mod selection;
mod view;
pub use selection::Selection;

/// One file being read: its reader and the frames indexed so far (in file order).
struct FileState {
    reader: CaptureReader,
    part: PacketIndex,
    /// File-local interface number → global interface number.
    ifaces: HashMap<u32, u16>,
    /// Set when a frame could not be given a global interface number: the file stops there.
    refused: Option<crate::error::CaptureError>,
    /// Frames the reader delivered after the refused one (per file-local interface), not indexed.
    not_indexed: HashMap<u32, u64>,
    /// The file's size when known before reading and not compressed ([`Analyzer::expect_bytes`]).
    expected_bytes: Option<u64>,
    ended: bool,
}

/// The packet-details view of one frame: the layer tree (each node with its byte range).
#[derive(Debug, Clone, Serialize)]
pub struct Details {
    pub tree: Vec<crate::dissect::Node>,
    pub len: usize,
}

/// An analysis of one or several capture files.
#[derive(Default)]
pub struct Analyzer {
    files: Vec<FileState>,
    index: PacketIndex,
    /// Built on first use after `finish` (so ingest alone stays an index pass).
    flows: OnceLock<Flows>,
    tcp: OnceLock<TcpAnalysis>,
    finished: bool,
    /// Validate IPv4/TCP/UDP checksums while indexing ([`Analyzer::set_checksum_validation`]).
    validate_checksums: bool,
    /// The display filter applied to the packet list ([`view`]).
    filter_view: view::FilterView,
    /// The most frames to take ([`capacity`]; `None`: as many as memory holds).
    frame_limit: Option<u64>,
    /// Frames taken so far, across all files.
    frames_taken: u64,
    /// Where frames stopped being taken, if they did.
    frames_cut: Option<capacity::FramesCut>,
}

impl Analyzer {
    pub fn new() -> Self {
        Analyzer::default()
    }

    /// Whether to validate IPv4 header, TCP and UDP checksums while indexing (off by default:
    /// it reads every byte of the frames it checks). Every frame of a file's first
    /// [`crate::findings::bad_checksum::CHECK_ALL_FRAMES`] is checked, then one in
    /// [`crate::findings::bad_checksum::CHECK_ONE_IN`]. Frames with a wrong checksum are kept in
    /// [`PacketIndex::checksums`] for the `bad_checksum` finding. Set it before pushing data.
    pub fn set_checksum_validation(&mut self, on: bool) {
        self.validate_checksums = on;
    }

    /// Takes at most `limit` frames (across all files); the frame that would pass it and
    /// everything after it are left out, and the cut is reported ([`Analyzer::frames_cut`], the
    /// summary's warnings). The page sets [`capacity::WASM32_FRAME_LIMIT`]. Set it before pushing
    /// data.
    pub fn set_frame_limit(&mut self, limit: Option<u64>) {
        self.frame_limit = limit;
    }

    /// Where frames stopped being taken (the frame limit, or memory refused), if they did: no
    /// later data is read, so a reader may stop pushing.
    pub fn frames_cut(&self) -> Option<&capacity::FramesCut> {
        self.frames_cut.as_ref()
    }

    /// Opens a file for reading; returns its number (0-based).
    pub fn begin_file(&mut self, name: &str) -> usize {
        self.files.push(FileState {
            reader: CaptureReader::new(name),
            part: PacketIndex::default(),
            ifaces: HashMap::default(),
            refused: None,
            not_indexed: HashMap::default(),
            expected_bytes: None,
            ended: false,
        });
        self.finished = false;
        self.files.len() - 1
    }

    /// Says that file `file` holds `bytes` bytes as they will be pushed (not compressed): once its
    /// first frames show their average size, room for all of its records is made at once
    /// ([`capacity::plan`]), so a large capture's records never double (which holds the old and
    /// the new copy at once).
    pub fn expect_bytes(&mut self, file: usize, bytes: u64) {
        if let Some(state) = self.files.get_mut(file) {
            state.expected_bytes = Some(bytes);
        }
    }

    /// Feeds the next chunk of file `file`. Errors are recorded in the file's info; never panics.
    pub fn push(&mut self, file: usize, chunk: &[u8]) {
        self.drive(file, |reader, sink| reader.push(chunk, sink));
    }

    /// Ends file `file` (reports a record cut short by the end of the data).
    pub fn end_file(&mut self, file: usize) {
        if let Some(state) = self.drive(file, |reader, sink| reader.finish(sink)) {
            state.ended = true;
        }
    }

    /// Runs `step` on the reader of file `file` (unless it is unknown or has ended) with a sink
    /// that indexes every frame it delivers; returns the file's state when `step` ran.
    fn drive(
        &mut self,
        file: usize,
        step: impl FnOnce(&mut CaptureReader, &mut dyn FnMut(RawFrame<'_>)),
    ) -> Option<&mut FileState> {
        if self.frames_cut.is_some() {
            return None;
        }
        let state = self.files.get_mut(file).filter(|state| !state.ended)?;
        let FileState {
            reader,
            part,
            ifaces,
            refused,
            not_indexed,
            expected_bytes,
            ..
        } = state;
        let interfaces = &mut self.index.interfaces;
        let checksums = self.validate_checksums;
        let limit = self.frame_limit.unwrap_or(u64::MAX);
        let (taken, cut) = (&mut self.frames_taken, &mut self.frames_cut);
        let mut decoded = decode::Decoded::default();
        // The interface of the frame before: nearly every frame has it too (one map look-up saved).
        let mut last_iface: Option<(u32, u16)> = None;
        let mut sink = |frame: RawFrame<'_>| {
            if refused.is_none() && cut.is_none() {
                let reason = if *taken >= limit {
                    Some(capacity::CutReason::FrameLimit)
                } else if !capacity::room_for_one(&mut part.records) {
                    Some(capacity::CutReason::Memory)
                } else {
                    None
                };
                match reason {
                    Some(reason) => {
                        *cut = Some(capacity::FramesCut {
                            reason,
                            frames: *taken,
                            file,
                            offset: frame.offset,
                        })
                    }
                    None => match last_iface
                        .filter(|&(local, _)| local == frame.interface)
                        .map_or_else(
                            || global_interface(file, &frame, ifaces, interfaces),
                            |(_, iface)| Ok(iface),
                        ) {
                        Ok(iface) => {
                            last_iface = Some((frame.interface, iface));
                            if let (capacity::PLAN_AFTER_FRAMES, Some(bytes)) =
                                (part.records.len(), *expected_bytes)
                            {
                                let room = limit.saturating_sub(*taken);
                                capacity::plan(&mut part.records, bytes, frame.offset, room);
                            }
                            *taken += 1;
                            return index_frame(frame, iface, part, checksums, &mut decoded);
                        }
                        Err(error) => *refused = Some(error.at(&frame, part.records.len())),
                    },
                }
            }
            *not_indexed.entry(frame.interface).or_default() += 1;
        };
        step(reader, &mut sink);
        if let Some(error) = refused.take() {
            reader.stop(error, not_indexed.drain());
        } else if cut.is_some() {
            // The frames the reader delivered after the cut are not part of what was read.
            reader.uncount(not_indexed.drain());
        }
        Some(state)
    }

    /// Ends file `file` early because its bytes could not be read (`reason` says why): the frames
    /// read before stay, and the file's error says where reading stopped.
    pub fn abandon_file(&mut self, file: usize, reason: &str) {
        if let Some(state) = self.files.get_mut(file).filter(|state| !state.ended) {
            let read = state.reader.bytes_pushed();
            let frame = state.reader.info().frames + 1;
            let message = match read {
                0 => format!("the file could not be read: {reason}"),
                _ => format!("reading the file failed after {read} bytes: {reason}"),
            };
            let offset = state.reader.info().bytes;
            let error = crate::error::CaptureError::new(offset, frame, message);
            state.reader.stop(error, []);
            state.ended = true;
        }
    }

    /// Frames indexed so far across all files (progress while streaming).
    pub fn frames_indexed(&self) -> u64 {
        self.files
            .iter()
            .map(|f| f.part.records.len() as u64)
            .sum::<u64>()
            + self.index.records.len() as u64
    }

    /// Ends every open file and merges all files into one timeline.
    pub fn finish(&mut self) {
        for file in 0..self.files.len() {
            self.end_file(file);
        }
        if self.finished {
            return;
        }
        let parts: Vec<PacketIndex> = self
            .files
            .iter_mut()
            .map(|f| std::mem::take(&mut f.part))
            .collect();
        merge_into(&mut self.index, parts);
        self.index.shrink_to_fit();
        self.flows = OnceLock::new();
        self.tcp = OnceLock::new();
        self.finished = true;
    }

    pub fn index(&self) -> &PacketIndex {
        &self.index
    }

    /// TCP/UDP stream numbering (built on first use).
    pub fn flows(&self) -> &Flows {
        self.flows.get_or_init(|| Flows::build(&self.index))
    }

    /// TCP sequence analysis (per-frame flags, ack_rtt, bytes in flight; per-stream facts).
    pub fn tcp(&self) -> &TcpAnalysis {
        self.tcp
            .get_or_init(|| crate::tcp::analyze(&self.index, self.flows()))
    }

    /// The TCP analysis facts of frame `frame_index` (0-based) as Wireshark's GUI (and
    /// `tshark -2`) shows them, or `None` for a frame without TCP.
    pub fn tcp_row(&self, frame_index: usize) -> Option<crate::tcp::rows::TcpRow> {
        let passes = crate::tcp::rows::Passes::Two;
        crate::tcp::rows::row(&self.index, self.flows(), self.tcp(), frame_index, passes)
    }

    /// A conversation table (rows in first-seen order; `conversations::tshark_order` sorts them
    /// as tshark prints them).
    pub fn conversations(
        &self,
        kind: crate::conversations::Kind,
    ) -> Vec<crate::conversations::Conversation> {
        crate::conversations::conversations(&self.index, self.flows(), self.tcp(), kind)
    }

    /// An endpoint table (rows in first-seen order).
    pub fn endpoints(
        &self,
        kind: crate::conversations::Kind,
    ) -> Vec<crate::conversations::Endpoint> {
        crate::conversations::endpoints(&self.index, self.flows(), self.tcp(), kind)
    }

    /// TCP connection attempts with their outcome and handshake timings.
    pub fn connection_attempts(&self) -> crate::chunked::ChunkedVec<crate::connections::Attempt> {
        crate::connections::attempts(&self.index, self.flows())
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Plain-language findings ([`crate::findings`]), ordered by severity then first frame.
    pub fn findings(&self) -> Vec<crate::findings::Finding> {
        self.findings_with(&crate::findings::Options::default())
    }

    /// [`Analyzer::findings`] with tuned thresholds.
    pub fn findings_with(
        &self,
        options: &crate::findings::Options,
    ) -> Vec<crate::findings::Finding> {
        let files = self.file_infos();
        crate::findings::run_all_with(&self.index, self.flows(), self.tcp(), &files, options)
    }

    /// Packet-list rows for frames `start..start+count` (0-based).
    pub fn rows(&self, start: usize, count: usize) -> Vec<Row> {
        summary::rows(&self.index, self.flows(), Some(self.tcp()), start, count)
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    pub fn file_infos(&self) -> Vec<FileInfo> {
        self.files.iter().map(|f| f.reader.info().clone()).collect()
    }

    pub fn summary(&self) -> Summary {
        let records = &self.index.records;
        let timed = || {
            records
                .iter()
                .filter(|r| r.has(crate::index::flag::HAS_TIME))
                .map(|r| r.ts_ns)
        };
        let first_ns = timed().next();
        let last_ns = timed().next_back();
        let seconds = |ns: i64| ns as f64 / 1e9;
        // Added up as the frames were pushed: no pass over the rows.
        let totals = records.totals();
        let (bytes, wire_bytes, truncated_frames) =
            (totals.captured, totals.wire, totals.cut_frames);
        let mut warnings = Vec::new();
        if let Some(cut) = &self.frames_cut {
            let name = self
                .files
                .get(cut.file)
                .map(|f| f.reader.info().name.as_str());
            warnings.push(cut.message(name.unwrap_or("the capture")));
        }
        for file in &self.files {
            let info = file.reader.info();
            warnings.extend(info.warnings.iter().map(|w| format!("{}: {w}", info.name)));
        }
        Summary {
            files: self.file_infos(),
            frames: records.len() as u64,
            first_time: first_ns.map(seconds),
            last_time: last_ns.map(seconds),
            first_time_ns: first_ns,
            last_time_ns: last_ns,
            duration: first_ns.zip(last_ns).map(|(a, b)| seconds(b - a)),
            bytes,
            wire_bytes,
            truncated_frames,
            warnings,
            frames_cut: self.frames_cut.clone(),
            index_bytes_per_frame: std::mem::size_of::<PacketRecord>(),
            index_bytes: self.index.heap_bytes(),
        }
    }

    /// The details tree of frame `no` (1-based), given its captured bytes (see [`Analyzer::locate`]).
    pub fn details(&self, no: u64, bytes: &[u8]) -> Option<Details> {
        let record = self
            .index
            .records
            .get(usize::try_from(no).ok()?.checked_sub(1)?)?;
        let link_type = self.index.link_type_of(&record);
        Some(Details {
            tree: crate::dissect::dissect(link_type, bytes, record.orig_len),
            len: bytes.len(),
        })
    }

    /// Where frame `no` (1-based) is stored.
    pub fn locate(&self, no: u64) -> Option<FrameLocation> {
        let record = self
            .index
            .records
            .get(usize::try_from(no).ok()?.checked_sub(1)?)?;
        Some(FrameLocation {
            file: usize::from(self.index.file_of(&record)),
            offset: record.offset,
            caplen: record.caplen,
        })
    }

    /// The frames (0-based indexes, in order) of TCP stream `number` (`tcp.stream`), or `None`
    /// when there is no such stream.
    pub fn tcp_stream_frames(&self, number: u32) -> Option<Vec<u32>> {
        let flows = self.flows();
        let id = flows
            .streams
            .iter()
            .position(|s| s.ip_proto == 6 && s.number == number)?;
        Some(flows.frames_of(id).collect())
    }
}

/// Why a frame has no global interface number: [`PacketRecord::iface`] and
/// [`GlobalInterface::file`] are 16 bits, so at most 65,536 interfaces (those that carry frames,
/// across all files) and 65,536 files can be told apart. A frame beyond that is never given
/// another interface's number (its link type would be wrong): its file stops there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumberingFull {
    Files,
    Interfaces,
}

impl NumberingFull {
    /// The file's error at `frame`, the file's frame number `indexed + 1`.
    fn at(self, frame: &RawFrame<'_>, indexed: usize) -> crate::error::CaptureError {
        let message = match self {
            NumberingFull::Files => format!(
                "this is file number {} or later of one analysis, and only {} files can have frames: its frames are not read",
                MAX_NUMBERED + 1,
                MAX_NUMBERED
            ),
            NumberingFull::Interfaces => format!(
                "this frame's capture interface would be the {}th to carry frames (across all files), and only {} can be told apart: frames from here on are not read",
                MAX_NUMBERED + 1,
                MAX_NUMBERED
            ),
        };
        crate::error::CaptureError::new(frame.offset, indexed as u64 + 1, message)
    }
}

/// Global interfaces and files are numbered in 16 bits: 0 ..= 65,535.
const MAX_NUMBERED: usize = 1 << 16;

/// The global interface number of `frame`'s interface, given on its first frame.
fn global_interface(
    file: usize,
    frame: &RawFrame<'_>,
    ifaces: &mut HashMap<u32, u16>,
    interfaces: &mut Vec<GlobalInterface>,
) -> Result<u16, NumberingFull> {
    if let Some(&iface) = ifaces.get(&frame.interface) {
        return Ok(iface);
    }
    let file = u16::try_from(file).map_err(|_| NumberingFull::Files)?;
    let iface = u16::try_from(interfaces.len()).map_err(|_| NumberingFull::Interfaces)?;
    interfaces.push(GlobalInterface {
        file,
        local: frame.interface,
        link_type: frame.link_type,
    });
    ifaces.insert(frame.interface, iface);
    Ok(iface)
}

/// Decodes one frame and appends it to its file's partial index.
///
/// This and the steps under it that every frame takes (the walker's layers and the decoder's
/// visits, the record made and pushed) are `#[inline(always)]`: reading a frame becomes one
/// function without calls on the common Ethernet/IP/TCP path. LLVM left them apart, one call
/// each; joined, reading the 1M-frame synthetic capture took 9% less time in wasm
/// (`scripts/bench-wasm-stages.mjs`, 333–338 ms against 370) and 5–8% less natively
/// (`tracelens findings --timings`, ingest 0.206–0.213 s against 0.224), for 75 KB more wasm.
#[inline(always)]
fn index_frame(
    frame: RawFrame<'_>,
    iface: u16,
    part: &mut PacketIndex,
    checksums: bool,
    decoded: &mut decode::Decoded,
) {
    decode::decode_on_wire_into(frame.link_type, frame.data, frame.orig_len, decoded);
    let frame_index = part.records.len() as u32;
    if checksums && crate::findings::bad_checksum::should_check(frame_index) {
        part.checksums_checked += 1;
        if let Some(issue) = crate::findings::bad_checksum::check(decoded, frame.data) {
            part.checksums.push(frame_index, issue);
        }
    }
    let record = record_from(decoded, &frame, iface, frame_index, part);
    part.records.push(record);
}

/// Merges per-file partial indexes by timestamp (stable: equal times keep file order, and frames
/// of one file keep their order even when their timestamps go backwards, as mergecap does).
fn merge_into(index: &mut PacketIndex, mut parts: Vec<PacketIndex>) {
    let non_empty: Vec<usize> = (0..parts.len())
        .filter(|&i| !parts[i].records.is_empty())
        .collect();
    if index.records.is_empty() && non_empty.len() <= 1 {
        // One file: its partial index is the index (no copy of a possibly huge record vector).
        if let Some(&only) = non_empty.first() {
            let part = std::mem::take(&mut parts[only]);
            let interfaces = std::mem::take(&mut index.interfaces);
            *index = PacketIndex { interfaces, ..part };
        }
        return;
    }
    let total: usize = parts.iter().map(|p| p.records.len()).sum();
    index.records.reserve(total);
    let mut cursors = vec![0usize; parts.len()];
    let multi = parts.iter().filter(|p| !p.records.is_empty()).count() > 1;
    let mut frame_in_file: Vec<u32> = Vec::new();
    index.checksums_checked += parts.iter().map(|p| p.checksums_checked).sum::<u64>();
    loop {
        // Few files: a linear scan for the earliest head beats a heap.
        let mut best: Option<(usize, i64)> = None;
        for (file, part) in parts.iter().enumerate() {
            if let Some(record) = part.records.get(cursors[file]) {
                let ts = record.ts_ns;
                if best.is_none_or(|(_, t)| ts < t) {
                    best = Some((file, ts));
                }
            }
        }
        let Some((file, _)) = best else { break };
        let local = cursors[file];
        cursors[file] += 1;
        let global = index.records.len() as u32;
        let part = &parts[file];
        let local_key = local as u32;
        let mut record = part.records.at(local);
        // Address and link ids are per part: re-intern into the global tables.
        record.src = reintern_addr(index, part, record.src);
        record.dst = reintern_addr(index, part, record.dst);
        record.link = index.links.intern(part.links.get(record.link));
        index.records.push(record);
        copy_side(&part.apps, local_key, &mut index.apps, global);
        if let Some(&options) = part.tcp_options.get(local_key) {
            index.tcp_options.push(global, options);
        }
        copy_side(&part.tcp_sacks, local_key, &mut index.tcp_sacks, global);
        copy_side(&part.arp, local_key, &mut index.arp, global);
        copy_side(
            &part.outer_layers,
            local_key,
            &mut index.outer_layers,
            global,
        );
        copy_side(&part.fragments, local_key, &mut index.fragments, global);
        copy_side(&part.icmp_quotes, local_key, &mut index.icmp_quotes, global);
        copy_side(&part.checksums, local_key, &mut index.checksums, global);
        if multi {
            frame_in_file.push(local_key + 1);
        }
    }
    index.file_frame = frame_in_file;
}

fn reintern_addr(index: &mut PacketIndex, part: &PacketIndex, id: u32) -> u32 {
    part.addrs
        .get(id)
        .map_or(0, |addr| index.addrs.intern(addr))
}

fn copy_side<T: Clone>(from: &SideTable<T>, key: u32, to: &mut SideTable<T>, global: u32) {
    if let Some(value) = from.get(key) {
        to.push(global, value.clone());
    }
}
