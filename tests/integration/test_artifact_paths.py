"""Artifact path canonicalisation on every artifact route and method (issue #13, class 2).

`DELETE /api/2.0/mlflow-artifacts/artifacts/.` used to remove the whole artifact root. Every
route that takes an artifact path (proxy upload/download/list/delete, multipart create/complete/
abort, tracking artifacts/list, get-artifact, logged model directories/files, and their ajax-api
twins) is sent the same hostile paths, raw (no client-side normalisation): each answer is 400
INVALID_PARAMETER_VALUE, or 403 PERMISSION_DENIED for a delete of a well-formed path above a
run's or model's artifact directory, and afterwards the whole destination tree (two experiments'
runs and a logged model) is byte for byte what it was. Deletes that `mlflow gc` sends still work."""

import json
import os
import unittest

import harness
from harness import api_get, api_post, unique, ARTIFACTS, AJAX_ARTIFACTS
from harness import setUpModule, tearDownModule  # noqa: F401

PROXY_BASES = (ARTIFACTS, AJAX_ARTIFACTS)
MPU_BASES = ("/api/2.0/mlflow-artifacts/mpu", "/ajax-api/2.0/mlflow-artifacts/mpu")

# The requests of the issue, then the same class in other encodings (as sent on the wire; the
# server percent-decodes the path and each query parameter exactly once).
ROOT_ALIASES = [".", "%2e", "./", "./.", "%2E", "%2e/", ".%2f", "%2e%2f", "%2e/%2e", ".//", "./%2e/",
                "%252e", "%252e/", "%25252e", "%c0%ae", "%C0%AE/", "%e0%80%ae", "%2e%00", "%00", "%0a", "%01",
                "..", "%2e%2e", "%252e%252e", "..%2f", "%c0%ae%c0%ae", "%5c", "..%5c", "%5c%2e", "C:", "c:%5c",
                "file:", "file:%2F%2F%2Fetc", "s3:%2F%2Fbucket", "S3:x", "http:%2F%2Fevil", "mlflow-artifacts:%2F",
                "%2f", "%2F%2F", "%252f", "%23", "%c2%85", "%ef%bf%bf%00"]


def _raw_paths_above(exp, run):
    """Well-formed-looking paths that name or climb above a run's artifact directory."""
    return [exp + "/.", exp + "/./", exp + "/%2e", exp + "/%252e", exp + "//", exp + "%2f%2f", exp + "/" + run + "/..",
            exp + "/" + run + "/artifacts/../..", exp + "/" + run + "/artifacts/%2e%2e/%2e%2e",
            exp + "/" + run + "/artifacts/%252e%252e/%252e%252e", exp + "/" + run + "/artifacts/..%2f..",
            exp + "/" + run + "//artifacts", exp + "/" + run + "/artifacts/.", exp + "/" + run + "/artifacts/%2e",
            exp + "/" + run + "/artifacts/%c0%ae%c0%ae/%c0%ae%c0%ae", exp + "%5c" + run, "/" + exp, "%2f" + exp]


def tree(base):
    """{relative path: bytes} of every file and directory below `base` (directories map to None)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(base):
        for d in dirnames:
            out[os.path.relpath(os.path.join(dirpath, d), base)] = None
        for f in filenames:
            p = os.path.join(dirpath, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, base)] = fh.read()
    return out


class PathsBase(harness.SextantTestCase):
    @classmethod
    def setUpClass(cls):
        tc = harness.SextantTestCase()
        cls.exps, cls.runs = [], []
        for _ in range(2):
            eid = tc.create_experiment(unique("paths"))
            run = tc.create_run(eid)
            cls.exps.append(eid)
            cls.runs.append(run["info"]["run_id"])
            root = run["info"]["artifact_uri"][len("mlflow-artifacts:/"):]
            for name, data in (("a.txt", b"alpha"), ("model/MLmodel", b"flavors: {}\n"), ("model/w.bin", b"\x00\x01")):
                r = harness.server().request("PUT", ARTIFACTS + "/" + root + "/" + name, data=data)
                assert r.status_code == 200, harness.describe(r)
        model = tc.assertOk(api_post("logged-models", {"experiment_id": cls.exps[0]}))["model"]
        cls.model = model["info"]["model_id"]
        cls.model_root = model["info"]["artifact_uri"][len("mlflow-artifacts:/"):]
        r = harness.server().request("PUT", ARTIFACTS + "/" + cls.model_root + "/MLmodel", data=b"m")
        assert r.status_code == 200, harness.describe(r)

    def setUp(self):
        self.before = tree(self.srv.artifacts_dir)
        self.outside_before = self.beside()

    def beside(self):
        """The names beside the destination, bar the database's own files (SQLite's -wal, -shm...)."""
        db = os.path.basename(self.srv.db_path)
        return sorted(n for n in os.listdir(self.srv.workdir) if not n.startswith(db))

    def assertUntouched(self):
        self.assertEqual(tree(self.srv.artifacts_dir), self.before, "the artifact tree changed")
        self.assertEqual(self.beside(), self.outside_before, "files appeared beside it")

    def assertRefused(self, r, what, codes=(400,)):
        if r.status_code == 403 and 403 in codes:
            self.assertError(r, 403, "PERMISSION_DENIED", msg=what)
        else:
            self.assertBadParam(r, msg=what)

    def hostile(self):
        """Every bad artifact path: root aliases, paths above a run, and those two under a run's root."""
        exp, run = self.exps[0], self.runs[0]
        run_root = exp + "/" + run + "/artifacts"
        # Under a run's root the same aliases, bar those that are names there or name the root itself.
        under = [run_root + "/" + p for p in ROOT_ALIASES if p not in ("C:", "file:", "S3:x", "%2f", "mlflow-artifacts:%2F")]
        return ROOT_ALIASES + _raw_paths_above(exp, run) + under


