// Packet bytes: offset, hex and ASCII columns, 16 bytes a line. Highlights a byte range (the
// selected tree node) on top of a fainter one (its protocol layer); clicking a byte reports it.
//
// The lines are a VirtualList (the tables' one, without selection): only the lines on screen
// exist in the DOM, refilled as the view scrolls, so a 256 KiB frame costs what a small one does.
// Larger frames first show FIRST_RENDER_BYTES and the rest on request ("Show all").

import { el } from './dom.js';
import { VirtualList } from './virtual-list.js';

const PER_LINE = 16;
const LINE_H = 19; // px, as .hex-line in the style sheet
const FIRST_RENDER_BYTES = 16 * 1024; // larger frames show the rest on request
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
const ASCII = Array.from({ length: 256 }, (_, b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '·'));

export class HexView {
  /** `onByte(offset)` is called when a byte is clicked. */
  constructor(root, { onByte = () => {} } = {}) {
    this.root = root;
    this.onByte = onByte;
    this.version = 0; // bumped whenever bytes or marks change: every line is refilled
    this.list = new VirtualList({
      prefix: 'hex',
      label: 'Packet bytes',
      columns: 3,
      rowHeight: () => LINE_H,
      makeRow: () => makeLine(),
      fillRow: (node, line) => this.fillLine(node, line),
      rowKey: () => String(this.version),
      selectedId: 'hex-line-selected',
      selectable: false,
    });
    this.body = this.list.scroller;
    this.body.classList.add('hex-body');
    this.empty = el('div', { class: 'pane-empty' });
    this.more = el('button', { type: 'button', class: 'btn btn-small hex-more', on: { click: () => this.showAll() } });
    this.moreBox = el('div', { class: 'hex-more-box' }, this.more);
    this.footer = el('div', { class: 'hex-footer', attrs: { 'aria-live': 'polite' } });
    this.root.replaceChildren(this.empty, this.body, this.moreBox, this.footer);
    this.body.addEventListener('mousedown', (e) => {
      const i = e.target.byteIndex;
      if (e.button === 0 && i !== undefined) this.onByte(i);
    });
    this.clear();
  }

  clear(message = '') {
    this.show(new Uint8Array(0));
    this.empty.textContent = message;
    this.empty.hidden = !message;
    this.footer.textContent = '';
  }

  /** Shows `bytes`; `problems` are [start, len] ranges to underline. */
  show(bytes, problems = []) {
    this.bytes = bytes;
    this.problems = problems.filter(([, len]) => len > 0);
    this.sel = null;
    this.layer = null;
    this.shown = Math.min(bytes.length, FIRST_RENDER_BYTES);
    this.empty.hidden = true;
    this.moreBox.hidden = bytes.length <= this.shown;
    this.more.textContent = `Show all ${bytes.length.toLocaleString('en-US')} bytes`;
    this.offsetWidth = bytes.length > 0xffff ? 8 : 4;
    this.version++;
    // Lines past the end stay in the pool, hidden: empty them so no old byte or mark lingers.
    for (const node of this.list.pool) this.fillLine(node, Infinity);
    this.list.reset(Math.ceil(this.shown / PER_LINE));
    this.describe(null);
  }

  /** Shows every byte of a frame larger than FIRST_RENDER_BYTES (still only the lines on screen). */
  showAll() {
    this.shown = this.bytes.length;
    this.moreBox.hidden = true;
    const top = this.list.virtualTop();
    this.list.count = Math.ceil(this.shown / PER_LINE);
    this.list.scroller.setAttribute('aria-rowcount', String(this.list.count + 1));
    this.list.layout();
    this.list.setVirtualTop(top);
  }

  /** Writes line `line` (bytes line*16 …) into `node`, with the marks of each byte. */
  fillLine(node, line) {
    const start = line * PER_LINE;
    node.off.textContent = Number.isFinite(start) ? start.toString(16).padStart(this.offsetWidth, '0') : '';
    for (let k = 0; k < PER_LINE; k++) {
      const i = start + k;
      const present = i < this.shown;
      const cls = present ? `b${this.marks(i)}` : 'b';
      for (const span of [node.hex[k], node.ascii[k]]) {
        span.byteIndex = present ? i : undefined;
        span.hidden = !present;
        span.className = cls;
      }
      node.hex[k].textContent = present ? HEX[this.bytes[i]] : '';
      node.ascii[k].textContent = present ? ASCII[this.bytes[i]] : '';
    }
  }

  /** The mark classes of byte `i` (' layer', ' problem', ' sel'). */
  marks(i) {
    let cls = '';
    if (inRange(this.layer, i)) cls += ' layer';
    if (this.problems.some(([start, len]) => i >= start && i < start + len)) cls += ' problem';
    if (inRange(this.sel, i)) cls += ' sel';
    return cls;
  }

  /** Highlights `node`'s bytes strongly and `layer`'s faintly; either may be null. */
  highlight(node, layer) {
    this.layer = hasRange(layer) ? { start: layer.start, len: layer.len } : null;
    this.sel = hasRange(node) ? { start: node.start, len: node.len } : null;
    this.version++;
    this.list.invalidate();
    if (this.sel && this.sel.start < this.shown) this.center(Math.floor(this.sel.start / PER_LINE));
    this.describe(this.sel ? node : null);
  }

  /** Scrolls line `line` to the middle of the view unless it is on screen already. */
  center(line) {
    const list = this.list;
    const top = line * LINE_H;
    const v = list.virtualTop();
    if (top < v || top + LINE_H > v + list.viewHeight) list.setVirtualTop(top - (list.viewHeight - LINE_H) / 2);
  }

  describe(node) {
    const total = `${this.bytes.length.toLocaleString('en-US')} bytes captured`;
    if (!node) {
      this.footer.textContent = this.bytes.length ? total : '';
      return;
    }
    const end = node.start + node.len - 1;
    const range = node.len === 1 ? `byte ${node.start}` : `bytes ${node.start}–${end}`;
    this.footer.textContent = `${range} (${node.len} ${node.len === 1 ? 'byte' : 'bytes'}, 0x${node.start.toString(16)}) · ${total}`;
  }
}

/** One line's elements: offset, 16 hex and 16 ASCII byte cells (kept on the node). */
function makeLine() {
  const off = el('span', { class: 'hex-off' });
  const hex = Array.from({ length: PER_LINE }, () => el('span', { class: 'b' }));
  const ascii = Array.from({ length: PER_LINE }, () => el('span', { class: 'b' }));
  const node = el('div', { class: 'hex-line', attrs: { role: 'row' } },
    off, el('span', { class: 'hex-bytes' }, hex), el('span', { class: 'hex-ascii' }, ascii));
  node.off = off;
  node.hex = hex;
  node.ascii = ascii;
  return node;
}

function inRange(range, i) {
  return range !== null && i >= range.start && i < range.start + range.len;
}

function hasRange(node) {
  return node && typeof node.start === 'number' && node.len > 0;
}
