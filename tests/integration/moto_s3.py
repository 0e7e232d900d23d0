"""A real moto S3 (and STS/IAM) server process for the S3 integration tests, plus small loopback
HTTP endpoints that serve AWS credentials the way the ECS agent and EC2's IMDSv2 do.

moto comes with the image's Python (toolbox.md §2.1); scripts/install-deps.sh tries pip when it
is missing. Signature checking is off by default; ``MotoServer(check_signatures=True)`` creates an
IAM user with an access key first and then turns moto's checks on (every request is then re-signed
by moto with botocore and compared; query values with %2F are refused by a moto bug, #5948).
"""

import datetime
import http.server
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import harness

REGION = "us-east-1"


def require_moto():
    try:
        import moto  # noqa: F401
        import boto3  # noqa: F401
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise RuntimeError("moto and boto3 are needed for the S3 tests (make test-deps installs them): %s" % e)


class MotoServer:
    def __init__(self, check_signatures=False):
        require_moto()
        self.port = harness.free_port()
        self.endpoint = "http://127.0.0.1:%d" % self.port
        self.log = tempfile.NamedTemporaryFile(prefix="moto-", suffix=".log", delete=False)
        self.proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        deadline = time.time() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("moto exited early:\n" + open(self.log.name).read()[-4000:])
            try:
                urllib.request.urlopen(self.endpoint + "/moto-api/", timeout=2).read()
                break
            except OSError:
                if time.time() > deadline:
                    self.stop()
                    raise RuntimeError("moto did not start within 60 s")
                time.sleep(0.1)
        self.access_key, self.secret_key = "testkey", "testsecret"
        if check_signatures:
            iam = self.client("iam")
            iam.create_user(UserName="ci")
            iam.put_user_policy(UserName="ci", PolicyName="all", PolicyDocument=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": ["s3:*", "sts:*"], "Resource": "*"}]}))
            key = iam.create_access_key(UserName="ci")["AccessKey"]
            self.access_key, self.secret_key = key["AccessKeyId"], key["SecretAccessKey"]

    def enable_signature_checks(self):
        req = urllib.request.Request(self.endpoint + "/moto-api/reset-auth", data=b"0", method="POST",
                                     headers={"Content-Type": "text/plain"})
        urllib.request.urlopen(req, timeout=10).read()

    def client(self, service="s3", **kw):
        import boto3
        from botocore.config import Config
        args = dict(endpoint_url=self.endpoint, aws_access_key_id=kw.pop("key", self.access_key),
                    aws_secret_access_key=kw.pop("secret", self.secret_key), region_name=kw.pop("region", REGION),
                    config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
        args.update(kw)
        return boto3.client(service, **args)

    def env(self):
        """The environment a Sextant server needs to reach this moto (credentials excluded)."""
        return {"MLFLOW_S3_ENDPOINT_URL": self.endpoint, "AWS_REGION": REGION, "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_CONFIG_FILE": os.devnull}

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        if not os.environ.get("SEXTANT_KEEP_TMP"):
            try:
                os.unlink(self.log.name)
            except OSError:
                pass


def iso_in(seconds):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class CredentialsEndpoint:
    """A loopback HTTP server in this process answering like the ECS agent
    (GET <path> with Authorization: <token>) or like IMDSv2 (PUT /latest/api/token, then
    GET /latest/meta-data/iam/security-credentials/[role] with X-aws-ec2-metadata-token).
    `credentials` is a callable giving {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}."""

    def __init__(self, credentials, token="ecs-secret-token", path="/v2/credentials/task-1", role="sextant-role"):
        self.credentials, self.token, self.path, self.role = credentials, token, path, role
        self.hits = []  # (kind, path, authorized)
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, status, body, ctype="application/json"):
                data = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_PUT(self):  # noqa: N802
                if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                    owner.hits.append(("imds-token", self.path, True))
                    return self.reply(200, "imds-session-token", "text/plain")
                self.reply(403, "forbidden", "text/plain")

            def do_GET(self):  # noqa: N802
                base = "/latest/meta-data/iam/security-credentials/"
                if self.path.startswith(base):
                    ok = self.headers.get("X-aws-ec2-metadata-token") == "imds-session-token"
                    owner.hits.append(("imds", self.path, ok))
                    if not ok:
                        return self.reply(401, "", "text/plain")
                    if self.path == base:
                        return self.reply(200, owner.role, "text/plain")
                    if self.path == base + owner.role:
                        return self.reply(200, json.dumps(dict(owner.credentials(), Code="Success")))
                    return self.reply(404, "", "text/plain")
                ok = self.headers.get("Authorization") == owner.token
                owner.hits.append(("ecs", self.path, ok))
                if self.path != owner.path:
                    return self.reply(404, json.dumps({"message": "no such task"}))
                if not ok:
                    return self.reply(401, json.dumps({"message": "bad token"}))
                self.reply(200, json.dumps(owner.credentials()))

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def count(self, kind):
        return sum(1 for k, _, ok in self.hits if k == kind and ok)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class FaultyProxy:
    """A loopback HTTP proxy in front of moto that answers some requests itself with an S3 error
    (503 SlowDown by default) instead of forwarding them: `fail(predicate)` decides per request
    (method, path with query). Used to exercise the client's retries and multipart aborts
    against the real moto behind it."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.predicate = lambda method, path: False
        self.status, self.code = 503, "SlowDown"
        self.log = []  # (method, path, failed)
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fail = owner.predicate(self.command, self.path)
                owner.log.append((self.command, self.path, fail))
                if fail:
                    data = ("<Error><Code>%s</Code><Message>injected</Message></Error>" % owner.code).encode()
                    self.send_response(owner.status)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(data)
                    return
                req = urllib.request.Request(owner.upstream + self.path, data=body if self.command in ("PUT", "POST")
                                             else None, method=self.command)
                for k, v in self.headers.items():
                    if k.lower() not in ("content-length", "connection", "expect"):
                        req.add_header(k, v)
                if body and not self.headers.get("Content-Type"):
                    # urllib would add a form content type, which moto then parses the body as
                    req.add_header("Content-Type", "application/octet-stream")
                try:
                    resp = urllib.request.urlopen(req, timeout=60)
                    status, headers, data = resp.status, resp.getheaders(), resp.read()
                except urllib.error.HTTPError as e:
                    status, headers, data = e.code, e.headers.items(), e.read()
                self.send_response(status)
                for k, v in headers:
                    if k.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                        self.send_header(k, v)
                upstream_length = dict((k.lower(), v) for k, v in headers).get("content-length")
                self.send_header("Content-Length", upstream_length if self.command == "HEAD" and upstream_length
                                 else str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def failed(self):
        return [(m, p) for m, p, f in self.log if f]

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
