// The wasm32 memory a capture needs per frame, as the page's worker builds it: the built analyzer
// (www/pkg, from scripts/build-web) run in Node on FILE, pushed in 16 MiB chunks with the file's
// size given first (HINT=0: not given), then its findings made and the filter `tcp` applied. The
// wasm's memory only grows, so its size after each step is the high-water mark so far; the page's
// frame limit (src/analyzer/capacity.rs) comes from this figure.
//
//   node scripts/bench-wasm-memory.mjs bench-out/synth-13000000.pcap
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const top = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { initSync, WasmAnalyzer } = await import(path.join(top, 'www/pkg/tracelens.js'));
const wasm = initSync({ module: fs.readFileSync(path.join(top, 'www/pkg/tracelens_bg.wasm')) });
const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/bench-wasm-memory.mjs FILE');
  process.exit(2);
}
const fd = fs.openSync(file, 'r');
const size = fs.fstatSync(fd).size;
const a = new WasmAnalyzer();
const f = a.beginFile('x');
if (process.env.HINT !== '0') a.expectBytes(f, size);
const buf = Buffer.alloc(16 << 20);
let off = 0;
const t0 = performance.now();
while (off < size) {
  const n = fs.readSync(fd, buf, 0, buf.length, off);
  if (!n) break;
  off += n;
  a.push(f, buf.subarray(0, n));
}
a.endFile(f); a.finish();
const frames = a.len();
const mb = () => (wasm.memory.buffer.byteLength / frames).toFixed(1);
console.log('frames', frames, 'open', ((performance.now() - t0) / 1000).toFixed(2), 's; wasm memory/frame after open', mb());
const t1 = performance.now();
a.findings();
console.log('findings', ((performance.now() - t1) / 1000).toFixed(2), 's; after findings', mb());
a.applyFilter('tcp', undefined);
console.log('after filter', mb(), 'bytes/frame;', wasm.memory.buffer.byteLength, 'bytes');
