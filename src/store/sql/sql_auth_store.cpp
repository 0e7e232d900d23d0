#include "store/sql/sql_auth_store.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "util/time.hpp"

namespace sextant::store::sql {

using core::ErrorCode;
using core::MlflowError;

namespace {

std::string groups_json(const std::vector<std::string>& groups) { return nlohmann::json(groups).dump(); }

std::vector<std::string> groups_from(const nlohmann::json& j) {
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& g : j)
      if (g.is_string()) out.push_back(g.get<std::string>());
  return out;
}

std::vector<std::string> groups_from(const std::optional<std::string>& text) {
  if (!text || text->empty()) return {};
  return groups_from(nlohmann::json::parse(*text, nullptr, false));
}

// A user's groups column: {"issuer": ..., "groups": [...]}; a bare array (older rows) has no issuer.
std::string user_groups_json(const std::string& issuer, const std::vector<std::string>& groups) {
  return nlohmann::json{{"issuer", issuer}, {"groups", groups}}.dump();
}

void read_user_groups(const std::optional<std::string>& text, AuthUser& u) {
  if (!text || text->empty()) return;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_object()) {
    if (auto it = j.find("issuer"); it != j.end() && it->is_string()) u.groups_issuer = it->get<std::string>();
    if (auto it = j.find("groups"); it != j.end()) u.groups = groups_from(*it);
  } else {
    u.groups = groups_from(j);
  }
}

constexpr const char* kUserColumns = "username, password_hash, is_admin, source, email, groups, created_ms, updated_ms";

AuthUser user_row(db::Statement& st) {
  AuthUser u;
  u.username = st.text(0);
  u.password_hash = st.opt_text(1);
  u.is_admin = st.int64(2) != 0;
  u.source = st.text(3);
  u.email = st.opt_text(4).value_or("");
  read_user_groups(st.opt_text(5), u);
  u.created_ms = st.int64(6);
  u.updated_ms = st.int64(7);
  return u;
}

constexpr const char* kTokenColumns =
    "token_id, username, name, token_hash, created_ms, expires_ms, last_used_ms, revoked_ms";

PersonalToken token_row(db::Statement& st) {
  PersonalToken t;
  t.token_id = st.text(0);
  t.username = st.text(1);
  t.name = st.text(2);
  t.token_hash = st.text(3);
  t.created_ms = st.int64(4);
  t.expires_ms = st.opt_int64(5);
  t.last_used_ms = st.opt_int64(6);
  t.revoked_ms = st.opt_int64(7);
  return t;
}

bool user_exists(db::Connection& conn, const std::string& username) {
  auto st = conn.prepare("SELECT 1 FROM sextant_users WHERE username = ?");
  st.bind(1, username);
  return st.step();
}

}  // namespace

