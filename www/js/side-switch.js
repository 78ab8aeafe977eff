// The A/B switch shown while two captures are compared: which side the packet list, details,
// filter and the other views show.

import { el } from './dom.js';

export class SideSwitch {
  /** `root`: an empty (hidden) element; `onChange(side)` when the user picks "a" or "b". */
  constructor(root, { onChange }) {
    this.root = root;
    root.setAttribute('role', 'radiogroup');
    root.setAttribute('aria-label', 'Capture shown');
    this.buttons = ['a', 'b'].map((side) => el('button', {
      type: 'button', class: 'seg', dataset: { side }, attrs: { role: 'radio', 'aria-checked': 'false' },
      on: { click: () => onChange(side) },
    }));
    root.replaceChildren(el('span', { class: 'toolbar-label', text: 'Showing' }), ...this.buttons);
    root.hidden = true;
  }

  /** Shows the switch for files `names` ({a, b}) with `side` selected. */
  show(names, side) {
    this.buttons.forEach((b) => {
      const s = b.dataset.side;
      b.textContent = `${s.toUpperCase()}: ${names[s]}`;
      b.title = `Show ${names[s]} (side ${s.toUpperCase()}) in the packet list and the other views`;
    });
    this.set(side);
    this.root.hidden = false;
  }

  set(side) {
    for (const b of this.buttons) b.setAttribute('aria-checked', String(b.dataset.side === side));
  }

  hide() {
    this.root.hidden = true;
  }
}
