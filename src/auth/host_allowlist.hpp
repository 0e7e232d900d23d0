// The Host header allowlist (DNS-rebinding protection, MLflow's --allowed-hosts). A rebinding
// attack needs a host NAME the attacker controls, so names match exactly and IP literals match by
// address range only: a pattern never lets a name through because it starts like an address
// (MLflow's glob `10.*` also matches `10.attacker.test`). Pattern forms (case-insensitive):
//   name | name:PORT | name:*      an exact host name (no port or :* = any port)
//   *.example.com                  any name strictly below example.com (never an IP literal)
//   1.2.3.4[:PORT|:*] | [::1][:PORT|:*]   one address
//   10.0.0.0/8 | fc00::/7          a CIDR range of IP literals (any port)
//   10.* | 192.168.* | 10.1.2.*    MLflow's IPv4 globs, read as 10.0.0.0/8, 192.168.0.0/16, 10.1.2.0/24
//   fc00:* | [fd00:*               MLflow's IPv6 globs, read as fc00::/16, fd00::/16
//   *                              every host (no check)
// Anything else (other globs, '?', bad characters, bad ports) is refused when parsed.
// Pure values; thread-safe to read.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/cidr.hpp"

namespace sextant::auth {

// A Host header value split into host and port: names lower-cased without a trailing dot, IPv6
// literals without their brackets. nullopt when it is not `host[:port]` with a valid name or
// literal (RFC 9110 §7.2 / RFC 3986 §3.2.2).
struct HostHeader {
  std::string host;
  bool ip_literal = false;
  std::optional<int> port;
};
std::optional<HostHeader> parse_host_header(std::string_view value);

class HostAllowlist {
 public:
  // Throws std::invalid_argument naming the first pattern that is not one of the forms above.
  static HostAllowlist parse(const std::vector<std::string>& patterns);
  // MLflow's default list, without its name-matching globs: `localhost` on any port, the loopback
  // and unspecified addresses (127.0.0.0/8, ::1, 0.0.0.0), the private ranges 10.0.0.0/8,
  // 172.16.0.0/12, 192.168.0.0/16 and fc00::/7 (IP literals only), and `bind_host` (--host) when it
  // names a specific address or host.
  static HostAllowlist defaults(std::string_view bind_host);

  bool allows(std::string_view host_header) const;
  bool allows_every_host() const { return any_; }

 private:
  struct Name {
    std::string name;         // lower case, no trailing dot
    bool subdomains = false;  // "*.name": names strictly below `name`
    std::optional<int> port;  // nullopt = any port
  };
  struct Range {
    Cidr cidr;
    std::optional<int> port;
  };
  void add(std::string_view pattern);

  bool any_ = false;
  std::vector<Name> names_;
  std::vector<Range> ranges_;
};

}  // namespace sextant::auth
