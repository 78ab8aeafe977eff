// The analysis worker: owns the WebAssembly analyzer, reads the dropped files in slices and answers
// the page's requests (see protocol.js). The page never parses; this file never touches the DOM.

import { Msg, SLICE_BYTES, PROGRESS_INTERVAL_MS, isGzipMagic } from './protocol.js';
import { ByteSource } from './byte-source.js';
import { loadWasm } from './wasm-module.js';

/** Loads and initialises the wasm-bindgen module once; failures are reported, not thrown away. */
const wasm = loadWasm().then((mod) => {
  self.postMessage({ type: Msg.READY });
  return mod;
});
wasm.catch((err) => {
  self.postMessage({
    type: Msg.ERROR,
    id: 0,
    message: `The analyzer could not be loaded (${messageOf(err)}). If you built tracelens yourself, run scripts/build-web.`,
  });
});

/** Bytes handed to the analyzer per call (see `push` in readCapture). */
const PUSH_PIECE_BYTES = 1 << 20;

/** Validate checksums while reading (the bad_checksum finding needs every byte once). */
const CHECKSUMS = true;

/**
 * The analyzer of the open capture, per file index the bytes its offsets point into, and what
 * the packet list shows: every frame (`view` null) or the frames the analyzer's display filter
 * selected ({kind: 'filter'}).
 */
let current = null; // { analyzer, sources: (File|Blob|ByteSource)[], view, filterText }
// Two captures compared: {a, b} (each like `current`, which is then one of them), the
// WasmComparison, its report and the side shown ('a' or 'b'); null otherwise.
let pair = null;
const cancelRequests = new Set();
/** The slices the page sends for a `fed` open request, by request id (see SliceFeed). */
const feeds = new Map();
// Requests wait, in arrival order, behind the warm-up: a small synthetic capture run through the
// analyzer as soon as it loads, so the browser has optimized its code by the time the user's
// capture arrives (see src/warm_up.rs). The page hears `warmed` with the time it took.
let queue = wasm.then((mod) => {
  const started = performance.now();
  const frames = mod.warmUp();
  self.postMessage({ type: Msg.WARMED, frames, ms: performance.now() - started });
}).catch(() => {});

self.onmessage = (event) => {
  const msg = event.data;
  if (msg.type === Msg.CANCEL) {
    cancelRequests.add(msg.id);
    feeds.get(msg.id)?.cancel();
    return;
  }
  if (msg.type === Msg.WATCH) {
    holdLifeLock(msg.lock);
    return;
  }
  if (msg.type === Msg.SLICE) {
    feeds.get(msg.id)?.deliver(msg);
    return;
  }
  // A fed request's slices can come while it waits its turn (behind the warm-up or another
  // request): its feed is there from the moment it arrives, so none is dropped.
  if ((msg.type === Msg.OPEN || msg.type === Msg.OPEN_PAIR) && msg.fed) {
    feeds.set(msg.id, new SliceFeed(msg.id));
  }
  // One request at a time, in arrival order: the analyzer is not re-entrant.
  queue = queue.then(() => handle(msg)).catch((err) => {
    if (err instanceof WebAssembly.RuntimeError) {
      // A trap (a Rust panic) leaves the instance unusable: the page starts a new worker.
      self.postMessage({
        type: Msg.ERROR, id: msg.id, fatal: true,
        message: `The analyzer stopped on an internal error (${err.message}). This is a bug in tracelens; the capture is not damaged by it. Open the files again to retry.`,
      });
      return;
    }
    self.postMessage({ type: Msg.ERROR, id: msg.id, message: messageOf(err) });
  });
};

/** Holds the Web Lock `name` until this worker ends (see `watch` in protocol.js). */
function holdLifeLock(name) {
  const locks = self.navigator?.locks;
  if (!locks || typeof name !== 'string') return;
  locks.request(name, () => {
    self.postMessage({ type: Msg.WATCHING, lock: name });
    return new Promise(() => {}); // never settles: released only when the worker is gone
  }).catch(() => {}); // an opaque origin refuses locks: no watch
}

