// How auth/ fetches documents from identity providers (OIDC discovery, JWKS). An interface so
// that tests can count and script fetches; CurlHttpFetcher is the real one.
#pragma once

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
};

}  // namespace sextant::auth
