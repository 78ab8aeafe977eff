// Connection attempts: every TCP stream that starts with a SYN, with what became of it —
// established, refused (RST or ICMP), unanswered, inconclusive, answer not captured, SYN-ACK not
// acknowledged, reset later, closed (the words of the one attempt model, `connections::attempts`) — the
// handshake timings (SYN → SYN-ACK → ACK) and the SYN retransmissions. Failed attempts are red.
// Outcome buttons narrow the table; Enter or a double-click shows the first SYN in the packet list.
// The attempts stay in the worker, which sorts and narrows them; the table pages them in.

import { el } from './dom.js';
import { DataTable } from './data-table.js';
import { addressKey } from './conversations-view.js';
import * as fmt from './format.js';

export const OUTCOMES = {
  unanswered: { title: 'Unanswered', tone: 'bad', tip: 'SYNs (and retransmissions) without any answer' },
  refused: { title: 'Refused', tone: 'bad', tip: 'The server answered the SYN with a reset (or an ICMP destination unreachable came back)' },
  inconclusive: { title: 'Inconclusive', tone: 'ok', tip: 'One SYN and no answer, but the client gave up or the capture ended within 1 s: too soon to tell' },
  answer_not_captured: { title: 'Answer not captured', tone: 'ok', tip: 'No SYN-ACK in the capture, yet the connection went on (the client acknowledged, or the server sent other segments): the capture missed the server’s answer' },
  syn_ack_not_acknowledged: { title: 'SYN-ACK not ACKed', tone: 'warn', tip: 'The server sent SYN-ACK, the client never acknowledged it' },
  reset_later: { title: 'Reset later', tone: 'warn', tip: 'Established, then reset' },
  established: { title: 'Established', tone: 'ok', tip: 'Established and still open at the end of the capture' },
  closed_normally: { title: 'Closed', tone: 'ok', tip: 'Established and closed with FIN from both sides' },
};

/** Milliseconds from nanoseconds, as "12.345 ms"; '' when unknown. */
function ms(ns) {
  if (ns === null || ns === undefined) return '';
  const v = ns / 1e6;
  return `${v < 10 ? v.toFixed(3) : v < 1000 ? v.toFixed(1) : fmt.count(Math.round(v))} ms`;
}

const endpoint = (addr) => addr ?? '?';

const COLUMNS = [
  { key: 'stream', title: 'Stream', num: true, width: '9.5ch', value: (r) => String(r.stream), sort: (r) => r.stream, tip: 'tcp.stream' },
  { key: 'client', title: 'Client', width: 'minmax(14ch, 1.3fr)', value: (r) => endpoint(r.client), sort: (r) => addressKey(r.client), tip: 'Sort by source address' },
  { key: 'client_port', title: 'Port', num: true, width: '7ch', value: (r) => String(r.client_port) },
  { key: 'server', title: 'Server', width: 'minmax(14ch, 1.3fr)', value: (r) => endpoint(r.server), sort: (r) => addressKey(r.server) },
  { key: 'server_port', title: 'Port', num: true, width: '7ch', value: (r) => String(r.server_port) },
  { key: 'outcome', title: 'Outcome', width: '20ch', value: (r) => OUTCOMES[r.outcome]?.title ?? r.outcome, cls: (r) => `outcome outcome-${OUTCOMES[r.outcome]?.tone ?? 'ok'}` },
  { key: 'syn_retransmissions', title: 'SYN retr.', num: true, width: '10ch', value: (r) => String(r.syn_retransmissions), sort: (r) => r.syn_retransmissions, tip: 'SYNs sent beyond the first' },
  { key: 'syn_to_syn_ack_ns', title: 'SYN→SYN-ACK', num: true, width: '15ch', value: (r) => ms(r.syn_to_syn_ack_ns), sort: (r) => r.syn_to_syn_ack_ns, tip: 'From the last SYN before the SYN-ACK to the SYN-ACK' },
  { key: 'syn_ack_to_ack_ns', title: 'SYN-ACK→ACK', num: true, width: '15ch', value: (r) => ms(r.syn_ack_to_ack_ns), sort: (r) => r.syn_ack_to_ack_ns, tip: 'From the SYN-ACK to the client’s ACK' },
  { key: 'connect_ns', title: 'Connect', num: true, width: '11ch', value: (r) => ms(r.connect_ns), sort: (r) => r.connect_ns, tip: 'From the first SYN to the client’s ACK (what the client waited)' },
  { key: 'first_syn_frame', title: 'SYN frame', num: true, width: '11ch', value: (r) => String(r.first_syn_frame), sort: (r) => r.first_syn_frame },
  { key: 'first_syn_time_ns', title: 'Time', num: true, width: '11ch', value: (r) => (r.first_syn_time_ns / 1e9).toFixed(6), sort: (r) => r.first_syn_time_ns, tip: 'Seconds from the first frame of the capture to the first SYN' },
  { key: 'end', title: 'End', width: 'minmax(12ch, 1fr)', value: endText, sort: (r) => r.reset_frame ?? r.server_fin_frame ?? r.client_fin_frame ?? null },
];

function endText(r) {
  if (r.reset_frame) return `RST by ${r.reset_by ?? '?'} (#${r.reset_frame})`;
  const fins = [r.client_fin_frame && `client #${r.client_fin_frame}`, r.server_fin_frame && `server #${r.server_fin_frame}`].filter(Boolean);
  return fins.length ? `FIN ${fins.join(', ')}` : '';
}

