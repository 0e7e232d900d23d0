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
#   the same with mariadb: MariaDB 10.11 on 127.0.0.1, data in ROOT/mariadb, ROOT/mariadb.uri
#   (mysql://mlflow:mlflow@127.0.0.1:PORT/mysql, a user that may CREATE DATABASE)
#
# Runs as root (as CI does: initdb and the server then run as OS user 'postgres' via runuser) or
# as any other user (as that user). With CI=true, a missing server binary is an error; otherwise
# 'check' says so and exits 77 (CTest's skip code).
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:?usage: $0 start|stop|pause|resume|check postgresql|mariadb [ROOT]}
backend=${2:?usage: $0 start|stop|pause|resume|check postgresql|mariadb [ROOT]}
root=${3:-/tmp/sextant-test-db}
case "$backend" in
  postgresql | mariadb) ;;
  *) echo "test-db-servers: unknown backend '$backend'" >&2; exit 2 ;;
esac

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

# stop_pid PID SIGNAL: signals the server and waits (10 s at most) until it is gone.
stop_pid() {
  kill "-$2" "$1" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
}

# uri_port FILE: the port of the URI in FILE.
uri_port() {
  local uri
  uri=$(cat "$1")
  uri=${uri##*:}
  echo "${uri%%/*}"
}

pg_pause() {
  local pidfile=$root/postgresql/data/postmaster.pid
  if [ -f "$pidfile" ]; then stop_pid "$(head -1 "$pidfile")" INT; fi  # fast shutdown
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

pg_resume() { pg_server "$(uri_port "$root/postgresql.uri")"; }

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

my_check() {
  if [ ! -x /usr/sbin/mariadbd ] || ! command -v mariadb-install-db >/dev/null; then
    echo "test-db-servers: MariaDB is not installed (apt-get install mariadb-server mariadb-client)" >&2
    [ "${CI:-}" = true ] && exit 1
    exit 77
  fi
}

my_pause() {
  local pidfile=$root/mariadb/mysqld.pid
  if [ -f "$pidfile" ]; then stop_pid "$(cat "$pidfile")" TERM; fi
}

my_stop() {
  my_pause
  rm -rf "$root/mariadb" "$root/mariadb.uri"
}

my_server() {  # my_server PORT: starts the server on the data dir, waits until it answers
  local dir=$root/mariadb
  # mariadbd itself (as root with --user=mysql it drops privileges without forking)
  local user_args=()
  if [ "$(id -u)" -eq 0 ]; then user_args=(--user=mysql); fi
  # Its own tmpdir: on-disk temporary tables (information_schema queries) never share /tmp with
  # other servers or with cleaners of /tmp (a vanished '#sql-temptable' file fails the query).
  mkdir -p "$dir/tmp"
  if [ "$(id -u)" -eq 0 ]; then chown mysql:mysql "$dir/tmp"; fi
  /usr/sbin/mariadbd --no-defaults "${user_args[@]}" --datadir="$dir/data" --socket="$dir/mysqld.sock" \
    --tmpdir="$dir/tmp" --pid-file="$dir/mysqld.pid" --bind-address=127.0.0.1 --port="$1" --skip-name-resolve \
    --log-error="$dir/error.log" --innodb-buffer-pool-size=128M --innodb-flush-log-at-trx-commit=2 \
    --max-connections=400 --character-set-server=utf8mb4 --collation-server=utf8mb4_bin </dev/null >/dev/null 2>&1 &
  for _ in $(seq 1 300); do
    mariadb-admin --no-defaults --socket="$dir/mysqld.sock" -uroot ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  cat "$dir/error.log" >&2
  exit 1
}

my_start() {
  my_check
  my_stop
  local dir=$root/mariadb port
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chmod a+x "$root"; chown mysql:mysql "$dir"; fi
  port=$(free_port "${SEXTANT_TEST_MY_PORT:-53306}")
  local user_args=()
  if [ "$(id -u)" -eq 0 ]; then user_args=(--user=mysql); fi
  mariadb-install-db --no-defaults "${user_args[@]}" --datadir="$dir/data" --auth-root-authentication-method=socket \
    --skip-test-db >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; exit 1; }
  my_server "$port"
  mariadb --no-defaults --socket="$dir/mysqld.sock" -uroot -e "
    CREATE USER 'mlflow'@'127.0.0.1' IDENTIFIED BY 'mlflow';
    GRANT ALL PRIVILEGES ON *.* TO 'mlflow'@'127.0.0.1';"
  echo "mysql://mlflow:mlflow@127.0.0.1:$port/mysql" >"$root/mariadb.uri"
  echo "test-db-servers: MariaDB $(/usr/sbin/mariadbd --version | awk '{print $3}') on 127.0.0.1:$port (data $dir)"
}

my_resume() { my_server "$(uri_port "$root/mariadb.uri")"; }

case "$backend:$cmd" in
  postgresql:start) mkdir -p "$root"; pg_start ;;
  postgresql:stop) pg_stop ;;
  postgresql:pause) pg_pause ;;
  postgresql:resume) pg_resume ;;
  postgresql:check) pg_check ;;
  mariadb:start) mkdir -p "$root"; my_start ;;
  mariadb:stop) my_stop ;;
  mariadb:pause) my_pause ;;
  mariadb:resume) my_resume ;;
  mariadb:check) my_check ;;
  *) echo "usage: $0 start|stop|pause|resume|check postgresql|mariadb [ROOT]" >&2; exit 2 ;;
esac
