// JwtBearerAuthenticator: which requests it takes, claims -> Principal, errors -> AuthError.
#include <gtest/gtest.h>

#include "auth/jwt/jwks_cache.hpp"
#include "auth/jwt/jwt_bearer_authenticator.hpp"
#include "jwt_test_support.hpp"

using namespace sextant::auth;
using namespace sextant::auth::jwt;
using namespace sextant::auth::jwt::testing;

namespace {

const std::string kIss = "https://idp.example.com";
const std::string kJwks = "https://idp.example.com/jwks";

class JwtBearerTest : public ::testing::Test {
 protected:
  JwtBearerTest() {
    fetcher->set_json(kJwks, jwks_of({&rsa_key(), &ec256_key()}));
    JwksCacheOptions o;
    o.clock = clock.clock();
    auto verifier = std::make_shared<JwtVerifier>(std::vector<IssuerConfig>{IssuerConfig{kIss, {"mlflow"}, {}, kJwks, false}},
                                                  std::make_shared<JwksCache>(fetcher, o),
                                                  VerifierOptions{std::chrono::seconds(60), clock.clock()});
    auth = std::make_unique<JwtBearerAuthenticator>(verifier);
    verifier_ = verifier;
  }
  json claims() const {
    return json{{"iss", kIss}, {"aud", "mlflow"}, {"sub", "user-123"}, {"exp", clock.seconds() + 300}};
  }
  std::string token(const json& c) const { return make_token(json{{"alg", "ES256"}, {"kid", "ec256-1"}}, c, ec256_key()); }
  static RequestCredentials with_auth(const std::string& authorization) {
    RequestCredentials r;
    r.method = "GET";
    r.path = "/api/2.0/mlflow/experiments/search";
    r.authorization = authorization;
    return r;
  }

  ManualClock clock;
  std::shared_ptr<FakeFetcher> fetcher = std::make_shared<FakeFetcher>();
  std::shared_ptr<const JwtVerifier> verifier_;
  std::unique_ptr<JwtBearerAuthenticator> auth;
};

}  // namespace

TEST(BearerToken, ParsesTheScheme) {
  EXPECT_EQ(bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(bearer_token("bearer abc"), "abc");
  EXPECT_EQ(bearer_token("BEARER   abc  "), "abc");
  EXPECT_FALSE(bearer_token("Bearer"));
  EXPECT_FALSE(bearer_token("Bearer "));
  EXPECT_FALSE(bearer_token("Bearerabc"));
  EXPECT_FALSE(bearer_token("Basic YWxpY2U6cHc="));
  EXPECT_FALSE(bearer_token(""));
}

TEST_F(JwtBearerTest, NotOursReturnsNullopt) {
  EXPECT_FALSE(auth->authenticate(with_auth("")));
  EXPECT_FALSE(auth->authenticate(with_auth("Basic YWxpY2U6cHc=")));
  EXPECT_FALSE(auth->authenticate(with_auth("Bearer sxt_abcdefghijklmnop")));     // a personal access token
  EXPECT_FALSE(auth->authenticate(with_auth("Bearer dGhpcyBpcyBub3QgYSBqd3Q")));  // one part
  EXPECT_FALSE(auth->authenticate(with_auth("Bearer a.b.c.d")));
  EXPECT_FALSE(auth->authenticate(with_auth("Bearer a+b.c.d")));
  EXPECT_EQ(fetcher->total_calls(), 0);
}

TEST_F(JwtBearerTest, ValidTokenBecomesAPrincipal) {
  json c = claims();
  c["email"] = "alice@example.com";
  c["email_verified"] = true;
  c["groups"] = json::array({"ml-team", "mlflow-admins", 7});
  auto p = auth->authenticate(with_auth("Bearer " + token(c)));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->username, "alice@example.com");
  EXPECT_EQ(p->email, "alice@example.com");
  EXPECT_TRUE(p->email_verified);
  EXPECT_EQ(p->groups, (std::vector<std::string>{"ml-team", "mlflow-admins"}));
  EXPECT_EQ(p->method, "jwt");
  EXPECT_EQ(p->issuer, kIss);
  EXPECT_FALSE(p->is_admin);
}

