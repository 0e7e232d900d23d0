#include "auth/jwt/fetch_policy.hpp"

#include <cctype>
#include <string>

namespace sextant::auth::jwt {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "[::1]") return true;
  // 127.d.d.d with every part a decimal number 0-255
  if (!host.starts_with("127.")) return false;
  int parts = 0;
  std::size_t i = 0;
  while (i <= host.size()) {
    std::size_t j = host.find('.', i);
    if (j == std::string_view::npos) j = host.size();
    std::string_view part = host.substr(i, j - i);
    if (part.empty() || part.size() > 3) return false;
    int value = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    if (value > 255) return false;
    ++parts;
    i = j + 1;
  }
  return parts == 4;
}

}  // namespace

bool fetch_url_allowed(std::string_view url, bool allow_insecure_http) noexcept {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return false;
  const std::string scheme = lower(url.substr(0, scheme_end));
  std::string_view rest = url.substr(scheme_end + 3);
  const auto authority_end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, authority_end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return false;
  if (url.find('#') != std::string_view::npos) return false;
  for (char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == '\\' || static_cast<unsigned char>(c) >= 0x7f) return false;
  // host without port; IPv6 literals keep their brackets
  std::string_view host = authority;
  if (host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos) return false;
    const std::string_view after = host.substr(close + 1);
    if (!after.empty() && after.front() != ':') return false;
    host = host.substr(0, close + 1);
  } else if (const auto colon = host.find(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (host.empty()) return false;
  if (scheme == "https") return true;
  if (scheme == "http") return allow_insecure_http || is_loopback_host(lower(host));
  return false;
}

}  // namespace sextant::auth::jwt
