#include "auth/oidc_login.hpp"

#include <cctype>

#include <nlohmann/json.hpp>

#include "auth/auth_error.hpp"
#include "auth/crypto.hpp"
#include "auth/jwt/fetch_policy.hpp"
#include "auth/jwt/jwt_bearer_authenticator.hpp"
#include "auth/jwt/jwt_error.hpp"
#include "util/base64.hpp"
#include "util/time.hpp"
#include "util/url.hpp"

namespace sextant::auth {
namespace {

using nlohmann::json;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string string_member(const json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A URL the browser is sent to (authorization, end session): https, or http to loopback.
void check_endpoint(const std::string& url, const char* what) {
  if (url.empty() || !jwt::fetch_url_allowed(url, false))
    throw LoginError(502, std::string("OIDC discovery: unusable ") + what + " '" + url + "'");
}

}  // namespace

bool safe_redirect_target(std::string_view t) noexcept {
  if (t.empty() || t.size() > 2048 || t.front() != '/') return false;
  if (t.size() > 1 && (t[1] == '/' || t[1] == '\\')) return false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    auto c = static_cast<unsigned char>(t[i]);
    if (c <= 0x20 || c >= 0x7f || c == '\\') return false;
    if (c == '%') {
      // A second encoded layer: %2F / %5C could become "//" or "\" after another decode, and
      // encoded control characters have no business in a path.
      if (i + 2 >= t.size()) return false;
      int hi = hex_value(t[i + 1]), lo = hex_value(t[i + 2]);
      if (hi < 0 || lo < 0) return false;
      int v = hi * 16 + lo;
      if (v < 0x20 || v == 0x7f || v == '/' || v == '\\') return false;
    }
  }
  return true;
}

std::string pkce_challenge_s256(std::string_view verifier) {
  auto hex = sha256_hex(verifier);
  std::string raw;
  raw.reserve(32);
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    raw.push_back(static_cast<char>(hex_value(hex[i]) * 16 + hex_value(hex[i + 1])));
  return base64url_encode(raw);
}

OidcLogin::OidcLogin(OidcLoginOptions options, store::AuthStore& store, std::shared_ptr<HttpFetcher> fetcher,
                     std::shared_ptr<const jwt::JwtVerifier> verifier)
    : options_(std::move(options)), store_(store), fetcher_(std::move(fetcher)), verifier_(std::move(verifier)) {
  if (!fetcher_ || !verifier_) throw std::invalid_argument("OidcLogin needs a fetcher and a verifier");
  if (options_.issuer.empty() || options_.client_id.empty())
    throw std::invalid_argument("the OIDC login needs --oidc-issuer-url and --client-id");
}

OidcEndpoints OidcLogin::endpoints() {
  {
    std::lock_guard lock(mutex_);
    if (endpoints_) return *endpoints_;
  }
  std::string base = options_.issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  const std::string url = base + "/.well-known/openid-configuration";
  if (!jwt::fetch_url_allowed(url, false)) throw LoginError(502, "OIDC discovery URL not allowed: " + url);
  HttpResponse r;
  try {
    r = fetcher_->get(url);
  } catch (const std::exception& e) {
    throw LoginError(502, std::string("OIDC discovery: ") + e.what());
  }
  if (r.status != 200) throw LoginError(502, "OIDC discovery: HTTP " + std::to_string(r.status));
  json doc = json::parse(r.body, nullptr, false);
  if (!doc.is_object()) throw LoginError(502, "OIDC discovery: not a JSON object");
  if (string_member(doc, "issuer") != options_.issuer)
    throw LoginError(502, "OIDC discovery: issuer '" + string_member(doc, "issuer") + "' is not '" + options_.issuer + "'");
  OidcEndpoints e;
  e.authorization_endpoint = string_member(doc, "authorization_endpoint");
  e.token_endpoint = string_member(doc, "token_endpoint");
  e.end_session_endpoint = string_member(doc, "end_session_endpoint");
  check_endpoint(e.authorization_endpoint, "authorization_endpoint");
  check_endpoint(e.token_endpoint, "token_endpoint");
  if (!e.end_session_endpoint.empty() && !jwt::fetch_url_allowed(e.end_session_endpoint, false))
    e.end_session_endpoint.clear();
  if (auto it = doc.find("authorization_response_iss_parameter_supported"); it != doc.end() && it->is_boolean())
    e.iss_parameter = it->get<bool>();
  if (auto it = doc.find("token_endpoint_auth_methods_supported"); it != doc.end() && it->is_array()) {
    bool basic = false, post = false;
    for (const auto& m : *it) {
      if (m == "client_secret_basic") basic = true;
      if (m == "client_secret_post") post = true;
    }
    e.post_auth = post && !basic;
  }
  std::lock_guard lock(mutex_);
  endpoints_ = e;
  return e;
}

std::string OidcLogin::end_session_endpoint() noexcept {
  try {
    return endpoints().end_session_endpoint;
  } catch (const std::exception&) {
    return "";
  }
}

std::string OidcLogin::state_key(const std::string& state, const std::string& browser_binding) {
  return sha256_hex(state + '\n' + browser_binding);
}

std::string OidcLogin::begin(const std::string& redirect_to, const std::string& redirect_uri,
                             const std::string& browser_binding) {
  if (!safe_redirect_target(redirect_to)) throw LoginError(400, "unsafe redirect target");
  auto ep = endpoints();
  const std::string state = base64url_encode(random_bytes(32));
  store::OAuthState s;
  s.state_hash = state_key(state, browser_binding);
  s.nonce = base64url_encode(random_bytes(32));
  s.code_verifier = base64url_encode(random_bytes(32));  // 43 characters (RFC 7636 §4.1)
  s.redirect_to = redirect_to;
  s.created_ms = util::now_ms();
  s.expires_ms = s.created_ms + std::chrono::duration_cast<std::chrono::milliseconds>(options_.state_ttl).count();
  store_.create_oauth_state(s);
  auto enc = [](const std::string& v) { return util::percent_encode(v, false); };
  std::string url = ep.authorization_endpoint;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "response_type=code&client_id=" + enc(options_.client_id) + "&redirect_uri=" + enc(redirect_uri) +
         "&scope=" + enc(options_.scope) + "&state=" + enc(state) + "&nonce=" + enc(s.nonce) +
         "&code_challenge=" + enc(pkce_challenge_s256(s.code_verifier)) + "&code_challenge_method=S256";
  return url;
}

OidcTokens OidcLogin::token_request(const std::string& form_without_client) {
  auto ep = endpoints();
  auto enc = [](const std::string& v) { return util::percent_encode(v, false); };
  std::string form = form_without_client + "&client_id=" + enc(options_.client_id);
  std::string authorization;
  if (!options_.client_secret.empty()) {
    if (ep.post_auth) {
      form += "&client_secret=" + enc(options_.client_secret);
    } else {  // RFC 6749 §2.3.1: form-encode both parts, then Basic
      authorization = "Basic " + util::base64_encode(enc(options_.client_id) + ":" + enc(options_.client_secret));
    }
  }
  HttpResponse r;
  try {
    r = fetcher_->post_form(ep.token_endpoint, form, authorization);
  } catch (const std::exception& e) {
    throw LoginError(502, std::string("token endpoint: ") + e.what());
  }
  json body = json::parse(r.body, nullptr, false);
  if (r.status != 200 || !body.is_object()) {
    std::string why = body.is_object() ? string_member(body, "error") : std::string();
    throw LoginError(502, "token endpoint: HTTP " + std::to_string(r.status) + (why.empty() ? "" : " " + why));
  }
  OidcTokens t;
  t.id_token = string_member(body, "id_token");
  t.refresh_token = string_member(body, "refresh_token");
  return t;
}

Principal OidcLogin::verify_id_token(const std::string& id_token, const std::string* nonce) {
  try {
    auto verified = verifier_->verify(id_token);
    if (nonce) {
      auto it = verified.claims.find("nonce");
      if (it == verified.claims.end() || !it->is_string() || !constant_time_equal(it->get<std::string>(), *nonce))
        throw LoginError(401, "ID token nonce does not match the login");
    }
    auto p = jwt::principal_from_claims(verified.claims, jwt::JwtBearerOptions{options_.groups_claim});
    p.method = "oidc";
    return p;
  } catch (const jwt::JwtError& e) {
    throw LoginError(401, std::string("ID token refused: ") + e.what());
  } catch (const AuthError& e) {
    throw LoginError(401, std::string("ID token refused: ") + e.what());
  }
}

LoginResult OidcLogin::complete(const std::string& code, const std::string& state,
                                const std::optional<std::string>& iss, const std::string& redirect_uri,
                                const std::string& browser_binding) {
  if (state.empty() || state.size() > 256) throw LoginError(400, "missing or malformed state");
  if (browser_binding.empty()) throw LoginError(400, "no login cookie (the login was started in another browser)");
  // Consumed before anything else: a state is good for one attempt, whatever happens next.
  auto s = store_.consume_oauth_state(state_key(state, browser_binding), util::now_ms());
  if (!s) throw LoginError(400, "unknown, used or expired login state, or another browser's");
  if (iss && *iss != options_.issuer) throw LoginError(400, "callback iss '" + *iss + "' is not our issuer (RFC 9207)");
  if (!iss && endpoints().iss_parameter) throw LoginError(400, "callback without iss (RFC 9207)");
  if (code.empty() || code.size() > 4096) throw LoginError(400, "missing or malformed code");
  if (!safe_redirect_target(s->redirect_to)) throw LoginError(400, "unsafe redirect target");
  auto enc = [](const std::string& v) { return util::percent_encode(v, false); };
  auto tokens = token_request("grant_type=authorization_code&code=" + enc(code) + "&redirect_uri=" +
                              enc(redirect_uri) + "&code_verifier=" + enc(s->code_verifier));
  if (tokens.id_token.empty()) throw LoginError(502, "token endpoint returned no id_token");
  LoginResult result;
  result.principal = verify_id_token(tokens.id_token, &s->nonce);
  result.redirect_to = s->redirect_to;
  result.tokens = std::move(tokens);
  return result;
}

std::optional<Principal> OidcLogin::refresh(const std::string& refresh_token, OidcTokens& tokens) {
  auto enc = [](const std::string& v) { return util::percent_encode(v, false); };
  tokens = token_request("grant_type=refresh_token&refresh_token=" + enc(refresh_token));
  if (tokens.refresh_token.empty()) tokens.refresh_token = refresh_token;  // not rotated
  if (tokens.id_token.empty()) return std::nullopt;
  return verify_id_token(tokens.id_token, nullptr);
}

}  // namespace sextant::auth
