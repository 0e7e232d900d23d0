#include "core/trace_correlation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sextant::core {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kJeffreysPrior = 0.5;

// MLflow's _calculate_npmi_core over the 2x2 table (both, only 1, only 2, neither).
double npmi_core(double n11, double n10, double n01, double n00, double smoothing) {
  const double s11 = n11 + smoothing, s10 = n10 + smoothing, s01 = n01 + smoothing, s00 = n00 + smoothing;
  const double n = s11 + s10 + s01 + s00;
  const double n1 = s11 + s10;
  const double n2 = s11 + s01;
  if (n1 <= 0 || n2 <= 0 || s11 <= 0) return kNaN;
  // Perfect co-occurrence, judged on the unsmoothed cells (as MLflow does, also when smoothing).
  if (n10 == 0 && n01 == 0 && n00 == 0) return 1.0;
  const double log_n11 = std::log(s11), log_n = std::log(n);
  const double pmi = (log_n11 + log_n) - (std::log(n1) + std::log(n2));
  const double npmi = pmi / -(log_n11 - log_n);
  return std::max(-1.0, std::min(1.0, npmi));
}

}  // namespace

Npmi npmi_from_counts(std::int64_t joint, std::int64_t filter1, std::int64_t filter2, std::int64_t total) {
  if (total <= 0 || filter1 == 0 || filter2 == 0) return {kNaN, kNaN};
  const std::int64_t n11 = joint, n10 = filter1 - joint, n01 = filter2 - joint, n00 = total - filter1 - filter2 + joint;
  if (std::min({n11, n10, n01, n00}) < 0) return {kNaN, kNaN};
  const auto d11 = static_cast<double>(n11), d10 = static_cast<double>(n10), d01 = static_cast<double>(n01),
             d00 = static_cast<double>(n00);
  const double unsmoothed = joint == 0 ? -1.0 : npmi_core(d11, d10, d01, d00, 0);
  return {unsmoothed, npmi_core(d11, d10, d01, d00, kJeffreysPrior)};
}

}  // namespace sextant::core
