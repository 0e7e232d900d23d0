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
)
if ! $build_only; then
  packages+=(
    sqlite3 postgresql-15 postgresql-client-15 mariadb-server mariadb-client
    python3 python3-requests curl shellcheck
  )
fi
# Node.js runs the OIDC provider processes of the auth tests; most machines here already have it
# (not from Debian), so it is only installed from Debian when asked for and missing.
if [ "${1:-}" = "--with-node" ] && ! command -v node >/dev/null; then
  packages+=(nodejs npm)
fi

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
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
