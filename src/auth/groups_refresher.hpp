// Keeps an external user's row (the groups its personal tokens act with, store::AuthUser) in step
// with what the identity provider or the trusted proxy says now: the Gate shows it every fresh
// external identity (bearer JWT, proxy headers) it authenticates, whether or not the access rules
// then admit it, so that a group (or every group) the provider removed also leaves the user's
// tokens. The browser login and --cookie-refresh update the row themselves. Remembers what it
// last wrote per user so that the database is read only when something changed. Thread-safe.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "auth/principal.hpp"
#include "store/auth_store.hpp"

namespace sextant::auth {

class GroupsRefresher {
 public:
  explicit GroupsRefresher(store::AuthStore& store) : store_(store) {}
  // Updates the row of `p.username` when it exists, is external and holds other groups. Never
  // throws (a failed update is retried at the identity's next request).
  void observe(const Principal& p);

 private:
  store::AuthStore& store_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::string> seen_;  // username -> issuer + groups last in the row
};

}  // namespace sextant::auth