TEST_F(JwtBearerTest, MachineTokenUsesSub) {
  auto p = auth->authenticate(with_auth("Bearer " + token(claims())));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->username, "user-123");
  EXPECT_EQ(p->email, "");
  EXPECT_FALSE(p->email_verified);
  EXPECT_TRUE(p->groups.empty());
}

TEST(PrincipalFromClaims, ClaimVariants) {
  JwtBearerOptions o;
  json c = {{"iss", "i"}, {"sub", "s"}, {"email", "e@x"}, {"email_verified", "true"}, {"groups", "single"}};
  Principal p = principal_from_claims(c, o);
  EXPECT_TRUE(p.email_verified);  // Cognito sends a string
  EXPECT_EQ(p.groups, std::vector<std::string>{"single"});
  c["email_verified"] = "false";
  EXPECT_FALSE(principal_from_claims(c, o).email_verified);
  c["email_verified"] = 1;
  EXPECT_FALSE(principal_from_claims(c, o).email_verified);
  c["email"] = "";
  EXPECT_EQ(principal_from_claims(c, o).username, "s");
  c["email"] = json::array({"a@x"});
  EXPECT_THROW(principal_from_claims(c, o), AuthError);
  c["email"] = nullptr;
  EXPECT_EQ(principal_from_claims(c, o).username, "s");
  c.erase("sub");
  c.erase("email");
  EXPECT_THROW(principal_from_claims(c, o), AuthError);
  c["sub"] = 5;
  EXPECT_THROW(principal_from_claims(c, o), AuthError);

  json k = {{"sub", "s"}, {"roles", json::array({"r1"})}, {"realm_access", {{"roles", json::array({"admin", "user"})}}}};
  o.groups_claim = "roles";
  EXPECT_EQ(principal_from_claims(k, o).groups, std::vector<std::string>{"r1"});
  o.groups_claim = "realm_access.roles";  // Keycloak: followed as a path
  EXPECT_EQ(principal_from_claims(k, o).groups, (std::vector<std::string>{"admin", "user"}));
  k["realm_access.roles"] = json::array({"literal"});  // an exact top-level name wins
  EXPECT_EQ(principal_from_claims(k, o).groups, std::vector<std::string>{"literal"});
  o.groups_claim = "missing.path";
  EXPECT_TRUE(principal_from_claims(k, o).groups.empty());
  o.groups_claim = "groups";
  k["groups"] = json{{"not", "a list"}};
  EXPECT_TRUE(principal_from_claims(k, o).groups.empty());
}

TEST_F(JwtBearerTest, CustomGroupsClaim) {
  JwtBearerAuthenticator custom(verifier_, JwtBearerOptions{"cognito:groups"});
  json c = claims();
  c["cognito:groups"] = json::array({"admins"});
  c["groups"] = json::array({"ignored"});
  auto p = custom.authenticate(with_auth("Bearer " + token(c)));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->groups, std::vector<std::string>{"admins"});
}

TEST_F(JwtBearerTest, InvalidJwtThrowsUnauthenticated) {
  json expired = claims();
  expired["exp"] = clock.seconds() - 3600;
  json wrong_aud = claims();
  wrong_aud["aud"] = "other";
  const std::string none = b64(R"({"alg":"none"})") + "." + b64(claims().dump()) + ".";
  for (const std::string& t : {token(expired), token(wrong_aud), none, token(claims()) + "x"}) {
    try {
      auth->authenticate(with_auth("Bearer " + t));
      ADD_FAILURE() << "accepted " << t;
    } catch (const AuthError& e) {
      EXPECT_EQ(e.kind(), AuthError::Kind::Unauthenticated);
      EXPECT_NE(std::string(e.what()).find("jwt: "), std::string::npos);
    }
  }
  json nobody = claims();
  nobody.erase("sub");
  EXPECT_THROW(auth->authenticate(with_auth("Bearer " + token(nobody))), AuthError);
}
