"""Model registry: model versions — create, get, update, stages, delete, tags, download URI,
search, and which sources are accepted (spec §2.9, §3.5, §3.9, §4, §6 register_model, §7)."""

import json
import os
import time
import unittest

import harness
harness.SERVER_ARGS = ["--allowed-artifact-root", "s3://bucket/team"]  # experiments with explicit locations there

from harness import api_get, api_post, unique
from harness import setUpModule, tearDownModule  # noqa: F401
from registry_base import RegistryTestCase, api_delete, api_patch, server_path

PROMPT_TAG = "mlflow.prompt.is_prompt"
RELATIVE_MSG = ("If supplying a source as an http, https, local file path, ftp, objectstore, or "
                "mlflow-artifacts uri, an absolute path must be provided without relative path references "
                "present. Please provide an absolute path.")
LOCAL_MSG = ("To use a local path as a model version source, the run_id request parameter has to be "
             "specified and the local path has to be contained within the artifact directory of the run "
             "specified by the run_id.")
FETCH_MSG = "Unable to fetch model from model URI source artifact location "


class TestCreateModelVersion(RegistryTestCase):
    def test_shape(self):
        name = unique("mv")
        rm = self.create_model(name)
        run_id, artifact_uri = self.run_with_artifacts()
        before = harness.now_ms()
        mv = self.create_version(name, "runs:/%s/model" % run_id, run_id,
                                 tags=[{"key": "k", "value": "v"}], run_link="http://link", description="d")
        self.assertEqual(mv["name"], name)
        self.assertEqual(mv["version"], "1")
        self.assertIsInstance(mv["version"], str)
        self.assertGreaterEqual(mv["creation_timestamp"], before - 5)
        self.assertEqual(mv["last_updated_timestamp"], mv["creation_timestamp"])
        self.assertEqual(mv["current_stage"], "None")
        self.assertEqual(mv["status"], "READY")
        self.assertEqual(mv["source"], "runs:/%s/model" % run_id)
        self.assertEqual(mv["run_id"], run_id)
        self.assertEqual(mv["run_link"], "http://link")
        self.assertEqual(mv["description"], "d")
        self.assertEqual(mv["tags"], [{"key": "k", "value": "v"}])
        for absent in ("user_id", "status_message", "aliases", "model_id"):
            self.assertNotIn(absent, mv)
        self.assertEqual(self.get_version(name, 1), mv)
        got = self.get_model(name)
        self.assertGreaterEqual(got["last_updated_timestamp"], rm["last_updated_timestamp"])
        self.assertEqual(got["last_updated_timestamp"], mv["creation_timestamp"])
        self.assertEqual(got["latest_versions"], [mv])

    def test_minimal_fields_present_as_reference(self):
        name = unique("mv")
        self.create_model(name)
        run_id, artifact_uri = self.run_with_artifacts()
        mv = self.assertOk(api_post("model-versions/create", {"name": name, "source": artifact_uri + "/model"}))
        mv = mv["model_version"]
        # Absent strings are stored as "" (proto defaults), so they are emitted.
        self.assertEqual(mv["description"], "")
        self.assertEqual(mv["run_id"], "")
        self.assertEqual(mv["run_link"], "")
        self.assertNotIn("tags", mv)

    def test_versions_count_up_and_keep_deleted_numbers(self):
        name = unique("mv")
        self.create_model(name)
        self.assertEqual([self.create_version(name)["version"] for _ in range(3)], ["1", "2", "3"])
        self.delete_version(name, 3)
        self.delete_version(name, 2)
        self.assertEqual(self.create_version(name)["version"], "4")

    def test_errors(self):
        name = unique("mv")
        self.create_model(name)
        run_id, _ = self.run_with_artifacts()
        source = "runs:/%s/model" % run_id
        self.assertNotFound(self.try_version("nope-" + name, source),
                            "Registered Model with name=nope-%s not found" % name)
        self.assertBadParam(self.try_version(name, ""), "Missing value for required parameter 'source'")
        self.assertBadParam(api_post("model-versions/create", {"source": source}),
                            "Missing value for required parameter 'name'")
        self.assertBadParam(self.try_version(name, source, tags=[{"key": "a//b", "value": "x"}]),
                            "Names may be treated as files")
        self.assertBadParam(self.try_version(name, source, tags=[{"key": "k", "value": "x" * 100001}]),
                            "'value' exceeds the maximum length of 100000 characters")
        self.assertBadParam(self.try_version(name, source, run_id=7), "for parameter 'run_id'")
        self.assertEqual(self.versions_of(name), [])

    def test_download_uri(self):
        name = unique("mv")
        self.create_model(name)
        run_id, artifact_uri = self.run_with_artifacts()
        self.create_version(name, artifact_uri + "/model", run_id)
        self.create_version(name, "runs:/%s/model" % run_id, run_id)
        for version, expected in (("1", artifact_uri + "/model"), ("2", "runs:/%s/model" % run_id)):
            data = self.assertOk(api_get("model-versions/get-download-uri", {"name": name, "version": version}))
            self.assertEqual(data, {"artifact_uri": expected})
        self.assertNotFound(api_get("model-versions/get-download-uri", {"name": name, "version": "3"}))
        self.assertBadParam(api_get("model-versions/get-download-uri", {"name": name, "version": "x"}),
                            "Parameter 'version' must be an integer, got 'x'.")

    def test_copy_from_another_version(self):
        # MlflowClient.copy_model_version registers "models:/<name>/<version>".
        src, dst = unique("mv"), unique("mv")
        self.create_model(src)
        self.create_model(dst)
        run_id, artifact_uri = self.run_with_artifacts()
        self.create_version(src, artifact_uri + "/model", run_id)
        mv = self.create_version(dst, "models:/%s/1" % src)
        self.assertEqual(mv["source"], "models:/%s/1" % src)
        data = self.assertOk(api_get("model-versions/get-download-uri", {"name": dst, "version": "1"}))
        self.assertEqual(data["artifact_uri"], artifact_uri + "/model")
        # MLflow answers a failed models:/ lookup with its plain MlflowException: 500 INTERNAL_ERROR.
        for source in ("models:/%s/9" % src, "models:/%s/Production" % src, "models:/%s@champion" % src):
            self.assertError(self.try_version(dst, source), 500, "INTERNAL_ERROR", FETCH_MSG + "'%s'" % source)


