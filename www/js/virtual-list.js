// The virtual list under every table (the packet list, DataTable) and the hex view's lines:
// fixed-height rows in a
// scroller, where only the rows on screen exist in the DOM (a small pool of row elements, refilled
// as the view scrolls), plus the selection, the keyboard and the mouse that move it.
//
// Browsers cap how tall an element may be (Firefox ~17.9 M px), so past MAX_SCROLL_PX the
// scrollbar is scaled: the scroll position is mapped linearly onto the full virtual height.
//
// The owner builds the header and the row content; this module only positions rows. DOM, with
// `prefix` e.g. 'plist': scroller `.{prefix}-scroll` (role grid) > viewport `.{prefix}-viewport`
// (sticky, one screen tall) > rows box `.{prefix}-rows` (translated by the sub-row offset), and a
// spacer `.{prefix}-spacer` giving the scroller its height.

import { el } from './dom.js';

const MAX_SCROLL_PX = 15_000_000;

export class VirtualList {
  /**
   * - `prefix`: class-name prefix of the scroller, viewport, rows box and spacer.
   * - `label`, `columns`: the grid's aria-label and aria-colcount.
   * - `head`: the header row, padded on the right by the scrollbar's width.
   * - `rowHeight()`: the row height in px, read again at every layout.
   * - `makeRow()` → a new row element (the list appends it).
   * - `fillRow(node, index, selected)`: writes row `index` into `node` (with textContent).
   * - `rowKey(index)`: what besides the index and the selection decides a row's content; a row
   *   whose key is unchanged is not refilled (invalidate() forgets every key).
   * - `selectedId`: the id given to the selected row's element (aria-activedescendant).
   * - `onSelect(index)` after select() (unless {notify: false}); `onActivate()` on Enter or a
   *   double-click; `onRange(first, count)` after each render with the rows on screen.
   * - `ctrlMoves`: whether Ctrl+arrow/Page/Home/End move the selection too.
   * - `selectable`: false for a list whose rows are not chosen (the hex view's lines): the
   *   keys scroll it instead, and a click selects nothing.
   */
  constructor({
    prefix, label, columns, head = null, rowHeight, makeRow, fillRow, rowKey = () => '', selectedId,
    onSelect = () => {}, onActivate = () => {}, onRange = () => {}, ctrlMoves = true, selectable = true,
  }) {
    this.head = head;
    this.selectedId = selectedId;
    this.ctrlMoves = ctrlMoves;
    this.selectable = selectable;
    this.rowHeight = 0; // px, set by layout()
    this.hooks = { rowHeight, makeRow, fillRow, rowKey, onSelect, onActivate, onRange };
    this.count = 0;
    this.selected = -1; // row index
    this.pool = [];
    this.rowsBox = el('div', { class: `${prefix}-rows` });
    this.viewport = el('div', { class: `${prefix}-viewport` }, this.rowsBox);
    this.spacer = el('div', { class: `${prefix}-spacer` });
    this.scroller = el('div', {
      class: `${prefix}-scroll`,
      tabIndex: 0,
      attrs: { role: 'grid', 'aria-label': label, 'aria-rowcount': 1, 'aria-colcount': columns },
    }, this.viewport, this.spacer);

    this.scroller.addEventListener('scroll', () => this.render());
    this.scroller.addEventListener('keydown', (e) => this.onKey(e));
    this.scroller.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.rowsBox.addEventListener('mousedown', (e) => this.onClick(e));
    this.rowsBox.addEventListener('dblclick', () => this.hooks.onActivate());
    new ResizeObserver(() => this.layout()).observe(this.scroller);
  }

  /** Shows `count` rows, scrolled to the top, nothing selected. */
  reset(count) {
    this.count = count;
    this.selected = -1;
    this.scroller.setAttribute('aria-rowcount', String(count + 1));
    this.scroller.scrollTop = 0;
    for (const node of this.pool) node.filled = null;
    this.layout();
  }

  focus() {
    this.scroller.focus({ preventScroll: true });
  }

  /** Recomputes sizes after a resize or a new count, then renders. */
  layout() {
    this.rowHeight = this.hooks.rowHeight();
    this.viewHeight = this.scroller.clientHeight;
    const total = this.count * this.rowHeight;
    const content = Math.max(Math.min(total, MAX_SCROLL_PX), this.viewHeight);
    this.maxScroll = content - this.viewHeight;
    this.maxVirtual = Math.max(0, total - this.viewHeight);
    this.viewport.style.height = `${this.viewHeight}px`;
    this.spacer.style.height = `${content - this.viewHeight}px`;
    if (this.head) this.head.style.paddingRight = `${this.scroller.offsetWidth - this.scroller.clientWidth}px`;
    const needed = Math.ceil(this.viewHeight / this.rowHeight) + 1;
    while (this.pool.length < needed) {
      const node = this.hooks.makeRow();
      node.filled = null;
      this.rowsBox.append(node);
      this.pool.push(node);
    }
    while (this.pool.length > needed) this.pool.pop().remove();
    this.render();
  }

