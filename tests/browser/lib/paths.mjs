// Where the test inputs are: the shared capture corpus (TRACELENS_CAPTURES overrides the default,
// ../shared/captures seen from the repository), the repository itself, and a scratch directory.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CAPTURES = path.resolve(process.env.TRACELENS_CAPTURES ?? path.join(REPO, '..', 'shared', 'captures'));

/** Absolute path of a corpus capture, e.g. capture('chrissanders/http_google.pcapng'). */
export function capture(rel) {
  const file = path.join(CAPTURES, rel);
  if (!fs.existsSync(file)) throw new Error(`capture ${file} not found (set TRACELENS_CAPTURES to the corpus folder)`);
  return file;
}

/** A fresh temporary directory, removed when the process exits. */
export function scratchDir(prefix = 'tracelens-test-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
