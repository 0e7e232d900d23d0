// Where the verifier gets an issuer's public keys. JwksCache is the real one; tests may supply
// fixed keys.
#pragma once

#include <memory>
#include <vector>

#include "auth/jwt/issuer_config.hpp"
#include "auth/jwt/jwk.hpp"

namespace sextant::auth::jwt {

using KeySet = std::vector<Jwk>;

class KeyProvider {
 public:
  virtual ~KeyProvider() = default;
  // The issuer's current keys. Throws JwtError(KeysUnavailable) when there are none to give.
  virtual std::shared_ptr<const KeySet> keys(const IssuerConfig& issuer) = 0;
  // Called when `seen` (what keys() returned) has no key for the token: a newer set if one can
  // be had (another thread's fetch, or a refetch the cool-down allows), else `seen` again.
  virtual std::shared_ptr<const KeySet> refresh(const IssuerConfig& issuer, const std::shared_ptr<const KeySet>& seen) = 0;
};

}  // namespace sextant::auth::jwt
