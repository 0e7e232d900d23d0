// AuthStore on the shared Database, in Sextant's own sextant_* tables (schema.cpp).
#pragma once

#include "store/auth_store.hpp"
#include "store/sql/database.hpp"

namespace sextant::store::sql {

class SqlAuthStore final : public AuthStore {
 public:
  explicit SqlAuthStore(Database& db) : db_(db) {}

  void create_user(const AuthUser& user) override;
  std::optional<AuthUser> get_user(const std::string& username) override;
  std::vector<AuthUser> list_users() override;
  std::int64_t count_admins() override;
  void set_password(const std::string& username, const std::optional<std::string>& password_hash) override;
  void set_admin(const std::string& username, bool is_admin) override;
  void set_groups(const std::string& username, const std::string& groups_issuer,
                  const std::vector<std::string>& groups) override;
  bool delete_user(const std::string& username) override;

  void create_token(const PersonalToken& token) override;
  std::optional<PersonalToken> find_token_by_hash(const std::string& token_hash) override;
  std::optional<PersonalToken> get_token(const std::string& token_id) override;
  std::vector<PersonalToken> list_tokens(const std::string& username) override;
  bool revoke_token(const std::string& token_id, std::int64_t now_ms) override;
  void touch_token(const std::string& token_id, std::int64_t now_ms) override;

  void create_session(const Session& session) override;
  std::optional<Session> find_session(const std::string& session_hash) override;
  void touch_session(const std::string& session_hash, std::int64_t now_ms, std::int64_t idle_expires_ms) override;
  bool revoke_session(const std::string& session_hash, std::int64_t now_ms) override;
  void update_session_claims(const Session& session, std::int64_t now_ms) override;

  void create_oauth_state(const OAuthState& state) override;
  std::optional<OAuthState> consume_oauth_state(const std::string& state_hash, std::int64_t now_ms) override;

 private:
  Database& db_;
};

}  // namespace sextant::store::sql
