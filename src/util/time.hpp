// Wall-clock time in Unix epoch milliseconds, as MLflow stores it.
#pragma once

#include <chrono>
#include <cstdint>

namespace sextant::util {

inline std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace sextant::util
