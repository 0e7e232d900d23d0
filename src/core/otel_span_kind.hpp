// The MLflow span type MLflow derives from a span's OpenTelemetry span-kind attribute when it loads a
// span without `mlflow.spanType` (mlflow/tracing/otel/translation: OpenInference, OTel GenAI
// semantic conventions, Traceloop, Vercel AI, tried in that order). Pure.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sextant::core {

// The attribute keys that carry a span kind, in MLflow's translator order.
inline constexpr const char* kOtelSpanKindKeys[] = {"openinference.span.kind", "gen_ai.operation.name",
                                                     "traceloop.span.kind", "ai.operationId"};

// `kind_of(key)` returns the decoded string value of attribute `key` (nullopt when absent or not
// a string). The first translator whose key holds a kind it maps wins.
std::optional<std::string_view> mlflow_span_type_from_otel(
    const std::function<std::optional<std::string>(std::string_view key)>& kind_of);

}  // namespace sextant::core
