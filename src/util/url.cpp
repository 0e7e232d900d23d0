#include "util/url.hpp"

#include <algorithm>
#include <iterator>

namespace sextant::util {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string percent_decode(std::string_view s, bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_as_space && c == '+') ? ' ' : c;
  }
  return out;
}

std::string percent_encode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/');
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t start = 0;
  while (start <= query.size()) {
    auto end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    auto part = query.substr(start, end - start);
    if (!part.empty()) {
      auto eq = part.find('=');
      if (eq == std::string_view::npos)
        out.emplace_back(percent_decode(part, true), "");
      else
        out.emplace_back(percent_decode(part.substr(0, eq), true), percent_decode(part.substr(eq + 1), true));
    }
    start = end + 1;
  }
  return out;
}

}  // namespace sextant::util

namespace sextant::util {

namespace {

bool is_scheme_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
         c == '.';
}

}  // namespace

std::string PythonUrl::hostname() const {
  std::string_view host = netloc;
  if (auto at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
  if (host.starts_with('[')) {
    auto close = host.find(']');
    host = host.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
  } else if (auto colon = host.find(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  std::string out(host);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

PythonUrl python_urlsplit(std::string_view url, bool allow_fragments) {
  while (!url.empty() && static_cast<unsigned char>(url.front()) <= 0x20) url.remove_prefix(1);
  std::string rest;
  for (char c : url)
    if (c != '\t' && c != '\r' && c != '\n') rest += c;
  PythonUrl out;
  auto colon = rest.find(':');
  if (colon != std::string::npos && colon > 0 &&
      ((rest[0] >= 'a' && rest[0] <= 'z') || (rest[0] >= 'A' && rest[0] <= 'Z')) &&
      std::all_of(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(colon), is_scheme_char)) {
    out.scheme = rest.substr(0, colon);
    for (char& c : out.scheme)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    rest.erase(0, colon + 1);
  }
  if (rest.starts_with("//")) {
    auto end = rest.find_first_of("/?#", 2);
    out.netloc = rest.substr(2, end == std::string::npos ? std::string::npos : end - 2);
    rest.erase(0, end == std::string::npos ? rest.size() : end);
  }
  if (allow_fragments) {
    if (auto hash = rest.find('#'); hash != std::string::npos) {
      out.fragment = rest.substr(hash + 1);
      rest.erase(hash);
    }
  }
  if (auto q = rest.find('?'); q != std::string::npos) {
    out.query = rest.substr(q + 1);
    rest.erase(q);
  }
  out.path = std::move(rest);
  return out;
}

std::string python_urlparse_path(std::string_view url) {
  static constexpr std::string_view kUsesParams[] = {"",    "ftp",  "hdl",   "prospero", "http", "imap", "https", "shttp",
                                                     "rtsp", "rtspu", "sip", "sips",     "mms",  "sftp", "tel"};
  PythonUrl parts = python_urlsplit(url);
  if (std::find(std::begin(kUsesParams), std::end(kUsesParams), parts.scheme) == std::end(kUsesParams)) return parts.path;
  auto last_slash = parts.path.rfind('/');
  auto semi = parts.path.find(';', last_slash == std::string::npos ? 0 : last_slash);
  if (semi != std::string::npos) parts.path.erase(semi);
  return parts.path;
}

}  // namespace sextant::util
