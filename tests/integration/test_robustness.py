"""HTTP/JSON robustness: malformed input must give a 4xx (never a 5xx, never a crash), idle
connections must not starve the server (spec §1.2, §1.4, §1.5 "return 4xx for client mistakes",
§3.1)."""

import json
import socket
import threading
import time
import unittest

import harness
from harness import api_get, api_post, now_ms, unique, params_of, metrics_of
from harness import setUpModule, tearDownModule  # noqa: F401


class RobustnessBase(harness.SextantTestCase):
    def tearDown(self):
        # after every test the server must still be alive and answering
        self.assertTrue(self.srv.is_running(), "server died:\n" + self.srv.stderr_text())
        r = self.srv.request("GET", "/health", timeout=10)
        self.assertEqual(r.status_code, 200)

    def raw_socket_request(self, data, timeout=10):
        s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=timeout)
        try:
            s.sendall(data)
            chunks = []
            while True:
                try:
                    c = s.recv(65536)
                except socket.timeout:
                    break
                if not c:
                    break
                chunks.append(c)
                if b"\r\n\r\n" in b"".join(chunks) and len(b"".join(chunks)) > 12:
                    # read until the server closes or the timeout hits
                    s.settimeout(1)
            return b"".join(chunks)
        finally:
            s.close()

    def status_of(self, raw):
        line = raw.split(b"\r\n", 1)[0]
        parts = line.split()
        return int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else None


