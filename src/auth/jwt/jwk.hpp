// JSON Web Keys (RFC 7517, RFC 7518 §6, RFC 8037 §2) -> OpenSSL public keys. Only public
// signature keys are taken: RSA (n, e; at least 2048 bits), EC P-256/P-384/P-521 (x, y of the
// curve's full size, point checked to be on the curve), OKP Ed25519 (x). Private members are
// ignored, symmetric ("oct") keys are never accepted.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <openssl/types.h>

#include "auth/jwt/algorithms.hpp"

namespace sextant::auth::jwt {

struct Jwk {
  std::string kid;                // "" when the JWK has none
  KeyType type = KeyType::Rsa;
  std::string alg;                // the JWK's own "alg", "" when absent; if set the token's alg must equal it
  std::shared_ptr<EVP_PKEY> key;  // immutable after parsing; safe to verify with from many threads
};

// Token alg `alg` may be verified with `key`: right key type / curve, and the JWK's declared alg
// (if any) is the same.
bool key_usable_for(const Jwk& key, JwsAlgorithm alg) noexcept;

// Throws JwtError(Malformed) for keys we cannot or will not use (with the reason).
Jwk parse_jwk(const nlohmann::json& jwk);

// A JWK Set document: a strict JSON object with a "keys" array. Keys that are not for signature
// verification (use other than "sig", key_ops without "verify") or that parse_jwk refuses
// (other kty/crv, small RSA, ...) are skipped, so that one exotic key does not disable the
// issuer; `skipped` (optional) receives one line per skipped key. Throws JwtError(Malformed) if
// the document itself is not a JWK Set.
std::vector<Jwk> parse_jwks(std::string_view document, std::vector<std::string>* skipped = nullptr);

}  // namespace sextant::auth::jwt
