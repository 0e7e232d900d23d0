"""Run inputs (datasets, model inputs) and outputs (spec §2.5, §2.2 GetRun/SearchRuns, §4)."""

import unittest
import uuid

import harness
from harness import api_post, ajax_post, unique, as_dict
from harness import setUpModule, tearDownModule  # noqa: F401

CONTEXT = "mlflow.data.context"


def dataset(name="ds", digest="abc123", source_type="local", source='{"uri": "/tmp/x"}',
            schema=None, profile=None):
    d = {"name": name, "digest": digest, "source_type": source_type, "source": source}
    if schema is not None:
        d["schema"] = schema
    if profile is not None:
        d["profile"] = profile
    return d


def dsin(ds, **tags):
    return {"tags": [{"key": k, "value": v} for k, v in tags.items()], "dataset": ds}


def model_id():
    return "m-" + uuid.uuid4().hex


class IOBase(harness.SextantTestCase):
    @classmethod
    def setUpClass(cls):
        cls.exp = harness.SextantTestCase().create_experiment(unique("io"))

    def log_inputs(self, rid, datasets=None, models=None, ajax=False):
        body = {"run_id": rid}
        if datasets is not None:
            body["datasets"] = datasets
        if models is not None:
            body["models"] = models
        return (ajax_post if ajax else api_post)("runs/log-inputs", body)

    def dataset_inputs(self, rid):
        return self.get_run(rid).get("inputs", {}).get("dataset_inputs", [])


class TestLogInputs(IOBase):
    def test_log_and_get(self):
        rid = self.create_run_id(self.exp)
        ds = dataset("train", "d1", schema='{"mlflow_colspec": []}', profile='{"rows": 3}')
        self.assertOk(self.log_inputs(rid, [dsin(ds, **{CONTEXT: "training", "extra": "1"})]))
        dis = self.dataset_inputs(rid)
        self.assertEqual(len(dis), 1)
        self.assertEqual(dis[0]["dataset"], ds)
        self.assertEqual(as_dict(dis[0]["tags"]), {CONTEXT: "training", "extra": "1"})

    def test_via_ajax(self):
        rid = self.create_run_id(self.exp)
        self.assertOk(self.log_inputs(rid, [dsin(dataset("aj", "d"))], ajax=True))
        self.assertEqual(len(self.dataset_inputs(rid)), 1)

    def test_dedupe_within_request(self):
        rid = self.create_run_id(self.exp)
        a = dataset("dup", "same")
        b = dataset("dup", "same", source='{"uri": "other"}')
        self.assertOk(self.log_inputs(rid, [dsin(a, **{CONTEXT: "training"}),
                                            dsin(b, **{CONTEXT: "eval"})]))
        dis = self.dataset_inputs(rid)
        self.assertEqual(len(dis), 1)
        self.assertEqual(dis[0]["dataset"]["source"], a["source"])  # first one kept
        self.assertEqual(as_dict(dis[0]["tags"]), {CONTEXT: "training"})

    def test_relog_is_noop_and_tags_not_duplicated(self):
        rid = self.create_run_id(self.exp)
        ds = dataset("again", "dg")
        self.assertOk(self.log_inputs(rid, [dsin(ds, **{CONTEXT: "training"})]))
        self.assertOk(self.log_inputs(rid, [dsin(ds, **{CONTEXT: "eval"})]))
        dis = self.dataset_inputs(rid)
        self.assertEqual(len(dis), 1)
        self.assertEqual(dis[0]["tags"], [{"key": CONTEXT, "value": "training"}])

    def test_multiple_datasets_and_runs(self):
        r1 = self.create_run_id(self.exp)
        r2 = self.create_run_id(self.exp)
        a, b = dataset("multi-a", "1"), dataset("multi-b", "2")
        self.assertOk(self.log_inputs(r1, [dsin(a), dsin(b)]))
        self.assertOk(self.log_inputs(r2, [dsin(a, **{CONTEXT: "test"})]))
        self.assertEqual(sorted(d["dataset"]["name"] for d in self.dataset_inputs(r1)),
                         ["multi-a", "multi-b"])
        dis2 = self.dataset_inputs(r2)
        self.assertEqual([d["dataset"]["name"] for d in dis2], ["multi-a"])
        self.assertEqual(as_dict(dis2[0]["tags"]), {CONTEXT: "test"})
        # same (name, digest) with a different digest is a different dataset
        self.assertOk(self.log_inputs(r2, [dsin(dataset("multi-a", "3"))]))
        self.assertEqual(sorted(d["dataset"]["digest"] for d in self.dataset_inputs(r2)),
                         ["1", "3"])

    def test_datasets_in_search_results(self):
        rid = self.create_run_id(self.exp)
        self.assertOk(self.log_inputs(rid, [dsin(dataset("searchme", "s"),
                                                 **{CONTEXT: "training"})],
                                      models=[{"model_id": model_id()}]))
        data = self.assertOk(api_post("runs/search", {
            "experiment_ids": [self.exp], "filter": "attributes.run_id = '%s'" % rid}))
        run = data["runs"][0]
        self.assertEqual([d["dataset"]["name"] for d in run["inputs"]["dataset_inputs"]],
                         ["searchme"])
        # SearchRuns fills dataset_inputs only, not model_inputs (§2.2)
        self.assertNotIn("model_inputs", run["inputs"])

    def test_model_inputs(self):
        rid = self.create_run_id(self.exp)
        mid = model_id()
        self.assertOk(self.log_inputs(rid, models=[{"model_id": mid}]))
        self.assertOk(self.log_inputs(rid, models=[{"model_id": mid}]))  # upsert
        inputs = self.get_run(rid).get("inputs", {})
        self.assertEqual(inputs.get("model_inputs"), [{"model_id": mid}])

    def test_empty_request_ok(self):
        rid = self.create_run_id(self.exp)
        self.assertOk(self.log_inputs(rid))
        self.assertEqual(self.dataset_inputs(rid), [])

    def test_validation_limits(self):
        rid = self.create_run_id(self.exp)
        cases = [
            (dsin(dataset(name="n" * 501)), "'name' exceeds the maximum length of 500"),
            (dsin(dataset(digest="d" * 37)),
             "'digest' exceeds the maximum length of 36 characters"),
            (dsin(dataset(source="s" * 65536)), "exceeds the maximum length of 65535"),
            (dsin(dataset(), **{"k" * 256: "v"}), "exceeds the maximum length of 255"),
            (dsin(dataset(), tagkey="v" * 501), "exceeds the maximum length of 500"),
        ]
        for di, msg in cases:
            self.assertBadParam(self.log_inputs(rid, [di]), msg, msg=msg)
        self.assertEqual(self.dataset_inputs(rid), [])
        # at the limits is fine
        self.assertOk(self.log_inputs(rid, [dsin(dataset(name="n" * 500, digest="d" * 36),
                                                 **{"k" * 255: "v" * 500})]))
        self.assertEqual(len(self.dataset_inputs(rid)), 1)

    def test_required_dataset_fields(self):
        rid = self.create_run_id(self.exp)
        for missing in ("name", "digest", "source_type", "source"):
            ds = dataset()
            del ds[missing]
            self.assertBadParam(self.log_inputs(rid, [dsin(ds)]), msg=missing)
        self.assertEqual(self.dataset_inputs(rid), [])

    def test_run_checks(self):
        self.assertBadParam(self.log_inputs("bad id!", [dsin(dataset())]))
        self.assertBadParam(api_post("runs/log-inputs", {"datasets": [dsin(dataset())]}),
                            "Missing value for required parameter 'run_id'")
        self.assertNotFound(self.log_inputs("1" * 32, [dsin(dataset())]))
        rid = self.create_run_id(self.exp)
        self.delete_run(rid)
        self.assertBadParam(self.log_inputs(rid, [dsin(dataset())]),
                            "must be in the 'active' state")


