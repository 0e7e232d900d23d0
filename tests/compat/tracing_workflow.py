#!/usr/bin/env python3
"""Manual compatibility check: MLflow 3.6's tracing API through the official client (issue 16,
acceptance 2). Not part of the test suite or CI. Needs the real MLflow client
(`source ../shared/tools/mlflow-env.sh`) and a running server:

    MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python3 tests/compat/tracing_workflow.py

Covers @mlflow.trace on nested functions, mlflow.start_span, an exception inside a span (trace
state ERROR, the span's status and exception event), mlflow.search_traces with filters (tag,
trace.status, span.name, run_id, trace.text, order_by), mlflow.get_trace (spans, inputs and
outputs read back), mlflow.log_feedback / log_expectation shown in the trace's info, trace tags.
Prints one line per step, asserts, exits non-zero on the first failure and prints
"TRACING WORKFLOW OK" on success.
"""

import sys
import uuid

import mlflow
from mlflow.entities import AssessmentSource, AssessmentSourceType


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok:", what)


@mlflow.trace(span_type="RETRIEVER")
def retrieve(question):
    return [f"doc about {question}", "another doc"]


@mlflow.trace(span_type="LLM")
def generate(question, docs):
    with mlflow.start_span(name="format_prompt") as span:
        span.set_inputs({"question": question, "n_docs": len(docs)})
        prompt = f"Q: {question} / {len(docs)} docs"
        span.set_outputs({"prompt": prompt})
        span.set_attribute("tokens", 42)
    return f"answer to {question}"


@mlflow.trace(name="rag_pipeline", span_type="CHAIN")
def pipeline(question):
    return generate(question, retrieve(question))


@mlflow.trace
def failing(x):
    with mlflow.start_span(name="inner"):
        raise ValueError(f"bad input {x}")


def main():
    exp_id = mlflow.set_experiment(f"tracing-workflow-{uuid.uuid4().hex[:8]}").experiment_id

    with mlflow.start_run() as run:
        out = pipeline("what is sextant")
    check(out == "answer to what is sextant", "traced pipeline returns its value")
    ok_id = mlflow.get_last_active_trace_id()
    mlflow.set_trace_tag(ok_id, "env", "prod")

    try:
        failing(7)
    except ValueError:
        pass
    err_id = mlflow.get_last_active_trace_id()
    check(err_id != ok_id, "the failing call made its own trace")

    trace = mlflow.get_trace(ok_id)
    check(trace is not None, "get_trace finds the pipeline trace")
    check(trace.info.state.value == "OK", f"pipeline trace state OK ({trace.info.state})")
    names = sorted(s.name for s in trace.data.spans)
    check(names == ["format_prompt", "generate", "rag_pipeline", "retrieve"], f"4 nested spans: {names}")
    root = next(s for s in trace.data.spans if s.parent_id is None)
    check(root.name == "rag_pipeline" and root.inputs == {"question": "what is sextant"}, "root inputs")
    check(root.outputs == "answer to what is sextant", "root outputs")
    fmt = next(s for s in trace.data.spans if s.name == "format_prompt")
    gen = next(s for s in trace.data.spans if s.name == "generate")
    check(fmt.parent_id == gen.span_id, "start_span nests under the traced function")
    check(fmt.get_attribute("tokens") == 42, "span attribute read back as int")
    check(trace.info.tags.get("env") == "prod", "trace tag set")
    check(trace.info.request_metadata.get("mlflow.sourceRun") == run.info.run_id, "trace linked to its run")

    err = mlflow.get_trace(err_id)
    check(err.info.state.value == "ERROR", f"exception -> trace state ERROR ({err.info.state})")
    inner = next(s for s in err.data.spans if s.name == "inner")
    check(inner.status.status_code.value == "ERROR", "inner span status ERROR")
    check(any(e.name == "exception" for e in inner.events), "exception event recorded")

    found = mlflow.search_traces(locations=[exp_id], filter_string="tags.env = 'prod'", return_type="list")
    check([t.info.trace_id for t in found] == [ok_id], "search by tag")
    found = mlflow.search_traces(locations=[exp_id], filter_string="trace.status = 'ERROR'", return_type="list")
    check([t.info.trace_id for t in found] == [err_id], "search by trace.status")
    found = mlflow.search_traces(locations=[exp_id], filter_string="span.name = 'format_prompt'", return_type="list")
    check([t.info.trace_id for t in found] == [ok_id], "search by span.name")
    found = mlflow.search_traces(locations=[exp_id], run_id=run.info.run_id, return_type="list")
    check([t.info.trace_id for t in found] == [ok_id], "search by run_id")
    found = mlflow.search_traces(locations=[exp_id], filter_string="trace.text LIKE '%bad input 7%'", return_type="list")
    check([t.info.trace_id for t in found] == [err_id], "search by trace.text")
    found = mlflow.search_traces(locations=[exp_id], order_by=["timestamp_ms ASC"], return_type="list")
    check([t.info.trace_id for t in found] == [ok_id, err_id], "order_by timestamp ASC")
    df = mlflow.search_traces(locations=[exp_id])
    check(len(df) == 2, "search_traces as a DataFrame")

    human = AssessmentSource(source_type=AssessmentSourceType.HUMAN, source_id="reviewer@example.com")
    fb = mlflow.log_feedback(trace_id=ok_id, name="helpful", value=True, rationale="clear", source=human)
    ex = mlflow.log_expectation(trace_id=ok_id, name="expected", value={"answer": "a server"}, source=human)
    info = mlflow.get_trace(ok_id).info
    by_name = {a.name: a for a in info.assessments}
    check(by_name["helpful"].value is True and by_name["helpful"].rationale == "clear", "feedback on the trace")
    check(by_name["expected"].value == {"answer": "a server"}, "expectation on the trace")
    check({fb.assessment_id, ex.assessment_id} == {a.assessment_id for a in info.assessments}, "assessment ids")
    found = mlflow.search_traces(locations=[exp_id], filter_string="feedback.helpful = 'true'", return_type="list")
    check([t.info.trace_id for t in found] == [ok_id], "search by feedback")

    mlflow.delete_trace_tag(ok_id, "env")
    check("env" not in mlflow.get_trace(ok_id).info.tags, "trace tag deleted")
    print("TRACING WORKFLOW OK")


if __name__ == "__main__":
    try:
        main()
    except Exception:  # noqa: BLE001 - a manual check: print and fail
        import traceback

        traceback.print_exc()
        sys.exit(1)
