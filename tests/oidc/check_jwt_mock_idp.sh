#!/usr/bin/env bash
# Runs the JwtMockIdp unit tests (tests/unit/jwt_mock_idp_test.cpp) against a real
# oauth2-mock-server@8.2.3 (Node 20). Usage: tests/oidc/check_jwt_mock_idp.sh [build-dir]
# npm packages come from $SEXTANT_NPM_DIR (default: tests/oidc itself, as `npm ci --prefix
# tests/oidc` / `make test-deps` installs them from the lock file); nothing is installed here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
npm_dir=${SEXTANT_NPM_DIR:-$here}
port=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
mkdir -p "$npm_dir"
if [ ! -f "$npm_dir/node_modules/oauth2-mock-server/package.json" ]; then
  echo "oauth2-mock-server is not installed in $npm_dir/node_modules: run 'make test-deps'" \
       "(npm ci --prefix tests/oidc, from the pinned package-lock.json)" >&2
  exit 1
fi
# ESM resolves packages next to the script.
[ "$(cd "$npm_dir" && pwd)" = "$here" ] || cp "$here/jwt_mock_idp.mjs" "$npm_dir/"
log=$(mktemp)
PORT=$port node "$npm_dir/jwt_mock_idp.mjs" >"$log" 2>&1 &
idp=$!
trap 'kill $idp 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 50); do grep -q '^ready' "$log" && break; sleep 0.1; done
grep '^ready' "$log" || { cat "$log"; exit 1; }
SEXTANT_TEST_OIDC_ISSUER=http://127.0.0.1:$port "$build/tests/unit_tests" --gtest_filter='JwtMockIdp*'
