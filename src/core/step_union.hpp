// The sorted union of several runs' distinct metric steps, built run by run (bulk-interval
// sampling, mlflow-api.md §2.4). Pure logic; not thread-safe.
#pragma once

#include <cstdint>
#include <vector>

namespace sextant::core {

class StepUnion {
 public:
  // Whether every integer step in [first, last] is already present: then a run whose steps all
  // lie in [first, last] adds nothing, and its steps need not be read at all (runs that log every
  // step are the common case). O(log n).
  bool covers(std::int64_t first, std::int64_t last) const;
  // Merges one run's steps (ascending, distinct) in linear time.
  void add(const std::vector<std::int64_t>& steps);
  const std::vector<std::int64_t>& steps() const { return steps_; }

 private:
  std::vector<std::int64_t> steps_, scratch_;
};

}  // namespace sextant::core
