// The IO graph view (Wireshark's Statistics → I/O Graphs): several lines at once, each a display
// filter with a colour (defaults: all packets, TCP problems `tcp.analysis.flags`, the applied
// filter), per interval packets/s, bytes/s, bits/s or a field's SUM/MAX/AVG (frame.len,
// tcp.analysis.ack_rtt), linear or log scale. The numbers come from one wasm call over the index
// for all lines (`load`); zooming asks again with the new range. Dragging over the plot zooms
// there and sets the packet list's filter to that frame.time_relative range; a click jumps to
// the nearest frame of the nearest line; marker pings are vertical lines. The chart is chart.js
// (uPlot); exports: PNG, SVG, and `imageForReport()` for the findings export.

import { el } from './dom.js';
import * as fmt from './format.js';
import { createChart } from './chart.js';
import { saveText } from './download.js';

const COLOURS = ['#2f6fde', '#e03131', '#2b8a3e', '#9c36b5', '#f08c00', '#0c8599'];
const INTERVALS = [
  ['auto', 'Auto'], ['0.001', '1 ms'], ['0.01', '10 ms'], ['0.1', '100 ms'], ['1', '1 s'],
  ['10', '10 s'], ['60', '1 min'], ['600', '10 min'],
];
const MEASURES = [
  ['packets', 'Packets/s'], ['bytes', 'Bytes/s'], ['bits', 'Bits/s'],
  ['sum', 'SUM of field'], ['max', 'MAX of field'], ['avg', 'AVG of field'],
];
const FIELDS = ['frame.len', 'tcp.analysis.ack_rtt'];
/** Points asked for when the interval is automatic. */
const TARGET_POINTS = 600;

/**
 * `markdown` with an "IO graph" section holding `graph` ({svg, caption}) as an inline image (a
 * data: URI, so the report stays one file).
 */
export function withGraphImage(markdown, { svg, caption }) {
  const bytes = new TextEncoder().encode(svg);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  const alt = caption.replace(/[[\]\\]/g, ' ');
  return `${markdown.replace(/\n*$/, '\n')}\n## IO graph\n\n${caption}\n\n![${alt}](data:image/svg+xml;base64,${btoa(binary)})\n`;
}

/** A `frame.time_relative` range filter for seconds a..b. */
export function timeRangeFilter(a, b) {
  const s = (v) => Math.max(0, v).toFixed(6);
  return `frame.time_relative >= ${s(a)} && frame.time_relative <= ${s(b)}`;
}

export class IoGraphView {
  /**
   * `load(request)` → the wasm's answer (analyzer-client `ioGraph`); `nearest(filter, t)` → a
   * frame number; `currentFilter()` the packet list's filter; `markers()` the marker pings;
   * `onFilter(text)` applies a filter to the packet list; `onJump(no)` shows a frame.
   */
  constructor(root, { load, nearest, currentFilter, markers, onFilter, onJump }) {
    Object.assign(this, { root, load, nearest, currentFilter, markers, onFilter, onJump });
    this.lines = [];
    this.zoom = null; // {from, to} seconds, or null for the whole capture
    this.answer = null;
    this.seq = 0;
    this.build();
    this.reset();
  }

