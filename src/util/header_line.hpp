// The value of one raw HTTP response header line ("Name: value\r\n") when it names `lower_name`
// (lower case, without the colon; matched case-insensitively), trimmed of blanks and CR/LF.
// Header-only (libcurl header callbacks in several libraries use it). Pure.
#pragma once

#include <cctype>
#include <optional>
#include <string_view>

namespace sextant::util {

inline std::optional<std::string_view> header_line_value(std::string_view line, std::string_view lower_name) {
  if (line.size() <= lower_name.size() || line[lower_name.size()] != ':') return std::nullopt;
  for (std::size_t i = 0; i < lower_name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != lower_name[i]) return std::nullopt;
  std::string_view value = line.substr(lower_name.size() + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ' || value.back() == '\t'))
    value.remove_suffix(1);
  return value;
}

}  // namespace sextant::util
