#!/usr/bin/env bash
# db_roundtrip.sh -- manual check that Sextant and MLflow's own server can read each other's
# SQLite (or PostgreSQL / MySQL, ROUNDTRIP_DB_URI) databases.  Not part of the test suite or CI.
#
# Usage: tests/compat/db_roundtrip.sh [SEXTANT_BINARY]     (default /work/main/build/sextant)
#        tests/compat/db_roundtrip.sh mlflow               (self-test: MLflow's server on both sides)
#
# Needs the real MLflow at the upstream commit (alembic head bf29a5ff90ea); by default it is
# set up with ../shared/tools/mlflow-env.sh into /tmp/mlflow-env-upstream.  Overrides:
#   MLFLOW_ENV_SH     path of mlflow-env.sh   (default: <repo>/../shared/tools/mlflow-env.sh)
#   MLFLOW_ENV_ROOT   env directory           (default: /tmp/mlflow-env-upstream)
#   ROUNDTRIP_DIR     work directory          (default: a new mktemp -d; kept on failure)
#   ROUNDTRIP_KEEP=1  keep the work directory even on success
#   ROUNDTRIP_DB_URI  run on a database server instead of SQLite: an admin URI such as
#                     postgresql://mlflow:mlflow@127.0.0.1:55432/postgres or
#                     mysql://mlflow:mlflow@127.0.0.1:53306/mysql (a user that may CREATE DATABASE;
#                     scripts/test-db-servers.sh start postgresql|mariadb DIR writes one to
#                     DIR/postgresql.uri or DIR/mariadb.uri); each scenario gets a new database (on
#                     MySQL both servers are given mysql+pymysql://, MLflow's driver there)
#
# The data set (db_roundtrip.py + registry_roundtrip.py): experiments, runs, params, tags,
# metrics; registered models, model versions (runs:/, models:/<model_id>, models:/<name>/<v>
# sources), aliases, stages, tags; MLflow 3 logged models (sklearn.log_model and
# create_logged_model) with params, tags, metrics and statuses.
#
# Scenarios:
#   1. Sextant creates a fresh DB; the client writes the data set through Sextant and dumps
#      what it reads back; then MLflow's server opens the same DB file and the client dumps
#      again; the two dumps must be equal.
#   2. The reverse: MLflow's server creates and writes a fresh DB, Sextant reads it.
#   3. (informational) the data written by Sextant and by MLflow, ids and server-chosen times
#      normalised away, must also be equal.

set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SEXTANT=${1:-$REPO/build/sextant}
PY=$HERE/db_roundtrip.py

: "${MLFLOW_ENV_SH:=$REPO/../shared/tools/mlflow-env.sh}"
export MLFLOW_ENV_ROOT=${MLFLOW_ENV_ROOT:-/tmp/mlflow-env-upstream}
export MLFLOW_ENV_MLFLOW_COMMIT=${MLFLOW_ENV_MLFLOW_COMMIT:-046e211690919a4969ac4cf4f2d70c6ce6c65870}
# shellcheck disable=SC1090
source "$MLFLOW_ENV_SH" || { echo "FAIL: could not set up the MLflow environment"; exit 2; }

if [[ $SEXTANT != mlflow ]]; then
    [[ -x $SEXTANT ]] || { echo "FAIL: sextant binary $SEXTANT not found / not executable"; exit 2; }
    SEXTANT=$(cd "$(dirname "$SEXTANT")" && pwd)/$(basename "$SEXTANT")
fi

WORK=${ROUNDTRIP_DIR:-$(mktemp -d /tmp/sextant-roundtrip.XXXXXX)}
mkdir -p "$WORK"
echo "work dir: $WORK"
echo "sextant:  $SEXTANT"
echo "mlflow:   $(python3 -c 'import mlflow; print(mlflow.__version__, mlflow.__file__)')"

