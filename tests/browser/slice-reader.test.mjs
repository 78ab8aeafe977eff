// The page reads a dropped file into a few buffers it reuses (www/js/slice-reader.js): every
// byte arrives once, in order, in full slices but the last, whichever way the browser lets it
// read — a byte stream filling the buffers handed back, or Blob slices where the stream is not
// a byte stream — and a read can stop half-way.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp } from './lib/browser.mjs';
import { useBrowser } from './lib/session.mjs';

const env = useBrowser();

/**
 * Reads a Blob of `size` pseudo-random bytes with sliceReader in slices of `sliceBytes`, each
 * slice's buffer handed back for the next read (as the worker hands it back); `bytesOnly` hides
 * the Blob's stream, as a browser without byte streams would; the first slice is at most
 * `firstLimit` bytes. Gives the slices' lengths and whether the bytes read are the Blob's.
 */
function readBack(page, size, sliceBytes, bytesOnly = false, firstLimit = sliceBytes) {
  return page.evaluate(async ({ size, sliceBytes, bytesOnly, firstLimit }) => {
    const { sliceReader } = await import('./js/slice-reader.js');
    const source = new Uint8Array(size);
    let x = 0x2545f491;
    for (let i = 0; i < size; i++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      source[i] = x & 0xff;
    }
    const blob = new Blob([source]);
    const target = bytesOnly ? { size: blob.size, slice: (a, b) => blob.slice(a, b), stream: () => { throw new TypeError('no streams here'); } } : blob;
    const reader = sliceReader(target, sliceBytes);
    const lengths = [];
    const read = new Uint8Array(size);
    let at = 0;
    let buffer = null;
    for (let limit = firstLimit; ; limit = sliceBytes) {
      const slice = await reader.next(buffer, limit);
      if (slice.length === 0) break;
      lengths.push(slice.length);
      read.set(new Uint8Array(slice.buffer, 0, slice.length), at);
      at += slice.length;
      buffer = slice.buffer;
    }
    const same = at === size && read.every((b, i) => b === source[i]);
    return { lengths, same };
  }, { size, sliceBytes, bytesOnly, firstLimit });
}

test('a file is read whole, in order, in full slices but the last, by a byte stream', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  const slice = 1 << 20;
  const { lengths, same } = await readBack(page, 5 * slice + 12_345, slice);
  assert.ok(same, 'the bytes read are the file\'s');
  assert.deepEqual(lengths, [slice, slice, slice, slice, slice, 12_345]);
  assert.deepEqual(errors, []);
  await page.close();
});

test('without a byte stream, Blob slices give the same bytes', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  const slice = 1 << 20;
  const { lengths, same } = await readBack(page, 3 * slice + 7, slice, true);
  assert.ok(same);
  assert.deepEqual(lengths, [slice, slice, slice, 7]);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a smaller first slice, then full ones, either way of reading', async () => {
  const { page } = await openApp(env.browser, env.server.origin);
  const slice = 1 << 20;
  for (const bytesOnly of [false, true]) {
    const { lengths, same } = await readBack(page, 3 * slice + 5, slice, bytesOnly, 1000);
    assert.ok(same);
    assert.deepEqual(lengths, [1000, slice, slice, slice - 1000 + 5], `bytesOnly ${bytesOnly}`);
  }
  await page.close();
});

test('an exact multiple of the slice ends without an empty slice; an empty file gives none', async () => {
  const { page } = await openApp(env.browser, env.server.origin);
  const slice = 1 << 16;
  assert.deepEqual((await readBack(page, 4 * slice, slice)).lengths, [slice, slice, slice, slice]);
  assert.deepEqual((await readBack(page, 0, slice)).lengths, []);
  await page.close();
});

test('a read cancelled half-way gives nothing more', async () => {
  const { page } = await openApp(env.browser, env.server.origin);
  const after = await page.evaluate(async () => {
    const { sliceReader } = await import('./js/slice-reader.js');
    const reader = sliceReader(new Blob([new Uint8Array(3 << 20)]), 1 << 20);
    const first = await reader.next(null);
    reader.cancel();
    const next = await reader.next(first.buffer);
    return [first.length, next.length];
  });
  assert.deepEqual(after, [1 << 20, 0]);
  await page.close();
});
