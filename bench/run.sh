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
    --sextant-args) SEXTANT_EXTRA_ARGS=$2; shift 2 ;;
    --backend) SEXTANT_BACKEND=$2; shift 2 ;;
    --mlflow) RUN_MLFLOW=1; shift ;;
    --mlflow-only) RUN_MLFLOW=1; RUN_SEXTANT=0; shift ;;
    --mlflow-workers) MLFLOW_WORKERS=$2; shift 2 ;;
    --no-gunicorn) MLFLOW_GUNICORN=0; shift ;;
    --mlflow-rest-runs) MLFLOW_REST_RUNS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --wait-quiet) WAIT_QUIET=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
    *) SEXTANT=$1; shift ;;
  esac
done

OUT=${OUT:-$(mktemp -d /tmp/sextant-bench.XXXXXX)}
mkdir -p "$OUT"
RESULTS=$OUT/results.txt
: >"$RESULTS"
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# ---- build the load generator --------------------------------------------------------------
mkdir -p "$(dirname "$LOADGEN")"
if [[ ! -x $LOADGEN || $HERE/loadgen.cpp -nt $LOADGEN ]]; then
  log "compiling $LOADGEN"
  g++ -O2 -std=c++20 -Wall -Wextra -pthread "$HERE/loadgen.cpp" -o "$LOADGEN"
fi

# ---- helpers -------------------------------------------------------------------------------
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

SERVER_PGID=""
SAMPLER_PID=""

# Process ids in the server's process group (MLflow's server runs workers under its master).
group_pids() { ps -e -o pid=,pgid=,stat= | awk -v g="$1" '$2 == g && $3 !~ /^Z/ { print $1 }'; }

# Prints "<max VmHWM kB of one process> <sum of VmHWM kB> <sum of VmRSS kB> <processes>".
group_mem() {
  local pid hwm rss max=0 sum=0 rsum=0 n=0
  for pid in $(group_pids "$1"); do
    hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [[ -n $hwm ]] || continue
    n=$((n + 1)); sum=$((sum + hwm)); rsum=$((rsum + ${rss:-0}))
    if ((hwm > max)); then max=$hwm; fi
  done
  echo "$max $sum $rsum $n"
}

CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)

# CPU time (user + system, in clock ticks) used so far by the processes of the group.
group_cpu() {
  local pid t=0 v
  for pid in $(group_pids "$1"); do
    v=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }' || true)
    t=$((t + ${v:-0}))
  done
  echo "$t"
}

# Busy clock ticks of the whole machine so far (all cores; /proc/stat minus idle and iowait).
machine_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# wait_quiet PGID: waits (at most WAIT_QUIET s) until the machine minus the server group is < 10% busy.
wait_quiet() {
  ((WAIT_QUIET > 0)) || return 0
  local start=$SECONDS b0 b1 c0 c1 pct
  while ((SECONDS - start < WAIT_QUIET)); do
    b0=$(machine_busy); c0=$(group_cpu "$1")
    sleep 3
    b1=$(machine_busy); c1=$(group_cpu "$1")
    pct=$(( (b1 - b0 - (c1 - c0)) * 100 / (3 * CLK_TCK * $(nproc)) ))
    if ((pct < 10)); then
      ((SECONDS - start > 3)) && log "machine quiet after $((SECONDS - start)) s"
      return 0
    fi
  done
  log "machine still busy (${pct}% used by other processes) after ${WAIT_QUIET} s; going on"
}

# Background sampler: peak of the summed RSS of the whole process group, every 0.5 s.
start_sampler() {
  local pgid=$1 file=$2
  echo 0 >"$file"
  (
    peak=0
    while kill -0 "$pgid" 2>/dev/null; do
      read -r _ _ r _ < <(group_mem "$pgid")
      if ((r > peak)); then peak=$r; echo "$peak" >"$file"; fi
      sleep 0.5
    done
  ) &
  SAMPLER_PID=$!
}

