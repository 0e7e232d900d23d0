"""Integration-test harness for the Sextant tracking server.

Starts the real ``sextant`` binary on a free port with a private temp dir, waits for
``GET /health``, and offers small HTTP helpers that talk to it like an MLflow client.

Usage in a test module::

    import harness
    from harness import setUpModule, tearDownModule  # noqa: F401  (module-wide server)

    class T(harness.SextantTestCase):
        def test_x(self):
            r = harness.api_get("experiments/get", {"experiment_id": "0"})
            ...

Environment:
    SEXTANT_BIN        path of the server binary (default: <repo>/build/sextant)
    SEXTANT_TEST_BACKEND  sqlite (default), postgresql or mariadb: which database each started
                       server gets (with a server, a fresh database per Sextant on the test server)
    SEXTANT_TEST_PG_URI / SEXTANT_TEST_MY_URI   admin URI of the test server (a user that may
                       CREATE DATABASE), or SEXTANT_TEST_DB_ROOT: the folder where
                       scripts/test-db-servers.sh wrote postgresql.uri / mariadb.uri
    SEXTANT_KEEP_TMP   if set, temp dirs are not removed (paths are printed)
    SEXTANT_ECHO_LOG   if set, the server's stderr is printed when it stops
"""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
import uuid

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_BIN = os.path.normpath(os.path.join(HERE, "..", "..", "build", "sextant"))
SEXTANT_BIN = os.environ.get("SEXTANT_BIN") or DEFAULT_BIN

API = "/api/2.0/mlflow"
AJAX = "/ajax-api/2.0/mlflow"
ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts"
AJAX_ARTIFACTS = "/ajax-api/2.0/mlflow-artifacts/artifacts"

STARTUP_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
REQUEST_TIMEOUT = 120.0

DBL_MAX = sys.float_info.max  # 1.7976931348623157e308


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def now_ms():
    return int(time.time() * 1000)


def unique(prefix="it"):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


class ServerStartError(RuntimeError):
    pass


# ----------------------------------------------------------------------------------------
# Backends: which database a started server gets
# ----------------------------------------------------------------------------------------
BACKEND = os.environ.get("SEXTANT_TEST_BACKEND", "sqlite")
if BACKEND not in ("sqlite", "postgresql", "mariadb"):
    raise RuntimeError("SEXTANT_TEST_BACKEND must be sqlite, postgresql or mariadb, not %r" % BACKEND)
SERVER_BACKEND = BACKEND != "sqlite"  # a database server: each started Sextant gets its own database


def admin_uri():
    """The test database server's admin URI (a user that may CREATE DATABASE)."""
    uri = os.environ.get("SEXTANT_TEST_PG_URI" if BACKEND == "postgresql" else "SEXTANT_TEST_MY_URI")
    root = os.environ.get("SEXTANT_TEST_DB_ROOT")
    if not uri and root and os.path.exists(os.path.join(root, BACKEND + ".uri")):
        with open(os.path.join(root, BACKEND + ".uri")) as f:
            uri = f.read().strip()
    if not uri:
        raise RuntimeError("SEXTANT_TEST_BACKEND=%s needs SEXTANT_TEST_PG_URI / SEXTANT_TEST_MY_URI or "
                           "SEXTANT_TEST_DB_ROOT (scripts/test-db-servers.sh start %s ROOT)" % (BACKEND, BACKEND))
    return uri


def uri_for(database):
    head, _, query = admin_uri().partition("?")
    head = head.rsplit("/", 1)[0] + "/" + database
    return head + ("?" + query if query else "")


def psql(uri, sql):
    """Runs SQL through the psql client; returns its stdout."""
    r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", uri, "-c", sql],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("psql failed: %s\n%s" % (sql, r.stderr))
    return r.stdout


