"""Crash safety: the server is killed with SIGKILL while eight clients ingest concurrently (runs,
log-batch, log-metric, set-tag, run updates, registry writes, artifact uploads), restarted on the
same database and artifacts directory, and what every request left behind is checked:

- an acknowledged (200) request is fully there, with its values;
- a request whose outcome is unknown (the connection dropped under it) is fully there or fully
  absent, never in part;
- a refused (4xx) request and one that never reached the server (connection refused) are absent;
- latest_metrics agrees with the metric history (the latest row is the one with the greatest step,
  then timestamp, then value: the store's conditional upsert, as MLflow's
  _update_latest_metric_if_necessary);
- a run's status and end_time come from one update or none;
- an upload cut by the kill is not visible under its final name (an earlier version of the file
  stays whole) and no temp file is listed;
- sent again (as MLflow's client retries), an idempotent request without an answer is answered
  as the first time would have been and leaves no duplicate.

Several rounds on one database: each round adds its load, is killed at a random moment and is
checked after the restart; after the last, every round again (nothing may get lost by later
kills). SQLite restarts with the -wal and -shm files the killed process left; PostgreSQL and
MariaDB with the sessions it left, and in the last round beside a frozen server whose sessions
and transactions are still open (its successor must start and write; then it is killed).
SEXTANT_CRASH_SEED replays a run's random choices (kill
moments, step order, values); the seed and the figures of each round are printed.

A start killed while it creates the schema of a new database (MySQL commits each CREATE TABLE by
itself) must start again and complete the schema.
"""

import hashlib
import json
import os
import random
import signal
import socket
import sys
import threading
import time
import unittest

import requests
import urllib3

import harness
from harness import API, ARTIFACTS, AJAX, SextantServer

ROUNDS = 4
THREADS = 8
BATCHES_PER_RUN = 6       # good log-batch requests per run
KEYS = 10                 # metric keys k0..k9 per batch ...
STEPS_PER_BATCH = 13      # ... each at 13 steps: 130 metric rows, more than one multi-row INSERT
PARAMS_PER_BATCH = 5
TAGS_PER_BATCH = 5
KILL_AFTER = (0.3, 1.5)   # seconds of load before the SIGKILL
SMALL_FILES = 3
SMALL_FILE_SIZE = 256 * 1024
BIG_FILE_SIZE = 64 * 1024 * 1024  # streamed at ~13 MB/s: still in flight when the kill comes
BIG_CHUNK = 64 * 1024
REQUEST_TIMEOUT = 60
SEED = int(os.environ.get("SEXTANT_CRASH_SEED") or random.randrange(1 << 32))

# Requests that may be sent again with the same effect (what a retrying client does).
REPLAYABLE = {"batch", "bad_batch", "log_param", "log_metric", "set_tag", "finish_run"}

# Outcomes of a request, as the client saw it.
PENDING = "pending"      # recorded, not sent yet
ACKED = "acked"          # 200
FAILED = "failed"        # 4xx
UNKNOWN = "unknown"      # sent (or partly), no answer: the connection dropped; or a 5xx
NOT_SENT = "not_sent"    # the connection was refused: the server never saw it


class Op:
    """One request: recorded before it is sent, its outcome after."""

    def __init__(self, op_id, kind, data, expect_ok=True):
        self.id = op_id
        self.kind = kind
        self.data = data
        self.expect_ok = expect_ok
        self.outcome = PENDING
        self.request = None  # (method, path, JSON body)
        self.replayed = False
        self.status = None
        self.body = None
        self.error = None

    def __repr__(self):
        return "Op(%s %s %s status=%s %s)" % (self.id, self.kind, self.outcome, self.status,
                                             self.error or (self.body or "")[:300])


class Ledger:
    """Every request of every round, in the order they were recorded."""

    def __init__(self):
        self.lock = threading.Lock()
        self.ops = []

    def record(self, kind, data, expect_ok=True):
        with self.lock:
            op = Op("%s#%d" % (kind, len(self.ops)), kind, data, expect_ok)
            self.ops.append(op)
            return op

    def of(self, kind, rnd=None):
        return [o for o in self.ops if o.kind == kind and (rnd is None or o.data["round"] == rnd)]


def refused(exc):
    """True when requests never got a TCP connection (so the server saw nothing)."""
    seen = set()
    e = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, (urllib3.exceptions.NewConnectionError, ConnectionRefusedError)):
            return True
        if isinstance(e, urllib3.exceptions.MaxRetryError):
            e = e.reason
            continue
        nested = [a for a in getattr(e, "args", ()) if isinstance(a, BaseException)]
        e = nested[0] if nested else (e.__cause__ or e.__context__)
    return False


