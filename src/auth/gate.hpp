// The authentication middleware, called by http/ for every request before the handler runs
// (http/ copies the request's headers into RequestCredentials; auth/ never sees Boost).
// In order:
//  1. Host allowlist (DNS-rebinding protection, MLflow's --allowed-hosts; the probes /health, /ready,
//     /metrics and /version are exempt: load balancers and scrapers use addresses) -> 403 text/plain.
//  2. With authentication off: allowed (nothing else is checked).
//  3. Public routes: allowed without credentials.
//  4. Back-off: an address that failed too many credential checks gets 429 while it carries
//     credentials.
//  5. The authenticator chain, in order; the first that recognises a credential decides. A
//     credential nobody recognises (e.g. a Bearer JWT without a JWT authenticator) or an invalid
//     one -> 401 (and counts as a failure); no credential -> 401 JSON for API clients, 302 to the
//     login page for browsers (GET/HEAD with Accept: text/html outside /api/ and /ajax-api/).
//  6. Access rules (access_rules.hpp) -> 403 PERMISSION_DENIED.
//  7. The route's policy: Unspecified -> 403 (deny by default), Admin needs is_admin.
//  8. CSRF for cookie sessions (csrf_violation below) -> 403.
// Thread-safe; holds the chain for the server's lifetime.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/access_rules.hpp"
#include "auth/audit_log.hpp"
#include "auth/authenticator.hpp"
#include "auth/cidr.hpp"
#include "auth/policy.hpp"
#include "auth/rate_limiter.hpp"

namespace sextant::auth {

// MLflow's default --allowed-hosts (mlflow-api.md §1.8), plus bracketed IPv6 forms.
std::vector<std::string> default_allowed_hosts();
// Glob patterns ('*', '?'; '[' is literal), case-insensitive; "*" allows every host.
bool host_allowed(const std::vector<std::string>& patterns, const std::string& host);

// Why a cookie-authenticated request must be refused as a possible cross-site request forgery,
// "" when it is acceptable. Only state-changing methods (POST, PUT, PATCH, DELETE) are checked:
// they need Content-Type application/json (except artifact uploads, `upload_route`) and proof
// of same origin: an Origin whose host[:port] equals Host, and/or Sec-Fetch-Site: same-origin
// (each, when present, must say same origin; at least one must be present).
std::string csrf_violation(const RequestCredentials& request, bool upload_route);

struct GateOptions {
  bool authenticate = false;               // --auth
  std::vector<std::string> allowed_hosts;  // empty = no Host check
  std::string login_path = "/auth/login";  // where browsers are sent
  std::string static_prefix;               // for the /ajax-api/ API paths
  RateLimiterOptions limiter;
  std::vector<Cidr> real_ip_from;          // --real-ip-from: load balancers (client_address())
};

struct GateResult {
  bool allowed = false;
  std::optional<Principal> principal;      // set when allowed and authenticated
  int status = 0;                          // the refusal
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

class Gate {
 public:
  Gate(GateOptions options, std::vector<std::unique_ptr<Authenticator>> chain, AccessRules rules, AuditLog& audit);

  GateResult check(const RequestCredentials& request, Policy policy, bool upload_route);
  FailureLimiter& limiter() { return limiter_; }
  // The client's address for `peer` and its X-Forwarded-For header (auth::client_address).
  std::string client_address(std::string_view peer, std::string_view x_forwarded_for) const {
    return auth::client_address(peer, x_forwarded_for, options_.real_ip_from);
  }
  bool authenticating() const { return options_.authenticate; }

 private:
  GateResult unauthenticated(const RequestCredentials& request, const std::string& message) const;

  GateOptions options_;
  std::vector<std::unique_ptr<Authenticator>> chain_;
  AccessRules rules_;
  AuditLog& audit_;
  FailureLimiter limiter_;
};

}  // namespace sextant::auth
