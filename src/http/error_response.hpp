// The error answers the HTTP layer gives by itself, in MLflow's error JSON: as an ApiResponse
// (408, 431, 400, ...), or as complete bytes for refusing a connection before any request is
// parsed (the 503 at the connection limits). Pure; no Beast.
#pragma once

#include <string>
#include <string_view>

#include "api/http_types.hpp"

namespace sextant::http {

// MLflow's error JSON {"error_code", "message"} with `Connection: close`, its exact
// Content-Length and, when `retry_after_seconds` > 0, Retry-After.
// {"error_code": code, "message": message} with `status` (invalid UTF-8 in the message replaced).
api::ApiResponse error_response(int status, std::string_view error_code, std::string_view message);

std::string refusal_response(int status, std::string_view reason, std::string_view error_code,
                             std::string_view message, int retry_after_seconds = 0);

}  // namespace sextant::http
