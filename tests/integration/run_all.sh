#!/usr/bin/env bash
# Run every integration module as its own process (like CTest does), in parallel.
#   SEXTANT_BIN=/path/to/sextant tests/integration/run_all.sh [module ...]
set -u
cd "$(dirname "$0")" || exit 1
export SEXTANT_BIN="${SEXTANT_BIN:-$(cd ../.. && pwd)/build/sextant}"
mods=("$@")
if [ ${#mods[@]} -eq 0 ]; then
  for f in test_*.py; do mods+=("${f%.py}"); done
fi
logdir=$(mktemp -d)
pids=()
for m in "${mods[@]}"; do
  python3 -m unittest -v "$m" >"$logdir/$m.log" 2>&1 &
  pids+=($!)
done
rc=0
for i in "${!mods[@]}"; do
  if wait "${pids[$i]}"; then
    echo "PASS ${mods[$i]}  ($(grep -E '^Ran ' "$logdir/${mods[$i]}.log"))"
  else
    rc=1
    echo "FAIL ${mods[$i]}  ($(grep -E '^Ran |^FAILED' "$logdir/${mods[$i]}.log" | tr '\n' ' '))"
  fi
done
echo "logs: $logdir"
exit $rc
