#include "auth/authenticators.hpp"

#include "auth/crypto.hpp"
#include "auth/oidc_login.hpp"
#include "auth/token_sealer.hpp"
#include "util/base64.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace sextant::auth {

namespace {

constexpr std::int64_t kTouchEveryMs = 60'000;

[[noreturn]] void unauthenticated(const std::string& reason) { throw AuthError(AuthError::Kind::Unauthenticated, reason); }

Principal principal_for(const store::AuthUser& user, std::string method) {
  Principal p;
  p.username = user.username;
  p.email = !user.email.empty() ? user.email : (user.username.find('@') != std::string::npos ? user.username : "");
  p.email_verified = true;  // local: vouched for by an admin; oidc: the row exists after a verified login
  p.groups = user.groups;
  p.groups_issuer = user.groups_issuer;
  p.is_admin = user.is_admin;
  p.method = std::move(method);
  p.local_account = user.source == "local";
  return p;
}

}  // namespace

// --- personal tokens ---------------------------------------------------------------------

std::optional<Principal> PersonalTokenAuthenticator::authenticate(const RequestCredentials& request) {
  auto bearer = authorization_param(request.authorization, "Bearer");
  if (!bearer || !bearer->starts_with(kTokenPrefix)) return std::nullopt;
  return verify(*bearer);
}

Principal PersonalTokenAuthenticator::verify(std::string_view secret) {
  if (!looks_like_personal_token(secret)) unauthenticated("malformed personal access token");
  auto hash = sha256_hex(secret);
  auto token = store_.find_token_by_hash(hash);
  if (!token || !constant_time_equal(token->token_hash, hash)) unauthenticated("unknown personal access token");
  auto now = util::now_ms();
  if (token->revoked_ms) unauthenticated("personal access token " + token->token_id + " is revoked");
  if (token->expires_ms && *token->expires_ms <= now) unauthenticated("personal access token " + token->token_id + " has expired");
  auto user = store_.get_user(token->username);
  if (!user) unauthenticated("owner of personal access token " + token->token_id + " no longer exists");
  if (!token->last_used_ms || now - *token->last_used_ms > kTouchEveryMs) {
    try {
      store_.touch_token(token->token_id, now);
    } catch (const std::exception&) {
      // last_used is informational; never fail a request over it
    }
  }
  auto p = principal_for(*user, "token");
  p.credential_id = token->token_id;
  return p;
}

// --- basic -------------------------------------------------------------------------------

BasicAuthenticator::BasicAuthenticator(store::AuthStore& store, PersonalTokenAuthenticator& tokens, AuditLog* audit)
    : store_(store), tokens_(tokens), audit_(audit), salt_(random_bytes(32)),
      dummy_hash_(hash_password(base64url_encode(random_bytes(16)))) {}

std::optional<Principal> BasicAuthenticator::authenticate(const RequestCredentials& request) {
  auto param = authorization_param(request.authorization, "Basic");
  if (!param) return std::nullopt;
  auto decoded = util::base64_decode(*param);
  if (!decoded) unauthenticated("malformed Basic credentials");
  auto colon = decoded->find(':');
  if (colon == std::string::npos) unauthenticated("malformed Basic credentials");
  std::string username = decoded->substr(0, colon), password = decoded->substr(colon + 1);
  // A token as the password, or as the user name (`-u "$TOKEN:x-oauth-basic"`, the GitHub /
  // oauth2-proxy convention): the token alone decides who it is.
  for (const std::string* secret : {&password, &username}) {
    if (secret->starts_with(kTokenPrefix)) {
      auto p = tokens_.verify(*secret);
      p.method = "basic-token";
      return p;
    }
  }
  return check_password(username, password);
}

Principal BasicAuthenticator::check_password(const std::string& username, const std::string& password) {
  // Longer than any password the rule accepts (password_rule.hpp): refused before argon2id.
  if (password.size() > 1024 || username.size() > 1024) unauthenticated("over-long Basic credentials");
  auto key = sha256_hex(salt_ + username + std::string(1, '\0') + password);
  auto now = std::chrono::steady_clock::now();
  auto user = store_.get_user(username);
  if (user && user->password_hash) {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      if (it->second.expires > now && it->second.username == username &&
          constant_time_equal(it->second.password_hash, *user->password_hash)) {
        return principal_for(*user, "basic");
      }
      cache_.erase(it);
    }
  }
  if (!user || !user->password_hash) {
    verify_password(password, dummy_hash_);  // same cost as a real check: do not reveal which users exist
    // The name is not logged: a name that is no user's is often a secret typed in the wrong field.
    unauthenticated(user ? "user '" + username + "' has no password" : "unknown user");
  }
  if (!verify_password(password, *user->password_hash)) unauthenticated("wrong password for user '" + username + "'");
  {
    std::lock_guard lock(mutex_);
    if (cache_.size() >= 4096) cache_.clear();
    cache_[key] = Cached{username, *user->password_hash, now + std::chrono::minutes(5)};
  }
  if (audit_) audit_->event("login_success", {{"user", username}, {"method", "basic"}});
  return principal_for(*user, "basic");
}

// --- trusted proxy -----------------------------------------------------------------------

