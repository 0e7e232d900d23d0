#include "auth/jwt/jws.hpp"

#include "util/base64url.hpp"
#include "auth/jwt/jwt_error.hpp"
#include "auth/jwt/strict_json.hpp"

namespace sextant::auth::jwt {

bool looks_like_compact_jws(std::string_view token) noexcept {
  if (token.empty() || token.size() > kMaxTokenBytes) return false;
  int dots = 0;
  std::size_t part_length = 0;
  for (char c : token) {
    if (c == '.') {
      if (part_length == 0) return false;  // header and payload must be non-empty
      ++dots;
      part_length = 0;
      if (dots > 2) return false;
    } else if (util::is_base64url_char(c)) {
      ++part_length;
    } else {
      return false;
    }
  }
  return dots == 2;
}

CompactJws parse_compact_jws(std::string_view token) {
  if (token.size() > kMaxTokenBytes) throw JwtError(JwtFailure::Malformed, "token too large");
  const auto first = token.find('.');
  if (first == std::string_view::npos) throw JwtError(JwtFailure::Malformed, "not three parts");
  const auto second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    throw JwtError(JwtFailure::Malformed, "not three parts");

  const std::string_view header_b64 = token.substr(0, first);
  const std::string_view payload_b64 = token.substr(first + 1, second - first - 1);
  const std::string_view signature_b64 = token.substr(second + 1);
  if (header_b64.empty() || payload_b64.empty()) throw JwtError(JwtFailure::Malformed, "empty part");

  auto header_text = util::base64url_decode(header_b64);
  if (!header_text) throw JwtError(JwtFailure::Malformed, "header is not base64url");
  auto payload_text = util::base64url_decode(payload_b64);
  if (!payload_text) throw JwtError(JwtFailure::Malformed, "payload is not base64url");
  auto signature = util::base64url_decode(signature_b64);
  if (!signature) throw JwtError(JwtFailure::Malformed, "signature is not base64url");

  std::string error;
  auto header = parse_strict_json_object(*header_text, &error);
  if (!header) throw JwtError(JwtFailure::Malformed, "header: " + error);
  auto payload = parse_strict_json_object(*payload_text, &error);
  if (!payload) throw JwtError(JwtFailure::Malformed, "payload: " + error);

  CompactJws jws;
  jws.header = std::move(*header);
  jws.payload = std::move(*payload);
  jws.signing_input = std::string(token.substr(0, second));
  jws.signature = std::move(*signature);
  return jws;
}

}  // namespace sextant::auth::jwt