  /** Scaling factor between virtual pixels and scroll pixels (1 when not scaled). */
  get scale() {
    return this.maxScroll > 0 ? this.maxVirtual / this.maxScroll : 1;
  }

  virtualTop() {
    return Math.min(this.maxVirtual, this.scroller.scrollTop * this.scale);
  }

  setVirtualTop(v) {
    const clamped = Math.max(0, Math.min(this.maxVirtual, v));
    this.scroller.scrollTop = this.maxVirtual > 0 ? clamped / this.scale : 0;
    this.render();
  }

  /** How many rows a Page Up/Down moves. */
  get pageRows() {
    return Math.max(1, Math.floor(this.viewHeight / this.rowHeight) - 1);
  }

  /** Refills every row on screen (their data changed). */
  invalidate() {
    for (const node of this.pool) node.filled = null;
    this.render();
  }

  render() {
    if (!this.rowHeight) return;
    const top = this.virtualTop();
    const first = Math.floor(top / this.rowHeight);
    this.rowsBox.style.transform = `translateY(${-(top - first * this.rowHeight)}px)`;
    for (let k = 0; k < this.pool.length; k++) this.fill(this.pool[k], first + k);
    this.hooks.onRange(first, this.pool.length);
  }

  fill(node, index) {
    if (index >= this.count) {
      node.hidden = true;
      node.filled = null;
      return;
    }
    node.hidden = false;
    const selected = index === this.selected;
    const key = `${index}|${selected}|${this.hooks.rowKey(index)}`;
    if (node.filled === key) return;
    node.filled = key;
    node.index = index;
    node.setAttribute('aria-rowindex', String(index + 2));
    node.setAttribute('aria-selected', String(selected));
    if (selected) node.id = this.selectedId;
    else if (node.id) node.removeAttribute('id');
    this.hooks.fillRow(node, index, selected);
  }

  /** Selects row `index` (clamped) and scrolls it into view. */
  select(index, { notify = true } = {}) {
    if (this.count === 0) return;
    this.selected = Math.max(0, Math.min(this.count - 1, index));
    this.scroller.setAttribute('aria-activedescendant', this.selectedId);
    this.reveal(this.selected);
    this.render();
    if (notify) this.hooks.onSelect(this.selected);
  }

  reveal(index) {
    const top = index * this.rowHeight;
    const v = this.virtualTop();
    if (top < v) this.setVirtualTop(top);
    else if (top + this.rowHeight > v + this.viewHeight) this.setVirtualTop(top + this.rowHeight - this.viewHeight);
  }

  onClick(event) {
    let node = event.target;
    while (node && node.parentElement !== this.rowsBox) node = node.parentElement;
    if (!this.selectable || !node || node.index === undefined || event.button !== 0) return;
    this.focus();
    this.select(node.index);
  }

  onKey(event) {
    const moves = {
      ArrowDown: () => this.selected + 1,
      ArrowUp: () => Math.max(0, this.selected - 1),
      PageDown: () => Math.max(this.selected, 0) + this.pageRows,
      PageUp: () => Math.max(0, this.selected - this.pageRows),
      Home: () => 0,
      End: () => this.count - 1,
    };
    if (!this.selectable) {
      this.scrollByKey(event);
      return;
    }
    if (event.key === 'Enter') {
      event.preventDefault();
      this.hooks.onActivate();
      return;
    }
    const move = moves[event.key];
    if (!move || event.altKey || event.metaKey || (event.ctrlKey && !this.ctrlMoves)) return;
    event.preventDefault();
    this.select(move());
  }

  /** Arrows, Page Up/Down, Home and End scroll a list without selection. */
  scrollByKey(event) {
    const rows = { ArrowDown: 1, ArrowUp: -1, PageDown: this.pageRows, PageUp: -this.pageRows, Home: -this.count, End: this.count }[event.key];
    if (rows === undefined || event.altKey || event.metaKey || event.ctrlKey) return;
    event.preventDefault();
    this.setVirtualTop(this.virtualTop() + rows * this.rowHeight);
  }

  /** Scrolls so that row `index` is on screen (nearest edge), without selecting it. */
  scrollTo(index) {
    this.reveal(Math.max(0, Math.min(this.count - 1, index)));
  }

  /** Where the scrollbar is scaled, a wheel notch still moves the same number of rows. */
  onWheel(event) {
    if (this.scale < 1.5 || event.ctrlKey) return;
    event.preventDefault();
    const unit = event.deltaMode === 1 ? this.rowHeight : event.deltaMode === 2 ? this.viewHeight : 1;
    this.setVirtualTop(this.virtualTop() + event.deltaY * unit);
  }
}
