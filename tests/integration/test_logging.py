"""Logging: log-metric, log-parameter, set-tag, delete-tag, log-batch and request parsing
(spec §1.2, §1.3, §2.3, §4, §5.6)."""

import json
import unittest
import uuid

import harness
from harness import (api_get, api_post, ajax_post, now_ms, unique, metrics_of, params_of, tags_of,
                     DBL_MAX)
from harness import setUpModule, tearDownModule  # noqa: F401

RUN_NAME_TAG = "mlflow.runName"

BAD_KEYS = {
    "bad!key": "Names may only contain",
    "semi;colon": "Names may only contain",
    "a/../b": None,
    "/a": None,
    "a//b": None,
    "a/": None,
    "./a": None,
    "..": None,
    "../a": None,
    "a/./b": None,
    "": None,
    "k" * 251: None,
}
GOOD_KEYS = ["simple", "with space", "dots.and-dashes_", "slash/ok/x", "colon:ok",
             "k" * 250, "métrique", "ключ"]


class LoggingBase(harness.SextantTestCase):
    @classmethod
    def setUpClass(cls):
        cls.exp = harness.SextantTestCase().create_experiment(unique("logging"))

    def new_run(self, **kw):
        return self.create_run_id(self.exp, **kw)

    def history(self, rid, key):
        data = self.assertOk(api_get("metrics/get-history", {"run_id": rid, "metric_key": key,
                                                             "max_results": 25000}))
        return data.get("metrics", [])


