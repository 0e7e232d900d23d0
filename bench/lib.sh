# shellcheck shell=bash
# bench/lib.sh -- shared by bench/run.sh and bench/traces.sh (sourced, not run).
#
# Expects: HERE (bench/), ROOT (the checkout), LOADGEN (binary path), OUT (output dir),
# RESULTS (results file), WAIT_QUIET (seconds, 0 = off) and SERVERS (array, for the summary rows).
# Provides: build_loadgen; servers started in their own process group (start_server/stop_server,
# stopped on exit), their memory and CPU (group_mem/group_cpu), phase (one loadgen run whose
# RESULT line goes to RESULTS with the server's CPU and memory), get (a value from RESULTS) and
# the summary table's rows (row/vals/mvals/others_row/errors_row).

# common_option ARGS...: one option both scripts take (the script's own come first). Sets
# COMMON_SHIFT to the words it used; calls the script's usage() for --help and bad options.
# shellcheck disable=SC2034  # COMMON_SHIFT is read by the caller
common_option() {
  COMMON_SHIFT=1
  case $1 in
    --sextant-args) SEXTANT_EXTRA_ARGS=$2; COMMON_SHIFT=2 ;;
    --backend) SEXTANT_BACKEND=$2; COMMON_SHIFT=2 ;;
    --mlflow) RUN_MLFLOW=1 ;;
    --mlflow-only) RUN_MLFLOW=1; RUN_SEXTANT=0 ;;
    --mlflow-workers) MLFLOW_WORKERS=$2; COMMON_SHIFT=2 ;;
    --no-gunicorn) MLFLOW_GUNICORN=0 ;;
    --out) OUT=$2; COMMON_SHIFT=2 ;;
    --wait-quiet) WAIT_QUIET=$2; COMMON_SHIFT=2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
    *) SEXTANT=$1 ;;
  esac
}

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Compiles bench/loadgen.cpp (and its headers) into $LOADGEN when a source is newer.
build_loadgen() {
  mkdir -p "$(dirname "$LOADGEN")"
  local src stale=0
  [[ -x $LOADGEN ]] || stale=1
  for src in "$HERE"/loadgen.cpp "$HERE"/*.hpp; do [[ $src -nt $LOADGEN ]] && stale=1; done
  if ((stale)); then
    log "compiling $LOADGEN"
    g++ -O2 -std=c++20 -Wall -Wextra -pthread "$HERE/loadgen.cpp" -o "$LOADGEN"
  fi
}

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

# Largest VmRSS (kB) of one process of the group.
group_max_rss() {
  local pid
  for pid in $(group_pids "$1"); do awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true; done |
    sort -n | tail -1
}

# Resets the kernel's peak-RSS mark (VmHWM) of every process in the group to its current RSS.
reset_peak_rss() {
  local pid
  for pid in $(group_pids "$1"); do echo 5 >"/proc/$pid/clear_refs" 2>/dev/null || true; done
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
  # With PHASE_PEAK_RSS=1: the server processes' peak RSS is reset first (clear_refs 5), so the
  # VmHWM read after the phase is this phase's peak (phase_hwm_kb), next to the RSS before it.
  local rss_before=-
  if [[ ${PHASE_PEAK_RSS:-0} == 1 ]]; then
    rss_before=$(group_max_rss "$SERVER_PGID")
    reset_peak_rss "$SERVER_PGID"
  fi
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
  # The unit: the RESULT key PHASE_UNIT names, else the last of values=, runs= or requests=.
  units=$(awk -v k="${PHASE_UNIT:-values|runs|requests}" '{ for (i = 1; i <= NF; i++) if ($i ~ "^(" k ")=") { split($i, kv, "="); u = kv[2] } } END { print u + 0 }' <<<"$line")
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
  [[ $rss_before == - ]] || line+=" rss_before_kb=$rss_before phase_hwm_kb=$m"
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

# ---- summary rows ---------------------------------------------------------------------------
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

vals() { local s; for s in "${SERVERS[@]}"; do get "$s" "$1" "$2"; done; }
mvals() { local s; for s in "${SERVERS[@]}"; do mb "$(get "$s" "$1" "$2")"; done; }

# summary_header TITLE: where the results are, then the table's header: figure, target, one
# column per server, one ratio column per MLflow variant.
summary_header() {
  echo
  echo "================================ $1 ================================"
  echo "results: $RESULTS   logs: $OUT"
  printf '%-44s %-10s' "figure" "target"
  local s
  for s in "${SERVERS[@]}"; do printf ' %16s' "$s"; done
  if ((${#SERVERS[@]} > 1)) && [[ ${SERVERS[0]} == sextant ]]; then
    for s in "${SERVERS[@]:1}"; do printf ' %10s' "vs ${s#mlflow-}"; done
  fi
  echo
}

# Largest share of the CPU other processes took during any phase of each server.
others_row() {
  local others=() s
  for s in "${SERVERS[@]}"; do
    others+=("$(awk -v s="server=$s" '{ f = 0; for (i = 1; i <= NF; i++) if ($i == s) f = 1 }
      f { for (i = 1; i <= NF; i++) if ($i ~ /^others_cpu_pct=/) { v = substr($i, 16) + 0; if (v > m) m = v } }
      END { print m + 0 }' "$RESULTS")")
  done
  row "other processes' CPU, worst phase, % of all" "<10" none "${others[@]}"
}

# Errors: total over all phases of each server.
errors_row() {
  local errs=() s
  for s in "${SERVERS[@]}"; do
    errs+=("$(awk -v s="server=$s" '{ f = 0; for (i = 1; i <= NF; i++) if ($i == s) f = 1 }
      f { for (i = 1; i <= NF; i++) { if ($i ~ /^errors=/) e += substr($i, 8); if ($i ~ /^wrong=/) e += substr($i, 7); if ($i == "failed=1") e += 1 } }
      END { print e + 0 }' "$RESULTS")")
  done
  row "errors (non-2xx + transport + wrong answers)" 0 lower "${errs[@]}"
}

# ---- servers --------------------------------------------------------------------------------
# start_sextant DIR: a copy of $SEXTANT (so that a rebuild during the benchmark does not swap the
# binary under it) on a fresh database in DIR (or $SEXTANT_BACKEND) with $SEXTANT_EXTRA_ARGS.
# Sets SERVER_URL and starts the RSS sampler.
start_sextant() {
  local dir=$1 port
  [[ -x $SEXTANT ]] || { log "no sextant binary at $SEXTANT"; return 1; }
  mkdir -p "$dir/art"
  cp "$SEXTANT" "$dir/sextant"
  log "sextant: $SEXTANT ($(date -r "$SEXTANT" '+%F %T'), sha256 $(sha256sum "$SEXTANT" | cut -c1-12)), $("$dir/sextant" --version 2>/dev/null | head -1)"
  port=$(free_port)
  SERVER_URL=http://127.0.0.1:$port
  # shellcheck disable=SC2086
  start_server sextant "$dir/server.log" "$dir/sextant" server --host 127.0.0.1 --port "$port" \
    --backend-store-uri "${SEXTANT_BACKEND:-sqlite:///$dir/mlflow.db}" --artifacts-destination "$dir/art" $SEXTANT_EXTRA_ARGS
  if ! "$LOADGEN" wait --url "$SERVER_URL" --seconds 60; then
    log "sextant did not come up; its log:"; tail -20 "$dir/server.log"; stop_server; return 1
  fi
  start_sampler "$SERVER_PGID" "$dir/rss_peak"
}

# start_mlflow VARIANT DIR: MLflow's server (uvicorn, its default, or gunicorn: the Flask app
# only) with $MLFLOW_WORKERS workers on DIR/mlflow.db (an existing file is used as it is).
start_mlflow() {
  local variant=$1 dir=$2 port
  mkdir -p "$dir/art"
  port=$(free_port)
  SERVER_URL=http://127.0.0.1:$port
  local args=(mlflow server --host 127.0.0.1 --port "$port" --backend-store-uri "sqlite:///$dir/mlflow.db"
              --serve-artifacts --artifacts-destination "$dir/art" --workers "$MLFLOW_WORKERS")
  [[ $variant == gunicorn ]] && args+=(--gunicorn-opts "--timeout 300")
  start_server "mlflow-$variant" "$dir/server.log" "${args[@]}"
  if ! "$LOADGEN" wait --url "$SERVER_URL" --seconds 180; then
    log "mlflow-$variant did not come up; its log:"; tail -20 "$dir/server.log"; stop_server; return 1
  fi
  start_sampler "$SERVER_PGID" "$dir/rss_peak"
}

log_mlflow_version() {
  log "mlflow: $(command -v mlflow) ($(python3 -c 'import mlflow; print("mlflow", mlflow.__version__)' 2>/dev/null || echo '?'); $(python3 -c 'import uvicorn; print("uvicorn", uvicorn.__version__)' 2>/dev/null || echo 'no uvicorn'); $(python3 -c 'import gunicorn; print("gunicorn", gunicorn.__version__)' 2>/dev/null || echo 'no gunicorn'))"
}

# finish_server NAME DIR: records the server's memory (RESULT mode=memory), stops it, and shows
# the lines of Sextant's log that mention errors.
finish_server() {
  local name=$1 dir=$2 m s r n
  read -r m s r n < <(group_mem "$SERVER_PGID")
  echo "RESULT mode=memory label=memory server=$name hwm_kb=$m hwm_sum_kb=$s rss_sum_kb=$r procs=$n sampled_peak_kb=$(cat "$dir/rss_peak")" >>"$RESULTS"
  stop_server
  if [[ $name == sextant ]] && grep -qiE 'error|exception|fatal' "$dir/server.log"; then
    log "sextant server log mentions errors (first lines):"; grep -iE 'error|exception|fatal' "$dir/server.log" | head -10 || true
  fi
  return 0
}

# run_servers SEXTANT_FN UVICORN_FN GUNICORN_FN: runs the servers the options chose, in this
# order, and lists in SERVERS the ones whose function succeeded.
run_servers() {
  log "output in $OUT"
  log "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); loadgen runs on the same cores"
  SERVERS=()
  if ((RUN_SEXTANT)); then "$1" && SERVERS+=(sextant); fi
  ((RUN_MLFLOW)) || return 0
  if ! ensure_mlflow; then
    log "mlflow is not on PATH (and no shared env): skipping MLflow"
    return 0
  fi
  log_mlflow_version
  "$2" && SERVERS+=(mlflow-uvicorn)
  [[ $MLFLOW_GUNICORN != 0 ]] || return 0
  if python3 -c 'import gunicorn' 2>/dev/null; then
    "$3" && SERVERS+=(mlflow-gunicorn)
  else
    log "gunicorn is not importable: skipping the gunicorn variant"
  fi
}
