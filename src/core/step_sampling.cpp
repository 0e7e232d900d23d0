#include "core/step_sampling.hpp"

#include <algorithm>
#include <set>

namespace sextant::core {

std::vector<std::int64_t> sample_steps(const std::vector<std::vector<std::int64_t>>& steps_per_run,
                                       std::optional<std::int64_t> start, std::optional<std::int64_t> end,
                                       std::int64_t max_results) {
  std::set<std::int64_t> all;
  for (const auto& steps : steps_per_run) all.insert(steps.begin(), steps.end());
  if (all.empty()) return {};
  std::int64_t lo = start.value_or(0), hi = end.value_or(*all.rbegin());
  std::vector<std::int64_t> in_range;
  for (auto s : all)
    if (s >= lo && s <= hi) in_range.push_back(s);
  std::set<std::int64_t> chosen;
  auto n = static_cast<std::int64_t>(in_range.size());
  if (n <= max_results) {
    chosen.insert(in_range.begin(), in_range.end());
  } else {
    for (std::int64_t i = 0; i < max_results; ++i) chosen.insert(in_range[static_cast<std::size_t>(i * n / max_results)]);
    chosen.insert(in_range.back());
  }
  // Each run's overall first and last step, kept when inside the range (as MLflow does).
  for (const auto& steps : steps_per_run) {
    if (steps.empty()) continue;
    for (auto s : {steps.front(), steps.back()})
      if (s >= lo && s <= hi) chosen.insert(s);
  }
  return {chosen.begin(), chosen.end()};
}

}  // namespace sextant::core
