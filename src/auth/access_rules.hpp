// Who may enter, applied by the Gate to every authenticated principal whatever authenticated it
// (session, bearer JWT, personal token, basic auth, trusted proxy), oauth2-proxy's semantics:
//  - e-mail domains (--email-domain, repeatable): the principal's e-mail must be in one of them
//    (case-insensitive, exact domain); "*" allows any e-mail; NO domain configured = no external
//    identity is allowed (oauth2-proxy refuses everyone in that case, too);
//  - email_verified must be true;
//  - allowed groups (--allowed-group, repeatable): when any is configured the principal must be in
//    one of them (or in an admin group);
//  - admin groups (--admin-group): members get is_admin.
// The domain, verified and group rules apply to external identities only; local accounts
// (Principal::local_account: created by an admin or the bootstrap) are admitted by existence,
// their is_admin comes from the user table (and admin-group membership never removes it).
#pragma once

#include <string>
#include <vector>

#include "auth/principal.hpp"

namespace sextant::auth {

struct AccessRulesConfig {
  std::vector<std::string> email_domains;
  std::vector<std::string> allowed_groups;
  std::vector<std::string> admin_groups;
};

class AccessRules {
 public:
  AccessRules() = default;
  explicit AccessRules(AccessRulesConfig config);
  // Throws AuthError(Forbidden) with the reason when the principal may not enter; sets
  // is_admin for members of an admin group.
  void apply(Principal& principal) const;

 private:
  AccessRulesConfig config_;
  bool any_domain_ = false;
};

}  // namespace sextant::auth
