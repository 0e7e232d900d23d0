// NPMI of two trace filters (core/trace_correlation); expected values computed with MLflow 3.6's
// mlflow/store/analytics/trace_correlation.py calculate_npmi_from_counts.
#include "core/trace_correlation.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>

using sextant::core::npmi_from_counts;

TEST(TraceCorrelation, MatchesMlflowValues) {
  struct Case {
    std::int64_t joint, f1, f2, total;
    double npmi, smoothed;
  };
  const Case cases[] = {
      {6, 6, 7, 10, 0.6982322877799215, 0.5404578674731575},  // test_calculate_trace_filter_correlation
      {3, 4, 3, 10, 0.7610560044063087, 0.6021516451320165},
      {10, 20, 15, 100, 0.5228787452803378, 0.5098689991831412},
      {0, 10, 10, 100, -1.0, -0.16245682945711365},
      {15, 30, 40, 100, 0.11762226590409011, 0.11583767728720501},
      {15, 40, 30, 100, 0.11762226590409011, 0.11583767728720501},
      {5, 5, 5, 10, 1.0, 0.7769392487011186},
      {0, 50, 50, 100, -1.0, -0.7393262350746991},
      {50, 50, 50, 100, 1.0, 0.971970686279842},
      // Perfect co-occurrence is judged on the unsmoothed cells, also for the smoothed value.
      {50, 50, 50, 50, 1.0, 1.0},
      {1, 1, 1, 1, 1.0, 1.0},
  };
  for (const auto& c : cases) {
    auto r = npmi_from_counts(c.joint, c.f1, c.f2, c.total);
    EXPECT_NEAR(r.npmi, c.npmi, 1e-12) << c.joint << " " << c.f1 << " " << c.f2 << " " << c.total;
    EXPECT_NEAR(r.npmi_smoothed, c.smoothed, 1e-12) << c.joint << " " << c.f1 << " " << c.f2 << " " << c.total;
  }
  // Independence: 10 of 100 in both, 20 and 50 each.
  EXPECT_LT(std::fabs(npmi_from_counts(10, 20, 50, 100).npmi), 0.01);
  EXPECT_NEAR(npmi_from_counts(25, 50, 50, 100).npmi, 0.0, 1e-12);
}

TEST(TraceCorrelation, UndefinedCasesAreNaN) {
  for (auto [joint, f1, f2, total] : {std::array<std::int64_t, 4>{0, 0, 7, 10}, {0, 0, 10, 100}, {0, 10, 0, 100},
                                     {0, 0, 0, 100}, {0, 0, 0, 0}, {0, 3, 3, 0}, {50, 30, 40, 100}, {2, 1, 1, 5}}) {
    auto r = npmi_from_counts(joint, f1, f2, total);
    EXPECT_TRUE(std::isnan(r.npmi)) << joint << " " << f1 << " " << f2 << " " << total;
    EXPECT_TRUE(std::isnan(r.npmi_smoothed));
  }
}
