// <tracelens-view>: a tracelens capture view for knowledge-base articles (README, "Embed in a KB
// article"). Load it as a module from the tracelens site; every URL it loads resolves relative to
// this file (import.meta.url), so a copy of the built www/ works under any path.
//
//   <script type="module" src="https://tracelens.example/embed.js"></script>
//   <tracelens-view src="captures/x.pcapng" filter="tcp.port==443" view="findings" frame="12"
//                   height="480"></tracelens-view>
//
// Attributes: src (a capture on the tracelens site, relative to this file; required), filter,
// view (findings|packets|conversations|connections|stream), frame, theme (light|dark|auto),
// height (pixels, or "auto": follow the content), autoload (no facade: load at once), sandbox
// (the iframe's sandbox tokens; default "allow-scripts allow-same-origin allow-popups
// allow-downloads"), inline (see below).
//
// Default: a facade (a poster button) that creates an iframe to embed.html on click — the page's
// own CSP and origin, nothing running in the host page until asked (the lite-youtube pattern).
// `inline`: runs the analyzer in the host page instead, in a shadow root with its own worker; the
// host's CSP must then allow this site in script-src and connect-src, 'wasm-unsafe-eval', and
// worker-src blob:. Either way the element sets data-state (facade, loading, ready, error) and
// data-frames on itself and dispatches `tracelens-ready` with detail {frames, findings, displayed}.
//
// Capture bytes are hostile: everything from them is set as text, never as HTML.

const BASE = new URL('./', import.meta.url);
const VIEWS = ['findings', 'packets', 'conversations', 'connections', 'stream'];
const DEFAULT_SANDBOX = 'allow-scripts allow-same-origin allow-popups allow-downloads';

const STYLE = `
:host { display: block; font: 14px/1.4 system-ui, sans-serif; color: CanvasText; }
.facade { display: flex; width: 100%; min-height: 120px; align-items: center; justify-content: center; gap: 10px;
  border: 1px solid #8884; border-radius: 8px; background: #8881; cursor: pointer; font: inherit; color: inherit; }
.facade:hover { background: #8882; }
.play { width: 0; height: 0; border-left: 16px solid #2f6fde; border-top: 10px solid transparent; border-bottom: 10px solid transparent; }
iframe { display: block; width: 100%; border: 1px solid #8884; border-radius: 8px; }
.inline { border: 1px solid #8884; border-radius: 8px; padding: 8px 10px; }
.bar { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin-bottom: 6px; }
.bar input { flex: 1; min-width: 12em; font: 13px ui-monospace, monospace; padding: 3px 6px; }
.bar .count, .note { color: #888; font-size: 12px; }
.tabs button[aria-selected="true"] { font-weight: 600; }
ol.findings { margin: 0; padding-left: 1.4em; }
ol.findings li { margin: 4px 0; }
.sev-error { color: #c62828; } .sev-warning { color: #b26a00; }
table { border-collapse: collapse; width: 100%; font: 12px ui-monospace, monospace; }
td, th { text-align: left; padding: 1px 6px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 28em; }
tr.sel { background: #2f6fde33; }
.rows { max-height: 320px; overflow: auto; }
a { color: #2f6fde; }
`;

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null) continue;
    if (k === 'text') node.textContent = String(v);
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
    else node.setAttribute(k, String(v));
  }
  for (const c of children) node.append(c);
  return node;
}

