"""Artifacts: the mlflow-artifacts proxy API and /mlflow/artifacts/list (spec §2.7, §5.7)."""

import hashlib
import os
import unittest
import urllib.parse
import uuid

import harness
harness.SERVER_ARGS = ["--allowed-artifact-root", "{workdir}/roots"]

from harness import api_get, api_post, ajax_get, unique, ARTIFACTS, AJAX_ARTIFACTS
from harness import setUpModule, tearDownModule  # noqa: F401


class ArtifactsBase(harness.SextantTestCase):
    @classmethod
    def setUpClass(cls):
        tc = harness.SextantTestCase()
        cls.exp = tc.create_experiment(unique("art"))

    def new_run_root(self):
        """Returns (run_id, proxy path of the run's artifact root)."""
        run = self.create_run(self.exp)
        rid = run["info"]["run_id"]
        uri = run["info"]["artifact_uri"]
        self.assertEqual(uri, "mlflow-artifacts:/%s/%s/artifacts" % (self.exp, rid))
        return rid, uri[len("mlflow-artifacts:/"):]

    def put(self, path, data, content_type="application/octet-stream", prefix=ARTIFACTS):
        return self.srv.request("PUT", prefix + "/" + path, data=data,
                                headers={"Content-Type": content_type})

    def put_ok(self, path, data, **kw):
        r = self.put(path, data, **kw)
        self.assertEqual(self.assertOk(r, "PUT " + path), {})
        return r

    def get(self, path, prefix=ARTIFACTS, **kw):
        return self.srv.request("GET", prefix + "/" + path, **kw)

    def delete(self, path):
        return self.srv.request("DELETE", ARTIFACTS + "/" + path)

    def proxy_list(self, path=None, prefix=ARTIFACTS):
        params = {"path": path} if path is not None else None
        return self.srv.request("GET", prefix, params=params)

    def disk(self, path):
        return os.path.join(self.srv.artifacts_dir, *path.split("/"))


