"""MLflow 3 traces (issue 16, docs/design/tracing/rest-traces.md §1-5, §8): StartTraceV3,
GetTraceInfoV3, GetTrace / BatchGetTraces (spans streamed as OTel Span JSON with decoded
attribute values), trace tags v2/v3, DeleteTraces, LinkTracesToRun, get-trace-artifact, the
legacy v2 routes and the RPCs MLflow declares without a handler.

Spans are written into the `spans` table the way MLflow's server writes them (the OTLP ingest
has its own module), so the read path is tested on every backend on its own."""

import base64
import json
import os
import shutil
import socket
import tempfile
import unittest
import uuid

import harness
from harness import AJAX, API, api_get, api_post, api_request, now_ms, unique
from harness import setUpModule, tearDownModule  # noqa: F401

API3 = "/api/3.0/mlflow"
AJAX3 = "/ajax-api/3.0/mlflow"


def b64(hex_id):
    return base64.b64encode(bytes.fromhex(hex_id)).decode()


def new_trace_hex():
    return uuid.uuid4().hex


def new_span_hex():
    return uuid.uuid4().hex[:16]


def span_content(trace_hex, span_hex, parent_hex, name, start, end, attributes=None, events=(),
                 status=("STATUS_CODE_OK", ""), span_type="UNKNOWN"):
    """MLflow's stored span dict (Span.to_dict): attribute values JSON-encoded, ids base64."""
    attrs = {"mlflow.traceRequestId": json.dumps("tr-" + trace_hex)}
    if span_type is not None:
        attrs["mlflow.spanType"] = json.dumps(span_type)
    for k, v in (attributes or {}).items():
        attrs[k] = json.dumps(v)
    return json.dumps({
        "trace_id": b64(trace_hex),
        "span_id": b64(span_hex),
        "parent_span_id": b64(parent_hex) if parent_hex else None,
        "name": name,
        "start_time_unix_nano": start,
        "end_time_unix_nano": end,
        "events": list(events),
        "status": {"code": status[0], "message": status[1]},
        "attributes": attrs,
    })


def start_trace_v3(experiment_id, trace_id=None, prefix=API3, srv=None, **info):
    body = {"trace_id": "tr-" + new_trace_hex() if trace_id is None else trace_id,
            "trace_location": {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": experiment_id}},
            "request_time": "2025-04-15T08:49:18.699Z", "execution_duration": "2.001s", "state": "OK"}
    body.update(info)
    return api_post(prefix + "/traces", {"trace": {"trace_info": body}}, srv=srv)


def patch(path, body):
    return api_request("PATCH", path, json=body)


def delete(path, body):
    return api_request("DELETE", path, json=body)


class TracesBase(harness.SextantTestCase):
    @classmethod
    def setUpClass(cls):
        cls.exp = harness.SextantTestCase().create_experiment(unique("traces"))

    def start(self, experiment_id=None, **info):
        r = start_trace_v3(experiment_id or self.exp, **info)
        return self.assertOk(r, "StartTraceV3")["trace"]["trace_info"]

    def seed_spans(self, trace_id, spans, experiment_id=None):
        """Rows of `spans` as MLflow writes them: (span_hex, parent_hex, name, start, end, content)."""
        rows = [(trace_id, int(experiment_id or self.exp), span_hex, parent_hex, name, "UNKNOWN", "OK", start, end,
                 content) for span_hex, parent_hex, name, start, end, content in spans]
        with self.srv.db() as db:
            for first in range(0, len(rows), 50):  # a few rows per statement: one client call each
                chunk = rows[first:first + 50]
                db.execute("INSERT INTO spans (trace_id, experiment_id, span_id, parent_span_id, name, type, status, "
                           "start_time_unix_nano, end_time_unix_nano, content) VALUES " +
                           ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk)),
                           [v for row in chunk for v in row])
            if hasattr(db, "commit"):
                db.commit()

    def trace_with_spans(self, n=1, **info):
        """A trace (StartTraceV3) with n spans: a root and n-1 children started 1 ms apart."""
        trace_hex = new_trace_hex()
        trace_id = "tr-" + trace_hex
        self.start(trace_id=trace_id, **info)
        root = new_span_hex()
        rows = []
        for i in range(n):
            span_hex = root if i == 0 else new_span_hex()
            parent = None if i == 0 else root
            start = 1_700_000_000_000_000_000 + i * 1_000_000
            content = span_content(trace_hex, span_hex, parent, "span-%d" % i, start, start + 500_000,
                                   {"index": i, "fruit": "apple"})
            rows.append((span_hex, parent, "span-%d" % i, start, start + 500_000, content))
        self.seed_spans(trace_id, rows)
        return trace_id, trace_hex, rows


