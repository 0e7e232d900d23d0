"""MLflow 3.6's remaining non-tracing routes (issue 14): the legacy runs/log-model (the
mlflow.log-model.history tag), the UI's ajax-only upload-artifact, runs/create-promptlab-run and
gateway-proxy, model-versions/get-artifact, server-features and the workspace routes (disabled as
on a server without multi-tenancy). Accepted and refused cases side by side; refusals change nothing."""

import json
import socket
import subprocess
import threading
import unittest

import harness
from harness import AJAX, API, api_get, api_post, ajax_post, as_dict, now_ms, unique
from harness import setUpModule, tearDownModule  # noqa: F401

HISTORY = "mlflow.log-model.history"


def model_json(run_id, path="model", **extra):
    model = {"artifact_path": path, "run_id": run_id, "utc_time_created": "2026-01-02 03:04:05.000006",
             "model_uuid": "u-" + path,
             "flavors": {"python_function": {"loader_module": "mlflow.pyfunc", "config": {"secret": 1}},
                         "sklearn": {"pickled_model": "model.pkl"}},
             "mlflow_version": "3.6.0"}
    model.update(extra)
    return json.dumps(model)


def history_entry(run_id, path="model"):
    """Model.get_tags_dict() of model_json(run_id, path): MLflow's order, "config" dropped."""
    return {"run_id": run_id, "artifact_path": path, "utc_time_created": "2026-01-02 03:04:05.000006",
            "model_uuid": "u-" + path,
            "flavors": {"python_function": {"loader_module": "mlflow.pyfunc"},
                        "sklearn": {"pickled_model": "model.pkl"}}}


