#!/usr/bin/env node
// Benchmark (not a test): from file drop to "all frames indexed" in headless Chromium for the
// 1,000,000-frame synthetic capture, in MB/s and frames/s; beside it `tracelens info` natively
// when target/release/tracelens exists, and the ratio of the two. Then, in the page: the time to
// the findings (flows, TCP analysis and detectors, asked for once the list is up) and a few
// display filters (compile + evaluate over the index, inside the worker), and the CPU Chromium's
// threads spent from the drop to the findings (the worker's and the rest). Last, the file read
// alone in a page, nothing parsed, as the page reads it and as it read it before: what reading
// costs the browser by itself, and how many cores it keeps busy.
//
//   node bench.mjs [--packets N] [--runs R] [--file PATH]
//   node bench.mjs --compare [--packets N] [--runs R] [--file PATH]
//
// With --compare (issue 12's figure: two 1M-packet captures compared in the page in under 6 s):
// the capture and a copy of it are opened together, "Compare" is chosen, and the time to the
// comparison (inside the worker: body[data-compare-ms]; and wall time from the click to the
// Compare view ready) is printed beside the opening of both files and, when the release binary
// exists, `tracelens compare --timings` natively.
//
// The page's own timing is used: performance marks from the moment the files reach the page to
// the moment the worker reports the merged index (body[data-open-ms]). Best of R runs, each in a
// fresh page (a fresh worker and WebAssembly instance). The file is dropped once the page has
// settled, as a user's would be: after the worker has warmed the analyzer's code
// (body[data-warm], src/warm_up.rs); `--cold` drops it as soon as the page shows, to measure
// the analyzer as the browser first compiles it.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { startServer } from './lib/server.mjs';
import { launch, openApp } from './lib/browser.mjs';
import { chromiumCpu, cpuBetween } from './lib/proc-cpu.mjs';
import { syntheticCapture } from './lib/synth.mjs';
import { openFiles, frameCount, applyFilter } from './lib/app.mjs';
import { REPO } from './lib/paths.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const packets = Number(opt('packets', 1_000_000));
const cold = args.includes('--cold');
// --idle-ms N: wait N ms more after the warm-up before dropping the file, as a user choosing it
// would (V8 finishes optimizing the warmed-up code in background threads meanwhile).
const idleMs = Number(opt('idle-ms', 0));
const runs = Number(opt('runs', 3));
const native = path.join(REPO, 'target', 'release', 'tracelens');
const file = opt('file', null) ?? benchCapture(packets);
const size = fs.statSync(file).size;
const mb = size / 1e6;

/**
 * The capture to time: the native generator's (`tracelens synth`, the same file
 * scripts/bench-ingest uses, in bench-out/) when the release binary exists, else this folder's
 * node generator.
 */
