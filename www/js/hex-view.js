// Packet bytes: offset, hex and ASCII columns, 16 bytes a line. Highlights a byte range (the
// selected tree node) on top of a fainter one (its protocol layer); clicking a byte reports it.

import { el } from './dom.js';

const PER_LINE = 16;
const FIRST_RENDER_BYTES = 16 * 1024; // larger frames render the rest on request
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
const ASCII = Array.from({ length: 256 }, (_, b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '·'));

export class HexView {
  /** `onByte(offset)` is called when a byte is clicked. */
  constructor(root, { onByte = () => {} } = {}) {
    this.root = root;
    this.onByte = onByte;
    this.body = el('div', { class: 'hex-body', attrs: { role: 'grid', 'aria-label': 'Packet bytes' } });
    this.footer = el('div', { class: 'hex-footer', attrs: { 'aria-live': 'polite' } });
    this.root.replaceChildren(this.body, this.footer);
    this.body.addEventListener('mousedown', (e) => {
      const i = e.target.byteIndex;
      if (e.button === 0 && i !== undefined) this.onByte(i);
    });
    this.clear();
  }

  clear(message = '') {
    this.bytes = new Uint8Array(0);
    this.hexSpans = [];
    this.asciiSpans = [];
    this.marked = { sel: [], layer: [] };
    this.body.replaceChildren();
    if (message) this.body.append(el('div', { class: 'pane-empty', text: message }));
    this.footer.textContent = '';
  }

  /** Shows `bytes`; `problems` are [start, len] ranges to underline. */
  show(bytes, problems = []) {
    this.clear();
    this.bytes = bytes;
    this.problems = problems;
    this.renderLines(0, Math.min(bytes.length, FIRST_RENDER_BYTES));
    if (bytes.length > FIRST_RENDER_BYTES) {
      const more = el('button', {
        type: 'button',
        class: 'btn btn-small hex-more',
        text: `Show all ${bytes.length.toLocaleString('en-US')} bytes`,
      });
      more.addEventListener('click', () => {
        more.remove();
        this.renderLines(FIRST_RENDER_BYTES, bytes.length);
      });
      this.body.append(more);
    }
    this.describe(null);
  }

  renderLines(from, to) {
    const fragment = document.createDocumentFragment();
    const width = this.bytes.length > 0xffff ? 8 : 4;
    for (let line = from; line < to; line += PER_LINE) {
      const hex = el('span', { class: 'hex-bytes' });
      const ascii = el('span', { class: 'hex-ascii' });
      for (let i = line; i < Math.min(line + PER_LINE, to); i++) {
        const b = this.bytes[i];
        const h = el('span', { class: 'b', text: HEX[b] });
        const a = el('span', { class: 'b', text: ASCII[b] });
        h.byteIndex = i;
        a.byteIndex = i;
        this.hexSpans[i] = h;
        this.asciiSpans[i] = a;
        hex.append(h);
        ascii.append(a);
      }
      fragment.append(el('div', { class: 'hex-line', attrs: { role: 'row' } },
        el('span', { class: 'hex-off', text: line.toString(16).padStart(width, '0') }), hex, ascii));
    }
    this.body.append(fragment);
    for (const [start, len] of this.problems) this.mark(start, len, 'problem');
  }

  mark(start, len, cls) {
    const spans = [];
    const end = Math.min(start + len, this.hexSpans.length);
    for (let i = Math.max(0, start); i < end; i++) {
      if (!this.hexSpans[i]) continue;
      this.hexSpans[i].classList.add(cls);
      this.asciiSpans[i].classList.add(cls);
      spans.push(i);
    }
    return spans;
  }

  unmark(indices, cls) {
    for (const i of indices) {
      this.hexSpans[i]?.classList.remove(cls);
      this.asciiSpans[i]?.classList.remove(cls);
    }
  }

  /** Highlights `node`'s bytes strongly and `layer`'s faintly; either may be null. */
  highlight(node, layer) {
    this.unmark(this.marked.sel, 'sel');
    this.unmark(this.marked.layer, 'layer');
    this.marked.layer = hasRange(layer) ? this.mark(layer.start, layer.len, 'layer') : [];
    this.marked.sel = hasRange(node) ? this.mark(node.start, node.len, 'sel') : [];
    const first = this.marked.sel[0];
    if (first !== undefined) {
      const line = this.hexSpans[first].parentElement.parentElement;
      const box = this.body.getBoundingClientRect();
      const r = line.getBoundingClientRect();
      if (r.top < box.top || r.bottom > box.bottom) line.scrollIntoView({ block: 'center' });
    }
    this.describe(hasRange(node) ? node : null);
  }

  describe(node) {
    const total = `${this.bytes.length.toLocaleString('en-US')} bytes captured`;
    if (!node) {
      this.footer.textContent = total;
      return;
    }
    const end = node.start + node.len - 1;
    const range = node.len === 1 ? `byte ${node.start}` : `bytes ${node.start}–${end}`;
    this.footer.textContent = `${range} (${node.len} ${node.len === 1 ? 'byte' : 'bytes'}, 0x${node.start.toString(16)}) · ${total}`;
  }
}

function hasRange(node) {
  return node && typeof node.start === 'number' && node.len > 0;
}
