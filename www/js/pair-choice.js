// Two files dropped at once: one capture in parts (merge them into one timeline, as always), or
// two captures of the same traffic taken at two points (compare them). The worker has indexed
// each file on its own and compared them; this module decides whether to ask, which answer is
// the default, and asks.

import { el } from './dom.js';
import * as fmt from './format.js';

/** Matched packets below this share of the smaller side look like parts of one capture. */
const COMPARE_SHARE = 0.1;
/**
 * Two points capturing the same traffic have clocks within a day (time zones, an unset clock)
 * and running within a thousandth of each other. A fit beyond either means the few "matches" are
 * look-alikes (two unrelated handshakes), not the same packets.
 */
const MAX_OFFSET_S = 86_400;
const MAX_DRIFT_PPM = 1000;

/**
 * From the `pairOpened` message: {offer, choice: 'compare'|'merge', overlapS, matched, reason}.
 * The choice is offered when the captures share packets, with a plausible clock model, and their
 * time ranges overlap once B's clock is brought onto A's; Compare is the default when they overlap as recorded or share much
 * of their traffic, Merge when one follows the other.
 */
export function pairDecision(opened) {
  const a = opened.a.summary;
  const b = opened.b.summary;
  const offset = opened.clock?.offset_s ?? 0;
  const matched = opened.matched ?? 0;
  const known = [a.first_time, a.last_time, b.first_time, b.last_time].every((t) => typeof t === 'number');
  const overlap = (shift) => Math.min(a.last_time, b.last_time - shift) - Math.max(a.first_time, b.first_time - shift);
  const overlapS = known ? overlap(offset) : null;
  const rawOverlapS = known ? overlap(0) : null;
  const smaller = Math.max(1, Math.min(opened.a.count, opened.b.count));
  const plausible = Math.abs(offset) <= MAX_OFFSET_S && Math.abs(opened.clock?.drift_ppm ?? 0) <= MAX_DRIFT_PPM;
  const offer = Boolean(opened.common) && matched > 0 && plausible && overlapS !== null && overlapS >= 0;
  const compare = offer && (rawOverlapS >= 0 || matched / smaller >= COMPARE_SHARE);
  const reason = offer
    ? `${fmt.plural(matched, 'packet')} appear in both files, which cover the same ${fmt.duration(Math.max(overlapS, 0))}${Math.abs(offset) >= 0.001 ? ` (their clocks differ by ${offset.toFixed(3)} s)` : ''}.`
    : '';
  return { offer, choice: compare ? 'compare' : 'merge', overlapS, matched, reason };
}

export class PairChoice {
  /** `root`: the (hidden) section the question is shown in. */
  constructor(root) {
    this.root = root;
    this.pending = null;
  }

  /** Asks; resolves 'compare' or 'merge' (null when dismissed by a new open). */
  ask(names, decision) {
    this.dismiss();
    const button = (choice, title, tip) => el('button', {
      type: 'button', class: `btn pair-option${choice === decision.choice ? ' btn-primary' : ''}`,
      dataset: { choice }, title: tip,
      on: { click: () => this.answer(choice) },
    }, el('strong', { text: title }), el('span', { class: 'pair-option-note', text: tip }));
    const compare = button('compare', 'Compare (captured at two points)',
      `${names[0]} is side A, ${names[1]} side B: lost, injected, modified and delayed packets between the points`);
    const merge = button('merge', 'Merge (one capture in parts)', 'One timeline of both files, as parts of one capture');
    this.root.replaceChildren(el('div', { class: 'progress-card pair-card', attrs: { role: 'group', 'aria-labelledby': 'pair-title' } },
      el('h2', { id: 'pair-title', class: 'pair-title', text: 'These two captures hold the same traffic' }),
      el('p', { class: 'pair-reason', text: decision.reason }),
      el('div', { class: 'pair-options' }, compare, merge)));
    this.root.hidden = false;
    document.body.dataset.pairChoice = decision.choice;
    (decision.choice === 'compare' ? compare : merge).focus();
    return new Promise((resolve) => {
      this.pending = resolve;
    });
  }

  answer(choice) {
    const resolve = this.pending;
    this.pending = null;
    this.root.hidden = true;
    delete document.body.dataset.pairChoice;
    resolve?.(choice);
  }

  /** Drops an open question (a newer open started). */
  dismiss() {
    if (this.pending) this.answer(null);
  }
}
