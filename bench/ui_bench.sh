#!/usr/bin/env bash
# bench/ui_bench.sh -- the web UI at the issue's scale (see bench/README.md, "Web UI"):
# 10,000 runs x 50 params x 50 metrics x 20 tags (first rows, scrolling the whole table) and
# 10 charts over 100 runs x 10,000 steps, in Debian's Chromium. Prints and writes
# <build>/ui-perf.json. Needs `make build test-deps`. Takes 10-20 minutes (mostly logging data).
#   bench/ui_bench.sh [SEXTANT_BINARY]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$(realpath "${1:-$ROOT/build/sextant}")
export SEXTANT_BIN=$BIN
export SEXTANT_UI_PERF_RUNS=${SEXTANT_UI_PERF_RUNS:-10000}
export SEXTANT_UI_PERF_STEPS=${SEXTANT_UI_PERF_STEPS:-10000}
export SEXTANT_UI_PERF_HIST_RUNS=${SEXTANT_UI_PERF_HIST_RUNS:-100}
cd "$ROOT/web"
node --test --test-timeout=3600000 tests/browser/perf.test.mjs
