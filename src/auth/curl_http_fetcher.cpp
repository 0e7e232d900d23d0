#include "auth/curl_http_fetcher.hpp"

#include <cctype>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string_view>

#include <curl/curl.h>

#include "util/header_line.hpp"

namespace sextant::auth {
namespace {

struct Transfer {
  std::string body;
  std::string cache_control;
  std::size_t limit = 0;
  bool too_large = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (t->body.size() + n > t->limit) {
    t->too_large = true;
    return 0;  // makes curl fail with CURLE_WRITE_ERROR
  }
  t->body.append(data, n);
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) t->cache_control.clear();  // a new response (e.g. after 100)
  if (auto value = util::header_line_value(line, "cache-control")) t->cache_control = std::string(*value);
  return n;
}

struct CurlFree {
  void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

}  // namespace

CurlHttpFetcher::CurlHttpFetcher(CurlFetcherOptions options) : options_(std::move(options)) {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("curl_global_init failed");
  });
}

HttpResponse CurlHttpFetcher::get(const std::string& url) { return perform("GET", url, nullptr, ""); }

HttpResponse CurlHttpFetcher::post_form(const std::string& url, const std::string& form,
                                        const std::string& authorization) {
  return perform("POST", url, &form, authorization);
}

HttpResponse CurlHttpFetcher::perform(const std::string& method, const std::string& url, const std::string* form,
                                      const std::string& authorization) {
  std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
  if (!curl) throw std::runtime_error("curl_easy_init failed");
  std::unique_ptr<curl_slist, CurlFree> headers(curl_slist_append(nullptr, "Accept: application/json"));
  if (!headers) throw std::runtime_error("curl_slist_append failed");
  auto append = [&](const std::string& line) {
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (!next) throw std::runtime_error("curl_slist_append failed");
    (void)headers.release();
    headers.reset(next);
  };
  if (form) append("Content-Type: application/x-www-form-urlencoded");
  if (!authorization.empty()) append("Authorization: " + authorization);
  Transfer t;
  t.limit = options_.max_body_bytes;
  char error[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.max_body_bytes));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  if (form) {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(form->size()));
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, form->data());
  }
  curl_easy_setopt(c, CURLOPT_USERAGENT, "sextant");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  const CURLcode rc = curl_easy_perform(c);
  if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED)
    throw std::runtime_error(method + " " + url + ": response larger than " + std::to_string(t.limit) + " bytes");
  if (rc != CURLE_OK)
    throw std::runtime_error(method + " " + url + ": " + (error[0] ? std::string(error) : curl_easy_strerror(rc)));
  HttpResponse response;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  response.body = std::move(t.body);
  response.cache_control = std::move(t.cache_control);
  return response;
}

}  // namespace sextant::auth
