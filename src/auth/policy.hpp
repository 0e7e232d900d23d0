// Who may reach a route when authentication is on. Declared per route in api::Router's table;
// a route registered without a policy is Unspecified and is refused to everyone (deny by
// default). With authentication off no policy is consulted.
#pragma once

#include <string_view>

namespace sextant::auth {

enum class Policy {
  Unspecified,    // no explicit policy: always refused (401 anonymous, 403 authenticated)
  Public,         // no authentication needed (exact allowlist: /health, login endpoints)
  // No authentication needed, but only a same-origin JSON POST from the browser (the Gate applies
  // csrf_violation): the password login and the browser logout, which set or clear the session
  // cookie, so that a foreign page cannot sign the browser in or out.
  PublicSameOrigin,
  Authenticated,  // any authenticated principal that passes the access rules
  Admin,          // an authenticated principal with is_admin
};

constexpr std::string_view policy_name(Policy p) {
  switch (p) {
    case Policy::Public: return "public";
    case Policy::PublicSameOrigin: return "public-same-origin";
    case Policy::Authenticated: return "authenticated";
    case Policy::Admin: return "admin";
    case Policy::Unspecified: break;
  }
  return "unspecified";
}

}  // namespace sextant::auth
