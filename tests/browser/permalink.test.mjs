// Permalinks: the view's state (filter, selected frame, tab, TCP stream) lives in the address's
// fragment, never in the query, never with packet data; "Copy link" gives it; opening the link
// restores it — at once for a same-site capture (#capture=…), or on the capture the user opens
// next for a link that names none.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { openApp } from './lib/browser.mjs';
import { useBrowser } from './lib/session.mjs';
import { openFiles, filterState, showView, selectFrame, applyFilter, waitDetails, listedFrames } from './lib/app.mjs';
import { REPO } from './lib/paths.mjs';

const env = useBrowser();
const SAMPLE = path.join(REPO, 'www', 'samples', 'get-to-ssh-server.pcap');

/** The fragment as key → value (the raw text after '#', parsed like the page does). */
async function fragment(page) {
  return page.evaluate(() => Object.fromEntries(new URLSearchParams(location.href.split('#')[1] ?? '')));
}

test('the address follows the view and Copy link gives it', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  // get-to-ssh-server.pcap: 9 frames, one TCP stream; tshark -Y 'tcp.len > 0': frames 4 and 6.
  assert.equal(await openFiles(page, [SAMPLE]), 'ready');
  await applyFilter(page, 'tcp.len > 0');
  await selectFrame(page, 4);
  await showView(page, 'conversations');
  const state = await fragment(page);
  assert.deepEqual(state, { view: 'conversations', filter: 'tcp.len > 0', frame: '4' });
  // Nothing from the capture but what the user typed or clicked: no file name, no bytes.
  const href = await page.evaluate(() => location.href);
  assert.ok(!href.includes('get-to-ssh-server'), href);
  assert.ok(!href.includes('?'), 'state never goes in the query');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.click('#copy-link-button');
  await page.waitForFunction(() => document.body.dataset.link);
  assert.equal(await page.evaluate(() => document.body.dataset.link), href);
  assert.match(await page.textContent('#status-text'), /^Link copied: /);
  // The TCP stream view puts its stream in the link.
  await showView(page, 'stream');
  await page.waitForFunction(() => new URLSearchParams(location.href.split('#')[1]).get('stream') === '0');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a link with a same-site capture restores filter, frame and view at once', async () => {
  const page = await env.browser.context.newPage();
  const link = `${env.server.origin}/#capture=samples/get-to-ssh-server.pcap&view=packets&filter=${encodeURIComponent('tcp.flags.push == 1')}&frame=6`;
  await page.goto(link);
  await page.waitForFunction(() => document.body.dataset.linkApplied === 'true', null, { timeout: 60_000 });
  await waitDetails(page, 6);
  assert.equal((await filterState(page)).text, 'tcp.flags.push == 1');
  assert.equal(await page.evaluate(() => document.body.dataset.view), 'packets');
  // tshark -r get-to-ssh-server.pcap -Y 'tcp.flags.push == 1': frames 4 and 6.
  assert.deepEqual(await listedFrames(page), [4, 6]);
  // The capture came from this site by the link, so it stays in the address.
  assert.equal((await fragment(page)).capture, 'samples/get-to-ssh-server.pcap');
  await page.close();
});

test('a link without a capture is applied to the capture the user opens next', async () => {
  const page = await env.browser.context.newPage();
  await page.goto(`${env.server.origin}/#view=packets&filter=${encodeURIComponent('tcp.flags.push == 1')}&frame=6`);
  await page.waitForSelector('body[data-state="empty"]');
  assert.match(await page.textContent('#status-text'), /open its capture/);
  assert.equal(await openFiles(page, [SAMPLE]), 'ready');
  await page.waitForFunction(() => document.body.dataset.linkApplied === 'true');
  await waitDetails(page, 6);
  assert.deepEqual(await listedFrames(page), [4, 6]);
  // A capture the user opened never gets a capture= in the address.
  assert.equal((await fragment(page)).capture, undefined);
  await page.close();
});
