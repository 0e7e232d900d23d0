"""SearchRuns: filter grammar, order_by, paging, view types (spec §2.2, §3.1, §3.2, §3.8, §3.9)."""

import unittest

import harness
from harness import api_post, ajax_post, unique, metrics_of, params_of, tags_of
from harness import setUpModule, tearDownModule  # noqa: F401


class SearchRunsBase(harness.SextantTestCase):
    def search(self, body):
        return api_post("runs/search", body)

    def search_ok(self, body):
        return self.assertOk(self.search(body))


class TestSearchRuns(SearchRunsBase):
    @classmethod
    def setUpClass(cls):
        tc = harness.SextantTestCase()
        cls.e1 = tc.create_experiment(unique("sr1"))
        cls.e2 = tc.create_experiment(unique("sr2"))
        R = {}

        def mk(key, exp, name, user, start):
            R[key] = tc.create_run_id(exp, run_name=name, user_id=user, start_time=start)

        mk("r1", cls.e1, "alpha-run", "alice", 1000)
        mk("r2", cls.e1, "beta-run", "bob", 2000)
        mk("r3", cls.e1, "Alpha-other", "alice", 3000)
        mk("r4", cls.e1, "delta-run", "carol", 3000)
        mk("r5", cls.e1, "deleted-run", "alice", 500)
        mk("r6", cls.e2, "other-exp", "alice", 4000)
        cls.R = R
        tc.log_batch(R["r1"],
                     metrics=[{"key": "m", "value": 100.0, "timestamp": 1, "step": 0},
                              {"key": "m", "value": 1.0, "timestamp": 2, "step": 1},
                              {"key": "loss", "value": 0.5, "timestamp": 1},
                              {"key": "my metric", "value": 7.0, "timestamp": 1}],
                     params=[{"key": "p", "value": "a"},
                             {"key": "model", "value": "LogisticRegression"}],
                     tags=[{"key": "t", "value": "x"}, {"key": "user-name", "value": "Tomas"},
                           {"key": "mlflow.source.type", "value": "LOCAL"}])
        tc.log_batch(R["r2"],
                     metrics=[{"key": "m", "value": 2.0, "timestamp": 1},
                              {"key": "my metric", "value": 3.0, "timestamp": 1}],
                     params=[{"key": "p", "value": "b"}],
                     tags=[{"key": "t", "value": "X"}])
        tc.log_metric(R["r3"], "m", 3.0, timestamp=1)
        tc.log_metric(R["r5"], "m", 10.0, timestamp=1)
        tc.log_metric(R["r6"], "m", 2.0, timestamp=1)
        tc.assertOk(api_post("runs/update", {"run_id": R["r1"], "status": "FINISHED",
                                             "end_time": 5000}))
        tc.assertOk(api_post("runs/update", {"run_id": R["r3"], "status": "FAILED",
                                             "end_time": 6000}))
        tc.assertOk(api_post("runs/update", {"run_id": R["r4"], "status": "KILLED"}))
        tc.delete_run(R["r5"])

        def ds(run, name, digest, context):
            tags = [{"key": "mlflow.data.context", "value": context}] if context else []
            tc.assertOk(api_post("runs/log-inputs", {"run_id": run, "datasets": [
                {"tags": tags, "dataset": {"name": name, "digest": digest,
                                           "source_type": "local", "source": '{"uri": "x"}'}}]}))

        ds(R["r1"], "ds1", "d1", "training")
        ds(R["r2"], "ds2", "d2", "eval")
        cls.uris = {k: tc.get_run(v)["info"]["artifact_uri"] for k, v in R.items()}
        cls.by_id = {v: k for k, v in R.items()}

    # helpers ---------------------------------------------------------------------------
    def keys(self, filt=None, order_by=None, exp_ids=None, **kw):
        body = {"experiment_ids": exp_ids or [self.e1]}
        if filt is not None:
            body["filter"] = filt
        if order_by is not None:
            body["order_by"] = order_by
        body.update(kw)
        data = self.search_ok(body)
        return [self.by_id.get(r["info"]["run_id"], r["info"]["run_id"])
                for r in data.get("runs", [])]

    def check(self, filt, expected):
        self.assertEqual(sorted(self.keys(filt)), sorted(expected), filt)

    def default_sorted(self, keys):
        starts = {"r1": 1000, "r2": 2000, "r3": 3000, "r4": 3000, "r5": 500, "r6": 4000}
        return sorted(keys, key=lambda k: (-starts[k], self.R[k]))

    # tests -----------------------------------------------------------------------------
    def test_no_filter_active_runs(self):
        self.check(None, ["r1", "r2", "r3", "r4"])
        self.check("", ["r1", "r2", "r3", "r4"])

    def test_default_order(self):
        self.assertEqual(self.keys(), self.default_sorted(["r1", "r2", "r3", "r4"]))

    def test_run_shape_in_results(self):
        data = self.search_ok({"experiment_ids": [self.e1],
                               "filter": "attributes.run_id = '%s'" % self.R["r1"]})
        self.assertEqual(len(data["runs"]), 1)
        run = data["runs"][0]
        self.assertEqual(run["info"]["run_id"], self.R["r1"])
        self.assertEqual(run["info"]["run_uuid"], self.R["r1"])
        self.assertEqual(run["info"]["status"], "FINISHED")
        self.assertEqual(run["info"]["end_time"], 5000)
        self.assertEqual(run["info"]["run_name"], "alpha-run")
        self.assertEqual(metrics_of(run)["m"]["value"], 1.0)
        self.assertEqual(metrics_of(run)["m"]["step"], 1)
        self.assertEqual(params_of(run), {"p": "a", "model": "LogisticRegression"})
        self.assertEqual(tags_of(run)["t"], "x")
        dsi = run["inputs"]["dataset_inputs"]
        self.assertEqual([d["dataset"]["name"] for d in dsi], ["ds1"])

    def test_ajax(self):
        data = self.assertOk(ajax_post("runs/search", {"experiment_ids": [self.e1],
                                                       "filter": "params.p = 'b'"}))
        self.assertEqual([r["info"]["run_id"] for r in data["runs"]], [self.R["r2"]])

    def test_metric_comparators(self):
        self.check("metrics.m = 2", ["r2"])
        self.check("metrics.m != 2", ["r1", "r3"])
        self.check("metrics.m > 1", ["r2", "r3"])
        self.check("metrics.m >= 1", ["r1", "r2", "r3"])
        self.check("metrics.m < 2", ["r1"])
        self.check("metrics.m <= 2", ["r1", "r2"])
        self.check("metric.m = 3", ["r3"])
        self.check("metrics.m = 1.0", ["r1"])
        self.check("metrics.m > 1e0", ["r2", "r3"])
        self.check("metrics.m > -2", ["r1", "r2", "r3"])
        self.check("metrics.loss < 1", ["r1"])

    def test_metric_uses_latest_value(self):
        # r1 logged 100 at step 0 and 1.0 at step 1 -> latest is 1.0
        self.check("metrics.m > 50", [])
        self.check("metrics.m = 100", [])

    def test_missing_metric_never_matches(self):
        self.check("metrics.nope != 0", [])
        self.check("metrics.loss != 0.7", ["r1"])

    def test_quoted_metric_keys(self):
        self.check("metrics.`my metric` > 5", ["r1"])
        self.check('metrics."my metric" < 5', ["r2"])

    def test_param_comparators(self):
        self.check("params.p = 'a'", ["r1"])
        self.check('params.p = "a"', ["r1"])
        self.check("params.p != 'a'", ["r2"])  # runs without p never match
        self.check("params.p LIKE 'a%'", ["r1"])
        self.check("params.p LIKE 'A'", [])
        self.check("params.p ILIKE 'A'", ["r1"])
        self.check("params.model = 'LogisticRegression'", ["r1"])
        self.check("params.model LIKE '%Regr%'", ["r1"])
        self.check("params.model LIKE 'Logistic_egression'", ["r1"])
        self.check("param.p = 'b'", ["r2"])
        self.check("parameter.p = 'b'", ["r2"])
        self.check("parameters.p = 'b'", ["r2"])
        self.check("params.nope != 'x'", [])

    def test_tag_comparators(self):
        self.check("tags.t = 'x'", ["r1"])
        self.check("tags.t = 'X'", ["r2"])
        self.check("tags.t != 'x'", ["r2"])
        self.check("tags.t LIKE 'x'", ["r1"])
        self.check("tags.t ILIKE 'x'", ["r1", "r2"])
        self.check("tag.t = 'X'", ["r2"])
        self.check("tags.t like 'x'", ["r1"])

    def test_quoted_tag_keys(self):
        self.check('tags."user-name" = \'Tomas\'', ["r1"])
        self.check("tags.`user-name` = 'Tomas'", ["r1"])
        self.check("tags.`mlflow.source.type` = 'LOCAL'", ["r1"])
        self.check("`tags`.t = 'x'", ["r1"])

    def test_dotted_key_split_at_first_dot(self):
        self.check("tags.mlflow.runName = 'beta-run'", ["r2"])
        self.check("tags.mlflow.source.type = 'LOCAL'", ["r1"])

    def test_status(self):
        self.check("attributes.status = 'FINISHED'", ["r1"])
        self.check("status = 'RUNNING'", ["r2"])
        self.check("attributes.status != 'RUNNING'", ["r1", "r3", "r4"])
        self.check("attr.status = 'FAILED'", ["r3"])
        self.check("run.status = 'KILLED'", ["r4"])
        self.check("attribute.status = 'KILLED'", ["r4"])
        self.check("status LIKE 'F%'", ["r1", "r3"])
        self.check("status ILIKE 'f%'", ["r1", "r3"])

    def test_run_name(self):
        self.check("attributes.run_name = 'alpha-run'", ["r1"])
        self.check("run_name = 'alpha-run'", ["r1"])
        self.check("run_name LIKE 'alpha%'", ["r1"])
        self.check("run_name ILIKE 'alpha%'", ["r1", "r3"])
        self.check("run_name != 'alpha-run'", ["r2", "r3", "r4"])

    def test_run_name_filters_the_tag(self):
        # run_name compares the mlflow.runName tag (§3.2). Renaming via set-tag must be visible.
        exp = self.create_experiment()
        rid = self.create_run_id(exp, run_name="first")
        self.set_tag(rid, "mlflow.runName", "second")
        self.assertEqual(self.keys("run_name = 'second'", exp_ids=[exp]), [rid])
        self.assertEqual(self.keys("run_name = 'first'", exp_ids=[exp]), [])

    def test_start_time(self):
        self.check("attributes.start_time > 1500", ["r2", "r3", "r4"])
        self.check("start_time = 1000", ["r1"])
        self.check("start_time != 1000", ["r2", "r3", "r4"])
        self.check("attributes.start_time <= 2000", ["r1", "r2"])
        self.check("start_time >= 3000", ["r3", "r4"])
        self.check("start_time < 1000", [])
        self.check("created > 2500", ["r3", "r4"])

    def test_end_time_null_never_matches(self):
        self.check("attributes.end_time > 0", ["r1", "r3"])
        self.check("end_time != 5000", ["r3"])
        self.check("end_time <= 6000", ["r1", "r3"])
        self.check("end_time = 5000", ["r1"])

    def test_run_id(self):
        r1, r2, r3 = self.R["r1"], self.R["r2"], self.R["r3"]
        self.check("attributes.run_id = '%s'" % r1, ["r1"])
        self.check("run_id != '%s'" % r1, ["r2", "r3", "r4"])
        self.check("attributes.run_id IN ('%s', '%s')" % (r1, r2), ["r1", "r2"])
        self.check("run_id IN ('%s')" % r3, ["r3"])
        self.check("run_id IN ('%s',)" % r3, ["r3"])
        self.check("run_id IN (\"%s\", \"%s\")" % (r1, r3), ["r1", "r3"])
        self.check("attributes.run_id NOT IN ('%s')" % r1, ["r2", "r3", "r4"])
        self.check("run_id not in ('%s', '%s')" % (r1, r2), ["r3", "r4"])
        # a run of another experiment is never returned
        self.check("run_id IN ('%s')" % self.R["r6"], [])
        self.check("run_id LIKE '%s%%'" % r1[:12], ["r1"])

    def test_run_id_in_drops_non_lowercase(self):
        r1, r3 = self.R["r1"], self.R["r3"]
        self.check("run_id IN ('%s', '%s')" % (r1, r3.upper()), ["r1"])

    def test_user_id(self):
        self.check("attributes.user_id = 'alice'", ["r1", "r3"])
        self.check("user_id != 'alice'", ["r2", "r4"])
        self.check("user_id LIKE 'b%'", ["r2"])
        self.check("user_id ILIKE 'ALI%'", ["r1", "r3"])

    def test_artifact_uri(self):
        self.check("attributes.artifact_uri = '%s'" % self.uris["r1"], ["r1"])
        self.check("artifact_uri LIKE 'mlflow-artifacts:/%s/%%'" % self.e1,
                   ["r1", "r2", "r3", "r4"])

    def test_datasets(self):
        self.check("datasets.name = 'ds1'", ["r1"])
        self.check("dataset.name = 'ds2'", ["r2"])
        self.check("datasets.digest = 'd2'", ["r2"])
        self.check("datasets.digest IN ('d1', 'd2')", ["r1", "r2"])
        self.check("datasets.name NOT IN ('ds1')", ["r2"])
        self.check("datasets.name LIKE 'ds%'", ["r1", "r2"])
        self.check("datasets.name ILIKE 'DS1'", ["r1"])
        self.check("datasets.name != 'ds1'", ["r2"])
        self.check("datasets.context = 'training'", ["r1"])
        self.check("datasets.context ILIKE 'EVAL'", ["r2"])
        self.check("datasets.context IN ('training', 'eval')", ["r1", "r2"])
        self.check("datasets.name = 'ds1' AND datasets.context = 'training'", ["r1"])

    def test_and_combinations(self):
        self.check("metrics.m >= 1 and params.p = 'b'", ["r2"])
        self.check("status = 'RUNNING' AND tags.t = 'X'", ["r2"])
        self.check("metrics.m >= 1 AND metrics.m <= 2 AND user_id = 'alice'", ["r1"])
        self.check("metrics.m > 0 AND status = 'KILLED'", [])

    def test_invalid_filters(self):
        bad = [
            "metrics.m > 1 OR metrics.m < 0",
            "bogus.m = 1",
            "Params.p = 'a'",
            "attributes.bogus = 'x'",
            "(metrics.m > 1)",
            "metrics.m IS NULL",
            "metrics.m > 1; metrics.m < 2",
            "params.p = a",
            "tags.t = 1",
            "metrics.m = 'x'",
            "metrics.m LIKE '1%'",
            "params.p > 'a'",
            "status IN ('RUNNING')",
            "start_time LIKE '1%'",
            "start_time = 'abc'",
            "status > 'A'",
            "run_id IN ()",
            "run_id IN (1, 2)",
            "NOT metrics.m > 1",
            "metrics.m >",
            "metrics.m",
            "datasets.bogus = 'x'",
            "metrics.m ILIKE '1'",
            "metrics.m IN ('1')",
            "tags.t IN ('x')",
            "params.p NOT IN ('a')",
            "run_name IN ('alpha-run')",
        ]
        for f in bad:
            self.assertBadParam(self.search({"experiment_ids": [self.e1], "filter": f}), msg=f)

    # order_by --------------------------------------------------------------------------
    def tail(self, *keys):
        """Runs lacking the order key, in tie-breaker order (start_time DESC, run_id ASC)."""
        return self.default_sorted(list(keys))

    def test_order_by_metric(self):
        self.assertEqual(self.keys(order_by=["metrics.m ASC"]), ["r1", "r2", "r3", "r4"])
        self.assertEqual(self.keys(order_by=["metrics.m"]), ["r1", "r2", "r3", "r4"])
        self.assertEqual(self.keys(order_by=["metrics.m DESC"]), ["r3", "r2", "r1", "r4"])
        self.assertEqual(self.keys(order_by=["metrics.m desc"]), ["r3", "r2", "r1", "r4"])

    def test_order_by_quoted_metric(self):
        self.assertEqual(self.keys(order_by=["metrics.`my metric` DESC"]),
                         ["r1", "r2"] + self.tail("r3", "r4"))
        self.assertEqual(self.keys(order_by=['metrics."my metric" ASC']),
                         ["r2", "r1"] + self.tail("r3", "r4"))

    def test_order_by_param(self):
        self.assertEqual(self.keys(order_by=["params.p ASC"]), ["r1", "r2"] + self.tail("r3", "r4"))
        self.assertEqual(self.keys(order_by=["params.p DESC"]),
                         ["r2", "r1"] + self.tail("r3", "r4"))

    def test_order_by_tag(self):
        # 'X' < 'x' in binary collation
        self.assertEqual(self.keys(order_by=["tags.t ASC"]), ["r2", "r1"] + self.tail("r3", "r4"))
        self.assertEqual(self.keys(order_by=["tags.t DESC"]), ["r1", "r2"] + self.tail("r3", "r4"))

    def test_order_by_start_time(self):
        self.assertEqual(self.keys(order_by=["attributes.start_time ASC"]),
                         ["r1", "r2"] + sorted(["r3", "r4"], key=lambda k: self.R[k]))
        self.assertEqual(self.keys(order_by=["start_time DESC"]),
                         sorted(["r3", "r4"], key=lambda k: self.R[k]) + ["r2", "r1"])
        self.assertEqual(self.keys(order_by=["created ASC"]),
                         ["r1", "r2"] + sorted(["r3", "r4"], key=lambda k: self.R[k]))

    def test_order_by_run_name(self):
        # attributes.run_name orders by runs.name (binary collation)
        self.assertEqual(self.keys(order_by=["attributes.run_name ASC"]),
                         ["r3", "r1", "r2", "r4"])
        self.assertEqual(self.keys(order_by=["run_name DESC"]), ["r4", "r2", "r1", "r3"])

    def test_order_by_end_time_nulls_last(self):
        self.assertEqual(self.keys(order_by=["end_time DESC"]), ["r3", "r1"] + self.tail("r2", "r4"))
        self.assertEqual(self.keys(order_by=["end_time ASC"]), ["r1", "r3"] + self.tail("r2", "r4"))

    def test_order_by_status_and_user(self):
        self.assertEqual(self.keys(order_by=["status ASC"]), ["r3", "r1", "r4", "r2"])
        self.assertEqual(self.keys(order_by=["user_id DESC"]), ["r4", "r2", "r3", "r1"])
        self.assertEqual(self.keys(order_by=["user_id ASC", "start_time ASC"]),
                         ["r1", "r3", "r2", "r4"])

    def test_order_by_run_id(self):
        ids = sorted(["r1", "r2", "r3", "r4"], key=lambda k: self.R[k])
        self.assertEqual(self.keys(order_by=["attributes.run_id ASC"]), ids)
        self.assertEqual(self.keys(order_by=["run_id DESC"]), ids[::-1])

    def test_invalid_order_by(self):
        for ob in (["metrics.m ASC extra"], ["bogus ASC"], ["metrics.m SIDEWAYS"],
                   ["bogus.m ASC"], ["metrics.m", "metrics.m DESC"]):
            self.assertBadParam(self.search({"experiment_ids": [self.e1], "order_by": ob}),
                                msg=str(ob))

    # paging / limits -------------------------------------------------------------------
    def pages(self, max_results, **kw):
        out, token, n = [], None, 0
        while True:
            body = {"experiment_ids": [self.e1], "max_results": max_results}
            body.update(kw)
            if token:
                body["page_token"] = token
            data = self.search_ok(body)
            out.append([self.by_id[r["info"]["run_id"]] for r in data.get("runs", [])])
            token = data.get("next_page_token")
            n += 1
            if not token:
                return out
            self.assertLess(n, 20)

    def test_paging_token_whenever_page_full(self):
        expect = self.default_sorted(["r1", "r2", "r3", "r4"])
        pages = self.pages(2)
        self.assertEqual(pages, [expect[:2], expect[2:], []])
        pages = self.pages(3)
        self.assertEqual(pages, [expect[:3], expect[3:]])
        pages = self.pages(4)
        self.assertEqual(pages, [expect, []])
        pages = self.pages(1, order_by=["metrics.m DESC"])
        self.assertEqual(pages, [["r3"], ["r2"], ["r1"], ["r4"], []])

    def test_max_results_limits(self):
        self.assertBadParam(self.search({"experiment_ids": [self.e1], "max_results": 0}))
        self.assertBadParam(self.search({"experiment_ids": [self.e1], "max_results": 50001}))
        self.assertBadParam(self.search({"experiment_ids": [self.e1], "max_results": -1}))
        data = self.search_ok({"experiment_ids": [self.e1], "max_results": 50000})
        self.assertEqual(len(data["runs"]), 4)
        self.assertNotIn("next_page_token", data)
        data = self.search_ok({"experiment_ids": [self.e1], "max_results": "2"})
        self.assertEqual(len(data["runs"]), 2)
        data = self.search_ok({"experiment_ids": [self.e1], "maxResults": 2})
        self.assertEqual(len(data["runs"]), 2)

    def test_invalid_page_token(self):
        self.assertBadParam(self.search({"experiment_ids": [self.e1], "page_token": "@@@"}),
                            "Invalid page token")

    def test_reference_page_token_format(self):
        # §1.7: base64(JSON {"offset": N}); accepting it keeps tokens valid across servers
        import base64
        import json
        token = base64.b64encode(json.dumps({"offset": 2}).encode()).decode()
        expect = self.default_sorted(["r1", "r2", "r3", "r4"])
        self.assertEqual(self.keys(max_results=1, page_token=token), expect[2:3])

    def test_unknown_experiment_id_is_empty(self):
        data = self.search_ok({"experiment_ids": ["987654321"]})
        self.assertEqual(data.get("runs", []), [])

    def test_no_escape_processing_in_strings(self):
        exp = self.create_experiment()
        rid = self.create_run_id(exp)
        self.log_param(rid, "q", "a''b")
        self.log_param(rid, "r", "it's")
        self.assertEqual(self.keys("params.q = 'a''b'", exp_ids=[exp]), [rid])
        self.assertEqual(self.keys('params.r = "it\'s"', exp_ids=[exp]), [rid])

    def test_view_types(self):
        self.check(None, ["r1", "r2", "r3", "r4"])
        self.assertEqual(sorted(self.keys(run_view_type="ACTIVE_ONLY")), ["r1", "r2", "r3", "r4"])
        self.assertEqual(self.keys(run_view_type="DELETED_ONLY"), ["r5"])
        self.assertEqual(self.keys(run_view_type=2), ["r5"])
        self.assertEqual(sorted(self.keys(run_view_type="ALL")), ["r1", "r2", "r3", "r4", "r5"])
        self.assertEqual(sorted(self.keys(runViewType="ALL")), ["r1", "r2", "r3", "r4", "r5"])
        self.assertEqual(self.keys("metrics.m > 5", run_view_type="ALL"), ["r5"])

    def test_experiment_ids(self):
        data = self.search_ok({"experiment_ids": []})
        self.assertEqual(data.get("runs", []), [])
        self.assertEqual(sorted(self.keys(exp_ids=[self.e1, self.e2])),
                         ["r1", "r2", "r3", "r4", "r6"])
        self.assertEqual(self.keys(exp_ids=[self.e2]), ["r6"])
        self.assertEqual(self.keys("metrics.m = 2", exp_ids=[self.e1, self.e2]),
                         self.default_sorted(["r2", "r6"]))
        data = self.search_ok({"experiment_ids": [int(self.e2)]})
        self.assertEqual([r["info"]["run_id"] for r in data["runs"]], [self.R["r6"]])


