#include "auth/bootstrap.hpp"

#include <stdexcept>

#include "auth/crypto.hpp"
#include "auth/password_rule.hpp"
#include "core/error.hpp"
#include "util/random_id.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace sextant::auth {

BootstrapSpec parse_bootstrap(const std::string& text) {
  auto line = std::string(util::trim(text.substr(0, text.find('\n'))));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  auto colon = line.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == line.size()) {
    throw std::invalid_argument("admin bootstrap must be one line 'username:password' or 'username:sxt_<token>'");
  }
  BootstrapSpec spec{line.substr(0, colon), line.substr(colon + 1), false};
  if (spec.secret.starts_with(kTokenPrefix)) {
    if (!looks_like_personal_token(spec.secret)) {
      throw std::invalid_argument("admin bootstrap token must be 'sxt_' followed by 43 base64url characters (32 random bytes)");
    }
    spec.is_token = true;
  } else if (auto problem = password_problem(spec.secret, spec.username); !problem.empty()) {
    throw std::invalid_argument("admin bootstrap password: " + problem);
  }
  return spec;
}

std::string apply_bootstrap(store::AuthStore& store, const BootstrapSpec& spec, AuditLog& audit) {
  std::string done;
  auto existing = store.get_user(spec.username);
  if (!existing) {
    store::AuthUser u;
    u.username = spec.username;
    u.is_admin = true;
    u.source = "local";
    if (!spec.is_token) u.password_hash = hash_password(spec.secret);
    store.create_user(u);
    done = "created administrator '" + spec.username + "'";
  } else if (existing->source != "local") {
    // An identity from the provider or proxy that happens to have this name: never promoted.
    done = "NOT applied: '" + spec.username + "' is an external (" + existing->source +
           ") account; choose another name for the bootstrap administrator";
    audit.event("admin_bootstrap_refused", {{"user", spec.username}, {"reason", "external account of that name"}});
    return done;
  } else {
    if (!existing->is_admin) store.set_admin(spec.username, true);
    done = "administrator '" + spec.username + "' exists";
  }
  if (spec.is_token) {
    auto hash = sha256_hex(spec.secret);
    auto token = store.find_token_by_hash(hash);
    if (!token) {
      store::PersonalToken t;
      t.token_id = util::uuid4_hex().substr(0, 16);
      t.username = spec.username;
      t.name = "admin-bootstrap";
      t.token_hash = hash;
      t.created_ms = util::now_ms();
      store.create_token(t);
      done += ", registered its bootstrap token " + t.token_id;
    } else if (token->username != spec.username) {
      throw std::invalid_argument("admin bootstrap token is already registered for another user");
    }
  }
  audit.event("admin_bootstrap", {{"user", spec.username}, {"result", done}});
  return done;
}

}  // namespace sextant::auth
