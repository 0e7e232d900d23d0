#include "auth/host_allowlist.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <stdexcept>

#include "util/strings.hpp"

namespace sextant::auth {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }

// "" -> nullopt (no port); 1-5 digits up to 65535; anything else -> -1.
int parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return -1;
  int v = 0;
  for (char c : text) {
    if (!is_digit(c)) return -1;
    v = v * 10 + (c - '0');
  }
  return v <= 65535 ? v : -1;
}

// A DNS name (letters, digits, '-', '_'; non-empty labels of at most 63, 253 in all).
bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (auto label : util::split(name, '.')) {
    if (label.empty() || label.size() > 63) return false;
    for (char c : label)
      if (!(is_digit(c) || (c >= 'a' && c <= 'z') || c == '-' || c == '_')) return false;
  }
  return true;
}

bool ipv4_literal(const std::string& s) {
  unsigned char buf[4];
  return inet_pton(AF_INET, s.c_str(), buf) == 1;
}

bool ipv6_literal(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

[[noreturn]] void bad_pattern(std::string_view pattern, const char* why) {
  throw std::invalid_argument("--allowed-hosts pattern '" + std::string(pattern) + "': " + why);
}

// MLflow's IPv4 globs: 1-3 decimal octets then ".*" -> their CIDR ("10.*" -> 10.0.0.0/8).
std::optional<Cidr> ipv4_glob(std::string_view p) {
  if (!p.ends_with(".*")) return std::nullopt;
  auto octets = util::split(p.substr(0, p.size() - 2), '.');
  if (octets.empty() || octets.size() > 3) return std::nullopt;
  std::string address;
  for (auto o : octets) {
    if (o.empty() || o.size() > 3) return std::nullopt;
    for (char c : o)
      if (!is_digit(c)) return std::nullopt;
    int v = 0;
    std::from_chars(o.data(), o.data() + o.size(), v);
    if (v > 255) return std::nullopt;
    address += std::to_string(v) + ".";
  }
  for (std::size_t i = octets.size(); i < 4; ++i) address += "0.";
  address.pop_back();
  return Cidr::parse(address + "/" + std::to_string(8 * octets.size()));
}

// MLflow's IPv6 globs: "[fc00:*" or "fc00:*" (1-7 hextets then ":*") -> "fc00::/16".
std::optional<Cidr> ipv6_glob(std::string_view p) {
  if (p.starts_with("[")) p.remove_prefix(1);
  if (!p.ends_with(":*")) return std::nullopt;
  auto groups = util::split(p.substr(0, p.size() - 2), ':');
  if (groups.empty() || groups.size() > 7) return std::nullopt;
  std::string address;
  for (auto g : groups) {
    if (g.empty() || g.size() > 4) return std::nullopt;
    for (char c : g)
      if (!is_hex(c)) return std::nullopt;
    address += std::string(g) + ":";
  }
  address += groups.size() == 7 ? "0" : ":";
  return Cidr::parse(address + "/" + std::to_string(16 * groups.size()));
}

}  // namespace

std::optional<HostHeader> parse_host_header(std::string_view value) {
  if (value.empty() || value.size() > 300) return std::nullopt;
  auto text = util::to_lower(value);
  HostHeader h;
  std::string_view rest;
  if (text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos) return std::nullopt;
    h.host = text.substr(1, close - 1);
    if (!ipv6_literal(h.host)) return std::nullopt;  // no zone ids, no IPvFuture
    h.ip_literal = true;
    rest = std::string_view(text).substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
  } else {
    auto colon = text.find(':');
    h.host = text.substr(0, colon);
    if (colon != std::string::npos) rest = std::string_view(text).substr(colon);
    if (h.host.ends_with('.')) h.host.pop_back();  // "localhost." is the same name
    if (!valid_name(h.host)) return std::nullopt;
    h.ip_literal = ipv4_literal(h.host);
  }
  if (!rest.empty()) {
    rest.remove_prefix(1);  // ':'
    if (!rest.empty()) {    // "host:" has an empty port (RFC 3986): the default one
      int port = parse_port(rest);
      if (port < 0) return std::nullopt;
      h.port = port;
    }
  }
  return h;
}

void HostAllowlist::add(std::string_view raw) {
  auto lowered = util::to_lower(util::trim(raw));
  std::string_view p = lowered;
  if (p == "*") {
    any_ = true;
    return;
  }
  if (p.find('/') != std::string_view::npos) {
    auto c = Cidr::parse(p);
    if (!c) bad_pattern(raw, "not an address range (CIDR)");
    ranges_.push_back(Range{*c, std::nullopt});
    return;
  }
  if (auto c = ipv4_glob(p)) {
    ranges_.push_back(Range{*c, std::nullopt});
    return;
  }
  if (auto c = ipv6_glob(p)) {
    ranges_.push_back(Range{*c, std::nullopt});
    return;
  }
  bool subdomains = p.starts_with("*.");
  if (subdomains) p.remove_prefix(2);
  bool any_port = p.ends_with(":*");
  if (any_port) p.remove_suffix(2);
  if (p.find_first_of("*?") != std::string_view::npos) {
    bad_pattern(raw, "only exact names, '*.domain', IP addresses, CIDR ranges and MLflow's address globs "
                     "(10.*, 192.168.*) are accepted");
  }
  auto h = parse_host_header(p);
  if (!h) bad_pattern(raw, "not a host name or IP address with an optional :port");
  if (any_port && h->port) bad_pattern(raw, "two ports");
  if (h->ip_literal) {
    if (subdomains) bad_pattern(raw, "'*.' needs a domain name, not an address");
    ranges_.push_back(Range{*Cidr::parse(h->host), h->port});
  } else {
    names_.push_back(Name{h->host, subdomains, h->port});
  }
}

HostAllowlist HostAllowlist::parse(const std::vector<std::string>& patterns) {
  HostAllowlist list;
  for (const auto& p : patterns) list.add(p);
  return list;
}

HostAllowlist HostAllowlist::defaults(std::string_view bind_host) {
  HostAllowlist list;
  for (const char* p : {"localhost", "127.0.0.0/8", "::1/128", "0.0.0.0", "10.0.0.0/8", "172.16.0.0/12",
                        "192.168.0.0/16", "fc00::/7"}) {
    list.add(p);
  }
  std::string bind(util::trim(bind_host));
  if (bind.find(':') != std::string::npos && !bind.starts_with("[")) bind = "[" + bind + "]";
  if (!bind.empty() && bind != "[::]" && bind.find_first_of("*?/") == std::string::npos) {
    try {
      list.add(bind);
    } catch (const std::invalid_argument&) {
      // not a name or address (e.g. a zone id): nothing to add
    }
  }
  return list;
}

bool HostAllowlist::allows(std::string_view host_header) const {
  if (any_) return true;
  auto h = parse_host_header(host_header);
  if (!h) return false;
  auto port_ok = [&](const std::optional<int>& want) { return !want || want == h->port; };
  if (h->ip_literal) {
    for (const auto& r : ranges_)
      if (port_ok(r.port) && r.cidr.contains(h->host)) return true;
    return false;
  }
  for (const auto& n : names_) {
    if (!port_ok(n.port)) continue;
    if (n.subdomains ? h->host.size() > n.name.size() + 1 && h->host.ends_with("." + n.name) : h->host == n.name) {
      return true;
    }
  }
  return false;
}

}  // namespace sextant::auth
