// Measures what the views that list many things cost on a big capture (lib/paging-capture.mjs):
// for Conversations (TCP), Connection attempts, the long TCP stream and the hex view of the big
// frame after "Show all", the largest number of items one worker message carried while the view
// opened, the page's element count, and the time from asking to the first row on screen.
//
//   node measure-paging.mjs [streams] [segments]

import { startServer } from './lib/server.mjs';
import { launch, openApp } from './lib/browser.mjs';
import { openFiles, showView } from './lib/app.mjs';
import { pagingCapture } from './lib/paging-capture.mjs';
import { recordWorkerMessages, takeWorkerMessages } from './lib/worker-messages.mjs';

const streams = Number(process.argv[2] ?? 200_000);
const segments = Number(process.argv[3] ?? 100_000);
const file = pagingCapture({ streams, segments });
const server = await startServer();
const browser = await launch();
await recordWorkerMessages(browser.context);

const { page, errors } = await openApp(browser, server.origin);
let started = Date.now();
await openFiles(page, [file], { timeout: 600_000 });
console.log(`opened ${file} in ${Date.now() - started} ms`);

const results = [];
async function measure(name, open, ready, arg = null) {
  await takeWorkerMessages(page);
  const t = Date.now();
  await open();
  await page.waitForFunction(ready, arg, { timeout: 600_000, polling: 50 });
  const ms = Date.now() - t;
  await page.waitForTimeout(300);
  const messages = await takeWorkerMessages(page);
  const nodes = await page.evaluate(() => document.querySelectorAll('*').length);
  const biggest = messages.reduce((m, x) => (x.items > m.items ? x : m), { items: 0, type: '' });
  const typed = messages.reduce((m, x) => Math.max(m, x.typed), 0);
  results.push({ view: name, ms, messages: messages.length, maxItems: biggest.items, maxItemsType: biggest.type, maxTyped: typed, nodes });
}

const rowsShown = (sel) => !!document.querySelector(`${sel} .dt-row:not([hidden]):not(.loading)`);
await measure('conversations (tcp)', () => showView(page, 'conversations'), rowsShown, '#conversations-table');
await measure('connections', () => showView(page, 'connections'), rowsShown, '#connections-table');
await measure('stream', async () => {
  await showView(page, 'stream');
  await page.fill('.stream-number', String(streams));
  await page.press('.stream-number', 'Enter');
}, (frames) => document.querySelector('#view-stream .view-info').textContent.startsWith(`${frames.toLocaleString('en-US')} frames`)
  && !!document.querySelector('#stream-table .dt-row:not([hidden]):not(.loading)'), segments + 2);
await showView(page, 'packets');
await page.focus('.plist-scroll');
await page.keyboard.press('End');
await page.waitForFunction(() => document.querySelector('.hex-more'), null, { timeout: 60_000 });
const before = await page.evaluate(() => document.querySelectorAll('*').length);
await measure('hex show all', () => page.click('.hex-more'), () => !document.querySelector('.hex-more') || document.querySelector('.hex-more-box')?.hidden);
results.at(-1).nodesBeforeShowAll = before;
console.table(results);
console.log('errors', errors);
await page.close();
await browser.close();
await server.close();
