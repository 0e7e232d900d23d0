// Verifies a compact JWS JWT from one of the trusted issuers (RFC 7519 §7.2, RFC 8725):
//  1. parse: three strict base64url parts, header and claims JSON objects without duplicate members;
//  2. header: `alg` a supported asymmetric algorithm (never none/HS*); tokens carrying `jku`,
//     `x5u`, `jwk` (keys or key locations chosen by the sender), `crit` (we implement no
//     extensions), `b64` other than true, or `cty: JWT` (nested tokens) are refused; `x5c`/`x5t`
//     are ignored, never used as keys;
//  3. issuer: chosen by the (not yet verified) `iss`, which must equal a configured issuer exactly;
//     `alg` must be in that issuer's allowed list;
//  4. key: by `kid` from the issuer's JWKS (an unknown kid asks the KeyProvider to refresh, which
//     it does at most once per cool-down); without `kid` the JWKS must have exactly one key usable
//     for `alg`. The key's type/curve and its declared `alg`, if any, must fit the token's `alg`;
//  5. signature (algorithms.hpp);
//  6. claims: `exp` required, the token is refused from exp - leeway on; `nbf` and `iat` (if
//     present) must not be later than now + leeway; all three must be JSON numbers; the lifetime
//     (exp - iat, or exp - now without iat) at most the issuer's max_lifetime + leeway. `aud` is
//     required, a string or an array of strings, and must contain one of the issuer's audiences
//     (other entries are allowed, as in go-oidc / oauth2-proxy). `azp` is not checked (oauth2-proxy
//     does not either; a token minted for us but requested by another client is still for us).
// Every failure throws JwtError. Thread-safe (const; the KeyProvider is thread-safe).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/jwt/clock.hpp"
#include "auth/jwt/issuer_config.hpp"
#include "auth/jwt/key_provider.hpp"

namespace sextant::auth::jwt {

struct VerifierOptions {
  std::chrono::seconds leeway{60};  // clock skew allowed for exp / nbf / iat
  Clock clock = system_clock();
};

struct VerifiedJwt {
  nlohmann::json header;
  nlohmann::json claims;
  const IssuerConfig* issuer = nullptr;  // points into the verifier; valid while it lives
  JwsAlgorithm algorithm = JwsAlgorithm::RS256;
  std::string kid;  // of the key that verified it ("" when the key had none)
};

class JwtVerifier {
 public:
  // Throws std::invalid_argument for an issuer without name or audience, or a repeated issuer.
  JwtVerifier(std::vector<IssuerConfig> issuers, std::shared_ptr<KeyProvider> keys, VerifierOptions options = {});

  VerifiedJwt verify(std::string_view token) const;

  const std::vector<IssuerConfig>& issuers() const noexcept { return issuers_; }

 private:
  const IssuerConfig* find_issuer(const std::string& iss) const noexcept;
  void check_claims(const nlohmann::json& claims, const IssuerConfig& issuer) const;

  std::vector<IssuerConfig> issuers_;
  std::shared_ptr<KeyProvider> keys_;
  VerifierOptions options_;
};

}  // namespace sextant::auth::jwt
