// Issue 14: everything that crosses into the page is paged. With 200,000 conversations and
// connection attempts, a TCP stream of 100,000 segments and a 256 KiB frame, each view keeps the
// page under NODE_BOUND elements, no worker message carries more than a window of rows, and the
// end of each list (reached with End, or by scrolling) shows the right last item.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { openApp } from './lib/browser.mjs';
import { useBrowser } from './lib/session.mjs';
import { openFiles, showView, tableRows, tableHeader, waitDetails, applyFilter } from './lib/app.mjs';
import { recordWorkerMessages, takeWorkerMessages } from './lib/worker-messages.mjs';
import { pagingCapture, clientOf, portOf, bigByte, BIG_FRAME } from './lib/paging-capture.mjs';

const STREAMS = 200_000;
const SEGMENTS = 100_000;
const FRAMES = STREAMS + 2 + SEGMENTS + 1;
const NODE_BOUND = 5000;
/** The most rows one worker message about a table may carry. */
const MESSAGE_BOUND = 1000;

const env = useBrowser();
let file;

before(() => {
  file = pagingCapture({ streams: STREAMS, segments: SEGMENTS });
});

/** Opens the capture in a page that records its worker's messages. */
async function openBig() {
  await recordWorkerMessages(env.browser.context);
  const { page, errors } = await openApp(env.browser, env.server.origin);
  assert.equal(await openFiles(page, [file], { timeout: 240_000 }), 'ready');
  assert.equal(Number(await page.evaluate(() => document.body.dataset.frames)), FRAMES);
  await takeWorkerMessages(page);
  return { page, errors };
}

const nodes = (page) => page.evaluate(() => document.querySelectorAll('*').length);

/** Presses `key` (End, Home) in table `selector`; its rows once the selected one is loaded. */
async function pressIn(page, selector, key) {
  await page.focus(`${selector} .dt-scroll`);
  await page.keyboard.press(key);
  await selectedRowShown(page, selector);
  return tableRows(page, selector);
}

/**
 * Waits for the selected row to show the worker's cells: not loading, and its cells written (a
 * row between two renders can be neither loading nor filled yet).
 */
async function selectedRowShown(page, selector) {
  await page.waitForFunction((s) => {
    const row = document.querySelector(`${s} .dt-row.selected:not(.loading)`);
    return row && [...row.querySelectorAll('.dt-cell')].some((c) => c.textContent !== '');
  }, selector, { polling: 50 });
}

/** Asserts that no worker message about a table carried more than MESSAGE_BOUND rows. */
async function assertPagedMessages(page) {
  for (const { type, items } of await takeWorkerMessages(page)) {
    if (type.startsWith('table')) assert.ok(items <= MESSAGE_BOUND, `a ${type} message carried ${items} items`);
  }
}

let shared;
async function app() {
  shared ??= await openBig();
  return shared;
}

