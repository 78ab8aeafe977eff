// The display-filter bar: Wireshark syntax typed by reflex, checked as it is typed (green when it
// compiles, red with the message and the offending span underlined when it does not), field-name
// completion with descriptions (↑/↓ to choose, Tab or Enter to take, Esc to close), a history of
// the filters applied in this tab (kept in sessionStorage only), and buttons for the filters
// engineers reach for first. Applying re-evaluates in the worker; the capture is not read again.

import { el } from './dom.js';
import * as fmt from './format.js';

const HISTORY_KEY = 'tracelens.filterHistory';
const HISTORY_MAX = 20;
const CHECK_DELAY_MS = 60;

/** Filters for common problems: [label, filter, what it shows]. */
export const QUICK_FILTERS = [
  ['Problems', 'tcp.analysis.flags', 'Every TCP segment with an analysis note: retransmissions, duplicate ACKs, zero windows, lost segments…'],
  ['SYNs', 'tcp.flags.syn==1 && tcp.flags.ack==0', 'Connection attempts: every SYN without ACK'],
  ['Resets', 'tcp.flags.reset==1', 'Every TCP reset'],
  ['ICMP', 'icmp', 'ICMP (pings, unreachables, TTL exceeded)'],
  ['DNS', 'dns', 'DNS queries and responses'],
];

/** The word being typed ends at `caret`: field-name characters, as the analyzer's completion sees them. */
function wordStart(text, caret) {
  let i = caret;
  while (i > 0 && /[A-Za-z0-9_.-]/.test(text[i - 1])) i--;
  return i;
}

export class FilterBar {
  /**
   * `check(text)` resolves with null or a FilterError; `complete(text)` with [{name, description,
   * ty}]; `apply(text)` with {error, count, total}.
   */
  constructor(root, { check, complete, apply }) {
    this.root = root;
    this.checkFn = check;
    this.completeFn = complete;
    this.applyFn = apply;
    this.applied = '';
    this.seq = 0;
    this.popupItems = [];
    this.active = -1;
    this.popupKind = null; // 'complete' | 'history'
    this.build();
  }

  build() {
    this.input = el('input', {
      type: 'text', id: 'filter-input', class: 'filter-input', spellcheck: false, autocomplete: 'off',
      placeholder: 'Apply a display filter… (e.g. tcp.flags.syn==1 && tcp.port==443)',
      attrs: {
        role: 'combobox', 'aria-expanded': 'false', 'aria-controls': 'filter-suggest', 'aria-autocomplete': 'list',
        'aria-label': 'Display filter', 'aria-describedby': 'filter-message', autocapitalize: 'off',
      },
    });
    // A copy of the text behind the (transparent) input, to underline the part an error is about.
    this.mirror = el('div', { class: 'filter-mirror', attrs: { 'aria-hidden': 'true' } });
    this.message = el('div', { class: 'filter-message', id: 'filter-message', attrs: { role: 'status' } });
    this.message.hidden = true;
    this.suggest = el('ul', { class: 'filter-suggest', id: 'filter-suggest', attrs: { role: 'listbox', 'aria-label': 'Suggestions' } });
    this.popup = el('div', { class: 'filter-popup' }, this.message, this.suggest);
    this.popup.hidden = true;
    this.field = el('div', { class: 'filter-field', dataset: { state: 'empty' } }, this.mirror, this.input, this.popup);
    this.historyButton = el('button', {
      type: 'button', class: 'btn btn-small btn-icon filter-history', title: 'Recent filters (Alt+↓)',
      attrs: { 'aria-label': 'Recent filters' },
    }, el('span', { class: 'chevron', attrs: { 'aria-hidden': 'true' } }));
    this.clearButton = el('button', {
      type: 'button', class: 'btn btn-small btn-icon filter-clear', title: 'Clear the filter (show every frame)',
      attrs: { 'aria-label': 'Clear the filter' }, text: '×',
    });
    this.applyButton = el('button', { type: 'submit', class: 'btn btn-small btn-primary filter-apply', text: 'Apply', title: 'Apply the filter (Enter)' });
    this.quick = el('div', { class: 'quick-filters', attrs: { role: 'group', 'aria-label': 'Common filters' } },
      QUICK_FILTERS.map(([label, filter, tip]) => el('button', {
        type: 'button', class: 'btn btn-small quick-filter', text: label, title: `${tip}\n${filter}`,
        dataset: { filter }, attrs: { 'aria-pressed': 'false' },
        on: { click: () => this.setAndApply(this.applied === filter ? '' : filter) },
      })));
    this.countBox = el('div', { class: 'filter-count', attrs: { 'aria-live': 'polite' } });
    this.root.replaceChildren(
      el('label', { class: 'toolbar-label', text: 'Filter', attrs: { for: 'filter-input' } }),
      this.field, this.historyButton, this.clearButton, this.applyButton, this.quick, this.countBox);

    this.root.addEventListener('submit', (e) => {
      e.preventDefault();
      this.applyCurrent();
    });
    this.input.addEventListener('input', () => this.onInput());
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.input.addEventListener('scroll', () => this.syncMirror());
    this.input.addEventListener('blur', () => setTimeout(() => {
      if (!this.field.contains(document.activeElement)) this.closePopup();
    }, 120));
    this.input.addEventListener('focus', () => this.renderMessage());
    this.suggest.addEventListener('mousedown', (e) => {
      const li = e.target.closest('li[data-index]');
      if (!li) return;
      e.preventDefault(); // keep the focus in the input
      this.choose(Number(li.dataset.index));
    });
    this.historyButton.addEventListener('click', () => {
      this.input.focus();
      this.openHistory();
    });
    this.clearButton.addEventListener('click', () => this.setAndApply(''));
  }

