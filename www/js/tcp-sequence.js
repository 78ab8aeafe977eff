// The time-sequence graph of one direction of a TCP stream, in two styles: Stevens (one dot per
// segment at its sequence number) and tcptrace (each segment an I-bar from seq to seq+len, the
// peer's ACK line and receive-window line as steps, SACK blocks as bars at the ACK, and
// retransmissions, zero windows and other problems in colour). The columns come from the wasm
// (`tcpGraph`: typed arrays per direction), never from row objects.
//
// Drawn on a canvas, not with the charting library: uPlot draws series of (x, y) points, while
// tcptrace's glyphs are vertical bars of varying length, ends ticked, step lines and per-point
// marks in several colours — shapes a time-series library does not draw. The scene is built once
// as SVG path data per colour; the canvas draws it through Path2D and the SVG export writes the
// same paths, so the picture and the file cannot drift apart.

import { niceTicks, xmlText } from './chart-svg.js';

/** Analysis flag bits (packet-tcp.c TCP_A_*) and the header bits the wasm adds above them. */
const FLAG = {
  retransmission: 0x0001, lostSegment: 0x0002, zeroWindow: 0x0020, zeroWindowProbe: 0x0040,
  outOfOrder: 0x0200, fastRetransmission: 0x0400, spurious: 0x4000, dupAck: 0x0010,
  syn: 1 << 16, fin: 1 << 17, rst: 1 << 18,
};
const RETRANSMITTED = FLAG.retransmission | FLAG.fastRetransmission | FLAG.spurious;
const OTHER_PROBLEM = FLAG.lostSegment | FLAG.outOfOrder | FLAG.zeroWindowProbe;

/** The palette of an exported file (the page passes its theme's colours instead). */
export const LIGHT = {
  background: '#ffffff', axis: '#444444', grid: '#e3e3e3', text: '#333333',
  data: '#2f6fde', retransmission: '#d62728', problem: '#e67e00', ack: '#2a9d4b',
  window: '#b8860b', sack: '#9b30c8', zeroWindow: '#d62728', select: '#111111',
};

const PAD = { left: 72, right: 14, top: 26, bottom: 30 };

/**
 * The scene of `graph` (one direction's columns) drawn `width`×`height` in `style` ("stevens" or
 * "tcptrace"): {layers: [{d, stroke?, fill?, width?, dash?}], texts: [{x, y, text, color,
 * align}], points: [{x, y, no}] for picking (made on first use)}. `selected` (a frame number) gets a vertical line.
 */
