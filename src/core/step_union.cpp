#include "core/step_union.hpp"

#include <algorithm>
#include <iterator>

namespace sextant::core {

bool StepUnion::covers(std::int64_t first, std::int64_t last) const {
  if (first > last) return true;
  auto lo = std::lower_bound(steps_.begin(), steps_.end(), first);
  if (lo == steps_.end() || *lo != first) return false;
  // Distinct sorted integers: [first, last] is all there iff `last` sits (last - first) places on.
  auto offset = static_cast<std::uint64_t>(last) - static_cast<std::uint64_t>(first);
  auto available = static_cast<std::uint64_t>(steps_.end() - lo) - 1;
  return offset <= available && lo[static_cast<std::ptrdiff_t>(offset)] == last;
}

void StepUnion::add(const std::vector<std::int64_t>& steps) {
  if (steps.empty()) return;
  if (steps_.empty()) {
    steps_ = steps;
    return;
  }
  if (steps == steps_) return;
  scratch_.clear();
  scratch_.reserve(steps_.size() + steps.size());
  std::set_union(steps_.begin(), steps_.end(), steps.begin(), steps.end(), std::back_inserter(scratch_));
  steps_.swap(scratch_);
}

}  // namespace sextant::core