  /** A new capture: no filter, nothing checked. */
  reset(total) {
    this.applied = '';
    this.input.value = '';
    this.error = null;
    this.setState('empty');
    this.closePopup();
    this.setCount(total, total);
    this.markQuick();
  }

  setCount(count, total) {
    this.countBox.textContent = this.applied
      ? `Displayed: ${fmt.count(count)} of ${fmt.count(total)}`
      : `${fmt.count(total)} frames`;
    this.countBox.title = this.applied ? `${fmt.count(count)} frames match ${this.applied}` : '';
  }

  focus() {
    this.input.focus();
    this.input.select();
  }

  /** Puts `text` in the bar and applies it. */
  async setAndApply(text) {
    this.input.value = text;
    this.syncMirror();
    return this.applyCurrent();
  }

  async applyCurrent() {
    this.closePopup();
    const text = this.input.value;
    const seq = ++this.seq;
    this.setState('busy');
    let result;
    try {
      result = await this.applyFn(text);
    } catch (err) {
      result = { error: { message: err.message, start: 0, end: Math.max(1, [...text].length), text } };
    }
    if (seq !== this.seq) return result;
    if (result.error) {
      this.error = result.error;
      this.setState('invalid');
    } else {
      this.error = null;
      this.applied = text.trim() ? text : '';
      this.setState(this.applied ? 'valid' : 'empty');
      if (this.applied) this.remember(this.applied);
      this.setCount(result.count, result.total);
    }
    this.markQuick();
    this.renderMessage();
    return result;
  }

  markQuick() {
    for (const b of this.quick.querySelectorAll('button')) {
      b.setAttribute('aria-pressed', String(b.dataset.filter === this.applied));
    }
  }

  setState(state) {
    this.field.dataset.state = state;
    this.input.setAttribute('aria-invalid', String(state === 'invalid'));
    this.syncMirror();
  }

