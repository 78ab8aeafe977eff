#!/usr/bin/env node
// Benchmark (not a test; issue 13): tracelens beside its peers on the same files, in one run.
// For each capture:
//   - tracelens in headless Chromium: the file handed to the page → packet list ready (openMs),
//     → findings ready (findingsMs), the five display filters bench.mjs times (filterMs, in the
//     worker), the worker's wasm memory, and the renderer's peak resident memory;
//   - Wiregasm (Wireshark compiled to wasm, `@goodtools/wiregasm` from npm) in the same Chromium:
//     a page served from bench-out/peers/ (git-ignored; the package is installed there by this
//     script when missing, never into the shipped page nor the tests' package.json) loads the
//     capture into a dissect session, runs the same five filters (getFrames: Wireshark
//     re-dissects every frame for each filter) and a TCP conversation tap (conv:TCP), and reports
//     its wasm memory and the renderer's peak resident memory;
//   - tshark natively: one full dissection pass (-q -Y frame), the same five filters (-Y, printing frame numbers to count),
//     and -z conv,tcp, each timed (wall, user+sys CPU, max RSS) with /usr/bin/time.
// Each tool has a time budget per file (--budget seconds): past it the tool's remaining steps are
// marked "over budget" (a result, not a failure); a crash or an out-of-memory abort is reported
// the same way. Then a table: rows = file × measurement, columns = tracelens, Wiregasm, tshark and
// the ratios peer ÷ tracelens.
//
//   node tests/browser/bench-peers.mjs [--file PATH]... [--budget 600] [--runs 1]
//                                      [--tools tracelens,wiregasm,tshark] [--json OUT]
//   node tests/browser/bench-peers.mjs --table-from A.json B.json …   (the table of earlier runs)
//
// Without --file: the largest real capture of the corpus (by frames, capinfos), then
// bench-out/synth-1000000.pcap and bench-out/synth-13000000.pcap (made with
// `target/release/tracelens synth` when missing).

import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { startServer } from './lib/server.mjs';
import { launch, openApp } from './lib/browser.mjs';
import { openFiles, frameCount, applyFilter } from './lib/app.mjs';
import { REPO, CAPTURES } from './lib/paths.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const optAll = (name) => args.flatMap((a, i) => (a === `--${name}` ? [args[i + 1]] : []));
const budgetS = Number(opt('budget', 600));
const runs = Number(opt('runs', 1));
const tools = opt('tools', 'tracelens,wiregasm,tshark').split(',');
const FILTERS = ['frame', 'tcp.flags.syn==1 && tcp.flags.ack==0', 'ip.addr==10.0.0.0/8 && tcp.port==80', 'tcp.analysis.flags', 'dns'];
const PEERS = path.join(REPO, 'bench-out', 'peers');
const WIREGASM = '@goodtools/wiregasm';
const WG_DIST = path.join(PEERS, 'node_modules', ...WIREGASM.split('/'), 'dist');

const files = optAll('file').length ? optAll('file').map((f) => path.resolve(f)) : defaultFiles();

/** The largest real capture (by frames), then the 1M and 13M synthetic captures. */
function defaultFiles() {
  const native = path.join(REPO, 'target', 'release', 'tracelens');
  const synth = (n) => {
    const f = path.join(REPO, 'bench-out', `synth-${n}.pcap`);
    if (!fs.existsSync(f)) {
      fs.mkdirSync(path.dirname(f), { recursive: true });
      execFileSync(native, ['synth', f, '--packets', String(n)], { stdio: 'inherit' });
    }
    return f;
  };
  return [largestRealCapture(), synth(1_000_000), synth(13_000_000)];
}

/** The corpus capture with the most frames (capinfos -c -M). */
function largestRealCapture() {
  let best = { frames: -1, file: null };
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!/\.(md|txt)$|SHA256SUMS/.test(e.name)) {
        const out = spawnSync('capinfos', ['-c', '-M', p], { encoding: 'utf8' }).stdout ?? '';
        const m = out.match(/Number of packets:\s*(\d+)/);
        if (m && Number(m[1]) > best.frames) best = { frames: Number(m[1]), file: p };
      }
    }
  };
  walk(CAPTURES);
  if (!best.file) throw new Error(`no capture found in ${CAPTURES}`);
  return best.file;
}

