// The workspace's views as tabs (Findings, Packets, Conversations, Connections, TCP stream, and
// Compare while two captures are compared): one visible at a time, chosen by click, by ←/→ on
// the tab strip, or by Alt+1…Alt+6.

export class Tabs {
  /** `onShow(name)` after a view became visible. */
  constructor(list, { onShow = () => {} } = {}) {
    this.list = list;
    this.onShow = onShow;
    this.tabs = [...list.querySelectorAll('[role="tab"]')];
    this.current = null;
    list.addEventListener('click', (e) => {
      const tab = e.target.closest('[role="tab"]');
      if (tab) this.show(tab.dataset.view, { focusTab: true });
    });
    list.addEventListener('keydown', (e) => {
      const shown = this.shown();
      const at = shown.indexOf(document.activeElement);
      if (at < 0) return;
      const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: shown.length - 1 }[e.key];
      if (next === undefined) return;
      e.preventDefault();
      const tab = shown[(next + shown.length) % shown.length];
      this.show(tab.dataset.view, { focusTab: true });
    });
    document.addEventListener('keydown', (e) => {
      if (!e.altKey || e.ctrlKey || e.metaKey || document.body.dataset.state !== 'ready') return;
      const n = Number(e.key);
      const shown = this.shown();
      if (Number.isInteger(n) && n >= 1 && n <= shown.length) {
        e.preventDefault();
        this.show(shown[n - 1].dataset.view);
      }
    });
  }

  /** The tabs not hidden (the Compare tab exists only while two captures are compared). */
  shown() {
    return this.tabs.filter((t) => !t.hidden);
  }

  /** Shows view `name`; `focusTab` keeps the keyboard on the tab strip. */
  show(name, { focusTab = false } = {}) {
    const tab = this.tabs.find((t) => t.dataset.view === name && !t.hidden);
    if (!tab) return;
    for (const t of this.tabs) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute('aria-controls')).hidden = !on;
    }
    const changed = this.current !== name;
    this.current = name;
    document.body.dataset.view = name;
    if (focusTab) tab.focus();
    if (changed || !focusTab) this.onShow(name, { focusTab });
  }
}
