// Exports from the page: "Export → pcapng" saves the displayed frames (the filter's view, or all)
// as pcapng made chunk by chunk in the worker — through showSaveFilePicker + createWritable where
// the browser has them, else a Blob download — and the file holds exactly the frames
// `tshark -Y FILTER` selects (same bytes, times and lengths), with the findings' comments. The
// findings' "Report (HTML)" button saves a self-contained page. tshark is required.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { openApp } from './lib/browser.mjs';
import { useBrowser } from './lib/session.mjs';
import { capture, scratchDir } from './lib/paths.mjs';
import { openFiles, applyFilter, filterState, showView } from './lib/app.mjs';

const env = useBrowser({ acceptDownloads: true });
const dir = scratchDir('tracelens-export-');

/** tshark's text for `file` (optionally filtered): per frame time, length and the hex dump. */
function tshark(file, filter) {
  const args = ['-r', file, ...(filter ? ['-Y', filter] : [])];
  const run = (more) => execFileSync('tshark', [...args, ...more], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  const fields = run(['-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len']);
  const hex = run(['-x']);
  return { fields: fields.trim().split('\n').filter(Boolean), hex };
}

function comments(file) {
  return execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.comment'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('Export → pcapng with a filter downloads exactly the frames tshark -Y selects (Blob fallback)', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  const original = capture('chrissanders/synscan.pcapng');
  assert.equal(await openFiles(page, [original]), 'ready');
  await showView(page, 'packets');
  const filter = 'tcp.flags.syn==1 and tcp.flags.ack==1';
  await applyFilter(page, filter);
  assert.match((await filterState(page)).count, /^Displayed: 12 of 2,011$/);
  // No file picker (Firefox, Safari): the chunks become one Blob and a download link.
  await page.evaluate(() => { window.showSaveFilePicker = undefined; });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-button')]);
  assert.equal(download.suggestedFilename(), 'synscan-export.pcapng');
  assert.match(download.url(), /^blob:/);
  const file = path.join(dir, 'filtered.pcapng');
  await download.saveAs(file);
  await page.waitForFunction(() => !['pending', undefined].includes(document.body.dataset.exported));
  const want = tshark(original, filter);
  const got = tshark(file);
  assert.ok(want.fields.length > 10, `tshark selected ${want.fields.length} frames`);
  assert.equal(await page.evaluate(() => document.body.dataset.exported), String(want.fields.length));
  assert.deepEqual(got.fields, want.fields);
  assert.equal(got.hex, want.hex);
  assert.deepEqual(errors, []);
  await page.close();
});

test('Export → pcapng streams the chunks into createWritable; findings\' evidence carries comments', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  const original = capture('chrissanders/tcp_refuseconnection.pcapng');
  assert.equal(await openFiles(page, [original]), 'ready');
  await page.waitForFunction(() => document.body.dataset.findings && document.body.dataset.findings !== 'pending');
  // A stand-in for the native picker: what createWritable receives is kept in the page.
  await page.evaluate(() => {
    window.savedChunks = [];
    window.showSaveFilePicker = async (options) => {
      window.pickerOptions = options;
      return {
        createWritable: async () => ({
          write: async (chunk) => { window.savedChunks.push(Array.from(chunk)); },
          close: async () => { window.savedClosed = true; },
          abort: async () => {},
        }),
      };
    };
  });
  await page.click('#export-button');
  await page.waitForFunction(() => window.savedClosed === true);
  const { chunks, name } = await page.evaluate(() => ({ chunks: window.savedChunks, name: window.pickerOptions.suggestedName }));
  assert.equal(name, 'tcp_refuseconnection-export.pcapng');
  assert.ok(chunks.length >= 1);
  const file = path.join(dir, 'all.pcapng');
  fs.writeFileSync(file, Buffer.concat(chunks.map((c) => Buffer.from(c))));
  const want = tshark(original);
  const got = tshark(file);
  assert.deepEqual(got.fields, want.fields);
  assert.equal(got.hex, want.hex);
  // `tracelens findings`: connection_refused cites the SYN and the RST (frames 1 and 2).
  const lines = comments(file).split('\n');
  assert.match(lines[0], /^tracelens warning connection_refused: /);
  assert.match(lines[1], /^tracelens warning connection_refused: /);
  assert.deepEqual(errors, []);
  await page.close();
});

test('Report (HTML) downloads a self-contained page without scripts', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  assert.equal(await openFiles(page, [capture('chrissanders/tcp_refuseconnection.pcapng')]), 'ready');
  await showView(page, 'findings');
  await page.waitForSelector('[data-export="html"]');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-export="html"]')]);
  assert.equal(download.suggestedFilename(), 'tcp_refuseconnection-findings.html');
  const html = fs.readFileSync(await download.path(), 'utf8');
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /connection_refused/);
  assert.match(html, /<table>/);
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /https?:\/\//);
  assert.deepEqual(errors, []);
  await page.close();
});
