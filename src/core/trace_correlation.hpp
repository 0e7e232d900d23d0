// NPMI (normalised pointwise mutual information) of two trace filters from their counts, as
// MLflow's CalculateTraceFilterCorrelation computes it (mlflow/store/analytics/
// trace_correlation.py, calculate_npmi_from_counts). Pure.
#pragma once

#include <cstdint>

namespace sextant::core {

struct Npmi {
  double npmi;           // unsmoothed; -1 when the filters never co-occur; NaN when undefined
  double npmi_smoothed;  // with the Jeffreys prior (0.5 added to each cell); NaN when undefined
};

// NaN for both when total <= 0, either filter matches nothing, or the counts are inconsistent
// (a cell of the 2x2 table negative). Values are clamped to [-1, 1].
Npmi npmi_from_counts(std::int64_t joint, std::int64_t filter1, std::int64_t filter2, std::int64_t total);

}  // namespace sextant::core