class TestLogMetric(LoggingBase):
    def test_basic(self):
        rid = self.new_run()
        self.log_metric(rid, "acc", 0.75, timestamp=1000, step=3)
        m = metrics_of(self.get_run(rid))["acc"]
        self.assertEqual(m, {"key": "acc", "value": 0.75, "timestamp": 1000, "step": 3})

    def test_step_defaults_to_zero_and_is_emitted(self):
        rid = self.new_run()
        self.log_metric(rid, "m", 1.0, timestamp=5)
        m = metrics_of(self.get_run(rid))["m"]
        self.assertIn("step", m)
        self.assertEqual(m["step"], 0)

    def test_run_uuid_only(self):
        rid = self.new_run()
        self.assertOk(api_post("runs/log-metric", {"run_uuid": rid, "key": "m", "value": 2,
                                                   "timestamp": 1}))
        self.assertEqual(metrics_of(self.get_run(rid))["m"]["value"], 2)

    def test_via_ajax(self):
        rid = self.new_run()
        self.assertOk(ajax_post("runs/log-metric", {"run_id": rid, "key": "m", "value": 2,
                                                    "timestamp": 1}))
        self.assertEqual(metrics_of(self.get_run(rid))["m"]["value"], 2)

    def test_nan_round_trip(self):
        rid = self.new_run()
        r = api_post("runs/log-metric", {"run_id": rid, "key": "n", "value": "NaN",
                                         "timestamp": 10, "step": 1})
        self.assertOk(r)
        m = metrics_of(self.get_run(rid))["n"]
        self.assertEqual(m["value"], "NaN")  # encoded as the string "NaN" (§1.3)
        h = self.history(rid, "n")
        self.assertEqual(len(h), 1)
        self.assertEqual(h[0]["value"], "NaN")

    def test_infinities_stored_as_dbl_max(self):
        rid = self.new_run()
        self.log_metric(rid, "pinf", "Infinity", timestamp=1)
        self.log_metric(rid, "ninf", "-Infinity", timestamp=1)
        ms = metrics_of(self.get_run(rid))
        self.assertEqual(ms["pinf"]["value"], DBL_MAX)
        self.assertEqual(ms["ninf"]["value"], -DBL_MAX)
        self.assertEqual(self.history(rid, "pinf")[0]["value"], DBL_MAX)

    def test_value_as_numeric_string(self):
        rid = self.new_run()
        self.log_metric(rid, "s", "2.5", timestamp=1)
        self.assertEqual(metrics_of(self.get_run(rid))["s"]["value"], 2.5)

    def test_numbers_as_strings(self):
        rid = self.new_run()
        self.assertOk(api_post("runs/log-metric", {"run_id": rid, "key": "m", "value": 3,
                                                   "timestamp": "123", "step": "4"}))
        m = metrics_of(self.get_run(rid))["m"]
        self.assertEqual((m["timestamp"], m["step"]), (123, 4))

    def test_large_int64_values(self):
        rid = self.new_run()
        ts = 2 ** 53 + 1
        self.log_metric(rid, "big", 1, timestamp=ts, step=2 ** 40)
        m = metrics_of(self.get_run(rid))["big"]
        self.assertEqual(m["timestamp"], ts)
        self.assertEqual(m["step"], 2 ** 40)

    def test_missing_fields(self):
        rid = self.new_run()
        full = {"run_id": rid, "key": "m", "value": 1.0, "timestamp": 1}
        for missing in ("run_id", "key", "value", "timestamp"):
            body = dict(full)
            del body[missing]
            self.assertBadParam(api_post("runs/log-metric", body),
                                "Missing value for required parameter", msg=missing)
        self.assertEqual(metrics_of(self.get_run(rid)), {})

    def test_bad_value_types(self):
        rid = self.new_run()
        for v in ("abc", "", True, {"x": 1}, [1]):
            self.assertBadParam(api_post("runs/log-metric", {"run_id": rid, "key": "m",
                                                             "value": v, "timestamp": 1}),
                                msg=repr(v))
        self.assertEqual(metrics_of(self.get_run(rid)), {})

    def test_bad_timestamp_and_step(self):
        rid = self.new_run()
        for ts in (-1, "abc", 1.5):
            self.assertBadParam(api_post("runs/log-metric", {"run_id": rid, "key": "m",
                                                             "value": 1, "timestamp": ts}),
                                msg=repr(ts))
        self.assertBadParam(api_post("runs/log-metric", {"run_id": rid, "key": "m", "value": 1,
                                                         "timestamp": 1, "step": "x"}))

    def test_negative_step_ok(self):
        rid = self.new_run()
        self.log_metric(rid, "m", 1.0, timestamp=1, step=-5)
        self.assertEqual(metrics_of(self.get_run(rid))["m"]["step"], -5)

    def test_exact_duplicates_ignored(self):
        rid = self.new_run()
        for _ in range(3):
            self.log_metric(rid, "d", 1.0, timestamp=7, step=2)
        self.log_metric(rid, "d", 2.0, timestamp=7, step=2)  # different value -> new row
        self.assertEqual(len(self.history(rid, "d")), 2)

    def test_unknown_run(self):
        self.assertNotFound(api_post("runs/log-metric", {"run_id": "a" * 32, "key": "m",
                                                         "value": 1, "timestamp": 1}))

    def test_key_validation(self):
        rid = self.new_run()
        for key, msg in BAD_KEYS.items():
            self.assertBadParam(self.log_metric(rid, key, 1, timestamp=1, check=False), msg,
                                msg=key[:40])
        for key in GOOD_KEYS:
            self.log_metric(rid, key, 1, timestamp=1)
        self.assertEqual(set(metrics_of(self.get_run(rid))), set(GOOD_KEYS))

    def test_key_too_long_message(self):
        rid = self.new_run()
        self.assertBadParam(self.log_metric(rid, "k" * 251, 1, timestamp=1, check=False),
                            "exceeds the maximum length of 250 characters")