export function sequenceScene(graph, { width, height, style, palette, selected = null, title = '', range = null }) {
  const g = range ? sliceGraph(graph, range.t0, range.t1) : graph;
  const nSeg = g.seg_time.length;
  const nAck = g.ack_time.length;
  let t0 = Infinity; let t1 = -Infinity; let y0 = Infinity; let top = -Infinity; let ackTop = -Infinity; let winTop = -Infinity;
  for (let i = 0; i < nSeg; i++) {
    t0 = Math.min(t0, g.seg_time[i]); t1 = Math.max(t1, g.seg_time[i]);
    y0 = Math.min(y0, g.seg_seq[i]); top = Math.max(top, g.seg_seq[i] + g.seg_len[i]);
  }
  for (let i = 0; i < nAck; i++) {
    t0 = Math.min(t0, g.ack_time[i]); t1 = Math.max(t1, g.ack_time[i]);
    ackTop = Math.max(ackTop, g.ack_seq[i]);
    const w = g.ack_window[i];
    if (w === w) winTop = Math.max(winTop, g.ack_seq[i] + w);
  }
  if (range) [t0, t1] = [range.t0, range.t1];
  if (!(t1 >= t0)) { t0 = 0; t1 = 1; }
  if (t1 === t0) t1 = t0 + 1e-3;
  if (!(y0 < Infinity)) y0 = 0;
  if (!range) y0 = Math.min(y0, 0);
  const dataTop = Math.max(top, ackTop, y0 + 1);
  // The window line may run far above the data: show it up to twice the data's height.
  const y1 = Math.max(dataTop, Math.min(winTop, y0 + 2 * (dataTop - y0))) * 1.02 + 1;
  const plotW = Math.max(10, width - PAD.left - PAD.right);
  const plotH = Math.max(10, height - PAD.top - PAD.bottom);
  const x = (t) => PAD.left + ((t - t0) / (t1 - t0)) * plotW;
  const y = (s) => PAD.top + plotH - ((s - y0) / (y1 - y0)) * plotH;
  const clampY = (s) => Math.max(PAD.top, Math.min(PAD.top + plotH, y(s)));
  const f = (v) => v.toFixed(1);
  const layers = [];
  const texts = [];

  // Grid, axes and ticks.
  let grid = '';
  for (const v of niceTicks(y0, y1, 6)) {
    grid += `M${PAD.left} ${f(y(v))}H${PAD.left + plotW}`;
    texts.push({ x: PAD.left - 6, y: y(v), text: count(v), color: palette.text, align: 'right' });
  }
  for (const t of niceTicks(t0, t1, 8)) {
    if (t < t0 || t > t1) continue;
    grid += `M${f(x(t))} ${PAD.top}V${PAD.top + plotH}`;
    texts.push({ x: x(t), y: PAD.top + plotH + 14, text: `${Number(t.toPrecision(6))} s`, color: palette.text, align: 'center' });
  }
  layers.push({ d: grid, stroke: palette.grid, width: 1 });
  layers.push({ d: `M${PAD.left} ${PAD.top}V${PAD.top + plotH}H${PAD.left + plotW}`, stroke: palette.axis, width: 1 });
  if (title) texts.push({ x: PAD.left, y: 12, text: title, color: palette.text, align: 'left' });

  if (style === 'tcptrace') layers.push(...peerLayers(g, x, clampY, PAD.left + plotW, palette));
  layers.push(...segmentLayers(g, style, x, y, palette));
  if (selected !== null && selected !== undefined) {
    const at = timeOf(g, selected);
    if (at !== null) layers.push({ d: `M${f(x(at))} ${PAD.top}V${PAD.top + plotH}`, stroke: palette.select, width: 1, dash: [3, 3] });
  }
  // Legend.
  const legend = style === 'tcptrace'
    ? [['data', 'data'], ['retransmission', 'retransmission'], ['problem', 'other problem'], ['ack', 'ACK'], ['window', 'rwin'], ['sack', 'SACK'], ['zeroWindow', '× zero window']]
    : [['data', 'segment'], ['retransmission', 'retransmission'], ['problem', 'other problem']];
  let lx = width - PAD.right;
  for (const [key, label] of legend.reverse()) {
    lx -= 26 + 7 * label.length;
    texts.push({ x: lx + 14, y: 12, text: label, color: palette.text, align: 'left' });
    layers.push({ d: `M${f(lx)} 12h10`, stroke: palette[key], width: 3 });
  }
  let points = null;
  return {
    width, height, layers, texts,
    /** The time at pixel column `px` (for zooming by drag). */
    timeAt: (px) => t0 + ((px - PAD.left) / plotW) * (t1 - t0),
    /** Every segment with sequence space and every ACK as {x, y, no}, made on first use (picking). */
    get points() {
      points ??= projectPoints(g, style, x, y, clampY);
      return points;
    },
  };
}

/** The peer's ACK line, receive-window line, SACK blocks and zero-window marks (tcptrace). */
function peerLayers(g, x, clampY, right, palette) {
  const f = (v) => v.toFixed(1);
  const nAck = g.ack_time.length;
  const out = [];
  // The receiver's window edge (ack + window) and its ACKs, as steps; zero windows marked.
  let win = ''; let ack = ''; let zero = ''; let sack = '';
  let lastWin = null; let lastAck = null;
  // Steps closer than half a pixel to the last one drawn add nothing: a long transfer's
  // thousands of ACKs per pixel column become a few path commands.
  let ackX = null; let winX = null;
  for (let i = 0; i < nAck; i++) {
    const xv = x(g.ack_time[i]);
    const a = clampY(g.ack_seq[i]);
    if (lastAck === null) ack += `M${f(xv)} ${f(a)}`;
    else if (Math.abs(a - lastAck) >= 0.5) ack += `${xv - ackX >= 0.5 ? `H${f(xv)}` : ''}V${f(a)}`;
    if (lastAck === null || Math.abs(a - lastAck) >= 0.5) [lastAck, ackX] = [a, xv];
    const w = g.ack_window[i];
    if (w === w) {
      const e = clampY(g.ack_seq[i] + w);
      if (lastWin === null) win += `M${f(xv)} ${f(e)}`;
      else if (Math.abs(e - lastWin) >= 0.5) win += `${xv - winX >= 0.5 ? `H${f(xv)}` : ''}V${f(e)}`;
      if (lastWin === null || Math.abs(e - lastWin) >= 0.5) [lastWin, winX] = [e, xv];
    }
    if (g.ack_flags[i] & FLAG.zeroWindow) zero += `M${f(xv - 4)} ${f(a - 4)}l8 8m0 -8l-8 8`;
  }
  for (let k = 0; k + 2 < g.sack.length; k += 3) {
    const i = g.sack[k];
    const px = f(x(g.ack_time[i]) + 2);
    sack += `M${px} ${f(clampY(g.sack[k + 1]))}V${f(clampY(g.sack[k + 2]))}`;
  }
  if (nAck) {
    const end = f(right);
    if (lastAck !== null) ack += `H${end}`;
    if (lastWin !== null) win += `H${end}`;
  }
  out.push({ d: win, stroke: palette.window, width: 1 });
  out.push({ d: ack, stroke: palette.ack, width: 1.2 });
  out.push({ d: sack, stroke: palette.sack, width: 2.5 });
  out.push({ d: zero, stroke: palette.zeroWindow, width: 1.6 });
  return out;
}

