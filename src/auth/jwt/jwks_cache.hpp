// Per-issuer cache of JWK Sets fetched over HTTP(S).
// - The JWKS URL is the issuer's jwks_uri, or discovered once from
//   <issuer>/.well-known/openid-configuration (whose "issuer" must equal ours exactly).
// - A fetched set is kept for Cache-Control max-age (clamped to [min_ttl, max_ttl]; no-store /
//   no-cache mean min_ttl), else default_ttl.
// - refresh() (a token named a kid we do not have) refetches at most once per
//   unknown_kid_cooldown per issuer, so random kids cannot make us flood the provider.
// - A failed fetch is not retried before failure_retry; meanwhile the last good set (even if
//   expired) stays in use, and with none the verifier gets KeysUnavailable.
// Thread-safe: a short lock guards each issuer's state; fetches run under a separate per-issuer
// fetch lock, so requests with fresh keys never wait for a fetch, and concurrent requests needing
// one share a single fetch.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

#include "auth/http_fetcher.hpp"
#include "auth/jwt/clock.hpp"
#include "auth/jwt/key_provider.hpp"

namespace sextant::auth::jwt {

struct JwksCacheOptions {
  std::chrono::seconds default_ttl{3600};
  std::chrono::seconds min_ttl{60};
  std::chrono::seconds max_ttl{86400};
  std::chrono::seconds unknown_kid_cooldown{60};
  std::chrono::seconds failure_retry{10};
  Clock clock = system_clock();
};

class JwksCache : public KeyProvider {
 public:
  explicit JwksCache(std::shared_ptr<HttpFetcher> fetcher, JwksCacheOptions options = {});
  ~JwksCache() override;

  std::shared_ptr<const KeySet> keys(const IssuerConfig& issuer) override;
  std::shared_ptr<const KeySet> refresh(const IssuerConfig& issuer, const std::shared_ptr<const KeySet>& seen) override;

  // TTL for a response with this Cache-Control value (exposed for tests).
  std::chrono::seconds ttl_for(const std::string& cache_control) const;

 private:
  struct Entry;
  Entry& entry(const std::string& issuer);
  std::shared_ptr<const KeySet> fetch(Entry& e, const IssuerConfig& issuer, bool forced,
                                      const std::shared_ptr<const KeySet>& seen);
  std::string jwks_uri(Entry& e, const IssuerConfig& issuer);

  std::shared_ptr<HttpFetcher> fetcher_;
  JwksCacheOptions options_;
  std::shared_mutex entries_mutex_;
  std::map<std::string, std::unique_ptr<Entry>> entries_;
};

}  // namespace sextant::auth::jwt
