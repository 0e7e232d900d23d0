"""Logged models (MLflow 3): create / get / finalize / delete / tags / params / search /
artifact listing and the UI file download (spec §2.6, §3.6, §1.7, §3.9, §5.7)."""

import base64
import json
import os
import re
import time
import unittest

import harness
harness.SERVER_ARGS = ["--allowed-artifact-root", "{workdir}"]  # experiments with explicit locations there

from harness import (AJAX, API, ARTIFACTS, ajax_get, ajax_post, api_get, api_post, api_request, now_ms,
                     unique)
from harness import setUpModule, tearDownModule  # noqa: F401

MODEL_ID_RE = re.compile(r"^m-[0-9a-f]{32}$")
BAD_NAME_MSG = ("Model name must be a non-empty string and cannot contain the following characters: "
                "('/', ':', '.', '%', '\"', \"'\")")


def patch(path, body=None, **kw):
    return api_request("PATCH", path, json={} if body is None else body, **kw)


def delete(path, body=None, **kw):
    if body is None:
        return api_request("DELETE", path, **kw)
    return api_request("DELETE", path, json=body, **kw)


def kv(d):
    return [{"key": k, "value": v} for k, v in d.items()]


class LoggedModelsBase(harness.SextantTestCase):
    @classmethod
    def setUpClass(cls):
        cls.exp = harness.SextantTestCase().create_experiment(unique("lm"))

    def create(self, experiment_id=None, check=True, **fields):
        body = {"experiment_id": experiment_id or self.exp}
        body.update(fields)
        r = api_post("logged-models", body)
        if not check:
            return r
        return self.assertOk(r, "create logged model")["model"]

    def create_id(self, experiment_id=None, **fields):
        return self.create(experiment_id, **fields)["info"]["model_id"]

    def get(self, model_id, check=True, prefix=API):
        r = api_get("logged-models/" + model_id, prefix=prefix)
        return self.assertOk(r, "get logged model")["model"] if check else r

    def finalize(self, model_id, status="LOGGED_MODEL_READY"):
        return self.assertOk(patch("logged-models/" + model_id, {"model_id": model_id, "status": status}))["model"]

    def search(self, experiment_ids=None, check=True, **fields):
        body = {"experiment_ids": experiment_ids if experiment_ids is not None else [self.exp]}
        body.update(fields)
        r = api_post("logged-models/search", body)
        return self.assertOk(r, "search logged models") if check else r

    def search_ids(self, experiment_ids=None, **fields):
        return [m["info"]["model_id"] for m in self.search(experiment_ids, **fields).get("models", [])]