class TestLoggedModelSources(RegistryTestCase):
    """`models:/m-...` sources (MLflow 3 logged models), §2.9 rules 3 and 5, §6 register_model."""

    def setUp(self):
        self.exp = self.create_experiment(unique("lm"))
        self.run_id, _ = self.run_with_artifacts(self.exp)
        self.model_id, self.location = self.insert_logged_model(self.exp, self.run_id)

    def test_register_logged_model(self):
        name = unique("lm")
        self.create_model(name)
        mv = self.create_version(name, "models:/" + self.model_id, model_id=self.model_id)
        self.assertEqual(mv["source"], "models:/" + self.model_id)
        self.assertEqual(mv["run_id"], self.run_id)  # from the logged model's source_run_id
        self.assertNotIn("model_id", mv)
        data = self.assertOk(api_get("model-versions/get-download-uri", {"name": name, "version": "1"}))
        self.assertEqual(data["artifact_uri"], self.location)
        self.assertEqual(self.version_rows(name)[0]["storage_location"], self.location)
        self.assertEqual(self.logged_model_tag(self.model_id, "mlflow.modelVersions"),
                         '[{"name": "%s", "version": 1}]' % name)
        # A second registration (another model) appends to the list.
        other = unique("lm")
        self.create_model(other)
        self.create_version(other, "models:/" + self.model_id, model_id=self.model_id)
        self.assertEqual(json.loads(self.logged_model_tag(self.model_id, "mlflow.modelVersions")),
                         [{"name": name, "version": 1}, {"name": other, "version": 1}])

    def test_explicit_run_id_wins_and_source_without_model_id(self):
        name = unique("lm")
        self.create_model(name)
        other_run, _ = self.run_with_artifacts(self.exp)
        mv = self.create_version(name, "models:/" + self.model_id, run_id=other_run)
        self.assertEqual(mv["run_id"], other_run)
        # Without model_id the logged model is not tagged (as MLflow).
        self.assertIsNone(self.logged_model_tag(self.model_id, "mlflow.modelVersions"))
        # A location inside the logged model's artifacts, with model_id.
        mv = self.create_version(name, self.location + "/MLmodel", model_id=self.model_id)
        self.assertEqual(mv["run_id"], self.run_id)

    def test_unknown_or_mismatched_models(self):
        name = unique("lm")
        self.create_model(name)
        # MLflow's registry store wraps a failed models:/ lookup in a plain MlflowException: 500.
        self.assertError(self.try_version(name, "models:/m-00000000000000000000000000000000"), 500,
                         "INTERNAL_ERROR", FETCH_MSG + "'models:/m-00000000000000000000000000000000'.Error: "
                         "Logged model with ID 'm-00000000000000000000000000000000' not found.")
        self.assertNotFound(self.try_version(name, "s3://bucket/m", model_id="m-nope"),
                            "Logged model with ID 'm-nope' not found.")
        # model_id need not be the model the source names (MLflow does not compare them).
        other_id, _ = self.insert_logged_model(self.exp, self.run_id)
        mv = self.create_version(name, "models:/" + self.model_id, model_id=other_id)
        self.assertEqual(mv["run_id"], self.run_id)
        with self.db() as conn:
            conn.execute("UPDATE logged_models SET lifecycle_stage = 'deleted' WHERE model_id = ?", (other_id,))
        self.assertError(self.try_version(name, "models:/" + other_id), 500, "INTERNAL_ERROR", FETCH_MSG)
        self.assertEqual([v["version"] for v in self.version_rows(name)], [1])


