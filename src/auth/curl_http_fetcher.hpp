// HttpFetcher on libcurl: one easy handle per request (thread-safe without sharing), no
// redirects, only http/https, TLS peer and host verification always on (the CA bundle can be
// changed, verification cannot be switched off), connect and total timeouts, a body size limit.
// Which URLs may be fetched at all (https, or http to loopback) is decided by the caller
// (auth/jwt/fetch_policy.hpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "auth/http_fetcher.hpp"

namespace sextant::auth {

struct CurlFetcherOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{10000};
  std::size_t max_body_bytes = 1024 * 1024;
  std::string ca_file;  // "" = the system's CA bundle
};

class CurlHttpFetcher : public HttpFetcher {
 public:
  explicit CurlHttpFetcher(CurlFetcherOptions options = {});
  HttpResponse get(const std::string& url) override;
  HttpResponse post_form(const std::string& url, const std::string& form, const std::string& authorization) override;

 private:
  HttpResponse perform(const std::string& method, const std::string& url, const std::string* form,
                       const std::string& authorization);
  CurlFetcherOptions options_;
};

}  // namespace sextant::auth
