// The offline single-file copy for the tests: where it is, its file:// URL, and which requests a
// page opened from it may make (none over any network: only the file itself, and the blob:/data:
// URLs the page makes of its own bytes).

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from './paths.mjs';

export const OFFLINE_HTML = path.join(REPO, 'dist', 'tracelens-offline.html');

/** file:// URL of the offline copy (fails when it was not built). */
export function offlineUrl() {
  if (!fs.existsSync(OFFLINE_HTML)) throw new Error(`${OFFLINE_HTML} is missing: run scripts/build-web and scripts/build-offline`);
  return pathToFileURL(OFFLINE_HTML).href;
}

/** Requests other than the page itself and blob:/data: URLs it made (what must be empty). */
export function networkRequests(urls, pageUrl) {
  return urls.filter((u) => u !== pageUrl && !u.startsWith('blob:') && !u.startsWith('data:'));
}
