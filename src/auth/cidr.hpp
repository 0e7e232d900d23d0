// IP address ranges in CIDR notation ("10.0.0.0/8", "::1/128", a bare address = one host),
// for the trusted-proxy list. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) match IPv4 ranges.
// Pure values; thread-safe to read.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sextant::auth {

class Cidr {
 public:
  // nullopt when `text` is not an address or address/prefix with a valid prefix length.
  static std::optional<Cidr> parse(std::string_view text);
  // False for unparsable addresses.
  bool contains(std::string_view address) const;
  const std::string& text() const { return text_; }

 private:
  bool v6_ = false;
  std::array<unsigned char, 16> bytes_{};
  int prefix_ = 0;
  std::string text_;
};

// True when `address` is inside any of `ranges`.
bool address_in(const std::vector<Cidr>& ranges, std::string_view address);

// The client's address behind load balancers: `peer` (the TCP peer) unless it is one of
// `load_balancers`; then X-Forwarded-For is walked from the right (each balancer appends the
// address it saw), skipping balancers, and the first other address is the client. A malformed
// entry stops the walk at the last balancer seen (an attacker controls everything left of the
// entries our balancers added).
std::string client_address(std::string_view peer, std::string_view x_forwarded_for,
                           const std::vector<Cidr>& load_balancers);

}  // namespace sextant::auth
