// Authenticator for `Authorization: Bearer <JWT>` (what oauth2-proxy's --skip-jwt-bearer-tokens
// with --extra-jwt-issuers accepts). A bearer credential that is not JWT-shaped (three
// dot-separated base64url runs) is not ours: nullopt, so personal access tokens reach their own
// authenticator. A JWT-shaped one must verify (JwtVerifier) or AuthError(Unauthenticated) is
// thrown. Claims -> Principal:
//   username       = `email` if present and non-empty, else `sub` (one of them is required);
//   email          = `email` (must be a string if present);
//   email_verified = `email_verified` true or "true" (Cognito sends a string), else false;
//   groups         = the configured claim (default "groups"): an array (non-string members are
//                    ignored) or a single string. If there is no top-level claim of that name and the
//                    name contains dots, it is followed as a path ("realm_access.roles" for Keycloak);
//   issuer = `iss`; method = "jwt"; is_admin = false (the policy layer decides).
// No e-mail-domain, verified-email or group rules are applied here: the policy applies them to
// every kind of principal alike.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/authenticator.hpp"
#include "auth/jwt/jwt_verifier.hpp"

namespace sextant::auth::jwt {

struct JwtBearerOptions {
  std::string groups_claim = "groups";  // oauth2-proxy's --oidc-groups-claim
};

// The token of an "Authorization: Bearer <token>" header (scheme case-insensitive, RFC 7235),
// nullopt for other schemes or an empty token.
std::optional<std::string_view> bearer_token(std::string_view authorization) noexcept;

// The Principal for verified claims (throws AuthError if they name nobody).
Principal principal_from_claims(const nlohmann::json& claims, const JwtBearerOptions& options);

class JwtBearerAuthenticator : public Authenticator {
 public:
  explicit JwtBearerAuthenticator(std::shared_ptr<const JwtVerifier> verifier, JwtBearerOptions options = {});
  std::optional<Principal> authenticate(const RequestCredentials& request) override;

 private:
  std::shared_ptr<const JwtVerifier> verifier_;
  JwtBearerOptions options_;
};

}  // namespace sextant::auth::jwt
