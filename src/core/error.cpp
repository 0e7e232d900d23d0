#include "core/error.hpp"

namespace sextant::core {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::INTERNAL_ERROR: return "INTERNAL_ERROR";
    case ErrorCode::TEMPORARILY_UNAVAILABLE: return "TEMPORARILY_UNAVAILABLE";
    case ErrorCode::BAD_REQUEST: return "BAD_REQUEST";
    case ErrorCode::INVALID_PARAMETER_VALUE: return "INVALID_PARAMETER_VALUE";
    case ErrorCode::ENDPOINT_NOT_FOUND: return "ENDPOINT_NOT_FOUND";
    case ErrorCode::INVALID_STATE: return "INVALID_STATE";
    case ErrorCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case ErrorCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    case ErrorCode::NOT_IMPLEMENTED: return "NOT_IMPLEMENTED";
    case ErrorCode::RESOURCE_ALREADY_EXISTS: return "RESOURCE_ALREADY_EXISTS";
    case ErrorCode::RESOURCE_DOES_NOT_EXIST: return "RESOURCE_DOES_NOT_EXIST";
    case ErrorCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
  }
  return "INTERNAL_ERROR";
}

int http_status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::BAD_REQUEST:
    case ErrorCode::INVALID_PARAMETER_VALUE:
    case ErrorCode::RESOURCE_ALREADY_EXISTS: return 400;
    case ErrorCode::UNAUTHENTICATED: return 401;
    case ErrorCode::PERMISSION_DENIED: return 403;
    case ErrorCode::RESOURCE_DOES_NOT_EXIST:
    case ErrorCode::ENDPOINT_NOT_FOUND: return 404;
    case ErrorCode::RESOURCE_EXHAUSTED: return 429;
    case ErrorCode::NOT_IMPLEMENTED: return 501;
    case ErrorCode::TEMPORARILY_UNAVAILABLE: return 503;
    case ErrorCode::INTERNAL_ERROR:
    case ErrorCode::INVALID_STATE: return 500;
  }
  return 500;
}

}  // namespace sextant::core
