// What the /api/2.0/sextant/ handlers (login, tokens, users) need from authentication. Owned by
// main for the server's lifetime.
#pragma once

#include <chrono>

#include <string>

#include "auth/access_rules.hpp"
#include "auth/audit_log.hpp"
#include "auth/authenticators.hpp"
#include "auth/rate_limiter.hpp"
#include "store/auth_store.hpp"

namespace sextant::auth {

class OidcLogin;
class TokenSealer;

struct AuthContext {
  store::AuthStore& store;
  AuditLog& audit;
  FailureLimiter& limiter;     // the Gate's: failed password logins count like failed credentials
  BasicAuthenticator& basic;   // password checks for the login endpoint
  std::chrono::milliseconds session_max_age{std::chrono::hours(168)};  // --cookie-expire
  std::chrono::milliseconds session_idle{std::chrono::hours(24)};      // --session-idle-timeout
  // The browser OIDC login (<prefix>/auth/login, /auth/callback, /auth/logout); null when no
  // --oidc-issuer-url / --client-id is configured.
  OidcLogin* oidc = nullptr;
  const AccessRules* rules = nullptr;  // the Gate's rules, applied at login too
  std::string redirect_url;            // --redirect-url; "" = https://<Host><prefix>/auth/callback
  // Seals the provider's refresh and ID tokens kept with a session (--cookie-secret); null = they
  // are not kept (no --cookie-refresh, logout without id_token_hint).
  const TokenSealer* sealer = nullptr;
  std::chrono::milliseconds max_token_lifetime{std::chrono::hours(90 * 24)};  // --max-token-lifetime
};

}  // namespace sextant::auth
