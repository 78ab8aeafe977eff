// Capture bytes held in memory, with the part of the Blob interface the analysis worker uses
// (size, name, slice, arrayBuffer) plus a synchronous read. Used when the page transfers a file's
// bytes to the worker instead of posting the File (platform.js: transferBytes), and for the
// decompressed bytes of a gzip file read that way.

export class ByteSource {
  /** `parts`: ArrayBuffers or Uint8Arrays, in order; the source is their concatenation. */
  constructor(parts, name = '', start = 0, end = Infinity) {
    this.parts = parts.map((p) => (p instanceof Uint8Array ? p : new Uint8Array(p)));
    this.offsets = [];
    let total = 0;
    for (const p of this.parts) {
      this.offsets.push(total);
      total += p.byteLength;
    }
    this.total = total;
    this.start = Math.max(0, Math.min(start, total));
    this.end = Math.max(this.start, Math.min(end, total));
    this.name = name;
  }

  get size() {
    return this.end - this.start;
  }

  /** A view of bytes [start, end) of this source (as Blob.slice, without negative indexes). */
  slice(start = 0, end = this.size) {
    const view = Object.create(ByteSource.prototype);
    Object.assign(view, this);
    view.start = this.start + Math.max(0, Math.min(start, this.size));
    view.end = Math.max(view.start, this.start + Math.max(0, Math.min(end, this.size)));
    return view;
  }

  /** A copy of the bytes, as Blob.arrayBuffer (the caller may transfer it). */
  async arrayBuffer() {
    return this.readSync(0, this.size, true).buffer; // a fresh array of exactly this size
  }

  /**
   * Bytes [from, to) of this source; a view into the held bytes when they lie in one part (do not
   * transfer it), else a copy.
   */
  readSync(from, to, copy = false) {
    const a = this.start + Math.max(0, from);
    const b = Math.min(this.end, this.start + to);
    if (b <= a) return new Uint8Array(0);
    let i = upperBound(this.offsets, a) - 1;
    const first = this.parts[i];
    const at = a - this.offsets[i];
    if (!copy && at + (b - a) <= first.byteLength) return first.subarray(at, at + (b - a));
    const out = new Uint8Array(b - a);
    let filled = 0;
    for (; filled < out.length && i < this.parts.length; i++) {
      const part = this.parts[i];
      const from2 = filled === 0 ? at : 0;
      const take = Math.min(part.byteLength - from2, out.length - filled);
      out.set(part.subarray(from2, from2 + take), filled);
      filled += take;
    }
    return out;
  }
}

/** Index of the first element of sorted `list` greater than `value`. */
function upperBound(list, value) {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
