#include "webhooks/fernet.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdint>
#include <ctime>
#include <memory>

#include "util/base64url.hpp"
#include "util/hmac.hpp"

namespace sextant::webhooks {

namespace {

constexpr std::size_t kVersionLen = 1, kTimeLen = 8, kIvLen = 16, kMacLen = 32, kBlock = 16;

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return out;
}

// Python's urlsafe_b64encode: base64url with '=' padding.
std::string padded_encode(std::string_view data) {
  std::string s = util::base64url_encode(data);
  while (s.size() % 4) s += '=';
  return s;
}

std::optional<std::string> padded_decode(std::string_view text) {
  if (text.size() % 4) return std::nullopt;
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  return util::base64url_decode(text);
}

struct CipherFree {
  void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};

// AES-128-CBC with PKCS#7 padding; nullopt on a padding failure when decrypting.
std::optional<std::string> aes_cbc(bool encrypt, const std::string& key, std::string_view iv, std::string_view in) {
  std::unique_ptr<EVP_CIPHER_CTX, CipherFree> ctx(EVP_CIPHER_CTX_new());
  if (!ctx) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
  const auto* k = reinterpret_cast<const unsigned char*>(key.data());
  const auto* v = reinterpret_cast<const unsigned char*>(iv.data());
  if (EVP_CipherInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr, k, v, encrypt ? 1 : 0) != 1) {
    throw std::runtime_error("EVP_CipherInit_ex failed");
  }
  std::string out(in.size() + kBlock, '\0');
  int n1 = 0, n2 = 0;
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_CipherUpdate(ctx.get(), o, &n1, reinterpret_cast<const unsigned char*>(in.data()),
                       static_cast<int>(in.size())) != 1) {
    return std::nullopt;
  }
  if (EVP_CipherFinal_ex(ctx.get(), o + n1, &n2) != 1) return std::nullopt;
  out.resize(static_cast<std::size_t>(n1 + n2));
  return out;
}

}  // namespace

FernetKey FernetKey::parse(std::string_view key_text) {
  auto raw = padded_decode(key_text);
  if (!raw || raw->size() != 32) throw std::invalid_argument("Fernet key must be 32 url-safe base64-encoded bytes.");
  return FernetKey(raw->substr(0, 16), raw->substr(16));
}

std::string FernetKey::generate() { return padded_encode(random_bytes(32)); }

std::string FernetKey::encrypt(std::string_view plaintext) const {
  std::string iv = random_bytes(kIvLen);
  auto now = static_cast<std::uint64_t>(std::time(nullptr));
  std::string token(1, '\x80');
  for (int shift = 56; shift >= 0; shift -= 8) token += static_cast<char>((now >> shift) & 0xff);
  token += iv;
  token += *aes_cbc(true, encryption_, iv, plaintext);
  token += util::hmac_sha256(signing_, token);
  return padded_encode(token);
}

std::optional<std::string> FernetKey::decrypt(std::string_view token_text) const {
  auto token = padded_decode(token_text);
  constexpr std::size_t kHead = kVersionLen + kTimeLen + kIvLen;
  if (!token || token->size() < kHead + kBlock + kMacLen || (*token)[0] != '\x80') return std::nullopt;
  std::size_t body_len = token->size() - kMacLen;
  if ((body_len - kHead) % kBlock != 0) return std::nullopt;
  std::string_view signed_part(token->data(), body_len);
  std::string expected = util::hmac_sha256(signing_, signed_part);
  if (CRYPTO_memcmp(expected.data(), token->data() + body_len, kMacLen) != 0) return std::nullopt;
  return aes_cbc(false, encryption_, signed_part.substr(kVersionLen + kTimeLen, kIvLen), signed_part.substr(kHead));
}

}  // namespace sextant::webhooks
