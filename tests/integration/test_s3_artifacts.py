"""Artifacts on S3 against a real moto server process: the mlflow-artifacts proxy with
--artifacts-destination s3://bucket/prefix (upload, download with ranges, list with
continuation, delete of files and directories, the multipart endpoints with presigned part
URLs), direct s3:// experiment locations that the server lists and reads, web-identity
credentials through moto's STS, and the confinement attacks.

moto runs in its default mode here (no signature checks), because listing with a prefix
fails in its signature-checking mode (moto bug #5948); test_s3_signatures covers signatures."""

import hashlib
import os
import unittest
import uuid

import harness
import moto_s3
from harness import api_get, api_post, unique, ARTIFACTS

BUCKET = "mlflow-artifacts"
OTHER = "other-bucket"
MPU = "/api/2.0/mlflow-artifacts/mpu"

MOTO = None


def setUpModule():  # noqa: N802
    global MOTO
    MOTO = moto_s3.MotoServer()
    s3 = MOTO.client()
    for b in (BUCKET, OTHER):
        s3.create_bucket(Bucket=b)
    env = dict(MOTO.env(), AWS_ACCESS_KEY_ID=MOTO.access_key, AWS_SECRET_ACCESS_KEY=MOTO.secret_key)
    harness.SERVER = harness.SextantServer(
        artifacts_dir="s3://%s/proxied" % BUCKET, extra_args=["--allowed-artifact-root", "s3://%s/direct" % BUCKET],
        env=env)
    try:
        harness.SERVER.start()
    except Exception:
        MOTO.stop()
        raise


def tearDownModule():  # noqa: N802
    try:
        harness.tearDownModule()
    finally:
        MOTO.stop()


def s3():
    return MOTO.client()


def keys(prefix, bucket=BUCKET):
    out, token = [], None
    while True:
        kw = {"Bucket": bucket, "Prefix": prefix}
        if token:
            kw["ContinuationToken"] = token
        page = s3().list_objects_v2(**kw)
        out += [o["Key"] for o in page.get("Contents", [])]
        if not page.get("IsTruncated"):
            return out
        token = page["NextContinuationToken"]


class S3Base(harness.SextantTestCase):
    @classmethod
    def setUpClass(cls):
        cls.exp = harness.SextantTestCase().create_experiment(unique("s3"))

    def new_root(self):
        run = self.create_run(self.exp)
        uri = run["info"]["artifact_uri"]
        self.assertTrue(uri.startswith("mlflow-artifacts:/"), uri)
        return run["info"]["run_id"], uri[len("mlflow-artifacts:/"):]

    def put(self, path, data, **kw):
        return self.srv.request("PUT", ARTIFACTS + "/" + path, data=data,
                                headers={"Content-Type": "application/octet-stream"}, **kw)

    def put_ok(self, path, data):
        self.assertEqual(self.assertOk(self.put(path, data), "PUT " + path), {})

    def get(self, path, **kw):
        return self.srv.request("GET", ARTIFACTS + "/" + path, **kw)

    def proxy_list(self, path=None):
        return self.srv.request("GET", ARTIFACTS, params={"path": path} if path is not None else None)

    def obj(self, key, bucket=BUCKET):
        return s3().get_object(Bucket=bucket, Key=key)["Body"].read()


