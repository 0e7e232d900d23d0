#include "auth/access_rules.hpp"

#include <algorithm>

#include "auth/auth_error.hpp"
#include "util/strings.hpp"

namespace sextant::auth {

AccessRules::AccessRules(AccessRulesConfig config) : config_(std::move(config)) {
  for (auto& d : config_.email_domains) {
    d = util::to_lower(util::trim(d));
    if (d.starts_with("@")) d = d.substr(1);
    if (d == "*") any_domain_ = true;
  }
}

namespace {
bool in_any(const std::vector<std::string>& have, const std::vector<std::string>& wanted) {
  for (const auto& g : have)
    if (std::find(wanted.begin(), wanted.end(), g) != wanted.end()) return true;
  return false;
}
}  // namespace

void AccessRules::apply(Principal& p) const {
  bool admin_member = in_any(p.groups, config_.admin_groups);
  if (admin_member) p.is_admin = true;
  if (p.local_account) return;
  if (!any_domain_) {
    auto at = p.email.rfind('@');
    if (p.email.empty() || at == std::string::npos) {
      throw AuthError(AuthError::Kind::Forbidden, "principal has no e-mail address and --email-domain is not '*'");
    }
    auto domain = util::to_lower(p.email.substr(at + 1));
    if (std::find(config_.email_domains.begin(), config_.email_domains.end(), domain) == config_.email_domains.end()) {
      throw AuthError(AuthError::Kind::Forbidden, "e-mail domain '" + domain + "' is not allowed");
    }
  }
  if (!p.email_verified) throw AuthError(AuthError::Kind::Forbidden, "e-mail address is not verified");
  if (!config_.allowed_groups.empty() && !admin_member && !in_any(p.groups, config_.allowed_groups)) {
    throw AuthError(AuthError::Kind::Forbidden, "principal is in none of the allowed groups");
  }
}

}  // namespace sextant::auth
