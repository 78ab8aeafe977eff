// The page: wires the intake, the worker client and the views together and keeps the little
// state the page has (which phase it is in, which frame is shown). No parsing happens here.

import { byId } from './dom.js';
import { AnalyzerClient, CancelledError } from './analyzer-client.js';
import { initIntake, linkedCapture, fetchCapture } from './file-intake.js';
import { PacketList } from './packet-list.js';
import { DetailsTree } from './details-tree.js';
import { HexView } from './hex-view.js';
import { renderSummary, renderAlerts } from './summary-view.js';
import { initTheme } from './theme.js';
import { makeSplitter } from './splitter.js';
import * as fmt from './format.js';

const TIME_KEY = 'tracelens.time';
const body = document.body;
const status = byId('status-text');

const client = new AnalyzerClient({ onFatal: (message) => showError(message) });
let opening = null; // {id} of the open request in progress
let detailsSeq = 0;
let frameCount = 0;
let fileNames = []; // of the open capture, by file index

const list = new PacketList(byId('packet-list'), {
  fetchRows: (start, count) => client.rows(start, count),
  onSelect: (row) => showFrame(row),
  onActivate: () => tree.focus(),
});
const tree = new DetailsTree(byId('details'), {
  onSelectNode: (node, layer) => hex.highlight(node, layer),
});
const hex = new HexView(byId('hex'), {
  onByte: (offset) => {
    if (!tree.selectByte(offset)) hex.highlight({ start: offset, len: 1 }, null);
  },
});

initTheme(byId('theme-button'));
initTimeFormat();
makeSplitter(byId('split-list'), byId('packet-list'), { axis: 'y', min: 96 });
makeSplitter(byId('split-details'), byId('details'), { axis: 'x', min: 160 });
initIntake({
  input: byId('file-input'),
  pickers: [byId('open-button'), byId('choose-button')],
  sampleButton: byId('sample-button'),
  overlay: byId('drop-overlay'),
  open: openFiles,
  onError: showError,
});
byId('cancel-button').addEventListener('click', () => {
  if (opening) client.cancel(opening.id);
});
openLinkedCapture();
// Compile the analyzer while the user is still choosing a file.
(window.requestIdleCallback ?? setTimeout)(() => client.warmUp());

/** Opens the capture named in the address (#capture=path&frame=N), if any. */
async function openLinkedCapture() {
  const link = linkedCapture();
  if (!link) return;
  let file;
  try {
    file = await fetchCapture(link.capture);
  } catch (err) {
    showError(`The capture ${link.capture} could not be loaded (${err.message}).`);
    return;
  }
  if (await openFiles([file]) && link.frame) list.select(link.frame - 1);
}

function setPhase(phase) {
  body.dataset.state = phase;
  byId('welcome').hidden = phase !== 'empty';
  byId('progress').hidden = phase !== 'opening';
  byId('workspace').hidden = phase !== 'ready';
}

async function openFiles(files) {
  if (opening) client.cancel(opening.id);
  performance.clearMarks();
  performance.mark('tracelens:open');
  byId('welcome-error').hidden = true;
  setPhase('opening');
  const total = files.reduce((n, f) => n + f.size, 0);
  showProgress({ file: files[0]?.name ?? '', fileIndex: 0, files: files.length, bytes: 0, totalBytes: total, frames: 0, bytesPerSec: 0 });
  status.textContent = `Reading ${files.length === 1 ? files[0].name : `${files.length} files`}…`;

  const request = client.open(files, { onProgress: showProgress });
  opening = request;
  let opened;
  try {
    opened = await request.promise;
  } catch (err) {
    if (opening !== request) return false; // superseded by a newer open
    opening = null;
    if (err instanceof CancelledError) {
      // The worker dropped the previous capture when this one started: back to the start page.
      status.textContent = 'Opening cancelled.';
      byId('capture-title').textContent = '';
      document.title = 'tracelens — network trace analyzer';
      frameCount = 0;
      setPhase('empty');
      return false;
    }
    showError(err.message);
    return false;
  }
  if (opening !== request) return false;
  opening = null;
  showCapture(files, opened);
  return true;
}

