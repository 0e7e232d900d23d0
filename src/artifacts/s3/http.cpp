#include "artifacts/s3/http.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace sextant::artifacts::s3 {

namespace {

constexpr std::size_t kMaxBufferedBody = 1 << 20;

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

struct HandleDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

CURL* thread_handle() {
  static std::once_flag once;
  std::call_once(once, [] { static CurlGlobal g; });
  thread_local std::unique_ptr<CURL, HandleDeleter> handle(curl_easy_init());
  if (!handle) throw std::runtime_error("curl_easy_init failed");
  curl_easy_reset(handle.get());
  return handle.get();
}

struct Transfer {
  const HttpRequest* req;
  HttpResponse* res;
  CURL* curl;
  std::uint64_t sent = 0;
  bool status_known = false;
  bool streaming = false;
};

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line(data, size * n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  if (line.starts_with("HTTP/")) {
    t->res->headers.clear();  // a new response (after 100 Continue)
    return size * n;
  }
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string value = line.substr(colon + 1);
    auto b = value.find_first_not_of(" \t");
    value = b == std::string::npos ? "" : value.substr(b);
    t->res->headers.emplace_back(std::move(name), std::move(value));
  }
  return size * n;
}

std::size_t on_write(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t len = size * n;
  if (!t->status_known) {
    long code = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code);
    t->streaming = t->req->sink && code >= 200 && code < 300;
    t->status_known = true;
  }
  if (t->streaming) {
    bool ok = false;
    try {
      ok = t->req->sink(data, len);
    } catch (...) {
      ok = false;
    }
    if (!ok) {
      t->res->aborted_by_sink = true;
      return 0;
    }
    return len;
  }
  if (t->res->body.size() < kMaxBufferedBody) t->res->body.append(data, std::min(len, kMaxBufferedBody - t->res->body.size()));
  return len;
}

std::size_t on_read(char* buffer, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t want = size * n;
  if (t->req->reader) {
    try {
      std::size_t got = t->req->reader(buffer, want);
      t->sent += got;
      return got;
    } catch (const std::exception& e) {
      t->res->reader_failed = true;
      t->res->reader_error = e.what();
      return CURL_READFUNC_ABORT;
    }
  }
  const auto& body = t->req->body;
  std::size_t got = std::min<std::size_t>(want, body.size() - static_cast<std::size_t>(t->sent));
  std::copy_n(body.data() + t->sent, got, buffer);
  t->sent += got;
  return got;
}

}  // namespace

std::optional<std::string> HttpResponse::header(const std::string& lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return std::nullopt;
}

HttpResponse http_perform(const HttpRequest& req) {
  HttpResponse res;
  CURL* c = thread_handle();
  Transfer t{&req, &res, c};
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, req.connect_timeout_seconds);
  if (req.timeout_seconds > 0) curl_easy_setopt(c, CURLOPT_TIMEOUT, req.timeout_seconds);
  if (req.low_speed_seconds > 0) {
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, req.low_speed_seconds);
  }
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, req.verify_tls ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, req.verify_tls ? 2L : 0L);
  if (!req.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, req.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);

  bool has_body = req.reader || !req.body.empty() || req.method == "PUT" || req.method == "POST";
  std::uint64_t size = req.reader ? req.body_size : req.body.size();
  if (req.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (has_body) {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &t);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size));
    if (req.method != "PUT") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  } else if (req.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  curl_slist* headers = nullptr;
  for (const auto& [k, v] : req.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
  // No "Expect: 100-continue" round trip (several S3-compatible servers never answer it); no
  // default Content-Type for POST bodies either (S3 signs what it receives).
  headers = curl_slist_append(headers, "Expect:");
  bool has_type = false;
  for (const auto& [k, v] : req.headers) {
    std::string lk = k;
    std::transform(lk.begin(), lk.end(), lk.begin(), [](unsigned char ch) { return std::tolower(ch); });
    has_type = has_type || lk == "content-type";
  }
  if (!has_type && has_body) headers = curl_slist_append(headers, "Content-Type:");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    res.error = curl_easy_strerror(rc);
    if (res.reader_failed) res.error = "request body: " + res.reader_error;
    if (!res.aborted_by_sink) res.status = 0;
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (res.aborted_by_sink) res.status = code;
    return res;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res.status);
  return res;
}

}  // namespace sextant::artifacts::s3
