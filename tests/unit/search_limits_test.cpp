// Unit tests for search/limits.hpp as both filter parsers apply it: clause counts, joined
// comparisons, IN-list values, input length, overflowing literals; and the name length limits.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "core/error.hpp"
#include "core/logged_model.hpp"
#include "core/registry.hpp"
#include "search/filter_parser.hpp"
#include "search/limits.hpp"
#include "search/logged_model_filter.hpp"

namespace sextant::search {
namespace {

using core::MlflowError;

std::string joined(const std::string& clause, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += (i ? " and " : "") + clause + std::to_string(i) + "'";
  return s;
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const MlflowError& e) {
    EXPECT_EQ(e.code(), core::ErrorCode::INVALID_PARAMETER_VALUE);
    return e.what();
  }
  ADD_FAILURE() << "expected an MlflowError";
  return {};
}

TEST(SearchLimits, ClauseCount) {
  std::string ok = joined("attributes.status != 'x", limits::kMaxFilterClauses);
  EXPECT_EQ(parse_filter(ok, Grammar::Runs).size(), limits::kMaxFilterClauses);
  auto msg = error_of([] { parse_filter(joined("attributes.status != 'x", 10'000), Grammar::Runs); });
  EXPECT_NE(msg.find("at most 100"), std::string::npos) << msg;
  error_of([] { parse_filter(joined("name != 'x", 101), Grammar::Experiments); });
  error_of([] { parse_filter(joined("tags.t = 'x", 101), Grammar::RegisteredModels); });
  error_of([] { parse_logged_model_filter(joined("name != 'x", 101)); });
  EXPECT_EQ(parse_logged_model_filter(joined("name != 'x", 100)).size(), 100u);
}

TEST(SearchLimits, JoinedComparisons) {
  EXPECT_EQ(parse_filter(joined("params.p = 'x", 40), Grammar::Runs).size(), 40u);
  for (const char* clause : {"params.p = 'x", "tags.t = 'x", "attributes.run_name = 'x", "`Run name` = 'x"}) {
    auto msg = error_of([&] { parse_filter(joined(clause, 41), Grammar::Runs); });
    EXPECT_NE(msg.find("at most 40"), std::string::npos) << msg;
  }
  std::string metrics;
  for (int i = 0; i < 70; ++i) metrics += (i ? " and " : "") + std::string("metrics.m") + std::to_string(i) + " > 0";
  error_of([&] { parse_filter(metrics, Grammar::Runs); });
}

TEST(SearchLimits, ListValues) {
  auto list = [](std::size_t n) {
    std::string s = "attributes.run_id IN (";
    for (std::size_t i = 0; i < n; ++i) s += (i ? ",'" : "'") + std::to_string(i) + "a'";
    return s + ")";
  };
  EXPECT_EQ(parse_filter(list(limits::kMaxListValues), Grammar::Runs).size(), 1u);
  auto msg = error_of([&] { parse_filter(list(limits::kMaxListValues + 1), Grammar::Runs); });
  EXPECT_NE(msg.find("at most 10000"), std::string::npos) << msg;
  std::string lm = "name IN (";
  for (std::size_t i = 0; i <= limits::kMaxListValues; ++i) lm += (i ? ",'" : "'") + std::to_string(i) + "'";
  error_of([&] { parse_logged_model_filter(lm + ")"); });
}

TEST(SearchLimits, Length) {
  std::string huge = "params.p = '" + std::string(limits::kMaxFilterLength, 'x') + "'";
  error_of([&] { parse_filter(huge, Grammar::Runs); });
  error_of([&] { parse_order_by(std::string(limits::kMaxFilterLength + 1, 'a'), Grammar::Runs); });
  error_of([&] { parse_logged_model_filter(huge); });
  error_of([] { limits::check_order_by_count(limits::kMaxOrderByKeys + 1); });
  EXPECT_NO_THROW(limits::check_order_by_count(limits::kMaxOrderByKeys));
}

TEST(SearchLimits, OverflowingLiterals) {
  for (const char* f : {"metrics.x > 1e999", "metrics.x < -1e999", "attributes.start_time > 99999999999999999999",
                        "attributes.end_time < -9300000000000000000"}) {
    auto msg = error_of([&] { parse_filter(f, Grammar::Runs); });
    EXPECT_NE(msg.find("out of range"), std::string::npos) << f << ": " << msg;
  }
  error_of([] { parse_filter("creation_time > 1e30", Grammar::Experiments); });
  error_of([] { parse_filter("version_number > 1e19", Grammar::ModelVersions); });
  error_of([] { parse_logged_model_filter("metrics.x > 1e999"); });
  error_of([] { parse_logged_model_filter("creation_timestamp > 99999999999999999999"); });
  // In range: still accepted (a metric may exceed int64, Python's inf by name in logged models).
  EXPECT_EQ(parse_filter("metrics.x > 1e300 and attributes.start_time > 9000000000000000000", Grammar::Runs).size(), 2u);
  EXPECT_EQ(parse_logged_model_filter("metrics.x > inf").size(), 1u);
}

TEST(NameLimits, RegisteredAndLoggedModels) {
  EXPECT_NO_THROW(core::validate_model_name_length(std::string(256, 'm'), "name"));
  EXPECT_EQ(error_of([] { core::validate_model_name_length(std::string(257, 'm'), "name"); }),
            "'name' exceeds the maximum length of 256 characters");
  EXPECT_NO_THROW(core::validate_model_name_length(std::string(256, 'm') , "new_name"));
  EXPECT_NO_THROW(core::validate_logged_model_name(std::string(500, 'm')));
  EXPECT_EQ(error_of([] { core::validate_logged_model_name(std::string(1 << 20, 'm')); }),
            "'name' exceeds the maximum length of 500 characters");
}

}  // namespace
}  // namespace sextant::search