class TestCreate(LoggedModelsBase):
    def test_shape(self):
        run_id = self.create_run_id(self.exp)
        before = now_ms()
        m = self.create(name="my-model", model_type="Classifier", source_run_id=run_id,
                        params=kv({"alpha": "0.5", "n": "3"}), tags=kv({"mlflow.user": "alice", "t": ""}))
        info = m["info"]
        self.assertRegex(info["model_id"], MODEL_ID_RE)
        self.assertEqual(info["experiment_id"], self.exp)
        self.assertEqual(info["name"], "my-model")
        self.assertEqual(info["model_type"], "Classifier")
        self.assertEqual(info["source_run_id"], run_id)
        self.assertEqual(info["status"], "LOGGED_MODEL_PENDING")
        self.assertEqual(info["artifact_uri"],
                         "mlflow-artifacts:/%s/models/%s/artifacts" % (self.exp, info["model_id"]))
        self.assertIsInstance(info["creation_timestamp_ms"], int)
        self.assertGreaterEqual(info["creation_timestamp_ms"], before - 5)
        self.assertEqual(info["creation_timestamp_ms"], info["last_updated_timestamp_ms"])
        self.assertEqual(harness.as_dict(info["tags"]), {"mlflow.user": "alice", "t": ""})
        self.assertEqual(harness.as_dict(m["data"]["params"]), {"alpha": "0.5", "n": "3"})
        self.assertNotIn("metrics", m["data"])
        for absent in ("status_message", "creator_id", "registrations"):
            self.assertNotIn(absent, info)
        self.assertEqual(self.get(info["model_id"]), m)

    def test_minimal(self):
        m = self.create()
        info = m["info"]
        self.assertRegex(info["name"], r"^[a-z]+-[a-z]+-\d{1,3}$")  # generated like run names
        # As MLflow: absent model_type / source_run_id are stored and returned as "".
        self.assertEqual(info["model_type"], "")
        self.assertEqual(info["source_run_id"], "")
        self.assertNotIn("tags", info)
        self.assertEqual(m["data"], {})

    def test_empty_name_is_generated(self):
        self.assertRegex(self.create(name="")["info"]["name"], r"^[a-z]+-[a-z]+-\d{1,3}$")

    def test_ids_unique(self):
        self.assertEqual(len({self.create_id() for _ in range(5)}), 5)

    def test_invalid_names(self):
        for bad in ["a/b", "a:b", "v1.0", "100%", 'say "hi"', "it's"]:
            r = self.create(name=bad, check=False)
            d = self.assertBadParam(r, BAD_NAME_MSG, msg=bad)
            self.assertIn("Invalid model name (", d["message"])
        d = self.assertBadParam(self.create(name="a/b", check=False))
        self.assertTrue(d["message"].startswith("Invalid model name ('a/b') provided."), d["message"])

    def test_experiment_errors(self):
        self.assertBadParam(api_post("logged-models", {"name": "m"}),
                            "Missing value for required parameter 'experiment_id'")
        self.assertBadParam(api_post("logged-models", {"experiment_id": ""}),
                            "Missing value for required parameter 'experiment_id'")
        self.assertNotFound(self.create("987654", check=False), "No Experiment with id=987654 exists")
        self.assertNotFound(self.create("abc", check=False))
        gone = self.create_experiment(unique("lm-gone"))
        self.delete_experiment(gone)
        self.assertBadParam(self.create(gone, check=False), "must be in the 'active' state")

    def test_duplicate_param_keys_rejected(self):
        r = self.create(check=False, params=[{"key": "a", "value": "1"}, {"key": "a", "value": "2"}])
        self.assertError(r, 400, "BAD_REQUEST", "a")
        # Nothing was written (one transaction).
        self.assertEqual(self.search_ids([self.exp], filter="params.a = '1'"), [])

    def test_repeated_tag_key_last_wins(self):
        m = self.create(tags=[{"key": "k", "value": "1"}, {"key": "k", "value": "2"}])
        self.assertEqual(harness.as_dict(m["info"]["tags"]), {"k": "2"})

    def test_field_errors(self):
        self.assertBadParam(self.create(check=False, params="x"), "params")
        self.assertBadParam(self.create(check=False, params=[{"value": "1"}]),
                            "Missing value for required parameter 'params[0].key'")
        self.assertBadParam(self.create(check=False, tags=[{"key": ""}]),
                            "Missing value for required parameter 'tags[0].key'")

    def test_content_type_checked(self):
        r = self.srv.request("POST", API + "/logged-models", data=json.dumps({"experiment_id": self.exp}))
        self.assertBadParam(r, "Content-Type header is missing")

    def test_ajax_route(self):
        d = self.assertOk(ajax_post("logged-models", {"experiment_id": self.exp, "name": "ajax"}))
        mid = d["model"]["info"]["model_id"]
        self.assertEqual(self.get(mid, prefix=AJAX)["info"]["name"], "ajax")

    def test_local_experiment_location(self):
        loc = os.path.join(self.srv.workdir, "local-exp")
        exp = self.create_experiment(unique("lm-local"), artifact_location=loc)
        m = self.create(exp)
        self.assertEqual(m["info"]["artifact_uri"], loc + "/models/" + m["info"]["model_id"] + "/artifacts")


class TestGetDelete(LoggedModelsBase):
    def test_unknown(self):
        self.assertNotFound(self.get("m-" + "0" * 32, check=False),
                            "Logged model with ID 'm-%s' not found." % ("0" * 32))

    def test_get_search_path_is_a_model_id(self):
        # Like werkzeug: /logged-models/search is POST-only, so GET reaches /logged-models/{model_id}.
        self.assertNotFound(api_get("logged-models/search"), "Logged model with ID 'search' not found.")

    def test_routing(self):
        mid = self.create_id()
        self.assertEqual(api_request("PUT", "logged-models/" + mid, json={}).status_code, 405)
        self.assertEqual(api_request("POST", "logged-models/" + mid, json={}).status_code, 405)
        r = api_get("logged-models/" + mid + "/")
        self.assertEqual(r.status_code, 404)
        self.assertFalse(harness.is_json(r))  # unknown route: non-JSON 404
        r = api_get("logged-models/%s/extra/deep" % mid)
        self.assertEqual(r.status_code, 404)
        self.assertFalse(harness.is_json(r))

    def test_delete(self):
        mid = self.create_id(name="doomed")
        self.assertEqual(self.assertOk(delete("logged-models/" + mid, {"model_id": mid})), {})
        self.assertNotFound(self.get(mid, check=False), "Logged model with ID '%s' not found." % mid)
        self.assertNotIn(mid, self.search_ids())
        self.assertNotIn(mid, self.search_ids(filter="name = 'doomed'"))

    def test_delete_without_body_and_unknown(self):
        mid = self.create_id()
        self.assertOk(delete("logged-models/" + mid))
        self.assertNotFound(delete("logged-models/m-" + "1" * 32), "not found")

    def test_deleted_model_still_finalizable_like_mlflow(self):
        mid = self.create_id()
        self.assertOk(delete("logged-models/" + mid))
        m = self.finalize(mid)
        self.assertEqual(m["info"]["status"], "LOGGED_MODEL_READY")


