// JwtVerifier end to end with real keys and signatures: every algorithm, and the attacks.
#include <gtest/gtest.h>

#include <openssl/pem.h>

#include "auth/jwt/jwks_cache.hpp"
#include "auth/jwt/jwt_verifier.hpp"
#include "jwt_test_support.hpp"

using sextant::util::base64url_decode;

using namespace sextant::auth::jwt;
using namespace sextant::auth::jwt::testing;

namespace {

const std::string kIss = "https://idp.example.com";
const std::string kJwks = "https://idp.example.com/jwks";

class JwtVerifierTest : public ::testing::Test {
 protected:
  JwtVerifierTest() {
    fetcher->set_json(kJwks, jwks_of({&rsa_key(), &ec256_key(), &ec384_key(), &ec521_key(), &ed_key()}));
    make_verifier({IssuerConfig{kIss, {"mlflow", "mlflow-alt"}, {}, kJwks, false}});
  }
  void make_verifier(std::vector<IssuerConfig> issuers) {
    JwksCacheOptions cache_options;
    cache_options.clock = clock.clock();
    cache = std::make_shared<JwksCache>(fetcher, cache_options);
    verifier = std::make_unique<JwtVerifier>(std::move(issuers), cache, VerifierOptions{std::chrono::seconds(60), clock.clock()});
  }
  json claims() const {
    const long long now = clock.seconds();
    return json{{"iss", kIss}, {"aud", "mlflow"}, {"sub", "alice"}, {"exp", now + 300}, {"iat", now}, {"nbf", now}};
  }
  json header(JwsAlgorithm alg) const {
    return json{{"alg", algorithm_name(alg)}, {"typ", "JWT"}, {"kid", key_for(alg).jwk["kid"]}};
  }
  std::string token(JwsAlgorithm alg = JwsAlgorithm::RS256) const { return make_token(header(alg), claims(), key_for(alg)); }
  std::string token_with_claims(const json& c, JwsAlgorithm alg = JwsAlgorithm::RS256) const {
    return make_token(header(alg), c, key_for(alg));
  }
  std::string token_with_header(const json& h, const TestKey& key = rsa_key()) const { return make_token(h, claims(), key); }

  ManualClock clock;
  std::shared_ptr<FakeFetcher> fetcher = std::make_shared<FakeFetcher>();
  std::shared_ptr<JwksCache> cache;
  std::unique_ptr<JwtVerifier> verifier;
};

}  // namespace

TEST_F(JwtVerifierTest, AcceptsEveryAlgorithm) {
  for (JwsAlgorithm alg : all_algorithms()) {
    SCOPED_TRACE(algorithm_name(alg));
    VerifiedJwt v = verifier->verify(token(alg));
    EXPECT_EQ(v.algorithm, alg);
    EXPECT_EQ(v.claims["sub"], "alice");
    EXPECT_EQ(v.issuer->issuer, kIss);
    EXPECT_EQ(v.kid, key_for(alg).jwk["kid"]);
  }
  EXPECT_EQ(fetcher->calls(kJwks), 1);  // one fetch served all of them
}

TEST_F(JwtVerifierTest, AlgNoneIsRefused) {
  for (const char* none : {"none", "None", "NONE", "nOnE"}) {
    const std::string input = b64(json{{"alg", none}, {"kid", "rsa-1"}}.dump()) + "." + b64(claims().dump());
    EXPECT_JWT_FAILURE(verifier->verify(input + "."), JwtFailure::UnsupportedAlgorithm) << none;
    EXPECT_JWT_FAILURE(verifier->verify(input + "." + b64("x")), JwtFailure::UnsupportedAlgorithm) << none;
  }
  const std::string no_alg = b64(R"({"kid":"rsa-1"})") + "." + b64(claims().dump()) + ".";
  EXPECT_JWT_FAILURE(verifier->verify(no_alg), JwtFailure::Malformed);
}

