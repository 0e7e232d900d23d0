// URL helpers: percent-decoding and query strings. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sextant::util {

// Decodes %XX escapes once; with `plus_as_space`, '+' becomes ' ' (form/query encoding).
// Malformed escapes are kept literally.
std::string percent_decode(std::string_view s, bool plus_as_space = false);
// Percent-encodes everything except RFC 3986 unreserved characters and, if keep_slash, '/'.
std::string percent_encode(std::string_view s, bool keep_slash = true);
// Splits "a=1&b=2&a=3" into decoded (key, value) pairs in order.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);

// The parts of a URL as CPython's urllib.parse.urlsplit gives them (MLflow decides with it):
// leading C0/space stripped, tab/CR/LF removed, scheme lower-cased ("" when the text before ':'
// is no scheme), netloc only after "//". With allow_fragments=false a '#' stays in the path.
struct PythonUrl {
  std::string scheme, netloc, path, query, fragment;
  // netloc's host: no userinfo, no port, no IPv6 brackets, lower-cased ("" when none).
  std::string hostname() const;
};
PythonUrl python_urlsplit(std::string_view url, bool allow_fragments = true);
// urlparse's path: as urlsplit's, minus ";params" in the last segment for the schemes CPython
// lists in uses_params (http, https, ftp, sftp, ...).
std::string python_urlparse_path(std::string_view url);

}  // namespace sextant::util
