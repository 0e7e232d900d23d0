// JWK / JWKS parsing into OpenSSL keys, and the signature layer with real keys.
#include <gtest/gtest.h>

#include "auth/jwt/jwk.hpp"
#include "jwt_test_support.hpp"

using sextant::util::base64url_decode;

using namespace sextant::auth::jwt;
using namespace sextant::auth::jwt::testing;

TEST(Jwk, ParsesEveryKeyType) {
  for (const TestKey* k : {&rsa_key(), &ec256_key(), &ec384_key(), &ec521_key(), &ed_key()}) {
    Jwk jwk = parse_jwk(k->jwk);
    EXPECT_EQ(jwk.type, k->type);
    EXPECT_EQ(jwk.kid, k->jwk["kid"]);
    ASSERT_TRUE(jwk.key);
    EXPECT_EQ(EVP_PKEY_eq(jwk.key.get(), k->pkey.get()), 1) << k->jwk.dump();  // same public key
  }
}

TEST(Jwk, SignatureLayerVerifiesEveryAlgorithmAndRejectsTampering) {
  for (JwsAlgorithm alg : all_algorithms()) {
    const TestKey& k = key_for(alg);
    Jwk jwk = parse_jwk(k.jwk);
    const std::string input = "eyJhbGciOiJ4In0.eyJ4IjoxfQ";
    std::string sig = sign(algorithm_name(alg), k.pkey.get(), input);
    EXPECT_TRUE(verify_signature(alg, jwk.key.get(), input, sig)) << algorithm_name(alg);
    EXPECT_FALSE(verify_signature(alg, jwk.key.get(), input + "x", sig)) << algorithm_name(alg);
    std::string flipped = sig;
    flipped[flipped.size() / 2] ^= 1;
    EXPECT_FALSE(verify_signature(alg, jwk.key.get(), input, flipped)) << algorithm_name(alg);
    EXPECT_FALSE(verify_signature(alg, jwk.key.get(), input, sig.substr(1))) << algorithm_name(alg);
    EXPECT_FALSE(verify_signature(alg, jwk.key.get(), input, sig + '\0')) << algorithm_name(alg);
    EXPECT_FALSE(verify_signature(alg, jwk.key.get(), input, "")) << algorithm_name(alg);
  }
}

TEST(Jwk, SignatureLayerRefusesKeysOfTheWrongTypeOrCurve) {
  const std::string input = "a.b";
  Jwk rsa = parse_jwk(rsa_key().jwk), p256 = parse_jwk(ec256_key().jwk), p384 = parse_jwk(ec384_key().jwk);
  Jwk ed = parse_jwk(ed_key().jwk);
  EXPECT_FALSE(verify_signature(JwsAlgorithm::ES256, rsa.key.get(), input, sign("RS256", rsa_key().pkey.get(), input)));
  EXPECT_FALSE(verify_signature(JwsAlgorithm::RS256, p256.key.get(), input, sign("ES256", ec256_key().pkey.get(), input)));
  EXPECT_FALSE(verify_signature(JwsAlgorithm::ES384, p256.key.get(), input, sign("ES256", ec256_key().pkey.get(), input)));
  EXPECT_FALSE(verify_signature(JwsAlgorithm::ES256, p384.key.get(), input, sign("ES384", ec384_key().pkey.get(), input)));
  EXPECT_FALSE(verify_signature(JwsAlgorithm::EdDSA, p256.key.get(), input, sign("EdDSA", ed_key().pkey.get(), input)));
  EXPECT_FALSE(verify_signature(JwsAlgorithm::ES256, ed.key.get(), input, sign("EdDSA", ed_key().pkey.get(), input)));
  // PS and RS are different schemes on the same RSA key: neither signature passes as the other.
  EXPECT_FALSE(verify_signature(JwsAlgorithm::RS256, rsa.key.get(), input, sign("PS256", rsa_key().pkey.get(), input)));
  EXPECT_FALSE(verify_signature(JwsAlgorithm::PS256, rsa.key.get(), input, sign("RS256", rsa_key().pkey.get(), input)));
  // a different hash on the same scheme
  EXPECT_FALSE(verify_signature(JwsAlgorithm::RS384, rsa.key.get(), input, sign("RS256", rsa_key().pkey.get(), input)));
  EXPECT_FALSE(verify_signature(JwsAlgorithm::ES256, rsa.key.get(), input, std::string(64, 'x')));
  EXPECT_FALSE(verify_signature(JwsAlgorithm::RS256, nullptr, input, "x"));
}

TEST(Jwk, EcdsaSignatureMustBeExactlyRS) {
  const std::string input = "a.b";
  Jwk p256 = parse_jwk(ec256_key().jwk);
  std::string sig = sign("ES256", ec256_key().pkey.get(), input);
  ASSERT_EQ(sig.size(), 64u);
  EXPECT_TRUE(verify_signature(JwsAlgorithm::ES256, p256.key.get(), input, sig));
  EXPECT_FALSE(verify_signature(JwsAlgorithm::ES256, p256.key.get(), input, sig.substr(0, 63)));
  EXPECT_FALSE(verify_signature(JwsAlgorithm::ES256, p256.key.get(), input, std::string(1, '\0') + sig));
  EXPECT_FALSE(verify_signature(JwsAlgorithm::ES256, p256.key.get(), input, std::string(64, '\0')));  // r = s = 0
  // the DER form OpenSSL itself produces is not JOSE
  o::MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, ec256_key().pkey.get(), nullptr);
  size_t len = 0;
  EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  std::string der(len, '\0');
  EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &len,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  der.resize(len);
  EXPECT_FALSE(verify_signature(JwsAlgorithm::ES256, p256.key.get(), input, der));
  Jwk p521 = parse_jwk(ec521_key().jwk);
  std::string sig521 = sign("ES512", ec521_key().pkey.get(), input);
  ASSERT_EQ(sig521.size(), 132u);
  EXPECT_TRUE(verify_signature(JwsAlgorithm::ES512, p521.key.get(), input, sig521));
  EXPECT_FALSE(verify_signature(JwsAlgorithm::ES512, p521.key.get(), input, sig521.substr(1, 130)));
}