class StartAndGetTraceInfo(TracesBase):
    def test_start_trace_v3_stores_and_returns_the_info(self):
        info = self.start(request_preview='{"x": 1}', response_preview="2", client_request_id="client-1",
                          trace_metadata={"mlflow.trace_schema.version": "3", "meta1": "a"},
                          tags={"tag1": "b", "mlflow.traceName": "test"})
        tid = info["trace_id"]
        self.assertEqual(info["trace_location"], {"type": "MLFLOW_EXPERIMENT",
                                                  "mlflow_experiment": {"experiment_id": self.exp}})
        self.assertEqual(info["request_time"], "2025-04-15T08:49:18.699Z")
        self.assertEqual(info["execution_duration"], "2.001s")
        self.assertEqual(info["state"], "OK")
        self.assertEqual(info["client_request_id"], "client-1")
        self.assertEqual(info["request_preview"], '{"x": 1}')
        self.assertEqual(info["response_preview"], "2")
        self.assertEqual(info["trace_metadata"], {"mlflow.trace_schema.version": "3", "meta1": "a"})
        self.assertEqual(info["tags"]["tag1"], "b")
        self.assertEqual(info["tags"]["mlflow.trace.spansLocation"], "TRACKING_STORE")
        self.assertTrue(info["tags"]["mlflow.artifactLocation"].endswith("/traces/%s/artifacts" % tid),
                        info["tags"])
        for prefix in (API3, AJAX3):
            got = self.assertOk(api_get(prefix + "/traces/" + tid))
            self.assertEqual(got, {"trace": {"trace_info": info}})

    def test_camel_case_body_and_whole_seconds(self):
        tid = "tr-" + new_trace_hex()
        r = api_post(API3 + "/traces", {"trace": {"traceInfo": {
            "traceId": tid, "traceLocation": {"type": "MLFLOW_EXPERIMENT", "mlflowExperiment": {"experimentId": self.exp}},
            "requestTime": "1970-01-01T00:00:01Z", "executionDuration": "2s", "state": "ERROR",
            "traceMetadata": {"m": "v"}, "clientRequestId": "c"}}})
        info = self.assertOk(r)["trace"]["trace_info"]
        self.assertEqual(info["request_time"], "1970-01-01T00:00:01Z")
        self.assertEqual(info["execution_duration"], "2s")
        self.assertEqual(info["state"], "ERROR")
        self.assertEqual(info["trace_metadata"], {"m": "v"})

    def test_assessments_inside_the_trace_info(self):
        feedback = {"assessment_name": "quality", "trace_id": "tr-other", "source": {"source_type": "HUMAN",
                    "source_id": "me@example.com"}, "feedback": {"value": "good"}, "rationale": "why"}
        info = self.start(assessments=[feedback])
        got = self.assertOk(api_get(API3 + "/traces/" + info["trace_id"]))["trace"]["trace_info"]
        self.assertEqual(len(got["assessments"]), 1, got)
        a = got["assessments"][0]
        self.assertEqual(a["trace_id"], info["trace_id"])  # stored on this trace
        self.assertEqual((a["assessment_name"], a["feedback"]["value"], a["valid"]), ("quality", "good", True))
        self.assertRegex(a["assessment_id"], r"^a-[0-9a-f]{32}$")
        self.assertEqual(got["assessments"], info["assessments"])
        self.assertBadParam(start_trace_v3(self.exp, assessments=[{"assessment_name": "x"}]), "Unknown assessment type")
        self.assertBadParam(start_trace_v3(self.exp, assessments="x"))

    def test_short_custom_trace_id_without_duration(self):
        tid = "tr-1234-" + uuid.uuid4().hex[:8]
        info = self.start(trace_id=tid, execution_duration=None, state="IN_PROGRESS")
        self.assertEqual(info["trace_id"], tid)
        self.assertNotIn("execution_duration", info)
        self.assertEqual(info["state"], "IN_PROGRESS")

    def test_restart_overwrites_columns_and_keeps_other_rows(self):
        tid = "tr-" + new_trace_hex()
        self.start(trace_id=tid, trace_metadata={"keep": "1", "over": "old"}, tags={"t1": "x"},
                   request_preview="ingest preview")
        info = self.start(trace_id=tid, state="ERROR", execution_duration="5s",
                          trace_metadata={"over": "new"},
                          tags={"t2": "y", "mlflow.trace.spansLocation": "ARTIFACT_REPO"})
        self.assertEqual(info["state"], "ERROR")
        self.assertEqual(info["execution_duration"], "5s")
        self.assertEqual(info["trace_metadata"], {"keep": "1", "over": "new"})
        self.assertEqual(info["tags"]["t1"], "x")
        self.assertEqual(info["tags"]["t2"], "y")
        self.assertEqual(info["tags"]["mlflow.trace.spansLocation"], "TRACKING_STORE")  # the system tag wins
        self.assertEqual(info["request_preview"], "ingest preview")  # kept: the request had none

    def test_output_truncation_keeps_the_stored_values(self):
        long_tag, long_meta = "t" * 5000, "m" * 300
        info = self.start(tags={"long": long_tag}, trace_metadata={"long": long_meta})
        self.assertEqual(info["tags"]["long"], "t" * 4096)
        self.assertEqual(info["trace_metadata"]["long"], "m" * 250)
        with self.srv.db() as db:
            row = db.execute("SELECT value FROM trace_tags WHERE request_id = ? AND key = ?",
                             (info["trace_id"], "long")).fetchone()
        self.assertEqual(row[0], long_tag)

    def test_start_trace_v3_errors(self):
        self.assertBadParam(api_post(API3 + "/traces", {}), "Missing value for required parameter 'trace'")
        self.assertNotFound(start_trace_v3("987654321"), "No Experiment with id=987654321 exists")
        gone = self.create_experiment(unique("gone"))
        self.delete_experiment(gone)
        self.assertBadParam(start_trace_v3(gone), "must be in the 'active' state")
        for bad in ({"request_time": "yesterday"}, {"execution_duration": "2"}, {"state": "DONE"},
                    {"trace_metadata": {"k": 1}}, {"trace_id": "tr-../../x"}, {"trace_id": "t" * 51},
                    {"trace_id": ""}, {"tags": {"k" * 251: "v"}}):
            r = start_trace_v3(self.exp, **{k: v for k, v in bad.items() if k != "trace_id"},
                               trace_id=bad.get("trace_id", "tr-" + new_trace_hex()))
            self.assertBadParam(r, msg=str(bad))
        r = api_post(API3 + "/traces", {"trace": {"trace_info": {"trace_id": "tr-" + new_trace_hex()}}})
        self.assertBadParam(r, "experiment_id")
        # Nothing of the refused requests was stored.
        with self.srv.db() as db:
            n = db.execute("SELECT COUNT(*) FROM trace_info WHERE request_id LIKE ?", ("tr-../%",)).fetchone()[0]
        self.assertEqual(n, 0)

    def test_v3_routes_exist_only_under_3_0(self):
        info = self.start()
        r = api_get(API + "/traces/" + info["trace_id"])  # v2 has no GET /traces/{id}
        self.assertIn(r.status_code, (404, 405))

    def test_get_trace_info_unknown(self):
        self.assertNotFound(api_get(API3 + "/traces/tr-nope"), "Trace with ID 'tr-nope' not found.")


