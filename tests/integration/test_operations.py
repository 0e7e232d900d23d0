"""Operations: Prometheus /metrics, /ready, request ids and the JSON access log, request limits
and timeouts, and SIGTERM draining (an in-flight request completes, new connections are refused,
the process exits within --shutdown-timeout)."""

import json
import os
import re
import shutil
import signal
import socket
import tempfile
import time
import unittest

import requests

import harness

API = "/api/2.0/mlflow"


def connect(srv):
    return socket.create_connection(("127.0.0.1", srv.port), timeout=10)


def read_response(sock):
    """Reads one HTTP/1.1 response (Content-Length bodies); returns (status, headers, body)."""
    answer = harness.read_http_response(sock)
    if answer is None:
        raise ConnectionError("closed before the response")
    return answer


samples = harness.metric_samples


class OperationsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="sextant-ops-")
        cls.access_log = os.path.join(cls.workdir, "access.log")
        cls.srv = harness.SextantServer(extra_args=[
            "--access-log", cls.access_log, "--max-request-body", "4KiB", "--request-body-timeout", "1s"])
        cls.srv.start()

    @classmethod
    def tearDownClass(cls):
        harness.SERVER = cls.srv
        harness.tearDownModule()
        shutil.rmtree(cls.workdir, ignore_errors=True)

    def log_lines(self):
        with open(self.access_log) as f:
            return [json.loads(line) for line in f]

    def logged(self, *request_ids):
        """The access-log lines of these requests by id (a line is written just after its response,
        so wait for it)."""
        deadline = time.time() + 10
        while True:
            lines = {e["request_id"]: e for e in self.log_lines()}
            if all(i in lines for i in request_ids) or time.time() > deadline:
                return lines
            time.sleep(0.05)

    def test_metrics(self):
        name = harness.unique("ops")
        r = requests.post(self.srv.url(API + "/experiments/create"), json={"name": name}, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        exp = r.json()["experiment_id"]
        requests.get(self.srv.url(API + "/experiments/get"), params={"experiment_id": "424242"}, timeout=30)
        run = requests.post(self.srv.url(API + "/runs/create"), json={"experiment_id": exp}, timeout=30).json()
        run_id = run["run"]["info"]["run_id"]
        payload = os.urandom(3000)
        put = requests.put(self.srv.url("/api/2.0/mlflow-artifacts/artifacts/%s/%s/artifacts/blob.bin" % (exp, run_id)),
                           data=payload, timeout=30)
        self.assertEqual(put.status_code, 200, put.text)
        got = requests.get(self.srv.url("/api/2.0/mlflow-artifacts/artifacts/%s/%s/artifacts/blob.bin" % (exp, run_id)),
                           timeout=30)
        self.assertEqual(got.content, payload)

        # The download is counted once its connection thread has logged it, which may be a moment
        # after the client has the last byte.
        deadline = time.time() + 5
        while True:
            r = requests.get(self.srv.url("/metrics"), timeout=30)
            text = r.text
            if '{direction="download"}' in text or time.time() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.headers["Content-Type"].startswith("text/plain; version=0.0.4"))
        self.assertIn("# TYPE sextant_http_requests_total counter", text)
        self.assertIn("# TYPE sextant_http_request_duration_seconds histogram", text)
        requests_total = samples(text, "sextant_http_requests_total")
        self.assertGreaterEqual(
            requests_total['{method="POST",route="/api/2.0/mlflow/experiments/create",status="200"}'], 1)
        # Route labels are the registered routes, so the label set stays bounded.
        self.assertGreaterEqual(requests_total['{method="GET",route="/api/2.0/mlflow/experiments/get",status="404"}'], 1)
        self.assertFalse([k for k in requests_total if run_id in k])
        buckets = samples(text, "sextant_http_request_duration_seconds_bucket")
        inf = buckets['{method="POST",route="/api/2.0/mlflow/experiments/create",le="+Inf"}']
        count = samples(text, "sextant_http_request_duration_seconds_count")[
            '{method="POST",route="/api/2.0/mlflow/experiments/create"}']
        self.assertEqual(inf, count)
        artifact_bytes = samples(text, "sextant_artifact_bytes_total")
        self.assertGreaterEqual(artifact_bytes['{direction="upload"}'], 3000)
        self.assertGreaterEqual(artifact_bytes['{direction="download"}'], 3000)
        self.assertGreaterEqual(samples(text, "sextant_http_requests_in_flight")[""], 1)  # this very request
        self.assertGreater(samples(text, "process_resident_memory_bytes")[""], 1e6)
        self.assertGreater(samples(text, "process_start_time_seconds")[""], 1.6e9)
        self.assertGreaterEqual(samples(text, "sextant_db_write_groups_total")[""], 1)
        self.assertGreaterEqual(samples(text, "sextant_db_write_requests_total")[""], 2)  # experiment + run

    def test_ready(self):
        r = requests.get(self.srv.url("/ready"), timeout=30)
        self.assertEqual((r.status_code, r.text), (200, "OK"))

    def test_request_ids_and_access_log(self):
        r = requests.get(self.srv.url(API + "/experiments/get"), params={"experiment_id": "0"},
                         headers={"X-Request-Id": "trace-abc.123"}, timeout=30)
        self.assertEqual(r.headers["X-Request-Id"], "trace-abc.123")
        r2 = requests.get(self.srv.url("/health"), headers={"X-Request-Id": "bad id <script>"}, timeout=30)
        generated = r2.headers["X-Request-Id"]
        self.assertRegex(generated, r"^[0-9a-f]{32}$")
        r3 = requests.get(self.srv.url("/health"), timeout=30)
        self.assertNotEqual(r3.headers["X-Request-Id"], generated)
        lines = self.logged("trace-abc.123", generated)
        e = lines["trace-abc.123"]
        self.assertEqual((e["method"], e["path"], e["route"], e["status"], e["level"], e["msg"]),
                         ("GET", API + "/experiments/get", API + "/experiments/get", 200, "info", "request"))
        self.assertIsInstance(e["duration_ms"], (int, float))
        self.assertEqual(e["remote"], "127.0.0.1")
        self.assertIn(generated, lines)
        unmatched = requests.get(self.srv.url("/no/such/route"), headers={"X-Request-Id": "unmatched-1"}, timeout=30)
        self.assertEqual(unmatched.status_code, 404)
        self.assertEqual(self.logged("unmatched-1")["unmatched-1"]["route"], "(unmatched)")

    def test_body_limit(self):
        r = requests.post(self.srv.url(API + "/experiments/create"),
                          json={"name": harness.unique("big"), "tags": [{"key": "k", "value": "x" * 5000}]}, timeout=30)
        self.assertEqual(r.status_code, 413)
        self.assertEqual(r.json()["error_code"], "RESOURCE_EXHAUSTED")

    def test_stalled_body_is_closed(self):
        sock = connect(self.srv)
        sock.sendall(b"POST " + API.encode() + b"/experiments/create HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\": ")
        start = time.time()
        sock.settimeout(10)
        status, headers, body = read_response(sock)  # 408, then closed by the server
        self.assertEqual(status, 408, body)
        self.assertEqual(headers.get("connection"), "close")
        self.assertEqual(sock.recv(100), b"")
        elapsed = time.time() - start
        self.assertLess(elapsed, 5)
        sock.close()
        text = requests.get(self.srv.url("/metrics"), timeout=30).text
        self.assertGreaterEqual(samples(text, "sextant_http_timeouts_total")['{phase="body"}'], 1)


