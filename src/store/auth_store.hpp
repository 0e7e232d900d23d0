// Users, personal access tokens and browser sessions for built-in authentication. Secrets are
// never stored: tokens and session ids are stored as SHA-256 hashes, passwords as argon2id
// strings. Implementations are thread-safe. Errors are core::MlflowError (as the other stores).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sextant::store {

struct AuthUser {
  std::string username;                        // unique; the e-mail for users from an identity provider
  std::optional<std::string> password_hash;    // argon2id string; none = no password login
  bool is_admin = false;
  std::string source = "local";                // "local" (created in Sextant) | "oidc" (external identity)
  std::string email;                           // may be empty for local users
  // External users: the groups seen at the last sign-in or token mint, and who vouched for them
  // (the issuer URL, or auth's trusted-proxy marker); "" = unknown (rows from before this was
  // kept), which no group rule matches. Kept in the groups column as {"issuer", "groups"}.
  std::vector<std::string> groups;
  std::string groups_issuer;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
};

struct PersonalToken {
  std::string token_id;                        // public id (for listing / revoking), 16 hex chars
  std::string username;                        // owner
  std::string name;                            // owner's label
  std::string token_hash;                      // SHA-256 hex of the secret
  std::int64_t created_ms = 0;
  std::optional<std::int64_t> expires_ms;      // none = does not expire
  std::optional<std::int64_t> last_used_ms;
  std::optional<std::int64_t> revoked_ms;      // set = revoked
};

struct Session {
  std::string session_hash;                    // SHA-256 hex of the cookie value
  std::string username;
  std::int64_t created_ms = 0;
  std::int64_t last_seen_ms = 0;
  std::int64_t expires_ms = 0;                 // absolute expiry
  std::int64_t idle_expires_ms = 0;            // moved forward on use
  // The provider's refresh token and ID token (OIDC sessions), sealed by auth::TokenSealer: the
  // store only keeps these opaque strings. None when there is no token or no --cookie-secret.
  std::optional<std::string> sealed_refresh_token;
  std::optional<std::string> sealed_id_token;
  std::string issuer;                          // "" for local password logins
  std::string email;
  bool email_verified = false;
  std::vector<std::string> groups;
  std::optional<std::int64_t> revoked_ms;
};

// A pending browser login (OIDC authorization code flow): created by /auth/login, consumed once
// by /auth/callback. The state value itself is stored as its SHA-256 only.
struct OAuthState {
  std::string state_hash;                      // SHA-256 hex of the `state` parameter
  std::string nonce;
  std::string code_verifier;                   // PKCE (RFC 7636)
  std::string redirect_to;                     // same-origin path to return to
  std::int64_t created_ms = 0;
  std::int64_t expires_ms = 0;
};

class AuthStore {
 public:
  virtual ~AuthStore() = default;

  // Users. create_user throws RESOURCE_ALREADY_EXISTS when the name is taken.
  virtual void create_user(const AuthUser& user) = 0;
  virtual std::optional<AuthUser> get_user(const std::string& username) = 0;
  virtual std::vector<AuthUser> list_users() = 0;
  virtual std::int64_t count_admins() = 0;
  // Both throw RESOURCE_DOES_NOT_EXIST for an unknown user.
  virtual void set_password(const std::string& username, const std::optional<std::string>& password_hash) = 0;
  virtual void set_admin(const std::string& username, bool is_admin) = 0;
  // An external user's current groups (auth refreshes them at sign-in, token mint and session
  // refresh); nothing happens for an unknown user.
  virtual void set_groups(const std::string& username, const std::string& groups_issuer,
                          const std::vector<std::string>& groups) = 0;
  // Deletes the user with its tokens and sessions; false when there was no such user.
  virtual bool delete_user(const std::string& username) = 0;

  // Personal tokens. create_token requires the owner to exist; it also deletes tokens that were
  // revoked or expired more than kTokenRetentionMs ago (kept that long for listing and audit).
  static constexpr std::int64_t kTokenRetentionMs = 30LL * 24 * 3600 * 1000;
  virtual void create_token(const PersonalToken& token) = 0;
  // The token whose hash equals `token_hash` (revoked and expired ones included: callers check).
  virtual std::optional<PersonalToken> find_token_by_hash(const std::string& token_hash) = 0;
  virtual std::optional<PersonalToken> get_token(const std::string& token_id) = 0;
  virtual std::vector<PersonalToken> list_tokens(const std::string& username) = 0;
  // Marks the token revoked at `now_ms`; false when it does not exist or was already revoked.
  virtual bool revoke_token(const std::string& token_id, std::int64_t now_ms) = 0;
  virtual void touch_token(const std::string& token_id, std::int64_t now_ms) = 0;

  // Sessions. create_session requires the user to exist; it also deletes sessions that have
  // expired (absolute or idle) or were revoked, so the table holds only live sessions.
  virtual void create_session(const Session& session) = 0;
  virtual std::optional<Session> find_session(const std::string& session_hash) = 0;
  virtual void touch_session(const std::string& session_hash, std::int64_t now_ms, std::int64_t idle_expires_ms) = 0;
  // false when it does not exist or was already revoked.
  virtual bool revoke_session(const std::string& session_hash, std::int64_t now_ms) = 0;
  // After a refresh at the identity provider (--cookie-refresh): new claims and sealed tokens;
  // created_ms becomes `now_ms` (the refresh interval counts from it, as in oauth2-proxy).
  virtual void update_session_claims(const Session& session, std::int64_t now_ms) = 0;

  // Browser login states. create_oauth_state also deletes expired states.
  virtual void create_oauth_state(const OAuthState& state) = 0;
  // Atomically removes and returns the state (single use); nullopt when unknown, already used or
  // expired at `now_ms`.
  virtual std::optional<OAuthState> consume_oauth_state(const std::string& state_hash, std::int64_t now_ms) = 0;
};

}  // namespace sextant::store