  build() {
    const select = (options, value, label) => el('select', { attrs: { 'aria-label': label }, on: { change: () => this.draw() } },
      options.map(([v, text]) => el('option', { value: v, text, selected: v === value })));
    this.intervalSelect = select(INTERVALS, 'auto', 'Interval');
    this.measureSelect = select(MEASURES, 'packets', 'Y axis');
    this.fieldSelect = select(FIELDS.map((f) => [f, f]), 'frame.len', 'Field');
    this.logBox = el('input', { type: 'checkbox', on: { change: () => this.draw() } });
    this.lineList = el('div', { class: 'io-lines', attrs: { role: 'group', 'aria-label': 'Lines' } });
    this.info = el('span', { class: 'io-info' });
    const button = (text, title, fn) => el('button', { type: 'button', class: 'btn btn-small', text, title, on: { click: fn } });
    this.resetZoomButton = button('Whole capture', 'Show the whole capture again', () => { this.zoom = null; this.draw(); });
    this.chartBox = el('div', { class: 'io-chart' });
    this.root.replaceChildren(
      el('div', { class: 'view-toolbar io-toolbar' },
        el('label', { class: 'toolbar-label' }, 'Interval ', this.intervalSelect),
        el('label', { class: 'toolbar-label' }, 'Y ', this.measureSelect),
        el('label', { class: 'toolbar-label io-field' }, 'Field ', this.fieldSelect),
        el('label', { class: 'toolbar-label' }, this.logBox, ' Log scale'),
        this.resetZoomButton,
        el('span', { class: 'toolbar-spacer' }),
        button('Add line', 'Add a line with its own display filter', () => this.addLine('')),
        button('PNG', 'Save the graph as a PNG image', () => this.exportPng()),
        button('SVG', 'Save the graph as an SVG image', () => this.exportSvg())),
      this.lineList, this.chartBox,
      el('p', { class: 'io-hint', text: 'Drag across the graph to zoom there and show those frames in the packet list; click a point to go to the nearest frame.' }),
      this.info);
  }

  /** A new capture: default lines, whole capture, nothing drawn yet. */
  reset() {
    this.lines = [];
    this.lineList.replaceChildren();
    this.zoom = null;
    this.answer = null;
    this.chart?.destroy();
    this.chart = null;
    this.addLine('', { label: 'All packets', redraw: false });
    this.addLine('tcp.analysis.flags', { redraw: false });
    this.root.dataset.state = 'idle';
  }

  /** The view became visible: draws (adding the applied filter as a line) if not done yet. */
  activate() {
    const applied = this.currentFilter() ?? '';
    if (applied && !this.lines.some((l) => l.filter === applied)) this.addLine(applied, { redraw: false });
    if (!this.answer) this.draw();
  }

  addLine(filter, { label = '', redraw = true } = {}) {
    const line = { filter, label, colour: COLOURS[this.lines.length % COLOURS.length], on: true };
    this.lines.push(line);
    const colour = el('input', { type: 'color', value: line.colour, attrs: { 'aria-label': 'Line colour' },
      on: { change: () => { line.colour = colour.value; this.draw(); } } });
    const input = el('input', { type: 'text', value: filter, spellcheck: false, placeholder: 'All packets (no filter)',
      attrs: { 'aria-label': 'Line display filter' },
      on: { change: () => { line.filter = input.value.trim(); line.label = ''; this.draw(); } } });
    const on = el('input', { type: 'checkbox', checked: true, attrs: { 'aria-label': 'Show this line' },
      on: { change: () => { line.on = on.checked; this.draw(); } } });
    const error = el('span', { class: 'io-line-error' });
    const row = el('div', { class: 'io-line' }, on, colour, input, error,
      el('button', { type: 'button', class: 'btn btn-small', text: '×', title: 'Remove this line',
        on: { click: () => { this.lines.splice(this.lines.indexOf(line), 1); row.remove(); this.draw(); } } }));
    line.error = error;
    this.lineList.append(row);
    if (redraw) this.draw();
  }

  shown() {
    return this.lines.filter((l) => l.on);
  }

  request() {
    const interval = this.intervalSelect.value;
    const measure = this.measureSelect.value;
    return {
      from: this.zoom?.from ?? null,
      to: this.zoom?.to ?? null,
      interval: interval === 'auto' ? null : Number(interval),
      target: TARGET_POINTS,
      lines: this.shown().map((l) => ({ filter: l.filter, measure, field: this.fieldSelect.value })),
    };
  }

