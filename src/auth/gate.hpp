// The authentication middleware, called by http/ for every request before the handler runs
// (http/ copies the request's headers into RequestCredentials; auth/ never sees Boost).
// In order, steps 1-2 with authentication on or off:
//  1. Host allowlist (DNS-rebinding protection, MLflow's --allowed-hosts; host_allowlist.hpp; the
//     probes /health, /ready, /metrics and /version are exempt: load balancers and scrapers use
//     addresses) -> 403 text/plain as MLflow; several Host headers -> 400.
//  2. Form encodings on API routes (form_body_violation) -> 400 INVALID_PARAMETER_VALUE, MLflow's
//     answer to a non-JSON body.
//     With authentication off nothing else is checked.
//  3. Public routes: allowed without credentials.
//  4. Back-off: an address that failed too many credential checks gets 429 while it carries
//     credentials.
//  5. Several Authorization headers -> 400. The authenticator chain, in order; the first that
//     recognises a credential decides (an Authorization header, even an empty one, excludes the
//     session cookie: SessionAuthenticator). A
//     credential nobody recognises (e.g. a Bearer JWT without a JWT authenticator) or an invalid
//     one -> 401 (and counts as a failure); no credential -> 401 JSON for API clients, 302 to the
//     login page for browsers (GET/HEAD with Accept: text/html outside /api/ and /ajax-api/).
//     AuthError::Kind::BadRequest (duplicated identity headers from the trusted proxy) -> 400,
//     audited.
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
#include "auth/groups_refresher.hpp"
#include "auth/host_allowlist.hpp"
#include "auth/policy.hpp"
#include "auth/rate_limiter.hpp"

namespace sextant::auth {

// Why a request to an API route (/api/, <prefix>/ajax-api/) must be refused as a possible
// cross-site form submission (MLflow's message for it), "" when it is acceptable: a body-carrying method (POST, PUT, PATCH,
// DELETE) with a form encoding (application/x-www-form-urlencoded, multipart/form-data,
// text/plain: what an HTML form or a no-CORS fetch can send cross-site), or a POST with a body
// and no Content-Type. Artifact uploads (`upload_route`) carry the file's own type and are
// exempt unless they are POSTs (PUT needs a CORS preflight a foreign page never gets); a POST
// upload (MLflow's ajax-api upload-artifact) may come without Content-Type unless its Origin or
// Sec-Fetch-Site says cross-site, never with a form encoding.
std::string form_body_violation(const RequestCredentials& request, bool upload_route);

// Why a cookie-authenticated request (or one to a PublicSameOrigin route: login, browser logout)
// must be refused as a possible cross-site request forgery, "" when it is acceptable. Only state-changing methods (POST, PUT, PATCH, DELETE) are checked:
// they need Content-Type application/json (except artifact uploads, `upload_route`) and proof
// of same origin: an Origin whose host[:port] equals Host, and/or Sec-Fetch-Site: same-origin
// (each, when present, must say same origin; at least one must be present).
std::string csrf_violation(const RequestCredentials& request, bool upload_route);

struct GateOptions {
  bool authenticate = false;               // --auth
  std::optional<HostAllowlist> hosts;      // nullopt = no Host check
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
  // Shown every bearer-JWT and trusted-proxy identity before the access rules (may be null).
  void set_groups_refresher(GroupsRefresher* refresher) { refresher_ = refresher; }

 private:
  GateResult unauthenticated(const RequestCredentials& request, const std::string& message) const;
  bool api_path(const std::string& path) const;

  GateOptions options_;
  std::vector<std::unique_ptr<Authenticator>> chain_;
  AccessRules rules_;
  AuditLog& audit_;
  FailureLimiter limiter_;
  GroupsRefresher* refresher_ = nullptr;
};

}  // namespace sextant::auth
