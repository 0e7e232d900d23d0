// The built-in authenticators (see authenticator.hpp for the chain contract). main.cpp builds
// the ordered chain: TrustedProxy, PersonalToken, Basic, [JwtBearer], Session.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/audit_log.hpp"
#include "auth/authenticator.hpp"
#include "auth/cidr.hpp"
#include "auth/credential_headers.hpp"
#include "store/auth_store.hpp"

namespace sextant::auth {

inline constexpr std::string_view kSessionCookie = "__Host-sextant_session";

// `Authorization: Bearer sxt_...` personal access tokens. Bearer values without the sxt_
// prefix are not its kind (nullopt: a JWT authenticator may take them).
class PersonalTokenAuthenticator final : public Authenticator {
 public:
  explicit PersonalTokenAuthenticator(store::AuthStore& store) : store_(store) {}
  std::optional<Principal> authenticate(const RequestCredentials& request) override;
  // Checks a token secret (also used for Basic auth with a token as the password). Throws
  // AuthError(Unauthenticated) for an unknown, malformed, revoked or expired token.
  Principal verify(std::string_view secret);

 private:
  store::AuthStore& store_;
};

// `Authorization: Basic base64(user:password)`: a local user's argon2id password, or a personal
// token as the password (any user name: the token alone decides who it is). Verified passwords
// are cached (keyed by a salted hash, revalidated against the current password hash, 5 min) so
// that clients sending Basic on every request do not pay argon2id each time.
class BasicAuthenticator final : public Authenticator {
 public:
  BasicAuthenticator(store::AuthStore& store, PersonalTokenAuthenticator& tokens, AuditLog* audit = nullptr);
  std::optional<Principal> authenticate(const RequestCredentials& request) override;
  // Checks a local user's password; throws AuthError(Unauthenticated) when wrong.
  Principal check_password(const std::string& username, const std::string& password);

 private:
  struct Cached {
    std::string username;
    std::string password_hash;
    std::chrono::steady_clock::time_point expires;
  };
  store::AuthStore& store_;
  PersonalTokenAuthenticator& tokens_;
  AuditLog* audit_;
  std::string salt_;
  std::string dummy_hash_;
  std::mutex mutex_;
  std::unordered_map<std::string, Cached> cache_;
};

// X-Forwarded-Email / X-Forwarded-User / X-Forwarded-Groups (oauth2-proxy's headers), honoured
// only when the TCP peer is inside one of the trusted proxy ranges; otherwise ignored entirely.
class TrustedProxyAuthenticator final : public Authenticator {
 public:
  explicit TrustedProxyAuthenticator(std::vector<Cidr> proxies) : proxies_(std::move(proxies)) {}
  std::optional<Principal> authenticate(const RequestCredentials& request) override;

 private:
  std::vector<Cidr> proxies_;
};

class OidcLogin;
class TokenSealer;

// The `__Host-sextant_session` cookie: an opaque random value whose SHA-256 names a row in
// sextant_sessions; refused when unknown, revoked, past its absolute expiry or idle too long.
// Use moves the idle expiry forward (written at most once a minute).
// With refresh enabled (--cookie-refresh, oauth2-proxy's semantics): an OIDC session with a
// refresh token that was created/refreshed longer than the interval ago is refreshed at the token
// endpoint first; a returned ID token is verified and must name the same user, and its claims
// replace the session's (the Gate then applies the access rules to them). A failed refresh ends
// the session (revoked, 401).
class SessionAuthenticator final : public Authenticator {
 public:
  SessionAuthenticator(store::AuthStore& store, std::chrono::milliseconds idle_timeout, AuditLog* audit = nullptr)
      : store_(store), idle_(idle_timeout), audit_(audit) {}
  // --cookie-refresh: sessions from the OIDC login older than `interval` are refreshed at the
  // provider with their refresh token (sealed by `sealer`); a failed refresh ends the session.
  void enable_refresh(OidcLogin* oidc, std::chrono::milliseconds interval, const TokenSealer* sealer) {
    oidc_ = oidc;
    refresh_ = interval;
    sealer_ = sealer;
  }
  std::optional<Principal> authenticate(const RequestCredentials& request) override;

 private:
  void refresh(store::Session& session);

  store::AuthStore& store_;
  std::chrono::milliseconds idle_;
  AuditLog* audit_;
  OidcLogin* oidc_ = nullptr;
  std::chrono::milliseconds refresh_{0};
  const TokenSealer* sealer_ = nullptr;
  std::mutex refresh_mutex_;
};

}  // namespace sextant::auth