class GetTrace(TracesBase):
    def test_get_trace_spans_as_otel_json(self):
        trace_hex = new_trace_hex()
        tid = "tr-" + trace_hex
        self.start(trace_id=tid, trace_metadata={"mlflow.trace.sizeStats": json.dumps({"num_spans": 2})})
        root, child = new_span_hex(), new_span_hex()
        event = {"name": "test_event", "time_unix_nano": 99999, "attributes": {"foo": "bar", "n": 3}}
        root_content = span_content(trace_hex, root, None, "test", 2000, 5000,
                                    {"fruit": "apple", "inputs": {"x": 1, "l": [1.5, True, None]}, "empty": [],
                                     "text": "caf\u00e9 \"q\""}, events=[event])
        child_content = span_content(trace_hex, child, root, "child", 1000, 0, status=("STATUS_CODE_ERROR", "boom"),
                                     span_type=None)
        self.seed_spans(tid, [(child, root, "child", 1000, None, child_content),
                              (root, None, "test", 2000, 5000, root_content)])
        for prefix, partial in ((API3, "True"), (AJAX3, "False"), (API3, None)):
            params = {"trace_id": tid}
            if partial is not None:
                params["allow_partial"] = partial
            body = self.assertOk(api_get(prefix + "/traces/get", params))
            spans = body["trace"]["spans"]
            self.assertEqual(body["trace"]["trace_info"]["trace_id"], tid)
            self.assertEqual([s["name"] for s in spans], ["test", "child"])  # root first, then by start time
            s = spans[0]
            self.assertEqual(s["trace_id"], b64(trace_hex))
            self.assertEqual(s["span_id"], b64(root))
            self.assertNotIn("parent_span_id", s)
            self.assertEqual(s["start_time_unix_nano"], 2000)
            self.assertEqual(s["end_time_unix_nano"], 5000)
            self.assertEqual(s["status"], {"code": "STATUS_CODE_OK"})
            attrs = {a["key"]: a["value"] for a in s["attributes"]}
            self.assertIn({"key": "fruit", "value": {"string_value": "apple"}}, s["attributes"])
            self.assertEqual(attrs["mlflow.traceRequestId"], {"string_value": tid})
            self.assertEqual(attrs["inputs"], {"kvlist_value": {"values": [
                {"key": "x", "value": {"int_value": 1}},
                {"key": "l", "value": {"array_value": {"values": [
                    {"double_value": 1.5}, {"bool_value": True}, {}]}}}]}})
            self.assertEqual(attrs["empty"], {})
            self.assertEqual(attrs["text"], {"string_value": "caf\u00e9 \"q\""})
            self.assertEqual(s["events"], [{"time_unix_nano": 99999, "name": "test_event", "attributes": [
                {"key": "foo", "value": {"string_value": "bar"}}, {"key": "n", "value": {"int_value": 3}}]}])
            c = spans[1]
            self.assertEqual(c["parent_span_id"], b64(root))
            self.assertNotIn("end_time_unix_nano", c)
            self.assertEqual(c["status"], {"code": "STATUS_CODE_ERROR", "message": "boom"})

    def test_span_type_derived_from_otel_span_kind(self):
        trace_hex = new_trace_hex()
        tid = "tr-" + trace_hex
        self.start(trace_id=tid)
        rows = []
        for i, (key, kind) in enumerate((("openinference.span.kind", "RETRIEVER"), ("traceloop.span.kind", "tool"),
                                         ("gen_ai.operation.name", "chat"), ("openinference.span.kind", "NOPE"))):
            span_hex = new_span_hex()
            rows.append((span_hex, None, "s%d" % i, 10 + i, 20 + i,
                         span_content(trace_hex, span_hex, None, "s%d" % i, 10 + i, 20 + i, {key: kind}, span_type=None)))
        self.seed_spans(tid, rows)
        spans = self.assertOk(api_get(API3 + "/traces/get", {"trace_id": tid}))["trace"]["spans"]
        types = [{a["key"]: a["value"] for a in s["attributes"]}.get("mlflow.spanType") for s in spans]
        self.assertEqual(types, [{"string_value": "RETRIEVER"}, {"string_value": "TOOL"},
                                 {"string_value": "CHAT_MODEL"}, None])

    def test_attribute_values_that_do_not_decode_stay_strings(self):
        trace_hex = new_trace_hex()
        tid = "tr-" + trace_hex
        self.start(trace_id=tid)
        span_hex = new_span_hex()
        content = json.loads(span_content(trace_hex, span_hex, None, "raw", 1, 2))
        deep = "[" * 5000 + "]" * 5000
        content["attributes"].update({"plain": "not json", "deep": deep, "ctl": "\"a\nb\"", "num": "12",
                                      "zero": 0, "nan": "NaN", "blank": ""})
        self.seed_spans(tid, [(span_hex, None, "raw", 1, 2, json.dumps(content))])
        s = self.assertOk(api_get(API3 + "/traces/get", {"trace_id": tid}))["trace"]["spans"][0]
        attrs = {a["key"]: a["value"] for a in s["attributes"]}
        self.assertEqual(attrs["plain"], {"string_value": "not json"})
        self.assertEqual(attrs["deep"], {"string_value": deep})
        self.assertEqual(attrs["ctl"], {"string_value": "\"a\nb\""})
        self.assertEqual(attrs["num"], {"int_value": 12})
        self.assertEqual(attrs["zero"], {})
        self.assertEqual(attrs["nan"], {"double_value": "NaN"})
        self.assertEqual(attrs["blank"], {})

    def test_completeness(self):
        tid, _, _ = self.trace_with_spans(1, trace_metadata={"mlflow.trace.sizeStats": json.dumps({"num_spans": 3})})
        self.assertNotFound(api_get(API3 + "/traces/get", {"trace_id": tid}), "is not fully exported yet")
        body = self.assertOk(api_get(API3 + "/traces/get", {"trace_id": tid, "allow_partial": "true"}))
        self.assertEqual(len(body["trace"]["spans"]), 1)
        empty = self.start()["trace_id"]
        self.assertNotFound(api_get(API3 + "/traces/get", {"trace_id": empty}), "is not fully exported yet")
        body = self.assertOk(api_get(API3 + "/traces/get", {"trace_id": empty, "allow_partial": "TRUE"}))
        self.assertNotIn("spans", body["trace"])

    def test_get_trace_errors(self):
        self.assertBadParam(api_get(API3 + "/traces/get"), "Missing value for required parameter 'trace_id'")
        self.assertNotFound(api_get(API3 + "/traces/get", {"trace_id": "tr-missing"}),
                            "Trace with ID tr-missing is not found.")
        tid, _, _ = self.trace_with_spans(1)
        self.assertBadParam(api_get(API3 + "/traces/get", {"trace_id": tid, "allow_partial": "yes"}),
                            "Invalid boolean value")
        v2 = self.assertOk(api_post(API + "/traces", {"experiment_id": self.exp, "timestamp_ms": 1}))
        r = api_get(API3 + "/traces/get", {"trace_id": v2["trace_info"]["request_id"], "allow_partial": "true"})
        self.assertError(r, 500, "INTERNAL_ERROR", "Trace data not stored in tracking store")

    def test_large_trace_streams_chunked(self):
        tid, _, rows = self.trace_with_spans(3000)
        r = api_get(API3 + "/traces/get", {"trace_id": tid})
        self.assertEqual(r.headers.get("Transfer-Encoding"), "chunked")
        spans = self.assertOk(r)["trace"]["spans"]
        self.assertEqual(len(spans), 3000)
        self.assertEqual([s["name"] for s in spans], ["span-%d" % i for i in range(3000)])
        # An HTTP/1.0 client gets the body delimited by the connection's end.
        sock = socket.create_connection(("127.0.0.1", self.srv.port), timeout=30)
        try:
            sock.sendall(("GET %s/traces/get?trace_id=%s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" % (API3, tid)).encode())
            data = b""
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        finally:
            sock.close()
        head, _, body = data.partition(b"\r\n\r\n")
        self.assertIn(b"200", head.split(b"\r\n")[0])
        self.assertNotIn(b"chunked", head.lower())
        self.assertEqual(len(json.loads(body)["trace"]["spans"]), 3000)

    def test_corrupt_span_content_does_not_hurt_the_server(self):
        tid = self.start()["trace_id"]
        self.seed_spans(tid, [(new_span_hex(), None, "bad", 1, 2, "{not json")])
        try:
            r = api_get(API3 + "/traces/get", {"trace_id": tid})
            self.assertNotEqual(r.status_code, 200, "a corrupt span must not read as a complete trace")
        except Exception:  # the body was cut short after the headers: the client sees an error
            pass
        self.assertOk(api_get(API3 + "/traces/" + tid))


