#!/usr/bin/env bash
# revisions_check.sh -- manual check (issue #15, acceptance 1 and 2) that Sextant's DDL gives the
# catalog MLflow's own migrations give, revision by revision, on SQLite, PostgreSQL and MariaDB.
# Not part of CI; fetches nothing and holds no MLflow code.
#
# Usage: tests/compat/revisions_check.sh [SEXTANT_BINARY]      (default <repo>/build/sextant)
#
# For each backend and each revision (bf29a5ff90ea, every upstream revision up to 7d34483879f0,
# and the fork's 1b5f0d9ad7c1), database A is made by MLflow's alembic on an empty database
# (tests/compat/mlflow_alembic.py: upstream revisions with MLflow master's package, extracted from
# the local snapshot of harupy/mlflow; the fork's with the fork's source that mlflow-env.sh sets
# up), and compared (tests/compat/schema_compare.py) with:
#   new      a database Sextant creates at that revision (`sextant server --create-schema-revision`)
#   from-3.6 MLflow's bf29a5ff90ea database, then `sextant db upgrade --to REV`
#   from-2.0 MLflow's 97727af70f4d database (MLflow 2.0), then `sextant db upgrade --to REV`
# A summary table closes the output; the exit code is 1 when a comparison differs.
#
# Environment:
#   REVCHECK_BACKENDS   default "sqlite postgresql mariadb"
#   REVCHECK_REVISIONS  default: all of them (FORK is the fork's revision)
#   REVCHECK_PATHS      default "new from-3.6 from-2.0"
#   REVCHECK_DIR        work directory (default: a new mktemp -d; kept)
#   REVCHECK_PG_URI / REVCHECK_MY_URI  admin URIs of database servers to use (a user that may
#                       CREATE DATABASE); without them, throwaway servers are started with
#                       scripts/test-db-servers.sh in the work directory and stopped at the end
#   MLFLOW_ENV_SH       default <repo>/../shared/tools/mlflow-env.sh
#   MLFLOW_MASTER_GIT   default <repo>/../.mirror/harupy+mlflow/repo (a local snapshot)

set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SEXTANT=${1:-$REPO/build/sextant}
[[ -x $SEXTANT ]] || { echo "sextant binary $SEXTANT not found" >&2; exit 2; }

