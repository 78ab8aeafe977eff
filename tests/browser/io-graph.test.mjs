// The IO graph (issue 15): drawn from one wasm call on corpus captures with its default lines;
// dragging across it sets the packet list's filter to that frame.time_relative range (and the
// list shows exactly those frames); a click goes to the nearest frame; marker pings are vertical
// lines; the graph exports as PNG and SVG.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openApp } from './lib/browser.mjs';
import { useBrowser } from './lib/session.mjs';
import { capture, scratchDir } from './lib/paths.mjs';
import { markerCapture } from './lib/captures.mjs';
import { openFiles, showView, listedFrames } from './lib/app.mjs';

const env = useBrowser({ acceptDownloads: true });

async function drawn(page) {
  await page.waitForSelector('#view-io[data-state="ready"]');
  return page.evaluate(() => ({ ...document.getElementById('view-io').dataset }));
}

/** Page x/y of a point `fx`, `fy` (fractions) of the plot area. */
async function plotPoint(page, fx, fy = 0.5) {
  const box = await page.locator('#view-io .u-over').boundingBox();
  return { x: box.x + box.width * fx, y: box.y + box.height * fy };
}

test('the IO graph draws its default lines; a drag filters the packet list to that time range; a click goes to a frame', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  assert.equal(await openFiles(page, [capture('chrissanders/http_espn.pcapng')]), 'ready');
  await showView(page, 'io');
  const state = await drawn(page);
  assert.ok(Number(state.points) > 10, `points: ${state.points}`);
  const legend = await page.$$eval('#view-io .u-legend .u-series .u-label', (l) => l.map((x) => x.textContent));
  assert.deepEqual(legend.slice(1), ['All packets', 'tcp.analysis.flags']);
  assert.equal(await page.locator('#view-io .io-line').count(), 2);

  // Drag from 20% to 50% of the plot: the list shows the frames whose time is in the range.
  const a = await plotPoint(page, 0.2);
  const b = await plotPoint(page, 0.5);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, a.y, { steps: 4 });
  await page.mouse.move(b.x, b.y, { steps: 4 });
  await page.mouse.up();
  await page.waitForFunction(() => /^frame\.time_relative >= /.test(document.body.dataset.filter ?? ''));
  const filter = await page.evaluate(() => document.body.dataset.filter);
  const [, from, to] = filter.match(/^frame\.time_relative >= ([\d.]+) && frame\.time_relative <= ([\d.]+)$/);
  assert.ok(Number(from) < Number(to), filter);
  // The packet list comes up once the filter is applied and the selection found again after it
  // (main.js, filterFrom): the filter's dataset is set first.
  await page.waitForFunction(() => document.body.dataset.view === 'packets');
  assert.equal(await page.inputValue('#filter-input'), filter);
  const frames = await listedFrames(page);
  assert.ok(frames.length > 0, 'frames in the range are listed');
  assert.equal(String(frames.length), await page.evaluate(() => document.body.dataset.displayed));

  // Back on the graph (now zoomed on that range), a click selects the nearest frame.
  await showView(page, 'io');
  await drawn(page);
  const zoomInfo = await page.textContent('#view-io .io-info');
  assert.match(zoomInfo, /–/);
  const before = await page.evaluate(() => document.body.dataset.detailsNo);
  const p = await plotPoint(page, 0.5, 0.9);
  await page.mouse.click(p.x, p.y);
  await page.waitForFunction((old) => document.body.dataset.view === 'packets' && document.body.dataset.detailsNo && document.body.dataset.detailsNo !== old, before);
  const no = Number(await page.evaluate(() => document.body.dataset.detailsNo));
  assert.ok(frames.includes(no), `frame ${no} is in the brushed range`);
  assert.deepEqual(errors, []);
  await page.close();
});

/**
 * The IO graph of markerCapture(), whose 22-byte and 33-byte echo requests (frames 3 and 15) are
 * the marker pings: drawn, with its two marker lines.
 */
async function markerGraph() {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  assert.equal(await openFiles(page, [markerCapture()]), 'ready');
  await page.waitForSelector('#markers-bar:not([hidden])');
  await showView(page, 'io');
  await drawn(page);
  await page.waitForFunction(() => document.getElementById('view-io').dataset.markers === '2');
  return { page, errors };
}

test('marker pings are vertical lines on the IO graph (the SVG export below shows them dashed)', async () => {
  const { page, errors } = await markerGraph();
  assert.deepEqual(errors, []);
  await page.close();
});

test('the IO graph exports as PNG and SVG', async () => {
  const { page, errors } = await markerGraph();
  const dir = scratchDir();

  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#view-io button:text-is("PNG")')]);
  assert.equal(png.suggestedFilename(), 'io-graph.png');
  const pngFile = path.join(dir, 'io.png');
  await png.saveAs(pngFile);
  const bytes = fs.readFileSync(pngFile);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(bytes.length > 2000, `PNG of ${bytes.length} bytes`);

  const [svg] = await Promise.all([page.waitForEvent('download'), page.click('#view-io button:text-is("SVG")')]);
  assert.equal(svg.suggestedFilename(), 'io-graph.svg');
  const svgFile = path.join(dir, 'io.svg');
  await svg.saveAs(svgFile);
  const text = fs.readFileSync(svgFile, 'utf8');
  assert.match(text, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(text, /<polyline /);
  assert.match(text, />All packets</);
  assert.match(text, />tcp\.analysis\.flags</);
  assert.equal((text.match(/stroke-dasharray="4 3"/g) ?? []).length, 2, 'two marker lines');
  assert.match(text, />Time \(s\)</);

  // The findings' Markdown report can carry the graph (optional; off by default).
  await showView(page, 'findings');
  const [plain] = await Promise.all([page.waitForEvent('download'), page.click('[data-export="markdown"]')]);
  const plainFile = path.join(dir, 'plain.md');
  await plain.saveAs(plainFile);
  assert.doesNotMatch(fs.readFileSync(plainFile, 'utf8'), /## IO graph/);
  await page.check('#findings-with-graph');
  const [md] = await Promise.all([page.waitForEvent('download'), page.click('[data-export="markdown"]')]);
  const mdFile = path.join(dir, 'with-graph.md');
  await md.saveAs(mdFile);
  const report = fs.readFileSync(mdFile, 'utf8');
  const image = report.match(/\n## IO graph\n\n.+\n\n!\[[^\]]*\]\(data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)\)\n$/);
  assert.ok(image, report.slice(-400));
  assert.match(Buffer.from(image[1], 'base64').toString('utf8'), /^<svg [^>]*>[\s\S]*>All packets<[\s\S]*<\/svg>\n$/);
  assert.deepEqual(errors, []);
  await page.close();
});
