// Driving the tracelens page: opening files (file input or a synthetic drop), waiting for the
// analysis, and reading what the packet list, details tree and hex view show.

import fs from 'node:fs';
import path from 'node:path';

/** How many captures the page has finished opening (body[data-open-count]). */
async function openCount(page) {
  return Number(await page.evaluate(() => document.body.dataset.openCount ?? 0));
}

/**
 * Waits until the open after `before` finished (or failed) and, when it opened, until the
 * findings are in (the Findings view may take over the screen when they arrive); returns the
 * page state.
 */
async function waitOpened(page, before, timeout) {
  await page.waitForFunction(
    (n) => Number(document.body.dataset.openCount ?? 0) > n || document.body.dataset.state === 'empty',
    before,
    { timeout, polling: 50 },
  );
  await page.waitForFunction(
    () => document.body.dataset.state !== 'ready' || ['ready', 'failed'].includes(document.body.dataset.findings),
    null,
    { timeout, polling: 50 },
  );
  return page.evaluate(() => document.body.dataset.state);
}

/** Shows view `name` (findings, packets, conversations, connections, stream) if it is not shown. */
export async function showView(page, name) {
  // The Findings view opens by itself when findings with problems arrive after the list (unless a
  // view was chosen): wait for them first, or that switch can land after our check.
  await page.waitForFunction(
    () => document.body.dataset.state !== 'ready' || document.body.dataset.findings !== 'pending',
    null,
    { polling: 50 },
  );
  if (await page.evaluate(() => document.body.dataset.view) !== name) await page.click(`#tab-${name}`);
  await page.waitForFunction((n) => document.body.dataset.view === n, name, { polling: 50 });
}

/** Opens files from disk through the file input. */
export async function openFiles(page, files, { timeout = 60_000 } = {}) {
  const before = await openCount(page);
  await page.setInputFiles('#file-input', files);
  return waitOpened(page, before, timeout);
}

/** Opens files by dispatching a drag-and-drop with a synthetic DataTransfer. */
export async function dropFiles(page, files, { timeout = 60_000 } = {}) {
  const before = await openCount(page);
  await dispatchDrop(page, files);
  return waitOpened(page, before, timeout);
}

/**
 * Dispatches a drag-and-drop of `files` ({path} or {name, bytes}) without waiting for anything
 * (two files may stop at the "Compare or Merge" question).
 */
export async function dispatchDrop(page, files) {
  const payload = files.map((f) => ({
    name: f.name ?? path.basename(f.path),
    b64: (f.bytes ?? fs.readFileSync(f.path)).toString('base64'),
  }));
  await page.evaluate((items) => {
    const dt = new DataTransfer();
    for (const { name, b64 } of items) {
      const bin = atob(b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], name));
    }
    const target = document.querySelector('#dropzone:not([hidden])') ?? document.body;
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
    }
  }, payload);
}

/** Frame count the page reports. */
export async function frameCount(page) {
  return Number(await page.evaluate(() => document.body.dataset.frames));
}

/** The rows on screen, once loaded: [{no, time, src, dst, protocol, length, info, cls}]. */
export async function visibleRows(page) {
  await showView(page, 'packets');
  await page.waitForFunction(() => !document.querySelector('.plist .row.loading:not([hidden])'), null, { polling: 50 });
  return page.$$eval('.plist .row:not([hidden])', (rows) => rows.map((r) => {
    const [no, time, src, dst, protocol, length, info] = [...r.querySelectorAll('.cell')].map((c) => c.textContent);
    return { no: Number(no), time, src, dst, protocol, length: Number(length), info, cls: r.className };
  }));
}

/** The visible row of frame `no` (it must be on screen). */
export async function row(page, no) {
  const rows = await visibleRows(page);
  const found = rows.find((r) => r.no === no);
  if (!found) throw new Error(`frame ${no} is not on screen (rows ${rows[0]?.no}..${rows.at(-1)?.no})`);
  return found;
}

/** Clicks frame `no` in the list and waits for its details. */
export async function selectFrame(page, no) {
  await showView(page, 'packets');
  await page.click(`.plist .row[data-no="${no}"]`);
  await waitDetails(page, no);
}

/** Waits until the details pane shows frame `no`. */
export async function waitDetails(page, no) {
  await page.waitForFunction((n) => document.body.dataset.detailsNo === String(n), no, { polling: 50 });
}

