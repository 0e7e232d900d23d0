#include "auth/access_rules.hpp"

#include <algorithm>

#include "auth/auth_error.hpp"
#include "util/strings.hpp"

namespace sextant::auth {

GroupRule parse_group_rule(const std::string& entry) {
  if (entry.starts_with("https://") || entry.starts_with("http://")) {
    if (auto hash = entry.find('#'); hash != std::string::npos) return {entry.substr(0, hash), entry.substr(hash + 1)};
  }
  return {"", entry};
}

AccessRules::AccessRules(AccessRulesConfig config) : config_(std::move(config)) {
  for (const auto& g : config_.allowed_groups) allowed_.push_back(parse_group_rule(g));
  for (const auto& g : config_.admin_groups) admin_.push_back(parse_group_rule(g));
  for (auto& d : config_.email_domains) {
    d = util::to_lower(util::trim(d));
    if (d.starts_with("@")) d = d.substr(1);
    if (d == "*") any_domain_ = true;
  }
}

bool AccessRules::member(const Principal& p, const std::vector<GroupRule>& rules) const {
  if (p.groups_issuer.empty()) return false;
  bool default_source = p.groups_issuer == kTrustedProxyGroups ||
                        (!config_.default_issuer.empty() && p.groups_issuer == config_.default_issuer);
  for (const auto& r : rules) {
    if (r.issuer.empty() ? !default_source : r.issuer != p.groups_issuer) continue;
    if (std::find(p.groups.begin(), p.groups.end(), r.name) != p.groups.end()) return true;
  }
  return false;
}

void AccessRules::apply(Principal& p) const {
  bool admin_member = member(p, admin_);
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
  if (!config_.allowed_groups.empty() && !admin_member && !member(p, allowed_)) {
    throw AuthError(AuthError::Kind::Forbidden, "principal is in none of the allowed groups");
  }
}

}  // namespace sextant::auth
