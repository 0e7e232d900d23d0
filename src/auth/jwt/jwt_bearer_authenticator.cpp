#include "auth/jwt/jwt_bearer_authenticator.hpp"

#include <cctype>
#include <stdexcept>

#include "auth/jwt/jws.hpp"
#include "auth/jwt/jwt_error.hpp"

namespace sextant::auth::jwt {
namespace {

using nlohmann::json;

AuthError unauthenticated(const std::string& reason) {
  return AuthError(AuthError::Kind::Unauthenticated, "jwt: " + reason);
}

const json* find_claim(const json& claims, const std::string& name) {
  if (auto it = claims.find(name); it != claims.end()) return &*it;
  if (name.find('.') == std::string::npos) return nullptr;
  const json* node = &claims;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    if (!node->is_object()) return nullptr;
    auto it = node->find(name.substr(start, dot - start));
    if (it == node->end()) return nullptr;
    node = &*it;
    start = dot + 1;
  }
  return node;
}

std::string optional_string_claim(const json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || it->is_null()) return {};
  if (!it->is_string()) throw unauthenticated(std::string("claim \"") + name + "\" is not a string");
  return it->get<std::string>();
}

}  // namespace

std::optional<std::string_view> bearer_token(std::string_view authorization) noexcept {
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return std::nullopt;
  if (authorization[kScheme.size()] != ' ') return std::nullopt;
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

Principal principal_from_claims(const json& claims, const JwtBearerOptions& options) {
  Principal p;
  p.method = "jwt";
  p.issuer = optional_string_claim(claims, "iss");
  p.groups_issuer = p.issuer;
  p.email = optional_string_claim(claims, "email");
  const std::string sub = optional_string_claim(claims, "sub");
  p.username = !p.email.empty() ? p.email : sub;
  if (p.username.empty()) throw unauthenticated("token has neither \"email\" nor \"sub\"");
  if (auto v = claims.find("email_verified"); v != claims.end())
    p.email_verified = (v->is_boolean() && v->get<bool>()) || (v->is_string() && v->get<std::string>() == "true");
  if (const json* groups = find_claim(claims, options.groups_claim)) {
    if (groups->is_string()) {
      p.groups.push_back(groups->get<std::string>());
    } else if (groups->is_array()) {
      for (const auto& g : *groups)
        if (g.is_string()) p.groups.push_back(g.get<std::string>());
    }
  }
  return p;
}

JwtBearerAuthenticator::JwtBearerAuthenticator(std::shared_ptr<const JwtVerifier> verifier, JwtBearerOptions options)
    : verifier_(std::move(verifier)), options_(std::move(options)) {
  if (!verifier_) throw std::invalid_argument("JwtBearerAuthenticator needs a JwtVerifier");
}

std::optional<Principal> JwtBearerAuthenticator::authenticate(const RequestCredentials& request) {
  const auto token = bearer_token(request.authorization);
  if (!token || !looks_like_compact_jws(*token)) return std::nullopt;
  try {
    const VerifiedJwt verified = verifier_->verify(*token);
    return principal_from_claims(verified.claims, options_);
  } catch (const JwtError& e) {
    throw unauthenticated(e.what());
  }
}

}  // namespace sextant::auth::jwt
