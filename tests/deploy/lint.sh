#!/usr/bin/env bash
# Lints every shell script of the project (*.sh and .ci/run) with shellcheck, and the Dockerfile with
# dockerfile-utils (npm, pinned in tests/deploy; hadolint is not available here).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
mapfile -t scripts < <(find . -name '*.sh' -not -path '*/node_modules/*' -not -path './build*' | sort; echo .ci/run)
shellcheck "${scripts[@]}"
echo "lint: shellcheck clean on ${#scripts[@]} scripts"
mapfile -t dockerfiles < <(find deploy -name Dockerfile | sort)
for f in "${dockerfiles[@]}"; do
  "$root/tests/deploy/node_modules/.bin/dockerfile-utils" lint "$f"
done
echo "lint: dockerfile-utils clean on ${dockerfiles[*]}"
