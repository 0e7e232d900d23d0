"""Connection abuse (issue 13, classes 3 and 8): one server with small limits and short timeouts
is attacked the way an anonymous client can -- idle connections from one and from many addresses
(all of 127/8 is loopback on Linux), request heads and bodies that stall or trickle, downloads
that are never read, sequential Connection: close requests, request smuggling framings, oversized
heads and paths that are not valid percent-encoded UTF-8. While each attack is held, a normal
request from another address is answered within a second; the stalled connections are closed
after their timeout with 408 where a request had begun; every refusal is a JSON answer with an
access-log line and a metric; and the server's peak RSS stays under a stated bound.

Backend-independent: runs on SQLite only (SQLITE_ONLY_MODULES)."""

import http.client
import json
import os
import re
import select
import socket
import tempfile
import time
import unittest

import requests

import harness

API = harness.API
ARTIFACTS = harness.ARTIFACTS

MAX_CONNECTIONS = 32
PER_ADDRESS = 8
TIMEOUT_S = 2          # --header-timeout, --request-body-timeout, --write-timeout
KEEP_ALIVE_S = 3       # --keep-alive-timeout
CLOSE_BOUND_S = 12     # a stalled connection is closed well within this (timeouts + housekeeping)
ANSWER_BOUND_S = 1.0   # the concurrent normal request
# Peak RSS (VmHWM) of the server under every attack of this module. The attacks move a 16 MiB
# artifact and 8 MB JSON answers and hold 32 connections; the bound is what a per-connection
# buffer or a body held in memory would break. Under ASan, freed memory is quarantined (256 MiB by
# default): a smaller quarantine keeps the figure about the server, not the sanitizer.
RSS_BOUND_KIB = 256 * 1024
ASAN_ENV = {"ASAN_OPTIONS": ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"), "quarantine_size_mb=16"]))}
DOWNLOAD_BYTES = 16 * 1024 * 1024  # above the kernel's send + receive buffers on loopback
BALANCER = "127.0.0.9"  # --real-ip-from: exempt from the per-address cap


def addr(i):
    return "127.0.0.%d" % i


def closed_by_server(sock, timeout):
    """Reads until the server closes; (seconds it took, bytes read) or (None, bytes) on timeout."""
    start = time.time()
    sock.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return time.time() - start, data
            data += chunk
    except ConnectionResetError:
        return time.time() - start, data
    except socket.timeout:
        return None, data


class ConnectionAbuseTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="sextant-abuse-")
        cls.access_log = os.path.join(cls.workdir, "access.log")
        t = "%ds" % TIMEOUT_S
        cls.srv = harness.SextantServer(workdir=cls.workdir, extra_args=[
            "--max-connections", str(MAX_CONNECTIONS), "--max-connections-per-address", str(PER_ADDRESS),
            "--header-timeout", t, "--request-body-timeout", t, "--write-timeout", t,
            "--keep-alive-timeout", "%ds" % KEEP_ALIVE_S, "--max-header-size", "8KiB",
            "--real-ip-from", BALANCER, "--access-log", cls.access_log], env=ASAN_ENV)
        cls.srv.start()
        cls.answer_times = []
        cls.held = []

    @classmethod
    def tearDownClass(cls):
        rss = cls.vmhwm_kib()
        print("\n[abuse figures] peak RSS (VmHWM) %.1f MiB; concurrent request answered in at most %.0f ms "
              "(%d probes)" % (rss / 1024.0, 1000 * max(cls.answer_times or [0]), len(cls.answer_times)))
        cls.srv.stop()
        cls.srv.cleanup()

    def tearDown(self):
        for s in self.held:
            try:
                s.close()
            except OSError:
                pass
        self.held = []
        self.assertTrue(self.srv.is_running(), "server died:\n" + self.srv.stderr_text())
        self.assertLess(self.vmhwm_kib(), RSS_BOUND_KIB)
        self.wait_settled()

    # -- helpers ---------------------------------------------------------------------------------
    @classmethod
    def vmhwm_kib(cls):
        with open("/proc/%d/status" % cls.srv.proc.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0

    def connect(self, source=None, rcvbuf=None):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        if source:
            s.bind((source, 0))
        s.settimeout(10)
        s.connect(("127.0.0.1", self.srv.port))
        self.held.append(s)
        return s

    def metric(self, name, labels=""):
        """The value of one series of the server's metrics (0 when absent)."""
        text = requests.get(self.srv.url("/metrics"), timeout=10).text
        return harness.metric_samples(text, name).get(labels, 0)

    def open_connections(self):
        return self.metric("sextant_http_connections")

    def wait_settled(self):
        """Waits (bounded) until only the metrics request's own connection is open."""
        deadline = time.time() + CLOSE_BOUND_S
        while time.time() < deadline and self.open_connections() > 1:
            time.sleep(0.1)

    def assert_answered(self, source="127.0.0.1"):
        """A normal request on a new connection from `source` is answered 200 within a second."""
        start = time.time()
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=10, source_address=(source, 0))
        try:
            conn.request("GET", API + "/experiments/get?experiment_id=0")
            resp = conn.getresponse()
            body = resp.read()
        finally:
            conn.close()
        elapsed = time.time() - start
        self.answer_times.append(elapsed)
        self.assertEqual(resp.status, 200, body[:300])
        self.assertLess(elapsed, ANSWER_BOUND_S)

    def logged(self, predicate):
        with open(self.access_log, encoding="utf-8") as f:
            return [line for line in map(json.loads, f) if predicate(line)]

    def wait_logged(self, predicate, count=1):
        deadline = time.time() + 5
        while time.time() < deadline:
            lines = self.logged(predicate)
            if len(lines) >= count:
                return lines
            time.sleep(0.05)
        return self.logged(predicate)

    def assert_json_error(self, answer, status, code=None):
        self.assertIsNotNone(answer, "closed without an answer")
        got, headers, body = answer
        self.assertEqual(got, status, body[:300])
        self.assertEqual(int(headers["content-length"]), len(body))
        payload = json.loads(body)
        self.assertIn("message", payload)
        if code:
            self.assertEqual(payload["error_code"], code)
        return headers, payload

    def ready_refusals(self, socks, wait=1.0):
        """The sockets among `socks` the server answered at once (the others stay silent)."""
        deadline = time.time() + wait
        ready = set()
        while time.time() < deadline:
            r, _, _ = select.select([s for s in socks if s not in ready], [], [], 0.1)
            ready.update(r)
        return [s for s in socks if s in ready]

    # -- idle connections ------------------------------------------------------------------------
    def test_idle_connections_from_one_address(self):
        socks = [self.connect(addr(2)) for _ in range(MAX_CONNECTIONS)]
        refused = self.ready_refusals(socks)
        self.assertEqual(len(refused), MAX_CONNECTIONS - PER_ADDRESS)
        for s in refused:
            headers, payload = self.assert_json_error(harness.read_http_response(s), 503, "TEMPORARILY_UNAVAILABLE")
            self.assertEqual(headers.get("retry-after"), "1")
            self.assertEqual(headers.get("connection"), "close")
        self.assert_answered()
        self.assert_answered(addr(3))
        # The accepted ones are closed after the keep-alive timeout, without an answer.
        for s in socks:
            if s in refused:
                continue
            took, data = closed_by_server(s, CLOSE_BOUND_S)
            self.assertIsNotNone(took, "an idle connection was never closed")
            self.assertEqual(data, b"")
        self.assertGreaterEqual(self.metric("sextant_http_connections_refused_total",
                                            '{limit="max_connections_per_address"}'), MAX_CONNECTIONS - PER_ADDRESS)
        self.assertGreaterEqual(self.metric("sextant_http_timeouts_total", '{phase="idle"}'), PER_ADDRESS)
        self.assertGreaterEqual(len(self.wait_logged(lambda l: l.get("msg") == "connection refused"
                                                     and l.get("remote") == addr(2))),
                                MAX_CONNECTIONS - PER_ADDRESS)

    def test_idle_connections_from_many_addresses(self):
        before = self.metric("sextant_http_connections_evicted_total", '{phase="idle"}')
        # Fill every slot: 4 idle connections from each of 8 addresses.
        socks = [self.connect(addr(10 + i // 4)) for i in range(MAX_CONNECTIONS)]
        # None is refused with a 503. (On a loaded machine the previous request's connection may
        # still hold its slot for a moment; then one of ours, idle longest, gives way to the last:
        # closed without an answer.)
        early = self.ready_refusals(socks, wait=0.5)
        self.assertLessEqual(len(early), 1)
        for s in early:
            self.assertEqual(s.recv(100), b"")
        # A newcomer gets in: the connection idle longest makes room (closed without an answer).
        for i in range(5):
            self.assert_answered(addr(40 + i))
        evicted = self.metric("sextant_http_connections_evicted_total", '{phase="idle"}') - before
        self.assertGreaterEqual(evicted, 1)
        # Ours that gave way were closed without an answer (never a 503). Not all evictions need be
        # ours: a connection left idle by an earlier request may be the longest idle.
        closed = self.ready_refusals(socks, wait=0.3)
        for s in closed:
            self.assertEqual(s.recv(100), b"")

    def test_slow_heads_from_many_addresses_give_way_when_full(self):
        # Its own server: a header timeout long enough that the heads are still arriving.
        srv = harness.SextantServer(extra_args=["--max-connections", "8", "--max-connections-per-address", "2",
                                                "--header-timeout", "60s", "--shutdown-timeout", "1s",
                                                "--access-log", "off"], env=ASAN_ENV)
        srv.start()
        try:
            held = []
            for i in range(8):  # 2 slow heads from each of 4 addresses: every slot taken
                s = socket.create_connection(("127.0.0.1", srv.port), timeout=10, source_address=(addr(50 + i // 2), 0))
                s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                held.append(s)
            self.held.extend(held)
            time.sleep(1.5)  # a head arriving for over a second may be cut when the server is full
            start = time.time()
            r = requests.get(srv.url("/health"), timeout=10)
            self.assertEqual(r.status_code, 200)
            self.assertLess(time.time() - start, ANSWER_BOUND_S)
            text = requests.get(srv.url("/metrics"), timeout=10).text
            # One connection gave way (a slow head; on a loaded machine a connection whose thread has
            # not yet seen its first bytes still counts as idle, which gives way first).
            evicted = harness.metric_samples(text, "sextant_http_connections_evicted_total")
            self.assertGreaterEqual(sum(evicted.values()), 1, evicted)
        finally:
            for s in held:
                s.close()
            srv.stop()
            srv.cleanup()

    # -- stalled and trickling requests ----------------------------------------------------------
    def stall(self, source, data):
        s = self.connect(source)
        s.sendall(data)
        return s

    def assert_timed_out_with_408(self, socks):
        for s in socks:
            answer = harness.read_http_response(s, timeout=CLOSE_BOUND_S)
            self.assert_json_error(answer, 408)
            took, _ = closed_by_server(s, CLOSE_BOUND_S)
            self.assertIsNotNone(took, "not closed after the 408")

    def test_stalled_headers(self):
        socks = [self.stall(addr(4), b"GET " + API.encode() + b"/experiments/get?experiment_id=0 HTTP/1.1\r\n"
                            b"Host: 127.0.0.1\r\nX-Slow: ") for _ in range(PER_ADDRESS)]
        socks += [self.stall(addr(5 + i), b"G") for i in range(4)]  # one byte from other addresses
        self.assert_answered()
        self.assert_timed_out_with_408(socks)
        self.assertGreaterEqual(self.metric("sextant_http_timeouts_total", '{phase="header"}'), len(socks))
        timed_out = self.wait_logged(lambda l: l.get("status") == 408 and l.get("timeout") == "header", len(socks))
        self.assertGreaterEqual(len(timed_out), len(socks))

    def test_stalled_bodies(self):
        head = ("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                "Content-Length: 100000\r\n%s\r\n{")
        cases = [
            ("POST", API + "/experiments/create", ""),                  # read whole (JSON routes)
            ("PUT", ARTIFACTS + "/abuse/stalled.bin", ""),               # streamed (uploads)
            ("POST", "/no/such/route", ""),                              # drained (404)
            ("GET", API + "/experiments/create", ""),                    # drained (405)
            ("POST", API + "/experiments/create", "Expect: 100-continue\r\n"),
        ]
        socks = []
        for i, (method, path, extra) in enumerate(cases):
            socks.append(self.stall(addr(20), (head % (method, path, extra)).encode()))
            socks.append(self.stall(addr(21 + i), (head % (method, path, extra)).encode()))
        self.assert_answered()
        for i, s in enumerate(socks):
            answer = harness.read_http_response(s, timeout=CLOSE_BOUND_S)  # after "100 Continue" where asked
            self.assertIsNotNone(answer, "no answer to %s" % (cases[i // 2],))
            self.assert_json_error(answer, 408)
            took, _ = closed_by_server(s, CLOSE_BOUND_S)
            self.assertIsNotNone(took)
        self.assertGreaterEqual(self.metric("sextant_http_timeouts_total", '{phase="body"}'), len(socks))

    def test_trickling_body_falls_below_the_minimum_rate(self):
        # One byte every half second: never silent for the body timeout, far below 1 KiB/s.
        s = self.stall(addr(6), b"POST " + API.encode() + b"/experiments/create HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
        deadline = time.time() + CLOSE_BOUND_S
        answered = None
        while time.time() < deadline:
            try:
                s.sendall(b" ")
            except OSError:
                break
            r, _, _ = select.select([s], [], [], 0.5)
            if r:
                answered = harness.read_http_response(s)
                break
        self.assert_json_error(answered, 408)

    # -- downloads nobody reads ------------------------------------------------------------------
    def big_search_request(self):
        """A runs/search request whose JSON answer is about 8 MB (10 runs of 100 8000-character tags)."""
        api = self.srv.url(API)
        eid = requests.post(api + "/experiments/create", json={"name": harness.unique("big")}, timeout=30).json()
        for _ in range(10):
            run = requests.post(api + "/runs/create", json={"experiment_id": eid["experiment_id"]}, timeout=30)
            tags = [{"key": "t%d" % i, "value": "x" * 8000} for i in range(100)]
            r = requests.post(api + "/runs/log-batch", json={"run_id": run.json()["run"]["info"]["run_id"],
                                                             "tags": tags}, timeout=30)
            self.assertEqual(r.status_code, 200, r.text)
        body = json.dumps({"experiment_ids": [eid["experiment_id"]]}).encode()
        return (b"POST " + API.encode() + b"/runs/search HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)

    def test_unread_downloads(self):
        path = ARTIFACTS + "/abuse/big.bin"
        r = requests.put(self.srv.url(path), data=os.urandom(DOWNLOAD_BYTES), timeout=60)
        self.assertEqual(r.status_code, 200, r.text)
        before = self.metric("sextant_http_timeouts_total", '{phase="write"}')
        file_body = b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        streamed = b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes=1-\r\n\r\n"
        sent = [self.big_search_request()] + [file_body, streamed] * (PER_ADDRESS // 2)
        for request in sent[:PER_ADDRESS]:
            s = self.connect(addr(7), rcvbuf=4096)
            s.sendall(request)
        self.assert_answered()
        # Each is closed after the write timeout: the counter moves and the slots come back.
        deadline = time.time() + CLOSE_BOUND_S
        while time.time() < deadline:
            now = self.metric("sextant_http_timeouts_total", '{phase="write"}')
            if now - before >= PER_ADDRESS:
                break
            time.sleep(0.2)
        self.assertGreaterEqual(now - before, PER_ADDRESS)
        lines = self.wait_logged(lambda l: l.get("timeout") == "write", PER_ADDRESS)
        self.assertGreaterEqual(len(lines), PER_ADDRESS)
        self.assertTrue(all(l.get("aborted") for l in lines))
        self.assertEqual({l["route"].rsplit("/", 1)[-1] for l in lines}, {"*", "search"})
        self.assert_answered(addr(7))  # the address has its slots back

    # -- load balancers ----------------------------------------------------------------------------
    def test_trusted_balancer_is_not_capped_per_address(self):
        socks = [self.connect(BALANCER) for _ in range(2 * PER_ADDRESS)]
        self.assertEqual(self.ready_refusals(socks, wait=0.5), [])
        self.assert_answered()

    # -- sequential short connections ------------------------------------------------------------
    def test_sequential_connection_close_requests_are_never_refused(self):
        for _ in range(3 * MAX_CONNECTIONS):
            conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=10, source_address=(addr(8), 0))
            conn.request("GET", "/health", headers={"Connection": "close"})
            resp = conn.getresponse()
            resp.read()
            conn.close()
            self.assertEqual(resp.status, 200)

    # -- framing ---------------------------------------------------------------------------------
    SMUGGLED = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

    def framing_answer(self, head_fields, body=b"", version=b"HTTP/1.1"):
        """The answer to a POST with `head_fields` and `body`, followed by a smuggled request."""
        s = self.connect()
        s.sendall(b"POST " + API.encode() + b"/experiments/create " + version + b"\r\n" + head_fields
                  + b"Content-Type: application/json\r\n\r\n" + body + self.SMUGGLED)
        answer = harness.read_http_response(s)
        took, rest = closed_by_server(s, CLOSE_BOUND_S)
        self.assertIsNotNone(took, "the connection stayed open after a framing error")
        self.assertNotIn(b"HTTP/1.1 200", rest, "the smuggled request was answered")
        return answer

    def test_smuggling_framings_are_refused_and_closed(self):
        host = b"Host: 127.0.0.1\r\n"
        cases = [
            (host + b"Transfer-Encoding: xchunked\r\n", b"5\r\nhello\r\n0\r\n\r\n", 400),
            (host + b"Transfer-Encoding: xchunked\r\nContent-Length: 5\r\n", b"hello", 400),
            (host + b"Transfer-Encoding: chunked, gzip\r\n", b"0\r\n\r\n", 400),
            (host + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n", b"0\r\n\r\n", 400),
            (host + b"Transfer-Encoding: identity\r\n", b"", 400),
            (host + b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", b"0\r\n\r\n", 400),
            (host + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", b"0\r\n\r\n", 400),
            (host + b"Content-Length: 2\r\nContent-Length: 5\r\n", b"{}", 400),
            (host + b"Content-Length: 2\r\nContent-Length: 2\r\n", b"{}", 400),
            (host + b"Content-Length: 2, 2\r\n", b"{}", 400),
            (host + b"Content-Length: +2\r\n", b"{}", 400),
            (host + b"Transfer-Encoding: gzip, chunked\r\n", b"0\r\n\r\n", 501),
            (host + host + b"Content-Length: 2\r\n", b"{}", 400),
            (b"Content-Length: 2\r\n", b"{}", 400),  # HTTP/1.1 without Host
        ]
        for fields, body, status in cases:
            with self.subTest(fields=fields):
                self.assert_json_error(self.framing_answer(fields, body), status)
        with self.subTest("HTTP/1.0 with Transfer-Encoding"):
            self.assert_json_error(self.framing_answer(host + b"Transfer-Encoding: chunked\r\n", b"0\r\n\r\n",
                                                       b"HTTP/1.0"), 400)
        lines = self.wait_logged(lambda l: l.get("route") == "(malformed)" and l.get("status") in (400, 501),
                                 len(cases) + 1)
        self.assertGreaterEqual(len(lines), len(cases) + 1)
        text = requests.get(self.srv.url("/metrics"), timeout=10).text
        malformed = sum(v for k, v in harness.metric_samples(text, "sextant_http_requests_total").items()
                        if 'route="(malformed)"' in k)
        self.assertGreaterEqual(malformed, len(cases) + 1)
        self.assert_answered()

    def test_chunked_still_works(self):
        s = self.connect()
        body = json.dumps({"name": harness.unique("chunked")}).encode()
        s.sendall(b"POST " + API.encode() + b"/experiments/create HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                  + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n" + self.SMUGGLED)
        data = b""
        while data.count(b"HTTP/1.1 ") < 2:  # this answer and the next request's, same connection
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        self.assertEqual(re.findall(rb"HTTP/1\.1 (\d+) ", data), [b"200", b"200"], data[:500])

    def answer_to(self, raw):
        """The server's answer to `raw` on a new connection, which the server then closes."""
        s = self.connect()
        s.sendall(raw)
        answer = harness.read_http_response(s)
        took, _ = closed_by_server(s, CLOSE_BOUND_S)
        self.assertIsNotNone(took, "the connection stayed open after an error")
        return answer

    def test_oversized_head_is_431(self):
        for fields in (b"X-Big: " + b"a" * 10000 + b"\r\n",
                       b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 90) for i in range(200))):
            with self.subTest(size=len(fields)):
                answer = self.answer_to(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + fields + b"\r\n")
                self.assert_json_error(answer, 431)
        self.assertGreaterEqual(len(self.wait_logged(lambda l: l.get("status") == 431, 2)), 2)

    def test_malformed_request_lines_are_400(self):
        for raw in (b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n",
                    b"GET /he alth HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                    b"GET /health HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n"):
            with self.subTest(raw=raw):
                self.assert_json_error(self.answer_to(raw), 400)

    def test_invalid_percent_escapes_and_utf8_in_paths(self):
        paths = ["/%ff", API + "/experiments/get%ff", ARTIFACTS + "/%ff%fe/x", ARTIFACTS + "/a%C0%AFb",
                 API + "/experiments/get%zz", "/%", ARTIFACTS + "/%ED%A0%80"]
        for path in paths:
            with self.subTest(path=path):
                r = self.srv.raw_request("GET", path, timeout=10)
                self.assertEqual(r.status_code, 400, r.text)
                self.assertEqual(json.loads(r.content)["error_code"], "INVALID_PARAMETER_VALUE")
        lines = self.wait_logged(lambda l: l.get("status") == 400 and l.get("route") == "(malformed)"
                                 and l.get("method") == "GET", len(paths))
        self.assertGreaterEqual(len(lines), len(paths))
        # Invalid UTF-8 in the query: a JSON answer (no dropped connection) and a log line.
        for query in ("experiment_name=%ff", "%ff=1", "experiment_name=%C0%AF"):
            with self.subTest(query=query):
                r = self.srv.raw_request("GET", API + "/experiments/get-by-name?" + query, timeout=10)
                self.assertEqual(r.status_code, 400, r.text)
                self.assertEqual(json.loads(r.content)["error_code"], "INVALID_PARAMETER_VALUE")
        self.assert_answered()


if __name__ == "__main__":
    unittest.main()
