// Who is making a request, once authenticated. Plain value; safe to copy between threads.
#pragma once

#include <string>
#include <vector>

namespace sextant::auth {

struct Principal {
  std::string username;             // stable identity: e-mail for OIDC/JWT users, or the local user name
  std::string email;                // may be empty (e.g. machine tokens without an e-mail claim)
  bool email_verified = false;
  std::vector<std::string> groups;  // from the configured groups claim, or the local user's groups
  bool is_admin = false;
  std::string method;               // "jwt" | "token" | "basic" | "session" | "proxy"
  std::string issuer;               // for "jwt"/"session": the token issuer
};

}  // namespace sextant::auth
