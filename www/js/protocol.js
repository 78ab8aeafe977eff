// The messages the page and the analysis worker exchange. This file is the contract: both sides
// import the names from here, and nothing else crosses the boundary.
//
// Every request from the page carries an `id` (a positive integer, unique per page); the worker's
// answers to it carry the same `id`. The worker handles requests one at a time, in order, except
// `cancel`, which it notices between two slices of a file being read.
//
// Page → worker
//   open     {type, id, files: File[] | Blob[], names: string[]}
//            Start a new analysis of these files (dropping the previous one). Blobs need `names`.
//            Answered by any number of `progress`, then one `opened`, `cancelled` or `error`.
//   rows     {type, id, start, count}
//            Rows start .. start+count-1 (0-based) of the packet list. Answer: `rows`.
//   details  {type, id, no}
//            The dissection tree and the captured bytes of frame `no` (1-based). Answer: `details`.
//   cancel   {type, id}
//            Stop reading the files of the `open` request `id`. Answer: `cancelled` for that id
//            (or nothing if it had already finished).
//
// Worker → page
//   ready     {type}             The WebAssembly module is loaded; sent once, unrequested.
//
// The worker may be started before the first request (AnalyzerClient.warmUp) so the module is
// compiled by the time a file is dropped.
//   progress  {type, id, file, fileIndex, files, bytes, totalBytes, bytesPerSec, frames, elapsedMs}
//             While reading: `bytes` read so far across all files (compressed bytes for gzip
//             files), of `totalBytes`; `frames` indexed so far.
//   opened    {type, id, summary, count, elapsedMs, bytes, timing: {pushMs, finishMs}}
//             Reading finished; `summary` is the analyzer's Summary, `count` the number of frames,
//             `timing` the time spent inside the analyzer (the rest is reading and messaging).
//   rows      {type, id, start, rows: Row[]}
//   details   {type, id, no, tree: Node[], len, bytes: Uint8Array} (bytes is transferred)
//   cancelled {type, id}
//   error     {type, id, message, fatal?}   `id` is 0 when no request caused it (e.g. loading
//             failed). `fatal`: the WebAssembly instance trapped and the worker must be replaced.

/** Message type names, shared by both sides. */
export const Msg = Object.freeze({
  OPEN: 'open',
  ROWS: 'rows',
  DETAILS: 'details',
  CANCEL: 'cancel',
  READY: 'ready',
  PROGRESS: 'progress',
  OPENED: 'opened',
  CANCELLED: 'cancelled',
  ERROR: 'error',
});

/** Files are read and handed to the analyzer in slices of this size. */
export const SLICE_BYTES = 16 * 1024 * 1024;

/** At most this often (ms) the worker reports progress. */
export const PROGRESS_INTERVAL_MS = 100;

/** The gzip magic number (RFC 1952, section 2.3.1). */
export function isGzipMagic(bytes) {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}
