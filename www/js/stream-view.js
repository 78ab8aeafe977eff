// One TCP stream: its frames with the analysis (relative seq/ack, length, flags, RTT, bytes in
// flight) and its own timeline — a time/sequence graph (Stevens style): time across, relative
// sequence number up; the data segments one direction sent as short vertical bars (problems in
// red), the other side's acknowledgements as a step line and its advertised window above it.
// Clicking the graph or a row selects the frame. The frames stay in the worker, which sorts
// them; the table pages them in, and the graph draws from compact columns (typed arrays).

import { el } from './dom.js';
import { DataTable } from './data-table.js';
import * as fmt from './format.js';

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
   * (AnalyzerClient.streamTable); `onSelectFrame(no)`, `onJump(no)`, `onFilter(text)`.
   */
  constructor(root, { load, onSelectFrame, onJump, onFilter, onOpen = () => {} }) {
    this.root = root;
    this.load = load;
    this.onOpen = onOpen; // (n) after stream n is shown

    this.onSelectFrame = onSelectFrame;
    this.onJump = onJump;
    this.onFilter = onFilter;
    this.data = null;
    this.direction = 0; // whose data the graph shows
    this.seq = 0;

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
    this.filterButton = el('button', { type: 'button', class: 'btn btn-small', text: 'Filter on stream', title: 'Show only this stream’s frames in the packet list', on: { click: () => this.onFilter(`tcp.stream eq ${this.data?.stream}`) } });
    this.canvas = el('canvas', { class: 'stream-graph', attrs: { role: 'img', 'aria-label': 'Time-sequence graph' } });
    this.canvas.addEventListener('click', (e) => this.onGraphClick(e));
    this.graphBox = el('div', { class: 'stream-graph-box' }, this.canvas);
    this.tableBox = el('div', { class: 'dtable-box', id: 'stream-table' });
    root.replaceChildren(
      el('div', { class: 'view-toolbar' },
        el('label', { class: 'toolbar-label', text: 'tcp.stream' }), this.number, this.title, this.info,
        el('span', { class: 'toolbar-spacer' }), this.dirGroup, this.filterButton),
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
    this.selectedNo = null;
    this.title.textContent = '';
    this.info.textContent = '';
    this.table.setRows([]);
    this.draw();
    this.updateButtons();
  }

  updateButtons() {
    this.filterButton.disabled = !this.data;
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
      this.title.textContent = '';
      this.info.textContent = err.message;
      this.table.setRows([]);
      this.draw();
      this.updateButtons();
      return;
    }
    if (seq !== this.seq) return;
    const { summary, graph, source } = loaded;
    this.data = { stream: summary.stream, graph, count: graph.no.length };
    this.selectedNo = null;
    this.onOpen(n);
    this.title.textContent = summary.a && summary.b ? `A ${summary.a} ⇄ B ${summary.b}` : '';
    const last = this.data.count - 1;
    const span = last > 0 ? graph.time[last] - graph.time[0] : 0;
    let problems = 0;
    for (let i = 0; i <= last; i++) problems += (graph.bits[i] >> 1) & 1;
    this.info.textContent = `${fmt.plural(summary.rows, 'frame')} · ${fmt.duration(span)}${problems ? ` · ${fmt.plural(problems, 'problem')}` : ''}`;
    this.setDirection(this.busierDirection(graph), { redraw: false });
    this.draw();
    this.updateButtons();
    await this.table.setSource(source);
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
    for (const b of this.dirGroup.querySelectorAll('[data-dir]')) b.setAttribute('aria-checked', String(Number(b.dataset.dir) === d));
    if (redraw) this.draw();
  }

  /**
   * Pixel geometry of the plot area and the value ranges; `data` and `acks` are frame indexes
   * into the graph's columns (this direction's segments, the other side's non-SYN frames).
   */
  geometry() {
    const graph = this.data?.graph;
    const count = this.data?.count ?? 0;
    const w = this.graphBox.clientWidth;
    const h = this.graphBox.clientHeight;
    const pad = { left: 64, right: 12, top: 10, bottom: 24 };
    const data = [];
    const acks = [];
    let yMax = 1;
    for (let i = 0; i < count; i++) {
      const dir = graph.bits[i] & 1;
      if (dir === this.direction) {
        data.push(i);
        yMax = Math.max(yMax, graph.seq[i] + (graph.len[i] || 0));
      } else if (!(graph.bits[i] & 4)) {
        acks.push(i);
        yMax = Math.max(yMax, graph.ack[i]);
      }
    }
    const t0 = count ? graph.time[0] : 0;
    const t1 = Math.max(t0 + 1e-6, count ? graph.time[count - 1] : 0);
    return {
      w, h, pad, data, acks, t0, t1, yMax, graph,
      x: (t) => pad.left + ((t - t0) / (t1 - t0)) * (w - pad.left - pad.right),
      y: (s) => h - pad.bottom - (s / yMax) * (h - pad.top - pad.bottom),
    };
  }

  draw() {
    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const g = this.geometry();
    canvas.width = Math.max(1, Math.round(g.w * ratio));
    canvas.height = Math.max(1, Math.round(g.h * ratio));
    canvas.style.width = `${g.w}px`;
    canvas.style.height = `${g.h}px`;
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, g.w, g.h);
    if (!this.data || g.w < 80 || g.h < 60) return;
    const css = getComputedStyle(this.root);
    const color = (name) => this.color(name);
    const font = css.getPropertyValue('--font-ui').trim() || 'sans-serif';
    ctx.font = `11px ${font}`;
    ctx.lineWidth = 1;

    // Axes with a few round ticks.
    ctx.strokeStyle = color('--border-strong');
    ctx.fillStyle = color('--text-3');
    ctx.beginPath();
    ctx.moveTo(g.pad.left, g.pad.top);
    ctx.lineTo(g.pad.left, g.h - g.pad.bottom);
    ctx.lineTo(g.w - g.pad.right, g.h - g.pad.bottom);
    ctx.stroke();
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const v of ticks(0, g.yMax, 5)) {
      const y = g.y(v);
      ctx.fillText(fmt.count(v), g.pad.left - 6, y);
      ctx.strokeStyle = color('--border');
      ctx.beginPath();
      ctx.moveTo(g.pad.left + 1, y);
      ctx.lineTo(g.w - g.pad.right, y);
      ctx.stroke();
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of ticks(0, g.t1 - g.t0, 8)) {
      ctx.fillText(`${Number(t.toPrecision(6))} s`, g.x(g.t0 + t), g.h - g.pad.bottom + 6);
    }

    // The receiver's window (ack + window) and its acknowledgements, as step lines.
    const steps = (value, stroke, dash) => {
      ctx.strokeStyle = stroke;
      ctx.setLineDash(dash);
      ctx.beginPath();
      let started = false;
      let lastY = 0;
      for (const i of g.acks) {
        const v = value(i);
        if (v !== v) continue; // NaN: no window
        const x = g.x(g.graph.time[i]);
        const y = g.y(Math.min(v, g.yMax));
        if (!started) ctx.moveTo(x, y);
        else {
          ctx.lineTo(x, lastY);
          ctx.lineTo(x, y);
        }
        started = true;
        lastY = y;
      }
      if (started) ctx.lineTo(g.w - g.pad.right, lastY);
      ctx.stroke();
      ctx.setLineDash([]);
    };
    const { time, seq, len, ack, window: win, bits } = g.graph ?? {};
    steps((i) => ack[i] + win[i], color('--text-3'), [3, 3]);
    steps((i) => ack[i], color('--ok'), []);

    // Data segments: a bar from seq to seq+len (at least 3 px tall).
    const [accent, danger] = [color('--accent'), color('--danger')];
    for (const i of g.data) {
      const x = Math.round(g.x(time[i])) + 0.5;
      const y0 = g.y(seq[i]);
      const y1 = Math.min(y0 - 3, g.y(seq[i] + Math.max(len[i] || 0, 0)));
      const problem = bits[i] & 2;
      ctx.strokeStyle = problem ? danger : accent;
      ctx.lineWidth = problem ? 2 : 1.5;
      ctx.beginPath();
      ctx.moveTo(x, y0);
      ctx.lineTo(x, y1);
      ctx.stroke();
    }
    ctx.lineWidth = 1;
    const sel = this.frameIndex(this.selectedNo);
    if (sel >= 0) {
      const x = g.x(time[sel]);
      ctx.strokeStyle = color('--focus');
      ctx.setLineDash([2, 2]);
      ctx.beginPath();
      ctx.moveTo(x, g.pad.top);
      ctx.lineTo(x, g.h - g.pad.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    // Legend.
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    const legend = [[color('--accent'), 'data'], [color('--danger'), 'problem'], [color('--ok'), 'ACK'], [color('--text-3'), 'window']];
    let lx = g.pad.left + 8;
    for (const [c, label] of legend) {
      ctx.fillStyle = c;
      ctx.fillRect(lx, g.pad.top + 4, 10, 3);
      ctx.fillStyle = color('--text-2');
      ctx.fillText(label, lx + 14, g.pad.top);
      lx += 22 + ctx.measureText(label).width;
    }
  }

  /** A colour token (e.g. "--accent") resolved for the canvas (tokens are light-dark() pairs). */
  color(name) {
    this.probe ??= this.graphBox.appendChild(el('span', { class: 'visually-hidden', attrs: { 'aria-hidden': 'true' } }));
    this.probe.style.color = `var(${name})`;
    return getComputedStyle(this.probe).color || '#888';
  }

  /** Index of frame `no` in the graph's columns (frames ascend), -1 if not in the stream. */
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

  /** Selects the frame nearest to the click (in time, among this direction's data and the acks). */
  async onGraphClick(event) {
    if (!this.data) return;
    const g = this.geometry();
    const { time, seq, len, ack, bits } = g.graph;
    const rect = this.canvas.getBoundingClientRect();
    const px = event.clientX - rect.left;
    const py = event.clientY - rect.top;
    let best = -1;
    let bestD = Infinity;
    for (let i = 0; i < this.data.count; i++) {
      const y = (bits[i] & 1) === this.direction ? g.y(seq[i] + (len[i] || 0) / 2) : g.y(ack[i]);
      const d = (g.x(time[i]) - px) ** 2 + (y - py) ** 2;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    if (best < 0) return;
    const data = this.data;
    const pos = await this.table.source?.position(best);
    if (this.data === data && pos >= 0) this.table.select(pos);
  }
}

/** About `count` round tick values between lo and hi. */
function ticks(lo, hi, count) {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(v);
  return out;
}
