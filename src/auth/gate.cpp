#include "auth/gate.hpp"

#include <nlohmann/json.hpp>

#include "auth/authenticators.hpp"
#include "util/strings.hpp"
#include "util/url.hpp"

namespace sextant::auth {

std::vector<std::string> default_allowed_hosts() {
  std::vector<std::string> hosts;
  for (const char* h : {"localhost", "127.0.0.1", "[::1]", "0.0.0.0"}) {
    hosts.emplace_back(h);
    hosts.push_back(std::string(h) + ":*");
  }
  for (const char* h : {"192.168.*", "10.*", "fc00:*", "fd00:*", "[fc00:*", "[fd00:*"}) hosts.emplace_back(h);
  for (int i = 16; i <= 31; ++i) hosts.push_back("172." + std::to_string(i) + ".*");
  return hosts;
}

namespace {
// '*' = any run of characters, '?' = one; everything else literal ('[' too: IPv6 hosts), ASCII
// case-insensitive.
bool glob_match(std::string_view p, std::string_view s) {
  std::size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '?' || lower(p[pi]) == lower(s[si]))) {
      ++pi, ++si;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}
}  // namespace

bool host_allowed(const std::vector<std::string>& patterns, const std::string& host) {
  for (const auto& p : patterns) {
    if (p == "*") return true;
    if (!host.empty() && glob_match(p, host)) return true;
  }
  return false;
}

namespace {

bool state_changing(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

// "https://host:port" -> "host:port" (lower case); "" when not a serialised origin.
std::string origin_authority(std::string_view origin) {
  auto sep = origin.find("://");
  if (sep == std::string_view::npos) return "";
  auto rest = origin.substr(sep + 3);
  if (rest.empty() || rest.find_first_of("/?#@") != std::string_view::npos) return "";
  return util::to_lower(rest);
}

std::string json_error(const char* code, const std::string& message) {
  return nlohmann::json{{"error_code", code}, {"message", message}}.dump();
}

GateResult refuse(int status, const char* code, const std::string& message) {
  GateResult r;
  r.status = status;
  r.content_type = "application/json";
  r.body = json_error(code, message);
  return r;
}

}  // namespace

std::string csrf_violation(const RequestCredentials& req, bool upload_route) {
  if (!state_changing(req.method)) return "";
  if (!upload_route) {
    auto media = util::to_lower(util::trim(std::string_view(req.content_type).substr(0, req.content_type.find(';'))));
    if (media != "application/json") return "cookie-authenticated request without a JSON body";
  }
  bool proof = false;
  if (!req.origin.empty()) {
    auto authority = origin_authority(req.origin);
    if (authority.empty() || authority != util::to_lower(req.host)) return "cross-origin request (Origin " + req.origin + ")";
    proof = true;
  }
  if (!req.sec_fetch_site.empty()) {
    if (!util::iequals(req.sec_fetch_site, "same-origin")) return "cross-site request (Sec-Fetch-Site " + req.sec_fetch_site + ")";
    proof = true;
  }
  if (!proof) return "cookie-authenticated request without Origin or Sec-Fetch-Site";
  return "";
}

Gate::Gate(GateOptions options, std::vector<std::unique_ptr<Authenticator>> chain, AccessRules rules, AuditLog& audit)
    : options_(std::move(options)), chain_(std::move(chain)), rules_(std::move(rules)), audit_(audit),
      limiter_(options_.limiter) {}

GateResult Gate::unauthenticated(const RequestCredentials& req, const std::string& message) const {
  bool api_path = req.path.starts_with("/api/") || req.path.starts_with(options_.static_prefix + "/ajax-api/");
  bool browser = (req.method == "GET" || req.method == "HEAD") && req.accept.find("text/html") != std::string::npos;
  if (browser && !api_path && req.authorization.empty()) {
    GateResult r;
    r.status = 302;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "Redirecting to login";
    r.headers.emplace_back("Location", options_.login_path + "?rd=" + util::percent_encode(req.path));
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }
  auto r = refuse(401, "UNAUTHENTICATED", message);
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"sextant\"");
  r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"sextant\", charset=\"UTF-8\"");
  return r;
}

GateResult Gate::check(const RequestCredentials& req, Policy policy, bool upload_route) {
  if (!options_.allowed_hosts.empty() && req.path != "/health" && req.path != "/ready" && req.path != "/metrics" &&
      req.path != "/version" &&
      !host_allowed(options_.allowed_hosts, req.host)) {
    GateResult r;
    r.status = 403;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "Invalid Host header - possible DNS rebinding attack detected";
    return r;
  }
  GateResult ok;
  ok.allowed = true;
  if (!options_.authenticate || policy == Policy::Public) return ok;

  const std::string& client = req.client_address.empty() ? req.remote_address : req.client_address;
  bool carries = !req.authorization.empty() || cookie_value(req.cookie, kSessionCookie).has_value() ||
                 !req.forwarded_email.empty() || !req.forwarded_user.empty();
  if (carries) {
    auto wait = limiter_.blocked_for(client);
    if (wait.count() > 0) {
      auto r = refuse(429, "RESOURCE_EXHAUSTED", "Too many failed authentication attempts; retry later.");
      r.headers.emplace_back("Retry-After", std::to_string((wait.count() + 999) / 1000));
      return r;
    }
  }

  std::optional<Principal> principal;
  try {
    for (auto& a : chain_) {
      principal = a->authenticate(req);
      if (principal) break;
    }
    if (!principal && !req.authorization.empty()) {
      throw AuthError(AuthError::Kind::Unauthenticated, "unsupported or unrecognised Authorization credentials");
    }
  } catch (const AuthError& e) {
    if (e.kind() == AuthError::Kind::Unauthenticated) {
      limiter_.record_failure(client);
      audit_.event("auth_failure", {{"remote", client}, {"method", req.method}, {"path", req.path},
                                    {"reason", e.what()}});
      return unauthenticated(req, "Invalid credentials.");
    }
    audit_.event("access_denied", {{"remote", client}, {"path", req.path}, {"reason", e.what()}});
    return refuse(403, "PERMISSION_DENIED", "Permission denied.");
  } catch (const std::exception& e) {
    return refuse(503, "TEMPORARILY_UNAVAILABLE", std::string("Authentication is temporarily unavailable: ") + e.what());
  }
  if (!principal) return unauthenticated(req, "Authentication required.");

  try {
    rules_.apply(*principal);
  } catch (const AuthError& e) {
    audit_.event("access_denied", {{"remote", client}, {"user", principal->username},
                                   {"via", principal->method}, {"path", req.path}, {"reason", e.what()}});
    return refuse(403, "PERMISSION_DENIED", "Permission denied.");
  }
  if (policy == Policy::Unspecified) return refuse(403, "PERMISSION_DENIED", "This route has no access policy.");
  if (policy == Policy::Admin && !principal->is_admin) {
    return refuse(403, "PERMISSION_DENIED", "This operation needs an administrator.");
  }
  if (principal->method == "session") {
    if (auto why = csrf_violation(req, upload_route); !why.empty()) {
      audit_.event("csrf_refused", {{"remote", client}, {"user", principal->username},
                                    {"path", req.path}, {"reason", why}});
      return refuse(403, "PERMISSION_DENIED", "Cross-site request refused: " + why + ".");
    }
  }
  ok.principal = std::move(principal);
  return ok;
}

}  // namespace sextant::auth
