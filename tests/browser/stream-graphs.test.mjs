// Issue 15, part B on the page: a TCP stream's pictures — time-sequence (tcptrace and Stevens),
// throughput, RTT, window, the ladder — each drawn on corpus captures, a click selecting its
// frame, each exported as PNG and SVG; and Follow stream (TCP and UDP) equal to what tshark 4.0's
// `-z follow` shows (the goldens of tests/follow_parity.rs), with find, "show more" and a click
// on a piece selecting its frame.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openApp } from './lib/browser.mjs';
import { useBrowser } from './lib/session.mjs';
import { capture, REPO, scratchDir } from './lib/paths.mjs';
import { openFiles, showView, waitDetails, applyFilter } from './lib/app.mjs';

const env = useBrowser({ acceptDownloads: true });
const GOLDENS = path.join(REPO, 'tests', 'goldens', 'follow');

/** The pieces of a tshark follow golden: [{server, data (Buffer)}] (ascii: the bytes as shown). */
function goldenPieces(capturePath, name) {
  const text = fs.readFileSync(path.join(GOLDENS, capturePath, name));
  const lines = [];
  let at = 0;
  const readLine = () => {
    const end = text.indexOf(0x0a, at);
    const line = text.subarray(at, end);
    at = end + 1;
    return line.toString('latin1');
  };
  for (let i = 0; i < 6; i++) readLine(); // blank, separator, Follow, Filter, Node 0, Node 1
  const pieces = [];
  if (name.endsWith('.ascii.txt')) {
    for (;;) {
      const head = readLine();
      if (head.startsWith('=====')) break;
      const server = head.startsWith('\t');
      const len = Number(head.trim());
      pieces.push({ server, data: text.subarray(at, at + len) });
      at += len + 1;
    }
  } else {
    for (let line = readLine(); !line.startsWith('====='); line = readLine()) lines.push(line);
    return lines;
  }
  return pieces;
}

/** The page's ASCII text of golden bytes: CR before LF dropped, a lone CR shown as '.'. */
function pageAscii(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x0d && bytes[i + 1] === 0x0a) continue;
    out += b === 0x0a ? '\n' : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  }
  return out;
}

async function openStreamView(page, file, stream = 0) {
  await openFiles(page, [capture(file)]);
  await showStream(page, stream);
}

/** Shows TCP stream `stream` of the open capture in the Stream view. */
async function showStream(page, stream) {
  await showView(page, 'stream');
  await page.fill('.stream-number', String(stream));
  await page.press('.stream-number', 'Enter');
  await page.waitForSelector('#stream-table .dt-row:not([hidden])');
}

async function chooseKind(page, kind, drawnPrefix = kind) {
  await page.click(`.stream-kinds [data-kind="${kind}"]`);
  if (drawnPrefix) await page.waitForFunction((p) => (document.querySelector('#view-stream').dataset.drawn ?? '').startsWith(p), drawnPrefix);
}

