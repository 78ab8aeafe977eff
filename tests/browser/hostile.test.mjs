// Packet bytes are hostile: markup inside HTTP, DNS and TLS fields must show up as literal text
// and never run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { openApp } from './lib/browser.mjs';
import { useBrowser } from './lib/session.mjs';
import { scratchDir } from './lib/paths.mjs';
import { pcapFile, ethernet, tcp4, udp4, dnsQuery, tlsClientHello, SYN, ACK, PSH } from './lib/pcap.mjs';
import { openFiles, frameCount, visibleRows, selectFrame } from './lib/app.mjs';

const IMG = '<img src=x onerror=window.__pwned=1>';
const SCRIPT = '<script>window.__pwned=1</script>';
const BOLD = '<b>x</b>';
const SVG = '<svg onload=window.__pwned=1>';

function hostileCapture() {
  const c = '02:00:00:00:00:01';
  const s = '02:00:00:00:00:02';
  const client = '10.0.0.1';
  const server = '10.0.0.2';
  // The request line may not hold spaces, so the <script> (which has none) goes in the URI and
  // the <img ...> in the Host and User-Agent headers.
  const http = Buffer.from(`GET /${SCRIPT} HTTP/1.1\r\nHost: ${IMG}\r\nUser-Agent: ${IMG}\r\n\r\n`, 'latin1');
  const t0 = 1_700_000_000;
  const frames = [
    tcp4(client, server, { sport: 40000, dport: 80, seq: 100, flags: SYN }),
    tcp4(server, client, { sport: 80, dport: 40000, seq: 500, ack: 101, flags: SYN | ACK }),
    tcp4(client, server, { sport: 40000, dport: 80, seq: 101, ack: 501 }),
    tcp4(client, server, { sport: 40000, dport: 80, seq: 101, ack: 501, flags: PSH | ACK, payload: http }),
    udp4(client, '10.0.0.53', { sport: 53000, dport: 53, payload: dnsQuery(0x1234, `${BOLD}.example`) }),
    tcp4(client, server, { sport: 40001, dport: 443, seq: 900, flags: SYN }),
    tcp4(server, client, { sport: 443, dport: 40001, seq: 700, ack: 901, flags: SYN | ACK }),
    tcp4(client, server, { sport: 40001, dport: 443, seq: 901, ack: 701 }),
    tcp4(client, server, { sport: 40001, dport: 443, seq: 901, ack: 701, flags: PSH | ACK, payload: tlsClientHello(SVG) }),
  ].map((ip, i) => ({ ts: t0 + i * 0.01, data: ethernet(c, s, 0x0800, ip) }));
  return pcapFile(frames);
}

const env = useBrowser();

test('markup in HTTP, DNS and TLS fields is shown as text and never runs', async () => {
  const file = path.join(scratchDir(), `${IMG}.pcap`.replace(/[/]/g, '_'));
  fs.writeFileSync(file, hostileCapture());
  const { page } = await openApp(env.browser, env.server.origin);
  assert.equal(await openFiles(page, [file]), 'ready');
  assert.equal(await frameCount(page), 9);

  const rows = await visibleRows(page);
  const listText = rows.map((r) => r.info).join('\n');
  assert.ok(listText.includes(`GET /${SCRIPT} HTTP/1.1`), `HTTP request line shown literally:\n${listText}`);
  assert.ok(listText.includes(BOLD), `DNS name shown literally:\n${listText}`);
  assert.ok(listText.includes(SVG), `TLS server name shown literally:\n${listText}`);

  // Every frame's details tree and bytes are rendered too.
  let treeText = '';
  for (let no = 1; no <= 9; no++) {
    await selectFrame(page, no);
    await page.evaluate(() => { // open every subtree
      for (const t of document.querySelectorAll('.tree-item[aria-expanded="false"] > .tree-label > .tree-twisty')) t.click();
    });
    treeText += await page.textContent('.tree');
  }
  assert.ok(treeText.includes(`Host: ${IMG}`), 'Host header shown literally in the details');
  assert.ok(treeText.includes(SVG), 'SNI shown literally in the details');
  assert.ok(treeText.includes(BOLD), 'DNS name shown literally in the details');

  const injected = await page.evaluate(() => ({
    pwned: window.__pwned,
    elements: document.querySelectorAll('main img, main script, main svg:not(.dropzone-icon), main b, main iframe').length,
  }));
  assert.equal(injected.pwned, undefined, 'no handler ran');
  assert.equal(injected.elements, 0, 'no element was created from packet data');
  // The file name itself is also hostile and shows as text.
  assert.ok((await page.textContent('#capture-title')).includes('<img'));
  await page.close();
});

