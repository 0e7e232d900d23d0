// One trusted token issuer (oauth2-proxy's --extra-jwt-issuers ISSUER=AUDIENCE, plus the
// settings oauth2-proxy leaves implicit).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jwt/algorithms.hpp"

namespace sextant::auth::jwt {

struct IssuerConfig {
  std::string issuer;                    // must equal the token's `iss` exactly (no normalisation)
  std::vector<std::string> audiences;    // at least one; the token's `aud` must contain one of them
  std::vector<JwsAlgorithm> algorithms;  // allowed; empty = every asymmetric algorithm we implement
  std::string jwks_uri;                  // "" = from <issuer>/.well-known/openid-configuration
  bool allow_insecure_http = false;      // allow http:// discovery/JWKS URLs on non-loopback hosts
  // The longest lifetime accepted (--max-jwt-lifetime): exp - iat, or exp - now without iat, may
  // exceed it by the leeway at most; 0 = no limit. A stolen long-lived token is bounded by it.
  std::chrono::seconds max_lifetime{24 * 3600};
};

// "ISSUER=AUDIENCE" as oauth2-proxy's --extra-jwt-issuers takes it (split at the first '=').
// Throws std::invalid_argument when either side is empty.
IssuerConfig parse_issuer_spec(std::string_view spec);

// Several specs; the same issuer given twice becomes one IssuerConfig with both audiences.
std::vector<IssuerConfig> parse_issuer_specs(const std::vector<std::string>& specs);

}  // namespace sextant::auth::jwt
