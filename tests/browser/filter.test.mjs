// The display-filter bar (issue 5): live validation (green / red with the message and the caret
// under the mistake), field-name completion with the keyboard, the history of applied filters,
// buttons for common problems, and the list reduced to exactly tshark's frames — with their real
// frame numbers and "Displayed: N of M" — without reading the capture again.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp } from './lib/browser.mjs';
import { useBrowser } from './lib/session.mjs';
import { capture } from './lib/paths.mjs';
import { openFiles, listedFrames, filterState, applyFilter, showView, visibleRows } from './lib/app.mjs';

const env = useBrowser();
const ESPN = 'chrissanders/http_espn.pcapng'; // 956 frames (`capinfos -c`)

// Frame numbers from tshark 4.0, run in the capture corpus folder:
//   tshark -r chrissanders/http_espn.pcapng -Y 'FILTER' -T fields -e frame.number
const TSHARK = {
  'tcp.flags.syn==1 && tcp.flags.ack==0': [3, 11, 23, 24, 228, 229, 230, 231, 418, 428, 432, 459, 460, 492, 507, 537, 538, 579, 580, 757, 817, 818, 849, 869, 908],
  'tcp.analysis.flags': [615, 893, 895],
  dns: [1, 2, 9, 10, 21, 22, 224, 225, 226, 227, 389, 417, 425, 426, 427, 429, 455, 483, 745, 756, 799, 811, 846, 848, 865, 866, 902, 907],
};

async function open(page) {
  await openFiles(page, [capture(ESPN)]);
  await showView(page, 'packets');
}

test('a valid filter turns green and the list shows exactly tshark\'s frames', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  await open(page);
  const filter = 'tcp.flags.syn==1 && tcp.flags.ack==0';
  await page.fill('#filter-input', filter);
  await page.waitForFunction(() => document.querySelector('.filter-field').dataset.state === 'valid');
  await applyFilter(page, filter);
  const state = await filterState(page);
  assert.equal(state.state, 'valid');
  assert.equal(state.count, `Displayed: ${TSHARK[filter].length} of 956`);
  assert.deepEqual(await listedFrames(page), TSHARK[filter]);
  // Real frame numbers, and the rows are the frames' own.
  await page.keyboard.press('Home');
  const first = (await visibleRows(page))[0];
  assert.equal(first.no, 3);
  assert.match(first.info, /\[SYN\]/);

  // Another one replaces it; the problem rows keep their TCP analysis text and colour.
  await applyFilter(page, 'tcp.analysis.flags');
  assert.deepEqual(await listedFrames(page), TSHARK['tcp.analysis.flags']);
  const rows = await visibleRows(page);
  assert.match(rows[0].info, /^\[TCP ACKed unseen segment\]/);
  assert.match(rows[0].cls, /\bc-bad\b/);

  // Clearing shows every frame again.
  await page.click('.filter-clear');
  await page.waitForFunction(() => document.body.dataset.displayed === '956' && !document.body.dataset.filter);
  assert.equal((await filterState(page)).count, '956 frames');
  assert.deepEqual(errors, []);
  await page.close();
});

test('an invalid filter turns red with the message and a caret under the mistake; the list stays', async () => {
  const { page } = await openApp(env.browser, env.server.origin);
  await open(page);
  await page.fill('#filter-input', 'tcp.prot == 80');
  await page.waitForFunction(() => document.querySelector('.filter-field').dataset.state === 'invalid');
  await page.press('#filter-input', 'Escape');
  const state = await filterState(page);
  assert.equal(state.message, '\'tcp.prot\' is not a field; did you mean \'tcp.port\'?');
  // The caret line under the filter, as `tracelens packets -Y 'tcp.prot == 80'` prints it (the
  // engine's span of an unknown name currently takes one character more than the name).
  const [line, caret] = (await page.textContent('.filter-caret')).split('\n');
  assert.equal(line, 'tcp.prot == 80');
  assert.match(caret, /^\^~{7,8}$/);
  assert.equal((await page.textContent('.filter-error-span')).trim(), 'tcp.prot');
  // Applying it changes nothing.
  await page.click('.filter-apply');
  await page.waitForFunction(() => document.querySelector('.filter-field').dataset.state === 'invalid');
  assert.equal(await page.evaluate(() => document.body.dataset.displayed), '956');
  assert.match(await page.textContent('#status-text'), /not a field/);
  // A syntax error names its place too.
  await page.fill('#filter-input', 'tcp.port == 80 and');
  await page.waitForFunction(() => document.querySelector('.filter-field').dataset.state === 'invalid');
  assert.ok((await filterState(page)).message.length > 0);
  await page.close();
});

