// A stored span (`spans.content`: MLflow's span dict, attribute values JSON-encoded) as the
// OpenTelemetry Span JSON MLflow's GetTrace / BatchGetTraces print (rest-traces.md §3.2):
// base64 ids, ns times as numbers, attributes as [{"key", "value": AnyValue}] with each value
// decoded (json.loads) and mapped as MLflow's _set_otel_proto_anyvalue maps it, events, status;
// plus the `mlflow.spanType` MLflow derives on load from OTel span-kind attributes when the span
// has none. One span at a time, without a DOM: a single pass over the content text that writes
// the output as it goes, so a trace of 10,000 spans streams in flat memory.
#pragma once

#include <string>
#include <string_view>

namespace sextant::api {

// Appends the Span JSON of `content` to `out`. Throws core::MlflowError (INTERNAL_ERROR) when
// `content` is not a span dict (then `out` may hold part of it).
void append_otel_span_json(std::string& out, std::string_view content);

}  // namespace sextant::api