class TestFinalize(LoggedModelsBase):
    def test_ready_by_name(self):
        m = self.create()
        mid = m["info"]["model_id"]
        time.sleep(0.01)
        done = self.finalize(mid, "LOGGED_MODEL_READY")
        self.assertEqual(done["info"]["status"], "LOGGED_MODEL_READY")
        self.assertGreater(done["info"]["last_updated_timestamp_ms"], m["info"]["last_updated_timestamp_ms"])
        self.assertEqual(done["info"]["creation_timestamp_ms"], m["info"]["creation_timestamp_ms"])
        self.assertEqual(self.get(mid)["info"]["status"], "LOGGED_MODEL_READY")

    def test_by_number(self):
        mid = self.create_id()
        self.assertEqual(self.finalize(mid, 3)["info"]["status"], "LOGGED_MODEL_UPLOAD_FAILED")
        self.assertEqual(self.finalize(mid, "2")["info"]["status"], "LOGGED_MODEL_READY")
        self.assertEqual(self.finalize(mid, "LOGGED_MODEL_PENDING")["info"]["status"], "LOGGED_MODEL_PENDING")

    def test_errors(self):
        mid = self.create_id()
        self.assertBadParam(patch("logged-models/" + mid, {"model_id": mid}),
                            "Missing value for required parameter 'status'")
        self.assertBadParam(patch("logged-models/" + mid, {"status": "LOGGED_MODEL_READY"}),
                            "Missing value for required parameter 'model_id'")
        self.assertBadParam(patch("logged-models/" + mid, {"model_id": mid, "status": "READY"}),
                            "Invalid value \"READY\" for parameter 'status'")
        self.assertBadParam(patch("logged-models/" + mid, {"model_id": mid, "status": 7}), "'status'")
        unknown = "m-" + "2" * 32
        self.assertNotFound(patch("logged-models/" + unknown, {"model_id": unknown, "status": 2}),
                            "Logged model with ID '%s' not found." % unknown)

    def test_ajax(self):
        mid = self.create_id()
        r = self.srv.request("PATCH", AJAX + "/logged-models/" + mid, json={"model_id": mid, "status": 2})
        self.assertEqual(self.assertOk(r)["model"]["info"]["status"], "LOGGED_MODEL_READY")


class TestTagsParams(LoggedModelsBase):
    def test_set_tags_upsert(self):
        mid = self.create_id(tags=kv({"a": "1"}))
        r = patch("logged-models/%s/tags" % mid, {"tags": kv({"a": "2", "b": "x"})})
        self.assertEqual(self.assertOk(r), {})
        self.assertEqual(harness.as_dict(self.get(mid)["info"]["tags"]), {"a": "2", "b": "x"})
        self.assertOk(patch("logged-models/%s/tags" % mid, {"tags": [{"key": "c"}]}))
        self.assertEqual(harness.as_dict(self.get(mid)["info"]["tags"])["c"], "")
        self.assertOk(patch("logged-models/%s/tags" % mid, {}))

    def test_set_tags_errors(self):
        mid = self.create_id()
        self.assertNotFound(patch("logged-models/m-%s/tags" % ("3" * 32), {"tags": kv({"a": "1"})}))
        self.assertBadParam(patch("logged-models/%s/tags" % mid, {"tags": {"a": "1"}}), "tags")
        self.assertBadParam(patch("logged-models/%s/tags" % mid, {"tags": [{"value": "1"}]}),
                            "Missing value for required parameter 'tags[0].key'")

    def test_delete_tag(self):
        mid = self.create_id(tags=kv({"mlflow.user": "u", "keep": "k"}))
        self.assertEqual(self.assertOk(delete("logged-models/%s/tags/mlflow.user" % mid)), {})
        self.assertEqual(harness.as_dict(self.get(mid)["info"]["tags"]), {"keep": "k"})
        self.assertNotFound(delete("logged-models/%s/tags/mlflow.user" % mid),
                            "No tag with key 'mlflow.user' found for model with ID '%s'." % mid)
        unknown = "m-" + "4" * 32
        self.assertNotFound(delete("logged-models/%s/tags/keep" % unknown),
                            "Logged model with ID '%s' not found." % unknown)

    def test_delete_tag_with_space_in_key(self):
        mid = self.create_id(tags=kv({"my key": "v"}))
        self.assertOk(delete("logged-models/%s/tags/my%%20key" % mid))
        self.assertNotIn("tags", self.get(mid)["info"])

    def test_log_params(self):
        mid = self.create_id(params=kv({"a": "1"}))
        r = api_post("logged-models/%s/params" % mid, {"model_id": mid, "params": kv({"b": "2", "c": "3"})})
        self.assertEqual(self.assertOk(r), {})
        self.assertEqual(harness.as_dict(self.get(mid)["data"]["params"]), {"a": "1", "b": "2", "c": "3"})

    def test_log_params_errors(self):
        mid = self.create_id(params=kv({"a": "1"}))
        r = api_post("logged-models/%s/params" % mid, {"model_id": mid, "params": kv({"a": "1"})})
        self.assertError(r, 400, "BAD_REQUEST", "'a'")
        r = api_post("logged-models/%s/params" % mid, {"model_id": mid, "params": kv({"x": "1", "a": "9"})})
        self.assertError(r, 400, "BAD_REQUEST")
        self.assertNotIn("x", harness.as_dict(self.get(mid)["data"]["params"]))  # all or nothing
        self.assertBadParam(api_post("logged-models/%s/params" % mid, {"params": kv({"y": "1"})}),
                            "Missing value for required parameter 'model_id'")
        unknown = "m-" + "5" * 32
        self.assertNotFound(api_post("logged-models/%s/params" % unknown,
                                     {"model_id": unknown, "params": kv({"y": "1"})}))


