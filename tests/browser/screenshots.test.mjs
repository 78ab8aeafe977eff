// Screenshots of the main views for the README (docs/screenshots/). Not a pixel comparison: the
// test checks that each view rendered, and the pictures are there for people to look at.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from './lib/server.mjs';
import { launch, openApp } from './lib/browser.mjs';
import { capture, REPO, scratchDir } from './lib/paths.mjs';
import { openFiles, selectFrame, clickTreeItem, showView } from './lib/app.mjs';
import { seedSynAckCapture } from './lib/captures.mjs';

// docs/screenshots is refreshed on request (TRACELENS_UPDATE_SCREENSHOTS=1); otherwise the
// pictures go to a scratch folder, so a test run leaves the work tree as it was.
const OUT = process.env.TRACELENS_SCREENSHOTS
  ?? (process.env.TRACELENS_UPDATE_SCREENSHOTS ? path.join(REPO, 'docs', 'screenshots') : scratchDir('tracelens-screenshots-'));
let server;

before(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  server = await startServer();
});

after(async () => {
  await server?.close();
});

async function shoot(page, name) {
  const file = path.join(OUT, name);
  await page.screenshot({ path: file });
  assert.ok(fs.statSync(file).size > 10_000, `${name} has content`);
}

/** Opens `file` of the corpus on its TCP stream view, the graph given 600 px. */
async function streamView(page, file) {
  await openFiles(page, [capture(file)]);
  await showView(page, 'stream');
  await page.evaluate(() => { document.getElementById('upper').style.flexBasis = '600px'; });
}

async function packetView(page) {
  await openFiles(page, [capture('chrissanders/http_google.pcapng')]);
  await selectFrame(page, 4);
  await clickTreeItem(page, 'Source Port: 1606');
  await page.focus('.plist-scroll');
}

test('light theme: empty page, packet list with details, a damaged file', async () => {
  const browser = await launch({ colorScheme: 'light' });
  try {
    const { page } = await openApp(browser, server.origin);
    await shoot(page, 'empty.png');
    await packetView(page);
    await shoot(page, 'packets.png');

    // A pcap cut inside its 8th record, opened with a gzip'd one: the damage alert and the
    // per-file details.
    const source = fs.readFileSync(capture('zeek/http-vlan-0.pcap'));
    const cut = path.join(scratchDir(), 'http-vlan-0-cut.pcap');
    fs.writeFileSync(cut, source.subarray(0, 4394));
    await openFiles(page, [cut, capture('zeek/mime-header-size-limit.pcap.gz')]);
    await page.click('.summary-toggle');
    await selectFrame(page, 4);
    await shoot(page, 'damaged.png');
  } finally {
    await browser.close();
  }
});

test('light theme: findings of the seed\'s SYN-ACK case, conversations of a web page load', async () => {
  const browser = await launch({ colorScheme: 'light' });
  try {
    const { page } = await openApp(browser, server.origin);
    await openFiles(page, [seedSynAckCapture()]);
    await page.waitForFunction(() => document.body.dataset.view === 'findings');
    assert.equal(await page.getAttribute('.finding >> nth=0 >> .finding-head', 'aria-expanded'), 'true');
    await page.evaluate(() => document.activeElement.blur());
    await shoot(page, 'findings.png');

    await openFiles(page, [capture('chrissanders/http_espn.pcapng')]);
    await showView(page, 'conversations');
    await page.click('[data-kind="tcp"]');
    await page.click('#conversations-table .dt-row >> nth=0');
    await shoot(page, 'conversations.png');
  } finally {
    await browser.close();
  }
});

test('dark theme: packet list with details', async () => {
  const browser = await launch({ colorScheme: 'dark' });
  try {
    const { page } = await openApp(browser, server.origin);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = background.match(/\d+/g).map(Number);
    assert.ok(r + g + b < 150, `dark background, got ${background}`);
    await packetView(page);
    await shoot(page, 'dark.png');
  } finally {
    await browser.close();
  }
});

test('light theme: the IO graph of a web page load', async () => {
  const browser = await launch({ colorScheme: 'light' });
  try {
    const { page } = await openApp(browser, server.origin);
    await openFiles(page, [capture('chrissanders/http_espn.pcapng')]);
    await showView(page, 'io');
    await page.waitForSelector('#view-io[data-state="ready"] .u-over');
    await shoot(page, 'io-graph.png');
  } finally {
    await browser.close();
  }
});

test('light theme: the capture plan for a Windows client and a Linux server', async () => {
  const browser = await launch({ colorScheme: 'light' });
  try {
    const page = await browser.context.newPage();
    const query = 'client=windows&server=linux&ends=both&minutes=20&mbps=50&intermittent=no&target=10.0.0.5';
    await page.goto(`${server.origin}/#plan&${query}`);
    await page.waitForSelector('#capture-plan[open]');
    await page.waitForFunction((q) => document.body.dataset.plan === q, query);
    await page.evaluate(() => document.activeElement?.blur());
    await shoot(page, 'capture-plan.png');
  } finally {
    await browser.close();
  }
});

test('light theme: a TCP stream\'s graphs (throughput, RTT, window, tcptrace), its ladder, and Follow stream', async () => {
  const browser = await launch({ colorScheme: 'light' });
  try {
    const { page } = await openApp(browser, server.origin);
    // suricata-verify/http-mime-truncated: a 2.4 MB HTTP download with zero windows, zero-window
    // probes and window-full segments (`tshark -Y tcp.analysis.zero_window`: 9 in stream 0).
    await streamView(page, 'suricata-verify/http-mime-truncated/input.pcap');
    const drawn = (k) => page.waitForFunction((kind) => (document.querySelector('#view-stream').dataset.drawn ?? '').startsWith(`${kind}:`), k);
    // Its throughput, round-trip time and window graphs.
    for (const kind of ['throughput', 'rtt', 'window']) {
      await page.click(`.stream-kinds [data-kind="${kind}"]`);
      await drawn(kind);
      await page.waitForSelector('#view-stream .u-over');
      await page.mouse.move(0, 0);
      await shoot(page, `stream-${kind}.png`);
    }
    await page.click('.stream-kinds [data-kind="tcptrace"]');
    await page.waitForFunction(() => /^tcptrace:0:1/.test(document.querySelector('#view-stream').dataset.drawn ?? ''));
    // The download itself takes the first 2.3 s of 14.5: drag across them to zoom in.
    const area = await page.$eval('.stream-graph', (c) => { const r = c.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; });
    await page.mouse.move(area[0] + 72, area[1] + area[3] / 2);
    await page.mouse.down();
    await page.mouse.move(area[0] + 72 + (area[2] - 86) * 0.17, area[1] + area[3] / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => document.querySelector('#view-stream').dataset.zoom);
    await page.mouse.move(0, 0);
    await shoot(page, 'stream-time-sequence.png');
    // arkime/wireshark-retrans.pcap: retransmissions (red) in the ladder.
    await streamView(page, 'arkime/wireshark-retrans.pcap');
    await page.click('.stream-kinds [data-kind="ladder"]');
    await page.waitForSelector('.flow-arrow');
    await shoot(page, 'stream-ladder.png');
    await openFiles(page, [capture('chrissanders/http_google.pcapng')]);
    await showView(page, 'stream');
    await page.click('.stream-kinds [data-kind="follow"]');
    await page.waitForSelector('.follow-piece');
    await page.fill('.follow-find', 'accept');
    await shoot(page, 'stream-follow.png');
  } finally {
    await browser.close();
  }
});
