// Packet-list rows fetched from the worker in fixed blocks, kept in a small least-recently-used
// cache. The list asks for what is on screen; nothing ever asks for all rows.

const BLOCK_ROWS = 128;
const MAX_BLOCKS = 64; // 8,192 rows at most in memory
const MAX_IN_FLIGHT = 3;

export class RowCache {
  /** `fetch(start, count)` resolves with rows; `onLoad()` is called after a block arrives. */
  constructor(fetch, onLoad) {
    this.fetch = fetch;
    this.onLoad = onLoad;
    this.reset(0);
  }

  /** Forgets everything; the list now has `count` rows. */
  reset(count) {
    this.count = count;
    this.blocks = new Map(); // block index → rows (Map keeps insertion order: oldest first)
    this.inFlight = new Set();
    this.generation = (this.generation ?? 0) + 1;
  }

  /** Row `index` if it is cached, else undefined. */
  get(index) {
    const block = this.blocks.get(Math.floor(index / BLOCK_ROWS));
    return block?.[index % BLOCK_ROWS];
  }

  /** Makes sure rows first..last (inclusive) are cached or on their way, nearest blocks first. */
  want(first, last) {
    if (this.count === 0) return;
    const from = Math.max(0, Math.floor(first / BLOCK_ROWS));
    const to = Math.min(Math.floor((this.count - 1) / BLOCK_ROWS), Math.floor(last / BLOCK_ROWS));
    for (let b = from; b <= to; b++) {
      const block = this.blocks.get(b);
      if (block) {
        this.blocks.delete(b); // mark as recently used
        this.blocks.set(b, block);
      } else if (!this.inFlight.has(b) && this.inFlight.size < MAX_IN_FLIGHT) {
        this.load(b);
      }
    }
  }

  load(b) {
    const generation = this.generation;
    const start = b * BLOCK_ROWS;
    const size = Math.min(BLOCK_ROWS, this.count - start);
    this.inFlight.add(b);
    this.fetch(start, size).then(
      (rows) => {
        if (generation !== this.generation) return;
        this.inFlight.delete(b);
        this.blocks.set(b, rows);
        while (this.blocks.size > MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value);
        this.onLoad();
      },
      () => {
        if (generation === this.generation) this.inFlight.delete(b);
      },
    );
  }
}