class ShutdownTest(unittest.TestCase):
    def test_sigterm_drains_in_flight_requests(self):
        srv = harness.SextantServer(extra_args=["--shutdown-timeout", "5s", "--access-log", "off"])
        srv.start()
        try:
            exp = requests.post(srv.url(API + "/experiments/create"), json={"name": "drain"}, timeout=30).json()
            run_id = requests.post(srv.url(API + "/runs/create"), json={"experiment_id": exp["experiment_id"]},
                                   timeout=30).json()["run"]["info"]["run_id"]
            body = json.dumps({"run_id": run_id, "params": [{"key": "p", "value": "v"}]}).encode()
            sock = connect(srv)
            sock.sendall(b"POST " + API.encode() + b"/runs/log-batch HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:10])
            time.sleep(0.3)  # the request is in flight: header read, body half sent
            started = time.time()
            srv.proc.send_signal(signal.SIGTERM)
            # New connections are refused while the in-flight request is still open.
            deadline = time.time() + 3
            refused = False
            while time.time() < deadline and not refused:
                try:
                    socket.create_connection(("127.0.0.1", srv.port), timeout=1).close()
                    time.sleep(0.05)
                except OSError:
                    refused = True
            self.assertTrue(refused, "new connections were still accepted after SIGTERM")
            self.assertTrue(srv.is_running())
            sock.sendall(body[10:])
            status, headers, payload = read_response(sock)
            self.assertEqual(status, 200, payload)
            self.assertEqual(headers.get("connection"), "close")
            sock.close()
            rc = srv.wait_exit(10)
            self.assertEqual(rc, 0, srv.stderr_text())
            self.assertLess(time.time() - started, 5)
        finally:
            srv.stop()
        # The batch that got its 200 is in the database.
        srv2 = harness.SextantServer(workdir=srv.workdir, backend_store_uri=srv.backend_store_uri,
                                     artifacts_dir=srv.artifacts_dir)
        srv2.start()
        try:
            run = requests.get(srv2.url(API + "/runs/get"), params={"run_id": run_id}, timeout=30).json()
            self.assertEqual(run["run"]["data"]["params"], [{"key": "p", "value": "v"}])
        finally:
            srv2.stop()
            shutil.rmtree(srv.workdir, ignore_errors=True)

    def test_sigterm_cuts_requests_past_the_deadline(self):
        srv = harness.SextantServer(extra_args=["--shutdown-timeout", "1s", "--request-body-timeout", "60s"])
        srv.start()
        try:
            sock = connect(srv)
            sock.sendall(b"POST " + API.encode() + b"/experiments/create HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
            time.sleep(0.3)
            started = time.time()
            srv.proc.send_signal(signal.SIGTERM)
            rc = srv.wait_exit(10)
            self.assertEqual(rc, 0, srv.stderr_text())
            self.assertLess(time.time() - started, 3)  # 1 s deadline + housekeeping
            sock.close()
        finally:
            srv.stop()
            srv.cleanup()

    def hold_request(self, srv):
        """A request whose head the server has read and whose body it awaits. A slot the previous
        connection (e.g. the harness's readiness check) still holds while its thread ends gives
        a 503 with Retry-After, as the server's contract says: retried then, a bounded number of times."""
        for _ in range(20):
            sock = connect(srv)
            sock.settimeout(30)
            sock.sendall(b"POST " + API.encode() + b"/experiments/create HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Content-Type: application/json\r\nContent-Length: 100\r\n"
                         b"Expect: 100-continue\r\n\r\n")
            interim = b""
            while b"\r\n\r\n" not in interim:
                chunk = sock.recv(256)
                if not chunk:
                    break
                interim += chunk
            if interim.startswith(b"HTTP/1.1 100"):
                sock.sendall(b"{")
                return sock
            sock.close()
            self.assertTrue(interim == b"" or interim.startswith(b"HTTP/1.1 503"), interim)
            time.sleep(0.25)
        self.fail("the server never admitted the held request")

    def test_connection_limit(self):
        # The per-address cap stays out of the way: the harness's own keep-alive connection (idle)
        # must give way to a held request as any idle connection does when the server is full.
        srv = harness.SextantServer(extra_args=["--max-connections", "2", "--max-connections-per-address", "8"])
        srv.start()
        try:
            # Two requests in flight (heads sent, bodies pending): nothing to make room with.
            # The server's "100 Continue" says it has read the head and awaits the body: only then
            # is the slot in flight (a connection still in its head may give way to a new one, and
            # on a loaded machine a fixed sleep was not always enough for the server to get there).
            held = [self.hold_request(srv) for _ in range(2)]
            extra = connect(srv)  # answered at once, before it sends anything
            status, headers, body = read_response(extra)
            self.assertEqual(status, 503)
            self.assertEqual(int(headers["content-length"]), len(body))
            self.assertEqual(headers.get("retry-after"), "1")
            self.assertEqual(json.loads(body)["error_code"], "TEMPORARILY_UNAVAILABLE")
            for s in held + [extra]:
                s.close()
        finally:
            srv.stop()
            srv.cleanup()


if __name__ == "__main__":
    unittest.main()