  /** Asks the wasm for the lines and draws them. */
  async draw() {
    const seq = ++this.seq;
    const measure = this.measureSelect.value;
    this.root.querySelector('.io-field').hidden = !['sum', 'max', 'avg'].includes(measure);
    this.root.dataset.state = 'loading';
    const started = performance.now();
    let answer;
    try {
      answer = await this.load(this.request());
    } catch (err) {
      if (seq !== this.seq) return;
      this.info.textContent = `The IO graph could not be computed: ${err.message}`;
      this.root.dataset.state = 'failed';
      return;
    }
    if (seq !== this.seq) return;
    this.answer = answer;
    this.render(answer);
    const ms = performance.now() - started;
    Object.assign(this.root.dataset, {
      state: 'ready', drawMs: ms.toFixed(1), wasmMs: answer.elapsedMs.toFixed(1), points: String(answer.count),
      draws: String(Number(this.root.dataset.draws ?? 0) + 1),
    });
    this.info.textContent = `${fmt.plural(this.shown().length, 'line')} · ${fmt.count(answer.count)} intervals of ${fmt.duration(answer.interval)}`
      + (this.zoom ? ` · ${fmt.seconds(this.zoom.from)}–${fmt.seconds(this.zoom.to)} s` : '')
      + ` · drawn in ${fmt.duration(ms / 1000)}`;
  }

  series() {
    return this.shown().map((l) => ({ label: l.label || l.filter || 'All packets', color: l.colour }));
  }

  yLabel() {
    const m = this.measureSelect.value;
    if (['sum', 'max', 'avg'].includes(m)) return `${m.toUpperCase()}(${this.fieldSelect.value}) per interval`;
    return MEASURES.find(([v]) => v === m)[1];
  }

  render(answer) {
    const xs = Float64Array.from({ length: answer.count }, (_, i) => answer.from + i * answer.interval);
    const ys = answer.lines.map((l) => (l.error ? new Float64Array(answer.count).fill(NaN) : l.values));
    this.shown().forEach((l, i) => { l.error.textContent = answer.lines[i]?.error ?? ''; });
    const labels = { xLabel: 'Time (s)', yLabel: this.yLabel() };
    const shape = `${this.logBox.checked} ${labels.yLabel}`; // what a new chart is needed for
    if (!this.chart || this.chartShape !== shape) {
      this.chart?.destroy();
      this.chartShape = shape;
      this.chart = createChart(this.chartBox, {
        series: this.series(), ...labels, log: this.logBox.checked, height: 300,
        onBrush: (a, b) => this.brushed(a, b),
        onPick: (x, i) => this.picked(x, i),
      });
    }
    this.chart.setData(xs, ys, this.series());
    const marks = (this.markers()?.markers ?? []).filter((m) => m.time !== null && m.time !== undefined)
      .map((m) => ({ x: m.time, label: `${m.payload_len} B` }));
    this.chart.setMarkers(marks);
    this.root.dataset.markers = String(marks.length);
  }

  /** The marker pings arrived (or changed): redraws their lines. */
  refreshMarkers() {
    if (this.answer) this.render(this.answer);
  }

  async brushed(a, b) {
    const from = Math.max(0, Math.min(a, b));
    const to = Math.max(a, b);
    this.zoom = { from, to };
    await this.draw();
    this.onFilter(timeRangeFilter(from, to));
  }

  async picked(x, seriesIndex) {
    const line = this.shown()[seriesIndex] ?? this.shown()[0];
    const no = await this.nearest(line?.filter ?? '', Math.max(0, x));
    if (no > 0) this.onJump(no);
  }

  async exportPng() {
    if (!this.chart) return;
    const blob = await this.chart.toPNG();
    const url = URL.createObjectURL(blob);
    const link = el('a', { download: 'io-graph.png', hidden: true });
    link.href = url;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30_000);
  }

  exportSvg() {
    if (this.chart) saveText('io-graph.svg', this.chart.toSVG(), 'image/svg+xml');
  }

  /** The graph as drawn, for the findings report: {svg, caption}, or null when none is drawn. */
  imageForReport() {
    if (!this.chart || !this.answer) return null;
    const lines = this.series().map((s) => s.label).join(', ');
    const range = this.zoom ? `${fmt.seconds(this.zoom.from)}–${fmt.seconds(this.zoom.to)} s` : 'the whole capture';
    return { svg: this.chart.toSVG(), caption: `${this.yLabel()} per ${fmt.duration(this.answer.interval)} over ${range}: ${lines}.` };
  }
}