class TestModelMetrics(LoggedModelsBase):
    def test_log_metric_with_model_id(self):
        run_id = self.create_run_id(self.exp)
        mid = self.create_id(source_run_id=run_id)
        ts = now_ms()
        self.assertOk(api_post("runs/log-metric", {
            "run_id": run_id, "key": "acc", "value": 0.75, "timestamp": ts, "step": 2,
            "model_id": mid, "dataset_name": "val", "dataset_digest": "abc123"}))
        self.log_batch(run_id, metrics=[
            {"key": "loss", "value": 0.5, "timestamp": ts, "step": 0, "model_id": mid},
            {"key": "loss", "value": 0.25, "timestamp": ts + 1, "step": 1, "model_id": mid},
            {"key": "other", "value": 1.0, "timestamp": ts, "step": 0}])  # not linked to the model
        metrics = self.get(mid)["data"]["metrics"]
        self.assertEqual([(m["key"], m["value"], m["step"]) for m in metrics],
                         [("acc", 0.75, 2), ("loss", 0.5, 0), ("loss", 0.25, 1)])
        acc = metrics[0]
        self.assertEqual(acc["timestamp"], ts)
        self.assertEqual(acc["run_id"], run_id)
        self.assertEqual(acc["model_id"], mid)
        self.assertEqual(acc["dataset_name"], "val")
        self.assertEqual(acc["dataset_digest"], "abc123")
        self.assertNotIn("dataset_name", metrics[1])
        # The run still sees them as ordinary metrics.
        self.assertEqual(harness.metrics_of(self.get_run(run_id))["loss"]["value"], 0.25)

    def test_nan_metric(self):
        run_id = self.create_run_id(self.exp)
        mid = self.create_id()
        self.assertOk(api_post("runs/log-metric", {"run_id": run_id, "key": "n", "value": "NaN",
                                                   "timestamp": now_ms(), "model_id": mid}))
        self.assertEqual(self.get(mid)["data"]["metrics"][0]["value"], "NaN")

    def test_metric_for_unknown_model_is_ignored(self):
        run_id = self.create_run_id(self.exp)
        self.assertOk(api_post("runs/log-metric", {"run_id": run_id, "key": "k", "value": 1,
                                                   "timestamp": now_ms(), "model_id": "m-" + "6" * 32}))
        self.assertIn("k", harness.metrics_of(self.get_run(run_id)))