class TestUploadDownload(ArtifactsBase):
    def test_put_get_round_trip(self):
        rid, root = self.new_run_root()
        data = b"hello artifact\n\x00\xff binary"
        self.put_ok(root + "/dir/file.bin", data)
        r = self.get(root + "/dir/file.bin")
        self.assertEqual(r.status_code, 200, harness.describe(r))
        self.assertEqual(r.content, data)
        self.assertEqual(r.headers.get("X-Content-Type-Options"), "nosniff")
        cd = r.headers.get("Content-Disposition", "")
        self.assertTrue(cd.startswith("attachment"), cd)
        self.assertRegex(cd, r'filename="?file\.bin"?$')
        # file lands in <artifacts-destination>/<exp>/<run>/artifacts/...
        with open(self.disk(root + "/dir/file.bin"), "rb") as f:
            self.assertEqual(f.read(), data)

    def test_overwrite(self):
        _, root = self.new_run_root()
        self.put_ok(root + "/o.txt", b"first version, longer")
        self.put_ok(root + "/o.txt", b"second")
        self.assertEqual(self.get(root + "/o.txt").content, b"second")

    def test_empty_file(self):
        _, root = self.new_run_root()
        self.put_ok(root + "/empty.txt", b"")
        r = self.get(root + "/empty.txt")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.content, b"")

    def test_content_types(self):
        _, root = self.new_run_root()
        cases = {"a.txt": "text/plain", "b.json": "text/plain", "c.yaml": "text/plain",
                 "MLmodel": "text/plain", "d.py": "text/plain", "e.csv": "text/plain",
                 "f.png": "image/png", "g.unknownext123": "application/octet-stream",
                 # MLflow's text names are case-sensitive ("mlproject"), the rest is Python's mimetypes
                 "mlproject": "text/plain", "MLproject": "application/octet-stream", "h.pdf": "application/pdf",
                 "i.pkl": "application/octet-stream", "j.webp": "image/webp", "k.tar.gz": "application/x-tar",
                 "l.gz": "application/octet-stream", "m.JSON": "application/json"}
        for name, ctype in cases.items():
            self.put_ok(root + "/ct/" + name, b"x")
            r = self.get(root + "/ct/" + name)
            self.assertEqual(r.status_code, 200)
            got = r.headers.get("Content-Type", "")
            self.assertEqual(got.split(";")[0].strip(), ctype, name)
            self.assertNotIn("charset", got, name)

    def test_content_disposition_as_flask_send_file(self):
        # Token characters stay bare, others are quoted with \-escapes; a non-ASCII name gets an
        # ASCII fallback and RFC 5987's filename* (what werkzeug 3.1 writes for MLflow).
        _, root = self.new_run_root()
        cases = {"dog%step%100%timestamp%100.png": "attachment; filename=dog%step%100%timestamp%100.png",
                 "my file.txt": 'attachment; filename="my file.txt"',
                 "caf\u00e9.txt": "attachment; filename=cafe.txt; filename*=UTF-8''caf%C3%A9.txt"}
        for name, expected in cases.items():
            self.put_ok(root + "/cd/" + urllib.parse.quote(name), b"x")
            r = self.get(root + "/cd/" + urllib.parse.quote(name))
            self.assertEqual(r.status_code, 200, name)
            self.assertEqual(r.headers.get("Content-Disposition"), expected, name)

    def test_missing_file_is_404_json(self):
        _, root = self.new_run_root()
        self.assertNotFound(self.get(root + "/nope.txt"))
        self.assertNotFound(self.get("%s/%s/no-such-run/artifacts/x" % (self.exp, "0" * 32)))

    def test_ajax_prefix(self):
        _, root = self.new_run_root()
        self.put_ok(root + "/aj.txt", b"ajax", prefix=AJAX_ARTIFACTS)
        self.assertEqual(self.get(root + "/aj.txt", prefix=AJAX_ARTIFACTS).content, b"ajax")
        data = self.assertOk(self.proxy_list(root, prefix=AJAX_ARTIFACTS))
        self.assertEqual([f["path"] for f in data["files"]], ["aj.txt"])

    def test_percent_names_round_trip(self):
        _, root = self.new_run_root()
        name = "acc%step%0%timestamp%1700000000000%abcdef.png"
        wire = name.replace("%", "%25")
        r = self.srv.raw_request("PUT", ARTIFACTS + "/" + root + "/images/" + wire,
                                 body=b"img", headers={"Content-Type": "image/png"})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertTrue(os.path.isfile(self.disk(root + "/images/" + name)),
                        os.listdir(self.disk(root + "/images")))
        r = self.srv.raw_request("GET", ARTIFACTS + "/" + root + "/images/" + wire)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.content, b"img")
        data = self.assertOk(self.proxy_list(root + "/images"))
        self.assertEqual([f["path"] for f in data["files"]], [name])

    def test_space_and_unicode_names(self):
        _, root = self.new_run_root()
        name = "my file é.txt"
        self.put_ok(root + "/" + name, b"u")  # requests percent-encodes the path
        self.assertEqual(self.get(root + "/" + name).content, b"u")
        self.assertTrue(os.path.isfile(self.disk(root + "/" + name)))

    def test_large_upload_download(self):
        _, root = self.new_run_root()
        size = 50 * 1024 * 1024
        chunk = os.urandom(1024 * 1024)
        data = chunk * 50
        self.assertEqual(len(data), size)
        digest = hashlib.sha256(data).hexdigest()
        self.put_ok(root + "/big.bin", data)
        del data
        self.assertEqual(os.path.getsize(self.disk(root + "/big.bin")), size)
        r = self.srv.request("GET", ARTIFACTS + "/" + root + "/big.bin", stream=True)
        self.assertEqual(r.status_code, 200)
        h, n = hashlib.sha256(), 0
        for part in r.iter_content(1024 * 1024):
            h.update(part)
            n += len(part)
        self.assertEqual(n, size)
        self.assertEqual(h.hexdigest(), digest)

    def test_streamed_chunked_upload(self):
        _, root = self.new_run_root()

        def gen():
            for i in range(8):
                yield bytes([i]) * 65536

        r = self.srv.request("PUT", ARTIFACTS + "/" + root + "/chunked.bin", data=gen(),
                             headers={"Content-Type": "application/octet-stream"})
        self.assertOk(r)
        got = self.get(root + "/chunked.bin").content
        self.assertEqual(got, b"".join(gen()))


