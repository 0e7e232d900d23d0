// JwksCache with a counting fake fetcher and a hand-moved clock (the keys and crypto are real):
// discovery, TTL and Cache-Control, unknown-kid refetch with cool-down, failures, concurrency.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "auth/jwt/jwks_cache.hpp"
#include "auth/jwt/jwt_verifier.hpp"
#include "jwt_test_support.hpp"

using namespace sextant::auth::jwt;
using namespace sextant::auth::jwt::testing;
using namespace std::chrono_literals;

namespace {

const std::string kIss = "https://idp.example.com";
const std::string kDiscovery = "https://idp.example.com/.well-known/openid-configuration";
const std::string kJwks = "https://idp.example.com/keys";

class JwksCacheTest : public ::testing::Test {
 protected:
  JwksCacheTest() {
    fetcher->set_json(kDiscovery, json{{"issuer", kIss}, {"jwks_uri", kJwks}, {"token_endpoint", kIss + "/token"}});
    fetcher->set_json(kJwks, jwks_of({&rsa_key()}));
    options.clock = clock.clock();
    rebuild();
  }
  void rebuild() {
    cache = std::make_shared<JwksCache>(fetcher, options);
    verifier = std::make_unique<JwtVerifier>(std::vector<IssuerConfig>{issuer}, cache, VerifierOptions{60s, clock.clock()});
  }
  std::string token(const TestKey& key, const std::string& kid, const char* alg = "RS256") const {
    const long long now = clock.seconds();
    return make_token(json{{"alg", alg}, {"kid", kid}},
                      json{{"iss", kIss}, {"aud", "mlflow"}, {"sub", "a"}, {"exp", now + 86400 * 3}}, key);
  }

  ManualClock clock;
  std::shared_ptr<FakeFetcher> fetcher = std::make_shared<FakeFetcher>();
  JwksCacheOptions options;
  // Tokens here live 3 days (the clock jumps by hours): no lifetime bound for this issuer.
  IssuerConfig issuer{kIss, {"mlflow"}, {}, "", false, std::chrono::seconds(0)};
  std::shared_ptr<JwksCache> cache;
  std::unique_ptr<JwtVerifier> verifier;
};

}  // namespace

TEST_F(JwksCacheTest, DiscoversJwksUriOnceAndCachesKeys) {
  for (int i = 0; i < 5; ++i) EXPECT_NO_THROW(verifier->verify(token(rsa_key(), "rsa-1")));
  EXPECT_EQ(fetcher->calls(kDiscovery), 1);
  EXPECT_EQ(fetcher->calls(kJwks), 1);
}

TEST_F(JwksCacheTest, ExplicitJwksUriSkipsDiscovery) {
  issuer.jwks_uri = kJwks;
  rebuild();
  EXPECT_NO_THROW(verifier->verify(token(rsa_key(), "rsa-1")));
  EXPECT_EQ(fetcher->calls(kDiscovery), 0);
}

TEST_F(JwksCacheTest, TrailingSlashIssuerDiscovery) {
  const std::string iss = "https://tenant.example.com/realms/x/";
  fetcher->set_json("https://tenant.example.com/realms/x/.well-known/openid-configuration",
                    json{{"issuer", iss}, {"jwks_uri", kJwks}});
  EXPECT_EQ(cache->keys(IssuerConfig{iss, {"a"}, {}, "", false})->size(), 1u);
}

TEST_F(JwksCacheTest, DiscoveryMustNameTheSameIssuer) {
  fetcher->set_json(kDiscovery, json{{"issuer", "https://evil.example"}, {"jwks_uri", kJwks}});
  EXPECT_JWT_FAILURE(verifier->verify(token(rsa_key(), "rsa-1")), JwtFailure::KeysUnavailable);
  EXPECT_EQ(fetcher->calls(kJwks), 0);
}

TEST_F(JwksCacheTest, DiscoveredUrlMustPassThePolicy) {
  fetcher->set_json(kDiscovery, json{{"issuer", kIss}, {"jwks_uri", "http://keys.example.com/jwks"}});
  EXPECT_JWT_FAILURE(verifier->verify(token(rsa_key(), "rsa-1")), JwtFailure::KeysUnavailable);
  EXPECT_EQ(fetcher->calls("http://keys.example.com/jwks"), 0);
  // http issuers that are not loopback are not even asked for discovery
  const std::string plain = "http://idp.example.com";
  EXPECT_JWT_FAILURE(cache->keys(IssuerConfig{plain, {"a"}, {}, "", false}), JwtFailure::KeysUnavailable);
  EXPECT_EQ(fetcher->total_calls(), 1);
  // ... unless explicitly allowed (after the failure back-off of that first attempt)
  clock.advance(10s);
  fetcher->set_json(plain + "/.well-known/openid-configuration", json{{"issuer", plain}, {"jwks_uri", plain + "/jwks"}});
  fetcher->set_json(plain + "/jwks", jwks_of({&ec256_key()}));
  EXPECT_EQ(cache->keys(IssuerConfig{"http://idp.example.com", {"a"}, {}, "", true})->size(), 1u);
}