class TestSearch(LoggedModelsBase):
    @classmethod
    def setUpClass(cls):
        base = harness.SextantTestCase()
        cls.exp = base.create_experiment(unique("lm-search"))
        cls.exp2 = base.create_experiment(unique("lm-search2"))
        cls.run_id = base.create_run_id(cls.exp)
        t = cls()
        cls.ids = {}
        specs = [("alpha", "rf", {"lr": "0.1"}, {"team": "a"}),
                 ("beta", "rf", {"lr": "0.2"}, {"team": "b"}),
                 ("gamma", None, {"lr": "0.3"}, {"team": "a", "env": "prod"}),
                 ("Delta", "svm", {}, {})]
        for name, model_type, params, tags in specs:
            fields = {"name": name, "params": kv(params), "tags": kv(tags), "source_run_id": cls.run_id}
            if model_type:
                fields["model_type"] = model_type
            cls.ids[name] = t.create_id(cls.exp, **fields)
            time.sleep(0.005)  # distinct creation times
        cls.other = t.create_id(cls.exp2, name="alpha")
        t.finalize(cls.ids["alpha"])
        t.finalize(cls.ids["beta"], "LOGGED_MODEL_UPLOAD_FAILED")
        ts = now_ms()
        metrics = [("alpha", "acc", 0.9, ts, 0, "train", "d1"), ("alpha", "acc", 0.6, ts + 10, 1, "test", "d2"),
                   ("beta", "acc", 0.7, ts, 0, "test", "d2"), ("gamma", "acc", 0.8, ts, 0, "train", "d1"),
                   ("gamma", "loss", 0.1, ts, 0, None, None)]
        for name, key, value, mts, step, ds, digest in metrics:
            m = {"key": key, "value": value, "timestamp": mts, "step": step, "model_id": cls.ids[name]}
            if ds:
                m["dataset_name"], m["dataset_digest"] = ds, digest
            t.log_batch(cls.run_id, metrics=[m])

    def names(self, **fields):
        by_id = {v: k for k, v in self.ids.items()}
        return [by_id.get(i, i) for i in self.search_ids(**fields)]

    def test_default_order_creation_desc(self):
        self.assertEqual(self.names(), ["Delta", "gamma", "beta", "alpha"])

    def test_experiment_scope(self):
        self.assertEqual(self.search_ids([self.exp2]), [self.other])
        self.assertEqual(len(self.search_ids([self.exp, self.exp2])), 5)
        self.assertEqual(self.search_ids([]), [])
        self.assertEqual(self.search_ids(["not-a-number"]), [])
        self.assertBadParam(api_post("logged-models/search", {}),
                            "Missing value for required parameter 'experiment_ids'")

    def test_attribute_filters(self):
        self.assertEqual(self.names(filter="name = 'alpha'"), ["alpha"])
        self.assertEqual(self.names(filter="attributes.name != 'alpha'"), ["Delta", "gamma", "beta"])
        self.assertEqual(self.names(filter="name LIKE '%a'"), ["Delta", "gamma", "beta", "alpha"])
        self.assertEqual(self.names(filter="name LIKE 'd%'"), [])  # LIKE is case-sensitive
        self.assertEqual(self.names(filter="name ILIKE 'd%'"), ["Delta"])
        self.assertEqual(self.names(filter="name IN ('alpha', 'gamma')"), ["gamma", "alpha"])
        self.assertEqual(self.names(filter="name NOT IN ('alpha', 'gamma')"), ["Delta", "beta"])
        self.assertEqual(self.names(filter="model_type = 'rf'"), ["beta", "alpha"])
        self.assertEqual(self.names(filter="source_run_id = '%s'" % self.run_id),
                         ["Delta", "gamma", "beta", "alpha"])
        self.assertEqual(self.names(filter="model_id = '%s'" % self.ids["beta"]), ["beta"])

    def test_status_filter(self):
        self.assertEqual(self.names(filter="status = 'LOGGED_MODEL_READY'"), ["alpha"])
        self.assertEqual(self.names(filter="status = '3'"), ["beta"])
        self.assertEqual(self.names(filter="status IN ('LOGGED_MODEL_PENDING')"), ["Delta", "gamma"])
        # Neither a status name nor a number: matches nothing (on every backend), LIKE on the number.
        self.assertEqual(self.names(filter="status = 'READY'"), [])
        self.assertEqual(len(self.names(filter="status != 'READY'")), len(self.names()))
        self.assertEqual(self.names(filter="status LIKE '3'"), ["beta"])

    def test_time_filters(self):
        created = {m["info"]["name"]: m["info"]["creation_timestamp_ms"] for m in self.search()["models"]}
        t = created["beta"]
        self.assertEqual(self.names(filter="creation_time >= %d" % t), ["Delta", "gamma", "beta"])
        self.assertEqual(self.names(filter="creation_timestamp_ms < %d" % t), ["alpha"])
        self.assertEqual(self.names(filter="attributes.creation_timestamp = %d" % t), ["beta"])
        self.assertEqual(len(self.names(filter="last_updated_timestamp > 0")), 4)

    def test_param_tag_filters(self):
        self.assertEqual(self.names(filter="params.lr = '0.2'"), ["beta"])
        self.assertEqual(self.names(filter="params.lr != '0.2'"), ["gamma", "alpha"])  # key must exist
        self.assertEqual(self.names(filter="tags.team = 'a'"), ["gamma", "alpha"])
        self.assertEqual(self.names(filter="tags.team = 'a' AND tags.env = 'prod'"), ["gamma"])
        self.assertEqual(self.names(filter="tags.`team` IN ('b')"), ["beta"])
        self.assertEqual(self.names(filter="params.lr LIKE '0.%' AND name != 'beta'"), ["gamma", "alpha"])

    def test_metric_filters(self):
        # Any metric row of that name may match.
        self.assertEqual(self.names(filter="metrics.acc > 0.85"), ["alpha"])
        self.assertEqual(self.names(filter="metrics.acc < 0.65"), ["alpha"])
        self.assertEqual(self.names(filter="metrics.acc >= 0.7"), ["gamma", "beta", "alpha"])
        self.assertEqual(self.names(filter="metrics.loss = 0.1"), ["gamma"])
        self.assertEqual(self.names(filter="metrics.acc != 0.9"), ["gamma", "beta", "alpha"])
        self.assertEqual(self.names(filter="metrics.missing > 0"), [])

    def test_datasets_restrict_metric_filters(self):
        train = [{"dataset_name": "train"}]
        self.assertEqual(self.names(filter="metrics.acc < 0.65", datasets=train), [])
        self.assertEqual(self.names(filter="metrics.acc > 0.5", datasets=train), ["gamma", "alpha"])
        both = [{"dataset_name": "train", "dataset_digest": "d1"}, {"dataset_name": "test", "dataset_digest": "d2"}]
        self.assertEqual(self.names(filter="metrics.acc > 0.5", datasets=both), ["gamma", "beta", "alpha"])
        wrong_digest = [{"dataset_name": "test", "dataset_digest": "zzz"}]
        self.assertEqual(self.names(filter="metrics.acc > 0", datasets=wrong_digest), [])
        # Without a metric clause: models with any metric on those datasets.
        self.assertEqual(self.names(datasets=[{"dataset_name": "test"}]), ["beta", "alpha"])
        self.assertBadParam(self.search(check=False, datasets=[{"dataset_digest": "d1"}]),
                            "`dataset_name` in the `datasets` clause must be specified.")

    def test_order_by_attributes(self):
        self.assertEqual(self.names(order_by=[{"field_name": "name"}]), ["Delta", "alpha", "beta", "gamma"])
        self.assertEqual(self.names(order_by=[{"field_name": "name", "ascending": False}]),
                         ["gamma", "beta", "alpha", "Delta"])
        self.assertEqual(self.names(order_by=[{"field_name": "creation_time", "ascending": True}]),
                         ["alpha", "beta", "gamma", "Delta"])
        # An absent model_type is "" (as in MLflow), which sorts first ascending and last
        # descending; ties by creation time DESC.
        self.assertEqual(self.names(order_by=[{"field_name": "model_type", "ascending": True}]),
                         ["gamma", "beta", "alpha", "Delta"])
        self.assertEqual(self.names(order_by=[{"field_name": "model_type", "ascending": False}]),
                         ["Delta", "beta", "alpha", "gamma"])

    def test_order_by_metric(self):
        # Latest value per model: alpha 0.6 (step 1, later), beta 0.7, gamma 0.8; Delta has none.
        self.assertEqual(self.names(order_by=[{"field_name": "metrics.acc", "ascending": True}]),
                         ["alpha", "beta", "gamma", "Delta"])
        self.assertEqual(self.names(order_by=[{"field_name": "metrics.acc", "ascending": False}]),
                         ["gamma", "beta", "alpha", "Delta"])
        self.assertEqual(self.names(order_by=[{"field_name": "metrics.acc", "ascending": False,
                                               "dataset_name": "train"}]),
                         ["alpha", "gamma", "Delta", "beta"])
        self.assertEqual(self.names(order_by=[{"field_name": "metrics.acc", "dataset_name": "train",
                                               "dataset_digest": "nope"}]),
                         ["Delta", "gamma", "beta", "alpha"])

    def test_order_by_errors(self):
        self.assertBadParam(self.search(check=False, order_by=[{"field_name": "nope"}]),
                            "Invalid order by field name: nope")
        self.assertBadParam(self.search(check=False, order_by=[{"field_name": "params.lr"}]),
                            "Invalid order by field name: params.lr. Only metrics are supported.")
        self.assertBadParam(self.search(check=False, order_by="name"), "order_by")
        self.assertBadParam(self.search(check=False, order_by=[{"field_name": "name", "ascending": "maybe"}]),
                            "ascending")

    def test_filter_errors(self):
        cases = [
            ("name = 'a' OR name = 'b'", "Expected a list of comparisons separated by 'AND'"),
            ("foo.x = 'a'", "Invalid entity type: 'foo'"),
            ("metrics.acc LIKE '%'", "Invalid comparison operator for metrics.acc: 'LIKE'"),
            ("name > 'a'", "Invalid comparison operator for attributes.name: '>'"),
            ("metrics.acc > 'high'", "expected a number"),
            ("unknown_attr = 'x'", "Invalid attribute key 'unknown_attr' specified."),
            ("name = 'a'; name = 'b'", "Expected a single SQL expression."),
        ]
        for f, msg in cases:
            self.assertBadParam(self.search(check=False, filter=f), msg, msg=f)

    def test_pagination(self):
        seen = []
        token = None
        pages = 0
        while True:
            fields = {"max_results": 3, "order_by": [{"field_name": "name"}]}
            if token:
                fields["page_token"] = token
            d = self.search([self.exp, self.exp2], **fields)
            seen += [m["info"]["model_id"] for m in d.get("models", [])]
            pages += 1
            token = d.get("next_page_token")
            if not token:
                break
        self.assertEqual(pages, 2)
        self.assertEqual(len(seen), 5)
        self.assertEqual(len(set(seen)), 5)

    def test_peek_ahead_token(self):
        d = self.search(max_results=4)
        self.assertEqual(len(d["models"]), 4)
        self.assertNotIn("next_page_token", d)  # no further row: no token
        d = self.search(max_results=3)
        self.assertIn("next_page_token", d)
        d2 = self.search(max_results=3, page_token=d["next_page_token"])
        self.assertEqual(len(d2["models"]), 1)
        self.assertNotIn("next_page_token", d2)

    def test_token_format(self):
        d = self.search(max_results=1, filter="name != 'x'", order_by=[{"field_name": "name"}])
        token = json.loads(base64.b64decode(d["next_page_token"]))
        self.assertEqual(token, {"experiment_ids": [self.exp], "filter_string": "name != 'x'",
                                 "order_by": [{"field_name": "name", "ascending": True, "dataset_name": None,
                                               "dataset_digest": None}],
                                 "offset": 1})

    def test_token_must_match_query(self):
        d = self.search(max_results=1, filter="name != 'x'")
        token = d["next_page_token"]
        self.search(max_results=1, filter="name != 'x'", page_token=token)
        self.assertBadParam(self.search(check=False, max_results=1, filter="name != 'y'", page_token=token),
                            "Filter string in the page token does not match the requested filter string.")
        self.assertBadParam(self.search([self.exp2], check=False, max_results=1, filter="name != 'x'",
                                        page_token=token),
                            "Experiment IDs in the page token do not match the requested experiment IDs.")
        self.assertBadParam(self.search(check=False, max_results=1, filter="name != 'x'", page_token=token,
                                        order_by=[{"field_name": "name"}]),
                            "Order by in the page token does not match the requested order by.")
        self.assertBadParam(self.search(check=False, page_token="garbage!"), "Invalid page token")
        offset_token = base64.b64encode(b'{"offset": 1}').decode()
        self.assertBadParam(self.search(check=False, page_token=offset_token), "do not match")

    def test_max_results(self):
        self.assertEqual(len(self.search(max_results=2)["models"]), 2)
        self.assertEqual(len(self.search(max_results=0)["models"]), 4)  # 0 = default
        self.assertBadParam(self.search(check=False, max_results=-1), "max_results")

    def test_default_max_results_is_50(self):
        exp = self.create_experiment(unique("lm-many"))
        for _ in range(52):
            self.create(exp)
        d = self.search([exp])
        self.assertEqual(len(d["models"]), 50)
        self.assertIn("next_page_token", d)
        self.assertEqual(len(self.search([exp], page_token=d["next_page_token"])["models"]), 2)

    def test_ajax(self):
        d = self.assertOk(ajax_post("logged-models/search", {"experiment_ids": [self.exp],
                                                             "filter": "name = 'beta'"}))
        self.assertEqual([m["info"]["model_id"] for m in d["models"]], [self.ids["beta"]])

    def test_models_carry_data(self):
        d = self.search(filter="name = 'alpha'")
        m = d["models"][0]
        self.assertEqual(harness.as_dict(m["data"]["params"]), {"lr": "0.1"})
        self.assertEqual(sorted(x["value"] for x in m["data"]["metrics"]), [0.6, 0.9])
        self.assertEqual(harness.as_dict(m["info"]["tags"]), {"team": "a"})
        self.assertEqual(m["info"]["status"], "LOGGED_MODEL_READY")