def mariadb_cli(uri, sql):
    """Runs SQL through the mariadb client (batch mode, raw values); returns its stdout."""
    u = urllib.parse.urlsplit(uri)
    env = dict(os.environ, MYSQL_PWD=urllib.parse.unquote(u.password or ""))
    r = subprocess.run(["mariadb", "--no-defaults", "--batch", "--raw", "-h", u.hostname, "-P", str(u.port or 3306),
                        "-u", urllib.parse.unquote(u.username or ""), u.path.lstrip("/"), "-e", sql],
                       capture_output=True, text=True, timeout=60, env=env)
    if r.returncode != 0:
        raise RuntimeError("mariadb failed: %s\n%s" % (sql, r.stderr))
    return r.stdout


def create_database():
    name = "sx_" + uuid.uuid4().hex[:16]
    if BACKEND == "postgresql":
        psql(admin_uri(), "CREATE DATABASE %s" % name)
    else:
        mariadb_cli(admin_uri(), "CREATE DATABASE %s CHARACTER SET utf8mb4 COLLATE utf8mb4_bin" % name)
    return name


def drop_database(name):
    try:
        if BACKEND == "postgresql":
            psql(admin_uri(), "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
        else:
            mariadb_cli(admin_uri(), "DROP DATABASE IF EXISTS %s" % name)
    except Exception as e:  # noqa: BLE001 (cleanup is best effort; the test server is wiped anyway)
        sys.stderr.write("could not drop test database %s: %s\n" % (name, e))


def _sql_literal(v, mysql=False):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        return repr(v)
    text = str(v).replace("'", "''")
    if mysql:  # a backslash escapes in MySQL's string literals
        text = text.replace("\\", "\\\\")
    return "'" + text + "'"


class Row(tuple):
    """A result row: by index like a tuple, by column name like sqlite3.Row."""

    def __new__(cls, keys, values):
        row = super().__new__(cls, values)
        row._keys = list(keys)
        return row

    def keys(self):
        return list(self._keys)

    def __getitem__(self, item):
        if isinstance(item, str):
            return tuple.__getitem__(self, self._keys.index(item))
        return tuple.__getitem__(self, item)


class _Rows:
    def __init__(self, rows):
        self._rows = rows

    def fetchone(self):
        return self._rows[0] if self._rows else None

    def fetchall(self):
        return list(self._rows)

    def __iter__(self):
        return iter(self._rows)


class ServerDbConnection:
    """The little of sqlite3's connection API the tests use, over the psql or mariadb client:
    execute(sql, params) with '?' placeholders; SELECTs come back typed (through JSON built by
    the server) as Row objects."""

    def __init__(self, uri):
        self.uri = uri
        self.row_factory = None
        self.mysql = uri.startswith("mysql")

    def execute(self, sql, params=()):
        parts = sql.split("?")
        if len(parts) - 1 != len(params):
            raise ValueError("%d placeholders, %d parameters" % (len(parts) - 1, len(params)))
        text = parts[0] + "".join(_sql_literal(p, self.mysql) + rest for p, rest in zip(params, parts[1:]))
        run = mariadb_cli if self.mysql else psql
        if self.mysql:  # the column `key` is a reserved word there
            text = re.sub(r"\bkey\b", "`key`", text)
        if not text.lstrip().upper().startswith("SELECT"):
            run(self.uri, text)
            return _Rows([])
        if self.mysql:  # column names from a first run's header (no output: no rows)
            header = run(self.uri, "SELECT * FROM (%s) t" % text).split("\n", 1)[0]
            if not header:
                return _Rows([])
            names = header.split("\t")
            pairs = ", ".join("'%s', t.`%s`" % (n, n) for n in names)
            out = run(self.uri, "SELECT JSON_ARRAYAGG(JSON_OBJECT(%s)) FROM (%s) t" % (pairs, text))
            out = out.split("\n", 1)[1].strip() if "\n" in out else ""
        else:
            out = psql(self.uri, "SELECT json_agg(t) FROM (%s) t" % text).strip()
        data = json.loads(out) if out and out != "NULL" else None
        if not data:
            return _Rows([])
        # Each row object keeps the column order.
        return _Rows([Row(obj.keys(), obj.values()) for obj in data])

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class SextantServer:
    """One server process with its own temp dir (DB + artifacts destination)."""

    def __init__(self, workdir=None, extra_args=(), db_path=None, artifacts_dir=None,
                 backend_store_uri=None, port=None, env=None):
        self._own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="sextant-it-")
        self.db_path = db_path or os.path.join(self.workdir, "mlflow.db")
        self.artifacts_dir = artifacts_dir or os.path.join(self.workdir, "mlartifacts")
        self.server_database = None
        if backend_store_uri is None and db_path is None and SERVER_BACKEND:
            # One database per work dir, so a server restarted on the same dir finds its data.
            marker = os.path.join(self.workdir, "server-database")
            if os.path.exists(marker):
                with open(marker) as f:
                    self.server_database = f.read().strip()
            else:
                self.server_database = create_database()
                with open(marker, "w") as f:
                    f.write(self.server_database)
            backend_store_uri = uri_for(self.server_database)
        self.backend_store_uri = backend_store_uri or ("sqlite:///" + self.db_path)
        self.extra_args = list(extra_args)
        self.fixed_port = port
        self.port = None
        self.proc = None
        self.env = env
        self.killed = False
        self.returncode = None
        self.stdout_path = None
        self.stderr_path = None

    # -- process control -------------------------------------------------------------
    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self.port

    def command(self):
        extra = [a.replace("{workdir}", self.workdir) for a in self.extra_args]
        return [SEXTANT_BIN, "server", "--host", "127.0.0.1", "--port", str(self.port),
                "--backend-store-uri", self.backend_store_uri,
                "--artifacts-destination", self.artifacts_dir] + extra

    def spawn(self):
        """Start the process without waiting for readiness."""
        if not os.path.exists(SEXTANT_BIN):
            raise ServerStartError("server binary not found: %s (set SEXTANT_BIN)" % SEXTANT_BIN)
        self.port = self.fixed_port or free_port()
        tag = uuid.uuid4().hex[:8]
        self.stdout_path = os.path.join(self.workdir, "server-%s.stdout" % tag)
        self.stderr_path = os.path.join(self.workdir, "server-%s.stderr" % tag)
        env = dict(os.environ)
        # Never reach for the EC2 metadata address from a test (the credential chain's last link).
        env.setdefault("AWS_EC2_METADATA_DISABLED", "true")
        if self.env:
            env.update(self.env)
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(self.command(), stdout=out, stderr=err,
                                         stdin=subprocess.DEVNULL, env=env)
        self.killed = False
        self.returncode = None
        return self.proc

    def start(self, timeout=STARTUP_TIMEOUT, attempts=3):
        last = None
        for _ in range(attempts):
            self.spawn()
            try:
                self.wait_ready(timeout)
                return self
            except ServerStartError as e:
                last = e
                text = self.stderr_text().lower()
                # Port race with another module: retry on a new port.
                if self.proc.poll() is not None and ("address" in text or "bind" in text
                                                     or "in use" in text):
                    continue
                self.stop()
                raise
        raise last

    def wait_ready(self, timeout=STARTUP_TIMEOUT):
        deadline = time.time() + timeout
        while time.time() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                self.returncode = rc
                raise ServerStartError(
                    "sextant exited early with code %s\ncommand: %s\n--- stderr ---\n%s\n"
                    "--- stdout ---\n%s" % (rc, " ".join(self.command()), self.stderr_text(),
                                            self.stdout_text()))
            try:
                r = requests.get(self.base_url + "/health", timeout=2)
                if r.status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        self.stop()
        raise ServerStartError("sextant did not answer GET /health with 200 within %.0fs\n"
                               "--- stderr ---\n%s" % (timeout, self.stderr_text()))

    def wait_exit(self, timeout):
        """Wait for the process to exit by itself; returns its return code or None."""
        try:
            self.returncode = self.proc.wait(timeout=timeout)
            return self.returncode
        except subprocess.TimeoutExpired:
            return None

    def is_running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM, wait up to `timeout` s, then SIGKILL. Returns the return code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.killed = True
                self.proc.kill()
                self.proc.wait()
        self.returncode = self.proc.returncode
        if os.environ.get("SEXTANT_ECHO_LOG"):
            sys.stderr.write("--- sextant stderr ---\n%s\n" % self.stderr_text())
        return self.returncode

    def db(self):
        """A connection to this server's database (sqlite3, or ServerDbConnection)."""
        if not self.backend_store_uri.startswith("sqlite:"):
            return ServerDbConnection(self.backend_store_uri)
        import sqlite3
        conn = sqlite3.connect(self.db_path, timeout=30)
        conn.execute("PRAGMA busy_timeout = 30000")
        return conn

    def cleanup(self):
        if self._own_workdir and not os.environ.get("SEXTANT_KEEP_TMP"):
            if self.server_database:
                drop_database(self.server_database)
            shutil.rmtree(self.workdir, ignore_errors=True)
        elif os.environ.get("SEXTANT_KEEP_TMP"):
            sys.stderr.write("kept sextant temp dir: %s\n" % self.workdir)

    def _read(self, path, limit):
        if not path or not os.path.exists(path):
            return ""
        with open(path, "rb") as f:
            data = f.read()
        if len(data) > limit:
            data = b"...[truncated]...\n" + data[-limit:]
        return data.decode("utf-8", "replace")

    def stderr_text(self, limit=8000):
        return self._read(self.stderr_path, limit)

    def stdout_text(self, limit=4000):
        return self._read(self.stdout_path, limit)

    # -- HTTP helpers ------------------------------------------------------------------
    def url(self, path):
        return self.base_url + path

    def request(self, method, path, **kw):
        kw.setdefault("timeout", REQUEST_TIMEOUT)
        return _session().request(method, self.url(path), **kw)

    def raw_request(self, method, path, body=None, headers=None, timeout=60):
        """Send `path` verbatim (no client-side normalisation of dot segments / escapes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            hdrs = dict(headers or {})
            if body is not None:
                hdrs.setdefault("Content-Length", str(len(body)))
            elif method in ("PUT", "POST"):
                hdrs.setdefault("Content-Length", "0")
            for k, v in hdrs.items():
                conn.putheader(k, v)
            conn.endheaders()
            if body is not None:
                conn.send(body)
            resp = conn.getresponse()
            data = resp.read()
            return RawResponse(resp.status, dict((k.lower(), v) for k, v in resp.getheaders()),
                               data)
        finally:
            conn.close()


class RawResponse:
    def __init__(self, status, headers, body):
        self.status_code = status
        self.headers = headers
        self.content = body
        self.text = body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.text)


_tls = threading.local()


def _session():
    s = getattr(_tls, "session", None)
    if s is None:
        s = requests.Session()
        _tls.session = s
    return s


def new_session():
    return requests.Session()


# ----------------------------------------------------------------------------------------
# Module-wide server (used via `from harness import setUpModule, tearDownModule`)
# ----------------------------------------------------------------------------------------
SERVER = None
# Extra server arguments for the module-wide server ("{workdir}" = the server's temp dir); a test
# module sets this before its tests run.
SERVER_ARGS = []


def server():
    if SERVER is None:
        raise RuntimeError("module server not started (import setUpModule from harness)")
    return SERVER


def setUpModule():  # noqa: N802 (unittest hook name)
    global SERVER
    SERVER = SextantServer(extra_args=SERVER_ARGS)
    try:
        SERVER.start()
    except Exception:
        SERVER.cleanup()
        SERVER = None
        raise


def tearDownModule():  # noqa: N802
    global SERVER
    srv, SERVER = SERVER, None
    if srv is None:
        return
    crashed = srv.proc is not None and srv.proc.poll() is not None
    rc = srv.stop()
    stderr = srv.stderr_text()
    srv.cleanup()
    if crashed:
        raise AssertionError("sextant exited during the tests (code %s)\n--- stderr ---\n%s"
                             % (rc, stderr))
    if srv.killed:
        raise AssertionError("sextant did not exit within %ss of SIGTERM\n--- stderr ---\n%s"
                             % (STOP_TIMEOUT, stderr))
    # Under the sanitizers (CI), any report from the server fails the module, as does an
    # unclean exit after SIGTERM.
    for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
        if marker in stderr:
            raise AssertionError("sanitizer report from sextant\n--- stderr ---\n%s" % stderr)
    if rc not in (0, None):
        raise AssertionError("sextant exited with code %s after SIGTERM\n--- stderr ---\n%s" % (rc, stderr))


def _prefixed(path, prefix):
    if path.startswith("/"):
        return path
    return prefix + "/" + path


def api_post(path, body=None, prefix=API, srv=None, **kw):
    """POST a JSON body to /api/2.0/mlflow/<path> (or an absolute path)."""
    srv = srv or server()
    return srv.request("POST", _prefixed(path, prefix), json={} if body is None else body, **kw)


def api_get(path, params=None, prefix=API, srv=None, **kw):
    srv = srv or server()
    return srv.request("GET", _prefixed(path, prefix), params=params, **kw)


def api_request(method, path, prefix=API, srv=None, **kw):
    srv = srv or server()
    return srv.request(method, _prefixed(path, prefix), **kw)


def ajax_post(path, body=None, **kw):
    return api_post(path, body, prefix=AJAX, **kw)


def ajax_get(path, params=None, **kw):
    return api_get(path, params, prefix=AJAX, **kw)


def raw_request(method, path, body=None, headers=None, srv=None, timeout=60):
    return (srv or server()).raw_request(method, path, body=body, headers=headers,
                                         timeout=timeout)


def is_json(resp):
    try:
        json.loads(resp.text)
        return True
    except ValueError:
        return False


def describe(resp):
    body = resp.text
    if len(body) > 1500:
        body = body[:1500] + "...[truncated]"
    req = getattr(resp, "request", None)
    where = ""
    if req is not None:
        where = "%s %s -> " % (req.method, req.url)
    return "%sHTTP %s: %s" % (where, resp.status_code, body)


# ----------------------------------------------------------------------------------------
# Base test case with assertion helpers and entity factories
# ----------------------------------------------------------------------------------------
class SextantTestCase(unittest.TestCase):
    maxDiff = 4000

    @property
    def srv(self):
        return server()

    # assertions ------------------------------------------------------------------------
    def assertOk(self, resp, msg=None):
        """Assert HTTP 200 with a JSON object body; returns the parsed body."""
        if resp.status_code != 200:
            self.fail((msg + ": " if msg else "") + "expected 200, got " + describe(resp))
        text = resp.text
        if text.strip() == "":
            return {}
        try:
            data = json.loads(text)
        except ValueError:
            self.fail("expected a JSON body, got " + describe(resp))
        self.assertIsInstance(data, dict, describe(resp))
        return data

    def assertError(self, resp, status, code, message=None, msg=None):
        """Assert an error response: HTTP `status`, JSON body with error_code `code`
        (a string or a tuple of acceptable codes) and optionally a message substring."""
        prefix = (msg + ": ") if msg else ""
        if isinstance(status, (tuple, list, set)):
            if resp.status_code not in status:
                self.fail("%sexpected HTTP %s, got %s" % (prefix, status, describe(resp)))
        elif resp.status_code != status:
            self.fail("%sexpected HTTP %s, got %s" % (prefix, status, describe(resp)))
        try:
            data = json.loads(resp.text)
        except ValueError:
            self.fail("%sexpected a JSON error body, got %s" % (prefix, describe(resp)))
        self.assertIsInstance(data, dict, prefix + describe(resp))
        codes = code if isinstance(code, (tuple, list, set)) else (code,)
        if data.get("error_code") not in codes:
            self.fail("%sexpected error_code %s, got %s" % (prefix, "/".join(codes),
                                                             describe(resp)))
        self.assertIn("message", data, prefix + describe(resp))
        if message is not None:
            msgs = message if isinstance(message, (tuple, list)) else (message,)
            for m in msgs:
                if m not in data.get("message", ""):
                    self.fail("%sexpected message containing %r, got %s"
                              % (prefix, m, describe(resp)))
        return data

    def assertBadParam(self, resp, message=None, msg=None):
        return self.assertError(resp, 400, "INVALID_PARAMETER_VALUE", message, msg)

    def assertNotFound(self, resp, message=None, msg=None):
        return self.assertError(resp, 404, "RESOURCE_DOES_NOT_EXIST", message, msg)

    def assertNot5xx(self, resp, msg=None):
        if resp.status_code >= 500:
            self.fail((msg + ": " if msg else "") + "got a 5xx: " + describe(resp))

    # factories -------------------------------------------------------------------------
    def create_experiment(self, name=None, **fields):
        body = {"name": name or unique("exp")}
        body.update(fields)
        data = self.assertOk(api_post("experiments/create", body), "create experiment")
        eid = data["experiment_id"]
        self.assertIsInstance(eid, str)
        return eid

    def get_experiment(self, experiment_id):
        return self.assertOk(api_get("experiments/get", {"experiment_id": experiment_id}))[
            "experiment"]

    def create_run(self, experiment_id="0", **fields):
        body = {"experiment_id": experiment_id, "start_time": now_ms(), "user_id": "tester"}
        body.update(fields)
        return self.assertOk(api_post("runs/create", body), "create run")["run"]

    def create_run_id(self, experiment_id="0", **fields):
        return self.create_run(experiment_id, **fields)["info"]["run_id"]

    def get_run(self, run_id):
        return self.assertOk(api_get("runs/get", {"run_id": run_id}), "get run")["run"]

    def log_metric(self, run_id, key, value, timestamp=None, step=None, check=True):
        body = {"run_id": run_id, "key": key, "value": value,
                "timestamp": now_ms() if timestamp is None else timestamp}
        if step is not None:
            body["step"] = step
        r = api_post("runs/log-metric", body)
        if check:
            self.assertOk(r, "log-metric")
        return r

    def log_param(self, run_id, key, value, check=True):
        r = api_post("runs/log-parameter", {"run_id": run_id, "key": key, "value": value})
        if check:
            self.assertOk(r, "log-parameter")
        return r

    def set_tag(self, run_id, key, value, check=True):
        r = api_post("runs/set-tag", {"run_id": run_id, "key": key, "value": value})
        if check:
            self.assertOk(r, "set-tag")
        return r

    def log_batch(self, run_id, metrics=(), params=(), tags=(), check=True):
        body = {"run_id": run_id}
        if metrics:
            body["metrics"] = list(metrics)
        if params:
            body["params"] = list(params)
        if tags:
            body["tags"] = list(tags)
        r = api_post("runs/log-batch", body)
        if check:
            self.assertOk(r, "log-batch")
        return r

    def delete_run(self, run_id):
        self.assertOk(api_post("runs/delete", {"run_id": run_id}), "delete run")

    def delete_experiment(self, experiment_id):
        self.assertOk(api_post("experiments/delete", {"experiment_id": experiment_id}),
                      "delete experiment")


def as_dict(kvs):
    """[{key, value}, ...] -> {key: value}"""
    return {kv["key"]: kv.get("value") for kv in (kvs or [])}


def metrics_of(run):
    return {m["key"]: m for m in run.get("data", {}).get("metrics", [])}


def params_of(run):
    return as_dict(run.get("data", {}).get("params"))


def tags_of(run):
    return as_dict(run.get("data", {}).get("tags"))


RUN_ID_RE = re.compile(r"^[0-9a-f]{32}$")


# -- raw HTTP on a socket (connection and framing tests) --------------------------------------------
def read_http_response(sock, timeout=10):
    """One final response (Content-Length bodies; interim 1xx skipped) from a raw socket:
    (status, {lower-case header: value}, body); None when the server closed or reset first."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data or re.match(rb"HTTP/1\.[01] 1\d\d ", data):
        if b"\r\n\r\n" in data:  # an interim response: skip it
            data = data.partition(b"\r\n\r\n")[2]
            continue
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, socket.timeout):
            return None
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def metric_samples(text, name):
    """{labels-string: value} of one metric in Prometheus text format ("" = no labels)."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"^%s(\{[^}]*\})? (\S+)$" % re.escape(name), line)
        if m:
            out[m.group(1) or ""] = float(m.group(2))
    return out