TEST_F(JwtVerifierTest, HmacWithThePublicKeyAsSecretIsRefused) {
  // The classic algorithm-confusion forgery: HS256 keyed with the RSA public key's bytes (JWK
  // JSON, the modulus, and a PEM as a naive library would use).
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, rsa_key().pkey.get());
  char* pem_data = nullptr;
  const long pem_len = BIO_get_mem_data(bio, &pem_data);
  const std::string pem(pem_data, static_cast<std::size_t>(pem_len));
  BIO_free(bio);
  for (const std::string& secret :
       {pem, rsa_key().jwk.dump(), *base64url_decode(rsa_key().jwk["n"].get<std::string>())}) {
    for (const char* alg : {"HS256", "HS384", "HS512"}) {
      const std::string input = b64(json{{"alg", alg}, {"kid", "rsa-1"}}.dump()) + "." + b64(claims().dump());
      EXPECT_JWT_FAILURE(verifier->verify(input + "." + b64(hmac_sha256(secret, input))), JwtFailure::UnsupportedAlgorithm);
    }
  }
}

TEST_F(JwtVerifierTest, UnknownKeyWithTrustedKidIsRefused) {
  TestKey attacker = generate_key(KeyType::Rsa, "rsa-1");  // same kid as the trusted key
  EXPECT_JWT_FAILURE(verifier->verify(make_token(header(JwsAlgorithm::RS256), claims(), attacker)), JwtFailure::BadSignature);
  TestKey attacker_ec = generate_key(KeyType::EcP256, "ec256-1");
  EXPECT_JWT_FAILURE(verifier->verify(make_token(header(JwsAlgorithm::ES256), claims(), attacker_ec)), JwtFailure::BadSignature);
}

TEST_F(JwtVerifierTest, KeyLocatingHeadersAreRefused) {
  TestKey attacker = generate_key(KeyType::EcP256, "evil");
  json h = header(JwsAlgorithm::ES256);
  h["kid"] = "evil";
  json with_jwk = h; with_jwk["jwk"] = attacker.jwk;
  json with_jku = h; with_jku["jku"] = "https://evil.example/jwks";
  json with_x5u = h; with_x5u["x5u"] = "https://evil.example/cert.pem";
  for (const json& bad : {with_jwk, with_jku, with_x5u})
    EXPECT_JWT_FAILURE(verifier->verify(make_token(bad, claims(), attacker)), JwtFailure::DisallowedHeader) << bad.dump();
  // even pointing at the real issuer, and even with a valid signature by a trusted key
  json trusted = header(JwsAlgorithm::RS256);
  trusted["jku"] = kJwks;
  EXPECT_JWT_FAILURE(verifier->verify(token_with_header(trusted)), JwtFailure::DisallowedHeader);
  EXPECT_EQ(fetcher->total_calls(), 0);  // nothing was fetched for any of them
  // x5c is never used as a key: an attacker certificate chain changes nothing
  json with_x5c = h; with_x5c["x5c"] = json::array({"MIIB"});
  EXPECT_JWT_FAILURE(verifier->verify(make_token(with_x5c, claims(), attacker)), JwtFailure::UnknownKey);
}

TEST_F(JwtVerifierTest, CritB64AndNestedTokensAreRefused) {
  json h = header(JwsAlgorithm::RS256);
  json crit = h; crit["crit"] = json::array({"exp"}); crit["exp"] = 1;
  json crit_empty = h; crit_empty["crit"] = json::array();
  json b64false = h; b64false["b64"] = false;
  json nested = h; nested["cty"] = "jwt";
  for (const json& bad : {crit, crit_empty, b64false, nested})
    EXPECT_JWT_FAILURE(verifier->verify(token_with_header(bad)), JwtFailure::DisallowedHeader) << bad.dump();
  json kid_number = h; kid_number["kid"] = 1;
  EXPECT_JWT_FAILURE(verifier->verify(token_with_header(kid_number)), JwtFailure::Malformed);
  json typ = h; typ["typ"] = "at+jwt";  // RFC 9068 access tokens are fine
  EXPECT_NO_THROW(verifier->verify(token_with_header(typ)));
}