/** Installs Wiregasm into bench-out/peers/ (its own package.json) when missing. */
function ensureWiregasm() {
  if (fs.existsSync(path.join(WG_DIST, 'wiregasm.wasm'))) return;
  fs.mkdirSync(PEERS, { recursive: true });
  const pkg = path.join(PEERS, 'package.json');
  if (!fs.existsSync(pkg)) fs.writeFileSync(pkg, '{ "name": "tracelens-bench-peers", "private": true }\n');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', WIREGASM], { cwd: PEERS, stdio: 'inherit' });
}

/** The Wiregasm page (written on each run: bench-out/ is not in git, this script is). */
function writeWiregasmPage() {
  fs.writeFileSync(path.join(PEERS, 'index.html'), `<!doctype html><meta charset="utf-8"><title>wiregasm bench</title>
<input type="file" id="file-input">
<script src="node_modules/@goodtools/wiregasm/dist/wiregasm.js"></script>
<script src="wg-bench.js"></script>
`);
  fs.writeFileSync(path.join(PEERS, 'wg-bench.js'), `'use strict';
// Driven by tests/browser/bench-peers.mjs: each step returns its time in ms, measured here.
let lib = null;
let session = null;
const heap = () => lib.HEAPU8.buffer.byteLength;
window.wgStart = async () => {
  const t0 = performance.now();
  lib = await loadWiregasm({
    locateFile: (p) => 'node_modules/@goodtools/wiregasm/dist/' + p,
    print: () => {}, printErr: () => {}, handleStatus: () => {},
  });
  if (!lib.init()) throw new Error('wiregasm init failed');
  return { ms: performance.now() - t0, heap: heap() };
};
window.wgLoad = async () => {
  const file = document.querySelector('#file-input').files[0];
  // Into Wiregasm's in-memory file system 64 MiB at a time (one Blob.arrayBuffer() of a file
  // over 2 GiB fails in Chromium with NotReadableError).
  const t0 = performance.now();
  const name = lib.getUploadDirectory() + '/capture';
  const stream = lib.FS.open(name, 'w');
  let readMs = 0;
  for (let at = 0; at < file.size; at += 64 << 20) {
    const r0 = performance.now();
    const bytes = new Uint8Array(await file.slice(at, at + (64 << 20)).arrayBuffer());
    readMs += performance.now() - r0;
    lib.FS.write(stream, bytes, 0, bytes.length);
  }
  lib.FS.close(stream);
  const t1 = t0 + readMs;
  const t2 = performance.now();
  session = new lib.DissectSession(name);
  const r = session.load();
  const t3 = performance.now();
  if (r.code !== 0) throw new Error('load failed: code ' + r.code + ' ' + r.error);
  return { ms: t3 - t0, readMs: t1 - t0, writeMs: t2 - t1, loadMs: t3 - t2, frames: r.summary.packet_count, heap: heap() };
};
window.wgFilter = (filter) => {
  const t0 = performance.now();
  const r = session.getFrames(filter, 0, 1);
  const ms = performance.now() - t0;
  return { ms, matched: r.matched, heap: heap() };
};
window.wgConv = () => {
  const t0 = performance.now();
  const m = new lib.MapInput();
  m.set('tap0', 'conv:TCP');
  const r = session.tap(m);
  const ms = performance.now() - t0;
  if (r.error) throw new Error('tap failed: ' + r.error);
  return { ms, convs: r.taps.get(0).convs.size(), heap: heap() };
};
`);
}

// ---- process memory: the peak resident size of the browser's renderers -----------------------

/** Pids of every descendant of `root` (from /proc). */
function descendants(root) {
  const children = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(fs.readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch { /* gone */ }
  }
  const out = [];
  const todo = [root];
  while (todo.length) for (const c of children.get(todo.pop()) ?? []) { out.push(c); todo.push(c); }
  return out;
}

/** The largest peak resident size (VmHWM, bytes) among this process's Chromium renderers. */
function rendererPeakRss() {
  let peak = 0;
  for (const pid of descendants(process.pid)) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s*(\d+) kB/);
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch { /* gone */ }
  }
  return peak;
}