/** Tree item labels (text of each label, without problem notes), in document order. */
export async function treeLabels(page) {
  return page.$$eval('.tree .tree-item', (items) => items.map((i) => i.querySelector(':scope > .tree-label > .tree-text').textContent));
}

/** Clicks the tree item whose label starts with `prefix` (opening its ancestors first). */
export async function clickTreeItem(page, prefix) {
  const id = await page.evaluate((p) => {
    const items = [...document.querySelectorAll('.tree .tree-item')];
    const item = items.find((i) => i.querySelector(':scope > .tree-label > .tree-text').textContent.startsWith(p));
    if (!item) return null;
    for (let a = item.parentElement.closest('.tree-item'); a; a = a.parentElement.closest('.tree-item')) {
      if (a.getAttribute('aria-expanded') === 'false') a.querySelector(':scope > .tree-label > .tree-twisty').click();
    }
    return item.id;
  }, prefix);
  if (!id) throw new Error(`no tree item starts with ${JSON.stringify(prefix)}; have ${JSON.stringify(await treeLabels(page))}`);
  await page.click(`#${id} > .tree-label > .tree-text`);
}

/** Indexes of the hex-view bytes highlighted as the selection. */
export async function highlightedBytes(page) {
  return page.$$eval('.hex-bytes .b.sel', (spans) => spans.map((s) => ({
    index: [...document.querySelectorAll('.hex-bytes .b')].indexOf(s),
    hex: s.textContent,
  })));
}

/**
 * Every frame number the packet list shows (walking it with PageDown from the top), for lists
 * short enough to walk.
 */
export async function listedFrames(page, { max = 2000 } = {}) {
  await showView(page, 'packets');
  const count = Number(await page.evaluate(() => document.body.dataset.displayed));
  if (!count) return [];
  await page.focus('.plist-scroll');
  await page.keyboard.press('Home');
  const seen = new Map();
  for (let guard = 0; guard < 200 && seen.size < Math.min(count, max); guard++) {
    for (const r of await visibleRows(page)) seen.set(r.no, true);
    if (seen.size >= count) break;
    await page.focus('.plist-scroll');
    await page.keyboard.press('PageDown');
    await page.waitForTimeout(30);
  }
  return [...seen.keys()].sort((a, b) => a - b);
}

/** Waits for the findings and returns [{severity, kind, verdict}] as the Findings view lists them. */
export async function listedFindings(page) {
  await page.waitForFunction(() => document.body.dataset.findings === 'ready', null, { polling: 50 });
  return page.$$eval('.findings-list .finding', (items) => items.map((i) => ({
    severity: i.querySelector('.sev-badge').textContent,
    kind: i.dataset.kind,
    verdict: i.querySelector('.finding-verdict').textContent,
  })));
}

/** The filter bar's state: {text, state, message, count}. */
export async function filterState(page) {
  return page.evaluate(() => ({
    text: document.querySelector('#filter-input').value,
    state: document.querySelector('.filter-field').dataset.state,
    message: document.querySelector('.filter-message:not([hidden]) .filter-message-text')?.textContent ?? null,
    count: document.querySelector('.filter-count').textContent,
  }));
}

/** Types `text` in the filter bar and applies it with Enter; waits until the list is re-read. */
export async function applyFilter(page, text) {
  const before = Number(await page.evaluate(() => document.body.dataset.filterSeq ?? 0));
  await page.fill('#filter-input', text);
  await page.click('.filter-apply');
  await page.waitForFunction(
    (n) => Number(document.body.dataset.filterSeq ?? 0) > n || document.querySelector('.filter-field').dataset.state === 'invalid',
    before,
    { polling: 50 },
  );
}

/**
 * Rows of a data table (conversations, connections, stream) on screen: arrays of cell texts,
 * once they are loaded (the worker pages them in).
 */
export async function tableRows(page, selector) {
  await page.waitForFunction((s) => !document.querySelector(`${s} .dt-row.loading:not([hidden])`), selector, { polling: 50 });
  return page.$$eval(`${selector} .dt-row:not([hidden])`, (rows) => rows.map((r) => ({
    cells: [...r.querySelectorAll('.dt-cell')].map((c) => c.textContent),
    cls: r.className,
  })));
}

/** Column titles of a data table. */
export async function tableHeader(page, selector) {
  return page.$$eval(`${selector} .dt-hcell`, (cells) => cells.map((c) => c.textContent));
}