class TestMistypedFieldMessages(LoggingBase):
    """A field of the wrong JSON type gets MLflow's schema message with the value as Python's
    json.dumps shows it: ints bare, floats as repr, strings quoted with \\u escapes, dicts with
    sorted keys; the type as Python names it. Nothing is written."""

    def message(self, value_text, param, type_name):
        return ("Invalid value %s for parameter '%s' supplied:  Hint: Value was of type '%s'. See the API docs "
                "for more information about request parameters." % (value_text, param, type_name))

    def test_each_python_type(self):
        rid = self.new_run()
        name = unique("typed")
        cases = [
            ("runs/log-metric", {"run_id": 31, "key": "m", "value": 1, "timestamp": 1}, "31", "run_id", "int"),
            ("runs/log-metric", {"run_id": rid, "key": 2.5, "value": 1, "timestamp": 1}, "2.5", "key", "float"),
            ("runs/log-metric", {"run_id": rid, "key": "m", "value": 1, "timestamp": "foo"}, '"foo"', "timestamp",
             "str"),
            ("runs/log-metric", {"run_id": rid, "key": "m", "value": 1, "timestamp": 1, "step": [1]}, "[1]", "step",
             "list"),
            ("runs/log-parameter", {"run_id": rid, "key": True, "value": "v"}, "true", "key", "bool"),
            ("runs/set-tag", {"run_id": rid, "key": "k", "value": {"b": 1, "a": "\u00e9"}}, '{"a":"\\u00e9","b":1}',
             "value", "dict"),
            ("runs/log-batch", {"run_id": rid, "metrics": "foo"}, '"foo"', "metrics", "str"),
            ("runs/log-batch", {"run_id": rid, "params": 1e16}, "1e+16", "params", "float"),
            ("runs/log-batch", {"run_id": rid, "tags": {"k": "v"}}, '{"k":"v"}', "tags", "dict"),
            ("experiments/create", {"name": 123}, "123", "name", "int"),
            ("experiments/create", {"name": name, "artifact_location": 9.0}, "9.0", "artifact_location", "float"),
            ("experiments/create", {"name": name, "tags": "5"}, '"5"', "tags", "str"),
            # All types are checked first, in MLflow's schema order, before any other rule.
            ("runs/log-parameter", {"run_id": rid, "key": 31, "value": 41}, "31", "key", "int"),
            ("runs/set-tag", {"run_id": rid, "key": 31, "value": 41}, "31", "key", "int"),
            ("experiments/create", {"name": name, "artifact_location": "/etc/outside", "tags": "5"}, '"5"', "tags",
             "str"),
        ]
        for path, body, value_text, param, type_name in cases:
            self.assertBadParam(api_post(path, body), self.message(value_text, param, type_name), msg=path)
        run = self.get_run(rid)
        self.assertEqual((metrics_of(run), run["data"].get("params", [])), ({}, []))
        self.assertEqual([t for t in run["data"].get("tags", []) if t["key"] == "k"], [])
        self.assertNotFound(api_get("experiments/get-by-name", {"experiment_name": name}))


    def test_enum_values_shown_as_json(self):
        rid = self.new_run()
        self.assertBadParam(api_post("runs/update", {"run_id": rid, "status": 7}),
                            "Invalid value 7 for parameter 'status' supplied.")
        self.assertBadParam(api_get("experiments/search", {"view_type": 'B"\u00e9'}),
                            "Invalid value \"B\\\"\\u00e9\" for parameter 'view_type' supplied.")
        self.assertEqual(self.get_run(rid)["info"]["status"], "RUNNING")


class TestLatestMetric(LoggingBase):
    def latest(self, rid, key):
        return metrics_of(self.get_run(rid))[key]

    def test_highest_step_wins_not_last_write(self):
        rid = self.new_run()
        self.log_metric(rid, "m", 5.0, timestamp=100, step=5)
        self.log_metric(rid, "m", 3.0, timestamp=200, step=3)
        self.assertEqual(self.latest(rid, "m"),
                         {"key": "m", "value": 5.0, "timestamp": 100, "step": 5})

    def test_same_step_later_timestamp_wins(self):
        rid = self.new_run()
        self.log_metric(rid, "m", 9.0, timestamp=300, step=1)
        self.log_metric(rid, "m", 1.0, timestamp=100, step=1)
        self.assertEqual(self.latest(rid, "m")["value"], 9.0)
        self.log_metric(rid, "m", 2.0, timestamp=400, step=1)
        self.assertEqual(self.latest(rid, "m")["value"], 2.0)

    def test_same_step_and_timestamp_greater_value_wins(self):
        rid = self.new_run()
        self.log_metric(rid, "m", 5.0, timestamp=1, step=1)
        self.log_metric(rid, "m", 3.0, timestamp=1, step=1)
        self.assertEqual(self.latest(rid, "m")["value"], 5.0)
        self.log_metric(rid, "m", 7.0, timestamp=1, step=1)
        self.assertEqual(self.latest(rid, "m")["value"], 7.0)

    def test_negative_steps(self):
        rid = self.new_run()
        self.log_metric(rid, "m", 1.0, timestamp=50, step=-1)
        self.log_metric(rid, "m", 2.0, timestamp=10, step=-2)
        self.assertEqual(self.latest(rid, "m")["step"], -1)

    def test_batch_folds_same_key(self):
        rid = self.new_run()
        self.log_batch(rid, metrics=[
            {"key": "b", "value": 1.0, "timestamp": 10, "step": 2},
            {"key": "b", "value": 4.0, "timestamp": 5, "step": 9},
            {"key": "b", "value": 2.0, "timestamp": 99, "step": 3},
        ])
        self.assertEqual(self.latest(rid, "b"),
                         {"key": "b", "value": 4.0, "timestamp": 5, "step": 9})
        self.assertEqual(len(self.history(rid, "b")), 3)


