// The offline single-file copy's platform: scripts/build-offline bundles this in place of
// www/js/platform.js (same exports). Everything comes from the page itself, nothing is fetched:
//
// - The worker is a *classic* Worker from a blob: URL whose source (the data block
//   #tracelens-worker) holds the worker code bundled as a classic script after the wasm-bindgen
//   glue. This is the one way that works in every opaque origin (file://, sandboxed iframes) in
//   Chromium, Firefox and WebKit: worker URLs are refused there, a *module* blob worker fails in
//   Chromium, and import() inside a worker fails in WebKit. (The hosted page keeps its module
//   worker, which loads faster and needs no blob: in its CSP; both run the same www/js/worker.js.)
// - The wasm is in the data block #tracelens-wasm, gzip'd and base-85'd (see `base85Bytes`: 6%
//   smaller than base64, which keeps the whole file under its size target); it is decoded, inflated
//   with DecompressionStream and compiled here once, and the compiled module is posted to each
//   worker started (a restart after Cancel compiles nothing again).
// - Files are read here and their bytes transferred (WebKit cannot read a File posted to a worker
//   from an opaque origin).

import { workerScriptUrl } from '../js/trusted-url.js';

export const offlineCopy = true;
export const transferBytes = true;
export const sampleUrl = '';

/** The bytes of a base64 data block of this page. */
function blockBytes(id) {
  const text = document.getElementById(id).textContent.replace(/\s+/g, '');
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The bytes of a base-85 data block (`data-bytes`: how many): every 5 characters of the alphabet
 * below are 4 bytes, big-endian, the last group padded. The alphabet is the first 85 printable
 * characters from `!` on without quotes, backquote, `/` and `<`, so no `</script`, `<!--` or
 * address can appear in the block (scripts/build-offline writes it with the same rule).
 */
function base85Bytes(id) {
  const block = document.getElementById(id);
  const text = block.textContent.replace(/\s+/g, '');
  const length = Number(block.dataset.bytes);
  const digit = new Uint8Array(128);
  const leftOut = new Set([34, 39, 47, 60, 96]); // " ' / < and backquote
  for (let code = 33, value = 0; value < 85; code++) if (!leftOut.has(code)) digit[code] = value++;
  const bytes = new Uint8Array(Math.ceil(length / 4) * 4);
  for (let i = 0, o = 0; o < bytes.length; i += 5, o += 4) {
    let n = 0;
    for (let k = 0; k < 5; k++) n = n * 85 + digit[text.charCodeAt(i + k) & 127];
    bytes[o] = n >>> 24;
    bytes[o + 1] = (n >>> 16) & 255;
    bytes[o + 2] = (n >>> 8) & 255;
    bytes[o + 3] = n & 255;
  }
  return bytes.subarray(0, length);
}

/** gunzip, in the browser's own DecompressionStream. */
async function gunzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

let compiled = null;
/** The analyzer's WebAssembly.Module, compiled once per page. */
function wasmModule() {
  compiled ??= gunzip(base85Bytes('tracelens-wasm')).then((bytes) => WebAssembly.compile(bytes));
  return compiled;
}

export function createWorker() {
  const source = document.getElementById('tracelens-worker').textContent;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(workerScriptUrl(url), { name: 'tracelens-analyzer' });
  // The worker has its script once it says anything (`ready` or an error).
  worker.addEventListener('message', () => URL.revokeObjectURL(url), { once: true });
  wasmModule().then(
    (module) => worker.postMessage({ type: 'tracelens-wasm', module }),
    (err) => worker.postMessage({ type: 'tracelens-wasm', error: String(err?.message ?? err) }),
  );
  return worker;
}

/** The bundled sample capture, from the data block #tracelens-sample. */
export function embeddedSample() {
  const block = document.getElementById('tracelens-sample');
  return new File([blockBytes('tracelens-sample')], block.dataset.name || 'sample.pcap');
}