/** A pcapng block: type, body padded to 4 bytes, total length at both ends (little-endian). */
function block(type, body) {
  const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
  const out = Buffer.alloc(12 + padded.length);
  out.writeUInt32LE(type, 0);
  out.writeUInt32LE(out.length, 4);
  padded.copy(out, 8);
  out.writeUInt32LE(out.length, out.length - 4);
  return out;
}

/** pcapng options [[code, text]…] followed by opt_endofopt. */
function options(list) {
  const parts = list.map(([code, text]) => {
    const value = Buffer.from(text, 'utf8');
    const head = Buffer.alloc(4);
    head.writeUInt16LE(code, 0);
    head.writeUInt16LE(value.length, 2);
    return Buffer.concat([head, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
  });
  return Buffer.concat([...parts, Buffer.alloc(4)]);
}

/**
 * Every text a pcapng file can carry into the page, each holding markup: the section's comment,
 * hardware, OS and application (SHB options 1–4), the interface's name, description, capture
 * filter and OS (IDB options 2, 3, 11, 12), a packet comment (EPB option 1) and a name-resolution
 * record whose host name is markup.
 */
function hostilePcapng() {
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeBigInt64LE(-1n, 8);
  const idb = Buffer.alloc(8);
  idb.writeUInt16LE(1, 0); // Ethernet
  idb.writeUInt32LE(65535, 4);
  const filter = Buffer.concat([Buffer.from([0]), Buffer.from(`host ${BOLD}`)]); // if_filter: type 0, text
  const frame = ethernet('02:00:00:00:00:01', '02:00:00:00:00:02', 0x0800,
    udp4('10.0.0.1', '10.0.0.53', { sport: 53000, dport: 53, payload: dnsQuery(7, 'example.com') }));
  const epb = Buffer.alloc(20);
  epb.writeUInt32LE(0, 0);
  epb.writeUInt32LE(0x00060000, 4);
  epb.writeUInt32LE(0, 8);
  epb.writeUInt32LE(frame.length, 12);
  epb.writeUInt32LE(frame.length, 16);
  const framePadded = Buffer.concat([frame, Buffer.alloc((4 - (frame.length % 4)) % 4)]);
  const nrbRecord = Buffer.concat([Buffer.from([10, 0, 0, 53]), Buffer.from(`${SCRIPT}\0`)]);
  const nrbHead = Buffer.alloc(4);
  nrbHead.writeUInt16LE(1, 0); // nrb_record_ipv4
  nrbHead.writeUInt16LE(nrbRecord.length, 2);
  const nrb = Buffer.concat([nrbHead, nrbRecord, Buffer.alloc((4 - (nrbRecord.length % 4)) % 4), Buffer.alloc(4)]);
  const filterOption = Buffer.alloc(4);
  filterOption.writeUInt16LE(11, 0);
  filterOption.writeUInt16LE(filter.length, 2);
  return Buffer.concat([
    block(0x0a0d0d0a, Buffer.concat([shb, options([[1, IMG], [2, SVG], [3, BOLD], [4, SCRIPT]])])),
    block(1, Buffer.concat([idb,
      filterOption, filter, Buffer.alloc((4 - (filter.length % 4)) % 4),
      options([[2, IMG], [3, SVG], [12, BOLD]])])),
    block(4, nrb),
    block(6, Buffer.concat([epb, framePadded, options([[1, SCRIPT]])])),
  ]);
}

test('markup in pcapng comments, interface names, filters and name records is shown as text', async () => {
  const file = path.join(scratchDir(), 'hostile-metadata.pcapng');
  fs.writeFileSync(file, hostilePcapng());
  const { page, errors } = await openApp(env.browser, env.server.origin);
  assert.equal(await openFiles(page, [file]), 'ready');
  assert.equal(await frameCount(page), 1);
  await page.click('.summary-toggle');
  const summary = await page.textContent('#summary');
  for (const text of [IMG, SVG, BOLD, SCRIPT]) {
    assert.ok(summary.includes(text), `${text} shown literally in the capture summary:\n${summary}`);
  }
  assert.ok(summary.includes(`host ${BOLD}`), 'the capture filter shown literally');
  await selectFrame(page, 1);
  const injected = await page.evaluate(() => ({
    pwned: window.__pwned,
    elements: document.querySelectorAll('main img, main script, main svg:not(.dropzone-icon), main b, main iframe').length,
  }));
  assert.equal(injected.pwned, undefined, 'no handler ran');
  assert.equal(injected.elements, 0, 'no element was created from the file');
  assert.deepEqual(errors, []);
  await page.close();
});

/** A minimal little-endian section header: no options. */
function minimalShb() {
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeBigInt64LE(-1n, 8);
  return block(0x0a0d0d0a, shb);
}

/** An Ethernet interface description without options. */
function minimalIdb() {
  const idb = Buffer.alloc(8);
  idb.writeUInt16LE(1, 0);
  idb.writeUInt32LE(65535, 4);
  return block(1, idb);
}

/** An EPB holding a DNS query on interface `iface`. */
function dnsEpb(iface) {
  const frame = ethernet('02:00:00:00:00:01', '02:00:00:00:00:02', 0x0800,
    udp4('10.0.0.1', '10.0.0.53', { sport: 53000, dport: 53, payload: dnsQuery(7, 'example.com') }));
  const epb = Buffer.alloc(20);
  epb.writeUInt32LE(iface, 0);
  epb.writeUInt32LE(frame.length, 12);
  epb.writeUInt32LE(frame.length, 16);
  return block(6, Buffer.concat([epb, frame]));
}

test('a file of 1,005 interfaces lists the first 1,000 and says so', async () => {
  const file = path.join(scratchDir(), 'many-interfaces.pcapng');
  const idbs = Array.from({ length: 1005 }, minimalIdb);
  fs.writeFileSync(file, Buffer.concat([minimalShb(), ...idbs, dnsEpb(1004)]));
  const { page, errors } = await openApp(env.browser, env.server.origin);
  assert.equal(await openFiles(page, [file]), 'ready');
  assert.equal(await frameCount(page), 1);
  await page.click('.summary-toggle');
  assert.equal(await page.locator('.iface-table tbody tr').count(), 1000);
  const summary = await page.textContent('#summary-details');
  assert.ok(summary.includes('the file describes 1005 capture interfaces: only the first 1000 are listed (5 more are not'), summary.slice(0, 2000));
  assert.deepEqual(errors, []);
  await page.close();
});

/** One gzip member of the concatenated `parts`, compressed as a stream. */
async function gzipOf(parts) {
  const gzip = zlib.createGzip();
  const out = [];
  gzip.on('data', (chunk) => out.push(chunk));
  const ended = new Promise((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  for (const part of parts) {
    if (!gzip.write(part)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await ended;
  return Buffer.concat(out);
}

test('a gzip bomb stops inflating at the ceiling and says why', async () => {
  // 1 MiB of gzip that would inflate to 1 GiB: a pcapng file of one frame, then 1 GiB of zeros
  // (the reader stops at the first zero block), in one gzip member (the browser's
  // DecompressionStream reads one). The page stops inflating after 256 MiB.
  const zeros = Buffer.alloc(16 << 20);
  const file = path.join(scratchDir(), 'bomb.pcapng.gz');
  const head = Buffer.concat([minimalShb(), minimalIdb(), dnsEpb(0)]);
  fs.writeFileSync(file, await gzipOf([head, ...Array(64).fill(zeros)]));
  const { page } = await openApp(env.browser, env.server.origin);
  assert.equal(await openFiles(page, [file]), 'ready');
  assert.equal(await frameCount(page), 1);
  const text = await page.textContent('#alerts');
  assert.ok(text.includes('the gzip stream inflates to more than 256 times its size'), text);
  await page.close();
});
