// The offline single-file copy opened from file:// in WebKitGTK (Debian's gir1.2-webkit2-4.1 via
// python3-gi, under xvfb-run): webkit-offline.py drives it and reports what it saw, including
// every resource load WebKit started. WebKit is the engine that cannot read a File posted to a
// worker from an opaque origin, so this is what proves the page transfers bytes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { capture } from './lib/paths.mjs';
import { offlineUrl, networkRequests, OFFLINE_HTML } from './lib/offline.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';

test('WebKitGTK, file://: sample and a corpus capture through the test hook, filter, with no request', () => {
  for (const tool of ['/usr/bin/xvfb-run', PYTHON]) assert.ok(fs.existsSync(tool), `${tool} is missing: run scripts/setup --test`);
  const url = offlineUrl();
  let out;
  try {
    out = execFileSync('/usr/bin/xvfb-run', ['-a', PYTHON, path.join(HERE, 'webkit-offline.py'), OFFLINE_HTML,
      capture('zeek/mime-header-size-limit.pcap.gz')], { encoding: 'utf8', timeout: 180_000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    assert.fail(`webkit-offline.py failed (needs gir1.2-webkit2-4.1, python3-gi, xvfb: scripts/setup --test):\n${err.stderr ?? err.message}`);
  }
  const r = JSON.parse(out.trim().split('\n').at(-1));
  assert.equal(r.sample.state, 'ready');
  assert.equal(r.sample.frames, '9');
  assert.equal(r.sample.findings, 'ready');
  assert.equal(r.capture.frames, '44');
  assert.equal(r.capture.findings, 'ready');
  assert.equal(r.filtered, '2');
  assert.equal(r.errors, '');
  assert.deepEqual(networkRequests(r.loads, url), []);
  console.log(`webkit: file:// load to sample findings ready in ${r.sample_ms} ms`);
});
