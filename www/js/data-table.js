// A sortable, keyboard-driven table over rows held in memory (conversations, connection
// attempts, a stream's segments). Virtual like the packet list: only the rows on screen exist in
// the DOM, so a hundred thousand rows cost nothing to show. Cells are filled with textContent.
//
// Columns: {key, title, num?, width?, tip?, value(row) → text, sort?(row) → number|string|bigint,
// cls?(row) → extra cell class}. Rows may get a class from `rowClass(row)`.

import { el } from './dom.js';

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
    this.order = []; // indexes into rows, in display order
    this.selected = -1; // position in `order`
    this.pool = [];
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
    this.rowsBox = el('div', { class: 'dt-rows' });
    this.viewport = el('div', { class: 'dt-viewport' }, this.rowsBox);
    this.spacer = el('div', { class: 'dt-spacer' });
    this.scroller = el('div', {
      class: 'dt-scroll',
      tabIndex: 0,
      attrs: { role: 'grid', 'aria-label': label, 'aria-rowcount': 1, 'aria-colcount': this.columns.length },
    }, this.viewport, this.spacer);
    this.emptyBox = el('div', { class: 'pane-empty dt-empty' });
    this.root.replaceChildren(this.head, this.scroller, this.emptyBox);
    this.scroller.addEventListener('scroll', () => this.render());
    this.scroller.addEventListener('keydown', (e) => this.onKey(e));
    this.rowsBox.addEventListener('mousedown', (e) => this.onClick(e));
    this.rowsBox.addEventListener('dblclick', () => this.activate());
    new ResizeObserver(() => this.layout()).observe(this.scroller);
  }

  /** Shows `rows` (keeping the current sort); the selection is cleared. */
  setRows(rows, { empty } = {}) {
    this.rows = rows;
    if (empty) this.emptyText = empty;
    this.selected = -1;
    this.applySort();
    this.scroller.scrollTop = 0;
    this.emptyBox.textContent = this.emptyText;
    this.emptyBox.hidden = rows.length > 0;
    this.scroller.setAttribute('aria-rowcount', String(rows.length + 1));
    this.layout();
  }

  /** The row shown at display position `pos`. */
  rowAt(pos) {
    return this.rows[this.order[pos]];
  }

  get selectedRow() {
    return this.selected >= 0 ? this.rowAt(this.selected) : undefined;
  }

  /** Rows in display order (for tests and exports). */
  displayed() {
    return this.order.map((i) => this.rows[i]);
  }

  sortBy(key) {
    const current = this.sortState;
    const col = this.columns.find((c) => c.key === key);
    // Numbers sort largest first on the first click, text A→Z.
    const first = col?.num ? -1 : 1;
    this.sortState = { key, dir: current?.key === key ? -current.dir : first };
    const keep = this.selectedRow;
    this.applySort();
    if (keep) this.select(this.order.findIndex((i) => this.rows[i] === keep), { notify: false });
    this.invalidate();
  }

  applySort() {
    this.order = this.rows.map((_, i) => i);
    const state = this.sortState;
    for (const col of this.columns) {
      col.header.setAttribute('aria-sort', state?.key === col.key ? (state.dir > 0 ? 'ascending' : 'descending') : 'none');
    }
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

  focus() {
    this.scroller.focus({ preventScroll: true });
  }

  layout() {
    this.viewHeight = this.scroller.clientHeight;
    const total = this.order.length * ROW_H;
    this.spacer.style.height = `${Math.max(0, total - this.viewHeight)}px`;
    this.viewport.style.height = `${this.viewHeight}px`;
    this.head.style.paddingRight = `${this.scroller.offsetWidth - this.scroller.clientWidth}px`;
    const needed = Math.ceil(this.viewHeight / ROW_H) + 1;
    while (this.pool.length < needed) this.pool.push(this.makeRow());
    while (this.pool.length > needed) this.pool.pop().remove();
    this.invalidate();
  }

  makeRow() {
    const row = el('div', { class: 'dt-row', attrs: { role: 'row' } });
    row.cells = this.columns.map((col) => {
      const cell = el('span', { class: `dt-cell${col.num ? ' num' : ''}`, attrs: { role: 'gridcell' } });
      row.append(cell);
      return cell;
    });
    this.rowsBox.append(row);
    return row;
  }

  invalidate() {
    for (const node of this.pool) node.filledKey = null;
    this.render();
  }

  render() {
    const top = this.scroller.scrollTop;
    const first = Math.floor(top / ROW_H);
    this.rowsBox.style.transform = `translateY(${-(top - first * ROW_H)}px)`;
    for (let k = 0; k < this.pool.length; k++) this.fill(this.pool[k], first + k);
  }

  fill(node, pos) {
    if (pos >= this.order.length) {
      node.hidden = true;
      node.filledKey = null;
      return;
    }
    node.hidden = false;
    const selected = pos === this.selected;
    const key = `${this.order[pos]}|${selected}`;
    if (node.filledKey === key) return;
    node.filledKey = key;
    node.pos = pos;
    const row = this.rowAt(pos);
    node.className = `dt-row ${this.rowClass(row) ?? ''}${selected ? ' selected' : ''}`;
    node.setAttribute('aria-rowindex', String(pos + 2));
    node.setAttribute('aria-selected', String(selected));
    if (selected) node.id = `${this.root.id}-selected`;
    else if (node.id) node.removeAttribute('id');
    this.columns.forEach((col, c) => {
      const cell = node.cells[c];
      const text = col.value(row) ?? '';
      cell.textContent = text;
      cell.title = text;
      cell.className = `dt-cell${col.num ? ' num' : ''}${col.cls ? ` ${col.cls(row) ?? ''}` : ''}`;
    });
  }

  /** Selects display position `pos`, scrolling it into view. */
  select(pos, { notify = true } = {}) {
    if (!this.order.length || pos < 0) return;
    this.selected = Math.max(0, Math.min(this.order.length - 1, pos));
    this.scroller.setAttribute('aria-activedescendant', `${this.root.id}-selected`);
    const top = this.selected * ROW_H;
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + ROW_H > this.scroller.scrollTop + this.viewHeight) this.scroller.scrollTop = top + ROW_H - this.viewHeight;
    this.invalidate();
    if (notify) this.onSelect(this.selectedRow);
  }

  activate() {
    const row = this.selectedRow;
    if (row) this.onActivate(row);
  }

  onClick(event) {
    const node = event.target.closest('.dt-row');
    if (!node || node.pos === undefined || event.button !== 0) return;
    this.focus();
    this.select(node.pos);
  }

  onKey(event) {
    const page = Math.max(1, Math.floor(this.viewHeight / ROW_H) - 1);
    const moves = {
      ArrowDown: () => this.selected + 1,
      ArrowUp: () => Math.max(0, this.selected - 1),
      PageDown: () => Math.max(this.selected, 0) + page,
      PageUp: () => Math.max(0, this.selected - page),
      Home: () => 0,
      End: () => this.order.length - 1,
    };
    if (event.key === 'Enter') {
      event.preventDefault();
      this.activate();
      return;
    }
    const move = moves[event.key];
    if (!move || event.altKey || event.metaKey || event.ctrlKey) return;
    event.preventDefault();
    this.select(move());
  }
}
