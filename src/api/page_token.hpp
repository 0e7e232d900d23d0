// Offset page tokens in MLflow's format: base64(JSON {"offset": N}) (mlflow-api.md §1.7).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sextant::api {

std::string encode_page_token(std::int64_t offset);
// 0 for an absent/empty token; throws INVALID_PARAMETER_VALUE "Invalid page token, ..." otherwise.
std::int64_t decode_page_token(const std::optional<std::string>& token);

}  // namespace sextant::api
