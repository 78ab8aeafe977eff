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

/** A file name from a capture's name: "trace.pcapng" → "trace-findings.md". */
export function reportName(captureName, ext) {
  const base = String(captureName || 'capture')
    .replace(/\.(pcapng|pcap|cap|ntar|dmp)(\.gz)?$/i, '')
    .replace(/[^\w.-]+/g, '_')
    .slice(0, 80) || 'capture';
  return `${base}-findings.${ext}`;
}
