#!/usr/bin/env bash
# The dashboard's whole test run: install (when package-lock.json changed), typecheck,
# lint, component tests, production build, initial-JS budget, and — when STOREFLEET_BIN
# points at a storefleet release binary — the end-to-end suite in real Chromium.
set -euo pipefail
cd "$(dirname "$0")"

stamp=node_modules/.package-lock.json
if [ ! -d node_modules ] || [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "== npm ci"
  # npm ci refuses a lock whose optional packages for other platforms were not all
  # resolvable from the registry when it was written; npm install installs the same
  # locked versions for this platform.
  npm ci --no-audit --no-fund --loglevel=error || npm install --no-audit --no-fund --loglevel=error
fi

echo "== typecheck"
npx tsc --noEmit -p tsconfig.json

echo "== lint"
npx eslint .

echo "== component tests"
npx vitest run

echo "== build"
npx vite build --logLevel warn --outDir .dist-tmp && node scripts/swap-dist.mjs

echo "== bundle size"
node scripts/check-bundle-size.mjs

if [ -n "${STOREFLEET_BIN:-}" ]; then
  if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM_PATH:-}" ]; then
    echo "== installing Debian's chromium"
    (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null
  fi
  echo "== end-to-end ($STOREFLEET_BIN)"
  node e2e/run.mjs
else
  echo "== end-to-end: skipped (set STOREFLEET_BIN to a storefleet release binary to run it)"
fi