def send(session, base, op, method, path, **kw):
    """Sends one recorded request; sets its outcome. Returns the JSON body of a 200, else None."""
    try:
        r = session.request(method, base + path, timeout=REQUEST_TIMEOUT, **kw)
    except requests.exceptions.ConnectionError as e:
        op.outcome = NOT_SENT if refused(e) else UNKNOWN
        op.error = repr(e)[:300]
        return None
    except requests.RequestException as e:
        op.outcome, op.error = UNKNOWN, repr(e)[:300]
        return None
    op.status, op.body = r.status_code, r.text[:2000]
    if r.status_code == 200:
        op.outcome = ACKED
        return r.json() if r.text.strip() else {}
    op.outcome = FAILED if 400 <= r.status_code < 500 else UNKNOWN
    return None


def small_file(rnd, i):
    return hashlib.sha256(b"crash-%d-%d" % (rnd, i)).digest() * (SMALL_FILE_SIZE // 32)


def big_chunk(n):
    return bytes([n % 251]) * BIG_CHUNK


def batch_rows(b, perm, ts0):
    """The metric rows of good batch `b` of a run: keys k0..k9 at 13 steps each; the steps of
    the run's batches come in a random order (perm), so later batches often carry lower steps."""
    base = perm[b] * STEPS_PER_BATCH
    return [("k%d" % k, base + s, ts0 + b, k * 1000 + (base + s) * 0.25)
            for k in range(KEYS) for s in range(STEPS_PER_BATCH)]


class Client(threading.Thread):
    """One ingesting client: runs one after another in the round's experiment, each with a
    param, good and refused batches, single metrics, tags, a final update, and for every other
    run a registered model with a version. Stops at its first request without an answer."""

    def __init__(self, ledger, base, rnd, thread, experiment_id, rng):
        super().__init__(daemon=True)
        self.ledger, self.base, self.rnd, self.thread = ledger, base, rnd, thread
        self.experiment_id, self.rng = experiment_id, rng
        self.session = requests.Session()
        self.failure = None

    def do(self, kind, data, method, path, body, expect_ok=True):
        data = dict(data, round=self.rnd, thread=self.thread)
        op = self.ledger.record(kind, data, expect_ok)
        op.request = (method, API + "/" + path, body)
        result = send(self.session, self.base, op, method, API + "/" + path, json=body)
        return op, result

    def run(self):
        try:
            self.ingest()
        except Exception as e:  # noqa: BLE001 (reported by the test)
            self.failure = repr(e)

    def ingest(self):
        n = 0
        while True:
            name = "c%d-%d-%d" % (self.rnd, self.thread, n)
            ts0 = harness.now_ms()
            tags = [{"key": "crash.op", "value": name}, {"key": "crash.round", "value": str(self.rnd)}]
            op, res = self.do("create_run", {"name": name, "ts0": ts0, "tags": tags}, "POST", "runs/create",
                              {"experiment_id": self.experiment_id, "run_name": name, "start_time": ts0,
                               "tags": tags, "user_id": "crash"})
            if op.outcome != ACKED:
                return
            run_id = res["run"]["info"]["run_id"]
            op.data["run_id"] = run_id
            ctx = {"run": name, "run_id": run_id}
            op, _ = self.do("log_param", ctx, "POST", "runs/log-parameter",
                            {"run_id": run_id, "key": "fixed", "value": "ok"})
            if op.outcome != ACKED:
                return
            perm = list(range(BATCHES_PER_RUN))
            self.rng.shuffle(perm)
            for b in range(BATCHES_PER_RUN):
                rows = batch_rows(b, perm, ts0)
                params = [("p%d_%d" % (b, j), "v%d_%d-%s" % (b, j, name)) for j in range(PARAMS_PER_BATCH)]
                btags = [("t%d_%d" % (b, j), "w%d_%d-%s" % (b, j, name)) for j in range(TAGS_PER_BATCH)]
                op, _ = self.do("batch", dict(ctx, rows=rows, params=params, tags=btags), "POST", "runs/log-batch",
                                {"run_id": run_id,
                                 "metrics": [{"key": k, "step": s, "timestamp": t, "value": v} for k, s, t, v in rows],
                                 "params": [{"key": k, "value": v} for k, v in params],
                                 "tags": [{"key": k, "value": v} for k, v in btags]})
                if op.outcome != ACKED:
                    return
                if b % 3 == 2:  # changes a logged param: refused whole (400), nothing of it stays
                    bad_rows = [("bad", 1000 + b * 10 + s, ts0, float(s)) for s in range(10)]
                    op, _ = self.do("bad_batch", dict(ctx, b=b), "POST", "runs/log-batch",
                                    {"run_id": run_id,
                                     "metrics": [{"key": k, "step": s, "timestamp": t, "value": v}
                                                 for k, s, t, v in bad_rows],
                                     "params": [{"key": "pbad%d" % b, "value": "x"}, {"key": "fixed", "value": "changed"}],
                                     "tags": [{"key": "tbad%d" % b, "value": "x"}]}, expect_ok=False)
                    if op.outcome != FAILED:
                        return
                # Few distinct (step, timestamp, value): ties that only the later fields break.
                single = (self.rng.randrange(4), ts0 + self.rng.randrange(3), self.rng.choice([1.5, -2.0, 3.25, 0.0]))
                op, _ = self.do("log_metric", dict(ctx, row=single), "POST", "runs/log-metric",
                                {"run_id": run_id, "key": "single", "step": single[0], "timestamp": single[1],
                                 "value": single[2]})
                if op.outcome != ACKED:
                    return
                op, _ = self.do("set_tag", dict(ctx, key="s%d" % b, value="%s/%d" % (name, b)), "POST", "runs/set-tag",
                                {"run_id": run_id, "key": "s%d" % b, "value": "%s/%d" % (name, b)})
                if op.outcome != ACKED:
                    return
            end_time = ts0 + 100000
            op, _ = self.do("finish_run", dict(ctx, end_time=end_time), "POST", "runs/update",
                            {"run_id": run_id, "status": "FINISHED", "end_time": end_time})
            if op.outcome != ACKED:
                return
            if n % 2 == 0:
                model = "crash-model-%d-%d-%d" % (self.rnd, self.thread, n)
                mtags = [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}, {"key": "c", "value": model}]
                op, _ = self.do("create_model", {"model": model, "tags": mtags}, "POST", "registered-models/create",
                                {"name": model, "tags": mtags, "description": "d-" + model})
                if op.outcome != ACKED:
                    return
                vtags = [{"key": "x", "value": run_id}, {"key": "y", "value": model}]
                op, _ = self.do("create_version", dict(ctx, model=model, tags=vtags), "POST", "model-versions/create",
                                {"name": model, "source": "runs:/%s/model" % run_id, "run_id": run_id,
                                 "tags": vtags, "description": "v-" + model})
                if op.outcome != ACKED:
                    return
            n += 1


