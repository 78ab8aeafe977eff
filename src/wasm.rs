//! The JavaScript boundary, and the only module that uses `wasm-bindgen`: one opaque handle,
//! [`WasmAnalyzer`], owned by the page's Web Worker (`www/js/worker.js`), whose methods forward to
//! [`Analyzer`] and hand results back as plain JS objects and arrays (serde-wasm-bindgen in its
//! JSON-compatible mode: maps become objects, 64-bit integers become numbers, `None` becomes
//! `null`). Nothing here parses or decides anything; it must never panic on input, because a
//! panic leaves the WebAssembly instance unusable.

#![deny(clippy::unwrap_used, clippy::expect_used)]

use crate::analyzer::{capacity, Analyzer};
use crate::chunked::ChunkedVec;
use crate::conversations::table::{CellKey, RowStore, Table};
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
    /// The IO graph's frames per filter text (`ioGraph`).
    io_graph: crate::io_graph::request::Cache,
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
            io_graph: Default::default(),
        }
    }

    /// Whether to validate IPv4, TCP and UDP checksums while indexing (for the `bad_checksum`
    /// finding; it reads every byte of every frame). Call before the first `push`.
    #[wasm_bindgen(js_name = setChecksumValidation)]
    pub fn set_checksum_validation(&mut self, on: bool) {
        self.inner.set_checksum_validation(on);
    }

    /// Opens a file for reading; returns its index.
    /// The size of file `file` as it will be pushed (not gzip'd): plans the records' memory.
    #[wasm_bindgen(js_name = expectBytes)]
    pub fn expect_bytes(&mut self, file: usize, bytes: f64) {
        self.inner.expect_bytes(file, bytes as u64);
    }

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

    /// Builds the streams and the TCP analysis now, which the list's rows and the findings
    /// would otherwise build on first use (so the worker can do it before the page asks).
    #[wasm_bindgen(js_name = buildAnalysis)]
    pub fn build_analysis(&self) {
        self.inner.tcp();
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

    /// The conversations of `kind` (eth, ip, ipv6, tcp, udp) as a [`WasmTable`] in tshark's
    /// order, a row being an object with the keys of `tracelens conv --json` plus `first_frame`
    /// (1-based).
    #[wasm_bindgen(js_name = conversationTable)]
    pub fn conversation_table(&self, kind: &str) -> Result<WasmTable, JsError> {
        let kind = conversations::Kind::parse(kind)
            .ok_or_else(|| JsError::new(&format!("unknown conversation type {kind:?}")))?;
        let a = &self.inner;
        let table = format!("{} conversations", kind.title());
        let command = format!("tracelens conv --type {} FILE", kind.name());
        let refused =
            |needed: &[usize]| JsError::new(&capacity::table_refused(&table, needed, &command));
        // TCP and UDP tables are planned (a row a stream) and checked first; the others' rows
        // are pairs of addresses, not known before: their growth is checked as they grow. Either
        // way a table too large is an error, never an abort of the wasm.
        let needed = conversations::table_bytes(a.flows(), kind);
        if !capacity::room_for(&needed) {
            return Err(refused(&needed));
        }
        let per_row = |rows: usize| [rows * std::mem::size_of::<Conversation>(), rows * 16];
        let rows = conversations::try_conversations(a.index(), a.flows(), a.tcp(), kind)
            .map_err(|_| refused(&per_row(a.flows().streams.len())))?;
        // Sorting them and the table's two orders take about 16 bytes a row more.
        if !capacity::room_for(&[rows.len() * 8, rows.len() * 8]) {
            return Err(refused(&per_row(rows.len())));
        }
        Ok(WasmTable::new(TableRows::Conversations(
            Table::new(in_tshark_order(rows)),
            kind,
        )))
    }

    /// Every TCP connection attempt (`tracelens connections`) as a [`WasmTable`], in order of the
    /// first SYN; times in nanoseconds.
    #[wasm_bindgen(js_name = connectionTable)]
    pub fn connection_table(&self) -> Result<WasmTable, JsError> {
        let a = &self.inner;
        let needed = [crate::connections::table_bytes(a.flows())];
        if !capacity::room_in_pieces(needed[0]) {
            let (table, command) = ("connection", "tracelens connections FILE");
            return Err(JsError::new(&capacity::table_refused(
                table, &needed, command,
            )));
        }
        let rows = crate::connections::attempts(a.index(), a.flows());
        Ok(WasmTable::new(TableRows::Attempts(Table::new(rows))))
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

    /// The frames of TCP stream `stream` (`tcp.stream`) as a [`WasmTable`] of `{no, time, dir,
    /// syn, fin, rst, …analysis}` rows (`dir` 0 for A→B: A sent the first frame), or `undefined`
    /// when there is no such stream.
    #[wasm_bindgen(js_name = streamTable)]
    pub fn stream_table(&self, stream: u32) -> Option<WasmTable> {
        let a = &self.inner;
        let frames = a.tcp_stream_frames(stream)?;
        let first = crate::summary::first_time(a.index());
        let rows: Vec<StreamSegment> = frames
            .iter()
            .filter_map(|&i| {
                let i = i as usize;
                let record = a.index().records.get(i)?;
                let row = tcp_rows::row(a.index(), a.flows(), a.tcp(), i, Passes::Two)?;
                let dir = a.flows().stream(i).map_or(0, |s| {
                    a.flows().ends(s, &a.index().records).direction_of(&record)
                });
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
            .map(|s| a.flows().ends(s, &a.index().records))
            .map(|ends| (endpoint_text(a, ends.a), endpoint_text(a, ends.b)))
            .unwrap_or_default();
        let head = StreamHead {
            stream,
            a: end_a,
            b: end_b,
        };
        Some(WasmTable::new(TableRows::Segments(Table::new(rows), head)))
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

    /// The IO graph's lines in one call (`io_graph::request`): the range and interval in
    /// seconds (`undefined` for the defaults), about `target` points when the interval is
    /// automatic, and per line its filter, measure and field (three lists of one length);
    /// returns `{from, interval, count, duration, lines: [{values, frames, error}]}`. `bytes` as
    /// for `applyFilter`.
    #[wasm_bindgen(js_name = ioGraph)]
    #[allow(clippy::too_many_arguments)]
    pub fn io_graph(
        &mut self,
        from: Option<f64>,
        to: Option<f64>,
        interval: Option<f64>,
        target: u32,
        filters: Vec<String>,
        measures: Vec<String>,
        fields: Vec<String>,
        bytes: Option<js_sys::Function>,
    ) -> Result<JsValue, JsError> {
        let lines = filters
            .into_iter()
            .zip(measures)
            .zip(fields)
            .map(
                |((filter, measure), field)| crate::io_graph::request::LineSpec {
                    filter,
                    measure,
                    field,
                },
            )
            .collect();
        let request = crate::io_graph::request::Request {
            from,
            to,
            interval,
            target: Some(target),
            lines,
        };
        let source = bytes.map(JsFrameBytes);
        let source = source.as_ref().map(|s| s as &dyn FrameBytes);
        let answer =
            crate::io_graph::request::answer(&mut self.inner, &mut self.io_graph, &request, source)
                .map_err(|e| JsError::new(&e))?;
        to_js(&answer)
    }

    /// The frame number nearest in time to `time` seconds among those `filter` selects (0:
    /// none), for a click on the IO graph.
    #[wasm_bindgen(js_name = ioGraphNearest)]
    pub fn io_graph_nearest(
        &mut self,
        filter: &str,
        time: f64,
        bytes: Option<js_sys::Function>,
    ) -> f64 {
        let source = bytes.map(JsFrameBytes);
        let source = source.as_ref().map(|s| s as &dyn FrameBytes);
        crate::io_graph::request::nearest(&mut self.inner, &mut self.io_graph, filter, time, source)
            .map_or(0.0, |no| no as f64)
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

/// A table the page pages through instead of receiving whole (`conversations::table`): the
/// conversations of one type, the connection attempts or the segments of one TCP stream, kept
/// here; the page sorts it, narrows it (attempts, by outcome) and asks for windows of it. The
/// worker frees it when the capture goes.
#[wasm_bindgen]
pub struct WasmTable {
    rows: TableRows,
}

enum TableRows {
    /// Kept as computed (about 100 bytes a row; a 20M-frame capture can have millions) and
    /// turned into [`ConversationRow`]s a window at a time.
    Conversations(Table<Conversation>, conversations::Kind),
    Attempts(Table<crate::connections::Attempt, ChunkedVec<crate::connections::Attempt>>),
    Segments(Table<StreamSegment>, StreamHead),
}

/// A shown row with its index in the table's given order (what `positionOf` takes).
#[derive(Serialize)]
struct Indexed<'a, R> {
    index: u32,
    #[serde(flatten)]
    row: &'a R,
}

fn window<R: Serialize, S: RowStore<Row = R>>(
    table: &Table<R, S>,
    start: usize,
    count: usize,
) -> JsResult {
    let rows: Vec<Indexed<'_, R>> = table
        .page(start, count)
        .map(|(index, row)| Indexed { index, row })
        .collect();
    to_js_wide(&rows)
}

fn sort_by_column<R, S: RowStore<Row = R>>(
    table: &mut Table<R, S>,
    column: Option<String>,
    descending: bool,
    key_of: impl Fn(&str) -> Option<KeyOf<R>>,
) -> Result<(), JsError> {
    match column {
        None => table.sort(None, descending),
        Some(column) => {
            let key = key_of(&column)
                .ok_or_else(|| JsError::new(&format!("this table has no column {column:?}")))?;
            table.sort(Some(&*key), descending);
        }
    }
    Ok(())
}

#[wasm_bindgen]
impl WasmTable {
    fn new(rows: TableRows) -> WasmTable {
        WasmTable { rows }
    }

    /// Rows shown (after `narrow`).
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        match &self.rows {
            TableRows::Conversations(t, _) => t.len(),
            TableRows::Attempts(t) => t.len(),
            TableRows::Segments(t, _) => t.len(),
        }
    }

    /// The shown rows at display positions `start .. start+count`, each with `index`, its
    /// position in the table's given order. 64-bit integers come out as BigInt.
    pub fn rows(&self, start: usize, count: usize) -> JsResult {
        match &self.rows {
            TableRows::Conversations(t, kind) => {
                let made: Vec<(u32, ConversationRow)> = t
                    .page(start, count)
                    .map(|(index, row)| (index, ConversationRow::new(*kind, row)))
                    .collect();
                let rows: Vec<Indexed<'_, ConversationRow>> = made
                    .iter()
                    .map(|(index, row)| Indexed { index: *index, row })
                    .collect();
                to_js_wide(&rows)
            }
            TableRows::Attempts(t) => window(t, start, count),
            TableRows::Segments(t, _) => window(t, start, count),
        }
    }

    /// Sorts by `column` (a key of the page's columns; `undefined`: the given order), largest
    /// first when `descending`; blanks last, ties in the given order.
    pub fn sort(&mut self, column: Option<String>, descending: bool) -> Result<(), JsError> {
        match &mut self.rows {
            TableRows::Conversations(t, kind) => {
                let kind = *kind;
                sort_by_column(t, column, descending, |c| conversation_key(c, kind))
            }
            TableRows::Attempts(t) => sort_by_column(t, column, descending, attempt_key),
            TableRows::Segments(t, _) => sort_by_column(t, column, descending, segment_key),
        }
    }

    /// Shows only the connection attempts whose outcome is `outcome` (its table word, e.g.
    /// "unanswered"); `undefined` shows them all.
    pub fn narrow(&mut self, outcome: Option<String>) -> Result<(), JsError> {
        let TableRows::Attempts(t) = &mut self.rows else {
            return Err(JsError::new("only connection attempts narrow by outcome"));
        };
        match outcome {
            None => t.narrow(None),
            Some(word) => t.narrow(Some(&|r: &crate::connections::Attempt| {
                r.outcome.name() == word
            })),
        }
        Ok(())
    }

    /// Display position of the row of `index`, or -1 when it is not shown.
    #[wasm_bindgen(js_name = positionOf)]
    pub fn position_of(&self, index: u32) -> f64 {
        let at = match &self.rows {
            TableRows::Conversations(t, _) => t.position_of(index),
            TableRows::Attempts(t) => t.position_of(index),
            TableRows::Segments(t, _) => t.position_of(index),
        };
        at.map_or(-1.0, |at| at as f64)
    }

    /// What the page shows beside the table, over every row: conversations `{rows, frames}`,
    /// attempts `{rows, outcomes: {word: count}}`, a stream `{rows, stream, a, b}`.
    pub fn summary(&self) -> JsResult {
        match &self.rows {
            TableRows::Conversations(t, _) => to_js_wide(&ConversationTotals {
                rows: t.rows().len(),
                frames: t.rows().iter().map(Conversation::frames).sum(),
            }),
            TableRows::Attempts(t) => {
                let mut outcomes = std::collections::BTreeMap::<&str, usize>::new();
                for row in t.rows() {
                    *outcomes.entry(row.outcome.name()).or_default() += 1;
                }
                to_js_wide(&AttemptTotals {
                    rows: t.rows().len(),
                    outcomes,
                })
            }
            TableRows::Segments(t, head) => to_js_wide(&StreamTotals {
                rows: t.rows().len(),
                head,
            }),
        }
    }

    /// A stream's segments in the given order as columns for its time/sequence graph: `{no,
    /// time, seq, len, ack, window}` (Float64Arrays; a missing len or window is NaN) and `bits`
    /// (a Uint8Array: 1 sent B→A, 2 a problem, 4 a SYN); `null` for other tables.
    pub fn graph(&self) -> JsResult {
        let TableRows::Segments(t, _) = &self.rows else {
            return Ok(JsValue::NULL);
        };
        let rows = t.rows();
        let column = |value: &dyn Fn(&StreamSegment) -> f64| -> JsValue {
            let values: Vec<f64> = rows.iter().map(value).collect();
            js_sys::Float64Array::from(values.as_slice()).into()
        };
        let missing = |v: Option<u32>| v.map_or(f64::NAN, f64::from);
        let bits: Vec<u8> = rows
            .iter()
            .map(|r| u8::from(r.dir != 0) | u8::from(r.segment.problem) << 1 | u8::from(r.syn) << 2)
            .collect();
        let graph = js_sys::Object::new();
        let fields: [(&str, JsValue); 7] = [
            ("no", column(&|r| r.segment.row.no as f64)),
            ("time", column(&|r| r.time)),
            ("seq", column(&|r| f64::from(r.segment.row.seq))),
            ("len", column(&|r| missing(r.segment.row.len))),
            ("ack", column(&|r| f64::from(r.segment.row.ack))),
            ("window", column(&|r| missing(r.segment.row.window))),
            ("bits", js_sys::Uint8Array::from(bits.as_slice()).into()),
        ];
        for (name, value) in fields {
            js_sys::Reflect::set(&graph, &JsValue::from_str(name), &value)
                .map_err(|_| JsError::new("the stream graph could not be built"))?;
        }
        Ok(graph.into())
    }
}

#[derive(Serialize)]
struct ConversationTotals {
    rows: usize,
    frames: u64,
}

#[derive(Serialize)]
struct AttemptTotals<'a> {
    rows: usize,
    outcomes: std::collections::BTreeMap<&'a str, usize>,
}

#[derive(Serialize)]
struct StreamTotals<'a> {
    rows: usize,
    #[serde(flatten)]
    head: &'a StreamHead,
}

/// A column's sort key for a row (`None`: a blank cell).
type KeyOf<R> = Box<dyn Fn(&R) -> Option<CellKey>>;

/// A number's key; NaN and infinities are blank (the page shows them as null).
fn number(value: f64) -> Option<CellKey> {
    value.is_finite().then_some(CellKey::Num(value))
}

fn conversation_key(column: &str, kind: conversations::Kind) -> Option<KeyOf<Conversation>> {
    type R = Conversation;
    let key: KeyOf<R> = match column {
        "a" => Box::new(|r: &R| Some(CellKey::of_address(&r.a))),
        "b" => Box::new(|r: &R| Some(CellKey::of_address(&r.b))),
        "port_a" => Box::new(|r: &R| r.port_a.map(CellKey::num)),
        "port_b" => Box::new(|r: &R| r.port_b.map(CellKey::num)),
        "stream" => Box::new(move |r: &R| r.stream.filter(|_| kind.has_ports()).map(CellKey::num)),
        "frames" => Box::new(|r: &R| number(r.frames() as f64)),
        "bytes" => Box::new(|r: &R| number(r.bytes() as f64)),
        "frames_ab" => Box::new(|r: &R| number(r.frames_ab as f64)),
        "bytes_ab" => Box::new(|r: &R| number(r.bytes_ab as f64)),
        "frames_ba" => Box::new(|r: &R| number(r.frames_ba as f64)),
        "bytes_ba" => Box::new(|r: &R| number(r.bytes_ba as f64)),
        "rel_start" => Box::new(|r: &R| number(r.rel_start())),
        "duration" => Box::new(|r: &R| number(r.duration())),
        "bps_ab" => Box::new(|r: &R| r.bps().0.and_then(|v| number(v as f64))),
        "bps_ba" => Box::new(|r: &R| r.bps().1.and_then(|v| number(v as f64))),
        _ => return None,
    };
    Some(key)
}

/// The rows of a conversation table in tshark's order (frames descending, then first seen),
/// sorted where they are: a copy would double the largest table's memory for a moment.
fn in_tshark_order(mut rows: Vec<Conversation>) -> Vec<Conversation> {
    rows.retain(|r| r.frames() > 0);
    crate::sort::sort_by(&mut rows, |x, y| y.frames().cmp(&x.frames()));
    rows
}

fn attempt_key(column: &str) -> Option<KeyOf<crate::connections::Attempt>> {
    type R = crate::connections::Attempt;
    let ns = |v: Option<i64>| v.and_then(|v| number(v as f64));
    let key: KeyOf<R> = match column {
        "stream" => Box::new(|r: &R| Some(CellKey::num(r.stream))),
        "client" => Box::new(|r: &R| r.client.map(|a| CellKey::address(&a.to_string()))),
        "client_port" => Box::new(|r: &R| Some(CellKey::num(r.client_port))),
        "server" => Box::new(|r: &R| r.server.map(|a| CellKey::address(&a.to_string()))),
        "server_port" => Box::new(|r: &R| Some(CellKey::num(r.server_port))),
        // The table's words order as the page's titles do ("answer not captured" … "unanswered").
        "outcome" => Box::new(|r: &R| Some(CellKey::Text(r.outcome.name().to_string()))),
        "syn_retransmissions" => Box::new(|r: &R| Some(CellKey::num(r.syn_retransmissions))),
        "syn_to_syn_ack_ns" => Box::new(move |r: &R| ns(r.times.syn_to_syn_ack_ns)),
        "syn_ack_to_ack_ns" => Box::new(move |r: &R| ns(r.times.syn_ack_to_ack_ns)),
        "connect_ns" => Box::new(move |r: &R| ns(r.times.connect_ns)),
        "first_syn_frame" => Box::new(|r: &R| number(r.first_syn_frame as f64)),
        "first_syn_time_ns" => Box::new(move |r: &R| ns(Some(r.first_syn_time_ns))),
        "end" => Box::new(|r: &R| {
            let end = r.reset_frame.or(r.server_fin_frame).or(r.client_fin_frame);
            end.and_then(|f| number(f as f64))
        }),
        _ => return None,
    };
    Some(key)
}

fn segment_key(column: &str) -> Option<KeyOf<StreamSegment>> {
    type R = StreamSegment;
    let key: KeyOf<R> = match column {
        "no" => Box::new(|r: &R| number(r.segment.row.no as f64)),
        "time" => Box::new(|r: &R| number(r.time)),
        "dir" => Box::new(|r: &R| number(r.dir as f64)),
        "tcpflags" => Box::new(|r: &R| Some(CellKey::Text(r.flags_text()))),
        "seq" => Box::new(|r: &R| Some(CellKey::num(r.segment.row.seq))),
        "ack" => Box::new(|r: &R| Some(CellKey::num(r.segment.row.ack))),
        // A header quoted in an ICMP error has no length: it sorts below every length.
        "len" => Box::new(|r: &R| number(r.segment.row.len.map_or(-1.0, f64::from))),
        "window" => Box::new(|r: &R| r.segment.row.window.map(CellKey::num)),
        "ack_rtt" => Box::new(|r: &R| r.segment.row.ack_rtt_ns.and_then(|v| number(v as f64))),
        "bif" => Box::new(|r: &R| r.segment.row.bytes_in_flight.map(CellKey::num)),
        "analysis" => Box::new(|r: &R| Some(CellKey::Text(r.segment.analysis_text()))),
        _ => return None,
    };
    Some(key)
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

impl AnalysedSegment {
    /// The Analysis column's text: the flag names in words (a fast or spurious retransmission
    /// named once, not also as a plain one) and the duplicate ACK's count.
    fn analysis_text(&self) -> String {
        let names = &self.flag_names;
        let specific = names
            .iter()
            .any(|n| *n != "retransmission" && n.ends_with("retransmission"));
        let mut parts: Vec<String> = names
            .iter()
            .filter(|n| !(specific && **n == "retransmission"))
            .map(|n| n.replace('_', " "))
            .collect();
        if let Some(num) = self.row.dup_ack_num.filter(|&n| n != 0) {
            let frame = self
                .row
                .dup_ack_frame
                .map_or("null".to_string(), |f| f.to_string());
            parts.push(format!("#{num} of {frame}"));
        }
        parts.join(", ")
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

impl StreamSegment {
    /// The Flags column's text: "SYN", "FIN", "RST" as set, space-separated.
    fn flags_text(&self) -> String {
        let set = [(self.syn, "SYN"), (self.fin, "FIN"), (self.rst, "RST")];
        let names: Vec<&str> = set.iter().filter(|(on, _)| *on).map(|(_, n)| *n).collect();
        names.join(" ")
    }
}

/// Which TCP stream a segment table shows: its number and "address:port" of side A (the
/// sender of the stream's first frame) and side B.
#[derive(Serialize)]
struct StreamHead {
    stream: u32,
    a: String,
    b: String,
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

/// The capture plan for the answers' text form (`client=windows&server=linux&ends=both&…`, as the
/// page's fragment carries them): `{plan, text, markdown, problems}` ([`crate::plan::Rendered`]).
/// Runs a small synthetic capture through the analyzer so the browser optimizes its code before
/// the first real capture ([`crate::warm_up`]); returns the frames read.
#[wasm_bindgen(js_name = warmUp)]
pub fn warm_up() -> usize {
    crate::warm_up::warm_up()
}

/// Needs no capture.
#[wasm_bindgen(js_name = capturePlan)]
pub fn capture_plan(query: &str) -> JsResult {
    to_js_wide(&crate::plan::from_query(query))
}

#[wasm_bindgen]
impl WasmAnalyzer {
    /// What the capture shows of the capture plan, in its words: `[{kind, text}]` (`markers`,
    /// `no_markers`, `ring`), see [`crate::plan::recognise`].
    #[wasm_bindgen(js_name = planNotes)]
    pub fn plan_notes(&self) -> JsResult {
        to_js(&crate::plan::recognise::of_analysis(&self.inner))
    }
}
/// Follow stream, the TCP stream graphs and the ladder (issue 15, part B): thin conversions of
/// [`crate::follow`], [`crate::tcp::graphs`] and [`crate::ladder`].
#[wasm_bindgen]
impl WasmAnalyzer {
    /// A page of the followed stream `number` of `protocol` ("tcp" or "udp"): pieces from
    /// `start[0]` on (`start[1]`, `start[2]`: the bytes client and server sent before it, from the
    /// previous page's `next`) up to about `max_bytes` of payload, rendered in `mode` ("ascii",
    /// "hex" or "raw") for the page: `{nodes: [client, server], pieces, bytes: [client, server],
    /// next: [piece, client bytes, server bytes], items: [{no, server, offset, len, missing,
    /// text}]}`. `bytes(file, offset, caplen)` reads a frame.
    #[wasm_bindgen(js_name = followPage)]
    pub fn follow_page(
        &self,
        protocol: &str,
        number: u32,
        start: Vec<f64>,
        max_bytes: usize,
        mode: &str,
        bytes: js_sys::Function,
    ) -> JsResult {
        use crate::follow::{text, Content, Cursor, Follow, Protocol};
        let protocol = match protocol {
            "udp" => Protocol::Udp,
            _ => Protocol::Tcp,
        };
        let mode = text::Mode::parse(mode).unwrap_or(text::Mode::Ascii);
        let a = &self.inner;
        let follow = Follow::new(a.index(), a.flows(), a.tcp(), protocol, number)
            .map_err(|e| JsError::new(&e.to_string()))?;
        let count = |at: usize| start.get(at).map_or(0, |&v| v.max(0.0) as u64);
        let at = Cursor {
            piece: count(0) as usize,
            offsets: [count(1), count(2)],
        };
        let (items, next) = follow.page(a.index(), &JsFrameBytes(bytes), at, max_bytes);
        let totals = follow.totals();
        to_js(&FollowPageOut {
            nodes: follow.nodes.map(|n| text::node_name(a.index(), n)),
            pieces: totals.pieces,
            bytes: totals.bytes.map(|b| b as f64),
            next: [
                next.piece as f64,
                next.offsets[0] as f64,
                next.offsets[1] as f64,
            ],
            items: items
                .iter()
                .map(|item| FollowItemOut {
                    no: item.piece.frame + 1,
                    server: item.piece.server,
                    offset: item.offset as f64,
                    len: item.bytes.len(),
                    missing: matches!(item.piece.content, Content::Missing { .. }),
                    text: text::display(item, mode),
                })
                .collect(),
        })
    }

    /// The graph columns of TCP stream `number` for data sent in direction `dir` (0: A→B, A the
    /// source of its first frame), as typed arrays (see [`crate::tcp::graphs::DirectionGraph`]):
    /// `seg_frame seg_time seg_seq seg_len seg_flags seg_in_flight seg_throughput ack_frame
    /// ack_time ack_seq ack_window ack_flags ack_rtt sack`; `undefined` when there is no such
    /// stream.
    #[wasm_bindgen(js_name = tcpGraph)]
    pub fn tcp_graph(&self, number: u32, dir: usize) -> Result<JsValue, JsError> {
        let a = &self.inner;
        let Some(id) = a
            .flows()
            .streams
            .iter()
            .position(|s| s.ip_proto == 6 && s.number == number)
        else {
            return Ok(JsValue::UNDEFINED);
        };
        let g = crate::tcp::graphs::direction_graph(a.index(), a.flows(), a.tcp(), id, dir.min(1));
        let f64s = |v: &[f64]| -> JsValue { js_sys::Float64Array::from(v).into() };
        let u32s = |v: &[u32]| -> JsValue { js_sys::Uint32Array::from(v).into() };
        let fields: [(&str, JsValue); 14] = [
            ("seg_frame", u32s(&g.seg_frame)),
            ("seg_time", f64s(&g.seg_time)),
            ("seg_seq", f64s(&g.seg_seq)),
            ("seg_len", u32s(&g.seg_len)),
            ("seg_flags", u32s(&g.seg_flags)),
            ("seg_in_flight", f64s(&g.seg_in_flight)),
            ("seg_throughput", f64s(&g.seg_throughput)),
            ("ack_frame", u32s(&g.ack_frame)),
            ("ack_time", f64s(&g.ack_time)),
            ("ack_seq", f64s(&g.ack_seq)),
            ("ack_window", f64s(&g.ack_window)),
            ("ack_flags", u32s(&g.ack_flags)),
            ("ack_rtt", f64s(&g.ack_rtt)),
            ("sack", f64s(&g.sack)),
        ];
        let out = js_sys::Object::new();
        for (name, value) in fields {
            js_sys::Reflect::set(&out, &JsValue::from_str(name), &value)
                .map_err(|_| JsError::new("the TCP graph could not be built"))?;
        }
        Ok(out.into())
    }

    /// A page of the ladder diagram: of TCP stream `stream`, or (`undefined`) of the frames the
    /// packet list shows (the display filter's, or all). `{columns, total, start, arrows: [{no,
    /// time, from, to, protocol, label, class, problem}]}`; `undefined` for an unknown stream.
    #[wasm_bindgen(js_name = ladderPage)]
    pub fn ladder_page(&self, stream: Option<u32>, start: usize, count: usize) -> JsResult {
        let a = &self.inner;
        let frames = match stream {
            Some(number) => match a.tcp_stream_frames(number) {
                Some(frames) => frames,
                None => return Ok(JsValue::UNDEFINED),
            },
            None => match a.view_frames() {
                Some(view) => view.to_vec(),
                None => (0..a.len() as u32).collect(),
            },
        };
        let page = crate::ladder::page(a.index(), a.flows(), a.tcp(), &frames, start, count);
        to_js_wide(&page)
    }
}

#[derive(Serialize)]
struct FollowPageOut {
    nodes: [String; 2],
    pieces: usize,
    bytes: [f64; 2],
    next: [f64; 3],
    items: Vec<FollowItemOut>,
}

#[derive(Serialize)]
struct FollowItemOut {
    no: u32,
    server: bool,
    offset: f64,
    len: usize,
    missing: bool,
    text: String,
}
