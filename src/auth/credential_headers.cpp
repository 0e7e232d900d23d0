#include "auth/credential_headers.hpp"

#include "util/strings.hpp"

namespace sextant::auth {

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
  for (auto part : util::split(header, ';')) {
    auto kv = util::trim(part);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    if (util::trim(kv.substr(0, eq)) == name) {
      auto v = util::trim(kv.substr(eq + 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return std::string(v);
    }
  }
  return std::nullopt;
}

std::optional<std::string> authorization_param(std::string_view header, std::string_view scheme) {
  auto h = util::trim(header);
  if (h.size() <= scheme.size() || !util::iequals(h.substr(0, scheme.size()), scheme) || h[scheme.size()] != ' ') {
    return std::nullopt;
  }
  return std::string(util::trim(h.substr(scheme.size() + 1)));
}

}  // namespace sextant::auth