void SqlAuthStore::create_user(const AuthUser& user) {
  db_.write([&](db::Connection& conn) {
    if (user_exists(conn, user.username)) {
      throw MlflowError(ErrorCode::RESOURCE_ALREADY_EXISTS, "User '" + user.username + "' already exists.");
    }
    auto now = util::now_ms();
    auto st = conn.prepare(std::string("INSERT INTO sextant_users (") + kUserColumns +
                           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    st.bind(1, user.username)
        .bind(2, user.password_hash)
        .bind(3, user.is_admin ? 1 : 0)
        .bind(4, user.source)
        .bind(5, user.email)
        .bind(6, user_groups_json(user.groups_issuer, user.groups))
        .bind(7, user.created_ms ? user.created_ms : now)
        .bind(8, now)
        .run();
  });
}

std::optional<AuthUser> SqlAuthStore::get_user(const std::string& username) {
  std::optional<AuthUser> out;
  db_.read([&](db::Connection& conn) {
    auto& st = conn.cached(std::string("SELECT ") + kUserColumns + " FROM sextant_users WHERE username = ?");
    st.reset();
    st.bind(1, username);
    if (st.step()) out = user_row(st);
    st.reset();
  });
  return out;
}

std::vector<AuthUser> SqlAuthStore::list_users() {
  std::vector<AuthUser> out;
  db_.read([&](db::Connection& conn) {
    auto st = conn.prepare(std::string("SELECT ") + kUserColumns + " FROM sextant_users ORDER BY username");
    while (st.step()) out.push_back(user_row(st));
  });
  return out;
}

std::int64_t SqlAuthStore::count_admins() {
  std::int64_t n = 0;
  db_.read([&](db::Connection& conn) {
    auto st = conn.prepare("SELECT COUNT(*) FROM sextant_users WHERE is_admin = 1");
    if (st.step()) n = st.int64(0);
  });
  return n;
}

void SqlAuthStore::set_password(const std::string& username, const std::optional<std::string>& password_hash) {
  db_.write([&](db::Connection& conn) {
    auto st = conn.prepare("UPDATE sextant_users SET password_hash = ?, updated_ms = ? WHERE username = ?");
    st.bind(1, password_hash).bind(2, util::now_ms()).bind(3, username).run();
    if (conn.changes() == 0) core::throw_not_found("User '" + username + "' does not exist.");
  });
}

void SqlAuthStore::set_admin(const std::string& username, bool is_admin) {
  db_.write([&](db::Connection& conn) {
    auto st = conn.prepare("UPDATE sextant_users SET is_admin = ?, updated_ms = ? WHERE username = ?");
    st.bind(1, is_admin ? 1 : 0).bind(2, util::now_ms()).bind(3, username).run();
    if (conn.changes() == 0) core::throw_not_found("User '" + username + "' does not exist.");
  });
}

void SqlAuthStore::set_groups(const std::string& username, const std::string& groups_issuer,
                              const std::vector<std::string>& groups) {
  db_.write([&](db::Connection& conn) {
    auto st = conn.prepare("UPDATE sextant_users SET groups = ?, updated_ms = ? WHERE username = ?");
    st.bind(1, user_groups_json(groups_issuer, groups)).bind(2, util::now_ms()).bind(3, username).run();
  });
}

bool SqlAuthStore::delete_user(const std::string& username) {
  bool deleted = false;
  db_.write([&](db::Connection& conn) {
    // Explicit deletes (not only ON DELETE CASCADE) so the rows go even without foreign_keys.
    conn.prepare("DELETE FROM sextant_personal_tokens WHERE username = ?").bind(1, username).run();
    conn.prepare("DELETE FROM sextant_sessions WHERE username = ?").bind(1, username).run();
    conn.prepare("DELETE FROM sextant_users WHERE username = ?").bind(1, username).run();
    deleted = conn.changes() > 0;
  });
  return deleted;
}

void SqlAuthStore::create_token(const PersonalToken& t) {
  db_.write([&](db::Connection& conn) {
    if (!user_exists(conn, t.username)) core::throw_not_found("User '" + t.username + "' does not exist.");
    conn.prepare("DELETE FROM sextant_personal_tokens WHERE revoked_ms <= ? OR expires_ms <= ?")
        .bind(1, t.created_ms - kTokenRetentionMs)
        .bind(2, t.created_ms - kTokenRetentionMs)
        .run();
    auto st = conn.prepare(std::string("INSERT INTO sextant_personal_tokens (") + kTokenColumns +
                           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    st.bind(1, t.token_id)
        .bind(2, t.username)
        .bind(3, t.name)
        .bind(4, t.token_hash)
        .bind(5, t.created_ms)
        .bind(6, t.expires_ms)
        .bind(7, t.last_used_ms)
        .bind(8, t.revoked_ms)
        .run();
  });
}

std::optional<PersonalToken> SqlAuthStore::find_token_by_hash(const std::string& token_hash) {
  std::optional<PersonalToken> out;
  db_.read([&](db::Connection& conn) {
    auto& st = conn.cached(std::string("SELECT ") + kTokenColumns + " FROM sextant_personal_tokens WHERE token_hash = ?");
    st.reset();
    st.bind(1, token_hash);
    if (st.step()) out = token_row(st);
    st.reset();
  });
  return out;
}

std::optional<PersonalToken> SqlAuthStore::get_token(const std::string& token_id) {
  std::optional<PersonalToken> out;
  db_.read([&](db::Connection& conn) {
    auto st = conn.prepare(std::string("SELECT ") + kTokenColumns + " FROM sextant_personal_tokens WHERE token_id = ?");
    st.bind(1, token_id);
    if (st.step()) out = token_row(st);
  });
  return out;
}

std::vector<PersonalToken> SqlAuthStore::list_tokens(const std::string& username) {
  std::vector<PersonalToken> out;
  db_.read([&](db::Connection& conn) {
    auto st = conn.prepare(std::string("SELECT ") + kTokenColumns +
                           " FROM sextant_personal_tokens WHERE username = ? ORDER BY created_ms, token_id");
    st.bind(1, username);
    while (st.step()) out.push_back(token_row(st));
  });
  return out;
}

bool SqlAuthStore::revoke_token(const std::string& token_id, std::int64_t now_ms) {
  bool changed = false;
  db_.write([&](db::Connection& conn) {
    conn.prepare("UPDATE sextant_personal_tokens SET revoked_ms = ? WHERE token_id = ? AND revoked_ms IS NULL")
        .bind(1, now_ms)
        .bind(2, token_id)
        .run();
    changed = conn.changes() > 0;
  });
  return changed;
}

void SqlAuthStore::touch_token(const std::string& token_id, std::int64_t now_ms) {
  db_.write([&](db::Connection& conn) {
    conn.prepare("UPDATE sextant_personal_tokens SET last_used_ms = ? WHERE token_id = ?")
        .bind(1, now_ms)
        .bind(2, token_id)
        .run();
  });
}

namespace {
constexpr const char* kSessionColumns =
    "session_hash, username, created_ms, last_seen_ms, expires_ms, idle_expires_ms, refresh_token, issuer, email, "
    "email_verified, groups, revoked_ms, id_token";
}

void SqlAuthStore::create_session(const Session& s) {
  db_.write([&](db::Connection& conn) {
    if (!user_exists(conn, s.username)) core::throw_not_found("User '" + s.username + "' does not exist.");
    conn.prepare("DELETE FROM sextant_sessions WHERE expires_ms <= ? OR idle_expires_ms <= ? OR revoked_ms IS NOT NULL")
        .bind(1, s.created_ms)
        .bind(2, s.created_ms)
        .run();
    auto st = conn.prepare(std::string("INSERT INTO sextant_sessions (") + kSessionColumns +
                           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st.bind(1, s.session_hash)
        .bind(2, s.username)
        .bind(3, s.created_ms)
        .bind(4, s.last_seen_ms)
        .bind(5, s.expires_ms)
        .bind(6, s.idle_expires_ms)
        .bind(7, s.sealed_refresh_token)
        .bind(8, s.issuer)
        .bind(9, s.email)
        .bind(10, s.email_verified ? 1 : 0)
        .bind(11, groups_json(s.groups))
        .bind(12, s.revoked_ms)
        .bind(13, s.sealed_id_token)
        .run();
  });
}

std::optional<Session> SqlAuthStore::find_session(const std::string& session_hash) {
  std::optional<Session> out;
  db_.read([&](db::Connection& conn) {
    auto& st = conn.cached(std::string("SELECT ") + kSessionColumns + " FROM sextant_sessions WHERE session_hash = ?");
    st.reset();
    st.bind(1, session_hash);
    if (st.step()) {
      Session s;
      s.session_hash = st.text(0);
      s.username = st.text(1);
      s.created_ms = st.int64(2);
      s.last_seen_ms = st.int64(3);
      s.expires_ms = st.int64(4);
      s.idle_expires_ms = st.int64(5);
      s.sealed_refresh_token = st.opt_text(6);
      s.issuer = st.opt_text(7).value_or("");
      s.email = st.opt_text(8).value_or("");
      s.email_verified = st.int64(9) != 0;
      s.groups = groups_from(st.opt_text(10));
      s.revoked_ms = st.opt_int64(11);
      s.sealed_id_token = st.opt_text(12);
      out = std::move(s);
    }
    st.reset();
  });
  return out;
}

void SqlAuthStore::touch_session(const std::string& session_hash, std::int64_t now_ms, std::int64_t idle_expires_ms) {
  db_.write([&](db::Connection& conn) {
    conn.prepare("UPDATE sextant_sessions SET last_seen_ms = ?, idle_expires_ms = ? WHERE session_hash = ?")
        .bind(1, now_ms)
        .bind(2, idle_expires_ms)
        .bind(3, session_hash)
        .run();
  });
}

bool SqlAuthStore::revoke_session(const std::string& session_hash, std::int64_t now_ms) {
  bool changed = false;
  db_.write([&](db::Connection& conn) {
    conn.prepare("UPDATE sextant_sessions SET revoked_ms = ? WHERE session_hash = ? AND revoked_ms IS NULL")
        .bind(1, now_ms)
        .bind(2, session_hash)
        .run();
    changed = conn.changes() > 0;
  });
  return changed;
}

void SqlAuthStore::update_session_claims(const Session& s, std::int64_t now_ms) {
  db_.write([&](db::Connection& conn) {
    conn.prepare("UPDATE sextant_sessions SET created_ms = ?, refresh_token = ?, email = ?, email_verified = ?, "
                 "groups = ?, id_token = ? WHERE session_hash = ?")
        .bind(1, now_ms)
        .bind(2, s.sealed_refresh_token)
        .bind(3, s.email)
        .bind(4, s.email_verified ? 1 : 0)
        .bind(5, groups_json(s.groups))
        .bind(6, s.sealed_id_token)
        .bind(7, s.session_hash)
        .run();
  });
}

void SqlAuthStore::create_oauth_state(const OAuthState& o) {
  db_.write([&](db::Connection& conn) {
    conn.prepare("DELETE FROM sextant_oauth_states WHERE expires_ms <= ?").bind(1, o.created_ms).run();
    conn.prepare("INSERT INTO sextant_oauth_states (state_hash, nonce, code_verifier, redirect_to, created_ms, "
                 "expires_ms) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(1, o.state_hash)
        .bind(2, o.nonce)
        .bind(3, o.code_verifier)
        .bind(4, o.redirect_to)
        .bind(5, o.created_ms)
        .bind(6, o.expires_ms)
        .run();
  });
}

std::optional<OAuthState> SqlAuthStore::consume_oauth_state(const std::string& state_hash, std::int64_t now_ms) {
  std::optional<OAuthState> out;
  // One write transaction: the read and the delete cannot interleave with another callback's.
  db_.write([&](db::Connection& conn) {
    auto st = conn.prepare("SELECT state_hash, nonce, code_verifier, redirect_to, created_ms, expires_ms FROM "
                           "sextant_oauth_states WHERE state_hash = ?");
    st.bind(1, state_hash);
    if (!st.step()) return;
    OAuthState o;
    o.state_hash = st.text(0);
    o.nonce = st.text(1);
    o.code_verifier = st.text(2);
    o.redirect_to = st.text(3);
    o.created_ms = st.int64(4);
    o.expires_ms = st.int64(5);
    st.reset();
    conn.prepare("DELETE FROM sextant_oauth_states WHERE state_hash = ?").bind(1, state_hash).run();
    if (conn.changes() == 1 && o.expires_ms > now_ms) out = std::move(o);
  });
  return out;
}

}  // namespace sextant::store::sql
