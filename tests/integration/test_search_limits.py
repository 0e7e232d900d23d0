"""Explicit search limits (issue 13, class 9), on every backend: a filter or order_by that the
database cannot run (SQLite joins at most 64 tables, MySQL 61; SQLite's expression depth is 1000)
is refused with 400 naming the limit, and the largest allowed query runs. Limits
(src/search/limits.hpp): 100 comparisons per filter, 40 of them on metrics/params/tags/run name,
10,000 IN-list values, 16 order_by keys, 1 MiB per filter string; overflowing literals are 400."""

import unittest

import harness
from harness import api_get, api_post, unique, now_ms
from harness import setUpModule, tearDownModule  # noqa: F401

MAX_CLAUSES = 100
MAX_ENTITY_CLAUSES = 40
MAX_LIST_VALUES = 10000
MAX_ORDER_BY = 16


def conj(clauses):
    return " and ".join(clauses)


class TestRunsSearchLimits(harness.SextantTestCase):
    @classmethod
    def setUpClass(cls):
        tc = harness.SextantTestCase()
        cls.exp = tc.create_experiment(unique("limits"))
        cls.run_id = tc.create_run_id(cls.exp, run_name="limits-run")
        tc.log_batch(cls.run_id,
                     metrics=[{"key": "m%d" % i, "value": i, "timestamp": now_ms(), "step": 0} for i in range(20)],
                     params=[{"key": "p%d" % i, "value": "v"} for i in range(20)],
                     tags=[{"key": "t%d" % i, "value": "v"} for i in range(20)])

    def search(self, filter_string=None, order_by=None, **extra):
        body = {"experiment_ids": [self.exp]}
        if filter_string is not None:
            body["filter"] = filter_string
        if order_by is not None:
            body["order_by"] = order_by
        body.update(extra)
        return api_post("runs/search", body)

    def test_largest_allowed_query_runs_on_every_backend(self):
        # 40 joined comparisons (metrics, params, tags) + 60 attribute ones + 16 joined order keys.
        clauses = (["metrics.m%d >= 0" % (i % 20) for i in range(14)]
                   + ["params.p%d = 'v'" % (i % 20) for i in range(13)]
                   + ["tags.t%d = 'v'" % (i % 20) for i in range(12)]
                   + ["attributes.run_name = 'limits-run'"]
                   + ["attributes.status != 'X%d'" % i for i in range(MAX_CLAUSES - MAX_ENTITY_CLAUSES)])
        self.assertEqual(len(clauses), MAX_CLAUSES)
        # Keys the filter does not name, so each is a join of its own: 1 + 40 + 16 tables.
        order = (["metrics.m%d DESC" % i for i in range(14, 20)] + ["params.p%d" % i for i in range(13, 18)]
                 + ["tags.t%d ASC" % i for i in range(12, 17)])
        self.assertEqual(len(order), MAX_ORDER_BY)
        data = self.assertOk(self.search(conj(clauses), order))
        self.assertEqual([r["info"]["run_id"] for r in data.get("runs", [])], [self.run_id])

    def test_70_param_clauses(self):
        r = self.search(conj(["params.p%d = 'v'" % i for i in range(70)]))
        self.assertBadParam(r, "at most 40")

    def test_70_metric_and_tag_clauses(self):
        self.assertBadParam(self.search(conj(["metrics.m%d > 0" % i for i in range(70)])), "at most 40")
        self.assertBadParam(self.search(conj(["tags.t%d = 'v'" % i for i in range(41)])), "at most 40")
        self.assertBadParam(self.search(conj(["attributes.run_name != 'x%d'" % i for i in range(41)])),
                            "at most 40")

    def test_70_order_by_keys(self):
        for keys in (["params.p%d" % i for i in range(70)], ["metrics.m%d DESC" % i for i in range(17)],
                     ["attributes.start_time"] + ["tags.t%d" % i for i in range(16)]):
            self.assertBadParam(self.search(order_by=keys), "at most 16")

    def test_10000_and_clauses(self):
        self.assertBadParam(self.search(conj(["attributes.status = 'RUNNING'"] * 10000)), "at most 100")
        self.assertBadParam(self.search(" AND ".join(["attributes.start_time > 0"] * 101)), "at most 100")
        # AND keywords alone (MLflow tolerates stray ones) are not comparisons.
        self.assertOk(self.search("and " * 5000 + "attributes.status = 'RUNNING'"))

    def test_in_lists(self):
        ids = ["%032x" % i for i in range(MAX_LIST_VALUES)]
        ids[0] = self.run_id
        f = "attributes.run_id IN (%s)" % ",".join("'%s'" % i for i in ids)
        data = self.assertOk(self.search(f))
        self.assertEqual(len(data.get("runs", [])), 1)
        f = "attributes.run_id IN (%s)" % ",".join("'%s'" % i for i in ids + ["f" * 32])
        self.assertBadParam(self.search(f), "at most 10000")
        half = ",".join("'%032x'" % i for i in range(MAX_LIST_VALUES // 2 + 1))
        self.assertBadParam(self.search("run_id IN (%s) and run_id NOT IN (%s)" % (half, half)), "at most 10000")

    def test_overflowing_literals(self):
        for f in ("metrics.m1 > 1e999", "metrics.m1 < -1e999", "attributes.start_time > 99999999999999999999",
                  "attributes.end_time < -99999999999999999999", "attributes.created >= 1e19",
                  "metrics.m1 > 1" + "0" * 400):
            self.assertBadParam(self.search(f), "out of range", msg=f)
        self.assertOk(self.search("metrics.m1 > 1e300 and attributes.start_time < 9000000000000000000"))

    def test_filter_and_order_by_length(self):
        self.assertBadParam(self.search("params.p1 = '%s'" % ("x" * (1 << 20))), "1048576")
        self.assertBadParam(self.search(order_by=["params.`%s`" % ("x" * (1 << 20))]), "1048576")

    def test_server_still_answers(self):
        self.assertBadParam(self.search(conj(["params.p%d = 'v'" % i for i in range(70)])))
        self.assertOk(api_get("experiments/get", {"experiment_id": self.exp}))


class TestOtherSearchLimits(harness.SextantTestCase):
    def test_experiments(self):
        r = api_post("experiments/search", {"filter": conj(["tags.t%d = 'v'" % i for i in range(70)])})
        self.assertBadParam(r, "at most 40")
        r = api_post("experiments/search", {"filter": conj(["name != 'x%d'" % i for i in range(101)])})
        self.assertBadParam(r, "at most 100")
        r = api_post("experiments/search", {"order_by": ["name"] * 17})
        self.assertBadParam(r, "at most 16")
        self.assertBadParam(api_post("experiments/search", {"filter": "creation_time > 1e30"}), "out of range")
        self.assertOk(api_post("experiments/search", {"filter": conj(["name != 'x%d'" % i for i in range(60)]
                                                                     + ["tags.t%d != 'v'" % i for i in range(40)])}))

    def test_registry(self):
        r = api_get("registered-models/search", {"filter": conj(["tags.t%d = 'v'" % i for i in range(70)])})
        self.assertBadParam(r, "at most 40")
        r = api_get("registered-models/search", {"filter": conj(["name != 'x%d'" % i for i in range(101)])})
        self.assertBadParam(r, "at most 100")
        self.assertBadParam(api_get("registered-models/search", {"order_by": ["name"] * 17}), "at most 16")
        self.assertBadParam(api_get("model-versions/search", {"filter": "version_number > 1e19"}), "out of range")
        self.assertBadParam(api_get("model-versions/search", {"filter": conj(["tags.t%d = 'v'" % i for i in range(41)])}),
                            "at most 40")
        self.assertOk(api_get("registered-models/search", {"filter": conj(["tags.t%d != 'v'" % i for i in range(40)])}))

    def test_logged_models(self):
        exp = self.create_experiment(unique("lm-limits"))

        def search(**body):
            return api_post("logged-models/search", dict(experiment_ids=[exp], **body))

        self.assertBadParam(search(filter=conj(["metrics.m%d > 0" % i for i in range(101)])), "at most 100")
        self.assertBadParam(search(order_by=[{"field_name": "metrics.m%d" % i} for i in range(17)]), "at most 16")
        self.assertBadParam(search(filter="metrics.m > 1e999"), "out of range")
        self.assertBadParam(search(filter="creation_timestamp > 99999999999999999999"), "out of range")
        self.assertOk(search(filter=conj(["metrics.m%d > 0" % i for i in range(100)]),
                             order_by=[{"field_name": "metrics.m%d" % i} for i in range(16)]))


if __name__ == "__main__":
    unittest.main()
