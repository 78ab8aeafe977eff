// Time-series charts for the page: a thin wrapper around uPlot (MIT, vendored from npm into
// www/vendor/uplot/ by scripts/vendor, served from this origin), so the rest of the page never
// touches uPlot's options. One x axis (seconds, or any number), one y axis, any number of lines.
//
//   import { createChart } from './chart.js';
//   const chart = createChart(container, {
//     series: [{ label: 'All packets', color: '#2f6fde' }, …],  // one entry per line
//     xLabel: 'Time (s)', yLabel: 'Packets/s', height: 260, log: false,
//     onBrush: (from, to) => …,       // a drag over the plot: the x range, in x units
//     onPick: (x, seriesIndex) => …,  // a click without drag: x under the cursor, nearest line or -1
//   });
//   chart.setData(xs, ys);            // xs: numbers (ascending); ys: one array per series, same
//                                     // length; NaN/null = no point. Pass `series` as a third
//                                     // argument to change the lines (count, labels, colours).
//   chart.setMarkers([{ x, label }]); // vertical lines (e.g. marker pings), drawn over the plot
//   chart.setLog(true);               // log y scale (values ≤ 0 are left out)
//   chart.setLabels({ xLabel, yLabel, title });
//   chart.resize(width?);             // follows the container's width when omitted
//   await chart.toPNG();              // Blob: the plot as drawn, with a legend strip
//   chart.toSVG();                    // string: the same data drawn as SVG (chart-svg.js)
//   chart.destroy();
//   chart.element;                    // the chart's root element (class "chart")
//
// Points are drawn as given: binning, rates and units are the caller's. Labels are text only.

import uPlot from '../vendor/uplot/uPlot.esm.js';
import { el } from './dom.js';
import { chartSvg } from './chart-svg.js';

const DEFAULT_HEIGHT = 260;
const CLICK_SLOP_PX = 3;

/** A chart in `container` (appended); see the header for the options and methods. */
export function createChart(container, options = {}) {
  return new Chart(container, options);
}

class Chart {
  constructor(container, { series = [], xLabel = '', yLabel = '', title = '', height = DEFAULT_HEIGHT, log = false, onBrush, onPick } = {}) {
    this.element = el('div', { class: 'chart' });
    container.append(this.element);
    this.series = series;
    this.labels = { xLabel, yLabel, title };
    this.height = height;
    this.log = log;
    this.onBrush = onBrush;
    this.onPick = onPick;
    this.markers = [];
    this.data = [[], ...series.map(() => [])];
    this.plot = null;
    this.build();
  }

  build() {
    this.plot?.destroy();
    const width = Math.max(200, this.element.clientWidth || this.element.parentElement?.clientWidth || 600);
    this.plot = new uPlot(this.options(width), this.plotData(), this.element);
    this.listen();
  }