class TestMalformedJson(RobustnessBase):
    def post_raw(self, path, data):
        return harness.api_request("POST", path, data=data,
                                   headers={"Content-Type": "application/json"})

    def test_deeply_nested_json(self):
        for data in (b"[" * 100000, b'{"a":' * 100000, b"[" * 100000 + b"]" * 100000):
            r = self.post_raw("runs/log-metric", data)
            self.assertError(r, 400, ("INVALID_PARAMETER_VALUE", "BAD_REQUEST"),
                             msg="deep nesting")

    def test_invalid_utf8(self):
        rid = self.create_run_id()
        body = b'{"run_id": "' + rid.encode() + b'", "key": "k", "value": "\xff\xfe\xfa"}'
        r = self.post_raw("runs/set-tag", body)
        self.assertNot5xx(r)
        self.assertIn(r.status_code // 100, (2, 4), harness.describe(r))

    def test_non_object_json(self):
        for data in (b"[1, 2]", b"42", b"null", b"true", b'"just a string"'):
            r = self.post_raw("runs/log-metric", data)
            self.assertError(r, 400, ("INVALID_PARAMETER_VALUE", "BAD_REQUEST"), msg=repr(data))

    def test_null_values_are_missing(self):
        rid = self.create_run_id()
        r = api_post("runs/log-metric", {"run_id": rid, "key": "m", "value": None,
                                         "timestamp": 1})
        self.assertBadParam(r)
        r = api_post("runs/log-metric", {"run_id": None, "key": "m", "value": 1,
                                         "timestamp": 1})
        self.assertBadParam(r)
        r = api_post("runs/log-batch", {"run_id": rid, "metrics": None, "params": None,
                                        "tags": None})
        self.assertNot5xx(r)
        self.assertIn(r.status_code, (200, 400))

    def test_wrong_container_types(self):
        rid = self.create_run_id()
        for body in ({"run_id": rid, "metrics": {"key": "m"}},
                     {"run_id": rid, "params": "p=1"},
                     {"run_id": rid, "tags": [1, 2, 3]},
                     {"run_id": rid, "metrics": [{"key": ["m"], "value": 1, "timestamp": 1}]},
                     {"run_id": ["a", "b"]},
                     {"run_id": {"x": 1}}):
            r = api_post("runs/log-batch", body)
            self.assertBadParam(r, msg=json.dumps(body)[:80])
        self.assertEqual(metrics_of(self.get_run(rid)), {})

    def test_integer_overflow(self):
        rid = self.create_run_id()
        for ts in ("99999999999999999999999", 1e30, "9223372036854775808", -1e30):
            r = api_post("runs/log-metric", {"run_id": rid, "key": "m", "value": 1,
                                             "timestamp": ts})
            self.assertBadParam(r, msg=str(ts))
        r = api_post("experiments/search", {"max_results": 10 ** 30})
        self.assertBadParam(r)

    def test_int64_extremes_ok(self):
        rid = self.create_run_id()
        self.log_metric(rid, "big", 1.0, timestamp=2 ** 63 - 1, step=-(2 ** 63))
        m = metrics_of(self.get_run(rid))["big"]
        self.assertEqual((m["timestamp"], m["step"]), (2 ** 63 - 1, -(2 ** 63)))

    def test_huge_float_literal(self):
        rid = self.create_run_id()
        body = ('{"run_id": "%s", "key": "h", "value": 1e400, "timestamp": 1}' % rid).encode()
        r = self.post_raw("runs/log-metric", body)
        self.assertNot5xx(r)
        if r.status_code == 200:
            self.assertEqual(metrics_of(self.get_run(rid))["h"]["value"], harness.DBL_MAX)

    def test_duplicate_json_keys(self):
        rid = self.create_run_id()
        body = ('{"run_id": "%s", "key": "d", "value": "first", "value": "second"}'
                % rid).encode()
        r = self.post_raw("runs/log-parameter", body)
        self.assertNot5xx(r)

    def test_json_with_bom_and_whitespace(self):
        rid = self.create_run_id()
        body = ("\n\t  " + json.dumps({"run_id": rid, "key": "ws", "value": "v"}) + "  \n")
        self.assertOk(self.post_raw("runs/log-parameter", body.encode()))
        self.assertEqual(params_of(self.get_run(rid))["ws"], "v")

    def test_big_json_body(self):
        rid = self.create_run_id()
        # ~1 MB body: 100 tags of 8000 chars + 100 params of 6000 chars + 800 metrics
        body = {"run_id": rid,
                "tags": [{"key": "t%d" % i, "value": "x" * 8000} for i in range(100)],
                "params": [{"key": "p%d" % i, "value": "y" * 6000} for i in range(100)],
                "metrics": [{"key": "m", "value": i, "timestamp": 1, "step": i}
                            for i in range(800)]}
        self.assertOk(api_post("runs/log-batch", body))
        self.assertEqual(len(params_of(self.get_run(rid))), 100)


class TestMalformedHttp(RobustnessBase):
    def test_garbage_request_line(self):
        raw = self.raw_socket_request(b"THIS IS NOT HTTP\r\n\r\n", timeout=3)
        st = self.status_of(raw)
        self.assertTrue(st is None or 400 <= st < 500, raw[:200])

    def test_bad_content_length(self):
        raw = self.raw_socket_request(
            b"POST /api/2.0/mlflow/runs/log-metric HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: abc\r\n\r\n{}", timeout=3)
        st = self.status_of(raw)
        self.assertTrue(st is None or 400 <= st < 500, raw[:200])

    def test_truncated_body(self):
        # announces 1000 bytes, sends 10, then closes: server must not hang or crash
        s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=5)
        s.sendall(b"POST /api/2.0/mlflow/runs/log-metric HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"run_id\"")
        s.close()

    def test_http10_request(self):
        raw = self.raw_socket_request(b"GET /health HTTP/1.0\r\n\r\n", timeout=3)
        self.assertEqual(self.status_of(raw), 200, raw[:200])
        self.assertTrue(raw.endswith(b"OK"), raw[-50:])

    def test_pipelined_requests(self):
        req = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        raw = self.raw_socket_request(req * 3 + b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                      b"Connection: close\r\n\r\n", timeout=5)
        self.assertEqual(raw.count(b"HTTP/1.1 200"), 4, raw[:500])

    def test_chunked_json_post(self):
        name = unique("chunked")

        def gen():
            text = json.dumps({"name": name}).encode()
            yield text[:5]
            yield text[5:]

        r = harness.api_request("POST", "experiments/create", data=gen(),
                                headers={"Content-Type": "application/json"})
        self.assertOk(r)
        self.assertOk(api_get("experiments/get-by-name", {"experiment_name": name}))

    def test_long_url(self):
        r = api_get("experiments/get-by-name", {"experiment_name": "x" * 20000})
        self.assertNot5xx(r)
        self.assertIn(r.status_code, (404, 414, 431, 400))

    def test_many_headers(self):
        headers = {"X-Custom-%d" % i: "v" * 100 for i in range(50)}
        r = api_get("experiments/get", {"experiment_id": "0"}, headers=headers)
        self.assertOk(r)

    def test_head_and_options_do_not_crash(self):
        for method in ("HEAD", "OPTIONS", "PATCH", "TRACE"):
            r = self.srv.request(method, harness.API + "/experiments/get",
                                 params={"experiment_id": "0"})
            self.assertNot5xx(r, method)

    def test_nul_and_control_chars_in_paths(self):
        rid = self.create_run_id()
        for p in ("a%00b.txt", "a%0Ab.txt", "a%1Fb.txt"):
            r = self.srv.raw_request("PUT", harness.ARTIFACTS + "/0/%s/artifacts/%s" % (rid, p),
                                     body=b"x")
            self.assertNot5xx(r, p)
            r = self.srv.raw_request("GET", harness.ARTIFACTS + "/0/%s/artifacts/%s" % (rid, p))
            self.assertNot5xx(r, p)


