// What differs between the hosted page and the offline single-file copy. This is the hosted
// version; scripts/build-offline bundles www/offline/platform.js in its place (the two export the
// same names), so the rest of the page never asks which one it runs in.
//
// One worker source, two ways to start it: where the page has a real origin it starts the module
// worker www/js/worker.js; in an opaque origin (a sandboxed iframe without allow-same-origin, where
// `self.origin === 'null'`) worker URLs and module blob workers are refused, so it starts the
// same worker code as a *classic* blob: worker, from pkg/tracelens-worker.js (the wasm-bindgen glue
// as a classic script + worker.js bundled; written by scripts/build-offline), and posts it the
// compiled wasm — the loader the offline copy uses. Fetching those files from an opaque origin is
// a CORS request: the server must answer with Access-Control-Allow-Origin (README, "Embed").

/** This is the hosted page (not the offline copy). */
export const offlineCopy = false;

/** The page runs in an opaque origin (sandboxed iframe without allow-same-origin). */
export const opaqueOrigin = self.origin === 'null';

/**
 * Whether the page reads files itself and transfers their bytes to the worker, instead of posting
 * the File objects. Needed in opaque origins, where WebKit cannot read a Blob posted to a worker;
 * elsewhere posting the File lets the worker read a huge capture slice by slice without holding it
 * in memory.
 */
export const transferBytes = opaqueOrigin;

import { workerScriptUrl } from './trusted-url.js';

const PKG = new URL('../pkg/', import.meta.url);

/** The analysis worker (see above). */
export function createWorker() {
  if (!opaqueOrigin) {
    return new Worker(workerScriptUrl(new URL('./worker.js', import.meta.url)), { type: 'module', name: 'tracelens-analyzer' });
  }
  return classicWorker();
}

/**
 * The classic blob: worker, wherever the page runs (embed.js's inline mode uses it in pages of
 * other sites, where a worker URL of this site is refused).
 */
export function classicWorker() {
  return new LateWorker(startClassicWorker());
}

let compiled = null;
async function startClassicWorker() {
  compiled ??= WebAssembly.compileStreaming
    ? WebAssembly.compileStreaming(fetch(new URL('tracelens_bg.wasm', PKG)))
    : fetch(new URL('tracelens_bg.wasm', PKG)).then((r) => r.arrayBuffer()).then((b) => WebAssembly.compile(b));
  const response = await fetch(new URL('tracelens-worker.js', PKG));
  if (!response.ok) throw new Error(`pkg/tracelens-worker.js: HTTP ${response.status} (run scripts/build-offline)`);
  const url = URL.createObjectURL(new Blob([await response.text()], { type: 'text/javascript' }));
  const worker = new Worker(workerScriptUrl(url), { name: 'tracelens-analyzer' });
  worker.addEventListener('message', () => URL.revokeObjectURL(url), { once: true });
  compiled.then(
    (module) => worker.postMessage({ type: 'tracelens-wasm', module }),
    (err) => worker.postMessage({ type: 'tracelens-wasm', error: String(err?.message ?? err) }),
  );
  return worker;
}

/**
 * A Worker stand-in while the real one is being made: messages wait for it, handlers are passed
 * on, a failure to make it is reported as an `error` event.
 */
class LateWorker {
  constructor(promise) {
    this.onmessage = null;
    this.onerror = null;
    this.onmessageerror = null;
    this.queue = [];
    this.worker = null;
    this.dead = false;
    promise.then((worker) => {
      if (this.dead) {
        worker.terminate();
        return;
      }
      this.worker = worker;
      worker.onmessage = (e) => this.onmessage?.(e);
      worker.onerror = (e) => this.onerror?.(e);
      worker.onmessageerror = (e) => this.onmessageerror?.(e);
      for (const [message, transfer] of this.queue) worker.postMessage(message, transfer);
      this.queue = [];
    }, (err) => {
      this.onerror?.({ message: `the analyzer could not be loaded (${err.message})`, preventDefault() {} });
    });
  }

  postMessage(message, transfer = []) {
    if (this.worker) this.worker.postMessage(message, transfer);
    else this.queue.push([message, transfer]);
  }

  terminate() {
    this.dead = true;
    this.worker?.terminate();
  }
}

/** The bundled sample capture: fetched from this site. */
export const sampleUrl = new URL('../samples/get-to-ssh-server.pcap', import.meta.url).href;

/** The sample as a File when it is inside the page itself (the offline copy), else null. */
export function embeddedSample() {
  return null;
}
