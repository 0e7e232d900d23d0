// Who is making a request, once authenticated. Plain value; safe to copy between threads.
#pragma once

#include <string>
#include <vector>

namespace sextant::auth {

inline constexpr const char* kTrustedProxyGroups = "trusted-proxy";

struct Principal {
  std::string username;             // stable identity: e-mail for OIDC/JWT users, or the local user name
  std::string email;                // may be empty (e.g. machine tokens without an e-mail claim)
  bool email_verified = false;
  std::vector<std::string> groups;  // from the configured groups claim, or the local user's groups
  // Who vouched for `groups`: the issuer URL (JWT, OIDC login), kTrustedProxyGroups (the trusted
  // proxy's X-Forwarded-Groups), for personal tokens and Basic the owner's row (groups as of the
  // last sign-in); "" = nobody, and no group rule matches (access_rules.hpp).
  std::string groups_issuer;
  bool is_admin = false;
  std::string method;               // "jwt" | "token" | "basic" | "session" | "proxy"
  std::string issuer;               // for "jwt"/"session": the token issuer
  // An account created in Sextant itself (admin-created or bootstrap local user, and its tokens
  // and password sessions). The e-mail domain, email_verified and group rules are for external
  // identities (OIDC, JWT, trusted proxy); an admin vouches for local accounts (access_rules.hpp).
  bool local_account = false;
  // The personal token id or session hash that authenticated the request ("" otherwise); lets
  // handlers act on the current credential (logout revokes this session).
  std::string credential_id;
};

}  // namespace sextant::auth
