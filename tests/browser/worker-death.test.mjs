// A page that survives its worker (issue 14): when the analysis worker dies without a word in
// the middle of reading a capture (as when the browser kills it for memory), the page says so in
// plain words, goes back to the start page without an internal message, and offers the same
// files again — which then open.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { openApp } from './lib/browser.mjs';
import { useBrowser } from './lib/session.mjs';
import { syntheticCapture } from './lib/synth.mjs';
import { frameCount } from './lib/app.mjs';

const PACKETS = 1_000_000;
const env = useBrowser();
let big;

before(() => {
  big = syntheticCapture(PACKETS);
});

test('the worker killed mid-read: the page says why, keeps the files and opens them again', { timeout: 240_000 }, async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  await page.setInputFiles('#file-input', [big]);
  // Some frames are read, then the worker ends itself, as a worker killed by the browser would:
  // no error event, no message.
  await page.waitForFunction(() => document.body.dataset.state === 'opening'
    && Number(document.querySelector('#progress-bar')?.getAttribute('aria-valuenow')) > 0, null, { polling: 20 });
  const workers = page.workers();
  assert.equal(workers.length, 1, 'one analysis worker');
  workers[0].evaluate(() => self.close()).catch(() => {}); // never answers: the worker is gone

  await page.waitForSelector('#reopen-button', { timeout: 20_000 });
  assert.equal(await page.evaluate(() => document.body.dataset.state), 'empty');
  const said = await page.textContent('#welcome-error');
  assert.match(said, /ended its worker/);
  assert.match(said, /out of memory/);
  assert.doesNotMatch(said, /ownership|borrowed|RuntimeError|undefined/);
  assert.match(await page.textContent('#reopen-button'), /tracelens-synth-v\d+-1000000\.pcap/);

  await page.click('#reopen-button');
  await page.waitForSelector('body[data-state="ready"]', { timeout: 180_000 });
  assert.equal(await frameCount(page), PACKETS);
  assert.deepEqual(errors, []);
  await page.close();
});