stop_server() {
  if [[ -n $SAMPLER_PID ]]; then kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; fi
  SAMPLER_PID=""
  if [[ -n $SERVER_PGID ]]; then
    kill -TERM -- "-$SERVER_PGID" 2>/dev/null || true
    for _ in $(seq 1 60); do
      [[ -n $(group_pids "$SERVER_PGID") ]] || break
      sleep 0.25
    done
    if [[ -n $(group_pids "$SERVER_PGID") ]]; then kill -KILL -- "-$SERVER_PGID" 2>/dev/null || true; fi
    wait "$SERVER_PGID" 2>/dev/null || true
  fi
  SERVER_PGID=""
}
trap stop_server EXIT
trap 'exit 130' INT TERM

# start_server NAME LOGFILE CMD... : starts CMD in its own process group.
start_server() {
  local name=$1 logf=$2
  shift 2
  log "starting $name: $*"
  setsid "$@" >"$logf" 2>&1 </dev/null &
  SERVER_PGID=$!
}

# phase NAME LABEL loadgen-args... : runs loadgen, keeps its RESULT line, records memory after it.
phase() {
  local name=$1 label=$2
  shift 2
  local logf=$OUT/$name.$label.log rc=0 cpu0 cpu1 busy0 busy1
  wait_quiet "$SERVER_PGID"
  log "$name: loadgen $*"
  cpu0=$(group_cpu "$SERVER_PGID")
  busy0=$(machine_busy)
  "$LOADGEN" "$@" --label "$label" 2>&1 | tee "$logf" | grep -v '^RESULT' | sed 's/^/    /' || rc=$?
  cpu1=$(group_cpu "$SERVER_PGID")
  busy1=$(machine_busy)
  local line
  line=$(grep '^RESULT ' "$logf" | tail -1 || true)
  if [[ -z $line ]]; then
    line="RESULT mode=$label label=$label failed=1"
    log "$name: loadgen produced no result (rc=$rc)"
  fi
  # Server CPU per unit of work (value, run or search request): less sensitive to other load on
  # the machine than the rates are.
  local cpu_s units
  cpu_s=$(awk -v a="$cpu0" -v b="$cpu1" -v t="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / t }')
  units=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^(values|runs|requests)=/) { split($i, kv, "="); u = kv[2] } } END { print u + 0 }' <<<"$line")
  local per_unit
  per_unit=$(awk -v c="$cpu_s" -v u="$units" 'BEGIN { if (u > 0) printf "%.1f", c * 1e6 / u; else print "-" }')
  # CPU used by everything else on the machine meanwhile (machine busy time - server - loadgen),
  # as a share of all cores: other jobs running during the phase make its figures unreliable.
  local client_cpu secs others
  client_cpu=$(awk '/^RESULT-CPU/ { for (i = 2; i <= NF; i++) if ($i ~ /^client_cpu_s=/) print substr($i, 14) }' "$logf")
  secs=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^seconds=/) print substr($i, 9) }' <<<"$line")
  others=$(awk -v b0="$busy0" -v b1="$busy1" -v t="$CLK_TCK" -v s="$cpu_s" -v c="${client_cpu:-0}" -v d="${secs:-0}" \
    -v n="$(nproc)" 'BEGIN { if (d <= 0) { print "-"; exit } o = (b1 - b0) / t - s - c; if (o < 0) o = 0; printf "%.0f", 100 * o / (d * n) }')
  read -r m s r n < <(group_mem "$SERVER_PGID")
  echo "$line server=$name hwm_kb=$m hwm_sum_kb=$s rss_sum_kb=$r procs=$n server_cpu_s=$cpu_s cpu_us_per_unit=$per_unit client_cpu_s=${client_cpu:--} others_cpu_pct=$others" >>"$RESULTS"
  if [[ $others != - ]] && ((others >= 10)); then
    log "$name $label: other processes used ${others}% of the machine's CPU during this phase; its figures are unreliable"
  fi
}

# Last value of KEY in the RESULT line of server NAME and label LABEL.
get() {
  awk -v s="server=$1" -v l="label=$2" -v k="$3" '
    { hs = 0; hl = 0; for (i = 1; i <= NF; i++) { if ($i == s) hs = 1; if ($i == l) hl = 1 } }
    hs && hl { for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) v = substr($i, length(k) + 2) }
    END { print (v == "" ? "-" : v) }' "$RESULTS"
}

