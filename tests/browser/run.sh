#!/usr/bin/env bash
# Runs the browser tests: builds the web package if it is missing, installs the npm packages from
# the lockfile, builds the offline copy, then `node --test` over every *.test.mjs here, one file at a time (each starts its
# own static server and headless Chromium; offline-firefox and offline-webkit drive Debian's
# firefox-esr and WebKitGTK).
#
#   tests/browser/run.sh                       all tests
#   tests/browser/run.sh scale.test.mjs        some of them
#   TRACELENS_CAPTURES=/path tests/browser/run.sh   another capture corpus
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)

"$top/scripts/build-web" --if-missing
# The offline single-file copy (offline-*.test.mjs): cheap, so always rebuilt from the package.
"$top/scripts/build-offline"

cd "$here"
if [[ ! -d node_modules/playwright-core ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi

if [[ $# -gt 0 ]]; then
  files=("$@")
else
  files=(*.test.mjs)
fi
exec node --test --test-concurrency=1 "${files[@]}"
