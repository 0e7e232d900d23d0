// OidcLogin against a scripted provider (FakeFetcher with a token endpoint) and a real SQLite
// auth store: PKCE and the client authentication sent to the token endpoint, single-use and
// expiring states, the browser binding, nonce and RFC 9207 iss checks, discovery failures.
#include <gtest/gtest.h>

#include <filesystem>

#include "auth/jwt/jwks_cache.hpp"
#include "auth/oidc_login.hpp"
#include "jwt_test_support.hpp"
#include "store/sql/sql_auth_store.hpp"
#include "store/sql/database.hpp"
#include "util/base64.hpp"
#include "util/random_id.hpp"
#include "util/url.hpp"

namespace sextant::auth {
namespace {

using namespace jwt;
using namespace jwt::testing;

const std::string kIss = "https://idp.example.com";
const std::string kCallback = "https://mlflow.example.com/auth/callback";

class ProviderFetcher : public FakeFetcher {
 public:
  HttpResponse post_form(const std::string& url, const std::string& form, const std::string& authorization) override {
    last_url = url;
    last_form = form;
    last_authorization = authorization;
    return token_response;
  }
  std::string last_url, last_form, last_authorization;
  HttpResponse token_response;
};

std::map<std::string, std::string> query_of(const std::string& url) {
  std::map<std::string, std::string> out;
  for (auto& [k, v] : util::parse_query(url.substr(url.find('?') + 1))) out[k] = v;
  return out;
}

class OidcFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("sextant-oidc-" + util::uuid4_hex());
    std::filesystem::create_directories(dir);
    store::sql::DatabaseOptions o;
    o.uri = db::parse_database_uri("sqlite:///" + (dir / "t.db").string());
    o.default_artifact_root = "mlflow-artifacts:/";
    o.reader_connections = 1;
    db = std::make_unique<store::sql::Database>(o);
    store = std::make_unique<store::sql::SqlAuthStore>(*db);
    discovery(json::array({"client_secret_basic", "client_secret_post"}));
    fetcher->set_json(kIss + "/jwks", jwks_of({&rsa_key()}));
    make_login();
  }
  void TearDown() override {
    login.reset();
    store.reset();
    db.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  void discovery(const json& auth_methods, const std::string& issuer = kIss, bool iss_param = false) {
    fetcher->set_json(kIss + "/.well-known/openid-configuration",
                      json{{"issuer", issuer},
                           {"authorization_endpoint", kIss + "/authorize"},
                           {"token_endpoint", kIss + "/token"},
                           {"jwks_uri", kIss + "/jwks"},
                           {"end_session_endpoint", kIss + "/logout"},
                           {"token_endpoint_auth_methods_supported", auth_methods},
                           {"authorization_response_iss_parameter_supported", iss_param}});
  }
  void make_login(std::chrono::seconds ttl = std::chrono::seconds(600), std::string secret = "s3cret") {
    OidcLoginOptions o;
    o.issuer = kIss;
    o.client_id = "sextant-ui";
    o.client_secret = std::move(secret);
    o.state_ttl = ttl;
    auto keys = std::make_shared<JwksCache>(fetcher);
    auto verifier = std::make_shared<const JwtVerifier>(parse_issuer_specs({kIss + "=sextant-ui"}), keys);
    login = std::make_unique<OidcLogin>(o, *store, fetcher, verifier);
  }
  void answer_with_id_token(const std::string& nonce, const std::string& email = "alice@example.test") {
    auto now = static_cast<long long>(std::time(nullptr));
    json claims = {{"iss", kIss}, {"aud", "sextant-ui"}, {"sub", "alice"}, {"email", email},
                   {"email_verified", true}, {"groups", {"ml-team"}}, {"nonce", nonce},
                   {"iat", now}, {"exp", now + 300}};
    auto id_token = make_token(json{{"alg", "RS256"}, {"kid", rsa_key().jwk["kid"]}}, claims, rsa_key());
    fetcher->token_response = HttpResponse{200, json{{"id_token", id_token}, {"refresh_token", "rt-1"},
                                                     {"access_token", "at"}}.dump(), ""};
  }
  int status_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const LoginError& e) {
      return e.status();
    }
    return 0;
  }

  std::filesystem::path dir;
  std::unique_ptr<store::sql::Database> db;
  std::unique_ptr<store::sql::SqlAuthStore> store;
  std::shared_ptr<ProviderFetcher> fetcher = std::make_shared<ProviderFetcher>();
  std::unique_ptr<OidcLogin> login;
};