async function handle(msg) {
  switch (msg.type) {
    case Msg.OPEN: return withFeed(msg, open);
    case Msg.OPEN_PAIR: return withFeed(msg, openPair);
    case Msg.COMPARE: return compare(msg);
    case Msg.FLOWS: return compareFlows(msg);
    case Msg.LADDER: return ladder(msg);
    case Msg.SIDE: return showSide(msg);
    case Msg.COMPARE_EXPORT: return compareExport(msg);
    case Msg.ROWS: return rows(msg);
    case Msg.DETAILS: return details(msg);
    case Msg.FINDINGS: return findings(msg);
    case Msg.REPORT: return report(msg);
    case Msg.EXPORT: return exportChunk(msg);
    case Msg.MARKERS: return markers(msg);
    case Msg.TABLE: return openTable(msg);
    case Msg.TABLE_VIEW: return tableView(msg);
    case Msg.TABLE_ROWS: return tableRows(msg);
    case Msg.TABLE_POSITION: return tablePosition(msg);
    case Msg.FILTER: return filter(msg);
    case Msg.CHECK: return check(msg);
    case Msg.COMPLETE: return complete(msg);
    case Msg.LOCATE: return locate(msg);
    case Msg.IO_GRAPH: return ioGraph(msg);
    case Msg.IO_NEAREST: return ioNearest(msg);
    case Msg.PLAN: return capturePlan(msg);
    case Msg.FOLLOW: return followPage(msg);
    case Msg.TCP_GRAPH: return tcpGraph(msg);
    case Msg.FLOW_LADDER: return flowLadder(msg);
    default: throw new Error(`unknown request type ${JSON.stringify(msg.type)}`);
  }
}

/** Runs the open request `request` with `run`, taking the slices the page feeds it when `fed`. */
async function withFeed({ fed = false, ...request }, run) {
  if (fed && !feeds.has(request.id)) feeds.set(request.id, new SliceFeed(request.id));
  try {
    await run(request);
  } finally {
    feeds.delete(request.id);
  }
}

async function open({ id, files: given, names = [] }) {
  const { WasmAnalyzer } = await wasm;
  // Files (hosted page) or {name, chunks: ArrayBuffer[]} the page read and transferred.
  const files = given.map((f) => (Array.isArray(f?.chunks) ? new ByteSource(f.chunks, f.name) : f));
  dropCaptures();
  const started = performance.now();
  const totalBytes = files.reduce((n, f) => n + f.size, 0);
  const read = await readCapture(WasmAnalyzer, id, files, names, { started, totalBytes, doneBytes: 0 });
  if (!read) return;
  current = read.cap;
  self.postMessage({
    type: Msg.OPENED, id, summary: read.summary, count: read.cap.analyzer.len(), bytes: totalBytes,
    elapsedMs: performance.now() - started, timing: read.timing,
  });
  // The streams and the TCP analysis, now: the list's first rows need them, and so do the
  // findings the page asks for next. Built here, they are under way while the page lays out the
  // capture (30–50 ms on the 1M-frame capture), instead of after its first request arrives.
  current.analyzer.buildAnalysis();
}

/** Frees the open capture, or both sides of an open pair and their comparison. */
function dropCaptures() {
  if (pair) {
    pair.comparison?.free();
    dropTables(pair.a);
    dropTables(pair.b);
    pair.a.analyzer.free();
    pair.b.analyzer.free();
  } else if (current) {
    dropTables(current);
    current.analyzer.free();
  }
  pair = null;
  current = null;
}

/**
 * Reads `files` into a new analyzer (one timeline). `progress` carries the request's start, the
 * bytes of every file of the request and those already read, so a pair reports one progress.
 * Returns {cap, summary, timing}, or null when cancelled (then `cancelled` has been sent).
 */