function showProgress(p) {
  const share = p.totalBytes > 0 ? p.bytes / p.totalBytes : 0;
  byId('progress-fill').style.width = `${(share * 100).toFixed(1)}%`;
  byId('progress-title').textContent = p.files > 1
    ? `Reading ${p.file} (${p.fileIndex + 1} of ${p.files})`
    : `Reading ${p.file}`;
  const parts = [`${fmt.bytes(p.bytes)} of ${fmt.bytes(p.totalBytes)}`];
  if (p.bytesPerSec > 0) parts.push(fmt.rate(p.bytesPerSec));
  parts.push(fmt.plural(p.frames, 'frame'));
  byId('progress-stats').textContent = parts.join(' · ');
}

function showCapture(files, opened) {
  const { summary, count } = opened;
  frameCount = count;
  fileNames = (summary.files ?? []).map((f) => f.name);
  performance.mark('tracelens:opened');
  const ms = performance.measure('tracelens:open-to-indexed', 'tracelens:open', 'tracelens:opened').duration;
  body.dataset.frames = String(count);
  body.dataset.openCount = String(Number(body.dataset.openCount ?? 0) + 1);
  body.dataset.openMs = ms.toFixed(1);
  body.dataset.analyzerMs = (opened.timing.pushMs + opened.timing.finishMs).toFixed(1);
  delete body.dataset.detailsNo;

  byId('capture-title').textContent = files.length === 1 ? files[0].name : `${files.length} files: ${files.map((f) => f.name).join(', ')}`;
  byId('capture-title').title = byId('capture-title').textContent;
  document.title = `${files.length === 1 ? files[0].name : `${files.length} captures`} — tracelens`;
  renderAlerts(byId('alerts'), summary);
  renderSummary(byId('summary'), summary);
  setPhase('ready');
  list.setTimeSpan(summary.duration);
  list.reset(count);
  tree.clear(count ? 'Select a packet to see its details.' : 'This capture holds no frames.');
  hex.clear();
  const speed = ms > 0 ? ` (${fmt.rate(opened.bytes / (ms / 1000))})` : '';
  status.textContent = `${fmt.plural(count, 'frame')} · read ${fmt.bytes(opened.bytes)} in ${fmt.duration(ms / 1000)}${speed}`;
  if (count) {
    list.select(0);
    list.focus();
  }
}

async function showFrame(row) {
  const seq = ++detailsSeq;
  const from = fileNames.length > 1 ? ` · from ${fileNames[row.file] ?? `file ${row.file + 1}`}` : '';
  status.textContent = `Frame ${fmt.count(row.no)} of ${fmt.count(frameCount)} · ${fmt.plural(row.length, 'byte')} on the wire, ${fmt.count(row.caplen)} captured${from}`;
  let result;
  try {
    result = await client.details(row.no);
  } catch (err) {
    if (seq !== detailsSeq || err instanceof CancelledError) return;
    tree.clear(`The details of frame ${row.no} are not available: ${err.message}`);
    hex.clear();
    return;
  }
  if (seq !== detailsSeq) return; // the selection moved on
  hex.show(result.bytes, problemRanges(result.tree));
  tree.show(result.tree);
  body.dataset.detailsNo = String(row.no);
}

/** Byte ranges of every node that carries a problem note. */
function problemRanges(nodes, out = []) {
  for (const node of nodes ?? []) {
    if (node.problem && typeof node.start === 'number' && node.len > 0) out.push([node.start, node.len]);
    problemRanges(node.children, out);
  }
  return out;
}

function showError(message) {
  opening = null;
  if (body.dataset.state === 'ready') {
    status.textContent = message;
    const alerts = byId('alerts');
    renderAlerts(alerts, { files: [], warnings: [message] });
    return;
  }
  setPhase('empty');
  const box = byId('welcome-error');
  box.textContent = message;
  box.hidden = false;
  status.textContent = 'Ready.';
}

function initTimeFormat() {
  const group = byId('time-format');
  const buttons = [...group.querySelectorAll('[data-format]')];
  const apply = (mode) => {
    for (const b of buttons) b.setAttribute('aria-checked', String(b.dataset.format === mode));
    list.setTimeMode(mode);
  };
  let saved = null;
  try {
    saved = localStorage.getItem(TIME_KEY);
  } catch {
    // no storage in this context
  }
  apply(buttons.some((b) => b.dataset.format === saved) ? saved : 'relative');
  group.addEventListener('click', (e) => {
    const button = e.target.closest('[data-format]');
    if (!button) return;
    apply(button.dataset.format);
    try {
      localStorage.setItem(TIME_KEY, button.dataset.format);
    } catch {
      // not kept
    }
  });
}
