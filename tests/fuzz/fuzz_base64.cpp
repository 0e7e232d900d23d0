// base64url (JWS parts, session cookies) and padded base64 (page tokens, Basic credentials).
// Invariants: decode(encode(x)) == x for both; strict base64url accepts exactly one encoding per
// byte string, so whatever it decodes re-encodes to the input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "util/base64.hpp"
#include "util/base64url.hpp"

using namespace sextant::util;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  FUZZ_CHECK(base64url_decode(base64url_encode(input)) == std::string(input));
  FUZZ_CHECK(base64_decode(base64_encode(input)) == std::string(input));

  if (auto decoded = base64url_decode(input)) {
    FUZZ_CHECK(base64url_encode(*decoded) == input);
    for (char c : input) FUZZ_CHECK(is_base64url_char(c));
  }
  if (auto decoded = base64_decode(input)) {
    FUZZ_CHECK(decoded->size() <= input.size() * 3 / 4 + 3);
    // Padding may be omitted and unused bits need not be zero: compare the decoded bytes.
    FUZZ_CHECK(base64_decode(base64_encode(*decoded)) == decoded);
  }
  return 0;
}
