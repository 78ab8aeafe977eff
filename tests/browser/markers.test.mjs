// The Markers bar (journey 3): a repro bracketed by `ping -l 22` and `ping -l 33` shows both
// pings with their frame numbers, and one click focuses the packet list on the frames between
// them with the filter `frame.number >= a and frame.number <= b` in the filter bar.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp } from './lib/browser.mjs';
import { useBrowser } from './lib/session.mjs';
import { markerCapture } from './lib/captures.mjs';
import { openFiles, listedFrames, filterState, waitDetails, showView } from './lib/app.mjs';

const env = useBrowser();

test('marker pings are listed with their frames; a click focuses on the range between them', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  // markerCapture(): 17 frames; 22-byte echo request/reply in frames 3/4 (IP total length 50),
  // 33-byte ones in frames 15/16 (IP total length 61): the repro is frames 5..14.
  assert.equal(await openFiles(page, [markerCapture()]), 'ready');
  await page.waitForSelector('#markers-bar:not([hidden])');
  const chips = await page.$$eval('.marker-chip', (c) => c.map((b) => ({ frame: b.dataset.frame, text: b.textContent, tip: b.title })));
  assert.deepEqual(chips.map((c) => c.frame), ['3', '15']);
  assert.match(chips[0].text, /22 B.*#3 → 4/);
  assert.match(chips[0].tip, /IP total length 50/);
  assert.match(chips[1].text, /33 B.*#15 → 16/);
  assert.match(chips[1].tip, /IP total length 61/);

  // A marker chip jumps to its frame.
  await page.click('.marker-chip[data-frame="15"]');
  await waitDetails(page, 15);

  // The range button focuses the list on frames 5..14 and writes the filter in the bar.
  const range = page.locator('.range-button');
  assert.equal(await range.count(), 1);
  assert.equal(await range.textContent(), 'Frames 5–14');
  await range.click();
  await page.waitForFunction(() => document.body.dataset.filter === 'frame.number >= 5 and frame.number <= 14');
  const state = await filterState(page);
  assert.equal(state.text, 'frame.number >= 5 and frame.number <= 14');
  assert.equal(state.count, 'Displayed: 10 of 17');
  assert.equal(await range.getAttribute('aria-pressed'), 'true');
  assert.equal(await page.evaluate(() => document.body.dataset.view), 'packets');
  assert.deepEqual(await listedFrames(page), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  // The Findings view is focused too: only findings with evidence in frames 5..14 stay listed.
  // (`tracelens findings` on this capture: the markers note, whose evidence is frames 3, 4, 15
  // and 16, all outside the range.)
  await showView(page, 'findings');
  await page.waitForSelector('.findings-scope:not([hidden])');
  assert.match(await page.textContent('.findings-scope'), /^0 of \d+ findings? ha(s|ve) evidence in the displayed frames \(frame\.number >= 5 and frame\.number <= 14\)\./);
  assert.equal(await page.locator('.finding[data-kind="markers"]:not([hidden])').count(), 0);
  await page.click('.findings-scope .link-button');
  assert.equal(await page.locator('.finding[data-kind="markers"]:not([hidden])').count(), 1);

  // A second click shows everything again.
  await range.click();
  await page.waitForFunction(() => !document.body.dataset.filter && document.body.dataset.displayed === '17');
  assert.equal(await range.getAttribute('aria-pressed'), 'false');
  await showView(page, 'packets');
  assert.deepEqual(errors, []);
  await page.close();
});
