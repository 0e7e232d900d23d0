#include "auth/jwt/issuer_config.hpp"

#include <algorithm>
#include <stdexcept>

namespace sextant::auth::jwt {

IssuerConfig parse_issuer_spec(std::string_view spec) {
  const auto eq = spec.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == spec.size())
    throw std::invalid_argument("JWT issuer must be given as ISSUER=AUDIENCE: \"" + std::string(spec) + "\"");
  IssuerConfig config;
  config.issuer = std::string(spec.substr(0, eq));
  config.audiences.emplace_back(spec.substr(eq + 1));
  return config;
}

std::vector<IssuerConfig> parse_issuer_specs(const std::vector<std::string>& specs) {
  std::vector<IssuerConfig> out;
  for (const auto& spec : specs) {
    IssuerConfig config = parse_issuer_spec(spec);
    auto same = std::find_if(out.begin(), out.end(), [&](const IssuerConfig& c) { return c.issuer == config.issuer; });
    if (same == out.end()) {
      out.push_back(std::move(config));
    } else if (std::find(same->audiences.begin(), same->audiences.end(), config.audiences[0]) == same->audiences.end()) {
      same->audiences.push_back(config.audiences[0]);
    }
  }
  return out;
}

}  // namespace sextant::auth::jwt
