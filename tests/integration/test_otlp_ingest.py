"""OTLP/HTTP span ingest, POST /v1/traces (docs/design/tracing/otlp-ingest.md): bodies built by
the test itself (otlp_wire.py: protobuf and OTLP/JSON), gzip / deflate, multi-batch and out of
order arrival, MLflow's status codes and {"detail": ...} bodies, and that a rejected request
stores nothing. Rows are checked in the database and through GetTrace."""

import gzip
import json
import os
import sys
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import api_get, setUpModule, tearDownModule  # noqa: E402,F401
import otlp_wire  # noqa: E402

API3 = "/api/3.0/mlflow"
PROTO = "application/x-protobuf"

# A span and the content MLflow 3.6 stores for it (Span.from_otel_proto ->
# translate_span_when_storing -> json.dumps, computed with MLflow itself), plus the
# mlflow.spanType MLflow adds when it reads the span back.
REF_TRACE = bytes.fromhex("0af7651916cd43dd8448eb211c80319c")
REF_SPAN = {
    "trace_id": REF_TRACE, "span_id": bytes.fromhex("b7ad6b7169203331"), "parent": bytes.fromhex("00f067aa0ba902b7"),
    "name": "ch\u00e9ck \U0001F600", "start": 1_500_000_000, "end": 2_750_000_000,
    "attrs": [("s", "str"), ("i", -7), ("d", 2.0), ("d2", 1e-05), ("b", True), ("arr", [1, "a", None, 2.5]),
              ("kv", {"x": 1, "y": [True]}), ("bytes", b"\x00\x01'\xff"), ("jsonobj", '{"a": 1}'), ("quoted", '"hi"'),
              ("ten", "10"), ("uni", "h\u00e9llo \u2713\n"), ("empty", None), ("s", "again"),
              ("input.value", "Hello"), ("output.value", '{"choices": []}'),
              ("llm.token_count.prompt", 100), ("llm.token_count.completion", 50), ("openinference.span.kind", "LLM")],
    "events": [{"name": "ev", "time": 3, "attrs": {"e.s": "v\u00e9", "e.i": 3, "e.kv": {"q": "w"}, "e.b": b"\x01"}}],
    "status": (2, "boom"),
}
REF_CONTENT = (
    '{"trace_id": "CvdlGRbNQ92ESOshHIAxnA==", "span_id": "t61rcWkgMzE=", "parent_span_id": "APBnqgupArc=", '
    '"name": "ch\\u00e9ck \\ud83d\\ude00", "start_time_unix_nano": 1500000000, "end_time_unix_nano": 2750000000, '
    '"events": [{"name": "ev", "time_unix_nano": 3, "attributes": {"e.s": "v\\u00e9", "e.i": 3, "e.kv": {"q": "w"}, '
    '"e.b": "b\'\\\\x01\'"}}], "status": {"code": "STATUS_CODE_ERROR", "message": "boom"}, "attributes": '
    '{"mlflow.traceRequestId": "\\"tr-0af7651916cd43dd8448eb211c80319c\\"", "s": "\\"again\\"", "i": "-7", '
    '"d": "2.0", "d2": "1e-05", "b": "true", "arr": "[1, \\"a\\", null, 2.5]", "kv": "{\\"x\\": 1, \\"y\\": [true]}", '
    '"bytes": "\\"b\\\\\\"\\\\\\\\x00\\\\\\\\x01\'\\\\\\\\xff\\\\\\"\\"", "jsonobj": "{\\"a\\": 1}", "quoted": "\\"hi\\"", '
    '"ten": "\\"10\\"", "uni": "\\"h\\u00e9llo \\u2713\\\\n\\"", "empty": "null", "input.value": "\\"Hello\\"", '
    '"output.value": "{\\"choices\\": []}", "llm.token_count.prompt": "100", "llm.token_count.completion": "50", '
    '"openinference.span.kind": "\\"LLM\\"", "mlflow.spanInputs": "\\"Hello\\"", '
    '"mlflow.spanOutputs": "{\\"choices\\": []}", '
    '"mlflow.chat.tokenUsage": "{\\"input_tokens\\": 100, \\"output_tokens\\": 50, \\"total_tokens\\": 150}", '
    '"mlflow.spanType": "\\"LLM\\""}}')


