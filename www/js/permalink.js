// Permalinks: the view's state — display filter, selected frame, view, TCP stream — lives in the
// address's fragment, never in the query and never with packet data, so a link can be pasted in
// a ticket and re-applied by whoever opens the same capture. A marker range is a filter
// (frame.number >= a and frame.number <= b), so it travels as one.
//
// The fragment is written with history.replaceState (no history entry per click) from an
// allow-list of keys. `capture=` is kept only when the capture itself came from this site by
// such a link; the name of a file the user opened never goes into the address. The raw text
// after '#' is parsed (Firefox decodes location.hash), and a link longer than MAX_LINK
// characters drops the filter rather than produce something chat tools cut.

export const VIEWS = ['findings', 'packets', 'conversations', 'connections', 'stream'];
const MAX_LINK = 2000;

/** The state in a fragment: `{capture, filter, frame, view, stream}` (missing keys are null). */
export function parseState(fragment) {
  const params = new URLSearchParams(String(fragment ?? '').replace(/^#/, ''));
  const positive = (key) => {
    const n = Number(params.get(key));
    return Number.isInteger(n) && n > 0 ? n : null;
  };
  const stream = Number(params.get('stream'));
  return {
    capture: params.get('capture') || null,
    filter: params.get('filter') || null,
    frame: positive('frame'),
    view: VIEWS.includes(params.get('view')) ? params.get('view') : null,
    stream: params.has('stream') && Number.isInteger(stream) && stream >= 0 ? stream : null,
  };
}

/** The state read from this page's address. */
export function currentState() {
  const href = location.href;
  const at = href.indexOf('#');
  return parseState(at >= 0 ? href.slice(at + 1) : '');
}

/** The fragment text (without '#') for a state; keys in a fixed order, empty ones left out. */
export function formatState(state) {
  const params = new URLSearchParams();
  if (state.capture) params.set('capture', state.capture);
  if (state.view) params.set('view', state.view);
  if (state.filter) params.set('filter', state.filter);
  if (state.frame) params.set('frame', String(state.frame));
  if (state.view === 'stream' && state.stream !== null && state.stream !== undefined) {
    params.set('stream', String(state.stream));
  }
  let text = params.toString();
  if (text.length > MAX_LINK && params.has('filter')) {
    params.delete('filter');
    text = params.toString();
  }
  return text;
}

/** Whether a state carries anything to re-apply to a capture. */
export function hasView(state) {
  return Boolean(state.filter || state.frame || state.view || state.stream !== null);
}

/**
 * Keeps the address in step with the view. `set(partial)` merges and rewrites the fragment;
 * `link()` is the address to share. Embeds (whose fragment is their configuration) leave the
 * address alone.
 */
export class Permalink {
  constructor({ enabled = true } = {}) {
    this.enabled = enabled;
    // Nothing is written before a capture is shown: until then the address holds the link the
    // page was opened with, still to be read.
    this.active = false;
    this.state = { capture: null, filter: null, frame: null, view: null, stream: null };
  }

  /** Starts over for a newly opened capture; `capture` is its same-site path when it has one. */
  reset(capture = null) {
    this.active = true;
    this.state = { capture, filter: null, frame: null, view: null, stream: null };
    this.write();
  }

  set(partial) {
    Object.assign(this.state, partial);
    this.write();
  }

  write() {
    if (!this.enabled || !this.active) return;
    const text = formatState(this.state);
    const base = location.href.split('#')[0];
    const next = text ? `${base}#${text}` : base;
    if (next === location.href) return;
    try {
      history.replaceState(history.state, '', next);
    } catch {
      // Some opaque origins refuse it: the view still works, only its link is not kept.
      this.enabled = false;
    }
  }

  /** The link to share: this page's address with the current fragment. */
  link() {
    const text = formatState(this.state);
    return `${location.href.split('#')[0]}${text ? `#${text}` : ''}`;
  }
}