class Uploader(threading.Thread):
    """Uploads a few small files (each acknowledged or not), then streams one large PUT slowly
    enough that the kill always comes in the middle of it."""

    def __init__(self, ledger, srv, rnd, root):
        super().__init__(daemon=True)
        self.ledger, self.srv, self.rnd, self.root = ledger, srv, rnd, root
        self.failure = None

    def run(self):
        try:
            self.upload()
        except Exception as e:  # noqa: BLE001
            self.failure = repr(e)

    def upload(self):
        session = requests.Session()
        # small0..2, then big.bin in a small first version that the large PUT replaces.
        for i, name in enumerate(["small%d.bin" % i for i in range(SMALL_FILES)] + ["big.bin"]):
            path = "%s/%s" % (self.root, name)
            op = self.ledger.record("upload", {"round": self.rnd, "path": path, "name": name,
                                               "sha": hashlib.sha256(small_file(self.rnd, i)).hexdigest()})
            send(session, self.srv.base_url, op, "PUT", ARTIFACTS + "/" + path, data=small_file(self.rnd, i))
            if op.outcome != ACKED:
                return
        digest = hashlib.sha256()
        for n in range(BIG_FILE_SIZE // BIG_CHUNK):
            digest.update(big_chunk(n))
        op = self.ledger.record("upload", {"round": self.rnd, "path": path, "name": "big.bin",
                                           "sha": digest.hexdigest()})
        sent = 0
        try:
            sock = socket.create_connection(("127.0.0.1", self.srv.port), timeout=REQUEST_TIMEOUT)
        except OSError as e:
            op.outcome, op.error = NOT_SENT, repr(e)
            return
        try:
            sock.sendall(("PUT %s/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                          "Content-Length: %d\r\n\r\n" % (ARTIFACTS, path, BIG_FILE_SIZE)).encode())
            for n in range(BIG_FILE_SIZE // BIG_CHUNK):
                sock.sendall(big_chunk(n))
                sent += BIG_CHUNK
                time.sleep(0.005)
            status = sock.recv(65536).split(b" ", 2)[1]
            op.status = int(status)
            op.outcome = ACKED if op.status == 200 else FAILED if 400 <= op.status < 500 else UNKNOWN
        except (OSError, IndexError, ValueError) as e:
            op.outcome, op.error = UNKNOWN, "%r after %d bytes" % (e, sent)
        finally:
            op.data["sent"] = sent
            sock.close()


def schema_in_progress(srv):
    """Whether a starting server is inside its schema transaction (SQLite, PostgreSQL: its
    advisory lock is held) or, on MySQL, has created some of the tables but not all."""
    if harness.BACKEND == "sqlite":
        return os.path.exists(srv.db_path + "-wal")
    db = srv.server_database
    if harness.BACKEND == "postgresql":
        out = harness.psql(harness.admin_uri(), "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = "
                                                "l.database WHERE l.locktype = 'advisory' AND d.datname = '%s'" % db)
        return int(out.strip()) > 0
    out = harness.mariadb_cli(harness.admin_uri(), "SELECT count(*) FROM information_schema.tables "
                                                   "WHERE table_schema = '%s'" % db)
    return 2 <= int(out.split("\n", 1)[1].strip()) < 20


def open_write_transactions(srv):
    """Transactions of a server's database sessions that hold write locks (PostgreSQL: on the
    tables the start indexes; MySQL: that have changed rows)."""
    db = srv.server_database
    if harness.BACKEND == "postgresql":
        out = harness.psql(harness.uri_for(db),  # pg_class is the database's own
                           "SELECT count(DISTINCT l.pid) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                           "WHERE l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND "
                           "l.granted AND l.mode = 'RowExclusiveLock' AND c.relname IN ('metrics', 'latest_metrics', "
                           "'runs') AND l.pid <> pg_backend_pid()")
        return int(out.strip())
    out = harness.mariadb_cli(harness.admin_uri(),
                              "SELECT count(*) FROM information_schema.innodb_trx t JOIN information_schema.processlist "
                              "p ON p.id = t.trx_mysql_thread_id WHERE p.db = '%s' AND t.trx_rows_modified > 0" % db)
    return int(out.split("\n", 1)[1].strip())


def schema_of(srv):
    """Tables, columns and indexes of a server's database, comparable across databases."""
    with srv.db() as conn:
        if harness.BACKEND == "sqlite":
            rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()
        elif harness.BACKEND == "postgresql":
            rows = conn.execute(
                "SELECT table_name, column_name, data_type, column_default, is_nullable FROM information_schema.columns "
                "WHERE table_schema = 'public' ORDER BY table_name, column_name").fetchall()
            rows += conn.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                                 "ORDER BY indexname").fetchall()
        else:
            rows = conn.execute(
                "SELECT table_name, column_name, column_type, column_default, is_nullable FROM information_schema.columns "
                "WHERE table_schema = DATABASE() ORDER BY table_name, column_name").fetchall()
            rows += conn.execute(
                "SELECT table_name, index_name, column_name, seq_in_index FROM information_schema.statistics "
                "WHERE table_schema = DATABASE() ORDER BY table_name, index_name, seq_in_index").fetchall()
            rows += conn.execute(
                "SELECT table_name, constraint_name, constraint_type FROM information_schema.table_constraints "
                "WHERE table_schema = DATABASE() ORDER BY table_name, constraint_name").fetchall()
    return [tuple(r) for r in rows]


class CrashSafetyTest(unittest.TestCase):
    maxDiff = 4000
    _reference_schema = None  # schema_of() a database a start without a kill created

    @classmethod
    def reference_schema(cls, srv=None):
        """The schema of a normally created database: `srv`'s (freshly started), or a new server's."""
        if cls._reference_schema is None:
            if srv is not None:
                cls._reference_schema = schema_of(srv)
            else:
                srv = SextantServer().start()
                try:
                    cls._reference_schema = schema_of(srv)
                finally:
                    srv.stop()
                    srv.cleanup()
        return cls._reference_schema

    def setUp(self):
        self.ledger = Ledger()
        self.rng = random.Random(SEED)
        self.first = None
        self.srv = None
        self.problems = []
        self.temp_bytes = {}  # round -> bytes of temp files that cut uploads left on disk

    def tearDown(self):
        if self.srv is not None and self.srv.is_running():
            self.srv.stop()
        if self.first is not None:
            self.first.cleanup()

    # -- servers -------------------------------------------------------------------------------
    def start_server(self):
        """A server on the first one's work dir: same database (file or server database) and
        artifacts directory."""
        if self.first is None:
            self.first = srv = SextantServer()
        else:
            srv = SextantServer(workdir=self.first.workdir)
        started = time.time()
        srv.start()
        self.srv = srv
        return time.time() - started

    def kill_server(self):
        self.srv.proc.kill()  # SIGKILL
        self.srv.proc.wait()
        self.srv.returncode = self.srv.proc.returncode
        self.assertSanitizerClean(self.srv)

    def restart_beside_frozen_server(self):
        """The last round on a database server: the server is frozen (SIGSTOP: its host hangs or
        is cut off; its sessions and open transactions stay on the database), its successor
        starts and writes meanwhile, then the frozen one is killed. Returns (sessions left, start
        time of the successor)."""
        frozen = self.srv
        # Frozen inside a write transaction (else thawed and frozen again a little later).
        for tries in range(1, 41):
            frozen.proc.send_signal(signal.SIGSTOP)
            if open_write_transactions(frozen) or tries == 40:
                break
            frozen.proc.send_signal(signal.SIGCONT)
            time.sleep(0.01)
        try:
            left = dict(self.leftovers(), open_write_transactions=open_write_transactions(frozen), freezes=tries)
            self.assertGreater(left["open_write_transactions"], 0, "never frozen inside a write transaction")
            restart = self.start_server()
            exp = self.ok(harness.api_post("experiments/create", {"name": "beside-frozen-%d" % SEED}, srv=self.srv))
            self.ok(harness.api_post("runs/create", {"experiment_id": exp["experiment_id"]}, srv=self.srv))
        finally:
            frozen.proc.kill()
            frozen.proc.wait()
        self.assertSanitizerClean(frozen)
        return left, restart

    def assertSanitizerClean(self, srv):
        text = srv.stderr_text(limit=200000)
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            self.assertNotIn(marker, text, "sanitizer report from sextant\n" + text[-8000:])

    def leftovers(self):
        """What the killed process left for its successor: SQLite's -wal/-shm files, or the
        database server's sessions on this database."""
        if not harness.SERVER_BACKEND:
            return {s: os.path.exists(self.first.db_path + s) for s in ("-wal", "-shm")}
        db = self.first.server_database
        if harness.BACKEND == "postgresql":
            out = harness.psql(harness.admin_uri(), "SELECT count(*) FROM pg_stat_activity WHERE datname = '%s'" % db)
        else:
            out = harness.mariadb_cli(harness.admin_uri(),
                                      "SELECT count(*) FROM information_schema.processlist WHERE db = '%s'" % db)
            out = out.split("\n", 1)[1]
        return {"sessions": int(out.strip())}

    # -- the test --------------------------------------------------------------------------------
    def test_sigkill_during_concurrent_ingest(self):
        sys.stderr.write("\ncrash safety on %s: SEXTANT_CRASH_SEED=%d\n" % (harness.BACKEND, SEED))
        started = time.time()
        self.start_server()
        reference = self.reference_schema(self.srv)
        experiments = {}
        for rnd in range(ROUNDS):
            experiments[rnd], runs_root = self.prepare_round(rnd)
            kill_after = self.rng.uniform(*KILL_AFTER)
            clients = [Client(self.ledger, self.srv.base_url, rnd, t, experiments[rnd], random.Random(self.rng.random()))
                       for t in range(THREADS)]
            uploader = Uploader(self.ledger, self.srv, rnd, runs_root)
            for c in clients + [uploader]:
                c.start()
            time.sleep(kill_after)
            if harness.SERVER_BACKEND and rnd == ROUNDS - 1:
                left, restart = self.restart_beside_frozen_server()
            else:
                self.kill_server()
                left = self.leftovers()
                if not harness.SERVER_BACKEND:  # the killed process never closed its connections
                    self.assertEqual(left, {"-wal": True, "-shm": True})
                restart = self.start_server()
            for c in clients + [uploader]:
                c.join(REQUEST_TIMEOUT)
                self.assertFalse(c.is_alive(), "a client still runs after the kill")
                self.assertIsNone(c.failure, "client error")
            verify_started = time.time()
            self.verify_round(rnd, experiments[rnd])
            self.replay_unknown(rnd)
            if rnd == ROUNDS - 1:  # every round again (replays included): later kills lose nothing
                for r in range(rnd + 1):
                    self.verify_round(r, experiments[r])
            self.report_round(rnd, kill_after, restart, time.time() - verify_started, left)
        self.assertEqual(schema_of(self.srv), reference)
        if not harness.SERVER_BACKEND:
            with self.srv.db() as conn:
                self.assertEqual(conn.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
        self.assertEqual(self.problems, [], "\n".join(self.problems[:40]))
        self.check_expectations()
        # The last server stops cleanly.
        rc = self.srv.stop()
        self.assertFalse(self.srv.killed, "no exit within the shutdown timeout")
        self.assertEqual(rc, 0, self.srv.stderr_text())
        self.assertSanitizerClean(self.srv)
        unknown = [o for o in self.ledger.ops if o.outcome == UNKNOWN or o.replayed]
        self.assertTrue(unknown, "no request was in flight at any kill: the test proved nothing")
        sys.stderr.write("crash safety on %s: %d rounds, %d requests, %.1f s\n"
                         % (harness.BACKEND, ROUNDS, len(self.ledger.ops), time.time() - started))

    def prepare_round(self, rnd):
        """The round's experiment and the run the uploads go to (both acknowledged)."""
        exp = self.ok(harness.api_post("experiments/create", {"name": "crash-%d-%d" % (SEED, rnd)}, srv=self.srv))
        run = self.ok(harness.api_post("runs/create", {"experiment_id": exp["experiment_id"], "run_name": "uploads"},
                                       srv=self.srv))["run"]["info"]
        uri = run["artifact_uri"]
        self.assertTrue(uri.startswith("mlflow-artifacts:/"), uri)
        return exp["experiment_id"], uri[len("mlflow-artifacts:/"):]

    def replay_unknown(self, rnd):
        """Sends each idempotent request without an answer again, as MLflow's client retries:
        answered as the first time would have been, and the verification after sees it once."""
        session = requests.Session()
        for op in self.ledger.ops:
            if op.data["round"] == rnd and op.outcome == UNKNOWN and op.kind in REPLAYABLE:
                method, path, body = op.request
                op.replayed = True
                send(session, self.srv.base_url, op, method, path, json=body)
                if op.outcome not in (ACKED, FAILED):
                    self.problem(op, "no answer to the replay")

    def ok(self, r):
        self.assertEqual(r.status_code, 200, harness.describe(r))
        return r.json()

    def report_round(self, rnd, kill_after, restart, verify, left):
        counts = {}  # outcomes when the server was killed
        for o in self.ledger.ops:
            if o.data["round"] == rnd:
                outcome = UNKNOWN if o.replayed else o.outcome
                counts[outcome] = counts.get(outcome, 0) + 1
        unknown = ["%s:%s%s" % (o.kind, "present" if o.data.get("at_restart") else "absent",
                                "+replayed" if o.replayed else "")
                   for o in self.ledger.ops if o.data["round"] == rnd and (o.outcome == UNKNOWN or o.replayed)]
        sys.stderr.write("round %d: killed after %.2f s; requests %s; unknown: %s; left behind %s, "
                         "%d bytes of upload temp files; restart %.2f s, check %.2f s\n"
                         % (rnd, kill_after, json.dumps(counts, sort_keys=True), ", ".join(unknown) or "-",
                            left, self.temp_bytes.get(rnd, 0), restart, verify))

    def check_expectations(self):
        """Before the kill every request got its expected answer (no 5xx, no surprise 4xx)."""
        wrong = [o for o in self.ledger.ops
                 if (o.outcome == ACKED and not o.expect_ok) or (o.outcome == FAILED and o.expect_ok)
                 or (o.status is not None and o.status >= 500)]
        self.assertEqual(wrong, [])

    # -- a kill while the first start creates the schema --------------------------------------------
    def test_sigkill_during_schema_creation(self):
        """A server killed while it creates the schema of a new database starts on it again, with
        the schema a start without a kill creates (MySQL commits each CREATE TABLE by itself)."""
        expected = self.reference_schema()
        hits = 0
        for attempt in range(3):
            srv = SextantServer()
            try:
                srv.spawn()
                deadline = time.time() + harness.STARTUP_TIMEOUT
                while not schema_in_progress(srv) and srv.proc.poll() is None and time.time() < deadline:
                    time.sleep(0.002)
                hit = not self.answers(srv)
                srv.proc.kill()
                srv.proc.wait()
                if hit:
                    hits += 1
                again = SextantServer(workdir=srv.workdir)
                again.start()
                try:
                    self.assertEqual(schema_of(again), expected)
                    exp = self.ok(harness.api_post("experiments/create", {"name": "after-kill"}, srv=again))
                    run = self.ok(harness.api_post("runs/create", {"experiment_id": exp["experiment_id"]}, srv=again))
                    run_id = run["run"]["info"]["run_id"]
                    self.ok(harness.api_post("runs/log-batch", {"run_id": run_id, "params": [{"key": "p", "value": "v"}],
                                                                "metrics": [{"key": "m", "value": 1, "timestamp": 1}]},
                                             srv=again))
                    got = self.ok(harness.api_get("runs/get", {"run_id": run_id}, srv=again))["run"]
                    self.assertEqual(harness.params_of(got), {"p": "v"})
                finally:
                    self.assertEqual(again.stop(), 0, again.stderr_text())
            finally:
                srv.cleanup()
            if hits:
                break
        sys.stderr.write("\nkills during schema creation on %s: %d of %d attempts\n" % (harness.BACKEND, hits, attempt + 1))
        self.assertGreater(hits, 0, "the schema was always complete before the kill")

    @unittest.skipUnless(harness.BACKEND == "sqlite", "the kill above reaches this state on MySQL")
    def test_unfinished_schema_creation_is_completed(self):
        """What a start killed on MySQL leaves (alembic_version marked, the last tables missing),
        made by hand without a race: the next start creates what is missing and stamps head."""
        srv = SextantServer().start()
        try:
            expected = schema_of(srv)
            self.assertEqual(srv.stop(), 0, srv.stderr_text())
            with srv.db() as conn:
                for table in ("jobs", "evaluation_dataset_records", "evaluation_dataset_tags", "evaluation_datasets"):
                    conn.execute("DROP TABLE %s" % table)
                conn.execute("UPDATE alembic_version SET version_num = 'sextant-creating'")
            again = SextantServer(workdir=srv.workdir).start()
            try:
                self.assertEqual(schema_of(again), expected)
                with again.db() as conn:
                    self.assertEqual([tuple(r) for r in conn.execute("SELECT version_num FROM alembic_version")],
                                     [("bf29a5ff90ea",)])
            finally:
                self.assertEqual(again.stop(), 0, again.stderr_text())
        finally:
            srv.cleanup()

    @staticmethod
    def answers(srv):
        try:
            return requests.get(srv.base_url + "/health", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    # -- checks ----------------------------------------------------------------------------------
    def problem(self, op, what):
        self.problems.append("%s (%s): %s" % (op, op.data.get("run") or op.data.get("model") or op.data.get("path"), what))

    def judge(self, op, parts_present, parts_total):
        """All-or-nothing for one request: acknowledged -> all parts; unknown -> all or none;
        refused or never sent -> none."""
        op.data["present"] = parts_present == parts_total
        op.data.setdefault("at_restart", op.data["present"])  # before any replay
        if parts_present not in (0, parts_total):
            self.problem(op, "partly present: %d of %d parts" % (parts_present, parts_total))
        elif op.outcome == ACKED and parts_present != parts_total:
            self.problem(op, "acknowledged but absent")
        elif op.outcome in (FAILED, NOT_SENT, PENDING) and parts_present:
            self.problem(op, "present though %s" % op.outcome)

    def verify_round(self, rnd, experiment_id):
        runs = self.search_runs(experiment_id)
        by_name = {r["info"]["run_name"]: r for r in runs}
        creates = {o.data["name"]: o for o in self.ledger.of("create_run", rnd)}
        for name in by_name:
            if name != "uploads" and name not in creates:
                self.problems.append("round %d: run %s was never requested" % (rnd, name))
        for name, op in creates.items():
            run = by_name.get(name)
            present = 0
            if run is not None:
                op.data["run_id"] = run["info"]["run_id"]
                tags = harness.tags_of(run)
                present = 1 + sum(tags.get(t["key"]) == t["value"] for t in op.data["tags"])
                self.assertEqual(run["info"]["start_time"], op.data["ts0"])
            self.judge(op, present, 1 + len(op.data["tags"]))
        present_runs = {op.data["run_id"]: by_name[name] for name, op in creates.items() if name in by_name}
        history = self.histories(list(present_runs), ["k%d" % k for k in range(KEYS)] + ["single", "bad"])
        ops_by_run = {}
        for o in self.ledger.ops:
            if o.data["round"] == rnd and "run_id" in o.data and o.kind != "create_run":
                ops_by_run.setdefault(o.data["run_id"], []).append(o)
        for run_id, run in present_runs.items():
            self.verify_run(run, history.get(run_id, {}), ops_by_run.get(run_id, []))
        self.verify_registry(rnd)
        self.verify_uploads(rnd)

    def verify_run(self, run, history, ops):
        params, tags = harness.params_of(run), harness.tags_of(run)
        listed = [(k, m["step"], m["timestamp"], m["value"]) for k, ms in history.items() for m in ms]
        rows = set(listed)
        if len(rows) != len(listed):
            self.problems.append("run %s: duplicate metric rows" % run["info"]["run_name"])
        expected_rows = set()
        status = None
        for op in ops:
            if op.kind == "log_param":
                self.judge(op, int(params.get("fixed") == "ok"), 1)
            elif op.kind == "batch":
                mine = set(op.data["rows"])
                found = len(mine & rows) + sum(params.get(k) == v for k, v in op.data["params"]) + \
                    sum(tags.get(k) == v for k, v in op.data["tags"])
                self.judge(op, found, len(mine) + len(op.data["params"]) + len(op.data["tags"]))
                if op.data["present"]:
                    expected_rows |= mine
            elif op.kind == "bad_batch":
                b = op.data["b"]
                self.judge(op, int("pbad%d" % b in params) + int("tbad%d" % b in tags), 2)
            elif op.kind == "log_metric":
                step, ts, value = op.data["row"]
                self.judge(op, int(("single", step, ts, value) in rows), 1)
                if op.data["present"]:
                    expected_rows.add(("single", step, ts, value))
            elif op.kind == "set_tag":
                self.judge(op, int(tags.get(op.data["key"]) == op.data["value"]), 1)
            elif op.kind == "finish_run":
                status = op
        # Nothing but what the requests wrote; "fixed" is never changed by a refused batch.
        if rows != expected_rows:
            self.problems.append("run %s: metric rows nobody wrote: %s; missing: %s"
                                 % (run["info"]["run_name"], sorted(rows - expected_rows)[:5],
                                    sorted(expected_rows - rows)[:5]))
        if params.get("fixed", "ok") != "ok":
            self.problems.append("run %s: param fixed = %r" % (run["info"]["run_name"], params.get("fixed")))
        self.verify_latest(run, history)
        info = run["info"]
        finished = (info["status"], info.get("end_time"))
        if status is None or status.outcome in (FAILED, NOT_SENT, PENDING):
            if finished != ("RUNNING", None):
                self.problems.append("run %s: %s without a finishing request" % (info["run_name"], finished))
        else:
            done = finished == ("FINISHED", status.data["end_time"])
            if not done and finished != ("RUNNING", None):
                self.problem(status, "status/end_time mixed: %s" % (finished,))
            self.judge(status, int(done), 1)

    def verify_latest(self, run, history):
        """latest_metrics = per key the row with the greatest (step, timestamp, value)."""
        latest = {m["key"]: (m["step"], m["timestamp"], m["value"]) for m in run["data"].get("metrics", [])}
        expected = {k: max((m["step"], m["timestamp"], m["value"]) for m in ms) for k, ms in history.items() if ms}
        if latest != expected:
            diff = {k: (latest.get(k), expected.get(k)) for k in set(latest) | set(expected)
                    if latest.get(k) != expected.get(k)}
            self.problems.append("run %s: latest_metrics (stored, from history): %s" % (run["info"]["run_name"], diff))

    def verify_registry(self, rnd):
        versions = {o.data["model"]: o for o in self.ledger.of("create_version", rnd)}
        for op in self.ledger.of("create_model", rnd):
            model = op.data["model"]
            r = harness.api_get("registered-models/get", {"name": model}, srv=self.srv)
            present = 0
            if r.status_code == 200:
                m = r.json()["registered_model"]
                tags = harness.as_dict(m.get("tags"))
                present = 1 + int(m.get("description") == "d-" + model) + \
                    sum(tags.get(t["key"]) == t["value"] for t in op.data["tags"])
            elif r.status_code != 404:
                self.problem(op, harness.describe(r))
            self.judge(op, present, 2 + len(op.data["tags"]))
            vop = versions.get(model)
            r = harness.api_get("model-versions/get", {"name": model, "version": "1"}, srv=self.srv)
            if r.status_code not in (200, 404):
                self.problem(op, harness.describe(r))
            if vop is None:
                if r.status_code == 200:
                    self.problem(op, "a version nobody requested")
                continue
            present = 0
            if r.status_code == 200:
                v = r.json()["model_version"]
                tags = harness.as_dict(v.get("tags"))
                present = 1 + int(v.get("description") == "v-" + model) + int(v.get("run_id") == vop.data["run_id"]) + \
                    sum(tags.get(t["key"]) == t["value"] for t in vop.data["tags"])
            self.judge(vop, present, 3 + len(vop.data["tags"]))

    def verify_uploads(self, rnd):
        ops = self.ledger.of("upload", rnd)
        if not ops:
            return
        root = ops[0].data["path"].rsplit("/", 1)[0]
        r = self.srv.request("GET", ARTIFACTS, params={"path": root})
        self.assertEqual(r.status_code, 200, harness.describe(r))
        listed = {f["path"]: f for f in r.json().get("files", [])}
        temp = [p for p in listed if p.startswith(".") or p.endswith(".tmp")]
        if temp:
            self.problems.append("round %d: temp files listed: %s" % (rnd, temp))
        by_name = {}
        for op in ops:
            by_name.setdefault(op.data["name"], []).append(op)
        for name in set(listed) - set(by_name):
            self.problems.append("round %d: listed %s, never uploaded" % (rnd, name))
        for name, puts in by_name.items():
            # The file holds the whole body of one PUT (the last one present); later PUTs absent.
            entry, match = listed.get(name), None
            if entry is not None:
                got = self.srv.request("GET", ARTIFACTS + "/" + puts[0].data["path"])
                sha = hashlib.sha256(got.content).hexdigest() if got.status_code == 200 else None
                match = max((i for i, op in enumerate(puts) if op.data["sha"] == sha), default=None)
                if match is None or int(entry.get("file_size", -1)) != len(got.content):
                    self.problem(puts[-1], "visible but not whole: listed size %s, read %s"
                                 % (entry.get("file_size"), harness.describe(got)[:200]))
            for i, op in enumerate(puts):
                if match is None or i >= match:  # earlier ones were replaced
                    self.judge(op, int(i == match), 1)
        # On disk too: no partial file under a final name (temp files of cut uploads may stay).
        disk = os.path.join(self.srv.artifacts_dir, *root.split("/"))
        self.temp_bytes[rnd] = 0
        for name in os.listdir(disk) if os.path.isdir(disk) else []:
            if name.startswith(".") and name.endswith(".tmp"):
                self.temp_bytes[rnd] += os.path.getsize(os.path.join(disk, name))
            elif name not in listed:
                self.problems.append("round %d: %s on disk but not listed" % (rnd, name))

    def search_runs(self, experiment_id):
        runs, token = [], None
        while True:
            body = {"experiment_ids": [experiment_id], "run_view_type": "ALL", "max_results": 1000}
            if token:
                body["page_token"] = token
            data = self.ok(harness.api_post("runs/search", body, srv=self.srv))
            runs += data.get("runs", [])
            token = data.get("next_page_token")
            if not token:
                return runs

    def histories(self, run_ids, keys):
        """{run_id: {key: [metric, ...]}}: the full history of each key (get-history-bulk)."""
        out = {}
        for i in range(0, len(run_ids), 100):
            chunk = run_ids[i:i + 100]
            for key in keys:
                data = self.ok(harness.api_get("metrics/get-history-bulk",
                                               {"run_id": chunk, "metric_key": key, "max_results": 25000},
                                               prefix=AJAX, srv=self.srv))
                metrics = data.get("metrics", [])
                self.assertLess(len(metrics), 25000)
                for m in metrics:
                    out.setdefault(m["run_id"], {}).setdefault(key, []).append(m)
        return out


if __name__ == "__main__":
    unittest.main()
