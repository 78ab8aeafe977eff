// Trusted Types for the one script sink the page uses: a worker's script URL. The page's CSP
// requires Trusted Types for scripts (`require-trusted-types-for 'script'; trusted-types
// tracelens`), so `new Worker(url)` takes only a TrustedScriptURL, and this module's policy — the
// only one the CSP allows — makes them for the page's own worker files (same origin, a .js file)
// and for blob: URLs of the page's own origin, and throws for anything else. Every HTML sink stays
// unreachable: no policy here makes TrustedHTML, so every HTML-parsing setter throws outright.
// Where Trusted Types are missing (older Firefox and WebKit), or a host page of the embed refuses
// the policy's name, the URL is passed on as it is: the sink is not enforced there either.

let policy = null;
try {
  policy = globalThis.trustedTypes?.createPolicy('tracelens', { createScriptURL: checkedScriptUrl }) ?? null;
} catch {
  policy = null;
}

/** `url` itself when it is one of the page's own worker scripts; throws otherwise. */
function checkedScriptUrl(url) {
  const parsed = new URL(url, self.location.href);
  const own = parsed.origin === self.origin;
  const allowed = own && (parsed.protocol === 'blob:' || parsed.pathname.endsWith('.js'));
  if (!allowed) throw new TypeError(`not one of this page's worker scripts: ${url}`);
  return parsed.href;
}

/** A worker script URL the page's Trusted Types policy accepts (see above). */
export function workerScriptUrl(url) {
  return policy ? policy.createScriptURL(String(url)) : url;
}
