// Which addresses a webhook may be delivered to (SSRF): only publicly routable unicast ones
// unless --webhook-allow-private-addresses. Refused: unspecified, loopback, private (RFC 1918),
// shared (100.64/10), link-local (169.254/16 incl. cloud metadata, fe80::/10), unique-local
// (fc00::/7), site-local (fec0::/10), benchmarking, IETF/reserved, multicast and broadcast
// ranges, and IPv4 addresses embedded in IPv6 (mapped, compatible, NAT64 64:ff9b::/96, 6to4
// 2002::/16) by the IPv4 rule. Pure.
#pragma once

#include <sys/socket.h>

#include <string>

namespace sextant::webhooks {

// True when `address` (AF_INET or AF_INET6; other families are refused) is not a public one.
bool is_non_public_address(const sockaddr* address);
// The numeric text of an AF_INET / AF_INET6 address ("10.0.0.1", "::1").
std::string address_text(const sockaddr* address);

}  // namespace sextant::webhooks
