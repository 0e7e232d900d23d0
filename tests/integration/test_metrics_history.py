"""Metric history: get-history, get-history-bulk-interval, UI get-history-bulk (spec §2.4, §3.9)."""

import bisect
import unittest

import harness
from harness import api_get, ajax_get, unique
from harness import setUpModule, tearDownModule  # noqa: F401


class HistoryBase(harness.SextantTestCase):
    @classmethod
    def setUpClass(cls):
        cls.exp = harness.SextantTestCase().create_experiment(unique("hist"))

    def new_run(self):
        return self.create_run_id(self.exp)


class TestGetHistory(HistoryBase):
    def get(self, params, ajax=False):
        return (ajax_get if ajax else api_get)("metrics/get-history", params)

    def test_ordering(self):
        rid = self.new_run()
        rows = [(5.0, 300, 0), (1.0, 100, 2), (2.0, 100, 1), (0.5, 100, 1), (3.0, 200, -1)]
        self.log_batch(rid, metrics=[{"key": "m", "value": v, "timestamp": t, "step": s}
                                     for v, t, s in rows])
        self.log_metric(rid, "other", 1.0, timestamp=1)
        data = self.assertOk(self.get({"run_id": rid, "metric_key": "m", "max_results": 100}))
        got = [(m["value"], m["timestamp"], m["step"]) for m in data["metrics"]]
        expect = sorted(rows, key=lambda r: (r[1], r[2], r[0]))  # (timestamp, step, value)
        self.assertEqual(got, expect)
        for m in data["metrics"]:
            self.assertEqual(m["key"], "m")
            self.assertEqual(set(m) - {"run_id"}, {"key", "value", "timestamp", "step"})
        self.assertNotIn("next_page_token", data)

    def test_nan_and_inf(self):
        rid = self.new_run()
        self.log_metric(rid, "x", "NaN", timestamp=1, step=0)
        self.log_metric(rid, "x", "-Infinity", timestamp=2, step=0)
        data = self.assertOk(self.get({"run_id": rid, "metric_key": "x", "max_results": 10}))
        self.assertEqual([m["value"] for m in data["metrics"]], ["NaN", -harness.DBL_MAX])

    def test_paging(self):
        rid = self.new_run()
        self.log_batch(rid, metrics=[{"key": "p", "value": float(i), "timestamp": i, "step": i}
                                     for i in range(7)])
        got, token, pages = [], None, 0
        while True:
            params = {"run_id": rid, "metric_key": "p", "max_results": 3}
            if token:
                params["page_token"] = token
            data = self.assertOk(self.get(params))
            page = data.get("metrics", [])
            self.assertLessEqual(len(page), 3)
            got.extend(page)
            pages += 1
            token = data.get("next_page_token")
            if not token:
                break
            self.assertLess(pages, 20)
        self.assertEqual([m["step"] for m in got], list(range(7)))
        self.assertEqual(pages, 3)

    def test_no_token_when_exactly_full(self):
        # peek one ahead: a token only if more rows exist (§2.4)
        rid = self.new_run()
        self.log_batch(rid, metrics=[{"key": "e", "value": 1.0, "timestamp": i, "step": 0}
                                     for i in range(4)])
        first = self.assertOk(self.get({"run_id": rid, "metric_key": "e", "max_results": 2}))
        self.assertEqual(len(first["metrics"]), 2)
        self.assertIn("next_page_token", first)
        second = self.assertOk(self.get({"run_id": rid, "metric_key": "e", "max_results": 2,
                                         "page_token": first["next_page_token"]}))
        self.assertEqual([m["timestamp"] for m in second["metrics"]], [2, 3])
        self.assertNotIn("next_page_token", second)
        whole = self.assertOk(self.get({"run_id": rid, "metric_key": "e", "max_results": 4}))
        self.assertEqual(len(whole["metrics"]), 4)
        self.assertNotIn("next_page_token", whole)

    def test_client_style_request(self):
        # The Python client sends run_id and run_uuid and max_results=25000 (§6)
        rid = self.new_run()
        self.log_metric(rid, "c", 1.0, timestamp=1)
        data = self.assertOk(self.get({"run_id": rid, "run_uuid": rid, "metric_key": "c",
                                       "max_results": 25000}))
        self.assertEqual(len(data["metrics"]), 1)

    def test_run_uuid_and_ajax(self):
        rid = self.new_run()
        self.log_metric(rid, "u", 1.0, timestamp=1)
        data = self.assertOk(self.get({"run_uuid": rid, "metric_key": "u", "max_results": 5},
                                      ajax=True))
        self.assertEqual(len(data["metrics"]), 1)

    def test_absent_max_results_returns_everything(self):
        # §2.4 / §7 #3 recommendation: absent max_results => all values
        rid = self.new_run()
        self.log_batch(rid, metrics=[{"key": "a", "value": 1.0, "timestamp": i, "step": 0}
                                     for i in range(5)])
        data = self.assertOk(self.get({"run_id": rid, "metric_key": "a"}))
        self.assertEqual(len(data.get("metrics", [])), 5)
        self.assertNotIn("next_page_token", data)

    def test_unknown_key_is_empty(self):
        rid = self.new_run()
        data = self.assertOk(self.get({"run_id": rid, "metric_key": "nothing",
                                       "max_results": 10}))
        self.assertEqual(data.get("metrics", []), [])

    def test_unknown_run(self):
        # reference: empty list; a 404 would also be a reasonable answer.
        r = self.get({"run_id": "9" * 32, "metric_key": "m", "max_results": 10})
        if r.status_code == 200:
            self.assertEqual(r.json().get("metrics", []), [])
        else:
            self.assertNotFound(r)

    def test_missing_params(self):
        rid = self.new_run()
        self.assertBadParam(self.get({"run_id": rid, "max_results": 10}),
                            "Missing value for required parameter 'metric_key'")
        self.assertBadParam(self.get({"metric_key": "m", "max_results": 10}))

    def test_invalid_page_token(self):
        rid = self.new_run()
        self.assertBadParam(self.get({"run_id": rid, "metric_key": "m", "max_results": 10,
                                      "page_token": "%%%garbage"}))


