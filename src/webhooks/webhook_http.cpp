#include "webhooks/webhook_http.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cctype>
#include <charconv>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>

#include <curl/curl.h>

#include "util/header_line.hpp"
#include "webhooks/address_policy.hpp"

namespace sextant::webhooks {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("curl_global_init failed");
  });
}

struct Target {
  std::string host;  // without IPv6 brackets
  std::string port;
  bool ip_literal = false;
};

// The host and port curl will connect to for `url`; nullopt when curl cannot parse it.
std::optional<Target> parse_target(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return std::nullopt;
  auto part = [&](CURLUPart which, unsigned flags) -> std::optional<std::string> {
    char* text = nullptr;
    if (curl_url_get(u.get(), which, &text, flags) != CURLUE_OK || !text) return std::nullopt;
    std::string out(text);
    curl_free(text);
    return out;
  };
  auto host = part(CURLUPART_HOST, 0);
  auto port = part(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (!host || !port || host->empty()) return std::nullopt;
  Target t;
  t.port = *port;
  if (host->front() == '[' && host->back() == ']') {
    t.host = host->substr(1, host->size() - 2);
    t.ip_literal = true;
  } else {
    t.host = *host;
    unsigned char buf[4];
    t.ip_literal = inet_pton(AF_INET, t.host.c_str(), buf) == 1;
  }
  return t;
}

struct AddrInfoFree {
  void operator()(addrinfo* a) const noexcept { freeaddrinfo(a); }
};

// Every address `t` resolves to (empty when it does not resolve).
std::vector<sockaddr_storage> resolve(const Target& t) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  std::vector<sockaddr_storage> out;
  if (getaddrinfo(t.host.c_str(), t.port.c_str(), &hints, &raw) != 0) return out;
  std::unique_ptr<addrinfo, AddrInfoFree> list(raw);
  for (addrinfo* a = raw; a; a = a->ai_next) {
    if (a->ai_addrlen > sizeof(sockaddr_storage)) continue;
    sockaddr_storage s{};
    std::memcpy(&s, a->ai_addr, a->ai_addrlen);
    out.push_back(s);
  }
  return out;
}

void refuse_non_public(const Target& t, const std::vector<sockaddr_storage>& addresses) {
  for (const auto& a : addresses) {
    const auto* sa = reinterpret_cast<const sockaddr*>(&a);
    if (is_non_public_address(sa)) {
      // Which address is not said: the answer must not map internal names for the caller.
      throw TargetRefused("webhook host '" + t.host + "' is or resolves to a non-public address (allowed only with "
                          "--webhook-allow-private-addresses)");
    }
  }
}

struct Transfer {
  std::string body;
  std::size_t limit = 0;
  bool cut = false;
  std::optional<long> retry_after;
  bool allow_private = false;
  bool refused = false;
  const std::atomic<bool>* cancel = nullptr;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  const size_t room = t->limit - t->body.size();
  t->body.append(data, std::min(n, room));
  if (n > room) {
    t->cut = true;
    return 0;  // enough: ends the transfer (the status line is already in)
  }
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) t->retry_after.reset();
  if (auto v = util::header_line_value(line, "retry-after")) {
    long seconds = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), seconds);
    if (ec == std::errc() && p == v->data() + v->size() && seconds >= 0) t->retry_after = seconds;
  }
  return n;
}

// The last word before connect(): the address curl is about to use.
curl_socket_t on_open_socket(void* user, curlsocktype, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  if (!t->allow_private && is_non_public_address(&address->addr)) {
    t->refused = true;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype, address->protocol);
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  return t->cancel && t->cancel->load() ? 1 : 0;
}

struct CurlFree {
  void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

void append(std::unique_ptr<curl_slist, CurlFree>& list, const std::string& line) {
  curl_slist* next = curl_slist_append(list.get(), line.c_str());
  if (!next) throw std::runtime_error("curl_slist_append failed");
  (void)list.release();
  list.reset(next);
}

}  // namespace

void check_webhook_target(const std::string& url, bool allow_private_addresses) {
  if (allow_private_addresses) return;
  global_init();
  auto target = parse_target(url);
  if (!target) return;
  refuse_non_public(*target, resolve(*target));
}

PostResult post_webhook(const std::string& url, const std::string& body, const std::vector<std::string>& headers,
                        const PostOptions& options) {
  global_init();
  auto target = parse_target(url);
  if (!target) throw TransportError("not a URL curl can use");
  std::unique_ptr<curl_slist, CurlFree> resolve_list;
  if (!target->ip_literal) {
    auto addresses = resolve(*target);
    if (addresses.empty()) throw TransportError("could not resolve host '" + target->host + "'");
    if (!options.allow_private_addresses) refuse_non_public(*target, addresses);
    std::string entry = target->host + ":" + target->port + ":";
    for (std::size_t i = 0; i < addresses.size(); ++i) {
      const auto* sa = reinterpret_cast<const sockaddr*>(&addresses[i]);
      std::string text = address_text(sa);
      entry += (i ? "," : "") + (sa->sa_family == AF_INET6 ? "[" + text + "]" : text);
    }
    append(resolve_list, entry);
  }
  std::unique_ptr<curl_slist, CurlFree> header_list;
  for (const auto& h : headers) append(header_list, h);

  std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
  if (!curl) throw std::runtime_error("curl_easy_init failed");
  Transfer t;
  t.limit = options.max_response_bytes;
  t.allow_private = options.allow_private_addresses;
  t.cancel = options.cancel;
  char error[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // never a proxy from the environment
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (resolve_list) curl_easy_setopt(c, CURLOPT_RESOLVE, resolve_list.get());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_USERAGENT, "sextant-webhooks");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &t);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  const CURLcode rc = curl_easy_perform(c);
  if (t.refused) {
    throw TargetRefused("webhook host '" + target->host + "' is or resolves to a non-public address (allowed only "
                        "with --webhook-allow-private-addresses)");
  }
  if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && t.cut)) {
    throw TransportError(error[0] ? std::string(error) : curl_easy_strerror(rc));
  }
  PostResult result;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &result.status);
  result.body = std::move(t.body);
  result.retry_after_seconds = t.retry_after;
  return result;
}

}  // namespace sextant::webhooks