class TestArtifacts(LoggedModelsBase):
    def model_root(self, model):
        uri = model["info"]["artifact_uri"]
        self.assertTrue(uri.startswith("mlflow-artifacts:/"), uri)
        return uri[len("mlflow-artifacts:/"):]

    def put(self, path, data):
        r = self.srv.request("PUT", ARTIFACTS + "/" + path, data=data,
                             headers={"Content-Type": "application/octet-stream"})
        self.assertOk(r, "upload " + path)

    def listing(self, model_id, path=None, check=True):
        params = {"artifact_directory_path": path} if path is not None else None
        r = api_get("logged-models/%s/artifacts/directories" % model_id, params)
        return self.assertOk(r) if check else r

    def test_upload_and_list(self):
        m = self.create(name="with-files")
        mid = m["info"]["model_id"]
        root = self.model_root(m)
        self.put(root + "/MLmodel", b"flavors: {}\n")
        self.put(root + "/model.pkl", b"\x00" * 10)
        self.put(root + "/sub/dir/file.txt", b"hello")
        on_disk = os.path.join(self.srv.artifacts_dir, self.exp, "models", mid, "artifacts", "sub", "dir", "file.txt")
        self.assertTrue(os.path.isfile(on_disk), on_disk)

        d = self.listing(mid)
        self.assertEqual(d["root_uri"], m["info"]["artifact_uri"])
        self.assertEqual(d["files"], [{"path": "MLmodel", "is_dir": False, "file_size": 12},
                                      {"path": "model.pkl", "is_dir": False, "file_size": 10},
                                      {"path": "sub", "is_dir": True}])
        self.assertEqual(self.listing(mid, "sub")["files"], [{"path": "sub/dir", "is_dir": True}])
        self.assertEqual(self.listing(mid, "sub/dir/")["files"],
                         [{"path": "sub/dir/file.txt", "is_dir": False, "file_size": 5}])
        self.assertEqual(self.listing(mid, "nope"), {"root_uri": m["info"]["artifact_uri"]})
        # Through the proxy listing too (what the Python client uses).
        r = self.srv.request("GET", ARTIFACTS, params={"path": root})
        self.assertEqual(sorted(f["path"] for f in self.assertOk(r)["files"]), ["MLmodel", "model.pkl", "sub"])

    def test_list_empty_and_errors(self):
        m = self.create()
        mid = m["info"]["model_id"]
        self.assertEqual(self.listing(mid), {"root_uri": m["info"]["artifact_uri"]})
        self.assertBadParam(self.listing(mid, "../other", check=False), "Invalid path")
        self.assertBadParam(self.listing(mid, "/etc", check=False), "Invalid path")
        self.assertNotFound(self.listing("m-" + "7" * 32, check=False), "not found")
        self.assertOk(ajax_get("logged-models/%s/artifacts/directories" % mid))

    def test_local_experiment_location(self):
        loc = os.path.join(self.srv.workdir, "lm-local-art")
        exp = self.create_experiment(unique("lm-local"), artifact_location=loc)
        m = self.create(exp)
        mid = m["info"]["model_id"]
        os.makedirs(os.path.join(loc, "models", mid, "artifacts"))
        with open(os.path.join(loc, "models", mid, "artifacts", "MLmodel"), "wb") as f:
            f.write(b"abc")
        self.assertEqual(self.listing(mid)["files"], [{"path": "MLmodel", "is_dir": False, "file_size": 3}])
        r = self.srv.request("GET", AJAX + "/logged-models/%s/artifacts/files" % mid,
                             params={"artifact_file_path": "MLmodel"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.content, b"abc")

    def test_ui_file_download(self):
        m = self.create()
        mid = m["info"]["model_id"]
        root = self.model_root(m)
        self.put(root + "/dir/conda.yaml", b"name: x\n")
        url = AJAX + "/logged-models/%s/artifacts/files" % mid
        r = self.srv.request("GET", url, params={"artifact_file_path": "dir/conda.yaml"})
        self.assertEqual(r.status_code, 200, harness.describe(r))
        self.assertEqual(r.content, b"name: x\n")
        self.assertTrue(r.headers["Content-Type"].startswith("text/plain"), r.headers)
        self.assertIn("attachment", r.headers.get("Content-Disposition", ""))
        self.assertError(self.srv.request("GET", url), 400, "BAD_REQUEST",
                         'Request must include the "artifact_file_path" query parameter.')
        self.assertBadParam(self.srv.request("GET", url, params={"artifact_file_path": "../x"}), "Invalid path")
        self.assertNotFound(self.srv.request("GET", url, params={"artifact_file_path": "nope.txt"}))
        self.assertNotFound(self.srv.request("GET", AJAX + "/logged-models/m-%s/artifacts/files" % ("8" * 32),
                                             params={"artifact_file_path": "x"}))
        # UI-only: not under /api/2.0/mlflow.
        r = api_get("logged-models/%s/artifacts/files" % mid, {"artifact_file_path": "dir/conda.yaml"})
        self.assertEqual(r.status_code, 404)
        self.assertFalse(harness.is_json(r))


class TestStaticPrefix(unittest.TestCase):
    """--static-prefix moves the ajax routes (incl. the UI file route), not /api/2.0."""

    @classmethod
    def setUpClass(cls):
        cls.server = harness.SextantServer(extra_args=["--static-prefix", "/pfx"])
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        rc = cls.server.stop()
        stderr = cls.server.stderr_text()
        cls.server.cleanup()
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            if marker in stderr:
                raise AssertionError("sanitizer report from sextant\n" + stderr)
        if rc not in (0, None):
            raise AssertionError("sextant exited with code %s\n%s" % (rc, stderr))

    def test_routes(self):
        srv = self.server
        exp = srv.request("POST", API + "/experiments/create", json={"name": unique("pfx")}).json()["experiment_id"]
        r = srv.request("POST", "/pfx" + AJAX + "/logged-models", json={"experiment_id": exp})
        self.assertEqual(r.status_code, 200, harness.describe(r))
        m = r.json()["model"]
        mid = m["info"]["model_id"]
        self.assertEqual(srv.request("GET", API + "/logged-models/" + mid).status_code, 200)
        self.assertEqual(srv.request("GET", "/pfx" + AJAX + "/logged-models/" + mid).status_code, 200)
        self.assertEqual(srv.request("GET", AJAX + "/logged-models/" + mid).status_code, 404)
        root = m["info"]["artifact_uri"][len("mlflow-artifacts:/"):]
        r = srv.request("PUT", ARTIFACTS + "/" + root + "/MLmodel", data=b"x",
                        headers={"Content-Type": "application/octet-stream"})
        self.assertEqual(r.status_code, 200, harness.describe(r))
        r = srv.request("GET", "/pfx" + AJAX + "/logged-models/%s/artifacts/files" % mid,
                        params={"artifact_file_path": "MLmodel"})
        self.assertEqual((r.status_code, r.content), (200, b"x"))

    def test_issue14_routes(self):
        """The UI-only RPCs, model-versions/get-artifact and the workspace rules move with the prefix."""
        srv = self.server
        run = srv.request("POST", API + "/runs/create", json={"experiment_id": "0"}).json()["run"]["info"]["run_id"]
        r = srv.request("POST", "/pfx" + AJAX + "/upload-artifact", params={"run_uuid": run, "path": "a.txt"}, data="hi")
        self.assertEqual(r.status_code, 200, harness.describe(r))
        self.assertEqual(srv.request("GET", "/pfx/get-artifact", params={"run_id": run, "path": "a.txt"}).text, "hi")
        self.assertEqual(srv.request("POST", AJAX + "/upload-artifact", params={"run_uuid": run, "path": "b.txt"},
                                     data="hi", headers={"Content-Type": "application/octet-stream"}).status_code, 404)
        self.assertEqual(srv.request("GET", "/pfx/model-versions/get-artifact", params={"name": "x", "version": "1"}).status_code, 400)
        self.assertEqual(srv.request("GET", "/model-versions/get-artifact", params={"name": "x", "version": "1"}).status_code, 404)
        self.assertEqual(srv.request("GET", "/pfx" + AJAX + "/gateway-proxy").json(), {"endpoints": []})
        r = srv.request("GET", "/pfx" + AJAX + "/workspaces/w")
        self.assertEqual(r.status_code, 503)
        self.assertTrue(r.text.startswith("Endpoint: /pfx%s/workspaces/<workspace_name> disabled" % AJAX), r.text)
        self.assertTrue(srv.request("GET", API + "/workspaces").text.startswith("Endpoint: %s/workspaces disabled" % API))


if __name__ == "__main__":
    unittest.main()
