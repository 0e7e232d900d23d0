// The JWS algorithms we accept (RFC 7518 §3.3-3.5, RFC 8037 §3.1) and signature verification
// with OpenSSL 3. Symmetric algorithms (HS*) and "none" do not exist here at all: a provider
// token verified with a shared secret would let anyone holding the public key forge tokens.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>

namespace sextant::auth::jwt {

enum class JwsAlgorithm { RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA };

// The kinds of public key a JWK can become.
enum class KeyType { Rsa, EcP256, EcP384, EcP521, Ed25519 };

inline constexpr std::size_t kMinRsaBits = 2048;

std::optional<JwsAlgorithm> parse_algorithm(std::string_view name) noexcept;  // nullopt: none, HS*, unknown
const char* algorithm_name(JwsAlgorithm alg) noexcept;
std::vector<JwsAlgorithm> all_algorithms();
// The only key type each algorithm may be used with (RS* and PS* share RSA keys).
KeyType required_key_type(JwsAlgorithm alg) noexcept;

// True iff `signature` is a valid `alg` signature of `signing_input` under `key`. False (never a
// throw) for keys of the wrong type or curve, RSA keys under kMinRsaBits, RSA signatures not
// exactly the modulus length, ECDSA signatures that are not exactly r||s of the curve's size.
// RSASSA-PSS uses MGF1 with the same hash and a salt as long as the hash (RFC 7518 §3.5).
bool verify_signature(JwsAlgorithm alg, EVP_PKEY* key, std::string_view signing_input, std::string_view signature);

}  // namespace sextant::auth::jwt
