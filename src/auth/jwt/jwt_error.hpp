// Why a JWT was refused. The verifier throws JwtError; the authenticator turns it into AuthError
// (clients only ever see a generic 401), and tests assert on failure() to know which check fired.
#pragma once

#include <stdexcept>
#include <string>

namespace sextant::auth::jwt {

enum class JwtFailure {
  Malformed,             // not compact JWS, bad base64url, not JSON objects, duplicate members
  DisallowedHeader,      // jku / x5u / jwk / crit / b64 / nested (cty JWT)
  UnsupportedAlgorithm,  // none, HS*, or anything we do not implement
  UnknownIssuer,         // `iss` is not a configured issuer
  AlgorithmNotAllowed,   // supported, but not in the issuer's allowed list
  UnknownKey,            // no key with the token's kid (after the refetch the cool-down permits)
  KeyMismatch,           // key found but its type / curve / declared alg does not fit the token's alg
  BadSignature,
  Expired,
  NotYetValid,
  IssuedInFuture,
  MissingClaim,
  InvalidClaim,          // a claim of the wrong JSON type
  WrongAudience,
  TooLongLived,          // exp - iat (or exp - now without iat) beyond the issuer's max_lifetime
  KeysUnavailable,       // the issuer's JWKS could not be fetched and nothing is cached
};

const char* to_string(JwtFailure failure) noexcept;

class JwtError : public std::runtime_error {
 public:
  JwtError(JwtFailure failure, const std::string& detail)
      : std::runtime_error(std::string(to_string(failure)) + ": " + detail), failure_(failure) {}
  JwtFailure failure() const noexcept { return failure_; }

 private:
  JwtFailure failure_;
};

}  // namespace sextant::auth::jwt