TEST_F(JwtVerifierTest, TimeClaims) {
  const long long now = clock.seconds();
  json c = claims();
  c.erase("exp");
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::MissingClaim);
  c = claims(); c["exp"] = now - 61;
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::Expired);
  c["exp"] = now - 60;  // exactly at the end of the leeway
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::Expired);
  c["exp"] = now - 59;  // within the leeway
  EXPECT_NO_THROW(verifier->verify(token_with_claims(c)));
  c["exp"] = static_cast<double>(now) + 0.5;  // NumericDate may be fractional
  EXPECT_NO_THROW(verifier->verify(token_with_claims(c)));
  c["exp"] = std::to_string(now + 300);
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::InvalidClaim);
  c["exp"] = true;
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::InvalidClaim);
  c["exp"] = nullptr;
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::InvalidClaim);

  c = claims(); c["nbf"] = now + 61;
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::NotYetValid);
  c["nbf"] = now + 60;
  EXPECT_NO_THROW(verifier->verify(token_with_claims(c)));
  c["nbf"] = "soon";
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::InvalidClaim);

  c = claims(); c["iat"] = now + 3600;
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::IssuedInFuture);
  c = claims(); c.erase("iat"); c.erase("nbf");  // both optional
  EXPECT_NO_THROW(verifier->verify(token_with_claims(c)));

  // expiry follows the injected clock
  std::string t = token();
  EXPECT_NO_THROW(verifier->verify(t));
  clock.advance(std::chrono::seconds(300 + 60));
  EXPECT_JWT_FAILURE(verifier->verify(t), JwtFailure::Expired);
}

TEST_F(JwtVerifierTest, LifetimeIsBoundedPerIssuer) {
  const long long now = clock.seconds();
  json c = claims();
  c["exp"] = now + 24 * 3600;  // the default maximum, exactly
  EXPECT_NO_THROW(verifier->verify(token_with_claims(c)));
  c["exp"] = now + 100LL * 365 * 86400;  // a token for a century
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::TooLongLived);
  c["exp"] = now + 3600;
  c["iat"] = now - 30 * 3600;  // issued 30 h ago, still valid for an hour: lived too long
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::TooLongLived);
  c = claims();
  c.erase("iat");  // without iat: exp - now
  c["exp"] = now + 25 * 3600;
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::TooLongLived);
  auto issuers = verifier->issuers();
  issuers[0].max_lifetime = std::chrono::seconds(0);  // no limit for this issuer
  make_verifier(issuers);
  c["exp"] = now + 100LL * 365 * 86400;
  EXPECT_NO_THROW(verifier->verify(token_with_claims(c)));
  issuers[0].max_lifetime = std::chrono::seconds(600);
  make_verifier(issuers);
  EXPECT_NO_THROW(verifier->verify(token()));  // 5 minutes
  c = claims();
  c["exp"] = now + 600 + 61;  // beyond the maximum and the leeway
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::TooLongLived);
}

TEST_F(JwtVerifierTest, ZeroLeewayIsStrict) {
  verifier = std::make_unique<JwtVerifier>(verifier->issuers(), cache, VerifierOptions{std::chrono::seconds(0), clock.clock()});
  json c = claims();
  c["exp"] = clock.seconds();
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::Expired);
  c["exp"] = clock.seconds() + 1;
  c["nbf"] = clock.seconds() + 1;
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::NotYetValid);
}

TEST_F(JwtVerifierTest, IssuerMustMatchExactly) {
  for (const json& iss : {json("https://idp.example.com/"), json("https://IDP.example.com"), json("https://evil.example"),
                          json("https://idp.example.com.evil.example"), json("")}) {
    json c = claims();
    c["iss"] = iss;
    EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::UnknownIssuer) << iss;
  }
  json c = claims();
  c.erase("iss");
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::MissingClaim);
  c["iss"] = json::array({kIss});
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::InvalidClaim);
  EXPECT_EQ(fetcher->total_calls(), 0);
}