test('completion offers tcp.port for "tcp.po"; Tab takes it; ↑/↓ move; Esc closes', async () => {
  const { page } = await openApp(env.browser, env.server.origin);
  await open(page);
  await page.click('#filter-input');
  await page.keyboard.type('tcp.po');
  await page.waitForSelector('#filter-suggest li');
  const options = await page.$$eval('#filter-suggest li', (li) => li.map((l) => ({
    name: l.querySelector('.option-name').textContent,
    desc: l.querySelector('.option-desc')?.textContent ?? '',
  })));
  const port = options.find((o) => o.name === 'tcp.port');
  assert.ok(port, JSON.stringify(options));
  assert.ok(port.desc.length > 5, 'with a description');
  assert.equal(await page.getAttribute('#filter-input', 'aria-expanded'), 'true');
  await page.keyboard.press('Tab');
  assert.equal(await page.inputValue('#filter-input'), 'tcp.port');
  assert.equal(await page.getAttribute('#filter-input', 'aria-expanded'), 'false');

  // Prefix of many: the keyboard walks the list, Esc closes it.
  await page.fill('#filter-input', '');
  await page.keyboard.type('tcp.flags.');
  await page.waitForFunction(() => document.querySelectorAll('#filter-suggest li').length > 3);
  const firstActive = await page.textContent('#filter-suggest li.active .option-name');
  await page.keyboard.press('ArrowDown');
  const second = await page.textContent('#filter-suggest li.active .option-name');
  assert.notEqual(second, firstActive);
  await page.keyboard.press('ArrowUp');
  assert.equal(await page.textContent('#filter-suggest li.active .option-name'), firstActive);
  await page.keyboard.press('Escape');
  assert.equal(await page.getAttribute('#filter-input', 'aria-expanded'), 'false');
  await page.close();
});

test('filter buttons for common problems, and the history of applied filters', async () => {
  const { page } = await openApp(env.browser, env.server.origin);
  await open(page);
  const before = Number(await page.evaluate(() => document.body.dataset.filterSeq ?? 0));
  await page.click('.quick-filter[data-filter="dns"]');
  await page.waitForFunction((n) => Number(document.body.dataset.filterSeq) > n, before);
  assert.equal(await page.inputValue('#filter-input'), 'dns');
  assert.equal(await page.getAttribute('.quick-filter[data-filter="dns"]', 'aria-pressed'), 'true');
  assert.deepEqual(await listedFrames(page), TSHARK.dns);

  await applyFilter(page, 'tcp.analysis.flags');
  // The history button lists both, newest first; choosing one applies it.
  await page.click('.filter-history');
  const history = await page.$$eval('#filter-suggest li .option-name', (n) => n.map((e) => e.textContent));
  assert.deepEqual(history.slice(0, 2), ['tcp.analysis.flags', 'dns']);
  const seq = Number(await page.evaluate(() => document.body.dataset.filterSeq));
  await page.click('#filter-suggest li >> nth=1');
  await page.waitForFunction((n) => Number(document.body.dataset.filterSeq) > n, seq);
  assert.equal(await page.inputValue('#filter-input'), 'dns');
  // Kept for this tab only (sessionStorage), never in localStorage.
  const stored = await page.evaluate(() => ({ session: sessionStorage.getItem('tracelens.filterHistory'), local: Object.keys(localStorage) }));
  assert.deepEqual(JSON.parse(stored.session).slice(0, 2), ['dns', 'tcp.analysis.flags']);
  assert.ok(!stored.local.some((k) => /filter/i.test(k)));
  await page.close();
});

test('a link carries a filter and a frame (#capture=…&filter=…&frame=…), never packet data', async () => {
  const page = await env.browser.context.newPage();
  // `tshark -r zeek/get-to-ssh-server.pcap -Y 'tcp.flags.reset==1'` → frames 7 and 9 (the sample).
  const filter = encodeURIComponent('tcp.flags.reset==1');
  await page.goto(`${env.server.origin}/#capture=samples/get-to-ssh-server.pcap&filter=${filter}&frame=7`);
  await page.waitForFunction(() => document.body.dataset.filter === 'tcp.flags.reset==1' && document.body.dataset.detailsNo === '7');
  assert.equal(await page.$eval('.plist .row.selected', (r) => r.dataset.no), '7');
  assert.equal((await filterState(page)).count, 'Displayed: 2 of 9');
  assert.deepEqual(await listedFrames(page), [7, 9]);
  await page.close();
});
