// The Capture plan (issue 16): the engineer answers the questions and gets the customer-ready
// plan computed in Rust (src/plan) — commands per OS and tool with the ring buffer sized from the
// traffic, marker pings of the sizes the analyzer recognises; "Copy as Markdown" gives it; the
// answers travel in the fragment (#plan&…) and a link opens the same plan. An opened capture
// says what it shows of the plan, and findings that depend on how the capture was taken lead to it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openApp } from './lib/browser.mjs';
import { offlineUrl, networkRequests } from './lib/offline.mjs';
import { useBrowser } from './lib/session.mjs';
import { markerCapture } from './lib/captures.mjs';
import { openFiles, showView } from './lib/app.mjs';

const env = useBrowser();

/** The command lines shown under the plan section `id`. */
async function sectionLines(page, id) {
  return page.$$eval(`.plan-section[data-section="${id}"] .plan-code`, (blocks) => blocks.flatMap((b) => b.textContent.split('\n')));
}

async function waitPlan(page, query) {
  await page.waitForFunction((q) => document.body.dataset.plan === q, query, { timeout: 30_000 });
}

test('the questions make the plan; Copy as Markdown gives it; the fragment carries the answers', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.click('#welcome-plan-button');
  await page.waitForSelector('#capture-plan[open]');
  // The defaults: Windows client, Linux server, both ends, 30 min, 10 Mbit/s.
  await waitPlan(page, 'client=windows&server=linux&ends=both&minutes=30&mbps=10&intermittent=no');

  await page.selectOption('#capture-plan select[name="client"]', 'windows');
  await page.selectOption('#capture-plan select[name="server"]', 'linux');
  await page.fill('#capture-plan input[name="minutes"]', '20');
  await page.fill('#capture-plan input[name="mbps"]', '50');
  await page.fill('#capture-plan input[name="target"]', '10.0.0.5');
  await page.press('#capture-plan input[name="target"]', 'Tab');
  const query = 'client=windows&server=linux&ends=both&minutes=20&mbps=50&intermittent=no&target=10.0.0.5';
  await waitPlan(page, query);
  assert.equal(await page.evaluate(() => location.href.split('#')[1]), `plan&${query}`);

  const sections = await page.$$eval('.plan-section', (s) => s.map((x) => x.dataset.section));
  assert.deepEqual(sections, ['summary', 'capture-client', 'capture-server', 'markers', 'clock', 'write-down', 'send']);
  // 50 Mbit/s = 6.25 MB/s × 1,200 s × 1.5 = 11,250 MB: 57 files of the 200 MB cap (11,400 MB).
  const client = await sectionLines(page, 'capture-client');
  assert.ok(client.includes(String.raw`pktmon start --capture --comp nics --pkt-size 0 --file-name C:\traces\client.etl --file-size 11400 --log-mode circular`), client.join('\n'));
  assert.ok(client.includes(String.raw`netsh trace start capture=yes report=disabled maxsize=11400 filemode=circular overwrite=yes tracefile=C:\traces\client.etl`));
  assert.ok(client.includes(String.raw`nmcap /network * /capture /file C:\traces\client.chn:200MB /MinDiskQuotaPercentage 20`));
  const server = await sectionLines(page, 'capture-server');
  assert.ok(server.includes('tcpdump -i any -s 0 -C 200 -W 57 -Z root -w /var/tmp/server.pcap'), server.join('\n'));
  assert.ok(server.includes('dumpcap -i 1 -b filesize:200000 -b files:57 -w /var/tmp/server.pcapng'));
  assert.deepEqual(await sectionLines(page, 'markers'), ['ping -n 1 -l 22 10.0.0.5', 'ping -n 1 -l 33 10.0.0.5']);
  assert.deepEqual(await sectionLines(page, 'clock'), [
    'w32tm /query /status', 'w32tm /stripchart /computer:time.windows.com /dataonly /samples:3',
    'timedatectl status', 'chronyc tracking',
  ]);

  await page.click('#capture-plan [data-copy="markdown"]');
  await page.waitForFunction(() => document.body.dataset.planCopied === 'markdown');
  const markdown = await page.evaluate(() => navigator.clipboard.readText());
  assert.ok(markdown.startsWith('# Capture plan: Windows client, Linux server — capture on both ends\n'), markdown.slice(0, 200));
  assert.ok(markdown.includes('```bat\nping -n 1 -l 22 10.0.0.5\nping -n 1 -l 33 10.0.0.5\n```'), 'marker pings in a fenced block');
  assert.ok(markdown.includes('\n## Check the clocks\n'));
  await page.click('#capture-plan [data-copy="text"]');
  await page.waitForFunction(() => document.body.dataset.planCopied === 'text');
  const text = await page.evaluate(() => navigator.clipboard.readText());
  const title = 'Capture plan: Windows client, Linux server — capture on both ends';
  assert.ok(text.startsWith(`${title}\n${'='.repeat(title.length)}\n`), text.slice(0, 200));
  assert.ok(text.includes('\n    ping -n 1 -l 22 10.0.0.5\n    ping -n 1 -l 33 10.0.0.5\n'), 'marker pings indented');
  assert.ok(!text.includes('```'), 'no Markdown in the text');
  await page.click('#capture-plan [data-copy="link"]');
  await page.waitForFunction(() => document.body.dataset.planCopied === 'link');
  const link = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(link, `${env.server.origin}/#plan&${query}`);

  // Closing puts the address back as it was.
  await page.click('#capture-plan [data-close]');
  await page.waitForFunction(() => !document.querySelector('#capture-plan').open);
  // (The address is put back by the dialog's close event, which may come a moment later.)
  await page.waitForFunction((plain) => location.href === plain, `${env.server.origin}/`, { timeout: 5000 })
    .catch(() => {});
  assert.equal(await page.evaluate(() => location.href), `${env.server.origin}/`);

  // The link opens the same plan, its questions filled in.
  const shared = await env.browser.context.newPage();
  await shared.goto(link);
  await shared.waitForSelector('#capture-plan[open]');
  await waitPlan(shared, query);
  assert.equal(await shared.inputValue('#capture-plan input[name="mbps"]'), '50');
  assert.equal(await shared.inputValue('#capture-plan input[name="target"]'), '10.0.0.5');
  assert.deepEqual(await sectionLines(shared, 'markers'), ['ping -n 1 -l 22 10.0.0.5', 'ping -n 1 -l 33 10.0.0.5']);
  await shared.close();
  assert.deepEqual(errors, []);
  await page.close();
});

