// The offline copy's way for the worker to get the analyzer (scripts/build-offline bundles this in
// place of www/js/wasm-module.js). The wasm-bindgen glue precedes the worker code in the same
// classic script and defines `wasm_bindgen`; the page posts the compiled WebAssembly.Module as the
// first message, {type: 'tracelens-wasm', module} (or {error}), which never reaches the request
// handler.

export function loadWasm() {
  return new Promise((resolve, reject) => {
    self.addEventListener('message', function onModule(event) {
      if (event.data?.type !== 'tracelens-wasm') return;
      event.stopImmediatePropagation();
      self.removeEventListener('message', onModule);
      if (event.data.error) {
        reject(new Error(event.data.error));
        return;
      }
      // eslint-disable-next-line no-undef -- defined by the glue before this script
      wasm_bindgen({ module_or_path: event.data.module }).then(() => resolve(wasm_bindgen), reject);
    });
  });
}
