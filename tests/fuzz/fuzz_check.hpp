// The invariant checks of the fuzz targets: a violated invariant prints what broke and aborts,
// which libFuzzer reports as a crash (and saves the input).
#pragma once

#include <cstdio>
#include <cstdlib>

#include "core/error.hpp"

#define FUZZ_CHECK(condition)                                                                   \
  do {                                                                                          \
    if (!(condition)) {                                                                         \
      std::fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                             \
    }                                                                                           \
  } while (0)

// Runs `parse`; true when it refused the input the documented way (MlflowError with
// INVALID_PARAMETER_VALUE, a 400). Any other exception escapes and fails the run.
template <typename F>
bool refused_as_invalid(F&& parse) {
  try {
    parse();
    return false;
  } catch (const sextant::core::MlflowError& e) {
    FUZZ_CHECK(e.code() == sextant::core::ErrorCode::INVALID_PARAMETER_VALUE);
    return true;
  }
}
