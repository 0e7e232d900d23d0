#!/usr/bin/env bash
# bench/traces.sh -- the tracing benchmark of issue #16, Sextant beside MLflow (see bench/README.md).
#
#   bench/traces.sh [SEXTANT_BINARY] [--mlflow] [--mlflow-only] [--quick] [options]
#
# Per server, on a fresh SQLite database: OTLP ingest (/v1/traces, protobuf, traces of 10 spans;
# 1, 8, 32 clients, then 8 clients sending 50 traces a request) -> StartTraceV3 (8 clients) ->
# seed 100,000 traces -> SearchTracesV3 (tag + status filter, newest first) -> one 10,000-span
# trace over OTLP -> GetTrace of it, with the server's peak RSS. Prints a table with ratios.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"

SEXTANT=$ROOT/build/sextant
SEXTANT_EXTRA_ARGS=""
SEXTANT_BACKEND=""
LOADGEN=$ROOT/build/bench/loadgen
SECONDS_PER_PHASE=10
OTLP_CLIENTS="1 8 32"
BATCHED_TRACES=50            # traces per request in the batched OTLP phase (0 = skip it)
START_CLIENTS=8
SEED_TRACES=100000
SEED_CLIENTS=8
SEARCH_ITERATIONS=200
BIG_SPANS=10000
GET_ITERATIONS=20
RUN_SEXTANT=1
RUN_MLFLOW=0
MLFLOW_WORKERS=4
MLFLOW_GUNICORN=auto
MLFLOW_REST_TRACES=3000      # traces MLflow gets through StartTraceV3; the rest are written into its SQLite file
MLFLOW_SEED_MAX_S=180
MLFLOW_SEARCH_MAX_S=180
MLFLOW_GET_MAX_S=150
OUT=""
WAIT_QUIET=0

usage() {
  sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  cat <<EOF
Options:
  --seconds S            length of each OTLP / StartTraceV3 phase (default $SECONDS_PER_PHASE)
  --traces N             traces seeded for search (default $SEED_TRACES)
  --search-iterations N  timed searches (default $SEARCH_ITERATIONS)
  --spans N              spans of the big trace read by GetTrace (default $BIG_SPANS)
  --get-iterations N     timed GetTrace requests (default $GET_ITERATIONS)
  --batched-traces T     traces per request in the batched OTLP phase, 0 = skip (default $BATCHED_TRACES)
  --quick                a smoke run (about 1 minute for Sextant, 5 for MLflow): --seconds 3
                         --traces 10000 --search-iterations 50 --spans 2000 --get-iterations 5,
                         MLflow: 300 REST traces, 30 s caps
  --sextant-args "..."   extra flags for 'sextant server'
  --backend URI          Sextant's --backend-store-uri, an empty database (default: a new SQLite file)
  --mlflow               also benchmark MLflow's server (uvicorn; then gunicorn on a copy of its database)
  --mlflow-only          only MLflow
  --mlflow-workers N     uvicorn/gunicorn workers (default $MLFLOW_WORKERS)
  --no-gunicorn          skip the gunicorn variant
  --mlflow-rest-traces R traces MLflow seeds over REST (default $MLFLOW_REST_TRACES, at most
                         ${MLFLOW_SEED_MAX_S}s); the rest up to --traces are written into its SQLite file
  --out DIR              keep logs and results in DIR (default: a new temp dir, kept)
  --wait-quiet S         before each phase, wait up to S seconds until other processes use < 10% of the CPU
EOF
}

while (($#)); do
  case $1 in
    --seconds) SECONDS_PER_PHASE=$2; shift 2 ;;
    --traces) SEED_TRACES=$2; shift 2 ;;
    --search-iterations) SEARCH_ITERATIONS=$2; shift 2 ;;
    --spans) BIG_SPANS=$2; shift 2 ;;
    --get-iterations) GET_ITERATIONS=$2; shift 2 ;;
    --batched-traces) BATCHED_TRACES=$2; shift 2 ;;
    --quick) SECONDS_PER_PHASE=3; SEED_TRACES=10000; SEARCH_ITERATIONS=50; BIG_SPANS=2000; GET_ITERATIONS=5
             MLFLOW_REST_TRACES=300; MLFLOW_SEED_MAX_S=30; MLFLOW_SEARCH_MAX_S=30; MLFLOW_GET_MAX_S=30; shift ;;
    --mlflow-rest-traces) MLFLOW_REST_TRACES=$2; shift 2 ;;
    *) common_option "$@"; shift "$COMMON_SHIFT" ;;
  esac