class BatchGetTraces(TracesBase):
    def test_request_order_and_incomplete_dropped(self):
        a, _, _ = self.trace_with_spans(2)
        b, _, _ = self.trace_with_spans(1)
        c, _, _ = self.trace_with_spans(1, trace_metadata={"mlflow.trace.sizeStats": json.dumps({"num_spans": 5})})
        empty = self.start()["trace_id"]
        r = api_get(API3 + "/traces/batchGet", [("trace_ids", b), ("trace_ids", "tr-unknown"), ("trace_ids", c),
                                                ("trace_ids", empty), ("trace_ids", a), ("trace_ids", b)])
        traces = self.assertOk(r)["traces"]
        self.assertEqual([t["trace_info"]["trace_id"] for t in traces], [b, a])
        self.assertEqual([len(t["spans"]) for t in traces], [1, 2])
        self.assertEqual(self.assertOk(api_get(AJAX3 + "/traces/batchGet", {"trace_ids": "tr-unknown"})), {})

    def test_errors(self):
        self.assertBadParam(api_get(API3 + "/traces/batchGet"), "Missing value for required parameter 'trace_ids'")
        r = api_get(API3 + "/traces/batchGet", [("trace_ids", "t%d" % i) for i in range(1001)])
        self.assertBadParam(r, "Cannot get more than 1000 traces")


