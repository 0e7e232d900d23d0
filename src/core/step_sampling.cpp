#include "core/step_sampling.hpp"

#include <algorithm>

#include "core/step_union.hpp"

namespace sextant::core {

std::vector<std::int64_t> sample_steps(const std::vector<std::int64_t>& in_range_steps, const std::vector<StepSpan>& spans,
                                       std::optional<std::int64_t> start, std::optional<std::int64_t> end,
                                       std::int64_t max_results) {
  if (spans.empty()) return {};
  std::int64_t lo = start.value_or(0), hi = end.value_or(spans.front().last);
  if (!end)
    for (const auto& s : spans) hi = std::max(hi, s.last);
  auto first = std::lower_bound(in_range_steps.begin(), in_range_steps.end(), lo);
  auto last = std::upper_bound(first, in_range_steps.end(), hi);
  std::vector<std::int64_t> chosen;
  auto n = static_cast<std::int64_t>(last - first);
  if (n <= max_results) {
    chosen.assign(first, last);
  } else {
    chosen.reserve(static_cast<std::size_t>(max_results) + 1 + 2 * spans.size());
    // MLflow's arithmetic exactly: index = int(i * (n / max_results)) in doubles.
    const double interval = static_cast<double>(n) / static_cast<double>(max_results);
    for (std::int64_t i = 0; i < max_results; ++i)
      chosen.push_back(first[static_cast<std::ptrdiff_t>(static_cast<double>(i) * interval)]);
    chosen.push_back(last[-1]);
  }
  // Each run's overall first and last step, kept when inside the range (as MLflow does).
  for (const auto& s : spans)
    for (auto step : {s.first, s.last})
      if (step >= lo && step <= hi) chosen.push_back(step);
  std::sort(chosen.begin(), chosen.end());
  chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
  return chosen;
}

std::vector<std::int64_t> sample_steps(const std::vector<std::vector<std::int64_t>>& steps_per_run,
                                       std::optional<std::int64_t> start, std::optional<std::int64_t> end,
                                       std::int64_t max_results) {
  StepUnion all;
  std::vector<StepSpan> spans;
  for (const auto& steps : steps_per_run) {
    if (steps.empty()) continue;
    all.add(steps);
    spans.push_back({steps.front(), steps.back()});
  }
  return sample_steps(all.steps(), spans, start, end, max_results);
}

}  // namespace sextant::core
