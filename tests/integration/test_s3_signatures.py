"""S3 signatures and the AWS credential chain against moto with signature checking on: moto
re-signs every request with botocore and refuses a mismatch (403 SignatureDoesNotMatch), so
each upload, download, multipart part (signed payloads, in parallel) and presigned part URL here
proves the signer. Credentials reach the server through every link of the chain: environment
(with and without a session token), a shared credentials file with AWS_PROFILE, an ECS-style
container endpoint over HTTP with an authorization token (token file, refresh before expiry),
and an IMDSv2-style endpoint.

Not checkable in moto 5.2.1's signature mode, so covered by test_s3_artifacts (moto's default
mode) and the signer's unit tests (AWS vectors, botocore): listing and deleting (query values with
%2F are refused, moto #5948), keys with '+' or '%' (refused even from boto3), session tokens and
presigned URLs (moto answers 500 even to boto3)."""

import hashlib
import os
import time
import unittest

import harness
import moto_s3
from harness import ARTIFACTS

BUCKET = "signed-bucket"
MOTO = None
STS = None  # temporary credentials from moto's STS, for the session-token cases


def setUpModule():  # noqa: N802
    global MOTO, STS
    MOTO = moto_s3.MotoServer(check_signatures=True)
    MOTO.client().create_bucket(Bucket=BUCKET)
    STS = MOTO.client("sts").assume_role(RoleArn="arn:aws:iam::123456789012:role/sextant",
                                         RoleSessionName="it")["Credentials"]
    MOTO.enable_signature_checks()


def tearDownModule():  # noqa: N802
    MOTO.stop()


def run_server(testcase, extra_env, name):
    env = dict(MOTO.env(), **extra_env)
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env.setdefault(k, "")
    srv = harness.SextantServer(artifacts_dir="s3://%s/%s" % (BUCKET, name), env=env)
    srv.start()

    def stop():
        srv.stop()
        stderr = srv.stderr_text()
        srv.cleanup()
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            testcase.assertNotIn(marker, stderr)
        # Secrets never reach the log.
        for secret in (MOTO.secret_key, STS["SecretAccessKey"], STS["SessionToken"], "ecs-secret-token"):
            testcase.assertNotIn(secret, stderr)
    testcase.addCleanup(stop)
    return srv


def put(srv, path, data, **kw):
    return srv.request("PUT", ARTIFACTS + "/" + path, data=data, headers={"Content-Type": "application/octet-stream"},
                       **kw)


def roundtrip(testcase, srv, name):
    data = os.urandom(70000)
    r = put(srv, "1/r/artifacts/" + name, data)
    testcase.assertEqual(r.status_code, 200, r.text)
    r = srv.request("GET", ARTIFACTS + "/1/r/artifacts/" + name)
    testcase.assertEqual((r.status_code, r.content), (200, data))
    r = srv.request("GET", ARTIFACTS + "/1/r/artifacts/" + name, headers={"Range": "bytes=5-9"})
    testcase.assertEqual((r.status_code, r.content), (206, data[5:10]))
    testcase.assertEqual(srv.request("GET", ARTIFACTS + "/1/r/artifacts/missing-" + name).status_code, 404)


class TestSignedRequests(unittest.TestCase):
    def env_keys(self):
        return {"AWS_ACCESS_KEY_ID": MOTO.access_key, "AWS_SECRET_ACCESS_KEY": MOTO.secret_key}

    def test_put_get_head_with_environment_keys(self):
        srv = run_server(self, self.env_keys(), "env")
        roundtrip(self, srv, "a b~c.bin")  # a space and '~' in the key, signed as sent
        self.assertIn("S3 credentials from environment", srv.stderr_text())

    def test_server_multipart_parallel_signed_parts(self):
        env = dict(self.env_keys(), SEXTANT_S3_MULTIPART_THRESHOLD="5M", SEXTANT_S3_PART_SIZE="5M",
                   SEXTANT_S3_UPLOAD_CONCURRENCY="3")
        srv = run_server(self, env, "mpu")
        data = os.urandom((5 << 20) * 3 + 777)
        r = put(srv, "1/r/artifacts/big.bin", data, timeout=300)
        self.assertEqual(r.status_code, 200, r.text)
        head = MOTO.client().head_object(Bucket=BUCKET, Key="mpu/1/r/artifacts/big.bin")
        self.assertTrue(head["ETag"].strip('"').endswith("-4"), head["ETag"])
        r = srv.request("GET", ARTIFACTS + "/1/r/artifacts/big.bin", timeout=300)
        self.assertEqual(hashlib.sha256(r.content).hexdigest(), hashlib.sha256(data).hexdigest())

    def test_wrong_secret_is_permission_denied(self):
        srv = run_server(self, {"AWS_ACCESS_KEY_ID": MOTO.access_key, "AWS_SECRET_ACCESS_KEY": "wrong" + MOTO.secret_key},
                         "wrong")
        r = put(srv, "1/r/artifacts/x.bin", b"x")
        self.assertEqual(r.status_code, 403, r.text)
        self.assertEqual(r.json()["error_code"], "PERMISSION_DENIED")
        self.assertIn("SignatureDoesNotMatch", r.json()["message"])