class TestProxiedObjects(S3Base):
    def test_put_get_roundtrip_lands_under_the_prefix(self):
        _, root = self.new_root()
        self.put_ok(root + "/model/MLmodel", b"flavors: {}\n")
        self.put_ok(root + "/empty.txt", b"")
        self.assertEqual(self.obj("proxied/%s/model/MLmodel" % root), b"flavors: {}\n")
        self.assertEqual(self.obj("proxied/%s/empty.txt" % root), b"")
        r = self.get(root + "/model/MLmodel")
        self.assertEqual((r.status_code, r.content), (200, b"flavors: {}\n"))
        self.assertEqual(r.headers["Content-Type"], "text/plain")
        self.assertEqual(r.headers["Content-Disposition"], "attachment; filename=MLmodel")  # as Flask's send_file
        r = self.get(root + "/empty.txt")
        self.assertEqual((r.status_code, r.content), (200, b""))
        # overwrite
        self.put_ok(root + "/model/MLmodel", b"v2")
        self.assertEqual(self.get(root + "/model/MLmodel").content, b"v2")

    def test_percent_names_and_spaces(self):
        _, root = self.new_root()
        name = "images/acc%25step%250%25ts%251700 x+y.png"   # once-decoded: acc%step%0%ts%1700 x+y.png
        self.put_ok(root + "/" + name, b"png")
        self.assertEqual(self.obj("proxied/%s/images/acc%%step%%0%%ts%%1700 x+y.png" % root), b"png")
        self.assertEqual(self.get(root + "/" + name).content, b"png")
        files = self.assertOk(self.proxy_list(root + "/images"))["files"]
        self.assertEqual(files, [{"path": "acc%step%0%ts%1700 x+y.png", "is_dir": False, "file_size": 3}])

    def test_ranges(self):
        _, root = self.new_root()
        data = os.urandom(100000)
        self.put_ok(root + "/r.bin", data)
        r = self.get(root + "/r.bin", headers={"Range": "bytes=1000-1999"})
        self.assertEqual((r.status_code, r.content), (206, data[1000:2000]))
        self.assertEqual(r.headers["Content-Range"], "bytes 1000-1999/100000")
        r = self.get(root + "/r.bin", headers={"Range": "bytes=-10"})
        self.assertEqual(r.content, data[-10:])
        self.assertEqual(self.get(root + "/r.bin", headers={"Range": "bytes=100000-"}).status_code, 416)

    def test_missing_and_directory_downloads_are_404(self):
        _, root = self.new_root()
        self.put_ok(root + "/d/f.txt", b"x")
        for p in (root + "/nope.txt", root + "/d", root + "/d/"):
            self.assertNotFound(self.get(p), msg=p)

    def test_large_upload_goes_multipart_and_streams_back(self):
        # 72 MiB with Content-Length: above the 64 MiB single-PUT threshold -> 9 parts of 8 MiB.
        _, root = self.new_root()
        block = os.urandom(1 << 20)
        size = 72 << 20
        digest = hashlib.sha256()
        for _ in range(size >> 20):
            digest.update(block)
        r = self.srv.request("PUT", ARTIFACTS + "/" + root + "/big.bin", data=block * (size >> 20),
                             headers={"Content-Type": "application/octet-stream"}, timeout=600)
        self.assertOk(r)
        head = s3().head_object(Bucket=BUCKET, Key="proxied/%s/big.bin" % root)
        self.assertEqual(head["ContentLength"], size)
        self.assertTrue(head["ETag"].strip('"').endswith("-9"), head["ETag"])  # a multipart object
        r = self.get(root + "/big.bin", stream=True, timeout=600)
        got = hashlib.sha256()
        n = 0
        for part in r.iter_content(1 << 20):
            got.update(part)
            n += len(part)
        self.assertEqual((n, got.hexdigest()), (size, digest.hexdigest()))
        ups = s3().list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
        self.assertEqual([u for u in ups if u["Key"] == "proxied/%s/big.bin" % root], [])

    def test_chunked_upload_without_length(self):
        _, root = self.new_root()
        data = os.urandom(300000)

        def gen():
            for i in range(0, len(data), 65536):
                yield data[i:i + 65536]

        self.assertOk(self.srv.request("PUT", ARTIFACTS + "/" + root + "/chunked.bin", data=gen(),
                                       headers={"Content-Type": "application/octet-stream"}))
        self.assertEqual(self.obj("proxied/%s/chunked.bin" % root), data)


def vm_hwm_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    raise AssertionError("no VmHWM")


class TestStreamingMemory(S3Base):
    """Peak RSS stays flat: a 192 MiB upload (multipart, 8 MiB parts, 4 in flight) and download
    through the proxy raise the server's high-water mark by the part buffers at most."""

    SIZE = 192 << 20

    def test_peak_rss_bounded(self):
        _, root = self.new_root()
        self.put_ok(root + "/warm.bin", os.urandom(1 << 20))
        self.get(root + "/warm.bin")
        before = vm_hwm_mib(self.srv.proc.pid)
        block = os.urandom(1 << 20)

        class Body:
            def __len__(self):
                return TestStreamingMemory.SIZE

            def __iter__(self):
                for _ in range(TestStreamingMemory.SIZE >> 20):
                    yield block

        self.assertOk(self.srv.request("PUT", ARTIFACTS + "/" + root + "/huge.bin", data=Body(),
                                       headers={"Content-Type": "application/octet-stream"}, timeout=600))
        r = self.get(root + "/huge.bin", stream=True, timeout=600)
        self.assertEqual(sum(len(p) for p in r.iter_content(1 << 20)), self.SIZE)
        growth = vm_hwm_mib(self.srv.proc.pid) - before
        print("\n    peak RSS %.1f -> %.1f MiB for %d MiB up and down" % (before, before + growth, self.SIZE >> 20))
        self.assertLess(growth, 64, "peak RSS grew by %.1f MiB for a %d MiB file" % (growth, self.SIZE >> 20))