class TestProxyRoutes(PathsBase):
    def test_delete_root_aliases_and_everything_above_a_run(self):
        for base in PROXY_BASES:
            for p in self.hostile():
                self.assertRefused(self.srv.raw_request("DELETE", base + "/" + p), "DELETE " + p)
            # Well-formed paths that are not inside a run's or model's artifact directory: 403.
            exp, run = self.exps[0], self.runs[0]
            encoded_exp = "".join("%%%02X" % ord(c) for c in exp)  # decoded once: the experiment's id
            for p in (exp, exp + "/", encoded_exp, encoded_exp + "%2F", exp + "/" + run, exp + "/" + run + "/",
                      exp + "/models", exp + "/models/" + self.model, self.exps[1], self.exps[1] + "/" + self.runs[1],
                      "x", "artifacts", exp + "/x/artifacts", exp + "/" + run.upper() + "/artifacts"):
                self.assertError(self.srv.raw_request("DELETE", base + "/" + p), 403, "PERMISSION_DENIED",
                                 msg="DELETE " + p)
        self.assertUntouched()

    def test_put_get_refused(self):
        for base in PROXY_BASES:
            for p in self.hostile() + ["%2e%2e%2f%2e%2e%2fevil"]:
                r = self.srv.raw_request("PUT", base + "/" + p, body=b"pwned",
                                         headers={"Content-Type": "application/octet-stream"})
                self.assertRefused(r, "PUT " + p)
                self.assertRefused(self.srv.raw_request("GET", base + "/" + p), "GET " + p)
        self.assertUntouched()

    def test_put_needs_a_file_name(self):
        run_root = self.exps[0] + "/" + self.runs[0] + "/artifacts"
        for p in (run_root + "/", run_root + "/model/", run_root + "%2f"):
            r = self.srv.raw_request("PUT", ARTIFACTS + "/" + p, body=b"x",
                                     headers={"Content-Type": "application/octet-stream"})
            self.assertBadParam(r, msg="PUT " + p)
            self.assertNotFound(self.srv.raw_request("GET", ARTIFACTS + "/" + p), msg="GET " + p)  # no file
        self.assertUntouched()

    def test_list_refused(self):
        for base in PROXY_BASES:
            for p in self.hostile():
                self.assertRefused(self.srv.raw_request("GET", base + "?path=" + p), "list " + p)
        self.assertUntouched()

    def test_multipart_refused(self):
        for base in MPU_BASES:
            for p in self.hostile():
                for op, body in (("create", {"path": "f.bin", "num_parts": 1}),
                                 ("complete", {"path": "f.bin", "upload_id": "u", "parts": [{"part_number": 1,
                                                                                               "etag": "e"}]}),
                                 ("abort", {"path": "f.bin", "upload_id": "u"})):
                    r = self.srv.raw_request("POST", base + "/" + op + "/" + p, body=json.dumps(body).encode(),
                                             headers={"Content-Type": "application/json"})
                    self.assertRefused(r, op + " " + p)
        # The client's local file name: its basename lands in the directory; none may climb out.
        run_root = self.exps[0] + "/" + self.runs[0] + "/artifacts"
        for local in ("..", ".", "/tmp/x/..", "C:\\x\\..", "dir/", "", "a\u0000b", "%2e%2e", "x#y", "\u0001"):
            r = self.srv.raw_request("POST", MPU_BASES[0] + "/create/" + run_root,
                                     body=json.dumps({"path": local, "num_parts": 1}).encode(),
                                     headers={"Content-Type": "application/json"})
            self.assertBadParam(r, msg="create path=%r" % local)
        self.assertUntouched()


