// Opening real captures of every supported kind, through the file input and through a synthetic
// drag-and-drop, and checking what the page shows against tshark.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openApp, foreignRequests } from './lib/browser.mjs';
import { useBrowser } from './lib/session.mjs';
import { capture, scratchDir } from './lib/paths.mjs';
import {
  openFiles, dropFiles, frameCount, row, visibleRows, selectFrame, treeLabels, clickTreeItem,
  highlightedBytes, waitDetails,
} from './lib/app.mjs';

// Expected values come from tshark 4.x, e.g. `tshark -r chrissanders/http_google.pcapng`
// (frame, source, destination, protocol, info), run in the capture corpus folder.
const HTTP_GOOGLE = {
  file: 'chrissanders/http_google.pcapng',
  frames: 12, // `tshark -r chrissanders/http_google.pcapng | wc -l`
  rows: [
    { no: 1, src: '172.16.16.128', dst: '74.125.95.104', protocol: 'TCP', length: 66, info: '1606 → 80 [SYN] Seq=0 Win=8192 Len=0 MSS=1460 WS=4 SACK_PERM' },
    { no: 2, src: '74.125.95.104', dst: '172.16.16.128', protocol: 'TCP', length: 66, info: '80 → 1606 [SYN, ACK] Seq=0 Ack=1 Win=5720 Len=0 MSS=1406 SACK_PERM WS=64' },
    { no: 3, src: '172.16.16.128', dst: '74.125.95.104', protocol: 'TCP', length: 54, info: '1606 → 80 [ACK] Seq=1 Ack=1 Win=16872 Len=0' },
    { no: 4, src: '172.16.16.128', dst: '74.125.95.104', protocol: 'HTTP', length: 681, info: 'GET / HTTP/1.1' },
    { no: 5, src: '74.125.95.104', dst: '172.16.16.128', protocol: 'TCP', length: 60, info: '80 → 1606 [ACK] Seq=1 Ack=628 Win=6976 Len=0' },
    { no: 8, src: '172.16.16.128', dst: '74.125.95.104', protocol: 'TCP', length: 54, info: '1606 → 80 [ACK] Seq=628 Ack=2813 Win=16872 Len=0' },
  ],
  // `TZ=UTC tshark -r chrissanders/http_google.pcapng -t ud -c 1`
  firstAbsolute: '2010-02-09 01:18:39.618072',
};

// `tshark -r ms-netcaps/MS-AUTHSOD_Example2-1_Win2016_X64_Win2016_X64_Domain.cap`
const NETMON = {
  file: 'ms-netcaps/MS-AUTHSOD_Example2-1_Win2016_X64_Win2016_X64_Domain.cap',
  frames: 15,
  rows: [
    { no: 1, src: '192.168.0.3', dst: '192.168.0.1', length: 307 },
    { no: 2, src: '192.168.0.1', dst: '192.168.0.3', length: 205 },
    { no: 5, src: '192.168.0.3', dst: '192.168.0.1', protocol: 'TCP', length: 54, info: '2917 → 88 [ACK] Seq=330 Ack=1547 Win=1026 Len=0' },
    { no: 8, src: '192.168.0.1', dst: '192.168.0.3', protocol: 'TCP', length: 54, info: '88 → 2918 [ACK] Seq=1 Ack=1492 Win=1026 Len=0' },
  ],
};

// `tshark -r zeek/mime-header-size-limit.pcap.gz` (tshark decompresses gzip itself)
const GZIP = {
  file: 'zeek/mime-header-size-limit.pcap.gz',
  frames: 44,
  rows: [
    { no: 1, src: '192.0.2.10', dst: '192.0.2.20', protocol: 'TCP', length: 54, info: '54321 → 25 [SYN] Seq=0 Win=8192 Len=0' },
    { no: 2, src: '192.0.2.20', dst: '192.0.2.10', protocol: 'TCP', length: 54, info: '25 → 54321 [SYN, ACK] Seq=0 Ack=1 Win=8192 Len=0' },
    { no: 5, src: '192.0.2.10', dst: '192.0.2.20', protocol: 'TCP', length: 54, info: '54321 → 25 [ACK] Seq=1 Ack=38 Win=8192 Len=0' },
  ],
};

const env = useBrowser();

/** Compares a row with tshark's, Info column included. */
function assertRow(actual, expected) {
  for (const [key, value] of Object.entries(expected)) {
    const got = key === 'info' ? actual.info.trim() : actual[key];
    assert.equal(got, value, `frame ${expected.no} ${key}`);
  }
}

