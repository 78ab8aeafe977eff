//! The JavaScript boundary, and the only module that uses `wasm-bindgen`: one opaque handle,
//! [`WasmAnalyzer`], owned by the page's Web Worker (`www/js/worker.js`), whose methods forward to
//! [`Analyzer`] and hand results back as plain JS objects and arrays (serde-wasm-bindgen in its
//! JSON-compatible mode: maps become objects, 64-bit integers become numbers, `None` becomes
//! `null`). Nothing here parses or decides anything; it must never panic on input, because a
//! panic leaves the WebAssembly instance unusable.

#![deny(clippy::unwrap_used, clippy::expect_used)]

use crate::analyzer::Analyzer;
use crate::conversations::{self, Conversation};
use crate::filter::FrameBytes;
use crate::findings::{self, Finding};
use crate::tcp::rows::{self as tcp_rows, Passes, TcpRow};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// An analysis session (one or more capture files) held on the Rust side.
#[wasm_bindgen]
pub struct WasmAnalyzer {
    inner: Analyzer,
    /// The findings of the finished capture, computed on first use (the view and the report
    /// export share them).
    findings: Option<Vec<Finding>>,
    /// The pcapng export in progress (`exportBegin` … `exportNext`).
    export: Option<crate::export::Export>,
}

#[wasm_bindgen]
impl WasmAnalyzer {
    #[wasm_bindgen(constructor)]
    pub fn new() -> WasmAnalyzer {
        // A panic's message (and stack) goes to the console before the instance traps; without
        // it the page only sees "unreachable". Installed once.
        console_error_panic_hook::set_once();
        let mut inner = Analyzer::new();
        inner.set_frame_limit(Some(crate::analyzer::capacity::WASM32_FRAME_LIMIT));
        WasmAnalyzer {
            inner,
            findings: None,
            export: None,
        }
    }

    /// Whether to validate IPv4, TCP and UDP checksums while indexing (for the `bad_checksum`
    /// finding; it reads every byte of every frame). Call before the first `push`.
    #[wasm_bindgen(js_name = setChecksumValidation)]
    pub fn set_checksum_validation(&mut self, on: bool) {
        self.inner.set_checksum_validation(on);
    }

    /// Opens a file for reading; returns its index.
    #[wasm_bindgen(js_name = beginFile)]
    pub fn begin_file(&mut self, name: &str) -> usize {
        self.inner.begin_file(name)
    }

    /// Feeds the next chunk of file `file` (copied in from the JS `Uint8Array`).
    pub fn push(&mut self, file: usize, chunk: &[u8]) {
        self.inner.push(file, chunk);
    }

    #[wasm_bindgen(js_name = endFile)]
    pub fn end_file(&mut self, file: usize) {
        self.inner.end_file(file);
    }

    /// Merges the files into one timeline; call once after the last `endFile`.
    pub fn finish(&mut self) {
        self.inner.finish();
        self.findings = None;
        self.export = None;
    }

    /// Whether the analysis has stopped taking frames (the capture is larger than the page
    /// holds: the summary says where it cut); the reader may stop pushing.
    pub fn stopped(&self) -> bool {
        self.inner.frames_cut().is_some()
    }

    /// Frames indexed so far, across files (for progress).
    #[wasm_bindgen(js_name = framesIndexed)]
    pub fn frames_indexed(&self) -> f64 {
        self.inner.frames_indexed() as f64
    }

