// The cryptographic primitives authentication needs: random secrets, SHA-256 (OpenSSL 3),
// constant-time comparison and argon2id password hashes (libsodium). Thread-safe.
#pragma once

#include "util/base64url.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace sextant::auth {

// Initialises libsodium once (idempotent, thread-safe); every function below calls it.
void crypto_init();

// `n` bytes from the OS CSPRNG.
std::string random_bytes(std::size_t n);
// RFC 4648 §5 base64url without padding (strict; see util/base64url.hpp).
using util::base64url_decode;
using util::base64url_encode;

// Lower-case hex SHA-256 of `data` (64 characters).
std::string sha256_hex(std::string_view data);
// Constant-time equality for secrets/hashes (length is not secret).
bool constant_time_equal(std::string_view a, std::string_view b);

// Personal access tokens: "sxt_" + base64url(32 random bytes) (47 characters).
inline constexpr std::string_view kTokenPrefix = "sxt_";
std::string new_personal_token();
// True when `text` has the exact shape of a personal token (prefix, length, alphabet).
bool looks_like_personal_token(std::string_view text);
// Session cookie values: base64url(32 random bytes).
std::string new_session_secret();

// argon2id (libsodium crypto_pwhash_str, interactive limits). The result is a self-describing
// "$argon2id$..." string. Throws std::runtime_error when out of memory.
std::string hash_password(std::string_view password);
// False for a wrong password or a malformed hash.
bool verify_password(std::string_view password, const std::string& hash);

}  // namespace sextant::auth
