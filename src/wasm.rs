//! The JavaScript boundary, and the only module that uses `wasm-bindgen`: one opaque handle,
//! [`WasmAnalyzer`], owned by the page's Web Worker (`www/js/worker.js`), whose methods forward to
//! [`Analyzer`] and hand results back as plain JS objects and arrays (serde-wasm-bindgen in its
//! JSON-compatible mode: maps become objects, 64-bit integers become numbers, `None` becomes
//! `null`). Nothing here parses or decides anything; it must never panic on input, because a
//! panic leaves the WebAssembly instance unusable.

#![deny(clippy::unwrap_used, clippy::expect_used)]

use crate::analyzer::Analyzer;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// An analysis session (one or more capture files) held on the Rust side.
#[wasm_bindgen]
pub struct WasmAnalyzer {
    inner: Analyzer,
}

#[wasm_bindgen]
impl WasmAnalyzer {
    #[wasm_bindgen(constructor)]
    pub fn new() -> WasmAnalyzer {
        report_panics_to_console();
        WasmAnalyzer {
            inner: Analyzer::new(),
        }
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

fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

/// Sends a panic's message to the console before the instance traps (without this the page only
/// sees "unreachable"). Installed once.
fn report_panics_to_console() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            web_sys::console::error_1(&JsValue::from_str(&format!("tracelens panicked: {info}")));
        }));
    });
}
