// Step sampling of GetMetricHistoryBulkInterval (mlflow-api.md §2.4). Pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace sextant::core {

inline constexpr std::int64_t kMaxSampledSteps = 2500;

// `steps_per_run`: each run's distinct logged steps, ascending. Returns the sorted set of steps
// to return: the distinct steps within [start, end] (default [0, max step]) sampled down to
// max_results at evenly spaced indices (always keeping the last), plus each run's min and max
// step when they lie within the range.
std::vector<std::int64_t> sample_steps(const std::vector<std::vector<std::int64_t>>& steps_per_run,
                                       std::optional<std::int64_t> start, std::optional<std::int64_t> end,
                                       std::int64_t max_results);

}  // namespace sextant::core
