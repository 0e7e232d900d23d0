// base64url without padding (RFC 7515 §2, RFC 4648 §5), strict: only [A-Za-z0-9_-], no '=',
// no whitespace, no length that leaves a dangling 6-bit group, unused trailing bits must be zero
// (so every byte string has exactly one accepted encoding). Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sextant::util {

std::string base64url_encode(std::string_view data);
std::optional<std::string> base64url_decode(std::string_view text);
bool is_base64url_char(char c) noexcept;

}  // namespace sextant::util
