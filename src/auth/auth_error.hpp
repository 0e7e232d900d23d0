// A credential was present but is not acceptable (bad signature, expired, revoked, wrong
// audience, domain not allowed, ...). `reason` is for logs and audit only: clients get a generic
// 401/403 so that failures do not leak which check failed.
#pragma once

#include <stdexcept>
#include <string>

namespace sextant::auth {

class AuthError : public std::runtime_error {
 public:
  // BadRequest: the request is malformed in a way that may be an attack (duplicated identity
  // headers); 400, not counted as a failed guess.
  enum class Kind { Unauthenticated, Forbidden, BadRequest };
  AuthError(Kind kind, const std::string& reason) : std::runtime_error(reason), kind_(kind) {}
  Kind kind() const noexcept { return kind_; }

 private:
  Kind kind_;
};

}  // namespace sextant::auth
