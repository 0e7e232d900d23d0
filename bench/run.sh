#!/usr/bin/env bash
# bench/run.sh -- Sextant's side-by-side benchmark (see bench/README.md).
#
#   bench/run.sh [SEXTANT_BINARY] [--mlflow] [--mlflow-only] [--quick] [options]
#
# Compiles bench/loadgen.cpp, starts the server on a fresh SQLite database in a temp dir, runs
#   ingest (1, 8, 32 clients) -> create-runs (8 clients) -> populate (100k runs) -> search (200 x 1 client)
# samples the server's peak RSS, and prints a summary table. With --mlflow, the same suite runs
# against MLflow's own server (uvicorn, and gunicorn when it is installed) and ratios are printed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"

SEXTANT=$ROOT/build/sextant
SEXTANT_EXTRA_ARGS=""
SEXTANT_BACKEND=""           # --backend-store-uri for Sextant (default: a fresh SQLite file)
LOADGEN=$ROOT/build/bench/loadgen
SECONDS_PER_PHASE=10
INGEST_CLIENTS="1 8 32"
CREATE_CLIENTS=8
POPULATE_RUNS=100000
POPULATE_CLIENTS=8
SEARCH_ITERATIONS=200
SEARCH_CLIENTS=1
RUN_SEXTANT=1
RUN_MLFLOW=0
MLFLOW_WORKERS=4
MLFLOW_GUNICORN=auto
MLFLOW_REST_RUNS=5000        # runs MLflow gets through REST; the rest of POPULATE_RUNS is bulk-inserted
MLFLOW_POPULATE_MAX_S=300
MLFLOW_SEARCH_MAX_S=180
OUT=""
WAIT_QUIET=0                 # seconds to wait, before each phase, for other jobs to leave the CPU

usage() {
  sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  cat <<EOF
Options:
  --seconds S            length of each ingest / create-runs phase (default $SECONDS_PER_PHASE)
  --runs R               runs created by populate, searched over (default $POPULATE_RUNS)
  --search-iterations N  timed search requests (default $SEARCH_ITERATIONS)
  --quick                a smoke run: --seconds 3 --runs 10000 --search-iterations 50
  --sextant-args "..."   extra flags for 'sextant server'
  --backend URI          Sextant's --backend-store-uri, an empty database (default: a new SQLite
                         file), e.g. postgresql://mlflow:mlflow@127.0.0.1:55432/bench
  --mlflow               also benchmark MLflow's server (needs 'mlflow' on PATH or the shared env)
  --mlflow-only          only MLflow
  --mlflow-workers N     uvicorn/gunicorn workers (default $MLFLOW_WORKERS)
  --no-gunicorn          skip the gunicorn variant
  --mlflow-rest-runs R   runs MLflow creates over REST in populate (default $MLFLOW_REST_RUNS); the
                         rest up to --runs are inserted straight into its SQLite file so that search
                         runs over the same number of runs
  --out DIR              keep logs and results in DIR (default: a new temp dir, kept)
  --wait-quiet S         before each phase, wait up to S seconds until other processes use < 10%
                         of the CPU (over 3 s); the phase then runs anyway, flagged if still busy
EOF
}

while (($#)); do
  case $1 in
    --seconds) SECONDS_PER_PHASE=$2; shift 2 ;;
    --runs) POPULATE_RUNS=$2; shift 2 ;;
    --search-iterations) SEARCH_ITERATIONS=$2; shift 2 ;;
    --quick) SECONDS_PER_PHASE=3; POPULATE_RUNS=10000; SEARCH_ITERATIONS=50; MLFLOW_REST_RUNS=1000; shift ;;
    --mlflow-rest-runs) MLFLOW_REST_RUNS=$2; shift 2 ;;
    *) common_option "$@"; shift "$COMMON_SHIFT" ;;
  esac
done

OUT=${OUT:-$(mktemp -d /tmp/sextant-bench.XXXXXX)}
mkdir -p "$OUT"
RESULTS=$OUT/results.txt
: >"$RESULTS"
build_loadgen