async function readCapture(WasmAnalyzer, id, files, names, progress) {
  const analyzer = new WasmAnalyzer();
  // Checksums are checked while the bytes stream by (bad_checksum finding), when the build can.
  analyzer.setChecksumValidation?.(CHECKSUMS);
  const sources = [];
  // What only this side knows, merged into the summary: which files were gzip'd (the analyzer
  // sees the decompressed stream) and problems while decompressing.
  const gzipped = [];
  const notes = [];
  const { started, totalBytes } = progress;
  const timing = { pushMs: 0, finishMs: 0 }; // time inside the analyzer, for the benchmark
  const push = (index, bytes) => {
    const t = performance.now();
    // In pieces: each piece is copied into the wasm memory before it is parsed, and a small one
    // is copied into the same block every time (a 16 MiB slice at once grew the memory by as
    // much, every page of it new to the browser: the first touch of a page is what costs).
    for (let at = 0; at < bytes.length; at += PUSH_PIECE_BYTES) {
      analyzer.push(index, bytes.subarray(at, Math.min(bytes.length, at + PUSH_PIECE_BYTES)));
    }
    timing.pushMs += performance.now() - t;
  };
  let lastReport = 0;
  const cancelled = () => cancelRequests.has(id);
  // The analysis stops taking frames when the capture is larger than the page holds (the summary
  // says where): reading further would only spend time.
  const done = () => cancelled() || analyzer.stopped?.();
  const offset = progress.fileOffset ?? 0; // index of files[0] among the request's files

  const report = (fileIndex, fileBytes, force = false) => {
    const now = performance.now();
    if (!force && now - lastReport < PROGRESS_INTERVAL_MS) return;
    lastReport = now;
    const bytes = progress.doneBytes + fileBytes;
    const elapsedMs = now - started;
    self.postMessage({
      type: Msg.PROGRESS, id, fileIndex: offset + fileIndex, files: progress.files ?? files.length,
      file: names[fileIndex] ?? files[fileIndex].name ?? '',
      bytes, totalBytes, elapsedMs,
      bytesPerSec: elapsedMs > 0 ? bytes / (elapsedMs / 1000) : 0,
      frames: (progress.framesBefore ?? 0) + analyzer.framesIndexed(),
    });
  };

  try {
    for (let i = 0; i < files.length && !done(); i++) {
      const file = files[i];
      const index = analyzer.beginFile(names[i] ?? file.name ?? `file ${i + 1}`);
      const onBytes = (n) => report(i, n);
      const feed = feeds.get(id);
      if (await isGzipped(file, feed, offset + i)) {
        const result = await readGzip(push, index, file, onBytes, done);
        sources[index] = result.blob;
        gzipped.push(index);
        if (result.error) notes.push({ file: index, ...result.error });
      } else {
        analyzer.expectBytes(index, file.size);
        const nextSlice = feed ? () => feed.next(offset + i) : fileSlices(file);
        const release = feed ? (bytes) => feed.release(bytes) : () => {};
        await readPlain(push, index, file.size, nextSlice, release, onBytes, done);
        sources[index] = file;
      }
      analyzer.endFile(index);
      progress.doneBytes += file.size;
      report(i, 0, true);
    }
    if (cancelled()) {
      analyzer.free();
      self.postMessage({ type: Msg.CANCELLED, id });
      return null;
    }
    const t = performance.now();
    analyzer.finish();
    timing.finishMs = performance.now() - t;
  } catch (err) {
    analyzer.free();
    throw err;
  } finally {
    if (!progress.keepCancel) cancelRequests.delete(id);
  }

  const summary = plainNumbers(analyzer.summary());
  mergeNotes(summary, gzipped, notes);
  return { cap: { analyzer, sources, view: null, filterText: '' }, summary, timing };
}

/**
 * Two captures of the same traffic: files[0 .. split) are side A, the rest side B. Each side is
 * read into its own analyzer, then compared (the comparison is kept for `compare`, `ladder` and
 * `compareExport`); side A becomes the side the packet list shows.
 */
async function openPair({ id, files: given, names = [], split }) {
  const { WasmAnalyzer, WasmComparison } = await wasm;
  const files = given.map((f) => (Array.isArray(f?.chunks) ? new ByteSource(f.chunks, f.name) : f));
  if (!Number.isInteger(split) || split < 1 || split >= files.length) throw new Error('a pair needs files for both sides');
  dropCaptures();
  const started = performance.now();
  const totalBytes = files.reduce((n, f) => n + f.size, 0);
  const progress = { started, totalBytes, doneBytes: 0, files: files.length, keepCancel: true };
  let a = null;
  try {
    a = await readCapture(WasmAnalyzer, id, files.slice(0, split), names.slice(0, split), progress);
    if (!a) return;
    progress.fileOffset = split;
    progress.framesBefore = a.cap.analyzer.len();
    progress.keepCancel = false;
    const b = await readCapture(WasmAnalyzer, id, files.slice(split), names.slice(split), progress);
    if (!b) {
      a.cap.analyzer.free();
      return;
    }
    const t = performance.now();
    const comparison = WasmComparison.run(
      a.cap.analyzer, b.cap.analyzer,
      (file, offset, caplen) => readSync(a.cap.sources[file], offset, caplen),
      (file, offset, caplen) => readSync(b.cap.sources[file], offset, caplen),
    );
    slabs.clear();
    const compareMs = performance.now() - t;
    const report = plainNumbers(comparison.report());
    pair = { a: a.cap, b: b.cap, comparison, report, side: 'a' };
    current = a.cap;
    const side = (r) => ({ summary: r.summary, count: r.cap.analyzer.len(), timing: r.timing });
    self.postMessage({
      type: Msg.PAIR_OPENED, id, a: side(a), b: side(b), bytes: totalBytes,
      matched: report.matched, common: report.common, clock: report.clock,
      elapsedMs: performance.now() - started, compareMs,
    });
  } catch (err) {
    if (a && !pair) a.cap.analyzer.free();
    throw err;
  } finally {
    cancelRequests.delete(id);
  }
}

