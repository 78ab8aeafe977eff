// The clock model (how B's clock relates to A's) and the NAT map the comparison inferred.

import { el } from './dom.js';
import * as fmt from './format.js';

/** "B's clock = A's + 3.000000 s (± 0.2 ms), drift +1.5 ppm". */
export function clockText(clock) {
  if (!clock) return 'No clock model: the captures have no packet in common.';
  const sign = clock.offset_s < 0 ? '−' : '+';
  const bound = typeof clock.uncertainty_s === 'number' ? ` (± ${fmt.seconds(clock.uncertainty_s)})` : ' (bound unknown: packets in one direction only)';
  const drift = `${clock.drift_ppm >= 0 ? '+' : '−'}${Math.abs(clock.drift_ppm).toFixed(1)} ppm`;
  return `B's clock = A's ${sign} ${Math.abs(clock.offset_s).toFixed(6)} s${bound}, drift ${drift}`;
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