TEST(Jwk, RejectsBadKeys) {
  auto expect_bad = [](json jwk) { EXPECT_JWT_FAILURE(parse_jwk(jwk), JwtFailure::Malformed) << jwk.dump(); };
  json ec = ec256_key().jwk;
  json e1 = ec; e1["crv"] = "P-192"; expect_bad(e1);
  json e2 = ec; e2["crv"] = "secp256k1"; expect_bad(e2);
  json e3 = ec; e3["x"] = b64(base64url_decode(ec["x"].get<std::string>())->substr(1)); expect_bad(e3);  // short coordinate
  json e4 = ec; e4.erase("y"); expect_bad(e4);
  json e5 = ec; {  // a point off the curve
    std::string y = *base64url_decode(ec["y"].get<std::string>());
    y.back() ^= 1;
    e5["y"] = b64(y);
  }
  expect_bad(e5);
  json e6 = ec; e6["x"] = "not base64url!"; expect_bad(e6);
  json e7 = ec; e7["crv"] = "P-384"; expect_bad(e7);  // coordinates of the wrong size for the curve
  json e8 = ec; e8["alg"] = "RS256"; expect_bad(e8);   // declared alg does not fit
  json e9 = ec; e9["alg"] = "HS256"; expect_bad(e9);
  json e10 = ec; e10["kid"] = 7; expect_bad(e10);

  json rsa = rsa_key().jwk;
  json r1 = rsa; r1["e"] = b64("\x01\x00\x00"); expect_bad(r1);     // even exponent
  json r2 = rsa; r2["e"] = b64("\x01"); expect_bad(r2);
  json r3 = rsa; r3["e"] = b64(std::string(9, '\x01')); expect_bad(r3);  // absurd exponent
  json r4 = rsa; r4.erase("n"); expect_bad(r4);
  expect_bad(generate_key(KeyType::Rsa, "small", 1024).jwk);        // under 2048 bits

  json ed = ed_key().jwk;
  json d1 = ed; d1["crv"] = "Ed448"; expect_bad(d1);
  json d2 = ed; d2["crv"] = "X25519"; expect_bad(d2);
  json d3 = ed; d3["x"] = b64(std::string(31, 'a')); expect_bad(d3);

  expect_bad(json{{"kty", "oct"}, {"k", b64("secret")}});
  expect_bad(json{{"kty", "RSA-PSS"}});
  expect_bad(json::array());
}

TEST(Jwk, RsaModulusWithLeadingZeroIsAccepted) {
  json rsa = rsa_key().jwk;
  rsa["n"] = b64(std::string(1, '\0') + *base64url_decode(rsa["n"].get<std::string>()));
  EXPECT_EQ(parse_jwk(rsa).type, KeyType::Rsa);
}

TEST(Jwks, SkipsUnusableKeysKeepsTheRest) {
  json set = jwks_of({&rsa_key(), &ec256_key()});
  set["keys"].push_back(json{{"kty", "oct"}, {"k", b64("secret")}, {"kid", "hmac"}});
  json enc = rsa_key2().jwk; enc["use"] = "enc"; set["keys"].push_back(enc);
  json ops = ed_key().jwk; ops["key_ops"] = json::array({"encrypt"}); set["keys"].push_back(ops);
  json ok_ops = ec384_key().jwk; ok_ops["key_ops"] = json::array({"verify"}); ok_ops["use"] = "sig"; set["keys"].push_back(ok_ops);
  set["keys"].push_back(json{{"kty", "EC"}, {"crv", "P-256"}});
  set["keys"].push_back("not an object");
  std::vector<std::string> skipped;
  auto keys = parse_jwks(set.dump(), &skipped);
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[0].kid, "rsa-1");
  EXPECT_EQ(keys[1].kid, "ec256-1");
  EXPECT_EQ(keys[2].kid, "ec384-1");
  EXPECT_EQ(skipped.size(), 5u);
}

TEST(Jwks, RejectsDocumentsThatAreNotJwkSets) {
  EXPECT_JWT_FAILURE(parse_jwks("[]"), JwtFailure::Malformed);
  EXPECT_JWT_FAILURE(parse_jwks("{}"), JwtFailure::Malformed);
  EXPECT_JWT_FAILURE(parse_jwks(R"({"keys":{}})"), JwtFailure::Malformed);
  EXPECT_JWT_FAILURE(parse_jwks(R"({"keys":[],"keys":[]})"), JwtFailure::Malformed);
  EXPECT_JWT_FAILURE(parse_jwks("<html>"), JwtFailure::Malformed);
  EXPECT_TRUE(parse_jwks(R"({"keys":[]})").empty());
}
