// String helpers with no domain knowledge. All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sextant::util {

// Number of Unicode code points in a UTF-8 string (invalid bytes count as one each).
std::size_t utf8_length(std::string_view s);
// The first `max_chars` code points of `s` (whole string if shorter).
std::string utf8_truncate(std::string_view s, std::size_t max_chars);
// Length in bytes of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlongs, surrogates
// or code points above U+10FFFF), 0 when the byte there does not start one.
std::size_t utf8_sequence_at(std::string_view s, std::size_t i);
// True when all of `s` is well-formed UTF-8 (RFC 3629, as utf8_sequence_at).
bool valid_utf8(std::string_view s);
// `s` with every byte that is not part of well-formed UTF-8 written as the four characters \xNN
// (lower-case hex): the result is always valid UTF-8, safe for JSON and logs.
std::string utf8_escape_invalid(std::string_view s);

std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
std::vector<std::string> split(std::string_view s, char sep);
std::string_view trim(std::string_view s);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// Python's repr() of a str, as MLflow's messages show values: 'abc', "it's", 'a\\nb'.
// Non-ASCII UTF-8 is kept as is (Python prints printable code points unescaped).
std::string python_repr(std::string_view s);

}  // namespace sextant::util
