#!/usr/bin/env bash
# Throwaway database servers on loopback for the integration tests (CTest starts and stops them
# as fixtures; also usable by hand).
#
#   scripts/test-db-servers.sh start postgresql ROOT   PostgreSQL 15 on 127.0.0.1, data in ROOT/postgresql;
#                                                      writes ROOT/postgresql.uri (an admin URI of role
#                                                      'mlflow', which may CREATE DATABASE)
#   scripts/test-db-servers.sh stop postgresql ROOT    fast shutdown by PID, removes the data
#   scripts/test-db-servers.sh pause postgresql ROOT   stops the server, keeps its data (fault tests)
#   scripts/test-db-servers.sh resume postgresql ROOT  starts it again on the same port and data
#   scripts/test-db-servers.sh check postgresql        exit 0 if a server can be started here
#
# Runs as root (as CI does: initdb and the server then run as OS user 'postgres' via runuser) or
# as any other user (as that user). With CI=true, a missing server binary is an error; otherwise
# 'check' says so and exits 77 (CTest's skip code).
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:?usage: $0 start|stop|pause|resume|check postgresql [ROOT]}
backend=${2:?usage: $0 start|stop|pause|resume|check postgresql [ROOT]}
root=${3:-/tmp/sextant-test-db}
[ "$backend" = postgresql ] || { echo "test-db-servers: unknown backend '$backend'" >&2; exit 2; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 - "$1" <<'PY'
import socket, sys
port = int(sys.argv[1])
while True:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port)); break
    except OSError:
        port += 1
    finally:
        s.close()
print(port)
PY
}

pg_check() {
  if [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PGBIN/pg_ctl" ]; then
    echo "test-db-servers: PostgreSQL 15 is not installed ($PGBIN/initdb missing; apt-get install postgresql-15)" >&2
    [ "${CI:-}" = true ] && exit 1
    exit 77
  fi
}

pg_pause() {
  local dir=$root/postgresql
  if [ -f "$dir/data/postmaster.pid" ]; then
    local pid
    pid=$(head -1 "$dir/data/postmaster.pid")
    kill -INT "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
}

pg_stop() {
  pg_pause
  rm -rf "$root/postgresql" "$root/postgresql.uri"
}

pg_server() {  # pg_server PORT: starts the server on the data dir
  local dir=$root/postgresql
  as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-p $1 -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
}

pg_resume() {
  local uri port
  uri=$(cat "$root/postgresql.uri")
  port=${uri##*:}
  port=${port%%/*}
  pg_server "$port"
}

pg_start() {
  pg_check
  pg_stop  # a server left by an earlier run of the same build dir
  local dir=$root/postgresql port
  mkdir -p "$dir"
  # The server runs as 'postgres': it must be able to reach its folder.
  if [ "$(id -u)" -eq 0 ]; then chmod a+x "$root"; chown postgres:postgres "$dir"; fi
  chmod 700 "$dir"
  port=$(free_port "${SEXTANT_TEST_PG_PORT:-55432}")
  as_owner "$PGBIN/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  pg_server "$port"
  psql -X -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE mlflow LOGIN CREATEDB PASSWORD 'mlflow'"
  echo "postgresql://mlflow:mlflow@127.0.0.1:$port/postgres" >"$root/postgresql.uri"
  echo "test-db-servers: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data $dir)"
}

case "$cmd" in
  start) mkdir -p "$root"; pg_start ;;
  stop) pg_stop ;;
  pause) pg_pause ;;
  resume) pg_resume ;;
  check) pg_check ;;
  *) echo "usage: $0 start|stop|pause|resume|check postgresql [ROOT]" >&2; exit 2 ;;
esac
