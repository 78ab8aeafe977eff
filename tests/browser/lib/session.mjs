// The per-file test fixture: one static server and one headless Chromium, started before the
// file's tests and closed after them. `env.server` and `env.browser` are set once `before` ran.

import { before, after } from 'node:test';
import { startServer } from './server.mjs';
import { launch } from './browser.mjs';

export function useBrowser(options) {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await startServer();
    env.browser = await launch(options);
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}