/** Closes the browser; a renderer stuck in a long wasm call is killed if closing hangs. */
async function closeBrowser(browser) {
  const pids = descendants(process.pid).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('chromium');
    } catch {
      return false;
    }
  });
  const closed = await Promise.race([browser.close().then(() => true, () => true), sleep(15_000).then(() => false)]);
  if (!closed) for (const pid of pids) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A step's outcome: a value, or a note why there is none ("over budget", "out of memory", …). */
class Budget {
  constructor(seconds) {
    this.end = Date.now() + seconds * 1000;
    this.spent = false;
  }
  left() {
    return Math.max(0, this.end - Date.now());
  }
  /** Runs `fn` (a promise) against what is left; throws OverBudget when it runs out. */
  async run(fn) {
    if (this.spent || this.left() === 0) throw new OverBudget();
    let timer;
    const over = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new OverBudget()), this.left());
    });
    try {
      return await Promise.race([fn(), over]);
    } catch (err) {
      if (err instanceof OverBudget) this.spent = true;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
class OverBudget extends Error {
  constructor() {
    super(`over budget (${budgetS} s)`);
  }
}

/** What a failed step says in the table. */
function failure(err) {
  if (err instanceof OverBudget) return `over budget (${budgetS} s)`;
  const msg = String(err?.message ?? err);
  if (/OOM|out of memory|Cannot enlarge memory|Array buffer allocation failed|RangeError/i.test(msg)) return `out of memory: ${msg.split('\n')[0].slice(0, 80)}`;
  if (/crash|Target closed|has been closed/i.test(msg)) return `renderer crashed: ${msg.split('\n')[0].slice(0, 80)}`;
  return `failed: ${msg.split('\n')[0].slice(0, 100)}`;
}

// ---- the three tools ---------------------------------------------------------------------------

/** tracelens in the page: best of `runs` for each step. Returns {measure: value | note}. */
async function benchTracelens(file) {
  const out = {};
  const budget = new Budget(budgetS);
  const server = await startServer();
  const browser = await launch();
  const best = (key, v) => {
    if (typeof v !== 'number') out[key] ??= v;
    else if (typeof out[key] !== 'number' || v < out[key]) out[key] = v;
  };
  try {
    for (let r = 0; r < runs; r++) {
      const { page } = await openApp(browser, server.origin);
      const state = await budget.run(() => openFiles(page, [file], { timeout: 0 }));
      if (state !== 'ready') throw new Error(`the page did not open the capture (state ${state})`);
      out.frames = await frameCount(page);
      const d = await page.evaluate(() => ({ ...document.body.dataset }));
      best('open', Number(d.openMs) / 1000);
      if (d.findings !== 'ready') throw new Error(`findings ${d.findings}`);
      best('findings', Number(d.findingsMs) / 1000);
      for (const f of FILTERS) {
        await budget.run(() => applyFilter(page, f));
        const fd = await page.evaluate(() => ({ ...document.body.dataset }));
        best(`filter ${f}`, Number(fd.filterMs) / 1000);
        out[`matched ${f}`] = Number(fd.displayed);
      }
      best('wasm memory', await workerWasmMemory(page));
      out['peak renderer RSS'] = Math.max(out['peak renderer RSS'] ?? 0, rendererPeakRss()); // before the page's renderer ends
      await page.close();
    }
  } catch (err) {
    const note = failure(err);
    for (const k of ['open', 'findings', ...FILTERS.map((f) => `filter ${f}`), 'wasm memory']) out[k] ??= note;
  } finally {
    out['peak renderer RSS'] = Math.max(out['peak renderer RSS'] ?? 0, rendererPeakRss());
    await closeBrowser(browser);
    await server.close();
  }
  return out;
}

/** The analysis worker's wasm memory in bytes (its module, imported again, is the same instance). */
async function workerWasmMemory(page) {
  const worker = page.workers()[0];
  if (!worker) return 'no worker';
  return worker.evaluate(async () => {
    const mod = await import(new URL('/pkg/tracelens.js', self.location.origin).href);
    const wasm = await mod.default();
    return wasm.memory.buffer.byteLength;
  });
}

/** Wiregasm in the page served from bench-out/peers/. */
async function benchWiregasm(file) {
  const out = {};
  const budget = new Budget(budgetS);
  const server = await startServer({ root: PEERS });
  const browser = await launch();
  let lastHeap = 0;
  const step = async (key, fn) => {
    try {
      const r = await budget.run(fn);
      out[key] = r.ms / 1000;
      lastHeap = r.heap;
      return r;
    } catch (err) {
      out[key] = failure(err);
      if (err instanceof OverBudget || /crash|closed/i.test(String(err?.message))) budget.spent = true;
      return null;
    }
  };
  try {
    const page = await browser.context.newPage();
    await page.goto(`${server.origin}/index.html`);
    await step('start-up', () => page.evaluate(() => window.wgStart()));
    await page.setInputFiles('#file-input', file);
    const load = await step('open', () => page.evaluate(() => window.wgLoad()));
    if (load) {
      out.frames = load.frames;
      out['open: read + copy into MEMFS'] = (load.readMs + load.writeMs) / 1000;
    }
    for (const f of FILTERS) {
      const r = load ? await step(`filter ${f}`, () => page.evaluate((x) => window.wgFilter(x), f)) : null;
      if (r) out[`matched ${f}`] = r.matched;
    }
    const conv = load ? await step('conv,tcp', () => page.evaluate(() => window.wgConv())) : null;
    if (conv) out.conversations = conv.convs;
    // A page stopped at the budget no longer answers: its last figure is from an earlier step.
    out['wasm memory'] = budget.spent ? `≥ ${(lastHeap / 2 ** 20).toFixed(0)} MiB (read before the budget ran out)` : lastHeap || 'n/a';
  } catch (err) {
    out.open ??= failure(err);
  } finally {
    out['peak renderer RSS'] = rendererPeakRss();
    await closeBrowser(browser);
    await server.close();
  }
  const wgMeasures = ['frames', 'open', ...FILTERS.map((f) => `filter ${f}`), 'conv,tcp'];
  for (const k of wgMeasures) out[k] ??= budget.spent ? `over budget (${budgetS} s)` : 'not reached';
  return out;
}

/** tshark natively: wall and CPU seconds and max RSS of each pass, under the budget. */
function benchTshark(file) {
  const out = {};
  const end = Date.now() + budgetS * 1000;
  let maxRss = 0;
  const pass = (key, tsharkArgs, parse) => {
    const left = end - Date.now();
    if (left <= 0) {
      out[key] = `over budget (${budgetS} s)`;
      return;
    }
    const res = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', 'tshark', '-r', file, ...tsharkArgs],
      { encoding: 'utf8', timeout: left, killSignal: 'SIGKILL', maxBuffer: 1 << 28 });
    const t = (res.stderr ?? '').match(/TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/);
    if (res.error || !t) {
      out[key] = res.error?.code === 'ETIMEDOUT' ? `over budget (${budgetS} s)` : `failed: ${(res.stderr ?? '').trim().split('\n')[0]}`;
      return;
    }
    out[key] = Number(t[1]);
    out[`${key} CPU`] = Number(t[2]) + Number(t[3]);
    maxRss = Math.max(maxRss, Number(t[4]) * 1024);
    if (parse) parse(res.stdout);
  };
  // -q alone only reads the records (no dissection); -Y frame makes tshark dissect every frame
  // with its tree once, as a load in Wireshark (or Wiregasm) does.
  pass('open', ['-q', '-Y', 'frame'], null);
  for (const f of FILTERS) {
    pass(`filter ${f}`, ['-Y', f, '-T', 'fields', '-e', 'frame.number'], (s) => {
      out[`matched ${f}`] = (s.match(/\n/g) ?? []).length;
    });
  }
  pass('conv,tcp', ['-q', '-z', 'conv,tcp'], (s) => {
    out.conversations = (s.match(/<->/g) ?? []).length;
  });
  out['peak RSS'] = maxRss || 'n/a';
  return out;
}