    /// The capture summary (`Summary` as a plain object). Its 64-bit integers come out as BigInt
    /// (nanosecond timestamps exceed 2^53); the worker turns them into numbers.
    pub fn summary(&self) -> Result<JsValue, JsError> {
        let serializer = serde_wasm_bindgen::Serializer::json_compatible()
            .serialize_large_number_types_as_bigints(true);
        self.inner
            .summary()
            .serialize(&serializer)
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// Number of frames after `finish`.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Packet-list rows `start .. start+count` (0-based), as an array of `Row` objects.
    pub fn rows(&self, start: usize, count: usize) -> Result<JsValue, JsError> {
        to_js(&self.inner.rows(start, count))
    }

    /// `{file, offset, caplen}` of frame `no` (1-based), or `null`.
    pub fn locate(&self, no: f64) -> Result<JsValue, JsError> {
        match frame_number(no) {
            Some(no) => to_js(&self.inner.locate(no)),
            None => Ok(JsValue::NULL),
        }
    }

    /// `{tree, len}` of frame `no` given its captured bytes, or `null`.
    pub fn details(&self, no: f64, bytes: &[u8]) -> Result<JsValue, JsError> {
        match frame_number(no) {
            Some(no) => to_js(&self.inner.details(no, bytes)),
            None => Ok(JsValue::NULL),
        }
    }

    /// The findings with the keys of `tracelens findings --json` (an array of objects with
    /// kind, severity, verdict, explanation, frames, frames_total, stream, filter, details);
    /// 64-bit integers come out as BigInt.
    #[wasm_bindgen(js_name = findings)]
    pub fn findings_list(&mut self) -> Result<JsValue, JsError> {
        to_js_wide(self.findings())
    }

    /// The findings report to download: `format` is "markdown", "json" or "html" (a
    /// self-contained page); `name` names the capture in the title.
    #[wasm_bindgen(js_name = findingsReport)]
    pub fn findings_report(&mut self, format: &str, name: &str) -> Result<String, JsError> {
        self.findings();
        let list = self.findings.as_deref().unwrap_or(&[]);
        match format {
            "markdown" => Ok(findings::report::to_markdown(list, name)),
            "json" => Ok(findings::report::to_json(list)),
            "html" => {
                let summary = self.inner.summary();
                let inner = &self.inner;
                let row = |no: u64| {
                    let index = usize::try_from(no.checked_sub(1)?).ok()?;
                    inner.rows(index, 1).into_iter().next()
                };
                Ok(findings::report::to_html(list, name, &summary, &row))
            }
            other => Err(JsError::new(&format!("unknown report format {other:?}"))),
        }
    }

    /// Starts a pcapng export of `frames` (0-based frame indexes, ascending), or of the frames
    /// of the filtered view when `frames` is absent; returns how many frames it will write.
    /// Frames that findings cite get an `opt_comment`. Then call `exportNext` until it returns
    /// `undefined`.
    #[wasm_bindgen(js_name = exportBegin)]
    pub fn export_begin(&mut self, frames: Option<Vec<u32>>) -> usize {
        let frames = frames.unwrap_or_else(|| match self.inner.view_frames() {
            Some(view) => view.to_vec(),
            None => (0..self.inner.len() as u32).collect(),
        });
        let count = frames.len();
        self.findings();
        let list = self.findings.as_deref().unwrap_or(&[]);
        self.export = Some(crate::export::Export::new(&self.inner, frames, list));
        count
    }

    /// The next chunk of the export (about 1 MB of pcapng), or `undefined` when it is complete.
    /// `bytes(file, offset, caplen)` returns a frame's captured bytes (a `Uint8Array`), as for
    /// `applyFilter`. An unreadable frame ends the export with an error naming it.
    #[wasm_bindgen(js_name = exportNext)]
    pub fn export_next(&mut self, bytes: js_sys::Function) -> Result<Option<Vec<u8>>, JsError> {
        let Some(export) = self.export.as_mut() else {
            return Ok(None);
        };
        let source = JsFrameBytes(bytes);
        match export.next_chunk(&self.inner, &source) {
            Ok(Some(chunk)) => Ok(Some(chunk)),
            Ok(None) => {
                self.export = None;
                Ok(None)
            }
            Err(error) => {
                self.export = None;
                Err(JsError::new(&error.to_string()))
            }
        }
    }

    /// `[done, total]` frames of the export in progress (`[0, 0]` when none).
    #[wasm_bindgen(js_name = exportProgress)]
    pub fn export_progress(&self) -> Vec<f64> {
        let (done, total) = self.export.as_ref().map_or((0, 0), |e| e.progress());
        vec![done as f64, total as f64]
    }

    /// `{markers: [{no, reply_no, ip_len, payload_len, time, type}], ranges: [{from, to, filter}]}`
    /// (as `tracelens markers --json`); 64-bit integers come out as BigInt.
    pub fn markers(&self) -> Result<JsValue, JsError> {
        to_js_wide(&findings::markers::find(self.inner.index()))
    }

    /// The conversation table of `kind` (eth, ip, ipv6, tcp, udp) in tshark's order, one object
    /// per row with the keys of `tracelens conv --json` plus `first_frame` (1-based). 64-bit
    /// integers come out as BigInt.
    pub fn conversations(&self, kind: &str) -> Result<JsValue, JsError> {
        let kind = conversations::Kind::parse(kind)
            .ok_or_else(|| JsError::new(&format!("unknown conversation type {kind:?}")))?;
        let a = &self.inner;
        let rows = conversations::conversations(a.index(), a.flows(), a.tcp(), kind);
        let ordered: Vec<ConversationRow> =
            conversations::tshark_order(rows.iter().map(Conversation::frames))
                .into_iter()
                .filter_map(|at| rows.get(at))
                .map(|row| ConversationRow::new(kind, row))
                .collect();
        to_js_wide(&ordered)
    }

    /// Every TCP connection attempt (`tracelens connections`), in order of the first SYN; times
    /// in nanoseconds. 64-bit integers come out as BigInt.
    pub fn connections(&self) -> Result<JsValue, JsError> {
        let a = &self.inner;
        to_js_wide(&crate::connections::attempts(a.index(), a.flows()))
    }

    /// The TCP analysis of frame `no` (relative seq/ack, analysis flags and their names,
    /// ack_rtt, bytes in flight…), or `null` when it carries no TCP header.
    #[wasm_bindgen(js_name = tcpRow)]
    pub fn tcp_row(&self, no: f64) -> Result<JsValue, JsError> {
        let a = &self.inner;
        let row = frame_number(no)
            .and_then(|no| usize::try_from(no - 1).ok())
            .and_then(|i| tcp_rows::row(a.index(), a.flows(), a.tcp(), i, Passes::Two));
        to_js_wide(&row.map(AnalysedSegment::from))
    }

    /// The frames of TCP stream `stream` (`tcp.stream`), at most `limit` of them: `{stream,
    /// total, rows: [{no, time, dir, …analysis}]}` with `dir` 0 for A→B (A sent the first
    /// frame), or `null` when there is no such stream.
    #[wasm_bindgen(js_name = tcpStream)]
    pub fn tcp_stream(&self, stream: u32, limit: usize) -> Result<JsValue, JsError> {
        let a = &self.inner;
        let Some(frames) = a.tcp_stream_frames(stream) else {
            return Ok(JsValue::NULL);
        };
        let first = crate::summary::first_time(a.index());
        let rows: Vec<StreamSegment> = frames
            .iter()
            .take(limit)
            .filter_map(|&i| {
                let i = i as usize;
                let record = a.index().records.get(i)?;
                let row = tcp_rows::row(a.index(), a.flows(), a.tcp(), i, Passes::Two)?;
                let dir = a.flows().stream(i).map_or(0, |s| s.direction_of(record));
                let flags = u16::from(record.tcp_flags);
                Some(StreamSegment {
                    time: (record.ts_ns - first) as f64 / 1e9,
                    dir,
                    syn: flags & crate::decode::TCP_SYN != 0,
                    fin: flags & crate::decode::TCP_FIN != 0,
                    rst: flags & crate::decode::TCP_RST != 0,
                    segment: AnalysedSegment::from(row),
                })
            })
            .collect();
        let (end_a, end_b) = frames
            .first()
            .and_then(|&i| a.flows().stream(i as usize))
            .map(|s| (endpoint_text(a, s.a), endpoint_text(a, s.b)))
            .unwrap_or_default();
        to_js_wide(&StreamView {
            stream,
            a: end_a,
            b: end_b,
            total: frames.len(),
            rows,
        })
    }

    /// Applies a display filter to the packet list (blank text clears it), evaluated over the
    /// index in memory. `bytes(file, offset, caplen)` returns a frame's captured bytes (a
    /// `Uint8Array`, or `undefined`) for filters that test them. Returns `{count, error}`:
    /// `count` frames match, or `error` ({kind, message, start, end, text}) and the view is kept.
    #[wasm_bindgen(js_name = applyFilter)]
    pub fn apply_filter(
        &mut self,
        text: &str,
        bytes: Option<js_sys::Function>,
    ) -> Result<JsValue, JsError> {
        let source = bytes.map(JsFrameBytes);
        let source = source.as_ref().map(|s| s as &dyn FrameBytes);
        let answer = match self.inner.apply_filter_with(text, source) {
            Ok(count) => FilterAnswer { count, error: None },
            Err(error) => FilterAnswer {
                count: self.inner.view_len(),
                error: Some(error),
            },
        };
        to_js(&answer)
    }

    /// Drops the display filter.
    #[wasm_bindgen(js_name = clearFilter)]
    pub fn clear_filter(&mut self) {
        self.inner.clear_filter();
    }

    /// `null` when `text` compiles, else its error ({kind, message, start, end, text}).
    #[wasm_bindgen(js_name = checkFilter)]
    pub fn check_filter(&self, text: &str) -> Result<JsValue, JsError> {
        to_js(&self.inner.check_filter(text).err())
    }

    /// Field names completing the word at the end of `text`: [{name, description, ty}].
    #[wasm_bindgen(js_name = completeFilter)]
    pub fn complete_filter(&self, text: &str) -> Result<JsValue, JsError> {
        to_js(&crate::filter::complete(text))
    }

    /// Rows in the packet list: every frame, or those the filter selected.
    #[wasm_bindgen(js_name = viewLen)]
    pub fn view_len(&self) -> usize {
        self.inner.view_len()
    }

    /// Rows `start .. start+count` of the filtered packet list (they keep their frame numbers).
    #[wasm_bindgen(js_name = viewRows)]
    pub fn view_rows(&self, start: usize, count: usize) -> Result<JsValue, JsError> {
        to_js(&self.inner.view_rows(start, count))
    }

    /// Position of frame `no` in the filtered packet list, or -1 when the filter hides it.
    #[wasm_bindgen(js_name = viewIndexOf)]
    pub fn view_index_of(&self, no: f64) -> f64 {
        frame_number(no)
            .and_then(|no| self.inner.view_index_of(no))
            .map_or(-1.0, |at| at as f64)
    }
}

/// A comparison of two analyses (side A and side B, each one or several chained files) held on
/// the Rust side: `compare::compare` once, then its report, the flows paired across the two
/// captures and the ladder of one flow pair (`compare_view`). Frames are shown, located and
/// exported through each side's own [`WasmAnalyzer`].
#[wasm_bindgen]
pub struct WasmComparison {
    inner: crate::compare::Comparison,
}

#[wasm_bindgen]
impl WasmComparison {
    /// Compares `a` with `b`; `bytes_a(file, offset, caplen)` and `bytes_b(…)` return a frame's
    /// captured bytes of that side (a `Uint8Array`), as for `applyFilter`.
    pub fn run(
        a: &WasmAnalyzer,
        b: &WasmAnalyzer,
        bytes_a: js_sys::Function,
        bytes_b: js_sys::Function,
    ) -> WasmComparison {
        let (source_a, source_b) = (JsFrameBytes(bytes_a), JsFrameBytes(bytes_b));
        let inner = crate::compare::compare(
            crate::compare::Side {
                analyzer: &a.inner,
                bytes: &source_a,
            },
            crate::compare::Side {
                analyzer: &b.inner,
                bytes: &source_b,
            },
        );
        WasmComparison { inner }
    }

