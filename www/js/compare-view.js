// The Compare view, shown when two captures of the same traffic are compared: the verdicts, the
// clock model and NAT map, the per-flow table, the ladder of the chosen flow and the export of
// each category (lost, injected, modified frames of each file) as pcapng. Each part is drawn by
// its own module; this one lays them out and routes the user's choices.

import { el } from './dom.js';
import * as fmt from './format.js';
import { renderVerdicts } from './compare-verdicts.js';
import { renderClock } from './compare-clock.js';
import { CompareFlows } from './compare-flows.js';
import { renderLadder } from './compare-ladder.js';

const CATEGORIES = [
  ['lost', 'Lost', 'seen at this point only, upstream'],
  ['injected', 'Injected', 'seen at this point only, downstream'],
  ['modified', 'Modified', 'changed between the points'],
];

export class CompareView {
  /**
   * `loadLadder(key)` → the ladder of flow `key`; `onJump(side, no)` shows a frame of a side;
   * `onExport(side, category)` saves that category's frames of that side as pcapng.
   */
  constructor(root, { loadLadder, onJump, onExport }) {
    this.root = root;
    this.loadLadder = loadLadder;
    this.onJump = onJump;
    this.names = { a: 'A', b: 'B' };
    this.headline = el('p', { class: 'compare-headline', attrs: { 'aria-live': 'polite' } });
    this.exports = el('div', { class: 'compare-export', attrs: { role: 'group', 'aria-label': 'Export as pcapng' } });
    this.onExport = onExport;
    this.verdicts = el('div', { class: 'compare-verdicts', attrs: { role: 'list', 'aria-label': 'Verdicts' } });
    this.clock = el('div', { class: 'compare-clock-box' });
    const flowsBox = el('div', { class: 'compare-flows', id: 'compare-flows' });
    this.flows = new CompareFlows(flowsBox, { onChoose: (row) => this.choose(row) });
    this.ladder = el('div', { class: 'compare-ladder', id: 'compare-ladder' });
    this.flowsNote = el('p', { class: 'compare-flows-note' });
    this.ladderSeq = 0;
    root.replaceChildren(
      el('div', { class: 'view-toolbar' }, this.headline, el('span', { class: 'toolbar-spacer' })),
      el('div', { class: 'compare-body' },
        el('h3', { text: 'Verdicts' }), this.verdicts,
        el('h3', { text: 'Clock and NAT' }), this.clock,
        el('h3', { text: 'Export as pcapng' }), this.exports,
        el('h3', { text: 'Flows' }), this.flowsNote, flowsBox,
        el('h3', { text: 'Ladder' }), this.ladder));
  }

  reset() {
    this.headline.textContent = '';
    this.verdicts.replaceChildren();
    this.clock.replaceChildren();
    this.exports.replaceChildren();
    this.ladder.replaceChildren();
    this.flowsNote.textContent = '';
    this.flows.show([]);
    delete this.root.dataset.ready;
    delete this.root.dataset.flows;
  }

  /** `comparison` (as `tracelens compare --json`); `names`: {a, b} file names of the sides. */
  show(comparison, names) {
    this.names = names;
    this.comparison = comparison;
    const lostTotal = comparison.lost.length;
    this.headline.textContent = comparison.common
      ? `${names.a} (A) and ${names.b} (B): ${fmt.plural(comparison.matched, 'packet')} matched, ${fmt.count(lostTotal)} lost, ${fmt.count(comparison.injected.length)} injected, ${fmt.count(comparison.modified_total ?? comparison.modified.length)} modified.`
      : `${names.a} and ${names.b} have no packets in common.`;
    renderVerdicts(this.verdicts, comparison.findings ?? [], { onJump: this.onJump, names });
    renderClock(this.clock, comparison);
    this.renderExports(comparison);
    this.flowsNote.textContent = 'Pairing the flows…';
    this.root.dataset.ready = 'true';
  }

  /** The flows table (`flows`, `total` in all); the first flow's ladder is drawn. */
  showFlows(flows, total) {
    const ordered = this.flows.show(flows);
    this.flowsNote.textContent = total > flows.length
      ? `The ${fmt.count(flows.length)} flows with differences first, then the biggest, of ${fmt.count(total)}.`
      : `${fmt.plural(total, 'flow')}.`;
    this.ladder.replaceChildren(el('p', { class: 'pane-empty', text: ordered.length ? 'Select a flow to draw its ladder.' : '' }));
    this.root.dataset.flows = String(total);
    if (ordered.length) this.flows.select(0);
  }

  renderExports(comparison) {
    const count = (side, category) => {
      if (category === 'modified') return comparison.modified.length;
      return comparison[category].filter((s) => s.file === side).length;
    };
    this.exports.replaceChildren();
    for (const side of ['a', 'b']) {
      const group = el('div', { class: 'compare-export-side' }, el('span', { class: 'toolbar-label', text: `${side.toUpperCase()} (${this.names[side]})` }));
      for (const [category, title, tip] of CATEGORIES) {
        const n = count(side, category);
        group.append(el('button', {
          type: 'button', class: 'btn btn-small', text: `${title} (${fmt.count(n)})`,
          title: `Save the ${title.toLowerCase()} frames of ${this.names[side]} (${tip}) as pcapng`,
          disabled: n === 0, dataset: { side, category },
          on: { click: () => this.onExport(side, category) },
        }));
      }
      this.exports.append(group);
    }
  }

  /** Draws the ladder of flow `row`. */
  async choose(row) {
    const seq = ++this.ladderSeq;
    this.ladder.dataset.flow = String(row.key);
    let ladder;
    try {
      ladder = await this.loadLadder(row.key);
    } catch (err) {
      if (seq === this.ladderSeq) this.ladder.replaceChildren(el('p', { class: 'pane-empty', text: `The ladder could not be drawn: ${err.message}` }));
      return;
    }
    if (seq !== this.ladderSeq) return;
    renderLadder(this.ladder, ladder, { onJump: this.onJump, names: this.names });
    this.ladder.dataset.ready = String(row.key);
  }
}
