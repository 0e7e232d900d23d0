// How auth/ fetches documents from identity providers (OIDC discovery, JWKS). An interface so
// that tests can count and script fetches; CurlHttpFetcher is the real one.
#pragma once

#include <stdexcept>
#include <string>

namespace sextant::auth {

struct HttpResponse {
  long status = 0;
  std::string body;
  std::string cache_control;  // the Cache-Control response header, "" when absent
};

class HttpFetcher {
 public:
  virtual ~HttpFetcher() = default;
  // A GET of `url`. Any HTTP status is returned; transport failures (DNS, TLS verification,
  // timeout, body over the size limit) throw std::runtime_error. Thread-safe.
  virtual HttpResponse get(const std::string& url) = 0;
  // A POST of an application/x-www-form-urlencoded `form` (the OAuth token endpoint), with an
  // optional Authorization header value ("" = none). Same failure rules as get(). The default
  // throws (fetchers that only serve documents need not implement it).
  virtual HttpResponse post_form(const std::string& url, const std::string& form, const std::string& authorization) {
    (void)form;
    (void)authorization;
    throw std::runtime_error("POST " + url + ": this fetcher does not support POST");
  }
};

}  // namespace sextant::auth
