// The packet list: a virtual grid with a fixed row height. Only the rows on screen exist in the
// DOM (a small pool of row elements, refilled as the view scrolls); row data comes from the
// worker through RowCache, a block at a time.
//
// Browsers cap how tall an element may be (Firefox ~17.9 M px), so past MAX_SCROLL_PX the
// scrollbar is scaled: the scroll position is mapped linearly onto the full virtual height.

import { el } from './dom.js';
import { rowTime } from './format.js';
import { RowCache } from './row-cache.js';

const MAX_SCROLL_PX = 15_000_000;
const ROW_CLASSES = new Set(['tcp', 'udp', 'icmp', 'arp', 'dns', 'http', 'tls', 'bad', 'warn', 'other']);

const COLUMNS = [
  { key: 'no', title: 'No.', numeric: true, resizable: true },
  { key: 'time', title: 'Time', numeric: true, resizable: true },
  { key: 'src', title: 'Source', resizable: true, tooltip: true },
  { key: 'dst', title: 'Destination', resizable: true, tooltip: true },
  { key: 'protocol', title: 'Protocol', resizable: true },
  { key: 'length', title: 'Length', numeric: true, resizable: true },
  { key: 'info', title: 'Info', tooltip: true },
];

const TIME_TITLES = { relative: 'Time', absolute: 'Time (UTC)', delta: 'Delta' };

export class PacketList {
  /**
   * `fetchRows(start, count)` resolves with rows; `onSelect(row)` is called when the selected
   * row's data is known; `onActivate(row)` on Enter or double-click.
   */
  constructor(root, { fetchRows, onSelect = () => {}, onActivate = () => {} }) {
    this.root = root;
    this.onSelect = onSelect;
    this.onActivate = onActivate;
    this.cache = new RowCache(fetchRows, () => this.afterLoad());
    this.count = 0;
    this.timeMode = 'relative';
    this.selected = -1; // row index
    this.notified = null; // the row object last handed to onSelect
    this.pool = [];
    this.build();
  }

  build() {
    this.head = el('div', { class: 'plist-head', attrs: { role: 'row' } });
    for (const col of COLUMNS) {
      const cell = el('div', {
        class: `plist-hcell col-${col.key}${col.numeric ? ' num' : ''}`,
        attrs: { role: 'columnheader' },
      }, el('span', { class: 'plist-htext', text: col.title }));
      if (col.resizable) cell.append(this.resizer(col.key));
      this.head.append(cell);
    }
    this.timeHeader = this.head.querySelector('.col-time .plist-htext');
    this.rowsBox = el('div', { class: 'plist-rows' });
    this.viewport = el('div', { class: 'plist-viewport' }, this.rowsBox);
    this.spacer = el('div', { class: 'plist-spacer' });
    this.scroller = el('div', {
      class: 'plist-scroll',
      tabIndex: 0,
      attrs: { role: 'grid', 'aria-label': 'Packets', 'aria-rowcount': 1, 'aria-colcount': COLUMNS.length },
    }, this.viewport, this.spacer);
    this.root.replaceChildren(this.head, this.scroller);

    this.scroller.addEventListener('scroll', () => this.render());
    this.scroller.addEventListener('keydown', (e) => this.onKey(e));
    this.scroller.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.rowsBox.addEventListener('mousedown', (e) => this.onClick(e));
    this.rowsBox.addEventListener('dblclick', () => this.activate());
    new ResizeObserver(() => this.layout()).observe(this.scroller);
  }

  /** A drag handle on a header cell that sets the column's width variable. */
  resizer(key) {
    const handle = el('span', { class: 'plist-resize', attrs: { 'aria-hidden': 'true' } });
    handle.addEventListener('pointerdown', (down) => {
      down.preventDefault();
      const cell = handle.parentElement;
      const startWidth = cell.getBoundingClientRect().width;
      handle.setPointerCapture(down.pointerId);
      const move = (e) => {
        const width = Math.max(32, Math.round(startWidth + e.clientX - down.clientX));
        this.root.style.setProperty(`--w-${key}`, `${width}px`);
      };
      const up = () => {
        handle.removeEventListener('pointermove', move);
        handle.removeEventListener('pointerup', up);
      };
      handle.addEventListener('pointermove', move);
      handle.addEventListener('pointerup', up);
    });
    return handle;
  }

  /** Shows a new list of `count` rows, scrolled to the top, nothing selected. */
  reset(count) {
    this.count = count;
    this.cache.reset(count);
    this.root.style.setProperty('--w-no-auto', `${Math.max(3, String(count).length) + 3}ch`);
    this.selected = -1;
    this.notified = null;
    this.scroller.setAttribute('aria-rowcount', String(count + 1));
    this.scroller.scrollTop = 0;
    this.layout();
  }

  /** Widens the relative/delta Time column for captures spanning `seconds` (e.g. 12345.123456). */
  setTimeSpan(seconds) {
    const digits = Math.max(1, Math.floor(Math.log10(Math.max(1, seconds || 0))) + 1);
    this.root.style.setProperty('--w-time-auto', `${digits + 10}ch`);
  }

  setTimeMode(mode) {
    this.timeMode = mode;
    this.root.dataset.time = mode;
    this.timeHeader.textContent = TIME_TITLES[mode] ?? 'Time';
    for (const node of this.pool) node.filled = null;
    this.render();
  }

  focus() {
    this.scroller.focus({ preventScroll: true });
  }

