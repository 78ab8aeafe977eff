// The offline single-file copy (dist/tracelens-offline.html, scripts/build-offline) opened from
// file:// in Chromium: everything the page does works, under its own strict CSP (a violation
// would show as a console error), and it makes no request of any kind.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { launch } from './lib/browser.mjs';
import { capture } from './lib/paths.mjs';
import { offlineUrl, networkRequests, OFFLINE_HTML } from './lib/offline.mjs';
import { seedSynAckCapture } from './lib/captures.mjs';
import { openFiles, dropFiles, frameCount, row, selectFrame, applyFilter, listedFindings, showView } from './lib/app.mjs';

test('the offline copy has no external reference and a hash-only CSP', () => {
  const html = fs.readFileSync(OFFLINE_HTML, 'utf8');
  // (A WebSocket address has slashes or opens a string: minified code's `a?Ws:b` is not one.)
  assert.doesNotMatch(html, /https?:\/\/|\bwss?:\/|["'`]wss?:|\b(src|href)\s*=\s*["']?\/\//i);
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)[1];
  const d = Object.fromEntries(csp.split(';').map((x) => x.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  assert.deepEqual(d['default-src'], ["'none'"]);
  assert.deepEqual(d['connect-src'], ["'none'"]);
  assert.deepEqual(d['worker-src'], ['blob:']);
  assert.deepEqual(d['font-src'], ["'none'"]);
  assert.deepEqual(d['base-uri'], ["'none'"]);
  assert.deepEqual(d['form-action'], ["'none'"]);
  assert.ok(d['script-src'].every((s) => /^'sha256-[A-Za-z0-9+/]+=*'$/.test(s) || s === "'wasm-unsafe-eval'"), csp);
  assert.ok(d['style-src'].every((s) => /^'sha256-/.test(s)), csp);
  assert.ok(fs.statSync(OFFLINE_HTML).size <= 1.5 * 1024 * 1024);
});

test('Chromium, file://: sample, file input, drop, filter, details, views and report downloads, with no request', async () => {
  const url = offlineUrl();
  const browser = await launch({ acceptDownloads: true });
  try {
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    const started = Date.now();
    await page.goto(url);
    await page.waitForSelector('body[data-state="empty"]');
    assert.equal(await page.locator('#offline-link').count(), 0, 'no download link inside the offline copy');

    await page.click('#sample-button');
    await page.waitForSelector('body[data-state="ready"]');
    await page.waitForFunction(() => document.body.dataset.findings === 'ready');
    const sampleMs = Date.now() - started;
    assert.equal(await frameCount(page), 9); // `tshark -r zeek/get-to-ssh-server.pcap | wc -l`
    assert.match((await row(page, 1)).info, /^44338 → 22 \[SYN\]/);
    await selectFrame(page, 4);
    const marked = await page.$$eval('.hex-bytes .b', (s) => s.flatMap((b, i) => (b.classList.contains('problem') ? [i] : [])));
    assert.deepEqual(marked, [50, 51]); // the wrong TCP checksum, as on the hosted page

    // The file input; then a drop of a gzip'd capture (inflated in the worker from transferred bytes).
    assert.equal(await openFiles(page, [capture('chrissanders/http_google.pcapng')]), 'ready');
    assert.equal(await frameCount(page), 12);
    assert.match((await row(page, 4)).info, /^GET \/ HTTP\/1\.1/);
    assert.equal(await dropFiles(page, [{ path: capture('zeek/mime-header-size-limit.pcap.gz') }]), 'ready');
    assert.equal(await frameCount(page), 44);
    await applyFilter(page, 'tcp.flags.syn == 1');
    assert.equal(await page.evaluate(() => document.body.dataset.displayed), '2');
    for (const view of ['conversations', 'connections', 'stream', 'findings', 'packets']) await showView(page, view);

    // Findings and their report downloads (Blob URLs made in the page).
    assert.equal(await openFiles(page, [seedSynAckCapture()]), 'ready');
    const found = await listedFindings(page);
    assert.equal(found[0].kind, 'handshake_ack_mismatch');
    await showView(page, 'findings');
    for (const [format, ext] of [['markdown', 'md'], ['json', 'json']]) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-export="${format}"]`)]);
      assert.equal(download.suggestedFilename(), `seed-synack-2-bytes-findings.${ext}`);
      assert.match(download.url(), /^blob:/);
      const text = fs.readFileSync(await download.path(), 'utf8');
      assert.match(text, /2180033888/);
    }
    // The HTML report and the pcapng export work offline too (Blob downloads: the save picker is
    // taken away, as headless Chromium cannot answer it). The seed capture has 10 frames, all
    // exported with no filter applied.
    {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-export="html"]')]);
      const html = fs.readFileSync(await download.path(), 'utf8');
      assert.match(html, /2180033888/);
      assert.ok(!/<script/i.test(html), 'the HTML report has no script');
    }
    await page.evaluate(() => { window.showSaveFilePicker = undefined; });
    {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-button')]);
      const bytes = fs.readFileSync(await download.path());
      assert.deepEqual([...bytes.subarray(0, 4)], [0x0a, 0x0d, 0x0d, 0x0a], 'a pcapng section header');
      await page.waitForFunction(() => document.body.dataset.exported === String(document.body.dataset.frames));
    }
    // A link naming a capture loads nothing.
    await page.goto(`${url}#capture=samples/get-to-ssh-server.pcap`);
    await page.reload(); // the same document with another fragment only fired hashchange
    await page.waitForSelector('#welcome-error:not([hidden])');
    assert.match(await page.textContent('#welcome-error'), /offline copy opens only files you choose/);

    assert.deepEqual(errors, []);
    const urls = browser.requests.map((r) => r.url);
    assert.deepEqual(networkRequests(urls, url).filter((u) => !u.startsWith(`${url}#`)), []);
    console.log(`chromium: file:// load to sample findings ready in ${sampleMs} ms`);
  } finally {
    await browser.close();
  }
});