done

OUT=${OUT:-$(mktemp -d /tmp/sextant-trace-bench.XXXXXX)}
mkdir -p "$OUT"
RESULTS=$OUT/results.txt
: >"$RESULTS"
build_loadgen

# Writes traces FROM..TO-1 of the seeded experiment EXP straight into MLflow's SQLite file DB:
# the rows of one REST-created trace (trace_info, trace_tags, trace_request_metadata) copied under
# a new id, with tag env, state and request time by loadgen's rule (loadgen_traces.hpp, seed_*).
seed_topup_sqlite() {
  python3 - "$@" <<'PY'
import random, sqlite3, sys
db, exp, base_ms, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
con = sqlite3.connect(db, timeout=60)
cur = con.cursor()
tmpl = cur.execute("SELECT request_id FROM trace_info WHERE experiment_id = ? LIMIT 1", (exp,)).fetchone()[0]
def cols(t): return [r[1] for r in cur.execute(f"PRAGMA table_info({t})")]
def rows(t, k): return cur.execute(f"SELECT * FROM {t} WHERE {k} = ?", (tmpl,)).fetchall()
info_cols, info = cols("trace_info"), dict(zip(cols("trace_info"), rows("trace_info", "request_id")[0]))
children = {t: (cols(t), rows(t, "request_id")) for t in ("trace_tags", "trace_request_metadata")}
rng = random.Random(4711)
cur.execute("BEGIN")
for n in range(first, last):
    rid = "tr-%032x" % rng.getrandbits(128)
    row = dict(info, request_id=rid, timestamp_ms=base_ms + 10 * n, execution_time_ms=1500 + n % 2000,
               status="ERROR" if n % 10 == 7 else "OK")
    cur.execute(f"INSERT INTO trace_info ({','.join(info_cols)}) VALUES ({','.join('?' * len(info_cols))})",
                [row[c] for c in info_cols])
    for t, (cs, rs) in children.items():
        for r in rs:
            r = dict(zip(cs, r), request_id=rid)
            if t == "trace_tags" and r["key"] == "env":
                r["value"] = ("prod", "staging", "dev")[n % 3]
            elif isinstance(r["value"], str):
                r["value"] = r["value"].replace(tmpl, rid)
            cur.execute(f"INSERT INTO {t} ({','.join(cs)}) VALUES ({','.join('?' * len(cs))})", [r[c] for c in cs])
con.commit()
print(f"inserted traces {first}..{last - 1} into experiment {exp}")
PY
}

# OTLP phases (not on MLflow's gunicorn variant: /v1/traces is a FastAPI route, and gunicorn
# serves only the Flask app).
otlp_phases() {
  local name=$1 url=$2 c
  for c in $OTLP_CLIENTS; do
    PHASE_UNIT=spans phase "$name" "otlp-$c" otlp --url "$url" --clients "$c" --seconds "$SECONDS_PER_PHASE"
  done
  if ((BATCHED_TRACES > 0)); then
    PHASE_UNIT=spans phase "$name" otlp-batched otlp --url "$url" --clients 8 --seconds "$SECONDS_PER_PHASE" \
      --traces-per-request "$BATCHED_TRACES"
  fi
}

# seed_and_search NAME URL REST_TRACES SEED_MAX_S SEARCH_MAX_S [TOPUP_DB]
seed_and_search() {
  local name=$1 url=$2 rest=$3 smax=$4 qmax=$5 topup_db=${6:-}
  local sargs=(seed-traces --url "$url" --traces "$rest" --clients "$SEED_CLIENTS")
  ((smax > 0)) && sargs+=(--max-seconds "$smax")
  phase "$name" seed "${sargs[@]}"
  local exp base have
  exp=$(get "$name" seed experiment_id); base=$(get "$name" seed base_ms); have=$(get "$name" seed traces)
  [[ $exp != - && $have != - ]] || return 0
  if [[ -n $topup_db ]] && ((have < SEED_TRACES)); then
    log "$name: writing traces $have..$((SEED_TRACES - 1)) straight into $topup_db (REST would take too long)"
    seed_topup_sqlite "$topup_db" "$exp" "$base" "$have" "$SEED_TRACES"
    echo "RESULT mode=topup label=topup server=$name traces=$((SEED_TRACES - have))" >>"$RESULTS"
  fi
  search_phase "$name" "$url" "$exp" "$base" "$qmax"
}