class TestLoggedModelsApi(RegistryTestCase):
    """The same flow through the logged-models endpoints, as the MLflow 3 client drives it
    (§6: log_model then register_model with models:/<model_id> and model_id)."""

    def test_log_model_then_register(self):
        exp = self.create_experiment(unique("lmapi"))
        run_id, _ = self.run_with_artifacts(exp)
        model = self.assertOk(api_post("logged-models", {"experiment_id": exp, "name": "model",
                                                         "source_run_id": run_id}))["model"]
        model_id = model["info"]["model_id"]
        location = model["info"]["artifact_uri"]
        name = unique("lmapi")
        self.assertOk(api_post("registered-models/create", {"name": name}))
        mv = self.assertOk(api_post("model-versions/create", {"name": name, "source": "models:/" + model_id,
                                                              "model_id": model_id}))["model_version"]
        self.assertEqual(mv["run_id"], run_id)
        self.assertEqual(self.assertOk(api_get("model-versions/get-download-uri",
                                               {"name": name, "version": "1"}))["artifact_uri"], location)
        got = self.assertOk(api_get("logged-models/" + model_id))["model"]
        tags = harness.as_dict(got["info"].get("tags"))
        self.assertEqual(tags.get("mlflow.modelVersions"), '[{"name": "%s", "version": 1}]' % name)
        # A deleted logged model can no longer be registered.
        self.assertOk(api_delete("logged-models/" + model_id, {}))
        self.assertError(self.try_version(name, "models:/" + model_id), 500, "INTERNAL_ERROR", FETCH_MSG)
        self.assertNotFound(self.try_version(name, "s3://bucket/m", model_id=model_id))


