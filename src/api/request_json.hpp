// The one JSON decoder for request input (bodies, double-encoded bodies, page tokens, Sextant's
// own endpoints). Limits are enforced while parsing, so neither the stack nor the heap grows with
// a hostile document: nesting at most kMaxDepth containers deep, at most kMaxValues JSON values
// (each scalar, array, object and member key counts one), so the DOM costs at most a fixed amount
// plus the bytes of the strings it holds. Pure and thread-safe; no Boost (a libFuzzer target calls it).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sextant::api {

namespace request_json_limits {
inline constexpr std::size_t kMaxDepth = 64;
// MLflow's largest requests stay far below: a full log-batch (1000 entries) is ~10,000 values,
// a log-inputs of 1000 datasets with tags ~25,000 (schemas and profiles travel as strings).
inline constexpr std::size_t kMaxValues = 100'000;
// Longest excerpt of a client value quoted in an error message, in code points.
inline constexpr std::size_t kMaxExcerpt = 200;
}  // namespace request_json_limits

struct JsonLimits {
  std::size_t max_depth = request_json_limits::kMaxDepth;
  std::size_t max_values = request_json_limits::kMaxValues;
};

// The JSON document in `bytes`, or a discarded value (is_discarded()) when `bytes` is not JSON
// (syntax error, invalid UTF-8, trailing garbage). Throws core::MlflowError
// (INVALID_PARAMETER_VALUE) naming the limit when the document nests deeper than max_depth or
// holds more than max_values values.
nlohmann::json decode_request_json(std::string_view bytes, const JsonLimits& limits = {});
// The same, keeping object members in document order (for values re-serialised as Python's
// json.dumps would, which keeps insertion order).
nlohmann::ordered_json decode_request_json_ordered(std::string_view bytes, const JsonLimits& limits = {});

// A short, valid-UTF-8 rendering of a client value for error messages: strings as they are,
// numbers/booleans/null as JSON, containers as compact JSON; at most kMaxExcerpt code points
// (then "..."), containers deeper than a few levels shown as [...] / {...}; invalid UTF-8 bytes
// shown as \xNN. Never recurses deeper than a small fixed bound and never throws.
std::string excerpt(const nlohmann::json& value);
// The same as MLflow's json.dumps(value, sort_keys=True) shows it (util/python_format):
// strings quoted with non-ASCII as \uXXXX, floats as Python's repr ("9.0", "1e+16").
std::string excerpt_json(const nlohmann::json& value);

// Python-like type name of a JSON value as MLflow's messages say it: str, int, float, bool,
// list, dict, NoneType.
std::string_view python_type_name(const nlohmann::json& value);

}  // namespace sextant::api
