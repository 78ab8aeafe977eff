// Packet bytes are hostile: markup inside HTTP, DNS and TLS fields must show up as literal text
// and never run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
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
