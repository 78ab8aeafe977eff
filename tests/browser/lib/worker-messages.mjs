// Records what crosses from the analysis worker into the page: for every message, its type, the
// length of its longest array and of its longest typed array (one level deep), so tests and
// measurements can tell a window of rows from a whole table.

/** Makes every page of `context` record its worker's messages (before the page's own scripts). */
export async function recordWorkerMessages(context) {
  await context.addInitScript(() => {
    const Original = window.Worker;
    window.__messages = [];
    window.Worker = class extends Original {
      constructor(...args) {
        super(...args);
        this.addEventListener('message', (event) => {
          const data = event.data ?? {};
          let items = 0;
          let typed = 0;
          const visit = (v, depth) => {
            if (Array.isArray(v)) items = Math.max(items, v.length);
            else if (ArrayBuffer.isView(v)) typed = Math.max(typed, v.length);
            else if (v && typeof v === 'object' && depth < 2) for (const x of Object.values(v)) visit(x, depth + 1);
          };
          visit(data, 0);
          window.__messages.push({ type: data.type, items, typed });
        });
      }
    };
  });
}

/** The messages [{type, items, typed}] recorded since the last call (or the page's start). */
export async function takeWorkerMessages(page) {
  return page.evaluate(() => window.__messages.splice(0));
}
