// The time-series graphs of one direction of a TCP stream, drawn with uPlot through chart.js:
// throughput (bits/s over a moving window of segments, computed in the wasm), round-trip time
// (`tcp.analysis.ack_rtt` of the peer's ACKs) and window scaling (this side's bytes in flight
// against the peer's scaled receive window). Each point remembers its frame, so a click selects
// the frame nearest in time.

/** The series, axis labels and points of graph `kind` from a direction's columns. */
export function chartData(kind, g) {
  if (kind === 'throughput') {
    const xs = []; const ys = []; const frames = [];
    for (let i = 0; i < g.seg_time.length; i++) {
      if (!g.seg_len[i]) continue;
      xs.push(g.seg_time[i]);
      ys.push(g.seg_throughput[i]);
      frames.push(g.seg_frame[i]);
    }
    return {
      xs, ys: [ys], frames, yLabel: 'Throughput (bits/s)',
      series: [{ label: 'Throughput (20-segment average)', color: '#2f6fde' }],
    };
  }
  if (kind === 'rtt') {
    const xs = []; const ys = []; const frames = [];
    for (let i = 0; i < g.ack_time.length; i++) {
      const rtt = g.ack_rtt[i];
      if (!(rtt === rtt)) continue;
      xs.push(g.ack_time[i]);
      ys.push(rtt * 1000);
      frames.push(g.ack_frame[i]);
    }
    return { xs, ys: [ys], frames, yLabel: 'Round-trip time (ms)', series: [{ label: 'ACK RTT (tcp.analysis.ack_rtt)', color: '#2a9d4b' }] };
  }
  // Window scaling: both time bases merged; each value holds until the next one.
  const xs = []; const flight = []; const rwin = []; const frames = [];
  let i = 0; let j = 0; let lastFlight = NaN; let lastWin = NaN;
  while (i < g.seg_time.length || j < g.ack_time.length) {
    const takeSeg = j >= g.ack_time.length || (i < g.seg_time.length && g.seg_time[i] <= g.ack_time[j]);
    if (takeSeg) {
      const v = g.seg_in_flight[i];
      if (v === v) lastFlight = v;
      xs.push(g.seg_time[i]);
      frames.push(g.seg_frame[i]);
      i++;
    } else {
      const v = g.ack_window[j];
      if (v === v) lastWin = v;
      xs.push(g.ack_time[j]);
      frames.push(g.ack_frame[j]);
      j++;
    }
    flight.push(lastFlight);
    rwin.push(lastWin);
  }
  return {
    xs, ys: [flight, rwin], frames, yLabel: 'Bytes',
    series: [{ label: 'Bytes in flight (this side)', color: '#d62728' }, { label: 'Receive window (peer, scaled)', color: '#b8860b' }],
  };
}

/** The frame of the point nearest in time to `x` (xs ascending), or null. */
export function frameAt(data, x) {
  const { xs, frames } = data;
  if (!xs.length) return null;
  let lo = 0; let hi = xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1; else hi = mid;
  }
  const best = lo > 0 && Math.abs(xs[lo - 1] - x) <= Math.abs(xs[lo] - x) ? lo - 1 : lo;
  return frames[best];
}