class TestSourceValidation(RegistryTestCase):
    """MLflow 3.6's source rules, accepted and refused cases side by side: a local source only
    inside its run's local artifact directory; any other URI when it holds no `..` (in any
    encoding) and its path is absolute and normalised. Every refusal leaves no version behind."""

    @classmethod
    def setUpClass(cls):
        t = RegistryTestCase()
        cls.exp = t.create_experiment(unique("src"))
        cls.run_id, cls.artifact_uri = t.run_with_artifacts(cls.exp)

    def setUp(self):
        self.name = unique("src")
        self.create_model(self.name)

    def assertRejected(self, source, message=None, run_id="run", status=400, code="INVALID_PARAMETER_VALUE",
                       **fields):
        if run_id == "run":
            run_id = self.run_id
        if run_id is not None:
            fields["run_id"] = run_id
        r = self.try_version(self.name, source, **fields)
        self.assertError(r, status, code, message, msg=source)
        self.assertEqual(self.versions_of(self.name), [], source)
        self.assertEqual(self.version_rows(self.name), [], source)
        self.assertNotIn("latest_versions", self.get_model(self.name))

    def assertAccepted(self, source, **fields):
        mv = self.assertOk(self.try_version(self.name, source, **fields), source)["model_version"]
        self.assertEqual(mv["source"], source)
        return mv

    def test_local_paths_refused_when_the_run_has_no_local_artifacts(self):
        run_dir = os.path.join(server_path("mlartifacts"), self.exp, self.run_id, "artifacts")
        for source in ("/etc/passwd", server_path("mlflow.db"), server_path("mlartifacts"), run_dir + "/model", "/",
                       "/" + "/".join(["..", "etc", "passwd"]), "file:///etc/passwd", "file://" + run_dir,
                       "file:/etc/shadow", "file://localhost/etc/passwd", "file:///tmp/%2e%2e/etc/passwd",
                       "FILE:///etc/passwd", "%2Fetc%2Fpasswd", "model", "./model"):
            self.assertRejected(source, LOCAL_MSG)
            self.assertRejected(source, "Invalid model version source: '%s'. " % source + LOCAL_MSG, run_id=None)
        # With a run, MLflow names the resolved path.
        self.assertRejected("file:///tmp/%2e%2e/etc/passwd", "Invalid model version source: '/etc/passwd'.")
        self.assertRejected("/x/y", "Run with id=0123456789abcdef0123456789abcdef not found",
                            run_id="0123456789abcdef0123456789abcdef", status=404, code="RESOURCE_DOES_NOT_EXIST")
        self.assertRejected("file://evil.example/share/model", "file://evil.example/share/model is not a valid "
                            "remote uri.", status=500, code="INTERNAL_ERROR")

    def test_dot_dot_plain_and_encoded_refused_beside_accepted_neighbours(self):
        base = self.artifact_uri + "/model"
        for traversal in ("/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc", "/%2E%2E/x",
                          "/%252e%252e/%252e%252e/etc", "/%25252e%25252e/x", "/..%2f..%2fetc", "/..%252f..",
                          "/%2e%2e%5c%2e%2e", "/..\\..\\etc", "/./x", "/x/.", "/x%00", "/x%2500y", "/a?b=/../c"):
            self.assertRejected(base + traversal, RELATIVE_MSG)
        for source in ("runs:/%s/../../x" % self.run_id, "runs:/%s/%%2e%%2e/x" % self.run_id,
                       "models:/m-x/..", "mlflow-artifacts:/%s/../../../etc/passwd" % self.exp,
                       "mlflow-artifacts://localhost:5000/%2e%2e/%2e%2e/etc",
                       "http://localhost:5000/api/2.0/mlflow-artifacts/artifacts/../../etc",
                       "s3://bucket/team/exp/../../secrets", "dbfs:/%s/artifacts/a%%3f/../../../" % self.run_id,
                       "mlflow-artifacts:/", "mlflow-artifacts:relative/x", "s3://bucket", "C:\\Windows\\model"):
            self.assertRejected(source, "Invalid model version source: '%s'. " % source + RELATIVE_MSG)
        # The same places without the traversal are fine; dots that are no segment are names.
        for source in (base, base + "/..../x", base + "/...b/..c", base + "///x//", base + "/with%20space",
                       "mlflow-artifacts:/models///", "mlflow-artifacts://host:9000/models"):
            self.assertAccepted(source, run_id=self.run_id)

    def test_messages_show_at_most_200_characters_of_a_source(self):
        # docs/security.md: an error message never echoes a client value whole. A 100,000-character
        # source (there is no length limit on sources) is shown as its first 200 characters + "...";
        # short ones stay whole (above), as MLflow prints them.
        for source, status, code in (("/" + "\u00e9" * 100000, 400, "INVALID_PARAMETER_VALUE"),
                                     ("s3://b/" + "x" * 100000 + "/../y", 400, "INVALID_PARAMETER_VALUE"),
                                     ("models:/" + "m" * 100000 + "/1", 500, "INTERNAL_ERROR"),
                                     ("file://evil" + "e" * 100000 + "/x", 500, "INTERNAL_ERROR")):
            r = self.try_version(self.name, source, run_id=self.run_id)
            self.assertError(r, status, code, msg=source[:20])
            message = r.json()["message"]
            self.assertLess(len(message), 1000, source[:20])
            self.assertIn(source[:200] + "...", message)
            self.assertNotIn(source[:201], message)
        self.assertEqual(self.versions_of(self.name), [])

    def test_non_local_uris_accepted_as_mlflow_does(self):
        other_run, _ = self.run_with_artifacts(self.exp)
        accepted = [
            ("runs:/%s/model" % self.run_id, self.run_id),
            ("runs:/%s" % self.run_id, None),
            ("runs:/%s/model" % other_run, self.run_id),  # run_id need not be the source's run
            ("runs:/0123456789abcdef0123456789abcdef/model", None),  # nor must the run exist
            (self.artifact_uri + "/model", None),
            ("mlflow-artifacts:/somewhere/model", None),
            ("s3://bucket/other/model", self.run_id),
            ("http://evil.example/model", None),
            ("gs://bucket/m", None),
            ("dbfs:/databricks/m", None),
        ]
        for source, run_id in accepted:
            mv = self.assertAccepted(source, **({"run_id": run_id} if run_id else {}))
            self.assertEqual(mv.get("run_id", ""), run_id or "", source)

    def test_models_uris(self):
        # Stage, alias and 'latest' reach MLflow's lookup without a version: its TypeError, as 500.
        self.create_version(self.name)
        self.assertAccepted("models:/%s/1" % self.name)
        for source in ("models:/%s/Production" % self.name, "models:/%s@champion" % self.name,
                       "models:/%s/latest" % self.name):
            self.assertError(self.try_version(self.name, source), 500, "INTERNAL_ERROR",
                             FETCH_MSG + "'%s'.Error: int() argument must be a string" % source)
        self.assertError(self.try_version(self.name, "models:/%s/9" % self.name), 500, "INTERNAL_ERROR",
                         "Model Version (name=%s, version=9) not found" % self.name)
        self.assertError(self.try_version(self.name, "models:/a/b/c"), 500, "INTERNAL_ERROR",
                         "Not a proper models:/ URI: models:/a/b/c.")
        self.assertEqual(len(self.version_rows(self.name)), 2)

    def test_prompt_versions_use_the_placeholder_only(self):
        name = unique("prompt")
        self.create_model(name, tags=[{"key": PROMPT_TAG, "value": "true"}])
        tags = [{"key": PROMPT_TAG, "value": "true"}, {"key": "mlflow.prompt.text", "value": "Hi {{x}}"}]
        mv = self.assertOk(self.try_version(name, "prompt-template", tags=tags))["model_version"]
        self.assertEqual(mv["source"], "prompt-template")
        # MlflowClient (mlflow.genai.register_prompt) sends "dummy-source" instead.
        mv2 = self.assertOk(self.try_version(name, "dummy-source", tags=tags))["model_version"]
        self.assertEqual(mv2["source"], "dummy-source")
        # A placeholder names nothing to read: the version's artifacts are not served from it.
        resp = harness.server().request("GET", "/model-versions/get-artifact",
                                params={"name": name, "version": mv2["version"], "path": "x"})
        self.assertNotEqual(resp.status_code, 200, resp.text)
        # MLflow 3.6 skips the check for prompts (CVE-2026-2614); Sextant does not.
        self.assertBadParam(self.try_version(name, "/etc/passwd", tags=tags), LOCAL_MSG)
        self.assertBadParam(self.try_version(name, "dummy-source/../../etc", tags=tags), LOCAL_MSG)
        self.assertBadParam(self.try_version(self.name, "prompt-template"), LOCAL_MSG)
        self.assertBadParam(self.try_version(self.name, "dummy-source"), LOCAL_MSG)


