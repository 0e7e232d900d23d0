// Encoding one Unicode code point as UTF-8 (the JSON/GraphQL \u escapes, XML character references).
#pragma once

#include <cstdint>
#include <string>

namespace sextant::util {

// Appends code point `cp` (< 0x110000, not a surrogate) as UTF-8; larger values append nothing.
void append_utf8(std::string& out, std::uint32_t cp);

}  // namespace sextant::util