class TestLogOutputs(IOBase):
    def log_outputs(self, rid, models, ajax=False):
        return (ajax_post if ajax else api_post)("runs/outputs", {"run_id": rid,
                                                                  "models": models})

    def test_log_and_get(self):
        rid = self.create_run_id(self.exp)
        m1, m2 = model_id(), model_id()
        self.assertOk(self.log_outputs(rid, [{"model_id": m1, "step": 0},
                                             {"model_id": m2, "step": 5}]))
        outs = self.get_run(rid)["outputs"]["model_outputs"]
        self.assertEqual(sorted((o["model_id"], o["step"]) for o in outs),
                         sorted([(m1, 0), (m2, 5)]))

    def test_repeat_is_idempotent(self):
        rid = self.create_run_id(self.exp)
        mid = model_id()
        self.assertOk(self.log_outputs(rid, [{"model_id": mid, "step": 0}]))
        self.assertOk(self.log_outputs(rid, [{"model_id": mid, "step": 0}]))
        outs = self.get_run(rid)["outputs"]["model_outputs"]
        self.assertEqual(outs, [{"model_id": mid, "step": 0}])

    def test_via_ajax(self):
        rid = self.create_run_id(self.exp)
        mid = model_id()
        self.assertOk(self.log_outputs(rid, [{"model_id": mid, "step": 1}], ajax=True))
        self.assertEqual(self.get_run(rid)["outputs"]["model_outputs"],
                         [{"model_id": mid, "step": 1}])

    def test_outputs_in_search_results(self):
        rid = self.create_run_id(self.exp)
        mid = model_id()
        self.assertOk(self.log_outputs(rid, [{"model_id": mid, "step": 2}]))
        data = self.assertOk(api_post("runs/search", {
            "experiment_ids": [self.exp], "filter": "attributes.run_id = '%s'" % rid}))
        self.assertEqual(data["runs"][0]["outputs"]["model_outputs"],
                         [{"model_id": mid, "step": 2}])

    def test_run_checks(self):
        self.assertNotFound(self.log_outputs("2" * 32, [{"model_id": model_id(), "step": 0}]))
        rid = self.create_run_id(self.exp)
        self.delete_run(rid)
        self.assertBadParam(self.log_outputs(rid, [{"model_id": model_id(), "step": 0}]),
                            "must be in the 'active' state")
        self.assertBadParam(api_post("runs/outputs", {"models": []}))


class TestSearchDatasetsUI(IOBase):
    def test_summaries(self):
        exp = self.create_experiment()
        r1 = self.create_run_id(exp)
        r2 = self.create_run_id(exp)
        self.assertOk(self.log_inputs(r1, [dsin(dataset("sd", "1"), **{CONTEXT: "training"})]))
        self.assertOk(self.log_inputs(r2, [dsin(dataset("sd", "1"), **{CONTEXT: "training"}),
                                           dsin(dataset("sd2", "2"))]))
        data = self.assertOk(ajax_post("experiments/search-datasets",
                                       {"experiment_ids": [exp]}))
        got = sorted((s["experiment_id"], s["name"], s["digest"], s.get("context"))
                     for s in data["dataset_summaries"])
        self.assertEqual(got, [(exp, "sd", "1", "training"), (exp, "sd2", "2", None)])

    def test_validation(self):
        self.assertBadParam(ajax_post("experiments/search-datasets", {"experiment_ids": []}))
        self.assertBadParam(ajax_post("experiments/search-datasets",
                                      {"experiment_ids": [str(i) for i in range(21)]}))


if __name__ == "__main__":
    unittest.main()
