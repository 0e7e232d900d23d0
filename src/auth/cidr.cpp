#include "auth/cidr.hpp"

#include <arpa/inet.h>

#include <charconv>

#include "util/strings.hpp"

namespace sextant::auth {

namespace {

struct Address {
  bool v6 = false;
  std::array<unsigned char, 16> bytes{};
};

std::optional<Address> parse_address(std::string_view text) {
  // inet_pton reads a C string: an embedded NUL would hide whatever follows it.
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  std::string s(text);
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  if (auto pct = s.find('%'); pct != std::string::npos) s = s.substr(0, pct);  // zone id
  Address a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(kMapped, kMapped + 12, a.bytes.begin())) {  // ::ffff:a.b.c.d is IPv4
      std::array<unsigned char, 16> v4{};
      std::copy(a.bytes.begin() + 12, a.bytes.end(), v4.begin());
      a.bytes = v4;
      return a;
    }
    a.v6 = true;
    return a;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Cidr> Cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  auto addr = parse_address(text.substr(0, slash));
  if (!addr) return std::nullopt;
  Cidr c;
  c.v6_ = addr->v6;
  c.bytes_ = addr->bytes;
  int max = c.v6_ ? 128 : 32;
  c.prefix_ = max;
  if (slash != std::string_view::npos) {
    auto p = text.substr(slash + 1);
    int v = -1;
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (p.empty() || ec != std::errc() || ptr != p.data() + p.size() || v < 0 || v > max) return std::nullopt;
    c.prefix_ = v;
  }
  c.text_ = std::string(text);
  return c;
}

bool Cidr::contains(std::string_view address) const {
  auto a = parse_address(address);
  if (!a || a->v6 != v6_) return false;
  int full = prefix_ / 8, rest = prefix_ % 8;
  for (int i = 0; i < full; ++i)
    if (a->bytes[i] != bytes_[i]) return false;
  if (rest) {
    unsigned char mask = static_cast<unsigned char>(0xFF << (8 - rest));
    if ((a->bytes[full] & mask) != (bytes_[full] & mask)) return false;
  }
  return true;
}

bool address_in(const std::vector<Cidr>& ranges, std::string_view address) {
  for (const auto& r : ranges)
    if (r.contains(address)) return true;
  return false;
}

std::string client_address(std::string_view peer, std::string_view x_forwarded_for,
                           const std::vector<Cidr>& load_balancers) {
  std::string client(peer);
  if (!address_in(load_balancers, client)) return client;
  std::string_view rest = x_forwarded_for;
  while (!rest.empty()) {
    auto comma = rest.rfind(',');
    auto entry = util::trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    if (entry.find('/') != std::string_view::npos || !Cidr::parse(entry)) break;  // not a plain address
    client = std::string(entry);
    if (!address_in(load_balancers, client)) break;
  }
  return client;
}

}  // namespace sextant::auth
