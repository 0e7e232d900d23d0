// Sextant's own endpoints for built-in authentication, under /api/2.0/sextant/ (JSON in and out,
// MLflow's error JSON on failure). Each route declares its policy:
//   POST /login                 public   {username, password} -> session cookie (local users);
//                                        a same-origin JSON POST only (Policy::PublicSameOrigin)
//   POST /logout                auth     revokes the calling session, clears the cookie
//   GET  /whoami                auth     the calling principal
//   POST /tokens/create         auth     {name, expires_in_seconds | expires_in_days} -> the secret, once
//                                        (at most --max-token-lifetime, also the default)
//   GET  /tokens/list           auth     own tokens (admins: ?username=)
//   POST /tokens/revoke         auth     {token_id}: own tokens (admins: any)
//   GET  /users/list            admin
//   POST /users/create          admin    {username, password?, is_admin?, email?}
//   POST /users/delete          admin    {username}
//   POST /users/set-password    admin    {username, password}
// and the browser OIDC login (when --oidc-issuer-url and --client-id are set), all public:
//   GET  <prefix>/auth/login?rd=PATH     -> 302 to the provider (state, nonce, PKCE S256); without
//                                        a provider, the web UI's password login page (if built)
//   GET  <prefix>/auth/callback          -> checks, session cookie, 302 to PATH
//   POST <prefix>/auth/logout            same-origin JSON only: revokes the session; answers
//                                        {"location"}: the provider's end-session endpoint (OIDC
//                                        sessions) or <prefix>/, where the browser goes next
#include <nlohmann/json.hpp>

#include "api/request_json.hpp"
#include "api/routes.hpp"
#include "api/ui_files.hpp"
#include "auth/crypto.hpp"
#include "auth/oidc_login.hpp"
#include "auth/password_rule.hpp"
#include "auth/token_sealer.hpp"
#include "core/error.hpp"
#include "util/random_id.hpp"
#include "util/time.hpp"
#include "util/url.hpp"