# suite NAME URL POPULATE_RUNS POPULATE_MAX_S SEARCH_MAX_S [TOPUP_DB]
suite() {
  local name=$1 url=$2 runs=$3 pmax=$4 smax=$5 topup_db=${6:-}
  local c
  for c in $INGEST_CLIENTS; do
    phase "$name" "ingest-$c" ingest --url "$url" --clients "$c" --seconds "$SECONDS_PER_PHASE"
  done
  phase "$name" "create-runs-$CREATE_CLIENTS" create-runs --url "$url" --clients "$CREATE_CLIENTS" \
    --seconds "$SECONDS_PER_PHASE"
  local pargs=(populate --url "$url" --runs "$runs" --clients "$POPULATE_CLIENTS")
  [[ $pmax -gt 0 ]] && pargs+=(--max-seconds "$pmax")
  phase "$name" populate "${pargs[@]}"
  local exp
  exp=$(exp_of "$name" populate)
  if [[ -n $topup_db && $exp != - ]]; then
    local have
    have=$(get "$name" populate runs)
    if [[ $have != - ]] && ((have < POPULATE_RUNS)); then
      log "$name: inserting $((POPULATE_RUNS - have)) more runs straight into $topup_db (REST would take too long)"
      topup_sqlite "$topup_db" "$exp" $((POPULATE_RUNS - have))
      echo "RESULT mode=topup label=topup server=$name runs=$((POPULATE_RUNS - have))" >>"$RESULTS"
    fi
  fi
  local sargs=(search --url "$url" --experiment-id "$exp" --iterations "$SEARCH_ITERATIONS" --clients "$SEARCH_CLIENTS")
  [[ $smax -gt 0 ]] && sargs+=(--max-seconds "$smax")
  if [[ $exp != - ]]; then phase "$name" search "${sargs[@]}"; fi
}

# Copies the shape of one REST-created run of experiment EXP into N new runs, each with its own
# metric acc ~ U[0,1] (metrics + latest_metrics) and param lr, exactly what populate would write.
topup_sqlite() {
  python3 - "$1" "$2" "$3" <<'PY'
import random, sqlite3, sys, uuid
db, exp, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
con = sqlite3.connect(db, timeout=60)
cur = con.cursor()
tmpl = cur.execute("SELECT r.run_uuid FROM runs r JOIN params p ON p.run_uuid = r.run_uuid "
                   "WHERE r.experiment_id = ? AND p.key = 'lr' LIMIT 1", (exp,)).fetchone()[0]
def cols(t): return [r[1] for r in cur.execute(f"PRAGMA table_info({t})")]
def rows(t): return cur.execute(f"SELECT * FROM {t} WHERE run_uuid = ?", (tmpl,)).fetchall()
tables = {t: (cols(t), rows(t)) for t in ("runs", "tags", "params", "metrics", "latest_metrics")}
rng = random.Random(12345)
cur.execute("BEGIN")
for i in range(n):
    rid = uuid.uuid4().hex
    acc, lr = rng.random(), rng.choice(["0.1", "0.01", "0.001"])
    for t, (cs, rs) in tables.items():
        for r in rs:
            r = dict(zip(cs, r))
            r["run_uuid"] = rid
            if t == "runs":
                r["artifact_uri"] = (r.get("artifact_uri") or "").replace(tmpl, rid)
                r["name"] = f"topup-{i}"
            elif t == "tags" and r["key"] == "mlflow.runName":
                r["value"] = f"topup-{i}"
            elif t in ("metrics", "latest_metrics") and r["key"] == "acc":
                r["value"] = acc
            elif t == "params" and r["key"] == "lr":
                r["value"] = lr
            cur.execute(f"INSERT INTO {t} ({','.join(cs)}) VALUES ({','.join('?' * len(cs))})",
                        [r[c] for c in cs])
con.commit()
print(f"inserted {n} runs into experiment {exp}")
PY
}

run_sextant() {
  start_sextant "$OUT/sextant" || return 1
  suite sextant "$SERVER_URL" "$POPULATE_RUNS" 0 0
  finish_server sextant "$OUT/sextant"
}

