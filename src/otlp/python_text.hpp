// Text as MLflow's Python renders OTLP values: json.dumps(..., ensure_ascii=False) strings, the
// str() of bytes (b'\x00'), repr() of str in error messages. Pure. (ensure_ascii=True strings
// are util::python_json_string.)
#pragma once

#include <string>
#include <string_view>

namespace sextant::otlp {

// json.dumps(s, ensure_ascii=False): quotes; '"', '\\', \n \r \t \b \f and other control
// characters below U+0020 (\u00XX) escaped; everything else as is. `utf8` must be valid UTF-8.
void append_json_string_raw(std::string& out, std::string_view utf8);

// str(b) / repr(b) of Python bytes: b'...' (b"..." when it holds ' but no "), printable ASCII as
// is, \\ \t \n \r and the quote escaped, other bytes \xNN.
std::string python_bytes_repr(std::string_view bytes);

// repr(s) of a Python str: quotes chosen like Python, \\ \t \n \r and the quote escaped, other
// ASCII control characters \xNN; non-ASCII kept.
std::string python_str_repr(std::string_view utf8);

}  // namespace sextant::otlp
