// Embedding in someone else's page: a host page served from ANOTHER origin (a second server on
// another port) loads embed.js from the tracelens server and shows the bundled sample in every
// mode — the iframe with allow-same-origin, the iframe sandboxed to allow-scripts alone (opaque
// origin: the classic blob: worker, CORS fetches), and inline in the host page's shadow root —
// with the filter applied, each firing `tracelens-ready`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer } from './lib/server.mjs';
import { launch } from './lib/browser.mjs';

let server;
let browser;
let host;

function hostPage(origin) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>KB host</title>
<script>
  window.readyEvents = [];
  document.addEventListener('tracelens-ready', (e) => window.readyEvents.push({ id: e.target.id, ...e.detail }));
</script>
<script type="module" src="${origin}/embed.js"></script></head><body>
<h1>An article</h1>
<tracelens-view id="framed" src="samples/get-to-ssh-server.pcap" filter="tcp.flags.reset==1" view="packets" frame="7" height="auto" autoload></tracelens-view>
<tracelens-view id="opaque" src="samples/get-to-ssh-server.pcap" filter="tcp.flags.reset==1" view="findings" sandbox="allow-scripts" height="420" autoload></tracelens-view>
<tracelens-view id="facade" src="samples/get-to-ssh-server.pcap" filter="tcp.flags.reset==1"></tracelens-view>
<tracelens-view id="inline" src="samples/get-to-ssh-server.pcap" filter="tcp.flags.reset==1" view="packets" frame="7" inline></tracelens-view>
<tracelens-view id="elsewhere" src="https://example.invalid/x.pcap" autoload></tracelens-view>
</body></html>`;
}

before(async () => {
  server = await startServer();
  browser = await launch();
  host = http.createServer((req, res) => {
    res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(req.url === '/' ? hostPage(server.origin) : 'not found');
  });
  await new Promise((resolve) => host.listen(0, '127.0.0.1', resolve));
});

after(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => host?.close(resolve));
});

test('a host page on another origin shows the sample framed, sandboxed, behind a facade and inline', async () => {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  const hostOrigin = `http://127.0.0.1:${host.address().port}`;
  const started = Date.now();
  await page.goto(`${hostOrigin}/`);
  for (const id of ['framed', 'opaque', 'inline']) {
    await page.waitForFunction((i) => ['ready', 'error'].includes(document.getElementById(i).dataset.state), id, { timeout: 60_000, polling: 50 });
  }
  console.log(`embed: three views ready ${Date.now() - started} ms after the host page was opened`);
  const states = await page.evaluate(() => Object.fromEntries(
    [...document.querySelectorAll('tracelens-view')].map((v) => [v.id, { ...v.dataset }]),
  ));
  assert.equal(states.framed.state, 'ready', JSON.stringify(states));
  assert.equal(states.framed.frames, '9');
  assert.equal(states.opaque.state, 'ready', JSON.stringify(states));
  assert.equal(states.opaque.frames, '9');
  assert.equal(states.inline.state, 'ready', JSON.stringify(states));
  assert.equal(states.inline.frames, '9');
  assert.equal(states.inline.displayed, '2'); // `tshark -r zeek/get-to-ssh-server.pcap -Y tcp.flags.reset==1` → 7, 9
  assert.equal(states.facade.state, 'facade');
  assert.equal(states.elsewhere.state, 'error');

  // Each fired tracelens-ready with the filter applied.
  const events = await page.evaluate(() => window.readyEvents);
  for (const id of ['framed', 'opaque', 'inline']) {
    const e = events.find((x) => x.id === id);
    assert.ok(e, `${id}: no tracelens-ready (${JSON.stringify(events)})`);
    assert.equal(e.frames, 9);
    assert.equal(e.displayed, 2);
    assert.ok(e.findings >= 1);
  }
  // Inside the frames: the filter, the view and the frame asked for.
  const frames = page.frames().filter((f) => f.url().includes('/embed.html'));
  assert.equal(frames.length, 2);
  for (const f of frames) {
    const d = await f.evaluate(() => ({ ...document.body.dataset, origin: self.origin }));
    assert.equal(d.filter, 'tcp.flags.reset==1');
    assert.equal(d.displayed, '2');
    assert.ok(['packets', 'findings'].includes(d.view));
    if (f.url().includes('view=findings')) assert.equal(d.origin, 'null'); // the sandboxed one
  }
  // The height follows the content when height="auto".
  const framedHeight = await page.$eval('#framed', (v) => v.shadowRoot.querySelector('iframe').style.height);
  assert.match(framedHeight, /^\d+px$/);

  // The facade loads on click.
  await page.click('#facade');
  await page.waitForFunction(() => document.getElementById('facade').dataset.state === 'ready', null, { timeout: 60_000, polling: 50 });

  // Inline: rows are text, frame 7 marked.
  const inlineRows = await page.$eval('#inline', (v) => [...v.shadowRoot.querySelectorAll('tr')].slice(1).map((r) => [r.cells[0].textContent, r.className]));
  assert.deepEqual(inlineRows, [['7', 'sel'], ['9', '']]);

  // Nothing but the two test servers was asked for anything.
  const foreign = browser.requests.filter((r) => !r.url.startsWith(server.origin) && !r.url.startsWith(hostOrigin) && !r.url.startsWith('blob:'));
  assert.deepEqual(foreign, []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the example KB article renders its captures in both modes under its own CSP', async () => {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  await page.goto(`${server.origin}/examples/kb-article.html`);
  const views = page.locator('tracelens-view');
  assert.equal(await views.count(), 3);
  await page.waitForFunction(() => document.querySelector('tracelens-view[inline]').dataset.state === 'ready', null, { timeout: 60_000, polling: 50 });
  assert.equal(await page.getAttribute('tracelens-view[inline]', 'data-frames'), '12');
  assert.equal(await page.getAttribute('tracelens-view[inline]', 'data-displayed'), '2'); // frames 2 and 8
  await page.click('tracelens-view[view="findings"]');
  await page.waitForFunction(() => document.querySelector('tracelens-view[view="findings"]').dataset.state === 'ready', null, { timeout: 60_000, polling: 50 });
  const frame = page.frames().find((f) => f.url().includes('synack-2-bytes'));
  assert.equal(await frame.evaluate(() => document.body.dataset.view), 'findings');
  assert.match(await frame.textContent('.finding-verdict'), /Handshake ACK mismatch/);
  assert.deepEqual(errors, []);
  await page.close();
});