class TestLogParam(LoggingBase):
    def test_basic_and_idempotent(self):
        rid = self.new_run()
        self.log_param(rid, "lr", "0.1")
        self.log_param(rid, "lr", "0.1")
        self.assertEqual(params_of(self.get_run(rid)), {"lr": "0.1"})

    def test_via_ajax_and_run_uuid(self):
        rid = self.new_run()
        self.assertOk(ajax_post("runs/log-parameter", {"run_uuid": rid, "key": "a",
                                                       "value": "b"}))
        self.assertEqual(params_of(self.get_run(rid)), {"a": "b"})

    def test_change_rejected(self):
        rid = self.new_run()
        self.log_param(rid, "lr", "0.1")
        r = self.log_param(rid, "lr", "0.2", check=False)
        self.assertBadParam(r, "Changing param values is not allowed")
        self.assertIn("0.2", r.json()["message"])
        self.assertEqual(params_of(self.get_run(rid)), {"lr": "0.1"})

    def test_long_value_truncated(self):
        rid = self.new_run()
        value = "abcdefghij" * 700  # 7000 chars
        self.log_param(rid, "long", value)
        stored = params_of(self.get_run(rid))["long"]
        self.assertEqual(stored, value[:6000])
        # the comparison is on the stored (truncated) value: same long value again is fine
        self.log_param(rid, "long", value)
        self.log_param(rid, "long", value[:6000])

    def test_length_counted_in_characters(self):
        rid = self.new_run()
        self.log_param(rid, "é" * 250, "é" * 6001)
        params = params_of(self.get_run(rid))
        self.assertEqual(params["é" * 250], "é" * 6000)

    def test_length_counted_in_code_points(self):
        # astral characters are 1 char in Python len() (4 bytes UTF-8, 2 UTF-16 units)
        rid = self.new_run()
        self.log_param(rid, "emoji", "\U0001F600" * 6001)
        self.set_tag(rid, "emoji", "\U0001F600" * 8001)
        self.log_param(rid, "exact", "\U0001F600" * 6000)
        run = self.get_run(rid)
        self.assertEqual(params_of(run)["emoji"], "\U0001F600" * 6000)
        self.assertEqual(params_of(run)["exact"], "\U0001F600" * 6000)
        self.assertEqual(tags_of(run)["emoji"], "\U0001F600" * 8000)

    def test_unicode_round_trip(self):
        rid = self.new_run()
        value = "caf\u00e9 \u4e2d\u6587 \U0001F680 \"quoted\" back\\slash \n newline \t tab"
        self.log_param(rid, "uni", value)  # requests sends \uXXXX escapes (surrogate pairs)
        self.set_tag(rid, "uni", value)
        raw = harness.api_request("POST", "runs/set-tag",
                                  data=json.dumps({"run_id": rid, "key": "raw",
                                                   "value": value}, ensure_ascii=False)
                                  .encode("utf-8"),
                                  headers={"Content-Type": "application/json"})
        self.assertOk(raw)
        run = self.get_run(rid)
        self.assertEqual(params_of(run)["uni"], value)
        self.assertEqual(tags_of(run)["uni"], value)
        self.assertEqual(tags_of(run)["raw"], value)

    def test_missing_value_stored_empty(self):
        rid = self.new_run()
        self.assertOk(api_post("runs/log-parameter", {"run_id": rid, "key": "novalue"}))
        self.assertEqual(params_of(self.get_run(rid)), {"novalue": ""})

    def test_empty_value(self):
        rid = self.new_run()
        self.log_param(rid, "empty", "")
        self.assertEqual(params_of(self.get_run(rid)), {"empty": ""})

    def test_missing_key_or_run(self):
        rid = self.new_run()
        self.assertBadParam(api_post("runs/log-parameter", {"run_id": rid, "value": "v"}),
                            "Missing value for required parameter")
        self.assertBadParam(api_post("runs/log-parameter", {"key": "k", "value": "v"}),
                            "Missing value for required parameter")

    def test_unknown_run(self):
        self.assertNotFound(self.log_param("b" * 32, "k", "v", check=False))

    def test_key_validation(self):
        rid = self.new_run()
        for key, msg in BAD_KEYS.items():
            self.assertBadParam(self.log_param(rid, key, "v", check=False), msg, msg=key[:40])
        for key in GOOD_KEYS:
            self.log_param(rid, key, "v")
        self.assertEqual(set(params_of(self.get_run(rid))), set(GOOD_KEYS))


