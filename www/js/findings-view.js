// The Findings view: the analyzer's plain-language diagnosis, ranked (errors, warnings, notes),
// each finding a disclosure that opens into its explanation, the evidence frames (buttons that
// jump to the frame), the stream and the display filter that isolates it, and its numbers.
// Above the list: counts by severity and the report export (Markdown, JSON).

import { el } from './dom.js';
import * as fmt from './format.js';

/** Evidence frames shown as buttons per finding; past it a line says how many more there are. */
const MAX_CHIPS = 200;

export const SEVERITY_TITLES = { error: 'Error', warning: 'Warning', note: 'Note' };

/** "1 error, 2 warnings" for a list of findings ('' when empty). */
export function severityCounts(findings) {
  const parts = [];
  for (const [sev, one, many] of [['error', 'error', 'errors'], ['warning', 'warning', 'warnings'], ['note', 'note', 'notes']]) {
    const n = findings.filter((f) => f.severity === sev).length;
    if (n) parts.push(`${fmt.count(n)} ${n === 1 ? one : many}`);
  }
  return parts.join(', ');
}

export class FindingsView {
  /**
   * `onJump(no)` shows frame `no` in the packet list; `onFilter(text)` applies a display filter;
   * `onStream(n)` opens TCP stream n; `onExport(format)` downloads the report. `planFor(f)`
   * names the capture-plan advice a finding leads to ({label} or null) and `onPlan(f)` opens it.
   */
  constructor(root, { onJump, onFilter, onStream, onExport, planFor = () => null, onPlan = () => {} }) {
    this.root = root;
    this.planFor = planFor;
    this.onPlan = onPlan;
    this.onJump = onJump;
    this.onFilter = onFilter;
    this.onStream = onStream;
    this.counts = el('div', { class: 'findings-counts', attrs: { 'aria-live': 'polite' } });
    const exportButton = (format, label, tip) => el('button', {
      type: 'button', class: 'btn btn-small', text: label, title: tip, dataset: { export: format },
      on: { click: () => onExport(format) },
    });
    this.exports = el('div', { class: 'findings-export', attrs: { role: 'group', 'aria-label': 'Export findings' } },
      el('span', { class: 'toolbar-label', text: 'Export' }),
      exportButton('markdown', 'Markdown', 'Download the findings as a Markdown report, to paste into a support case'),
      exportButton('json', 'JSON', 'Download the findings as JSON (as tracelens findings --json prints them)'),
      exportButton('html', 'Report (HTML)', 'Download a self-contained HTML report (summary, findings, evidence frames) to attach to a case'),
      // Optional: the IO graph as drawn, as an image inside the Markdown report (io-graph-view.js).
      this.withGraph = el('input', { type: 'checkbox', id: 'findings-with-graph', title: 'Include the IO graph, as drawn in its tab, in the Markdown report' }),
      el('label', { htmlFor: 'findings-with-graph', class: 'toolbar-label', text: 'with IO graph' }));
    this.list = el('div', { class: 'findings-list', attrs: { role: 'list', 'aria-label': 'Findings' } });
    this.list.addEventListener('keydown', (e) => this.onKey(e));
    // With a display filter: which findings have evidence among the displayed frames.
    this.scopeText = el('span', { class: 'scope-text' });
    this.scopeToggle = el('button', {
      type: 'button', class: 'link-button', on: { click: () => this.setShowAll(!this.showAll) },
    });
    this.scopeBar = el('div', { class: 'findings-scope', attrs: { role: 'status' } }, this.scopeText, this.scopeToggle);
    this.scopeBar.hidden = true;
    this.showAll = false;
    this.scope = null;
    root.replaceChildren(el('div', { class: 'view-toolbar' }, this.counts, el('span', { class: 'toolbar-spacer' }), this.exports), this.scopeBar, this.list);
    this.show(null);
  }

  /** `findings`: the list, or null while it is being computed. */
  show(findings, { message } = {}) {
    this.findings = findings ?? [];
    this.list.replaceChildren();
    this.items = [];
    if (!findings) {
      this.scope = null;
      this.scopeBar.hidden = true;
      this.counts.textContent = message ?? 'Looking for problems…';
      this.exports.hidden = true;
      return;
    }
    this.exports.hidden = false;
    this.counts.textContent = findings.length
      ? `${fmt.plural(findings.length, 'finding')}: ${severityCounts(findings)}`
      : 'No findings';
    if (!findings.length) {
      this.list.append(el('div', { class: 'findings-empty' },
        el('strong', { text: 'Nothing in this capture matched a known problem.' }),
        el('p', { text: 'Findings look for failed handshakes, unanswered or refused connections, resets, many connections from one source, slow server responses, retransmissions and zero windows, bad checksums, truncated frames, capture problems and marker pings. The packets, conversations and connection attempts are all still there to read.' })));
      return;
    }
    findings.forEach((f, n) => this.list.append(this.item(f, n)));
    this.applyScope();
  }

  /**
   * Narrows the list to the findings with evidence in the displayed frames: `scope` is
   * {filter, inView: boolean[] (per finding)}, or null when no filter is applied.
   */
  setScope(scope) {
    this.scope = scope;
    this.showAll = false;
    this.applyScope();
  }

  setShowAll(all) {
    this.showAll = all;
    this.applyScope();
  }

  applyScope() {
    const scope = this.scope;
    const active = Boolean(scope && this.items.length);
    this.scopeBar.hidden = !active;
    this.items.forEach((item, n) => {
      const inView = !active || Boolean(scope.inView[n]);
      item.classList.toggle('out-of-view', !inView);
      item.hidden = !inView && !this.showAll;
    });
    if (!active) return;
    const shown = scope.inView.filter(Boolean).length;
    this.scopeText.textContent = `${fmt.count(shown)} of ${fmt.plural(this.items.length, 'finding')} ${shown === 1 ? 'has' : 'have'} evidence in the displayed frames (${scope.filter}).`;
    this.scopeToggle.textContent = this.showAll ? 'Show only those' : 'Show all';
    this.scopeToggle.hidden = shown === this.items.length;
  }

