// A sortable, keyboard-driven table in a VirtualList like the packet list: only the rows on
// screen exist in the DOM, so a hundred thousand rows cost nothing to show. Cells get
// textContent. Its rows are either held here (`setRows`: a short list, sorted here) or paged
// (`setSource`: the worker keeps every row and sorts them; this table asks for the rows on
// screen through a RowCache, the packet list's, and for the sort).
//
// Columns: {key, title, num?, width?, tip?, value(row) → text, sort?(row) → number|string|bigint,
// cls?(row) → extra cell class}. Rows may get a class from `rowClass(row)`.
//
// A paged source: {view({sort: {key, dir}|null, keep: index|null}) → Promise<{total, position}>
// (applies the sort; `position` is where row `keep` now is, -1 if not shown), rows(start,
// count) → Promise<rows> (each with `index`, its place in the source's given order)}.

import { el } from './dom.js';
import { RowCache } from './row-cache.js';
import { VirtualList } from './virtual-list.js';

const ROW_H = 22;

export class DataTable {
  /**
   * `onSelect(row)` when the selection moves, `onActivate(row)` on Enter or double-click.
   * `sort` is the initial {key, dir: 1|-1}, or null to keep the given order.
   */
  constructor(root, { columns, label, rowClass = () => '', onSelect = () => {}, onActivate = () => {}, sort = null, empty = 'Nothing to show.' }) {
    this.root = root;
    this.columns = columns;
    this.rowClass = rowClass;
    this.onSelect = onSelect;
    this.onActivate = onActivate;
    this.sortState = sort;
    this.emptyText = empty;
    this.rows = [];
    this.order = []; // indexes into rows, in display order (rows held here)
    this.source = null; // the paged source, or null
    this.cache = null; // its RowCache
    this.viewSeq = 0; // the latest setRows/setSource/sort: older answers are dropped
    this.notified = null; // the row last handed to onSelect
    this.build(label);
  }

  build(label) {
    this.root.classList.add('dtable');
    this.root.style.setProperty('--dt-cols', this.columns.map((c) => c.width ?? 'minmax(6ch, 1fr)').join(' '));
    this.head = el('div', { class: 'dt-head', attrs: { role: 'row' } });
    for (const col of this.columns) {
      const button = el('button', {
        type: 'button',
        class: `dt-hcell${col.num ? ' num' : ''}`,
        title: col.tip ?? `Sort by ${col.title}`,
        attrs: { role: 'columnheader', 'aria-sort': 'none' },
      }, el('span', { class: 'dt-htext', text: col.title }));
      button.dataset.key = col.key;
      button.addEventListener('click', () => this.sortBy(col.key));
      col.header = button;
      this.head.append(button);
    }
    this.list = new VirtualList({
      prefix: 'dt',
      label,
      columns: this.columns.length,
      head: this.head,
      rowHeight: () => ROW_H,
      makeRow: () => this.makeRow(),
      fillRow: (node, pos, selected) => this.fill(node, pos, selected),
      rowKey: (pos) => (this.source ? String(this.rowAt(pos)?.index ?? '') : String(this.order[pos])),
      selectedId: `${this.root.id}-selected`,
      onSelect: () => {
        this.notified = null;
        this.notifySelection();
      },
      onRange: (first, span) => {
        if (!this.source) return;
        this.cache.want(first, first + span);
        this.cache.want(Math.max(0, first - span), first + 2 * span); // read ahead both ways
      },
      onActivate: () => this.activate(),
      ctrlMoves: false,
    });
    this.emptyBox = el('div', { class: 'pane-empty dt-empty' });
    this.root.replaceChildren(this.head, this.list.scroller, this.emptyBox);
  }

  /** Shows `rows` (keeping the current sort); the selection is cleared. */
  setRows(rows, { empty } = {}) {
    this.source = null;
    this.viewSeq++;
    this.rows = rows;
    this.applySort();
    this.showCount(rows.length, empty);
  }

  /**
   * Shows the rows of a paged `source` in the current sort; the selection is cleared. Resolves
   * once the count is known.
   */
  async setSource(source, { empty } = {}) {
    this.source = source;
    this.rows = [];
    this.order = [];
    const seq = ++this.viewSeq;
    this.cache = new RowCache((start, count) => source.rows(start, count), () => this.afterLoad());
    this.markSort();
    this.list.invalidate(); // the rows on screen show as loading until the new ones arrive
    const { total } = await source.view({ sort: this.sortState, keep: null });
    if (seq !== this.viewSeq) return;
    this.cache.reset(total);
    this.showCount(total, empty);
  }

