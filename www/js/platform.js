// What differs between the hosted page and the offline single-file copy. This is the hosted
// version; scripts/build-offline bundles www/offline/platform.js in its place (the two export the
// same names), so the rest of the page never asks which one it runs in.

/** This is the hosted page (not the offline copy). */
export const offlineCopy = false;

/**
 * Whether the page reads files itself and transfers their bytes to the worker, instead of posting
 * the File objects. Needed in opaque origins (a sandboxed iframe without allow-same-origin), where
 * WebKit cannot read a Blob posted to a worker; elsewhere posting the File lets the worker read a
 * huge capture slice by slice without holding it in memory.
 */
export const transferBytes = self.origin === 'null';

/** The analysis worker: the module worker beside this file. */
export function createWorker() {
  return new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'tracelens-analyzer' });
}

/** The bundled sample capture: fetched from this site. */
export const sampleUrl = new URL('../samples/get-to-ssh-server.pcap', import.meta.url).href;

/** The sample as a File when it is inside the page itself (the offline copy), else null. */
export function embeddedSample() {
  return null;
}
