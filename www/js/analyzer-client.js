// The page's side of the worker protocol (protocol.js): starts the worker on first use, matches
// answers to requests by id, and cancels by asking politely first and terminating the worker if
// it does not answer in time (terminating is the only way to stop wasm in the middle of a call).

import { Msg, SLICE_BYTES, FEED_SLICE_BYTES, READ_AHEAD_SLICES, isGzipMagic } from './protocol.js';
import { sliceReader } from './slice-reader.js';
import { createWorker, transferBytes } from './platform.js';

/** The first slice of a fed file (the rest are FEED_SLICE_BYTES): parsing starts sooner. */
const FIRST_SLICE_BYTES = 1024 * 1024;

/** What the page says when the worker ended without an error of its own. */
export const WORKER_GONE = 'The analysis stopped: the browser ended its worker without an error — most often because it ran out of memory. Nothing was lost from your files; open them again, or fewer or smaller ones.';
let workerSerial = 0;

const CANCEL_GRACE_MS = 1500;

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export class AnalyzerClient {
  /**
   * `onFatal(message)` hears about errors no request caused (e.g. the module failed to load);
   * `onWarmed({frames, ms})` that the worker has warmed the analyzer's code (worker.js).
   * `createWorker` and `transferBytes` default to the platform's (platform.js); embed.js's inline
   * mode passes its own.
   */
  constructor({ onFatal = () => {}, onWarmed = () => {}, createWorker: makeWorker = createWorker, transferBytes: bytes = transferBytes } = {}) {
    this.makeWorker = makeWorker;
    this.transferBytes = bytes;
    this.worker = null;
    this.nextId = 1;
    this.pending = new Map(); // id → {resolve, reject, onProgress}
    this.onFatal = onFatal;
    this.onWarmed = onWarmed;
    this.reading = new Set(); // ids of open requests whose files the page is still reading
    this.feeding = new Map(); // id of a fed open request → {credit, free, wake} (see feed)
  }

  /**
   * Reads `files` (Files, or Blobs with `names`) into a new analysis. Resolves with the `opened`
   * message; rejects with CancelledError if cancel() was called.
   */
  open(files, { names, onProgress } = {}) {
    return this.openAs(Msg.OPEN, {}, files, { names, onProgress });
  }

  /**
   * Reads `aFiles` as side A and `bFiles` as side B of a comparison (protocol.js, `openPair`).
   * Resolves with the `pairOpened` message; rejects with CancelledError if cancel() was called.
   */
  openPair(aFiles, bFiles, { onProgress } = {}) {
    return this.openAs(Msg.OPEN_PAIR, { split: aFiles.length }, [...aFiles, ...bFiles], { onProgress });
  }

  openAs(type, fields, files, { names, onProgress } = {}) {
    const list = [...files];
    const id = this.nextId++;
    const fileNames = names ?? list.map((f) => f.name);
    if (!this.transferBytes) {
      const promise = this.send({ ...fields, type, id, files: list, names: fileNames, fed: true }, onProgress);
      this.feed(id, list);
      return { id, promise };
    }
    // Opaque origins (file://, sandboxed iframes): read the files here and transfer the bytes,
    // as a worker there may be unable to read a posted File (WebKit).
    this.reading.add(id);
    const promise = readFiles(list).then((payload) => {
      if (!this.reading.delete(id)) throw new CancelledError();
      const transfer = payload.flatMap((f) => f.chunks);
      return this.send({ ...fields, type, id, files: payload, names: fileNames }, onProgress, transfer);
    }, (err) => {
      this.reading.delete(id);
      throw err;
    });
    return { id, promise };
  }

  /**
   * Reads the plain files of the fed request `id` here and sends their slices to the worker
   * (protocol.js, `slice`): this thread reads while the worker parses. At most
   * READ_AHEAD_SLICES are with the worker at once; each comes back in a `sliceTaken` once
   * parsed, and the next slice is read into it (slice-reader.js). Gzip'd files are left to the
   * worker, which inflates them as it reads.
   */
  async feed(id, files) {
    const state = { credit: READ_AHEAD_SLICES, free: [], wake: null };
    this.feeding.set(id, state);
    const live = () => this.feeding.get(id) === state;
    const worker = this.worker;
    let reader = null;
    try {
      for (let i = 0; i < files.length && live(); i++) {
        const file = files[i];
        if (file.size === 0) continue;
        reader = sliceReader(file, FEED_SLICE_BYTES);
        // A small first slice: the worker starts parsing sooner. Its first bytes tell a gzip'd
        // file, which is left to the worker (told so instead of sent the slice).
        let first = true;
        while (live()) {
          while (state.credit === 0 && live()) await new Promise((resolve) => { state.wake = resolve; });
          if (!live()) return;
          let slice;
          try {
            slice = await reader.next(state.free.pop() ?? null, first ? FIRST_SLICE_BYTES : FEED_SLICE_BYTES);
          } catch (err) {
            if (live()) worker.postMessage({ type: Msg.SLICE, id, file: i, bytes: null, error: `${file.name ?? 'a file'} could not be read: ${err.message}` });
            return;
          }
          if (!live()) return;
          if (slice.length === 0) break;
          if (first && isGzipMagic(new Uint8Array(slice.buffer, 0, Math.min(2, slice.length)))) {
            state.free.push(slice.buffer);
            worker.postMessage({ type: Msg.SLICE, id, file: i, bytes: null, gzip: true });
            break;
          }
          first = false;
          state.credit--;
          worker.postMessage({ type: Msg.SLICE, id, file: i, bytes: slice.buffer, length: slice.length }, [slice.buffer]);
        }
        reader.cancel();
        reader = null;
      }
    } finally {
      reader?.cancel();
      this.stopFeeding(id, state);
    }
  }

  /** Ends the feeding of request `id` (it finished, was cancelled, or the worker went). */
  stopFeeding(id, state = this.feeding.get(id)) {
    if (!state || this.feeding.get(id) !== state) return;
    this.feeding.delete(id);
    state.wake?.();
  }

  /** Shows side "a" or "b" of the open pair: the `sideShown` message. */
  showSide(side) {
    return this.request(Msg.SIDE, { side });
  }

  /** The comparison of the open pair. */
  compare() {
    return this.request(Msg.COMPARE).then((m) => m.comparison);
  }

  /** {flows, total}: the flows of the open pair, paired and counted. */
  compareFlows() {
    return this.request(Msg.FLOWS).then(({ flows, total }) => ({ flows, total }));
  }

  /** The ladder of flow `key` of the open pair. */
  ladder(key) {
    return this.request(Msg.LADDER, { key }).then((m) => m.ladder);
  }

  /** The next chunk of the pcapng export of a comparison category of one side (as exportChunk). */
  compareExportChunk(side, category, start) {
    return this.request(Msg.COMPARE_EXPORT, { side, category, start });
  }

  /** Starts the worker (and so the WebAssembly compile) ahead of the first request. */
  warmUp() {
    this.ensureWorker();
  }

  /** Rows start .. start+count-1 of the packet list. */
  rows(start, count) {
    return this.send({ type: Msg.ROWS, id: this.nextId++, start, count }).then((m) => m.rows);
  }

  /** {no, tree, len, bytes} of frame `no`. */
  details(no) {
    return this.send({ type: Msg.DETAILS, id: this.nextId++, no });
  }

  /** Findings of the open capture, ranked. */
  findings() {
    return this.request(Msg.FINDINGS).then((m) => m.findings);
  }

  /** The findings report as text: `format` "markdown", "json" or "html". */
  report(format, name) {
    return this.request(Msg.REPORT, { format, name }).then((m) => m.text);
  }

  /**
   * The next chunk of the pcapng export of the displayed frames (`start` begins a new one):
   * the `exported` message {chunk: Uint8Array|null, done, written, total}.
   */
  exportChunk(start) {
    return this.request(Msg.EXPORT, { start });
  }

  /**
   * The IO graph: `request` {from, to, interval, target, lines: [{filter, measure, field}]}
   * (seconds, null for defaults) → {from, interval, count, duration, lines: [{values
   * (Float64Array), frames, error}], elapsedMs}.
   */
  ioGraph(request) {
    return this.request(Msg.IO_GRAPH, { request });
  }

  /** The frame number nearest in time to `time` seconds among those `filter` selects (0: none). */
  ioNearest(filter, time) {
    return this.request(Msg.IO_NEAREST, { filter, time }).then((m) => m.no);
  }

  /** {markers, ranges} of marker pings, and `notes`: what the capture shows of the capture plan. */
  markers() {
    return this.request(Msg.MARKERS).then(({ markers, ranges, notes }) => ({ markers, ranges, notes: notes ?? [] }));
  }

  /** The capture plan for the answers' text form: {plan, text, markdown, problems}. */
  plan(query) {
    return this.request(Msg.PLAN, { query }).then(({ plan, text, markdown, problems }) => ({ plan, text, markdown, problems }));
  }

  /**
   * The conversations of `kind` (eth, ip, ipv6, tcp, udp), kept in the worker: {summary: {rows,
   * frames}, source} (`source` pages them for a DataTable).
   */
  conversationTable(kind) {
    return this.table({ table: 'conversations', kind });
  }

  /** The TCP connection attempts, kept in the worker: {summary: {rows, outcomes}, source}. */
  connectionTable() {
    return this.table({ table: 'connections' });
  }

  /**
   * The frames of TCP stream `stream`, kept in the worker: {summary: {rows, stream, a, b},
   * graph: {no, time, seq, len, ack, window, bits}, source}.
   */
  streamTable(stream) {
    return this.table({ table: 'stream', stream });
  }

  /** A page of a followed stream (see `follow` in protocol.js). */
  followPage(protocol, stream, start, maxBytes, mode) {
    return this.request(Msg.FOLLOW, { protocol, stream, start, maxBytes, mode }).then((m) => m.page);
  }

  /** The graph columns of TCP stream `stream`, data direction `dir` (typed arrays). */
  tcpGraph(stream, dir) {
    return this.request(Msg.TCP_GRAPH, { stream, dir }).then((m) => m.graph);
  }

  /** A page of the ladder of TCP stream `stream`, or of the displayed frames (`stream` null). */
  flowLadder(stream, start, count) {
    return this.request(Msg.FLOW_LADDER, { stream, start, count }).then((m) => m.ladder);
  }

  /** Opens (or finds again) a table in the worker: the `table` message and a TableSource on it. */
  table(spec) {
    return this.request(Msg.TABLE, spec).then((m) => ({ ...m, source: new TableSource(this, m.name) }));
  }

  /** Applies a display filter; resolves with the `filtered` message ({count, total, error}). */
  filter(text) {
    return this.request(Msg.FILTER, { text });
  }

  /** null when `text` is a valid filter, else its FilterError. */
  check(text) {
    return this.request(Msg.CHECK, { text }).then((m) => m.error);
  }

  /** Completions [{name, description, ty}] for the word at the end of `text`. */
  complete(text) {
    return this.request(Msg.COMPLETE, { text }).then((m) => m.items);
  }

  /** Index of frame `no` in the filtered packet list, -1 when hidden. */
  locate(no) {
    return this.request(Msg.LOCATE, { no }).then((m) => m.index);
  }

  /** For each frame number in `nos`, its index in the filtered packet list (-1 when hidden). */
  locateMany(nos) {
    return this.request(Msg.LOCATE, { nos }).then((m) => m.indexes);
  }

  request(type, fields = {}) {
    return this.send({ ...fields, type, id: this.nextId++ });
  }

  /** Stops the `open` request `id`. */
  cancel(id) {
    if (this.reading.delete(id)) return; // its promise rejects once the read ends
    this.stopFeeding(id);
    if (!this.pending.has(id) || !this.worker) return;
    this.worker.postMessage({ type: Msg.CANCEL, id });
    const worker = this.worker;
    setTimeout(() => {
      if (this.pending.has(id) && this.worker === worker) this.restart();
    }, CANCEL_GRACE_MS);
  }

  /** Terminates the worker; every pending request rejects with CancelledError. */
  restart() {
    for (const id of [...this.feeding.keys()]) this.stopFeeding(id);
    if (this.worker) this.worker.terminate();
    this.worker = null;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(new CancelledError());
  }

  send(message, onProgress, transfer = []) {
    const worker = this.ensureWorker();
    return new Promise((resolve, reject) => {
      this.pending.set(message.id, { resolve, reject, onProgress });
      worker.postMessage(message, transfer);
    });
  }

  ensureWorker() {
    if (this.worker) return this.worker;
    const worker = this.makeWorker();
    worker.onmessage = (event) => {
      if (event.data?.type === Msg.WATCHING) this.watchLife(worker, event.data.lock);
      else this.dispatch(event.data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      this.fail(`The analysis worker failed: ${event.message || 'it could not be started'}.`);
    };
    worker.onmessageerror = () => this.fail('A message from the analysis worker could not be read.');
    this.worker = worker;
    worker.postMessage({ type: Msg.WATCH, lock: `tracelens-worker-${++workerSerial}-${Math.random().toString(36).slice(2)}` });
    return worker;
  }

  /**
   * Asks for the Web Lock the worker holds for its whole life: the browser grants it once the
   * worker is gone. A worker this client still counts on has then died without a word.
   */
  watchLife(worker, lock) {
    navigator.locks?.request(lock, () => {
      if (this.worker === worker) this.fail(WORKER_GONE);
    }).catch(() => {});
  }

  dispatch(msg) {
    if (msg.type === Msg.READY) return;
    if (msg.type === Msg.WARMED) {
      this.onWarmed({ frames: msg.frames, ms: msg.ms });
      return;
    }
    if (msg.type === Msg.SLICE_TAKEN) {
      const state = this.feeding.get(msg.id);
      if (state) {
        state.credit++;
        if (msg.bytes) state.free.push(msg.bytes);
        state.wake?.();
        state.wake = null;
      }
      return;
    }
    if (msg.type !== Msg.PROGRESS) this.stopFeeding(msg.id);
    const waiting = this.pending.get(msg.id);
    if (msg.type === Msg.ERROR && (msg.fatal || !waiting)) {
      this.fail(msg.message);
      return;
    }
    if (!waiting) return; // an answer to a request given up on
    switch (msg.type) {
      case Msg.PROGRESS:
        waiting.onProgress?.(msg);
        return;
      case Msg.CANCELLED:
        this.pending.delete(msg.id);
        waiting.reject(new CancelledError());
        return;
      case Msg.ERROR:
        this.pending.delete(msg.id);
        waiting.reject(new Error(msg.message));
        return;
      default:
        this.pending.delete(msg.id);
        waiting.resolve(msg);
    }
  }

  fail(message) {
    for (const id of [...this.feeding.keys()]) this.stopFeeding(id);
    const pending = [...this.pending.values()];
    this.pending.clear();
    if (this.worker) this.worker.terminate();
    this.worker = null;
    for (const p of pending) p.reject(new Error(message));
    this.onFatal(message);
  }
}

/**
 * A table the worker keeps (protocol.js, `table`), as DataTable's paged source. `outcome`
 * narrows connection attempts to one outcome (null: all); it applies at the next view().
 */
export class TableSource {
  constructor(client, name) {
    this.client = client;
    this.name = name;
    this.outcome = null;
  }

  /** Sorts ({key, dir} or null: the given order); {total, position} (where row `keep` is now). */
  view({ sort, keep = null }) {
    const fields = { name: this.name, sort: sort ?? null, outcome: this.outcome, keep };
    return this.client.request(Msg.TABLE_VIEW, fields).then(({ total, position }) => ({ total, position }));
  }

  /** Rows start .. start+count-1 in the current order. */
  rows(start, count) {
    return this.client.request(Msg.TABLE_ROWS, { name: this.name, start, count }).then((m) => m.rows);
  }

  /** Display position of the row of `index` (its place in the given order), -1 if not shown. */
  position(index) {
    return this.client.request(Msg.TABLE_POSITION, { name: this.name, index }).then((m) => m.position);
  }
}

/** [{name, size, chunks: ArrayBuffer[]}]: the files read in SLICE_BYTES slices. */
async function readFiles(files) {
  const out = [];
  for (const file of files) {
    const chunks = [];
    for (let offset = 0; offset < file.size; offset += SLICE_BYTES) {
      chunks.push(await file.slice(offset, offset + SLICE_BYTES).arrayBuffer());
    }
    out.push({ name: file.name ?? '', size: file.size, chunks });
  }
  return out;
}
