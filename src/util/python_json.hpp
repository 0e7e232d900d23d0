// JSON text exactly as Python's json.dumps(value) writes it with its defaults (what MLflow stores
// in tags such as mlflow.log-model.history): ", " and ": " separators, members in insertion
// order, ensure_ascii (every character outside ' '..'~' as \uXXXX, lower-case hex, surrogate
// pairs above U+FFFF), floats as Python's repr (1.0, 1e+16, 1.5e-05, NaN, Infinity). Pure.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "util/python_format.hpp"  // python_float_repr, python_json_string

namespace sextant::util {


// Python's str() of a JSON scalar as json.loads returns it: a string as is, True/False, None,
// ints in decimal, floats as python_float_repr; nullopt for arrays and objects.
std::optional<std::string> python_str(const nlohmann::ordered_json& value);

// Python's truth value of a JSON value: false for null, false, 0, 0.0, "", [] and {}.
bool python_truthy(const nlohmann::ordered_json& value);

// Python's json.dumps(value). `value` must hold valid UTF-8 strings (nlohmann's parser ensures it)
// and nest no deeper than the decoder allowed (the writer recurses).
// With indent >= 0, json.dumps(value, indent=indent): one item a line, "," and ": " separators.
std::string python_json_dumps(const nlohmann::ordered_json& value, int indent = -1);

}  // namespace sextant::util