def _vm_hwm_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM for pid %d" % pid)


class TestStreamingMemory(ArtifactsBase):
    """Uploads and downloads stream: the server's peak RSS must not grow with the file size."""

    SIZE = 256 * 1024 * 1024

    def test_peak_rss_flat_for_256_mib(self):
        _, root = self.new_run_root()
        self.put_ok(root + "/warmup.bin", b"x" * (1024 * 1024))  # reach steady state first
        self.get(root + "/warmup.bin")
        before = _vm_hwm_kb(self.srv.proc.pid)
        block = os.urandom(1024 * 1024)

        def gen():
            for _ in range(self.SIZE // len(block)):
                yield block

        r = self.srv.request("PUT", ARTIFACTS + "/" + root + "/huge.bin", data=gen(),
                             headers={"Content-Type": "application/octet-stream"}, timeout=600)
        self.assertOk(r)
        self.assertEqual(os.path.getsize(self.disk(root + "/huge.bin")), self.SIZE)
        r = self.srv.request("GET", ARTIFACTS + "/" + root + "/huge.bin", stream=True, timeout=600)
        self.assertEqual(r.status_code, 200)
        n = sum(len(part) for part in r.iter_content(1024 * 1024))
        self.assertEqual(n, self.SIZE)
        growth_mb = (_vm_hwm_kb(self.srv.proc.pid) - before) / 1024.0
        self.assertLess(growth_mb, 32, "peak RSS grew by %.1f MiB for a %d MiB file"
                        % (growth_mb, self.SIZE // (1024 * 1024)))
        self.delete(root + "/huge.bin")


class TestListAndDelete(ArtifactsBase):
    def make_tree(self):
        rid, root = self.new_run_root()
        self.put_ok(root + "/a.txt", b"12345")
        self.put_ok(root + "/model/MLmodel", b"flavors: {}\n")
        self.put_ok(root + "/model/data/weights.bin", b"\x00" * 10)
        self.put_ok(root + "/b.txt", b"")
        return rid, root

    def test_proxy_list_basenames(self):
        _, root = self.make_tree()
        data = self.assertOk(self.proxy_list(root))
        files = {f["path"]: f for f in data["files"]}
        self.assertEqual(set(files), {"a.txt", "b.txt", "model"})
        self.assertEqual(files["a.txt"], {"path": "a.txt", "is_dir": False, "file_size": 5})
        self.assertEqual(files["b.txt"], {"path": "b.txt", "is_dir": False, "file_size": 0})
        self.assertEqual(files["model"]["is_dir"], True)
        self.assertNotIn("file_size", files["model"])
        sub = self.assertOk(self.proxy_list(root + "/model"))
        self.assertEqual(sorted((f["path"], f["is_dir"]) for f in sub["files"]),
                         [("MLmodel", False), ("data", True)])

    def test_proxy_list_missing_or_file_is_empty(self):
        _, root = self.make_tree()
        self.assertEqual(self.assertOk(self.proxy_list(root + "/nope")), {})
        self.assertEqual(self.assertOk(self.proxy_list(root + "/a.txt")), {})

    def test_proxy_list_root(self):
        self.make_tree()
        data = self.assertOk(self.proxy_list())
        entries = {f["path"]: f for f in data["files"]}
        self.assertIn(self.exp, entries)
        self.assertTrue(entries[self.exp]["is_dir"])

    def test_tracking_list_run_relative(self):
        rid, root = self.make_tree()
        data = self.assertOk(api_get("artifacts/list", {"run_id": rid}))
        self.assertEqual(data["root_uri"], "mlflow-artifacts:/" + root)
        self.assertEqual([f["path"] for f in data["files"]], ["a.txt", "b.txt", "model"])
        files = {f["path"]: f for f in data["files"]}
        self.assertEqual(files["a.txt"]["file_size"], 5)
        self.assertFalse(files["a.txt"]["is_dir"])
        self.assertTrue(files["model"]["is_dir"])
        self.assertNotIn("file_size", files["model"])
        self.assertNotIn("next_page_token", data)
        sub = self.assertOk(api_get("artifacts/list", {"run_id": rid, "path": "model"}))
        self.assertEqual([(f["path"], f["is_dir"]) for f in sub["files"]],
                         [("model/MLmodel", False), ("model/data", True)])
        deeper = self.assertOk(api_get("artifacts/list", {"run_uuid": rid,
                                                           "path": "model/data"}))
        self.assertEqual(deeper["files"], [{"path": "model/data/weights.bin", "is_dir": False,
                                            "file_size": 10}])

    def test_tracking_list_ajax(self):
        rid, _ = self.make_tree()
        data = self.assertOk(ajax_get("artifacts/list", {"run_id": rid, "path": "model"}))
        self.assertEqual([f["path"] for f in data["files"]], ["model/MLmodel", "model/data"])

    def test_tracking_list_empty_and_missing(self):
        rid, _ = self.new_run_root()
        data = self.assertOk(api_get("artifacts/list", {"run_id": rid}))
        self.assertEqual(data.get("files", []), [])
        self.assertIn("root_uri", data)
        data = self.assertOk(api_get("artifacts/list", {"run_id": rid, "path": "nope"}))
        self.assertEqual(data.get("files", []), [])

    def test_tracking_list_unknown_run(self):
        self.assertNotFound(api_get("artifacts/list", {"run_id": "3" * 32}))
        self.assertBadParam(api_get("artifacts/list"))

    def test_delete_file(self):
        _, root = self.make_tree()
        self.assertEqual(self.assertOk(self.delete(root + "/a.txt")), {})
        self.assertNotFound(self.get(root + "/a.txt"))
        self.assertFalse(os.path.exists(self.disk(root + "/a.txt")))
        self.assertTrue(os.path.exists(self.disk(root + "/b.txt")))

    def test_delete_dir(self):
        rid, root = self.make_tree()
        self.assertOk(self.delete(root + "/model"))
        self.assertFalse(os.path.exists(self.disk(root + "/model")))
        data = self.assertOk(api_get("artifacts/list", {"run_id": rid}))
        self.assertEqual([f["path"] for f in data["files"]], ["a.txt", "b.txt"])

    def test_delete_missing_is_noop(self):
        _, root = self.new_run_root()
        self.assertOk(self.delete(root + "/never-existed.txt"))


class TestPathConflicts(ArtifactsBase):
    """Client mistakes must be 4xx, never 5xx (the client retries 5xx for minutes, §0.1 #2,
    §1.5) and must not damage existing artifacts."""

    def test_put_with_trailing_slash_does_not_clobber_directory(self):
        _, root = self.new_run_root()
        r = self.srv.raw_request("PUT", ARTIFACTS + "/" + root + "/", body=b"x",
                                 headers={"Content-Type": "application/octet-stream"})
        self.assertNot5xx(r, "PUT <root>/")
        # the run's artifact root must still be usable as a directory afterwards
        self.assertFalse(os.path.isfile(self.disk(root)),
                         "PUT <root>/ replaced the run's artifact directory with a file")
        self.put_ok(root + "/after.txt", b"ok")
        self.assertEqual(self.get(root + "/after.txt").content, b"ok")

    def test_put_onto_existing_directory_is_4xx(self):
        _, root = self.new_run_root()
        self.put_ok(root + "/d/f.txt", b"x")
        r = self.put(root + "/d", b"y")
        self.assertNot5xx(r, "PUT onto a directory")
        self.assertEqual(self.get(root + "/d/f.txt").content, b"x")

    def test_put_below_a_file_is_4xx(self):
        _, root = self.new_run_root()
        self.put_ok(root + "/f.txt", b"x")
        r = self.put(root + "/f.txt/g.txt", b"y")
        self.assertNot5xx(r, "PUT below a file")
        self.assertEqual(self.get(root + "/f.txt").content, b"x")

    def test_get_directory_is_4xx(self):
        _, root = self.new_run_root()
        self.put_ok(root + "/d/f.txt", b"x")
        r = self.get(root + "/d")
        self.assertNot5xx(r, "GET a directory")
        self.assertGreaterEqual(r.status_code, 400)


class TestRanges(ArtifactsBase):
    def test_byte_ranges(self):
        _, root = self.new_run_root()
        data = bytes(range(256)) * 4
        self.put_ok(root + "/r.bin", data)
        r = self.get(root + "/r.bin", headers={"Range": "bytes=10-19"})
        self.assertEqual(r.status_code, 206)
        self.assertEqual(r.content, data[10:20])
        self.assertEqual(r.headers["Content-Range"], "bytes 10-19/1024")
        r = self.get(root + "/r.bin", headers={"Range": "bytes=-4"})
        self.assertEqual((r.status_code, r.content), (206, data[-4:]))
        r = self.get(root + "/r.bin", headers={"Range": "bytes=1000-"})
        self.assertEqual((r.status_code, r.content), (206, data[1000:]))
        r = self.get(root + "/r.bin", headers={"Range": "bytes=0-1,5-6"})  # several: whole file
        self.assertEqual((r.status_code, r.content), (200, data))
        r = self.get(root + "/r.bin", headers={"Range": "bytes=5000-"})
        self.assertEqual(r.status_code, 416)
        self.assertEqual(r.headers["Content-Range"], "bytes */1024")
        self.assertEqual(self.get(root + "/r.bin").headers.get("Accept-Ranges"), "bytes")


class TestNonProxiedRoots(ArtifactsBase):
    """/mlflow/artifacts/list reads the storage named by the run's URI for non-proxied roots."""

    def check_local_root(self, location, local_dir):
        eid = self.create_experiment(artifact_location=location)
        run = self.create_run(eid)
        rid = run["info"]["run_id"]
        base = os.path.join(local_dir, rid, "artifacts")
        os.makedirs(os.path.join(base, "sub"))
        with open(os.path.join(base, "x.txt"), "wb") as f:
            f.write(b"abc")
        with open(os.path.join(base, "sub", "y.txt"), "wb") as f:
            f.write(b"")
        data = self.assertOk(api_get("artifacts/list", {"run_id": rid}))
        self.assertEqual(data["root_uri"], run["info"]["artifact_uri"])
        self.assertEqual(data["files"], [{"path": "sub", "is_dir": True},
                                         {"path": "x.txt", "is_dir": False, "file_size": 3}])
        data = self.assertOk(api_get("artifacts/list", {"run_id": rid, "path": "sub"}))
        self.assertEqual(data["files"], [{"path": "sub/y.txt", "is_dir": False,
                                          "file_size": 0}])

    def test_local_path_root(self):
        d = os.path.join(self.srv.workdir, "roots", unique("localroot"))
        self.check_local_root(d, d)

    def test_file_uri_location_refused(self):
        d = os.path.join(self.srv.workdir, "roots", unique("fileroot"))
        r = api_post("experiments/create", {"name": unique("f"), "artifact_location": "file://" + d})
        self.assertBadParam(r, "file://")


class TestMultipart(ArtifactsBase):
    def test_mpu_not_supported_on_local(self):
        _, root = self.new_run_root()
        r = harness.api_request("POST", "/api/2.0/mlflow-artifacts/mpu/create/" + root,
                                json={"path": "/tmp/big.bin", "num_parts": 2})
        self.assertError(r, 501, "NOT_IMPLEMENTED",
                         "Multipart upload is not supported for the current artifact repository")
        self.assertTrue(r.json()["message"].startswith(
            "Multipart upload is not supported for the current artifact repository"))


class TestPathSafety(ArtifactsBase):
    """Traversal attempts -> 400 INVALID_PARAMETER_VALUE and nothing outside the destination."""

    def setUp(self):
        self.marker = "evil-" + uuid.uuid4().hex
        _, self.root = self.new_run_root()

    def attack_paths(self):
        m = self.marker
        return [
            "../" + m,
            "../../" + m,
            self.root + "/../../../../" + m,
            "%2e%2e/" + m,
            "%2E%2E/%2E%2E/" + m,
            self.root + "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/" + m,
            "%252e%252e/" + m,
            self.root + "/%252e%252e/%252e%252e/%252e%252e/%252e%252e/" + m,
            "..%2f" + m,
            "..%252f" + m,
            "%2Ftmp%2F" + m,
            "%252Ftmp%252F" + m,
            self.root + "/a%5C..%5C..%5C" + m,
            "..%5C" + m,
            "C:%5C" + m,
            "file:%2F%2F%2Ftmp%2F" + m,
        ]

    def assertNothingWritten(self):
        base = self.srv.workdir
        for dirpath, dirnames, filenames in os.walk(base):
            for n in dirnames + filenames:
                self.assertNotIn(self.marker, n, "written inside temp dir: %s" %
                                 os.path.join(dirpath, n))
        for d in {os.path.dirname(base), "/tmp", os.path.dirname(self.srv.artifacts_dir),
                  os.getcwd()}:
            self.assertFalse(os.path.exists(os.path.join(d, self.marker)), d)

    def check_400(self, r, what):
        self.assertBadParam(r, msg=what)

    def test_put_traversal(self):
        for p in self.attack_paths():
            r = self.srv.raw_request("PUT", ARTIFACTS + "/" + p, body=b"pwned",
                                     headers={"Content-Type": "application/octet-stream"})
            self.check_400(r, "PUT " + p)
        self.assertNothingWritten()

    def test_get_traversal(self):
        for p in self.attack_paths():
            r = self.srv.raw_request("GET", ARTIFACTS + "/" + p)
            self.check_400(r, "GET " + p)

    def test_get_traversal_to_existing_file(self):
        # a file that exists next to the destination must not be readable through the proxy
        outside = os.path.join(self.srv.workdir, self.marker + ".secret")
        with open(outside, "wb") as f:
            f.write(b"secret")
        try:
            for p in ("../" + self.marker + ".secret", "%2e%2e/" + self.marker + ".secret",
                      "%252e%252e/" + self.marker + ".secret"):
                r = self.srv.raw_request("GET", ARTIFACTS + "/" + p)
                self.check_400(r, "GET " + p)
                self.assertNotIn(b"secret", r.content)
        finally:
            os.remove(outside)

    def test_delete_traversal(self):
        victim = os.path.join(self.srv.workdir, self.marker + ".keep")
        with open(victim, "wb") as f:
            f.write(b"keep")
        try:
            for p in ("../" + self.marker + ".keep", "%2e%2e/" + self.marker + ".keep",
                      "%252e%252e/" + self.marker + ".keep", "%2F" + victim.lstrip("/")):
                r = self.srv.raw_request("DELETE", ARTIFACTS + "/" + p)
                self.check_400(r, "DELETE " + p)
            self.assertTrue(os.path.exists(victim))
        finally:
            os.remove(victim)

    def test_list_traversal(self):
        for p in ("..", "../..", self.root + "/../../../..", "%2e%2e", "/etc", "a\\..\\.."):
            r = self.srv.request("GET", ARTIFACTS, params={"path": p})
            self.check_400(r, "list " + p)

    def test_tracking_list_traversal(self):
        rid = self.create_run_id(self.exp)
        for p in ("..", "../../..", "%2e%2e", "/etc", "a/../../.."):
            r = api_get("artifacts/list", {"run_id": rid, "path": p})
            self.check_400(r, "artifacts/list " + p)

    def test_legit_dots_allowed(self):
        self.put_ok(self.root + "/..hidden/x.txt", b"ok")
        self.put_ok(self.root + "/a..b.txt", b"ok")
        self.put_ok(self.root + "/.config", b"ok")
        self.assertEqual(self.get(self.root + "/a..b.txt").content, b"ok")


if __name__ == "__main__":
    unittest.main()