  options(width) {
    const axisColor = getComputedStyle(this.element).color || '#888';
    return {
      width, height: this.height, title: this.labels.title || undefined,
      scales: { x: { time: false }, y: this.log ? { distr: 3 } : { distr: 1 } },
      series: [
        { label: this.labels.xLabel || 'x' },
        ...this.series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, points: { show: false }, spanGaps: false })),
      ],
      axes: [
        { label: this.labels.xLabel, stroke: axisColor, grid: { stroke: '#8883' }, ticks: { stroke: '#8883' } },
        { label: this.labels.yLabel, stroke: axisColor, grid: { stroke: '#8883' }, ticks: { stroke: '#8883' }, size: 60 },
      ],
      cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
      legend: { show: true },
      hooks: {
        setSelect: [(u) => this.brushed(u)],
        draw: [(u) => this.drawMarkers(u)],
      },
    };
  }

  /** uPlot's data: y values ≤ 0 become gaps on a log scale; NaN becomes null. */
  plotData() {
    const [xs, ...ys] = this.data;
    return [Array.from(xs), ...ys.map((y) => Array.from(y, (v) => (v == null || Number.isNaN(v) || (this.log && v <= 0) ? null : v)))];
  }

  listen() {
    const over = this.plot.over;
    let down = null;
    over.addEventListener('mousedown', (e) => { down = { x: e.clientX, y: e.clientY }; });
    over.addEventListener('click', (e) => {
      if (!down || Math.abs(e.clientX - down.x) > CLICK_SLOP_PX || !this.onPick) return;
      const u = this.plot;
      const left = e.clientX - over.getBoundingClientRect().left;
      const x = u.posToVal(left, 'x');
      this.onPick(x, this.nearestSeries(u, e.clientY - over.getBoundingClientRect().top, x));
    });
  }

  nearestSeries(u, top, x) {
    const xs = this.data[0];
    if (!xs.length) return -1;
    let i = u.valToIdx(x);
    i = Math.max(0, Math.min(xs.length - 1, i));
    let best = -1;
    let bestDistance = Infinity;
    for (let s = 1; s < u.series.length; s++) {
      const v = u.data[s][i];
      if (v == null || !u.series[s].show) continue;
      const d = Math.abs(u.valToPos(v, 'y') - top);
      if (d < bestDistance) [best, bestDistance] = [s - 1, d];
    }
    return best;
  }

  brushed(u) {
    const { left, width } = u.select;
    if (width <= CLICK_SLOP_PX || !this.onBrush) return;
    const from = u.posToVal(left, 'x');
    const to = u.posToVal(left + width, 'x');
    u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
    this.onBrush(from, to);
  }

  drawMarkers(u) {
    if (!this.markers.length) return;
    const { ctx, bbox } = u;
    ctx.save();
    ctx.strokeStyle = '#d9480f';
    ctx.fillStyle = '#d9480f';
    ctx.lineWidth = Math.max(1, devicePixelRatio);
    ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
    ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
    for (const m of this.markers) {
      const px = u.valToPos(m.x, 'x', true);
      if (px < bbox.left || px > bbox.left + bbox.width) continue;
      ctx.beginPath();
      ctx.moveTo(px, bbox.top);
      ctx.lineTo(px, bbox.top + bbox.height);
      ctx.stroke();
      if (m.label) ctx.fillText(m.label, px + 3 * devicePixelRatio, bbox.top + 12 * devicePixelRatio);
    }
    ctx.restore();
  }

  setData(xs, ys, series) {
    const rebuild = series && (series.length !== this.series.length || series.some((s, i) => s.label !== this.series[i].label || s.color !== this.series[i].color));
    if (series) this.series = series;
    this.data = [xs, ...ys];
    if (rebuild) this.build();
    else this.plot.setData(this.plotData());
  }

  setMarkers(markers) {
    this.markers = markers || [];
    this.plot.redraw(false, false);
  }

  setLog(log) {
    if (this.log === !!log) return;
    this.log = !!log;
    this.build();
  }

  setLabels({ xLabel = this.labels.xLabel, yLabel = this.labels.yLabel, title = this.labels.title } = {}) {
    this.labels = { xLabel, yLabel, title };
    this.build();
  }

  resize(width) {
    const w = Math.max(200, width ?? this.element.clientWidth ?? 600);
    this.plot.setSize({ width: w, height: this.height });
  }

  /** The plot's canvas with a legend strip under it, as a PNG Blob. */
  toPNG() {
    const src = this.plot.ctx.canvas;
    const ratio = src.width / Math.max(1, this.plot.width);
    const strip = Math.round(24 * ratio);
    const canvas = document.createElement('canvas');
    canvas.width = src.width;
    canvas.height = src.height + strip;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(src, 0, 0);
    ctx.font = `${12 * ratio}px system-ui, sans-serif`;
    ctx.textBaseline = 'middle';
    let x = 8 * ratio;
    const y = src.height + strip / 2;
    for (const s of this.series) {
      ctx.fillStyle = s.color;
      ctx.fillRect(x, y - 2 * ratio, 16 * ratio, 4 * ratio);
      ctx.fillStyle = '#222222';
      ctx.fillText(s.label, x + 20 * ratio, y);
      x += 20 * ratio + ctx.measureText(s.label).width + 16 * ratio;
    }
    return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the browser could not encode the chart as PNG'))), 'image/png'));
  }

  /** The chart's data drawn as a standalone SVG document (axes, lines, legend, markers). */
  toSVG() {
    const [xs, ...ys] = this.data;
    return chartSvg({ ...this.labels, series: this.series, xs, ys, log: this.log, markers: this.markers });
  }

  destroy() {
    this.plot?.destroy();
    this.plot = null;
    this.element.remove();
  }
}
