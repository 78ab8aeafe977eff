// Privacy by construction: a strict Content-Security-Policy, no third-party anything, no request
// with capture data, and no HTML built from strings in the page's code.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { WWW } from './lib/server.mjs';
import { openApp, foreignRequests } from './lib/browser.mjs';
import { useBrowser } from './lib/session.mjs';
import { capture } from './lib/paths.mjs';
import { openFiles, selectFrame } from './lib/app.mjs';

const env = useBrowser();

function sources(exts) {
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'pkg') walk(p);
      } else if (exts.includes(path.extname(e.name))) out.push(p);
    }
  };
  walk(WWW);
  return out;
}

test('the page declares a self-only Content-Security-Policy', async () => {
  const { page } = await openApp(env.browser, env.server.origin);
  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v.join(' ')]));
  assert.equal(directives['script-src'], "'self' 'wasm-unsafe-eval'");
  assert.equal(directives['connect-src'], "'self'");
  assert.equal(directives['worker-src'], "'self'");
  assert.equal(directives['img-src'], "'self' data:");
  assert.equal(directives['style-src'], "'self'");
  assert.equal(directives['object-src'], "'none'");
  assert.equal(directives['base-uri'], "'none'");
  assert.equal(directives['require-trusted-types-for'], "'script'");
  assert.equal(directives['trusted-types'], 'tracelens');
  await page.close();
});

test('Trusted Types are enforced: HTML sinks throw, and the one policy makes only the page’s worker URLs', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  await page.click('#sample-button');
  await page.waitForSelector('body[data-state="ready"]');
  const outcome = await page.evaluate(() => {
    const tried = (f) => {
      try {
        f();
        return 'allowed';
      } catch (e) {
        return e.name;
      }
    };
    const div = document.createElement('div');
    return {
      innerHTML: tried(() => { div.innerHTML = '<img src=x onerror=alert(1)>'; }),
      insertAdjacentHTML: tried(() => div.insertAdjacentHTML('beforeend', '<b>x</b>')),
      scriptSrc: tried(() => { document.createElement('script').src = '/js/main.js'; }),
      secondPolicy: tried(() => trustedTypes.createPolicy('other', { createHTML: (s) => s })),
      foreignWorker: tried(() => new Worker('https://example.com/w.js')),
    };
  });
  assert.deepEqual(outcome, {
    innerHTML: 'TypeError',
    insertAdjacentHTML: 'TypeError',
    scriptSrc: 'TypeError',
    secondPolicy: 'TypeError',
    foreignWorker: 'TypeError',
  });
  // The page itself started its worker through the policy and analysed the sample.
  assert.ok(Number(await page.getAttribute('body', 'data-frames')) > 0);
  assert.deepEqual(errors.filter((e) => !/Trusted|TrustedScriptURL|TrustedHTML|require-trusted/i.test(e)), []);
  await page.close();
});

test('a whole session requests only the server’s own static files, and no capture bytes', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  await page.click('#sample-button');
  await page.waitForSelector('body[data-state="ready"]');
  await openFiles(page, [capture('chrissanders/http_google.pcapng'), capture('zeek/mime-header-size-limit.pcap.gz')]);
  await selectFrame(page, 4);
  await page.click('.summary-toggle');
  await page.click('#theme-button');
  await page.click('[data-format="absolute"]');
  await page.keyboard.press('End');
  // Every view, a display filter and completion: all of it is answered inside the tab.
  for (const view of ['findings', 'conversations', 'connections', 'stream', 'packets']) {
    await page.click(`#tab-${view}`);
    await page.waitForFunction((v) => document.body.dataset.view === v, view);
  }
  await page.fill('#filter-input', 'tcp.po');
  await page.waitForSelector('#filter-suggest li');
  await page.fill('#filter-input', 'tcp.port == 80');
  await page.click('.filter-apply');
  await page.waitForFunction(() => document.body.dataset.filter === 'tcp.port == 80');
  await page.waitForTimeout(200);

  assert.deepEqual(foreignRequests(env.browser.requests, env.server.origin), []);
  const posts = env.server.seen.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
  assert.deepEqual(posts, []);
  // Only the page's own files were fetched: no capture path, nothing with a query string.
  for (const r of env.server.seen) assert.doesNotMatch(r.url, /\?|http_google|mime-header/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a link naming a capture elsewhere is refused without a request', async () => {
  const page = await env.browser.context.newPage();
  const before = env.browser.requests.length;
  await page.goto(`${env.server.origin}/#capture=http://example.invalid/secret.pcap`);
  await page.waitForSelector('#welcome-error:not([hidden])');
  assert.match(await page.textContent('#welcome-error'), /only be loaded from this site/);
  assert.deepEqual(foreignRequests(env.browser.requests.slice(before), env.server.origin), []);
  await page.close();
});

test('the page code never builds HTML from strings and names no outside host', () => {
  const offenders = [];
  for (const file of sources(['.js', '.html', '.css'])) {
    const text = fs.readFileSync(file, 'utf8');
    text.split('\n').forEach((line, i) => {
      if (/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(/.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      if (/(https?:)?\/\/[a-z0-9-]+\.[a-z]{2,}/i.test(line) && !/^\s*(\/\/|\/?\*|<!--)/.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, []);
});