UPSTREAM="bf29a5ff90ea 1bd49d398cd23 b7c8d9e0f1a2 5d2d30f0abce c9d4e5f6a7b8 2c33131f4dae d3e4f5a6b7c8
d0e1f2a3b4c5 c8d9e0f1a2b3 1b5f0d9ad7c1 e1f2a3b4c5d6 76601a5f987d c3d6457b6d8a a5b4c3d2e1f0 ae8bbe7743c9
7d34483879f0"
FORK_STAMP=1b5f0d9ad7c1
FORK_CLI=opendatahub-io:1b5f0d9ad7c1  # Sextant's name of the fork's revision
BACKENDS=${REVCHECK_BACKENDS:-sqlite postgresql mariadb}
REVISIONS=${REVCHECK_REVISIONS:-${UPSTREAM//$'\n'/ } FORK}
PATHS=${REVCHECK_PATHS:-new from-3.6 from-2.0}
: "${MLFLOW_ENV_SH:=$REPO/../shared/tools/mlflow-env.sh}"
: "${MLFLOW_MASTER_GIT:=$REPO/../.mirror/harupy+mlflow/repo}"
WORK=${REVCHECK_DIR:-$(mktemp -d /tmp/sextant-revcheck.XXXXXX)}
mkdir -p "$WORK"
echo "work dir: $WORK"

# shellcheck disable=SC1090
source "$MLFLOW_ENV_SH" >"$WORK/mlflow-env.log" 2>&1 || { echo "could not set up MLflow's environment" >&2; exit 2; }
FORK_PATH=$(python3 -c 'import mlflow, os; print(os.path.dirname(os.path.dirname(mlflow.__file__)))')

# MLflow master's package from the local snapshot (blobs the snapshot lacks are skipped: none of
# them is Python).
MASTER=$WORK/mlflow-master
if [[ ! -f $MASTER/mlflow/version.py ]]; then
    python3 - "$MLFLOW_MASTER_GIT" "$MASTER" <<'PY' || exit 2
import os, subprocess, sys
git, dest = sys.argv[1:]
tree = subprocess.run(["git", "--git-dir", git, "ls-tree", "-r", "HEAD", "mlflow"], capture_output=True,
                      text=True, check=True).stdout
blobs = [(line.split()[2], line.split("\t", 1)[1]) for line in tree.splitlines() if line.split()[1] == "blob"]
cat = subprocess.Popen(["git", "--git-dir", git, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
missing = []
for sha, path in blobs:
    cat.stdin.write(sha.encode() + b"\n")
    cat.stdin.flush()
    header = cat.stdout.readline().split()
    if header[1] == b"missing":
        missing.append(path)
        continue
    data = cat.stdout.read(int(header[2]))
    cat.stdout.read(1)
    os.makedirs(os.path.join(dest, os.path.dirname(path)), exist_ok=True)
    with open(os.path.join(dest, path), "wb") as f:
        f.write(data)
print("MLflow master: %d files extracted, %d absent from the snapshot %s" % (len(blobs) - len(missing), len(missing),
                                                                             [p for p in missing if p.endswith(".py")]))
PY
fi
echo "mlflow (fork): $FORK_PATH; mlflow (master): $(PYTHONPATH=$MASTER python3 -c 'import mlflow; print(mlflow.__version__)' 2>/dev/null)"

STARTED=()
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    local b
    for b in "${STARTED[@]}"; do bash "$REPO/scripts/test-db-servers.sh" stop "$b" "$WORK/dbs" >/dev/null 2>&1; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

admin_var() { if [[ $1 == postgresql ]]; then echo REVCHECK_PG_URI; else echo REVCHECK_MY_URI; fi; }

ensure_server() {  # ensure_server BACKEND: a throwaway server unless REVCHECK_*_URI names one
    local var
    var=$(admin_var "$1")
    [[ $1 == sqlite || -n ${!var:-} || -f $WORK/dbs/$1.uri ]] && return 0
    bash "$REPO/scripts/test-db-servers.sh" start "$1" "$WORK/dbs" || return 1
    STARTED+=("$1")
}

admin_uri() {  # admin_uri BACKEND
    local var
    var=$(admin_var "$1")
    if [[ -n ${!var:-} ]]; then echo "${!var}"; else cat "$WORK/dbs/$1.uri"; fi
}

# new_db BACKEND NAME -> prints the database's URI (Sextant's spelling), creating it empty
new_db() {
    local backend=$1 name=$2 admin
    if [[ $backend == sqlite ]]; then
        rm -f "$WORK/$name.db"
        echo "sqlite:///$WORK/$name.db"
        return
    fi
    admin=$(admin_uri "$backend") || return 1
    if [[ $backend == postgresql ]]; then
        psql -X -q -d "$admin" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >&2 || return 1
    else
        python3 - "$admin" "$name" <<'PY' >&2 || return 1
import os, subprocess, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
subprocess.run(["mariadb", "--no-defaults", "-h", u.hostname, "-P", str(u.port or 3306), "-u",
                urllib.parse.unquote(u.username), "-e", "DROP DATABASE IF EXISTS %s; CREATE DATABASE %s CHARACTER SET "
                "utf8mb4 COLLATE utf8mb4_bin" % (sys.argv[2], sys.argv[2])], check=True,
               env=dict(os.environ, MYSQL_PWD=urllib.parse.unquote(u.password or "")))
PY
    fi
    echo "${admin%/*}/$name"
}

sqlalchemy_uri() { if [[ $1 == mysql://* ]]; then echo "mysql+pymysql://${1#mysql://}"; else echo "$1"; fi; }

# mlflow_migrate PYTHONPATH_HEAD LOG URI REV [URI REV ...]
mlflow_migrate() {
    local path=$1 log=$2 args=()
    shift 2
    while (($#)); do args+=("$(sqlalchemy_uri "$1")" "$2"); shift 2; done
    PYTHONPATH=$path${PYTHONPATH:+:$PYTHONPATH} python3 "$HERE/mlflow_alembic.py" "${args[@]}" >>"$log" 2>&1
}

# sextant_new URI REV LOG: Sextant creates the database at REV (a server started and stopped)
sextant_new() {
    local uri=$1 rev=$2 log=$3 port pid
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$SEXTANT" server --host 127.0.0.1 --port "$port" --backend-store-uri "$uri" --artifacts-destination "$WORK/art" \
        --create-schema-revision "$rev" >>"$log" 2>&1 </dev/null &
    pid=$!
    for _ in $(seq 1 300); do
        curl -sf -m 2 "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill "$pid" 2>/dev/null
    wait "$pid"
    local rc=$?
    [[ $rc == 0 ]]
}

sextant_upgrade() {  # sextant_upgrade URI REV LOG
    "$SEXTANT" db upgrade --backend-store-uri "$1" --to "$2" >>"$3" 2>&1 </dev/null
}

# clone BACKEND FROM_URI NAME -> prints the URI of a copy of FROM_URI's database (on PostgreSQL
# a template copy: a dump and restore would re-parse CHECK clauses into another text)
clone() {
    local backend=$1 from=$2 name=$3 to
    if [[ $backend == postgresql ]]; then
        psql -X -q -d "$(admin_uri postgresql)" -c "DROP DATABASE IF EXISTS $name" \
            -c "CREATE DATABASE $name TEMPLATE ${from##*/}" >&2 || return 1
        echo "${from%/*}/$name"
        return
    fi
    to=$(new_db "$backend" "$name") || return 1
    case $backend in
        sqlite) cp "${from#sqlite:///}" "${to#sqlite:///}" ;;
        mariadb) python3 - "$from" "$to" <<'PY' ;;
import os, subprocess, sys, urllib.parse
a, b = (urllib.parse.urlsplit(x) for x in sys.argv[1:])
env = dict(os.environ, MYSQL_PWD=urllib.parse.unquote(a.password or ""))
conn = ["--no-defaults", "-h", a.hostname, "-P", str(a.port or 3306), "-u", urllib.parse.unquote(a.username)]
dump = subprocess.run(["mariadb-dump"] + conn + ["--routines", "--triggers", a.path.lstrip("/")],
                      capture_output=True, check=True, env=env).stdout
subprocess.run(["mariadb"] + conn + [b.path.lstrip("/")], input=dump, check=True, env=env)
PY
    esac || return 1
    echo "$to"
}

# summarize COMPARE_OUTPUT: SAME or DIFFERENT, with what else schema_compare said
summarize() {
    local verdict differences names fk_indexes
    verdict=$(tail -n 1 "$1" | sed 's/.*: //')
    differences=$(grep -c -e '^only in ' -e '^DIFFERS' "$1")
    names=$(grep -c '^name differs' "$1")
    fk_indexes=$(grep -c '^foreign key index of' "$1")
    if [[ $verdict != SAME ]]; then
        echo "DIFFERENT: $differences entries ($1)"
        return
    fi
    local text=SAME
    if ((names)); then text+=", $names generated names differ"; fi
    if ((fk_indexes)); then text+=", $fk_indexes InnoDB foreign-key indexes on one side only"; fi
    echo "$text"
}

RESULTS=()
FAILED=0
record() {  # record BACKEND REV PATH RESULT
    RESULTS+=("$(printf '%-11s %-14s %-9s %s' "$1" "$2" "$3" "$4")")
    [[ $4 == SAME* ]] || FAILED=1
    echo ">>> $1 $2 $3: $4"
}

for backend in $BACKENDS; do
    echo
    echo "=== $backend ==="
    log=$WORK/$backend.log
    : >"$log"
    if ! ensure_server "$backend" || ! base36=$(new_db "$backend" rc_base36) || ! base20=$(new_db "$backend" rc_base20); then
        echo "no $backend database"
        FAILED=1
        continue
    fi
    # MLflow's databases: the two starting points, then one per revision (one Python process each side)
    mlflow_args=("$base36" bf29a5ff90ea "$base20" 97727af70f4d)
    declare -A A=()
    for rev in $REVISIONS; do
        [[ $rev == FORK ]] && continue
        A[$rev]=$(new_db "$backend" "rc_a_$rev") || continue
        mlflow_args+=("${A[$rev]}" "$rev")
    done
    echo "MLflow master's alembic: $((${#mlflow_args[@]} / 2)) databases"
    mlflow_migrate "$MASTER" "$log" "${mlflow_args[@]}" || echo "(some MLflow migrations failed; see $log)"
    if [[ " $REVISIONS " == *" FORK "* ]]; then
        A[FORK]=$(new_db "$backend" rc_a_fork) && mlflow_migrate "$FORK_PATH" "$log" "${A[FORK]}" "$FORK_STAMP"
    fi
    for rev in $REVISIONS; do
        cli_rev=$rev
        [[ $rev == FORK ]] && cli_rev=$FORK_CLI
        tag=${rev,,}
        if ! grep -q "^ok .*rc_a_$tag\b" "$log"; then
            record "$backend" "$rev" all "MLflow's migration failed"
            continue
        fi
        for path in $PATHS; do
            b=""
            case $path in
                new) b=$(new_db "$backend" "rc_b_${tag}_new") && sextant_new "$b" "$cli_rev" "$log" || b="" ;;
                from-3.6) b=$(clone "$backend" "$base36" "rc_b_${tag}_36") && sextant_upgrade "$b" "$cli_rev" "$log" || b="" ;;
                from-2.0) b=$(clone "$backend" "$base20" "rc_b_${tag}_20") && sextant_upgrade "$b" "$cli_rev" "$log" || b="" ;;
            esac
            if [[ -z $b ]]; then
                record "$backend" "$rev" "$path" "Sextant failed (see $log)"
                continue
            fi
            out=$WORK/compare-$backend-$tag-$path.txt
            python3 "$HERE/schema_compare.py" "${A[$rev]}" "$b" >"$out" 2>&1
            record "$backend" "$rev" "$path" "$(summarize "$out")"
        done
    done
    unset A
done

echo
echo "=== summary (A = MLflow's migrations, B = Sextant; SAME = the same catalog but generated names) ==="
printf '%-11s %-14s %-9s %s\n' backend revision path result
printf '%s\n' "${RESULTS[@]}"
exit $FAILED
