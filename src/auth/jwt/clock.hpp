// Injectable wall clock for token time checks and JWKS cache expiry (tests move time by hand).
#pragma once

#include <chrono>
#include <functional>

namespace sextant::auth::jwt {

using Clock = std::function<std::chrono::system_clock::time_point()>;

inline Clock system_clock() {
  return [] { return std::chrono::system_clock::now(); };
}

}  // namespace sextant::auth::jwt
