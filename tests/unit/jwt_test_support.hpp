// Test-only helpers for the auth/jwt tests: real keys generated with OpenSSL, real signatures,
// JWK export, token assembly, a counting fake HttpFetcher and a hand-moved clock.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <string>

#include <nlohmann/json.hpp>
#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include "auth/http_fetcher.hpp"
#include "auth/jwt/algorithms.hpp"
#include "util/base64url.hpp"
#include "auth/jwt/clock.hpp"
#include "auth/jwt/jwt_error.hpp"
#include "auth/jwt/openssl_util.hpp"

using sextant::util::base64url_encode;

namespace sextant::auth::jwt::testing {

using nlohmann::json;
using sextant::auth::HttpResponse;
namespace o = sextant::auth::jwt::ossl;

struct TestKey {
  std::shared_ptr<EVP_PKEY> pkey;  // private key
  KeyType type;
  json jwk;  // public JWK with kid
};

inline std::string bn_bytes(const BIGNUM* bn, int pad = 0) {
  std::string out(pad > 0 ? static_cast<std::size_t>(pad) : static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  if (pad > 0)
    BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), pad);
  else
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

inline json public_jwk(EVP_PKEY* key, KeyType type, const std::string& kid) {
  json jwk;
  if (!kid.empty()) jwk["kid"] = kid;
  if (type == KeyType::Rsa) {
    BIGNUM *n = nullptr, *e = nullptr;
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n);
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e);
    o::BnPtr nn(n), ee(e);
    jwk["kty"] = "RSA";
    jwk["n"] = base64url_encode(bn_bytes(n));
    jwk["e"] = base64url_encode(bn_bytes(e));
  } else if (type == KeyType::Ed25519) {
    unsigned char raw[32];
    size_t len = sizeof raw;
    EVP_PKEY_get_raw_public_key(key, raw, &len);
    jwk["kty"] = "OKP";
    jwk["crv"] = "Ed25519";
    jwk["x"] = base64url_encode(std::string(reinterpret_cast<char*>(raw), len));
  } else {
    const int size = type == KeyType::EcP256 ? 32 : type == KeyType::EcP384 ? 48 : 66;
    BIGNUM *x = nullptr, *y = nullptr;
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x);
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y);
    o::BnPtr xx(x), yy(y);
    jwk["kty"] = "EC";
    jwk["crv"] = type == KeyType::EcP256 ? "P-256" : type == KeyType::EcP384 ? "P-384" : "P-521";
    jwk["x"] = base64url_encode(bn_bytes(x, size));
    jwk["y"] = base64url_encode(bn_bytes(y, size));
  }
  return jwk;
}

inline TestKey generate_key(KeyType type, const std::string& kid, unsigned rsa_bits = 2048) {
  EVP_PKEY* key = nullptr;
  switch (type) {
    case KeyType::Rsa: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(rsa_bits)); break;
    case KeyType::EcP256: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
    case KeyType::EcP384: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"); break;
    case KeyType::EcP521: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521"); break;
    case KeyType::Ed25519: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
  }
  if (!key) throw std::runtime_error("key generation failed");
  TestKey k{std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free), type, {}};
  k.jwk = public_jwk(key, type, kid);
  return k;
}

// Keys generated once per test process (RSA generation is slow).
inline const TestKey& rsa_key() { static TestKey k = generate_key(KeyType::Rsa, "rsa-1"); return k; }
inline const TestKey& rsa_key2() { static TestKey k = generate_key(KeyType::Rsa, "rsa-2"); return k; }
inline const TestKey& ec256_key() { static TestKey k = generate_key(KeyType::EcP256, "ec256-1"); return k; }
inline const TestKey& ec384_key() { static TestKey k = generate_key(KeyType::EcP384, "ec384-1"); return k; }
inline const TestKey& ec521_key() { static TestKey k = generate_key(KeyType::EcP521, "ec521-1"); return k; }
inline const TestKey& ed_key() { static TestKey k = generate_key(KeyType::Ed25519, "ed-1"); return k; }

inline const TestKey& key_for(JwsAlgorithm alg) {
  switch (required_key_type(alg)) {
    case KeyType::Rsa: return rsa_key();
    case KeyType::EcP256: return ec256_key();
    case KeyType::EcP384: return ec384_key();
    case KeyType::EcP521: return ec521_key();
    case KeyType::Ed25519: return ed_key();
  }
  return rsa_key();
}

inline const char* digest_of(const std::string& alg) {
  if (alg == "EdDSA") return nullptr;
  const std::string bits = alg.substr(2);
  return bits == "256" ? "SHA256" : bits == "384" ? "SHA384" : "SHA512";
}

