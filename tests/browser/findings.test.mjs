// The Findings view (issue 6): it opens first when a capture has problems, ranks them, opens each
// into its explanation with evidence frames that jump to the packet list, shows the top findings
// in the summary, and exports the findings as Markdown and JSON through a local download.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { openApp, foreignRequests } from './lib/browser.mjs';
import { useBrowser } from './lib/session.mjs';
import { capture } from './lib/paths.mjs';
import { seedSynAckCapture, SEED } from './lib/captures.mjs';
import { openFiles, listedFindings, waitDetails, treeLabels, clickTreeItem, highlightedBytes } from './lib/app.mjs';

const env = useBrowser({ acceptDownloads: true });

test('a capture with an unanswered SYN opens on the Findings view', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  // `tracelens findings chrissanders/nowebaccess3.pcapng`: one warning, unanswered_syn; `tshark -r
  // chrissanders/nowebaccess3.pcapng -Y 'tcp.flags.syn==1'` lists frames 3, 4, 5, all SYNs to
  // 74.125.95.105:80 without any answer.
  assert.equal(await openFiles(page, [capture('chrissanders/nowebaccess3.pcapng')]), 'ready');
  await page.waitForFunction(() => document.body.dataset.view === 'findings');
  assert.equal(await page.getAttribute('#tab-findings', 'aria-selected'), 'true');
  const list = await listedFindings(page);
  assert.equal(list[0].kind, 'unanswered_syn');
  assert.equal(list[0].severity, 'Warning');
  assert.match(list[0].verdict, /^172\.16\.0\.8 → 74\.125\.95\.105:80: 1 connection attempt got no answer/);
  // The top finding is open: its explanation and its evidence frames are on screen.
  assert.equal(await page.getAttribute('.finding >> nth=0 >> .finding-head', 'aria-expanded'), 'true');
  assert.match(await page.textContent('.finding >> nth=0 >> .finding-explanation'), /retransmitted it 2 times/);
  assert.deepEqual(await page.$$eval('.finding >> nth=0 >> .frame-chip', (c) => c.map((b) => b.textContent)), ['3', '4', '5']);
  // The summary shows it too, and the tab says how many there are.
  assert.match(await page.textContent('#top-findings'), /74\.125\.95\.105:80: 1 connection attempt got no answer/);
  assert.equal(await page.textContent('#findings-count'), '1');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the seed\'s SYN-ACK with 2 bytes: handshake_ack_mismatch first, with both numbers; evidence selects the frame', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  assert.equal(await openFiles(page, [seedSynAckCapture()]), 'ready');
  await page.waitForFunction(() => document.body.dataset.view === 'findings');
  const list = await listedFindings(page);
  assert.equal(list[0].kind, 'handshake_ack_mismatch');
  assert.equal(list[0].severity, 'Error');
  assert.equal(list[0].verdict, `Handshake ACK mismatch on ${SEED.client}:${SEED.clientPort} → ${SEED.server}:${SEED.serverPort}: the client acknowledged 2180033888, but the SYN-ACK's ISN+1 is 2180033886 (2 bytes ahead).`);
  assert.ok(list.some((f) => f.kind === 'synack_with_payload'), JSON.stringify(list));
  const explanation = await page.textContent('.finding >> nth=0 >> .finding-explanation');
  assert.match(explanation, /IP total length 46, where 44 was expected/);
  assert.match(explanation, /FWX_E_SEQ_ACK_MISMATCH/);
  assert.match(await page.textContent('#top-findings .top-finding.sev-error'), /2180033888.*2180033886/);

  // Frame 2 is the SYN-ACK (1 SYN, 2 SYN-ACK, 3 ACK…): its chip jumps to it in the packet list.
  await page.click('.finding >> nth=0 >> .frame-chip[data-frame="2"]');
  await page.waitForFunction(() => document.body.dataset.view === 'packets');
  await waitDetails(page, 2);
  assert.equal(await page.$eval('.plist .row.selected', (r) => r.dataset.no), '2');
  // Reached from evidence, the frame's problem notes are opened and the first is selected: the IP
  // total length, 46 where 44 was expected (bytes 16-17: 14 Ethernet + 2), marked in the hex view.
  await page.waitForSelector('.tree-item.selected.has-problem');
  assert.equal(await page.textContent('.tree-item.selected > .tree-label > .tree-text'), 'Total Length: 46');
  assert.deepEqual(await highlightedBytes(page), [{ index: 16, hex: '00' }, { index: 17, hex: '2e' }]);
  // The details show the 2 bytes of payload, and the hex view highlights them.
  const labels = await treeLabels(page);
  assert.ok(labels.some((l) => /^TCP payload \(2 bytes\)/.test(l)), labels.join('\n'));
  await clickTreeItem(page, 'TCP payload (2 bytes)');
  assert.equal((await highlightedBytes(page)).length, 2);

  // Back to the findings: another evidence frame, the RST (frame 12).
  await page.click('#tab-findings');
  await page.click('.finding >> nth=0 >> .frame-chip[data-frame="12"]');
  await waitDetails(page, 12);
  assert.equal(await page.$eval('.plist .row.selected', (r) => r.dataset.no), '12');
  assert.deepEqual(errors, []);
  await page.close();
});