class TestCredentialChain(unittest.TestCase):
    def test_shared_credentials_file_with_profile(self):
        path = os.path.join(harness.tempfile.mkdtemp(prefix="sextant-aws-"), "credentials")
        with open(path, "w") as f:
            f.write("[default]\naws_access_key_id = AKIAWRONG\naws_secret_access_key = wrong\n\n"
                    "[ci]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (MOTO.access_key, MOTO.secret_key))
        srv = run_server(self, {"AWS_SHARED_CREDENTIALS_FILE": path, "AWS_PROFILE": "ci"}, "profile")
        roundtrip(self, srv, "p.bin")
        self.assertIn("S3 credentials from profile ci", srv.stderr_text())

    def test_container_endpoint_with_token_file_and_refresh(self):
        fetched = []

        def creds():
            fetched.append(time.time())
            # Expires 5 min + 3 s from now: inside the server's 5-minute refresh margin after 3 s.
            return {"AccessKeyId": MOTO.access_key, "SecretAccessKey": MOTO.secret_key,
                    "Token": "", "Expiration": moto_s3.iso_in(303)}

        ep = moto_s3.CredentialsEndpoint(creds)
        self.addCleanup(ep.stop)
        tokdir = harness.tempfile.mkdtemp(prefix="sextant-ecs-")
        with open(os.path.join(tokdir, "token"), "w") as f:
            f.write("ecs-secret-token\n")
        srv = run_server(self, {"AWS_CONTAINER_CREDENTIALS_FULL_URI": ep.url + ep.path,
                                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": os.path.join(tokdir, "token")}, "ecs")
        roundtrip(self, srv, "e.bin")
        self.assertEqual(ep.count("ecs"), 1)  # cached while valid
        time.sleep(3.5)
        roundtrip(self, srv, "e2.bin")
        self.assertEqual(ep.count("ecs"), 2)  # refreshed before expiry
        self.assertEqual([h for h in ep.hits if not h[2]], [])  # always with the token
        self.assertIn("S3 credentials from container endpoint", srv.stderr_text())

    def test_container_endpoint_with_a_wrong_token(self):
        ep = moto_s3.CredentialsEndpoint(lambda: {"AccessKeyId": MOTO.access_key, "SecretAccessKey": MOTO.secret_key,
                                                  "Token": "", "Expiration": moto_s3.iso_in(3600)})
        self.addCleanup(ep.stop)
        srv = run_server(self, {"AWS_CONTAINER_CREDENTIALS_FULL_URI": ep.url + ep.path,
                                "AWS_CONTAINER_AUTHORIZATION_TOKEN": "not-the-token"}, "ecsbad")
        r = put(srv, "1/r/artifacts/x.bin", b"x")
        self.assertEqual(r.status_code, 500, r.text)
        self.assertEqual(r.json()["error_code"], "INTERNAL_ERROR")
        self.assertIn("container credentials endpoint answered HTTP 401", r.json()["message"])
        self.assertNotIn("not-the-token", r.text)

    def test_container_full_uri_must_be_loopback_or_https(self):
        srv = run_server(self, {"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://192.0.2.1/creds"}, "ecsfar")
        r = put(srv, "1/r/artifacts/x.bin", b"x")
        self.assertEqual(r.status_code, 500, r.text)
        self.assertIn("AWS_CONTAINER_CREDENTIALS_FULL_URI must be https", r.json()["message"])

    def test_instance_metadata_v2(self):
        ep = moto_s3.CredentialsEndpoint(lambda: {"AccessKeyId": MOTO.access_key, "SecretAccessKey": MOTO.secret_key,
                                                  "Token": "", "Expiration": moto_s3.iso_in(3600)})
        self.addCleanup(ep.stop)
        srv = run_server(self, {"AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": ep.url},
                         "imds")
        roundtrip(self, srv, "i.bin")
        self.assertGreaterEqual(ep.count("imds-token"), 1)
        self.assertEqual([h for h in ep.hits if not h[2]], [])
        self.assertIn("S3 credentials from instance metadata", srv.stderr_text())

    def test_no_credentials_anywhere(self):
        srv = run_server(self, {}, "none")
        r = put(srv, "1/r/artifacts/x.bin", b"x")
        self.assertEqual(r.status_code, 500, r.text)
        self.assertIn("no AWS credentials found", r.json()["message"])


if __name__ == "__main__":
    unittest.main()
