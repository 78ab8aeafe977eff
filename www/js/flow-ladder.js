// The flow (ladder) diagram of a TCP stream or of the frames the packet list shows: endpoints as
// columns, time down the left, one arrow per frame from its source column to its destination
// column labelled with its Info text (flags, seq/ack, length), problems the TCP analysis flags in
// red. Arrows come from the wasm a page at a time (at most PAGE drawn). Every arrow is a button
// selecting its frame. Built with the same SVG helpers as Compare's ladder; colours are also
// written as attributes so the exported file looks like the page.

import { svg, actAsButton } from './svg-dom.js';

export const PAGE = 300;
const ROW = 26;
const TIME_COL = 96;
const COL_GAP = 190;
const TOP = 44;

const INK = { axis: '#9a9a9a', text: '#222222', arrow: '#4a4a4a', problem: '#d62728', warn: '#b8860b', time: '#666666' };

/**
 * Draws `ladder` ({columns, total, start, arrows}) into `root`, `room` pixels wide at most;
 * `onJump(no)` selects a frame, `onActivate(no)` (a double-click) shows it in the packet list.
 * Returns the SVG element.
 */
export function renderFlowLadder(root, ladder, { onJump, onActivate = () => {}, selected = null, room = 0 }) {
  const columns = ladder.columns.length ? ladder.columns : ['—'];
  // Columns share the room there is (`room` px), at least COL_GAP apart.
  const gap = Math.max(COL_GAP, Math.floor((room - TIME_COL - 24) / columns.length));
  const colX = (c) => TIME_COL + gap / 2 + c * gap;
  const width = colX(columns.length - 1) + gap / 2 + 8;
  const height = TOP + ladder.arrows.length * ROW + 16;
  const node = svg('svg', {
    class: 'ladder-svg flow-ladder-svg', width, height, viewBox: `0 0 ${width} ${height}`,
    role: 'group', 'aria-label': 'Flow ladder', 'font-family': 'ui-monospace, monospace', 'font-size': 11,
  });
  node.append(svg('text', { x: 8, y: 18, class: 'ladder-title', fill: INK.text }, 'Time (s)'));
  columns.forEach((name, c) => {
    node.append(
      svg('text', { x: colX(c), y: 18, 'text-anchor': 'middle', class: 'ladder-title', fill: INK.text }, name),
      svg('line', { x1: colX(c), y1: 26, x2: colX(c), y2: height - 6, class: 'ladder-axis', stroke: INK.axis, 'stroke-width': 2 }));
  });
  ladder.arrows.forEach((a, i) => {
    const y = TOP + i * ROW + 12;
    const [x1, x2] = [colX(a.from), colX(a.to)];
    const color = a.problem ? INK.problem : a.class === 'warn' ? INK.warn : INK.arrow;
    const dir = x2 >= x1 ? 1 : -1;
    const g = svg('g', {
      class: `ladder-pkt flow-arrow${a.problem ? ' flow-problem' : ''}${a.no === selected ? ' flow-selected' : ''}`,
      tabindex: 0, role: 'button', 'data-no': a.no,
      'aria-label': `Frame ${a.no}: ${a.protocol} ${a.label}${a.problem ? ' (a problem)' : ''}`,
    });
    const label = `${a.protocol}: ${a.label}`;
    g.append(
      svg('title', {}, `Frame ${a.no} · t = ${a.time.toFixed(6)} s\n${label}`),
      // The whole row is the button, not only its strokes.
      svg('rect', { x: 0, y: y - ROW / 2 - 2, width, height: ROW, fill: 'transparent', class: 'flow-hit' }),
      svg('text', { x: 8, y: y + 4, class: 'flow-time', fill: INK.time }, a.time.toFixed(6)),
      x1 === x2
        ? svg('path', { d: `M${x1} ${y - 6}h18v12h-18`, fill: 'none', stroke: color, 'stroke-width': 1.4, class: 'flow-line' })
        : svg('line', { x1, y1: y, x2: x2 - dir * 7, y2: y, stroke: color, 'stroke-width': a.problem ? 2 : 1.4, class: 'flow-line' }),
      svg('path', { d: `M${x2} ${y}l${-dir * 8} -4v8z`, fill: color, class: 'flow-head' }),
      svg('text', {
        x: (x1 + x2) / 2 + (x1 === x2 ? 24 : 0), y: y - 4, 'text-anchor': x1 === x2 ? 'start' : 'middle',
        class: 'ladder-label flow-label', fill: a.problem ? INK.problem : INK.text,
      }, truncate(label, Math.max(24, Math.round((Math.abs(x2 - x1) || gap) / 6.8)))));
    actAsButton(g, () => onJump(a.no));
    g.addEventListener('dblclick', () => onActivate(a.no));
    node.append(g);
  });
  root.replaceChildren(node);
  return node;
}

function truncate(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