TEST_F(OidcFlowTest, CodeFlowWithPkceAndClientSecretBasic) {
  auto url = login->begin("/#/experiments", kCallback, "binding-1");
  ASSERT_TRUE(url.starts_with(kIss + "/authorize?"));
  auto q = query_of(url);
  EXPECT_EQ(q["response_type"], "code");
  EXPECT_EQ(q["client_id"], "sextant-ui");
  EXPECT_EQ(q["redirect_uri"], kCallback);
  EXPECT_EQ(q["code_challenge_method"], "S256");
  answer_with_id_token(q["nonce"]);
  auto result = login->complete("the-code", q["state"], std::nullopt, kCallback, "binding-1");
  EXPECT_EQ(result.principal.username, "alice@example.test");
  EXPECT_EQ(result.principal.groups, std::vector<std::string>{"ml-team"});
  EXPECT_TRUE(result.principal.email_verified);
  EXPECT_EQ(result.redirect_to, "/#/experiments");
  EXPECT_EQ(result.tokens.refresh_token, "rt-1");
  EXPECT_EQ(fetcher->last_url, kIss + "/token");
  auto form = query_of("?" + fetcher->last_form);
  EXPECT_EQ(form["grant_type"], "authorization_code");
  EXPECT_EQ(form["code"], "the-code");
  EXPECT_EQ(form["redirect_uri"], kCallback);
  EXPECT_EQ(pkce_challenge_s256(form["code_verifier"]), q["code_challenge"]);
  EXPECT_EQ(form.count("client_secret"), 0u);
  EXPECT_EQ(fetcher->last_authorization, "Basic " + util::base64_encode("sextant-ui:s3cret"));
  // Single use.
  EXPECT_EQ(status_of([&] { login->complete("the-code", q["state"], std::nullopt, kCallback, "binding-1"); }), 400);
}

TEST_F(OidcFlowTest, ClientSecretPostWhenThatIsAllTheProviderOffers) {
  discovery(json::array({"client_secret_post"}));
  make_login();
  auto q = query_of(login->begin("/", kCallback, "b"));
  answer_with_id_token(q["nonce"]);
  login->complete("c", q["state"], std::nullopt, kCallback, "b");
  auto form = query_of("?" + fetcher->last_form);
  EXPECT_EQ(form["client_secret"], "s3cret");
  EXPECT_EQ(form["client_id"], "sextant-ui");
  EXPECT_EQ(fetcher->last_authorization, "");
}

TEST_F(OidcFlowTest, PublicClientSendsNoSecret) {
  make_login(std::chrono::seconds(600), "");
  auto q = query_of(login->begin("/", kCallback, "b"));
  answer_with_id_token(q["nonce"]);
  login->complete("c", q["state"], std::nullopt, kCallback, "b");
  EXPECT_EQ(fetcher->last_authorization, "");
  EXPECT_EQ(query_of("?" + fetcher->last_form).count("client_secret"), 0u);
}

TEST_F(OidcFlowTest, RefusesWrongNonceBindingIssAndExpiredState) {
  auto q = query_of(login->begin("/", kCallback, "b"));
  answer_with_id_token("another-nonce");
  EXPECT_EQ(status_of([&] { login->complete("c", q["state"], std::nullopt, kCallback, "b"); }), 401);

  q = query_of(login->begin("/", kCallback, "b"));
  answer_with_id_token(q["nonce"]);
  EXPECT_EQ(status_of([&] { login->complete("c", q["state"], std::nullopt, kCallback, "other-browser"); }), 400);
  EXPECT_EQ(status_of([&] { login->complete("c", q["state"], std::nullopt, kCallback, ""); }), 400);
  EXPECT_EQ(status_of([&] { login->complete("c", q["state"], std::string("https://evil.example"), kCallback, "b"); }),
            400);
  // The iss-mismatch attempt consumed the state.
  EXPECT_EQ(status_of([&] { login->complete("c", q["state"], std::nullopt, kCallback, "b"); }), 400);

  make_login(std::chrono::seconds(0));
  q = query_of(login->begin("/", kCallback, "b"));
  answer_with_id_token(q["nonce"]);
  EXPECT_EQ(status_of([&] { login->complete("c", q["state"], std::nullopt, kCallback, "b"); }), 400);
}

TEST_F(OidcFlowTest, IssRequiredWhenAdvertised) {
  discovery(json::array({"client_secret_basic"}), kIss, true);
  make_login();
  auto q = query_of(login->begin("/", kCallback, "b"));
  answer_with_id_token(q["nonce"]);
  EXPECT_EQ(status_of([&] { login->complete("c", q["state"], std::nullopt, kCallback, "b"); }), 400);
  q = query_of(login->begin("/", kCallback, "b"));
  answer_with_id_token(q["nonce"]);
  EXPECT_EQ(login->complete("c", q["state"], kIss, kCallback, "b").principal.username, "alice@example.test");
}

TEST_F(OidcFlowTest, ProviderFailures) {
  EXPECT_EQ(status_of([&] { login->begin("//evil.example", kCallback, "b"); }), 400);
  auto q = query_of(login->begin("/", kCallback, "b"));
  fetcher->token_response = HttpResponse{400, R"({"error":"invalid_grant"})", ""};
  EXPECT_EQ(status_of([&] { login->complete("c", q["state"], std::nullopt, kCallback, "b"); }), 502);
  discovery(json::array(), "https://impostor.example.com");
  make_login();
  EXPECT_EQ(status_of([&] { login->begin("/", kCallback, "b"); }), 502);
  fetcher->fail(kIss + "/.well-known/openid-configuration");
  make_login();
  EXPECT_EQ(status_of([&] { login->begin("/", kCallback, "b"); }), 502);
  EXPECT_EQ(login->end_session_endpoint(), "");
}

}  // namespace
}  // namespace sextant::auth
