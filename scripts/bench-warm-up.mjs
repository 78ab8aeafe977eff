// What the worker's warm-up (src/warm_up.rs) buys: the built analyzer (www/pkg, from
// scripts/build-web) run in Node on FILE as the page's worker runs it (1 MiB pushes, checksums
// validated), reading then findings, in a fresh Node process per run: "cold" straight after the
// module loads, "warmed" after `warmUp()` and a pause for V8's background compiler (the time a
// user takes to choose a file). Prints the best of RUNS (default 3) of each and their ratio.
//
//   node scripts/bench-warm-up.mjs [FILE] [RUNS]      (FILE: bench-out/synth-1000000.pcap)
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const top = path.dirname(path.dirname(self));

if (process.argv[2] === '--child') {
  const [, , , mode, file] = process.argv;
  const { initSync, WasmAnalyzer, warmUp } = await import(path.join(top, 'www/pkg/tracelens.js'));
  initSync({ module: fs.readFileSync(path.join(top, 'www/pkg/tracelens_bg.wasm')) });
  if (mode === 'warmed') {
    warmUp();
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const bytes = fs.readFileSync(file);
  const a = new WasmAnalyzer();
  a.setChecksumValidation(true);
  const f = a.beginFile(path.basename(file));
  a.expectBytes(f, bytes.length);
  const t0 = performance.now();
  for (let at = 0; at < bytes.length; at += 1 << 20) a.push(f, bytes.subarray(at, at + (1 << 20)));
  a.endFile(f);
  a.finish();
  const t1 = performance.now();
  a.findings();
  const t2 = performance.now();
  console.log(JSON.stringify({ open: t1 - t0, findings: t2 - t1 }));
  process.exit(0);
}

const file = process.argv[2] ?? path.join(top, 'bench-out', 'synth-1000000.pcap');
const runs = Number(process.argv[3] ?? 3);
const best = { cold: { open: Infinity, findings: Infinity }, warmed: { open: Infinity, findings: Infinity } };
for (let r = 0; r < runs; r++) {
  for (const mode of ['cold', 'warmed']) {
    const out = JSON.parse(execFileSync(process.execPath, [self, '--child', mode, file], { encoding: 'utf8' }));
    best[mode].open = Math.min(best[mode].open, out.open);
    best[mode].findings = Math.min(best[mode].findings, out.findings);
  }
}
const ms = (x) => `${x.toFixed(0)} ms`;
console.log(`file: ${file}, best of ${runs} fresh Node processes each`);
for (const mode of ['cold', 'warmed']) {
  const b = best[mode];
  console.log(`${mode.padEnd(6)}: reading ${ms(b.open)}, findings ${ms(b.findings)}, both ${ms(b.open + b.findings)}`);
}
const both = (b) => b.open + b.findings;
console.log(`warmed / cold: ${(both(best.warmed) / both(best.cold)).toFixed(2)}`);
