// One TCP stream: its frames with the analysis (relative seq/ack, length, flags, RTT, bytes in
// flight) in a table, and above it the stream's pictures, one at a time: the time-sequence graph
// in tcptrace style (segments as I-bars, the peer's ACK and receive-window lines, SACK blocks,
// retransmissions and zero windows in colour) or Stevens style (dots) — tcp-sequence.js, on a
// canvas —, throughput, round-trip time and window scaling (tcp-charts.js, uPlot through
// chart.js), the ladder of the stream or of the packet list's frames (flow-ladder.js), and Follow
// stream (follow-view.js). Both directions are selectable; every picture exports as PNG and SVG;
// clicking a point, an arrow or a piece selects its frame. The graph columns come from the wasm
// per direction (typed arrays); the table pages its rows in from the worker.

import { el } from './dom.js';
import { DataTable } from './data-table.js';
import * as fmt from './format.js';
import { sequenceScene, paintScene, sceneSvg, pickPoint, LIGHT } from './tcp-sequence.js';
import { chartData, frameAt } from './tcp-charts.js';
import { createChart } from './chart.js';
import { renderFlowLadder, PAGE as LADDER_PAGE } from './flow-ladder.js';
import { FollowView } from './follow-view.js';
import { svgNamespace } from './svg-dom.js';
import { svgElementText, svgTextToPng, canvasToPng, saveGraph } from './graph-export.js';

/** The pictures of a stream, in the order of their buttons. */
const KINDS = [
  ['tcptrace', 'tcptrace', 'Time-sequence, tcptrace style: segments, ACKs, receive window, SACK'],
  ['stevens', 'Stevens', 'Time-sequence, Stevens style: one dot per segment'],
  ['throughput', 'Throughput', 'Bits per second over the last 20 segments'],
  ['rtt', 'RTT', 'Round-trip time of the ACKs (tcp.analysis.ack_rtt)'],
  ['window', 'Window', 'Bytes in flight against the peer’s scaled receive window'],
  ['ladder', 'Ladder', 'Flow diagram: endpoints as columns, one arrow per frame'],
  ['follow', 'Follow', 'The payload as text, both directions (Follow stream)'],
];
const CHART_KINDS = new Set(['throughput', 'rtt', 'window']);

const secs = (ns) => (ns === null || ns === undefined ? '' : (ns / 1e9).toFixed(6));

const COLUMNS = [
  { key: 'no', title: 'No.', num: true, width: '10ch', value: (r) => String(r.no), sort: (r) => r.no },
  { key: 'time', title: 'Time', num: true, width: '11ch', value: (r) => r.time.toFixed(6), sort: (r) => r.time },
  { key: 'dir', title: 'Dir', width: '6ch', value: (r) => (r.dir === 0 ? 'A→B' : 'B→A') },
  { key: 'tcpflags', title: 'Flags', width: '10ch', value: (r) => [r.syn && 'SYN', r.fin && 'FIN', r.rst && 'RST'].filter(Boolean).join(' ') },
  { key: 'seq', title: 'Seq', num: true, width: '11ch', value: (r) => String(r.seq), sort: (r) => r.seq, tip: 'Relative sequence number' },
  { key: 'ack', title: 'Ack', num: true, width: '11ch', value: (r) => String(r.ack), sort: (r) => r.ack, tip: 'Relative acknowledgement number' },
  { key: 'len', title: 'Len', num: true, width: '7ch', value: (r) => (r.len == null ? '' : String(r.len)), sort: (r) => r.len ?? -1 },
  { key: 'window', title: 'Window', num: true, width: '10ch', value: (r) => (r.window === null ? '' : String(r.window)), sort: (r) => r.window, tip: 'Window after scaling' },
  { key: 'ack_rtt', title: 'ACK RTT', num: true, width: '11ch', value: (r) => secs(r.ack_rtt_ns), sort: (r) => r.ack_rtt_ns, tip: 'tcp.analysis.ack_rtt' },
  { key: 'bif', title: 'In flight', num: true, width: '10.5ch', value: (r) => (r.bytes_in_flight === null ? '' : String(r.bytes_in_flight)), sort: (r) => r.bytes_in_flight, tip: 'tcp.analysis.bytes_in_flight' },
  { key: 'analysis', title: 'Analysis', width: 'minmax(14ch, 2fr)', value: analysisText, cls: (r) => (r.problem ? 'cell-bad' : '') },
];

