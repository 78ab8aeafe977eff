// Capture summary: a one-line strip of key facts, an expandable card per file (format, sections,
// interfaces, drops, warnings), and plain-language alerts for damaged files.

import { el, append } from './dom.js';
import * as fmt from './format.js';

/** "File X is damaged at byte N (frame M): message — the M-1 frames before it are shown." */
export function damageText(file) {
  const { offset, frame, message } = file.error;
  const before = Math.max(0, frame - 1);
  const shown = before === 0
    ? 'no frames could be read before it'
    : before === 1 ? 'the 1 frame before it is shown' : `the ${fmt.count(before)} frames before it are shown`;
  return `File ${file.name} is damaged at byte ${fmt.count(offset)} (frame ${fmt.count(frame)}): ${message} — ${shown}.`;
}

/** Alerts: one per damaged file, then file and capture warnings. */
export function renderAlerts(container, summary) {
  container.replaceChildren();
  for (const file of summary.files ?? []) {
    if (file.error) container.append(alert('error', damageText(file)));
  }
  const warnings = [];
  for (const file of summary.files ?? []) {
    for (const w of file.warnings ?? []) warnings.push(summary.files.length > 1 ? `${file.name}: ${w}` : w);
  }
  for (const w of summary.warnings ?? []) warnings.push(w);
  if (warnings.length) {
    const list = el('ul', { class: 'alert-list' }, warnings.slice(0, 8).map((w) => el('li', { text: w })));
    const more = warnings.length > 8 ? el('li', { text: `… and ${warnings.length - 8} more (see Capture details)` }) : null;
    if (more) list.append(more);
    container.append(alert('warn', warnings.length === 1 ? 'Warning' : `${warnings.length} warnings`, list));
  }
  container.hidden = container.childElementCount === 0;
}

function alert(kind, text, extra) {
  return el('div', { class: `alert alert-${kind}` },
    el('span', { class: 'alert-icon', attrs: { 'aria-hidden': 'true' }, text: kind === 'error' ? '!' : 'i' }),
    el('div', { class: 'alert-body' }, el('div', { class: 'alert-text', text }), extra));
}

/** The strip of key facts plus the expandable per-file details. */
export function renderSummary(container, summary) {
  const files = summary.files ?? [];
  const interfaces = files.flatMap((f) => f.interfaces ?? []);
  const formats = unique(files.map((f) => fmt.formatName(f.format) + (f.gzip ? ' (gzip)' : '')));
  const links = unique(interfaces.map((i) => fmt.linkTypeName(i.link_type).replace(/ \(\d+\)$/, '')));
  const snaplens = unique(interfaces.map((i) => i.snaplen)).filter((s) => s > 0);
  const drops = dropped(interfaces);

  const facts = el('dl', { class: 'facts-strip' });
  const fact = (label, value, cls) => append(facts, el('div', { class: `fact${cls ? ` ${cls}` : ''}` },
    el('dt', { text: label }), el('dd', { text: value })));
  fact('Frames', fmt.count(summary.frames ?? 0), 'fact-frames');
  fact('Duration', fmt.duration(summary.duration));
  fact('Start (UTC)', summary.first_time == null ? '—' : fmt.utcTime(summary.first_time, 3));
  fact('Data', fmt.bytes(summary.bytes ?? 0));
  fact(formats.length > 1 ? 'Formats' : 'Format', formats.join(', ') || '—');
  if (links.length) fact(links.length > 1 ? 'Links' : 'Link', links.join(', '));
  if (snaplens.length) fact('Snaplen', snaplens.map(fmt.count).join(' / '));
  if (drops !== null) fact('Dropped', fmt.count(drops), drops > 0 ? 'fact-bad' : '');

  const toggle = el('button', {
    type: 'button', class: 'btn btn-small summary-toggle', text: 'Capture details',
    attrs: { 'aria-expanded': 'false', 'aria-controls': 'summary-details' },
  });
  const details = el('div', { class: 'summary-details', id: 'summary-details' }, files.map(fileCard));
  details.hidden = true;
  toggle.addEventListener('click', () => {
    details.hidden = !details.hidden;
    toggle.setAttribute('aria-expanded', String(!details.hidden));
  });
  container.replaceChildren(el('div', { class: 'summary-strip' }, facts, toggle), details);
}

