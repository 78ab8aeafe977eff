#!/usr/bin/env node
// Benchmark (not a test) for the IO graph (issue 15): on the 1,000,000-frame synthetic capture
// (bench-out/synth-1000000.pcap, written by `tracelens synth` if missing), the time from the
// click on the "IO graph" tab to the three default lines drawn (all packets,
// tcp.analysis.flags, and the applied filter `udp`), once the capture is open and its findings
// are done; then re-binning at another interval, and a zoom (a drag over a tenth of the plot,
// which also filters the packet list). Prints, per run and best of R: wall time in the page
// (click → drawn), and inside it the wasm call (worker-side, all three lines) and the draw.
//
//   node bench-io.mjs [--packets N] [--runs R] [--file PATH]

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { startServer } from './lib/server.mjs';
import { launch, openApp } from './lib/browser.mjs';
import { syntheticCapture } from './lib/synth.mjs';
import { openFiles, applyFilter } from './lib/app.mjs';
import { REPO } from './lib/paths.mjs';

const { values: flags } = parseArgs({
  options: { packets: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '3' }, file: { type: 'string' } },
});
const runs = Number(flags.runs);
const file = flags.file ?? captureOf(Number(flags.packets));

/** bench-out/synth-N.pcap, written by `tracelens synth` (release, else debug) when missing. */
function captureOf(n) {
  const out = path.join(REPO, 'bench-out', `synth-${n}.pcap`);
  const bin = ['release', 'debug'].map((p) => path.join(REPO, 'target', p, 'tracelens')).find((b) => fs.existsSync(b));
  if (fs.existsSync(out) || !bin) return fs.existsSync(out) ? out : syntheticCapture(n);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  execFileSync(bin, ['synth', out, '--packets', String(n)], { stdio: 'inherit' });
  return out;
}

/** Runs `action` and waits for the IO view to be drawn again; {wallMs, wasmMs, drawMs, points}. */
async function timed(page, action) {
  const before = await page.evaluate(() => Number(document.getElementById('view-io').dataset.draws ?? 0));
  const started = Date.now();
  await action();
  await page.waitForFunction((n) => {
    const d = document.getElementById('view-io').dataset;
    return d.state === 'ready' && Number(d.draws ?? 0) > n;
  }, before, { polling: 5, timeout: 120_000 });
  const wallMs = Date.now() - started;
  const d = await page.evaluate(() => ({ ...document.getElementById('view-io').dataset }));
  return { wallMs, wasmMs: Number(d.wasmMs), drawMs: Number(d.drawMs), points: Number(d.points) };
}

const server = await startServer();
const browser = await launch();
const results = { first: [], rebin: [], zoom: [] };
try {
  console.log(`bench-io: ${path.relative(REPO, file)} (${(fs.statSync(file).size / 1e6).toFixed(1)} MB), ${runs} runs`);
  for (let r = 0; r < runs; r++) {
    const { page } = await openApp(browser, server.origin);
    await openFiles(page, [file], { timeout: 600_000 });
    await page.waitForFunction(() => document.body.dataset.findings === 'ready', null, { timeout: 600_000 });
    await applyFilter(page, 'udp');
    const first = await timed(page, () => page.click('#tab-io'));
    const rebin = await timed(page, () => page.selectOption('#view-io select[aria-label="Interval"]', '0.01'));
    const box = await page.locator('#view-io .u-over').boundingBox();
    const zoom = await timed(page, async () => {
      await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.45, box.y + box.height / 2, { steps: 3 });
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 3 });
      await page.mouse.up();
    });
    for (const [k, v] of Object.entries({ first, rebin, zoom })) results[k].push(v);
    console.log(`run ${r + 1}: first draw ${first.wallMs} ms (wasm ${first.wasmMs} ms, ${first.points} points); `
      + `re-bin at 10 ms ${rebin.wallMs} ms (wasm ${rebin.wasmMs} ms, ${rebin.points} points); `
      + `zoom ${zoom.wallMs} ms (wasm ${zoom.wasmMs} ms, ${zoom.points} points)`);
    await page.close();
  }
  const best = (xs, k) => Math.min(...xs.map((x) => x[k]));
  for (const [k, label] of [['first', 'three-line IO graph, tab click → drawn'], ['rebin', 're-bin at a 10 ms interval'], ['zoom', 'zoom on a tenth (re-bin + list filter)']]) {
    console.log(`best of ${runs}: ${label}: ${best(results[k], 'wallMs')} ms in the page (wasm call ${best(results[k], 'wasmMs').toFixed(1)} ms)`);
  }
} finally {
  await browser.close();
  await server.close();
}