// ---- the table ---------------------------------------------------------------------------------

/** The rows of the table, in order (a tool without a figure shows "—"). */
function measures() {
  return ['frames', 'start-up', 'open', 'open: read + copy into MEMFS', 'findings',
    ...FILTERS.flatMap((f) => [`filter ${f}`, `matched ${f}`]), 'conv,tcp', 'conversations',
    'wasm memory', 'peak renderer RSS', 'peak RSS'];
}
const COUNTS = (m) => m === 'frames' || m.startsWith('matched') || m === 'conversations';
const BYTES = (m) => /memory|RSS/.test(m);

function cell(m, v) {
  if (v === undefined) return '—';
  if (typeof v !== 'number') return v;
  if (COUNTS(m)) return v.toLocaleString('en-US');
  if (BYTES(m)) return `${(v / 2 ** 20).toFixed(0)} MiB`;
  return v < 1 ? `${(v * 1000).toFixed(1)} ms` : `${v.toFixed(2)} s`;
}

function ratio(m, peer, base) {
  if (COUNTS(m) || typeof peer !== 'number' || typeof base !== 'number' || base === 0) return '';
  return `${(peer / base).toFixed(peer / base < 10 ? 2 : 0)}×`;
}

/** Markdown table: one section of rows per file. */
function table(results) {
  const lines = ['| file | measurement | tracelens (Chromium) | Wiregasm (Chromium) | tshark (native) | Wiregasm ÷ tracelens | tshark ÷ tracelens |',
    '|---|---|---|---|---|---|---|'];
  for (const { file, tl, wg, ts } of results) {
    const name = path.basename(file);
    for (const m of measures()) {
      // tshark's own rows: its peak RSS sits on the renderer RSS line; CPU beside wall time.
      const tsv = m === 'peak renderer RSS' ? ts['peak RSS'] : ts[m];
      if (m === 'peak RSS') continue;
      const vals = [tl[m], wg[m], tsv];
      if (vals.every((v) => v === undefined)) continue;
      let tsCell = cell(m, tsv);
      if (typeof ts[`${m} CPU`] === 'number') tsCell += ` (CPU ${ts[`${m} CPU`].toFixed(2)} s)`;
      const label = m === 'peak renderer RSS' ? 'peak RSS (renderer / tshark)' : m;
      lines.push(`| ${name} | ${label} | ${cell(m, tl[m])} | ${cell(m, wg[m])} | ${tsCell} | ${ratio(m, wg[m], tl[m])} | ${ratio(m, tsv, tl[m])} |`);
    }
  }
  return lines.join('\n');
}