class TestSourceValidationNoProxy(unittest.TestCase):
    """--no-serve-artifacts: run artifacts live in a local directory; local sources are accepted
    only inside the run's own artifact directory (MLflow's rule), `..` resolved first."""

    @classmethod
    def setUpClass(cls):
        cls.server = harness.SextantServer()
        cls.root = os.path.join(cls.server.workdir, "mlruns")
        cls.server.extra_args = ["--no-serve-artifacts", "--default-artifact-root", cls.root]
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        rc = cls.server.stop()
        stderr = cls.server.stderr_text()
        cls.server.cleanup()
        assert rc in (0, None), stderr
        assert "runtime error:" not in stderr and "AddressSanitizer" not in stderr, stderr

    def post(self, path, body):
        return self.server.request("POST", harness.API + "/" + path, json=body)

    def test_local_paths(self):
        name = unique("local")
        self.assertEqual(self.post("registered-models/create", {"name": name}).status_code, 200)
        run = self.post("runs/create", {"experiment_id": "0", "start_time": harness.now_ms()}).json()["run"]["info"]
        artifact_uri = run["artifact_uri"]
        self.assertTrue(artifact_uri.startswith(self.root + "/0/"), artifact_uri)
        ok = [(artifact_uri + "/model", run["run_id"]), ("file://" + artifact_uri + "/model", run["run_id"]),
              (artifact_uri, run["run_id"]), ("file://" + artifact_uri + "/.", run["run_id"]),
              ("file://" + artifact_uri + "/model/..", run["run_id"]),
              ("file://localhost" + artifact_uri + "/m", run["run_id"]),
              (artifact_uri.replace("/", "%2F") + "%2Fm", run["run_id"]),
              ("mlflow-artifacts:/0/%s/artifacts/model" % run["run_id"], run["run_id"]),
              ("s3://bucket/model", run["run_id"])]
        for source, run_id in ok:
            r = self.post("model-versions/create", {"name": name, "source": source, "run_id": run_id})
            self.assertEqual(r.status_code, 200, source + ": " + r.text)
        other = self.post("runs/create", {"experiment_id": "0", "start_time": harness.now_ms()}).json()
        other_uri = other["run"]["info"]["artifact_uri"]
        # Side by side with the accepted ones: outside the run's directory, or past it with `..`
        # (plain, once or twice encoded), '\', or a file: URI's query/fragment (published bypasses).
        bad = [(artifact_uri + "/model", None), (other_uri + "/model", run["run_id"]),
               (artifact_uri + "/../../other", run["run_id"]), (artifact_uri + "/%2e%2e/%2e%2e", run["run_id"]),
               (artifact_uri + "/%252e%252e/%252e%252e", run["run_id"]), (artifact_uri + "x", run["run_id"]),
               (artifact_uri + "/..\\..\\x", run["run_id"]), ("file://" + artifact_uri + "#/../../x", run["run_id"]),
               ("file://" + artifact_uri + "?/../x", run["run_id"]),
               (self.root, run["run_id"]), ("/etc/passwd", run["run_id"])]
        for source, run_id in bad:
            body = {"name": name, "source": source}
            if run_id:
                body["run_id"] = run_id
            r = self.post("model-versions/create", body)
            self.assertEqual(r.status_code, 400, source + ": " + r.text)
            self.assertEqual(r.json()["error_code"], "INVALID_PARAMETER_VALUE", source)
        r = self.server.request("GET", harness.API + "/model-versions/search",
                                params={"filter": "name = '%s'" % name})
        self.assertEqual(len(r.json()["model_versions"]), len(ok))


class TestSourceRegexSetting(unittest.TestCase):
    """MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX (§2.9 CreateModelVersion rule 1)."""

    def test_regex_restricts_sources(self):
        srv = harness.SextantServer(env={"MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX": "^runs:/"})
        try:
            srv.start()
            name = unique("rx")
            self.assertEqual(srv.request("POST", harness.API + "/registered-models/create",
                                         json={"name": name}).status_code, 200)
            run = srv.request("POST", harness.API + "/runs/create",
                              json={"experiment_id": "0"}).json()["run"]["info"]
            ok = srv.request("POST", harness.API + "/model-versions/create",
                             json={"name": name, "source": "runs:/%s/model" % run["run_id"]})
            self.assertEqual(ok.status_code, 200, ok.text)
            source = run["artifact_uri"] + "/model"
            bad = srv.request("POST", harness.API + "/model-versions/create", json={"name": name, "source": source})
            self.assertEqual(bad.status_code, 400, bad.text)
            self.assertEqual(bad.json(), {"error_code": "INVALID_PARAMETER_VALUE",
                                          "message": "Invalid model version source: '%s'." % source})
        finally:
            srv.stop()
            srv.cleanup()

    def test_invalid_regex_refuses_to_start(self):
        srv = harness.SextantServer(env={"MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX": "(unclosed"})
        try:
            srv.spawn()
            rc = srv.wait_exit(20)
            self.assertEqual(rc, 1)
            self.assertIn("MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX is not a valid regular expression",
                          srv.stderr_text())
        finally:
            srv.stop()
            srv.cleanup()