class TestListAndDelete(S3Base):
    def test_listing_is_basenames_sorted_with_dirs(self):
        rid, root = self.new_root()
        for p, body in (("a.txt", b"12345"), ("b/c.txt", b"1"), ("b/d/e.txt", b"22"), ("z.bin", b"")):
            self.put_ok(root + "/" + p, body)
        data = self.assertOk(self.proxy_list(root))
        self.assertEqual(data["files"], [{"path": "a.txt", "is_dir": False, "file_size": 5},
                                         {"path": "b", "is_dir": True},
                                         {"path": "z.bin", "is_dir": False, "file_size": 0}])
        self.assertEqual(self.assertOk(self.proxy_list(root + "/b"))["files"],
                         [{"path": "c.txt", "is_dir": False, "file_size": 1}, {"path": "d", "is_dir": True}])
        self.assertEqual(self.assertOk(self.proxy_list(root + "/missing")), {})
        self.assertEqual(self.assertOk(self.proxy_list(root + "/a.txt")), {})
        # the tracking endpoint lists run-relative paths
        data = self.assertOk(api_get("artifacts/list", {"run_id": rid, "path": "b"}))
        self.assertEqual(data["root_uri"], "mlflow-artifacts:/" + root)
        self.assertEqual([f["path"] for f in data["files"]], ["b/c.txt", "b/d"])

    def test_listing_follows_continuation_and_delete_batches(self):
        _, root = self.new_root()
        client = s3()
        for i in range(1105):  # more than one ListObjectsV2 page and one DeleteObjects batch
            client.put_object(Bucket=BUCKET, Key="proxied/%s/many/f%04d" % (root, i), Body=b"x")
        client.put_object(Bucket=BUCKET, Key="proxied/%s/many-sibling/keep" % root, Body=b"k")
        files = self.assertOk(self.proxy_list(root + "/many"))["files"]
        self.assertEqual(len(files), 1105)
        self.assertEqual(files[0]["path"], "f0000")
        self.assertEqual(self.assertOk(self.srv.request("DELETE", ARTIFACTS + "/" + root + "/many")), {})
        self.assertEqual(keys("proxied/%s/many/" % root), [])
        # "many-sibling" shares the prefix "many" but is another directory: untouched
        self.assertEqual(keys("proxied/%s/many-sibling/" % root), ["proxied/%s/many-sibling/keep" % root])

    def test_delete_file_and_missing(self):
        _, root = self.new_root()
        self.put_ok(root + "/x.txt", b"x")
        self.put_ok(root + "/x.txt.bak", b"y")
        self.assertOk(self.srv.request("DELETE", ARTIFACTS + "/" + root + "/x.txt"))
        self.assertEqual(keys("proxied/%s/" % root), ["proxied/%s/x.txt.bak" % root])
        self.assertOk(self.srv.request("DELETE", ARTIFACTS + "/" + root + "/never-there"))