test('200,000 conversations: paged from the worker, sorted there, End shows the last one', { timeout: 300_000 }, async () => {
  const { page, errors } = await app();
  await showView(page, 'conversations');
  await page.click('[data-kind="tcp"]');
  await page.waitForSelector('#conversations-table .dt-row:not([hidden])');
  const sel = '#conversations-table';
  const header = await tableHeader(page, sel);
  const cell = (row, name) => row.cells[header.indexOf(name)];
  // Frames descending, ties first-seen: the long stream first, the big frame's connection last.
  const first = (await tableRows(page, sel))[0];
  assert.deepEqual([cell(first, 'Address A'), cell(first, 'Port A'), cell(first, 'Frames')], ['10.255.255.1', '5000', (SEGMENTS + 2).toLocaleString('en-US')]);
  assert.match(await page.textContent('#view-conversations .view-info'), /^200,002 conversations · 300,003 frames/);
  let rows = await pressIn(page, sel, 'End');
  assert.deepEqual([cell(rows.at(-1), 'Address A'), cell(rows.at(-1), 'Port A')], ['10.255.255.2', '6000']);
  assert.deepEqual([cell(rows.at(-2), 'Address A'), cell(rows.at(-2), 'Port A')], [clientOf(STREAMS - 1), String(portOf(STREAMS - 1))]);
  assert.ok(await nodes(page) < NODE_BOUND, `${await nodes(page)} elements`);

  // Sorted by address A in the worker (addresses by value): 10.0.0.1 first, 10.255.255.2 last.
  await page.click(`${sel} .dt-hcell[data-key="a"]`);
  assert.equal(await page.getAttribute(`${sel} .dt-hcell[data-key="a"]`, 'aria-sort'), 'ascending');
  // The selected row (the last one) stays selected where the sort put it: still the last. (Its
  // cells come from the worker once it has sorted: wait for them, not only for the header.)
  await selectedRowShown(page, sel);
  rows = await tableRows(page, sel);
  assert.equal(cell(rows.find((r) => /selected/.test(r.cls)), 'Address A'), '10.255.255.2');
  rows = await pressIn(page, sel, 'Home');
  assert.equal(cell(rows[0], 'Address A'), clientOf(0));
  rows = await pressIn(page, sel, 'End');
  assert.equal(cell(rows.at(-1), 'Address A'), '10.255.255.2');

  // Enter filters on the selected conversation, as before.
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.dataset.view === 'packets' && document.body.dataset.filter);
  assert.equal(await page.inputValue('#filter-input'), 'ip.addr==10.255.255.2 && tcp.port==6000 && ip.addr==192.0.2.1 && tcp.port==80');
  await assertPagedMessages(page);
  assert.deepEqual(errors, []);
});

test('200,001 connection attempts: paged, End shows the last attempt, sorting by client', { timeout: 300_000 }, async () => {
  const { page, errors } = await app();
  await showView(page, 'connections');
  await page.waitForSelector('#connections-table .dt-row:not([hidden])');
  const sel = '#connections-table';
  assert.match(await page.textContent('.outcome-chips'), /All\s*200,001/);
  const header = await tableHeader(page, sel);
  const cell = (row, name) => row.cells[header.indexOf(name)];
  let rows = await pressIn(page, sel, 'End');
  // In order of the first SYN: the long stream is the last attempt (the big frame has no SYN).
  assert.deepEqual([cell(rows.at(-1), 'Stream'), cell(rows.at(-1), 'Client'), cell(rows.at(-1), 'Port')], [String(STREAMS), '10.255.255.1', '5000']);
  assert.deepEqual([cell(rows.at(-2), 'Stream'), cell(rows.at(-2), 'Client')], [String(STREAMS - 1), clientOf(STREAMS - 1)]);
  assert.ok(await nodes(page) < NODE_BOUND, `${await nodes(page)} elements`);
  // Client descending (second click): 10.255.255.1 first.
  await page.click(`${sel} .dt-hcell[data-key="client"]`);
  await page.click(`${sel} .dt-hcell[data-key="client"]`);
  assert.equal(await page.getAttribute(`${sel} .dt-hcell[data-key="client"]`, 'aria-sort'), 'descending');
  rows = await pressIn(page, sel, 'Home');
  assert.equal(cell(rows[0], 'Client'), '10.255.255.1');
  await assertPagedMessages(page);

  // The worker keeps one table this large at a time: opening the attempts freed the
  // conversations, and going back makes them again, still sorted by address A.
  await showView(page, 'conversations');
  const conv = '#conversations-table';
  const convHeader = await tableHeader(page, conv);
  assert.equal(await page.getAttribute(`${conv} .dt-hcell[data-key="a"]`, 'aria-sort'), 'ascending');
  rows = await pressIn(page, conv, 'Home');
  assert.equal(rows[0].cells[convHeader.indexOf('Address A')], clientOf(0));
  // The rows in the middle were never loaded before: the worker makes the table again for them.
  await page.$eval(`${conv} .dt-scroll`, (s) => { s.scrollTop = (s.scrollHeight - s.clientHeight) / 2; });
  await page.waitForFunction((s) => {
    const shown = [...document.querySelectorAll(`${s} .dt-row:not([hidden])`)];
    return shown.length > 5 && shown.every((r) => !r.classList.contains('loading')) && !/^10\.0\./.test(shown[0].textContent);
  }, conv, { polling: 50 });
  const ks = (await tableRows(page, conv)).map((r) => {
    const [, b, c, d] = r.cells[convHeader.indexOf('Address A')].split('.').map(Number);
    return (b << 14) | (c << 6) | (d - 1);
  });
  assert.ok(Math.abs(ks[0] - STREAMS / 2) < 1000, `the middle row is client ${ks[0]}`);
  assert.ok(ks.every((k, i) => i === 0 || k === ks[i - 1] + 1), `sorted by address A: ${ks}`);
  assert.deepEqual(errors, []);
});