SERVER_PGID=""
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    if [[ -n $SERVER_PGID ]]; then kill -- "-$SERVER_PGID" 2>/dev/null; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server KIND DB ART_DIR LOG -> sets SERVER_PGID, SERVER_URL; returns 1 if no /health
# (DB: a SQLite file path or a postgresql:// URI)
start_server() {
    local kind=$1 db=$2 art=$3 logf=$4 port pidf uri
    if [[ $db == *://* ]]; then uri=$db; else uri=sqlite:///$db; fi
    port=$(free_port)
    pidf=$logf.pid
    rm -f "$pidf"
    local cmd
    if [[ $kind == mlflow ]]; then
        cmd=(mlflow server --host 127.0.0.1 --port "$port" --backend-store-uri "$uri"
             --serve-artifacts --artifacts-destination "$art" --workers 1)
    else
        cmd=("$SEXTANT" server --host 127.0.0.1 --port "$port" --backend-store-uri "$uri"
             --artifacts-destination "$art")
    fi
    echo "  \$ ${cmd[*]}" >"$logf"
    # a new session: the server and all its workers share one process group, stopped together
    # shellcheck disable=SC2016  # $$, $0 and $@ belong to the inner shell
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidf" "${cmd[@]}" >>"$logf" 2>&1 </dev/null &
    local i
    for i in $(seq 1 50); do [[ -s $pidf ]] && break; sleep 0.1; done
    SERVER_PGID=$(cat "$pidf")
    SERVER_URL=http://127.0.0.1:$port
    echo "  started $(label "$kind") (pgid $SERVER_PGID) on $SERVER_URL, log $logf"
    for i in $(seq 1 180); do
        if curl -sf -m 2 "$SERVER_URL/health" >/dev/null 2>&1; then
            echo "  $(label "$kind") answers /health after ~$((i / 2))s"
            return 0
        fi
        if ! kill -0 "$SERVER_PGID" 2>/dev/null; then
            echo "  $(label "$kind") exited before answering /health; last log lines:"
            tail -n 25 "$logf" | sed 's/^/    | /'
            SERVER_PGID=""
            return 1
        fi
        sleep 0.5
    done
    echo "  $(label "$kind") did not answer /health within 90s; last log lines:"
    tail -n 25 "$logf" | sed 's/^/    | /'
    stop_server
    return 1
}

stop_server() {
    [[ -n $SERVER_PGID ]] || return 0
    kill -- "-$SERVER_PGID" 2>/dev/null
    local i
    for i in $(seq 1 40); do
        kill -0 -- "-$SERVER_PGID" 2>/dev/null || break
        sleep 0.25
    done
    kill -KILL -- "-$SERVER_PGID" 2>/dev/null
    SERVER_PGID=""
}

label() { if [[ $1 == mlflow ]]; then echo "mlflow"; elif [[ $SEXTANT == mlflow ]]; then echo "mlflow(as-sextant)"; else echo "sextant"; fi; }

# drop the client's chatter ("View run ... at: URL", register_model's progress lines, INFO logs)
quiet() {
    grep --line-buffered -v -e '^🏃 View run ' -e '^🧪 View experiment at: ' \
        -e "^Successfully registered model '" -e "^Registered model '.*' already exists" \
        -e "^Created version '" -e '^[0-9/]* [0-9:]* INFO mlflow\.'
}

# create_database NAME: on the ROUNDTRIP_DB_URI server
create_database() {
    if [[ $ROUNDTRIP_DB_URI == postgresql://* ]]; then
        psql -X -q -d "$ROUNDTRIP_DB_URI" -c "CREATE DATABASE $1"
    else
        python3 - "$ROUNDTRIP_DB_URI" "$1" <<'PY'
import os, subprocess, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
subprocess.run(["mariadb", "--no-defaults", "-h", u.hostname, "-P", str(u.port or 3306), "-u",
                urllib.parse.unquote(u.username), "-e", "CREATE DATABASE %s" % sys.argv[2]], check=True,
               env=dict(os.environ, MYSQL_PWD=urllib.parse.unquote(u.password or "")))
PY
    fi
}

RESULTS=()
record() { RESULTS+=("$1  $2"); echo ">>> $1: $2"; }

# scenario NAME WRITER READER
scenario() {
    local name=$1 writer=$2 reader=$3 dir=$WORK/$1
    local wl rl db=$WORK/$1/a.db
    wl=$(label "$writer"); rl=$(label "$reader")
    mkdir -p "$dir"
    if [[ -n ${ROUNDTRIP_DB_URI:-} ]]; then
        local dbname
        dbname=rt_$(echo "$name" | tr -c 'a-z0-9\n' '_')_$(date +%s)
        if ! create_database "$dbname"; then
            record FAIL "$name: could not create database $dbname"
            return
        fi
        db=${ROUNDTRIP_DB_URI%/*}/$dbname
        if [[ $db == mysql://* ]]; then db=mysql+pymysql://${db#mysql://}; fi
    fi
    echo
    echo "=== $name: $wl writes ${db/:*@/:***@}, $rl reads it ==="
    if [[ -e $dir/a.db || -e $dir/art ]]; then
        record FAIL "$name: $dir is not fresh (a.db / art left from an earlier run)"
        return
    fi
    if ! start_server "$writer" "$db" "$dir/art" "$dir/writer.log"; then
        record FAIL "$name: $wl did not start on a fresh DB"
        return
    fi
    MLFLOW_TRACKING_URI=$SERVER_URL python3 "$PY" write --out "$dir/written.json" 2>&1 | quiet | tee "$dir/write.out"
    local rc=${PIPESTATUS[0]}
    stop_server
    case $rc in
        0) record PASS "$name: write through $wl + read-back matches what was written" ;;
        1) record FAIL "$name: write through $wl: read-back differs from what was written (see above)" ;;
        *) record FAIL "$name: write through $wl raised an error (see above, log $dir/writer.log)"
           return ;;
    esac
    if ! start_server "$reader" "$db" "$dir/art" "$dir/reader.log"; then
        record FAIL "$name: $rl did not start on the DB written by $wl"
        return
    fi
    MLFLOW_TRACKING_URI=$SERVER_URL python3 "$PY" dump --out "$dir/read.json" 2>&1 | quiet | tee "$dir/read.out"
    rc=${PIPESTATUS[0]}
    stop_server
    if [[ $rc != 0 ]]; then
        record FAIL "$name: reading through $rl raised an error (see above, log $dir/reader.log)"
        return
    fi
    if python3 "$PY" compare "$dir/written.json" "$dir/read.json" \
        --label-a "read back through $wl (writer)" --label-b "read through $rl (reader)"; then
        record PASS "$name: $rl reads exactly what $wl shows for the same DB"
    else
        record FAIL "$name: $rl and $wl show different data for the same DB (DIFF lines above)"
    fi
}

scenario s1-sextant-writes sextant mlflow
scenario s2-mlflow-writes mlflow sextant

echo
echo "=== s3: data written by $(label sextant) vs by mlflow (ids/times normalised) ==="
if [[ -f $WORK/s1-sextant-writes/written.json && -f $WORK/s2-mlflow-writes/written.json ]]; then
    if python3 "$PY" compare --normalize "$WORK/s1-sextant-writes/written.json" \
        "$WORK/s2-mlflow-writes/written.json" --label-a "written via $(label sextant)" \
        --label-b "written via mlflow"; then
        record PASS "s3: $(label sextant) and mlflow store the same data for the same writes"
    else
        record FAIL "s3: $(label sextant) and mlflow store different data for the same writes"
    fi
else
    record FAIL "s3: skipped, a write step did not produce a dump"
fi

echo
echo "=== SUMMARY ==="
fail=0
for r in "${RESULTS[@]}"; do
    echo "  $r"
    [[ $r == FAIL* ]] && fail=1
done
if ((fail)); then
    echo "DB ROUNDTRIP: FAIL (work dir kept: $WORK)"
    exit 1
fi
echo "DB ROUNDTRIP: PASS"
if [[ -z ${ROUNDTRIP_DIR:-} && ${ROUNDTRIP_KEEP:-0} != 1 ]]; then rm -rf "$WORK"; fi
exit 0
