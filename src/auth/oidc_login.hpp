// The browser login with an OpenID Connect provider: authorization code flow with PKCE S256,
// state and nonce (kept server-side in sextant_oauth_states, single use, short expiry), RFC 9207
// `iss` when the provider sends it, the ID token verified by the JwtVerifier (issuer =
// --oidc-issuer-url, audience = --client-id) and mapped to a Principal exactly as bearer JWTs
// are (principal_from_claims). Discovery, token exchange and refresh go through HttpFetcher
// (https, or http to loopback; timeouts and size limits). The access rules and the session are
// the caller's business (api/sextant_auth_api.cpp). Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "auth/http_fetcher.hpp"
#include "auth/jwt/jwt_verifier.hpp"
#include "auth/principal.hpp"
#include "store/auth_store.hpp"

namespace sextant::auth {

// True when `target` (already percent-decoded once) is a same-origin path that is safe to put in
// a Location header: starts with a single '/', no '\', no control characters or spaces, no
// second encoded layer of '/' or '\' (%2F, %5C) or of control characters, at most 2048 bytes.
bool safe_redirect_target(std::string_view target) noexcept;

// RFC 7636 S256: base64url(SHA-256(verifier)) without padding.
std::string pkce_challenge_s256(std::string_view verifier);

// A login that cannot go on: `status` is what the browser gets (400 bad request/state, 401 ID
// token refused, 502 provider unreachable or failing). `what()` is for logs only.
class LoginError : public std::runtime_error {
 public:
  LoginError(int status, const std::string& reason) : std::runtime_error(reason), status_(status) {}
  int status() const noexcept { return status_; }

 private:
  int status_;
};

struct OidcLoginOptions {
  std::string issuer;                // --oidc-issuer-url (exact)
  std::string client_id;             // --client-id
  std::string client_secret;         // --client-secret(-file); "" = public client (PKCE only)
  std::string scope = "openid email profile";
  std::string groups_claim = "groups";
  std::chrono::seconds state_ttl{600};
};

struct OidcEndpoints {
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string end_session_endpoint;  // "" when the provider has none
  bool post_auth = false;            // client_secret_post instead of client_secret_basic
  bool iss_parameter = false;        // authorization_response_iss_parameter_supported (RFC 9207)
};

struct OidcTokens {
  std::string id_token;              // may be empty for refresh responses
  std::string refresh_token;
};

struct LoginResult {
  Principal principal;               // method "oidc", from the verified ID token
  std::string redirect_to;           // the same-origin path from /auth/login?rd=
  OidcTokens tokens;
};

class OidcLogin {
 public:
  OidcLogin(OidcLoginOptions options, store::AuthStore& store, std::shared_ptr<HttpFetcher> fetcher,
            std::shared_ptr<const jwt::JwtVerifier> verifier);

  // Creates a login state for `redirect_to` (must satisfy safe_redirect_target) and returns the
  // provider's authorization URL for the browser. `redirect_uri` is our callback URL.
  // `browser_binding` is a random value the caller also gives the browser (a login cookie): the
  // state is stored under SHA-256(state, binding), so a callback only works in the browser that
  // started the login (no login CSRF: an attacker cannot make a victim complete the attacker's
  // login).
  std::string begin(const std::string& redirect_to, const std::string& redirect_uri,
                    const std::string& browser_binding);
  // The callback: consumes the state, checks `iss` (RFC 9207: required when the provider says it
  // sends it), exchanges the code with the PKCE verifier and verifies the ID token and its nonce.
  // Throws LoginError.
  LoginResult complete(const std::string& code, const std::string& state, const std::optional<std::string>& iss,
                       const std::string& redirect_uri, const std::string& browser_binding);
  // The key a state is stored under (sextant_oauth_states.state_hash).
  static std::string state_key(const std::string& state, const std::string& browser_binding);
  // A refresh_token grant; the new ID token (if any) is verified (no nonce). Throws LoginError.
  std::optional<Principal> refresh(const std::string& refresh_token, OidcTokens& tokens);
  // The provider's end_session_endpoint ("" when none or discovery fails).
  std::string end_session_endpoint() noexcept;

  const OidcLoginOptions& options() const noexcept { return options_; }
  // Discovery of <issuer>/.well-known/openid-configuration, cached after the first success.
  OidcEndpoints endpoints();

 private:
  OidcTokens token_request(const std::string& form);
  Principal verify_id_token(const std::string& id_token, const std::string* nonce);

  OidcLoginOptions options_;
  store::AuthStore& store_;
  std::shared_ptr<HttpFetcher> fetcher_;
  std::shared_ptr<const jwt::JwtVerifier> verifier_;
  std::mutex mutex_;
  std::optional<OidcEndpoints> endpoints_;
};

}  // namespace sextant::auth
