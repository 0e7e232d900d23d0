// Client values rendered as MLflow's Python renders them in messages (json.dumps with
// ensure_ascii, float repr). Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace sextant::util {

// json.dumps(s) of a str: quoted; '"', '\\' and control characters escaped (\n, \r, \t, \b, \f,
// else \u00XX), everything outside printable ASCII as \uXXXX (UTF-16 surrogate pairs above
// U+FFFF). Bytes that are not valid UTF-8 become \ufffd, as Python's 'replace' decoding does.
std::string python_json_string(std::string_view utf8);
// repr(float) / json.dumps(float): the shortest text that reads back as `value`, in fixed
// notation with at least one decimal ("9.0") for exponents -5 < e < 16, else "1e+16", "1.5e-05";
// NaN and infinities as json.dumps writes them ("NaN", "Infinity", "-Infinity").
std::string python_float_repr(double value);

}  // namespace sextant::util
