// Saving text the page made (a findings report) as a file: a Blob URL created in this tab and a
// download link clicked for the user. Nothing is sent anywhere; the URL is revoked afterwards.

/** Downloads `text` as file `name` with MIME type `type`. */
export function saveText(name, text, type = 'text/plain') {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started by the time the click returns; revoke once the browser took it.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/**
 * Saves a file made of chunks that `next()` resolves one at a time (a Uint8Array, or null at the
 * end). Where `showSaveFilePicker` exists the chunks stream into the chosen file through
 * `createWritable` (never all in memory); elsewhere they become one Blob downloaded through a
 * link. Call it from the click handler: the picker needs the user's gesture. Resolves with
 * `{bytes, streamed}`, or null when the user closed the picker.
 */
export async function saveChunks(name, next, { description = 'File', type = 'application/octet-stream', ext } = {}) {
  if (typeof self.showSaveFilePicker === 'function') {
    let handle;
    try {
      const accept = ext ? { [type]: [ext] } : undefined;
      handle = await self.showSaveFilePicker({ suggestedName: name, types: accept ? [{ description, accept }] : undefined });
    } catch (err) {
      if (err?.name === 'AbortError') return null;
      throw err;
    }
    const writable = await handle.createWritable();
    let bytes = 0;
    try {
      for (let chunk = await next(); chunk; chunk = await next()) {
        await writable.write(chunk);
        bytes += chunk.byteLength;
      }
      await writable.close();
    } catch (err) {
      await writable.abort().catch(() => {});
      throw err;
    }
    return { bytes, streamed: true };
  }
  const parts = [];
  let bytes = 0;
  for (let chunk = await next(); chunk; chunk = await next()) {
    parts.push(chunk);
    bytes += chunk.byteLength;
  }
  const url = URL.createObjectURL(new Blob(parts, { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
  return { bytes, streamed: false };
}

/** "trace.pcapng" → "trace-export.pcapng" (for the pcapng export). */
export function exportName(captureName) {
  return reportName(captureName, 'pcapng').replace(/-findings\.pcapng$/, '-export.pcapng');
}

/** A file name from a capture's name: "trace.pcapng" → "trace-findings.md". */
export function reportName(captureName, ext) {
  const base = String(captureName || 'capture')
    .replace(/\.(pcapng|pcap|cap|ntar|dmp)(\.gz)?$/i, '')
    .replace(/[^\w.-]+/g, '_')
    .slice(0, 80) || 'capture';
  return `${base}-findings.${ext}`;
}
