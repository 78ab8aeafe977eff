// CPU time of the browser's own processes, thread by thread, from Linux's /proc: what the page's
// work costs the machine, apart from the benchmark driving it (Node, Playwright) and anything
// else running. Each thread's time comes from its schedstat (nanoseconds on the CPU), so two
// snapshots tell how much CPU Chromium spent between them and how much of that was the page's
// analysis worker.

import fs from 'node:fs';

/** Chromium's binary: its processes are the browser, the renderers, the GPU and utility ones. */
const CHROMIUM_EXE = /\/chromium(-browser)?$|\/chrome$/;
/** Blink names a dedicated worker's thread so (the kernel keeps 15 characters of it). */
const WORKER_THREAD = /^DedicatedWorker/;

/**
 * A snapshot: {totalNs, workerNs, threads} — every Chromium thread's time on the CPU so far, and
 * that of the dedicated-worker threads; null where /proc has no schedstat (not Linux).
 */
export function chromiumCpu() {
  let pids;
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  let totalNs = 0;
  let workerNs = 0;
  let threads = 0;
  for (const pid of pids) {
    let exe;
    try {
      exe = fs.readlinkSync(`/proc/${pid}/exe`);
    } catch {
      continue; // gone, or not ours to read
    }
    if (!CHROMIUM_EXE.test(exe)) continue;
    let tids;
    try {
      tids = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const ns = Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
        const comm = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
        totalNs += ns;
        if (WORKER_THREAD.test(comm)) workerNs += ns;
        threads += 1;
      } catch {
        // the thread ended between the listing and the read: its time is lost to both snapshots
      }
    }
  }
  return threads ? { totalNs, workerNs, threads } : null;
}

/** Seconds of CPU between two snapshots: {total, worker, rest}; null when either is missing. */
export function cpuBetween(a, b) {
  if (!a || !b) return null;
  const total = (b.totalNs - a.totalNs) / 1e9;
  const worker = (b.workerNs - a.workerNs) / 1e9;
  return { total, worker, rest: total - worker };
}
