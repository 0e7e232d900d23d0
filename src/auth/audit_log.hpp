// Structured audit log: one JSON object per line ({"ts": ms, "audit": event, ...}) on stderr or
// appended to a file. Events: login_success, login_failure (auth_failure), access_denied,
// logout, session_refreshed, session_ended, login_refused, token_created, token_revoked, user_created, user_deleted, password_set,
// admin_bootstrap. Callers never pass secrets (tokens, passwords, cookies): only names, ids,
// addresses and reasons. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "util/json_lines.hpp"

namespace sextant::auth {

class AuditLog {
 public:
  // "" = stderr. Throws std::runtime_error when the file cannot be opened.
  explicit AuditLog(const std::string& path = "") : out_(path) {}

  void event(std::string_view name, nlohmann::json fields = nlohmann::json::object());

 private:
  util::JsonLines out_;
};

}  // namespace sextant::auth