class TestLogModel(harness.SextantTestCase):
    def history(self, run_id):
        return as_dict(self.get_run(run_id)["data"].get("tags")).get(HISTORY)

    def test_appends_entries_as_mlflow_writes_them(self):
        run_id = self.create_run_id()
        self.assertEqual(self.assertOk(api_post("runs/log-model", {"run_id": run_id, "model_json": model_json(run_id)})), {})
        self.assertOk(ajax_post("runs/log-model", {"run_id": run_id, "model_json": model_json(run_id, "m2")}))
        # Python's json.dumps text exactly (", " / ": " separators, insertion order).
        self.assertEqual(self.history(run_id), json.dumps([history_entry(run_id), history_entry(run_id, "m2")]))

    def test_falsy_time_is_now_and_null_fields_drop(self):
        run_id = self.create_run_id()
        self.assertOk(api_post("runs/log-model", {"run_id": run_id, "model_json": json.dumps(
            {"artifact_path": None, "run_id": None, "utc_time_created": "", "flavors": None})}))
        (entry,) = json.loads(self.history(run_id))
        self.assertEqual(list(entry), ["utc_time_created", "model_uuid", "flavors"])
        self.assertRegex(entry["utc_time_created"], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$")
        self.assertIsNone(entry["model_uuid"])
        self.assertEqual(entry["flavors"], {})

    def test_refusals_change_nothing(self):
        run_id = self.create_run_id()
        self.assertOk(api_post("runs/log-model", {"run_id": run_id, "model_json": model_json(run_id)}))
        before = self.history(run_id)
        cases = [({"model_json": model_json(run_id)}, 400, "Missing value for required parameter 'run_id'"),
                 ({"run_id": run_id}, 400, "Missing value for required parameter 'model_json'"),
                 ({"run_id": run_id, "model_json": "{not json"}, 400, "Malformed model info. \n {not json \n is not a valid JSON."),
                 ({"run_id": run_id, "model_json": "[1, 2]"}, 400, "Malformed model info."),
                 ({"run_id": run_id, "model_json": json.dumps({"run_id": run_id, "flavors": {}})}, 400,
                  "Model json is missing mandatory fields: {'artifact_path', 'utc_time_created'}"),
                 ({"run_id": run_id, "model_json": model_json(run_id, flavors=[1])}, 400, "'flavors'"),
                 ({"run_id": run_id, "model_json": model_json(run_id, "x" * 9000)}, 400,
                  "'value' exceeds the maximum length of 8000 characters"),
                 ({"run_id": "f" * 32, "model_json": model_json(run_id)}, 404, "not found")]
        for body, status, message in cases:
            r = api_post("runs/log-model", body)
            code = "INVALID_PARAMETER_VALUE" if status == 400 else "RESOURCE_DOES_NOT_EXIST"
            self.assertError(r, status, code, message, msg=str(body)[:200])
        self.assertEqual(self.history(run_id), before)
        self.delete_run(run_id)
        self.assertError(api_post("runs/log-model", {"run_id": run_id, "model_json": model_json(run_id, "late")}),
                         400, "INVALID_PARAMETER_VALUE", "must be in the 'active' state")

    def test_another_clients_history_is_extended(self):
        """A history written by another client (compact JSON) is re-serialised as Python's json.dumps would."""
        run_id = self.create_run_id()
        self.set_tag(run_id, HISTORY, '[{"b":1.0,"a":"\u00e9"}]')
        self.assertOk(api_post("runs/log-model", {"run_id": run_id, "model_json": model_json(run_id)}))
        self.assertEqual(self.history(run_id), json.dumps([{"b": 1.0, "a": "\u00e9"}, history_entry(run_id)]))
        self.set_tag(run_id, HISTORY, '{"not": "a list"}')
        self.assertError(api_post("runs/log-model", {"run_id": run_id, "model_json": model_json(run_id)}),
                         400, "INVALID_PARAMETER_VALUE", HISTORY)

    def test_concurrent_appends_lose_nothing(self):
        run_id = self.create_run_id()
        errors = []

        def client(n):
            session = harness.new_session()
            for i in range(3):
                r = session.post(self.srv.url(API + "/runs/log-model"), timeout=60,
                                 json={"run_id": run_id, "model_json": model_json(run_id, "m%d-%d" % (n, i))})
                if r.status_code != 200:
                    errors.append(r.text)
        threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(errors, [])
        paths = sorted(e["artifact_path"] for e in json.loads(self.history(run_id)))
        self.assertEqual(paths, sorted("m%d-%d" % (n, i) for n in range(6) for i in range(3)))


class TestUploadArtifact(harness.SextantTestCase):
    URL = AJAX + "/upload-artifact"

    def upload(self, params, data=None, headers=None):
        return self.srv.request("POST", self.URL, params=params, data=data, headers=headers or {})

    def download(self, run_id, path):
        return self.srv.request("GET", "/get-artifact", params={"run_uuid": run_id, "path": path})

    def test_refuses_as_mlflow(self):
        run_id = self.create_run_id()
        for params, message in (({}, "Request must specify run_uuid."),
                                ({"run_uuid": run_id}, "Request must specify path."),
                                ({"run_uuid": run_id, "path": ""}, "Request must specify path."),
                                ({"run_uuid": run_id, "path": "../test.txt"}, "Invalid path"),
                                ({"run_uuid": run_id, "path": "%2e%2e/test.txt"}, "Invalid path"),
                                ({"run_uuid": run_id, "path": "/etc/passwd"}, "Invalid path"),
                                ({"run_uuid": run_id, "path": "test.txt"}, "Request must specify data.")):
            self.assertError(self.upload(params), 400, "INVALID_PARAMETER_VALUE", message, msg=str(params))
        self.assertError(self.upload({"run_uuid": "f" * 32, "path": "a.txt"}, b"x"), 404, "RESOURCE_DOES_NOT_EXIST")
        # The UI route only: no /api/2.0 twin.
        r = self.srv.request("POST", API + "/upload-artifact", params={"run_uuid": run_id, "path": "a"}, data=b"x",
                             headers={"Content-Type": "application/octet-stream"})
        self.assertEqual(r.status_code, 404)

    def test_raw_body_lands_in_the_run(self):
        run_id = self.create_run_id()
        r = self.upload({"run_uuid": run_id, "path": "test.txt"}, "hello world")  # requests: no Content-Type
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(self.download(run_id, "test.txt").text, "hello world")
        # What MLflow's UI sends (JSON text), and a binary type, into a subdirectory.
        self.assertEqual(self.upload({"run_uuid": run_id, "path": "d/ui.json"}, '"text"',
                                     {"Content-Type": "application/json"}).status_code, 200)
        self.assertEqual(self.upload({"run_uuid": run_id, "path": "d/b.bin"}, b"\x00\x01",
                                     {"Content-Type": "application/octet-stream"}).status_code, 200)
        listed = self.assertOk(api_get("artifacts/list", {"run_id": run_id, "path": "d"}))
        self.assertEqual(sorted(f["path"] for f in listed["files"]), ["d/b.bin", "d/ui.json"])
        self.assertEqual(self.download(run_id, "d/b.bin").content, b"\x00\x01")

    def test_cross_site_and_form_bodies_refused(self):
        run_id = self.create_run_id()
        host = "127.0.0.1:%d" % self.srv.port
        refused = [{"Content-Type": "text/plain"}, {"Content-Type": "application/x-www-form-urlencoded"},
                   {"Content-Type": "multipart/form-data; boundary=x"},
                   {"Origin": "http://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"},
                   {"Sec-Fetch-Site": "same-site"}]
        for i, headers in enumerate(refused):
            r = self.upload({"run_uuid": run_id, "path": "f%d.txt" % i}, b"payload", headers)
            self.assertError(r, 400, "INVALID_PARAMETER_VALUE", "Content-Type", msg=str(headers))
            self.assertEqual(self.download(run_id, "f%d.txt" % i).status_code, 404)
        for i, headers in enumerate([{"Origin": "http://" + host}, {"Sec-Fetch-Site": "same-origin"},
                                     {"Sec-Fetch-Site": "none"}]):
            r = self.upload({"run_uuid": run_id, "path": "ok%d.txt" % i}, b"payload", headers)
            self.assertEqual(r.status_code, 200, "%s: %s" % (headers, r.text))
        # Other API routes still refuse a body without Content-Type.
        r = self.srv.request("POST", API + "/runs/log-model", data=b"{}")
        self.assertError(r, 400, "INVALID_PARAMETER_VALUE", "Content-Type header is missing")

    def test_ten_megabyte_limit(self):
        run_id = self.create_run_id()
        big = b"x" * (10 * 1024 * 1024 + 1)
        self.assertError(self.upload({"run_uuid": run_id, "path": "big.bin"}, big), 400, "INVALID_PARAMETER_VALUE",
                         "Artifact size is too large. Max size is 10MB.")

        def chunks():  # no Content-Length: the limit applies while reading
            for _ in range(11):
                yield b"y" * (1024 * 1024)
        self.assertError(self.upload({"run_uuid": run_id, "path": "big2.bin"}, chunks()), 400,
                         "INVALID_PARAMETER_VALUE", "Artifact size is too large.")
        for name in ("big.bin", "big2.bin"):
            self.assertEqual(self.download(run_id, name).status_code, 404)
        ok = b"z" * (10 * 1024 * 1024)
        self.assertEqual(self.upload({"run_uuid": run_id, "path": "max.bin"}, ok).status_code, 200)
        self.assertEqual(len(self.download(run_id, "max.bin").content), len(ok))


class TestPromptlabRun(harness.SextantTestCase):
    URL = AJAX + "/runs/create-promptlab-run"
    FULL = {"run_name": "my_run_name", "prompt_template": "Say {{ my_key }}",
            "prompt_parameters": [{"key": "my_key", "value": "my_value"}], "model_route": "my_route",
            "model_parameters": [{"key": "temperature", "value": 0.1}], "model_input": "my_input",
            "model_output": "my_output", "model_output_parameters": [{"key": "latency", "value": 100}],
            "mlflow_version": "1.0.0", "user_id": "username", "start_time": 456}

    def post(self, body):
        return self.srv.request("POST", self.URL, json=body)

    def test_refuses_as_mlflow(self):
        body = {}
        for field, value in (("experiment_id", "123"), ("prompt_template", "t"),
                             ("prompt_parameters", [{"key": "k", "value": "v"}]), ("model_route", "r"),
                             ("model_input", "i"), ("mlflow_version", "1.0.0")):
            self.assertError(self.post(body), 400, "INVALID_PARAMETER_VALUE",
                             "CreatePromptlabRun request must specify %s." % field)
            body[field] = value
        self.assertError(self.post(dict(body, prompt_parameters=[])), 400, "INVALID_PARAMETER_VALUE",
                         "must specify prompt_parameters.")
        self.assertError(self.post(body), 404, "RESOURCE_DOES_NOT_EXIST")  # experiment 123
        r = self.srv.request("POST", self.URL, data="{}", headers={"Content-Type": "text/plain"})
        self.assertError(r, 400, "INVALID_PARAMETER_VALUE")
        self.assertEqual(self.srv.request("POST", API + "/runs/create-promptlab-run", json=body).status_code, 404)

    def test_creates_the_run_mlflow_creates(self):
        experiment_id = self.create_experiment(unique("promptlab"))
        run = self.assertOk(self.post(dict(self.FULL, experiment_id=experiment_id)))["run"]
        info = run["info"]
        self.assertEqual((info["run_name"], info["experiment_id"], info["user_id"], info["status"], info["start_time"]),
                         ("my_run_name", experiment_id, "username", "FINISHED", 456))
        self.assertGreaterEqual(info["end_time"], now_ms() - 600000)
        self.assertEqual(as_dict(run["data"]["params"]),
                         {"model_route": "my_route", "prompt_template": "Say {{ my_key }}", "temperature": "0.1"})
        tags = as_dict(run["data"]["tags"])
        self.assertEqual(tags["mlflow.loggedArtifacts"], '[{"path": "eval_results_table.json", "type": "table"}]')
        self.assertEqual(tags["mlflow.runSourceType"], "PROMPT_ENGINEERING")
        self.assertEqual(tags["mlflow.runName"], "my_run_name")
        (entry,) = json.loads(tags[HISTORY])
        self.assertEqual((entry["run_id"], entry["artifact_path"], entry["flavors"]), (info["run_id"], "model", {}))
        self.assertEqual(self.get_run(info["run_id"])["info"]["status"], "FINISHED")
        table = self.srv.request("GET", "/get-artifact", params={"run_uuid": info["run_id"], "path": "eval_results_table.json"})
        self.assertEqual(table.text, json.dumps({"columns": ["my_key", "prompt", "output", "latency"],
                                                 "data": [["my_value", "my_input", "my_output", "100"]]}))
        mlmodel = self.srv.request("GET", "/get-artifact", params={"run_uuid": info["run_id"], "path": "model/MLmodel"})
        model = json.loads(mlmodel.text)  # YAML written in its JSON form
        self.assertEqual(model["flavors"]["python_function"]["loader_module"], "mlflow.prompt.promptlab_model")
        self.assertEqual(model["model_uuid"], entry["model_uuid"])
        params = self.srv.request("GET", "/get-artifact", params={"run_uuid": info["run_id"], "path": "model/parameters.yaml"})
        self.assertEqual(json.loads(params.text)["prompt_parameters"], {"my_key": "my_value"})
        files = {f["path"] for f in self.assertOk(api_get("artifacts/list", {"run_id": info["run_id"], "path": "model"}))["files"]}
        self.assertEqual(files, {"model/" + f for f in ("MLmodel", "parameters.yaml", "requirements.txt", "input_example.json",
                                                        "serving_input_example.json")})
        serving = self.srv.request("GET", "/get-artifact",
                                   params={"run_uuid": info["run_id"], "path": "model/serving_input_example.json"})
        self.assertEqual(serving.text, json.dumps({"inputs": {"inputs": ["my_value"]}}, indent=2))

    def test_bad_param_marks_the_run_failed(self):
        """As MLflow: once the run exists, a failure later (a param key MLflow refuses) leaves it FAILED."""
        experiment_id = self.create_experiment(unique("promptlab"))
        body = dict(self.FULL, experiment_id=experiment_id, model_parameters=[{"key": "../x", "value": 1}])
        run = self.assertOk(self.post(body))["run"]
        self.assertEqual(run["info"]["status"], "FAILED")
        self.assertNotIn("params", run["data"])


class TestSmallRoutes(harness.SextantTestCase):
    def test_server_features(self):
        for prefix in (API, AJAX):
            r = self.srv.request("GET", prefix + "/server-features")
            self.assertEqual((r.status_code, r.text), (200, '{"workspaces_enabled": false}'))
            self.assertTrue(r.headers["Content-Type"].startswith("application/json"))

    def test_workspaces_disabled_as_mlflow(self):
        for prefix in (API, AJAX):
            for method, path, rule in (("GET", "/workspaces", "/workspaces"), ("POST", "/workspaces", "/workspaces"),
                                       ("GET", "/workspaces/team-a", "/workspaces/<workspace_name>"),
                                       ("PATCH", "/workspaces/team-a", "/workspaces/<workspace_name>"),
                                       ("DELETE", "/workspaces/team-a", "/workspaces/<workspace_name>")):
                r = self.srv.request(method, prefix + path, json={"name": "x"} if method != "GET" else None)
                self.assertEqual(r.status_code, 503, "%s %s" % (method, path))
                self.assertEqual(r.text, "Endpoint: %s%s disabled because the server is running without multi-tenancy "
                                         "support. To enable workspace functionality, run `mlflow server` with "
                                         "`--enable-workspaces`" % (prefix, rule))
        self.assertEqual(self.srv.request("PUT", API + "/workspaces/x", json={}).status_code, 405)

    def test_gateway_proxy_without_gateway(self):
        self.assertEqual(self.srv.request("GET", AJAX + "/gateway-proxy", params={"gateway_path": "x"}).json(),
                         {"endpoints": []})
        self.assertEqual(self.srv.request("POST", AJAX + "/gateway-proxy", json={"gateway_path": "a/b"}).json(),
                         {"endpoints": []})
        self.assertEqual(self.srv.request("DELETE", AJAX + "/gateway-proxy").status_code, 405)
        self.assertEqual(self.srv.request("GET", API + "/gateway-proxy").status_code, 404)

    def test_model_version_get_artifact(self):
        run_id = self.create_run_id()
        r = self.srv.request("POST", AJAX + "/upload-artifact", params={"run_uuid": run_id, "path": "model/MLmodel"},
                             data="flavors: {}\n")
        self.assertEqual(r.status_code, 200, r.text)
        name = unique("mvart")
        self.assertOk(api_post("registered-models/create", {"name": name}))
        self.assertOk(api_post("model-versions/create", {"name": name, "source": "runs:/%s/model" % run_id,
                                                         "run_id": run_id}))
        got = self.srv.request("GET", "/model-versions/get-artifact", params={"name": name, "version": "1", "path": "MLmodel"})
        self.assertEqual((got.status_code, got.text), (200, "flavors: {}\n"))
        self.assertIn("attachment", got.headers.get("Content-Disposition", ""))
        self.assertError(self.srv.request("GET", "/model-versions/get-artifact",
                                          params={"name": name, "version": "1", "path": "../../etc/passwd"}),
                         400, "INVALID_PARAMETER_VALUE", "Invalid path")
        self.assertError(self.srv.request("GET", "/model-versions/get-artifact", params={"name": name, "version": "1"}),
                         400, "INVALID_PARAMETER_VALUE", "path")
        self.assertError(self.srv.request("GET", "/model-versions/get-artifact",
                                          params={"name": name, "version": "9", "path": "MLmodel"}),
                         404, "RESOURCE_DOES_NOT_EXIST")

    def test_model_version_get_artifact_stays_inside_this_servers_roots(self):
        """Sources are as permissive as MLflow's (any remote URI registers), so the download route is
        where confinement holds: a version whose source is a foreign URL, bucket or host is never
        fetched (no connection leaves the server: SSRF), only refused."""
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.setblocking(False)
        port = listener.getsockname()[1]
        self.addCleanup(listener.close)
        name = unique("mvforeign")
        self.assertOk(api_post("registered-models/create", {"name": name}))
        sources = ["http://127.0.0.1:%d/model" % port, "https://169.254.169.254/latest/meta-data",
                   "s3://someone-elses-bucket/model", "mlflow-artifacts://127.0.0.1:%d/models" % port,
                   "gs://bucket/model", "runs:/%s/model" % ("0" * 32)]
        for version, source in enumerate(sources, start=1):
            self.assertOk(api_post("model-versions/create", {"name": name, "source": source}))
            got = self.srv.request("GET", "/model-versions/get-artifact",
                                   params={"name": name, "version": str(version), "path": "MLmodel"})
            self.assertIn(got.status_code, (400, 404, 501), (source, got.text))
            self.assertNotEqual(got.status_code, 200, source)
            self.assertIn("error_code", got.json(), source)
        with self.assertRaises(BlockingIOError):
            listener.accept()

    def test_routes_listed_with_policy(self):
        out = subprocess.run([harness.SEXTANT_BIN, "routes"], capture_output=True, text=True, check=True).stdout
        lines = {tuple(line.split()[:4]): line for line in out.splitlines()}
        for method, kind, path in (("POST", "exact", API + "/runs/log-model"), ("POST", "exact", AJAX + "/runs/log-model"),
                                   ("POST", "exact", AJAX + "/upload-artifact"),
                                   ("POST", "exact", AJAX + "/runs/create-promptlab-run"),
                                   ("GET", "exact", AJAX + "/gateway-proxy"), ("POST", "exact", AJAX + "/gateway-proxy"),
                                   ("GET", "exact", API + "/server-features"), ("GET", "exact", AJAX + "/server-features"),
                                   ("GET", "exact", API + "/workspaces"), ("POST", "exact", API + "/workspaces"),
                                   ("DELETE", "pattern", API + "/workspaces/{workspace_name}"),
                                   ("PATCH", "pattern", AJAX + "/workspaces/{workspace_name}"),
                                   ("GET", "exact", "/model-versions/get-artifact")):
            self.assertIn((method, kind, "authenticated", path), lines, "%s %s" % (method, path))
        self.assertTrue(lines[("POST", "exact", "authenticated", AJAX + "/upload-artifact")].endswith("streaming"))


if __name__ == "__main__":
    unittest.main()