namespace sextant::api {

namespace {

using auth::Policy;
using core::ErrorCode;
using core::MlflowError;
using nlohmann::json;

constexpr const char* kBase = "/api/2.0/sextant";
// Binds a pending browser login to the browser that started it (OidcLogin::begin).
constexpr std::string_view kLoginCookie = "__Host-sextant_login";
constexpr std::int64_t kDayMs = 86'400'000;

json body_of(const ApiRequest& req) {
  if (req.body.empty()) return json::object();
  auto j = decode_request_json(req.body);
  if (j.is_discarded()) core::throw_invalid("Invalid request: the body is not valid JSON.");
  if (!j.is_object()) core::throw_invalid("The request body must be a JSON object.");
  return j;
}

std::string required_string(const json& j, const char* field) {
  auto it = j.find(field);
  if (it == j.end() || !it->is_string() || it->get<std::string>().empty()) {
    core::throw_invalid(std::string("Missing value for required parameter '") + field + "'.");
  }
  return it->get<std::string>();
}

const auth::Principal& caller(const ApiRequest& req) {
  if (!req.principal) throw MlflowError(ErrorCode::UNAUTHENTICATED, "Authentication required.");
  return *req.principal;
}

void check_username(const std::string& name) {
  if (name.size() > 256) core::throw_invalid("User names are at most 256 characters.");
  if (name.starts_with(auth::kTokenPrefix)) core::throw_invalid("User names cannot start with 'sxt_' (personal tokens do).");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f || c == ':') core::throw_invalid("User names cannot contain ':' or control characters.");
}

void check_password(const std::string& password, const std::string& username) {
  if (auto problem = auth::password_problem(password, username); !problem.empty()) core::throw_invalid(problem);
}

// {"expires_in_seconds": N} or {"expires_in_days": N}: the lifetime in ms, range-checked before
// any arithmetic; at most `max` (--max-token-lifetime), which is also the default.
std::int64_t token_lifetime_ms(const json& body, std::chrono::milliseconds max) {
  const std::int64_t max_ms = max.count();
  const auto max_days = std::to_string(max_ms / kDayMs) + " days";
  auto read = [&](const char* field, std::int64_t unit_ms) -> std::optional<std::int64_t> {
    auto it = body.find(field);
    if (it == body.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer() || (it->is_number_unsigned() && it->get<std::uint64_t>() > INT64_MAX) ||
        it->get<std::int64_t>() <= 0) {
      core::throw_invalid(std::string(field) + " must be a positive integer.");
    }
    auto v = it->get<std::int64_t>();
    if (v > max_ms / unit_ms) {
      core::throw_invalid("Tokens can live at most " + max_days + " (--max-token-lifetime); " + field + " is " +
                          std::to_string(v) + ".");
    }
    return v * unit_ms;
  };
  if (auto ms = read("expires_in_seconds", 1000)) return *ms;
  if (auto ms = read("expires_in_days", kDayMs)) return *ms;
  return max_ms;
}

json user_json(const store::AuthUser& u) {
  return {{"username", u.username}, {"is_admin", u.is_admin}, {"source", u.source}, {"email", u.email},
          {"has_password", u.password_hash.has_value()}, {"created_ms", u.created_ms}};
}

json token_json(const store::PersonalToken& t) {
  json j = {{"token_id", t.token_id}, {"username", t.username}, {"name", t.name}, {"created_ms", t.created_ms},
            {"revoked", t.revoked_ms.has_value()}};
  if (t.expires_ms) j["expires_ms"] = *t.expires_ms;
  if (t.last_used_ms) j["last_used_ms"] = *t.last_used_ms;
  if (t.revoked_ms) j["revoked_ms"] = *t.revoked_ms;
  return j;
}

std::string session_cookie(const std::string& value, std::int64_t max_age_s) {
  return std::string(auth::kSessionCookie) + "=" + value + "; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=" +
         std::to_string(max_age_s);
}

// An external user's row keeps the groups its personal tokens act with: those of the latest
// sign-in (or token mint) by an identity provider or the trusted proxy. A personal token or Basic
// caller carries the row's own groups and changes nothing.
void refresh_groups(auth::AuthContext& a, const auth::Principal& p, store::AuthUser& row) {
  if (row.source == "local" || p.local_account || p.method == "token" || p.method == "basic-token" ||
      p.method == "basic") {
    return;
  }
  if (row.groups == p.groups && row.groups_issuer == p.groups_issuer) return;
  a.store.set_groups(row.username, p.groups_issuer, p.groups);
  row.groups = p.groups;
  row.groups_issuer = p.groups_issuer;
}

// The user row behind the caller, created for external identities (OIDC, JWT, trusted proxy)
// the first time they need one (to own tokens). An external identity never takes over a local
// account of the same name (whose password, tokens and admin flag an administrator set):
// PERMISSION_DENIED.
store::AuthUser ensure_user(auth::AuthContext& a, const auth::Principal& p) {
  auto local_collision = [&] {
    a.audit.event("access_denied", {{"user", p.username}, {"via", p.method},
                                    {"reason", "an external identity has the name of a local account"}});
    return MlflowError(ErrorCode::PERMISSION_DENIED,
                       "The identity '" + p.username + "' is the name of a local account; ask an administrator.");
  };
  if (auto u = a.store.get_user(p.username)) {
    if (u->source == "local" && !p.local_account) throw local_collision();
    refresh_groups(a, p, *u);
    return *u;
  }
  store::AuthUser u;
  u.username = p.username;
  u.source = "oidc";
  u.email = p.email;
  u.groups = p.groups;
  u.groups_issuer = p.groups_issuer;
  try {
    a.store.create_user(u);
  } catch (const MlflowError& e) {
    if (e.code() != ErrorCode::RESOURCE_ALREADY_EXISTS) throw;
  }
  auto row = a.store.get_user(p.username).value_or(u);
  if (row.source == "local" && !p.local_account) throw local_collision();
  return row;
}

// A new session for `username` (the row must exist); returns the cookie's secret. The provider's
// tokens are kept only sealed (and only with a sealer).
std::string start_session(auth::AuthContext& a, const std::string& username, const auth::Principal* external,
                          const auth::OidcTokens& tokens, store::Session* out = nullptr) {
  auto secret = auth::new_session_secret();
  auto now = util::now_ms();
  store::Session session;
  session.session_hash = auth::sha256_hex(secret);
  session.username = username;
  session.created_ms = session.last_seen_ms = now;
  session.expires_ms = now + a.session_max_age.count();
  session.idle_expires_ms = std::min(session.expires_ms, now + a.session_idle.count());
  if (external) {
    session.issuer = external->issuer;
    session.email = external->email;
    session.email_verified = external->email_verified;
    session.groups = external->groups;
    if (a.sealer && !tokens.refresh_token.empty())
      session.sealed_refresh_token = a.sealer->seal(tokens.refresh_token, session.session_hash);
    if (a.sealer && !tokens.id_token.empty())
      session.sealed_id_token = a.sealer->seal(tokens.id_token, session.session_hash);
  }
  a.store.create_session(session);
  if (out) *out = session;
  return secret;
}

ApiResponse html_status(int status, const std::string& title) {
  auto r = ApiResponse::text("<!doctype html><title>" + title + "</title><h1>" + title + "</h1>", status,
                             "text/html; charset=utf-8");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

ApiResponse redirect(const std::string& location) {
  auto r = ApiResponse::text("Redirecting", 302);
  r.headers.emplace_back("Location", location);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

std::optional<std::string> query_param(const ApiRequest& req, std::string_view name) {
  for (const auto& [k, v] : req.query)
    if (k == name) return v;
  return std::nullopt;
}

std::string callback_url(const auth::AuthContext& a, const ApiRequest& req, const std::string& prefix) {
  if (!a.redirect_url.empty()) return a.redirect_url;
  return "https://" + req.host + prefix + "/auth/callback";
}

// "https://host:port/path" -> "https://host:port"
std::string origin_of(const std::string& url) {
  auto sep = url.find("://");
  if (sep == std::string::npos) return "";
  auto slash = url.find('/', sep + 3);
  return slash == std::string::npos ? url : url.substr(0, slash);
}

void register_oidc_login_routes(Router& router, auth::AuthContext& a, const ServerSettings& settings) {
  const std::string prefix = settings.static_prefix;
  router.add("GET", prefix + "/auth/login", Policy::Public, [&a, &settings, prefix](const ApiRequest& req) {
    std::string rd = query_param(req, "rd").value_or("/");
    if (rd.empty()) rd = "/";
    if (!auth::safe_redirect_target(rd)) {
      a.audit.event("login_refused", {{"remote", req.remote_address}, {"reason", "unsafe rd redirect target"}});
      return html_status(400, "Invalid redirect target");
    }
    if (!a.oidc) {
      // Local users: the web UI's password form (POST /api/2.0/sextant/login, then to rd).
      if (auto page = ui_page(settings, "login.html")) return *page;
      return html_status(404, "The browser login is not configured (--oidc-issuer-url, --client-id)");
    }
    auto& oidc = *a.oidc;
    try {
      auto binding = auth::new_session_secret();
      auto r = redirect(oidc.begin(rd, callback_url(a, req, prefix), binding));
      r.headers.emplace_back("Set-Cookie", std::string(kLoginCookie) + "=" + binding +
                                               "; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=" +
                                               std::to_string(oidc.options().state_ttl.count()));
      return r;
    } catch (const auth::LoginError& e) {
      a.audit.event("login_failure", {{"remote", req.remote_address}, {"method", "oidc"}, {"reason", e.what()}});
      return html_status(e.status(), e.status() == 400 ? "Login refused" : "Identity provider unavailable");
    }
  });

  router.add("GET", prefix + "/auth/callback", Policy::Public, [&a, prefix](const ApiRequest& req) {
    if (!a.oidc) return html_status(404, "The browser login is not configured (--oidc-issuer-url, --client-id)");
    auto& oidc = *a.oidc;
    auto fail = [&](int status, const std::string& reason) {
      a.audit.event("login_failure", {{"remote", req.remote_address}, {"method", "oidc"}, {"reason", reason}});
      return html_status(status, status == 403 ? "Permission denied" : status == 502 ? "Identity provider error"
                                                                                     : "Login failed");
    };
    auto wait = a.limiter.blocked_for(req.remote_address);
    if (wait.count() > 0) return html_status(429, "Too many failed attempts");
    auto state = query_param(req, "state").value_or("");
    auto binding = auth::cookie_value(req.cookie, kLoginCookie).value_or("");
    if (auto error = query_param(req, "error")) {
      // Still consume the state so that it cannot be replayed.
      if (!state.empty()) a.store.consume_oauth_state(auth::OidcLogin::state_key(state, binding), util::now_ms());
      return fail(400, "provider returned error '" + error->substr(0, 100) + "'");
    }
    auth::LoginResult result;
    try {
      result = oidc.complete(query_param(req, "code").value_or(""), state, query_param(req, "iss"),
                             callback_url(a, req, prefix), binding);
    } catch (const auth::LoginError& e) {
      if (e.status() != 502) a.limiter.record_failure(req.remote_address);
      return fail(e.status(), e.what());
    }
    auto& p = result.principal;
    try {
      if (a.rules) a.rules->apply(p);
    } catch (const auth::AuthError& e) {
      a.audit.event("access_denied", {{"remote", req.remote_address}, {"user", p.username}, {"via", "oidc"},
                                      {"reason", e.what()}});
      // The provider's current word also holds for the user's personal tokens.
      if (auto row = a.store.get_user(p.username)) refresh_groups(a, p, *row);
      return html_status(403, "Permission denied");
    }
    store::AuthUser user;
    try {
      user = ensure_user(a, p);
    } catch (const MlflowError& e) {
      if (e.code() != ErrorCode::PERMISSION_DENIED) throw;
      return html_status(403, "Permission denied");
    }
    auto secret = start_session(a, user.username, &p, result.tokens);
    a.audit.event("login_success", {{"user", user.username}, {"method", "oidc"}, {"issuer", p.issuer},
                                    {"remote", req.remote_address}});
    auto r = redirect(result.redirect_to);
    r.headers.emplace_back("Set-Cookie", session_cookie(secret, a.session_max_age.count() / 1000));
    r.headers.emplace_back("Set-Cookie", std::string(kLoginCookie) + "=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0");
    return r;
  });

  auto logout = [&a, prefix](const ApiRequest& req) {
    bool external = false;
    std::optional<std::string> id_token;
    if (auto value = auth::cookie_value(req.cookie, auth::kSessionCookie); value && value->size() == 43) {
      auto hash = auth::sha256_hex(*value);
      if (auto s = a.store.find_session(hash); s && !s->revoked_ms) {
        a.store.revoke_session(hash, util::now_ms());
        external = !s->issuer.empty();
        if (a.sealer && s->sealed_id_token) id_token = a.sealer->open(*s->sealed_id_token, hash);
        a.audit.event("logout", {{"user", s->username}, {"remote", req.remote_address}});
      }
    }
    std::string location = prefix + "/";
    if (external && a.oidc) {
      if (auto end = a.oidc->end_session_endpoint(); !end.empty()) {
        location = end + (end.find('?') == std::string::npos ? "?" : "&") +
                   "client_id=" + util::percent_encode(a.oidc->options().client_id, false);
        if (id_token) location += "&id_token_hint=" + util::percent_encode(*id_token, false);
        auto back = origin_of(callback_url(a, req, prefix));
        if (!back.empty()) location += "&post_logout_redirect_uri=" + util::percent_encode(back + prefix + "/", false);
      }
    }
    auto r = ApiResponse::json(json{{"location", location}}.dump());
    r.headers.emplace_back("Set-Cookie", session_cookie("", 0));
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  };
  // A same-origin JSON POST only (PublicSameOrigin): a foreign page cannot sign the browser out.
  router.add("POST", prefix + "/auth/logout", Policy::PublicSameOrigin, logout);
}

}  // namespace

void register_sextant_auth_routes(Router& router, Services& s) {
  auto& a = *s.auth;
  const std::string base = kBase;
  register_oidc_login_routes(router, a, s.settings);

  router.add("POST", base + "/login", Policy::PublicSameOrigin, [&a](const ApiRequest& req) {
    auto body = body_of(req);
    auto username = required_string(body, "username");
    auto password = required_string(body, "password");
    auto wait = a.limiter.blocked_for(req.remote_address);
    if (wait.count() > 0) {
      auto r = ApiResponse::json(json{{"error_code", "RESOURCE_EXHAUSTED"},
                                      {"message", "Too many failed authentication attempts; retry later."}}
                                     .dump(),
                                 429);
      r.headers.emplace_back("Retry-After", std::to_string((wait.count() + 999) / 1000));
      return r;
    }
    auth::Principal p;
    try {
      p = a.basic.check_password(username, password);
    } catch (const auth::AuthError& e) {
      a.limiter.record_failure(req.remote_address);
      // Only an existing user's name is logged: another is often a secret typed in the wrong field.
      a.audit.event("login_failure", {{"user", a.store.get_user(username) ? username : std::string("(unknown user)")},
                                      {"remote", req.remote_address}, {"reason", e.what()}});
      throw MlflowError(ErrorCode::UNAUTHENTICATED, "Invalid user name or password.");
    }
    store::Session session;
    auto secret = start_session(a, p.username, nullptr, {}, &session);
    a.audit.event("login_success", {{"user", p.username}, {"method", "password-session"}, {"remote", req.remote_address}});
    auto r = ApiResponse::json(json{{"user", {{"username", p.username}, {"is_admin", p.is_admin}}},
                                    {"expires_ms", session.expires_ms}}
                                   .dump());
    r.headers.emplace_back("Set-Cookie", session_cookie(secret, a.session_max_age.count() / 1000));
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  });

  router.add("POST", base + "/logout", Policy::Authenticated, [&a](const ApiRequest& req) {
    const auto& p = caller(req);
    if (p.method == "session") {
      a.store.revoke_session(p.credential_id, util::now_ms());
      a.audit.event("logout", {{"user", p.username}, {"remote", req.remote_address}});
    }
    auto r = ApiResponse::json("{}");
    r.headers.emplace_back("Set-Cookie", session_cookie("", 0));
    return r;
  });

  router.add("GET", base + "/whoami", Policy::Authenticated, [](const ApiRequest& req) {
    const auto& p = caller(req);
    json j = {{"username", p.username}, {"email", p.email},   {"email_verified", p.email_verified},
              {"groups", p.groups},     {"is_admin", p.is_admin}, {"method", p.method},
              {"local_account", p.local_account}};
    if (!p.issuer.empty()) j["issuer"] = p.issuer;
    return ApiResponse::json(j.dump());
  });

  router.add("POST", base + "/tokens/create", Policy::Authenticated, [&a](const ApiRequest& req) {
    const auto& p = caller(req);
    if (p.method == "token" || p.method == "basic-token") {
      throw MlflowError(ErrorCode::PERMISSION_DENIED,
                        "Personal access tokens cannot be created with a personal access token; log in with a "
                        "password, a session or an identity-provider token.");
    }
    auto body = body_of(req);
    auto name = required_string(body, "name");
    if (name.size() > 256) core::throw_invalid("Token names are at most 256 characters.");
    auto lifetime_ms = token_lifetime_ms(body, a.max_token_lifetime);
    auto user = ensure_user(a, p);
    auto secret = auth::new_personal_token();
    store::PersonalToken t;
    t.token_id = util::uuid4_hex().substr(0, 16);
    t.username = user.username;
    t.name = name;
    t.token_hash = auth::sha256_hex(secret);
    t.created_ms = util::now_ms();
    t.expires_ms = t.created_ms + lifetime_ms;
    a.store.create_token(t);
    a.audit.event("token_created", {{"user", t.username}, {"token_id", t.token_id}, {"name", t.name},
                                    {"expires_ms", *t.expires_ms}, {"via", p.method}});
    return ApiResponse::json(json{{"token", token_json(t)}, {"secret", secret}}.dump());
  });

  router.add("GET", base + "/tokens/list", Policy::Authenticated, [&a](const ApiRequest& req) {
    const auto& p = caller(req);
    std::string username = p.username;
    for (const auto& [k, v] : req.query) {
      if (k == "username" && v != p.username) {
        if (!p.is_admin) throw MlflowError(ErrorCode::PERMISSION_DENIED, "Only administrators can list other users' tokens.");
        username = v;
      }
    }
    json arr = json::array();
    for (const auto& t : a.store.list_tokens(username)) arr.push_back(token_json(t));
    return ApiResponse::json(json{{"tokens", arr}}.dump());
  });

  router.add("POST", base + "/tokens/revoke", Policy::Authenticated, [&a](const ApiRequest& req) {
    const auto& p = caller(req);
    auto id = required_string(body_of(req), "token_id");
    auto t = a.store.get_token(id);
    if (!t || (t->username != p.username && !p.is_admin)) core::throw_not_found("Token '" + id + "' does not exist.");
    a.store.revoke_token(id, util::now_ms());
    a.audit.event("token_revoked", {{"user", t->username}, {"token_id", id}, {"by", p.username}});
    return ApiResponse::json("{}");
  });

  router.add("GET", base + "/users/list", Policy::Admin, [&a](const ApiRequest&) {
    json arr = json::array();
    for (const auto& u : a.store.list_users()) arr.push_back(user_json(u));
    return ApiResponse::json(json{{"users", arr}}.dump());
  });

  router.add("POST", base + "/users/create", Policy::Admin, [&a](const ApiRequest& req) {
    const auto& p = caller(req);
    auto body = body_of(req);
    store::AuthUser u;
    u.username = required_string(body, "username");
    check_username(u.username);
    if (auto it = body.find("password"); it != body.end() && !it->is_null()) {
      if (!it->is_string()) core::throw_invalid("password must be a string.");
      check_password(it->get<std::string>(), u.username);
      u.password_hash = auth::hash_password(it->get<std::string>());
    }
    if (auto it = body.find("is_admin"); it != body.end()) {
      if (!it->is_boolean()) core::throw_invalid("is_admin must be a boolean.");
      u.is_admin = it->get<bool>();
    }
    if (auto it = body.find("email"); it != body.end() && it->is_string()) u.email = it->get<std::string>();
    u.source = "local";
    a.store.create_user(u);
    a.audit.event("user_created", {{"user", u.username}, {"is_admin", u.is_admin}, {"by", p.username}});
    return ApiResponse::json(json{{"user", user_json(*a.store.get_user(u.username))}}.dump());
  });

  router.add("POST", base + "/users/delete", Policy::Admin, [&a](const ApiRequest& req) {
    const auto& p = caller(req);
    auto username = required_string(body_of(req), "username");
    if (username == p.username) core::throw_invalid("You cannot delete your own account.");
    if (!a.store.delete_user(username)) core::throw_not_found("User '" + username + "' does not exist.");
    a.audit.event("user_deleted", {{"user", username}, {"by", p.username}});
    return ApiResponse::json("{}");
  });

  router.add("POST", base + "/users/set-password", Policy::Admin, [&a](const ApiRequest& req) {
    const auto& p = caller(req);
    auto body = body_of(req);
    auto username = required_string(body, "username");
    auto password = required_string(body, "password");
    check_password(password, username);
    a.store.set_password(username, auth::hash_password(password));
    a.audit.event("password_set", {{"user", username}, {"by", p.username}});
    return ApiResponse::json("{}");
  });
}

}  // namespace sextant::api