  /** Recomputes sizes after a resize or a new count, then renders. */
  layout() {
    this.rowHeight = parseFloat(getComputedStyle(this.root).getPropertyValue('--row-h')) || 22;
    this.viewHeight = this.scroller.clientHeight;
    const total = this.count * this.rowHeight;
    const content = Math.max(Math.min(total, MAX_SCROLL_PX), this.viewHeight);
    this.maxScroll = content - this.viewHeight;
    this.maxVirtual = Math.max(0, total - this.viewHeight);
    this.viewport.style.height = `${this.viewHeight}px`;
    this.spacer.style.height = `${content - this.viewHeight}px`;
    this.head.style.paddingRight = `${this.scroller.offsetWidth - this.scroller.clientWidth}px`;
    const needed = Math.ceil(this.viewHeight / this.rowHeight) + 1;
    while (this.pool.length < needed) this.pool.push(this.makeRow());
    while (this.pool.length > needed) this.pool.pop().remove();
    this.render();
  }

  makeRow() {
    const row = el('div', { class: 'row', attrs: { role: 'row' } });
    row.cells = COLUMNS.map((col) => {
      const cell = el('span', { class: `cell col-${col.key}${col.numeric ? ' num' : ''}`, attrs: { role: 'gridcell' } });
      row.append(cell);
      return cell;
    });
    row.filled = null;
    this.rowsBox.append(row);
    return row;
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

  /** Index of the first row (partly) on screen and how many rows fit. */
  get firstVisible() {
    return Math.floor(this.virtualTop() / this.rowHeight);
  }

  get pageRows() {
    return Math.max(1, Math.floor(this.viewHeight / this.rowHeight) - 1);
  }

  render() {
    if (!this.rowHeight) return;
    const top = this.virtualTop();
    const first = Math.floor(top / this.rowHeight);
    this.rowsBox.style.transform = `translateY(${-(top - first * this.rowHeight)}px)`;
    for (let k = 0; k < this.pool.length; k++) this.fill(this.pool[k], first + k);
    const span = this.pool.length;
    this.cache.want(first, first + span);
    this.cache.want(Math.max(0, first - span), first + 2 * span); // read ahead both ways
  }

  fill(node, index) {
    if (index >= this.count) {
      node.hidden = true;
      node.filled = null;
      return;
    }
    node.hidden = false;
    const row = this.cache.get(index);
    const selected = index === this.selected;
    const key = `${index}|${selected}|${this.timeMode}|${row ? 1 : 0}`;
    if (node.filled === key) return;
    node.filled = key;
    node.index = index;
    node.setAttribute('aria-rowindex', String(index + 2));
    node.setAttribute('aria-selected', String(selected));
    if (selected) node.id = 'plist-selected';
    else if (node.id) node.removeAttribute('id');
    const cls = row && ROW_CLASSES.has(row.class) ? row.class : 'other';
    node.className = `row c-${cls}${selected ? ' selected' : ''}${row ? '' : ' loading'}`;
    const values = row ? this.values(row) : ['', '', '', '', '', '', ''];
    for (let c = 0; c < values.length; c++) {
      const cell = node.cells[c];
      if (cell.textContent !== values[c]) cell.textContent = values[c];
      if (COLUMNS[c].tooltip) cell.title = values[c];
    }
    node.dataset.no = row ? String(row.no) : '';
  }

  values(row) {
    return [
      String(row.no),
      rowTime(row, this.timeMode),
      row.src ?? '',
      row.dst ?? '',
      row.protocol ?? '',
      String(row.length),
      row.info ?? '',
    ];
  }

  afterLoad() {
    for (const node of this.pool) node.filled = null;
    this.render();
    this.notifySelection();
  }

  /** Selects row `index` (clamped), scrolls it into view and reports it once its data is here. */
  select(index) {
    if (this.count === 0) return;
    this.selected = Math.max(0, Math.min(this.count - 1, index));
    this.scroller.setAttribute('aria-activedescendant', 'plist-selected');
    this.reveal(this.selected);
    this.render();
    this.notifySelection();
  }

  /** The selected row's data, if known. */
  get selectedRow() {
    return this.selected >= 0 ? this.cache.get(this.selected) : undefined;
  }

  reveal(index) {
    const top = index * this.rowHeight;
    const v = this.virtualTop();
    if (top < v) this.setVirtualTop(top);
    else if (top + this.rowHeight > v + this.viewHeight) this.setVirtualTop(top + this.rowHeight - this.viewHeight);
  }

  notifySelection() {
    const row = this.selectedRow;
    if (row && row !== this.notified) {
      this.notified = row;
      this.onSelect(row);
    }
  }

  activate() {
    const row = this.selectedRow;
    if (row) this.onActivate(row);
  }

  onClick(event) {
    const node = event.target.closest('.row');
    if (!node || node.index === undefined || event.button !== 0) return;
    this.focus();
    this.select(node.index);
  }

  onKey(event) {
    const moves = {
      ArrowDown: () => this.selected + 1,
      ArrowUp: () => (this.selected < 0 ? 0 : this.selected - 1),
      PageDown: () => Math.max(this.selected, 0) + this.pageRows,
      PageUp: () => this.selected - this.pageRows,
      Home: () => 0,
      End: () => this.count - 1,
    };
    if (event.key === 'Enter') {
      event.preventDefault();
      this.activate();
      return;
    }
    const move = moves[event.key];
    if (!move || event.altKey || event.metaKey) return;
    event.preventDefault();
    this.select(move());
  }

  /** Where the scrollbar is scaled, a wheel notch still moves the same number of rows. */
  onWheel(event) {
    if (this.scale < 1.5 || event.ctrlKey) return;
    event.preventDefault();
    const unit = event.deltaMode === 1 ? this.rowHeight : event.deltaMode === 2 ? this.viewHeight : 1;
    this.setVirtualTop(this.virtualTop() + event.deltaY * unit);
  }
}