TEST_F(JwksCacheTest, TtlExpiryRefetches) {
  EXPECT_NO_THROW(verifier->verify(token(rsa_key(), "rsa-1")));
  clock.advance(3599s);
  EXPECT_NO_THROW(verifier->verify(token(rsa_key(), "rsa-1")));
  EXPECT_EQ(fetcher->calls(kJwks), 1);
  clock.advance(1s);  // default TTL 1 h reached
  EXPECT_NO_THROW(verifier->verify(token(rsa_key(), "rsa-1")));
  EXPECT_EQ(fetcher->calls(kJwks), 2);
  EXPECT_EQ(fetcher->calls(kDiscovery), 1);  // discovery result kept
}

TEST_F(JwksCacheTest, RotatedOutKeyStopsWorkingAfterTtl) {
  EXPECT_NO_THROW(verifier->verify(token(rsa_key(), "rsa-1")));
  fetcher->set_json(kJwks, jwks_of({&rsa_key2()}));
  clock.advance(3600s);
  EXPECT_JWT_FAILURE(verifier->verify(token(rsa_key(), "rsa-1")), JwtFailure::UnknownKey);
  EXPECT_NO_THROW(verifier->verify(token(rsa_key2(), "rsa-2")));
}

TEST_F(JwksCacheTest, CacheControlMaxAge) {
  EXPECT_EQ(cache->ttl_for(""), 3600s);
  EXPECT_EQ(cache->ttl_for("public, max-age=19967, must-revalidate, no-transform"), 19967s);  // Google's shape
  EXPECT_EQ(cache->ttl_for("max-age=600"), 600s);
  EXPECT_EQ(cache->ttl_for("MAX-AGE=600"), 600s);
  EXPECT_EQ(cache->ttl_for("max-age=5"), 60s);             // clamped to min_ttl
  EXPECT_EQ(cache->ttl_for("max-age=99999999999"), 86400s);  // clamped to max_ttl
  EXPECT_EQ(cache->ttl_for("no-store"), 60s);
  EXPECT_EQ(cache->ttl_for("no-cache, max-age=600"), 60s);
  EXPECT_EQ(cache->ttl_for("s-maxage=600"), 3600s);
  EXPECT_EQ(cache->ttl_for("max-age=abc"), 3600s);

  fetcher->set_json(kJwks, jwks_of({&rsa_key()}), "public, max-age=300");
  EXPECT_NO_THROW(verifier->verify(token(rsa_key(), "rsa-1")));
  clock.advance(299s);
  EXPECT_NO_THROW(verifier->verify(token(rsa_key(), "rsa-1")));
  EXPECT_EQ(fetcher->calls(kJwks), 1);
  clock.advance(1s);
  EXPECT_NO_THROW(verifier->verify(token(rsa_key(), "rsa-1")));
  EXPECT_EQ(fetcher->calls(kJwks), 2);
}

TEST_F(JwksCacheTest, UnknownKidRefetchesAtMostOncePerCooldown) {
  EXPECT_NO_THROW(verifier->verify(token(rsa_key(), "rsa-1")));
  ASSERT_EQ(fetcher->calls(kJwks), 1);
  clock.advance(61s);
  // the provider rotates in a new key; the first token with its kid triggers one refetch
  fetcher->set_json(kJwks, jwks_of({&rsa_key(), &ec256_key()}));
  EXPECT_NO_THROW(verifier->verify(token(ec256_key(), "ec256-1", "ES256")));
  EXPECT_EQ(fetcher->calls(kJwks), 2);
  // a flood of random kids right after: no fetch at all within the cool-down
  for (int i = 0; i < 50; ++i)
    EXPECT_JWT_FAILURE(verifier->verify(token(rsa_key(), "random-" + std::to_string(i))), JwtFailure::UnknownKey);
  EXPECT_EQ(fetcher->calls(kJwks), 2);
  clock.advance(59s);
  EXPECT_JWT_FAILURE(verifier->verify(token(rsa_key(), "random-x")), JwtFailure::UnknownKey);
  EXPECT_EQ(fetcher->calls(kJwks), 2);
  // after the cool-down, one more refetch for the next unknown kid, then quiet again
  clock.advance(1s);
  for (int i = 0; i < 20; ++i)
    EXPECT_JWT_FAILURE(verifier->verify(token(rsa_key(), "random-y" + std::to_string(i))), JwtFailure::UnknownKey);
  EXPECT_EQ(fetcher->calls(kJwks), 3);
  // known keys kept working throughout
  EXPECT_NO_THROW(verifier->verify(token(rsa_key(), "rsa-1")));
}