    /// The comparison as `tracelens compare --json` prints it; 64-bit integers come out as
    /// BigInt.
    pub fn report(&self) -> Result<JsValue, JsError> {
        to_js_wide(&self.inner)
    }

    /// The TCP/UDP flows of both sides paired, at most `limit` of them, those with differences
    /// first: `{total, rows}` (`compare_view::FlowList`).
    pub fn flows(&self, a: &WasmAnalyzer, b: &WasmAnalyzer, limit: usize) -> JsResult {
        to_js_wide(&crate::compare_view::flow_list(
            &a.inner,
            &b.inner,
            &self.inner,
            limit,
        ))
    }

    /// The ladder of flow pair `key` (`compare_view::Ladder`), or `null`.
    pub fn ladder(&self, a: &WasmAnalyzer, b: &WasmAnalyzer, key: usize) -> JsResult {
        to_js_wide(&crate::compare_view::ladder(
            &a.inner,
            &b.inner,
            &self.inner,
            key,
        ))
    }
}

impl WasmAnalyzer {
    fn findings(&mut self) -> &[Finding] {
        let inner = &self.inner;
        self.findings.get_or_insert_with(|| inner.findings())
    }
}

/// One conversation as the page shows it: the keys of `tracelens conv --json`.
#[derive(Serialize)]
struct ConversationRow {
    a: String,
    port_a: Option<u16>,
    b: String,
    port_b: Option<u16>,
    stream: Option<u32>,
    frames_ab: u64,
    bytes_ab: u64,
    frames_ba: u64,
    bytes_ba: u64,
    frames: u64,
    bytes: u64,
    rel_start: f64,
    duration: f64,
    bps_ab: Option<u64>,
    bps_ba: Option<u64>,
    /// 1-based number of the conversation's first frame.
    first_frame: u64,
}

impl ConversationRow {
    fn new(kind: conversations::Kind, row: &Conversation) -> Self {
        let (bps_ab, bps_ba) = row.bps();
        ConversationRow {
            a: row.a.to_string(),
            port_a: row.port_a,
            b: row.b.to_string(),
            port_b: row.port_b,
            stream: if kind.has_ports() { row.stream } else { None },
            frames_ab: row.frames_ab,
            bytes_ab: row.bytes_ab,
            frames_ba: row.frames_ba,
            bytes_ba: row.bytes_ba,
            frames: row.frames(),
            bytes: row.bytes(),
            rel_start: row.rel_start(),
            duration: row.duration(),
            bps_ab,
            bps_ba,
            first_frame: u64::from(row.first_frame) + 1,
        }
    }
}

/// A TCP frame's analysis with the flag names spelled as in `tcp.analysis.<name>`.
#[derive(Serialize)]
struct AnalysedSegment {
    #[serde(flatten)]
    row: TcpRow,
    flag_names: Vec<&'static str>,
    /// Whether Wireshark's "Bad TCP" colouring rule would mark it.
    problem: bool,
}

impl From<TcpRow> for AnalysedSegment {
    fn from(row: TcpRow) -> Self {
        AnalysedSegment {
            flag_names: crate::tcp::flags::field_names(row.flags),
            problem: crate::tcp::flags::is_problem(row.flags),
            row,
        }
    }
}

#[derive(Serialize)]
struct StreamSegment {
    /// Seconds since the first frame of the capture.
    time: f64,
    /// 0 when sent by the side that sent the stream's first frame.
    dir: usize,
    syn: bool,
    fin: bool,
    rst: bool,
    #[serde(flatten)]
    segment: AnalysedSegment,
}

#[derive(Serialize)]
struct StreamView {
    stream: u32,
    /// "address:port" of side A (the sender of the stream's first frame) and side B.
    a: String,
    b: String,
    total: usize,
    rows: Vec<StreamSegment>,
}

/// "10.0.0.1:443", "[2001:db8::1]:443" for an (address id, port) endpoint.
fn endpoint_text(analyzer: &Analyzer, (id, port): (u32, u16)) -> String {
    match analyzer.index().addrs.get(id) {
        Some(std::net::IpAddr::V6(addr)) => format!("[{addr}]:{port}"),
        Some(addr) => format!("{addr}:{port}"),
        None => format!("?:{port}"),
    }
}

#[derive(Serialize)]
struct FilterAnswer {
    count: usize,
    error: Option<crate::filter::FilterError>,
}

/// Frame bytes for byte-level filters, read by the worker (synchronously) from the file slices.
struct JsFrameBytes(js_sys::Function);

impl FrameBytes for JsFrameBytes {
    fn frame_bytes(
        &self,
        _frame_index: usize,
        location: &crate::analyzer::FrameLocation,
    ) -> Option<std::borrow::Cow<'_, [u8]>> {
        let value = self
            .0
            .call3(
                &JsValue::NULL,
                &JsValue::from(location.file as f64),
                &JsValue::from(location.offset as f64),
                &JsValue::from(location.caplen),
            )
            .ok()?;
        let array = value.dyn_into::<js_sys::Uint8Array>().ok()?;
        Some(std::borrow::Cow::Owned(array.to_vec()))
    }
}

impl Default for WasmAnalyzer {
    fn default() -> Self {
        WasmAnalyzer::new()
    }
}

/// A frame number from JS (a double): positive integers only.
fn frame_number(no: f64) -> Option<u64> {
    (no.is_finite() && no >= 1.0 && no.fract() == 0.0 && no <= 9_007_199_254_740_991.0)
        .then_some(no as u64)
}

/// What a method that hands a value to the page returns.
type JsResult = Result<JsValue, JsError>;

fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

/// Like [`to_js`], but every 64-bit integer becomes a BigInt (which never fails, whatever its
/// size); the worker turns them into numbers.
fn to_js_wide<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible()
        .serialize_large_number_types_as_bigints(true);
    value
        .serialize(&serializer)
        .map_err(|e| JsError::new(&e.to_string()))
}
