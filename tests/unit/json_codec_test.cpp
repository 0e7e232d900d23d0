// Unit tests for api/json_codec: the directly written metric list is the text the JSON tree gives.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "api/json_codec.hpp"

namespace sextant::api {
namespace {

std::string tree_text(const std::vector<core::Metric>& metrics) {
  nlohmann::json out = nlohmann::json::object();
  if (!metrics.empty()) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& m : metrics) arr.push_back(to_json(m));
    out["metrics"] = std::move(arr);
  }
  return out.dump();
}

TEST(MetricsJsonText, MatchesTheJsonTree) {
  std::vector<core::Metric> ms;
  auto add = [&](std::string key, double v, std::int64_t ts, std::int64_t step, std::string run) {
    core::Metric m;
    m.key = std::move(key);
    m.value = v;
    m.timestamp = ts;
    m.step = step;
    m.run_id = std::move(run);
    ms.push_back(std::move(m));
  };
  add("loss", 0.5, 1700000000000, 0, "a1");
  add("loss", 1.0, 1700000000001, 1, "a1");  // integral doubles keep their ".0"
  add("loss", std::nan(""), 2, -3, "b2");
  add("loss", std::numeric_limits<double>::infinity(), 3, 4, "b2");
  add("loss", -std::numeric_limits<double>::infinity(), 3, 5, "");
  add("we\"ird\\key\n<é>", 1e300, -1, std::numeric_limits<std::int64_t>::max(), "c\"3");
  add("x", -0.0, 0, std::numeric_limits<std::int64_t>::min(), "c\"3");
  add("x", 123456789.125e-20, 0, 0, "a1");
  core::Metric logged;
  logged.key = "acc";
  logged.value = 0.25;
  logged.model_id = "m-1";
  logged.dataset_name = "ds";
  ms.push_back(logged);
  EXPECT_EQ(metrics_json_text(ms), tree_text(ms));
  EXPECT_EQ(metrics_json_text({}), "{}");
  EXPECT_EQ(metrics_json_text({}), tree_text({}));
}

}  // namespace
}  // namespace sextant::api
