// The one error type that travels from any layer up to the HTTP layer, where it is turned into
// MLflow's error JSON {"error_code": NAME, "message": ...} and the matching HTTP status.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace sextant::core {

enum class ErrorCode {
  INTERNAL_ERROR,
  TEMPORARILY_UNAVAILABLE,
  BAD_REQUEST,
  INVALID_PARAMETER_VALUE,
  ENDPOINT_NOT_FOUND,
  INVALID_STATE,
  PERMISSION_DENIED,
  UNAUTHENTICATED,
  NOT_IMPLEMENTED,
  RESOURCE_ALREADY_EXISTS,
  RESOURCE_DOES_NOT_EXIST,
  RESOURCE_EXHAUSTED,
};

// Name as emitted on the wire, e.g. "INVALID_PARAMETER_VALUE".
std::string_view error_code_name(ErrorCode code);
// HTTP status MLflow uses for the code (mlflow-api.md §1.4).
int http_status_for(ErrorCode code);

class MlflowError : public std::runtime_error {
 public:
  MlflowError(ErrorCode code, std::string message)
      : std::runtime_error(std::move(message)), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

// Shorthands for the common codes.
[[noreturn]] inline void throw_invalid(std::string message) {
  throw MlflowError(ErrorCode::INVALID_PARAMETER_VALUE, std::move(message));
}
[[noreturn]] inline void throw_not_found(std::string message) {
  throw MlflowError(ErrorCode::RESOURCE_DOES_NOT_EXIST, std::move(message));
}

}  // namespace sextant::core