class TestBulkInterval(HistoryBase):
    URL = "metrics/get-history-bulk-interval"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tc = harness.SextantTestCase()
        cls.run_a = tc.create_run_id(cls.exp)
        cls.run_b = tc.create_run_id(cls.exp)
        # run A: steps 0..99, value = step, timestamp = 1000 + step
        tc.log_batch(cls.run_a, metrics=[{"key": "loss", "value": float(s),
                                          "timestamp": 1000 + s, "step": s}
                                         for s in range(100)])
        # extra row at step 10 (same step, later timestamp)
        tc.log_metric(cls.run_a, "loss", 10.5, timestamp=5000, step=10)
        # run B: steps 5 and 37 only
        tc.log_batch(cls.run_b, metrics=[{"key": "loss", "value": -1.0, "timestamp": 7, "step": 5},
                                         {"key": "loss", "value": -2.0, "timestamp": 8,
                                          "step": 37}])

    def get(self, params, ajax=False):
        return (ajax_get if ajax else api_get)(self.URL, params)

    def rows(self, params, ajax=False):
        data = self.assertOk(self.get(params, ajax))
        return data.get("metrics", [])

    def test_all_steps_when_under_limit(self):
        rows = self.rows({"run_ids": [self.run_a], "metric_key": "loss"})
        self.assertEqual(len(rows), 101)
        self.assertEqual([r["step"] for r in rows], sorted(r["step"] for r in rows))
        for r in rows:
            self.assertEqual(r["run_id"], self.run_a)
            self.assertEqual(r["key"], "loss")
        at10 = [(r["timestamp"], r["value"]) for r in rows if r["step"] == 10]
        self.assertEqual(at10, [(1010, 10.0), (5000, 10.5)])  # ordered by (step, timestamp, value)

    def test_sampling(self):
        rows = self.rows({"run_ids": [self.run_a], "metric_key": "loss", "max_results": 10})
        steps = sorted({r["step"] for r in rows})
        # S = {0..99} (steps of the requested runs); range [0, 99]; 100 > 10 so sample indices
        # floor(i*100/10) -> 0,10,..,90, always add the last (99); union min/max (0, 99) (§2.4)
        self.assertEqual(steps, list(range(0, 100, 10)) + [99])
        self.assertEqual(len([r for r in rows if r["step"] == 10]), 2)  # all rows of a step

    def test_sampling_includes_min_max_of_every_run(self):
        rows = self.rows({"run_ids": [self.run_a, self.run_b], "metric_key": "loss",
                          "max_results": 10})
        a_steps = sorted({r["step"] for r in rows if r["run_id"] == self.run_a})
        self.assertEqual(a_steps, sorted(set(range(0, 100, 10)) | {99, 5, 37}))
        b_steps = [r["step"] for r in rows if r["run_id"] == self.run_b]
        self.assertEqual(b_steps, [5, 37])

    def test_single_run_under_limit(self):
        rows = self.rows({"run_ids": [self.run_b], "metric_key": "loss", "max_results": 3})
        self.assertEqual([(r["step"], r["value"], r["run_id"]) for r in rows],
                         [(5, -1.0, self.run_b), (37, -2.0, self.run_b)])

    def test_run_order_follows_request(self):
        rows = self.rows({"run_ids": [self.run_b, self.run_a], "metric_key": "loss",
                          "max_results": 10})
        run_seq = [r["run_id"] for r in rows]
        first_a = run_seq.index(self.run_a)
        self.assertEqual(run_seq[:first_a], [self.run_b] * 2)
        self.assertTrue(all(x == self.run_a for x in run_seq[first_a:]))
        rows2 = self.rows({"run_ids": [self.run_a, self.run_b], "metric_key": "loss",
                           "max_results": 10})
        self.assertEqual([r["run_id"] for r in rows2][-2:], [self.run_b] * 2)
        self.assertEqual([r["step"] for r in rows2 if r["run_id"] == self.run_a],
                         sorted(r["step"] for r in rows2 if r["run_id"] == self.run_a))

    def test_step_range(self):
        rows = self.rows({"run_ids": [self.run_a, self.run_b], "metric_key": "loss",
                          "start_step": 10, "end_step": 20})
        self.assertEqual(sorted({r["step"] for r in rows}), list(range(10, 21)))
        self.assertTrue(all(r["run_id"] == self.run_a for r in rows))
        rows = self.rows({"run_ids": [self.run_b], "metric_key": "loss",
                          "start_step": 0, "end_step": 36})
        self.assertEqual([r["step"] for r in rows], [5])

    def test_ajax(self):
        rows = self.rows({"run_ids": [self.run_b], "metric_key": "loss"}, ajax=True)
        self.assertEqual(len(rows), 2)

    def test_validation(self):
        self.assertBadParam(self.get({"metric_key": "loss"}))
        self.assertBadParam(self.get({"run_ids": [self.run_a]}))
        ids = ["%032x" % i for i in range(101)]
        self.assertBadParam(self.get({"run_ids": ids, "metric_key": "loss"}),
                            "GetMetricHistoryBulkInterval request must specify at most 100 "
                            "run_ids. Received 101 run_ids.")
        for mr in (0, 2501, -3):
            self.assertBadParam(self.get({"run_ids": [self.run_a], "metric_key": "loss",
                                          "max_results": mr}),
                                "max_results must be between 1 and 2500.", msg=str(mr))
        self.assertBadParam(self.get({"run_ids": [self.run_a], "metric_key": "loss",
                                      "start_step": 3}),
                            "If either start step or end step are specified, both must be "
                            "specified.")
        self.assertBadParam(self.get({"run_ids": [self.run_a], "metric_key": "loss",
                                      "end_step": 3}),
                            "If either start step or end step are specified, both must be "
                            "specified.")
        self.assertBadParam(self.get({"run_ids": [self.run_a], "metric_key": "loss",
                                      "start_step": 9, "end_step": 3}),
                            "end_step must be greater than start_step. Found start_step=9 and "
                            "end_step=3")

    def test_limits_ok(self):
        ids = [self.create_run_id(self.exp) for _ in range(99)] + [self.run_b]
        rows = self.rows({"run_ids": ids, "metric_key": "loss", "max_results": 2500})
        self.assertEqual(len(rows), 2)
        rows = self.rows({"run_ids": [self.run_a], "metric_key": "loss", "max_results": 1})
        self.assertTrue({0, 99} <= {r["step"] for r in rows})


