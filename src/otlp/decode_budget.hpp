// The decoders' and the converter's bookkeeping: the approximate size of what they build against
// a maximum (DecodeLimits::max_model_bytes; OtlpError TooLarge when exceeded). Internal to otlp/.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "otlp/otlp_error.hpp"
#include "otlp/otlp_model.hpp"

namespace sextant::otlp {

class DecodeBudget {
 public:
  explicit DecodeBudget(std::size_t max_bytes, const char* what = "decoded")
      : max_(max_bytes), what_(what) {}
  void charge(std::size_t n) {
    used_ += n;
    if (used_ > max_) {
      throw OtlpError(OtlpError::Kind::TooLarge, std::string("The OpenTelemetry request is too large once ") + what_ + ".");
    }
  }
  // Appends a default element to `items`, charged.
  template <typename T>
  T& push(std::vector<T>& items) {
    charge(sizeof(T));
    return items.emplace_back();
  }

 private:
  std::size_t max_;
  const char* what_;
  std::size_t used_ = 0;
};

}  // namespace sextant::otlp
