// The Capture plan view (issue 16): the engineer answers a few questions — each end's system,
// which ends can be captured, how long the capture must cover, the traffic, whether the problem
// comes and goes, where the marker pings go — and gets the customer-ready instructions, computed
// in Rust (src/plan) by the worker's `plan` request: exact commands per OS and tool, the ring
// buffer's size, the marker pings the analyzer recognises, clock checks, what to write down and
// how to send the files. "Copy as text" and "Copy as Markdown" give the plan; the answers live in
// the address's fragment (#plan&client=…&server=…) so a plan can be shared as a link.
//
// Everything shown is text nodes (the plan's text is the engineer's own answers and fixed words,
// but the rule holds everywhere on the page).

import { el } from './dom.js';

export const OS_CHOICES = [
  ['windows', 'Windows'], ['linux', 'Linux'], ['macos', 'macOS'], ['device', 'Network device'], ['unknown', 'Unknown'],
];
const END_CHOICES = [['both', 'Both ends'], ['client', 'The client only'], ['server', 'The server only']];

/** The plan's text form if the fragment asks for the plan (`#plan&client=…`), else null. */
export function planQueryOf(fragment) {
  const text = String(fragment ?? '').replace(/^#/, '');
  return new URLSearchParams(text).has('plan') ? text : null;
}

/**
 * The part of the plan a finding points to, or null: capture_quality's one_direction and
 * own_traffic_only (capture both ends), drops (ring buffer and file sizes), capture_filter (no
 * capture filter), truncated_frames (the snap length).
 */
export function planTopicFor(finding) {
  if (finding?.kind === 'truncated_frames') return 'snaplen';
  if (finding?.kind !== 'capture_quality') return null;
  const issue = finding.details?.issue;
  if (issue === 'one_direction' || issue === 'own_traffic_only') return 'ends';
  if (issue === 'drops') return 'ring';
  if (issue === 'capture_filter') return 'filter';
  return null;
}

/** The button text a finding's topic gets. */
export const TOPIC_LABELS = {
  ends: 'Capture plan: capture both ends',
  ring: 'Capture plan: ring buffer sized to the traffic',
  filter: 'Capture plan: no capture filter',
  snaplen: 'Capture plan: snap length',
};

export class CapturePlan {
  /**
   * `dialog`: the (empty) <dialog>. `request(query)` resolves with the worker's `plan` answer
   * {plan, text, markdown, problems}; `writeFragment(query|null)` shows the plan in the address
   * (null: the plan closed); `onStatus(text)` reports copies.
   */
  constructor(dialog, { request, writeFragment = () => {}, onStatus = () => {} }) {
    this.dialog = dialog;
    this.request = request;
    this.writeFragment = writeFragment;
    this.onStatus = onStatus;
    this.result = null;
    this.seq = 0;
    this.build();
    dialog.addEventListener('close', () => {
      delete document.body.dataset.planOpen;
      this.writeFragment(null);
    });
  }

  build() {
    const select = (name, label, choices) => el('label', { class: 'plan-field' },
      el('span', { text: label }),
      el('select', { name, on: { change: () => this.update() } },
        choices.map(([value, text]) => el('option', { value, text }))));
    const number = (name, label, attrs) => el('label', { class: 'plan-field' },
      el('span', { text: label }),
      el('input', { type: 'number', name, ...attrs, on: { input: () => this.update() } }));
    this.form = el('form', { class: 'plan-form', attrs: { 'aria-label': 'Questions' }, on: { submit: (e) => e.preventDefault() } },
      select('client', 'Client OS', OS_CHOICES),
      select('server', 'Server OS', OS_CHOICES),
      select('ends', 'Which ends can be captured', END_CHOICES),
      number('minutes', 'Minutes to reproduce', { min: 1, max: 10080, step: 1 }),
      number('mbps', 'Traffic (Mbit/s)', { min: 0.1, max: 100000, step: 'any' }),
      el('label', { class: 'plan-field plan-check' },
        el('input', { type: 'checkbox', name: 'intermittent', on: { change: () => this.update() } }),
        el('span', { text: 'Intermittent problem' })),
      el('label', { class: 'plan-field' },
        el('span', { text: 'Ping the markers to (IP, optional)' }),
        el('input', { type: 'text', name: 'target', placeholder: 'e.g. 10.0.0.5', spellcheck: false, autocomplete: 'off', on: { change: () => this.update() } })));
    const button = (text, title, on, dataset = {}) => el('button', { type: 'button', class: 'btn btn-small', text, title, dataset, on: { click: on } });
    this.problems = el('p', { class: 'plan-problems', attrs: { role: 'status' }, hidden: true });
    this.body = el('div', { class: 'plan-body', attrs: { 'aria-live': 'polite' } });
    this.title = el('h2', { id: 'plan-title', class: 'plan-title', text: 'Capture plan' });
    this.dialog.replaceChildren(
      el('header', { class: 'plan-header' }, this.title,
        el('span', { class: 'toolbar-spacer' }),
        button('Copy as text', 'Copy the plan as plain text (for an email or a ticket)', () => this.copy('text'), { copy: 'text' }),
        button('Copy as Markdown', 'Copy the plan as Markdown (commands in code blocks)', () => this.copy('markdown'), { copy: 'markdown' }),
        button('Copy link', 'Copy a link to this plan (the answers are in the link)', () => this.copy('link'), { copy: 'link' }),
        button('Close', 'Close the capture plan (Esc)', () => this.dialog.close(), { close: '' })),
      el('div', { class: 'plan-layout' }, el('aside', { class: 'plan-questions' }, this.form, this.problems), this.body));
  }

  /** Opens the plan with the answers of `query` (the text form; '' keeps the current ones). */
  async open(query = '') {
    if (query) this.fill(query);
    else if (!this.result) this.fill('');
    if (!this.dialog.open) this.dialog.showModal();
    document.body.dataset.planOpen = 'true';
    await this.update();
  }

  /** Sets the form from the text form (missing keys: the defaults Rust answers with). */
  fill(query) {
    const params = new URLSearchParams(String(query).replace(/^#/, ''));
    const f = this.form.elements;
    const pick = (name, fallback) => params.get(name) ?? fallback;
    f.client.value = pick('client', 'windows');
    f.server.value = pick('server', 'linux');
    f.ends.value = pick('ends', 'both');
    f.minutes.value = pick('minutes', '30');
    f.mbps.value = pick('mbps', '10');
    f.intermittent.checked = ['yes', '1', 'true', ''].includes(params.get('intermittent') ?? 'no');
    f.target.value = pick('target', '');
  }

  /** The answers in the form, as text. */
  query() {
    const f = this.form.elements;
    const params = new URLSearchParams({
      client: f.client.value, server: f.server.value, ends: f.ends.value,
      minutes: f.minutes.value, mbps: f.mbps.value, intermittent: f.intermittent.checked ? 'yes' : 'no',
    });
    if (f.target.value.trim()) params.set('target', f.target.value.trim());
    return params.toString();
  }

  async update() {
    const seq = ++this.seq;
    let result;
    try {
      result = await this.request(this.query());
    } catch (err) {
      if (seq === this.seq) this.body.replaceChildren(el('p', { class: 'plan-error', text: `The plan could not be made: ${err.message}` }));
      return;
    }
    if (seq !== this.seq) return;
    this.result = result;
    this.render(result);
    if (this.dialog.open) this.writeFragment(result.plan.query);
    document.body.dataset.plan = result.plan.query;
  }

  render({ plan, problems }) {
    this.title.textContent = plan.title;
    this.problems.textContent = (problems ?? []).join(' ');
    this.problems.hidden = !problems?.length;
    this.body.replaceChildren(...plan.sections.map((s) => el('section', { class: 'plan-section', dataset: { section: s.id } },
      el('h3', { text: s.title }),
      s.blocks.map((b) => this.block(b)))));
  }

  block(b) {
    if (b.type === 'text') return el('p', { text: b.text });
    if (b.type === 'steps') return el('ol', {}, b.items.map((t) => el('li', { text: t })));
    if (b.type === 'list') return el('ul', {}, b.items.map((t) => el('li', { text: t })));
    const lines = b.commands.map((c) => c.line).join('\n');
    return el('div', { class: 'plan-commands', dataset: { tool: b.commands[0]?.tool ?? '' } },
      el('div', { class: 'plan-commands-head' },
        el('span', { class: 'plan-commands-label', text: b.label }),
        el('button', {
          type: 'button', class: 'link-button', text: 'Copy', title: 'Copy these commands',
          on: { click: () => this.write(lines, 'these commands') },
        })),
      el('pre', { class: 'plan-code', dataset: { shell: b.commands[0]?.shell ?? '' } }, el('code', { text: lines })));
  }

  /** Copies the plan as `kind` (text, markdown) or its link. */
  async copy(kind) {
    if (!this.result) return;
    const link = `${location.href.split('#')[0]}#plan&${this.result.plan.query}`;
    const text = kind === 'link' ? link : kind === 'markdown' ? this.result.markdown : this.result.text;
    const what = { link: 'the link to this plan', markdown: 'the plan as Markdown', text: 'the plan as text' }[kind];
    if (await this.write(text, what)) document.body.dataset.planCopied = kind;
  }

  /** Puts `text` on the clipboard (or selects it in a box to copy by hand); true when copied. */
  async write(text, what) {
    try {
      await navigator.clipboard.writeText(text);
      this.onStatus(`Copied ${what}.`);
      return true;
    } catch {
      // No clipboard (file://, a denied permission): a box holding the text, selected.
      const box = el('textarea', { class: 'plan-copy-box', value: text, attrs: { 'aria-label': `Copy ${what} by hand`, readonly: '' } });
      this.body.prepend(box);
      box.select();
      this.onStatus(`Select and copy ${what} from the box at the top of the plan.`);
      return false;
    }
  }
}

/**
 * The line under the markers bar that says what the capture shows of the plan (`notes` from the
 * worker: [{kind, text}], plus the page's own for two capture points), with a way to the plan
 * when something it asks for is missing.
 */
export function renderPlanNotes(root, notes, onPlan) {
  if (!notes?.length) {
    root.replaceChildren();
    root.hidden = true;
    return;
  }
  const missing = notes.some((n) => n.kind === 'no_markers' || /not contiguous|alone/.test(n.text));
  root.replaceChildren(el('span', { class: 'toolbar-label', text: 'Capture plan' }),
    ...notes.map((n) => el('span', { class: `plan-note plan-note-${n.kind}`, dataset: { kind: n.kind }, text: n.text })),
    el('button', {
      type: 'button', class: 'link-button', text: missing ? 'Ask for a better capture…' : 'Capture plan…',
      title: 'Open the capture plan: the instructions to send a customer', dataset: { openPlan: '' },
      on: { click: () => onPlan() },
    }));
  root.hidden = false;
}
