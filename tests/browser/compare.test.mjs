// Two captures of the same traffic taken at two points, compared in the page. The pair is made
// here with a known truth from a real corpus capture (zeek/tls1.2.pcap, one TLS connection):
// side A is the capture as recorded, side B the same traffic seen further on — two client→server
// packets (frames 7 and 10 of A) never arrive, the server's SYN-ACK carries 2 payload bytes that
// are gone by the time it reaches A (lengths and checksums fixed), a NAT between the points shows
// the client as 192.0.2.1:40000 at B, and B's clock is 5 s ahead.
// Dropping both files offers "Compare" (the default) or "Merge"; Compare shows the verdicts, the
// clock and NAT text, the per-flow table, the ladder (every mark jumps to its frame in its own
// file) and exports each category as pcapng. Merge still makes one timeline of both. Nothing
// leaves the page.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { launch, openApp, foreignRequests } from './lib/browser.mjs';
import { offlineUrl, networkRequests } from './lib/offline.mjs';
import { useBrowser } from './lib/session.mjs';
import { capture, scratchDir, REPO } from './lib/paths.mjs';
import { dispatchDrop, tableRows } from './lib/app.mjs';
import { readPcap, pcapFile, withTcpPayload, natTcp } from './lib/pcap.mjs';

const env = useBrowser({ acceptDownloads: true });
const dir = scratchDir('tracelens-compare-');

const SHIFT_S = 5;
const DROPPED = [7, 10]; // frame numbers of A that never reach B (client → server)
const SYN_ACK = 2; // A's frame number of the SYN-ACK, also B's
// The NAT between the points: the client as A sees it, and as B sees it.
const INSIDE = { ip: '10.0.0.80', port: 56637 };
const OUTSIDE = { ip: '192.0.2.1', port: 40000 };

/** {a, b}: the two files ({name, bytes}) of the pair, and how many frames each holds. */
function makePair() {
  const { frames } = readPcap(fs.readFileSync(capture('zeek/tls1.2.pcap')));
  const b = [];
  frames.forEach((f, i) => {
    if (DROPPED.includes(i + 1)) return;
    const translated = natTcp(f.data, INSIDE, OUTSIDE);
    const data = i + 1 === SYN_ACK ? withTcpPayload(translated, Buffer.from([0xde, 0xad])) : translated;
    b.push({ ts: f.ts + SHIFT_S, data });
  });
  return {
    a: { name: 'client.pcap', bytes: pcapFile(frames) },
    b: { name: 'server.pcap', bytes: pcapFile(b) },
    countA: frames.length,
    countB: b.length,
  };
}

const pair = makePair();

/** Drops both files and waits for the question; returns the default choice. */
async function dropPair(page) {
  await dispatchDrop(page, [pair.a, pair.b]);
  await page.waitForSelector('#pair-choice:not([hidden]) [data-choice="compare"]', { timeout: 60_000 });
  return page.evaluate(() => ({
    choice: document.body.dataset.pairChoice,
    focused: document.activeElement?.dataset?.choice,
    state: document.body.dataset.state,
  }));
}

const dataset = (page) => page.evaluate(() => ({ ...document.body.dataset }));