export class ConnectionsView {
  /**
   * `load()` resolves with {summary: {rows, outcomes}, source} (AnalyzerClient.connectionTable);
   * `onJump(no)`, `onStream(n)`, `onFilter(text)`, `onSelectFrame(no)`.
   */
  constructor(root, { load, onJump, onStream, onFilter, onSelectFrame }) {
    this.root = root;
    this.load = load;
    this.onJump = onJump;
    this.onStream = onStream;
    this.onFilter = onFilter;
    this.onSelectFrame = onSelectFrame;
    this.outcome = null; // shown outcome, null: all
    this.loaded = null; // {summary, source} once loaded
    this.chips = el('div', { class: 'seg-group outcome-chips', attrs: { role: 'radiogroup', 'aria-label': 'Outcome' } });
    this.info = el('span', { class: 'view-info' });
    this.scopeNote = el('span', { class: 'view-note', text: 'Whole capture: the display filter does not narrow this view.' });
    this.scopeNote.hidden = true;
    this.goButton = el('button', { type: 'button', class: 'btn btn-small', text: 'Go to SYN', title: 'Show the first SYN in the packet list (Enter)', on: { click: () => this.jumpSelected() } });
    this.filterButton = el('button', { type: 'button', class: 'btn btn-small', text: 'Filter on stream', title: 'Show only this stream’s frames (tcp.stream eq N)', on: { click: () => this.filterSelected() } });
    this.streamButton = el('button', { type: 'button', class: 'btn btn-small', text: 'Open stream', title: 'Show this TCP stream with its timeline', on: { click: () => this.streamSelected() } });
    this.tableBox = el('div', { class: 'dtable-box', id: 'connections-table' });
    root.replaceChildren(
      el('div', { class: 'view-toolbar' }, this.chips, this.info, this.scopeNote, el('span', { class: 'toolbar-spacer' }), this.goButton, this.filterButton, this.streamButton),
      this.tableBox);
    this.table = new DataTable(this.tableBox, {
      columns: COLUMNS,
      label: 'Connection attempts',
      rowClass: (r) => `outcome-row-${OUTCOMES[r.outcome]?.tone ?? 'ok'}`,
      onSelect: (row) => {
        this.updateButtons();
        if (row) this.onSelectFrame(row.first_syn_frame);
      },
      onActivate: () => this.jumpSelected(),
      empty: 'No TCP connection attempts (no stream starts with a SYN in this capture).',
    });
    this.updateButtons();
  }

  reset() {
    this.loaded = null;
    this.outcome = null;
    this.chips.replaceChildren();
    this.info.textContent = '';
    this.table.setRows([]);
    this.updateButtons();
  }

  /** Says that the table covers the whole capture while a display filter is applied. */
  setFilterNote(filter) {
    this.scopeNote.hidden = !filter;
    this.scopeNote.title = filter ? `The packet list shows ${filter}; this table counts every frame.` : '';
  }

  async activate() {
    if (!this.loaded) {
      this.info.textContent = 'Collecting connection attempts…';
      try {
        this.loaded = await this.load();
      } catch (err) {
        this.info.textContent = `Could not list connection attempts: ${err.message}`;
        return;
      }
      this.renderChips();
      await this.show();
    }
    this.table.focus();
  }

  renderChips() {
    const { rows, outcomes } = this.loaded.summary;
    const chip = (outcome, title, n, tone, tip) => el('button', {
      type: 'button', class: `seg${tone ? ` tone-${tone}` : ''}`, title: tip ?? '',
      attrs: { role: 'radio', 'aria-checked': String(this.outcome === outcome) }, dataset: { outcome: outcome ?? '' },
      on: { click: () => { this.outcome = outcome; this.show(); } },
    }, el('span', { text: title }), el('span', { class: 'seg-count', text: fmt.count(n) }));
    this.chips.replaceChildren(
      chip(null, 'All', rows, null, 'Every connection attempt'),
      ...Object.entries(OUTCOMES).filter(([k]) => outcomes[k]).map(([k, o]) => chip(k, o.title, outcomes[k], o.tone, o.tip)));
  }

  async show() {
    for (const b of this.chips.querySelectorAll('[data-outcome]')) b.setAttribute('aria-checked', String((b.dataset.outcome || null) === this.outcome));
    const { summary, source } = this.loaded;
    const failed = (summary.outcomes.unanswered ?? 0) + (summary.outcomes.refused ?? 0);
    this.info.textContent = summary.rows
      ? `${fmt.plural(summary.rows, 'attempt')}${failed ? ` · ${fmt.count(failed)} failed` : ''}`
      : '';
    source.outcome = this.outcome;
    await this.table.setSource(source);
    this.updateButtons();
  }

  updateButtons() {
    const row = this.table?.selectedRow;
    this.goButton.disabled = !row;
    this.streamButton.disabled = !row;
    this.filterButton.disabled = !row;
  }

  jumpSelected() {
    const row = this.table.selectedRow;
    if (row) this.onJump(row.first_syn_frame);
  }

  streamSelected() {
    const row = this.table.selectedRow;
    if (row) this.onStream(row.stream);
  }

  filterSelected() {
    const row = this.table.selectedRow;
    if (row) this.onFilter(`tcp.stream eq ${row.stream}`);
  }
}