function analysisText(r) {
  const all = r.flag_names ?? [];
  // Fast and spurious retransmissions also carry the plain retransmission field: name them once.
  const specific = all.some((n) => n !== 'retransmission' && n.endsWith('retransmission'));
  const parts = all.filter((n) => !(specific && n === 'retransmission')).map((n) => n.replaceAll('_', ' '));
  if (r.dup_ack_num) parts.push(`#${r.dup_ack_num} of ${r.dup_ack_frame}`);
  return parts.join(', ');
}

export class StreamView {
  /**
   * `load(n)` resolves with {summary: {rows, stream, a, b}, graph, source}
   * (AnalyzerClient.streamTable); `loadGraph(n, dir)` with a direction's graph columns
   * (AnalyzerClient.tcpGraph); `loadLadder(stream|null, start, count)` with a ladder page;
   * `loadFollow(protocol, n, start, maxBytes, mode)` with a follow page; `onSelectFrame(no)`,
   * `onJump(no)`, `onFilter(text)`.
   */
  constructor(root, { load, loadGraph, loadLadder, loadFollow, onSelectFrame, onJump, onFilter, onOpen = () => {} }) {
    this.root = root;
    this.load = load;
    this.loadGraph = loadGraph;
    this.loadLadder = loadLadder;
    this.onOpen = onOpen; // (n) after stream n is shown

    this.onSelectFrame = onSelectFrame;
    this.onJump = onJump;
    this.onFilter = onFilter;
    this.data = null;
    this.direction = 0; // whose data the graph shows
    this.kind = 'tcptrace';
    this.seq = 0;
    this.graphs = [null, null]; // per direction, for the open stream
    this.scene = null;
    this.chart = null;
    this.ladderScope = 'stream';
    this.ladderStart = 0;

    this.number = el('input', {
      type: 'number', class: 'stream-number', min: 0, step: 1, value: '0',
      attrs: { 'aria-label': 'TCP stream number' }, title: 'tcp.stream (Enter to open; ↑/↓ for the next one)',
    });
    this.number.addEventListener('change', () => this.open(Number(this.number.value)));
    this.number.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.open(Number(this.number.value));
    });
    this.title = el('span', { class: 'stream-title' });
    this.info = el('span', { class: 'view-info' });
    this.dirGroup = el('div', { class: 'seg-group', attrs: { role: 'radiogroup', 'aria-label': 'Graph direction' } },
      [0, 1].map((d) => el('button', {
        type: 'button', class: 'seg', text: d === 0 ? 'A→B data' : 'B→A data', dataset: { dir: String(d) },
        attrs: { role: 'radio', 'aria-checked': String(d === 0) },
        on: { click: () => this.setDirection(d) },
      })));
    this.kindGroup = el('div', { class: 'seg-group stream-kinds', attrs: { role: 'radiogroup', 'aria-label': 'Picture' } },
      KINDS.map(([kind, label, tip]) => el('button', {
        type: 'button', class: 'seg', text: label, title: tip, dataset: { kind },
        attrs: { role: 'radio', 'aria-checked': String(kind === this.kind) },
        on: { click: () => this.setKind(kind) },
      })));
    this.pngButton = el('button', { type: 'button', class: 'btn btn-small', text: 'PNG', title: 'Save this picture as PNG', dataset: { export: 'png' }, on: { click: () => this.exportGraph('png') } });
    this.svgButton = el('button', { type: 'button', class: 'btn btn-small', text: 'SVG', title: 'Save this picture as SVG', dataset: { export: 'svg' }, on: { click: () => this.exportGraph('svg') } });
    this.filterButton = el('button', { type: 'button', class: 'btn btn-small', text: 'Filter on stream', title: 'Show only this stream’s frames in the packet list', on: { click: () => this.onFilter(`tcp.stream eq ${this.data?.stream}`) } });
    this.canvas = el('canvas', { class: 'stream-graph', attrs: { role: 'img', 'aria-label': 'Time-sequence graph' } });
    this.canvas.addEventListener('click', (e) => this.onGraphClick(e));
    // Drag across the time-sequence graph to zoom into that time range; double-click (or the
    // button) to see it all again.
    this.canvas.addEventListener('mousedown', (e) => this.startDrag(e));
    this.canvas.addEventListener('dblclick', () => this.setZoom(null));
    this.band = el('div', { class: 'stream-zoom-band', hidden: true });
    this.unzoomButton = el('button', { type: 'button', class: 'btn btn-small stream-unzoom', text: 'Whole stream', title: 'Show the whole time range again (double-click the graph)', hidden: true, on: { click: () => this.setZoom(null) } });
    this.chartBox = el('div', { class: 'stream-chart', hidden: true });
    this.ladderScopeSelect = el('select', { class: 'ladder-scope', attrs: { 'aria-label': 'Frames in the ladder' } },
      el('option', { value: 'stream', text: 'This stream' }), el('option', { value: 'view', text: 'Frames in the packet list' }));
    this.ladderScopeSelect.addEventListener('change', () => {
      this.ladderScope = this.ladderScopeSelect.value;
      this.ladderStart = 0;
      this.drawLadder();
    });
    this.ladderInfo = el('span', { class: 'view-info ladder-info' });
    this.ladderPrev = el('button', { type: 'button', class: 'btn btn-small', text: '◀ Earlier', on: { click: () => this.pageLadder(-1) } });
    this.ladderNext = el('button', { type: 'button', class: 'btn btn-small', text: 'Later ▶', on: { click: () => this.pageLadder(1) } });
    this.ladderCanvas = el('div', { class: 'flow-ladder' });
    this.ladderBox = el('div', { class: 'stream-ladder', hidden: true },
      el('div', { class: 'ladder-toolbar' }, this.ladderScopeSelect, this.ladderPrev, this.ladderNext, this.ladderInfo),
      this.ladderCanvas);
    this.followBox = el('div', { class: 'stream-follow', hidden: true });
    this.follow = new FollowView(this.followBox, { load: loadFollow, onSelectFrame: (no) => this.selectFrame(no), onJump: (no) => this.onJump(no) });
    this.graphBox = el('div', { class: 'stream-graph-box' }, this.canvas, this.band, this.unzoomButton, this.chartBox, this.ladderBox, this.followBox);
    this.tableBox = el('div', { class: 'dtable-box', id: 'stream-table' });
    root.replaceChildren(
      el('div', { class: 'view-toolbar' },
        el('label', { class: 'toolbar-label', text: 'tcp.stream' }), this.number, this.title, this.info,
        el('span', { class: 'toolbar-spacer' }), this.dirGroup, this.filterButton),
      el('div', { class: 'view-toolbar stream-toolbar' }, this.kindGroup, el('span', { class: 'toolbar-spacer' }), this.pngButton, this.svgButton),
      el('div', { class: 'stream-body' }, this.graphBox, this.tableBox));
    this.table = new DataTable(this.tableBox, {
      columns: COLUMNS,
      label: 'Segments of the stream',
      rowClass: (r) => (r.problem ? 'outcome-row-bad' : r.rst ? 'outcome-row-warn' : ''),
      onSelect: (row) => {
        if (!row) return;
        this.selectedNo = row.no;
        this.draw();
        this.onSelectFrame(row.no);
      },
      onActivate: (row) => this.onJump(row.no),
      empty: 'Choose a TCP stream: from Connections, Conversations (TCP), a finding, or by number here.',
    });
    new ResizeObserver(() => this.draw()).observe(this.graphBox);
    this.updateButtons();
  }

  reset() {
    this.data = null;
    this.graphs = [null, null];
    this.selectedNo = null;
    this.title.textContent = '';
    this.info.textContent = '';
    this.table.setRows([]);
    this.ladderCanvas.replaceChildren();
    this.follow.clear(); // the payload of the capture before is not this one's
    this.draw();
    this.updateButtons();
  }

  updateButtons() {
    this.filterButton.disabled = !this.data;
    const exportable = !!this.data && this.kind !== 'follow';
    this.pngButton.disabled = !exportable;
    this.svgButton.disabled = !exportable;
  }

  /** Called when the view becomes visible: shows stream `preferred` (e.g. the selected frame's). */
  async activate(preferred) {
    const n = Number.isInteger(preferred) ? preferred : Number(this.number.value) || 0;
    if (!this.data || this.data.stream !== n) await this.open(n);
    this.table.focus();
  }

  /** Loads and shows stream `n`. */
  async open(n) {
    if (!Number.isInteger(n) || n < 0) return;
    this.number.value = String(n);
    const seq = ++this.seq;
    this.info.textContent = 'Loading…';
    let loaded;
    try {
      loaded = await this.load(n);
    } catch (err) {
      if (seq !== this.seq) return;
      this.data = null;
      this.graphs = [null, null];
      this.title.textContent = '';
      this.info.textContent = err.message;
      this.table.setRows([]);
      this.draw();
      this.updateButtons();
      return;
    }
    if (seq !== this.seq) return;
    const { summary, graph, source } = loaded;
    // The table first: once the stream's title and count show, the rows (and End, Home) are the
    // new stream's, not the last one's still on screen while the pictures load.
    await this.table.setSource(source);
    if (seq !== this.seq) return;
    this.data = { stream: summary.stream, graph, count: graph.no.length };
    this.graphs = [null, null];
    this.selectedNo = null;
    this.ladderStart = 0;
    this.zoom = null;
    this.onOpen(n);
    this.title.textContent = summary.a && summary.b ? `A ${summary.a} ⇄ B ${summary.b}` : '';
    const last = this.data.count - 1;
    const span = last > 0 ? graph.time[last] - graph.time[0] : 0;
    let problems = 0;
    for (let i = 0; i <= last; i++) problems += (graph.bits[i] >> 1) & 1;
    this.info.textContent = `${fmt.plural(summary.rows, 'frame')} · ${fmt.duration(span)}${problems ? ` · ${fmt.plural(problems, 'problem')}` : ''}`;
    this.setDirection(this.busierDirection(graph), { redraw: false });
    this.updateButtons();
    if (this.kind === 'follow') this.follow.show('tcp', this.data.stream);
    else await this.refresh();
  }

  /** The direction that sent more payload (the graph's default). */
  busierDirection(graph) {
    const sent = [0, 0];
    for (let i = 0; i < graph.no.length; i++) {
      const len = graph.len[i];
      if (len === len) sent[graph.bits[i] & 1] += len; // NaN: a header quoted in an ICMP error
    }
    return sent[1] > sent[0] ? 1 : 0;
  }

  setDirection(d, { redraw = true } = {}) {
    this.direction = d;
    this.zoom = null;
    for (const b of this.dirGroup.querySelectorAll('[data-dir]')) b.setAttribute('aria-checked', String(Number(b.dataset.dir) === d));
    if (redraw) this.refresh();
  }

  /** Shows picture `kind` (one of KINDS). */
  setKind(kind) {
    this.kind = kind;
    for (const b of this.kindGroup.querySelectorAll('[data-kind]')) b.setAttribute('aria-checked', String(b.dataset.kind === kind));
    this.root.dataset.kind = kind;
    this.updateButtons();
    if (kind === 'follow' && this.data && this.follow.stream === null) this.follow.show('tcp', this.data.stream);
    else if (kind === 'follow' && this.data && this.follow.protocol === 'tcp' && this.follow.stream !== this.data.stream) this.follow.show('tcp', this.data.stream);
    this.refresh();
  }

  /** Fetches what the picture needs (the direction's columns, a ladder page) and draws it. */
  async refresh() {
    const data = this.data;
    if (data && !this.graphs[this.direction] && this.kind !== 'follow') {
      const dir = this.direction;
      const g = await this.loadGraph(data.stream, dir);
      if (this.data !== data) return;
      this.graphs[dir] = g;
    }
    if (this.kind === 'ladder') await this.drawLadder();
    this.draw();
  }

  /** The columns of the shown direction, once loaded. */
  get columns() {
    return this.graphs[this.direction];
  }

  draw() {
    const kind = this.kind;
    this.canvas.hidden = kind !== 'tcptrace' && kind !== 'stevens';
    this.chartBox.hidden = !CHART_KINDS.has(kind);
    this.ladderBox.hidden = kind !== 'ladder';
    this.followBox.hidden = kind !== 'follow';
    this.graphBox.dataset.kind = kind;
    if (!this.canvas.hidden) this.drawSequence();
    else if (!this.chartBox.hidden) this.drawChart();
  }

  /** The time-sequence graph on the canvas, in the page's colours. */
  drawSequence() {
    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const w = this.graphBox.clientWidth;
    const h = this.graphBox.clientHeight;
    canvas.width = Math.max(1, Math.round(w * ratio));
    canvas.height = Math.max(1, Math.round(h * ratio));
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    this.scene = null;
    const g = this.columns;
    if (!this.data || !g || w < 80 || h < 60) return;
    const started = performance.now();
    this.scene = sequenceScene(g, { width: w, height: h, style: this.kind, palette: this.palette(), selected: this.selectedNo, range: this.zoom });
    this.unzoomButton.hidden = !this.zoom;
    const font = getComputedStyle(this.root).getPropertyValue('--font-ui').trim() || 'sans-serif';
    paintScene(ctx, this.scene, font);
    canvas.scene = this.scene; // what was drawn, for the browser tests
    this.root.dataset.drawMs = (performance.now() - started).toFixed(1);
    this.root.dataset.drawn = `${this.kind}:${this.data.stream}:${this.direction}`;
  }

  /** The page's theme as the time-sequence palette. */
  palette() {
    const c = (name) => this.color(name);
    return {
      background: c('--surface'), axis: c('--border-strong'), grid: c('--border'), text: c('--text-3'),
      data: c('--accent'), retransmission: c('--danger'), problem: c('--warn'), ack: c('--ok'),
      window: c('--text-3'), sack: LIGHT.sack, zeroWindow: c('--danger'), select: c('--focus'),
    };
  }

  /** Throughput, RTT or window with uPlot (built again when the kind or the stream changes). */
  drawChart() {
    const g = this.columns;
    if (!this.data || !g) return;
    const key = `${this.kind}:${this.data.stream}:${this.direction}`;
    const height = Math.max(120, this.graphBox.clientHeight - 36);
    if (this.chartKey === key && this.chart) {
      this.chart.resize();
      return;
    }
    this.chart?.destroy();
    this.chartBox.replaceChildren();
    const data = chartData(this.kind, g);
    this.chartData = data;
    this.chart = createChart(this.chartBox, {
      series: data.series, xLabel: 'Time (s)', yLabel: data.yLabel, height,
      title: `tcp.stream ${this.data.stream} · ${this.direction === 0 ? 'A→B' : 'B→A'} data`,
      onPick: (x) => {
        const no = frameAt(data, x);
        if (no !== null) this.selectFrame(no);
      },
    });
    this.chart.setData(data.xs, data.ys);
    this.chartKey = key;
    this.root.dataset.drawn = key;
  }

  /** Fetches and draws the ladder page at `ladderStart`. */
  async drawLadder() {
    if (!this.data && this.ladderScope === 'stream') return;
    const stream = this.ladderScope === 'stream' ? this.data.stream : null;
    const ladder = await this.loadLadder(stream, this.ladderStart, LADDER_PAGE);
    this.ladder = ladder;
    this.ladderSvg = renderFlowLadder(this.ladderCanvas, ladder, { onJump: (no) => this.selectFrame(no), onActivate: (no) => this.onJump(no), selected: this.selectedNo, room: this.ladderCanvas.clientWidth - 16 });
    const end = ladder.start + ladder.arrows.length;
    this.ladderInfo.textContent = ladder.total ? `${fmt.count(ladder.start + 1)}–${fmt.count(end)} of ${fmt.plural(ladder.total, 'frame')}` : 'No frames';
    this.ladderPrev.disabled = ladder.start === 0;
    this.ladderNext.disabled = end >= ladder.total;
    this.root.dataset.drawn = `ladder:${stream ?? 'view'}:${ladder.start}`;
  }

  pageLadder(delta) {
    const total = this.ladder?.total ?? 0;
    this.ladderStart = Math.max(0, Math.min(Math.max(0, total - 1), this.ladderStart + delta * LADDER_PAGE));
    this.drawLadder();
  }

  /** Saves the shown picture as PNG or SVG. */
  async exportGraph(format) {
    if (!this.data) return;
    const name = `tcp-stream-${this.data.stream}-${this.kind}${this.kind === 'ladder' ? '' : `-${this.direction === 0 ? 'a-b' : 'b-a'}`}.${format}`;
    let content;
    if (this.kind === 'tcptrace' || this.kind === 'stevens') {
      if (format === 'png') content = await canvasToPng(this.canvas);
      else {
        const scene = sequenceScene(this.columns, { width: 1100, height: 560, style: this.kind, palette: LIGHT, range: this.zoom, title: `tcp.stream ${this.data.stream} · ${this.title.textContent}` });
        content = sceneSvg(scene, svgNamespace());
      }
    } else if (CHART_KINDS.has(this.kind)) {
      content = format === 'png' ? await this.chart.toPNG() : this.chart.toSVG();
    } else if (this.kind === 'ladder' && this.ladderSvg) {
      const text = svgElementText(this.ladderSvg);
      content = format === 'png' ? await svgTextToPng(text, Number(this.ladderSvg.getAttribute('width')), Number(this.ladderSvg.getAttribute('height'))) : text;
    }
    if (!content) return;
    this.root.dataset.exported = `${name}:${typeof content === 'string' ? content.length : content.size}`;
    saveGraph(name, content);
  }

  /** A colour token (e.g. "--accent") resolved for the canvas (tokens are light-dark() pairs). */
  color(name) {
    this.probe ??= this.graphBox.appendChild(el('span', { class: 'visually-hidden', attrs: { 'aria-hidden': 'true' } }));
    this.probe.style.color = `var(${name})`;
    return getComputedStyle(this.probe).color || '#888';
  }

  /** Index of frame `no` in the stream's frames (they ascend), -1 if not in the stream. */
  frameIndex(no) {
    const nos = this.data?.graph.no;
    if (!nos || no === null || no === undefined) return -1;
    let lo = 0;
    let hi = nos.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (nos[mid] === no) return mid;
      if (nos[mid] < no) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /**
   * Selects frame `no`: its row in the table when it is one of the stream's (the details follow
   * the selection), else just its details.
   */
  async selectFrame(no) {
    this.root.dataset.picked = String(no);
    const data = this.data;
    const index = this.frameIndex(no);
    if (index < 0) {
      this.selectedNo = no;
      this.onSelectFrame(no);
      return;
    }
    const pos = await this.table.source?.position(index);
    if (this.data === data && pos >= 0) this.table.select(pos);
  }

  /** Zooms the time-sequence graph into `range` ({t0, t1} seconds), or back out (null). */
  setZoom(range) {
    this.zoom = range;
    this.root.dataset.zoom = range ? `${range.t0.toFixed(6)}-${range.t1.toFixed(6)}` : '';
    this.draw();
  }

  /** A drag across the canvas: a band follows the pointer; releasing it zooms to its times. */
  startDrag(down) {
    if (!this.scene || down.button !== 0) return;
    const rect = this.canvas.getBoundingClientRect();
    const from = down.clientX - rect.left;
    let to = from;
    const move = (e) => {
      to = Math.max(0, Math.min(rect.width, e.clientX - rect.left));
      Object.assign(this.band.style, { left: `${Math.min(from, to)}px`, width: `${Math.abs(to - from)}px` });
      this.band.hidden = Math.abs(to - from) < 4;
    };
    const up = () => {
      window.removeEventListener('mousemove', move);
      window.removeEventListener('mouseup', up);
      this.band.hidden = true;
      if (Math.abs(to - from) < 4) return; // a click, not a drag
      this.dragged = true;
      const [a, b] = [this.scene.timeAt(Math.min(from, to)), this.scene.timeAt(Math.max(from, to))];
      this.setZoom({ t0: a, t1: b });
    };
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up);
  }

  /** Selects the frame of the point nearest to the click. */
  onGraphClick(event) {
    if (this.dragged) {
      this.dragged = false;
      return;
    }
    if (!this.scene) return;
    const rect = this.canvas.getBoundingClientRect();
    const no = pickPoint(this.scene, event.clientX - rect.left, event.clientY - rect.top);
    if (no !== null) this.selectFrame(no);
  }
}