test('a pcapng through the file input: frame count, rows, summary', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  assert.equal(await openFiles(page, [capture(HTTP_GOOGLE.file)]), 'ready');
  assert.equal(await frameCount(page), HTTP_GOOGLE.frames);
  for (const expected of HTTP_GOOGLE.rows) assertRow(await row(page, expected.no), expected);
  const strip = await page.textContent('.facts-strip');
  assert.match(strip, /Frames\s*12/);
  assert.match(strip, /pcapng/);
  assert.equal(await page.locator('.alert-error').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a Network Monitor .cap dropped on the page', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  assert.equal(await dropFiles(page, [{ path: capture(NETMON.file) }]), 'ready');
  assert.equal(await frameCount(page), NETMON.frames);
  for (const expected of NETMON.rows) assertRow(await row(page, expected.no), expected);
  assert.match(await page.textContent('.facts-strip'), /Network Monitor/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a gzip-compressed pcap is decompressed in the worker', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  assert.equal(await openFiles(page, [capture(GZIP.file)]), 'ready');
  assert.equal(await frameCount(page), GZIP.frames);
  for (const expected of GZIP.rows) assertRow(await row(page, expected.no), expected);
  assert.match(await page.textContent('.facts-strip'), /gzip/);
  // Frame bytes come back out of the decompressed Blob by their offset.
  await selectFrame(page, 2);
  const bytes = await page.$$eval('.hex-bytes .b', (s) => s.slice(12, 14).map((b) => b.textContent).join(''));
  assert.equal(bytes, '0800', 'EtherType IPv4 at bytes 12-13 of frame 2');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a damaged pcap shows the frames before the damage and says where it is', async () => {
  // zeek/http-vlan-0.pcap: 14 records; record 8 starts at byte 3678 and holds 1518 bytes
  // (`tshark -r zeek/http-vlan-0.pcap` lists 14 frames). Cut it 700 bytes into record 8's data.
  const source = fs.readFileSync(capture('zeek/http-vlan-0.pcap'));
  let offset = 24;
  const starts = [];
  while (offset < source.length) {
    starts.push(offset);
    offset += 16 + source.readUInt32LE(offset + 8);
  }
  assert.equal(starts.length, 14);
  const cut = path.join(scratchDir(), 'http-vlan-0-cut.pcap');
  fs.writeFileSync(cut, source.subarray(0, starts[7] + 16 + 700));

  const { page } = await openApp(env.browser, env.server.origin);
  assert.equal(await openFiles(page, [cut]), 'ready');
  assert.equal(await frameCount(page), 7);
  const alert = await page.textContent('.alert-error');
  const m = alert.match(/File http-vlan-0-cut\.pcap is damaged at byte ([\d,]+) \(frame 8\): .+ — the 7 frames before it are shown\./);
  assert.ok(m, `alert text: ${alert}`);
  const at = Number(m[1].replaceAll(',', ''));
  assert.ok(at >= starts[7] && at <= starts[7] + 16 + 700, `damage offset ${at} lies in record 8`);
  const rows = await visibleRows(page);
  assert.deepEqual(rows.map((r) => r.no), [1, 2, 3, 4, 5, 6, 7]);
  await page.close();
});

test('details tree of an HTTP frame; a tree node highlights its bytes and a byte selects its node', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  await openFiles(page, [capture(HTTP_GOOGLE.file)]);
  await selectFrame(page, 4);
  const labels = await treeLabels(page);
  // `tshark -r chrissanders/http_google.pcapng -Y frame.number==4 -V`
  assert.ok(labels.some((l) => l.startsWith('Transmission Control Protocol, Src Port: 1606, Dst Port: 80')), labels.join('\n'));
  assert.ok(labels.includes('Source Port: 1606'), labels.join('\n'));
  assert.ok(labels.includes('Destination Port: 80'), labels.join('\n'));

  await clickTreeItem(page, 'Source Port: 1606');
  // 14 bytes Ethernet + 20 bytes IPv4: the TCP source port is bytes 34-35, 1606 = 0x0646.
  assert.deepEqual(await highlightedBytes(page), [{ index: 34, hex: '06' }, { index: 35, hex: '46' }]);

  await page.click('.hex-bytes .b >> nth=37');
  const selected = await page.textContent('.tree-item.selected > .tree-label > .tree-text');
  assert.equal(selected, 'Destination Port: 80');
  assert.deepEqual(await highlightedBytes(page), [{ index: 36, hex: '00' }, { index: 37, hex: '50' }]);
  assert.deepEqual(errors, []);
  await page.close();
});

