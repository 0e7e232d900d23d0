// MLflow's request / response preview of a trace (mlflow/tracing/utils/truncation.py
// _get_truncated_preview): for a JSON text holding chat messages (OpenAI chat "messages",
// "choices[0].message", Responses API "input" / "output", or those under "request") the text
// content of the last message with `role` (else the last message), otherwise the text itself;
// cut to 1000 code points as text[:997] + "...". nullopt where MLflow's code raises (a message
// text that is not a str), in which case MLflow sets no preview. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sextant::otlp {

inline constexpr std::size_t kPreviewMaxLength = 1000;

std::optional<std::string> truncated_preview(const std::string& text, std::string_view role);

}  // namespace sextant::otlp
