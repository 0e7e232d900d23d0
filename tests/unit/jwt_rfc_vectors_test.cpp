// Published example vectors: RFC 7515 A.2 (RS256), A.3 (ES256), A.4 (ES512), A.5 (unsecured)
// and RFC 8037 A.4 (Ed25519). They verify at the signature layer; A.2/A.3 are JWTs, so they also
// go through the full verifier with the clock set before their exp (1300819380) -- they carry no
// `aud`, so the verifier gets as far as the audience check (the signature and time checks pass).
#include <gtest/gtest.h>

#include "auth/jwt/jwk.hpp"
#include "auth/jwt/jws.hpp"
#include "auth/jwt/jwt_verifier.hpp"
#include "jwt_test_support.hpp"

using sextant::util::base64url_decode;

using namespace sextant::auth::jwt;
using namespace sextant::auth::jwt::testing;

namespace {

const std::string kPayload =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
const std::string kA2 = "eyJhbGciOiJSUzI1NiJ9." + kPayload + "." +
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh"
    "7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYN"
    "X4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Q"
    "e7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7no"
    "OPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlV"
    "mtVrBp0igcN_IoypGlUPQGe77Rw";
const json kA2Jwk = {{"kty", "RSA"},
                     {"n",
                      "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddx"
                      "HmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMs"
                      "D1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSH"
                      "SXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdV"
                      "MTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8"
                      "NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"},
                     {"e", "AQAB"}};
const std::string kA3 = "eyJhbGciOiJFUzI1NiJ9." + kPayload + "." +
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
const json kA3Jwk = {{"kty", "EC"},
                     {"crv", "P-256"},
                     {"x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"},
                     {"y", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}};
const std::string kA4Input = "eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA";
const std::string kA4Sig =
    "AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZ"
    "qwqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8"
    "KpEHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn";
const json kA4Jwk = {{"kty", "EC"},
                     {"crv", "P-521"},
                     {"x", "AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV1jSfS9tsz4qUxcWceqwQGk"},
                     {"y", "ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2"}};
const std::string kRfc8037Input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
const std::string kRfc8037Sig =
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
const json kRfc8037Jwk = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}};

class FixedKeys : public KeyProvider {
 public:
  explicit FixedKeys(KeySet keys) : keys_(std::make_shared<const KeySet>(std::move(keys))) {}
  std::shared_ptr<const KeySet> keys(const IssuerConfig&) override { return keys_; }
  std::shared_ptr<const KeySet> refresh(const IssuerConfig&, const std::shared_ptr<const KeySet>& seen) override { return seen; }

 private:
  std::shared_ptr<const KeySet> keys_;
};

bool verifies(const std::string& input, const std::string& sig_b64, JwsAlgorithm alg, const json& jwk) {
  Jwk key = parse_jwk(jwk);
  return verify_signature(alg, key.key.get(), input, *base64url_decode(sig_b64));
}

}  // namespace

TEST(RfcVectors, Rfc7515A2RS256) {
  CompactJws jws = parse_compact_jws(kA2);
  EXPECT_EQ(jws.payload["exp"], 1300819380);
  Jwk key = parse_jwk(kA2Jwk);
  EXPECT_TRUE(verify_signature(JwsAlgorithm::RS256, key.key.get(), jws.signing_input, jws.signature));
  EXPECT_FALSE(verify_signature(JwsAlgorithm::PS256, key.key.get(), jws.signing_input, jws.signature));
}

TEST(RfcVectors, Rfc7515A3ES256) {
  CompactJws jws = parse_compact_jws(kA3);
  Jwk key = parse_jwk(kA3Jwk);
  EXPECT_TRUE(verify_signature(JwsAlgorithm::ES256, key.key.get(), jws.signing_input, jws.signature));
  std::string bad = jws.signature;
  bad[0] ^= 0x80;
  EXPECT_FALSE(verify_signature(JwsAlgorithm::ES256, key.key.get(), jws.signing_input, bad));
}

TEST(RfcVectors, Rfc7515A4ES512) {
  EXPECT_TRUE(verifies(kA4Input, kA4Sig, JwsAlgorithm::ES512, kA4Jwk));
  EXPECT_FALSE(verifies(kA4Input + "x", kA4Sig, JwsAlgorithm::ES512, kA4Jwk));
}

TEST(RfcVectors, Rfc8037A4Ed25519) {
  EXPECT_TRUE(verifies(kRfc8037Input, kRfc8037Sig, JwsAlgorithm::EdDSA, kRfc8037Jwk));
  EXPECT_FALSE(verifies(kRfc8037Input + "x", kRfc8037Sig, JwsAlgorithm::EdDSA, kRfc8037Jwk));
}

TEST(RfcVectors, FullVerifierWithInjectedClock) {
  for (const auto& [token, jwk] : {std::pair{kA2, kA2Jwk}, std::pair{kA3, kA3Jwk}}) {
    ManualClock clock;
    clock.set(1300819380 - 3600);
    auto keys = std::make_shared<FixedKeys>(KeySet{parse_jwk(jwk)});
    JwtVerifier verifier({IssuerConfig{"joe", {"mlflow"}, {}, "", false}}, keys, {std::chrono::seconds(60), clock.clock()});
    EXPECT_JWT_FAILURE(verifier.verify(token), JwtFailure::MissingClaim);  // no aud: all checks before it passed
    clock.set(1300819380 + 61);
    EXPECT_JWT_FAILURE(verifier.verify(token), JwtFailure::Expired);
    std::string tampered = token;
    tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
    clock.set(1300819380 - 3600);
    EXPECT_JWT_FAILURE(verifier.verify(tampered), JwtFailure::BadSignature);
  }
}

TEST(RfcVectors, Rfc7515A5UnsecuredIsRefused) {
  const std::string a5 = "eyJhbGciOiJub25lIn0." + kPayload + ".";
  auto keys = std::make_shared<FixedKeys>(KeySet{parse_jwk(kA2Jwk)});
  ManualClock clock;
  clock.set(1300819380 - 3600);
  JwtVerifier verifier({IssuerConfig{"joe", {"mlflow"}, {}, "", false}}, keys, {std::chrono::seconds(60), clock.clock()});
  EXPECT_TRUE(looks_like_compact_jws(a5));
  EXPECT_JWT_FAILURE(verifier.verify(a5), JwtFailure::UnsupportedAlgorithm);
}
