"""Assessments on traces (MLflow 3.6: CreateAssessment, GetAssessmentRequest, UpdateAssessment,
DeleteAssessment under /api/3.0/mlflow/traces/{trace_id}/assessments; rest-traces.md §3.4, §7):
feedback and expectation JSON, FieldMask updates, overrides flipping `valid`, errors, and the
assessments inside the trace's info."""

import json
import re
import uuid

import harness
from harness import api_request, unique
from harness import setUpModule, tearDownModule  # noqa: F401

V3 = "/api/3.0/mlflow"
AJAX_V3 = "/ajax-api/3.0/mlflow"
ASSESSMENT_ID_RE = re.compile(r"^a-[0-9a-f]{32}$")
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$")


def v3(method, path, body=None, prefix=V3):
    kw = {} if body is None else {"json": body}
    return api_request(method, prefix + path, **kw)


def feedback_body(**fields):
    body = {"assessment_name": "quality", "source": {"source_type": "HUMAN", "source_id": "rev@x.com"},
            "feedback": {"value": {"rating": 4, "ok": True}}}
    body.update(fields)
    return {"assessment": body}


class AssessmentsTest(harness.SextantTestCase):
    @classmethod
    def setUpClass(cls):
        cls.exp = harness.SextantTestCase().create_experiment(unique("assess"))

    def new_trace(self):
        trace_id = "tr-" + uuid.uuid4().hex
        info = {"trace_id": trace_id,
                "trace_location": {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": self.exp}},
                "request_time": "2025-04-15T08:49:18.699Z", "execution_duration": "0.5s", "state": "OK",
                "trace_metadata": {"mlflow.trace_schema.version": "3"}}
        self.assertOk(v3("POST", "/traces", {"trace": {"trace_info": info}}))
        return trace_id

    def create(self, trace_id, body, prefix=V3):
        r = v3("POST", "/traces/%s/assessments" % trace_id, body, prefix=prefix)
        self.assertOk(r)
        return r.json()["assessment"]

    def trace_assessments(self, trace_id):
        r = v3("GET", "/traces/" + trace_id)
        self.assertOk(r)
        return r.json()["trace"]["trace_info"].get("assessments", [])

    def assessment_rows(self, trace_id):
        columns = ["assessment_id", "valid", "run_id", "value", "error", "rationale", "assessment_metadata"]
        with self.srv.db() as db:
            rows = db.execute("SELECT %s FROM assessments WHERE trace_id = ? ORDER BY assessment_id"
                              % ", ".join(columns), (trace_id,)).fetchall()
        return [dict(zip(columns, row)) for row in rows]

    def test_feedback_lifecycle_with_override(self):
        trace_id = self.new_trace()
        a = self.create(trace_id, feedback_body(rationale="clear", metadata={"team": "qa"}, valid=False,
                                                trace_id="tr-ignored"))
        self.assertRegex(a["assessment_id"], ASSESSMENT_ID_RE)
        self.assertEqual(a["trace_id"], trace_id)  # the path's trace, not the body's
        self.assertEqual(a["assessment_name"], "quality")
        self.assertEqual(a["source"], {"source_type": "HUMAN", "source_id": "rev@x.com"})
        self.assertEqual(a["feedback"]["value"], {"rating": 4, "ok": True})
        self.assertEqual(a["rationale"], "clear")
        self.assertEqual(a["metadata"], {"team": "qa"})
        self.assertIs(a["valid"], True)  # whatever the request said
        self.assertNotIn("overrides", a)
        self.assertRegex(a["create_time"], TIME_RE)
        self.assertEqual(a["create_time"], a["last_update_time"])
        aid = a["assessment_id"]
        # MLflow stores the Value as json.dumps of a double: 4 -> 4.0.
        rows = self.assessment_rows(trace_id)
        self.assertEqual(json.loads(rows[0]["value"]), {"rating": 4.0, "ok": True})
        self.assertIn("4.0", rows[0]["value"])

        got = v3("GET", "/traces/%s/assessments/%s" % (trace_id, aid))
        self.assertOk(got)
        self.assertEqual(got.json()["assessment"], a)

        # FieldMask: camelCase paths in one string; metadata merges, the rest is replaced.
        upd = v3("PATCH", "/traces/%s/assessments/%s" % (trace_id, aid), {
            "assessment": {"assessment_name": "quality2", "feedback": {"value": 0.5}, "rationale": "changed",
                           "metadata": {"extra": "1"}, "source": {"source_type": "CODE"}},
            "update_mask": "assessmentName,feedback,rationale,metadata"})
        self.assertOk(upd)
        u = upd.json()["assessment"]
        self.assertEqual(u["assessment_name"], "quality2")
        self.assertEqual(u["feedback"], {"value": 0.5})
        self.assertEqual(u["rationale"], "changed")
        self.assertEqual(u["metadata"], {"team": "qa", "extra": "1"})
        self.assertEqual(u["source"], a["source"])  # immutable
        self.assertEqual(u["create_time"], a["create_time"])

        # An override invalidates the original; deleting the override restores it.
        o = self.create(trace_id, feedback_body(overrides=aid, feedback={"value": "better"}))
        self.assertEqual(o["overrides"], aid)
        self.assertIs(o["valid"], True)
        self.assertIs(v3("GET", "/traces/%s/assessments/%s" % (trace_id, aid)).json()["assessment"]["valid"], False)
        listed = {x["assessment_id"]: x for x in self.trace_assessments(trace_id)}
        self.assertEqual(set(listed), {aid, o["assessment_id"]})
        self.assertIs(listed[aid]["valid"], False)

        d = v3("DELETE", "/traces/%s/assessments/%s" % (trace_id, o["assessment_id"]))
        self.assertOk(d)
        self.assertEqual(d.json(), {})
        self.assertNotFound(v3("GET", "/traces/%s/assessments/%s" % (trace_id, o["assessment_id"])),
                            "Assessment with ID '%s' not found for trace '%s'" % (o["assessment_id"], trace_id))
        self.assertIs(v3("GET", "/traces/%s/assessments/%s" % (trace_id, aid)).json()["assessment"]["valid"], True)
        # Delete is idempotent.
        self.assertOk(v3("DELETE", "/traces/%s/assessments/%s" % (trace_id, o["assessment_id"])))

    def test_expectations_and_feedback_errors(self):
        trace_id = self.new_trace()
        prim = self.create(trace_id, {"assessment": {"assessmentName": "expected", "expectation": {"value": "Paris"},
                                                     "rationale": "dropped", "overrides": "a-nothing"}})
        self.assertEqual(prim["expectation"], {"value": "Paris"})
        self.assertEqual(prim["source"], {"source_type": "SOURCE_TYPE_UNSPECIFIED"})
        self.assertNotIn("rationale", prim)
        self.assertNotIn("overrides", prim)
        ser = self.create(trace_id, {"assessment": {"assessment_name": "facts", "expectation": {"serialized_value": {
            "serialization_format": "JSON_FORMAT", "value": json.dumps({"city": "Paris", "n": [1, 2]})}}}})
        sv = ser["expectation"]["serialized_value"]
        self.assertEqual(sv["serialization_format"], "JSON_FORMAT")
        self.assertEqual(json.loads(sv["value"]), {"city": "Paris", "n": [1, 2]})
        upd = v3("PATCH", "/traces/%s/assessments/%s" % (trace_id, ser["assessment_id"]),
                 {"assessment": {"expectation": {"value": 42}}, "update_mask": "expectation"})
        self.assertOk(upd)
        self.assertEqual(upd.json()["assessment"]["expectation"], {"value": 42})
        self.assertBadParam(v3("PATCH", "/traces/%s/assessments/%s" % (trace_id, ser["assessment_id"]),
                               {"assessment": {"feedback": {"value": 1}}, "update_mask": "feedback"}),
                            "Cannot update feedback value on an Expectation assessment.")

        # A feedback that failed: no value, an error (the long stack trace keeps its tail).
        stack = "x" * 12000 + "END"
        err = self.create(trace_id, {"assessment": {"assessment_name": "judge", "source": {"source_type": "ai_judge"},
                                                    "feedback": {"error": {"error_code": "RATE_LIMIT",
                                                                           "error_message": "slow down",
                                                                           "stack_trace": stack}},
                                                    "metadata": {"mlflow.assessment.sourceRunId": "r" * 32}}})
        self.assertEqual(err["source"]["source_type"], "LLM_JUDGE")
        self.assertIsNone(err["feedback"]["value"])
        self.assertEqual(err["feedback"]["error"]["error_code"], "RATE_LIMIT")
        self.assertEqual(err["feedback"]["error"]["error_message"], "slow down")
        self.assertEqual(len(err["feedback"]["error"]["stack_trace"]), 10000)
        self.assertTrue(err["feedback"]["error"]["stack_trace"].endswith("xEND"))
        rows = {r["assessment_id"]: r for r in self.assessment_rows(trace_id)}
        self.assertEqual(rows[err["assessment_id"]]["run_id"], "r" * 32)
        self.assertEqual(json.loads(rows[err["assessment_id"]]["error"])["stack_trace"], stack)
        self.assertBadParam(v3("PATCH", "/traces/%s/assessments/%s" % (trace_id, err["assessment_id"]),
                               {"assessment": {"expectation": {"value": 1}}, "update_mask": "expectation"}),
                            "Cannot update expectation value on a Feedback assessment.")
        # Updating the feedback value clears the error; `valid` is settable (MLflow answers 500).
        fixed = v3("PATCH", "/traces/%s/assessments/%s" % (trace_id, err["assessment_id"]),
                   {"assessment": {"feedback": {"value": True}, "valid": False}, "update_mask": "feedback,valid"})
        self.assertOk(fixed)
        self.assertEqual(fixed.json()["assessment"]["feedback"], {"value": True})
        self.assertIs(fixed.json()["assessment"]["valid"], False)

        # The UI's prefix serves the same routes.
        via_ajax = self.create(trace_id, feedback_body(), prefix=AJAX_V3)
        self.assertOk(v3("GET", "/traces/%s/assessments/%s" % (trace_id, via_ajax["assessment_id"]), prefix=AJAX_V3))

    def test_refusals_change_nothing(self):
        trace_id = self.new_trace()
        other = self.new_trace()
        a = self.create(trace_id, feedback_body())
        aid = a["assessment_id"]
        missing = "tr-" + "0" * 32
        self.assertNotFound(v3("POST", "/traces/%s/assessments" % missing, feedback_body()),
                            "Trace with ID '%s' not found." % missing)
        for method in ("GET", "DELETE"):
            self.assertNotFound(v3(method, "/traces/%s/assessments/%s" % (missing, aid)),
                                "Trace with ID '%s' not found." % missing)
        self.assertNotFound(v3("PATCH", "/traces/%s/assessments/%s" % (missing, aid),
                               {"assessment": {"assessment_name": "x"}, "update_mask": "assessmentName"}))
        # An assessment is reached only through its own trace.
        self.assertNotFound(v3("GET", "/traces/%s/assessments/%s" % (other, aid)),
                            "Assessment with ID '%s' not found for trace '%s'" % (aid, other))
        self.assertOk(v3("DELETE", "/traces/%s/assessments/%s" % (other, aid)))
        self.assertNotFound(v3("POST", "/traces/%s/assessments" % other, feedback_body(overrides=aid)),
                            "Assessment with ID '%s' not found for trace '{trace_id}'" % aid)

        bad_creates = [
            ({}, "Missing value for required parameter 'assessment'"),
            ({"assessment": {"assessment_name": "x"}}, "Unknown assessment type: None"),
            ({"assessment": {"feedback": {"value": None}}}, "Either `value` or `error` must be provided."),
            ({"assessment": {"expectation": {}}}, "The `value` field must be specified."),
            ({"assessment": {"feedback": {"value": 1}, "expectation": {"value": 1}}}, None),
            ({"assessment": {"feedback": {"value": 1}, "source": {"source_type": "ROBOT"}}},
             "Invalid assessment source type: ROBOT"),
            ({"assessment": {"feedback": {"value": 1}, "create_time": "yesterday"}}, None),
            ({"assessment": {"feedback": {"value": 1}, "metadata": {"k": 1}}}, None),
            ({"assessment": {"feedback": {"value": 1}, "assessment_name": "n" * 251}}, None),
            ({"assessment": {"feedback": {"value": "v" * 70000}}}, None),
            ({"assessment": {"feedback": {"value": 1}, "assessment_id": aid}}, None),
            ({"assessment": {"expectation": {"serialized_value": {"serialization_format": "PICKLE", "value": "1"}}}},
             "Unknown serialization format: PICKLE"),
            ({"assessment": {"expectation": {"serialized_value": {"serialization_format": "JSON_FORMAT",
                                                                  "value": "{not json"}}}}, None),
            ({"assessment": "feedback"}, None),
        ]
        for body, message in bad_creates:
            r = v3("POST", "/traces/%s/assessments" % trace_id, body)
            self.assertEqual(r.status_code, 400, (body if len(json.dumps(body)) < 300 else "long", r.text[:300]))
            self.assertIn(r.json()["error_code"], ("INVALID_PARAMETER_VALUE", "RESOURCE_ALREADY_EXISTS"))
            if message:
                self.assertIn(message, r.json()["message"])
        bad_updates = [
            ({"assessment": {"assessment_name": "x"}}, "Missing value for required parameter 'update_mask'"),
            ({"update_mask": "assessmentName"}, "Missing value for required parameter 'assessment'"),
            ({"assessment": {"assessment_name": "x"}, "update_mask": ""}, "update_mask"),
            ({"assessment": {"feedback": {"value": 1}, "expectation": {"value": 1}}, "update_mask": "feedback"}, None),
            ({"assessment": {}, "update_mask": "feedback"}, "Either `value` or `error` must be provided."),
            ({"assessment": {"assessment_name": "x"}, "update_mask": 7}, None),
        ]
        for body, message in bad_updates:
            r = v3("PATCH", "/traces/%s/assessments/%s" % (trace_id, aid), body)
            self.assertBadParam(r, message)
        # Nothing changed: the one assessment as created, still valid, and no other rows.
        self.assertEqual(v3("GET", "/traces/%s/assessments/%s" % (trace_id, aid)).json()["assessment"], a)
        self.assertEqual([r["assessment_id"] for r in self.assessment_rows(trace_id)], [aid])
        self.assertEqual(self.assessment_rows(other), [])
        # Unknown mask paths are ignored (only last_update_time moves).
        r = v3("PATCH", "/traces/%s/assessments/%s" % (trace_id, aid),
               {"assessment": {"assessment_name": "zzz"}, "update_mask": "spanId,overrides"})
        self.assertOk(r)
        self.assertEqual(r.json()["assessment"]["assessment_name"], "quality")