function requirePair() {
  if (!pair) throw new Error('no pair of captures is open');
  return pair;
}

/** Flows listed in the Compare view's table (those with differences first). */
const MAX_FLOW_ROWS = 2000;

/** The comparison report (computed when the pair was read). */
function compare({ id }) {
  const p = requirePair();
  self.postMessage({ type: Msg.COMPARED, id, comparison: p.report });
}

/** The flows of both sides paired and counted. */
function compareFlows({ id }) {
  const p = requirePair();
  const { total, rows } = plainNumbers(p.comparison.flows(p.a.analyzer, p.b.analyzer, MAX_FLOW_ROWS));
  self.postMessage({ type: Msg.FLOWS, id, flows: rows, total });
}

/** The ladder of flow pair `key`. */
function ladder({ id, key }) {
  const p = requirePair();
  const result = Number.isInteger(key) && key >= 0 ? p.comparison.ladder(p.a.analyzer, p.b.analyzer, key) : null;
  if (!result) throw new Error(`there is no flow ${key} in this comparison`);
  self.postMessage({ type: Msg.LADDER, id, ladder: plainNumbers(result) });
}

/** Switches the side the packet list, details, filter, findings and export requests act on. */
function showSide({ id, side }) {
  const p = requirePair();
  if (side !== 'a' && side !== 'b') throw new Error(`unknown side ${JSON.stringify(side)}`);
  p.side = side;
  current = p[side];
  self.postMessage({
    type: Msg.SIDE_SHOWN, id, side, count: current.analyzer.len(), displayed: viewLength(current),
    filterText: current.filterText,
  });
}

/** 0-based frame indexes of side `side` in comparison category `category`, ascending. */
function categoryFrames(report, side, category) {
  let nos;
  if (category === 'lost' || category === 'injected') {
    nos = report[category].filter((s) => s.file === side).map((s) => s.no);
  } else if (category === 'modified') {
    nos = report.modified.map((m) => (side === 'a' ? m.a_no : m.b_no));
  } else {
    throw new Error(`unknown category ${JSON.stringify(category)}`);
  }
  return Uint32Array.from([...new Set(nos)].sort((x, y) => x - y).map((no) => no - 1));
}

/** One chunk of the pcapng export of a comparison category of one side (`start` begins it). */
function compareExport({ id, side, category, start }) {
  const p = requirePair();
  const cap = p[side];
  if (!cap) throw new Error(`unknown side ${JSON.stringify(side)}`);
  if (start) cap.analyzer.exportBegin(categoryFrames(p.report, side, category));
  sendChunk(id, cap);
}

/**
 * Whether `file` is gzip'd: a fed file's first slice says so (the page read its first bytes),
 * without a read of its own; else its first two bytes are read here. An empty file is not.
 */
async function isGzipped(file, feed, fileIndex) {
  if (file.size < 2) return false;
  if (feed) return feed.isGzip(fileIndex);
  return isGzipMagic(new Uint8Array(await file.slice(0, 2).arrayBuffer()));
}

/**
 * Streams a plain file of `size` bytes into the analyzer, slice by slice as `nextSlice(offset)`
 * gives them (a Uint8Array; null: stop), each handed to `release` once pushed.
 */
async function readPlain(push, index, size, nextSlice, release, onBytes, cancelled) {
  let offset = 0;
  while (offset < size && !cancelled()) {
    const bytes = await nextSlice(offset);
    if (!bytes || bytes.byteLength === 0) break;
    offset += bytes.byteLength;
    push(index, bytes);
    release(bytes);
    onBytes(offset);
  }
}

/** `file`'s slices read here, the next one asked for while one parses (a page that does not feed). */
function fileSlices(file) {
  let ahead = null;
  return async (offset) => {
    const slice = ahead ?? file.slice(offset, offset + SLICE_BYTES).arrayBuffer();
    const next = offset + SLICE_BYTES;
    ahead = next < file.size ? file.slice(next, next + SLICE_BYTES).arrayBuffer() : null;
    return new Uint8Array(await slice);
  };
}

/**
 * The slices the page reads and sends for a fed request (protocol.js, `slice`), per file, in
 * order; each one, once pushed, goes back to the page in a `sliceTaken`, which reads the next
 * slice into it.
 */
class SliceFeed {
  constructor(id) {
    this.id = id;
    this.queued = new Map(); // file → slices received and not yet taken
    this.waiting = new Map(); // file → the resolve of a `next` waiting for its slice
  }

  deliver({ file, bytes, length, error, gzip = false }) {
    const slice = { bytes, length, error, gzip };
    const waiter = this.waiting.get(file);
    if (waiter) {
      this.waiting.delete(file);
      waiter(slice);
    } else {
      if (!this.queued.has(file)) this.queued.set(file, []);
      this.queued.get(file).push(slice);
    }
  }

