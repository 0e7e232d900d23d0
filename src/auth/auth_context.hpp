// What the /api/2.0/sextant/ handlers (login, tokens, users) need from authentication. Owned by
// main for the server's lifetime.
#pragma once

#include <chrono>

#include "auth/audit_log.hpp"
#include "auth/authenticators.hpp"
#include "auth/rate_limiter.hpp"
#include "store/auth_store.hpp"

namespace sextant::auth {

struct AuthContext {
  store::AuthStore& store;
  AuditLog& audit;
  FailureLimiter& limiter;     // the Gate's: failed password logins count like failed credentials
  BasicAuthenticator& basic;   // password checks for the login endpoint
  std::chrono::milliseconds session_max_age{std::chrono::hours(168)};  // --cookie-expire
  std::chrono::milliseconds session_idle{std::chrono::hours(24)};      // --session-idle-timeout
};

}  // namespace sextant::auth
