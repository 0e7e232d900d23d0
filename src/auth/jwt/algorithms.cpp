#include "auth/jwt/algorithms.hpp"

#include <array>
#include <cstring>

#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include "auth/jwt/openssl_util.hpp"

namespace sextant::auth::jwt {
namespace {

struct AlgInfo {
  JwsAlgorithm alg;
  const char* name;
  const char* digest;  // nullptr for EdDSA (pure signature over the message)
  KeyType key;
};

constexpr std::array<AlgInfo, 10> kAlgorithms{{
    {JwsAlgorithm::RS256, "RS256", "SHA256", KeyType::Rsa},
    {JwsAlgorithm::RS384, "RS384", "SHA384", KeyType::Rsa},
    {JwsAlgorithm::RS512, "RS512", "SHA512", KeyType::Rsa},
    {JwsAlgorithm::PS256, "PS256", "SHA256", KeyType::Rsa},
    {JwsAlgorithm::PS384, "PS384", "SHA384", KeyType::Rsa},
    {JwsAlgorithm::PS512, "PS512", "SHA512", KeyType::Rsa},
    {JwsAlgorithm::ES256, "ES256", "SHA256", KeyType::EcP256},
    {JwsAlgorithm::ES384, "ES384", "SHA384", KeyType::EcP384},
    {JwsAlgorithm::ES512, "ES512", "SHA512", KeyType::EcP521},
    {JwsAlgorithm::EdDSA, "EdDSA", nullptr, KeyType::Ed25519},
}};

const AlgInfo& info(JwsAlgorithm alg) noexcept { return kAlgorithms[static_cast<std::size_t>(alg)]; }

bool is_pss(JwsAlgorithm alg) {
  return alg == JwsAlgorithm::PS256 || alg == JwsAlgorithm::PS384 || alg == JwsAlgorithm::PS512;
}

// Group name OpenSSL reports for the EC key, compared with the curve the algorithm requires.
bool ec_key_has_curve(EVP_PKEY* key, KeyType type) {
  if (!EVP_PKEY_is_a(key, "EC")) return false;
  char group[64] = {};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1)
    return false;
  const char* want = type == KeyType::EcP256   ? "prime256v1"
                     : type == KeyType::EcP384 ? "secp384r1"
                                               : "secp521r1";
  return std::strcmp(group, want) == 0;
}

std::size_t ec_coordinate_bytes(KeyType type) {
  return type == KeyType::EcP256 ? 32 : type == KeyType::EcP384 ? 48 : 66;
}

bool key_fits(JwsAlgorithm alg, EVP_PKEY* key) {
  const KeyType type = info(alg).key;
  switch (type) {
    case KeyType::Rsa:
      return EVP_PKEY_is_a(key, "RSA") && EVP_PKEY_get_bits(key) >= static_cast<int>(kMinRsaBits);
    case KeyType::EcP256:
    case KeyType::EcP384:
    case KeyType::EcP521:
      return ec_key_has_curve(key, type);
    case KeyType::Ed25519:
      return EVP_PKEY_is_a(key, "ED25519");
  }
  return false;
}

// JOSE's fixed-size r||s (RFC 7518 §3.4) to the DER ECDSA-Sig-Value OpenSSL verifies.
std::optional<std::string> jose_to_der(std::string_view signature, std::size_t coordinate_bytes) {
  if (signature.size() != 2 * coordinate_bytes) return std::nullopt;
  const auto* bytes = reinterpret_cast<const unsigned char*>(signature.data());
  ossl::BnPtr r(BN_bin2bn(bytes, static_cast<int>(coordinate_bytes), nullptr));
  ossl::BnPtr s(BN_bin2bn(bytes + coordinate_bytes, static_cast<int>(coordinate_bytes), nullptr));
  ossl::EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig) return std::nullopt;
  if (ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return std::nullopt;
  r.release();  // owned by sig now
  s.release();
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return std::nullopt;
  std::string der(static_cast<std::size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != len) return std::nullopt;
  return der;
}

}  // namespace

std::optional<JwsAlgorithm> parse_algorithm(std::string_view name) noexcept {
  for (const auto& a : kAlgorithms)
    if (name == a.name) return a.alg;
  return std::nullopt;
}

const char* algorithm_name(JwsAlgorithm alg) noexcept { return info(alg).name; }

std::vector<JwsAlgorithm> all_algorithms() {
  std::vector<JwsAlgorithm> out;
  for (const auto& a : kAlgorithms) out.push_back(a.alg);
  return out;
}

KeyType required_key_type(JwsAlgorithm alg) noexcept { return info(alg).key; }

bool verify_signature(JwsAlgorithm alg, EVP_PKEY* key, std::string_view signing_input, std::string_view signature) {
  ossl::ErrorQueueGuard clear_errors;
  if (key == nullptr || !key_fits(alg, key)) return false;
  const AlgInfo& a = info(alg);

  std::string der;
  std::string_view sig = signature;
  if (a.key == KeyType::Rsa) {
    if (signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(key))) return false;
  } else if (a.key == KeyType::Ed25519) {
    if (signature.size() != 64) return false;
  } else {
    auto converted = jose_to_der(signature, ec_coordinate_bytes(a.key));
    if (!converted) return false;
    der = std::move(*converted);
    sig = der;
  }

  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return false;
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (EVP_DigestVerifyInit_ex(ctx.get(), &pctx, a.digest, nullptr, nullptr, key, nullptr) != 1) return false;
  if (a.key == KeyType::Rsa) {
    if (is_pss(alg)) {
      if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
          EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, a.digest, nullptr) != 1 ||
          EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)
        return false;
    } else if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
      return false;
    }
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1;
}

}  // namespace sextant::auth::jwt
