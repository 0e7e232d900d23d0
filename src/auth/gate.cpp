#include "auth/gate.hpp"

#include <nlohmann/json.hpp>

#include "auth/authenticators.hpp"
#include "util/strings.hpp"
#include "util/url.hpp"

namespace sextant::auth {

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

// A browser says the request comes from another site: an Origin other than Host's (or an opaque
// "null" one), or Sec-Fetch-Site other than same-origin / none (typed URL, bookmark).
bool announced_cross_site(const RequestCredentials& req) {
  if (!req.origin.empty() && origin_authority(req.origin) != util::to_lower(req.host)) return true;
  return !req.sec_fetch_site.empty() && !util::iequals(req.sec_fetch_site, "same-origin") &&
         !util::iequals(req.sec_fetch_site, "none");
}

std::string json_error(const char* code, const std::string& message) {
  // Messages may quote request headers (Origin): invalid UTF-8 is replaced, never thrown on.
  return nlohmann::json{{"error_code", code}, {"message", message}}.dump(-1, ' ', false,
                                                                         nlohmann::json::error_handler_t::replace);
}

GateResult refuse(int status, const char* code, const std::string& message) {
  GateResult r;
  r.status = status;
  r.content_type = "application/json";
  r.body = json_error(code, message);
  return r;
}

}  // namespace

std::string form_body_violation(const RequestCredentials& req, bool upload_route) {
  if (!state_changing(req.method)) return "";
  if (upload_route && req.method != "POST") return "";
  auto media = util::to_lower(util::trim(std::string_view(req.content_type).substr(0, req.content_type.find(';'))));
  if (media == "application/x-www-form-urlencoded" || media == "multipart/form-data" || media == "text/plain") {
    return "Bad Request. Content-Type must be one of ['application/json'].";
  }
  if (media.empty() && req.has_body && req.method == "POST") {
    // A raw upload without Content-Type (requests' data=bytes, curl --data-binary) is also what a
    // cross-site no-cors fetch can send: an upload route takes it only when not announced cross-site.
    if (upload_route && !announced_cross_site(req)) return "";
    return "Bad Request. Content-Type header is missing.";
  }
  return "";
}

std::string csrf_violation(const RequestCredentials& req, bool upload_route) {
  if (!state_changing(req.method)) return "";
  if (!upload_route) {
    auto media = util::to_lower(util::trim(std::string_view(req.content_type).substr(0, req.content_type.find(';'))));
    if (media != "application/json") return "a request without a JSON body";
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
  if (!proof) return "a request without Origin or Sec-Fetch-Site";
  return "";
}

Gate::Gate(GateOptions options, std::vector<std::unique_ptr<Authenticator>> chain, AccessRules rules, AuditLog& audit)
    : options_(std::move(options)), chain_(std::move(chain)), rules_(std::move(rules)), audit_(audit),
      limiter_(options_.limiter) {}

bool Gate::api_path(const std::string& path) const {
  return path.starts_with("/api/") || path.starts_with(options_.static_prefix + "/ajax-api/");
}

GateResult Gate::unauthenticated(const RequestCredentials& req, const std::string& message) const {
  bool browser = (req.method == "GET" || req.method == "HEAD") && req.accept.find("text/html") != std::string::npos;
  if (browser && !api_path(req.path) && !req.has_authorization()) {
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
  if (req.counts.host > 1) return refuse(400, "BAD_REQUEST", "A request carries one Host header.");
  if (options_.hosts && req.path != "/health" && req.path != "/ready" && req.path != "/metrics" &&
      req.path != "/version" && !options_.hosts->allows(req.host)) {
    GateResult r;
    r.status = 403;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "Invalid Host header - possible DNS rebinding attack detected";
    return r;
  }
  if (api_path(req.path)) {
    if (auto why = form_body_violation(req, upload_route); !why.empty()) {
      return refuse(400, "INVALID_PARAMETER_VALUE", why);  // MLflow's own answer (api/params.cpp)
    }
  }
  GateResult ok;
  ok.allowed = true;
  if (policy == Policy::PublicSameOrigin) {
    if (auto why = csrf_violation(req, false); !why.empty()) {
      audit_.event("csrf_refused", {{"remote", req.client_address.empty() ? req.remote_address : req.client_address},
                                    {"path", req.path}, {"reason", why}});
      return refuse(403, "PERMISSION_DENIED", "Cross-site request refused: " + why + ".");
    }
    return ok;
  }
  if (!options_.authenticate || policy == Policy::Public) return ok;
  if (req.counts.authorization > 1) return refuse(400, "BAD_REQUEST", "A request carries one Authorization header.");

  const std::string& client = req.client_address.empty() ? req.remote_address : req.client_address;
  bool carries = req.has_authorization() || cookie_value(req.cookie, kSessionCookie).has_value() ||
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
    if (!principal && req.has_authorization()) {
      throw AuthError(AuthError::Kind::Unauthenticated, "unsupported or unrecognised Authorization credentials");
    }
  } catch (const AuthError& e) {
    if (e.kind() == AuthError::Kind::BadRequest) {
      audit_.event("identity_refused", {{"remote", client}, {"method", req.method}, {"path", req.path},
                                        {"reason", e.what()}});
      return refuse(400, "BAD_REQUEST", std::string("Refused: ") + e.what() + ".");
    }
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
  if (refresher_ && (principal->method == "jwt" || principal->method == "proxy")) refresher_->observe(*principal);

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