class TraceTags(TracesBase):
    def tags(self, tid):
        return self.assertOk(api_get(API3 + "/traces/" + tid))["trace"]["trace_info"].get("tags", {})

    def test_set_and_delete_v2_and_v3(self):
        tid = self.start(tags={"tag1": "red", "tag2": "blue"})["trace_id"]
        self.assertEqual(self.assertOk(patch(API + "/traces/%s/tags" % tid, {"key": "tag1", "value": "green"})), {})
        self.assertEqual(self.tags(tid)["tag1"], "green")
        self.assertOk(patch(AJAX3 + "/traces/%s/tags" % tid, {"key": "tag3", "value": "v3"}))
        self.assertEqual(self.tags(tid)["tag3"], "v3")
        self.assertEqual(self.assertOk(delete(API + "/traces/%s/tags" % tid, {"key": "tag2"})), {})
        self.assertNotIn("tag2", self.tags(tid))
        self.assertOk(delete(API3 + "/traces/%s/tags" % tid, {"key": "tag3"}))
        self.assertNotIn("tag3", self.tags(tid))
        self.assertOk(api_request("DELETE", AJAX + "/traces/%s/tags" % tid, params={"key": "tag1"}))
        self.assertNotIn("tag1", self.tags(tid))

    def test_long_value_truncated_long_key_refused(self):
        tid = self.start()["trace_id"]
        self.assertOk(patch(API + "/traces/%s/tags" % tid, {"key": "long", "value": "v" * 9000}))
        with self.srv.db() as db:
            row = db.execute("SELECT value FROM trace_tags WHERE request_id = ? AND key = ?", (tid, "long")).fetchone()
        self.assertEqual(len(row[0]), 8000)
        self.assertBadParam(patch(API + "/traces/%s/tags" % tid, {"key": "k" * 251, "value": "v"}),
                            "exceeds the maximum length of 250")
        self.assertBadParam(patch(API + "/traces/%s/tags" % tid, {"key": "bad!key", "value": "v"}),
                            "Names may only contain")
        self.assertBadParam(patch(API + "/traces/%s/tags" % tid, {"key": "../up", "value": "v"}))
        self.assertBadParam(patch(API + "/traces/%s/tags" % tid, {"value": "v"}),
                            "Missing value for required parameter 'key'")
        self.assertNotIn("bad!key", self.tags(tid))

    def test_unknown_trace_and_key(self):
        self.assertNotFound(patch(API + "/traces/tr-nope/tags", {"key": "a", "value": "b"}),
                            "Trace with ID 'tr-nope' not found.")
        self.assertNotFound(delete(API + "/traces/tr-nope/tags", {"key": "a"}), "Trace with ID 'tr-nope' not found.")
        tid = self.start()["trace_id"]
        self.assertNotFound(delete(API + "/traces/%s/tags" % tid, {"key": "nokey"}),
                            "No trace tag with key 'nokey' for trace with ID '%s'" % tid)
        self.assertBadParam(delete(API + "/traces/%s/tags" % tid, {}), "Missing value for required parameter 'key'")