test('keyboard: arrows, Home/End and Enter move through packets and into the tree', async () => {
  const { page } = await openApp(env.browser, env.server.origin);
  await openFiles(page, [capture(HTTP_GOOGLE.file)]);
  await waitDetails(page, 1);
  await page.keyboard.press('ArrowDown');
  await waitDetails(page, 2);
  await page.keyboard.press('End');
  await waitDetails(page, 12);
  await page.keyboard.press('Home');
  await waitDetails(page, 1);
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('role')), 'tree');
  const first = await page.textContent('.tree-item.selected > .tree-label > .tree-text');
  assert.ok(first.length > 0);
  await page.keyboard.press('ArrowRight'); // opens the first subtree
  assert.equal(await page.getAttribute('.tree-item.selected', 'aria-expanded'), 'true');
  await page.close();
});

test('time column: relative, absolute (UTC) and delta', async () => {
  const { page } = await openApp(env.browser, env.server.origin);
  await openFiles(page, [capture(HTTP_GOOGLE.file)]);
  // `tshark -r chrissanders/http_google.pcapng` Time column: frame 2 at 0.030107, frame 3 at 0.030182
  assert.equal((await row(page, 2)).time, '0.030107');
  await page.click('[data-format="absolute"]');
  assert.equal((await row(page, 1)).time, HTTP_GOOGLE.firstAbsolute);
  await page.click('[data-format="delta"]');
  assert.equal((await row(page, 3)).time, '0.000075');
  await page.click('[data-format="relative"]');
  await page.close();
});

test('two files at once are merged by time', async () => {
  const { page } = await openApp(env.browser, env.server.origin);
  await openFiles(page, [capture(HTTP_GOOGLE.file), capture(GZIP.file)]);
  assert.equal(await frameCount(page), HTTP_GOOGLE.frames + GZIP.frames);
  assert.equal(await page.locator('.file-card').count(), 2);
  await page.close();
});

test('the sample capture opens from the empty page', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  await page.click('#sample-button');
  await page.waitForSelector('body[data-state="ready"]');
  await page.waitForFunction(() => document.body.dataset.findings === 'ready');
  // `tshark -r zeek/get-to-ssh-server.pcap | wc -l` → 9
  assert.equal(await frameCount(page), 9);
  // `tshark -r zeek/get-to-ssh-server.pcap`: frame 1 is 136.216.42.40 → 130.74.164.231, SYN to port 22
  const first = await row(page, 1);
  assert.equal(first.src, '136.216.42.40');
  assert.equal(first.dst, '130.74.164.231');
  assert.match(first.info, /^44338 → 22 \[SYN\]/);
  // Frame 4's TCP checksum is wrong (`tshark -r zeek/get-to-ssh-server.pcap -Y frame.number==4 -V
  // -o tcp.check_checksum:TRUE`: "0xd894 incorrect, should be 0xc635"): the note is highlighted in
  // the tree and its two bytes (50-51: 14 Ethernet + 20 IPv4 + 16) are marked in the hex view.
  await selectFrame(page, 4);
  const notes = await page.$$eval('.tree-problem', (n) => n.map((e) => e.textContent));
  assert.ok(notes.some((n) => /0xc635/.test(n)), `problem notes: ${notes}`);
  const marked = await page.$$eval('.hex-bytes .b', (spans) => spans.flatMap((b, i) => (b.classList.contains('problem') ? [i] : [])));
  assert.deepEqual(marked, [50, 51]);
  assert.deepEqual(errors, []);
  assert.deepEqual(foreignRequests(env.browser.requests, env.server.origin), []);
  await page.close();
});

test('a link can name a capture on this site and a frame (#capture=…&frame=…)', async () => {
  const page = await env.browser.context.newPage();
  await page.goto(`${env.server.origin}/#capture=samples/get-to-ssh-server.pcap&frame=7`);
  await page.waitForSelector('body[data-state="ready"]');
  await waitDetails(page, 7);
  // `tshark -r zeek/get-to-ssh-server.pcap`: frame 7 is the server's RST
  const selected = await page.$eval('.plist .row.selected', (r) => r.dataset.no);
  assert.equal(selected, '7');
  assert.match((await row(page, 7)).info, /^22 → 44338 \[RST, ACK\]/);
  await page.close();
});

test('the theme toggle switches light/dark and is remembered', async () => {
  const { page } = await openApp(env.browser, env.server.origin);
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await background();
  await page.click('#theme-button');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
  const dark = await background();
  assert.notEqual(dark, light);
  await page.reload();
  await page.waitForSelector('body[data-state="empty"]');
  assert.equal(await background(), dark, 'the choice survives a reload');
  await page.click('#theme-button');
  assert.equal(await background(), light);
  await page.close();
});
