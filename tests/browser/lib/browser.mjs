// Headless Chromium (Debian's, never a downloaded one) with a fresh profile, and a page session
// that records every request the page and its worker make.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { fileFor } from './server.mjs';

export const CHROMIUM = process.env.TRACELENS_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Launches Chromium with a new, empty user-data-dir; `close()` removes it. A benchmark may add flags (`args`). */
export async function launch({ viewport = { width: 1440, height: 900 }, colorScheme = 'light', acceptDownloads = false, args = [] } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tracelens-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...ARGS, ...args],
    viewport,
    colorScheme,
    deviceScaleFactor: 1,
    acceptDownloads, // only where a test saves a download the page made itself (a Blob URL)
    serviceWorkers: 'block',
  });
  const requests = [];
  context.on('request', (r) => requests.push({ url: r.url(), method: r.method(), type: r.resourceType() }));
  return {
    context,
    requests,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Requests that went anywhere but the test server's own static files (wrong origin, a method
 * other than GET, or a path that is not a file under www/).
 */
export function foreignRequests(requests, origin) {
  return requests.filter(({ url, method }) => {
    if (method !== 'GET') return true;
    let u;
    try {
      u = new URL(url);
    } catch {
      return true;
    }
    return u.origin !== origin || fileFor(u.pathname) === null;
  });
}

/** Opens the app in a new page; collects page errors and console errors. */
export async function openApp(browser, origin) {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(`${origin}/`);
  await page.waitForSelector('body[data-state="empty"]');
  return { page, errors };
}