// ---- main --------------------------------------------------------------------------------------

// --table-from A.json B.json …: no measuring, the table of earlier runs (--json), merged per file
// and tool in the order given (a later run's figure for the same file and tool replaces one).
if (args.includes('--table-from')) {
  const merged = new Map();
  for (const f of args.slice(args.indexOf('--table-from') + 1).filter((a) => !a.startsWith('--'))) {
    for (const r of JSON.parse(fs.readFileSync(f, 'utf8')).results) {
      const m = merged.get(r.file) ?? { file: r.file, tl: {}, wg: {}, ts: {} };
      for (const tool of ['tl', 'wg', 'ts']) if (Object.keys(r[tool]).length) m[tool] = { ...m[tool], ...r[tool] };
      merged.set(r.file, m);
    }
  }
  console.log(table([...merged.values()]));
  process.exit(0);
}

if (tools.includes('wiregasm')) {
  ensureWiregasm();
  writeWiregasmPage();
}
const results = [];
const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`bench-peers: ${files.length} file(s), budget ${budgetS} s per tool per file, runs ${runs}, load average at start ${load}`);
for (const file of files) {
  console.log(`\n== ${file} (${(fs.statSync(file).size / 1e6).toFixed(1)} MB)`);
  const entry = { file, tl: {}, wg: {}, ts: {} };
  if (tools.includes('tracelens')) {
    entry.tl = await benchTracelens(file);
    console.log('tracelens', JSON.stringify(entry.tl));
  }
  if (tools.includes('wiregasm')) {
    entry.wg = await benchWiregasm(file);
    console.log('wiregasm', JSON.stringify(entry.wg));
  }
  if (tools.includes('tshark')) {
    entry.ts = benchTshark(file);
    console.log('tshark', JSON.stringify(entry.ts));
  }
  results.push(entry);
}
const endLoad = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`\nload average at the end ${endLoad}\n`);
console.log(table(results));
const jsonOut = opt('json', null);
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ budgetS, runs, load, endLoad, results }, null, 2));