  showCount(count, empty) {
    if (empty) this.emptyText = empty;
    this.emptyBox.textContent = this.emptyText;
    this.emptyBox.hidden = count > 0;
    this.notified = null;
    this.list.reset(count);
  }

  /** The row shown at display position `pos` (undefined while a paged row is on its way). */
  rowAt(pos) {
    return this.source ? this.cache.get(pos) : this.rows[this.order[pos]];
  }

  get selectedRow() {
    const pos = this.list.selected;
    return pos >= 0 ? this.rowAt(pos) : undefined;
  }

  /** Rows in display order (for tests and exports; rows held here only). */
  displayed() {
    return this.order.map((i) => this.rows[i]);
  }

  async sortBy(key) {
    const current = this.sortState;
    const col = this.columns.find((c) => c.key === key);
    // Numbers sort largest first on the first click, text A→Z.
    const first = col?.num ? -1 : 1;
    this.sortState = { key, dir: current?.key === key ? -current.dir : first };
    const keep = this.selectedRow;
    if (!this.source) {
      this.applySort();
      if (keep) this.select(this.order.findIndex((i) => this.rows[i] === keep), { notify: false });
      this.list.invalidate();
      return;
    }
    this.markSort();
    const seq = ++this.viewSeq;
    this.cache.reset(this.list.count); // what is on screen is the old order: loading until the new
    this.list.invalidate();
    const { total, position } = await this.source.view({ sort: this.sortState, keep: keep?.index ?? null });
    if (seq !== this.viewSeq) return;
    this.cache.reset(total);
    this.list.selected = -1;
    this.notified = keep ?? null;
    if (position >= 0) this.select(position, { notify: false });
    this.list.invalidate();
  }

  /** Shows the sort on the column headers. */
  markSort() {
    const state = this.sortState;
    for (const col of this.columns) {
      col.header.setAttribute('aria-sort', state?.key === col.key ? (state.dir > 0 ? 'ascending' : 'descending') : 'none');
    }
  }

  applySort() {
    this.order = this.rows.map((_, i) => i);
    const state = this.sortState;
    this.markSort();
    if (!state) return;
    const col = this.columns.find((c) => c.key === state.key);
    if (!col) return;
    const keyOf = col.sort ?? col.value;
    const keys = this.rows.map((r) => keyOf(r));
    const cmp = (a, b) => {
      if (a === b) return 0;
      if (a === null || a === undefined) return 1; // blanks last either way
      if (b === null || b === undefined) return -1;
      if (typeof a === 'string' && typeof b === 'string') return a.localeCompare(b, 'en', { numeric: true });
      return a < b ? -1 : 1;
    };
    // Stable: ties keep the given order.
    this.order.sort((x, y) => {
      const kx = keys[x];
      const ky = keys[y];
      const blank = (kx === null || kx === undefined) - (ky === null || ky === undefined);
      if (blank) return blank;
      return state.dir * cmp(kx, ky) || x - y;
    });
  }

  /** A paged block arrived: refill the rows on screen, report a selection that waited for it. */
  afterLoad() {
    this.list.invalidate();
    this.notifySelection();
  }

  notifySelection() {
    const row = this.selectedRow;
    if (row && row !== this.notified) {
      this.notified = row;
      this.onSelect(row);
    }
  }

  focus() {
    this.list.focus();
  }

  makeRow() {
    const row = el('div', { class: 'dt-row', attrs: { role: 'row' } });
    row.cells = this.columns.map((col) => {
      const cell = el('span', { class: `dt-cell${col.num ? ' num' : ''}`, attrs: { role: 'gridcell' } });
      row.append(cell);
      return cell;
    });
    return row;
  }

  fill(node, pos, selected) {
    const row = this.rowAt(pos);
    node.className = `dt-row ${row ? this.rowClass(row) ?? '' : 'loading'}${selected ? ' selected' : ''}`;
    this.columns.forEach((col, c) => {
      const cell = node.cells[c];
      const text = row ? col.value(row) ?? '' : '';
      cell.textContent = text;
      cell.title = text;
      cell.className = `dt-cell${col.num ? ' num' : ''}${col.cls && row ? ` ${col.cls(row) ?? ''}` : ''}`;
    });
  }

  /** Selects display position `pos`, scrolling it into view. */
  select(pos, { notify = true } = {}) {
    if (pos < 0) return;
    this.list.select(pos, { notify });
  }

  activate() {
    const row = this.selectedRow;
    if (row) this.onActivate(row);
  }
}