/** Clicks both export buttons; returns the two downloads' names and bytes. */
async function exportBoth(page) {
  const out = {};
  for (const format of ['png', 'svg']) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#view-stream [data-export="${format}"]`)]);
    const file = path.join(scratchDir(), download.suggestedFilename());
    await download.saveAs(file);
    out[format] = { name: download.suggestedFilename(), bytes: fs.readFileSync(file) };
  }
  assert.deepEqual([...out.png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${out.png.name} is a PNG`);
  assert.ok(out.png.bytes.length > 2000, `${out.png.name} has content`);
  assert.match(out.svg.bytes.toString('utf8'), /^<svg[^>]*xmlns=/, `${out.svg.name} is an SVG document`);
  return out;
}

test('time-sequence graphs: tcptrace and Stevens, retransmissions in colour, a click selects the frame, PNG and SVG', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  // `tshark -r arkime/wireshark-retrans.pcap -Y "tcp.stream==0 && tcp.analysis.retransmission"`:
  // frames 2 3 5 9 11 12 15 16 22 … (108 frames in the stream).
  await openStreamView(page, 'arkime/wireshark-retrans.pcap');
  await page.waitForFunction(() => /^tcptrace:0:/.test(document.querySelector('#view-stream').dataset.drawn ?? ''));
  const scene = await page.$eval('.stream-graph', (c) => ({
    points: c.scene.points.map((p) => [p.x, p.y, p.no]),
    layers: c.scene.layers.map((l) => ({ stroke: l.stroke, fill: l.fill, size: l.d.length })),
  }));
  assert.ok(scene.points.length > 40, `${scene.points.length} points`);
  const retransmitted = [2, 3, 5, 9, 11, 12, 15, 16, 22];
  const target = scene.points.find(([, , no]) => retransmitted.includes(no) && no > 3) ?? scene.points[5];
  const box = await page.$eval('.stream-graph', (c) => { const r = c.getBoundingClientRect(); return [r.left, r.top]; });
  await page.mouse.click(box[0] + target[0], box[1] + target[1]);
  await page.waitForFunction(() => document.querySelector('#view-stream').dataset.picked);
  // The frame under the click (a retransmission and its original may share the spot) is selected.
  const picked = Number(await page.$eval('#view-stream', (v) => v.dataset.picked));
  const spot = scene.points.find(([, , no]) => no === picked);
  assert.ok(Math.hypot(spot[0] - target[0], spot[1] - target[1]) < 1, `frame ${picked} sits where frame ${target[2]} is`);
  await waitDetails(page, picked);
  const tcptrace = await exportBoth(page);
  assert.match(tcptrace.png.name, /^tcp-stream-0-tcptrace-(a-b|b-a)\.png$/);
  // The SVG holds the retransmissions' red I-bars.
  assert.match(tcptrace.svg.bytes.toString('utf8'), /stroke="#d62728"/);

  await chooseKind(page, 'stevens');
  const dots = await page.$eval('.stream-graph', (c) => c.scene.points.length);
  assert.ok(dots > 20);
  const stevens = await exportBoth(page);
  assert.match(stevens.svg.name, /stevens/);

  // Zero windows: chrissanders/tcp_zerowindowrecovery.pcapng, A (192.168.0.20) advertises a zero
  // window in frame 4 (`tshark -Y tcp.analysis.zero_window`); B→A carries the data.
  await openStreamView(page, 'chrissanders/tcp_zerowindowrecovery.pcapng');
  await chooseKind(page, 'tcptrace', 'tcptrace:0:1');
  const zero = await page.$eval('.stream-graph', (c) => c.scene.layers.filter((l) => /l8 8m0 -8l-8 8/.test(l.d)).length);
  assert.equal(zero, 1, 'the zero window is marked');

  // Drag across the graph: it zooms into that time range (fewer points, the time axis narrower);
  // a double-click shows the whole stream again.
  const all = await page.$eval('.stream-graph', (c) => c.scene.points.length);
  const area = await page.$eval('.stream-graph', (c) => { const r = c.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; });
  await page.mouse.move(area[0] + 80, area[1] + area[3] / 2);
  await page.mouse.down();
  await page.mouse.move(area[0] + area[2] / 3, area[1] + area[3] / 2, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelector('#view-stream').dataset.zoom);
  const zoomed = await page.$eval('.stream-graph', (c) => c.scene.points.length);
  assert.ok(zoomed < all, `zoomed: ${zoomed} of ${all} points`);
  assert.equal(await page.isVisible('.stream-unzoom'), true);
  await page.dblclick('.stream-graph');
  await page.waitForFunction(() => !document.querySelector('#view-stream').dataset.zoom);
  assert.equal(await page.$eval('.stream-graph', (c) => c.scene.points.length), all);
  assert.deepEqual(errors, []);
  await page.close();
});

test('throughput, RTT and window charts: drawn, a click selects the nearest frame, PNG and SVG', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  await openStreamView(page, 'arkime/wireshark-retrans.pcap');
  for (const kind of ['throughput', 'rtt', 'window']) {
    await chooseKind(page, kind);
    await page.waitForSelector('.stream-chart .uplot');
    const over = await page.$eval('.stream-chart .u-over', (o) => { const r = o.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; });
    await page.mouse.click(over[0] + over[2] * 0.6, over[1] + over[3] / 2);
    await page.waitForFunction(() => document.querySelector('#view-stream').dataset.picked);
    const picked = Number(await page.$eval('#view-stream', (v) => v.dataset.picked));
    await waitDetails(page, picked);
    assert.ok(picked >= 1 && picked <= 108, `${kind}: frame ${picked} of the stream`);
    const files = await exportBoth(page);
    assert.match(files.svg.name, new RegExp(`-${kind}-`));
    await page.$eval('#view-stream', (v) => { delete v.dataset.picked; });
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('ladder of a stream and of the filtered list: arrows, problems in red, click → frame, paging, PNG and SVG', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  await openStreamView(page, 'arkime/wireshark-retrans.pcap');
  await chooseKind(page, 'ladder', 'ladder:0:0');
  const arrows = await page.$$eval('.flow-arrow', (a) => a.map((g) => ({ no: Number(g.dataset.no), problem: g.classList.contains('flow-problem') })));
  assert.equal(arrows.length, 108);
  for (const no of [2, 3, 5, 9, 11]) assert.ok(arrows.find((a) => a.no === no).problem, `frame ${no} is red`);
  assert.ok(!arrows.find((a) => a.no === 1).problem);
  assert.deepEqual(await page.$$eval('.flow-ladder-svg .ladder-title', (t) => t.map((x) => x.textContent)), ['Time (s)', '172.17.96.143', '172.17.96.77']);
  await page.click('.flow-arrow[data-no="9"]');
  await waitDetails(page, 9);
  const files = await exportBoth(page);
  assert.equal(files.svg.name, 'tcp-stream-0-ladder.svg');
  assert.match(files.svg.bytes.toString('utf8'), /172\.17\.96\.143/);

  // The packet list's frames: a filter of 400+ frames is paged 300 at a time.
  await openStreamView(page, 'chrissanders/synscan.pcapng');
  await applyFilter(page, 'tcp.flags.syn == 1 && tcp.flags.ack == 0');
  await showView(page, 'stream');
  await chooseKind(page, 'ladder', 'ladder:');
  await page.selectOption('.ladder-scope', 'view');
  await page.waitForFunction(() => document.querySelector('#view-stream').dataset.drawn === 'ladder:view:0');
  assert.equal(await page.$$eval('.flow-arrow', (a) => a.length), 300);
  const info = await page.textContent('.ladder-info');
  assert.match(info, /^1–300 of [\d,]+ frames$/);
  await page.click('.stream-ladder >> text=Later ▶');
  await page.waitForFunction(() => document.querySelector('#view-stream').dataset.drawn === 'ladder:view:300');
  assert.match(await page.textContent('.ladder-info'), /^301–/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('follow a TCP stream: ASCII and hex as tshark shows them, find, show more, click → frame', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  await openStreamView(page, 'chrissanders/http_google.pcapng');
  await chooseKind(page, 'follow', null);
  await page.waitForSelector('.follow-piece');
  const golden = goldenPieces('chrissanders/http_google.pcapng', 'tcp-0.ascii.txt');
  const shown = await page.$$eval('.follow-piece', (p) => p.map((x) => ({ server: x.classList.contains('follow-server'), text: x.textContent, no: Number(x.dataset.no) })));
  assert.equal(shown.length, golden.length);
  shown.forEach((piece, i) => {
    assert.equal(piece.server, golden[i].server, `piece ${i} direction`);
    assert.equal(piece.text, pageAscii(golden[i].data), `piece ${i} text`);
  });
  assert.match(shown[0].text, /^GET \/ HTTP\/1\.1\n/);
  // No markup from the payload: the pieces hold text only.
  assert.equal(await page.$$eval('.follow-piece *', (n) => n.length), 0);

  // Find: matches highlighted, next and previous.
  await page.fill('.follow-find', 'accept');
  const found = await page.textContent('.follow-find-count');
  const total = Number(/of (\d+)/.exec(found)[1]);
  assert.ok(total > 3, found);
  await page.click('.follow-toolbar >> text=↓');
  assert.match(await page.textContent('.follow-find-count'), /^2 of /);
  await page.click('.follow-toolbar >> text=↑');
  await page.click('.follow-toolbar >> text=↑');
  assert.equal(await page.textContent('.follow-find-count'), `${total} of ${total} in what is shown`);
  assert.equal(await page.$$eval('.follow-current', (m) => m.length), 1);
  await page.fill('.follow-find', '');

  // Hex dump lines as tshark prints them (without the server's tab).
  await page.click('.follow-toolbar [data-mode="hex"]');
  await page.waitForFunction(() => document.querySelector('.follow-text').dataset.mode === 'hex' && document.querySelector('.follow-piece'));
  const hexLines = (await page.$$eval('.follow-piece', (p) => p.map((x) => x.textContent))).join('\n').split('\n');
  const goldenHex = goldenPieces('chrissanders/http_google.pcapng', 'tcp-0.hex.txt').map((l) => l.replace(/^\t/, ''));
  assert.deepEqual(hexLines, goldenHex);

  // A click on a piece selects its frame.
  await page.click('.follow-piece >> nth=1', { position: { x: 12, y: 6 } });
  await waitDetails(page, shown[1].no);

  // Show more: http_espn's stream 2 carries more than a page (64 KiB).
  await page.click('.follow-toolbar [data-mode="ascii"]');
  await openFiles(page, [capture('chrissanders/http_espn.pcapng')]);
  // Another capture: the payload followed in the one before is gone from the view.
  assert.equal(await page.$$eval('.stream-follow .follow-piece', (p) => p.length), 0);
  await showStream(page, 2);
  // Stream 2's first page (not a page of another stream the view loaded on the way).
  await page.waitForFunction(() => {
    const follow = document.querySelector('.stream-follow');
    return follow.querySelector('.follow-number').value === '2' && Number(follow.dataset.loaded) > 0;
  });
  const before = await page.$eval('.stream-follow', (f) => [Number(f.dataset.loaded), Number(f.dataset.pieces)]);
  assert.ok(before[0] < before[1], `a first page: ${before}`);
  assert.equal(await page.isVisible('.follow-more'), true);
  await page.click('.follow-more');
  await page.waitForFunction((n) => Number(document.querySelector('.stream-follow').dataset.loaded) > n, before[0]);
  const espn = goldenPieces('chrissanders/http_espn.pcapng', 'tcp-2.ascii.txt');
  const loaded = await page.$$eval('.follow-piece', (p) => p.map((x) => x.textContent));
  loaded.forEach((text, i) => assert.equal(text, pageAscii(espn[i].data), `espn piece ${i}`));
  assert.deepEqual(errors, []);
  await page.close();
});

test('follow a UDP stream: the datagrams both ways, as tshark shows them', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  await openFiles(page, [capture('chrissanders/dns_query_response.pcapng')]);
  await showView(page, 'stream');
  await chooseKind(page, 'follow', null);
  await page.selectOption('.follow-protocol', 'udp');
  await page.waitForSelector('.follow-piece');
  await page.click('.follow-toolbar [data-mode="raw"]');
  await page.waitForFunction(() => document.querySelector('.follow-text').dataset.mode === 'raw' && document.querySelector('.follow-piece'));
  const raw = await page.$$eval('.follow-piece', (p) => p.map((x) => ({ server: x.classList.contains('follow-server'), text: x.textContent, no: Number(x.dataset.no) })));
  const golden = goldenPieces('chrissanders/dns_query_response.pcapng', 'udp-0.raw.txt');
  assert.deepEqual(raw.map((p) => `${p.server ? '\t' : ''}${p.text}`), golden);
  assert.match(await page.textContent('.follow-info'), /192\.168\.0\.114:1060 → 205\.152\.37\.23:53/);
  // A double-click on a piece shows its frame in the packet list.
  await page.dblclick('.follow-piece >> nth=1', { position: { x: 12, y: 6 } });
  await page.waitForFunction((no) => document.body.dataset.view === 'packets' && document.body.dataset.detailsNo === String(no), raw[1].no);
  assert.deepEqual(errors, []);
  await page.close();
});
