"""Hostile request input (issue 13, classes 1, 4 and 9): deep and wide JSON through every way a
request carries JSON (POST body, GET with a body, double-encoded body, page tokens), invalid UTF-8
reaching error messages, out-of-range integers, over-long names. Each request gets MLflow's error
JSON with a 4xx; afterwards the server still answers /health and a normal request within a second,
and the wide documents keep its peak memory bounded. Limits: JSON nesting 64, 100,000 JSON values
per document (src/api/request_json.hpp); names per src/core/validation.hpp and core/registry.hpp."""

import base64
import json
import time
import unittest

import harness
from harness import api_get, api_post, api_request, ajax_post, unique, now_ms, API
from harness import setUpModule, tearDownModule  # noqa: F401

DEEP = 50000
MAX_DEPTH = 64
MAX_VALUES = 100000
MIB = 1 << 20
# Peak RSS growth allowed for a 16 MiB hostile body (the body itself is held while it is parsed;
# under ASan allocations cost more). Before the decoder limits this was ~457 MiB.
WIDE_RSS_BOUND_MIB = 200


def nested(depth, value="1"):
    return "[" * depth + value + "]" * depth


def b64(text):
    return base64.b64encode(text.encode("utf-8", "surrogateescape")).decode()


def proc_status(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) // 1024  # MiB
    raise AssertionError("no %s in /proc/%d/status" % (field, pid))


class HostileBase(harness.SextantTestCase):
    @classmethod
    def setUpClass(cls):
        tc = harness.SextantTestCase()
        cls.exp = tc.create_experiment(unique("hostile"))
        cls.run_id = tc.create_run_id(cls.exp)

    def tearDown(self):
        # After every hostile request: alive, and /health plus a normal request within a second.
        self.assertTrue(self.srv.is_running(), "server died:\n" + self.srv.stderr_text())
        start = time.monotonic()
        self.assertEqual(self.srv.request("GET", "/health", timeout=5).status_code, 200)
        self.assertOk(api_get("experiments/get", {"experiment_id": self.exp}, timeout=5))
        self.assertLess(time.monotonic() - start, 1.0, "server slow to answer after a hostile request")

    def post_text(self, path, text, prefix=API):
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        return api_request("POST", path, prefix=prefix, data=data, headers={"Content-Type": "application/json"})

    def assertValidErrorJson(self, resp, status=400, msg=None):
        """4xx with a body that is strict UTF-8 JSON carrying error_code and message."""
        self.assertEqual(resp.status_code, status, (msg or "") + " " + harness.describe(resp))
        body = json.loads(resp.content.decode("utf-8"))  # strict: raises on invalid UTF-8
        self.assertIn("error_code", body)
        self.assertIn("message", body)
        return body


