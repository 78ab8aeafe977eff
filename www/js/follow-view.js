// Follow stream: the payload of a TCP or UDP stream as text — ASCII (line feeds kept, every other
// byte outside printable ASCII shown as '.'), a hex dump, or raw hex — both directions coloured
// (client, server), in the order Wireshark's Follow Stream gives it (TCP in sequence order,
// retransmitted bytes once). The worker renders a bounded page at a time ("Show more" asks for
// the next); payload bytes reach the page only as text in textContent, never as markup. Find
// highlights matches in what is loaded (next / previous); clicking a piece selects its frame,
// double-clicking shows it in the packet list.

import { el } from './dom.js';
import * as fmt from './format.js';

/** Payload bytes per page the worker renders. */
export const PAGE_BYTES = 64 * 1024;

export class FollowView {
  /**
   * `load(protocol, stream, start, maxBytes, mode)` resolves with a page; `onSelectFrame(no)` (a
   * click on a piece), `onJump(no)` (a double-click: the frame in the packet list).
   */
  constructor(root, { load, onSelectFrame, onJump = () => {} }) {
    this.root = root;
    this.load = load;
    this.onSelectFrame = onSelectFrame;
    this.onJump = onJump;
    this.protocol = 'tcp';
    this.stream = null;
    this.mode = 'ascii';
    this.next = null;
    this.seq = 0;
    this.matches = [];
    this.current = -1;

    this.protoSelect = el('select', { class: 'follow-protocol', attrs: { 'aria-label': 'Protocol of the followed stream' } },
      ['tcp', 'udp'].map((p) => el('option', { value: p, text: p.toUpperCase() })));
    this.protoSelect.addEventListener('change', () => this.show(this.protoSelect.value, Number(this.number.value)));
    this.number = el('input', { type: 'number', class: 'follow-number', min: 0, step: 1, value: '0', attrs: { 'aria-label': 'Stream number to follow' } });
    this.number.addEventListener('change', () => this.show(this.protoSelect.value, Number(this.number.value)));
    this.modeGroup = el('div', { class: 'seg-group', attrs: { role: 'radiogroup', 'aria-label': 'Show as' } },
      [['ascii', 'ASCII'], ['hex', 'Hex dump'], ['raw', 'Raw']].map(([m, label]) => el('button', {
        type: 'button', class: 'seg', text: label, dataset: { mode: m },
        attrs: { role: 'radio', 'aria-checked': String(m === this.mode) },
        on: { click: () => this.setMode(m) },
      })));
    this.find = el('input', { type: 'search', class: 'follow-find', placeholder: 'Find in stream', attrs: { 'aria-label': 'Find in stream' } });
    this.find.addEventListener('input', () => this.search());
    this.find.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.step(e.shiftKey ? -1 : 1);
    });
    this.findCount = el('span', { class: 'follow-find-count view-info' });
    this.prevButton = el('button', { type: 'button', class: 'btn btn-small', text: '↑', title: 'Previous match (Shift+Enter)', on: { click: () => this.step(-1) } });
    this.nextButton = el('button', { type: 'button', class: 'btn btn-small', text: '↓', title: 'Next match (Enter)', on: { click: () => this.step(1) } });
    this.info = el('div', { class: 'follow-info view-info' });
    this.text = el('div', { class: 'follow-text', attrs: { role: 'document', 'aria-label': 'Stream payload' } });
    this.more = el('button', { type: 'button', class: 'btn btn-small follow-more', text: 'Show more', on: { click: () => this.showMore() } });
    this.more.hidden = true;
    root.replaceChildren(
      el('div', { class: 'follow-toolbar' }, this.protoSelect, this.number, this.modeGroup,
        el('span', { class: 'toolbar-spacer' }), this.find, this.prevButton, this.nextButton, this.findCount),
      this.info, this.text, this.more);
  }

  /** Shows stream `stream` of `protocol` from its start. */
  async show(protocol, stream) {
    if (!Number.isInteger(stream) || stream < 0) return;
    this.clear();
    this.protocol = protocol === 'udp' ? 'udp' : 'tcp';
    this.protoSelect.value = this.protocol;
    this.number.value = String(stream);
    this.stream = stream;
    this.next = [0, 0, 0];
    this.info.textContent = 'Loading…';
    await this.showMore({ first: true });
  }

  /** Drops the stream shown (before another, or another capture); a page still loading is ignored. */
  clear() {
    this.seq++;
    this.stream = null;
    this.next = null;
    this.text.replaceChildren();
    this.info.textContent = '';
    this.more.hidden = true;
    this.search();
    delete this.root.dataset.loaded;
    delete this.root.dataset.pieces;
  }

  setMode(mode) {
    this.mode = mode;
    for (const b of this.modeGroup.querySelectorAll('[data-mode]')) b.setAttribute('aria-checked', String(b.dataset.mode === mode));
    this.text.dataset.mode = mode;
    if (this.stream !== null) this.show(this.protocol, this.stream);
  }

  /** Loads the next page and appends its pieces. */
  async showMore({ first = false } = {}) {
    if (!this.next) return;
    const seq = ++this.seq;
    let page;
    try {
      page = await this.load(this.protocol, this.stream, this.next, PAGE_BYTES, this.mode);
    } catch (err) {
      if (seq === this.seq) {
        this.info.textContent = err.message;
        this.more.hidden = true;
      }
      return;
    }
    if (seq !== this.seq) return;
    if (first) this.describe(page);
    for (const item of page.items) {
      const piece = el('div', {
        class: `follow-piece ${item.server ? 'follow-server' : 'follow-client'}${item.missing ? ' follow-missing' : ''}`,
        dataset: { no: String(item.no) }, title: `Frame ${item.no} · ${item.server ? 'server' : 'client'} · ${fmt.plural(item.len, 'byte')}`,
      });
      piece.textContent = item.text; // payload as text, never markup
      piece.addEventListener('click', () => this.onSelectFrame(item.no));
      piece.addEventListener('dblclick', () => this.onJump(item.no));
      this.text.append(piece);
    }
    this.next = page.next[0] < page.pieces ? page.next : null;
    this.more.hidden = !this.next;
    this.root.dataset.loaded = String(page.next[0]);
    this.root.dataset.pieces = String(page.pieces);
    if (this.find.value) this.search();
  }

  describe(page) {
    const [client, server] = page.nodes;
    const [sent, received] = page.bytes;
    this.info.replaceChildren(
      el('span', { class: 'follow-legend follow-client', text: `${client} → ${server}: ${fmt.plural(sent, 'byte')}` }),
      el('span', { class: 'follow-legend follow-server', text: `${server} → ${client}: ${fmt.plural(received, 'byte')}` }),
      el('span', { text: ` · ${fmt.plural(page.pieces, 'piece')}` }));
  }

  /** Highlights every match of the find text in the loaded pieces. */
  search() {
    const needle = this.find.value.toLowerCase();
    this.matches = [];
    for (const piece of this.text.children) {
      const text = piece.textContent;
      if (!needle) {
        piece.textContent = text;
        continue;
      }
      const lower = text.toLowerCase();
      const parts = [];
      let from = 0;
      for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + needle.length)) {
        if (at > from) parts.push(document.createTextNode(text.slice(from, at)));
        const mark = el('mark', { class: 'follow-match', text: text.slice(at, at + needle.length) });
        parts.push(mark);
        this.matches.push(mark);
        from = at + needle.length;
      }
      if (parts.length) {
        if (from < text.length) parts.push(document.createTextNode(text.slice(from)));
        piece.replaceChildren(...parts);
      } else piece.textContent = text;
    }
    this.current = -1;
    this.findCount.textContent = needle ? `${this.matches.length} in what is shown` : '';
    if (this.matches.length) this.step(1);
  }

  /** Moves to the next (1) or previous (-1) match. */
  step(delta) {
    if (!this.matches.length) return;
    this.matches[this.current]?.classList.remove('follow-current');
    this.current = (this.current + delta + this.matches.length) % this.matches.length;
    const mark = this.matches[this.current];
    mark.classList.add('follow-current');
    mark.scrollIntoView({ block: 'nearest' });
    this.findCount.textContent = `${this.current + 1} of ${this.matches.length} in what is shown`;
  }
}