class TestTags(LoggingBase):
    def test_set_and_upsert(self):
        rid = self.new_run()
        self.set_tag(rid, "t", "1")
        self.set_tag(rid, "t", "2")
        self.assertEqual(tags_of(self.get_run(rid))["t"], "2")

    def test_via_ajax(self):
        rid = self.new_run()
        self.assertOk(ajax_post("runs/set-tag", {"run_id": rid, "key": "a", "value": "b"}))
        self.assertEqual(tags_of(self.get_run(rid))["a"], "b")

    def test_long_value_truncated(self):
        rid = self.new_run()
        self.set_tag(rid, "long", "x" * 9000)
        self.assertEqual(tags_of(self.get_run(rid))["long"], "x" * 8000)

    def test_long_incompressible_values(self):
        # Random text does not compress: a database index over whole values would refuse it.
        rid = self.new_run()
        tag = "".join(uuid.uuid4().hex for _ in range(250))  # 8000 characters
        param = tag[:6000]
        self.set_tag(rid, "random", tag)
        self.log_param(rid, "random", param)
        run = self.get_run(rid)
        self.assertEqual(tags_of(run)["random"], tag)
        self.assertEqual(params_of(run)["random"], param)
        found = self.assertOk(api_post("runs/search", {"experiment_ids": [run["info"]["experiment_id"]],
                                                       "filter": "tags.random = '%s'" % tag}))
        self.assertEqual([r["info"]["run_id"] for r in found["runs"]], [rid])

    def test_run_name_tag_updates_run_name(self):
        rid = self.new_run(run_name="orig")
        self.set_tag(rid, RUN_NAME_TAG, "renamed")
        run = self.get_run(rid)
        self.assertEqual(run["info"]["run_name"], "renamed")
        self.assertEqual(tags_of(run)[RUN_NAME_TAG], "renamed")

    def test_missing_key(self):
        rid = self.new_run()
        self.assertBadParam(api_post("runs/set-tag", {"run_id": rid, "value": "v"}),
                            "Missing value for required parameter")

    def test_unknown_run(self):
        self.assertNotFound(self.set_tag("c" * 32, "k", "v", check=False))

    def test_key_validation(self):
        rid = self.new_run()
        for key, msg in BAD_KEYS.items():
            self.assertBadParam(self.set_tag(rid, key, "v", check=False), msg, msg=key[:40])
        for key in GOOD_KEYS:
            self.set_tag(rid, key, "v")
        self.assertTrue(set(GOOD_KEYS) <= set(tags_of(self.get_run(rid))))

    def test_delete_tag(self):
        rid = self.new_run()
        self.set_tag(rid, "gone", "1")
        self.set_tag(rid, "stays", "2")
        self.assertOk(api_post("runs/delete-tag", {"run_id": rid, "key": "gone"}))
        tags = tags_of(self.get_run(rid))
        self.assertNotIn("gone", tags)
        self.assertEqual(tags["stays"], "2")

    def test_delete_tag_via_ajax(self):
        rid = self.new_run()
        self.set_tag(rid, "gone", "1")
        self.assertOk(ajax_post("runs/delete-tag", {"run_id": rid, "key": "gone"}))
        self.assertNotIn("gone", tags_of(self.get_run(rid)))

    def test_delete_missing_tag(self):
        rid = self.new_run()
        self.assertNotFound(api_post("runs/delete-tag", {"run_id": rid, "key": "nope"}),
                            "No tag with name: nope in run with id %s" % rid)

    def test_delete_tag_unknown_run(self):
        self.assertNotFound(api_post("runs/delete-tag", {"run_id": "d" * 32, "key": "k"}))


def _metrics(n, key="m", ts=1):
    return [{"key": key, "value": float(i), "timestamp": ts, "step": i} for i in range(n)]


def _params(n, prefix="p"):
    return [{"key": "%s%d" % (prefix, i), "value": str(i)} for i in range(n)]


def _tags(n, prefix="t"):
    return [{"key": "%s%d" % (prefix, i), "value": str(i)} for i in range(n)]


