// Where the page's analyzer spends its time, stage by stage: the built analyzer (www/pkg, from
// scripts/build-web) run in Node on FILE as the page's worker runs it (warmed up, 1 MiB pushes,
// checksums validated): reading (push + finish), the summary, the list's first rows (which build
// the streams and the TCP analysis) and the findings. Best of RUNS per stage. Give several
// package folders (say, a copy of www/pkg from the build before a change) to time them
// alternately in the same command.
//
//   node scripts/bench-wasm-stages.mjs [--file FILE] [--runs N] [PKG_DIR...]
//   (FILE: bench-out/synth-1000000.pcap; N: 3; PKG_DIR: www/pkg)
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const top = path.dirname(path.dirname(self));
const STAGES = ['read', 'summary', 'rows', 'findings'];

if (process.argv[2] === '--child') {
  // One run in a fresh process (a fresh instance, warmed as the page's worker warms it).
  const [, , , pkg, file] = process.argv;
  const { initSync, WasmAnalyzer, warmUp } = await import(path.join(pkg, 'tracelens.js'));
  initSync({ module: fs.readFileSync(path.join(pkg, 'tracelens_bg.wasm')) });
  warmUp();
  await new Promise((resolve) => setTimeout(resolve, 2000)); // V8's background compiler
  const bytes = fs.readFileSync(file);
  const a = new WasmAnalyzer();
  a.setChecksumValidation(true);
  const f = a.beginFile(path.basename(file));
  a.expectBytes(f, bytes.length);
  const t = [performance.now()];
  for (let at = 0; at < bytes.length; at += 1 << 20) a.push(f, bytes.subarray(at, at + (1 << 20)));
  a.endFile(f);
  a.finish();
  t.push(performance.now());
  a.summary();
  t.push(performance.now());
  a.rows(0, 60);
  t.push(performance.now());
  a.findings();
  t.push(performance.now());
  console.log(JSON.stringify(Object.fromEntries(STAGES.map((s, i) => [s, t[i + 1] - t[i]]))));
  process.exit(0);
}

const args = process.argv.slice(2);
let file = path.join(top, 'bench-out', 'synth-1000000.pcap');
let runs = 3;
const pkgs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--file') file = args[++i];
  else if (args[i] === '--runs') runs = Number(args[++i]);
  else pkgs.push(path.resolve(args[i]));
}
if (pkgs.length === 0) pkgs.push(path.join(top, 'www', 'pkg'));
if (!fs.existsSync(file)) {
  console.error(`no ${file}: make it with target/release/tracelens synth ${file} --packets 1000000`);
  process.exit(2);
}
const best = pkgs.map(() => Object.fromEntries(STAGES.map((s) => [s, Infinity])));
for (let r = 0; r < runs; r++) {
  pkgs.forEach((pkg, p) => {
    const out = JSON.parse(execFileSync(process.execPath, [self, '--child', pkg, file], { encoding: 'utf8' }));
    for (const s of STAGES) best[p][s] = Math.min(best[p][s], out[s]);
  });
}
console.log(`capture: ${file}; best of ${runs} per stage, ms`);
pkgs.forEach((pkg, p) => {
  const total = STAGES.reduce((n, s) => n + best[p][s], 0);
  console.log(`${pkg}: ${STAGES.map((s) => `${s} ${best[p][s].toFixed(0)}`).join(', ')}; sum ${total.toFixed(0)}`);
});
