// Ways a capture gets in: the file picker, dropping files anywhere on the page, the bundled
// sample, and a capture named in the page's address (#capture=samples/x.pcap&frame=4, for KB
// articles that embed a view, optionally with a display filter: &filter=tcp.port%3D%3D443).
// Fetched captures must come from this site itself (the CSP's
// connect-src 'self' enforces it too). All of them end in `open(files)`.

import { sampleUrl, embeddedSample, offlineCopy } from './platform.js';

/**
 * Fetches a capture URL of this site and returns it as a File. "This site" is the origin of the
 * document's address, so a sandboxed iframe (opaque origin) still fetches from its own server
 * (which must then answer with CORS headers, see README). The offline copy fetches nothing.
 */
export async function fetchCapture(url) {
  if (offlineCopy || location.protocol === 'file:') {
    throw new Error('the offline copy opens only files you choose or drop; it loads nothing by address');
  }
  const target = new URL(url, document.baseURI);
  if (target.origin !== new URL(document.baseURI).origin || !/^https?:$/.test(target.protocol)) {
    throw new Error('captures can only be loaded from this site');
  }
  const response = await fetch(target, { credentials: 'same-origin', referrerPolicy: 'no-referrer' });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const blob = await response.blob();
  return new File([blob], decodeURIComponent(target.pathname.split('/').pop() || 'capture'));
}

const VIEWS = ['findings', 'packets', 'conversations', 'connections', 'stream'];

/** `{capture, frame, filter, view}` from the address's fragment (#capture=…&filter=…&frame=…&view=…), or null. */
export function linkedCapture() {
  const params = new URLSearchParams(location.hash.slice(1));
  const capture = params.get('capture');
  if (!capture) return null;
  const frame = Number(params.get('frame'));
  const view = VIEWS.includes(params.get('view')) ? params.get('view') : null;
  return { capture, frame: Number.isInteger(frame) && frame > 0 ? frame : null, filter: params.get('filter') ?? '', view };
}

export function initIntake({ input, pickers, sampleButton, overlay, open, onError }) {
  for (const button of pickers) button.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    const files = [...input.files];
    input.value = ''; // choosing the same file again must fire `change` again
    if (files.length) open(files);
  });

  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 'o') {
      e.preventDefault();
      input.click();
    }
  });

  // Drag and drop: `dragenter`/`dragleave` fire for every child, so count them.
  let depth = 0;
  const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes('Files');
  document.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth++;
    overlay.hidden = false;
  });
  document.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  });
  document.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) overlay.hidden = true;
  });
  document.addEventListener('drop', (e) => {
    depth = 0;
    overlay.hidden = true;
    if (!hasFiles(e)) return;
    e.preventDefault();
    const files = [...e.dataTransfer.files];
    if (files.length) open(files);
  });

  sampleButton.addEventListener('click', async () => {
    sampleButton.disabled = true;
    try {
      open([embeddedSample() ?? await fetchCapture(sampleUrl)]);
    } catch (err) {
      onError(`The sample capture could not be loaded (${err.message}).`);
    } finally {
      sampleButton.disabled = false;
    }
  });
}