class TestSearchRunsDefaultPageSize(SearchRunsBase):
    def test_default_max_results_is_1000(self):
        import threading
        exp = self.create_experiment(unique("srbig"))
        errors = []

        def work(i):
            s = harness.new_session()
            for k in range(i, 1003, 8):
                r = s.post(self.srv.url(harness.API + "/runs/create"),
                           json={"experiment_id": exp, "start_time": k}, timeout=60)
                if r.status_code != 200:
                    errors.append(harness.describe(r))

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        first = self.search_ok({"experiment_ids": [exp]})
        self.assertEqual(len(first["runs"]), 1000)
        self.assertIn("next_page_token", first)
        starts = [r["info"]["start_time"] for r in first["runs"]]
        self.assertEqual(starts, list(range(1002, 2, -1)))
        second = self.search_ok({"experiment_ids": [exp],
                                 "page_token": first["next_page_token"]})
        self.assertEqual([r["info"]["start_time"] for r in second["runs"]], [2, 1, 0])
        self.assertNotIn("next_page_token", second)


class TestSearchRunsNaNOrdering(SearchRunsBase):
    @classmethod
    def setUpClass(cls):
        tc = harness.SextantTestCase()
        cls.exp = tc.create_experiment(unique("srnan"))
        cls.R = {}
        for key, start, val in (("a", 10, 1.0), ("b", 20, "NaN"), ("c", 30, 3.0),
                                ("d", 40, None)):
            rid = tc.create_run_id(cls.exp, start_time=start)
            cls.R[rid] = key
            if val is not None:
                tc.log_metric(rid, "m", val, timestamp=1)

    def order(self, ob):
        data = self.search_ok({"experiment_ids": [self.exp], "order_by": [ob]})
        return [self.R[r["info"]["run_id"]] for r in data["runs"]]

    def test_nan_after_numbers_before_missing(self):
        self.assertEqual(self.order("metrics.m ASC"), ["a", "c", "b", "d"])
        self.assertEqual(self.order("metrics.m DESC"), ["c", "a", "b", "d"])

    def order_filtered(self, flt, ob):
        data = self.search_ok({"experiment_ids": [self.exp], "filter": flt, "order_by": [ob]})
        return [self.R[r["info"]["run_id"]] for r in data.get("runs", [])]

    def test_nan_ordering_with_filter_on_the_same_metric(self):
        # A NaN is stored as 0 (MLflow's quirk), so "< 5" keeps it and it must still sort after
        # the numbers; "> 0.5" drops it (the server then orders by the index alone).
        self.assertEqual(self.order_filtered("metrics.m < 5", "metrics.m DESC"), ["c", "a", "b"])
        self.assertEqual(self.order_filtered("metrics.m < 5", "metrics.m ASC"), ["a", "c", "b"])
        self.assertEqual(self.order_filtered("metrics.m > 0.5", "metrics.m DESC"), ["c", "a"])
        self.assertEqual(self.order_filtered("metrics.m > 0.5", "metrics.m ASC"), ["a", "c"])

    def test_nan_in_results(self):
        data = self.search_ok({"experiment_ids": [self.exp],
                               "filter": "attributes.start_time = 20"})
        self.assertEqual(metrics_of(data["runs"][0])["m"]["value"], "NaN")


if __name__ == "__main__":
    unittest.main()
