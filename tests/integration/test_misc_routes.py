"""Probes, routing, method handling, AJAX mirrors, query-string parsing (spec §1.1, §1.2, §1.3,
§1.4, §2.11)."""

import json
import os
import re
import subprocess
import unittest

import harness
from harness import api_get, api_post, ajax_get, ajax_post, now_ms, unique
from harness import setUpModule, tearDownModule  # noqa: F401


class TestProbes(harness.SextantTestCase):
    def test_health(self):
        r = self.srv.request("GET", "/health")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.text, "OK")

    def test_health_command(self):
        """`sextant health`, the container HEALTHCHECK: 0 when /health answers, 1 when it does
        not, 2 for bad arguments."""
        def health(*args, env=None):
            return subprocess.run([harness.SEXTANT_BIN, "health", *args], capture_output=True, text=True,
                                  timeout=30, env=dict(os.environ, **(env or {}))).returncode
        self.assertEqual(health("--url", self.srv.url("/health")), 0)
        self.assertEqual(health(env={"SEXTANT_PORT": str(self.srv.port)}), 0)
        self.assertEqual(health("--url=" + self.srv.url("/no-such-page")), 1)
        self.assertEqual(health("--url", "http://127.0.0.1:%d/health" % harness.free_port()), 1)
        self.assertEqual(health("--bogus"), 2)

    def test_version(self):
        r = self.srv.request("GET", "/version")
        self.assertEqual(r.status_code, 200)
        self.assertRegex(r.text.strip(), r"^3\.6\.\d+")
        # must parse as a PEP 440 version >= 3.4 for the client
        m = re.match(r"^(\d+)\.(\d+)", r.text.strip())
        self.assertGreaterEqual((int(m.group(1)), int(m.group(2))), (3, 4))
        self.assertFalse(harness.is_json(r) and isinstance(json.loads(r.text), dict))


class TestRouting(harness.SextantTestCase):
    def assertEndpointNotFound(self, r, what):
        self.assertEqual(r.status_code, 404, "%s: %s" % (what, harness.describe(r)))
        # §1.1: non-JSON 404, or JSON with ENDPOINT_NOT_FOUND (never RESOURCE_DOES_NOT_EXIST)
        try:
            data = json.loads(r.text)
        except ValueError:
            return
        if isinstance(data, dict):
            self.assertEqual(data.get("error_code"), "ENDPOINT_NOT_FOUND",
                             "%s: JSON 404 body must use ENDPOINT_NOT_FOUND: %s" % (what, r.text))

    def test_unknown_routes(self):
        for method, path in (("GET", "/api/2.0/mlflow/does-not-exist"),
                             ("POST", "/api/2.0/mlflow/runs/does-not-exist"),
                             ("GET", "/api/2.0/mlflow/experiments/get/"),
                             ("GET", "/api/2.0/mlflow/experiments"),
                             ("GET", "/ajax-api/2.0/mlflow/nope"),
                             ("GET", "/api/9.9/mlflow/experiments/get"),
                             ("GET", "/totally/unknown")):
            r = self.srv.request(method, path, json={} if method == "POST" else None)
            self.assertEndpointNotFound(r, "%s %s" % (method, path))

    def test_unknown_route_is_not_json(self):
        r = self.srv.request("GET", "/api/2.0/mlflow/does-not-exist")
        self.assertEqual(r.status_code, 404)
        try:
            data = json.loads(r.text)
            is_obj = isinstance(data, dict)
        except ValueError:
            is_obj = False
        self.assertFalse(is_obj and data.get("error_code") != "ENDPOINT_NOT_FOUND", r.text)

    def test_trailing_slash_not_tolerated(self):
        r = self.srv.request("GET", "/api/2.0/mlflow/runs/get/", params={"run_id": "x"})
        self.assertEndpointNotFound(r, "trailing slash")

    def test_repeated_slashes_merged_as_werkzeug_does(self):
        # MLflow (werkzeug's merge_slashes) serves "//x" as "/x" when only the merged path matches;
        # the merged path is what auth and the handler see. Nothing else changes meaning.
        r = harness.raw_request("GET", "//api/2.0//mlflow/experiments/get?experiment_id=0")
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(json.loads(r.text)["experiment"]["experiment_id"], "0")
        rid = api_post("runs/create", {"experiment_id": "0", "start_time": now_ms()}).json()["run"]["info"]["run_id"]
        r = harness.raw_request("GET", "//get-artifact?run_id=%s&path=../path" % rid)
        self.assertEqual((r.status_code, json.loads(r.text)), (400, {"error_code": "INVALID_PARAMETER_VALUE",
                                                               "message": "Invalid path"}))
        r = harness.raw_request("POST", "//api/2.0/mlflow//experiments/get", body=b"{}",
                                headers={"Content-Type": "application/json"})
        self.assertEqual(r.status_code, 405)
        r = harness.raw_request("GET", "//api/2.0/mlflow/does-not-exist")
        self.assertEqual(r.status_code, 404)

    def test_v3_fallback_routes_absent_or_not_json_404(self):
        # declared-but-unhandled RPCs answer 404 with an empty body (§1.1)
        for path in ("/api/2.0/mlflow/unified-traces",
                     "/api/2.0/mlflow/get-online-trace-details"):
            r = self.srv.request("GET", path)
            self.assertEndpointNotFound(r, path)

    def test_wrong_method_405(self):
        for method, path in (("GET", "/api/2.0/mlflow/runs/create"),
                             ("POST", "/api/2.0/mlflow/runs/get"),
                             ("DELETE", "/api/2.0/mlflow/experiments/create"),
                             ("PUT", "/api/2.0/mlflow/runs/log-metric"),
                             ("GET", "/api/2.0/mlflow/runs/log-batch"),
                             ("POST", "/api/2.0/mlflow/metrics/get-history"),
                             ("POST", "/ajax-api/2.0/mlflow/experiments/get"),
                             ("POST", "/health")):
            kw = {"json": {}} if method in ("POST", "PUT") else {}
            r = self.srv.request(method, path, **kw)
            self.assertEqual(r.status_code, 405, "%s %s: %s" % (method, path,
                                                                 harness.describe(r)))

    def test_search_experiments_accepts_get_and_post(self):
        self.assertOk(api_get("experiments/search", {"max_results": 5}))
        self.assertOk(api_post("experiments/search", {"max_results": 5}))