search_phase() {  # search_phase NAME URL EXP BASE_MS MAX_S
  local qargs=(search-traces --url "$2" --experiment-id "$3" --base-ms "$4" --traces "$SEED_TRACES"
               --iterations "$SEARCH_ITERATIONS")
  (($5 > 0)) && qargs+=(--max-seconds "$5")
  phase "$1" search "${qargs[@]}"
}

get_trace_phase() {  # get_trace_phase NAME URL TRACE_ID MAX_S
  local gargs=(get-trace --url "$2" --trace-id "$3" --spans "$BIG_SPANS" --iterations "$GET_ITERATIONS")
  (($4 > 0)) && gargs+=(--max-seconds "$4")
  PHASE_PEAK_RSS=1 PHASE_UNIT=requests phase "$1" get-trace "${gargs[@]}"
}

# suite NAME URL REST_TRACES SEED_MAX_S SEARCH_MAX_S GET_MAX_S [TOPUP_DB]
suite() {
  local name=$1 url=$2
  otlp_phases "$name" "$url"
  PHASE_UNIT=traces phase "$name" "start-traces" start-traces --url "$url" --clients "$START_CLIENTS" --seconds "$SECONDS_PER_PHASE"
  seed_and_search "$name" "$url" "$3" "$4" "$5" "${7:-}"
  phase "$name" big-trace big-trace --url "$url" --spans "$BIG_SPANS"
  local trace
  trace=$(get "$name" big-trace trace_id)
  [[ $trace == - ]] || get_trace_phase "$name" "$url" "$trace" "$6"
}

run_sextant() {
  start_sextant "$OUT/sextant" || return 1
  suite sextant "$SERVER_URL" "$SEED_TRACES" 0 0 0
  finish_server sextant "$OUT/sextant"
}

run_mlflow_uvicorn() {
  local dir=$OUT/mlflow-uvicorn rest=$MLFLOW_REST_TRACES
  ((rest > SEED_TRACES)) && rest=$SEED_TRACES
  start_mlflow uvicorn "$dir" || return 1
  suite mlflow-uvicorn "$SERVER_URL" "$rest" "$MLFLOW_SEED_MAX_S" "$MLFLOW_SEARCH_MAX_S" "$MLFLOW_GET_MAX_S" "$dir/mlflow.db"
  finish_server mlflow-uvicorn "$dir"
}

# gunicorn runs the Flask app without /v1/traces, so it serves a copy of the uvicorn run's
# database: the same seeded experiment for search and the same big trace for GetTrace.
run_mlflow_gunicorn() {
  local dir=$OUT/mlflow-gunicorn src=$OUT/mlflow-uvicorn/mlflow.db
  if [[ " ${SERVERS[*]} " != *" mlflow-uvicorn "* || ! -f $src ]]; then
    log "no database from a uvicorn run to copy: skipping gunicorn"; return 1
  fi
  mkdir -p "$dir"
  sqlite3 "$src" ".backup '$dir/mlflow.db'" 2>/dev/null || cp "$src" "$dir/mlflow.db"
  start_mlflow gunicorn "$dir" || return 1
  PHASE_UNIT=traces phase mlflow-gunicorn "start-traces" start-traces --url "$SERVER_URL" --clients "$START_CLIENTS" --seconds "$SECONDS_PER_PHASE"
  local exp trace
  exp=$(get mlflow-uvicorn seed experiment_id); trace=$(get mlflow-uvicorn big-trace trace_id)
  [[ $exp == - ]] || search_phase mlflow-gunicorn "$SERVER_URL" "$exp" "$(get mlflow-uvicorn seed base_ms)" "$MLFLOW_SEARCH_MAX_S"
  [[ $trace == - ]] || get_trace_phase mlflow-gunicorn "$SERVER_URL" "$trace" "$MLFLOW_GET_MAX_S"
  finish_server mlflow-gunicorn "$dir"
}

# ---- run ------------------------------------------------------------------------------------
run_servers run_sextant run_mlflow_uvicorn run_mlflow_gunicorn

