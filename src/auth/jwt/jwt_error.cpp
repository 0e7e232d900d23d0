#include "auth/jwt/jwt_error.hpp"

namespace sextant::auth::jwt {

const char* to_string(JwtFailure failure) noexcept {
  switch (failure) {
    case JwtFailure::Malformed: return "malformed token";
    case JwtFailure::DisallowedHeader: return "disallowed header";
    case JwtFailure::UnsupportedAlgorithm: return "unsupported algorithm";
    case JwtFailure::UnknownIssuer: return "unknown issuer";
    case JwtFailure::AlgorithmNotAllowed: return "algorithm not allowed for issuer";
    case JwtFailure::UnknownKey: return "unknown key";
    case JwtFailure::KeyMismatch: return "key does not fit algorithm";
    case JwtFailure::BadSignature: return "bad signature";
    case JwtFailure::Expired: return "expired";
    case JwtFailure::NotYetValid: return "not yet valid";
    case JwtFailure::IssuedInFuture: return "issued in the future";
    case JwtFailure::MissingClaim: return "missing claim";
    case JwtFailure::InvalidClaim: return "invalid claim";
    case JwtFailure::WrongAudience: return "wrong audience";
    case JwtFailure::TooLongLived: return "lifetime too long";
    case JwtFailure::KeysUnavailable: return "issuer keys unavailable";
  }
  return "invalid token";
}

}  // namespace sextant::auth::jwt
