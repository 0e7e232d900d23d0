#include "auth/jwt/jwt_verifier.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "auth/jwt/jws.hpp"
#include "auth/jwt/jwt_error.hpp"

namespace sextant::auth::jwt {
namespace {

using nlohmann::json;

void check_header(const json& h) {
  for (const char* name : {"jku", "x5u", "jwk"})
    if (h.contains(name)) throw JwtError(JwtFailure::DisallowedHeader, std::string("header \"") + name + "\"");
  if (h.contains("crit")) throw JwtError(JwtFailure::DisallowedHeader, "header \"crit\" (no extensions are supported)");
  if (auto b64 = h.find("b64"); b64 != h.end() && *b64 != true)
    throw JwtError(JwtFailure::DisallowedHeader, "header \"b64\"");
  if (auto kid = h.find("kid"); kid != h.end() && !kid->is_string())
    throw JwtError(JwtFailure::Malformed, "header \"kid\" is not a string");
  for (const char* name : {"typ", "cty"})
    if (auto v = h.find(name); v != h.end() && !v->is_string())
      throw JwtError(JwtFailure::Malformed, std::string("header \"") + name + "\" is not a string");
  if (auto cty = h.find("cty"); cty != h.end()) {
    std::string v = cty->get<std::string>();
    for (auto& c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (v == "JWT") throw JwtError(JwtFailure::DisallowedHeader, "nested JWT (cty JWT)");
  }
}

JwsAlgorithm header_algorithm(const json& h) {
  auto alg = h.find("alg");
  if (alg == h.end() || !alg->is_string()) throw JwtError(JwtFailure::Malformed, "header without string \"alg\"");
  auto parsed = parse_algorithm(alg->get_ref<const std::string&>());
  if (!parsed) throw JwtError(JwtFailure::UnsupportedAlgorithm, "alg \"" + alg->get<std::string>() + "\"");
  return *parsed;
}

// A NumericDate claim (RFC 7519 §2) as seconds; nullopt when absent.
std::optional<double> numeric_date(const json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if (!it->is_number()) throw JwtError(JwtFailure::InvalidClaim, std::string("\"") + name + "\" is not a number");
  return it->get<double>();
}

}  // namespace

JwtVerifier::JwtVerifier(std::vector<IssuerConfig> issuers, std::shared_ptr<KeyProvider> keys, VerifierOptions options)
    : issuers_(std::move(issuers)), keys_(std::move(keys)), options_(std::move(options)) {
  if (!keys_) throw std::invalid_argument("JwtVerifier needs a KeyProvider");
  if (!options_.clock) options_.clock = system_clock();
  if (options_.leeway.count() < 0) throw std::invalid_argument("JWT leeway must not be negative");
  for (std::size_t i = 0; i < issuers_.size(); ++i) {
    const auto& c = issuers_[i];
    if (c.issuer.empty()) throw std::invalid_argument("JWT issuer without a name");
    if (c.audiences.empty() || std::any_of(c.audiences.begin(), c.audiences.end(), [](auto& a) { return a.empty(); }))
      throw std::invalid_argument("JWT issuer " + c.issuer + " needs at least one non-empty audience");
    for (std::size_t j = 0; j < i; ++j)
      if (issuers_[j].issuer == c.issuer) throw std::invalid_argument("JWT issuer " + c.issuer + " given twice");
  }
}

const IssuerConfig* JwtVerifier::find_issuer(const std::string& iss) const noexcept {
  for (const auto& c : issuers_)
    if (c.issuer == iss) return &c;
  return nullptr;
}

VerifiedJwt JwtVerifier::verify(std::string_view token) const {
  CompactJws jws = parse_compact_jws(token);
  check_header(jws.header);
  const JwsAlgorithm alg = header_algorithm(jws.header);

  auto iss = jws.payload.find("iss");
  if (iss == jws.payload.end()) throw JwtError(JwtFailure::MissingClaim, "\"iss\"");
  if (!iss->is_string()) throw JwtError(JwtFailure::InvalidClaim, "\"iss\" is not a string");
  const IssuerConfig* issuer = find_issuer(iss->get<std::string>());
  if (!issuer) throw JwtError(JwtFailure::UnknownIssuer, "\"" + iss->get<std::string>() + "\"");
  if (!issuer->algorithms.empty() &&
      std::find(issuer->algorithms.begin(), issuer->algorithms.end(), alg) == issuer->algorithms.end())
    throw JwtError(JwtFailure::AlgorithmNotAllowed, std::string(algorithm_name(alg)) + " for " + issuer->issuer);

  const auto kid_it = jws.header.find("kid");
  const bool has_kid = kid_it != jws.header.end();
  const std::string kid = has_kid ? kid_it->get<std::string>() : std::string();

  // Candidates: every key with the token's kid; without a kid, every key usable for alg.
  auto candidates = [&](const KeySet& set) {
    std::vector<const Jwk*> out;
    for (const auto& k : set)
      if (has_kid ? k.kid == kid : key_usable_for(k, alg)) out.push_back(&k);
    return out;
  };
  std::shared_ptr<const KeySet> set = keys_->keys(*issuer);
  auto found = candidates(*set);
  if (found.empty()) {
    set = keys_->refresh(*issuer, set);
    found = candidates(*set);
  }
  if (found.empty())
    throw JwtError(JwtFailure::UnknownKey, has_kid ? "no key with kid \"" + kid + "\"" : "no key for " + std::string(algorithm_name(alg)));
  if (!has_kid && found.size() > 1)
    throw JwtError(JwtFailure::UnknownKey, "token without kid and " + std::to_string(found.size()) + " possible keys");

  const Jwk* verified_by = nullptr;
  bool any_usable = false;
  for (const Jwk* k : found) {
    if (!key_usable_for(*k, alg)) continue;
    any_usable = true;
    if (verify_signature(alg, k->key.get(), jws.signing_input, jws.signature)) {
      verified_by = k;
      break;
    }
  }
  if (!any_usable)
    throw JwtError(JwtFailure::KeyMismatch, "key \"" + kid + "\" cannot verify " + std::string(algorithm_name(alg)));
  if (!verified_by) throw JwtError(JwtFailure::BadSignature, std::string(algorithm_name(alg)) + " signature invalid");

  check_claims(jws.payload, *issuer);
  VerifiedJwt out;
  out.header = std::move(jws.header);
  out.claims = std::move(jws.payload);
  out.issuer = issuer;
  out.algorithm = alg;
  out.kid = verified_by->kid;
  return out;
}

void JwtVerifier::check_claims(const json& claims, const IssuerConfig& issuer) const {
  const double now = std::chrono::duration<double>(options_.clock().time_since_epoch()).count();
  const double leeway = static_cast<double>(options_.leeway.count());

  const auto exp = numeric_date(claims, "exp");
  if (!exp) throw JwtError(JwtFailure::MissingClaim, "\"exp\"");
  if (now - leeway >= *exp) throw JwtError(JwtFailure::Expired, "exp " + std::to_string(static_cast<long long>(*exp)));
  if (const auto nbf = numeric_date(claims, "nbf"); nbf && now + leeway < *nbf)
    throw JwtError(JwtFailure::NotYetValid, "nbf " + std::to_string(static_cast<long long>(*nbf)));
  const auto iat = numeric_date(claims, "iat");
  if (iat && now + leeway < *iat)
    throw JwtError(JwtFailure::IssuedInFuture, "iat " + std::to_string(static_cast<long long>(*iat)));
  if (const auto max = static_cast<double>(issuer.max_lifetime.count()); max > 0 && *exp - iat.value_or(now) > max + leeway) {
    throw JwtError(JwtFailure::TooLongLived, "lives " + std::to_string(static_cast<long long>(*exp - iat.value_or(now))) +
                                                 " s, more than the issuer's maximum " + std::to_string(issuer.max_lifetime.count()) + " s");
  }

  auto aud = claims.find("aud");
  if (aud == claims.end()) throw JwtError(JwtFailure::MissingClaim, "\"aud\"");
  auto accepted = [&](const json& value) {
    return std::find(issuer.audiences.begin(), issuer.audiences.end(), value.get_ref<const std::string&>()) !=
           issuer.audiences.end();
  };
  bool ok = false;
  if (aud->is_string()) {
    ok = accepted(*aud);
  } else if (aud->is_array()) {
    for (const auto& a : *aud) {
      if (!a.is_string()) throw JwtError(JwtFailure::InvalidClaim, "\"aud\" has a non-string member");
      ok = ok || accepted(a);
    }
  } else {
    throw JwtError(JwtFailure::InvalidClaim, "\"aud\" is neither a string nor an array");
  }
  if (!ok) throw JwtError(JwtFailure::WrongAudience, "no accepted audience in \"aud\"");
}

}  // namespace sextant::auth::jwt
