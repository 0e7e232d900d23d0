#!/usr/bin/env bash
# Builds the Sextant image with podman, without a registry: the Debian bookworm base comes from
# debootstrap (made once, kept as localhost/debian:bookworm-minbase). Prints the image size.
#   deploy/docker/build.sh [TAG]        (default localhost/sextant:dev)
# Needs root and: apt-get install podman buildah debootstrap runc (toolbox.md §6).
set -euo pipefail
cd "$(dirname "$0")/../.."
TAG=${1:-localhost/sextant:dev}
BASE=localhost/debian:bookworm-minbase
PODMAN=(podman --storage-driver vfs)

if ! "${PODMAN[@]}" image exists "$BASE"; then
  root=$(mktemp -d /tmp/sextant-base.XXXXXX)
  echo "build.sh: making $BASE with debootstrap (about a minute)"
  debootstrap --variant=minbase bookworm "$root/rootfs" http://deb.debian.org/debian >"$root/debootstrap.log"
  rm -rf "$root"/rootfs/var/cache/apt/archives/*.deb "$root"/rootfs/var/lib/apt/lists/*
  tar --numeric-owner -C "$root/rootfs" -c . | "${PODMAN[@]}" import - "$BASE" >/dev/null
  rm -rf "$root"
fi

# npm (the web UI build) must trust what this machine trusts, e.g. an egress proxy's CA: the
# host's extra CA certificates are mounted for the build stage only.
extra=()
shopt -s nullglob
cas=(/usr/local/share/ca-certificates/*.crt)
if [ ${#cas[@]} -gt 0 ]; then
  cadir=$(mktemp -d /tmp/sextant-ca.XXXXXX)
  cat "${cas[@]}" >"$cadir/extra-ca.crt"
  extra=(-v "$cadir:/build-ca:ro" --build-arg NODE_EXTRA_CA_CERTS=/build-ca/extra-ca.crt)
fi
"${PODMAN[@]}" build --format docker --isolation chroot --build-arg BASE="$BASE" "${extra[@]}" \
  -f deploy/docker/Dockerfile -t "$TAG" .
[ -n "${cadir:-}" ] && rm -rf "$cadir"
size=$("${PODMAN[@]}" image inspect "$TAG" --format '{{.Size}}')
echo "build.sh: $TAG is $((size / 1024 / 1024)) MiB"
