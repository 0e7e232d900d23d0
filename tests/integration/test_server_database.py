"""What only a database server can show (SEXTANT_TEST_BACKEND=postgresql or mariadb):

- two Sextant processes on one database serve interleaved requests consistently
  (writes on one are read on the other; concurrent writers to one run and to one metric key);
- the database server stops and restarts while clients log batches: Sextant answers 503
  TEMPORARILY_UNAVAILABLE meanwhile (MLflow's client retries it), recovers by itself, every batch
  that got a 200 is complete in the database afterwards and no batch is half-written.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import harness
from harness import SextantServer, api_get, api_post, now_ms, unique

HERE = os.path.dirname(os.path.abspath(__file__))
DB_SCRIPT = os.path.normpath(os.path.join(HERE, "..", "..", "scripts", "test-db-servers.sh"))

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")

if not harness.SERVER_BACKEND:
    raise unittest.SkipTest("needs SEXTANT_TEST_BACKEND=postgresql or mariadb")


class SextantPair(harness.SextantTestCase):
    """Two servers, one database."""

    @classmethod
    def setUpClass(cls):
        cls.a = SextantServer().start()
        cls.b = SextantServer(backend_store_uri=cls.a.backend_store_uri).start()

    @classmethod
    def tearDownClass(cls):
        stderr = ""
        for s in (cls.b, cls.a):
            s.stop()
            stderr += s.stderr_text()
        cls.b.cleanup()
        cls.a.cleanup()
        for marker in SANITIZER_MARKERS:
            assert marker not in stderr, "sanitizer report from sextant\n" + stderr

    def test_writes_on_one_are_read_on_the_other(self):
        name = unique("exp")
        eid = self.assertOk(api_post("experiments/create", {"name": name}, srv=self.a))["experiment_id"]
        got = self.assertOk(api_get("experiments/get-by-name", {"experiment_name": name}, srv=self.b))
        self.assertEqual(got["experiment"]["experiment_id"], eid)
        run = self.assertOk(api_post("runs/create", {"experiment_id": eid, "start_time": now_ms()},
                                     srv=self.b))["run"]["info"]["run_id"]
        for i in range(20):  # alternate the writer, read back on the other one each time
            w, r = (self.a, self.b) if i % 2 == 0 else (self.b, self.a)
            self.assertOk(api_post("runs/log-batch", {"run_id": run, "metrics": [
                {"key": "m", "value": float(i), "timestamp": 1000 + i, "step": i}],
                "params": [{"key": "p%d" % i, "value": str(i)}]}, srv=w))
            data = self.assertOk(api_get("runs/get", {"run_id": run}, srv=r))["run"]["data"]
            self.assertEqual(len(data["params"]), i + 1)
            self.assertEqual(harness.metrics_of({"data": data})["m"]["step"], i)
        found = self.assertOk(api_post("runs/search", {"experiment_ids": [eid], "filter": "metrics.m = 19"},
                                       srv=self.a))
        self.assertEqual([x["info"]["run_id"] for x in found["runs"]], [run])

    def test_concurrent_writers_on_one_run(self):
        eid = self.assertOk(api_post("experiments/create", {"name": unique("exp")}, srv=self.a))["experiment_id"]
        run = self.assertOk(api_post("runs/create", {"experiment_id": eid, "start_time": now_ms()},
                                     srv=self.a))["run"]["info"]["run_id"]
        errors = []

        def writer(srv, offset):
            try:
                for i in range(40):
                    step = offset + 2 * i
                    r = api_post("runs/log-batch", {"run_id": run, "metrics": [
                        {"key": "shared", "value": float(step), "timestamp": 5000, "step": step},
                        {"key": "own%d" % offset, "value": 1.0, "timestamp": 5000 + i, "step": i}],
                        "tags": [{"key": "t", "value": str(step)}]}, srv=srv)
                    if r.status_code != 200:
                        errors.append(harness.describe(r))
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))

        threads = [threading.Thread(target=writer, args=(s, o)) for s, o in ((self.a, 0), (self.b, 1))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(errors, [])
        for srv in (self.a, self.b):
            run_data = self.assertOk(api_get("runs/get", {"run_id": run}, srv=srv))["run"]["data"]
            latest = harness.metrics_of({"data": run_data})
            self.assertEqual(latest["shared"]["step"], 79)  # the highest step wins, whoever wrote last
            self.assertEqual(latest["own0"]["step"], 39)
            self.assertEqual(latest["own1"]["step"], 39)
            hist = self.assertOk(api_get("metrics/get-history", {"run_id": run, "metric_key": "shared"}, srv=srv))
            self.assertEqual(sorted(m["step"] for m in hist["metrics"]), list(range(80)))

    def test_same_name_from_both_servers_once(self):
        name = unique("race")
        results = []

        def create(srv):
            results.append(api_post("experiments/create", {"name": name}, srv=srv))

        threads = [threading.Thread(target=create, args=(s,)) for s in (self.a, self.b, self.a, self.b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        ok = [r for r in results if r.status_code == 200]
        self.assertEqual(len(ok), 1, [harness.describe(r) for r in results])
        for r in results:
            if r.status_code != 200:
                self.assertEqual(r.status_code, 400, harness.describe(r))
        search = self.assertOk(api_post("experiments/search", {"filter": "name = '%s'" % name,
                                                               "max_results": 10}, srv=self.b))
        self.assertEqual(len(search["experiments"]), 1)


    def test_versions_of_one_model_from_both_servers(self):
        name = unique("rm")
        self.assertOk(api_post("registered-models/create", {"name": name}, srv=self.a))
        run = self.assertOk(api_post("runs/create", {"experiment_id": "0", "start_time": now_ms()},
                                     srv=self.a))["run"]["info"]["run_id"]
        results = []

        def create(srv):
            for _ in range(10):
                results.append(api_post("model-versions/create", {"name": name, "source": "runs:/%s/model" % run,
                                                                   "run_id": run}, srv=srv))

        threads = [threading.Thread(target=create, args=(s,)) for s in (self.a, self.b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        versions = sorted(int(self.assertOk(r)["model_version"]["version"]) for r in results)
        self.assertEqual(versions, list(range(1, 21)))


class DatabaseRestart(harness.SextantTestCase):
    """A private database server (the shared one serves other modules meanwhile)."""

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="sextant-pgfault-")
        self.db_script("start")
        with open(os.path.join(self.root, harness.BACKEND + ".uri")) as f:
            admin = f.read().strip()
        if harness.BACKEND == "postgresql":
            harness.psql(admin, "CREATE DATABASE fault")
        else:
            harness.mariadb_cli(admin, "CREATE DATABASE fault CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        self.db_srv = SextantServer(backend_store_uri=admin.rsplit("/", 1)[0] + "/fault?connect_timeout=2").start()

    def tearDown(self):
        self.db_srv.stop()
        stderr = self.db_srv.stderr_text()
        self.db_srv.cleanup()
        subprocess.run(["bash", DB_SCRIPT, "stop", harness.BACKEND, self.root], capture_output=True, timeout=120)
        shutil.rmtree(self.root, ignore_errors=True)
        for marker in SANITIZER_MARKERS:
            self.assertNotIn(marker, stderr)

    def db_script(self, cmd):
        r = subprocess.run(["bash", DB_SCRIPT, cmd, harness.BACKEND, self.root], capture_output=True, text=True,
                           timeout=120)
        if r.returncode != 0:
            raise RuntimeError("test-db-servers.sh %s failed:\n%s%s" % (cmd, r.stdout, r.stderr))

    def test_stop_and_restart_while_logging(self):
        srv = self.db_srv
        eid = self.assertOk(api_post("experiments/create", {"name": "f"}, srv=srv))[
            "experiment_id"]
        run = self.assertOk(api_post("runs/create", {"experiment_id": eid,
                                                                             "start_time": now_ms()},
                                                              srv=srv))["run"]["info"]["run_id"]
        outcomes = {}  # batch number -> status
        unexpected = []
        stop = threading.Event()
        counter = iter(range(10 ** 6))
        lock = threading.Lock()

        def client():
            while not stop.is_set():
                with lock:
                    n = next(counter)
                metrics = [{"key": "b%d" % n, "value": float(s), "timestamp": 1, "step": s} for s in range(10)]
                try:
                    r = api_post("runs/log-batch", {"run_id": run, "metrics": metrics,
                                                    "params": [{"key": "p%d" % n, "value": "x"}]},
                                 srv=srv, timeout=30)
                except Exception as e:  # noqa: BLE001
                    unexpected.append("batch %d: %r" % (n, e))
                    continue
                outcomes[n] = r.status_code
                if r.status_code == 503:
                    if r.json().get("error_code") != "TEMPORARILY_UNAVAILABLE":
                        unexpected.append(harness.describe(r))
                    time.sleep(0.05)
                elif r.status_code != 200:
                    unexpected.append(harness.describe(r))

        threads = [threading.Thread(target=client) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            time.sleep(1.0)
            self.assertEqual(srv.request("GET", "/ready").status_code, 200)
            self.db_script("pause")
            time.sleep(1.0)
            # Readiness follows the database (liveness does not).
            ready = srv.request("GET", "/ready")
            self.assertEqual(ready.status_code, 503, harness.describe(ready))
            self.assertEqual(ready.json()["error_code"], "TEMPORARILY_UNAVAILABLE")
            self.assertEqual(srv.request("GET", "/health").status_code, 200)
            for path, body in (("runs/get", None), ("experiments/search", {"max_results": 10})):
                r = api_get(path, {"run_id": run}, srv=srv) if body is None else api_post(path, body, srv=srv)
                self.assertEqual(r.status_code, 503, harness.describe(r))  # reads too
                self.assertEqual(r.json()["error_code"], "TEMPORARILY_UNAVAILABLE")
            time.sleep(1.0)
            down_503 = sum(1 for s in outcomes.values() if s == 503)
            self.db_script("resume")
            deadline = time.time() + 30
            recovered_at = None
            while time.time() < deadline:  # the server recovers by itself
                r = api_get("runs/get", {"run_id": run}, srv=srv)
                if r.status_code == 200:
                    recovered_at = time.time()
                    break
                time.sleep(0.1)
            self.assertIsNotNone(recovered_at, "no recovery within 30 s")
            self.assertEqual(srv.request("GET", "/ready").status_code, 200)
            time.sleep(1.0)
        finally:
            stop.set()
            for t in threads:
                t.join(60)
        sys.stderr.write("database restart: %d batches acknowledged, %d refused with 503 (%d while down)\n"
                         % (sum(1 for s in outcomes.values() if s == 200),
                            sum(1 for s in outcomes.values() if s == 503), down_503))
        self.assertEqual(unexpected, [])
        self.assertGreater(down_503, 0, "no 503 while the database was down")
        self.assertGreater(sum(1 for s in outcomes.values() if s == 200), 10)
        # Every acknowledged batch is complete; no batch is half-written.
        conn = harness.ServerDbConnection(srv.backend_store_uri.split("?")[0])
        rows = conn.execute("SELECT key, COUNT(*) AS n FROM metrics WHERE run_uuid = ? GROUP BY key", (run,)).fetchall()
        counts = {k: n for k, n in rows}
        params = {r[0] for r in conn.execute("SELECT key FROM params WHERE run_uuid = ?", (run,)).fetchall()}
        for n, status in outcomes.items():
            got = counts.get("b%d" % n, 0)
            if status == 200:
                self.assertEqual(got, 10, "acknowledged batch %d has %d of 10 metrics" % (n, got))
                self.assertIn("p%d" % n, params)
            else:
                self.assertIn(got, (0, 10), "batch %d half-written" % n)
                self.assertEqual("p%d" % n in params, got == 10)
        # And it goes on working.
        self.assertOk(api_post("runs/log-batch", {"run_id": run, "metrics": [
            {"key": "after", "value": 1.0, "timestamp": 1, "step": 0}]}, srv=srv))


if __name__ == "__main__":
    unittest.main()
