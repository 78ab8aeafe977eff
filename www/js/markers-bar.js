// The Markers bar (journey 3): the marker pings a customer sent around a repro (`ping -l 22`
// before, `ping -l 33` after: IP total length 50 and 61) with their frame numbers, and the frame
// ranges between them as one-click focus buttons. Focusing applies the display filter
// `frame.number >= a and frame.number <= b`; clicking the active range again shows everything.

import { el } from './dom.js';
import * as fmt from './format.js';

export class MarkersBar {
  /** `onJump(no)` shows a frame; `onFocus(range|null)` focuses on a range or clears it. */
  constructor(root, { onJump, onFocus }) {
    this.root = root;
    this.onJump = onJump;
    this.onFocus = onFocus;
    this.active = null; // filter text of the focused range
    this.clear();
  }

  clear() {
    this.ranges = [];
    this.root.replaceChildren();
    this.root.hidden = true;
  }

  /** Shows `{markers, ranges}` (hidden when there are no markers). */
  show({ markers = [], ranges = [] } = {}) {
    this.ranges = ranges;
    if (!markers.length) {
      this.clear();
      return;
    }
    const pings = el('div', { class: 'markers-pings', attrs: { role: 'group', 'aria-label': 'Marker pings' } },
      markers.map((m) => {
        const ipv = m.ip_len - m.payload_len === 28 ? 'ip.len' : 'length';
        const reply = m.reply_no ? ` → ${m.reply_no}` : '';
        const label = `${m.payload_len} B`;
        const tip = `${m.type === 'reply' ? 'Echo reply' : 'Echo request'} with ${m.payload_len} data bytes (ping -l ${m.payload_len}; IP total length ${m.ip_len}) in frame ${m.no}`
          + (m.reply_no ? `, reply in frame ${m.reply_no}` : m.type === 'request' ? ', no reply' : '')
          + (m.time !== null && m.time !== undefined ? ` at ${fmt.seconds(m.time)} s` : '');
        return el('button', {
          type: 'button', class: 'marker-chip', title: tip, dataset: { frame: String(m.no) },
          on: { click: () => this.onJump(m.no) },
        },
        el('span', { class: 'marker-dot', attrs: { 'aria-hidden': 'true' } }),
        el('span', { class: 'marker-size', text: label }),
        el('span', { class: 'marker-frames', text: `#${m.no}${reply}` }),
        el('span', { class: 'visually-hidden', text: ` ${ipv} ${m.ip_len}` }));
      }));
    const focus = el('div', { class: 'markers-ranges', attrs: { role: 'group', 'aria-label': 'Focus on the frames between markers' } });
    if (ranges.length) {
      focus.append(el('span', { class: 'toolbar-label', text: 'Focus' }));
      for (const r of ranges) {
        focus.append(el('button', {
          type: 'button', class: 'btn btn-small range-button',
          text: `Frames ${fmt.count(r.from)}–${fmt.count(r.to)}`,
          title: `Show only the ${fmt.plural(r.to - r.from + 1, 'frame')} between the markers: ${r.filter}`,
          attrs: { 'aria-pressed': 'false' },
          dataset: { filter: r.filter, from: String(r.from), to: String(r.to) },
          on: { click: () => this.onFocus(this.active === r.filter ? null : r) },
        }));
      }
    } else {
      focus.append(el('span', { class: 'markers-note', text: 'No frames between the markers.' }));
    }
    this.root.replaceChildren(el('span', { class: 'toolbar-label markers-title', text: 'Markers' }), pings, focus);
    this.root.hidden = false;
    this.setActive(this.active);
  }

  /** Marks the range whose filter is `text` as the focused one (null: none). */
  setActive(text) {
    this.active = this.ranges.some((r) => r.filter === text) ? text : null;
    for (const b of this.root.querySelectorAll('.range-button')) {
      b.setAttribute('aria-pressed', String(b.dataset.filter === this.active));
    }
  }
}
