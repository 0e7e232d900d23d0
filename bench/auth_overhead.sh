#!/usr/bin/env bash
# Authentication overhead: the tracking core's log-batch ingest (8 clients, 1,000-value batches)
# and search (100,000 runs, the benchmark filter) with authentication off, and on with every
# request carrying a bearer JWT from a real OIDC provider (oauth2-mock-server, tests/oidc).
# The same database is served by turns, off / on, ROUNDS times; medians are compared.
#   bench/auth_overhead.sh [SEXTANT_BIN]      (env: ROUNDS=3 RUNS=100000 SECONDS_PER_PHASE=8)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
BIN=${1:-$REPO/build/sextant}
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-100000}
PHASE=${SECONDS_PER_PHASE:-8}
LOADGEN=$REPO/build/bench/loadgen
WORK=$(mktemp -d /tmp/sextant-auth-bench.XXXXXX)
mkdir -p "$(dirname "$LOADGEN")"
stale=0
for f in "$HERE"/loadgen.cpp "$HERE"/*.hpp; do [[ -x $LOADGEN && ! $f -nt $LOADGEN ]] || stale=1; done
((stale == 0)) || g++ -O2 -std=c++20 -Wall -Wextra -pthread "$HERE/loadgen.cpp" -o "$LOADGEN"
[[ -d $REPO/tests/oidc/node_modules/oauth2-mock-server ]] || npm ci --prefix "$REPO/tests/oidc" --no-audit --no-fund >/dev/null

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
IDP_PORT=$(port)
(cd "$REPO/tests/oidc" && PORT=$IDP_PORT ALGS=RS256 exec node jwt_mock_idp.mjs) >"$WORK/idp.log" 2>&1 &
IDP=$!
SRV=""
cleanup() { [[ -n $SRV ]] && kill "$SRV" 2>/dev/null; kill "$IDP" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 100); do grep -q '^ready' "$WORK/idp.log" && break; sleep 0.1; done
ISSUER=http://127.0.0.1:$IDP_PORT
TOKEN=$(curl -sf -u any:any -d grant_type=client_credentials -d aud=mlflow -d x_sub=bench -d x_email=bench@example.test \
  -d x_email_verified=true -d x_expires_in=86400 "$ISSUER/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

start() {  # start [auth args...]
  local p; p=$(port)
  "$BIN" server --host 127.0.0.1 --port "$p" --backend-store-uri "sqlite:///$WORK/mlflow.db" \
    --artifacts-destination "$WORK/art" "$@" >>"$WORK/server.log" 2>&1 &
  SRV=$!
  URL=http://127.0.0.1:$p
  "$LOADGEN" wait --url "$URL" --seconds 60 >/dev/null
}
stop() { kill "$SRV"; wait "$SRV" || true; SRV=""; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" | head -1; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SRV/stat"; }  # server user+system CPU, in clock ticks
TICK_US=$((1000000 / $(getconf CLK_TCK)))
AUTH_ARGS=(--auth on --skip-jwt-bearer-tokens --extra-jwt-issuers "$ISSUER=mlflow" --email-domain example.test
           --auth-failure-limit 1000000)

start
EXP=$("$LOADGEN" populate --url "$URL" --runs "$RUNS" | grep '^RESULT mode' | field experiment_id)
stop
echo "populated $RUNS runs in experiment $EXP"

declare -A INGEST SEARCH ICPU SCPU
for round in $(seq "$ROUNDS"); do
  for mode in off jwt; do
    if [[ $mode == off ]]; then start; unset LOADGEN_AUTHORIZATION
    else start "${AUTH_ARGS[@]}"; export LOADGEN_AUTHORIZATION="Bearer $TOKEN"; fi
    c0=$(cpu_ticks)
    i=$("$LOADGEN" ingest --url "$URL" --clients 8 --seconds "$PHASE" | grep '^RESULT mode' )
    c1=$(cpu_ticks)
    s=$("$LOADGEN" search --url "$URL" --experiment-id "$EXP" --iterations 1000 --clients 1 | grep '^RESULT mode')
    c2=$(cpu_ticks)
    # Server CPU per request is what authentication adds to; it is far less sensitive than
    # rates and latencies to other work on a busy 2-core machine.
    ICPU[$mode]+="$(( (c1 - c0) * TICK_US * 1000 / $(field values <<<"$i") )) "
    SCPU[$mode]+="$(( (c2 - c1) * TICK_US / 1000 )) "
    [[ $(field errors <<<"$i") == 0 && $(field errors <<<"$s") == 0 && $(field wrong <<<"$s") == 0 ]] \
      || { echo "errors in round $round ($mode): $i $s"; exit 1; }
    INGEST[$mode]+="$(field values_per_s <<<"$i") "
    SEARCH[$mode]+="$(field p50_ms <<<"$s") "
    echo "round $round $mode: ingest $(field values_per_s <<<"$i") values/s, search p50 $(field p50_ms <<<"$s") ms," \
         "server CPU $(( (c1 - c0) * TICK_US * 1000 / $(field values <<<"$i") )) us per 1000-value batch," \
         "$(( (c2 - c1) * TICK_US / 1000 )) us per search"
    unset LOADGEN_AUTHORIZATION
    stop
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
io=$(median <<<"${INGEST[off]}"); ij=$(median <<<"${INGEST[jwt]}")
so=$(median <<<"${SEARCH[off]}"); sj=$(median <<<"${SEARCH[jwt]}")
printf '\n%-40s %12s %12s %10s\n' "median of $ROUNDS rounds" "auth off" "bearer JWT" "change"
printf '%-40s %12s %12s %9.1f%%\n' "ingest values/s, 8 clients" "$io" "$ij" "$(python3 -c "print(($io-$ij)/$io*100)")"
printf '%-40s %12s %12s %9.1f%%\n' "search p50 ms, $RUNS runs" "$so" "$sj" "$(python3 -c "print(($sj-$so)/$so*100)")"
ico=$(median <<<"${ICPU[off]}"); icj=$(median <<<"${ICPU[jwt]}"); sco=$(median <<<"${SCPU[off]}"); scj=$(median <<<"${SCPU[jwt]}")
printf '%-40s %12s %12s %9.1f%%\n' "server CPU us per log-batch request" "$ico" "$icj" "$(python3 -c "print(($icj-$ico)/$ico*100)")"
printf '%-40s %12s %12s %9.1f%%\n' "server CPU us per search request" "$sco" "$scj" "$(python3 -c "print(($scj-$sco)/$sco*100)")"
echo "(positive change = slower with authentication; logs in $WORK)"
