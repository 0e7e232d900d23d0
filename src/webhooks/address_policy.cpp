#include "webhooks/address_policy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdint>
#include <cstring>

namespace sextant::webhooks {

namespace {

struct V4Range {
  std::uint32_t base;
  int prefix;
};

constexpr std::uint32_t ip(unsigned a, unsigned b, unsigned c, unsigned d) { return (a << 24) | (b << 16) | (c << 8) | d; }

constexpr V4Range kNonPublicV4[] = {
    {ip(0, 0, 0, 0), 8},        // "this network", unspecified
    {ip(10, 0, 0, 0), 8},       // private
    {ip(100, 64, 0, 0), 10},    // shared address space (carrier-grade NAT)
    {ip(127, 0, 0, 0), 8},      // loopback
    {ip(169, 254, 0, 0), 16},   // link-local (cloud metadata services)
    {ip(172, 16, 0, 0), 12},    // private
    {ip(192, 0, 0, 0), 24},     // IETF protocol assignments
    {ip(192, 0, 2, 0), 24},     // documentation
    {ip(192, 88, 99, 0), 24},   // 6to4 relay anycast
    {ip(192, 168, 0, 0), 16},   // private
    {ip(198, 18, 0, 0), 15},    // benchmarking
    {ip(198, 51, 100, 0), 24},  // documentation
    {ip(203, 0, 113, 0), 24},   // documentation
    {ip(224, 0, 0, 0), 4},      // multicast
    {ip(240, 0, 0, 0), 4},      // reserved, broadcast
};

bool non_public_v4(std::uint32_t a) {
  for (const auto& r : kNonPublicV4) {
    std::uint32_t mask = r.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - r.prefix);
    if ((a & mask) == r.base) return true;
  }
  return false;
}

std::uint32_t v4_at(const unsigned char* b) {
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
}

bool non_public_v6(const unsigned char* b) {
  static const unsigned char zeros[16] = {};
  if (std::memcmp(b, zeros, 12) == 0) return true;  // ::, ::1 and IPv4-compatible ::a.b.c.d
  static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b, mapped, 12) == 0) return non_public_v4(v4_at(b + 12));
  static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, nat64, 12) == 0) return non_public_v4(v4_at(b + 12));
  static const unsigned char translated[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0};
  if (std::memcmp(b, translated, 12) == 0) return non_public_v4(v4_at(b + 12));  // SIIT ::ffff:0:a.b.c.d
  // Local-use NAT64 64:ff9b:1::/48: where the IPv4 address sits is the operator's choice.
  if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0 && b[5] == 0x01) return true;
  // IETF protocol assignments 2001::/23: Teredo 2001::/32 (an obfuscated IPv4 inside), benchmarking, ORCHID.
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] <= 0x01) return true;
  if (b[0] == 0x20 && b[1] == 0x02) return non_public_v4(v4_at(b + 2));  // 6to4
  if ((b[0] & 0xfe) == 0xfc) return true;                                // unique-local fc00::/7
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;                // link-local fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return true;                // site-local fec0::/10
  if (b[0] == 0xff) return true;                                         // multicast
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return true;  // documentation
  if (b[0] == 0x01 && b[1] == 0 && std::memcmp(b + 2, zeros, 6) == 0) return true;  // discard-only 100::/64
  return false;
}

}  // namespace

bool is_non_public_address(const sockaddr* address) {
  if (!address) return true;
  if (address->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    return non_public_v4(ntohl(in->sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    return non_public_v6(in6->sin6_addr.s6_addr);
  }
  return true;
}

std::string address_text(const sockaddr* address) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, buf, sizeof buf);
  } else if (address->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

}  // namespace sextant::webhooks