class TestLogBatch(LoggingBase):
    def assertUntouched(self, rid):
        run = self.get_run(rid)
        self.assertEqual(run["data"].get("metrics", []), [], "metrics were written")
        self.assertEqual(run["data"].get("params", []), [], "params were written")
        self.assertEqual(set(tags_of(run)), {RUN_NAME_TAG}, "tags were written")

    def test_basic(self):
        rid = self.new_run()
        self.log_batch(rid,
                       metrics=[{"key": "m1", "value": 1.5, "timestamp": 10, "step": 1},
                                {"key": "m2", "value": "NaN", "timestamp": 10},
                                {"key": "m3", "value": "Infinity", "timestamp": 10}],
                       params=[{"key": "p1", "value": "a"}, {"key": "p2", "value": "b"}],
                       tags=[{"key": "t1", "value": "x"}])
        run = self.get_run(rid)
        ms = metrics_of(run)
        self.assertEqual(ms["m1"], {"key": "m1", "value": 1.5, "timestamp": 10, "step": 1})
        self.assertEqual(ms["m2"]["value"], "NaN")
        self.assertEqual(ms["m2"]["step"], 0)
        self.assertEqual(ms["m3"]["value"], DBL_MAX)
        self.assertEqual(params_of(run), {"p1": "a", "p2": "b"})
        self.assertEqual(tags_of(run)["t1"], "x")

    def test_empty_batch(self):
        rid = self.new_run()
        self.assertOk(api_post("runs/log-batch", {"run_id": rid}))

    def test_via_ajax(self):
        rid = self.new_run()
        self.assertOk(ajax_post("runs/log-batch", {"run_id": rid,
                                                   "params": [{"key": "a", "value": "1"}]}))
        self.assertEqual(params_of(self.get_run(rid)), {"a": "1"})

    def test_limits_at_maximum_ok(self):
        rid = self.new_run()
        self.log_batch(rid, metrics=_metrics(1000))
        self.assertEqual(len(self.history(rid, "m")), 1000)
        rid = self.new_run()
        self.log_batch(rid, metrics=_metrics(800), params=_params(100), tags=_tags(100))
        run = self.get_run(rid)
        self.assertEqual(len(params_of(run)), 100)
        self.assertEqual(len(tags_of(run)), 101)

    def test_too_many_metrics(self):
        rid = self.new_run()
        self.assertBadParam(self.log_batch(rid, metrics=_metrics(1001), check=False),
                            "A batch logging request can contain at most 1000 metrics. "
                            "Got 1001 metrics. Please split up metrics across multiple "
                            "requests and try again.")
        self.assertUntouched(rid)

    def test_too_many_params(self):
        rid = self.new_run()
        self.assertBadParam(self.log_batch(rid, params=_params(101), check=False),
                            "A batch logging request can contain at most 100 params. "
                            "Got 101 params. Please split up params across multiple requests "
                            "and try again.")
        self.assertUntouched(rid)

    def test_too_many_tags(self):
        rid = self.new_run()
        self.assertBadParam(self.log_batch(rid, tags=_tags(101), check=False),
                            "A batch logging request can contain at most 100 tags. "
                            "Got 101 tags. Please split up tags across multiple requests "
                            "and try again.")
        self.assertUntouched(rid)

    def test_too_many_total(self):
        rid = self.new_run()
        self.assertBadParam(
            self.log_batch(rid, metrics=_metrics(901), params=_params(50), tags=_tags(50),
                           check=False),
            "A batch logging request can contain at most 1000 metrics, params, and tags. "
            "Got 1001 metrics, params, and tags. Please split up metrics, params, and tags "
            "across multiple requests and try again.")
        self.assertUntouched(rid)

    def test_duplicate_param_keys(self):
        rid = self.new_run()
        r = self.log_batch(rid, params=[{"key": "k", "value": "1"}, {"key": "k", "value": "2"}],
                           metrics=_metrics(2), check=False)
        self.assertBadParam(r, "Duplicate parameter keys have been submitted")
        self.assertUntouched(rid)

    def test_atomic_on_invalid_metric_key(self):
        rid = self.new_run()
        metrics = _metrics(5) + [{"key": "bad!key", "value": 1.0, "timestamp": 1}]
        self.assertBadParam(self.log_batch(rid, metrics=metrics, params=_params(3),
                                           tags=_tags(2), check=False))
        self.assertUntouched(rid)

    def test_atomic_on_invalid_metric_value(self):
        rid = self.new_run()
        metrics = _metrics(5) + [{"key": "x", "value": "abc", "timestamp": 1}]
        self.assertBadParam(self.log_batch(rid, metrics=metrics, params=_params(3),
                                           tags=_tags(2), check=False))
        self.assertUntouched(rid)

    def test_atomic_on_negative_timestamp(self):
        rid = self.new_run()
        metrics = _metrics(5) + [{"key": "x", "value": 1, "timestamp": -1}]
        self.assertBadParam(self.log_batch(rid, metrics=metrics, params=_params(3),
                                           tags=_tags(2), check=False))
        self.assertUntouched(rid)

    def test_atomic_on_missing_metric_field(self):
        rid = self.new_run()
        metrics = _metrics(3) + [{"key": "x", "value": 1.0}]
        r = self.log_batch(rid, metrics=metrics, params=_params(2), check=False)
        self.assertBadParam(r, "Missing value for required parameter 'metrics[3].timestamp'")
        self.assertUntouched(rid)

    def test_atomic_on_invalid_tag_key(self):
        rid = self.new_run()
        self.assertBadParam(self.log_batch(rid, metrics=_metrics(3), params=_params(2),
                                           tags=[{"key": "ok", "value": "1"},
                                                 {"key": "a/../b", "value": "2"}],
                                           check=False))
        self.assertUntouched(rid)

    def test_atomic_on_invalid_param_key(self):
        rid = self.new_run()
        self.assertBadParam(self.log_batch(rid, metrics=_metrics(3),
                                           params=[{"key": "ok", "value": "1"},
                                                   {"key": "/abs", "value": "2"}],
                                           tags=_tags(2), check=False))
        self.assertUntouched(rid)

    def test_param_change_in_batch_rejected_and_nothing_written(self):
        rid = self.new_run()
        self.log_param(rid, "a", "1")
        r = self.log_batch(rid, params=[{"key": "a", "value": "2"}, {"key": "b", "value": "x"}],
                           metrics=_metrics(3), tags=[{"key": "t", "value": "v"}], check=False)
        self.assertBadParam(r, "Changing param values is not allowed")
        run = self.get_run(rid)
        self.assertEqual(params_of(run), {"a": "1"})
        self.assertEqual(metrics_of(run), {})
        self.assertNotIn("t", tags_of(run))

    def test_same_param_value_in_batch_ok(self):
        rid = self.new_run()
        self.log_param(rid, "a", "1")
        self.log_batch(rid, params=[{"key": "a", "value": "1"}, {"key": "b", "value": "2"}])
        self.assertEqual(params_of(self.get_run(rid)), {"a": "1", "b": "2"})

    def test_truncation_in_batch(self):
        rid = self.new_run()
        self.log_batch(rid, params=[{"key": "p", "value": "v" * 7000}],
                       tags=[{"key": "t", "value": "w" * 9000}])
        run = self.get_run(rid)
        self.assertEqual(len(params_of(run)["p"]), 6000)
        self.assertEqual(len(tags_of(run)["t"]), 8000)

    def test_tags_last_value_wins_and_run_name(self):
        rid = self.new_run(run_name="before")
        self.log_batch(rid, tags=[{"key": "t", "value": "1"}, {"key": "t", "value": "2"},
                                  {"key": RUN_NAME_TAG, "value": "after"}])
        run = self.get_run(rid)
        self.assertEqual(tags_of(run)["t"], "2")
        self.assertEqual(run["info"]["run_name"], "after")

    def test_duplicate_metrics_in_batch_ignored(self):
        rid = self.new_run()
        m = {"key": "dup", "value": 1.0, "timestamp": 1, "step": 0}
        self.log_batch(rid, metrics=[m, m])
        self.log_batch(rid, metrics=[m])
        self.assertEqual(len(self.history(rid, "dup")), 1)

    def test_invalid_run_id_format(self):
        self.assertBadParam(api_post("runs/log-batch", {"run_id": "bad id!",
                                                        "params": _params(1)}))

    def test_missing_run_id(self):
        self.assertBadParam(api_post("runs/log-batch", {"params": _params(1)}),
                            "Missing value for required parameter 'run_id'")

    def test_run_uuid_not_accepted(self):
        # LogBatch has no run_uuid field (§2.3): it is an unknown field, run_id is missing
        rid = self.new_run()
        self.assertBadParam(api_post("runs/log-batch", {"run_uuid": rid, "params": _params(1)}),
                            "Missing value for required parameter 'run_id'")
        self.assertUntouched(rid)

    def test_unknown_run(self):
        self.assertNotFound(api_post("runs/log-batch", {"run_id": "0123456789abcdef" * 2,
                                                        "params": _params(1)}))

    def test_missing_param_key(self):
        rid = self.new_run()
        self.assertBadParam(api_post("runs/log-batch", {"run_id": rid,
                                                        "params": [{"value": "x"}]}))
        self.assertUntouched(rid)