  /** Ends every wait with no bytes (the request was cancelled: the page stops sending). */
  cancel() {
    for (const waiter of this.waiting.values()) waiter({ bytes: null });
    this.waiting.clear();
  }

  /** The next slice of `file` as the page sent it. */
  async take(file) {
    const queued = this.queued.get(file);
    return queued?.length ? queued.shift() : new Promise((resolve) => this.waiting.set(file, resolve));
  }

  /** Whether the page found `file` gzip'd; else its first slice stays next. */
  async isGzip(file) {
    const slice = await this.take(file);
    if (slice.gzip) return true;
    this.queued.set(file, [slice, ...(this.queued.get(file) ?? [])]);
    return false;
  }

  /** The next slice of `file` (a Uint8Array), null when the page sends no more. */
  async next(file) {
    const slice = await this.take(file);
    if (slice.error) throw new Error(slice.error);
    return slice.bytes ? new Uint8Array(slice.bytes, 0, slice.length ?? slice.bytes.byteLength) : null;
  }

  /** Hands a pushed slice's buffer back to the page. */
  release(bytes) {
    self.postMessage({ type: Msg.SLICE_TAKEN, id: this.id, bytes: bytes.buffer }, [bytes.buffer]);
  }
}

/**
 * Inflating a gzip file may always reach GZIP_FLOOR bytes, and beyond that GZIP_MAX_RATIO times
 * the compressed bytes read: the rule of the Rust reader (`gzip_ceiling` in
 * src/capture/reader.rs). Real captures compress 2 to 20 times; a gzip bomb stops there instead
 * of filling the tab's memory with frames.
 */
const GZIP_FLOOR = 256 * 1024 * 1024;
const GZIP_MAX_RATIO = 256;

/**
 * Decompresses a gzip file while reading it and feeds the decompressed chunks to the analyzer.
 * The decompressed bytes are kept as a Blob (which the browser may keep on disk), so a frame can
 * be sliced out again later by its offset in the decompressed stream.
 */
async function readGzip(push, index, file, onBytes, cancelled) {
  let compressedRead = 0;
  let decompressed = 0;
  const source = new ReadableStream({
    async pull(controller) {
      if (compressedRead >= file.size) {
        controller.close();
        return;
      }
      const buffer = await file.slice(compressedRead, compressedRead + SLICE_BYTES).arrayBuffer();
      compressedRead += buffer.byteLength;
      controller.enqueue(new Uint8Array(buffer));
    },
  });
  const reader = source.pipeThrough(new DecompressionStream('gzip')).getReader();
  const inMemory = file instanceof ByteSource; // then the decompressed bytes stay in memory too
  const kept = [];
  const parts = [];
  let partsBytes = 0;
  let blob = new Blob([]);
  let error = null;
  try {
    for (;;) {
      if (cancelled()) {
        await reader.cancel();
        break;
      }
      const { value, done } = await reader.read();
      if (done) break;
      push(index, value);
      decompressed += value.byteLength;
      if (inMemory) kept.push(value);
      else parts.push(value);
      partsBytes += value.byteLength;
      if (!inMemory && partsBytes >= SLICE_BYTES) {
        blob = new Blob([blob, ...parts]); // fold into the Blob so chunks can be freed
        parts.length = 0;
        partsBytes = 0;
      }
      onBytes(compressedRead);
      if (decompressed > Math.max(GZIP_FLOOR, GZIP_MAX_RATIO * compressedRead)) {
        await reader.cancel();
        error = {
          offset: decompressed,
          message: `the gzip stream inflates to more than ${GZIP_MAX_RATIO} times its size (${decompressed} bytes from its first ${compressedRead} compressed bytes; a real capture compresses far less, a gzip bomb this much), so reading stops here`,
        };
        break;
      }
    }
  } catch (err) {
    error = {
      offset: decompressed,
      message: `the gzip stream is damaged after ${compressedRead} compressed bytes (${messageOf(err)})`,
    };
  }
  return { blob: inMemory ? new ByteSource(kept) : new Blob([blob, ...parts]), error };
}

/** Marks gzip'd files; problems found while decompressing become warnings of their file. */
function mergeNotes(summary, gzipped, notes) {
  for (const index of gzipped) {
    if (summary?.files?.[index]) summary.files[index].gzip = true;
  }
  for (const note of notes) {
    const file = summary?.files?.[note.file];
    if (!file) continue;
    file.warnings = [...(file.warnings ?? []), `${note.message}; frames after byte ${note.offset} of the decompressed data are missing`];
  }
}