class DeleteTraces(TracesBase):
    def fresh_experiment_traces(self, times):
        exp = self.create_experiment(unique("del"))
        ids = []
        for t in times:
            ids.append(self.start(experiment_id=exp, request_time="1970-01-01T00:00:%02dZ" % t)["trace_id"])
        return exp, ids

    def test_by_timestamp_max_traces_and_ids(self):
        exp, (t1, t2, t3, t4) = self.fresh_experiment_traces([1, 2, 3, 4])
        other = self.start()["trace_id"]  # another experiment
        r = api_post(API + "/traces/delete-traces", {"experiment_id": exp, "max_timestamp_millis": 10 ** 15,
                                                      "max_traces": 1})
        self.assertEqual(self.assertOk(r), {"traces_deleted": 1})
        self.assertNotFound(api_get(API3 + "/traces/" + t1))  # the oldest
        r = api_post(API3 + "/traces/delete-traces", {"experiment_id": exp, "request_ids": [t2, other, "tr-x"]})
        self.assertEqual(self.assertOk(r), {"traces_deleted": 1})
        self.assertOk(api_get(API3 + "/traces/" + other))
        r = api_post(API + "/traces/delete-traces", {"experiment_id": exp, "max_timestamp_millis": 3000})
        self.assertEqual(self.assertOk(r), {"traces_deleted": 1})
        self.assertOk(api_get(API3 + "/traces/" + t4))
        r = api_post(API + "/traces/delete-traces", {"experiment_id": exp, "max_timestamp_millis": 3000})
        self.assertEqual(self.assertOk(r), {"traces_deleted": 0})
        # max_timestamp_millis: 0, present, deletes every trace of the experiment.
        r = api_post(API + "/traces/delete-traces", {"experiment_id": exp, "max_timestamp_millis": 0})
        self.assertEqual(self.assertOk(r), {"traces_deleted": 1})

    def test_children_go_with_the_trace(self):
        tid, _, _ = self.trace_with_spans(3, tags={"a": "b"}, trace_metadata={"m": "n"})
        run = self.create_run_id(self.exp)
        self.assertOk(api_post(API + "/traces/link-to-run", {"trace_ids": [tid], "run_id": run}))
        r = api_post(API + "/traces/delete-traces", {"experiment_id": self.exp, "request_ids": [tid]})
        self.assertEqual(self.assertOk(r), {"traces_deleted": 1})
        with self.srv.db() as db:
            for table, column in (("spans", "trace_id"), ("trace_tags", "request_id"),
                                  ("trace_request_metadata", "request_id"), ("entity_associations", "source_id")):
                n = db.execute("SELECT COUNT(*) FROM %s WHERE %s = ?" % (table, column), (tid,)).fetchone()[0]
                self.assertEqual(n, 0, table)

    def test_validation(self):
        url = API + "/traces/delete-traces"
        cases = [({"experiment_id": self.exp}, "Either `max_timestamp_millis` or `trace_ids` must be specified."),
                 ({"experiment_id": self.exp, "max_timestamp_millis": 5, "request_ids": ["a"]},
                  "Only one of `max_timestamp_millis` and `trace_ids` can be specified."),
                 ({"experiment_id": self.exp, "request_ids": ["a"], "max_traces": 2},
                  "`max_traces` can't be specified if `trace_ids` is specified."),
                 ({"experiment_id": self.exp, "max_timestamp_millis": 5, "max_traces": 0},
                  "`max_traces` must be a positive integer, received 0."),
                 ({"max_timestamp_millis": 5}, "Missing value for required parameter 'experiment_id'"),
                 ({"experiment_id": self.exp, "request_ids": "a"}, "request_ids"),
                 ({"experiment_id": self.exp, "max_timestamp_millis": "soon"}, "max_timestamp_millis")]
        tid = self.start()["trace_id"]
        for body, message in cases:
            self.assertBadParam(api_post(url, body), message, msg=str(body))
        self.assertOk(api_get(API3 + "/traces/" + tid))
        r = api_post(url, {"experiment_id": "not-a-number", "max_timestamp_millis": 5})
        self.assertEqual(self.assertOk(r), {"traces_deleted": 0})


