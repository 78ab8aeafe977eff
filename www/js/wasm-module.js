// How the analysis worker gets the wasm-bindgen module. This is the hosted version: the
// `--target web` glue beside the page, imported on demand. scripts/build-offline bundles
// www/offline/wasm-module.js in its place (no import() there: it fails in WebKit workers made
// from blob: URLs).

/** Resolves with the initialised module (its exports: WasmAnalyzer, …). */
export async function loadWasm() {
  const mod = await import('../pkg/tracelens.js');
  await mod.default();
  return mod;
}
