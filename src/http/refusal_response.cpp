#include "http/refusal_response.hpp"

#include <nlohmann/json.hpp>

namespace sextant::http {

std::string refusal_response(int status, std::string_view reason, std::string_view error_code,
                             std::string_view message, int retry_after_seconds) {
  nlohmann::json json = {{"error_code", std::string(error_code)}, {"message", std::string(message)}};
  std::string body = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
                    "\r\nServer: sextant\r\nContent-Type: application/json\r\nConnection: close\r\n";
  if (retry_after_seconds > 0) out += "Retry-After: " + std::to_string(retry_after_seconds) + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return out;
}

}  // namespace sextant::http
