// Encryption at rest for the identity provider's tokens a browser session keeps (its refresh
// token and ID token): XChaCha20-Poly1305 (libsodium) under a key derived from --cookie-secret,
// with the session's id hash as associated data, so a copied database row neither decrypts
// without the secret nor moves to another session. Immutable after construction: thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sextant::auth {

class TokenSealer {
 public:
  // Throws std::invalid_argument when `secret` is shorter than 16 bytes. The key is the BLAKE2b
  // hash of the secret (every replica with the same secret derives the same key).
  explicit TokenSealer(std::string_view secret);
  ~TokenSealer();
  TokenSealer(const TokenSealer&) = delete;
  TokenSealer& operator=(const TokenSealer&) = delete;

  // "v1." + base64url(nonce || ciphertext || tag); a fresh random nonce each call.
  std::string seal(std::string_view plaintext, std::string_view context) const;
  // The plaintext, or nullopt when `sealed` is malformed, was sealed under another secret or
  // another context, or was tampered with.
  std::optional<std::string> open(std::string_view sealed, std::string_view context) const;

 private:
  unsigned char key_[32];
};

}  // namespace sextant::auth