// Signs `input` as `alg` (by name) with `key`; ES* come out in JOSE r||s form.
inline std::string sign(const std::string& alg, EVP_PKEY* key, const std::string& input) {
  o::MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestSignInit_ex(ctx.get(), &pctx, digest_of(alg), nullptr, nullptr, key, nullptr) != 1)
    throw std::runtime_error("sign init failed");
  if (alg.starts_with("PS")) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, digest_of(alg), nullptr);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, in, input.size()) != 1) throw std::runtime_error("sign size failed");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in, input.size()) != 1)
    throw std::runtime_error("sign failed");
  sig.resize(len);
  if (alg.starts_with("ES")) {
    const int size = alg == "ES256" ? 32 : alg == "ES384" ? 48 : 66;
    const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
    o::EcdsaSigPtr der(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())));
    const BIGNUM *r = nullptr, *s = nullptr;
    ECDSA_SIG_get0(der.get(), &r, &s);
    return bn_bytes(r, size) + bn_bytes(s, size);
  }
  return sig;
}

inline std::string hmac_sha256(const std::string& secret, const std::string& input) {
  unsigned char out[32];
  size_t len = 0;
  EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
            reinterpret_cast<const unsigned char*>(input.data()), input.size(), out, sizeof out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

inline std::string b64(const std::string& s) { return base64url_encode(s); }

// header.payload.signature from raw JSON texts (for duplicate-member tests) signed with `key`.
inline std::string make_token_raw(const std::string& header, const std::string& payload, const std::string& alg,
                                  EVP_PKEY* key) {
  const std::string input = b64(header) + "." + b64(payload);
  return input + "." + b64(sign(alg, key, input));
}

inline std::string make_token(const json& header, const json& payload, const TestKey& key) {
  return make_token_raw(header.dump(), payload.dump(), header.at("alg").get<std::string>(), key.pkey.get());
}

// Counts and scripts GETs by URL. Thread-safe.
class FakeFetcher : public HttpFetcher {
 public:
  void set(const std::string& url, HttpResponse response) {
    std::lock_guard lock(mutex_);
    responses_[url] = std::move(response);
  }
  void set_json(const std::string& url, const json& body, const std::string& cache_control = "") {
    set(url, HttpResponse{200, body.dump(), cache_control});
  }
  void fail(const std::string& url) {
    std::lock_guard lock(mutex_);
    responses_.erase(url);
  }
  int calls(const std::string& url) const {
    std::lock_guard lock(mutex_);
    auto it = calls_.find(url);
    return it == calls_.end() ? 0 : it->second;
  }
  int total_calls() const { return total_.load(); }
  std::chrono::milliseconds delay{0};

  HttpResponse get(const std::string& url) override {
    ++total_;
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    std::lock_guard lock(mutex_);
    ++calls_[url];
    auto it = responses_.find(url);
    if (it == responses_.end()) throw std::runtime_error("connection refused: " + url);
    return it->second;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, HttpResponse> responses_;
  std::map<std::string, int> calls_;
  std::atomic<int> total_{0};
};

// A clock tests move by hand; copies share the time.
class ManualClock {
 public:
  explicit ManualClock(std::chrono::system_clock::time_point start = std::chrono::system_clock::time_point(
                           std::chrono::seconds(1'700'000'000)))
      : now_(std::make_shared<std::atomic<long long>>(std::chrono::duration_cast<std::chrono::seconds>(start.time_since_epoch()).count())) {}
  Clock clock() const {
    auto now = now_;
    return [now] { return std::chrono::system_clock::time_point(std::chrono::seconds(now->load())); };
  }
  long long seconds() const { return now_->load(); }
  void advance(std::chrono::seconds s) { *now_ += s.count(); }
  void set(long long seconds) { *now_ = seconds; }

 private:
  std::shared_ptr<std::atomic<long long>> now_;
};

inline json jwks_of(std::initializer_list<const TestKey*> keys) {
  json set = json::array();
  for (const TestKey* k : keys) set.push_back(k->jwk);
  return json{{"keys", set}};
}

// Passes iff `f` throws JwtError with `expected` (the message says what happened otherwise).
template <class F>
::testing::AssertionResult fails_with(F&& f, JwtFailure expected) {
  try {
    f();
  } catch (const JwtError& e) {
    if (e.failure() == expected) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "expected \"" << to_string(expected) << "\", got: " << e.what();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "expected \"" << to_string(expected) << "\", got exception: " << e.what();
  }
  return ::testing::AssertionFailure() << "expected \"" << to_string(expected) << "\", nothing was thrown";
}

#define EXPECT_JWT_FAILURE(statement, expected) \
  EXPECT_TRUE(::sextant::auth::jwt::testing::fails_with([&] { (void)(statement); }, (expected)))

}  // namespace sextant::auth::jwt::testing
