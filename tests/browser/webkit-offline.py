#!/usr/bin/python3
"""Opens the offline single-file copy from file:// in WebKitGTK (Debian's gir1.2-webkit2-4.1, the
WebKit engine standing in for Safari) and drives it from JavaScript: the bundled sample through
its button, then a corpus capture through the page's test hook window.tracelensOpenBytes (a file
input cannot be filled from a script here). Prints one JSON object with what it saw, including
every resource load WebKit started ("resource-load-started"). Run under xvfb-run with Debian's
/usr/bin/python3 (python3-gi); tests/browser/offline-webkit.test.mjs does.

    xvfb-run -a /usr/bin/python3 webkit-offline.py OFFLINE.html CAPTURE
"""

import base64
import json
import pathlib
import sys
import time

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import GLib, Gtk, WebKit2  # noqa: E402

TIMEOUT_S = 60


def main():
    html, capture = pathlib.Path(sys.argv[1]).resolve(), pathlib.Path(sys.argv[2])
    url = html.as_uri()
    loop = GLib.MainLoop()
    view = WebKit2.WebView()
    settings = view.get_settings()
    settings.set_enable_developer_extras(False)
    window = Gtk.OffscreenWindow()
    window.set_default_size(1280, 800)
    window.add(view)
    window.show_all()
    loads, console = [], []
    view.connect("resource-load-started", lambda _v, _r, request: loads.append(request.get_uri()))

    def run_js(script):
        """Evaluates `script` (an expression), returns its JSON value."""
        out = {}

        def done(v, result):
            try:
                value = v.evaluate_javascript_finish(result)
                out["value"] = json.loads(value.to_json(0) or "null")
            except Exception as err:  # noqa: BLE001 - reported to the caller
                out["error"] = str(err)
            loop.quit()

        view.evaluate_javascript(script, -1, None, None, None, done)
        loop.run()
        if "error" in out:
            raise RuntimeError(f"{script[:80]}: {out['error']}")
        return out["value"]

    def wait_for(expr, what):
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            if run_js(expr):
                return
            GLib.timeout_add(50, loop.quit)
            loop.run()
        raise TimeoutError(f"timed out waiting for {what}: {run_js('JSON.stringify(document.body.dataset)')}")

    result = {"url": url}
    started = time.monotonic()
    view.load_uri(url)
    wait_for("document.readyState === 'complete' && document.body.dataset.state === 'empty'", "the empty page")
    run_js("document.getElementById('sample-button').click(), true")
    wait_for("document.body.dataset.state === 'ready' && document.body.dataset.findings === 'ready'"
             " && document.body.dataset.detailsNo === '1'", "the sample")
    result["sample_ms"] = round((time.monotonic() - started) * 1000)
    result["sample"] = run_js("({...document.body.dataset})")
    result["sample_row1"] = run_js("document.querySelector('.plist .row[data-no=\"1\"] .cell:last-child')?.textContent")

    b64 = base64.b64encode(capture.read_bytes()).decode()
    run_js(f"""(() => {{
        const bin = atob('{b64}');
        const bytes = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        window.tracelensOpenBytes({json.dumps(capture.name)}, bytes.buffer);
        return true;
    }})()""")
    wait_for("document.body.dataset.openCount === '2' && document.body.dataset.findings === 'ready'"
             " && document.body.dataset.detailsNo === '1'", "the corpus capture")
    result["capture"] = run_js("({...document.body.dataset})")
    run_js("""(() => {
        const input = document.querySelector('#filter-input');
        input.value = 'tcp.flags.syn == 1';
        input.dispatchEvent(new Event('input', { bubbles: true }));
        document.querySelector('.filter-apply').click();
        return true;
    })()""")
    wait_for("document.body.dataset.filter === 'tcp.flags.syn == 1'", "the filter")
    result["filtered"] = run_js("document.body.dataset.displayed")
    result["findings"] = run_js("document.querySelectorAll('.findings-list .finding').length")
    result["errors"] = run_js("document.getElementById('welcome-error').hidden ? '' : document.getElementById('welcome-error').textContent")
    result["loads"] = loads
    print(json.dumps(result))


if __name__ == "__main__":
    main()
