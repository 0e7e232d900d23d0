// Compact JWS serialisation (RFC 7515 §7.1): BASE64URL(header) '.' BASE64URL(payload) '.'
// BASE64URL(signature). Parsing only splits and decodes; it checks nothing about algorithms,
// keys or claims.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sextant::auth::jwt {

inline constexpr std::size_t kMaxTokenBytes = 64 * 1024;

struct CompactJws {
  nlohmann::json header;     // a JSON object without duplicate members
  nlohmann::json payload;    // a JSON object without duplicate members (we only accept JWTs)
  std::string signing_input; // the first two parts as received, with the dot between them
  std::string signature;     // decoded signature bytes (may be empty; no algorithm accepts that)
};

// Throws JwtError(Malformed) unless the token is exactly three parts of strict base64url whose
// first two decode to JSON objects per parse_strict_json_object.
CompactJws parse_compact_jws(std::string_view token);

// Cheap shape test, no decoding: three dot-separated runs of base64url characters, the first two
// non-empty (the third may be empty, as in alg=none tokens, which must still be refused rather
// than passed on to other authenticators).
bool looks_like_compact_jws(std::string_view token) noexcept;

}  // namespace sextant::auth::jwt
