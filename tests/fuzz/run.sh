#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/fuzz_*.cpp) with clang and runs each for a bounded
# time over its committed seed corpus (tests/fuzz/corpus/<target>) and dictionary.
#   tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]      (default 20 s, every target)
# Exits non-zero when any target finds a crash, a sanitizer report, a hang (-timeout), a leak or
# an out-of-memory; the input that did it is kept in $FUZZ_WORK/artifacts and printed (base64).
# New inputs found go to $FUZZ_WORK/corpus, never into the committed corpus (to keep one that
# found something, minimise it and add it by hand: see tests/fuzz/README.md).
# Environment: FUZZ_BUILD_DIR (build-fuzz), FUZZ_WORK (<build dir>/fuzz-work), CXX_FUZZ (clang++-14).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}
shift || true
build=${FUZZ_BUILD_DIR:-build-fuzz}
work=${FUZZ_WORK:-$build/fuzz-work}
cxx=${CXX_FUZZ:-clang++-14}

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSEXTANT_FUZZ=ON \
    -DCMAKE_CXX_COMPILER="$cxx" >/dev/null
fi
cmake --build "$build" -j "${JOBS:-2}" --target fuzz_targets

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for source in tests/fuzz/fuzz_*.cpp; do
    name=$(basename "$source" .cpp)
    targets+=("${name#fuzz_}")
  done
fi

# Leaks are reported by libFuzzer's -detect_leaks; the sanitizers stop at the first report.
export ASAN_OPTIONS=${FUZZ_ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=0}
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=()
for t in "${targets[@]}"; do
  corpus=tests/fuzz/corpus/$t
  scratch=$work/corpus/$t
  mkdir -p "$scratch" "$work/artifacts" "$work/logs"
  rm -f "$work/artifacts/$t-"*  # only what this run finds is reported
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 -detect_leaks=1
        -max_len=8192 -print_final_stats=1 -artifact_prefix="$work/artifacts/$t-")
  dict=tests/fuzz/dict/$t.dict
  if [ -f "$dict" ]; then args+=("-dict=$dict"); fi
  log=$work/logs/$t.log
  rc=0
  "$build/tests/fuzz/fuzz_$t" "${args[@]}" "$scratch" "$corpus" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  if [ "$rc" -ne 0 ]; then
    failed+=("$t")
    echo "fuzz_$t: FAILED (exit $rc) after ${runs:-?} executions; log $log"
    grep -E 'ERROR|SUMMARY|invariant violated|runtime error|Test unit written' "$log" | head -20 || true
    for a in "$work/artifacts/$t-"*; do
      [ -f "$a" ] && echo "input $a (base64): $(head -c 4096 "$a" | base64 -w0)"
    done
  else
    echo "fuzz_$t: ok, ${runs:-?} executions in ${seconds} s"
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found problems in: ${failed[*]}" >&2
  exit 1
fi
