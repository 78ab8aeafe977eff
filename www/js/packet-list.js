// The packet list: the capture's rows in a VirtualList (only the rows on screen exist in the
// DOM, the scrollbar scaled past browsers' maximum element height), with resizable columns; row
// data comes from the worker through RowCache, a block at a time.

import { el } from './dom.js';
import { rowTime } from './format.js';
import { RowCache } from './row-cache.js';
import { VirtualList } from './virtual-list.js';

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
    this.timeMode = 'relative';
    this.notified = null; // the row object last handed to onSelect
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
    this.list = new VirtualList({
      prefix: 'plist',
      label: 'Packets',
      columns: COLUMNS.length,
      head: this.head,
      rowHeight: () => parseFloat(getComputedStyle(this.root).getPropertyValue('--row-h')) || 22,
      makeRow: () => this.makeRow(),
      fillRow: (node, index, selected) => this.fill(node, index, selected),
      rowKey: (index) => `${this.timeMode}|${this.cache.get(index) ? 1 : 0}`,
      selectedId: 'plist-selected',
      onSelect: () => this.notifySelection(),
      onActivate: () => this.activate(),
      onRange: (first, span) => {
        this.cache.want(first, first + span);
        this.cache.want(Math.max(0, first - span), first + 2 * span); // read ahead both ways
      },
    });
    this.root.replaceChildren(this.head, this.list.scroller);
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
    this.cache.reset(count);
    this.root.style.setProperty('--w-no-auto', `${Math.max(3, String(count).length) + 3}ch`);
    this.notified = null;
    this.list.reset(count);
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
    this.list.invalidate();
  }

  focus() {
    this.list.focus();
  }

  makeRow() {
    const row = el('div', { class: 'row', attrs: { role: 'row' } });
    row.cells = COLUMNS.map((col) => {
      const cell = el('span', { class: `cell col-${col.key}${col.numeric ? ' num' : ''}`, attrs: { role: 'gridcell' } });
      row.append(cell);
      return cell;
    });
    return row;
  }

  fill(node, index, selected) {
    const row = this.cache.get(index);
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
    this.list.invalidate();
    this.notifySelection();
  }

  /** Selects row `index` (clamped), scrolls it into view and reports it once its data is here. */
  select(index) {
    this.list.select(index);
  }

  /** The selected row's data, if known. */
  get selectedRow() {
    const index = this.list.selected;
    return index >= 0 ? this.cache.get(index) : undefined;
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
}