/**
 * Replaces BigInts (64-bit integers from Rust) by Numbers, in place; beyond 2^53 they round. A
 * non-finite float becomes null, as in `tracelens … --json` (serde_json writes NaN as null).
 */
function plainNumbers(value) {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) value[key] = plainNumbers(value[key]);
  }
  return value;
}

function requireCapture() {
  if (!current) throw new Error('no capture is open');
  return current;
}

function rows({ id, start, count }) {
  const { analyzer, view } = requireCapture();
  const list = view ? analyzer.viewRows(start, count) : analyzer.rows(start, count);
  self.postMessage({ type: Msg.ROWS, id, start, rows: list });
}

/** Number of rows in the packet list. */
function viewLength({ analyzer, view }) {
  return view ? analyzer.viewLen() : analyzer.len();
}

function locate({ id, no, nos }) {
  const cap = requireCapture();
  if (Array.isArray(nos)) {
    self.postMessage({ type: Msg.LOCATED, id, nos, indexes: nos.map((n) => indexOf(cap, n)) });
    return;
  }
  self.postMessage({ type: Msg.LOCATED, id, no, index: indexOf(cap, no) });
}

/** Index of frame `no` in the packet list as filtered, -1 when hidden. */
function indexOf({ analyzer, view }, no) {
  if (!Number.isInteger(no) || no < 1 || no > analyzer.len()) return -1;
  return view ? analyzer.viewIndexOf(no) : no - 1;
}

/** Applies a display filter (blank: none). */
function filter({ id, text }) {
  const cap = requireCapture();
  const { analyzer } = cap;
  const started = performance.now();
  const total = analyzer.len();
  const answer = (error) => self.postMessage({
    type: Msg.FILTERED, id, text, total, error,
    count: viewLength(cap), elapsedMs: performance.now() - started,
  });
  if (!text.trim()) {
    analyzer.clearFilter();
    cap.view = null;
    cap.filterText = '';
    return answer(null);
  }
  const result = analyzer.applyFilter(text, (file, offset, caplen) => readSync(cap.sources[file], offset, caplen));
  slabs.clear(); // let the slabs go
  if (result.error) return answer(result.error);
  cap.view = { kind: 'filter' };
  cap.filterText = text;
  return answer(null);
}

function check({ id, text }) {
  const { analyzer } = requireCapture();
  const error = analyzer.checkFilter(text) ?? null;
  self.postMessage({ type: Msg.CHECKED, id, text, error });
}

function complete({ id, text }) {
  const { analyzer } = requireCapture();
  const items = analyzer.completeFilter(text);
  self.postMessage({ type: Msg.COMPLETIONS, id, text, items });
}

/**
 * The bytes of a frame for filters that test them. Workers may read a Blob synchronously
 * (FileReaderSync); frames are asked for in capture order, so slabs of SLICE_BYTES are read and
 * frames served from them (one read per slab, not one per frame).
 */
let syncReader = null;
const slabs = new Map(); // source → {start, bytes}: one per file, as merged files interleave
function readSync(source, offset, length) {
  if (!source) return undefined;
  if (source instanceof ByteSource) return source.readSync(offset, offset + length);
  let slab = slabs.get(source);
  if (!slab || offset < slab.start || offset + length > slab.start + slab.bytes.length) {
    syncReader ??= new FileReaderSync();
    const end = Math.min(source.size, offset + Math.max(length, SLICE_BYTES));
    slab = { start: offset, bytes: new Uint8Array(syncReader.readAsArrayBuffer(source.slice(offset, end))) };
    slabs.set(source, slab);
  }
  const at = offset - slab.start;
  return slab.bytes.subarray(at, at + length);
}

/**
 * One chunk of the pcapng export of the displayed frames (`start` begins it). Frame bytes come
 * from the file slices, as for byte-level filters; the chunk's buffer is transferred.
 */
function exportChunk({ id, start }) {
  const cap = requireCapture();
  const { analyzer } = cap;
  if (typeof analyzer.exportBegin !== 'function') throw new Error('this build cannot export pcapng');
  if (start) {
    analyzer.exportBegin();
  }
  sendChunk(id, cap);
}

/** The next chunk of `cap`'s export in progress, as an `exported` message. */
function sendChunk(id, cap) {
  const { analyzer } = cap;
  const [, total] = analyzer.exportProgress();
  const chunk = analyzer.exportNext((file, offset, caplen) => readSync(cap.sources[file], offset, caplen)) ?? null;
  const [written] = analyzer.exportProgress();
  if (!chunk) slabs.clear(); // let the slabs go
  const message = { type: Msg.EXPORTED, id, chunk, done: !chunk, written: chunk ? written : total, total };
  self.postMessage(message, chunk ? [chunk.buffer] : []);
}

