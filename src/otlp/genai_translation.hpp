// MLflow's translation of OpenTelemetry GenAI conventions (mlflow/tracing/otel/translation/:
// OpenInference, GenAI semconv, Traceloop, Google ADK, Vercel AI, tried in that order; first hit
// wins), over attribute values that are JSON texts (otlp-ingest.md §3.5). Pure.
#pragma once

#include <optional>
#include <string>

#include "otlp/span_attributes.hpp"

namespace sextant::otlp {

// The span's inputs / outputs as a JSON text (the attribute's stored text, or for a Vercel AI
// doGenerate span the json.dumps of its ai.prompt.* / ai.response.* attributes); nullopt when no
// convention names a non-empty value. Throws OtlpError(TraceFailed) where MLflow's translation
// raises (a Vercel "tools" value that is not iterable, JSON nested too deep).
std::optional<std::string> translated_inputs(const SpanAttributes& attributes);
std::optional<std::string> translated_outputs(const SpanAttributes& attributes);

// json.dumps({"input_tokens": i, "output_tokens": o, "total_tokens": t}) from the first convention
// with input and output counts (total given or i + o, and non-zero); nullopt when none. A count
// that is not an integer attribute fails like Python's int(): OtlpError(TraceFailed)
// "invalid literal for int() with base 10: '<text>'".
std::optional<std::string> translated_token_usage(const SpanAttributes& attributes);

// The MLflow span type a convention's span-kind attribute maps to (core::mlflow_span_type_from_otel;
// MLflow applies it when a span without mlflow.spanType is read); nullopt when none.
std::optional<std::string> translated_span_type(const SpanAttributes& attributes);

}  // namespace sextant::otlp