class LinkTracesToRun(TracesBase):
    def test_link(self):
        run = self.create_run_id(self.exp)
        t1, t2 = self.start()["trace_id"], self.start()["trace_id"]
        for _ in range(2):  # idempotent
            self.assertEqual(self.assertOk(api_post(API + "/traces/link-to-run",
                                                    {"trace_ids": [t1, t2, "tr-unknown"], "run_id": run})), {})
        with self.srv.db() as db:
            rows = db.execute("SELECT source_type, source_id, destination_type, destination_id FROM "
                              "entity_associations WHERE destination_id = ? ORDER BY source_id", (run,)).fetchall()
        self.assertEqual(sorted(tuple(r) for r in rows), sorted([("trace", t1, "run", run), ("trace", t2, "run", run)]))
        self.assertOk(api_post(API + "/traces/link-to-run", {"trace_ids": [], "run_id": run}))

    def test_errors(self):
        run = self.create_run_id(self.exp)
        self.assertBadParam(api_post(API + "/traces/link-to-run", {"trace_ids": ["t"] * 101, "run_id": run}),
                            "Cannot link more than 100 traces to a run in a single request. Provided 101 traces.")
        self.assertNotFound(api_post(API + "/traces/link-to-run", {"trace_ids": ["t"], "run_id": "nope"}),
                            "Run with id=nope not found")
        self.assertBadParam(api_post(API + "/traces/link-to-run", {"run_id": run}),
                            "Missing value for required parameter 'trace_ids'")
        self.assertBadParam(api_post(API + "/traces/link-to-run", {"trace_ids": ["t"]}),
                            "Missing value for required parameter 'run_id'")
        self.assertBadParam(api_post(API + "/traces/link-to-run", {"trace_ids": [1], "run_id": run}))


class GetTraceArtifact(TracesBase):
    def test_spans_from_the_database(self):
        tid, trace_hex, rows = self.trace_with_spans(2)
        r = api_get(AJAX + "/get-trace-artifact", {"request_id": tid})
        self.assertEqual(r.status_code, 200, harness.describe(r))
        self.assertEqual(r.headers["Content-Disposition"], "attachment; filename=traces.json")
        self.assertEqual(r.headers["Content-Type"], "application/octet-stream")
        self.assertEqual(r.headers["X-Content-Type-Options"], "nosniff")
        self.assertEqual(json.loads(r.text), {"spans": [json.loads(rows[0][5]), json.loads(rows[1][5])]})
        self.assertEqual(api_get(API + "/get-trace-artifact", {"request_id": tid}).status_code, 404)  # ajax only

    def test_spans_from_the_artifact_store(self):
        v2 = self.assertOk(api_post(API + "/traces", {"experiment_id": self.exp, "timestamp_ms": 1}))["trace_info"]
        location = {t["key"]: t["value"] for t in v2["tags"]}["mlflow.artifactLocation"]
        self.assertTrue(location.startswith("mlflow-artifacts:/"), location)
        data = {"spans": [{"name": "from-artifact"}]}
        path = location[len("mlflow-artifacts:/"):].lstrip("/") + "/traces.json"
        self.assertOk(api_request("PUT", harness.ARTIFACTS + "/" + path, data=json.dumps(data)))
        r = api_get(AJAX + "/get-trace-artifact", {"request_id": v2["request_id"]})
        self.assertEqual(r.status_code, 200, harness.describe(r))
        self.assertEqual(r.headers["Content-Disposition"], "attachment; filename=traces.json")
        self.assertEqual(json.loads(r.text), data)

    def test_errors(self):
        self.assertError(api_get(AJAX + "/get-trace-artifact"), 400, "BAD_REQUEST",
                         'Request must include the "request_id" query parameter.')
        self.assertNotFound(api_get(AJAX + "/get-trace-artifact", {"request_id": "tr-nope"}),
                            "Trace with ID tr-nope is not found.")


