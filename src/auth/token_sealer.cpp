#include "auth/token_sealer.hpp"

#include <sodium.h>

#include <stdexcept>

#include "auth/crypto.hpp"

namespace sextant::auth {

namespace {
constexpr std::string_view kVersion = "v1.";
constexpr std::string_view kKeyContext = "sextant session token sealing v1";
}  // namespace

TokenSealer::TokenSealer(std::string_view secret) {
  crypto_init();
  if (secret.size() < 16) throw std::invalid_argument("the cookie secret must be at least 16 bytes");
  static_assert(sizeof(key_) == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  // Keyed BLAKE2b: key = H_secret(context); the secret is the hash key (up to 64 bytes used).
  std::string hash_key(secret.substr(0, crypto_generichash_KEYBYTES_MAX));
  if (hash_key.size() < crypto_generichash_KEYBYTES_MIN) hash_key.resize(crypto_generichash_KEYBYTES_MIN, '\0');
  std::string material(kKeyContext);
  material.append(secret);  // all of a long secret counts, not only the hash key's first 64 bytes
  crypto_generichash(key_, sizeof(key_), reinterpret_cast<const unsigned char*>(material.data()), material.size(),
                     reinterpret_cast<const unsigned char*>(hash_key.data()), hash_key.size());
  sodium_memzero(hash_key.data(), hash_key.size());
  sodium_memzero(material.data(), material.size());
}

TokenSealer::~TokenSealer() { sodium_memzero(key_, sizeof(key_)); }

std::string TokenSealer::seal(std::string_view plaintext, std::string_view context) const {
  constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::string box = random_bytes(kNonce);
  box.resize(kNonce + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  auto* out = reinterpret_cast<unsigned char*>(box.data());
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      out + kNonce, &written, reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const unsigned char*>(context.data()), context.size(), nullptr, out, key_);
  box.resize(kNonce + written);
  return std::string(kVersion) + base64url_encode(box);
}

std::optional<std::string> TokenSealer::open(std::string_view sealed, std::string_view context) const {
  constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  if (!sealed.starts_with(kVersion)) return std::nullopt;
  auto box = base64url_decode(sealed.substr(kVersion.size()));
  if (!box || box->size() < kNonce + crypto_aead_xchacha20poly1305_ietf_ABYTES) return std::nullopt;
  const auto* in = reinterpret_cast<const unsigned char*>(box->data());
  std::string plain(box->size() - kNonce - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(plain.data()), &len, nullptr,
                                                 in + kNonce, box->size() - kNonce,
                                                 reinterpret_cast<const unsigned char*>(context.data()),
                                                 context.size(), in, key_) != 0) {
    return std::nullopt;
  }
  plain.resize(len);
  return plain;
}

}  // namespace sextant::auth