TEST_F(JwksCacheTest, NewKidRightAfterFetchWaitsForCooldown) {
  EXPECT_NO_THROW(verifier->verify(token(rsa_key(), "rsa-1")));
  fetcher->set_json(kJwks, jwks_of({&rsa_key(), &rsa_key2()}));
  EXPECT_JWT_FAILURE(verifier->verify(token(rsa_key2(), "rsa-2")), JwtFailure::UnknownKey);  // within 60 s of the fetch
  clock.advance(60s);
  EXPECT_NO_THROW(verifier->verify(token(rsa_key2(), "rsa-2")));
  EXPECT_EQ(fetcher->calls(kJwks), 2);
}

TEST_F(JwksCacheTest, FailedFetchBacksOffAndKeepsStaleKeys) {
  // nothing cached and the provider down: KeysUnavailable, retried only after failure_retry
  fetcher->fail(kJwks);
  EXPECT_JWT_FAILURE(verifier->verify(token(rsa_key(), "rsa-1")), JwtFailure::KeysUnavailable);
  EXPECT_JWT_FAILURE(verifier->verify(token(rsa_key(), "rsa-1")), JwtFailure::KeysUnavailable);
  const int after_first = fetcher->total_calls();
  clock.advance(9s);
  EXPECT_JWT_FAILURE(verifier->verify(token(rsa_key(), "rsa-1")), JwtFailure::KeysUnavailable);
  EXPECT_EQ(fetcher->total_calls(), after_first);
  clock.advance(1s);
  fetcher->set_json(kJwks, jwks_of({&rsa_key()}));
  EXPECT_NO_THROW(verifier->verify(token(rsa_key(), "rsa-1")));

  // provider down at TTL expiry: the expired set stays in use, one attempt per failure_retry
  fetcher->set(kJwks, HttpResponse{503, "busy", ""});
  clock.advance(3600s);
  const int before = fetcher->calls(kJwks);
  EXPECT_NO_THROW(verifier->verify(token(rsa_key(), "rsa-1")));
  EXPECT_NO_THROW(verifier->verify(token(rsa_key(), "rsa-1")));
  EXPECT_EQ(fetcher->calls(kJwks), before + 1);
  clock.advance(10s);
  EXPECT_NO_THROW(verifier->verify(token(rsa_key(), "rsa-1")));
  EXPECT_EQ(fetcher->calls(kJwks), before + 2);
}

TEST_F(JwksCacheTest, BadJwksDocumentsAreFailures) {
  for (const std::string& body : {std::string("not json"), std::string(R"({"keys":[]})"),
                                  std::string(R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})"), std::string("[]")}) {
    fetcher->set(kJwks, HttpResponse{200, body, ""});
    rebuild();
    EXPECT_JWT_FAILURE(verifier->verify(token(rsa_key(), "rsa-1")), JwtFailure::KeysUnavailable) << body;
  }
  fetcher->set(kJwks, HttpResponse{404, jwks_of({&rsa_key()}).dump(), ""});
  rebuild();
  EXPECT_JWT_FAILURE(verifier->verify(token(rsa_key(), "rsa-1")), JwtFailure::KeysUnavailable);
}

TEST_F(JwksCacheTest, ConcurrentRequestsShareOneFetch) {
  fetcher->delay = 100ms;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  const std::string t = token(rsa_key(), "rsa-1");
  for (int i = 0; i < 16; ++i)
    threads.emplace_back([&] {
      try {
        verifier->verify(t);
        ++ok;
      } catch (...) {
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 16);
  EXPECT_EQ(fetcher->calls(kJwks), 1);
  EXPECT_EQ(fetcher->calls(kDiscovery), 1);
}

TEST_F(JwksCacheTest, FreshKeysDoNotWaitForARefetch) {
  // one thread refetches slowly for an unknown kid; requests with a known kid go on meanwhile
  EXPECT_NO_THROW(verifier->verify(token(rsa_key(), "rsa-1")));
  clock.advance(61s);
  fetcher->delay = 500ms;
  std::thread slow([&] { EXPECT_ANY_THROW(verifier->verify(token(rsa_key(), "unknown"))); });
  std::this_thread::sleep_for(100ms);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_NO_THROW(verifier->verify(token(rsa_key(), "rsa-1")));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 300ms);
  slow.join();
}

TEST_F(JwksCacheTest, IssuersAreCachedSeparately) {
  const std::string other = "https://other.example";
  fetcher->set_json(other + "/.well-known/openid-configuration", json{{"issuer", other}, {"jwks_uri", other + "/jwks"}});
  fetcher->set_json(other + "/jwks", jwks_of({&ed_key()}));
  auto a = cache->keys(issuer);
  auto b = cache->keys(IssuerConfig{other, {"x"}, {}, "", false});
  EXPECT_EQ(a->at(0).kid, "rsa-1");
  EXPECT_EQ(b->at(0).kid, "ed-1");
}
