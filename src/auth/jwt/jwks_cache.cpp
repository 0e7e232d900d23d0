#include "auth/jwt/jwks_cache.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "auth/jwt/fetch_policy.hpp"
#include "auth/jwt/jwt_error.hpp"
#include "auth/jwt/strict_json.hpp"

namespace sextant::auth::jwt {

using TimePoint = std::chrono::system_clock::time_point;

struct JwksCache::Entry {
  std::mutex fetch_mutex;  // held for the duration of a fetch
  std::mutex mutex;        // guards the fields below; never held across a fetch
  std::shared_ptr<const KeySet> keys;
  TimePoint expires{};
  TimePoint last_attempt{};  // of any fetch, successful or not
  TimePoint retry_after{};   // after a failed fetch
  std::string discovered_jwks_uri;
};

JwksCache::JwksCache(std::shared_ptr<HttpFetcher> fetcher, JwksCacheOptions options)
    : fetcher_(std::move(fetcher)), options_(std::move(options)) {
  if (!fetcher_) throw std::invalid_argument("JwksCache needs an HttpFetcher");
  if (!options_.clock) options_.clock = system_clock();
}

JwksCache::~JwksCache() = default;

JwksCache::Entry& JwksCache::entry(const std::string& issuer) {
  {
    std::shared_lock lock(entries_mutex_);
    auto it = entries_.find(issuer);
    if (it != entries_.end()) return *it->second;
  }
  std::unique_lock lock(entries_mutex_);
  auto& slot = entries_[issuer];
  if (!slot) slot = std::make_unique<Entry>();
  return *slot;
}

std::chrono::seconds JwksCache::ttl_for(const std::string& cache_control) const {
  std::string cc;
  for (char c : cache_control) cc += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (cc.find("no-store") != std::string::npos || cc.find("no-cache") != std::string::npos) return options_.min_ttl;
  const auto pos = cc.find("max-age=");
  if (pos == std::string::npos || (pos > 0 && cc[pos - 1] != ' ' && cc[pos - 1] != ',')) return options_.default_ttl;
  long long value = 0;
  std::size_t i = pos + 8, digits = 0;
  for (; i < cc.size() && std::isdigit(static_cast<unsigned char>(cc[i])) && digits < 12; ++i, ++digits)
    value = value * 10 + (cc[i] - '0');
  if (digits == 0) return options_.default_ttl;
  return std::clamp(std::chrono::seconds(value), options_.min_ttl, options_.max_ttl);
}

std::string JwksCache::jwks_uri(Entry& e, const IssuerConfig& issuer) {
  if (!issuer.jwks_uri.empty()) {
    if (!fetch_url_allowed(issuer.jwks_uri, issuer.allow_insecure_http))
      throw std::runtime_error("jwks_uri not allowed (https, or http to loopback): " + issuer.jwks_uri);
    return issuer.jwks_uri;
  }
  {
    std::lock_guard lock(e.mutex);
    if (!e.discovered_jwks_uri.empty()) return e.discovered_jwks_uri;
  }
  std::string base = issuer.issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  const std::string url = base + "/.well-known/openid-configuration";
  if (!fetch_url_allowed(url, issuer.allow_insecure_http))
    throw std::runtime_error("discovery URL not allowed (https, or http to loopback): " + url);
  HttpResponse response = fetcher_->get(url);
  if (response.status != 200) throw std::runtime_error("GET " + url + ": HTTP " + std::to_string(response.status));
  std::string error;
  auto doc = parse_strict_json_object(response.body, &error);
  if (!doc) throw std::runtime_error("GET " + url + ": " + error);
  auto iss = doc->find("issuer");
  if (iss == doc->end() || !iss->is_string() || iss->get<std::string>() != issuer.issuer)
    throw std::runtime_error("discovery document at " + url + " names another issuer");
  auto uri = doc->find("jwks_uri");
  if (uri == doc->end() || !uri->is_string()) throw std::runtime_error("discovery document at " + url + " has no jwks_uri");
  const std::string jwks = uri->get<std::string>();
  if (!fetch_url_allowed(jwks, issuer.allow_insecure_http))
    throw std::runtime_error("discovered jwks_uri not allowed (https, or http to loopback): " + jwks);
  std::lock_guard lock(e.mutex);
  e.discovered_jwks_uri = jwks;
  return jwks;
}

std::shared_ptr<const KeySet> JwksCache::fetch(Entry& e, const IssuerConfig& issuer, bool forced,
                                               const std::shared_ptr<const KeySet>& seen) {
  std::unique_lock fetching(e.fetch_mutex);
  const TimePoint now = options_.clock();
  {
    // Decide again now that we hold the fetch lock: another thread may have just fetched.
    std::lock_guard lock(e.mutex);
    if (!forced && e.keys && now < e.expires) return e.keys;
    if (forced && e.keys && e.keys != seen) return e.keys;
    if (forced && now < e.last_attempt + options_.unknown_kid_cooldown) return e.keys ? e.keys : seen;
    if (now < e.retry_after) {
      if (e.keys) return e.keys;
      throw JwtError(JwtFailure::KeysUnavailable, "JWKS of " + issuer.issuer + " unavailable (retrying later)");
    }
    e.last_attempt = now;
  }
  std::string failure;
  try {
    const std::string url = jwks_uri(e, issuer);
    HttpResponse response = fetcher_->get(url);
    if (response.status != 200) throw std::runtime_error("GET " + url + ": HTTP " + std::to_string(response.status));
    auto keys = std::make_shared<const KeySet>(parse_jwks(response.body));
    if (keys->empty()) throw std::runtime_error("GET " + url + ": no usable signature keys");
    const auto ttl = ttl_for(response.cache_control);
    std::lock_guard lock(e.mutex);
    e.keys = keys;
    e.expires = now + ttl;
    e.retry_after = {};
    return keys;
  } catch (const std::exception& ex) {  // JwtError (bad JWKS) included
    failure = ex.what();
  }
  std::lock_guard lock(e.mutex);
  e.retry_after = now + options_.failure_retry;
  e.discovered_jwks_uri.clear();  // rediscover next time, in case the provider moved it
  if (e.keys) return e.keys;
  throw JwtError(JwtFailure::KeysUnavailable, "JWKS of " + issuer.issuer + ": " + failure);
}

std::shared_ptr<const KeySet> JwksCache::keys(const IssuerConfig& issuer) {
  Entry& e = entry(issuer.issuer);
  {
    std::lock_guard lock(e.mutex);
    if (e.keys && options_.clock() < e.expires) return e.keys;
  }
  return fetch(e, issuer, /*forced=*/false, nullptr);
}

std::shared_ptr<const KeySet> JwksCache::refresh(const IssuerConfig& issuer, const std::shared_ptr<const KeySet>& seen) {
  Entry& e = entry(issuer.issuer);
  {
    std::lock_guard lock(e.mutex);
    if (e.keys && e.keys != seen) return e.keys;
    if (options_.clock() < e.last_attempt + options_.unknown_kid_cooldown) return e.keys ? e.keys : seen;
  }
  return fetch(e, issuer, /*forced=*/true, seen);
}

}  // namespace sextant::auth::jwt