TEST_F(JwtVerifierTest, Audience) {
  json c = claims();
  c["aud"] = "someone-else";
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::WrongAudience);
  c["aud"] = "MLFLOW";
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::WrongAudience);
  c["aud"] = json::array({"someone-else", "another"});
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::WrongAudience);
  c["aud"] = json::array();
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::WrongAudience);
  c["aud"] = json::array({"someone-else", 7});
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::InvalidClaim);
  c["aud"] = json{{"mlflow", true}};
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::InvalidClaim);
  c.erase("aud");
  EXPECT_JWT_FAILURE(verifier->verify(token_with_claims(c)), JwtFailure::MissingClaim);

  c["aud"] = "mlflow-alt";  // the issuer's second audience
  EXPECT_NO_THROW(verifier->verify(token_with_claims(c)));
  c["aud"] = json::array({"someone-else", "mlflow"});  // array containing an accepted audience
  EXPECT_NO_THROW(verifier->verify(token_with_claims(c)));
  c["azp"] = "another-client";  // azp is not checked (see jwt_verifier.hpp)
  EXPECT_NO_THROW(verifier->verify(token_with_claims(c)));
}

TEST_F(JwtVerifierTest, AlgorithmMustFitTheKey) {
  // ES256 header naming the RSA key, signed by the RSA key as RS256: kid found, type mismatch
  json h = header(JwsAlgorithm::ES256);
  h["kid"] = "rsa-1";
  const std::string input = b64(h.dump()) + "." + b64(claims().dump());
  EXPECT_JWT_FAILURE(verifier->verify(input + "." + b64(sign("RS256", rsa_key().pkey.get(), input))), JwtFailure::KeyMismatch);
  // RS256 header naming the EC key
  json h2 = header(JwsAlgorithm::RS256);
  h2["kid"] = "ec256-1";
  EXPECT_JWT_FAILURE(verifier->verify(make_token(h2, claims(), rsa_key())), JwtFailure::KeyMismatch);
  // ES384 header naming the P-256 key (right family, wrong curve)
  json h3 = header(JwsAlgorithm::ES384);
  h3["kid"] = "ec256-1";
  EXPECT_JWT_FAILURE(verifier->verify(make_token(h3, claims(), ec384_key())), JwtFailure::KeyMismatch);
  // EdDSA header naming an EC key
  json h4 = header(JwsAlgorithm::EdDSA);
  h4["kid"] = "ec256-1";
  EXPECT_JWT_FAILURE(verifier->verify(make_token(h4, claims(), ed_key())), JwtFailure::KeyMismatch);
  // PS256 signature under an RS256 header (and the reverse): same key, wrong scheme
  const std::string in_rs = b64(header(JwsAlgorithm::RS256).dump()) + "." + b64(claims().dump());
  EXPECT_JWT_FAILURE(verifier->verify(in_rs + "." + b64(sign("PS256", rsa_key().pkey.get(), in_rs))), JwtFailure::BadSignature);
  const std::string in_ps = b64(header(JwsAlgorithm::PS256).dump()) + "." + b64(claims().dump());
  EXPECT_JWT_FAILURE(verifier->verify(in_ps + "." + b64(sign("RS256", rsa_key().pkey.get(), in_ps))), JwtFailure::BadSignature);
}

TEST_F(JwtVerifierTest, JwkDeclaredAlgIsEnforced) {
  json rs_only = rsa_key2().jwk;
  rs_only["alg"] = "RS256";
  fetcher->set_json(kJwks, json{{"keys", json::array({rs_only})}});
  json h = header(JwsAlgorithm::RS256);
  h["kid"] = "rsa-2";
  EXPECT_NO_THROW(verifier->verify(make_token(h, claims(), rsa_key2())));
  h["alg"] = "PS256";
  EXPECT_JWT_FAILURE(verifier->verify(make_token(h, claims(), rsa_key2())), JwtFailure::KeyMismatch);
}

