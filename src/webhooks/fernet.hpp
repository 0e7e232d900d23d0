// Fernet (the `cryptography` package's recipe, https://github.com/fernet/spec), the format MLflow
// stores webhook secrets in under MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY: a token is
// base64url(0x80 | 8-byte big-endian time | 16-byte IV | AES-128-CBC(PKCS#7) | HMAC-SHA256 of
// all before), padded; the key is base64url of 32 bytes (signing key, then encryption key).
// Tokens either side writes the other reads. Thread-safe (immutable after construction).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sextant::webhooks {

class FernetKey {
 public:
  // Throws std::invalid_argument "Fernet key must be 32 url-safe base64-encoded bytes." (the
  // cryptography package's text) for anything else.
  static FernetKey parse(std::string_view key_text);
  std::string encrypt(std::string_view plaintext) const;
  // nullopt when the token is malformed, was made with another key or was altered.
  std::optional<std::string> decrypt(std::string_view token) const;
  // A fresh random key in its text form (tests, documentation).
  static std::string generate();

 private:
  FernetKey(std::string signing, std::string encryption)
      : signing_(std::move(signing)), encryption_(std::move(encryption)) {}
  std::string signing_, encryption_;
};

}  // namespace sextant::webhooks