class TestTrackingRoutes(PathsBase):
    def test_artifacts_list_and_get_artifact(self):
        run = self.runs[0]
        for prefix in ("/api/2.0/mlflow", "/ajax-api/2.0/mlflow"):
            for p in self.hostile():
                r = self.srv.raw_request("GET", prefix + "/artifacts/list?run_id=" + run + "&path=" + p)
                self.assertRefused(r, prefix + " artifacts/list " + p)
        for p in self.hostile() + ["", "model/"]:
            r = self.srv.raw_request("GET", "/get-artifact?run_id=" + run + "&path=" + p)
            self.assertRefused(r, "get-artifact " + p)
        self.assertUntouched()

    def test_logged_model_routes(self):
        for prefix in ("/api/2.0/mlflow", "/ajax-api/2.0/mlflow"):
            for p in self.hostile():
                r = self.srv.raw_request("GET", prefix + "/logged-models/" + self.model +
                                         "/artifacts/directories?artifact_directory_path=" + p)
                self.assertRefused(r, "directories " + p)
        for p in self.hostile() + ["x/"]:
            r = self.srv.raw_request("GET", "/ajax-api/2.0/mlflow/logged-models/" + self.model +
                                     "/artifacts/files?artifact_file_path=" + p)
            self.assertRefused(r, "files " + p)
        self.assertUntouched()


class TestLegitimateUse(PathsBase):
    """What MLflow's client and `mlflow gc` send keeps working, with names that look dangerous
    but are names."""

    def test_names_that_are_only_names(self):
        run_root = self.exps[1] + "/" + self.runs[1] + "/artifacts"
        for name in ("..hidden", "a..b", ".config", "...", "%EF%BC%8E", "%EF%BC%8E%EF%BC%8E", "%E2%80%A4",
                     "eval:results.json", "a%2520b", "100%25"):
            r = self.srv.raw_request("PUT", ARTIFACTS + "/" + run_root + "/odd/" + name, body=b"ok",
                                     headers={"Content-Type": "application/octet-stream"})
            self.assertOk(r, "PUT " + name)
            self.assertEqual(self.srv.raw_request("GET", ARTIFACTS + "/" + run_root + "/odd/" + name).content, b"ok")
        listed = self.assertOk(api_get("artifacts/list", {"run_id": self.runs[1], "path": "odd"}))
        self.assertIn("odd/\uff0e", [f["path"] for f in listed["files"]])
        self.assertIn("odd/a%20b", [f["path"] for f in listed["files"]])  # decoded once, not twice
        self.assertOk(self.srv.raw_request("DELETE", ARTIFACTS + "/" + run_root + "/odd"))

    def test_gc_style_deletes(self):
        tc = harness.SextantTestCase()
        run = tc.create_run(self.exps[1])
        root = run["info"]["artifact_uri"][len("mlflow-artifacts:/"):]
        self.assertOk(self.srv.request("PUT", ARTIFACTS + "/" + root + "/x/y.txt", data=b"y"))
        model = self.assertOk(api_post("logged-models", {"experiment_id": self.exps[1]}))["model"]
        model_root = model["info"]["artifact_uri"][len("mlflow-artifacts:/"):]
        self.assertOk(self.srv.request("PUT", ARTIFACTS + "/" + model_root + "/MLmodel", data=b"m"))
        before = tree(self.srv.artifacts_dir)
        # HttpArtifactRepository.delete_artifacts() with no path: DELETE <artifact_uri>/
        self.assertOk(self.srv.raw_request("DELETE", ARTIFACTS + "/" + root + "/"))
        self.assertOk(self.srv.raw_request("DELETE", AJAX_ARTIFACTS + "/" + model_root))
        after = tree(self.srv.artifacts_dir)
        gone = {k for k in before if k not in after}
        self.assertTrue(gone)
        for k in gone:
            self.assertTrue(k.startswith(os.path.join(*root.split("/"))) or
                            k.startswith(os.path.join(*model_root.split("/"))), k)
        # Everything else is as it was, both experiments included.
        self.assertEqual({k: v for k, v in before.items() if k not in gone}, after)
        self.assertTrue(os.path.isdir(os.path.join(self.srv.artifacts_dir, self.exps[1])))


if __name__ == "__main__":
    unittest.main()