function fileCard(file) {
  const rows = [
    ['Format', fmt.formatName(file.format) + (file.gzip ? ', gzip-compressed' : '')],
    ['Frames', fmt.count(file.frames ?? 0)],
    ['Bytes', `${fmt.bytes(file.bytes ?? 0)}${file.gzip ? ' (decompressed)' : ''}`],
  ];
  (file.sections ?? []).forEach((s, i) => {
    const what = [s.application, s.os, s.hardware].filter(Boolean).join(' · ');
    const prefix = file.sections.length > 1 ? `Section ${i + 1}` : 'Section';
    rows.push([prefix, `version ${s.version}${s.big_endian ? ', big-endian' : ''}${what ? ` — ${what}` : ''}`]);
    for (const c of s.comments ?? []) rows.push(['Comment', c]);
  });
  if (file.skipped_blocks) rows.push(['Skipped', `${fmt.count(file.skipped_blocks)} blocks not understood`]);
  const card = el('section', { class: `file-card${file.error ? ' damaged' : ''}` },
    el('h3', { text: file.name }),
    el('dl', { class: 'kv' }, rows.map(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })])));
  if (file.interfaces?.length) card.append(interfaceTable(file.interfaces));
  if (file.error) card.append(el('p', { class: 'file-error', text: damageText(file) }));
  if (file.warnings?.length) card.append(el('ul', { class: 'file-warnings' }, file.warnings.map((w) => el('li', { text: w }))));
  return card;
}

function interfaceTable(interfaces) {
  // Only the columns some interface has a value for.
  const any = (f) => interfaces.some(f);
  const columns = [
    { head: '#', num: true, value: (i, n) => String(n) },
    any((i) => i.name || i.description) && { head: 'Interface', value: (i) => [i.name, i.description].filter(Boolean).join(' — ') || '—' },
    { head: 'Link type', value: (i) => fmt.linkTypeName(i.link_type) },
    { head: 'Snaplen', num: true, value: (i) => (i.snaplen ? fmt.count(i.snaplen) : '—') },
    { head: 'Resolution', value: (i) => i.ts_resolution ?? '—' },
    any((i) => i.filter) && { head: 'Filter', value: (i) => i.filter || '—' },
    { head: 'Frames', num: true, value: (i) => fmt.count(i.frames ?? 0) },
    any((i) => i.stats?.received != null) && { head: 'Received', num: true, value: (i) => (i.stats?.received == null ? '—' : fmt.count(i.stats.received)) },
    any((i) => i.stats) && { head: 'Dropped', value: (i) => (i.stats ? dropText(i.stats) : 'not recorded') },
  ].filter(Boolean);
  const table = el('table', { class: 'iface-table' },
    el('thead', {}, el('tr', {}, columns.map((c) => el('th', { text: c.head, class: c.num ? 'num' : '', attrs: { scope: 'col' } })))),
    el('tbody', {}, interfaces.map((i, n) => el('tr', {}, columns.map((c) => el('td', { text: c.value(i, n), class: c.num ? 'num' : '' }))))));
  return el('div', { class: 'iface-wrap' }, table);
}

function dropText(stats) {
  const parts = [];
  if (stats.dropped_by_interface != null) parts.push(`${fmt.count(stats.dropped_by_interface)} by interface`);
  if (stats.dropped_by_os != null) parts.push(`${fmt.count(stats.dropped_by_os)} by OS`);
  return parts.join(', ') || '—';
}

/** Total drops reported by interface statistics, or null when no interface reported any. */
function dropped(interfaces) {
  let total = null;
  for (const i of interfaces) {
    const s = i.stats;
    if (!s) continue;
    for (const v of [s.dropped_by_interface, s.dropped_by_os]) {
      if (v != null) total = (total ?? 0) + v;
    }
  }
  return total;
}

function unique(values) {
  return [...new Set(values)];
}

/**
 * The top findings under the facts strip: up to `max` lines (errors and warnings first), each a
 * button that opens the finding in the Findings view (`onOpen(index)`). Hidden when none.
 */
export function renderTopFindings(container, findings, onOpen, max = 3) {
  container.replaceChildren();
  const shown = (findings ?? []).slice(0, max);
  container.hidden = shown.length === 0;
  if (!shown.length) return;
  const titles = { error: 'Error', warning: 'Warning', note: 'Note' };
  for (const [n, f] of shown.entries()) {
    const severity = titles[f.severity] ? f.severity : 'note';
    container.append(el('button', {
      type: 'button', class: `top-finding sev-${severity}`, title: `${f.verdict}\n(open in Findings)`,
      dataset: { index: String(n), kind: f.kind },
      on: { click: () => onOpen(n) },
    },
    el('span', { class: `sev-badge sev-${severity}`, text: titles[severity] }),
    el('span', { class: 'top-finding-text', text: f.verdict })));
  }
  if (findings.length > max) {
    container.append(el('button', {
      type: 'button', class: 'link-button top-finding-more', text: `+ ${fmt.plural(findings.length - max, 'more finding')}`,
      on: { click: () => onOpen(max) },
    }));
  }
}