# ---- summary --------------------------------------------------------------------------------
summary_header "tracing summary"
for c in $OTLP_CLIENTS; do
  t=-; [[ $c == 8 ]] && t=">=50000"
  mapfile -t v < <(vals "otlp-$c" spans_per_s); row "OTLP spans/s, $c client(s), 1 trace/request" "$t" higher "${v[@]}"
  mapfile -t v < <(vals "otlp-$c" p50_ms); row "  /v1/traces p50 ms" - lower "${v[@]}"
  mapfile -t v < <(vals "otlp-$c" p99_ms); row "  /v1/traces p99 ms" - lower "${v[@]}"
done
if ((BATCHED_TRACES > 0)); then
  mapfile -t v < <(vals otlp-batched spans_per_s); row "OTLP spans/s, 8 clients, $BATCHED_TRACES traces/request" - higher "${v[@]}"
fi
mapfile -t v < <(vals start-traces traces_per_s); row "StartTraceV3 traces/s, $START_CLIENTS clients" - higher "${v[@]}"
mapfile -t v < <(vals start-traces p50_ms); row "  StartTraceV3 p50 ms" - lower "${v[@]}"
mapfile -t v < <(vals seed traces_per_s); row "seed traces/s (StartTraceV3, $SEED_CLIENTS clients)" - higher "${v[@]}"
mapfile -t v < <(vals seed traces); row "  traces seeded over REST" - none "${v[@]}"
mapfile -t v < <(vals search p50_ms); row "SearchTraces p50 ms over $SEED_TRACES traces" "<20" lower "${v[@]}"
mapfile -t v < <(vals search p99_ms); row "SearchTraces p99 ms" - lower "${v[@]}"
mapfile -t v < <(vals search requests); row "  searches timed" - none "${v[@]}"
mapfile -t v < <(vals big-trace spans_per_s); row "OTLP spans/s, one $BIG_SPANS-span trace" - higher "${v[@]}"
mapfile -t v < <(vals get-trace p50_ms); row "GetTrace p50 ms, $BIG_SPANS spans" "<200" lower "${v[@]}"
mapfile -t v < <(vals get-trace max_ms); row "GetTrace max ms" - lower "${v[@]}"
mapfile -t v < <(vals get-trace requests); row "  GetTrace requests timed" - none "${v[@]}"
mapfile -t v < <(vals get-trace bytes); row "  GetTrace answer bytes" - none "${v[@]}"
mapfile -t v < <(mvals get-trace rss_before_kb); row "RSS MB before GetTrace (largest process)" - lower "${v[@]}"
mapfile -t v < <(mvals get-trace phase_hwm_kb); row "peak RSS MB during GetTrace (VmHWM)" - lower "${v[@]}"
mapfile -t v < <(vals otlp-8 cpu_us_per_unit); row "server CPU us per span, OTLP 8 clients" - lower "${v[@]}"
mapfile -t v < <(vals start-traces cpu_us_per_unit); row "server CPU us per StartTraceV3" - lower "${v[@]}"
mapfile -t v < <(vals search cpu_us_per_unit); row "server CPU us per search" - lower "${v[@]}"
mapfile -t v < <(for x in $(vals get-trace cpu_us_per_unit); do awk -v x="$x" 'BEGIN { print (x == "-" ? "-" : x / 1000) }'; done)
row "server CPU ms per GetTrace" - lower "${v[@]}"
others_row
mapfile -t v < <(mvals memory sampled_peak_kb); row "peak RSS MB (sampled sum, all processes)" - lower "${v[@]}"
errors_row
for s in "${SERVERS[@]}"; do
  case $s in
    mlflow-uvicorn)
      echo "note: $s seeded $(get "$s" seed traces) traces over REST (cap ${MLFLOW_SEED_MAX_S}s); $(get "$s" topup traces) more were" \
        "written into its SQLite file, so search covers $SEED_TRACES traces. Caps: search ${MLFLOW_SEARCH_MAX_S}s, GetTrace ${MLFLOW_GET_MAX_S}s."
      ;;
    mlflow-gunicorn)
      echo "note: $s serves only the Flask app (no /v1/traces): no OTLP rows; it searched and read a copy of the uvicorn run's database."
      ;;
  esac
done
if grep -q 'errors=[1-9]\|wrong=[1-9]\|failed=1' "$RESULTS"; then
  echo "errors were seen: the request/response samples are in the phase logs:"
  grep -l 'errors=[1-9]\|wrong=[1-9]' "$OUT"/*.log 2>/dev/null | sed 's/^/  /' || true
fi
