#include "api/page_token.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "util/base64.hpp"

namespace sextant::api {

std::string encode_page_token(std::int64_t offset) {
  return util::base64_encode("{\"offset\": " + std::to_string(offset) + "}");
}

std::int64_t decode_page_token(const std::optional<std::string>& token) {
  if (!token || token->empty()) return 0;
  auto decoded = util::base64_decode(*token);
  if (!decoded) core::throw_invalid("Invalid page token, could not base64-decode. Underlying error: " + *token);
  auto parsed = nlohmann::json::parse(*decoded, nullptr, false);
  if (!parsed.is_object()) core::throw_invalid("Invalid page token, decoded value=" + *decoded);
  auto it = parsed.find("offset");
  if (it == parsed.end() || !it->is_number_integer() || it->get<std::int64_t>() <= 0) {
    core::throw_invalid("Invalid page token, parsed value=" + *decoded);
  }
  return it->get<std::int64_t>();
}

}  // namespace sextant::api