# run_mlflow VARIANT (uvicorn|gunicorn)
run_mlflow() {
  local variant=$1 name=mlflow-$1 dir=$OUT/mlflow-$1
  start_mlflow "$variant" "$dir" || return 1
  local rest_runs=$MLFLOW_REST_RUNS
  ((rest_runs > POPULATE_RUNS)) && rest_runs=$POPULATE_RUNS
  suite "$name" "$SERVER_URL" "$rest_runs" "$MLFLOW_POPULATE_MAX_S" "$MLFLOW_SEARCH_MAX_S" "$dir/mlflow.db"
  finish_server "$name" "$dir"
}
run_mlflow_uvicorn() { run_mlflow uvicorn; }
run_mlflow_gunicorn() { run_mlflow gunicorn; }

# ---- run ------------------------------------------------------------------------------------
run_servers run_sextant run_mlflow_uvicorn run_mlflow_gunicorn

# ---- summary --------------------------------------------------------------------------------
summary_header "summary"
for c in $INGEST_CLIENTS; do
  t=-; [[ $c == 8 ]] && t=">=40000"
  mapfile -t v < <(vals "ingest-$c" values_per_s); row "ingest values/s, $c client(s)" "$t" higher "${v[@]}"
  mapfile -t v < <(vals "ingest-$c" p50_ms); row "  log-batch p50 ms" - lower "${v[@]}"
  mapfile -t v < <(vals "ingest-$c" p99_ms); row "  log-batch p99 ms" - lower "${v[@]}"
done
mapfile -t v < <(vals "create-runs-$CREATE_CLIENTS" runs_per_s); row "create-run runs/s, $CREATE_CLIENTS clients" ">=5000" higher "${v[@]}"
mapfile -t v < <(vals "create-runs-$CREATE_CLIENTS" p50_ms); row "  runs/create p50 ms" - lower "${v[@]}"
mapfile -t v < <(vals populate runs_per_s); row "populate runs/s (create + log-batch), $POPULATE_CLIENTS cl." - higher "${v[@]}"
mapfile -t v < <(vals populate runs); row "  runs created over REST" - none "${v[@]}"
mapfile -t v < <(vals search p50_ms); row "search p50 ms over $POPULATE_RUNS runs" "<20" lower "${v[@]}"
mapfile -t v < <(vals search p99_ms); row "search p99 ms" - lower "${v[@]}"
mapfile -t v < <(vals search requests); row "  search requests timed" - none "${v[@]}"
mapfile -t v < <(vals search results); row "  runs per answer" - none "${v[@]}"
mapfile -t v < <(vals ingest-8 cpu_us_per_unit); row "server CPU us per value, ingest 8 clients" - lower "${v[@]}"
mapfile -t v < <(vals "create-runs-$CREATE_CLIENTS" cpu_us_per_unit); row "server CPU us per run, create-runs" - lower "${v[@]}"
mapfile -t v < <(vals search cpu_us_per_unit); row "server CPU us per search" - lower "${v[@]}"
others_row
mapfile -t v < <(mvals memory hwm_kb); row "peak RSS MB (VmHWM, largest process)" - lower "${v[@]}"
mapfile -t v < <(mvals memory sampled_peak_kb); row "peak RSS MB (sampled sum, all processes)" - lower "${v[@]}"
errors_row
for s in "${SERVERS[@]}"; do
  case $s in
    mlflow-*)
      rr=$(get "$s" populate runs); tu=$(get "$s" topup runs)
      echo "note: $s is run at a smaller scale where it is slow: populate created $rr runs over REST" \
        "(cap ${MLFLOW_POPULATE_MAX_S}s)$([[ $tu != - ]] && echo ", then $tu were inserted straight into its SQLite file")" \
        "so search covers $POPULATE_RUNS runs; search was capped at ${MLFLOW_SEARCH_MAX_S}s."
      echo "      $s: $MLFLOW_WORKERS workers; memory is the sum over the master and its workers (sampled) and the largest single process."
      ;;
  esac
done
if grep -q 'errors=[1-9]\|wrong=[1-9]\|failed=1' "$RESULTS"; then
  echo "errors were seen: the request/response samples are in the phase logs:"
  grep -l 'errors=[1-9]\|wrong=[1-9]' "$OUT"/*.log 2>/dev/null | sed 's/^/  /' || true
fi