def tid(n):
    return n.to_bytes(16, "big")


def sid(n):
    return n.to_bytes(8, "big")


def post(body, content_type=PROTO, experiment="0", encoding=None, extra=None):
    headers = {"Content-Type": content_type} if content_type else {}
    if experiment is not None:
        headers["x-mlflow-experiment-id"] = experiment
    if encoding:
        headers["Content-Encoding"] = encoding
    headers.update(extra or {})
    srv = harness.server()
    return srv.request("POST", "/v1/traces", data=body, headers=headers)


class OtlpIngestTest(harness.SextantTestCase):
    _next = [0x5000]

    def new_trace(self):
        self._next[0] += 1
        return tid(self._next[0] << 64 | 0xABC)

    def rows(self, sql, params=()):
        conn = self.srv.db()
        try:
            return [tuple(r) for r in conn.execute(sql, params).fetchall()]
        finally:
            conn.close()

    def counts(self):
        return tuple(self.rows("SELECT COUNT(*) FROM %s" % t)[0][0]
                     for t in ("trace_info", "spans", "trace_tags", "trace_request_metadata"))

    def trace_row(self, trace_id):
        rows = self.rows("SELECT experiment_id, timestamp_ms, execution_time_ms, status, request_preview, "
                         "response_preview FROM trace_info WHERE request_id = ?", (trace_id,))
        return rows[0] if rows else None

    def assertDetail(self, resp, status, contains):
        self.assertEqual(resp.status_code, status, resp.text)
        self.assertIn("application/json", resp.headers.get("Content-Type", ""))
        body = resp.json()
        self.assertIn(contains, body["detail"], body)

    def assertNothingStored(self, before):
        self.assertEqual(self.counts(), before)

    # --- what gets stored --------------------------------------------------------------

    def test_protobuf_span_is_stored_as_mlflow_stores_it(self):
        resp = post(otlp_wire.request_bytes([[REF_SPAN]]))
        self.assertEqual(resp.status_code, 200, resp.text)
        self.assertEqual(resp.content, b"")  # an empty ExportTraceServiceResponse
        self.assertEqual(resp.headers["Content-Type"], PROTO)
        trace_id = "tr-" + REF_TRACE.hex()
        rows = self.rows("SELECT span_id, parent_span_id, name, type, status, start_time_unix_nano, "
                         "end_time_unix_nano, duration_ns, content, experiment_id FROM spans WHERE trace_id = ?",
                         (trace_id,))
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][:8], ("b7ad6b7169203331", "00f067aa0ba902b7", "ch\u00e9ck \U0001F600", None,
                                       "ERROR", 1500000000, 2750000000, 1250000000))
        self.assertEqual(rows[0][8], REF_CONTENT)
        # A child only: in progress, times from the span, tokens summed, no previews (not a root).
        self.assertEqual(self.trace_row(trace_id), (0, 1500, 1250, "IN_PROGRESS", None, None))
        tags = dict(self.rows("SELECT key, value FROM trace_tags WHERE request_id = ?", (trace_id,)))
        self.assertEqual(tags["mlflow.trace.spansLocation"], "TRACKING_STORE")
        self.assertTrue(tags["mlflow.artifactLocation"].endswith("/traces/%s/artifacts" % trace_id), tags)
        meta = dict(self.rows("SELECT key, value FROM trace_request_metadata WHERE request_id = ?", (trace_id,)))
        self.assertEqual(meta, {"mlflow.trace.tokenUsage":
                                '{"input_tokens": 100, "output_tokens": 50, "total_tokens": 150}'})

    def test_json_body_stores_the_same_rows(self):
        span = dict(REF_SPAN, trace_id=self.new_trace())
        resp = post(json.dumps(otlp_wire.request_json([[span]])), "application/json; charset=utf-8")
        self.assertEqual(resp.status_code, 200, resp.text)
        self.assertEqual(resp.json(), {})
        self.assertEqual(resp.headers["Content-Type"], "application/json")
        content = self.rows("SELECT content FROM spans WHERE trace_id = ?", ("tr-" + span["trace_id"].hex(),))[0][0]
        expected = json.loads(REF_CONTENT)
        expected["trace_id"] = __import__("base64").b64encode(span["trace_id"]).decode()
        expected["attributes"]["mlflow.traceRequestId"] = json.dumps("tr-" + span["trace_id"].hex())
        self.assertEqual(json.loads(content), expected)

    def test_json_accepts_numbers_enum_names_and_snake_case(self):
        t = self.new_trace()
        body = {"resource_spans": [{"scope_spans": [{"spans": [{
            "trace_id": t.hex().upper(), "span_id": "00000000000000AA", "name": "root",
            "start_time_unix_nano": 2_000_000_000, "endTimeUnixNano": "3000000000", "kind": "SPAN_KIND_SERVER",
            "status": {"code": "STATUS_CODE_OK"}, "unknownField": [1, 2],
            "attributes": [{"key": "n", "value": {"intValue": 5}}, {"key": "nan", "value": {"doubleValue": "NaN"}}]}]}]}]}
        resp = post(json.dumps(body), "application/json")
        self.assertEqual(resp.status_code, 200, resp.text)
        trace_id = "tr-" + t.hex()
        self.assertEqual(self.trace_row(trace_id), (0, 2000, 1000, "OK", None, None))
        content = self.rows("SELECT content FROM spans WHERE trace_id = ?", (trace_id,))[0][0]
        self.assertIn('"n": "5", "nan": "NaN"', content)

    def test_gzip_and_deflate_bodies(self):
        for encoding, compress in (("gzip", gzip.compress), ("deflate", zlib.compress),
                                   ("deflate", lambda b: zlib.compress(b)[2:-4])):  # raw deflate too
            t = self.new_trace()
            body = otlp_wire.request_bytes([[{"trace_id": t, "span_id": sid(1), "name": "z", "start": 1, "end": 2}]])
            resp = post(compress(body), encoding=encoding)
            self.assertEqual(resp.status_code, 200, resp.text)
            self.assertEqual(len(self.rows("SELECT 1 FROM spans WHERE trace_id = ?", ("tr-" + t.hex(),))), 1)

    def test_spans_in_several_batches_out_of_order_widen_the_trace(self):
        t = self.new_trace()
        trace_id = "tr-" + t.hex()
        root = {"trace_id": t, "span_id": sid(1), "name": "root", "start": 1_000_000_000, "end": 4_000_000_000,
                "status": (1, ""),
                "attrs": {"mlflow.spanInputs": '{"messages": [{"role": "user", "content": "Q?"}]}',
                          "mlflow.spanOutputs": "the answer", "gen_ai.usage.input_tokens": 7,
                          "gen_ai.usage.output_tokens": 3}}
        child = {"trace_id": t, "span_id": sid(2), "parent": sid(1), "name": "child", "start": 2_000_000_000,
                 "end": 5_000_000_000, "status": (2, "boom"),
                 "attrs": {"llm.token_count.prompt": 100, "llm.token_count.completion": 50}}
        sibling = {"trace_id": t, "span_id": sid(3), "parent": sid(1), "name": "open", "start": 500_000_000}
        self.assertEqual(post(otlp_wire.request_bytes([[child]])).status_code, 200)
        self.assertEqual(self.trace_row(trace_id), (0, 2000, 3000, "IN_PROGRESS", None, None))
        # JSON for the next batch: encodings mix within one trace.
        self.assertEqual(post(json.dumps(otlp_wire.request_json([[sibling]])), "application/json").status_code, 200)
        self.assertEqual(self.trace_row(trace_id), (0, 500, 4500, "IN_PROGRESS", None, None))
        self.assertEqual(post(otlp_wire.request_bytes([[root]])).status_code, 200)
        self.assertEqual(self.trace_row(trace_id), (0, 500, 4500, "OK", "Q?", '"the answer"'))
        meta = dict(self.rows("SELECT key, value FROM trace_request_metadata WHERE request_id = ?", (trace_id,)))
        self.assertEqual(json.loads(meta["mlflow.trace.tokenUsage"]),
                         {"input_tokens": 107, "output_tokens": 53, "total_tokens": 160})
        # A later root batch changes neither the state nor the previews.
        late = dict(root, span_id=sid(9), status=(2, "late"), attrs={"mlflow.spanInputs": "other"})
        self.assertEqual(post(otlp_wire.request_bytes([[late]])).status_code, 200)
        self.assertEqual(self.trace_row(trace_id), (0, 500, 4500, "OK", "Q?", '"the answer"'))
        # GetTrace returns all four spans, roots first.
        resp = api_get(API3 + "/traces/get", {"trace_id": trace_id})
        self.assertEqual(resp.status_code, 200, resp.text)
        spans = resp.json()["trace"]["spans"]
        self.assertEqual(len(spans), 4)
        self.assertEqual({s["name"] for s in spans[:2]}, {"root"})

    def test_resent_span_replaces_its_row(self):
        t = self.new_trace()
        span = {"trace_id": t, "span_id": sid(1), "name": "first", "start": 1, "end": 2}
        self.assertEqual(post(otlp_wire.request_bytes([[span, dict(span, name="dup-in-batch")]])).status_code, 200)
        self.assertEqual(post(otlp_wire.request_bytes([[dict(span, name="second")]])).status_code, 200)
        self.assertEqual(self.rows("SELECT name FROM spans WHERE trace_id = ?", ("tr-" + t.hex(),)), [("second",)])

    def test_several_traces_in_one_request(self):
        ts = [self.new_trace() for _ in range(3)]
        groups = [[{"trace_id": t, "span_id": sid(1), "name": "r", "start": 10**9, "end": 2 * 10**9}] for t in ts]
        groups[1].append({"trace_id": ts[0], "span_id": sid(2), "parent": sid(1), "name": "c", "start": 10**9})
        self.assertEqual(post(otlp_wire.request_bytes(groups)).status_code, 200)
        for t, n in zip(ts, (2, 1, 1)):
            self.assertEqual(self.rows("SELECT COUNT(*) FROM spans WHERE trace_id = ?", ("tr-" + t.hex(),))[0][0], n)

    def test_experiment_from_header_and_existing_trace_keeps_its_experiment(self):
        exp = self.create_experiment()
        t = self.new_trace()
        span = {"trace_id": t, "span_id": sid(1), "name": "r", "start": 1, "end": 2}
        self.assertEqual(post(otlp_wire.request_bytes([[span]]), experiment=exp).status_code, 200)
        # MLflow ignores the header for a trace that exists.
        more = dict(span, span_id=sid(2))
        self.assertEqual(post(otlp_wire.request_bytes([[more]]), experiment="987654").status_code, 200)
        rows = self.rows("SELECT DISTINCT experiment_id FROM spans WHERE trace_id = ?", ("tr-" + t.hex(),))
        self.assertEqual(rows, [(int(exp),)])

    def test_mlflow_trace_request_id_attribute_names_the_trace(self):
        t = self.new_trace()
        custom = "tr-custom-" + t.hex()[:8]
        span = {"trace_id": t, "span_id": sid(1), "name": "r", "start": 1, "end": 2,
                "attrs": {"mlflow.traceRequestId": custom}}
        self.assertEqual(post(otlp_wire.request_bytes([[span]])).status_code, 200)
        self.assertIsNotNone(self.trace_row(custom))
        too_long = dict(span, attrs={"mlflow.traceRequestId": "x" * 51})
        self.assertDetail(post(otlp_wire.request_bytes([[too_long]])), 422, "Cannot convert OpenTelemetry span")

    # --- errors: MLflow's statuses, nothing stored ---------------------------------------

    def test_missing_experiment_header_is_fastapi_422(self):
        before = self.counts()
        resp = post(otlp_wire.request_bytes([[{"trace_id": self.new_trace(), "span_id": sid(1)}]]), experiment=None)
        self.assertEqual(resp.status_code, 422)
        self.assertEqual(resp.json(), {"detail": [{"type": "missing", "loc": ["header", "x-mlflow-experiment-id"],
                                                   "msg": "Field required", "input": None}]})
        self.assertNothingStored(before)

    def test_content_type_and_encoding_errors(self):
        body = otlp_wire.request_bytes([[{"trace_id": self.new_trace(), "span_id": sid(1)}]])
        before = self.counts()
        self.assertDetail(post(body, "text/plain"), 400, "Invalid Content-Type: text/plain")
        self.assertDetail(post(body, None), 400, "Invalid Content-Type: None")
        # MLflow's test sends a protobuf body labelled JSON and wants "Invalid Content-Type".
        self.assertDetail(post(body, "application/json"), 400, "Invalid Content-Type")
        self.assertDetail(post(body, encoding="br"), 415, "Unsupported Content-Encoding")
        self.assertDetail(post(b"\x1f\x8b\x08\x00garbage", encoding="gzip"), 400, "not a valid gzip stream")
        self.assertDetail(post(gzip.compress(body)[:-6], encoding="gzip"), 400, "not a valid gzip stream")
        self.assertDetail(post(gzip.compress(body)), 400, "Invalid OpenTelemetry protobuf format")
        self.assertNothingStored(before)

    def test_malformed_protobuf_is_400_and_stores_nothing(self):
        good = otlp_wire.request_bytes([[{"trace_id": self.new_trace(), "span_id": sid(1), "name": "x"}]])
        before = self.counts()
        cases = {
            "truncated": good[:-3],
            "length past the end": b"\x0a\x7f\x00",
            "truncated varint": b"\x0a\xff\xff",
            "group wire type": b"\x0b",
            "field number 0": b"\x02\x00",
            "wrong wire type for a known field": b"\x08\x01",
            "text": b"this is not valid protobuf data at all",
            "bad utf-8 name": otlp_wire.request_bytes([[{"trace_id": self.new_trace(), "span_id": sid(1),
                                                          "name": b"\xff\xfe"}]]),
            "nested too deep": otlp_wire.request_bytes([[{"trace_id": self.new_trace(), "span_id": sid(1),
                                                          "attrs": {"deep": self._deep(120)}}]]),
        }
        for name, body in cases.items():
            with self.subTest(name):
                resp = post(body)
                self.assertEqual(resp.status_code, 400, resp.text)
                self.assertIn("detail", resp.json())
        self.assertDetail(post(b""), 400, "no spans found")
        self.assertNothingStored(before)

    @staticmethod
    def _deep(n):
        v = "leaf"
        for _ in range(n):
            v = [v]
        return v

    def test_malformed_json_is_400(self):
        before = self.counts()
        for body in ('{"resourceSpans": 5}', '{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "zz"}]}]}]}',
                     '[1, 2]', '{"resourceSpans": [{"scopeSpans": [{"spans": [{"attributes": [{"key": "k", '
                     '"value": {"stringValue": "a", "intValue": "1"}}]}]}]}]}',
                     '{"resourceSpans": [{"scopeSpans": [{"spans": [{"startTimeUnixNano": "-1"}]}]}]}',
                     '[' * 500 + ']' * 500,
                     '{"resourceSpans": [{"scopeSpans": [{"spans": [{"attributes": [{"key": "k", "value": 1%s}]}]}]}]}'
                     % ('1' * 400)):  # a number too large for a double
            with self.subTest(body[:40]):
                self.assertDetail(post(body, "application/json"), 400, "Invalid")
        self.assertDetail(post("{}", "application/json"), 400, "no spans found")
        self.assertNothingStored(before)

    def test_unconvertible_span_is_422_and_the_whole_request_is_refused(self):
        good = {"trace_id": self.new_trace(), "span_id": sid(1), "name": "ok", "start": 1, "end": 2}
        before = self.counts()
        for bad in ({"trace_id": b"", "span_id": sid(1)},  # MLflow's test: no trace id
                    {"trace_id": self.new_trace(), "span_id": b"\x01" * 9},
                    {"trace_id": self.new_trace(), "span_id": sid(1), "parent": b"\x01\x02"},
                    {"trace_id": self.new_trace(), "span_id": sid(1), "start": 2**63}):
            resp = post(otlp_wire.request_bytes([[good], [bad]]), experiment="test-experiment")
            self.assertDetail(resp, 422, "Cannot convert OpenTelemetry span to MLflow span")
        self.assertNothingStored(before)

    def test_store_failures_are_422_naming_the_trace_and_roll_back_the_request(self):
        existing = self.new_trace()
        span = {"trace_id": existing, "span_id": sid(1), "name": "r", "start": 1, "end": 2}
        self.assertEqual(post(otlp_wire.request_bytes([[span]])).status_code, 200)
        before = self.counts()
        fresh = self.new_trace()
        body = otlp_wire.request_bytes([[dict(span, span_id=sid(2))],
                                        [{"trace_id": fresh, "span_id": sid(1), "start": 1, "end": 2}]])
        self.assertDetail(post(body, experiment="987654"), 422,
                          "Failed to log OpenTelemetry spans: Trace tr-%s: No Experiment with id=987654 exists"
                          % fresh.hex())
        self.assertDetail(post(body, experiment="test-experiment"), 422,
                          "invalid literal for int() with base 10: 'test-experiment'")
        # A double token count fails MLflow's int(): the whole request.
        doubles = {"trace_id": self.new_trace(), "span_id": sid(1),
                   "attrs": {"gen_ai.usage.input_tokens": 1.5, "gen_ai.usage.output_tokens": 2}}
        self.assertDetail(post(otlp_wire.request_bytes([[dict(span, span_id=sid(3))], [doubles]])), 422,
                          "invalid literal for int() with base 10: '1.5'")
        self.assertNothingStored(before)

    def test_compressed_body_larger_than_the_limit_is_413(self):
        # The module server runs with --max-request-body 1MiB (SERVER_ARGS below).
        bomb = gzip.compress(b"\x00" * (3 << 20))
        self.assertLess(len(bomb), 1 << 20)
        before = self.counts()
        resp = post(bomb, encoding="gzip")
        self.assertDetail(resp, 413, "larger than the server's limit")
        self.assertNothingStored(before)

    def test_all_zero_ids_are_accepted_as_mlflow_does(self):
        # MLflow's test_multiple_traces_in_single_request sends trace 0 with span 0.
        self.assertEqual(post(otlp_wire.request_bytes([[{"trace_id": tid(0), "span_id": sid(0), "start": 1,
                                                         "end": 2}]])).status_code, 200)
        self.assertIsNotNone(self.trace_row("tr-" + "0" * 32))

    def test_only_post(self):
        self.assertEqual(harness.server().request("GET", "/v1/traces").status_code, 405)


harness.SERVER_ARGS = ["--max-request-body", "1MiB"]

if __name__ == "__main__":
    unittest.main()
