#!/usr/bin/env node
// Benchmark (not a test) of the page's warm-up (src/warm_up.rs): which of the analyzer's wasm
// functions V8 still optimizes after a capture is dropped. A function optimized then ran its
// first calls in the baseline tier, and a pass called once per capture ran all its frames
// there. Chromium runs with `--js-flags=--trace-wasm-compilation-times`; its output says each
// function V8 compiled, in which tier and for how long. Printed, per run: the optimizing
// compiles during the warm-up and after the drop (how many, compile time, function indices).
// The indices are the built module's (www/pkg): a build that keeps names (wasm-opt -g, then
// wasm-dis) tells which functions they are.
//
//   node bench-tier-up.mjs [--file FILE] [--runs N]
//   (FILE: bench-out/synth-1000000.pcap; N: 2)

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

// Playwright logs the browser's output ("[pid=…][out] …") to stderr when DEBUG names
// pw:browser, which it reads when first loaded: set here, then the lines are taken from stderr.
process.env.DEBUG = 'pw:browser';
const { startServer } = await import('./lib/server.mjs');
const { launch, openApp } = await import('./lib/browser.mjs');
const { openFiles } = await import('./lib/app.mjs');
const { REPO } = await import('./lib/paths.mjs');

const { values: flags } = parseArgs({
  options: { file: { type: 'string' }, runs: { type: 'string', default: '2' } },
});
const file = flags.file ?? path.join(REPO, 'bench-out', 'synth-1000000.pcap');
if (!fs.existsSync(file)) {
  console.error(`no ${file}: make it with target/release/tracelens synth ${file} --packets 1000000`);
  process.exit(2);
}

/** "Compiled function 0x…#123 using TurboFan, took 3564 μs …" → {index, us}. */
const OPTIMIZED = /#(\d+) using TurboFan, took (\d+)/;
let phase = 'warm-up';
const compiles = { 'warm-up': [], 'after the drop': [] };
const writeError = process.stderr.write.bind(process.stderr);
process.stderr.write = (chunk, ...rest) => {
  for (const line of String(chunk).split('\n')) {
    const m = OPTIMIZED.exec(line);
    if (m) compiles[phase].push({ index: Number(m[1]), us: Number(m[2]) });
  }
  return / pw:browser /.test(String(chunk)) || writeError(chunk, ...rest);
};

const server = await startServer();
const browser = await launch({ args: ['--js-flags=--trace-wasm-compilation-times'] });
try {
  for (let run = 0; run < Number(flags.runs); run++) {
    phase = 'warm-up';
    for (const list of Object.values(compiles)) list.length = 0;
    const { page } = await openApp(browser, server.origin);
    await page.waitForSelector('body[data-warm]', { timeout: 60_000 });
    await page.waitForTimeout(2000); // the optimizing compiler finishes what the warm-up started
    phase = 'after the drop';
    const state = await openFiles(page, [file], { timeout: 600_000 });
    if (state !== 'ready') throw new Error(`the page did not open the capture (state ${state})`);
    await page.waitForFunction(() => document.body.dataset.findings === 'ready', null, { timeout: 600_000 });
    await page.waitForTimeout(500); // the last lines of output
    const { warm, openMs, findingsMs } = await page.evaluate(() => ({ ...document.body.dataset }));
    console.log(`run ${run + 1}: warm-up ${Number(warm).toFixed(0)} ms, drop → findings ${(Number(openMs) + Number(findingsMs)).toFixed(0)} ms`);
    for (const [when, list] of Object.entries(compiles)) {
      const ms = list.reduce((n, c) => n + c.us, 0) / 1000;
      console.log(`  optimized ${when}: ${list.length} functions, ${ms.toFixed(1)} ms of compiling${list.length ? ` (#${list.map((c) => c.index).join(' #')})` : ''}`);
    }
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