class TestMultipartEndpoints(S3Base):
    PART = 5 << 20

    def create(self, root, name, parts):
        r = self.srv.request("POST", MPU + "/create/" + root, json={"path": "/home/me/" + name, "num_parts": parts})
        return self.assertOk(r)

    def test_create_upload_parts_complete(self):
        import requests
        _, root = self.new_root()
        data = os.urandom(2 * self.PART + 12345)
        created = self.create(root + "/model", "weights.bin", 3)
        self.assertTrue(created["upload_id"])
        creds = created["credentials"]
        self.assertEqual([c["part_number"] for c in creds], [1, 2, 3])
        parts = []
        for c in creds:
            self.assertTrue(c["url"].startswith(MOTO.endpoint + "/" + BUCKET + "/proxied/"), c["url"])
            self.assertIn("X-Amz-Signature=", c["url"])
            chunk = data[(c["part_number"] - 1) * self.PART:c["part_number"] * self.PART]
            r = requests.put(c["url"], data=chunk, headers=c.get("headers") or {}, timeout=60)
            self.assertEqual(r.status_code, 200, r.text)
            parts.append({"part_number": c["part_number"], "etag": r.headers["ETag"], "url": c["url"]})
        r = self.srv.request("POST", MPU + "/complete/" + root + "/model",
                             json={"path": "/home/me/weights.bin", "upload_id": created["upload_id"], "parts": parts})
        self.assertEqual(self.assertOk(r), {})
        self.assertEqual(self.obj("proxied/%s/model/weights.bin" % root), data)
        self.assertEqual(self.get(root + "/model/weights.bin").content, data)

    def test_abort(self):
        _, root = self.new_root()
        created = self.create(root, "gone.bin", 2)
        ups = s3().list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
        self.assertIn(created["upload_id"], [u["UploadId"] for u in ups])
        r = self.srv.request("POST", MPU + "/abort/" + root,
                             json={"path": "gone.bin", "upload_id": created["upload_id"]})
        self.assertEqual(self.assertOk(r), {})
        ups = s3().list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
        self.assertNotIn(created["upload_id"], [u["UploadId"] for u in ups])

    def test_complete_with_wrong_etag_is_400(self):
        import requests
        _, root = self.new_root()
        created = self.create(root, "bad.bin", 1)
        requests.put(created["credentials"][0]["url"], data=b"abc", timeout=60)
        r = self.srv.request("POST", MPU + "/complete/" + root, json={
            "path": "bad.bin", "upload_id": created["upload_id"],
            "parts": [{"part_number": 1, "etag": '"0123456789abcdef0123456789abcdef"'}]})
        self.assertEqual(r.status_code, 400, r.text)
        self.assertEqual(r.json()["error_code"], "INVALID_PARAMETER_VALUE")

    def test_bad_requests(self):
        _, root = self.new_root()
        for body in ({"num_parts": 2}, {"path": "x.bin", "num_parts": 10001}, {"path": "x.bin", "num_parts": -1},
                     {"path": "a/..", "num_parts": 1}, {"path": "", "num_parts": 1}):
            self.assertBadParam(self.srv.request("POST", MPU + "/create/" + root, json=body), msg=str(body))
        for tail in ("../x", "%2e%2e/x", "%252e%252e/x", root + "/..%2F..%2F..", "%2Fother"):
            r = self.srv.raw_request("POST", MPU + "/create/" + tail, body=b'{"path": "x.bin", "num_parts": 1}',
                                     headers={"Content-Type": "application/json"})
            self.assertBadParam(r, msg=tail)
        r = self.srv.request("POST", MPU + "/complete/" + root, json={"path": "x.bin", "upload_id": "u", "parts": "x"})
        self.assertBadParam(r)


class TestDirectS3Locations(S3Base):
    """An experiment whose artifact_location is s3://bucket/direct/...: clients write to S3
    themselves; the server lists and serves files from there (artifacts/list, get-artifact)."""

    def test_list_and_download_direct(self):
        loc = "s3://%s/direct/%s" % (BUCKET, unique("team"))
        eid = self.create_experiment(unique("direct"), artifact_location=loc)
        run = self.create_run(eid)
        rid = run["info"]["run_id"]
        self.assertEqual(run["info"]["artifact_uri"], "%s/%s/artifacts" % (loc, rid))
        prefix = run["info"]["artifact_uri"][len("s3://%s/" % BUCKET):]
        s3().put_object(Bucket=BUCKET, Key=prefix + "/model/MLmodel", Body=b"m")
        s3().put_object(Bucket=BUCKET, Key=prefix + "/metrics.json", Body=b"{}")
        data = self.assertOk(api_get("artifacts/list", {"run_id": rid}))
        self.assertEqual(data["files"], [{"path": "metrics.json", "is_dir": False, "file_size": 2},
                                         {"path": "model", "is_dir": True}])
        r = self.srv.request("GET", "/get-artifact", params={"run_id": rid, "path": "model/MLmodel"})
        self.assertEqual((r.status_code, r.content), (200, b"m"))
        r = self.srv.request("GET", "/get-artifact", params={"run_id": rid, "path": "model/missing"})
        self.assertNotFound(r)
        for p in ("../../x", "%2e%2e/x", "/etc/passwd"):
            self.assertBadParam(api_get("artifacts/list", {"run_id": rid, "path": p}), msg=p)
            self.assertBadParam(self.srv.request("GET", "/get-artifact", params={"run_id": rid, "path": p}), msg=p)

    def test_locations_outside_the_roots_refused(self):
        for loc in ("s3://%s/x" % OTHER, "s3://%s/proxied-sibling" % BUCKET, "s3://%s/directx" % BUCKET,
                    "s3://%s/direct/../proxied" % BUCKET, "s3://%s/direct/%%2e%%2e/proxied" % BUCKET,
                    "s3://%s/direct/%%252e%%252e/proxied" % BUCKET, "s3://%s" % BUCKET,
                    "file:///tmp/x", "http://127.0.0.1:1/x", "/tmp/x"):
            r = api_post("experiments/create", {"name": unique("bad"), "artifact_location": loc})
            self.assertBadParam(r, msg=loc)