class TracelensView extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    const sheet = new CSSStyleSheet(); // constructed: no <style> element for the host's CSP to refuse
    sheet.replaceSync(STYLE);
    root.adoptedStyleSheets = [sheet];
    let capture;
    try {
      capture = captureUrl(this.getAttribute('src'));
    } catch (err) {
      this.fail(err.message);
      return;
    }
    this.params = {
      capture: capture.pathname + capture.search,
      filter: this.getAttribute('filter') ?? '',
      view: VIEWS.includes(this.getAttribute('view')) ? this.getAttribute('view') : '',
      frame: /^\d+$/.test(this.getAttribute('frame') ?? '') ? this.getAttribute('frame') : '',
      theme: ['light', 'dark', 'auto'].includes(this.getAttribute('theme')) ? this.getAttribute('theme') : '',
    };
    this.captureUrl = capture;
    if (this.hasAttribute('inline')) this.runInline();
    else if (this.hasAttribute('autoload')) this.loadFrame();
    else this.showFacade();
  }

  /** The fragment embed.html and index.html understand. */
  fragment() {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(this.params)) if (v) p.set(k, v);
    return `#${p.toString()}`;
  }

  setState(state) {
    this.dataset.state = state;
  }

  fail(message) {
    this.setState('error');
    this.shadowRoot.replaceChildren(el('p', { class: 'note', role: 'alert', text: `tracelens: ${message}` }));
  }

  ready(detail) {
    this.dataset.frames = String(detail.frames);
    this.setState('ready');
    this.dispatchEvent(new CustomEvent('tracelens-ready', { detail, bubbles: true, composed: true }));
  }

  showFacade() {
    this.setState('facade');
    const name = decodeURIComponent(this.captureUrl.pathname.split('/').pop());
    const label = `Open the capture ${name}${this.params.filter ? ` (filter: ${this.params.filter})` : ''} in tracelens`;
    const button = el('button', { type: 'button', class: 'facade', part: 'facade', 'aria-label': label, on: { click: () => this.loadFrame() } },
      el('span', { class: 'play', 'aria-hidden': 'true' }), el('span', { text: label }));
    button.style.height = `${this.height() ?? 120}px`;
    this.shadowRoot.replaceChildren(button);
  }

  /** The height attribute in pixels, or null ("auto" or none). */
  height() {
    const h = Number(this.getAttribute('height'));
    return Number.isFinite(h) && h > 0 ? h : null;
  }

  loadFrame() {
    this.setState('loading');
    const frame = el('iframe', {
      src: new URL(`embed.html${this.fragment()}`, BASE).href,
      title: 'tracelens capture view',
      sandbox: this.getAttribute('sandbox') ?? DEFAULT_SANDBOX,
      referrerpolicy: 'no-referrer',
      part: 'frame',
    });
    frame.style.height = `${this.height() ?? 480}px`;
    window.addEventListener('message', (e) => {
      if (e.source !== frame.contentWindow) return;
      const msg = e.data?.tracelens;
      if (!msg || typeof msg !== 'object') return;
      if (Number.isFinite(msg.height) && this.getAttribute('height') === 'auto') {
        // Never below the initial 480 px: the page lays itself out to the frame's height.
        frame.style.height = `${Math.max(480, Math.min(4000, msg.height))}px`;
      }
      if (msg.ready) this.ready({ frames: Number(msg.ready.frames), findings: Number(msg.ready.findings), displayed: Number(msg.ready.displayed) });
    });
    this.frame = frame;
    this.shadowRoot.replaceChildren(frame);
  }

  /** Sends a new theme (light, dark, auto) to the embedded view. */
  setTheme(theme) {
    this.frame?.contentWindow?.postMessage({ tracelens: { theme } }, '*'); // a theme name is no secret
  }

  async runInline() {
    this.setState('loading');
    const root = this.shadowRoot;
    const status = el('p', { class: 'note', text: 'Loading the capture…' });
    root.replaceChildren(status);
    try {
      const [{ AnalyzerClient }, { classicWorker }] = await Promise.all([
        import(new URL('js/analyzer-client.js', BASE).href),
        import(new URL('js/platform.js', BASE).href),
      ]);
      const client = new AnalyzerClient({ createWorker: classicWorker, transferBytes: true, onFatal: (m) => this.fail(m) });
      const response = await fetch(this.captureUrl, { mode: 'cors', credentials: 'omit', referrerPolicy: 'no-referrer' });
      if (!response.ok) throw new Error(`${this.captureUrl.pathname}: HTTP ${response.status}`);
      const name = decodeURIComponent(this.captureUrl.pathname.split('/').pop());
      const file = new File([await response.blob()], name);
      const opened = await client.open([file]).promise;
      const findings = await client.findings();
      this.inline = { client, frames: opened.count, findings, name };
      this.renderInline();
      const displayed = await this.applyInlineFilter(this.params.filter);
      this.ready({ frames: opened.count, findings: findings.length, displayed });
    } catch (err) {
      this.fail(err.message);
    }
  }

  renderInline() {
    const { findings, name, frames } = this.inline;
    const input = el('input', { type: 'text', 'aria-label': 'Display filter', spellcheck: 'false', placeholder: 'Display filter, e.g. tcp.port == 443' });
    input.value = this.params.filter;
    this.countNode = el('span', { class: 'count' });
    this.messageNode = el('span', { class: 'note', role: 'status' });
    const apply = () => this.applyInlineFilter(input.value);
    input.addEventListener('keydown', (e) => { if (e.key === 'Enter') apply(); });
    const full = el('a', { href: new URL(`./${this.fragment()}`, BASE).href, target: '_blank', rel: 'noopener', text: 'Open in full tracelens' });
    this.findingsNode = el('ol', { class: 'findings' });
    for (const f of findings) {
      this.findingsNode.append(el('li', { class: `sev-${f.severity}` }, el('strong', { text: `${f.severity}: ` }), f.verdict));
    }
    if (!findings.length) this.findingsNode.append(el('li', { text: 'No findings.' }));
    this.rowsNode = el('div', { class: 'rows' });
    const tabs = el('div', { class: 'tabs', role: 'tablist' });
    const panes = { findings: this.findingsNode, packets: this.rowsNode };
    const show = (view) => {
      for (const [k, pane] of Object.entries(panes)) pane.hidden = k !== view;
      for (const b of tabs.children) b.setAttribute('aria-selected', String(b.dataset.view === view));
    };
    for (const view of Object.keys(panes)) {
      const b = el('button', { type: 'button', role: 'tab', text: view === 'findings' ? `Findings (${findings.length})` : 'Packets', on: { click: () => show(view) } });
      b.dataset.view = view;
      tabs.append(b);
    }
    const box = el('div', { class: 'inline', part: 'inline' },
      el('div', { class: 'bar' }, el('strong', { text: name }), el('span', { class: 'count', text: `${frames} frames` }), full),
      el('div', { class: 'bar' }, input, el('button', { type: 'button', text: 'Apply', on: { click: apply } }), this.countNode, this.messageNode),
      tabs, this.findingsNode, this.rowsNode,
      el('p', { class: 'note', text: 'Conversations, connections, TCP streams and packet details: open in full tracelens.' }));
    show(this.params.view === 'findings' ? 'findings' : 'packets');
    this.shadowRoot.replaceChildren(box);
  }

  async applyInlineFilter(text) {
    const { client, frames } = this.inline;
    const result = await client.filter(text);
    if (result.error) {
      this.messageNode.textContent = `Filter not applied: ${result.error.message}`;
      return Number(this.dataset.displayed ?? frames);
    }
    this.messageNode.textContent = '';
    this.dataset.displayed = String(result.count);
    this.countNode.textContent = text.trim() ? `${result.count} of ${frames} frames` : '';
    const rows = await client.rows(0, Math.min(result.count, 500));
    const table = el('table');
    table.append(el('tr', {}, ...['No.', 'Source', 'Destination', 'Protocol', 'Length', 'Info'].map((h) => el('th', { text: h }))));
    for (const r of rows) {
      const tr = el('tr', {}, ...[r.no, r.src, r.dst, r.protocol, r.length, r.info].map((v) => el('td', { text: v ?? '' })));
      if (String(r.no) === this.params.frame) tr.className = 'sel';
      table.append(tr);
    }
    this.rowsNode.replaceChildren(table);
    if (result.count > rows.length) this.rowsNode.append(el('p', { class: 'note', text: `First ${rows.length} of ${result.count} rows.` }));
    return result.count;
  }
}

/** A capture URL on this site: relative to embed.js, same origin, http(s); else an error. */
function captureUrl(src) {
  if (!src) throw new Error('no src: name a capture on this site, e.g. src="samples/x.pcap"');
  const text = src.trim();
  if (/^[a-z][a-z\d+.-]*:/i.test(text) || text.startsWith('//')) throw new Error('src must be a relative URL of a capture on the tracelens site');
  const url = new URL(src, BASE);
  if (url.origin !== BASE.origin) throw new Error('captures can only be loaded from the tracelens site');
  return url;
}

if (!customElements.get('tracelens-view')) customElements.define('tracelens-view', TracelensView);