function benchCapture(n) {
  const shared = path.join(REPO, 'bench-out', `synth-${n}.pcap`);
  if (fs.existsSync(shared)) return shared;
  if (fs.existsSync(native)) {
    fs.mkdirSync(path.dirname(shared), { recursive: true });
    execFileSync(native, ['synth', shared, '--packets', String(n)], { stdio: 'inherit' });
    return shared;
  }
  return syntheticCapture(n);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The whole machine's CPU time so far from /proc/stat, in clock ticks: {busy, total}; null where
 * there is none (not Linux). Two readings give how many cores were busy between them — every
 * process: the worker, the page's thread reading and sending the slices, the browser's I/O, and
 * anything else running (the figure is meant for an otherwise idle machine).
 */
function machineCpu() {
  try {
    const ticks = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = ticks[3] + (ticks[4] ?? 0);
    const total = ticks.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/**
 * Reads machineCpu every 10 ms (the kernel counts in 10 ms ticks) until `stop()`, which gives
 * the readings, each with its time (ms since 1970); null where machineCpu has none.
 */
function sampleCpu() {
  if (!machineCpu()) return { stop: () => null };
  const samples = [];
  const take = () => samples.push({ at: Date.now(), ...machineCpu() });
  take();
  const timer = setInterval(take, 10);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

/**
 * Cores busy on average from time `from` to `to` (ms since 1970), from the readings of
 * sampleCpu nearest outside that span; null without readings or a span they resolve.
 */
function coresBusy(samples, from, to) {
  if (!samples) return null;
  const a = samples.filter((s) => s.at <= from).at(-1);
  const b = samples.find((s) => s.at >= to);
  if (!a || !b || b.total === a.total) return null;
  return ((b.busy - a.busy) / (b.total - a.total)) * os.cpus().length;
}

const fmt = (x, d = 0) => x.toFixed(d);

console.log(`capture: ${file} (${fmt(mb, 1)} MB); dropped ${cold ? 'as soon as the page shows (--cold)' : 'once the worker has warmed the analyzer (body[data-warm])'}`);
if (args.includes('--compare')) {
  await benchCompare();
  process.exit(0);
}

/** The --compare mode: both sides opened, then compared in the page; best of `runs`. */
async function benchCompare() {
  const copy = file.replace(/(\.[^.]+)?$/, '-b$1');
  if (!fs.existsSync(copy) || fs.statSync(copy).size !== size) fs.copyFileSync(file, copy);
  const server = await startServer();
  const browser = await launch();
  const open = [];
  const worker = [];
  const wall = [];
  try {
    for (let r = 0; r < runs; r++) {
      const { page } = await openApp(browser, server.origin);
      const t0 = Date.now();
      await page.setInputFiles('#file-input', [file, copy]);
      await page.waitForSelector('#pair-choice:not([hidden]) [data-choice="compare"]', { timeout: 600_000 });
      open.push((Date.now() - t0) / 1000);
      const t1 = Date.now();
      await page.click('[data-choice="compare"]');
      await page.waitForFunction(() => ['ready', 'failed'].includes(document.body.dataset.compare), null, { timeout: 600_000 });
      wall.push((Date.now() - t1) / 1000);
      const d = await page.evaluate(() => ({ ...document.body.dataset }));
      if (d.compare !== 'ready') throw new Error('the comparison failed in the page');
      worker.push(Number(d.compareMs) / 1000);
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const at = worker.indexOf(Math.min(...worker));
  console.log(`browser compare (headless Chromium, wasm), 2 x ${packets} frames: best ${fmt(worker[at], 3)} s inside the worker, ` +
    `${fmt(wall[at], 3)} s from choosing Compare to the view ready (the page starts comparing while it asks) (median ${fmt(median(worker), 3)} s of ${runs}); target < 6 s`);
  console.log(`browser opening of both files (read, index, until the Compare/Merge question): best ${fmt(Math.min(...open), 3)} s`);
  if (fs.existsSync(native)) {
    const res = spawnSync(native, ['compare', file, copy, '--timings'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    console.log(`native (tracelens compare --timings): ${(res.stderr ?? '').trim().split('\n').pop()}`);
  }
}

const server = await startServer();
const browser = await launch();
const times = [];
const inside = []; // seconds inside the analyzer (push + finish), the rest being reading and messaging
const findingsMs = [];
const dropToFindings = []; // seconds: files handed to the page → findings ready (openMs + findingsMs)
// The first filter of a capture also builds the filter engine's support tables, once.
const FILTERS = ['frame', 'tcp.flags.syn==1 && tcp.flags.ack==0', 'ip.addr==10.0.0.0/8 && tcp.port==80', 'tcp.analysis.flags', 'dns'];
const filterMs = Object.fromEntries(FILTERS.map((f) => [f, []]));
const busyOpening = []; // cores busy from the files handed to the page to the list
const busyFinding = []; // cores busy from the list to the findings
const chromiumSpent = []; // Chromium's CPU seconds from the drop to the findings: {total, worker, rest}
const nativeInfo = []; // wall seconds of `tracelens info`, one after each page run
const nativeFindings = []; // wall seconds of `tracelens findings`, one after each page run
let frames = 0;
let reading = null; // the file read alone, as the page reads it (see readingAlone)
try {
  for (let r = 0; r < runs; r++) {
    const { page } = await openApp(browser, server.origin);
    if (!cold) await page.waitForSelector('body[data-warm]', { timeout: 60_000 });
    if (idleMs) await page.waitForTimeout(idleMs);
    const sampler = sampleCpu();
    const cpuAtDrop = chromiumCpu();
    const state = await openFiles(page, [file], { timeout: 600_000 });
    if (state !== 'ready') throw new Error(`the page did not open the capture (state ${state})`);
    frames = await frameCount(page);
    const { openMs, analyzerMs } = await page.evaluate(() => ({ ...document.body.dataset }));
    times.push(Number(openMs) / 1000);
    inside.push(Number(analyzerMs) / 1000);
    await page.waitForFunction(() => document.body.dataset.findings === 'ready', null, { timeout: 600_000 });
    findingsMs.push(Number(await page.evaluate(() => document.body.dataset.findingsMs)));
    chromiumSpent.push(cpuBetween(cpuAtDrop, chromiumCpu()));
    const samples = sampler.stop();
    // The page's marks as times since 1970: the files handed to it, the list up.
    const [open, opened] = await page.evaluate(() => ['tracelens:open', 'tracelens:opened']
      .map((name) => performance.timeOrigin + performance.getEntriesByName(name)[0].startTime));
    busyOpening.push(coresBusy(samples, open, opened));
    busyFinding.push(coresBusy(samples, opened, opened + findingsMs.at(-1)));
    dropToFindings.push(times[times.length - 1] + findingsMs[findingsMs.length - 1] / 1000);
    for (const f of FILTERS) {
      await applyFilter(page, f);
      filterMs[f].push(Number(await page.evaluate(() => document.body.dataset.filterMs)));
    }
    await page.close();
    // The native reference runs in turn with the page's, so that both see the same machine.
    if (fs.existsSync(native)) {
      nativeInfo.push(nativeOnce('info'));
      nativeFindings.push(nativeOnce('findings'));
    }
  }
  reading = await readingAlone(browser, server.origin);
} finally {
  await browser.close();
  await server.close();
}
const best = Math.min(...times);
console.log(`browser (headless Chromium, wasm): ${frames} frames, best ${fmt(best, 3)} s, median ${fmt(median(times), 3)} s of ${runs}` +
  ` → ${fmt(mb / best)} MB/s, ${fmt(frames / best / 1e6, 2)} M frames/s` +
  ` (of which inside the analyzer: ${fmt(inside[times.indexOf(best)], 3)} s)`);

console.log(`browser findings (flows, TCP analysis, detectors, markers; after the list is up): best ${fmt(Math.min(...findingsMs))} ms, median ${fmt(median(findingsMs))} ms`);
if (busyOpening.every((x) => x !== null)) {
  // Why a second worker indexing half of the file does not pay on a 2-core machine: while
  // opening, one worker and the page's reading already keep most of both cores busy.
  console.log(`cores busy (the whole machine, /proc/stat; ${os.cpus().length} cores): while opening median ${fmt(median(busyOpening), 2)}, ` +
    `while computing the findings median ${fmt(median(busyFinding), 2)}`);
}
if (chromiumSpent.every((x) => x !== null)) {
  // Where the machine's CPU goes from the drop to the findings, Chromium's threads only (their
  // schedstat, read just before the drop and just after the page shows the findings): the
  // analysis worker's thread, and the rest (reading the file, the page, the browser's I/O).
  // Spread perfectly over every core, that much work takes at least total/cores.
  const pick = (k) => median(chromiumSpent.map((x) => x[k]));
  console.log(`Chromium's CPU from drop to findings (median of ${runs}): ${fmt(pick('total'), 3)} s, ` +
    `of which the analysis worker's thread ${fmt(pick('worker'), 3)} s and the rest (reading, the page, the browser) ${fmt(pick('rest'), 3)} s; ` +
    `on ${os.cpus().length} cores no schedule of that work ends before ${fmt(pick('total') / os.cpus().length, 3)} s`);
}
if (reading) {
  // What the browser's file reading costs by itself: on this 2-core machine it keeps much of the
  // second core busy while the worker parses, and that part of drop → findings is not the
  // analyzer's. Both ways the page has fed the worker, in turn.
  for (const [way, r] of Object.entries(reading)) {
    const how = way === 'reused' ? `as the page feeds it: ${r.sliceMiB} MiB slices into reused buffers` : `a new buffer per ${r.sliceMiB} MiB slice, as it fed before`;
    const busy = r.busy.every((x) => x !== null) ? `, cores busy median ${fmt(median(r.busy), 2)}` : '';
    const cpu = r.cpu.every((x) => x !== null) ? `, Chromium's CPU median ${fmt(median(r.cpu) * 1000)} ms` : '';
    console.log(`browser reading the file alone (${how}; nothing parsed): best ${fmt(Math.min(...r.ms))} ms, median ${fmt(median(r.ms))} ms${busy}${cpu}`);
  }
}
for (const f of FILTERS) {
  const first = f === FILTERS[0] ? ', the first filter: builds the support tables' : '';
  console.log(`browser filter ${JSON.stringify(f)}${first}: best ${fmt(Math.min(...filterMs[f]), 1)} ms, median ${fmt(median(filterMs[f]), 1)} ms (compile + evaluate in the worker)`);
}

/**
 * The file read `runs` times in a page of the app with nothing parsed, two ways in turn: as the
 * page feeds it (`reused`: slice-reader.js's reader, FEED_SLICE_BYTES at a time into
 * READ_AHEAD_SLICES buffers used over and over) and as it was fed before (`fresh`: a new
 * ArrayBuffer per `slice().arrayBuffer()`, SLICE_BYTES each). Per way: {ms: [...], busy: [cores
 * busy, or null], cpu: [Chromium's CPU seconds, or null], sliceMiB}.
 */
async function readingAlone(browser, origin) {
  const { page } = await openApp(browser, origin);
  await page.evaluate(() => {
    const input = Object.assign(document.createElement('input'), { type: 'file', id: 'bench-reading', hidden: true });
    document.body.append(input);
  });
  await page.setInputFiles('#bench-reading', file);
  const ways = { reused: { ms: [], busy: [], cpu: [], sliceMiB: 0 }, fresh: { ms: [], busy: [], cpu: [], sliceMiB: 0 } };
  for (let r = 0; r < runs; r++) {
    for (const [way, out] of Object.entries(ways)) {
      await page.waitForTimeout(300);
      const sampler = sampleCpu();
      const before = chromiumCpu();
      const t = await page.evaluate(async (way) => {
        const { FEED_SLICE_BYTES, SLICE_BYTES, READ_AHEAD_SLICES } = await import('./js/protocol.js');
        const { sliceReader } = await import('./js/slice-reader.js');
        const f = document.getElementById('bench-reading').files[0];
        const from = performance.now();
        let bytes = 0;
        if (way === 'reused') {
          const reader = sliceReader(f, FEED_SLICE_BYTES);
          const buffers = new Array(READ_AHEAD_SLICES).fill(null);
          for (let k = 0; ; k = (k + 1) % buffers.length) {
            const slice = await reader.next(buffers[k]);
            if (slice.length === 0) break;
            buffers[k] = slice.buffer;
            bytes += slice.length;
          }
        } else {
          for (let at = 0; at < f.size; at += SLICE_BYTES) bytes += (await f.slice(at, at + SLICE_BYTES).arrayBuffer()).byteLength;
        }
        const to = performance.now();
        if (bytes !== f.size) throw new Error(`read ${bytes} of ${f.size} bytes`);
        const sliceMiB = (way === 'reused' ? FEED_SLICE_BYTES : SLICE_BYTES) / 2 ** 20;
        return { from: performance.timeOrigin + from, to: performance.timeOrigin + to, sliceMiB };
      }, way);
      out.cpu.push(cpuBetween(before, chromiumCpu())?.total ?? null);
      out.ms.push(t.to - t.from);
      out.busy.push(coresBusy(sampler.stop(), t.from, t.to));
      out.sliceMiB = t.sliceMiB;
    }
  }
  await page.close();
  return ways;
}

/** Wall seconds of one run of `tracelens COMMAND file` natively. */
function nativeOnce(command) {
  const t0 = process.hrtime.bigint();
  try {
    execFileSync(native, [command, file], { stdio: 'ignore' });
  } catch (err) {
    if (err.status !== 1) throw err; // 1 = damaged file, still a full pass
  }
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

if (nativeInfo.length) {
  const nbest = Math.min(...nativeInfo);
  console.log(`native (target/release/tracelens info, one run after each page's): best ${fmt(nbest, 3)} s, median ${fmt(median(nativeInfo), 3)} s` +
    ` → ${fmt(mb / nbest)} MB/s, ${fmt(frames / nbest / 1e6, 2)} M frames/s`);
  console.log(`ratio: the browser runs at ${fmt(nbest / best * 100)}% of native speed (${fmt(best / nbest, 2)}x the native time)`);
  // Issue 13's figure: drop → findings ready in the page against `tracelens findings` natively
  // (read, index, streams, TCP analysis, every detector), each page run beside the native run
  // right after it: the median of those ratios is the figure a busy moment moves least.
  const fbest = Math.min(...nativeFindings);
  const dbest = Math.min(...dropToFindings);
  const paired = dropToFindings.map((d, r) => d / nativeFindings[r]);
  console.log(`drop → findings ready: browser best ${fmt(dbest, 3)} s, median ${fmt(median(dropToFindings), 3)} s; ` +
    `native (target/release/tracelens findings) best ${fmt(fbest, 3)} s, median ${fmt(median(nativeFindings), 3)} s; ` +
    `ratio of the bests ${fmt(dbest / fbest, 2)}x, run by run ${paired.map((x) => fmt(x, 2)).join(' ')} (median ${fmt(median(paired), 2)}x; target: at most 1.5x and 0.6 s)`);
} else {
  console.log('native: target/release/tracelens not built (cargo build --release) — no native figure');
}