TEST_F(JwtVerifierTest, AllowedAlgorithmsPerIssuer) {
  make_verifier({IssuerConfig{kIss, {"mlflow"}, {JwsAlgorithm::RS256, JwsAlgorithm::ES256}, kJwks, false}});
  EXPECT_NO_THROW(verifier->verify(token(JwsAlgorithm::RS256)));
  EXPECT_NO_THROW(verifier->verify(token(JwsAlgorithm::ES256)));
  for (JwsAlgorithm alg : {JwsAlgorithm::PS256, JwsAlgorithm::RS512, JwsAlgorithm::ES384, JwsAlgorithm::EdDSA})
    EXPECT_JWT_FAILURE(verifier->verify(token(alg)), JwtFailure::AlgorithmNotAllowed) << algorithm_name(alg);
}

TEST_F(JwtVerifierTest, TokenWithoutKid) {
  json h = header(JwsAlgorithm::EdDSA);
  h.erase("kid");
  // exactly one Ed25519 key in the set: used
  EXPECT_EQ(verifier->verify(make_token(h, claims(), ed_key())).kid, "ed-1");
  fetcher->set_json(kJwks, jwks_of({&rsa_key(), &rsa_key2(), &ed_key()}));
  clock.advance(std::chrono::hours(2));  // expire the cached set
  json rh = header(JwsAlgorithm::RS256);
  rh.erase("kid");
  // two RSA keys: ambiguous, refused even though one of them would verify
  EXPECT_JWT_FAILURE(verifier->verify(make_token(rh, claims(), rsa_key())), JwtFailure::UnknownKey);
  EXPECT_NO_THROW(verifier->verify(make_token(h, claims(), ed_key())));
}

TEST_F(JwtVerifierTest, SignatureTampering) {
  const std::string t = token(JwsAlgorithm::ES256);
  const auto dot1 = t.find('.'), dot2 = t.rfind('.');
  // payload swapped for another, signature kept
  json c = claims();
  c["sub"] = "mallory";
  EXPECT_JWT_FAILURE(verifier->verify(t.substr(0, dot1 + 1) + b64(c.dump()) + t.substr(dot2)), JwtFailure::BadSignature);
  // signature truncated by one byte / one extra byte
  std::string sig = *base64url_decode(t.substr(dot2 + 1));
  EXPECT_JWT_FAILURE(verifier->verify(t.substr(0, dot2 + 1) + b64(sig.substr(1))), JwtFailure::BadSignature);
  EXPECT_JWT_FAILURE(verifier->verify(t.substr(0, dot2 + 1) + b64(sig + "x")), JwtFailure::BadSignature);
  EXPECT_JWT_FAILURE(verifier->verify(t.substr(0, dot2 + 1)), JwtFailure::BadSignature);  // empty signature
  // the ES256 signature re-encoded as DER
  o::EcdsaSigPtr es(ECDSA_SIG_new());
  ECDSA_SIG_set0(es.get(), BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()), 32, nullptr),
                 BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()) + 32, 32, nullptr));
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(es.get(), &der);
  const std::string der_sig(reinterpret_cast<char*>(der), static_cast<std::size_t>(der_len));
  OPENSSL_free(der);
  EXPECT_JWT_FAILURE(verifier->verify(t.substr(0, dot2 + 1) + b64(der_sig)), JwtFailure::BadSignature);
  // structure
  EXPECT_JWT_FAILURE(verifier->verify(t + "." + b64("x")), JwtFailure::Malformed);
  EXPECT_JWT_FAILURE(verifier->verify(t.substr(0, dot2)), JwtFailure::Malformed);
  EXPECT_JWT_FAILURE(verifier->verify(t + "="), JwtFailure::Malformed);
  EXPECT_JWT_FAILURE(verifier->verify(" " + t), JwtFailure::Malformed);
  std::string plus = t;
  plus[dot2 + 3] = '+';
  EXPECT_JWT_FAILURE(verifier->verify(plus), JwtFailure::Malformed);
}

