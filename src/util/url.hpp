// URL helpers: percent-decoding and query strings. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sextant::util {

// Decodes %XX escapes once; with `plus_as_space`, '+' becomes ' ' (form/query encoding).
// Malformed escapes are kept literally.
std::string percent_decode(std::string_view s, bool plus_as_space = false);
// Percent-encodes everything except RFC 3986 unreserved characters and, if keep_slash, '/'.
std::string percent_encode(std::string_view s, bool keep_slash = true);
// Splits "a=1&b=2&a=3" into decoded (key, value) pairs in order.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);

}  // namespace sextant::util
