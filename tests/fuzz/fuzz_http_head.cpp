// The HTTP request head as src/http/server.cpp reads it: Boost.Beast's request parser with the
// server's default header limit (64 KiB), then the request target split into a path decoded
// once (util::percent_decode) and a query (util::parse_query), and the headers the server looks
// up. Invariants: decoding never grows the text, percent_encode/percent_decode round-trip, the
// query has at most one pair per '&'-separated part, and the parser never reports a header
// larger than the limit.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "fuzz_check.hpp"
#include "util/url.hpp"

namespace bhttp = boost::beast::http;
using namespace sextant;

namespace {

constexpr std::uint32_t kMaxHeaderBytes = 64 * 1024;  // http::ServerOptions::max_header_bytes

std::string header(const bhttp::request_parser<bhttp::buffer_body>::value_type& req, std::string_view name) {
  auto it = req.find(boost::string_view(name.data(), name.size()));
  return it == req.end() ? std::string() : std::string(it->value());
}

void check_target(std::string_view target) {
  auto q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  std::string path = util::percent_decode(raw_path);
  FUZZ_CHECK(path.size() <= raw_path.size());
  FUZZ_CHECK(util::percent_decode(util::percent_encode(path)) == path);
  FUZZ_CHECK(util::percent_decode(util::percent_encode(path, false)) == path);
  if (q != std::string_view::npos) {
    std::string_view query = target.substr(q + 1);
    auto pairs = util::parse_query(query);
    std::size_t parts = 1;
    for (char c : query) parts += c == '&';
    FUZZ_CHECK(pairs.size() <= parts);
    for (const auto& [k, v] : pairs) FUZZ_CHECK(k.size() + v.size() <= query.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bhttp::request_parser<bhttp::buffer_body> parser;
  parser.body_limit(boost::none);
  parser.header_limit(kMaxHeaderBytes);
  // Fed in two pieces (split at the first byte's value), as a socket might deliver it.
  std::size_t split = size > 1 ? data[0] % size : size;
  const char* bytes = reinterpret_cast<const char*>(data);
  boost::beast::error_code ec;
  std::string pending(bytes, split);
  std::size_t fed = split, consumed = 0;
  while (!parser.is_header_done()) {
    std::size_t used = parser.put(boost::asio::buffer(pending), ec);
    consumed += used;
    if (ec == bhttp::error::need_more) {
      ec = {};
      if (fed == size) return 0;  // incomplete head: the server waits (header timeout)
      pending.erase(0, used);
      pending.append(bytes + fed, size - fed);
      fed = size;
      continue;
    }
    if (ec) return 0;  // malformed or too large: the server closes the connection
    pending.erase(0, used);
  }
  FUZZ_CHECK(consumed <= kMaxHeaderBytes);
  auto& req = parser.get();
  std::string method(bhttp::to_string(req.method()));
  FUZZ_CHECK(!method.empty() || req.method() == bhttp::verb::unknown);
  check_target(std::string_view(req.target().data(), req.target().size()));
  for (std::string_view name : {"Content-Type", "Host", "Cookie", "Authorization", "X-Forwarded-For", "Range",
                                "X-Forwarded-Email", "X-Forwarded-Groups", "Origin", "Expect", "X-Request-Id"})
    (void)header(req, name);
  (void)req.keep_alive();
  (void)parser.chunked();
  (void)parser.content_length();
  return 0;
}