/** The segments' layers, one per kind. */
function segmentLayers(g, style, x, y, palette) {
  const f = (v) => v.toFixed(1);
  const nSeg = g.seg_time.length;
  const out = [];
  // The segments: I-bars (tcptrace) or dots (Stevens), by kind. Segments of one kind that fall
  // in the same half-pixel column are drawn as one bar (or one run of dots) spanning them all.
  const paths = { data: '', retransmission: '', problem: '' };
  const runs = { data: null, retransmission: null, problem: null };
  const flush = (kind) => {
    const r = runs[kind];
    if (!r) return;
    paths[kind] += style === 'tcptrace'
      ? `M${f(r.x)} ${f(r.lo)}V${f(r.hi)}M${f(r.x - 2)} ${f(r.lo)}h4M${f(r.x - 2)} ${f(r.hi)}h4`
      : `M${f(r.x - 1.5)} ${f(r.hi - 1.5)}h3V${f(r.lo + 1.5)}h-3z`;
    runs[kind] = null;
  };
  for (let i = 0; i < nSeg; i++) {
    const flags = g.seg_flags[i];
    const len = g.seg_len[i];
    if (len === 0 && !(flags & (FLAG.syn | FLAG.fin))) continue; // pure ACKs carry no sequence space
    const kind = flags & RETRANSMITTED ? 'retransmission' : flags & OTHER_PROBLEM ? 'problem' : 'data';
    const px = Math.round(x(g.seg_time[i]) * 2) / 2;
    const lo = y(g.seg_seq[i]);
    const hi = Math.min(lo - 2, y(g.seg_seq[i] + Math.max(len, 1)));
    const r = runs[kind];
    if (r && r.x === px) {
      r.lo = Math.max(r.lo, lo);
      r.hi = Math.min(r.hi, hi);
    } else {
      flush(kind);
      runs[kind] = { x: px, lo, hi };
    }
  }
  for (const kind of Object.keys(runs)) flush(kind);
  const segWidth = style === 'tcptrace' ? 1.2 : 0;
  for (const kind of ['data', 'problem', 'retransmission']) {
    if (style === 'tcptrace') out.push({ d: paths[kind], stroke: palette[kind], width: kind === 'data' ? segWidth : 1.8 });
    else out.push({ d: paths[kind], fill: palette[kind] });
  }
  return out;
}

/**
 * The columns between times `ta` and `tb`: the segments and ACKs sent then, and the last ACK
 * before `ta` moved to `ta` (so the ACK and window lines start at the left edge).
 */
export function sliceGraph(g, ta, tb) {
  const pick = (times, keepBefore) => {
    const at = [];
    let before = -1;
    for (let i = 0; i < times.length; i++) {
      if (times[i] < ta) before = i;
      else if (times[i] <= tb) at.push(i);
    }
    if (keepBefore && before >= 0) at.unshift(before);
    return at;
  };
  const take = (column, at) => {
    const out = new column.constructor(at.length);
    at.forEach((i, k) => { out[k] = column[i]; });
    return out;
  };
  const seg = pick(g.seg_time, false);
  const ack = pick(g.ack_time, true);
  const out = {};
  for (const name of Object.keys(g)) {
    if (name.startsWith('seg_')) out[name] = take(g[name], seg);
    else if (name.startsWith('ack_')) out[name] = take(g[name], ack);
  }
  if (ack.length && out.ack_time[0] < ta) out.ack_time[0] = ta;
  const position = new Map(ack.map((i, k) => [i, k]));
  const sack = [];
  for (let k = 0; k + 2 < g.sack.length; k += 3) {
    const at = position.get(g.sack[k]);
    if (at !== undefined) sack.push(at, g.sack[k + 1], g.sack[k + 2]);
  }
  out.sack = Float64Array.from(sack);
  return out;
}