function findings({ id }) {
  const { analyzer } = requireCapture();
  self.postMessage({ type: Msg.FINDINGS, id, findings: plainNumbers(analyzer.findings()) });
}

function report({ id, format, name }) {
  const { analyzer } = requireCapture();
  self.postMessage({ type: Msg.REPORT, id, format, text: analyzer.findingsReport(format, name ?? 'capture') });
}

/** The IO graph's lines in one wasm call (io_graph::request); values as Float64Arrays. */
function ioGraph({ id, request }) {
  const cap = requireCapture();
  const started = performance.now();
  const { lines: specs } = request;
  const answer = cap.analyzer.ioGraph(request.from ?? undefined, request.to ?? undefined, request.interval ?? undefined,
    request.target ?? 600, specs.map((l) => l.filter ?? ''), specs.map((l) => l.measure), specs.map((l) => l.field ?? ''),
    (file, offset, caplen) => readSync(cap.sources[file], offset, caplen));
  const lines = answer.lines.map((l) => ({ ...l, values: Float64Array.from(l.values) }));
  self.postMessage({ type: Msg.IO_GRAPH, id, ...answer, lines, elapsedMs: performance.now() - started },
    lines.map((l) => l.values.buffer));
}

/** The frame nearest in time to `time` among those `filter` selects (0: none). */
function ioNearest({ id, filter, time }) {
  const cap = requireCapture();
  const no = cap.analyzer.ioGraphNearest(filter, time, (file, offset, caplen) => readSync(cap.sources[file], offset, caplen));
  self.postMessage({ type: Msg.IO_NEAREST, id, no });
}

function markers({ id }) {
  const { analyzer } = requireCapture();
  self.postMessage({ type: Msg.MARKERS, id, ...plainNumbers(analyzer.markers()), notes: analyzer.planNotes() });
}

/** The capture plan (src/plan) for the answers' text form; needs no capture. */
async function capturePlan({ id, query }) {
  const { capturePlan: plan } = await wasm;
  self.postMessage({ type: Msg.PLAN, id, ...plainNumbers(plan(String(query ?? ''))) });
}

/**
 * The tables the page pages through (protocol.js, `table`), kept per capture in `cap.tables`:
 * name → {table: WasmTable, state (the sort and outcome applied)}. What each name was made from
 * and how it was last sorted stays in `cap.tableSpecs`, so a table freed to make room is made
 * again, sorted the same way, when the page next asks for it.
 */
function openTable({ id, table, kind, stream: number }) {
  const cap = requireCapture();
  const name = table === 'conversations' ? `conversations:${kind}` : table === 'stream' ? `stream:${number}` : table;
  cap.tableSpecs ??= new Map();
  if (!cap.tableSpecs.has(name)) cap.tableSpecs.set(name, { table, kind, number, sort: null, outcome: null });
  const entry = tableEntry(cap, name);
  const graph = entry.table.graph(); // typed arrays: no BigInt in them
  const transfer = graph ? Object.values(graph).map((a) => a.buffer) : [];
  self.postMessage({
    type: Msg.TABLE, id, name, total: entry.table.len(), summary: plainNumbers(entry.table.summary()), graph,
  }, transfer);
}

/**
 * Tables with more rows than this together are freed before another is made: a capture of
 * twenty million frames has millions of conversations and connection attempts, and one such
 * table at a time is what wasm32's 4 GB leaves room for. Smaller tables are all kept.
 */
const TABLE_ROWS_KEPT = 100_000;

/** The open table `name` of `cap`, made (again) from its spec when it is not open. */
function tableEntry(cap, name) {
  cap.tables ??= new Map();
  let entry = cap.tables.get(name);
  if (entry) return entry;
  const spec = cap.tableSpecs?.get(name);
  if (!spec) throw new Error(`the table ${name} is not open`);
  let kept = 0;
  for (const e of cap.tables.values()) kept += e.table.len();
  for (const [other, e] of cap.tables) {
    if (kept > TABLE_ROWS_KEPT || (spec.table === 'stream' && other.startsWith('stream:'))) { // one stream at a time
      e.table.free();
      cap.tables.delete(other);
    }
  }
  const made = makeTable(cap.analyzer, spec.table, spec.kind, spec.number);
  entry = { table: made, state: '' };
  cap.tables.set(name, entry);
  if (spec.sort || spec.outcome) applyTableState(entry, name, spec.sort, spec.outcome);
  return entry;
}

