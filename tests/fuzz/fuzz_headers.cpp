// Request headers the server interprets itself: Cookie (the session cookie), Authorization
// (scheme + credentials, Basic's base64 user:password), X-Forwarded-For behind trusted load
// balancers (CIDR ranges) and Range. The first byte picks the header. Invariants: nothing but
// the documented outcomes (RangeNotSatisfiable for Range); a cookie value is one cookie's; an
// Authorization parameter is trimmed and case-insensitive in its scheme; an accepted address or
// range is well formed, and the client address is the peer or one XFF entry.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "artifacts/artifact_repo.hpp"
#include "auth/cidr.hpp"
#include "auth/credential_headers.hpp"
#include "fuzz_check.hpp"
#include "util/base64.hpp"
#include "util/strings.hpp"

using namespace sextant;

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

void check_cookie(std::string_view header) {
  for (std::string_view name : {"__Host-sextant_session", "sextant_login", ""}) {
    auto value = auth::cookie_value(header, name);
    if (!value) continue;
    FUZZ_CHECK(value->find(';') == std::string::npos);
    FUZZ_CHECK(value->size() < header.size());
    FUZZ_CHECK(header.find(*value) != std::string_view::npos);
  }
}

void check_authorization(std::string_view header) {
  for (std::string_view scheme : {"Bearer", "Basic"}) {
    auto param = auth::authorization_param(header, scheme);
    std::string lower(scheme);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    FUZZ_CHECK(param == auth::authorization_param(header, lower));
    if (!param) continue;
    FUZZ_CHECK(param->size() + scheme.size() < header.size());
    FUZZ_CHECK(param->empty() || (!is_space(param->front()) && !is_space(param->back())));
    if (scheme == "Basic") {  // what BasicAuthenticator does next
      if (auto decoded = util::base64_decode(*param)) {
        auto colon = decoded->find(':');
        if (colon != std::string::npos) FUZZ_CHECK(decoded->substr(0, colon).find(':') == std::string::npos);
      }
    }
  }
}

void check_forwarded_for(std::string_view text) {
  // "peer\nX-Forwarded-For"
  auto nl = text.find('\n');
  std::string_view peer = text.substr(0, nl);
  std::string_view xff = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  if (auto cidr = auth::Cidr::parse(peer)) {
    FUZZ_CHECK(peer.find('\0') == std::string_view::npos);
    if (peer.find('/') == std::string_view::npos) FUZZ_CHECK(cidr->contains(peer));
  }
  static const std::vector<auth::Cidr> balancers = {*auth::Cidr::parse("10.0.0.0/8"), *auth::Cidr::parse("::1/128"),
                                                    *auth::Cidr::parse("172.16.0.0/12")};
  std::string client = auth::client_address(peer, xff, balancers);
  if (client != peer) {
    bool listed = false;
    for (auto entry : util::split(xff, ',')) listed = listed || util::trim(entry) == client;
    FUZZ_CHECK(listed);
    FUZZ_CHECK(client.find('\0') == std::string::npos);
    FUZZ_CHECK(auth::Cidr::parse(client).has_value());
  }
}

void check_range(std::string_view text) {
  for (std::uint64_t size : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{1000}, ~std::uint64_t{0}}) {
    try {
      if (auto r = artifacts::parse_range_header(text, size)) {
        FUZZ_CHECK(r->first <= r->last && r->last < size);
        FUZZ_CHECK(r->length() >= 1 && r->length() <= size);
      }
    } catch (const artifacts::RangeNotSatisfiable&) {
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 0: check_cookie(text); break;
    case 1: check_authorization(text); break;
    case 2: check_forwarded_for(text); break;
    default: check_range(text); break;
  }
  return 0;
}
