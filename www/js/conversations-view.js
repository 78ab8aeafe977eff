// Conversations: who talks to whom and how much, per layer (Ethernet, IPv4, IPv6, TCP, UDP),
// counted as `tshark -z conv,TYPE` counts them. A sortable table per type, kept and sorted in
// the worker and paged into the table (never all rows at once); the selected
// conversation can become a display filter ("filter on this conversation", also Enter or a
// double-click), and a TCP one can be opened as a stream.

import { el } from './dom.js';
import { DataTable } from './data-table.js';
import * as fmt from './format.js';

export const CONVERSATION_KINDS = [
  ['eth', 'Ethernet'],
  ['ip', 'IPv4'],
  ['ipv6', 'IPv6'],
  ['tcp', 'TCP'],
  ['udp', 'UDP'],
];

/** Wireshark's "Apply as filter → A ↔ B" for a conversation row of `kind`. */
export function conversationFilter(kind, row) {
  const addrField = (addr) => (kind === 'eth' ? 'eth.addr' : addr.includes(':') ? 'ipv6.addr' : 'ip.addr');
  const parts = [`${addrField(row.a)}==${row.a}`];
  if (row.port_a !== null && row.port_a !== undefined) parts.push(`${kind}.port==${row.port_a}`);
  parts.push(`${addrField(row.b)}==${row.b}`);
  if (row.port_b !== null && row.port_b !== undefined) parts.push(`${kind}.port==${row.port_b}`);
  return parts.join(' && ');
}

const num = (v) => (v === null || v === undefined ? '' : fmt.count(v));

/** The columns for a conversation type. */
function columns(kind) {
  const ports = kind === 'tcp' || kind === 'udp';
  const addrSort = (a) => addressKey(a);
  return [
    { key: 'a', title: 'Address A', width: kind === 'eth' ? '18ch' : 'minmax(13ch, 1fr)', value: (r) => r.a, sort: (r) => addrSort(r.a) },
    ports && { key: 'port_a', title: 'Port A', num: true, width: '8ch', value: (r) => String(r.port_a) },
    { key: 'b', title: 'Address B', width: kind === 'eth' ? '18ch' : 'minmax(13ch, 1fr)', value: (r) => r.b, sort: (r) => addrSort(r.b) },
    ports && { key: 'port_b', title: 'Port B', num: true, width: '8ch', value: (r) => String(r.port_b) },
    ports && { key: 'stream', title: 'Stream', num: true, width: '9.5ch', value: (r) => (r.stream === null ? '' : String(r.stream)), sort: (r) => r.stream, tip: `${kind}.stream` },
    { key: 'frames', title: 'Frames', num: true, width: '10ch', value: (r) => num(r.frames), sort: (r) => r.frames },
    { key: 'bytes', title: 'Bytes', num: true, width: '11.5ch', value: (r) => num(r.bytes), sort: (r) => r.bytes },
    { key: 'frames_ab', title: 'Frames A→B', num: true, width: '13.5ch', value: (r) => num(r.frames_ab), sort: (r) => r.frames_ab },
    { key: 'bytes_ab', title: 'Bytes A→B', num: true, width: '12.5ch', value: (r) => num(r.bytes_ab), sort: (r) => r.bytes_ab },
    { key: 'frames_ba', title: 'Frames B→A', num: true, width: '13.5ch', value: (r) => num(r.frames_ba), sort: (r) => r.frames_ba },
    { key: 'bytes_ba', title: 'Bytes B→A', num: true, width: '12.5ch', value: (r) => num(r.bytes_ba), sort: (r) => r.bytes_ba },
    { key: 'rel_start', title: 'Rel. start', num: true, width: '12ch', value: (r) => r.rel_start.toFixed(6), sort: (r) => r.rel_start, tip: 'Seconds from the first frame of the capture' },
    { key: 'duration', title: 'Duration', num: true, width: '11ch', value: (r) => r.duration.toFixed(4), sort: (r) => r.duration, tip: 'Seconds from the first to the last frame' },
    { key: 'bps_ab', title: 'Bits/s A→B', num: true, width: '12.5ch', value: (r) => (r.bps_ab === null ? '—' : fmt.count(r.bps_ab)), sort: (r) => r.bps_ab, tip: 'Only for conversations lasting more than 5 ms' },
    { key: 'bps_ba', title: 'Bits/s B→A', num: true, width: '12.5ch', value: (r) => (r.bps_ba === null ? '—' : fmt.count(r.bps_ba)), sort: (r) => r.bps_ba, tip: 'Only for conversations lasting more than 5 ms' },
  ].filter(Boolean);
}

/**
 * Sort key of an address: IPv4 and IPv6 numerically (as a zero-padded hex string), MACs as
 * written; anything else as text.
 */
export function addressKey(text) {
  const s = String(text ?? '');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(s)) return `4${s.split('.').map((p) => Number(p).toString(16).padStart(2, '0')).join('')}`;
  if (s.includes(':') && !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(s)) {
    const [head, tail = ''] = s.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = s.includes('::') ? [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t] : h;
    return `6${groups.map((g) => g.padStart(4, '0')).join('')}`;
  }
  return `0${s}`;
}

