// The offline single-file copy's platform: scripts/build-offline bundles this in place of
// www/js/platform.js (same exports). Everything comes from the page itself, nothing is fetched:
//
// - The worker is a *classic* Worker from a blob: URL whose source (the data block
//   #tracelens-worker) holds the worker code bundled as a classic script after the wasm-bindgen
//   glue. This is the one way that works in every opaque origin (file://, sandboxed iframes) in
//   Chromium, Firefox and WebKit: worker URLs are refused there, a *module* blob worker fails in
//   Chromium, and import() inside a worker fails in WebKit. (The hosted page keeps its module
//   worker, which loads faster and needs no blob: in its CSP; both run the same www/js/worker.js.)
// - The wasm is in the data block #tracelens-wasm, gzip'd and base64'd; it is decoded, inflated
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

/** gunzip, in the browser's own DecompressionStream. */
async function gunzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

let compiled = null;
/** The analyzer's WebAssembly.Module, compiled once per page. */
function wasmModule() {
  compiled ??= gunzip(blockBytes('tracelens-wasm')).then((bytes) => WebAssembly.compile(bytes));
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
