#!/usr/bin/env node
// Benchmark (not a test): the page with several builds of the analyzer side by side, for a change
// whose effect is smaller than this machine's noise from one command to the next. Each PKG_DIR (a
// copy of www/pkg from scripts/build-web, say the one before a change) is served in a page of its
// own (www/ with that package); a folder holding an index.html is a whole page, served as it is
// (say `git archive REV www` of an earlier commit, with its www/pkg built), for a change to the
// page itself. The pages open FILE in turn, each run in a fresh page once the worker has warmed
// up; printed per build, best and median of RUNS: files handed to the page → the list
// (body[data-open-ms]), the list → the findings (body[data-findings-ms]), and the two added.
//
//   node bench-pkgs.mjs [--file FILE] [--runs N] PKG_DIR|WWW_DIR...
//   (FILE: bench-out/synth-1000000.pcap; N: 6)

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from './lib/server.mjs';
import { launch, openApp } from './lib/browser.mjs';
import { openFiles } from './lib/app.mjs';
import { REPO } from './lib/paths.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const [value] = args.splice(i, 2).slice(1);
  return value;
};
const file = opt('file', path.join(REPO, 'bench-out', 'synth-1000000.pcap'));
const runs = Number(opt('runs', 6));
const pkgs = args.map((p) => path.resolve(p));
if (pkgs.length === 0 || !fs.existsSync(file)) {
  console.error('usage: node bench-pkgs.mjs [--file FILE] [--runs N] PKG_DIR...  (FILE must exist: tracelens synth)');
  process.exit(2);
}

/** A folder serving www/ with `pkg` as its package (links, nothing copied), or `pkg` itself when it is a whole page. */
function pageWith(pkg) {
  if (fs.existsSync(path.join(pkg, 'index.html'))) return pkg;
  const www = path.join(REPO, 'www');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracelens-bench-'));
  for (const entry of fs.readdirSync(www)) {
    if (entry !== 'pkg') fs.symlinkSync(path.join(www, entry), path.join(dir, entry));
  }
  fs.symlinkSync(pkg, path.join(dir, 'pkg'));
  return dir;
}

const roots = pkgs.map(pageWith);
const servers = await Promise.all(roots.map((root) => startServer({ root })));
const browser = await launch();
const times = pkgs.map(() => ({ list: [], findings: [], total: [] }));
try {
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < pkgs.length; k++) {
      const { page } = await openApp(browser, servers[k].origin);
      await page.waitForSelector('body[data-warm]', { timeout: 60_000 });
      await page.waitForTimeout(2000); // V8 finishes optimizing the warmed code meanwhile
      const state = await openFiles(page, [file], { timeout: 600_000 });
      if (state !== 'ready') throw new Error(`${pkgs[k]}: the page did not open the capture (state ${state})`);
      await page.waitForFunction(() => document.body.dataset.findings === 'ready', null, { timeout: 600_000 });
      const { openMs, findingsMs } = await page.evaluate(() => ({ ...document.body.dataset }));
      times[k].list.push(Number(openMs));
      times[k].findings.push(Number(findingsMs));
      times[k].total.push(Number(openMs) + Number(findingsMs));
      await page.close();
    }
  }
} finally {
  await browser.close();
  for (const server of servers) await server.close();
  for (const root of roots.filter((root) => !pkgs.includes(root))) fs.rmSync(root, { recursive: true, force: true });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const show = (xs) => `${Math.min(...xs).toFixed(0)} / ${median(xs).toFixed(0)}`;
console.log(`${file}: ${runs} runs per build, the builds in turn; best / median, ms`);
pkgs.forEach((pkg, k) => {
  const t = times[k];
  console.log(`${pkg}: list ${show(t.list)}, findings ${show(t.findings)}, drop → findings ${show(t.total)}`);
});
