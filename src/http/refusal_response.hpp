// A complete HTTP/1.1 error response as bytes, for refusing a connection before any request is
// parsed (the 503 at the connection limits). Pure; no Beast.
#pragma once

#include <string>
#include <string_view>

namespace sextant::http {

// MLflow's error JSON {"error_code", "message"} with `Connection: close`, its exact
// Content-Length and, when `retry_after_seconds` > 0, Retry-After.
std::string refusal_response(int status, std::string_view reason, std::string_view error_code,
                             std::string_view message, int retry_after_seconds = 0);

}  // namespace sextant::http
