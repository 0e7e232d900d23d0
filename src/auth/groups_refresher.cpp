#include "auth/groups_refresher.hpp"

namespace sextant::auth {

void GroupsRefresher::observe(const Principal& p) {
  if (p.local_account || p.username.empty()) return;
  std::string key = p.groups_issuer;
  for (const auto& g : p.groups) key += '\n' + g;
  {
    std::lock_guard lock(mutex_);
    auto it = seen_.find(p.username);
    if (it != seen_.end() && it->second == key) return;
  }
  try {
    auto row = store_.get_user(p.username);
    if (row && row->source != "local" && (row->groups != p.groups || row->groups_issuer != p.groups_issuer)) {
      store_.set_groups(p.username, p.groups_issuer, p.groups);
    }
    if (!row) return;  // no tokens without a row; look again next time
  } catch (const std::exception&) {
    return;
  }
  std::lock_guard lock(mutex_);
  if (seen_.size() >= 10000) seen_.clear();
  seen_[p.username] = std::move(key);
}

}  // namespace sextant::auth