test('two captures of the same traffic: Compare shows the verdicts, clock, flows and a ladder that jumps to either file', async () => {
  const before = env.browser.requests.length;
  const { page, errors } = await openApp(env.browser, env.server.origin);
  const asked = await dropPair(page);
  assert.deepEqual(asked, { choice: 'compare', focused: 'compare', state: 'opening' });
  assert.match(await page.textContent('#pair-choice'), /Compare \(captured at two points\)/);
  assert.match(await page.textContent('#pair-choice'), /Merge \(one capture in parts\)/);

  await page.click('[data-choice="compare"]');
  await page.waitForFunction(() => document.body.dataset.compare === 'ready' && document.body.dataset.state === 'ready', null, { timeout: 60_000 });
  let d = await dataset(page);
  assert.equal(d.view, 'compare');
  assert.equal(d.side, 'a');
  assert.equal(d.frames, String(pair.countA));
  assert.ok(Number(d.openMs) > 0);

  // The verdicts: two client→server packets lost (seen at A only), the SYN-ACK modified.
  const verdicts = await page.$$eval('.compare-verdict', (items) => items.map((v) => ({
    kind: v.dataset.kind,
    text: v.querySelector('.verdict-text').textContent,
    a: [...v.querySelectorAll('.compare-evidence[data-side="a"] .chip')].map((c) => Number(c.dataset.no)),
    b: [...v.querySelectorAll('.compare-evidence[data-side="b"] .chip')].map((c) => Number(c.dataset.no)),
  })));
  const lost = verdicts.find((v) => v.kind === 'compare_lost');
  assert.ok(lost, JSON.stringify(verdicts));
  assert.match(lost.text, /client→server: 2 of \d+ packets were lost between the two points/);
  assert.deepEqual(lost.a, DROPPED);
  const modified = verdicts.find((v) => v.kind === 'compare_modified');
  assert.ok(modified, JSON.stringify(verdicts));
  assert.match(modified.text, /SYN-ACK/);
  assert.match(modified.text, /2 bytes/);
  assert.deepEqual(modified.a, [SYN_ACK]);
  assert.deepEqual(modified.b, [SYN_ACK]);
  assert.match(await page.textContent('.compare-headline'), /2 lost, 0 injected, 1 modified/);

  // Clock and NAT.
  assert.match(await page.textContent('.compare-clock'), /B's clock = A's \+ 5\.000000 s/);
  assert.match(await page.textContent('.compare-nat-summary'), /NAT between the points: 1 address translation/);
  const nat = await page.$$eval('.nat-table tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.deepEqual(nat, [['tcp', '10.0.0.80:56637', '192.0.2.1:40000', '1']]);

  // The per-flow table: one TCP flow, 2 lost from the first sender, 1 modified back.
  await page.waitForSelector('#view-compare[data-flows="1"]');
  const flows = await tableRows(page, '#compare-flows');
  assert.equal(flows.length, 1, JSON.stringify(flows));
  assert.match(flows[0].cells.join(' '), /10\.0\.0\.80:56637 → 68\.233\.76\.12:443 192\.0\.2\.1:40000 → 68\.233\.76\.12:443/);

  // The ladder of that flow: every frame of both sides drawn, the lost ones marked on A, the
  // modified pair highlighted on both.
  await page.waitForSelector('#compare-ladder[data-ready]');
  const ladder = await page.evaluate(() => {
    const marks = [...document.querySelectorAll('#compare-ladder .ladder-pkt')];
    const of = (kind) => marks.filter((m) => m.dataset.kind === kind).map((m) => `${m.dataset.side}${m.dataset.no}`);
    return {
      rows: Number(document.querySelector('#compare-ladder').dataset.rows),
      lost: of('lost'),
      modified: of('modified'),
      links: document.querySelectorAll('#compare-ladder .ladder-link').length,
      labels: marks.map((m) => m.textContent),
    };
  });
  assert.equal(ladder.rows, pair.countA + pair.countB);
  assert.deepEqual(ladder.lost, DROPPED.map((n) => `a${n}`));
  assert.deepEqual(ladder.modified.sort(), [`a${SYN_ACK}`, `b${SYN_ACK}`]);
  assert.equal(ladder.links, pair.countB);
  assert.ok(ladder.labels.some((t) => /#2 ← SYN, ACK · 2 bytes · modified/.test(t)), ladder.labels.join('\n'));

  // Clicking B's SYN-ACK in the ladder shows frame 2 of B; a verdict's A frame goes back to A.
  await page.click(`#compare-ladder .ladder-pkt[data-side="b"][data-no="${SYN_ACK}"]`);
  await page.waitForFunction((no) => document.body.dataset.side === 'b' && document.body.dataset.detailsNo === String(no), SYN_ACK);
  d = await dataset(page);
  assert.equal(d.view, 'packets');
  assert.equal(d.frames, String(pair.countB));
  assert.equal(await page.getAttribute('#side-switch [data-side="b"]', 'aria-checked'), 'true');
  const tree = await page.textContent('#details');
  assert.match(tree, /TCP payload \(2 bytes\)|Len: 2|2 bytes/);

  await page.click('#tab-compare');
  await page.click(`.compare-verdict[data-kind="compare_lost"] .chip[data-side="a"][data-no="${DROPPED[1]}"]`);
  await page.waitForFunction((no) => document.body.dataset.side === 'a' && document.body.dataset.detailsNo === String(no), DROPPED[1]);
  assert.equal((await dataset(page)).frames, String(pair.countA));

  // The A/B switch.
  await page.click('#side-switch [data-side="b"]');
  await page.waitForFunction(() => document.body.dataset.side === 'b');
  assert.equal((await dataset(page)).frames, String(pair.countB));

  // Export: A's lost frames as pcapng hold exactly frames 7 and 10 of A.
  await page.click('#tab-compare');
  await page.evaluate(() => { window.showSaveFilePicker = undefined; });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('.compare-export [data-side="a"][data-category="lost"]')]);
  assert.equal(download.suggestedFilename(), 'client-lost.pcapng');
  const file = path.join(dir, 'lost.pcapng');
  await download.saveAs(file);
  await page.waitForFunction(() => !['pending', undefined].includes(document.body.dataset.exported));
  assert.equal((await dataset(page)).exported, String(DROPPED.length));
  const fields = (f, filter) => execFileSync('tshark', ['-r', f, ...(filter ? ['-Y', filter] : []), '-T', 'fields', '-e', 'frame.len', '-e', 'tcp.seq_raw', '-e', 'tcp.len'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const original = path.join(dir, 'client.pcap');
  fs.writeFileSync(original, pair.a.bytes);
  assert.equal(fields(file), fields(original, DROPPED.map((n) => `frame.number == ${n}`).join(' || ')));

  // Privacy: every request of the session went to the server's own static files.
  assert.deepEqual(foreignRequests(env.browser.requests.slice(before), env.server.origin), []);
  for (const r of env.server.seen) assert.doesNotMatch(r.url, /\?|client\.pcap|server\.pcap/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('two captures of the same traffic: Merge still makes one timeline of both', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  await dropPair(page);
  await page.click('[data-choice="merge"]');
  await page.waitForFunction(() => document.body.dataset.state === 'ready' && Number(document.body.dataset.openCount) === 1, null, { timeout: 60_000 });
  const d = await dataset(page);
  assert.equal(d.frames, String(pair.countA + pair.countB));
  assert.equal(d.compare, undefined);
  assert.equal(await page.isHidden('#tab-compare'), true);
  assert.equal(await page.isHidden('#side-switch'), true);
  assert.deepEqual(errors, []);
  await page.close();
});

test('two unrelated captures are merged without a question', async () => {
  // Their handshakes look alike to the comparison (a few "matches" with a clock 16 years and
  // 8,000 ppm apart): no plausible clock, so no question.
  const { page, errors } = await openApp(env.browser, env.server.origin);
  await dispatchDrop(page, [{ path: capture('chrissanders/http_google.pcapng') }, { path: capture('zeek/mime-header-size-limit.pcap.gz') }]);
  await page.waitForFunction(() => document.body.dataset.state === 'ready' && Number(document.body.dataset.openCount) === 1, null, { timeout: 60_000 });
  const d = await dataset(page);
  assert.equal(d.compare, undefined);
  assert.equal(d.frames, String(12 + 44)); // capinfos -c
  assert.deepEqual(errors, []);
  await page.close();
});

test('the offline copy (file://, bytes handed to the worker) compares too, with no request', async () => {
  const url = offlineUrl();
  const browser = await launch({});
  try {
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    const urls = [];
    page.on('request', (r) => urls.push(r.url()));
    await page.goto(url);
    await page.waitForSelector('body[data-state="empty"]');
    assert.equal((await dropPair(page)).choice, 'compare');
    await page.click('[data-choice="compare"]');
    await page.waitForSelector('#compare-ladder[data-ready]', { timeout: 60_000 });
    assert.deepEqual(await page.$$eval('#compare-ladder .ladder-pkt[data-kind="lost"]', (m) => m.map((x) => Number(x.dataset.no))), DROPPED);
    await page.click(`#compare-ladder .ladder-pkt[data-side="b"][data-no="${SYN_ACK}"]`);
    await page.waitForFunction((no) => document.body.dataset.side === 'b' && document.body.dataset.detailsNo === String(no), SYN_ACK);
    assert.deepEqual(networkRequests(urls, url), []);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('the real pair made through a NAT router (tests/data/compare) shows the router\'s truth', async () => {
  const data = path.join(REPO, 'tests', 'data', 'compare');
  const truth = JSON.parse(fs.readFileSync(path.join(data, 'truth.json'), 'utf8'));
  const { page, errors } = await openApp(env.browser, env.server.origin);
  await dispatchDrop(page, [{ path: path.join(data, 'client.pcap') }, { path: path.join(data, 'server.pcap') }]);
  await page.waitForSelector('#pair-choice:not([hidden]) [data-choice="compare"]', { timeout: 60_000 });
  assert.equal(await page.evaluate(() => document.body.dataset.pairChoice), 'compare');
  await page.click('[data-choice="compare"]');
  await page.waitForSelector('#view-compare[data-flows]', { timeout: 60_000 });
  const lost = await page.$$eval('.compare-verdict[data-kind="compare_lost"] .verdict-text', (v) => v.map((x) => x.textContent));
  assert.ok(lost.some((t) => t.startsWith(`client→server: ${truth.dropped_client_to_server} of `)), lost.join('\n'));
  assert.ok(lost.some((t) => t.startsWith(`server→client: ${truth.dropped_server_to_client} of `)), lost.join('\n'));
  const nat = await page.$$eval('.nat-table tbody tr', (rows) => rows.map((r) => [...r.cells].slice(0, 3).map((c) => c.textContent).join(' ')));
  // ICMP bindings are written "address id N".
  const end = (proto, e) => (proto === 'icmp' ? e.replace(':', ' id ') : e);
  const want = truth.nat.map((n) => `${n.proto} ${end(n.proto, n.inside)} ${end(n.proto, n.outside)}`);
  assert.deepEqual([...nat].sort(), [...want].sort());
  assert.deepEqual(errors, []);
  await page.close();
});
