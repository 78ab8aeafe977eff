// A million frames: the capture streams in, the list scrolls to its end with only the visible
// rows in the DOM, and a read can be cancelled.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { openApp } from './lib/browser.mjs';
import { useBrowser } from './lib/session.mjs';
import { syntheticCapture } from './lib/synth.mjs';
import { openFiles, frameCount, visibleRows } from './lib/app.mjs';

const PACKETS = 1_000_000;
const env = useBrowser();
let big;

before(() => {
  big = syntheticCapture(PACKETS);
});

/**
 * Makes the pages count the slices they send the worker (protocol.js, `slice`) and the most of
 * them sent ahead of the worker at once.
 */
function countFeed(context) {
  return context.addInitScript(() => {
    const Original = window.Worker;
    window.__feed = { sent: 0, taken: 0, most: 0, returned: 0 };
    window.Worker = class extends Original {
      constructor(...args) {
        super(...args);
        this.addEventListener('message', (event) => {
          if (event.data?.type !== 'sliceTaken') return;
          window.__feed.taken += 1;
          if (event.data.bytes instanceof ArrayBuffer) window.__feed.returned += 1;
        });
      }

      postMessage(message, ...rest) {
        if (message?.type === 'slice' && message.bytes) {
          const feed = window.__feed;
          feed.sent += 1;
          feed.most = Math.max(feed.most, feed.sent - feed.taken);
        }
        return super.postMessage(message, ...rest);
      }
    };
  });
}

test('1,000,000 frames: End reaches frame 1000000 with fewer than 200 rows in the DOM', { timeout: 300_000 }, async () => {
  await countFeed(env.browser.context);
  const { page, errors } = await openApp(env.browser, env.server.origin);
  assert.equal(await openFiles(page, [big], { timeout: 240_000 }), 'ready');
  assert.equal(await frameCount(page), PACKETS);
  // The page read the file and fed it to the worker slice by slice (reading and parsing on two
  // threads), 1 MiB first, then 4 MiB at a time, never more than three slices ahead; the worker
  // handed every slice's buffer back for the next read.
  const feed = await page.evaluate(() => window.__feed);
  const slices = 1 + Math.ceil((fs.statSync(big).size - 2 ** 20) / 2 ** 22);
  assert.deepEqual([feed.sent, feed.taken, feed.returned], [slices, slices, slices], JSON.stringify(feed));
  assert.ok(feed.most <= 3 && feed.most >= 1, JSON.stringify(feed));

  await page.focus('.plist-scroll');
  await page.keyboard.press('End');
  await page.waitForSelector(`.plist .row[data-no="${PACKETS}"]`);
  const rows = await visibleRows(page);
  assert.equal(rows.at(-1).no, PACKETS, 'the last row on screen is the last frame');
  assert.ok(await page.locator('.plist .row').count() < 200, 'only visible rows are in the DOM');
  assert.ok(await page.locator('.plist .row[data-no="1000000"].selected').count() === 1);

  // Drag the scrollbar to the middle: rows near the middle appear, still few in the DOM.
  await page.evaluate(() => {
    const s = document.querySelector('.plist-scroll');
    s.scrollTop = (s.scrollHeight - s.clientHeight) / 2;
  });
  await page.waitForFunction(() => {
    const r = document.querySelector('.plist .row:not(.loading)[data-no]');
    return r && Number(r.dataset.no) > 400_000 && Number(r.dataset.no) < 600_000;
  });
  const middle = await visibleRows(page);
  assert.ok(middle.every((r, i) => i === 0 || r.no === middle[i - 1].no + 1), 'consecutive rows');
  assert.ok(await page.locator('.plist .row').count() < 200);

  // Page up and down by keyboard from the end.
  await page.keyboard.press('End');
  await page.keyboard.press('PageUp');
  await page.waitForFunction(() => Number(document.querySelector('.plist .row.selected')?.dataset.no) < 1_000_000);
  assert.deepEqual(errors, []);
  await page.close();
});

test('Cancel stops reading a large capture and returns to the start page', { timeout: 120_000 }, async () => {
  const { page } = await openApp(env.browser, env.server.origin);
  await page.setInputFiles('#file-input', [big]);
  await page.waitForSelector('body[data-state="opening"]');
  await page.click('#cancel-button');
  await page.waitForSelector('body[data-state="empty"]', { timeout: 10_000 });
  assert.match(await page.textContent('#status-text'), /cancelled/);
  // The page still works afterwards.
  await page.click('#sample-button');
  await page.waitForSelector('body[data-state="ready"]');
  assert.equal(await frameCount(page), 9);
  await page.close();
});
