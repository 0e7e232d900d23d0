#include "auth/crypto.hpp"

#include "auth/argon2_limiter.hpp"
#include "util/hmac.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <stdexcept>

namespace sextant::auth {

void crypto_init() {
  static const int rc = sodium_init();  // thread-safe static init; sodium_init is idempotent
  if (rc < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::string random_bytes(std::size_t n) {
  crypto_init();
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

std::string sha256_hex(std::string_view data) { return util::sha256_hex(data); }

bool constant_time_equal(std::string_view a, std::string_view b) {
  crypto_init();
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string new_personal_token() { return std::string(kTokenPrefix) + base64url_encode(random_bytes(32)); }

bool looks_like_personal_token(std::string_view text) {
  if (!text.starts_with(kTokenPrefix) || text.size() != kTokenPrefix.size() + 43) return false;
  for (char c : text.substr(kTokenPrefix.size()))
    if (!util::is_base64url_char(c)) return false;
  return true;
}

std::string new_session_secret() { return base64url_encode(random_bytes(32)); }

std::string hash_password(std::string_view password) {
  crypto_init();
  char out[crypto_pwhash_STRBYTES];
  Argon2Limiter::Permit permit(Argon2Limiter::global());
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    throw std::runtime_error("password hashing failed (out of memory)");
  }
  return std::string(out);
}

bool verify_password(std::string_view password, const std::string& hash) {
  crypto_init();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  Argon2Limiter::Permit permit(Argon2Limiter::global());
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace sextant::auth
