// Version strings. kMlflowApiVersion is what /version reports to MLflow clients.
#pragma once

namespace sextant {
inline constexpr const char* kSextantVersion = "0.1.0";
inline constexpr const char* kMlflowApiVersion = "3.6.0";
}  // namespace sextant