  item(f, n) {
    const bodyId = `finding-body-${n}`;
    const severity = SEVERITY_TITLES[f.severity] ? f.severity : 'note';
    const head = el('button', {
      type: 'button', class: 'finding-head',
      attrs: { 'aria-expanded': 'false', 'aria-controls': bodyId },
    },
    el('span', { class: 'finding-twisty', attrs: { 'aria-hidden': 'true' } }),
    el('span', { class: `sev-badge sev-${severity}`, text: SEVERITY_TITLES[severity] }),
    el('span', { class: 'finding-verdict', text: f.verdict }),
    el('code', { class: 'finding-kind', text: f.kind }));
    const body = el('div', { class: 'finding-body', id: bodyId, attrs: { role: 'region', 'aria-label': `Details of finding ${n + 1}` } });
    body.hidden = true;
    body.append(el('p', { class: 'finding-explanation', text: f.explanation }));

    const facts = el('dl', { class: 'finding-facts' });
    if (f.frames?.length) {
      // Every evidence frame is in `frames` (up to the report's own cut, told by frames_total);
      // the first MAX_CHIPS are buttons, and the filter selects them all.
      const total = f.frames_total ?? f.frames.length;
      const chips = el('dd', { class: 'frame-chips' }, f.frames.slice(0, MAX_CHIPS).map((no) => el('button', {
        type: 'button', class: 'frame-chip', text: String(no), title: `Show frame ${no} in the packet list`,
        dataset: { frame: String(no) }, on: { click: () => this.onJump(no) },
      })));
      if (total > MAX_CHIPS) {
        chips.append(el('span', { class: 'frame-chips-more', dataset: { moreFrames: String(total - MAX_CHIPS) }, text: `and ${fmt.count(total - MAX_CHIPS)} more (Apply filter shows all ${fmt.count(total)})` }));
      }
      facts.append(el('dt', { text: total === 1 ? 'Evidence frame' : `Evidence frames (${fmt.count(total)})` }), chips);
    }
    if (f.stream !== null && f.stream !== undefined) {
      facts.append(el('dt', { text: 'Stream' }), el('dd', {},
        el('button', {
          type: 'button', class: 'link-button', text: `tcp.stream ${f.stream}`, title: 'Open this TCP stream',
          on: { click: () => this.onStream(f.stream) },
        })));
    }
    if (f.filter) {
      const apply = el('button', {
        type: 'button', class: 'btn btn-small', text: 'Apply filter', title: 'Apply this display filter to the packet list', dataset: { applyFilter: '' },
        on: { click: () => this.onFilter(f.filter) },
      });
      facts.append(el('dt', { text: 'Filter' }), el('dd', { class: 'finding-filter' }, el('code', { text: f.filter }), apply));
    }
    const details = Object.entries(f.details ?? {}).filter(([, v]) => v !== null && v !== undefined);
    if (details.length) {
      facts.append(el('dt', { text: 'Numbers' }), el('dd', {},
        el('div', { class: 'finding-numbers' }, details.map(([k, v]) => el('div', { class: 'num-pair' },
          el('span', { class: 'num-key', text: k }), el('span', { class: 'num-value', text: detailText(v) }))))));
    }
    body.append(facts);
    const plan = this.planFor(f);
    if (plan) {
      body.append(el('div', { class: 'finding-plan' }, el('button', {
        type: 'button', class: 'btn btn-small', text: plan.label, dataset: { openPlan: '' },
        title: 'Open the capture plan: how to ask the customer for a capture without this limit',
        on: { click: () => this.onPlan(f) },
      })));
    }

    const item = el('article', { class: `finding sev-${severity}`, attrs: { role: 'listitem' }, dataset: { kind: f.kind } }, head, body);
    head.addEventListener('click', () => this.toggle(item));
    item.head = head;
    item.body = body;
    this.items.push(item);
    return item;
  }

  toggle(item, open = item.body.hidden) {
    item.body.hidden = !open;
    item.head.setAttribute('aria-expanded', String(open));
    item.classList.toggle('open', open);
  }

  /** Opens finding `n` (0-based), scrolls it into view and focuses it. */
  reveal(n) {
    const item = this.items[n];
    if (!item) return;
    this.toggle(item, true);
    item.scrollIntoView({ block: 'nearest' });
    item.head.focus({ preventScroll: true });
  }

  /** Focuses the first finding (or the list). */
  focus() {
    const first = this.items[0]?.head;
    if (first) first.focus({ preventScroll: true });
  }

  /** ↑/↓/Home/End move between finding headings; →/← open and close. */
  onKey(event) {
    const heads = this.items.map((i) => i.head);
    const at = heads.indexOf(document.activeElement);
    if (at < 0) return;
    const go = (i) => heads[Math.max(0, Math.min(heads.length - 1, i))]?.focus();
    switch (event.key) {
      case 'ArrowDown': go(at + 1); break;
      case 'ArrowUp': go(at - 1); break;
      case 'Home': go(0); break;
      case 'End': go(heads.length - 1); break;
      case 'ArrowRight': this.toggle(this.items[at], true); break;
      case 'ArrowLeft': this.toggle(this.items[at], false); break;
      default: return;
    }
    event.preventDefault();
  }
}

function detailText(value) {
  if (Array.isArray(value)) return value.map(detailText).join(', ');
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(6)));
  return String(value);
}