std::optional<Principal> TrustedProxyAuthenticator::authenticate(const RequestCredentials& request) {
  auto& n = request.counts;
  bool any = !request.forwarded_email.empty() || !request.forwarded_user.empty() || n.forwarded_email > 0 ||
             n.forwarded_user > 0;
  if (!any) return std::nullopt;
  if (!address_in(proxies_, request.remote_address)) return std::nullopt;  // spoofable: ignored
  // A proxy that appends to (rather than replaces) a client's header would let the client choose
  // the identity: two headers, or a list in a single-identity header, are refused.
  if (n.forwarded_email > 1 || n.forwarded_user > 1 || n.forwarded_groups > 1) {
    throw AuthError(AuthError::Kind::BadRequest, "duplicated X-Forwarded-Email/-User/-Groups headers from the proxy");
  }
  if (request.forwarded_email.find(',') != std::string::npos || request.forwarded_user.find(',') != std::string::npos) {
    throw AuthError(AuthError::Kind::BadRequest, "a list in X-Forwarded-Email/-User from the proxy");
  }
  if (util::trim(request.forwarded_email).empty() && util::trim(request.forwarded_user).empty()) {
    unauthenticated("empty X-Forwarded-Email/-User from the proxy");
  }
  Principal p;
  p.email = std::string(util::trim(request.forwarded_email));
  p.username = !p.email.empty() ? p.email : std::string(util::trim(request.forwarded_user));
  p.email_verified = !p.email.empty();  // the proxy verified it
  for (auto g : util::split(request.forwarded_groups, ',')) {
    auto t = util::trim(g);
    if (!t.empty()) p.groups.emplace_back(t);
  }
  p.groups_issuer = kTrustedProxyGroups;
  p.method = "proxy";
  return p;
}

// --- sessions ----------------------------------------------------------------------------

std::optional<Principal> SessionAuthenticator::authenticate(const RequestCredentials& request) {
  if (request.cookie.empty() || request.has_authorization()) return std::nullopt;  // Authorization decides alone
  auto value = cookie_value(request.cookie, kSessionCookie);
  if (!value) return std::nullopt;
  if (value->size() != 43) unauthenticated("malformed session cookie");
  auto hash = sha256_hex(*value);
  auto session = store_.find_session(hash);
  if (!session || !constant_time_equal(session->session_hash, hash)) unauthenticated("unknown session");
  auto now = util::now_ms();
  if (session->revoked_ms) unauthenticated("session is revoked (logged out)");
  if (session->expires_ms <= now) unauthenticated("session has expired");
  if (session->idle_expires_ms <= now) unauthenticated("session was idle too long");
  auto user = store_.get_user(session->username);
  if (!user) unauthenticated("user of the session no longer exists");
  if (oidc_ && sealer_ && refresh_.count() > 0 && !session->issuer.empty() && session->sealed_refresh_token &&
      now - session->created_ms > refresh_.count()) {
    refresh(*session);
  }
  if (now - session->last_seen_ms > kTouchEveryMs) {
    try {
      store_.touch_session(hash, now, std::min<std::int64_t>(session->expires_ms, now + idle_.count()));
    } catch (const std::exception&) {
    }
  }
  auto p = principal_for(*user, "session");
  if (!session->issuer.empty()) {  // an identity-provider login: its claims, not the user row
    p.issuer = session->issuer;
    p.email = session->email;
    p.email_verified = session->email_verified;
    p.groups = session->groups;
    p.groups_issuer = session->issuer;
  }
  p.credential_id = hash;
  return p;
}

void SessionAuthenticator::refresh(store::Session& session) {
  std::lock_guard lock(refresh_mutex_);  // one refresh at a time: refresh tokens may rotate
  auto now = util::now_ms();
  if (auto current = store_.find_session(session.session_hash)) {
    if (current->revoked_ms) unauthenticated("session is revoked (logged out)");
    if (now - current->created_ms <= refresh_.count() || !current->sealed_refresh_token) {  // another request did it
      session = *current;
      return;
    }
    session = *current;
  }
  try {
    auto refresh_token = sealer_->open(*session.sealed_refresh_token, session.session_hash);
    if (!refresh_token) throw LoginError(401, "the stored refresh token does not open (was --cookie-secret changed?)");
    OidcTokens tokens;
    auto fresh = oidc_->refresh(*refresh_token, tokens);
    if (fresh) {
      if (fresh->username != session.username || fresh->issuer != session.issuer)
        throw LoginError(401, "refreshed ID token names another user");
      session.email = fresh->email;
      session.email_verified = fresh->email_verified;
      session.groups = fresh->groups;
    }
    session.sealed_refresh_token = sealer_->seal(tokens.refresh_token, session.session_hash);
    if (!tokens.id_token.empty()) session.sealed_id_token = sealer_->seal(tokens.id_token, session.session_hash);
    store_.update_session_claims(session, now);
    session.created_ms = now;
    if (fresh) store_.set_groups(session.username, session.issuer, session.groups);  // what the owner's tokens act with
    if (audit_) audit_->event("session_refreshed", {{"user", session.username}});
  } catch (const LoginError& e) {
    store_.revoke_session(session.session_hash, now);
    if (audit_) audit_->event("session_ended", {{"user", session.username}, {"reason", e.what()}});
    unauthenticated(std::string("session refresh failed: ") + e.what());
  }
}

}  // namespace sextant::auth