class TestGetUpdateTransitionDelete(RegistryTestCase):
    def setUp(self):
        self.name = unique("mvops")
        self.create_model(self.name)
        self.v1 = self.create_version(self.name)
        self.v2 = self.create_version(self.name)

    def test_get_errors(self):
        self.assertBadParam(api_get("model-versions/get", {"name": self.name, "version": "abc"}),
                            "Parameter 'version' must be an integer, got 'abc'.")
        self.assertBadParam(api_get("model-versions/get", {"name": self.name}),
                            "Missing value for required parameter 'version'")
        self.assertNotFound(api_get("model-versions/get", {"name": self.name, "version": "9"}),
                            "Model Version (name=%s, version=9) not found" % self.name)
        self.assertNotFound(api_get("model-versions/get", {"name": "nope-" + self.name, "version": "1"}))
        self.assertEqual(self.get_version(self.name, " 01 ")["version"], "1")

    def test_update_description(self):
        time.sleep(0.01)
        mv = self.assertOk(api_patch("model-versions/update", {"name": self.name, "version": "1",
                                                               "description": "hello"}))["model_version"]
        self.assertEqual(mv["description"], "hello")
        self.assertGreater(mv["last_updated_timestamp"], self.v1["last_updated_timestamp"])
        # Absent description -> NULL -> omitted (§7 row 20).
        mv = self.assertOk(api_patch("model-versions/update", {"name": self.name, "version": "1"}))["model_version"]
        self.assertNotIn("description", mv)
        self.assertNotFound(api_patch("model-versions/update", {"name": self.name, "version": "7"}))

    def test_transition_stages(self):
        time.sleep(0.01)
        mv = self.transition(self.name, 1, "production")
        self.assertEqual(mv["current_stage"], "Production")
        self.assertGreater(mv["last_updated_timestamp"], self.v1["last_updated_timestamp"])
        self.assertEqual(self.get_model(self.name)["last_updated_timestamp"], mv["last_updated_timestamp"])
        self.assertEqual(self.transition(self.name, 2, "STAGING")["current_stage"], "Staging")
        self.assertEqual(self.transition(self.name, 2, "Production")["current_stage"], "Production")
        self.assertEqual(self.get_version(self.name, 1)["current_stage"], "Production")  # not archived
        v3 = self.create_version(self.name)
        self.transition(self.name, 3, "Production", archive=True)
        self.assertEqual([self.get_version(self.name, v)["current_stage"] for v in (1, 2, 3)],
                         ["Archived", "Archived", "Production"])
        self.assertEqual(self.transition(self.name, 3, "None")["current_stage"], "None")
        self.assertEqual(v3["version"], "3")

    def test_transition_errors(self):
        def tr(body):
            b = {"name": self.name, "version": "1"}
            b.update(body)
            return api_post("model-versions/transition-stage", b)
        self.assertBadParam(tr({"stage": "prod"}),
                            "Invalid Model Version stage: prod. Value must be one of None, Staging, Production, "
                            "Archived.")
        self.assertBadParam(tr({}), "Missing value for required parameter 'stage'")
        self.assertBadParam(tr({"stage": "Deleted_Internal"}), "Invalid Model Version stage")
        # The reference answers 500 here (§7 row 6); a client error is 400.
        self.assertBadParam(tr({"stage": "Archived", "archive_existing_versions": True}),
                            "Model version transition cannot archive existing model versions because "
                            "'Archived' is not an Active stage. Valid stages are ['Staging', 'Production']")
        self.assertBadParam(tr({"stage": "Production", "archive_existing_versions": "maybe"}))
        self.assertNotFound(tr({"stage": "Production", "version": "9"}))
        self.assertEqual(self.get_version(self.name, 1)["current_stage"], "None")

    def test_soft_delete(self):
        self.assertOk(api_post("model-versions/set-tag", {"name": self.name, "version": "2", "key": "k",
                                                          "value": "v"}))
        self.set_alias(self.name, "a", 2)
        self.transition(self.name, 2, "Production")
        self.delete_version(self.name, 2)
        self.assertNotFound(api_get("model-versions/get", {"name": self.name, "version": "2"}))
        self.assertNotFound(api_get("model-versions/get-download-uri", {"name": self.name, "version": "2"}))
        self.assertNotFound(api_delete("model-versions/delete", {"name": self.name, "version": "2"}))
        self.assertNotFound(api_post("model-versions/set-tag", {"name": self.name, "version": "2", "key": "k",
                                                                "value": "v"}))
        self.assertNotFound(api_post("registered-models/alias", {"name": self.name, "alias": "b", "version": "2"}))
        self.assertEqual([v["version"] for v in self.versions_of(self.name)], ["1"])
        rm = self.get_model(self.name)
        self.assertEqual([v["version"] for v in rm["latest_versions"]], ["1"])
        self.assertNotIn("aliases", rm)
        row = self.version_rows(self.name)[1]
        self.assertEqual(row["current_stage"], "Deleted_Internal")
        self.assertEqual(row["source"], "REDACTED-SOURCE-PATH")
        self.assertEqual(row["run_id"], "REDACTED-RUN-ID")
        self.assertEqual(row["run_link"], "REDACTED-RUN-LINK")
        self.assertIsNone(row["description"])
        with self.db() as conn:
            tags = conn.execute("SELECT key FROM model_version_tags WHERE name = ? AND version = 2",
                                (self.name,)).fetchall()
        self.assertEqual(tags, [("k",)])  # tags are kept
        self.assertBadParam(api_delete("model-versions/delete", {"name": self.name}), "Missing value")
        self.assertEqual(api_post("model-versions/delete", {"name": self.name, "version": "1"}).status_code, 405)


