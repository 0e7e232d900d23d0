#include "http/error_response.hpp"

#include <nlohmann/json.hpp>

namespace sextant::http {

namespace {

std::string error_json(std::string_view error_code, std::string_view message) {
  nlohmann::json json = {{"error_code", std::string(error_code)}, {"message", std::string(message)}};
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

api::ApiResponse error_response(int status, std::string_view error_code, std::string_view message) {
  return api::ApiResponse::json(error_json(error_code, message), status);
}

std::string refusal_response(int status, std::string_view reason, std::string_view error_code,
                             std::string_view message, int retry_after_seconds) {
  std::string body = error_json(error_code, message);
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
                    "\r\nServer: sextant\r\nContent-Type: application/json\r\nConnection: close\r\n";
  if (retry_after_seconds > 0) out += "Retry-After: " + std::to_string(retry_after_seconds) + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return out;
}

}  // namespace sextant::http
