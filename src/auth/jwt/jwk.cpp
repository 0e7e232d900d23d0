#include "auth/jwt/jwk.hpp"

#include <algorithm>

#include <openssl/core_names.h>

#include "util/base64url.hpp"
#include "auth/jwt/jwt_error.hpp"
#include "auth/jwt/openssl_util.hpp"
#include "auth/jwt/strict_json.hpp"

namespace sextant::auth::jwt {
namespace {

constexpr std::size_t kMaxRsaBits = 16384;  // verifying with larger moduli is a CPU-exhaustion vector

[[noreturn]] void bad(const std::string& why) { throw JwtError(JwtFailure::Malformed, "JWK: " + why); }

std::string member_bytes(const nlohmann::json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) bad(std::string("missing or non-string \"") + name + "\"");
  auto decoded = util::base64url_decode(it->get_ref<const std::string&>());
  if (!decoded) bad(std::string("\"") + name + "\" is not base64url");
  return *decoded;
}

std::string optional_string(const nlohmann::json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end()) return {};
  if (!it->is_string()) bad(std::string("\"") + name + "\" is not a string");
  return it->get<std::string>();
}

std::shared_ptr<EVP_PKEY> share(EVP_PKEY* key) { return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free); }

const unsigned char* bytes(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }

EVP_PKEY* from_params(const char* type, OSSL_PARAM_BLD* bld) {
  ossl::ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) bad("OpenSSL could not build the key");
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1 || key == nullptr)
    bad("OpenSSL refused the key parameters");
  return key;
}

std::string strip_leading_zeros(std::string s) {
  std::size_t i = 0;
  while (i < s.size() && s[i] == '\0') ++i;
  return s.substr(i);
}

std::shared_ptr<EVP_PKEY> rsa_key(const nlohmann::json& jwk) {
  const std::string n = strip_leading_zeros(member_bytes(jwk, "n"));
  const std::string e = strip_leading_zeros(member_bytes(jwk, "e"));
  if (n.size() < kMinRsaBits / 8 || n.size() * 8 > kMaxRsaBits) bad("RSA modulus size not accepted");
  if (e.empty() || e.size() > 8 || (static_cast<unsigned char>(e.back()) & 1) == 0) bad("RSA exponent not accepted");
  if (e.size() == 1 && static_cast<unsigned char>(e[0]) < 3) bad("RSA exponent not accepted");
  ossl::BnPtr bn_n(BN_bin2bn(bytes(n), static_cast<int>(n.size()), nullptr));
  ossl::BnPtr bn_e(BN_bin2bn(bytes(e), static_cast<int>(e.size()), nullptr));
  ossl::ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1)
    bad("OpenSSL could not hold the RSA parameters");
  auto key = share(from_params("RSA", bld.get()));
  if (EVP_PKEY_get_bits(key.get()) < static_cast<int>(kMinRsaBits)) bad("RSA key smaller than 2048 bits");
  return key;
}

std::shared_ptr<EVP_PKEY> ec_key(const nlohmann::json& jwk, KeyType& type) {
  const std::string crv = optional_string(jwk, "crv");
  const char* group = nullptr;
  std::size_t size = 0;
  if (crv == "P-256") {
    group = "prime256v1", size = 32, type = KeyType::EcP256;
  } else if (crv == "P-384") {
    group = "secp384r1", size = 48, type = KeyType::EcP384;
  } else if (crv == "P-521") {
    group = "secp521r1", size = 66, type = KeyType::EcP521;
  } else {
    bad("EC curve \"" + crv + "\" not supported");
  }
  const std::string x = member_bytes(jwk, "x");
  const std::string y = member_bytes(jwk, "y");
  if (x.size() != size || y.size() != size) bad("EC coordinates are not the curve's full size");
  std::string point = "\x04" + x + y;  // SEC 1 uncompressed point
  ossl::ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
    bad("OpenSSL could not hold the EC parameters");
  auto key = share(from_params("EC", bld.get()));
  ossl::PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) bad("EC point is not a valid public key on the curve");
  return key;
}

std::shared_ptr<EVP_PKEY> okp_key(const nlohmann::json& jwk) {
  const std::string crv = optional_string(jwk, "crv");
  if (crv != "Ed25519") bad("OKP curve \"" + crv + "\" not supported");
  const std::string x = member_bytes(jwk, "x");
  if (x.size() != 32) bad("Ed25519 public key is not 32 bytes");
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, bytes(x), x.size());
  if (key == nullptr) bad("OpenSSL refused the Ed25519 key");
  return share(key);
}

}  // namespace

bool key_usable_for(const Jwk& key, JwsAlgorithm alg) noexcept {
  return key.type == required_key_type(alg) && (key.alg.empty() || key.alg == algorithm_name(alg));
}

Jwk parse_jwk(const nlohmann::json& jwk) {
  ossl::ErrorQueueGuard clear_errors;
  if (!jwk.is_object()) bad("not an object");
  Jwk out;
  out.kid = optional_string(jwk, "kid");
  out.alg = optional_string(jwk, "alg");
  if (!out.alg.empty() && !parse_algorithm(out.alg)) bad("alg \"" + out.alg + "\" not supported");
  const std::string kty = optional_string(jwk, "kty");
  if (kty == "RSA") {
    out.type = KeyType::Rsa;
    out.key = rsa_key(jwk);
  } else if (kty == "EC") {
    out.key = ec_key(jwk, out.type);
  } else if (kty == "OKP") {
    out.type = KeyType::Ed25519;
    out.key = okp_key(jwk);
  } else {
    bad("kty \"" + kty + "\" not supported");
  }
  if (!out.alg.empty() && !key_usable_for(out, *parse_algorithm(out.alg))) bad("alg does not fit the key type");
  return out;
}

std::vector<Jwk> parse_jwks(std::string_view document, std::vector<std::string>* skipped) {
  std::string error;
  auto doc = parse_strict_json_object(document, &error);
  if (!doc) throw JwtError(JwtFailure::Malformed, "JWKS: " + error);
  auto keys = doc->find("keys");
  if (keys == doc->end() || !keys->is_array()) throw JwtError(JwtFailure::Malformed, "JWKS: no \"keys\" array");
  std::vector<Jwk> out;
  std::size_t index = 0;
  for (const auto& entry : *keys) {
    const std::string where = "key " + std::to_string(index++);
    if (entry.is_object()) {
      auto use = entry.find("use");
      if (use != entry.end() && *use != "sig") {
        if (skipped) skipped->push_back(where + ": use is not \"sig\"");
        continue;
      }
      auto ops = entry.find("key_ops");
      if (ops != entry.end() &&
          (!ops->is_array() || std::find(ops->begin(), ops->end(), nlohmann::json("verify")) == ops->end())) {
        if (skipped) skipped->push_back(where + ": key_ops without \"verify\"");
        continue;
      }
    }
    try {
      out.push_back(parse_jwk(entry));
    } catch (const JwtError& e) {
      if (skipped) skipped->push_back(where + ": " + e.what());
    }
  }
  return out;
}

}  // namespace sextant::auth::jwt
