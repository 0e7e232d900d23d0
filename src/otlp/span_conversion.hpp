// OTLP spans -> the rows MLflow 3.6 stores (otlp-ingest.md §3): Span.from_otel_proto, then
// translate_span_when_storing and json.dumps as SqlAlchemyStore.log_spans does, grouped by MLflow
// trace id in first-seen order. `content` is byte-for-byte MLflow's text: the span dict with
// base64 ids, attribute values as JSON texts (json.dumps(value, ensure_ascii=False); a string
// that itself holds a JSON string or object is stored as sent: MLflow's sanitize_attributes),
// mlflow.traceRequestId first, then the client's attributes, then mlflow.spanInputs /
// mlflow.spanOutputs / mlflow.chat.tokenUsage from the GenAI conventions when absent, then
// mlflow.spanType from a convention's span kind when absent (what MLflow adds when it reads the
// span), the whole document json.dumps'ed with ensure_ascii. Pure.
//
// Errors (OtlpError): a trace id that is not 16 bytes, a span id that is not 8 bytes (all-zero
// ids are accepted, as MLflow does), a parent id that is neither empty, 8 zero bytes (both: root) nor 8 bytes, a time past
// 2^63 - 1 ns, or an mlflow.traceRequestId that is not a non-empty string of at most 50
// characters: Unconvertible. Where MLflow's storing code raises for a trace (an integer token
// count that is not an integer, JSON nested too deep): TraceFailed with "Trace <id>: <message>"
// lines. More than `max_output_bytes` of rows: TooLarge.
#pragma once

#include <cstddef>
#include <vector>

#include "core/trace.hpp"
#include "otlp/otlp_model.hpp"

namespace sextant::otlp {

std::vector<core::TraceSpanBatch> convert_request(const ExportRequest& request, std::size_t max_output_bytes);

}  // namespace sextant::otlp