exp_of() { get "$1" "$2" experiment_id; }

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
  [[ -x $SEXTANT ]] || { log "no sextant binary at $SEXTANT"; return 1; }
  local dir=$OUT/sextant port url
  mkdir -p "$dir/art"
  # Run a copy, so that a rebuild during the benchmark does not swap the binary under it.
  cp "$SEXTANT" "$dir/sextant"
  log "sextant: $SEXTANT ($(date -r "$SEXTANT" '+%F %T'), sha256 $(sha256sum "$SEXTANT" | cut -c1-12)), $("$dir/sextant" --version 2>/dev/null | head -1)"
  port=$(free_port)
  url=http://127.0.0.1:$port
  # shellcheck disable=SC2086
  start_server sextant "$dir/server.log" "$dir/sextant" server --host 127.0.0.1 --port "$port" \
    --backend-store-uri "${SEXTANT_BACKEND:-sqlite:///$dir/mlflow.db}" --artifacts-destination "$dir/art" $SEXTANT_EXTRA_ARGS
  if ! "$LOADGEN" wait --url "$url" --seconds 60; then
    log "sextant did not come up; its log:"; tail -20 "$dir/server.log"; stop_server; return 1
  fi
  start_sampler "$SERVER_PGID" "$dir/rss_peak"
  suite sextant "$url" "$POPULATE_RUNS" 0 0
  read -r m s r n < <(group_mem "$SERVER_PGID")
  echo "RESULT mode=memory label=memory server=sextant hwm_kb=$m hwm_sum_kb=$s rss_sum_kb=$r procs=$n sampled_peak_kb=$(cat "$dir/rss_peak")" >>"$RESULTS"
  stop_server
  if grep -qiE 'error|exception|fatal' "$dir/server.log"; then
    log "sextant server log mentions errors (first lines):"; grep -iE 'error|exception|fatal' "$dir/server.log" | head -10
  fi
}

ensure_mlflow() {
  if ! command -v mlflow >/dev/null 2>&1; then
    local envsh=$ROOT/../shared/tools/mlflow-env.sh
    if [[ -f $envsh && -d ${MLFLOW_ENV_ROOT:-/tmp/mlflow-env} ]]; then
      # shellcheck disable=SC1090
      source "$envsh" >/dev/null 2>&1 || true
    fi
  fi
  command -v mlflow >/dev/null 2>&1
}

# run_mlflow VARIANT (uvicorn|gunicorn)
run_mlflow() {
  local variant=$1 name=mlflow-$1 dir=$OUT/mlflow-$1 port url
  mkdir -p "$dir/art"
  port=$(free_port)
  url=http://127.0.0.1:$port
  local args=(mlflow server --host 127.0.0.1 --port "$port" --backend-store-uri "sqlite:///$dir/mlflow.db"
              --serve-artifacts --artifacts-destination "$dir/art" --workers "$MLFLOW_WORKERS")
  [[ $variant == gunicorn ]] && args+=(--gunicorn-opts "--timeout 300")
  start_server "$name" "$dir/server.log" "${args[@]}"
  if ! "$LOADGEN" wait --url "$url" --seconds 180; then
    log "$name did not come up; its log:"; tail -20 "$dir/server.log"; stop_server; return 1
  fi
  start_sampler "$SERVER_PGID" "$dir/rss_peak"
  local rest_runs=$MLFLOW_REST_RUNS
  ((rest_runs > POPULATE_RUNS)) && rest_runs=$POPULATE_RUNS
  suite "$name" "$url" "$rest_runs" "$MLFLOW_POPULATE_MAX_S" "$MLFLOW_SEARCH_MAX_S" "$dir/mlflow.db"
  read -r m s r n < <(group_mem "$SERVER_PGID")
  echo "RESULT mode=memory label=memory server=$name hwm_kb=$m hwm_sum_kb=$s rss_sum_kb=$r procs=$n sampled_peak_kb=$(cat "$dir/rss_peak")" >>"$RESULTS"
  stop_server
}