class TestModelVersionTags(RegistryTestCase):
    def test_set_delete(self):
        name = unique("mvtag")
        self.create_model(name)
        self.create_version(name)
        for value in ("1", "2"):
            self.assertOk(api_post("model-versions/set-tag", {"name": name, "version": "1", "key": "k",
                                                              "value": value}))
        big = {"name": name, "version": "1", "key": "big", "value": "x" * 100000}
        if harness.BACKEND == "mariadb":  # MLflow's TEXT column holds 65535 bytes there; as MLflow: 400
            self.assertError(api_post("model-versions/set-tag", big), 400, "BAD_REQUEST", "Data too long")
            big["value"] = "x" * 60000
        self.assertOk(api_post("model-versions/set-tag", big))
        tags = harness.as_dict(self.get_version(name, 1)["tags"])
        self.assertEqual(tags["k"], "2")
        self.assertEqual(len(tags["big"]), len(big["value"]))
        self.assertOk(api_delete("model-versions/delete-tag", {"name": name, "version": "1", "key": "k"}))
        self.assertOk(api_delete("model-versions/delete-tag", {"name": name, "version": "1", "key": "k"}))
        self.assertEqual(list(harness.as_dict(self.get_version(name, 1)["tags"])), ["big"])

    def test_errors(self):
        name = unique("mvtag")
        self.create_model(name)
        self.create_version(name)

        def set_(**body):
            b = {"name": name, "version": "1", "key": "k", "value": "v"}
            b.update(body)
            return api_post("model-versions/set-tag", b)
        self.assertNotFound(set_(version="5"))
        self.assertBadParam(set_(version="x"), "Parameter 'version' must be an integer, got 'x'.")
        self.assertBadParam(set_(key="../x"), "Names may be treated as files")
        self.assertBadParam(set_(value="v" * 100001), "'value' exceeds the maximum length of 100000 characters")
        self.assertBadParam(set_(key="mlflow.prompt.text", value="v" * 100001),
                            "Prompt text exceeds max length of 100000 characters.")
        self.assertNotFound(api_delete("model-versions/delete-tag", {"name": name, "version": "5", "key": "k"}))
        self.assertBadParam(api_delete("model-versions/delete-tag", {"name": name, "version": "1"}),
                            "Missing value for required parameter 'key'")


