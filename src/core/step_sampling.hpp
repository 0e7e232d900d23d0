// Step sampling of GetMetricHistoryBulkInterval (mlflow-api.md §2.4). Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace sextant::core {

inline constexpr std::int64_t kMaxSampledSteps = 2500;

// A run's first and last logged step of one metric key.
struct StepSpan {
  std::int64_t first = 0, last = 0;
};

// The sorted set of steps a request returns: the runs' distinct steps within [start, end]
// (default [0, the largest last step]) sampled down to max_results at evenly spaced indices
// (always keeping the last), plus each run's first and last step when they lie within the range.
// `in_range_steps`: the union of the runs' steps, ascending and distinct, holding at least every
// step within the range (others are ignored); `spans`: one per run that has the key.
std::vector<std::int64_t> sample_steps(const std::vector<std::int64_t>& in_range_steps, const std::vector<StepSpan>& spans,
                                       std::optional<std::int64_t> start, std::optional<std::int64_t> end,
                                       std::int64_t max_results);

// The same from each run's full list of distinct steps (ascending).
std::vector<std::int64_t> sample_steps(const std::vector<std::vector<std::int64_t>>& steps_per_run,
                                       std::optional<std::int64_t> start, std::optional<std::int64_t> end,
                                       std::int64_t max_results);

}  // namespace sextant::core