class LegacyV2(TracesBase):
    def test_start_end_get(self):
        r = api_post(API + "/traces", {"experiment_id": self.exp, "timestamp_ms": 1000,
                                        "request_metadata": [{"key": "meta1", "value": "orange"}],
                                        "tags": [{"key": "tag1", "value": "soccer"}]})
        info = self.assertOk(r)["trace_info"]
        rid = info["request_id"]
        self.assertRegex(rid, r"^[0-9a-f]{32}$")
        self.assertEqual(info["experiment_id"], self.exp)
        self.assertEqual(info["timestamp_ms"], 1000)
        self.assertEqual(info["execution_time_ms"], 0)
        self.assertEqual(info["status"], "IN_PROGRESS")
        self.assertIn({"key": "meta1", "value": "orange"}, info["request_metadata"])
        tags = {t["key"]: t["value"] for t in info["tags"]}
        self.assertEqual(tags["tag1"], "soccer")
        self.assertIn("mlflow.artifactLocation", tags)
        self.assertNotIn("mlflow.trace.spansLocation", tags)
        r = patch(API + "/traces/" + rid, {"timestamp_ms": 3000, "status": "OK",
                                           "request_metadata": [{"key": "meta2", "value": "grape"}],
                                           "tags": [{"key": "tag2", "value": "basketball"}]})
        info = self.assertOk(r)["trace_info"]
        self.assertEqual(info["execution_time_ms"], 2000)
        self.assertEqual(info["status"], "OK")
        self.assertEqual({m["key"]: m["value"] for m in info["request_metadata"]}, {"meta1": "orange", "meta2": "grape"})
        got = self.assertOk(api_get(API + "/traces/%s/info" % rid))["trace_info"]
        self.assertEqual(got, info)
        v3 = self.assertOk(api_get(API3 + "/traces/" + rid))["trace"]["trace_info"]
        self.assertEqual(v3["execution_duration"], "2s")

    def test_errors(self):
        self.assertNotFound(patch(API + "/traces/nope", {"timestamp_ms": 1, "status": "OK"}),
                            "Trace with ID 'nope' not found.")
        self.assertNotFound(api_get(API + "/traces/nope/info"), "Trace with ID 'nope' not found.")
        self.assertBadParam(api_post(API + "/traces", {"experiment_id": self.exp, "tags": [{"value": "x"}]}))
        self.assertNotFound(api_post(API + "/traces", {"experiment_id": "987654321"}))
        rid = self.assertOk(api_post(API + "/traces", {"experiment_id": self.exp}))["trace_info"]["request_id"]
        self.assertBadParam(patch(API + "/traces/" + rid, {"status": "SOMETIMES"}))


class NewerSchema(TracesBase):
    """At MLflow's newer revisions (trace_metrics from b7c8d9e0f1a2 on) StartTraceV3 fills trace_metrics
    from the token usage, as MLflow's start_trace does, so MLflow's own trace-metric views see the trace."""

    def test_token_usage_reaches_trace_metrics(self):
        workdir = tempfile.mkdtemp(prefix="sextant-traces-")
        args = ["--create-schema-revision", "7d34483879f0"]
        name = None
        if harness.SERVER_BACKEND:
            name = harness.create_database()
            srv = harness.SextantServer(workdir=workdir, backend_store_uri=harness.uri_for(name), extra_args=args)
        else:
            srv = harness.SextantServer(workdir=workdir, db_path=os.path.join(workdir, "newer.db"), extra_args=args)
        srv.start()
        try:
            exp = self.assertOk(api_post("experiments/create", {"name": unique("newer")}, srv=srv))["experiment_id"]
            tid = "tr-" + new_trace_hex()
            usage = {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}
            for u in ({"input_tokens": 1}, usage):  # the second StartTraceV3 overwrites
                self.assertOk(start_trace_v3(exp, trace_id=tid, srv=srv,
                                             trace_metadata={"mlflow.trace.tokenUsage": json.dumps(u)}))
            with srv.db() as db:
                rows = db.execute("SELECT key, value FROM trace_metrics WHERE request_id = ? ORDER BY key",
                                  (tid,)).fetchall()
            self.assertEqual({r[0]: float(r[1]) for r in rows},
                             {"input_tokens": 10.0, "output_tokens": 5.0, "total_tokens": 15.0})
            r = api_post(API + "/traces/delete-traces", {"experiment_id": exp, "request_ids": [tid]}, srv=srv)
            self.assertEqual(self.assertOk(r), {"traces_deleted": 1})
            with srv.db() as db:
                n = db.execute("SELECT COUNT(*) FROM trace_metrics WHERE request_id = ?", (tid,)).fetchone()[0]
            self.assertEqual(n, 0)
        finally:
            srv.stop()
            if name:
                harness.drop_database(name)
            shutil.rmtree(workdir, ignore_errors=True)


class Misc(TracesBase):
    def test_rpcs_without_handler_answer_empty_404(self):
        for path in ("/unified-traces", "/get-online-trace-details"):
            for prefix in (API, AJAX):
                r = api_get(prefix + path)
                self.assertEqual(r.status_code, 404)
                self.assertEqual(r.text, "")

    def test_version_lets_the_client_send_spans_over_otlp(self):
        r = api_get("/version")
        self.assertEqual(r.status_code, 200)
        major, minor = (int(x) for x in r.text.strip().split(".")[:2])
        self.assertGreaterEqual((major, minor), (3, 4))


if __name__ == "__main__":
    unittest.main()
