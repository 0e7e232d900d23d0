// One way of authenticating a request (bearer JWT, personal token, basic auth, session cookie,
// trusted proxy headers). Implementations are thread-safe.
#pragma once

#include <optional>

#include "auth/auth_error.hpp"
#include "auth/credentials.hpp"
#include "auth/principal.hpp"

namespace sextant::auth {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // nullopt when the request carries no credential of this kind (the next authenticator is
  // tried); a Principal when it carries a valid one; throws AuthError when it carries one that
  // is invalid (the request is then refused, no other authenticator is tried).
  virtual std::optional<Principal> authenticate(const RequestCredentials& request) = 0;
};

}  // namespace sextant::auth