export class ConversationsView {
  /**
   * `load(kind)` resolves with {summary: {rows, frames}, source} (AnalyzerClient.conversationTable);
   * `onFilter(text)`, `onStream(n)`, `onSelectFrame(no)`.
   */
  constructor(root, { load, onFilter, onStream, onSelectFrame }) {
    this.root = root;
    this.load = load;
    this.onFilter = onFilter;
    this.onStream = onStream;
    this.onSelectFrame = onSelectFrame;
    this.kind = 'tcp';
    this.cache = new Map();
    this.seq = 0;

    this.kindTabs = el('div', { class: 'seg-group', attrs: { role: 'radiogroup', 'aria-label': 'Conversation type' } },
      CONVERSATION_KINDS.map(([kind, title]) => el('button', {
        type: 'button', class: 'seg', dataset: { kind }, attrs: { role: 'radio', 'aria-checked': String(kind === this.kind) },
        on: { click: () => this.setKind(kind) },
      }, el('span', { text: title }), el('span', { class: 'seg-count' }))));
    this.filterButton = el('button', {
      type: 'button', class: 'btn btn-small', text: 'Filter on conversation', title: 'Show only this conversation’s frames (Enter)',
      on: { click: () => this.filterSelected() },
    });
    this.streamButton = el('button', {
      type: 'button', class: 'btn btn-small', text: 'Open stream', title: 'Show this TCP stream with its timeline',
      on: { click: () => this.streamSelected() },
    });
    this.info = el('span', { class: 'view-info' });
    this.scopeNote = el('span', { class: 'view-note', text: 'Whole capture: the display filter does not narrow this view.' });
    this.scopeNote.hidden = true;
    this.tableBox = el('div', { class: 'dtable-box', id: 'conversations-table' });
    root.replaceChildren(
      el('div', { class: 'view-toolbar' }, this.kindTabs, this.info, this.scopeNote, el('span', { class: 'toolbar-spacer' }), this.filterButton, this.streamButton),
      this.tableBox);
    this.makeTable();
    this.updateButtons();
  }

  makeTable() {
    this.table = new DataTable(this.tableBox, {
      columns: columns(this.kind),
      label: 'Conversations',
      sort: { key: 'frames', dir: -1 },
      onSelect: (row) => {
        this.updateButtons();
        if (row) this.onSelectFrame(row.first_frame);
      },
      onActivate: () => this.filterSelected(),
      empty: 'No conversations of this type.',
    });
  }

  /** A new capture: forget every table. */
  reset() {
    this.cache.clear();
    this.seq++;
    for (const c of this.kindTabs.querySelectorAll('.seg-count')) c.textContent = '';
    this.loaded = false;
    this.table.setRows([], { empty: 'Open the Conversations view to count them.' });
  }

  /** Says that the table covers the whole capture while a display filter is applied. */
  setFilterNote(filter) {
    this.scopeNote.hidden = !filter;
    this.scopeNote.title = filter ? `The packet list shows ${filter}; this table counts every frame.` : '';
  }

  /** Called when the view becomes visible. */
  async activate() {
    if (!this.loaded) await this.setKind(this.kind);
    this.table.focus();
  }

  async setKind(kind) {
    this.kind = kind;
    this.loaded = true;
    for (const b of this.kindTabs.querySelectorAll('[data-kind]')) b.setAttribute('aria-checked', String(b.dataset.kind === kind));
    const seq = ++this.seq;
    this.tableBox.replaceChildren();
    this.makeTable();
    this.info.textContent = 'Counting…';
    let loaded = this.cache.get(kind);
    if (!loaded) {
      try {
        loaded = await this.load(kind);
      } catch (err) {
        if (seq === this.seq) this.info.textContent = `Could not count conversations: ${err.message}`;
        return;
      }
      this.cache.set(kind, loaded);
    }
    if (seq !== this.seq) return;
    const { rows, frames } = loaded.summary;
    this.kindTabs.querySelector(`[data-kind="${kind}"] .seg-count`).textContent = fmt.count(rows);
    this.info.textContent = rows ? `${fmt.plural(rows, 'conversation')} · ${fmt.plural(frames, 'frame')}` : '';
    await this.table.setSource(loaded.source);
    if (seq === this.seq) this.updateButtons();
  }

  updateButtons() {
    const row = this.table?.selectedRow;
    this.filterButton.disabled = !row;
    this.streamButton.hidden = this.kind !== 'tcp';
    this.streamButton.disabled = !row || row.stream === null || row.stream === undefined;
  }

  filterSelected() {
    const row = this.table.selectedRow;
    if (row) this.onFilter(conversationFilter(this.kind, row));
  }

  streamSelected() {
    const row = this.table.selectedRow;
    if (row && this.kind === 'tcp' && row.stream !== null) this.onStream(row.stream);
  }
}