function projectPoints(g, style, x, y, clampY) {
  const out = [];
  for (let i = 0; i < g.seg_time.length; i++) {
    const len = g.seg_len[i];
    if (len === 0 && !(g.seg_flags[i] & (FLAG.syn | FLAG.fin))) continue;
    const lo = y(g.seg_seq[i]);
    const hi = Math.min(lo - 2, y(g.seg_seq[i] + Math.max(len, 1)));
    out.push({ x: x(g.seg_time[i]), y: (lo + hi) / 2, no: g.seg_frame[i] });
  }
  if (style === 'tcptrace') {
    for (let i = 0; i < g.ack_time.length; i++) out.push({ x: x(g.ack_time[i]), y: clampY(g.ack_seq[i]), no: g.ack_frame[i] });
  }
  return out;
}

/** The time of frame `no` in the graph (a segment or an ACK), or null. */
function timeOf(g, no) {
  for (const [frames, times] of [[g.seg_frame, g.seg_time], [g.ack_frame, g.ack_time]]) {
    const i = search(frames, no);
    if (i >= 0) return times[i];
  }
  return null;
}

function search(sorted, value) {
  let lo = 0; let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] === value) return mid;
    if (sorted[mid] < value) lo = mid + 1; else hi = mid - 1;
  }
  return -1;
}

function count(v) {
  const a = Math.abs(v);
  if (a >= 1e9) return `${Number((v / 1e9).toPrecision(4))} G`;
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(4))} M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(4))} k`;
  return String(Math.round(v));
}

/** Draws a scene on a 2D context already scaled to CSS pixels. */
export function paintScene(ctx, scene, font = 'system-ui, sans-serif') {
  ctx.clearRect(0, 0, scene.width, scene.height);
  for (const layer of scene.layers) {
    if (!layer.d) continue;
    const path = new Path2D(layer.d);
    if (layer.fill) {
      ctx.fillStyle = layer.fill;
      ctx.fill(path);
    }
    if (layer.stroke) {
      ctx.strokeStyle = layer.stroke;
      ctx.lineWidth = layer.width ?? 1;
      ctx.setLineDash(layer.dash ?? []);
      ctx.stroke(path);
      ctx.setLineDash([]);
    }
  }
  ctx.font = `11px ${font}`;
  ctx.textBaseline = 'middle';
  for (const t of scene.texts) {
    ctx.fillStyle = t.color;
    ctx.textAlign = t.align;
    ctx.fillText(t.text, t.x, t.y);
  }
}

/** The scene as a standalone SVG document (`ns`: the SVG namespace name). */
export function sceneSvg(scene, ns, background = LIGHT.background) {
  const { width, height } = scene;
  const out = [`<svg xmlns="${ns}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="${background}"/>`];
  for (const layer of scene.layers) {
    if (!layer.d) continue;
    const paint = layer.fill ? `fill="${xmlText(layer.fill)}"` : `fill="none" stroke="${xmlText(layer.stroke)}" stroke-width="${layer.width ?? 1}"`;
    const dash = layer.dash ? ` stroke-dasharray="${layer.dash.join(' ')}"` : '';
    out.push(`<path ${paint}${dash} d="${layer.d}"/>`);
  }
  const anchor = { left: 'start', right: 'end', center: 'middle' };
  for (const t of scene.texts) {
    out.push(`<text x="${t.x.toFixed(1)}" y="${(t.y + 4).toFixed(1)}" fill="${xmlText(t.color)}" text-anchor="${anchor[t.align]}">${xmlText(t.text)}</text>`);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** The frame of the point nearest to (px, py) (within `radius` pixels), or null. */
export function pickPoint(scene, px, py, radius = Infinity) {
  let best = null;
  let bestD = radius * radius;
  for (const p of scene.points) {
    const d = (p.x - px) ** 2 + (p.y - py) ** 2;
    if (d <= bestD) {
      bestD = d;
      best = p.no;
    }
  }
  return best;
}
