// Who may enter, applied by the Gate to every authenticated principal whatever authenticated it
// (session, bearer JWT, personal token, basic auth, trusted proxy), oauth2-proxy's semantics:
//  - e-mail domains (--email-domain, repeatable): the principal's e-mail must be in one of them
//    (case-insensitive, exact domain); "*" allows any e-mail; NO domain configured = no external
//    identity is allowed (oauth2-proxy refuses everyone in that case, too);
//  - email_verified must be true;
//  - allowed groups (--allowed-group, repeatable): when any is configured the principal must be in
//    one of them (or in an admin group);
//  - admin groups (--admin-group): members get is_admin.
// Groups are scoped by who vouched for them (Principal::groups_issuer): an entry "ISSUER#group"
// (ISSUER an http(s) URL) matches `group` from that issuer only; a plain "group" matches groups
// from the browser login's issuer (--oidc-issuer-url, `default_issuer`) and from the trusted
// proxy, so one issuer's `groups` claim never grants what was meant for another's.
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
  std::string default_issuer{};  // --oidc-issuer-url: whose groups plain names mean (besides the proxy's)
};

// One --allowed-group / --admin-group entry: "ISSUER#name" or a plain name (issuer "").
struct GroupRule {
  std::string issuer;
  std::string name;
};
GroupRule parse_group_rule(const std::string& entry);

class AccessRules {
 public:
  AccessRules() = default;
  explicit AccessRules(AccessRulesConfig config);
  // Throws AuthError(Forbidden) with the reason when the principal may not enter; sets
  // is_admin for members of an admin group.
  void apply(Principal& principal) const;

 private:
  bool member(const Principal& p, const std::vector<GroupRule>& rules) const;

  AccessRulesConfig config_;
  std::vector<GroupRule> allowed_, admin_;
  bool any_domain_ = false;
};

}  // namespace sextant::auth