class TestRequestParsing(LoggingBase):
    def post_raw(self, path, data, content_type="application/json"):
        headers = {}
        if content_type is not None:
            headers["Content-Type"] = content_type
        return harness.api_request("POST", path, data=data, headers=headers)

    def body(self, rid):
        return json.dumps({"run_id": rid, "key": "m", "value": 1.0, "timestamp": 1}).encode()

    def test_missing_content_type(self):
        rid = self.new_run()
        self.assertBadParam(self.post_raw("runs/log-metric", self.body(rid), None),
                            "Bad Request. Content-Type header is missing.")
        self.assertEqual(metrics_of(self.get_run(rid)), {})

    def test_wrong_content_type(self):
        rid = self.new_run()
        for ct in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
            self.assertBadParam(self.post_raw("runs/log-metric", self.body(rid), ct),
                                "Content-Type must be one of ['application/json']", msg=ct)
        self.assertEqual(metrics_of(self.get_run(rid)), {})

    def test_content_type_with_charset(self):
        rid = self.new_run()
        self.assertOk(self.post_raw("runs/log-metric", self.body(rid),
                                    "application/json; charset=utf-8"))
        self.assertEqual(metrics_of(self.get_run(rid))["m"]["value"], 1.0)

    def test_invalid_json_is_empty_object(self):
        for data in (b"{not json", b"", b"[1, 2"):
            self.assertBadParam(self.post_raw("runs/log-metric", data),
                                "Missing value for required parameter", msg=repr(data))

    def test_double_encoded_json(self):
        rid = self.new_run()
        inner = json.dumps({"run_id": rid, "key": "dbl", "value": 2.0, "timestamp": 3})
        self.assertOk(self.post_raw("runs/log-metric", json.dumps(inner).encode()))
        self.assertEqual(metrics_of(self.get_run(rid))["dbl"]["value"], 2.0)

    def test_camel_case_names(self):
        rid = self.new_run()
        self.assertOk(api_post("runs/log-metric", {"runId": rid, "key": "c", "value": 1.0,
                                                   "timestamp": 1}))
        self.assertEqual(set(metrics_of(self.get_run(rid))), {"c"})

    def test_string_fields_reject_non_strings(self):
        # §1.2: protobuf JSON mapping; only experiment_id numbers are converted to strings.
        rid = self.new_run()
        cases = [
            ("runs/log-parameter", {"run_id": rid, "key": 123, "value": "v"}),
            ("runs/log-parameter", {"run_id": rid, "key": "k", "value": 5}),
            ("runs/set-tag", {"run_id": rid, "key": "k", "value": True}),
            ("runs/log-metric", {"run_id": rid, "key": 7, "value": 1, "timestamp": 1}),
            ("runs/log-batch", {"run_id": 123}),
            ("runs/log-batch", {"run_id": [rid]}),
            ("experiments/create", {"name": 12345}),
            ("experiments/create", {"name": ["a"]}),
        ]
        for path, body in cases:
            with self.subTest(path=path, body=json.dumps(body)):
                self.assertBadParam(api_post(path, body))
        run = self.get_run(rid)
        self.assertEqual(params_of(run), {})
        self.assertEqual(metrics_of(run), {})

    def test_unknown_fields_ignored(self):
        rid = self.new_run()
        self.assertOk(api_post("runs/set-tag", {"run_id": rid, "key": "k", "value": "v",
                                                "no_such_field": [1, 2, 3]}))

    def test_error_shape(self):
        r = api_post("runs/log-metric", {})
        self.assertEqual(r.status_code, 400)
        self.assertTrue(r.headers.get("Content-Type", "").startswith("application/json"))
        data = r.json()
        self.assertEqual(data["error_code"], "INVALID_PARAMETER_VALUE")
        self.assertIsInstance(data["message"], str)

    def test_empty_response_object(self):
        rid = self.new_run()
        r = api_post("runs/set-tag", {"run_id": rid, "key": "k", "value": "v"})
        self.assertEqual(self.assertOk(r), {})


if __name__ == "__main__":
    unittest.main()
