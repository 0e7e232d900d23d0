"""SearchTracesV3 (POST /api/3.0/mlflow/traces/search), the legacy SearchTraces (GET
/api/2.0/mlflow/traces) and CalculateTraceFilterCorrelation: MLflow 3.6's trace filter grammar,
order_by, page tokens, limits and errors (docs/design/tracing/rest-traces.md §4.5, §4.9, §6).

Traces are created with StartTraceV3 and linked to runs with link-to-run; spans and assessments,
which other routes write, are put into MLflow's tables directly (the rows as MLflow stores them),
so that these tests pin what search reads."""

import base64
import datetime
import json
import math
import unittest
import uuid

import harness
from harness import api_get, api_post, unique
from harness import setUpModule, tearDownModule  # noqa: F401

API3 = "/api/3.0/mlflow"


def rfc3339(ms):
    t = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def new_trace_id():
    return "tr-" + uuid.uuid4().hex


class TraceSearchBase(harness.SextantTestCase):
    @classmethod
    def setUpClass(cls):
        r = api_post("experiments/create", {"name": unique("trace-search")})
        cls.exp = r.json()["experiment_id"]

    def start_trace(self, exp, ms, state="OK", exec_ms=None, tags=None, metadata=None, trace_id=None):
        info = {
            "trace_id": trace_id or new_trace_id(),
            "trace_location": {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": exp}},
            "request_time": rfc3339(ms),
            "state": state,
            "trace_metadata": metadata or {},
            "tags": tags or {},
        }
        if exec_ms is not None:
            info["execution_duration"] = "%.3fs" % (exec_ms / 1000)
        data = self.assertOk(api_post("traces", {"trace": {"trace_info": info}}, prefix=API3))
        return data["trace"]["trace_info"]["trace_id"]

    def search(self, exps, **body):
        body["locations"] = [{"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": e}} for e in exps]
        return api_post("traces/search", body, prefix=API3)

    def ids(self, exps, **body):
        data = self.assertOk(self.search(exps, **body))
        return [t["trace_id"] for t in data.get("traces", [])]

    def sql(self, text, params=()):
        conn = self.srv.db()
        try:
            conn.execute(text, params)
            if hasattr(conn, "commit"):
                conn.commit()
        finally:
            conn.close()

    def add_span(self, trace_id, exp, span_id, name, span_type, status, content):
        self.sql("INSERT INTO spans (trace_id, experiment_id, span_id, name, type, status, start_time_unix_nano, "
                 "content) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 (trace_id, int(exp), span_id, name, span_type, status, 1, content))

    def add_assessment(self, trace_id, name, kind, value):
        self.sql("INSERT INTO assessments (assessment_id, trace_id, name, assessment_type, value, created_timestamp, "
                 "last_updated_timestamp, source_type, valid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 ("a-" + uuid.uuid4().hex, trace_id, name, kind, value, 1, 1, "HUMAN", True))


class SearchTracesV3(TraceSearchBase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        t = cls("run")
        e = cls.exp
        base = 1_700_000_000_000
        cls.t1 = t.start_trace(e, base + 1000, "OK", 5, tags={"env": "prod", "mlflow.traceName": "alpha"},
                               metadata={"k": "v1"})
        cls.t2 = t.start_trace(e, base + 2000, "OK", None, tags={"env": "dev"}, metadata={"k": "v2"})
        cls.t3 = t.start_trace(e, base + 3000, "ERROR", 1, tags={"Env": "PROD"})
        r = api_post("experiments/create", {"name": unique("trace-search-other")})
        cls.other = r.json()["experiment_id"]
        cls.t4 = t.start_trace(cls.other, base + 3000, "OK", 9)
        cls.base = base

    def test_default_order_is_newest_first_and_results_carry_trace_info(self):
        data = self.assertOk(self.search([self.exp]))
        self.assertEqual([x["trace_id"] for x in data["traces"]], [self.t3, self.t2, self.t1])
        self.assertNotIn("next_page_token", data)
        first = data["traces"][0]
        self.assertEqual(first["state"], "ERROR")
        self.assertEqual(first["trace_location"]["mlflow_experiment"]["experiment_id"], self.exp)
        self.assertEqual(first["tags"]["Env"], "PROD")
        # Two experiments; a timestamp tie is broken by request_id ascending.
        both = self.ids([self.exp, self.other])
        self.assertEqual(both[:2], sorted([self.t3, self.t4]))
        self.assertEqual(self.ids([self.exp], order_by=["timestamp ASC"]), [self.t1, self.t2, self.t3])

    def test_attribute_filters(self):
        e = [self.exp]
        self.assertEqual(self.ids(e, filter="trace.status = 'OK'"), [self.t2, self.t1])
        self.assertEqual(self.ids(e, filter="status = 'OK'", order_by=["timestamp ASC"]), [self.t1, self.t2])
        self.assertEqual(self.ids(e, filter="attributes.status IN ('ERROR', 'IN_PROGRESS')"), [self.t3])
        self.assertEqual(self.ids(e, filter="status NOT IN ('ERROR')"), [self.t2, self.t1])
        self.assertEqual(self.ids(e, filter="status ILIKE 'err%'"), [self.t3])
        self.assertEqual(self.ids(e, filter="status LIKE 'err%'"), [])
        self.assertEqual(self.ids(e, filter="timestamp > %d AND trace.timestamp_ms <= %d"
                                  % (self.base + 1000, self.base + 3000)), [self.t3, self.t2])
        self.assertEqual(self.ids(e, filter="execution_time >= 1"), [self.t3, self.t1])
        self.assertEqual(self.ids(e, filter="end_time = %d" % (self.base + 2000)), [self.t2])
        self.assertEqual(self.ids(e, filter="request_id = '%s'" % self.t1), [self.t1])

    def test_tags_metadata_and_names(self):
        e = [self.exp]
        self.assertEqual(self.ids(e, filter="tags.env = 'prod'"), [self.t1])
        self.assertEqual(self.ids(e, filter="tag.env != 'prod'"), [self.t2])  # only traces with the tag
        self.assertEqual(self.ids(e, filter="tags.env ILIKE 'PROD'"), [self.t1])
        self.assertEqual(self.ids(e, filter="tags.`Env` = 'PROD'"), [self.t3])
        self.assertEqual(self.ids(e, filter="tags.env = 'prod' AND trace.status = 'OK'"), [self.t1])
        self.assertEqual(self.ids(e, filter="name = 'alpha'"), [self.t1])
        self.assertEqual(self.ids(e, filter="metadata.k LIKE 'v%'"), [self.t2, self.t1])
        self.assertEqual(self.ids(e, filter="request_metadata.k = 'v2'"), [self.t2])

    def test_order_by_nulls_last_tags_and_end_time(self):
        e = [self.exp]
        self.assertEqual(self.ids(e, order_by=["execution_time ASC"]), [self.t3, self.t1, self.t2])
        self.assertEqual(self.ids(e, order_by=["execution_time DESC"]), [self.t1, self.t3, self.t2])
        self.assertEqual(self.ids(e, order_by=["tags.env"]), [self.t2, self.t1, self.t3])
        self.assertEqual(self.ids(e, order_by=["tags.env DESC"]), [self.t1, self.t2, self.t3])
        self.assertEqual(self.ids(e, order_by=["end_time DESC"]), [self.t3, self.t2, self.t1])
        self.assertEqual(self.ids(e, order_by=["metadata.k DESC", "timestamp"]), [self.t2, self.t1, self.t3])

    def test_paging(self):
        data = self.assertOk(self.search([self.exp], max_results=2))
        self.assertEqual([x["trace_id"] for x in data["traces"]], [self.t3, self.t2])
        token = data["next_page_token"]
        self.assertEqual(json.loads(base64.b64decode(token)), {"offset": 2})
        data = self.assertOk(self.search([self.exp], max_results=2, page_token=token))
        self.assertEqual([x["trace_id"] for x in data["traces"]], [self.t1])
        self.assertNotIn("next_page_token", data)
        # A full last page gives a token; the page after it is empty and has none.
        data = self.assertOk(self.search([self.exp], max_results=3))
        data = self.assertOk(self.search([self.exp], max_results=3, page_token=data["next_page_token"]))
        self.assertEqual(data, {})
        # camelCase names are read too.
        data = self.assertOk(api_post("traces/search", {
            "locations": [{"mlflowExperiment": {"experimentId": self.exp}}], "maxResults": 1,
            "orderBy": ["timestamp ASC"]}, prefix=API3))
        self.assertEqual([x["trace_id"] for x in data["traces"]], [self.t1])

    def test_request_errors(self):
        self.assertBadParam(api_post("traces/search", {}, prefix=API3), "Missing value for required parameter 'locations'")
        self.assertEqual(self.assertOk(self.search([])), {})
        self.assertEqual(self.assertOk(self.search(["999999"])), {})
        self.assertBadParam(self.search(["1.5"]), "Locations must be a list of experiment IDs. Found invalid "
                                                  "experiment IDs: 1.5.")
        self.assertBadParam(self.search([self.exp], max_results=501), "Invalid value 501 for parameter 'max_results'")
        self.assertBadParam(api_post("traces/search", {"locations": [], "maxResults": 501}, prefix=API3))
        self.assertBadParam(self.search([self.exp], max_results=0), "It must be a positive integer")
        self.assertBadParam(self.search([self.exp], page_token="not base64!"), "Invalid page token")
        self.assertBadParam(self.search([self.exp], page_token=base64.b64encode(b"[1]").decode()), "Invalid page token")
        self.assertBadParam(self.search([self.exp], order_by=["timestamp", "timestamp_ms DESC"]),
                            "`order_by` contains duplicate fields")
        self.assertBadParam(self.search([self.exp], order_by=["span.name"]), "Invalid identifier type 'span'")
        self.assertBadParam(api_post("traces/search", {"locations": "x"}, prefix=API3))

    def test_filter_errors_are_mlflows(self):
        cases = {
            "invalid.filter = 'test'": "Invalid entity type 'invalid'",
            "Status = 'OK'": "Invalid attribute key 'Status' specified",
            "status = OK": "Parameter value is either not quoted",
            "request_id = 5": "attributes support comparison with numeric values",
            "tags.x IN ('a')": "Invalid comparator 'IN'",
            "span.foo = 'a'": "Invalid span attribute 'foo'",
            "trace.text = 'x'": "span.content comparator '='",
            "status = 'OK' OR status = 'x'": "Invalid clause(s) in filter string",
            "status = 'OK'; DROP TABLE trace_info": "Search filter contained multiple expression",
        }
        for f, message in cases.items():
            self.assertBadParam(self.search([self.exp], filter=f), message, msg=f)
        # Nothing was harmed.
        self.assertEqual(len(self.ids([self.exp])), 3)

    def test_hostile_text_is_only_ever_a_value(self):
        e = [self.exp]
        for f in ["tags.`x'; DROP TABLE trace_info; --` = 'a'", "tags.env = 'prod'' OR ''1''=''1'",
                  "metadata.k LIKE '%'' OR 1=1 --'", "name IN ('a'') OR 1=1 --')"]:
            r = self.search(e, filter=f)
            if r.status_code == 200:
                self.assertEqual(self.assertOk(r), {}, f)
            else:
                self.assertBadParam(r, msg=f)
        self.assertEqual(len(self.ids(e)), 3)

    def test_legacy_v2_search(self):
        data = self.assertOk(api_get("traces", {"experiment_ids": [self.exp, self.other], "max_results": 2,
                                                 "filter": "status = 'OK'"}))
        self.assertEqual([x["request_id"] for x in data["traces"]], [self.t4, self.t2])
        self.assertEqual(data["traces"][1]["experiment_id"], self.exp)
        self.assertEqual(data["traces"][1]["timestamp_ms"], self.base + 2000)
        token = data["next_page_token"]
        data = self.assertOk(api_get("traces", {"experiment_ids": [self.exp, self.other], "max_results": 2,
                                                 "filter": "status = 'OK'", "page_token": token}))
        self.assertEqual([x["request_id"] for x in data["traces"]], [self.t1])
        self.assertBadParam(api_get("traces", {"filter": "status = 'OK'"}),
                            "Missing value for required parameter 'experiment_ids'")
        self.assertBadParam(api_get("traces", {"experiment_ids": self.exp, "max_results": 501}))


class SearchTracesLinkedRunsSpansAssessments(TraceSearchBase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        t = cls("run")
        e = cls.exp
        run = api_post("runs/create", {"experiment_id": e}).json()["run"]["info"]["run_id"]
        cls.run_id = run
        cls.in_run = t.start_trace(e, 1000, metadata={"mlflow.sourceRun": run})
        cls.linked = t.start_trace(e, 2000)
        cls.other = t.start_trace(e, 3000, metadata={"mlflow.sourceRun": "someotherrun"})
        t.assertOk(api_post("traces/link-to-run", {"trace_ids": [cls.linked], "run_id": run}))
        t.add_span(cls.in_run, e, "s1", "retrieve", "RETRIEVER", "OK",
                   json.dumps({"name": "retrieve", "attributes": {"mlflow.spanType": "\"RETRIEVER\"",
                                                                  "query": "\"I like it\""}}))
        t.add_span(cls.linked, e, "s2", "llm", "LLM", "ERROR",
                   json.dumps({"name": "llm", "attributes": {"mlflow.spanType": "\"LLM\"", "model": "\"gpt-4\""}}))
        t.add_span(cls.linked, e, "s3", "parse", "PARSER", "OK",
                   json.dumps({"name": "parse", "attributes": {"mlflow.spanType": "\"PARSER\""}}))
        t.add_assessment(cls.other, "correct", "feedback", "\"yes\"")
        t.add_assessment(cls.other, "score", "expectation", "4")

    def test_run_id_matches_source_run_and_linked_traces(self):
        e = [self.exp]
        self.assertEqual(self.ids(e, filter="attribute.run_id = '%s'" % self.run_id), [self.linked, self.in_run])
        self.assertEqual(self.ids(e, filter="run_id = '%s'" % self.run_id), [self.linked, self.in_run])
        self.assertEqual(self.ids(e, filter="metadata.mlflow.sourceRun = '%s'" % self.run_id), [self.linked, self.in_run])
        self.assertEqual(self.ids(e, filter="run_id != '%s'" % self.run_id), [self.other])  # plain metadata
        self.assertEqual(self.ids(e, filter="run_id = 'nosuchrun'"), [])
        self.assertEqual(self.ids(e, order_by=["run_id"]), [self.in_run, self.other, self.linked])

    def test_span_filters_and_full_text(self):
        e = [self.exp]
        self.assertEqual(self.ids(e, filter="span.name = 'llm'"), [self.linked])
        self.assertEqual(self.ids(e, filter="span.type IN ('LLM', 'RETRIEVER')"), [self.linked, self.in_run])
        self.assertEqual(self.ids(e, filter="span.status = 'ERROR'"), [self.linked])
        # Two span clauses may be met by different spans of the trace.
        self.assertEqual(self.ids(e, filter="span.name = 'llm' AND span.status = 'OK'"), [self.linked])
        self.assertEqual(self.ids(e, filter="trace.text LIKE '%I like it%'"), [self.in_run])
        self.assertEqual(self.ids(e, filter="trace.text ILIKE '%GPT%'"), [self.linked])
        self.assertEqual(self.ids(e, filter="span.content LIKE '%parse%'"), [self.linked])
        self.assertEqual(self.ids(e, filter="span.attributes.model LIKE '%gpt%'"), [self.linked])
        self.assertEqual(self.ids(e, filter="span.attributes.query LIKE '%gpt%'"), [])

    def test_assessment_filters(self):
        e = [self.exp]
        self.assertEqual(self.ids(e, filter="feedback.correct = '\"yes\"'"), [self.other])
        self.assertEqual(self.ids(e, filter="feedback.correct = 'yes'"), [])  # the value is JSON
        self.assertEqual(self.ids(e, filter="expectation.score = '4'"), [self.other])
        self.assertEqual(self.ids(e, filter="feedback.score = '4'"), [])
        self.assertBadParam(self.search(e, filter="feedback.x > 'a'"), "assessment.x comparator '>'")


class CalculateTraceFilterCorrelation(TraceSearchBase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        t = cls("run")
        # MLflow's test: 10 traces, f1 (env=prod) on 6, f2 (fast=yes) on 7, both on 6.
        for i in range(10):
            tags = {}
            if i < 6:
                tags["env"] = "prod"
            if i < 7:
                tags["fast"] = "yes"
            t.start_trace(cls.exp, 1000 + i, tags=tags, state="OK" if i % 2 else "ERROR")

    def correlate(self, f1, f2, base=None, exps=None):
        body = {"experiment_ids": exps or [self.exp], "filter_string1": f1, "filter_string2": f2}
        if base is not None:
            body["base_filter"] = base
        return api_post("traces/calculate-filter-correlation", body, prefix=API3)

    def test_counts_and_npmi(self):
        data = self.assertOk(self.correlate("tags.env = 'prod'", "tags.fast = 'yes'"))
        self.assertEqual((data["total_count"], data["filter1_count"], data["filter2_count"], data["joint_count"]),
                         (10, 6, 7, 6))
        self.assertAlmostEqual(data["npmi"], 0.6982322877799215, places=9)
        self.assertAlmostEqual(data["npmi_smoothed"], 0.5404578674731575, places=9)
        # With a base filter the universe is the traces it matches.
        data = self.assertOk(self.correlate("tags.env = 'prod'", "tags.fast = 'yes'", base="status = 'OK'"))
        self.assertEqual((data["total_count"], data["filter1_count"], data["filter2_count"], data["joint_count"]),
                         (5, 3, 3, 3))

    def test_nan_is_the_string_nan_and_zero_counts_are_printed(self):
        data = self.assertOk(self.correlate("tags.env = 'nobody'", "tags.fast = 'yes'"))
        self.assertEqual(data["npmi"], "NaN")
        self.assertEqual(data["npmi_smoothed"], "NaN")
        self.assertEqual((data["filter1_count"], data["joint_count"], data["total_count"]), (0, 0, 10))
        data = self.assertOk(self.correlate("tags.env = 'prod'", "tags.fast = 'yes'", exps=["999999"]))
        self.assertEqual(data["total_count"], 0)
        self.assertTrue(math.isnan(float(data["npmi"])))

    def test_errors(self):
        self.assertBadParam(self.correlate("invalid.filter = 'test'", "tags.fast = 'yes'"), "Invalid")
        self.assertBadParam(self.correlate("tags.env = 'prod'", "status > 'a'"), "Invalid comparator")
        self.assertBadParam(self.correlate("tags.env = 'prod'", "status = 'OK'", base="x.y = 'z'"), "Invalid entity")
        self.assertBadParam(self.correlate("", "status = 'OK'"), "Missing value for required parameter 'filter_string1'")
        self.assertBadParam(api_post("traces/calculate-filter-correlation",
                                     {"filter_string1": "status = 'OK'", "filter_string2": "status = 'OK'"},
                                     prefix=API3), "Missing value for required parameter 'experiment_ids'")


if __name__ == "__main__":
    unittest.main()