test('findings export as Markdown and JSON through a download made in the page', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  const before = env.browser.requests.length;
  await openFiles(page, [seedSynAckCapture()]);
  await page.waitForFunction(() => document.body.dataset.view === 'findings');

  const save = async (format) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-export="${format}"]`)]);
    return { name: download.suggestedFilename(), url: download.url(), text: fs.readFileSync(await download.path(), 'utf8') };
  };
  const md = await save('markdown');
  assert.equal(md.name, 'seed-synack-2-bytes-findings.md');
  assert.match(md.url, /^blob:/, 'made from a Blob URL in the page');
  assert.match(md.text, /^# tracelens findings — seed-synack-2-bytes\.pcap/);
  assert.ok(md.text.includes('Handshake ACK mismatch on 10.110.233.50:50183 → 172.16.1.1:443: the client acknowledged 2180033888, but the SYN-ACK\'s ISN+1 is 2180033886 (2 bytes ahead).'), md.text);
  assert.match(md.text, /- Evidence frames: 2, 3, 4/);

  const json = await save('json');
  assert.equal(json.name, 'seed-synack-2-bytes-findings.json');
  const parsed = JSON.parse(json.text);
  assert.equal(parsed[0].kind, 'handshake_ack_mismatch');
  assert.equal(parsed[0].details.expected_ack, 2180033886);
  assert.equal(parsed[0].details.actual_ack, 2180033888);
  assert.equal(parsed[0].filter, 'tcp.stream == 0');

  // Exporting sent nothing anywhere.
  const foreign = foreignRequests(env.browser.requests.slice(before), env.server.origin).filter((r) => !r.url.startsWith('blob:'));
  assert.deepEqual(foreign, []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the sample: a reset warning first; its wrong checksums explained, not raised as an error', async () => {
  const { page, errors } = await openApp(env.browser, env.server.origin);
  // `tracelens findings www/samples/get-to-ssh-server.pcap` (checksums validated while reading):
  // the server's RST (frame 7) with its data unacknowledged, and a note that the 9 wrong
  // checksums come from rewritten addresses (`tshark -o tcp.check_checksum:TRUE` flags them).
  await page.click('#sample-button');
  await page.waitForFunction(() => document.body.dataset.findings === 'ready' && document.body.dataset.view === 'findings');
  const list = await listedFindings(page);
  assert.equal(list[0].kind, 'reset');
  assert.equal(list[0].severity, 'Warning');
  assert.match(list[0].verdict, /^130\.74\.164\.231:22 reset its connection with 136\.216\.42\.40:44338/);
  const checksum = list.find((f) => f.kind === 'bad_checksum');
  assert.ok(checksum, JSON.stringify(list));
  assert.equal(checksum.severity, 'Note');
  assert.ok(!list.some((f) => f.severity === 'Error'));
  assert.deepEqual(errors, []);
  await page.close();
});

test('a capture without problems opens on the packet list; the Findings view says so', async () => {
  const { page } = await openApp(env.browser, env.server.origin);
  // `tracelens findings chrissanders/http_google.pcapng` → no findings.
  await openFiles(page, [capture('chrissanders/http_google.pcapng')]);
  assert.equal(await page.evaluate(() => document.body.dataset.view), 'packets');
  assert.equal(await page.isHidden('#top-findings'), true);
  await page.click('#tab-findings');
  assert.match(await page.textContent('.findings-view'), /Nothing in this capture matched a known problem/);
  await page.close();
});
