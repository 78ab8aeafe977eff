// The page: wires the intake, the worker client and the views together and keeps the little
// state the page has (which phase it is in, which frame is shown). No parsing happens here.

import { byId } from './dom.js';
import { AnalyzerClient, CancelledError } from './analyzer-client.js';
import { initIntake, fetchCapture } from './file-intake.js';
import { Permalink, currentState, hasView } from './permalink.js';
import { PacketList } from './packet-list.js';
import { DetailsTree } from './details-tree.js';
import { HexView } from './hex-view.js';
import { renderSummary, renderAlerts, renderTopFindings } from './summary-view.js';
import { initTheme } from './theme.js';
import { makeSplitter } from './splitter.js';
import { Tabs } from './tabs.js';
import { FindingsView, severityCounts } from './findings-view.js';
import { MarkersBar } from './markers-bar.js';
import { IoGraphView, withGraphImage } from './io-graph-view.js';
import { FilterBar } from './filter-bar.js';
import { ConversationsView } from './conversations-view.js';
import { ConnectionsView } from './connections-view.js';
import { StreamView } from './stream-view.js';
import { withTcpAnalysis } from './tcp-analysis.js';
import { saveText, saveChunks, reportName, exportName } from './download.js';
import * as fmt from './format.js';
import { PairChoice, pairDecision } from './pair-choice.js';
import { CompareView } from './compare-view.js';
import { SideSwitch } from './side-switch.js';
import { CapturePlan, planQueryOf, planTopicFor, TOPIC_LABELS, renderPlanNotes } from './capture-plan.js';

const TIME_KEY = 'tracelens.time';
const body = document.body;
const status = byId('status-text');

// `data-warm` (set once the worker has warmed the analyzer's code, src/warm_up.rs) lets
// benchmarks drop a file when a user would: after the page has settled.
const client = new AnalyzerClient({
  onFatal: (message) => analysisLost(message),
  onWarmed: ({ ms }) => { body.dataset.warm = ms.toFixed(1); },
});
let opening = null; // {id} of the open request in progress
let lastFiles = []; // the files of the last open, offered again when the analysis is lost
let analysisGone = false; // the worker died or stopped on an internal error since that open
let detailsSeq = 0;
let frameCount = 0;
let captureSeq = 0; // bumped per capture shown, so late answers about an older one are dropped
let captureName = '';
let fileNames = []; // of the open capture, by file index
let findings = [];
let userChoseView = false; // the user picked a view before the findings came in
let revealFrame = null; // a frame reached from evidence: its problem notes are opened and selected
let currentTcpStream = null; // tcp.stream of the frame in the details
let pendingStream = null; // a stream to show when the TCP stream view opens
let linkedView = null; // a view named in the address (#view=…): findings do not take over then
let diagnosis = Promise.resolve(); // the findings of the capture shown, once loaded
const embedded = document.documentElement.hasAttribute('data-embed');
// The view's state in the address (#filter=…&frame=…&view=…&stream=…), for "Copy link"; an
// embed's fragment is its configuration, so it is left alone there.
const permalink = new Permalink({ enabled: !embedded });
// A link's view waiting for its capture: applied to the next capture the user opens.
let pendingLink = null;
let linkedPath = null; // the same-site capture a link named, while it is being opened
// Two captures compared: {names: {a, b}, sides: {a, b} (their `pairOpened` parts), side shown};
// null for one capture.
let compareMode = null;
let pairSeq = 0; // bumped per comparison shown (switching sides keeps it)