test('one end on a busy link: snap length, no clock section, the macOS marker pings', async () => {
  const page = await env.browser.context.newPage();
  await page.goto(`${env.server.origin}/#plan&client=macos&server=device&ends=client&minutes=5&mbps=200&intermittent=yes`);
  await page.waitForSelector('#capture-plan[open]');
  await waitPlan(page, 'client=macos&server=device&ends=client&minutes=5&mbps=200&intermittent=yes');
  const sections = await page.$$eval('.plan-section', (s) => s.map((x) => x.dataset.section));
  assert.deepEqual(sections, ['summary', 'capture-client', 'markers', 'write-down', 'send']);
  // 200 Mbit/s = 25 MB/s × 300 s × 2 (intermittent) = 15,000 MB: 75 files of 200 MB; snap 256.
  const client = await sectionLines(page, 'capture-client');
  assert.ok(client.includes('tcpdump -i en0 -s 256 -C 200 -W 75 -Z root -w /var/tmp/client.pcap'), client.join('\n'));
  assert.deepEqual(await sectionLines(page, 'markers'), ['ping -c 1 -s 22 SERVER_IP', 'ping -c 1 -s 33 SERVER_IP']);
  assert.match(await page.textContent('.plan-section[data-section="summary"]'), /^What to captureOnly one end can be captured/);
  await page.close();
});

test('an opened capture says what it shows of the plan, and findings lead to the plan', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  // markerCapture(): 22-byte pings in frames 3/4, 33-byte ones in 15/16 (the repro: 5..14).
  assert.equal(await openFiles(page, [markerCapture()]), 'ready');
  await page.waitForSelector('#plan-notes:not([hidden])');
  assert.equal(
    await page.textContent('#plan-notes [data-kind="markers"]'),
    'Markers found: start 22 bytes at frame 3, end 33 bytes at frame 15; the repro lies between frames 5 and 14.',
  );
  // Every packet of this capture involves 192.168.1.10: the capture_quality note (own traffic
  // only) offers the plan for both ends.
  await showView(page, 'findings');
  const plan = page.locator('.finding[data-kind="capture_quality"] [data-open-plan]');
  assert.equal(await plan.textContent(), 'Capture plan: capture both ends');
  await page.click('.finding[data-kind="capture_quality"] .finding-head');
  await plan.click();
  await page.waitForSelector('#capture-plan[open]');
  await page.waitForFunction(() => /ends=both/.test(document.body.dataset.plan ?? ''));
  const before = await page.evaluate(() => location.href);
  assert.ok(before.includes('#plan&'), before);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('#capture-plan').open);
  // (The close event puts the address back a moment after `open` turns false.)
  await page.waitForFunction(() => !(location.href.split('#')[1] ?? '').includes('plan'), null, { timeout: 5000 })
    .catch(() => {});
  const after = await page.evaluate(() => location.href.split('#')[1] ?? '');
  assert.ok(!after.includes('plan'), after);
  assert.ok(after.includes('view=findings'), after);
  // The header button opens it too.
  await page.click('#plan-button');
  await page.waitForSelector('#capture-plan[open]');
  await page.keyboard.press('Escape');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the offline copy (file://) makes the plan too, with no request', async () => {
  const url = offlineUrl();
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    const errors = [];
    const urls = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    page.on('request', (r) => urls.push(r.url()));
    await page.goto(url);
    await page.waitForSelector('body[data-state="empty"]');
    await page.click('#welcome-plan-button');
    await page.waitForSelector('#capture-plan[open]');
    await page.selectOption('#capture-plan select[name="client"]', 'linux');
    await waitPlan(page, 'client=linux&server=linux&ends=both&minutes=30&mbps=10&intermittent=no');
    assert.deepEqual(await sectionLines(page, 'markers'), ['ping -c 1 -s 22 SERVER_IP', 'ping -c 1 -s 33 SERVER_IP']);
    assert.deepEqual(networkRequests(urls, url), []);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