class TestDeepJson(HostileBase):
    def test_deep_values_in_mistyped_fields(self):
        # The crash of issue 13: the error message serialised the value recursively.
        deep = nested(DEEP)
        cases = [
            ("experiments/create", '{"name": %s}' % deep),
            ("runs/create", '{"experiment_id": %s}' % deep),
            ("runs/update", '{"run_id": "%s", "status": %s}' % (self.run_id, deep)),
            ("runs/log-metric", '{"run_id": "%s", "key": "m", "value": %s, "timestamp": 1}' % (self.run_id, deep)),
            ("runs/log-batch", '{"run_id": "%s", "metrics": [{"key": "m", "value": %s, "timestamp": 1}]}'
             % (self.run_id, deep)),
            ("runs/search", '{"experiment_ids": [%s]}' % deep),
            ("runs/search", '{"experiment_ids": ["%s"], "run_view_type": %s}' % (self.exp, deep)),
            ("experiments/search", '{"max_results": %s}' % deep),
            ("logged-models", '{"experiment_id": "%s", "name": %s}' % (self.exp, deep)),
            ("registered-models/create", '{"name": %s}' % deep),
            ("runs/set-tag", '{"run_id": "%s", "key": %s, "value": "v"}' % (self.run_id, '{"a":' * DEEP + "1" + "}" * DEEP)),
        ]
        for path, text in cases:
            body = self.assertValidErrorJson(self.post_text(path, text), msg=path)
            self.assertIn("nested deeper than 64", body["message"], path)
        body = self.assertValidErrorJson(self.post_text("runs/create", '{"experiment_id": %s}' % deep,
                                                        prefix=harness.AJAX))
        self.assertEqual(body["error_code"], "INVALID_PARAMETER_VALUE")
        # Other methods with a body: PATCH and DELETE.
        for method, path in (("PATCH", "registered-models/update"), ("DELETE", "registered-models/delete"),
                             ("DELETE", "registered-models/alias")):
            r = api_request(method, path, data=('{"name": %s}' % deep).encode(),
                            headers={"Content-Type": "application/json"})
            self.assertIn("nested deeper", self.assertValidErrorJson(r, msg=path)["message"])

    def test_unterminated_and_double_encoded(self):
        r = self.post_text("experiments/create", '{"name": ' + "[" * 1000000)
        self.assertIn("nested deeper", self.assertValidErrorJson(r)["message"])
        double = json.dumps('{"name": %s}' % nested(DEEP))  # a JSON string holding the document
        r = self.post_text("experiments/create", double)
        self.assertIn("nested deeper", self.assertValidErrorJson(r)["message"])

    def test_get_with_a_body(self):
        text = '{"experiment_id": %s}' % nested(DEEP)
        for path in ("experiments/get", "runs/get", "metrics/get-history"):
            r = api_request("GET", path, data=text.encode(), headers={"Content-Type": "application/json"})
            self.assertIn("nested deeper", self.assertValidErrorJson(r, msg=path)["message"])

    def test_page_tokens(self):
        token = b64('{"offset": %s}' % nested(DEEP))
        r = api_post("runs/search", {"experiment_ids": [self.exp], "page_token": token})
        self.assertValidErrorJson(r)
        token = b64('{"offset": %s}' % nested(10000))  # a query string stays below the 64 KiB head limit
        r = api_get("experiments/search", {"page_token": token})
        self.assertValidErrorJson(r)
        r = api_get("metrics/get-history", {"run_id": self.run_id, "metric_key": "m", "page_token": token})
        self.assertValidErrorJson(r)
        r = api_post("logged-models/search", {"experiment_ids": [self.exp],
                                              "page_token": b64('{"experiment_ids": %s}' % nested(DEEP))})
        self.assertValidErrorJson(r)

    def test_depth_64_is_allowed_65_is_not(self):
        # The top-level object is level 1: 63 more containers inside it are allowed.
        ok = '{"name": "%s", "ignored": %s}' % (unique("depth"), nested(MAX_DEPTH - 1))
        self.assertOk(self.post_text("experiments/create", ok))
        too_deep = '{"name": "%s", "ignored": %s}' % (unique("depth"), nested(MAX_DEPTH))
        self.assertIn("nested deeper than 64", self.assertValidErrorJson(self.post_text("experiments/create",
                                                                                          too_deep))["message"])
        # A mistyped field holding a deep-but-allowed value: a short excerpt, not the whole value.
        r = self.post_text("experiments/create", '{"name": %s}' % nested(MAX_DEPTH - 1))
        self.assertLess(len(self.assertValidErrorJson(r)["message"]), 1000)


