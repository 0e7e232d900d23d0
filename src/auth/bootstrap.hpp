// The first administrator, from configuration (there is no default password, ever).
// --admin-bootstrap-file PATH (or SEXTANT_ADMIN_BOOTSTRAP in the environment) holds one line
// "username:secret":
//  - secret is a password (at least 12 characters): the local admin user is created with it if
//    no user of that name exists; an existing user's password is left alone (change it through
//    the API), but the user is made an admin;
//  - secret is a personal token "sxt_<43 base64url chars>" (generate it yourself): the admin user
//    is created without a password and the token is registered for it (idempotent: restarting
//    with the same file does not duplicate it).
// An existing EXTERNAL account of that name (created by an OIDC/JWT/proxy sign-in) is never
// changed: nothing is applied and the start-up log and audit log say so. The password must pass
// password_rule.hpp.
#pragma once

#include <string>

#include "auth/audit_log.hpp"
#include "store/auth_store.hpp"

namespace sextant::auth {

struct BootstrapSpec {
  std::string username;
  std::string secret;
  bool is_token = false;
};

// Throws std::invalid_argument with a message that never contains the secret.
BootstrapSpec parse_bootstrap(const std::string& text);
// Applies it; returns what was done, for the start-up log.
std::string apply_bootstrap(store::AuthStore& store, const BootstrapSpec& spec, AuditLog& audit);

}  // namespace sextant::auth
