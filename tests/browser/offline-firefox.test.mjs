// The offline single-file copy opened from file:// in Firefox ESR (Debian's /usr/bin/firefox-esr,
// never a downloaded one), driven by puppeteer-core over WebDriver BiDi. Firefox does not apply a
// page's CSP to file: loads, so here the proof of "no request" is the BiDi network events.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { capture } from './lib/paths.mjs';
import { offlineUrl, networkRequests } from './lib/offline.mjs';

const FIREFOX = process.env.TRACELENS_FIREFOX ?? '/usr/bin/firefox-esr';

const state = (page) => page.evaluate(() => ({ ...document.body.dataset }));

async function waitOpen(page, count) {
  await page.waitForFunction(
    (n) => Number(document.body.dataset.openCount ?? 0) >= n && document.body.dataset.findings === 'ready',
    { timeout: 60_000, polling: 50 }, count,
  );
}

test('Firefox ESR, file://: sample, file input, filter and details, with no request', async () => {
  assert.ok(fs.existsSync(FIREFOX), `${FIREFOX} is missing: scripts/setup --test installs Debian's firefox-esr`);
  const url = offlineUrl();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tracelens-firefox-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    userDataDir: profile,
    extraPrefsFirefox: { 'network.proxy.type': 0, 'browser.safebrowsing.malware.enabled': false },
  });
  try {
    const page = await browser.newPage();
    const requests = [];
    const errors = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(String(e.message ?? e)));
    const started = Date.now();
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.state === 'empty');
    await page.click('#sample-button');
    await waitOpen(page, 1);
    const sampleMs = Date.now() - started;
    let s = await state(page);
    assert.equal(s.state, 'ready');
    assert.equal(s.frames, '9');
    assert.equal(s.detailsNo, '1'); // the first frame's details: bytes read back in the worker

    const input = await page.$('#file-input');
    await input.uploadFile(capture('zeek/mime-header-size-limit.pcap.gz'));
    await waitOpen(page, 2);
    s = await state(page);
    assert.equal(s.frames, '44');
    await page.evaluate(() => {
      document.querySelector('#filter-input').value = 'tcp.flags.syn == 1';
      document.querySelector('#filter-input').dispatchEvent(new Event('input', { bubbles: true }));
      document.querySelector('.filter-apply').click();
    });
    await page.waitForFunction(() => document.body.dataset.filter === 'tcp.flags.syn == 1', { polling: 50 });
    assert.equal((await state(page)).displayed, '2');
    const findings = await page.$$eval('.findings-list .finding', (f) => f.length);
    assert.ok(findings >= 0);

    assert.deepEqual(errors, []);
    assert.deepEqual(networkRequests(requests, url), []);
    console.log(`firefox: file:// load to sample findings ready in ${sampleMs} ms`);
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});