class TestDefaultS3Root(unittest.TestCase):
    """--default-artifact-root s3://... with --no-serve-artifacts (MLflow's direct mode): new
    experiments live in S3, the proxy is off, the server lists and serves run files."""

    def test_direct_mode(self):
        env = dict(MOTO.env(), AWS_ACCESS_KEY_ID=MOTO.access_key, AWS_SECRET_ACCESS_KEY=MOTO.secret_key)
        srv = harness.SextantServer(extra_args=["--no-serve-artifacts", "--default-artifact-root",
                                                "s3://%s/direct-root" % BUCKET], env=env)
        srv.start()
        self.addCleanup(lambda: (srv.stop(), srv.cleanup()))
        r = srv.request("POST", harness.API + "/experiments/create", json={"name": unique("d")})
        eid = r.json()["experiment_id"]
        loc = srv.request("GET", harness.API + "/experiments/get", params={"experiment_id": eid}).json()
        self.assertEqual(loc["experiment"]["artifact_location"], "s3://%s/direct-root/%s" % (BUCKET, eid))
        run = srv.request("POST", harness.API + "/runs/create", json={"experiment_id": eid}).json()["run"]["info"]
        key = run["artifact_uri"][len("s3://%s/" % BUCKET):] + "/model/MLmodel"
        s3().put_object(Bucket=BUCKET, Key=key, Body=b"direct")
        files = srv.request("GET", harness.API + "/artifacts/list",
                            params={"run_id": run["run_id"], "path": "model"}).json()["files"]
        self.assertEqual(files, [{"path": "model/MLmodel", "is_dir": False, "file_size": 6}])
        r = srv.request("GET", "/get-artifact", params={"run_id": run["run_id"], "path": "model/MLmodel"})
        self.assertEqual(r.content, b"direct")
        self.assertEqual(srv.request("GET", ARTIFACTS + "/x").status_code, 503)  # proxy off
        r = srv.request("POST", harness.API + "/experiments/create",
                        json={"name": unique("e"), "artifact_location": "s3://%s/elsewhere" % BUCKET})
        self.assertEqual(r.status_code, 400)


