// Reads a File or Blob front to back, one slice at a time, into ArrayBuffers the caller hands
// back for reuse. The page feeds the worker this way (analyzer-client.js, `feed`): a byte-stream
// reader (`Blob.stream()` in BYOB mode) fills the same few buffers over and over, where
// `blob.slice().arrayBuffer()` makes a new buffer for every slice, each page of it new to the
// process. Chromium's threads spent 271–285 ms of CPU reading the 168 MB benchmark capture into
// reused buffers, against 405 ms in new 16 MiB buffers (median of 5 each, in turn; the bench's
// "reading the file alone" lines: `node tests/browser/bench.mjs`). Where a browser's Blob
// stream is not a byte stream, slices are read the old way.

/**
 * A reader of `blob` in slices of `sliceBytes`: `next(buffer, limit)` resolves with
 * {buffer, length}, the next `length` bytes (at most `limit`, the slice size unless given) in
 * `buffer` (the one given when it can be reused, otherwise a new one), length 0 at the end;
 * `cancel()` stops reading.
 */
export function sliceReader(blob, sliceBytes) {
  let reader = null;
  try {
    reader = blob.stream().getReader({ mode: 'byob' });
  } catch {
    // No stream, or not a byte stream: read slices.
  }
  return reader ? new ByobSlices(reader, sliceBytes) : new BlobSlices(blob, sliceBytes);
}

/** Slices filled by a BYOB reader of the Blob's stream, into buffers that come back. */
class ByobSlices {
  constructor(reader, sliceBytes) {
    this.reader = reader;
    this.sliceBytes = sliceBytes;
    this.ended = false;
  }

  async next(given, limit = this.sliceBytes) {
    if (this.ended) return { buffer: given, length: 0 };
    let buffer = given?.byteLength === this.sliceBytes ? given : new ArrayBuffer(this.sliceBytes);
    const end = Math.min(limit, buffer.byteLength);
    let length = 0;
    while (length < end) {
      // The read takes the buffer over and answers with a view of it (a new ArrayBuffer object
      // over the same memory), empty once the stream is done.
      const { done, value } = await this.reader.read(new Uint8Array(buffer, length, end - length));
      if (value) buffer = value.buffer;
      if (done) {
        this.ended = true;
        break;
      }
      length += value.byteLength;
    }
    return { buffer, length };
  }

  cancel() {
    this.ended = true;
    this.reader.cancel().catch(() => {});
  }
}

/** Slices read with `blob.slice().arrayBuffer()`: a new buffer each (the given one is dropped). */
class BlobSlices {
  constructor(blob, sliceBytes) {
    this.blob = blob;
    this.sliceBytes = sliceBytes;
    this.offset = 0;
  }

  async next(given, limit = this.sliceBytes) {
    if (this.offset >= this.blob.size) return { buffer: given, length: 0 };
    const buffer = await this.blob.slice(this.offset, this.offset + Math.min(limit, this.sliceBytes)).arrayBuffer();
    this.offset += buffer.byteLength;
    return { buffer, length: buffer.byteLength };
  }

  cancel() {
    this.offset = this.blob.size;
  }
}
