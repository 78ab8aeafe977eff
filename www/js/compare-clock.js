// The clock model (how B's clock relates to A's, with the jumps of B's clock) and the NAT map the
// comparison inferred.

import { el } from './dom.js';
import * as fmt from './format.js';

/** "B's clock = A's + 3.000000 s (± 0.2 ms), drift +1.5 ppm". */
export function clockText(clock) {
  if (!clock) return 'No clock model: the captures have no packet in common.';
  const sign = clock.offset_s < 0 ? '−' : '+';
  const bound = typeof clock.uncertainty_s === 'number' ? ` (± ${fmt.seconds(clock.uncertainty_s)})` : ' (bound unknown: packets in one direction only)';
  const drift = `${clock.drift_ppm >= 0 ? '+' : '−'}${Math.abs(clock.drift_ppm).toFixed(1)} ppm`;
  const steps = (clock.steps ?? []).map(stepText);
  return `B's clock = A's ${sign} ${Math.abs(clock.offset_s).toFixed(6)} s${bound}, drift ${drift}` +
    (steps.length ? `; ${steps.join('; ')}` : '');
}

/** "B's clock jumped forward 250.000 ms (± 0.1 ms) 0.795 s after A's first frame, before B's frame 478". */
function stepText(step) {
  const bound = typeof step.uncertainty_s === 'number' ? ` (± ${fmt.seconds(step.uncertainty_s)})` : '';
  const way = step.by_s >= 0 ? 'forward' : 'back';
  return `B's clock jumped ${way} ${(Math.abs(step.by_s) * 1e3).toFixed(3)} ms${bound} ` +
    `${Number(step.at_s).toFixed(3)} s after A's first frame, before B's frame ${Number(step.b_no)}`;
}

export function renderClock(root, comparison) {
  const nat = comparison.nat ?? [];
  const translated = nat.filter((n) => n.a !== n.b);
  const natTable = el('table', { class: 'nat-table' },
    el('thead', {}, el('tr', {}, ['Protocol', 'Seen at A', 'Seen at B', 'Flows'].map((t) => el('th', { text: t })))),
    el('tbody', {}, translated.map((n) => el('tr', {},
      el('td', { text: n.proto }), el('td', { text: n.a }), el('td', { text: n.b }), el('td', { class: 'num', text: fmt.count(n.flows ?? 0) })))));
  root.replaceChildren(
    el('p', { class: 'compare-clock', text: clockText(comparison.clock) }),
    el('p', { class: 'compare-nat-summary', text: translated.length
      ? `NAT between the points: ${fmt.plural(translated.length, 'address translation')} inferred from the flows.`
      : 'No address translation between the points: both saw the same addresses and ports.' }),
    translated.length ? natTable : null);
}
