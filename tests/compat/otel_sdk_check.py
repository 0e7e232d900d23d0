"""Manual check (not in CI): the official OpenTelemetry Python SDK's OTLP/HTTP exporter sends a
3-level span tree straight to Sextant's /v1/traces, as protobuf (plain and gzip) and as OTLP/JSON
(the SDK's own ExportTraceServiceRequest rendered with protobuf's JSON mapping and hex ids, which
is what the OTLP/JSON exporters send); each trace is then read back with GetTrace.

    source /work/shared/tools/mlflow-env.sh
    python3 tests/compat/otel_sdk_check.py http://127.0.0.1:5000
"""

import base64
import sys

import requests
from google.protobuf.json_format import MessageToDict
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import Status, StatusCode


class JsonExporter(SpanExporter):
    """OTLP/JSON over HTTP: camelCase keys, hex ids, int64 as strings."""

    def __init__(self, url, experiment_id):
        self.url, self.experiment_id = url, experiment_id

    def export(self, spans):
        body = MessageToDict(encode_spans(spans))
        for rs in body.get("resourceSpans", []):
            for ss in rs.get("scopeSpans", []):
                for s in ss.get("spans", []):
                    for k in ("traceId", "spanId", "parentSpanId"):
                        if k in s:
                            s[k] = base64.b64decode(s[k]).hex()
        r = requests.post(self.url, json=body, headers={"x-mlflow-experiment-id": self.experiment_id}, timeout=10)
        return SpanExportResult.SUCCESS if r.status_code == 200 else SpanExportResult.FAILURE


def send_tree(exporter, label):
    provider = TracerProvider(resource=Resource.create({"service.name": "otel-sdk-check"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))  # one request per span, children first
    tracer = provider.get_tracer("otel_sdk_check")
    with tracer.start_as_current_span("agent-" + label) as root:
        root.set_attribute("input.value", "What is 2 + 2?")
        root.set_attribute("output.value", "4")
        with tracer.start_as_current_span("chain") as mid:
            mid.set_attribute("openinference.span.kind", "CHAIN")
            with tracer.start_as_current_span("llm") as leaf:
                leaf.set_attribute("openinference.span.kind", "LLM")
                leaf.set_attribute("llm.token_count.prompt", 12)
                leaf.set_attribute("llm.token_count.completion", 3)
                leaf.add_event("token", {"n": 1})
                leaf.set_status(Status(StatusCode.ERROR, "rate limited"))
    provider.shutdown()
    return "tr-" + format(root.get_span_context().trace_id, "032x")


def main(base):
    exp = requests.post(base + "/api/2.0/mlflow/experiments/create", json={"name": "otel-sdk-check-%d" % id(base)},
                        timeout=10).json()["experiment_id"]
    url = base + "/v1/traces"
    headers = {"x-mlflow-experiment-id": exp}
    ok = True
    for label, exporter in (("protobuf", OTLPSpanExporter(endpoint=url, headers=headers)),
                            ("gzip", OTLPSpanExporter(endpoint=url, headers=headers, compression=Compression.Gzip)),
                            ("json", JsonExporter(url, exp))):
        trace_id = send_tree(exporter, label)
        r = requests.get(base + "/api/3.0/mlflow/traces/get", params={"trace_id": trace_id}, timeout=10)
        trace = r.json().get("trace", {}) if r.status_code == 200 else {}
        spans = trace.get("spans", [])
        info = trace.get("trace_info", {})
        names = sorted(s["name"] for s in spans)
        parents = {s["name"]: s.get("parent_span_id", "") for s in spans}
        good = (r.status_code == 200 and len(spans) == 3 and parents.get("agent-" + label) in ("", None)
                and info.get("state") == "OK" and info.get("request_preview") == '"What is 2 + 2?"')
        ok &= good
        print("%-8s %s GetTrace %s: %d spans %s, state %s, request_preview %s, tokens %s" % (
            label, "OK  " if good else "FAIL", r.status_code, len(spans), names, info.get("state"),
            info.get("request_preview"), info.get("trace_metadata", {}).get("mlflow.trace.tokenUsage")))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:5000"))