function makeTable(analyzer, table, kind, number) {
  if (table === 'conversations') return analyzer.conversationTable(String(kind));
  if (table === 'connections') return analyzer.connectionTable();
  if (table === 'stream') {
    const made = Number.isInteger(number) && number >= 0 && number < 2 ** 32 ? analyzer.streamTable(number) : undefined;
    if (!made) throw new Error(`There is no TCP stream ${number} in this capture.`);
    return made;
  }
  throw new Error(`unknown table ${JSON.stringify(table)}`);
}

function requireTable(name) {
  return tableEntry(requireCapture(), name);
}

/** Sorts (and for connections narrows) the table of `entry` unless it already is. */
function applyTableState(entry, name, sort, outcome) {
  const state = JSON.stringify([sort?.key ?? null, sort?.key ? sort.dir : 0, outcome]);
  if (entry.state === state) return;
  entry.table.sort(sort?.key ?? undefined, (sort?.dir ?? 1) < 0);
  if (name === 'connections') entry.table.narrow(outcome ?? undefined);
  entry.state = state;
}

/** Frees the tables of `cap`. */
function dropTables(cap) {
  for (const { table } of cap?.tables?.values() ?? []) table.free();
  if (cap) {
    cap.tables = null;
    cap.tableSpecs = null;
  }
}

function tableView({ id, name, sort, outcome = null, keep = null }) {
  const entry = requireTable(name);
  const { table } = entry;
  applyTableState(entry, name, sort, outcome);
  const spec = requireCapture().tableSpecs?.get(name);
  if (spec) Object.assign(spec, { sort: sort ?? null, outcome: outcome ?? null });
  const position = Number.isInteger(keep) && keep >= 0 ? table.positionOf(keep) : -1;
  self.postMessage({ type: Msg.TABLE_VIEW, id, total: table.len(), position });
}

function tableRows({ id, name, start, count }) {
  const { table } = requireTable(name);
  self.postMessage({ type: Msg.TABLE_ROWS, id, start, rows: plainNumbers(table.rows(start, count)) });
}

function tablePosition({ id, name, index }) {
  const { table } = requireTable(name);
  const position = Number.isInteger(index) && index >= 0 ? table.positionOf(index) : -1;
  self.postMessage({ type: Msg.TABLE_POSITION, id, position });
}

async function details({ id, no }) {
  const { analyzer, sources } = requireCapture();
  const where = analyzer.locate(no);
  if (!where) throw new Error(`there is no frame ${no}`);
  const source = sources[where.file];
  if (!source) throw new Error(`the bytes of frame ${no} are not available`);
  const buffer = await source.slice(where.offset, where.offset + where.caplen).arrayBuffer();
  const bytes = new Uint8Array(buffer);
  const result = analyzer.details(no, bytes);
  if (!result) throw new Error(`frame ${no} could not be decoded`);
  const tcp = plainNumbers(analyzer.tcpRow(no)) ?? null;
  self.postMessage(
    { type: Msg.DETAILS, id, no, tree: result.tree, len: result.len, bytes, tcp },
    [bytes.buffer],
  );
}

function messageOf(err) {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** A page of a followed stream (its pieces' bytes read from the file slices, as for filters). */
function followPage({ id, protocol, stream, start, maxBytes, mode }) {
  const cap = requireCapture();
  const at = Array.isArray(start) ? start.map(Number) : [0, 0, 0];
  const page = cap.analyzer.followPage(protocol === 'udp' ? 'udp' : 'tcp', stream >>> 0, at, maxBytes >>> 0, String(mode),
    (file, offset, caplen) => readSync(cap.sources[file], offset, caplen));
  slabs.clear();
  self.postMessage({ type: Msg.FOLLOW, id, page });
}

/** The graph columns of one direction of a TCP stream (typed arrays, transferred). */
function tcpGraph({ id, stream, dir }) {
  const { analyzer } = requireCapture();
  const graph = analyzer.tcpGraph(stream >>> 0, dir ? 1 : 0);
  if (!graph) throw new Error(`There is no TCP stream ${stream} in this capture.`);
  self.postMessage({ type: Msg.TCP_GRAPH, id, graph }, Object.values(graph).map((a) => a.buffer));
}

/** A page of the ladder of a TCP stream, or of the packet list's frames (`stream` null). */
function flowLadder({ id, stream, start, count }) {
  const { analyzer } = requireCapture();
  const ladder = analyzer.ladderPage(Number.isInteger(stream) ? stream >>> 0 : undefined, start >>> 0, count >>> 0);
  if (!ladder) throw new Error(`There is no TCP stream ${stream} in this capture.`);
  self.postMessage({ type: Msg.FLOW_LADDER, id, ladder: plainNumbers(ladder) });
}
