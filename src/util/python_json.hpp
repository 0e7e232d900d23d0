// Python's json.dumps() text with its defaults: ", " and ": " separators, keys in insertion
// order, ASCII-only strings (\uXXXX escapes, surrogate pairs). Invalid UTF-8 becomes U+FFFD.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace sextant::util {

std::string python_json_dumps(const nlohmann::ordered_json& value);

}  // namespace sextant::util