class TestConfinement(S3Base):
    """Traversal attempts on the proxy: 400 and nothing outside s3://bucket/proxied/."""

    def attack_paths(self, root, m):
        return ["../" + m, "../../" + m, root + "/../../../../" + m, "%2e%2e/" + m, "%2E%2E/%2E%2E/" + m,
                root + "/%2e%2e/%2e%2e/%2e%2e/" + m, "%252e%252e/" + m, "..%2f" + m, "..%252f" + m,
                "%2F" + OTHER + "%2F" + m, "%252F" + OTHER + "%252F" + m, root + "/a%5C..%5C..%5C" + m,
                "..%5C" + m, "C:%5C" + m, "file:%2F%2F%2Ftmp%2F" + m, "../" + OTHER + "/" + m,
                "%2e%2e%2f" + OTHER + "%2f" + m, root + "//" + m]

    def everything(self):
        return keys("") + keys("", OTHER)

    def test_every_method(self):
        _, root = self.new_root()
        m = "evil-" + uuid.uuid4().hex
        for p in self.attack_paths(root, m):
            r = self.srv.raw_request("PUT", ARTIFACTS + "/" + p, body=b"pwned",
                                     headers={"Content-Type": "application/octet-stream"})
            self.assertBadParam(r, msg="PUT " + p)
            self.assertBadParam(self.srv.raw_request("GET", ARTIFACTS + "/" + p), msg="GET " + p)
            self.assertBadParam(self.srv.raw_request("DELETE", ARTIFACTS + "/" + p), msg="DELETE " + p)
        for p in ("..", "../..", root + "/../../..", "%2e%2e", "/etc", "a\\..\\..", "../" + OTHER):
            self.assertBadParam(self.proxy_list(p), msg="list " + p)
        self.assertEqual([k for k in self.everything() if m in k], [])

    def test_objects_outside_the_prefix_stay_unreadable(self):
        secret = "secret-" + uuid.uuid4().hex
        s3().put_object(Bucket=BUCKET, Key=secret, Body=b"top secret")
        s3().put_object(Bucket=OTHER, Key="proxied/" + secret, Body=b"top secret")
        for p in ("../" + secret, "%2e%2e/" + secret, "%252e%252e/" + secret, "%2F" + secret,
                  "../" + OTHER + "/proxied/" + secret):
            r = self.srv.raw_request("GET", ARTIFACTS + "/" + p)
            self.assertBadParam(r, msg=p)
            self.assertNotIn(b"top secret", r.content)
            self.assertBadParam(self.srv.raw_request("DELETE", ARTIFACTS + "/" + p), msg=p)
        self.assertEqual(self.obj(secret), b"top secret")
        self.assertEqual(self.obj("proxied/" + secret, OTHER), b"top secret")
        r = self.srv.request("DELETE", ARTIFACTS + "/")  # the root itself: no such route
        self.assertGreaterEqual(r.status_code, 400)
        self.assertEqual(self.obj(secret), b"top secret")

    def test_delete_never_reaches_the_prefix_or_an_experiment(self):
        """Issue #13: DELETE of the root in any spelling, or of an experiment's prefix, issues no
        DeleteObjects: 400 for malformed paths, 403 for paths above a run's directory."""
        rid, root = self.new_root()
        other_exp = self.create_experiment(unique("s3-other"))
        other_root = self.create_run(other_exp)["info"]["artifact_uri"][len("mlflow-artifacts:/"):]
        for r in (root, other_root):
            self.assertOk(self.put(r + "/keep.txt", b"keep"))
        before = self.everything()
        enc = "".join("%%%02X" % ord(c) for c in self.exp)
        for p in (".", "%2e", "./", "./.", "%2E/", ".%2f", "%2e%2f", ".//", "%252e", "%c0%ae", "%2f", "%2F%2F",
                  "..", "%2e%2e", self.exp + "/.", self.exp + "/%2e", self.exp + "//", root + "/..",
                  root + "/%2e%2e/%2e%2e", root + "/.", root + "//", "%00", "%5c"):
            self.assertBadParam(self.srv.raw_request("DELETE", ARTIFACTS + "/" + p), msg="DELETE " + p)
        for p in (self.exp, self.exp + "/", enc, other_exp, self.exp + "/" + rid, self.exp + "/" + rid + "/"):
            self.assertError(self.srv.raw_request("DELETE", ARTIFACTS + "/" + p), 403, "PERMISSION_DENIED",
                             msg="DELETE " + p)
        self.assertEqual(self.everything(), before)
        # What `mlflow gc` sends: the run's directory, with a trailing '/'; nothing else goes.
        self.assertOk(self.srv.raw_request("DELETE", ARTIFACTS + "/" + root + "/"))
        self.assertEqual(sorted(self.everything()), sorted(k for k in before if not k.startswith("proxied/" + root + "/")))