const list = new PacketList(byId('packet-list'), {
  fetchRows: (start, count) => client.rows(start, count),
  onSelect: (row) => showFrame(row.no, row),
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

const tabs = new Tabs(byId('view-tabs'), { onShow: (name, how) => viewShown(name, how) });
const findingsView = new FindingsView(byId('view-findings'), {
  onJump: (no) => goToFrame(no, { reveal: true }),
  onFilter: (text) => filterFrom(text),
  onStream: (n) => openStream(n),
  onExport: (format) => exportFindings(format),
  planFor: (f) => (planTopicFor(f) ? { label: TOPIC_LABELS[planTopicFor(f)] } : null),
  onPlan: (f) => openPlan(planTopicFor(f) === 'ends' ? { ends: 'both' } : {}),
});
const markersBar = new MarkersBar(byId('markers-bar'), {
  onJump: (no) => goToFrame(no),
  onFocus: (range) => filterFrom(range ? range.filter : ''),
});
const filterBar = new FilterBar(byId('filter-bar'), {
  check: (text) => client.check(text),
  complete: (text) => client.complete(text),
  apply: (text) => applyFilter(text),
});
const conversationsView = new ConversationsView(byId('view-conversations'), {
  load: (kind) => client.conversationTable(kind),
  onFilter: (text) => filterFrom(text),
  onStream: (n) => openStream(n),
  onSelectFrame: (no) => showFrame(no),
});
const connectionsView = new ConnectionsView(byId('view-connections'), {
  load: () => client.connectionTable(),
  onJump: (no) => goToFrame(no),
  onStream: (n) => openStream(n),
  onFilter: (text) => filterFrom(text),
  onSelectFrame: (no) => showFrame(no),
});
const streamView = new StreamView(byId('view-stream'), {
  load: (n) => client.streamTable(n),
  loadGraph: (n, dir) => client.tcpGraph(n, dir),
  loadLadder: (n, start, count) => client.flowLadder(n, start, count),
  loadFollow: (protocol, n, start, maxBytes, mode) => client.followPage(protocol, n, start, maxBytes, mode),
  onOpen: (n) => permalink.set({ stream: n }),
  onSelectFrame: (no) => showFrame(no),
  onJump: (no) => goToFrame(no),
  onFilter: (text) => filterFrom(text),
});

let markerPings = null; // {markers, ranges} of the open capture, for the IO graph
const ioRoot = document.getElementById('view-io');
const ioGraphView = ioRoot && new IoGraphView(ioRoot, {
  load: (request) => client.ioGraph(request),
  nearest: (filter, time) => client.ioNearest(filter, time),
  currentFilter: () => filterBar.applied,
  markers: () => markerPings,
  onFilter: (text) => filterFrom(text),
  onJump: (no) => goToFrame(no),
});

// Compare mode exists on the full page only (embed.html shows one linked capture).
const compareRoot = document.getElementById('view-compare');
const compareView = compareRoot && new CompareView(compareRoot, {
  loadLadder: (key) => client.ladder(key),
  onJump: (side, no) => goToSideFrame(side, no),
  onExport: (side, category) => exportCategory(side, category),
});
const pairChoice = compareRoot && new PairChoice(byId('pair-choice'));
const sideSwitch = compareRoot && new SideSwitch(byId('side-switch'), { onChange: (side) => switchSide(side) });

// The capture plan (full page only): a dialog over whatever is shown, its answers in the address
// while it is open (#plan&client=…); closing it puts the view's own address back.
const planDialog = document.getElementById('capture-plan');
let addressBeforePlan = null;
const capturePlan = planDialog && new CapturePlan(planDialog, {
  request: (query) => client.plan(query),
  writeFragment: (query) => {
    if (embedded) return; // an embed's fragment is its configuration
    try {
      if (query === null) {
        if (addressBeforePlan !== null) history.replaceState(history.state, '', addressBeforePlan);
        addressBeforePlan = null;
        permalink.write();
        return;
      }
      // A page opened on a plan link goes back to its plain address.
      addressBeforePlan ??= planQueryOf(location.href.split('#')[1] ?? '') === null ? location.href : location.href.split('#')[0];
      history.replaceState(history.state, '', `${location.href.split('#')[0]}#plan&${query}`);
    } catch {
      // Some opaque origins refuse it: the plan still works, only its address is not kept.
    }
  },
  onStatus: (text) => {
    status.textContent = text;
  },
});
for (const id of ['plan-button', 'welcome-plan-button']) {
  document.getElementById(id)?.addEventListener('click', () => openPlan());
}

initTheme(byId('theme-button'));
if (embedded) initEmbed();
initTimeFormat();
tabs.show('packets');
makeSplitter(byId('split-list'), byId('upper'), { axis: 'y', min: 96 });
makeSplitter(byId('split-details'), byId('details'), { axis: 'x', min: 160 });
initIntake({
  input: byId('file-input'),
  pickers: [byId('open-button'), byId('choose-button')],
  sampleButton: byId('sample-button'),
  overlay: byId('drop-overlay'),
  open: openFiles,
  onError: showError,
});
// Not in embeds (their toolbar is compact; sandboxed frames may not download).
document.getElementById('copy-link-button')?.addEventListener('click', copyLink);
document.getElementById('export-button')?.addEventListener('click', () => exportPcapng());
byId('cancel-button').addEventListener('click', () => {
  if (opening) client.cancel(opening.id);
});
document.addEventListener('keydown', (e) => {
  // "/" (or Ctrl+/) edits the display filter, unless the user is typing somewhere.
  if (body.dataset.state !== 'ready' || e.altKey || e.metaKey) return;
  const typing = e.target.closest?.('input, textarea, [contenteditable="true"]');
  if ((e.key === '/' && !typing && !e.ctrlKey) || (e.key === '/' && e.ctrlKey)) {
    e.preventDefault();
    filterBar.focus();
  }
});
openLinkedCapture();
// A documented test hook (README, "The offline copy"): opens bytes as if a file named `name` had
// been dropped. The WebKit test uses it, as a file input cannot be filled from its script.
window.tracelensOpenBytes = (name, bytes) => openFiles([new File([bytes], String(name))]);
// Compile the analyzer while the user is still choosing a file.
(window.requestIdleCallback ?? setTimeout)(() => client.warmUp());

/** Opens the capture plan; `answers` (e.g. {ends: 'both'}) change the current answers. */
function openPlan(answers = {}) {
  if (!capturePlan) return;
  const current = new URLSearchParams(capturePlan.result ? capturePlan.result.plan.query : '');
  for (const [key, value] of Object.entries(answers)) current.set(key, value);
  capturePlan.open(Object.keys(answers).length || capturePlan.result ? current.toString() : '');
}

/**
 * Opens the capture named in the address (#capture=path&…), if any, and re-applies the link's
 * view. A link without a capture keeps its view for the capture the user opens next.
 */
async function openLinkedCapture() {
  const planQuery = capturePlan && planQueryOf(location.href.split('#')[1] ?? '');
  if (planQuery) {
    capturePlan.open(planQuery); // a shared plan (#plan&client=…)
    return;
  }
  const link = currentState();
  if (!link.capture) {
    if (hasView(link)) {
      pendingLink = link;
      status.textContent = 'This link holds a view (filter, frame, tab): open its capture to see it.';
    }
    return;
  }
  let file;
  try {
    file = await fetchCapture(link.capture);
  } catch (err) {
    showError(`The capture ${link.capture} could not be loaded (${err.message}).`);
    return;
  }
  linkedPath = link.capture;
  const opened = await openFiles([file]);
  linkedPath = null;
  if (!opened) return;
  await applyLinkState(link);
  await diagnosis;
  if (embedded) {
    const ready = { frames: frameCount, findings: findings.length, displayed: Number(body.dataset.displayed) };
    body.dataset.embedReady = 'true';
    tellParent({ ready });
  }
}

/** Re-applies a link's filter, frame, view and stream to the capture just opened. */
async function applyLinkState(link) {
  if (link.filter) await filterFrom(link.filter);
  if (link.frame && link.frame <= frameCount) await goToFrame(link.frame);
  if (link.view) {
    linkedView = link.view;
    if (link.view === 'stream' && link.stream !== null) pendingStream = link.stream;
    tabs.show(link.view);
  }
  body.dataset.linkApplied = 'true';
}

/** Copies the view's link (the text is shown too: filters may hold addresses). */
async function copyLink() {
  const link = permalink.link();
  try {
    await navigator.clipboard.writeText(link);
    status.textContent = `Link copied: ${link}`;
  } catch {
    // No clipboard (file://, a denied permission): show the link to copy by hand.
    window.prompt('Copy this link to the current view:', link);
    status.textContent = `Link: ${link}`;
  }
  body.dataset.link = link;
}

/** In embed.html (html[data-embed]): theme from the address, height and readiness to the parent. */
function initEmbed() {
  const params = new URLSearchParams(location.hash.slice(1));
  const setTheme = (theme) => {
    if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
    else if (theme === 'auto') delete document.documentElement.dataset.theme;
  };
  setTheme(params.get('theme'));
  // The host may change the theme later: postMessage({tracelens: {theme}}) to this frame.
  window.addEventListener('message', (e) => {
    if (e.source === window.parent) setTheme(e.data?.tracelens?.theme);
  });
  const full = byId('full-link');
  if (full) full.href = `./${location.hash}`; // the full page beside this one, same fragment
  new ResizeObserver(() => tellParent({ height: Math.ceil(document.documentElement.getBoundingClientRect().height) }))
    .observe(document.documentElement);
}

/** A message to the embedding page (heights and counts only: nothing from the capture). */
function tellParent(message) {
  if (window.parent !== window) window.parent.postMessage({ tracelens: message }, '*');
}

/** `phase`: empty, opening, choosing (compare or merge two files: still "opening") or ready. */
function setPhase(phase) {
  body.dataset.state = phase === 'choosing' ? 'opening' : phase;
  byId('welcome').hidden = phase !== 'empty';
  byId('progress').hidden = phase !== 'opening';
  byId('workspace').hidden = phase !== 'ready';
  if (phase !== 'choosing') {
    const choice = document.getElementById('pair-choice');
    if (choice) choice.hidden = true;
  }
}

/**
 * Opens dropped or chosen files. Exactly two are first read each on its own and compared: when
 * they hold the same traffic over the same time, the user chooses between comparing them
 * (captured at two points) and merging them (one capture in parts); otherwise they are merged.
 */
async function openFiles(files) {
  pairChoice?.dismiss();
  lastFiles = [...files];
  analysisGone = false;
  if (files.length === 2 && compareView && !linkedPath) return openTwo(files);
  return openMerged(files);
}

/** Two files: read apart and compared, then compared or merged (see openFiles). */
async function openTwo(files) {
  if (opening) client.cancel(opening.id);
  performance.clearMarks();
  performance.mark('tracelens:open');
  byId('welcome-error').hidden = true;
  setPhase('opening');
  const total = files.reduce((n, f) => n + f.size, 0);
  showProgress({ file: files[0].name, fileIndex: 0, files: 2, bytes: 0, totalBytes: total, frames: 0, bytesPerSec: 0 });
  status.textContent = 'Reading 2 files…';
  const request = client.openPair([files[0]], [files[1]], { onProgress: showProgress });
  opening = request;
  let opened;
  try {
    opened = await request.promise;
  } catch (err) {
    if (opening !== request) return false;
    opening = null;
    if (err instanceof CancelledError) {
      status.textContent = 'Opening cancelled.';
      setPhase('empty');
      return false;
    }
    showError(err.message);
    return false;
  }
  if (opening !== request) return false;
  opening = null;
  const decision = pairDecision(opened);
  body.dataset.pairMatched = String(opened.matched);
  if (!decision.offer) return openMerged(files);
  setPhase('choosing');
  status.textContent = 'Compare the two captures, or merge them into one?';
  const choice = await pairChoice.ask([files[0].name, files[1].name], decision);
  if (choice === null) return false; // another open started
  if (choice === 'merge') return openMerged(files);
  showComparison(files, opened);
  return true;
}

async function openMerged(files) {
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
  if (pendingLink) {
    const link = pendingLink;
    pendingLink = null;
    await applyLinkState(link);
    status.textContent = `Applied the link's view${link.filter ? ` (filter ${link.filter})` : ''}.`;
  }
  return true;
}

function showProgress(p) {
  const share = p.totalBytes > 0 ? p.bytes / p.totalBytes : 0;
  byId('progress-fill').style.transform = `scaleX(${share.toFixed(3)})`;
  byId('progress-bar').setAttribute('aria-valuenow', (share * 100).toFixed(0));
  byId('progress-title').textContent = p.files > 1
    ? `Reading ${p.file} (${p.fileIndex + 1} of ${p.files})`
    : `Reading ${p.file}`;
  const parts = [`${fmt.bytes(p.bytes)} of ${fmt.bytes(p.totalBytes)}`];
  if (p.bytesPerSec > 0) parts.push(fmt.rate(p.bytesPerSec));
  parts.push(fmt.plural(p.frames, 'frame'));
  byId('progress-stats').textContent = parts.join(' · ');
}

function showCapture(files, opened, { compare = null } = {}) {
  const { summary, count } = opened;
  setCompareMode(compare);
  const seq = ++captureSeq;
  permalink.reset(linkedPath);
  frameCount = count;
  captureName = files.length === 1 ? files[0].name : files.map((f) => f.name).join(' + ');
  fileNames = (summary.files ?? []).map((f) => f.name);
  performance.mark('tracelens:opened');
  const ms = performance.measure('tracelens:open-to-indexed', 'tracelens:open', 'tracelens:opened').duration;
  body.dataset.frames = String(count);
  body.dataset.openCount = String(Number(body.dataset.openCount ?? 0) + 1);
  body.dataset.openMs = ms.toFixed(1);
  body.dataset.analyzerMs = (opened.timing.pushMs + opened.timing.finishMs).toFixed(1);
  body.dataset.finishMs = opened.timing.finishMs.toFixed(1);
  delete body.dataset.detailsNo;

  const exportButton = document.getElementById('export-button'); // not in embeds
  if (exportButton) exportButton.hidden = false;
  byId('capture-title').textContent = files.length === 1 ? files[0].name : `${files.length} files: ${files.map((f) => f.name).join(', ')}`;
  byId('capture-title').title = byId('capture-title').textContent;
  document.title = `${files.length === 1 ? files[0].name : `${files.length} captures`} — tracelens`;
  renderAlerts(byId('alerts'), summary);
  renderSummary(byId('summary'), summary);
  delete body.dataset.filter;
  body.dataset.displayed = String(count);
  filterBar.reset(count);
  markersBar.clear();
  markerPings = null;
  ioGraphView?.reset();
  document.getElementById('plan-notes')?.setAttribute('hidden', '');
  conversationsView.reset();
  connectionsView.reset();
  conversationsView.setFilterNote('');
  connectionsView.setFilterNote('');
  streamView.reset();
  currentTcpStream = null;
  showFindings(null);
  userChoseView = false;
  tabs.show('packets');
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
  diagnosis = loadDiagnosis(seq);
}

/** Findings and markers, asked for once the list is up; the Findings view opens on problems. */
async function loadDiagnosis(seq) {
  body.dataset.findings = 'pending';
  const started = performance.now();
  let found;
  let marks;
  try {
    [found, marks] = await Promise.all([client.findings(), client.markers()]);
  } catch (err) {
    if (seq !== captureSeq || err instanceof CancelledError) return;
    findingsView.show(null, { message: `The findings could not be computed: ${err.message}` });
    body.dataset.findings = 'failed';
    return;
  }
  if (seq !== captureSeq) return;
  body.dataset.findingsMs = (performance.now() - started).toFixed(1); // for the benchmark
  showFindings(found);
  markersBar.show(marks);
  markerPings = marks;
  ioGraphView?.refreshMarkers();
  markersBar.setActive(filterBar.applied);
  showPlanNotes(marks.notes);
  scopeFindings(filterBar.applied);
  body.dataset.findings = 'ready';
  body.dataset.markers = String(marks.markers.length);
  if (!userChoseView && !linkedView && !compareMode && found.some((f) => f.severity === 'error' || f.severity === 'warning')) {
    tabs.show('findings');
    findingsView.reveal(0); // the top finding, opened
  }
}

/** What the capture shows of the capture plan, and two capture points when comparing. */
function showPlanNotes(notes = []) {
  const root = document.getElementById('plan-notes');
  if (!root) return;
  const all = [...notes];
  if (compareMode) {
    const offset = compareMode.clock?.offset_s;
    const clock = typeof offset === 'number' ? `; their clocks differ by ${offset.toFixed(3)} s` : '';
    all.push({ kind: 'points', text: `Two capture points: A ${compareMode.names.a} and B ${compareMode.names.b}, compared (Compare view)${clock}.` });
  }
  renderPlanNotes(root, all, () => openPlan());
  body.dataset.planNotes = all.map((n) => n.kind).join(' ');
}

function showFindings(found) {
  findings = found ?? [];
  findingsView.show(found);
  renderTopFindings(byId('top-findings'), findings, (n) => {
    tabs.show('findings');
    findingsView.reveal(n);
  });
  const badge = byId('findings-count');
  const serious = findings.filter((f) => f.severity !== 'note').length;
  badge.textContent = found ? String(findings.length) : '';
  badge.dataset.severity = findings[0]?.severity ?? '';
  badge.title = found ? (severityCounts(findings) || 'no findings') : '';
  badge.hidden = !found || findings.length === 0;
  byId('tab-findings').dataset.serious = String(serious > 0);
}

/** Called by the tabs after a view became visible. */
function viewShown(name, { focusTab } = {}) {
  if (body.dataset.state === 'ready' && body.dataset.findings) userChoseView = true;
  permalink.set({ view: name });
  if (name === 'conversations') conversationsView.activate();
  else if (name === 'connections') connectionsView.activate();
  else if (name === 'io') ioGraphView?.activate();
  else if (name === 'stream') {
    // The stream asked for, else the one of the frame in the details.
    const n = pendingStream ?? currentTcpStream;
    pendingStream = null;
    streamView.activate(n ?? undefined);
  }
  else if (!focusTab && name === 'findings') findingsView.focus();
  else if (!focusTab && name === 'packets') list.focus();
}

/**
 * Shows frame `no` in the packet list (switching to it); details follow the selection. With
 * `reveal` (evidence from a finding or a marker) the frame's problem notes are opened.
 */
async function goToFrame(no, { reveal = false } = {}) {
  revealFrame = reveal ? no : null;
  tabs.show('packets');
  let index;
  try {
    index = await client.locate(no);
  } catch (err) {
    if (!(err instanceof CancelledError)) status.textContent = err.message;
    return;
  }
  if (index < 0) {
    await showFrame(no);
    status.textContent = `Frame ${fmt.count(no)} is hidden by the display filter (${filterBar.applied}); its details are shown below. Clear the filter to see it in the list.`;
    return;
  }
  const again = list.selectedRow?.no === no; // already selected: the list will not report it
  list.select(index);
  list.focus();
  if (again) showFrame(no, list.selectedRow);
}

/** A filter from a finding, a marker range, a conversation…: shown in the bar and applied. */
async function filterFrom(text) {
  const result = await filterBar.setAndApply(text);
  if (result && !result.error) tabs.show('packets');
  return result;
}

/** Applies a display filter in the worker and shows the matching frames. */
async function applyFilter(text) {
  const keep = list.selectedRow?.no;
  const result = await client.filter(text);
  if (result.error) {
    status.textContent = `Filter not applied: ${result.error.message}`;
    return result;
  }
  const applied = text.trim() ? text : '';
  permalink.set({ filter: applied || null });
  if (applied) body.dataset.filter = applied;
  else delete body.dataset.filter;
  body.dataset.displayed = String(result.count);
  body.dataset.filterMs = result.elapsedMs.toFixed(1); // inside the worker, for the benchmark
  body.dataset.filterSeq = String(Number(body.dataset.filterSeq ?? 0) + 1);
  markersBar.setActive(applied);
  scopeFindings(applied);
  conversationsView.setFilterNote(applied);
  connectionsView.setFilterNote(applied);
  list.reset(result.count);
  status.textContent = applied
    ? `Displayed: ${fmt.count(result.count)} of ${fmt.plural(result.total, 'frame')} · filtered in ${fmt.duration(result.elapsedMs / 1000)}`
    : `${fmt.plural(result.total, 'frame')}`;
  if (result.count) {
    const index = keep ? await client.locate(keep).catch(() => -1) : -1;
    list.select(index >= 0 ? index : 0);
  } else {
    tree.clear('No frame matches the filter.');
    hex.clear();
  }
  return result;
}

/** Marks which findings have evidence among the frames the filter displays (as `findings -Y`). */
let scopeSeq = 0;
async function scopeFindings(filter) {
  const seq = captureSeq;
  const mine = ++scopeSeq;
  if (!filter || !findings.length) {
    findingsView.setScope(null);
    return;
  }
  const nos = [...new Set(findings.flatMap((f) => f.frames ?? []))];
  let indexes;
  try {
    indexes = await client.locateMany(nos);
  } catch {
    return;
  }
  if (seq !== captureSeq || mine !== scopeSeq) return;
  const shown = new Set(nos.filter((_, i) => indexes[i] >= 0));
  findingsView.setScope({ filter, inView: findings.map((f) => (f.frames ?? []).some((no) => shown.has(no))) });
}

function openStream(n) {
  pendingStream = n;
  tabs.show('stream');
}

async function exportFindings(format) {
  const ext = { markdown: 'md', json: 'json', html: 'html' }[format] ?? 'txt';
  const mime = { markdown: 'text/markdown', json: 'application/json', html: 'text/html' }[format] ?? 'text/plain';
  try {
    let text = await client.report(format, captureName);
    const graph = format === 'markdown' && byId('findings-with-graph')?.checked ? ioGraphView?.imageForReport() : null;
    if (graph) text = withGraphImage(text, graph);
    saveText(reportName(captureName, ext), text, mime);
    status.textContent = `Findings exported as ${reportName(captureName, ext)}.`;
  } catch (err) {
    status.textContent = `The report could not be made: ${err.message}`;
  }
}

/** Saves the displayed frames as pcapng, chunk by chunk from the worker (called on the click). */
async function exportPcapng() {
  const button = byId('export-button');
  button.disabled = true;
  try {
    await savePcapng(exportName(captureName), (first) => client.exportChunk(first), { progress: true });
  } finally {
    button.disabled = false;
  }
}

/**
 * Saves a pcapng the worker writes chunk by chunk (`chunk(first)` asks for the next one), with
 * the outcome in the status line and in `body.dataset.exported` (for the tests).
 */
async function savePcapng(name, chunk, { progress = false } = {}) {
  let first = true;
  let last = null;
  const next = async () => {
    const answer = await chunk(first);
    first = false;
    last = answer;
    if (progress && !answer.done) status.textContent = `Exporting: ${fmt.count(answer.written)} of ${fmt.plural(answer.total, 'frame')}…`;
    return answer.chunk;
  };
  body.dataset.exported = 'pending';
  try {
    const saved = await saveChunks(name, next, { description: 'pcapng capture', ext: '.pcapng' });
    if (!saved) {
      status.textContent = 'Export cancelled.';
      body.dataset.exported = 'cancelled';
      return;
    }
    status.textContent = `Exported ${fmt.plural(last?.total ?? 0, 'frame')} (${fmt.bytes(saved.bytes)}) as ${name}.`;
    body.dataset.exported = String(last?.total ?? 0);
  } catch (err) {
    status.textContent = `The export failed: ${err.message}`;
    body.dataset.exported = 'failed';
  }
}

/** Enters compare mode (`compare`: {names, sides}) or leaves it (null). */
function setCompareMode(compare) {
  compareMode = compare ? { ...compare, side: 'a' } : null;
  pairSeq++;
  if (!compareView) return;
  byId('tab-compare').hidden = !compare;
  if (compare) {
    sideSwitch.show(compare.names, 'a');
    body.dataset.compare = 'pending';
    body.dataset.side = 'a';
  } else {
    sideSwitch.hide();
    compareView.reset();
    delete body.dataset.compare;
    delete body.dataset.side;
    delete body.dataset.compareMs;
  }
}

/** Shows a compared pair: side A in the packet list, the comparison in the Compare view. */
async function showComparison(files, opened) {
  const names = { a: files[0].name, b: files[1].name };
  const a = { summary: opened.a.summary, count: opened.a.count, bytes: files[0].size, timing: opened.a.timing };
  showCapture([files[0]], a, { compare: { names, sides: { a: opened.a, b: opened.b }, clock: opened.clock } });
  captureName = names.a;
  byId('capture-title').textContent = `Comparing A: ${names.a} with B: ${names.b}`;
  byId('capture-title').title = byId('capture-title').textContent;
  document.title = `${names.a} ⇄ ${names.b} — tracelens`;
  status.textContent = `A: ${fmt.plural(opened.a.count, 'frame')} · B: ${fmt.plural(opened.b.count, 'frame')} · ${fmt.plural(opened.matched, 'packet')} in both · compared in ${fmt.duration(opened.compareMs / 1000)}`;
  const seq = ++pairSeq;
  body.dataset.compareMs = opened.compareMs.toFixed(1); // inside the worker, for the benchmark
  tabs.show('compare');
  try {
    const comparison = await client.compare();
    if (seq !== pairSeq) return;
    compareView.show(comparison, names);
    body.dataset.compare = 'ready';
    const { flows, total } = await client.compareFlows();
    if (seq !== pairSeq) return;
    compareView.showFlows(flows, total);
  } catch (err) {
    if (seq !== pairSeq || err instanceof CancelledError) return;
    body.dataset.compare = 'failed';
    status.textContent = `The comparison could not be shown: ${err.message}`;
  }
}

/** Shows side `side` ("a" or "b") of the compared pair in the packet list and the other views. */
async function switchSide(side) {
  if (!compareMode || compareMode.side === side) return;
  const answer = await client.showSide(side);
  if (!compareMode) return;
  compareMode.side = side;
  const seq = ++captureSeq;
  const { summary } = compareMode.sides[side];
  frameCount = answer.count;
  captureName = compareMode.names[side];
  fileNames = (summary.files ?? []).map((f) => f.name);
  body.dataset.side = side;
  body.dataset.frames = String(answer.count);
  body.dataset.displayed = String(answer.displayed);
  delete body.dataset.detailsNo;
  sideSwitch.set(side);
  renderAlerts(byId('alerts'), summary);
  renderSummary(byId('summary'), summary);
  filterBar.reset(answer.count);
  markersBar.clear();
  markerPings = null;
  ioGraphView?.reset();
  document.getElementById('plan-notes')?.setAttribute('hidden', '');
  conversationsView.reset();
  connectionsView.reset();
  streamView.reset();
  currentTcpStream = null;
  showFindings(null);
  list.setTimeSpan(summary.duration);
  list.reset(answer.displayed);
  tree.clear(answer.count ? 'Select a packet to see its details.' : 'This capture holds no frames.');
  hex.clear();
  status.textContent = `Showing ${side.toUpperCase()}: ${compareMode.names[side]} · ${fmt.plural(answer.count, 'frame')}`;
  if (answer.filterText) await filterFrom(answer.filterText);
  diagnosis = loadDiagnosis(seq);
}

/** Shows frame `no` of side `side` of the compared pair. */
async function goToSideFrame(side, no) {
  try {
    await switchSide(side);
  } catch (err) {
    status.textContent = err.message;
    return;
  }
  await goToFrame(no);
}

/** Saves the `category` (lost, injected, modified) frames of side `side` as pcapng. */
async function exportCategory(side, category) {
  if (!compareMode) return;
  const name = exportName(compareMode.names[side]).replace(/-export\.pcapng$/, `-${category}.pcapng`);
  await savePcapng(name, (first) => client.compareExportChunk(side, category, first));
}

/** Shows frame `no` in the details and hex panes (`row`: its packet-list row, when known). */
async function showFrame(no, row) {
  const seq = ++detailsSeq;
  permalink.set({ frame: no });
  if (row) {
    const from = fileNames.length > 1 ? ` · from ${fileNames[row.file] ?? `file ${row.file + 1}`}` : '';
    status.textContent = `Frame ${fmt.count(row.no)} of ${fmt.count(frameCount)} · ${fmt.plural(row.length, 'byte')} on the wire, ${fmt.count(row.caplen)} captured${from}`;
  } else {
    status.textContent = `Frame ${fmt.count(no)} of ${fmt.count(frameCount)}`;
  }
  let result;
  try {
    result = await client.details(no);
  } catch (err) {
    if (seq !== detailsSeq || err instanceof CancelledError) return;
    tree.clear(`The details of frame ${no} are not available: ${err.message}`);
    hex.clear();
    return;
  }
  if (seq !== detailsSeq) return; // the selection moved on
  hex.show(result.bytes, problemRanges(result.tree));
  tree.show(withTcpAnalysis(result.tree, result.tcp));
  if (result.tcp) currentTcpStream = result.tcp.stream;
  if (revealFrame === no) {
    revealFrame = null;
    tree.revealProblems();
  }
  body.dataset.detailsNo = String(no);
}

/** Byte ranges of every node that carries a problem note. */
function problemRanges(nodes, out = []) {
  for (const node of nodes ?? []) {
    if (node.problem && typeof node.start === 'number' && node.len > 0) out.push([node.start, node.len]);
    problemRanges(node.children, out);
  }
  return out;
}

/**
 * The worker is gone (it died, or stopped on an internal error) and the analysis with it: back to
 * the start page with the reason in plain words and the same files offered again.
 */
function analysisLost(message) {
  analysisGone = true;
  captureSeq++; // late answers about the lost capture are dropped
  frameCount = 0;
  byId('capture-title').textContent = '';
  document.title = 'tracelens — network trace analyzer';
  setPhase('empty');
  showError(message);
}

function showError(message) {
  opening = null;
  if (body.dataset.state === 'ready' && !analysisGone) {
    status.textContent = message;
    const alerts = byId('alerts');
    renderAlerts(alerts, { files: [], warnings: [message] });
    return;
  }
  setPhase('empty');
  const box = byId('welcome-error');
  box.textContent = message;
  if (analysisGone && lastFiles.length) {
    const files = lastFiles;
    const again = document.createElement('button');
    again.type = 'button';
    again.id = 'reopen-button';
    again.className = 'btn reopen';
    again.textContent = `Open again: ${files.map((f) => f.name).join(', ')}`;
    again.addEventListener('click', () => openFiles(files));
    box.append(' ', again);
  }
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
