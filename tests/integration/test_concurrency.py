"""Concurrency: many clients at once never get a 5xx and all data is readable afterwards
(spec §1.5 "return 4xx for client mistakes", §5.6 latest_metrics maintenance)."""

import threading
import unittest

import harness
from harness import now_ms, unique, metrics_of, params_of, tags_of
from harness import setUpModule, tearDownModule  # noqa: F401

THREADS = 16
RUNS_PER_THREAD = 3
BATCHES_PER_RUN = 4
METRICS_PER_BATCH = 50


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.server_errors = []
        self.other_errors = []
        self.count = 0

    def record(self, what, r):
        with self.lock:
            self.count += 1
            if r.status_code >= 500:
                self.server_errors.append("%s -> %s" % (what, harness.describe(r)))
            elif r.status_code != 200:
                self.other_errors.append("%s -> %s" % (what, harness.describe(r)))


def run_threads(target, n=THREADS):
    barrier = threading.Barrier(n)
    errors = []

    def wrapper(i):
        try:
            barrier.wait(timeout=30)
            target(i)
        except Exception as e:  # noqa: BLE001
            errors.append("thread %d: %r" % (i, e))

    threads = [threading.Thread(target=wrapper, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


class TestConcurrency(harness.SextantTestCase):
    def url(self, path):
        return self.srv.url(harness.API + "/" + path)

    def test_parallel_runs_and_batches(self):
        exp = self.create_experiment(unique("conc"))
        rec = Recorder()
        created = {}  # thread -> [run ids]

        def work(i):
            s = harness.new_session()
            mine = []
            for j in range(RUNS_PER_THREAD):
                r = s.post(self.url("runs/create"), json={
                    "experiment_id": exp, "start_time": now_ms(), "run_name": "t%d-r%d" % (i, j),
                    "tags": [{"key": "thread", "value": str(i)}]}, timeout=60)
                rec.record("create", r)
                if r.status_code != 200:
                    continue
                rid = r.json()["run"]["info"]["run_id"]
                mine.append(rid)
                for b in range(BATCHES_PER_RUN):
                    metrics = [{"key": "m%d" % (k % 5), "value": float(b * 1000 + k),
                                "timestamp": 1000 + b, "step": b * METRICS_PER_BATCH + k}
                               for k in range(METRICS_PER_BATCH)]
                    params = [{"key": "p%d_%d" % (b, k), "value": "v%d" % k} for k in range(5)]
                    tags = [{"key": "tag%d" % b, "value": "x"}]
                    r = s.post(self.url("runs/log-batch"), json={
                        "run_id": rid, "metrics": metrics, "params": params, "tags": tags},
                        timeout=60)
                    rec.record("log-batch", r)
                r = s.post(self.url("runs/log-metric"), json={
                    "run_id": rid, "key": "single", "value": 1.0, "timestamp": 5, "step": 0},
                    timeout=60)
                rec.record("log-metric", r)
                r = s.post(self.url("runs/log-parameter"), json={
                    "run_id": rid, "key": "p0_0", "value": "different"}, timeout=60)
                # changing a param must be a 400, never a 5xx
                with rec.lock:
                    rec.count += 1
                    if r.status_code >= 500:
                        rec.server_errors.append("log-parameter change -> " + harness.describe(r))
                    elif r.status_code != 400:
                        rec.other_errors.append("param change not rejected: " +
                                                harness.describe(r))
                r = s.get(self.url("runs/get"), params={"run_id": rid}, timeout=60)
                rec.record("get", r)
                r = s.post(self.url("runs/search"), json={"experiment_ids": [exp],
                                                          "max_results": 10}, timeout=60)
                rec.record("search", r)
                r = s.post(self.url("runs/update"), json={"run_id": rid, "status": "FINISHED",
                                                          "end_time": now_ms()}, timeout=60)
                rec.record("update", r)
            created[i] = mine

        errors = run_threads(work)
        self.assertEqual(errors, [])
        self.assertEqual(rec.server_errors, [], "\n".join(rec.server_errors[:10]))
        self.assertEqual(rec.other_errors, [], "\n".join(rec.other_errors[:10]))
        self.assertTrue(self.srv.is_running())

        all_ids = [rid for ids in created.values() for rid in ids]
        self.assertEqual(len(all_ids), THREADS * RUNS_PER_THREAD)
        self.assertEqual(len(set(all_ids)), len(all_ids))

        # everything readable and complete afterwards
        n_steps = BATCHES_PER_RUN * METRICS_PER_BATCH
        for i, ids in created.items():
            for rid in ids:
                run = self.get_run(rid)
                self.assertEqual(run["info"]["status"], "FINISHED")
                self.assertEqual(tags_of(run)["thread"], str(i))
                params = params_of(run)
                self.assertEqual(len(params), BATCHES_PER_RUN * 5)
                self.assertEqual(params["p0_0"], "v0")
                ms = metrics_of(run)
                self.assertEqual(set(ms), {"m0", "m1", "m2", "m3", "m4", "single"})
                # latest = greatest step: last batch, k = 45..49
                last_b = BATCHES_PER_RUN - 1
                for k in range(45, 50):
                    m = ms["m%d" % (k % 5)]
                    self.assertEqual(m["step"], last_b * METRICS_PER_BATCH + k)
                    self.assertEqual(m["value"], float(last_b * 1000 + k))
                h = self.assertOk(harness.api_get("metrics/get-history", {
                    "run_id": rid, "metric_key": "m0", "max_results": 25000}))["metrics"]
                self.assertEqual(len(h), n_steps // 5)

        data = self.assertOk(harness.api_post("runs/search", {"experiment_ids": [exp],
                                                             "max_results": 1000}))
        self.assertEqual(len(data["runs"]), THREADS * RUNS_PER_THREAD)

    def test_parallel_logging_into_one_run(self):
        rid = self.create_run_id(self.create_experiment(unique("conc1")))
        rec = Recorder()

        def work(i):
            s = harness.new_session()
            for k in range(10):
                r = s.post(self.url("runs/log-metric"), json={
                    "run_id": rid, "key": "shared", "value": float(i * 100 + k),
                    "timestamp": 1000 + k, "step": i * 10 + k}, timeout=60)
                rec.record("log-metric", r)
            r = s.post(self.url("runs/log-batch"), json={
                "run_id": rid, "params": [{"key": "tp%d" % i, "value": str(i)}],
                "tags": [{"key": "shared-tag", "value": str(i)}]}, timeout=60)
            rec.record("log-batch", r)

        errors = run_threads(work)
        self.assertEqual(errors, [])
        self.assertEqual(rec.server_errors, [], "\n".join(rec.server_errors[:10]))
        self.assertEqual(rec.other_errors, [], "\n".join(rec.other_errors[:10]))
        run = self.get_run(rid)
        latest = metrics_of(run)["shared"]
        self.assertEqual(latest["step"], (THREADS - 1) * 10 + 9)
        self.assertEqual(latest["value"], float((THREADS - 1) * 100 + 9))
        self.assertEqual(len(params_of(run)), THREADS)
        self.assertIn(tags_of(run)["shared-tag"], {str(i) for i in range(THREADS)})
        h = self.assertOk(harness.api_get("metrics/get-history", {
            "run_id": rid, "metric_key": "shared", "max_results": 25000}))["metrics"]
        self.assertEqual(len(h), THREADS * 10)

    def test_parallel_conflicting_params(self):
        rid = self.create_run_id(self.create_experiment(unique("conc2")))
        results = []
        lock = threading.Lock()

        def work(i):
            s = harness.new_session()
            r1 = s.post(self.url("runs/log-parameter"), json={
                "run_id": rid, "key": "contended", "value": "v%d" % i}, timeout=60)
            r2 = s.post(self.url("runs/log-batch"), json={
                "run_id": rid, "params": [{"key": "batch-contended", "value": "b%d" % i}]},
                timeout=60)
            with lock:
                results.append((i, r1, r2))

        errors = run_threads(work)
        self.assertEqual(errors, [])
        for field, key, fmt in ((1, "contended", "v%d"), (2, "batch-contended", "b%d")):
            winners = [i for i, *rs in results if rs[field - 1].status_code == 200]
            self.assertEqual(len(winners), 1, [harness.describe(rs[field - 1])
                                               for _, *rs in results])
            for i, *rs in results:
                r = rs[field - 1]
                if r.status_code != 200:
                    # §2.3: INVALID_PARAMETER_VALUE; a DB integrity error maps to BAD_REQUEST
                    self.assertError(r, 400, ("INVALID_PARAMETER_VALUE", "BAD_REQUEST"))
            self.assertEqual(params_of(self.get_run(rid))[key], fmt % winners[0])

    def test_parallel_create_same_experiment_name(self):
        name = unique("race")
        results = []
        lock = threading.Lock()

        def work(i):
            s = harness.new_session()
            r = s.post(self.url("experiments/create"), json={"name": name}, timeout=60)
            with lock:
                results.append(r)

        errors = run_threads(work)
        self.assertEqual(errors, [])
        ok = [r for r in results if r.status_code == 200]
        self.assertEqual(len(ok), 1, [harness.describe(r) for r in results])
        for r in results:
            if r.status_code != 200:
                self.assertError(r, 400, "RESOURCE_ALREADY_EXISTS")
        exp = self.assertOk(harness.api_get("experiments/get-by-name",
                                            {"experiment_name": name}))["experiment"]
        self.assertEqual(exp["experiment_id"], ok[0].json()["experiment_id"])

    def test_parallel_experiments_and_reads(self):
        rec = Recorder()
        ids = []
        lock = threading.Lock()

        def work(i):
            s = harness.new_session()
            for k in range(5):
                r = s.post(self.url("experiments/create"),
                           json={"name": unique("pe%d" % i)}, timeout=60)
                rec.record("create exp", r)
                if r.status_code == 200:
                    with lock:
                        ids.append(r.json()["experiment_id"])
                r = s.post(self.url("experiments/search"), json={"max_results": 50},
                           timeout=60)
                rec.record("search exps", r)

        errors = run_threads(work)
        self.assertEqual(errors, [])
        self.assertEqual(rec.server_errors, [], "\n".join(rec.server_errors[:10]))
        self.assertEqual(rec.other_errors, [], "\n".join(rec.other_errors[:10]))
        self.assertEqual(len(set(ids)), THREADS * 5)
        for eid in ids:
            self.get_experiment(eid)


if __name__ == "__main__":
    unittest.main()