class TestIdleConnections(RobustnessBase):
    def test_idle_connections_do_not_starve_server(self):
        # Python clients keep idle keep-alive connections in their pools; silent TCP
        # connections (no bytes sent) must not block other clients either.
        idle = []
        try:
            for _ in range(64):
                idle.append(socket.create_connection(("127.0.0.1", self.srv.port), timeout=5))
            sessions = []
            for _ in range(32):
                s = harness.new_session()
                self.assertEqual(s.get(self.srv.url("/health"), timeout=10).status_code, 200)
                sessions.append(s)  # connection stays open (keep-alive) and idle
            half = []
            for _ in range(8):  # headers sent, body never completes
                c = socket.create_connection(("127.0.0.1", self.srv.port), timeout=5)
                c.sendall(b"POST /api/2.0/mlflow/runs/log-metric HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
                half.append(c)
            idle.extend(half)
            t0 = time.time()
            fresh = harness.new_session()
            r = fresh.get(self.srv.url(harness.API + "/experiments/get"),
                          params={"experiment_id": "0"}, timeout=10)
            self.assertEqual(r.status_code, 200)
            self.assertLess(time.time() - t0, 5.0)
            # the idle keep-alive sessions still work
            for s in sessions[:4]:
                self.assertEqual(s.get(self.srv.url("/health"), timeout=10).status_code, 200)
        finally:
            for c in idle:
                c.close()


class TestFilterInjection(RobustnessBase):
    @classmethod
    def setUpClass(cls):
        tc = harness.SextantTestCase()
        cls.exp = tc.create_experiment(unique("inj"))
        cls.rid = tc.create_run_id(cls.exp)
        tc.log_param(cls.rid, "p", "a AND b")
        tc.log_param(cls.rid, "q", "x = 'y'")
        tc.log_metric(cls.rid, "m", 5.0, timestamp=1)

    def ids(self, filt):
        data = self.assertOk(api_post("runs/search", {"experiment_ids": [self.exp],
                                                      "filter": filt}), filt)
        return [r["info"]["run_id"] for r in data.get("runs", [])]

    def test_keywords_inside_strings(self):
        self.assertEqual(self.ids("params.p = 'a AND b'"), [self.rid])
        self.assertEqual(self.ids("params.q = \"x = 'y'\""), [self.rid])
        self.assertEqual(self.ids("params.p LIKE '% AND %' AND metrics.m = 5"), [self.rid])

    def test_whitespace_variants(self):
        self.assertEqual(self.ids("metrics.m>4"), [self.rid])
        self.assertEqual(self.ids("metrics.m>=5 and params.p='a AND b'"), [self.rid])
        self.assertEqual(self.ids("  metrics.m   <   6  "), [self.rid])
        self.assertEqual(self.ids("metrics.m > 4\nAND\tparams.p != 'z'"), [self.rid])
        self.assertEqual(self.ids("metrics.m = -1.5e-3"), [])

    def test_injection_attempts_are_harmless(self):
        attempts = [
            "params.p = 'x' OR 1=1",
            "params.p = 'x' OR '1'='1'",
            "params.p = 'x'; DROP TABLE runs; --",
            "params.p = 'x' -- comment",
            "tags.`t` = 'x'); DROP TABLE runs; --",
            "params.`p' OR '1'='1` = 'a'",
            "params.p = 'a'' OR ''1''=''1'",
            "metrics.m > 1 UNION SELECT * FROM runs",
            "attributes.run_id IN ('x') OR 1=1",
        ]
        for f in attempts:
            r = api_post("runs/search", {"experiment_ids": [self.exp], "filter": f})
            self.assertNot5xx(r, f)
            if r.status_code == 200:
                self.assertEqual(r.json().get("runs", []), [], f)
            else:
                self.assertBadParam(r, msg=f)
        # DB intact
        self.assertEqual(self.ids("metrics.m = 5"), [self.rid])
        self.assertEqual(params_of(self.get_run(self.rid))["p"], "a AND b")

    def test_order_by_injection(self):
        for ob in ("start_time; DROP TABLE runs", "metrics.`m`; --", "(select 1)"):
            r = api_post("runs/search", {"experiment_ids": [self.exp], "order_by": [ob]})
            self.assertNot5xx(r, ob)
            self.assertBadParam(r, msg=ob)
        self.assertEqual(self.ids("metrics.m = 5"), [self.rid])

    def test_experiment_filter_injection(self):
        for f in ("name = 'x' OR 1=1", "name = 'x'; DROP TABLE experiments"):
            r = api_post("experiments/search", {"max_results": 10, "filter": f})
            self.assertBadParam(r, msg=f)
        self.assertOk(api_get("experiments/get", {"experiment_id": self.exp}))


if __name__ == "__main__":
    unittest.main()
