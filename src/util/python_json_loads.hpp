// Python's json.loads over a str, into nlohmann's ordered_json: NaN, Infinity and -Infinity are
// accepted, duplicate keys keep the first position and the last value (a dict), whitespace is
// JSON's four characters, integers beyond 64 bits become doubles (Python keeps them exact; the
// only difference), a lone surrogate escape becomes U+FFFD. Pure.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace sextant::util {

struct PythonJsonLoad {
  enum class Status { Ok, Invalid, TooDeep } status = Status::Invalid;  // Invalid: JSONDecodeError
  nlohmann::ordered_json value;                                       // TooDeep: RecursionError
};

PythonJsonLoad python_json_loads(std::string_view text, int max_depth = 900);

}  // namespace sextant::util
