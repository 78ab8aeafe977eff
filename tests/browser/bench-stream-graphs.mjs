#!/usr/bin/env node
// Benchmark (not a test): the TCP stream pictures on one long stream in headless Chromium. It
// writes a capture holding a single TCP connection of SEGMENTS data segments (an ACK for every
// second one, a retransmission every 997th, SACK-free), opens it, and times in the page, from the
// click to the picture drawn: the stream (table + graph columns from the wasm + time-sequence),
// the other direction, Stevens, throughput, RTT, window, the ladder's first page and Follow's
// first page; and the canvas drawing alone (stream-view's data-draw-ms). The figures are the
// page's own (performance.now() around the click), the median of the runs.
//
//   node tests/browser/bench-stream-graphs.mjs [--segments N] [--runs R]

import fs from 'node:fs';
import path from 'node:path';
import { startServer } from './lib/server.mjs';
import { launch, openApp } from './lib/browser.mjs';
import { openFiles } from './lib/app.mjs';
import { scratchDir } from './lib/paths.mjs';
import { pcapHeader, pcapRecord, ethernet, tcp4, ACK, SYN, PSH } from './lib/pcap.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const SEGMENTS = opt('segments', 150_000);
const RUNS = opt('runs', 3);
const PAYLOAD = 200;

/** One long transfer from 10.0.0.1:40000 to 10.0.0.2:80. */
function longStream(file) {
  const out = fs.openSync(file, 'w');
  fs.writeSync(out, pcapHeader());
  const frame = (ts, src, dst, o) => fs.writeSync(out, pcapRecord(ts, ethernet('02:00:00:00:00:01', '02:00:00:00:00:02', 0x0800, tcp4(src, dst, o))));
  const c = { sport: 40000, dport: 80 };
  const s = { sport: 80, dport: 40000 };
  let t = 1_700_000_000;
  frame(t, '10.0.0.1', '10.0.0.2', { ...c, seq: 1000, flags: SYN });
  frame(t += 0.001, '10.0.0.2', '10.0.0.1', { ...s, seq: 5000, ack: 1001, flags: SYN | ACK });
  frame(t += 0.001, '10.0.0.1', '10.0.0.2', { ...c, seq: 1001, ack: 5001 });
  const payload = Buffer.alloc(PAYLOAD, 0x61);
  let frames = 3;
  for (let i = 0; i < SEGMENTS; i++) {
    const seq = 1001 + i * PAYLOAD;
    frame(t += 0.0001, '10.0.0.1', '10.0.0.2', { ...c, seq, ack: 5001, flags: ACK | PSH, payload });
    frames++;
    if (i % 997 === 996) {
      frame(t += 0.0002, '10.0.0.1', '10.0.0.2', { ...c, seq, ack: 5001, flags: ACK | PSH, payload });
      frames++;
    }
    if (i % 2 === 1) {
      frame(t += 0.00005, '10.0.0.2', '10.0.0.1', { ...s, seq: 5001, ack: seq + PAYLOAD, win: 65535 });
      frames++;
    }
  }
  fs.closeSync(out);
  return frames;
}

const file = path.join(scratchDir('tracelens-bench-graphs-'), 'long-stream.pcap');
const frames = longStream(file);
console.log(`capture: one TCP stream, ${SEGMENTS.toLocaleString('en')} data segments, ${frames.toLocaleString('en')} frames, ${(fs.statSync(file).size / 1e6).toFixed(1)} MB`);

/** Clicks `selector` and waits for #view-stream[data-drawn] to start with `drawn`: ms. */
async function timed(page, selector, drawn) {
  return page.evaluate(async ([sel, want]) => {
    const view = document.querySelector('#view-stream');
    view.dataset.drawn = '';
    const t0 = performance.now();
    document.querySelector(sel).click();
    for (;;) {
      if ((view.dataset.drawn ?? '').startsWith(want)) return performance.now() - t0;
      await new Promise((r) => setTimeout(r, 2));
    }
  }, [selector, drawn]);
}

const server = await startServer();
const browser = await launch();
const results = {};
const add = (name, ms) => (results[name] ??= []).push(ms);
try {
  for (let run = 0; run < RUNS; run++) {
    const { page } = await openApp(browser, server.origin);
    await openFiles(page, [file], { timeout: 300_000 });
    // First opening of the stream: the worker builds its table (a row per frame) and the graph
    // columns, the page draws the time-sequence.
    add('first open (table, columns, tcptrace)', await timed(page, '#tab-stream', 'tcptrace:0:'));
    // Opening it again: the table is kept in the worker.
    add('open again (columns kept in the page)', await page.evaluate(async () => {
      const view = document.querySelector('#view-stream');
      const input = document.querySelector('.stream-number');
      view.dataset.drawn = '';
      const t0 = performance.now();
      input.value = '0';
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
      while (!(view.dataset.drawn ?? '').startsWith('tcptrace:0:')) await new Promise((r) => setTimeout(r, 2));
      return performance.now() - t0;
    }));
    add('tcptrace drawing alone', Number(await page.$eval('#view-stream', (v) => v.dataset.drawMs)));
    add('other direction (columns + tcptrace)', await timed(page, '.view-toolbar [data-dir="1"]', 'tcptrace:0:1'));
    await timed(page, '.view-toolbar [data-dir="0"]', 'tcptrace:0:0');
    add('Stevens', await timed(page, '.stream-kinds [data-kind="stevens"]', 'stevens:0:0'));
    add('Stevens drawing alone', Number(await page.$eval('#view-stream', (v) => v.dataset.drawMs)));
    add('throughput (uPlot)', await timed(page, '.stream-kinds [data-kind="throughput"]', 'throughput:0:0'));
    add('RTT (uPlot)', await timed(page, '.stream-kinds [data-kind="rtt"]', 'rtt:0:0'));
    add('window (uPlot)', await timed(page, '.stream-kinds [data-kind="window"]', 'window:0:0'));
    add('ladder, first 300 arrows', await timed(page, '.stream-kinds [data-kind="ladder"]', 'ladder:0:0'));
    add('follow, first 64 KiB page', await page.evaluate(async () => {
      const t0 = performance.now();
      document.querySelector('.stream-kinds [data-kind="follow"]').click();
      while (!document.querySelector('.follow-piece')) await new Promise((r) => setTimeout(r, 2));
      return performance.now() - t0;
    }));
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`median of ${RUNS} runs (ms, click to drawn):`);
for (const [name, xs] of Object.entries(results)) console.log(`  ${name.padEnd(40)} ${median(xs).toFixed(0).padStart(7)}`);