class TestAjaxMirrors(harness.SextantTestCase):
    def test_full_flow_under_ajax(self):
        name = unique("ajaxflow")
        eid = self.assertOk(ajax_post("experiments/create", {"name": name}))["experiment_id"]
        run = self.assertOk(ajax_post("runs/create", {"experiment_id": eid,
                                                      "start_time": now_ms()}))["run"]
        rid = run["info"]["run_id"]
        self.assertOk(ajax_post("runs/log-metric", {"run_id": rid, "key": "m", "value": 1,
                                                    "timestamp": 5}))
        self.assertOk(ajax_post("runs/log-parameter", {"run_id": rid, "key": "p",
                                                       "value": "v"}))
        self.assertOk(ajax_post("runs/set-tag", {"run_id": rid, "key": "t", "value": "v"}))
        self.assertOk(ajax_post("runs/log-batch", {"run_id": rid, "metrics": [
            {"key": "m2", "value": 2, "timestamp": 5}]}))
        got = self.assertOk(ajax_get("runs/get", {"run_id": rid}))["run"]
        self.assertEqual(set(harness.metrics_of(got)), {"m", "m2"})
        self.assertOk(ajax_get("metrics/get-history", {"run_id": rid, "metric_key": "m",
                                                       "max_results": 10}))
        data = self.assertOk(ajax_post("runs/search", {"experiment_ids": [eid]}))
        self.assertEqual([r["info"]["run_id"] for r in data["runs"]], [rid])
        data = self.assertOk(ajax_post("experiments/search",
                                       {"max_results": 10, "filter": "name = '%s'" % name}))
        self.assertEqual([e["experiment_id"] for e in data["experiments"]], [eid])
        data = self.assertOk(ajax_get("experiments/search",
                                      {"max_results": 10, "filter": "name = '%s'" % name}))
        self.assertEqual([e["experiment_id"] for e in data["experiments"]], [eid])
        self.assertOk(ajax_post("runs/update", {"run_id": rid, "status": "FINISHED",
                                                "end_time": now_ms()}))
        self.assertOk(ajax_get("artifacts/list", {"run_id": rid}))

    def test_ajax_errors_are_the_same(self):
        self.assertNotFound(ajax_get("experiments/get", {"experiment_id": "987654321"}))
        self.assertBadParam(ajax_post("experiments/create", {}))


class TestQueryStringParsing(harness.SextantTestCase):
    def test_first_value_of_non_repeated_field_wins(self):
        r = self.srv.request("GET", harness.API + "/experiments/get",
                             params=[("experiment_id", "0"), ("experiment_id", "987654321")])
        self.assertEqual(self.assertOk(r)["experiment"]["experiment_id"], "0")

    def test_unknown_query_keys_ignored(self):
        r = api_get("experiments/get", {"experiment_id": "0", "bogus": "1"})
        self.assertEqual(self.assertOk(r)["experiment"]["name"], "Default")

    def test_enum_by_name_or_number_in_query(self):
        for vt in ("ALL", "3"):
            r = api_get("experiments/search", {"max_results": 5, "view_type": vt})
            self.assertOk(r, vt)

    def test_bad_integer_in_query(self):
        self.assertBadParam(api_get("experiments/search", {"max_results": "abc"}))

    def test_json_content_type_on_responses(self):
        r = api_get("experiments/get", {"experiment_id": "0"})
        self.assertTrue(r.headers.get("Content-Type", "").startswith("application/json"))
        r = api_get("experiments/get", {"experiment_id": "987654321"})
        self.assertTrue(r.headers.get("Content-Type", "").startswith("application/json"))

    def test_int64_as_json_numbers(self):
        exp = self.assertOk(api_get("experiments/get", {"experiment_id": "0"}))["experiment"]
        if "creation_time" in exp:
            self.assertIsInstance(exp["creation_time"], int)


class TestClientHeaders(harness.SextantTestCase):
    def test_python_client_headers_accepted(self):
        headers = {"User-Agent": "mlflow-python-client/3.6.0",
                   "X-MLflow-Client-Version": "3.6.0"}
        r = api_get("experiments/get-by-name", {"experiment_name": "Default"}, headers=headers)
        self.assertEqual(self.assertOk(r)["experiment"]["experiment_id"], "0")


if __name__ == "__main__":
    unittest.main()