  onInput() {
    const text = this.input.value;
    const seq = ++this.seq;
    this.setState(text.trim() ? 'checking' : 'empty');
    this.error = null;
    this.renderMessage();
    clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      const caret = this.input.selectionStart ?? text.length;
      const [error, items] = await Promise.all([
        text.trim() ? this.checkFn(text).catch(() => null) : null,
        this.completeFn(text.slice(0, caret)).catch(() => []),
      ]);
      if (seq !== this.seq) return;
      this.error = error;
      this.setState(!text.trim() ? 'empty' : error ? 'invalid' : 'valid');
      this.renderMessage();
      const word = text.slice(wordStart(text, caret), caret);
      const useful = items.filter((i) => i.name !== word);
      if (word && useful.length) this.openPopup('complete', items.slice(0, 60));
      else if (this.popupKind === 'complete') this.closePopup();
    }, CHECK_DELAY_MS);
  }

  /** Underlines the error's span in the mirror behind the input. */
  syncMirror() {
    const text = this.input.value;
    const chars = [...text];
    const e = this.field.dataset.state === 'invalid' ? this.error : null;
    if (e && e.text === text) {
      const start = Math.min(e.start, chars.length);
      const end = Math.max(start + 1, Math.min(e.end, chars.length + 1));
      const span = chars.slice(start, end).join('') || ' ';
      this.mirror.replaceChildren(chars.slice(0, start).join(''), el('span', { class: 'filter-error-span', text: span }), chars.slice(end).join(''));
    } else {
      this.mirror.replaceChildren(text);
    }
    this.mirror.scrollLeft = this.input.scrollLeft;
  }

  /** The error message with a caret line under the filter, shown under the input. */
  renderMessage() {
    const e = this.field.dataset.state === 'invalid' ? this.error : null;
    // While field names are offered, the half-typed name is not yet a mistake worth a message.
    if (!e || this.popupKind === 'complete') {
      this.message.hidden = true;
      this.message.replaceChildren();
    } else {
      const chars = [...(e.text ?? '')];
      const start = Math.min(e.start ?? 0, chars.length);
      const caret = `${' '.repeat(start)}^${'~'.repeat(Math.max(0, Math.min(e.end ?? start + 1, chars.length) - start - 1))}`;
      this.message.replaceChildren(
        el('div', { class: 'filter-message-text', text: e.message }),
        el('pre', { class: 'filter-caret', text: `${e.text}\n${caret}` }));
      this.message.hidden = false;
    }
    this.popup.hidden = this.message.hidden && !this.popupKind;
  }

  openHistory() {
    const items = this.history().map((text) => ({ name: text, history: true }));
    if (!items.length) {
      this.openPopup('history', [{ name: 'No filters applied yet in this tab.', empty: true }]);
      return;
    }
    this.openPopup('history', items);
  }

  openPopup(kind, items) {
    this.popupKind = kind;
    this.popupItems = items;
    this.active = items[0]?.empty ? -1 : 0;
    this.suggest.replaceChildren(...items.map((item, i) => {
      const li = el('li', {
        id: `filter-option-${i}`, class: `filter-option${item.empty ? ' empty' : ''}`,
        attrs: { role: 'option', 'aria-selected': 'false' }, dataset: item.empty ? {} : { index: String(i) },
      }, el('span', { class: 'option-name', text: item.name }));
      if (item.description) li.append(el('span', { class: 'option-desc', text: item.description }));
      if (item.ty) li.append(el('span', { class: 'option-type', text: item.ty }));
      return li;
    }));
    this.suggest.hidden = false;
    this.suggest.setAttribute('aria-label', kind === 'history' ? 'Recent filters' : 'Field names');
    this.input.setAttribute('aria-expanded', 'true');
    this.renderMessage();
    this.popup.hidden = false;
    this.markActive();
  }

  closePopup() {
    this.popupKind = null;
    this.popupItems = [];
    this.active = -1;
    this.suggest.replaceChildren();
    this.suggest.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
    this.renderMessage();
  }

  markActive() {
    [...this.suggest.children].forEach((li, i) => {
      const on = i === this.active;
      li.setAttribute('aria-selected', String(on));
      li.classList.toggle('active', on);
      if (on) li.scrollIntoView({ block: 'nearest' });
    });
    if (this.active >= 0) this.input.setAttribute('aria-activedescendant', `filter-option-${this.active}`);
    else this.input.removeAttribute('aria-activedescendant');
  }

  move(delta) {
    const n = this.popupItems.filter((i) => !i.empty).length;
    if (!n) return;
    this.active = (this.active + delta + n) % n;
    this.markActive();
  }

  /** Takes item `i`: a field name replaces the word being typed; a history entry is applied. */
  choose(i) {
    const item = this.popupItems[i];
    if (!item || item.empty) return;
    if (this.popupKind === 'history') {
      this.setAndApply(item.name);
      return;
    }
    const text = this.input.value;
    const caret = this.input.selectionStart ?? text.length;
    const start = wordStart(text, caret);
    const before = text.slice(0, start) + item.name;
    this.input.value = before + text.slice(caret);
    this.input.setSelectionRange(before.length, before.length);
    this.closePopup();
    this.onInput();
  }

  onKey(event) {
    const open = this.popupKind !== null;
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        if (open) this.move(1);
        else if (event.altKey || !this.input.value) this.openHistory();
        else this.onInput();
        return;
      case 'ArrowUp':
        if (!open) return;
        event.preventDefault();
        this.move(-1);
        return;
      case 'Tab':
        if (!open || this.popupKind !== 'complete' || this.active < 0) return;
        event.preventDefault();
        this.choose(this.active);
        return;
      case 'Enter':
        if (open && this.active >= 0) {
          event.preventDefault();
          this.choose(this.active);
        }
        return; // otherwise the form submits: apply
      case 'Escape':
        if (open) {
          event.preventDefault();
          this.closePopup();
        }
        return;
      case ' ':
        if (event.ctrlKey) { // Ctrl+Space: complete now
          event.preventDefault();
          this.onInput();
        }
        return;
      default:
    }
  }

  history() {
    try {
      const list = JSON.parse(sessionStorage.getItem(HISTORY_KEY) ?? '[]');
      return Array.isArray(list) ? list.filter((t) => typeof t === 'string') : [];
    } catch {
      return this.memory ?? [];
    }
  }

  remember(text) {
    const list = [text, ...this.history().filter((t) => t !== text)].slice(0, HISTORY_MAX);
    this.memory = list;
    try {
      sessionStorage.setItem(HISTORY_KEY, JSON.stringify(list));
    } catch {
      // no storage here: the history lasts as long as the page
    }
  }
}
