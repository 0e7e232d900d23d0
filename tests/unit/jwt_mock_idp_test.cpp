// The verifier against tokens from a real provider process (oauth2-mock-server, whose tokens are
// signed by panva/jose), through the real CurlHttpFetcher, discovery and JWKS. Skipped unless
// SEXTANT_TEST_OIDC_ISSUER names a running provider; tests/oidc/check_jwt_mock_idp.sh starts one.
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include <curl/curl.h>

#include "auth/curl_http_fetcher.hpp"
#include "auth/jwt/jwks_cache.hpp"
#include "auth/jwt/jws.hpp"
#include "auth/jwt/jwt_bearer_authenticator.hpp"
#include "jwt_test_support.hpp"

using namespace sextant::auth;
using namespace sextant::auth::jwt;
using namespace sextant::auth::jwt::testing;

namespace {

std::string issuer_url() {
  const char* v = std::getenv("SEXTANT_TEST_OIDC_ISSUER");
  return v ? v : "";
}

size_t collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// client_credentials token request; `form` is extra x-www-form-urlencoded fields.
std::string access_token(const std::string& form) {
  CURL* c = curl_easy_init();
  std::string body;
  const std::string url = issuer_url() + "/token";
  const std::string post = "grant_type=client_credentials&scope=openid%20email" + form;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_USERPWD, "any:any");
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, post.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
  const CURLcode rc = curl_easy_perform(c);
  curl_easy_cleanup(c);
  if (rc != CURLE_OK) throw std::runtime_error(std::string("token request: ") + curl_easy_strerror(rc));
  return json::parse(body).at("access_token").get<std::string>();
}

class JwtMockIdp : public ::testing::Test {
 protected:
  void SetUp() override {
    if (issuer_url().empty())
      GTEST_SKIP() << "SEXTANT_TEST_OIDC_ISSUER is not set (run tests/oidc/check_jwt_mock_idp.sh to start "
                      "oauth2-mock-server and run these tests against it)";
    auto cache = std::make_shared<JwksCache>(std::make_shared<CurlHttpFetcher>());
    verifier = std::make_shared<JwtVerifier>(std::vector<IssuerConfig>{IssuerConfig{issuer_url(), {"mlflow"}, {}, "", false}},
                                             cache);
  }
  std::shared_ptr<JwtVerifier> verifier;
};

}  // namespace

TEST_F(JwtMockIdp, VerifiesTokensOfEveryAlgorithmTheProviderSigns) {
  std::set<std::string> seen;
  for (int i = 0; i < 10; ++i) {
    const std::string token = access_token("&x_sub=robot");
    VerifiedJwt v = verifier->verify(token);
    seen.insert(algorithm_name(v.algorithm));
    EXPECT_EQ(v.claims["sub"], "robot");
    EXPECT_EQ(v.claims["iss"], issuer_url());
    // and the same token tampered with fails
    std::string tampered = token;
    const auto dot = tampered.find('.');
    tampered[dot + 2] = tampered[dot + 2] == 'A' ? 'B' : 'A';
    EXPECT_ANY_THROW(verifier->verify(tampered)) << v.header.dump();
  }
  std::string list;
  for (const auto& a : seen) list += a + " ";
  std::cout << "[ INFO     ] algorithms verified from the provider: " << list << "\n";
  EXPECT_GE(seen.size(), 1u);
}

TEST_F(JwtMockIdp, ClaimsBecomeAPrincipal) {
  JwtBearerAuthenticator auth(verifier);
  RequestCredentials r;
  r.authorization = "Bearer " + access_token("&x_sub=alice&x_email=alice%40example.test&x_email_verified=true"
                                             "&x_groups=mlflow-admins,ml-team");
  auto p = auth.authenticate(r);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->username, "alice@example.test");
  EXPECT_TRUE(p->email_verified);
  EXPECT_EQ(p->groups, (std::vector<std::string>{"mlflow-admins", "ml-team"}));
  EXPECT_EQ(p->issuer, issuer_url());
}

TEST_F(JwtMockIdp, RefusesWrongAudienceAndExpiredTokens) {
  EXPECT_JWT_FAILURE(verifier->verify(access_token("&aud=someone-else")), JwtFailure::WrongAudience);
  EXPECT_JWT_FAILURE(verifier->verify(access_token("&x_expires_in=-120")), JwtFailure::Expired);
  JwtVerifier other({IssuerConfig{issuer_url() + "/", {"mlflow"}, {}, "", false}},
                    std::make_shared<JwksCache>(std::make_shared<CurlHttpFetcher>()));
  EXPECT_JWT_FAILURE(other.verify(access_token("")), JwtFailure::UnknownIssuer);
}