class TestWideJson(HostileBase):
    def rss_growth(self, send):
        pid = self.srv.proc.pid
        try:  # "5" resets VmHWM to the current RSS (Linux >= 4.0), so the peak is this request's
            with open("/proc/%d/clear_refs" % pid, "w") as f:
                f.write("5")
        except OSError:
            pass
        before = proc_status(pid, "VmRSS")
        resp = send()
        peak = proc_status(pid, "VmHWM")
        return resp, max(0, peak - before), peak

    def test_16_mib_of_empty_objects_in_log_batch(self):
        body = b'{"run_id": "' + self.run_id.encode() + b'", "metrics": [' + b"{}," * (16 * MIB // 3) + b"{}]}"
        self.assertGreaterEqual(len(body), 16 * MIB)
        resp, growth, peak = self.rss_growth(lambda: self.post_text("runs/log-batch", body))
        msg = self.assertValidErrorJson(resp)["message"]
        self.assertIn("more than 100000 values", msg)
        print("\n  16 MiB log-batch of {}: peak RSS %d MiB, growth %d MiB" % (peak, growth))
        self.assertLess(growth, WIDE_RSS_BOUND_MIB)

    def test_other_wide_shapes(self):
        shapes = [
            ("runs/search", b'{"experiment_ids": [' + b"1," * (8 * MIB // 2) + b"1]}"),
            ("experiments/create", b'{"name": "x", ' + b'"k":0,' * (8 * MIB // 6) + b'"k":0}'),
            ("runs/log-batch", b'{"run_id": "r", "params": [' + b"[[]]," * (8 * MIB // 5) + b"[]]}"),
            ("runs/log-batch", b'[' + b"null," * (8 * MIB // 5) + b"null]"),
        ]
        for path, body in shapes:
            resp, growth, peak = self.rss_growth(lambda: self.post_text(path, body))
            self.assertIn("more than 100000 values", self.assertValidErrorJson(resp, msg=path)["message"])
            self.assertLess(growth, WIDE_RSS_BOUND_MIB, path)

    def test_largest_legitimate_batch_passes(self):
        metrics = [{"key": "m%d" % (i % 10), "value": i, "timestamp": now_ms(), "step": i} for i in range(1000)]
        self.log_batch(self.run_id, metrics=metrics)
        run = self.create_run_id(self.exp)
        self.log_batch(run, metrics=metrics[:800], params=[{"key": "p%d" % i, "value": "v"} for i in range(100)],
                       tags=[{"key": "t%d" % i, "value": "v"} for i in range(100)])


class TestInvalidUtf8(HostileBase):
    def test_query_values_reach_error_messages(self):
        for path in ("/experiments/get-by-name?experiment_name=%FF%FEabc",
                     "/experiments/get?experiment_id=%C0%AF",
                     "/runs/get?run_id=%ED%A0%80",
                     "/registered-models/get?name=%F4%90%80%80",
                     "/registered-models/alias?name=%FF&alias=%FF",
                     "/model-versions/get?name=%FF&version=%FF",
                     "/experiments/search?filter=name%20%3D%20%27%FF&max_results=1",
                     "/experiments/search?order_by=%FF%FF",
                     "/experiments/search?view_type=%FF",
                     "/experiments/search?max_results=%FF",
                     "/model-versions/search?filter=%FF%20%3D%201",
                     "/runs/get?run_id=" + "%FF" * 5000):
            r = harness.raw_request("GET", API + path)
            self.assertEqual(r.status_code // 100, 4, path + " " + r.text[:300])
            body = json.loads(r.content.decode("utf-8"))
            self.assertIn("message", body, path)
        body = json.loads(harness.raw_request("GET", API + "/runs/get?run_id=%FFx").content.decode("utf-8"))
        self.assertIn("\\xffx", body["message"])

    def test_page_token_with_invalid_utf8(self):
        token = base64.b64encode(b"\xff\xfe{not json").decode()
        for r in (api_get("experiments/search", {"page_token": token}),
                  api_post("runs/search", {"experiment_ids": [self.exp], "page_token": token}),
                  api_post("logged-models/search", {"experiment_ids": [self.exp], "page_token": token})):
            self.assertValidErrorJson(r)

    def test_invalid_utf8_in_json_bodies(self):
        for text in (b'{"name": "\xff"}', b'{"experiment_id": "\xc0\xaf"}', b'{"\xff": 1}', b"\xff"):
            r = self.post_text("experiments/create", text)
            self.assertValidErrorJson(r)


class TestIntegerBounds(HostileBase):
    def test_max_results(self):
        for params in ({"max_results": str(2 ** 62)}, {"max_results": "2147483648"}):
            r = api_get("metrics/get-history", dict(run_id=self.run_id, metric_key="m", **params))
            self.assertBadParam(r, "max_results")
        r = api_post("logged-models/search", {"experiment_ids": [self.exp], "max_results": 2 ** 40})
        self.assertBadParam(r, "max_results")
        for v in (2 ** 63, 2 ** 64, -(2 ** 63) - 1, 1e300, "9" * 30):
            self.assertBadParam(api_post("runs/search", {"experiment_ids": [self.exp], "max_results": v}),
                                "max_results", msg=str(v))

    def test_page_token_offsets(self):
        for offset in (2 ** 53, 2 ** 62, 2 ** 63 - 1, 2 ** 64, -1, 0):
            token = b64('{"offset": %d}' % offset)
            r = api_post("runs/search", {"experiment_ids": [self.exp], "page_token": token})
            self.assertBadParam(r, "Invalid page token", msg=str(offset))
            r = api_get("metrics/get-history", {"run_id": self.run_id, "metric_key": "m", "max_results": "5",
                                                "page_token": token})
            self.assertBadParam(r, "Invalid page token", msg=str(offset))
        big = b64('{"experiment_ids": ["%s"], "filter_string": null, "order_by": null, "offset": %d}'
                  % (self.exp, 2 ** 62))
        self.assertBadParam(api_post("logged-models/search", {"experiment_ids": [self.exp], "page_token": big}))
        self.assertOk(api_post("runs/search", {"experiment_ids": [self.exp], "page_token": b64('{"offset": %d}'
                                                                                                % (2 ** 53 - 1))}))

    def test_metric_numbers(self):
        for ts, step in ((2 ** 63, 0), (1, 2 ** 63), (1e300, 0), (-1, 0), ("9" * 40, 0), (1, -(2 ** 63) - 1)):
            r = api_post("runs/log-metric", {"run_id": self.run_id, "key": "m", "value": 1, "timestamp": ts,
                                             "step": step})
            self.assertBadParam(r, msg="%r %r" % (ts, step))


class TestNameLengths(HostileBase):
    BIG = "n" * MIB

    def test_experiment_and_run_names(self):
        self.assertBadParam(api_post("experiments/create", {"name": self.BIG}),
                            "'name' exceeds the maximum length of 500 characters")
        self.assertBadParam(api_post("experiments/update", {"experiment_id": self.exp, "new_name": self.BIG}),
                            "exceeds the maximum length of 500 characters")
        self.assertBadParam(api_post("runs/create", {"experiment_id": self.exp, "run_name": self.BIG}),
                            "'run_name' exceeds the maximum length of 250 characters")
        self.assertBadParam(api_post("runs/create", {"experiment_id": self.exp,
                                                     "tags": [{"key": "mlflow.runName", "value": "r" * 251}]}),
                            "'run_name' exceeds the maximum length of 250 characters")
        self.assertBadParam(api_post("runs/update", {"run_id": self.run_id, "run_name": self.BIG}),
                            "'run_name' exceeds the maximum length of 250 characters")
        self.assertBadParam(api_post("runs/set-tag", {"run_id": self.run_id, "key": "mlflow.runName", "value": self.BIG}),
                            "'run_name' exceeds the maximum length of 250 characters")
        before = self.get_run(self.run_id)["info"]["run_name"]
        self.assertBadParam(api_post("runs/update", {"run_id": self.run_id, "run_name": "s" * 251}))
        self.assertEqual(self.get_run(self.run_id)["info"]["run_name"], before)  # the refused update changed nothing
        run = self.assertOk(api_post("runs/create", {"experiment_id": self.exp, "run_name": "r" * 250}))["run"]
        self.assertEqual(run["info"]["run_name"], "r" * 250)

    def test_keys(self):
        for path, body, what in (
                ("runs/log-parameter", {"run_id": self.run_id, "key": self.BIG, "value": "v"}, "Param key"),
                ("runs/log-metric", {"run_id": self.run_id, "key": self.BIG, "value": 1, "timestamp": 1}, "Metric name"),
                ("runs/set-tag", {"run_id": self.run_id, "key": self.BIG, "value": "v"}, "key"),
                ("experiments/set-experiment-tag", {"experiment_id": self.exp, "key": self.BIG, "value": "v"}, "key")):
            self.assertBadParam(api_post(path, body), "'%s' exceeds the maximum length of 250 characters" % what,
                                msg=path)

    def test_model_names(self):
        self.assertBadParam(api_post("registered-models/create", {"name": self.BIG}),
                            "'name' exceeds the maximum length of 256 characters")
        name = unique("rm")
        self.assertOk(api_post("registered-models/create", {"name": name}))
        self.assertBadParam(api_post("registered-models/rename", {"name": name, "new_name": self.BIG}),
                            "'new_name' exceeds the maximum length of 256 characters")
        self.assertOk(api_get("registered-models/get", {"name": name}))
        self.assertOk(api_post("registered-models/create", {"name": "m" * 256}))
        self.assertBadParam(api_post("logged-models", {"experiment_id": self.exp, "name": self.BIG}),
                            "'name' exceeds the maximum length of 500 characters")
        self.assertBadParam(api_post("registered-models/alias", {"name": name, "alias": "a" * MIB, "version": "1"}))


if __name__ == "__main__":
    unittest.main()