class TestSearchModelVersions(RegistryTestCase):
    @classmethod
    def setUpClass(cls):
        t = RegistryTestCase()
        cls.prefix = unique("mvs")
        cls.a, cls.b = cls.prefix + "-a", cls.prefix + "-b"
        cls.run1, cls.uri1 = t.run_with_artifacts()
        cls.run2, cls.uri2 = t.run_with_artifacts()
        t.create_model(cls.a)
        t.create_model(cls.b)
        t.create_version(cls.a, cls.uri1 + "/model", cls.run1, tags=[{"key": "env", "value": "prod"}])  # a/1
        time.sleep(0.003)
        t.create_version(cls.a, "runs:/%s/model" % cls.run2, cls.run2, tags=[{"key": "env", "value": "dev"}])
        time.sleep(0.003)
        t.create_version(cls.b, cls.uri2 + "/other", cls.run2)  # b/1
        time.sleep(0.003)
        t.create_version(cls.a, cls.uri1 + "/m3", cls.run1)  # a/3
        time.sleep(0.003)
        t.create_version(cls.b, cls.uri1 + "/gone", cls.run1)  # b/2, deleted below
        t.delete_version(cls.b, 2)
        cls.prompt = cls.prefix + "-prompt"
        t.create_model(cls.prompt, tags=[{"key": PROMPT_TAG, "value": "true"}])
        t.assertOk(t.try_version(cls.prompt, "prompt-template",
                                 tags=[{"key": PROMPT_TAG, "value": "true"}]))
        t.set_alias(cls.a, "champ", 1)

    def search(self, filter_=None, **params):
        f = "name LIKE '%s%%'" % self.prefix
        if filter_:
            f += " AND " + filter_
        params["filter"] = f
        return api_get("model-versions/search", params)

    def keys(self, resp):
        return [(v["name"][-1], v["version"]) for v in self.assertOk(resp).get("model_versions", [])]

    def test_default_order_excludes_deleted_and_prompts(self):
        # last_updated_timestamp DESC (b/2 was deleted, which also bumped nothing visible).
        self.assertEqual(self.keys(self.search()), [("a", "3"), ("b", "1"), ("a", "2"), ("a", "1")])

    def test_results_have_tags_but_no_aliases(self):
        data = self.assertOk(api_get("model-versions/search", {"filter": "name = '%s'" % self.a}))
        v1 = [v for v in data["model_versions"] if v["version"] == "1"][0]
        self.assertEqual(v1["tags"], [{"key": "env", "value": "prod"}])
        self.assertNotIn("aliases", v1)
        self.assertEqual(self.get_version(self.a, 1)["aliases"], ["champ"])

    def test_attribute_filters(self):
        self.assertEqual(self.keys(self.search("run_id = '%s'" % self.run2, order_by=["name", "version_number"])),
                         [("a", "2"), ("b", "1")])
        self.assertEqual(self.keys(self.search("run_id IN ('%s', '%s')" % (self.run1, self.run2),
                                               order_by="version_number ASC")),
                         [("a", "1"), ("b", "1"), ("a", "2"), ("a", "3")])
        self.assertEqual(self.keys(self.search("source_path LIKE '%/model'")), [("a", "2"), ("a", "1")])
        self.assertEqual(self.keys(self.search("source_path = '%s/other'" % self.uri2)), [("b", "1")])
        self.assertEqual(self.keys(self.search("version_number >= 2", order_by="version_number")),
                         [("a", "2"), ("a", "3")])
        self.assertEqual(self.keys(self.search("version_number = '3'")), [("a", "3")])
        self.assertEqual(self.keys(self.search("version_number != 1 AND name = '%s'" % self.a,
                                               order_by="version_number DESC")), [("a", "3"), ("a", "2")])
        self.assertEqual(self.keys(self.search("name ILIKE '%s-A'" % self.prefix.upper(),
                                               order_by="creation_timestamp")),
                         [("a", "1"), ("a", "2"), ("a", "3")])

    def test_tag_filters_and_prompts(self):
        self.assertEqual(self.keys(self.search("tags.env = 'prod'")), [("a", "1")])
        self.assertEqual(self.keys(self.search("tags.env != 'prod'")), [("a", "2")])
        self.assertEqual(self.keys(self.search("tags.env LIKE '%'", order_by="version_number")),
                         [("a", "1"), ("a", "2")])
        self.assertEqual(self.keys(self.search("tags.`%s` = 'true'" % PROMPT_TAG)), [("t", "1")])

    def test_pagination_and_limits(self):
        seen, token = [], None
        while True:
            params = {"max_results": 3}
            if token:
                params["page_token"] = token
            data = self.assertOk(self.search(**params))
            seen += [(v["name"][-1], v["version"]) for v in data.get("model_versions", [])]
            token = data.get("next_page_token")
            if not token:
                break
        self.assertEqual(seen, [("a", "3"), ("b", "1"), ("a", "2"), ("a", "1")])
        self.assertOk(self.search(max_results=200000))
        self.assertBadParam(self.search(max_results=200001),
                            "Invalid value \"200001\" for parameter 'max_results' supplied")
        self.assertBadParam(self.search(max_results=0),
                            "Invalid value for max_results. It must be a positive integer, but got 0")

    def test_errors(self):
        for f, msg in [("status = 'READY'", "Invalid attribute key 'status' specified"),
                       ("run_id NOT IN ('a')", "Invalid comparator for attribute: NOT IN"),
                       ("name IN ('a')", "Only the 'run_id' attribute supports comparison with a list"),
                       ("version_number LIKE '1'", "Invalid comparator for attribute version_number: LIKE"),
                       ("name = 1", "attributes support comparison with numeric values"),
                       ("metrics.m > 1", "Invalid entity type 'metrics'")]:
            self.assertBadParam(api_get("model-versions/search", {"filter": f}), msg, msg=f)
        for o, msg in [("run_id", "Invalid attribute key 'run_id' specified"),
                       ("tags.env", "Invalid order by key 'env' specified")]:
            self.assertBadParam(api_get("model-versions/search", {"order_by": o}), msg, msg=o)
        self.assertBadParam(api_get("model-versions/search", {"order_by": ["name", "name DESC"]}),
                            "`order_by` contains duplicate fields")


if __name__ == "__main__":
    unittest.main()