def mlflow_sampled_steps(runs_steps, max_results, start=None, end=None):
    """MLflow 3.6's AbstractStore.get_metric_history_bulk_interval step choice, transcribed."""
    all_runs = [sorted(set(s)) for s in runs_steps]
    mins_maxes = {step for run in all_runs if run for step in (min(run), max(run))}
    all_steps = sorted({step for run in all_runs for step in run})
    if start is None and end is None:
        start, end = 0, (all_steps[-1] if all_steps else 0)
    mins_maxes = {step for step in mins_maxes if start <= step <= end}
    lo, hi = bisect.bisect_left(all_steps, start), bisect.bisect_right(all_steps, end)
    if hi - lo <= max_results:
        sampled = set(all_steps[lo:hi])
    else:
        interval = (hi - lo) / max_results
        sampled = {all_steps[lo + int(i * interval)] for i in range(max_results) if lo + int(i * interval) < hi}
        sampled.add(all_steps[hi - 1])
    return sorted(sampled | mins_maxes)


class TestBulkIntervalMixedRuns(HistoryBase):
    """Runs that log every step are read as two seeks once the union holds their span; the
    answers must still be MLflow's for every mix: gaps, duplicates, offsets, sparse, negative."""

    SHAPES = {
        "dense": list(range(0, 300)),
        "dense_again": list(range(0, 300)),
        "dense_inside": list(range(40, 160)),
        "gap_inside": [s for s in range(0, 300) if s != 133] + [150, 150],  # 133 missing, 150 twice
        "extends": list(range(250, 420)),
        "sparse_far": [0, 1000, 1001],
        "negative": list(range(-20, 5)),
        "shifted_gap": list(range(500, 600)) + list(range(650, 700)),
        "single": [777],
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tc = harness.SextantTestCase()
        cls.runs = {}
        for name, steps in cls.SHAPES.items():
            rid = tc.create_run_id(cls.exp)
            metrics = [{"key": "acc", "value": float(i), "timestamp": 10_000 + i, "step": s}
                       for i, s in enumerate(steps)]
            for at in range(0, len(metrics), 1000):
                tc.log_batch(rid, metrics=metrics[at:at + 1000])
            cls.runs[name] = rid
        cls.empty = tc.create_run_id(cls.exp)  # no "acc" at all

    def check(self, names, max_results, start=None, end=None):
        ids = [self.runs[n] for n in names] + [self.empty]
        params = {"run_ids": ids, "metric_key": "acc", "max_results": max_results}
        if start is not None:
            params.update(start_step=start, end_step=end)
        data = self.assertOk(api_get("metrics/get-history-bulk-interval", params))
        steps = mlflow_sampled_steps([self.SHAPES[n] for n in names], max_results, start, end)
        got = {}
        for m in data.get("metrics", []):
            got.setdefault(m["run_id"], []).append(m["step"])
        for n in names:
            want = sorted(s for s in self.SHAPES[n] if s in set(steps))
            self.assertEqual(got.get(self.runs[n], []), want, f"{n} {names} {max_results} {start} {end}")
        self.assertNotIn(self.empty, got)
        # runs in request order, each run's rows by step
        order = [m["run_id"] for m in data.get("metrics", [])]
        self.assertEqual(order, sorted(order, key=ids.index))

    def test_every_mix_matches_mlflow(self):
        names = list(self.SHAPES)
        mixes = [names, ["dense", "dense_again", "dense_inside"], ["gap_inside", "dense"],
                 ["dense_inside", "gap_inside"], ["sparse_far", "dense", "extends"],
                 ["negative", "dense_inside"], ["shifted_gap", "single", "dense"], ["single"]]
        for mix in mixes:
            for max_results in (1, 7, 64, 320, 2500):
                self.check(mix, max_results)
            for start, end in ((0, 0), (-15, 10), (100, 200), (120, 140), (133, 133), (290, 655), (2000, 3000)):
                self.check(mix, 50, start, end)


class TestHistoryBulkUI(HistoryBase):
    def test_bulk(self):
        a, b = self.new_run(), self.new_run()
        self.log_batch(a, metrics=[{"key": "k", "value": 1.0, "timestamp": 2, "step": 0},
                                   {"key": "k", "value": 2.0, "timestamp": 1, "step": 1}])
        self.log_metric(b, "k", 3.0, timestamp=1, step=0)
        data = self.assertOk(ajax_get("metrics/get-history-bulk",
                                      {"run_id": [a, b], "metric_key": "k"}))
        rows = [(m["run_id"], m["timestamp"], m["value"]) for m in data["metrics"]]
        self.assertEqual(rows, sorted(rows))  # run_id, timestamp, step, value
        self.assertEqual(len(rows), 3)

    def test_bulk_validation(self):
        self.assertBadParam(ajax_get("metrics/get-history-bulk", {"metric_key": "k"}),
                            "GetMetricHistoryBulk request must specify at least one run_id.")
        a = self.new_run()
        self.assertBadParam(ajax_get("metrics/get-history-bulk", {"run_id": [a]}))


if __name__ == "__main__":
    unittest.main()
