// The path of a request target, decoded once. Pure; no Beast.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sextant::http {

// Percent-decodes the path part of an origin-form target ("/a%20b" -> "/a b"). nullopt when an
// escape is malformed ('%' not followed by two hex digits) or the decoded bytes are not valid
// UTF-8 (overlong forms, surrogates, code points past U+10FFFF and stray bytes included): such a
// path names nothing, and every later layer may assume valid UTF-8.
std::optional<std::string> decode_path(std::string_view raw_path);

}  // namespace sextant::http
