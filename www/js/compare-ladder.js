// The side-by-side ladder of one flow: A's frames down the left axis, B's down the right, in time
// order on A's clock (B's times corrected by the clock model); a line joins the two sightings of a
// packet, lost and injected packets are marked where they were seen, modified ones highlighted.
// Every mark is a button showing that frame of that file. SVG built node by node, text through
// textContent.

import { svg, actAsButton } from './svg-dom.js';

const ROW = 22; // px between two events
const WIDTH = 920;
const AXIS_A = 300;
const AXIS_B = WIDTH - 300;
/** At most this many frames per side are drawn. */
const MAX_DRAWN = 1500;

const KIND_TEXT = {
  matched: '', modified: 'modified', lost: 'lost', injected: 'injected', unpaired: 'not paired',
};

/** `onJump(side, no)`: show frame `no` of side "a" or "b". */
export function renderLadder(root, ladder, { onJump, names }) {
  const a = ladder.a.slice(0, MAX_DRAWN);
  const b = ladder.b.slice(0, MAX_DRAWN);
  // One row per event, both sides merged in time order.
  const events = [...a.map((r) => ({ side: 'a', r })), ...b.map((r) => ({ side: 'b', r }))]
    .sort((x, y) => x.r.t - y.r.t || (x.side === 'a' ? -1 : 1));
  const y = { a: new Map(), b: new Map() };
  events.forEach((e, i) => y[e.side].set(e.r.no, 40 + i * ROW));
  const height = 50 + events.length * ROW;
  const root2 = svg('svg', { class: 'ladder-svg', width: WIDTH, height, viewBox: `0 0 ${WIDTH} ${height}`, role: 'group', 'aria-label': 'Ladder of the flow at both points' });
  root2.append(
    svg('text', { x: AXIS_A, y: 16, 'text-anchor': 'middle', class: 'ladder-title' }, `A: ${names.a}`),
    svg('text', { x: AXIS_B, y: 16, 'text-anchor': 'middle', class: 'ladder-title' }, `B: ${names.b}`),
    svg('line', { x1: AXIS_A, y1: 26, x2: AXIS_A, y2: height - 6, class: 'ladder-axis' }),
    svg('line', { x1: AXIS_B, y1: 26, x2: AXIS_B, y2: height - 6, class: 'ladder-axis' }));
  // Lines first, so the marks are drawn over them.
  for (const r of a) {
    if (r.peer === null || r.peer === undefined || !y.b.has(r.peer)) continue;
    root2.append(svg('line', {
      x1: AXIS_A, y1: y.a.get(r.no), x2: AXIS_B, y2: y.b.get(r.peer),
      class: `ladder-link kind-${r.kind} dir-${r.dir}`,
    }));
  }
  for (const { side, r } of events) {
    const x = side === 'a' ? AXIS_A : AXIS_B;
    const at = y[side].get(r.no);
    const outward = side === 'a' ? -1 : 1;
    const g = svg('g', {
      class: `ladder-pkt kind-${r.kind} dir-${r.dir}`, tabindex: 0, role: 'button',
      'data-side': side, 'data-no': r.no, 'data-kind': r.kind,
      'aria-label': `Frame ${r.no} of ${names[side]}${KIND_TEXT[r.kind] ? `, ${KIND_TEXT[r.kind]}` : ''}`,
    });
    g.append(
      svg('title', {}, `Frame ${r.no} of ${side.toUpperCase()}: ${r.label}${KIND_TEXT[r.kind] ? ` (${KIND_TEXT[r.kind]})` : ''} · t = ${r.t.toFixed(6)} s`),
      r.kind === 'lost' || r.kind === 'injected'
        ? svg('path', { d: `M${x - 5},${at - 5} L${x + 5},${at + 5} M${x - 5},${at + 5} L${x + 5},${at - 5}`, class: 'ladder-mark' })
        : svg('circle', { cx: x, cy: at, r: 4.5, class: 'ladder-dot' }),
      svg('text', {
        x: x + outward * 10, y: at + 4, 'text-anchor': side === 'a' ? 'end' : 'start', class: 'ladder-label',
      }, `#${r.no} ${r.dir ? '←' : '→'} ${r.label}${KIND_TEXT[r.kind] ? ` · ${KIND_TEXT[r.kind]}` : ''}`));
    actAsButton(g, () => onJump(side, r.no));
    root2.append(g);
  }
  const note = document.createElement('p');
  note.className = 'ladder-note';
  const cut = ladder.truncated || ladder.a.length > MAX_DRAWN || ladder.b.length > MAX_DRAWN;
  note.textContent = `${ladder.flow.proto} ${ladder.flow.a || '(not seen at A)'} at A · ${ladder.flow.b || '(not seen at B)'} at B${cut ? ` · the first ${MAX_DRAWN} frames per side are drawn` : ''}. Click a packet to see it in its file.`;
  root.replaceChildren(note, root2);
  root.dataset.rows = String(events.length);
}
