// Issue 4 on the page: TCP problems coloured in the packet list and explained in the details tree
// ("[SEQ/ACK analysis]"), the Conversations view equal to `tshark -q -z conv,tcp`, the Connection
// attempts view with failed attempts in red, and a TCP stream with its own timeline.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp } from './lib/browser.mjs';
import { useBrowser } from './lib/session.mjs';
import { capture } from './lib/paths.mjs';
import { natFloodCapture } from './lib/captures.mjs';
import { openFiles, visibleRows, selectFrame, treeLabels, showView, tableRows, tableHeader, waitDetails, filterState } from './lib/app.mjs';

const env = useBrowser();

test('dup ACKs are coloured in the list and explained under [SEQ/ACK analysis]', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  // `tshark -r chrissanders/tcp_dupack.pcapng`: frames 3, 5 and 7 are "[TCP Dup ACK 1#1..3]".
  await openFiles(page, [capture('chrissanders/tcp_dupack.pcapng')]);
  const rows = await visibleRows(page);
  for (const no of [3, 5, 7]) {
    const r = rows.find((x) => x.no === no);
    assert.match(r.info, /^\[TCP Dup ACK 1#\d\]/);
    assert.match(r.cls, /\bc-bad\b/, `frame ${no} is coloured as a problem`);
  }
  assert.doesNotMatch(rows.find((x) => x.no === 2).cls, /\bc-bad\b/);

  await selectFrame(page, 3);
  await page.evaluate(() => { // open every subtree
    for (let i = 0; i < 4; i++) for (const t of document.querySelectorAll('.tree-item[aria-expanded="false"] > .tree-label > .tree-twisty')) t.click();
  });
  // `tshark -r chrissanders/tcp_dupack.pcapng -Y frame.number==3 -V`
  const labels = await treeLabels(page);
  for (const expected of [
    '[Stream index: 0]',
    'Sequence Number: 1    (relative sequence number)',
    '[Next Sequence Number: 1    (relative sequence number)]',
    'Acknowledgment Number: 1    (relative ack number)',
    '[Calculated window size: 382]',
    '[SEQ/ACK analysis]',
    '[TCP Analysis Flags]',
    '[This is a TCP duplicate ack]',
    '[Duplicate ACK #: 1]',
    '[Duplicate to the ACK in frame: 1]',
  ]) assert.ok(labels.includes(expected), `${expected} in\n${labels.join('\n')}`);
  assert.deepEqual(errors, []);
  await page.close();
});

// `tshark -r chrissanders/http_espn.pcapng -q -z conv,tcp` (tshark 4.0.17), its first 8 rows:
// A:port <-> B:port, frames and bytes B→A ("<-"), A→B ("->"), total, relative start, duration.
const CONV_TCP = `
172.16.0.122:41835         <-> 205.234.218.129:80             129 176 kB         92 9654 bytes     221 186 kB        0.346739000         1.6281
172.16.0.122:41834         <-> 205.234.218.129:80              81 106 kB         59 7475 bytes     140 114 kB        0.346699000         1.6913
172.16.0.122:33720         <-> 63.85.36.72:80                  56 75 kB          32 3943 bytes      88 79 kB         0.751189000         0.3778
172.16.0.122:44955         <-> 68.71.208.11:80                 31 39 kB          36 5367 bytes      67 44 kB         0.156174000         1.7147
172.16.0.122:41839         <-> 205.234.218.129:80              29 37 kB          31 3398 bytes      60 40 kB         0.560692000         0.5902
172.16.0.122:41848         <-> 205.234.218.129:80              25 31 kB          28 3152 bytes      53 35 kB         0.869023000         1.1581
172.16.0.122:41844         <-> 205.234.218.129:80              15 14 kB          19 3314 bytes      34 18 kB         0.782349000         1.2473
172.16.0.122:41162         <-> 205.234.218.82:80               15 17 kB          16 1747 bytes      31 19 kB         0.560611000         0.0620
`;

/** tshark 4.0's size text: exact bytes below 10 kB, else whole kB (truncated), SI units. */
function tsharkSize(n) {
  if (n >= 10_000_000) return `${Math.trunc(n / 1_000_000)} MB`;
  if (n >= 10_000) return `${Math.trunc(n / 1000)} kB`;
  return `${n} bytes`;
}

test('TCP conversations equal tshark -z conv,tcp; sorting and "filter on this conversation"', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  await openFiles(page, [capture('chrissanders/http_espn.pcapng')]);
  await showView(page, 'conversations');
  await page.click('[data-kind="tcp"]');
  await page.waitForSelector('#conversations-table .dt-row:not([hidden])');
  const header = await tableHeader(page, '#conversations-table');
  const col = (name) => header.indexOf(name);
  const rows = await tableRows(page, '#conversations-table');
  const n = (text) => Number(text.replaceAll(',', ''));
  const expected = CONV_TCP.trim().split('\n').map((line) => line.trim().split(/\s+/));
  for (const [i, e] of expected.entries()) {
    const c = rows[i].cells;
    const [a, pa] = e[0].split(':');
    const [b, pb] = e[2].split(':');
    const got = {
      a: c[col('Address A')], pa: c[col('Port A')], b: c[col('Address B')], pb: c[col('Port B')],
      framesBA: n(c[col('Frames B→A')]), bytesBA: tsharkSize(n(c[col('Bytes B→A')])),
      framesAB: n(c[col('Frames A→B')]), bytesAB: tsharkSize(n(c[col('Bytes A→B')])),
      frames: n(c[col('Frames')]), bytes: tsharkSize(n(c[col('Bytes')])),
      start: c[col('Rel. start')], duration: c[col('Duration')],
    };
    assert.deepEqual(got, {
      a, pa, b, pb,
      framesBA: Number(e[3]), bytesBA: `${e[4]} ${e[5]}`,
      framesAB: Number(e[6]), bytesAB: `${e[7]} ${e[8]}`,
      frames: Number(e[9]), bytes: `${e[10]} ${e[11]}`,
      start: Number(e[12]).toFixed(6), duration: e[13],
    }, `row ${i + 1}`);
  }
  assert.match(await page.textContent('[data-kind="tcp"] .seg-count'), /^\d+$/);

  // Sort by duration (longest first), then back by frames.
  await page.click('#conversations-table .dt-hcell[data-key="duration"]');
  const byDuration = (await tableRows(page, '#conversations-table')).map((r) => Number(r.cells[col('Duration')]));
  assert.deepEqual(byDuration, [...byDuration].sort((x, y) => y - x));
  assert.equal(await page.getAttribute('#conversations-table .dt-hcell[data-key="duration"]', 'aria-sort'), 'descending');
  await page.click('#conversations-table .dt-hcell[data-key="frames"]');

  // Enter on a conversation filters on it: ip.addr==A && tcp.port==PA && ip.addr==B && tcp.port==PB.
  await page.click('#conversations-table .dt-row >> nth=2');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.dataset.filter && document.body.dataset.view === 'packets');
  const state = await filterState(page);
  assert.equal(state.text, 'ip.addr==172.16.0.122 && tcp.port==33720 && ip.addr==63.85.36.72 && tcp.port==80');
  // `tshark -r chrissanders/http_espn.pcapng -Y '…' | wc -l` → 88, the conversation's frames.
  assert.equal(state.count, 'Displayed: 88 of 956');
  assert.deepEqual(errors, []);
  await page.close();
});