# ---- run ------------------------------------------------------------------------------------
log "output in $OUT"
log "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); loadgen runs on the same cores"
SERVERS=()
if ((RUN_SEXTANT)); then run_sextant && SERVERS+=(sextant); fi
if ((RUN_MLFLOW)); then
  if ensure_mlflow; then
    log "mlflow: $(command -v mlflow) ($(python3 -c 'import mlflow; print("mlflow", mlflow.__version__)' 2>/dev/null || echo '?'); $(python3 -c 'import uvicorn; print("uvicorn", uvicorn.__version__)' 2>/dev/null || echo 'no uvicorn'); $(python3 -c 'import gunicorn; print("gunicorn", gunicorn.__version__)' 2>/dev/null || echo 'no gunicorn'))"
    run_mlflow uvicorn && SERVERS+=(mlflow-uvicorn)
    if [[ $MLFLOW_GUNICORN != 0 ]]; then
      if python3 -c 'import gunicorn' 2>/dev/null; then
        run_mlflow gunicorn && SERVERS+=(mlflow-gunicorn)
      else
        log "gunicorn is not importable: skipping the gunicorn variant"
      fi
    fi
  else
    log "mlflow is not on PATH (and no shared env): skipping MLflow"
  fi
fi

# ---- summary --------------------------------------------------------------------------------
fmt_num() { awk -v v="$1" 'BEGIN { if (v == "-" || v == "") print "-"; else if (v+0 >= 100 || v+0 == int(v+0)) printf "%.0f", v; else printf "%.2f", v }'; }
mb() { awk -v v="$1" 'BEGIN { if (v == "-" || v == "" || v == 0) print "-"; else printf "%.0f\n", v/1024 }'; }

row() {  # row TITLE TARGET higher|lower VALUES...
  local title=$1 target=$2 better=$3
  shift 3
  printf '%-44s %-10s' "$title" "$target"
  local v first=""
  for v in "$@"; do
    printf ' %16s' "$(fmt_num "$v")"
    [[ -z $first ]] && first=$v
  done
  # Ratio of the first server (Sextant when it ran) over each other one, oriented so > 1 means better.
  if ((${#SERVERS[@]} > 1)) && [[ ${SERVERS[0]} == sextant && $better != none ]]; then
    local i
    for ((i = 1; i < $#; i++)); do
      v=${*:i+1:1}
      printf ' %10s' "$(awk -v a="$first" -v b="$v" -v h="$better" 'BEGIN {
        if (a == "-" || b == "-" || a+0 == 0 || b+0 == 0) { print "-"; exit }
        printf "%.1fx", (h == "higher" ? a / b : b / a) }')"
    done
  fi
  echo
}

echo
echo "================================ summary ================================"
echo "results: $RESULTS   logs: $OUT"
printf '%-44s %-10s' "figure" "target"
for s in "${SERVERS[@]}"; do printf ' %16s' "$s"; done
if ((${#SERVERS[@]} > 1)) && [[ ${SERVERS[0]} == sextant ]]; then
  for s in "${SERVERS[@]:1}"; do printf ' %10s' "vs ${s#mlflow-}"; done
fi
echo
vals() { local s; for s in "${SERVERS[@]}"; do get "$s" "$1" "$2"; done; }
mvals() { local s; for s in "${SERVERS[@]}"; do mb "$(get "$s" "$1" "$2")"; done; }
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
# Largest share of the CPU other processes took during any phase of each server.
others=()
for s in "${SERVERS[@]}"; do
  others+=("$(awk -v s="server=$s" '{ f = 0; for (i = 1; i <= NF; i++) if ($i == s) f = 1 }
    f { for (i = 1; i <= NF; i++) if ($i ~ /^others_cpu_pct=/) { v = substr($i, 16) + 0; if (v > m) m = v } }
    END { print m + 0 }' "$RESULTS")")
done
row "other processes' CPU, worst phase, % of all" "<10" none "${others[@]}"
mapfile -t v < <(mvals memory hwm_kb); row "peak RSS MB (VmHWM, largest process)" - lower "${v[@]}"
mapfile -t v < <(mvals memory sampled_peak_kb); row "peak RSS MB (sampled sum, all processes)" - lower "${v[@]}"
# Errors: total over all phases of each server.
errs=()
for s in "${SERVERS[@]}"; do
  errs+=("$(awk -v s="server=$s" '{ f = 0; for (i = 1; i <= NF; i++) if ($i == s) f = 1 }
    f { for (i = 1; i <= NF; i++) { if ($i ~ /^errors=/) e += substr($i, 8); if ($i ~ /^wrong=/) e += substr($i, 7); if ($i == "failed=1") e += 1 } }
    END { print e + 0 }' "$RESULTS")")
done
row "errors (non-2xx + transport + wrong answers)" 0 lower "${errs[@]}"
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
