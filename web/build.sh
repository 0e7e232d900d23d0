#!/usr/bin/env bash
# Builds the web UI into OUT_DIR (CMake's web_ui target runs this): `npm ci` from the lock file
# when node_modules is missing or older than it, type check, vite build, gzip + size check.
#   web/build.sh OUT_DIR
set -euo pipefail
cd "$(dirname "$0")"
out="$(realpath -m "${1:?usage: web/build.sh OUT_DIR}")"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npx tsc -p .
SEXTANT_WEB_OUT="$out" npx vite build --logLevel warn
SEXTANT_WEB_OUT="$out" node scripts/postbuild.mjs | tail -1