test('a stream of 100,000 segments: every frame listed, paged; End shows the last one', { timeout: 300_000 }, async () => {
  const { page, errors } = await app();
  await showView(page, 'stream');
  await page.fill('.stream-number', String(STREAMS));
  await page.press('.stream-number', 'Enter');
  const sel = '#stream-table';
  await page.waitForFunction(() => /^100,002 frames/.test(document.querySelector('#view-stream .view-info').textContent));
  await page.waitForSelector(`${sel} .dt-row:not([hidden])`);
  assert.equal(await page.textContent('.stream-title'), 'A 10.255.255.1:5000 ⇄ B 192.0.2.1:80');
  const header = await tableHeader(page, sel);
  const cell = (row, name) => row.cells[header.indexOf(name)];
  const rows = await pressIn(page, sel, 'End');
  // The last data segment: frame FRAMES - 1, relative sequence number 1 + 100 × (SEGMENTS - 1).
  assert.deepEqual([cell(rows.at(-1), 'No.'), cell(rows.at(-1), 'Seq'), cell(rows.at(-1), 'Len')], [String(FRAMES - 1), String(1 + 100 * (SEGMENTS - 1)), '100']);
  assert.ok(await nodes(page) < NODE_BOUND, `${await nodes(page)} elements`);
  await waitDetails(page, FRAMES - 1); // the selection shows the frame
  // Sorted by No. descending in the worker: the last frame first.
  await page.click(`${sel} .dt-hcell[data-key="no"]`);
  assert.equal(cell((await pressIn(page, sel, 'Home'))[0], 'No.'), String(FRAMES - 1));
  const size = await page.$eval('.stream-graph', (c) => [c.width, c.height]);
  assert.ok(size[0] > 200 && size[1] > 80, `canvas ${size}`);
  await assertPagedMessages(page);
  assert.deepEqual(errors, []);
});

test('a 256 KiB frame: "Show all" keeps only the lines on screen; the end shows the last bytes', { timeout: 300_000 }, async () => {
  const { page, errors } = await app();
  await applyFilter(page, ''); // the conversations test left a filter
  await showView(page, 'packets');
  await page.focus('.plist-scroll');
  await page.keyboard.press('End');
  await waitDetails(page, FRAMES);
  await page.click('.hex-more');
  await page.waitForFunction(() => document.querySelector('.hex-more-box').hidden);
  assert.ok(await nodes(page) < NODE_BOUND, `${await nodes(page)} elements`);
  await page.focus('.hex-body');
  await page.keyboard.press('End');
  const last = (BIG_FRAME - 16).toString(16).padStart(8, '0');
  await page.waitForFunction((off) => [...document.querySelectorAll('.hex-line:not([hidden]) .hex-off')].some((o) => o.textContent === off), last);
  const line = await page.evaluate((off) => {
    const node = [...document.querySelectorAll('.hex-line:not([hidden])')].find((l) => l.querySelector('.hex-off').textContent === off);
    return [...node.querySelectorAll('.hex-bytes .b')].map((b) => b.textContent).join(' ');
  }, last);
  const expected = Array.from({ length: 16 }, (_, k) => bigByte(BIG_FRAME - 16 + k).toString(16).padStart(2, '0')).join(' ');
  assert.equal(line, expected);
  assert.ok(await nodes(page) < NODE_BOUND, `${await nodes(page)} elements`);
  assert.match(await page.textContent('.hex-footer'), /262,144 bytes captured/);
  assert.deepEqual(errors, []);
  await page.close();
});