test('connection attempts: unanswered and refused in red; Enter shows the SYN', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  // `tracelens connections chrissanders/nowebaccess3.pcapng`: stream 0, 172.16.0.8:1251 →
  // 74.125.95.105:80, unanswered after 2 SYN retransmissions, first SYN in frame 3.
  await openFiles(page, [capture('chrissanders/nowebaccess3.pcapng')]);
  await showView(page, 'connections');
  await page.waitForSelector('#connections-table .dt-row:not([hidden])');
  const header = await tableHeader(page, '#connections-table');
  const [row] = await tableRows(page, '#connections-table');
  const cell = (name) => row.cells[header.indexOf(name)];
  assert.equal(cell('Client'), '172.16.0.8');
  assert.equal(cell('Server'), '74.125.95.105');
  assert.equal(cell('Outcome'), 'Unanswered');
  assert.equal(cell('SYN retr.'), '2');
  assert.equal(cell('SYN frame'), '3');
  assert.match(row.cls, /outcome-row-bad/);
  await page.click('#connections-table .dt-row >> nth=0');
  await page.keyboard.press('Enter');
  await waitDetails(page, 3);
  assert.equal(await page.evaluate(() => document.body.dataset.view), 'packets');
  assert.equal(await page.$eval('.plist .row.selected', (r) => r.dataset.no), '3');

  // `tshark -r chrissanders/tcp_refuseconnection.pcapng`: a SYN answered by RST, ACK.
  await openFiles(page, [capture('chrissanders/tcp_refuseconnection.pcapng')]);
  await showView(page, 'connections');
  await page.waitForSelector('#connections-table .dt-row:not([hidden])');
  const [refused] = await tableRows(page, '#connections-table');
  assert.equal(refused.cells[header.indexOf('Outcome')], 'Refused');
  assert.match(refused.cls, /outcome-row-bad/);

  // The words of the one attempt model that the findings share (`tracelens connections`):
  // zeek/syn-then-rst.pcap is a SYN and the client's own RST 0.3 ms later, too soon to tell;
  // zeek/mixed-vlan-mpls.pcap stream 0 is a SYN, then the client's ACKs of an answer not captured.
  for (const [file, title] of [['zeek/syn-then-rst.pcap', 'Inconclusive'], ['zeek/mixed-vlan-mpls.pcap', 'Answer not captured']]) {
    await openFiles(page, [capture(file)]);
    await showView(page, 'connections');
    await page.waitForSelector('#connections-table .dt-row:not([hidden])');
    const [first] = await tableRows(page, '#connections-table');
    assert.equal(first.cells[header.indexOf('Outcome')], title, file);
    assert.doesNotMatch(first.cls, /outcome-row-bad/, file);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('journey 2: one source opening many connections; attempts sorted by source, failures in red', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  // natFloodCapture(): 192.168.200.1 opens 120 connections to 10.0.0.5:443, every 4th unanswered;
  // 192.168.200.20 and 192.168.200.3 connect once each.
  await openFiles(page, [natFloodCapture()]);
  await page.waitForFunction(() => document.body.dataset.view === 'findings');
  const kinds = await page.$$eval('.finding', (f) => f.map((x) => x.dataset.kind));
  assert.ok(kinds.includes('many_connections_one_source'), kinds.join());
  assert.match(await page.textContent('.finding[data-kind="many_connections_one_source"] .finding-verdict'), /192\.168\.200\.1\b/);

  await showView(page, 'connections');
  await page.waitForSelector('#connections-table .dt-row:not([hidden])');
  assert.match(await page.textContent('.outcome-chips'), /All\s*122/);
  // Sorted by source, addresses in numeric order (.1 < .3 < .20), attempts of one source in
  // their order.
  await page.click('#connections-table .dt-hcell[data-key="client"]');
  const header = await tableHeader(page, '#connections-table');
  const clients = (await tableRows(page, '#connections-table')).map((r) => r.cells[header.indexOf('Client')]);
  assert.equal(clients[0], '192.168.200.1');
  await page.click('#connections-table .dt-hcell[data-key="client"]'); // descending
  const down = (await tableRows(page, '#connections-table')).map((r) => r.cells[header.indexOf('Client')]);
  assert.deepEqual(down.slice(0, 2), ['192.168.200.20', '192.168.200.3']);
  // Only the unanswered ones: 30, all red.
  await page.click('.outcome-chips [data-outcome="unanswered"]');
  assert.match(await page.textContent('.outcome-chips [data-outcome="unanswered"]'), /30/);
  const failed = await tableRows(page, '#connections-table');
  assert.ok(failed.length > 5);
  assert.ok(failed.every((r) => /outcome-row-bad/.test(r.cls) && r.cells[header.indexOf('Outcome')] === 'Unanswered'));
  assert.ok(failed.every((r) => r.cells[header.indexOf('SYN retr.')] === '2'));
  assert.deepEqual(errors, []);
  await page.close();
});

test('a TCP stream with its timeline, opened from the connection attempts', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  // `tshark -r chrissanders/tcp_retransmissions.pcapng`: 6 frames of stream 0, the first data
  // segment and 5 retransmissions of it.
  await openFiles(page, [capture('chrissanders/tcp_retransmissions.pcapng')]);
  await showView(page, 'stream');
  await page.waitForSelector('#stream-table .dt-row:not([hidden])');
  assert.match(await page.textContent('.stream-title'), /A 10\.3\.30\.1:1048 ⇄ B 10\.3\.71\.7:1043/);
  const rows = await tableRows(page, '#stream-table');
  assert.equal(rows.length, 6);
  const header = await tableHeader(page, '#stream-table');
  assert.deepEqual(rows.map((r) => r.cells[header.indexOf('Analysis')]), ['', 'retransmission', 'retransmission', 'retransmission', 'retransmission', 'retransmission']);
  assert.ok(rows.slice(1).every((r) => /outcome-row-bad/.test(r.cls)));
  // The graph was drawn.
  const size = await page.$eval('.stream-graph', (c) => [c.width, c.height]);
  assert.ok(size[0] > 200 && size[1] > 80, `canvas ${size}`);
  // Clicking a row shows that frame's details.
  await page.click('#stream-table .dt-row >> nth=3');
  await waitDetails(page, 4);

  // The view opens on the stream of the frame in the details: here the attempt chosen in the
  // Connections view (`tracelens connections chrissanders/http_espn.pcapng`: the 4th attempt is
  // tcp.stream 3, 172.16.0.122:41835 → 205.234.218.129:80, first SYN in frame 24).
  await openFiles(page, [capture('chrissanders/http_espn.pcapng')]);
  await showView(page, 'connections');
  await page.click('#connections-table .dt-row >> nth=3');
  await waitDetails(page, 24);
  await page.click('#tab-stream');
  await page.waitForFunction(() => document.querySelector('.stream-number').value === '3');
  await page.waitForFunction(() => /41835/.test(document.querySelector('.stream-title').textContent));
  assert.equal(await page.textContent('.stream-title'), 'A 172.16.0.122:41835 ⇄ B 205.234.218.129:80');
  assert.match(await page.textContent('#view-stream .view-info'), /^221 frames/);
  assert.deepEqual(errors, []);
  await page.close();
});
