// The one HTTP POST a webhook delivery makes, on libcurl, pinned against SSRF: the URL's host is
// resolved once, every address checked (address_policy.hpp) unless private addresses are
// allowed, and curl connects only to those checked addresses (CURLOPT_RESOLVE), which a socket
// callback checks again; no proxies (environment ignored), no redirects, http/https only.
// Bounded by a total timeout and a cancel flag; the response body is kept up to a limit.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sextant::webhooks {

// The target is refused by the address policy (not retried).
class TargetRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// No HTTP answer (DNS, connect, TLS, timeout, cancelled): retried.
class TransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PostOptions {
  std::chrono::milliseconds timeout{30000};
  bool allow_private_addresses = false;
  std::size_t max_response_bytes = 64 * 1024;  // longer bodies are cut (the status still counts)
  const std::atomic<bool>* cancel = nullptr;    // set -> the transfer ends with TransportError
};

struct PostResult {
  long status = 0;
  std::string body;
  std::optional<long> retry_after_seconds;  // a Retry-After header in seconds, when present
};

// Throws TargetRefused or TransportError; any HTTP status is a result.
PostResult post_webhook(const std::string& url, const std::string& body, const std::vector<std::string>& headers,
                        const PostOptions& options);

// The create/update check: throws TargetRefused when the URL's host is (or resolves to) a
// non-public address and private addresses are not allowed. A name that does not resolve now
// passes (delivery checks again).
void check_webhook_target(const std::string& url, bool allow_private_addresses);

}  // namespace sextant::webhooks