class TestSessionTokens(unittest.TestCase):
    """Temporary credentials with a session token, from the environment and from an ECS-style
    endpoint (moto's signature mode cannot check tokens; the signer's unit tests do)."""

    def start(self, env):
        env = dict(MOTO.env(), **env)
        srv = harness.SextantServer(artifacts_dir="s3://%s/tokens" % BUCKET, env=env)
        srv.start()
        self.addCleanup(lambda: (srv.stop(), srv.cleanup()))
        return srv

    def check(self, srv, name):
        r = srv.request("PUT", ARTIFACTS + "/0/r/artifacts/" + name, data=b"tok", headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(srv.request("GET", ARTIFACTS + "/0/r/artifacts/" + name).content, b"tok")

    def test_environment_session_token(self):
        sts = MOTO.client("sts").assume_role(RoleArn="arn:aws:iam::123456789012:role/x", RoleSessionName="it")
        c = sts["Credentials"]
        self.check(self.start({"AWS_ACCESS_KEY_ID": c["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
                               "AWS_SESSION_TOKEN": c["SessionToken"]}), "env.txt")

    def test_container_endpoint_session_token(self):
        ep = moto_s3.CredentialsEndpoint(lambda: {"AccessKeyId": "ASIATEMP", "SecretAccessKey": "s",
                                                  "Token": "session-token-value", "Expiration": moto_s3.iso_in(3600)})
        self.addCleanup(ep.stop)
        srv = self.start({"AWS_CONTAINER_CREDENTIALS_FULL_URI": ep.url + ep.path,
                          "AWS_CONTAINER_AUTHORIZATION_TOKEN": ep.token, "AWS_ACCESS_KEY_ID": "",
                          "AWS_SECRET_ACCESS_KEY": ""})
        self.check(srv, "ecs.txt")
        self.assertEqual(ep.count("ecs"), 1)


class TestServerSideEncryption(unittest.TestCase):
    """MLFLOW_S3_UPLOAD_EXTRA_ARGS: SSE headers on single PUTs and on multipart uploads."""

    def test_sse_on_every_upload_path(self):
        env = dict(MOTO.env(), AWS_ACCESS_KEY_ID=MOTO.access_key, AWS_SECRET_ACCESS_KEY=MOTO.secret_key,
                   MLFLOW_S3_UPLOAD_EXTRA_ARGS='{"ServerSideEncryption": "AES256"}',
                   SEXTANT_S3_MULTIPART_THRESHOLD="5M", SEXTANT_S3_PART_SIZE="5M")
        srv = harness.SextantServer(artifacts_dir="s3://%s/sse" % BUCKET, env=env)
        srv.start()
        self.addCleanup(lambda: (srv.stop(), srv.cleanup()))
        for name, size in (("small.bin", 1000), ("multi.bin", (5 << 20) * 2 + 1)):
            r = srv.request("PUT", ARTIFACTS + "/0/r/artifacts/" + name, data=os.urandom(size),
                            headers={"Content-Type": "application/octet-stream"})
            self.assertEqual(r.status_code, 200, r.text)
            head = s3().head_object(Bucket=BUCKET, Key="sse/0/r/artifacts/" + name)
            self.assertEqual(head.get("ServerSideEncryption"), "AES256", name)

    def test_bad_extra_args_stop_the_server_at_start(self):
        env = dict(MOTO.env(), MLFLOW_S3_UPLOAD_EXTRA_ARGS='{"ServerSideEncryption": "ROT13"}')
        srv = harness.SextantServer(artifacts_dir="s3://%s/sse" % BUCKET, env=env)
        with self.assertRaises(harness.ServerStartError):
            srv.start()
        self.assertIn("ServerSideEncryption must be AES256", srv.stderr_text())
        srv.cleanup()


class TestRegionDiscovery(unittest.TestCase):
    """Without AWS_REGION the bucket's region comes from HEAD bucket's x-amz-bucket-region; the
    presigned part URLs show the region they were signed for."""

    def test_region_from_head_bucket(self):
        MOTO.client(region="eu-west-1").create_bucket(
            Bucket="euro-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        env = dict(MOTO.env(), AWS_REGION="", AWS_DEFAULT_REGION="", AWS_ACCESS_KEY_ID=MOTO.access_key,
                   AWS_SECRET_ACCESS_KEY=MOTO.secret_key)
        srv = harness.SextantServer(artifacts_dir="s3://euro-bucket/a", env=env)
        srv.start()
        self.addCleanup(lambda: (srv.stop(), srv.cleanup()))
        r = srv.request("POST", MPU + "/create/0/r/artifacts", json={"path": "f.bin", "num_parts": 1})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertIn("%2Feu-west-1%2Fs3%2Faws4_request", r.json()["credentials"][0]["url"])


class TestRetriesAndAborts(unittest.TestCase):
    """Against moto behind a proxy that injects S3 errors: throttling and 5xx are retried with
    back-off; a multipart upload whose parts keep failing is aborted in S3 and the client gets
    503 TEMPORARILY_UNAVAILABLE."""

    def setUp(self):
        self.proxy = moto_s3.FaultyProxy(MOTO.endpoint)
        self.addCleanup(self.proxy.stop)
        env = dict(MOTO.env(), MLFLOW_S3_ENDPOINT_URL=self.proxy.endpoint, AWS_ACCESS_KEY_ID=MOTO.access_key,
                   AWS_SECRET_ACCESS_KEY=MOTO.secret_key, SEXTANT_S3_MULTIPART_THRESHOLD="5M",
                   SEXTANT_S3_PART_SIZE="5M")
        self.srv = harness.SextantServer(artifacts_dir="s3://%s/retry" % BUCKET, env=env)
        self.srv.start()
        self.addCleanup(lambda: (self.srv.stop(), self.srv.cleanup()))

    def test_throttled_and_5xx_requests_are_retried(self):
        seen = {}

        def every_first_try(method, path):  # each distinct request fails once, then passes
            k = (method, path.split("?")[0], "partNumber" in path)
            seen[k] = seen.get(k, 0) + 1
            return seen[k] == 1

        self.proxy.predicate = every_first_try
        data = os.urandom((5 << 20) + 100)  # two parts
        r = self.srv.request("PUT", ARTIFACTS + "/0/r/artifacts/retried.bin", data=data,
                             headers={"Content-Type": "application/octet-stream"}, timeout=120)
        self.assertEqual(r.status_code, 200, r.text)
        self.proxy.status, self.proxy.code = 500, "InternalError"
        r = self.srv.request("GET", ARTIFACTS + "/0/r/artifacts/retried.bin", timeout=120)
        self.assertEqual((r.status_code, r.content), (200, data))
        failed = self.proxy.failed()
        self.assertTrue(any(m == "POST" and "uploads" in p for m, p in failed), failed)  # create
        self.assertTrue(any(m == "PUT" and "partNumber" in p for m, p in failed), failed)  # parts
        self.assertTrue(any(m == "HEAD" for m, p in failed), failed)

    def test_failing_parts_abort_the_upload(self):
        self.proxy.predicate = lambda method, path: method == "PUT" and "partNumber=2" in path
        r = self.srv.request("PUT", ARTIFACTS + "/0/r/artifacts/aborted.bin", data=os.urandom((5 << 20) * 2 + 1),
                             headers={"Content-Type": "application/octet-stream"}, timeout=120)
        self.assertEqual(r.status_code, 503, r.text)
        self.assertEqual(r.json()["error_code"], "TEMPORARILY_UNAVAILABLE")
        self.assertEqual(len([1 for m, p in self.proxy.failed() if "partNumber=2" in p]), 4)  # SEXTANT_S3_MAX_ATTEMPTS
        self.assertTrue(any(m == "DELETE" and "uploadId" in p for m, p, _ in self.proxy.log))  # abort
        ups = s3().list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
        self.assertEqual([u for u in ups if u["Key"] == "retry/0/r/artifacts/aborted.bin"], [])
        self.assertEqual(keys("retry/0/r/artifacts/aborted.bin"), [])

    def test_access_denied_is_not_retried(self):
        self.proxy.status, self.proxy.code = 403, "AccessDenied"
        self.proxy.predicate = lambda method, path: method == "PUT"
        r = self.srv.request("PUT", ARTIFACTS + "/0/r/artifacts/denied.bin", data=b"x",
                             headers={"Content-Type": "application/octet-stream"})
        self.assertEqual(r.status_code, 403, r.text)
        self.assertEqual(r.json()["error_code"], "PERMISSION_DENIED")
        self.assertEqual(len(self.proxy.failed()), 1)


class TestWebIdentity(unittest.TestCase):
    """Credentials from AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN via moto's STS
    AssumeRoleWithWebIdentity (EKS IRSA)."""

    def test_upload_with_web_identity_credentials(self):
        tokdir = os.path.join(harness.server().workdir, "irsa")
        os.makedirs(tokdir, exist_ok=True)
        with open(os.path.join(tokdir, "token"), "w") as f:
            f.write("eyJhbGciOiJSUzI1NiJ9.e30.c2ln\n")
        env = dict(MOTO.env(), AWS_WEB_IDENTITY_TOKEN_FILE=os.path.join(tokdir, "token"),
                   AWS_ROLE_ARN="arn:aws:iam::123456789012:role/sextant", AWS_ROLE_SESSION_NAME="it",
                   AWS_ENDPOINT_URL_STS=MOTO.endpoint)
        for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
            env[k] = ""
        srv = harness.SextantServer(artifacts_dir="s3://%s/irsa" % BUCKET, env=env)
        srv.start()
        try:
            r = srv.request("PUT", ARTIFACTS + "/0/x/artifacts/f.txt", data=b"irsa",
                            headers={"Content-Type": "text/plain"})
            self.assertEqual(r.status_code, 200, r.text)
            self.assertEqual(s3().get_object(Bucket=BUCKET, Key="irsa/0/x/artifacts/f.txt")["Body"].read(), b"irsa")
        finally:
            srv.stop()
            stderr = srv.stderr_text()
            srv.cleanup()
        self.assertIn("S3 credentials from web identity", stderr)


if __name__ == "__main__":
    unittest.main()
