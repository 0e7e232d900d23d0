// JWT parsing (src/auth/jwt): strict JSON objects, compact JWS, JWK / JWK Set -> key, and
// signature checking with the parsed key. The first byte picks the parser. Invariants: only
// JwtError escapes; strict JSON is an object of depth <= 32 whose serialisation parses back to
// the same value; a parsed JWS keeps its first two parts verbatim as the signing input and
// decodes them to its header and payload; a fuzzed signature never verifies.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "auth/jwt/algorithms.hpp"
#include "auth/jwt/jwk.hpp"
#include "auth/jwt/jws.hpp"
#include "auth/jwt/jwt_error.hpp"
#include "auth/jwt/strict_json.hpp"
#include "fuzz_check.hpp"
#include "util/base64url.hpp"

using namespace sextant::auth::jwt;
using nlohmann::json;

namespace {

std::size_t depth(const json& v) {
  std::size_t deepest = 0;
  if (v.is_structured())
    for (const auto& item : v) deepest = std::max(deepest, depth(item));
  return v.is_structured() ? deepest + 1 : 0;
}

void check_strict(std::string_view text) {
  std::string error;
  auto parsed = parse_strict_json_object(text, &error);
  if (!parsed) {
    FUZZ_CHECK(!error.empty());
    return;
  }
  FUZZ_CHECK(parsed->is_object());
  FUZZ_CHECK(depth(*parsed) <= 32);
  auto again = parse_strict_json_object(parsed->dump());  // valid UTF-8, so dump() cannot throw
  FUZZ_CHECK(again && *again == *parsed);
}

void check_jws(std::string_view token) {
  CompactJws jws;
  try {
    jws = parse_compact_jws(token);
  } catch (const JwtError& e) {
    FUZZ_CHECK(e.failure() == JwtFailure::Malformed);
    return;
  }
  FUZZ_CHECK(looks_like_compact_jws(token));
  FUZZ_CHECK(token.size() <= kMaxTokenBytes);
  auto first = token.find('.'), second = token.find('.', first + 1);
  FUZZ_CHECK(jws.signing_input == token.substr(0, second));
  FUZZ_CHECK(parse_strict_json_object(*sextant::util::base64url_decode(token.substr(0, first))) == jws.header);
  FUZZ_CHECK(sextant::util::base64url_decode(token.substr(second + 1)) == jws.signature);
}

void check_jwk(std::string_view text, std::string_view signature) {
  std::vector<Jwk> keys;
  try {
    if (auto doc = parse_strict_json_object(text)) keys.push_back(parse_jwk(*doc));
  } catch (const JwtError& e) {
    FUZZ_CHECK(e.failure() == JwtFailure::Malformed);
  }
  try {
    for (auto& k : parse_jwks(text)) keys.push_back(std::move(k));
  } catch (const JwtError& e) {
    FUZZ_CHECK(e.failure() == JwtFailure::Malformed);
  }
  for (const auto& key : keys) {
    FUZZ_CHECK(key.key != nullptr);
    for (auto alg : all_algorithms())
      if (key_usable_for(key, alg)) FUZZ_CHECK(!verify_signature(alg, key.key.get(), "fuzz.input", signature));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0: check_strict(text); break;
    case 1: check_jws(text); break;
    default: {
      // "jwk-json\nsignature bytes"
      auto nl = text.find('\n');
      check_jwk(text.substr(0, nl), nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1));
    }
  }
  return 0;
}
