// A small blocking HTTP client on libcurl for the S3 client and the credential providers:
// in-memory or streamed request bodies, streamed response bodies, headers collected. One curl
// handle per thread is reused, so connections stay open between requests. No redirects; http and
// https only. Never logs request headers (they carry signatures and tokens).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sextant::artifacts::s3 {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  // The body: `body` in memory (the caller keeps it alive during the call), or `reader` pulling
  // `body_size` bytes (returns 0 at the end; throwing aborts the request).
  std::string_view body;
  std::function<std::size_t(char*, std::size_t)> reader;
  std::uint64_t body_size = 0;
  // For 2xx responses, the body goes here instead of into HttpResponse::body; returning false
  // aborts the transfer.
  std::function<bool(const char*, std::size_t)> sink;
  long timeout_seconds = 0;          // whole request; 0 = none (large transfers)
  long connect_timeout_seconds = 10;
  long low_speed_seconds = 60;       // abort when under 1 byte/s for this long
  bool verify_tls = true;
  std::string ca_file;
};

struct HttpResponse {
  long status = 0;                                           // 0 when the transfer failed
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;                                          // (at most 1 MiB of) non-streamed body
  std::string error;                                         // transport error, when status == 0
  bool aborted_by_sink = false;
  bool reader_failed = false;
  std::string reader_error;

  std::optional<std::string> header(const std::string& lower_name) const;
};

HttpResponse http_perform(const HttpRequest& request);

}  // namespace sextant::artifacts::s3