TEST_F(JwtVerifierTest, DuplicateMembersAreRefusedEvenWhenSigned) {
  const long long now = clock.seconds();
  const std::string good_claims =
      R"({"iss":")" + kIss + R"(","aud":"mlflow","sub":"alice","exp":)" + std::to_string(now + 300) + "}";
  EXPECT_NO_THROW(verifier->verify(make_token_raw(R"({"alg":"RS256","kid":"rsa-1"})", good_claims, "RS256", rsa_key().pkey.get())));
  EXPECT_JWT_FAILURE(verifier->verify(make_token_raw(R"({"alg":"RS256","kid":"rsa-1","alg":"RS256"})", good_claims, "RS256",
                                                     rsa_key().pkey.get())),
                     JwtFailure::Malformed);
  EXPECT_JWT_FAILURE(verifier->verify(make_token_raw(R"({"alg":"RS256","kid":"rsa-1","kid":"rsa-2"})", good_claims, "RS256",
                                                     rsa_key().pkey.get())),
                     JwtFailure::Malformed);
  const std::string dup_sub = R"({"iss":")" + kIss + R"(","aud":"mlflow","sub":"alice","sub":"admin","exp":)" +
                              std::to_string(now + 300) + "}";
  EXPECT_JWT_FAILURE(verifier->verify(make_token_raw(R"({"alg":"RS256","kid":"rsa-1"})", dup_sub, "RS256", rsa_key().pkey.get())),
                     JwtFailure::Malformed);
  const std::string dup_exp = R"({"iss":")" + kIss + R"(","aud":"mlflow","sub":"alice","exp":1,"exp":)" +
                              std::to_string(now + 300) + "}";
  EXPECT_JWT_FAILURE(verifier->verify(make_token_raw(R"({"alg":"RS256","kid":"rsa-1"})", dup_exp, "RS256", rsa_key().pkey.get())),
                     JwtFailure::Malformed);
}

TEST_F(JwtVerifierTest, SeveralIssuersEachWithItsAudienceAndKeys) {
  const std::string other = "http://127.0.0.1:8089";
  fetcher->set_json(other + "/.well-known/openid-configuration", json{{"issuer", other}, {"jwks_uri", other + "/jwks"}});
  fetcher->set_json(other + "/jwks", jwks_of({&rsa_key2()}));
  make_verifier({IssuerConfig{kIss, {"mlflow"}, {}, kJwks, false}, IssuerConfig{other, {"ci"}, {}, "", false}});
  EXPECT_NO_THROW(verifier->verify(token()));
  json c = claims();
  c["iss"] = other;
  c["aud"] = "ci";
  json h = header(JwsAlgorithm::RS256);
  h["kid"] = "rsa-2";
  EXPECT_EQ(verifier->verify(make_token(h, c, rsa_key2())).issuer->issuer, other);
  // the first issuer's audience is not valid for the second one
  c["aud"] = "mlflow";
  EXPECT_JWT_FAILURE(verifier->verify(make_token(h, c, rsa_key2())), JwtFailure::WrongAudience);
  // a key of the first issuer does not sign for the second one
  c["aud"] = "ci";
  EXPECT_JWT_FAILURE(verifier->verify(make_token(header(JwsAlgorithm::RS256), c, rsa_key())), JwtFailure::UnknownKey);
}

TEST_F(JwtVerifierTest, ConfigurationErrors) {
  EXPECT_THROW(JwtVerifier({IssuerConfig{kIss, {}, {}, kJwks, false}}, cache), std::invalid_argument);
  EXPECT_THROW(JwtVerifier({IssuerConfig{kIss, {""}, {}, kJwks, false}}, cache), std::invalid_argument);
  EXPECT_THROW(JwtVerifier({IssuerConfig{"", {"a"}, {}, kJwks, false}}, cache), std::invalid_argument);
  EXPECT_THROW(JwtVerifier({IssuerConfig{kIss, {"a"}, {}, kJwks, false}, IssuerConfig{kIss, {"b"}, {}, kJwks, false}}, cache),
               std::invalid_argument);
  EXPECT_THROW(JwtVerifier({}, nullptr), std::invalid_argument);
}
