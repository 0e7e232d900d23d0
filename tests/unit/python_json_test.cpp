// util::python_json (Python's json.dumps / float repr / str) and api::model_history (the legacy
// mlflow.log-model.history tag). Expected texts are what CPython 3 prints.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "api/model_history.hpp"
#include "core/error.hpp"
#include "util/python_json.hpp"

using nlohmann::ordered_json;
using sextant::core::MlflowError;
namespace util = sextant::util;
namespace api = sextant::api;

TEST(PythonJson, FloatReprMatchesPython) {
  const std::pair<double, const char*> cases[] = {
      {1.0, "1.0"}, {1e16, "1e+16"}, {1e15, "1000000000000000.0"}, {123456789012345.6, "123456789012345.6"},
      {1.5e-5, "1.5e-05"}, {0.0001, "0.0001"}, {0.1, "0.1"}, {-2.5, "-2.5"}, {1e100, "1e+100"},
      {5e-324, "5e-324"}, {1e22, "1e+22"}, {12345678901234567890.0, "1.2345678901234567e+19"}, {-0.0, "-0.0"}};
  for (const auto& [value, text] : cases) EXPECT_EQ(util::python_float_repr(value), text) << text;
  EXPECT_EQ(util::python_float_repr(std::nan("")), "NaN");
  EXPECT_EQ(util::python_float_repr(std::numeric_limits<double>::infinity()), "Infinity");
  EXPECT_EQ(util::python_float_repr(-std::numeric_limits<double>::infinity()), "-Infinity");
}

TEST(PythonJson, DumpsKeepsOrderSeparatorsAndEnsuresAscii) {
  auto v = ordered_json::parse(R"({"b":1,"a":[1,2.0,"x\u00e9\ud83d\ude00\u007f\n\"\\/"],"c":null,"d":true})");
  EXPECT_EQ(util::python_json_dumps(v), R"({"b": 1, "a": [1, 2.0, "x\u00e9\ud83d\ude00\u007f\n\"\\/"], "c": null, "d": true})");
  EXPECT_EQ(util::python_json_dumps(ordered_json::array()), "[]");
  EXPECT_EQ(util::python_json_dumps(ordered_json::object()), "{}");
  // json.dumps(v, indent=2)
  auto nested = ordered_json::parse(R"({"inputs": {"inputs": ["v", 1.0]}, "e": [], "o": {}})");
  EXPECT_EQ(util::python_json_dumps(nested, 2),
            "{\n  \"inputs\": {\n    \"inputs\": [\n      \"v\",\n      1.0\n    ]\n  },\n  \"e\": [],\n  \"o\": {}\n}");
}

TEST(PythonJson, StrOfScalars) {
  EXPECT_EQ(util::python_str(ordered_json("a")), "a");
  EXPECT_EQ(util::python_str(ordered_json(true)), "True");
  EXPECT_EQ(util::python_str(ordered_json(nullptr)), "None");
  EXPECT_EQ(util::python_str(ordered_json(0.1)), "0.1");
  EXPECT_EQ(util::python_str(ordered_json(-7)), "-7");
  EXPECT_FALSE(util::python_str(ordered_json::array()).has_value());
}

TEST(ModelHistory, EntryAsModelGetTagsDict) {
  auto e = api::logged_model_entry(
      R"({"flavors": {"pyfunc": {"config": {"x": 1}, "loader_module": "m"}, "other": 3}, "utc_time_created": "t",
          "artifact_path": "model", "run_id": "r1", "model_uuid": "u", "extra": 1})",
      "now");
  EXPECT_EQ(util::python_json_dumps(e),
            R"({"run_id": "r1", "artifact_path": "model", "utc_time_created": "t", "model_uuid": "u", )"
            R"("flavors": {"pyfunc": {"loader_module": "m"}, "other": 3}})");
  // null run_id/artifact_path dropped, falsy time -> now, no model_uuid -> null, null flavors -> {}.
  e = api::logged_model_entry(R"({"flavors": null, "utc_time_created": 0, "artifact_path": null, "run_id": null})", "now");
  EXPECT_EQ(util::python_json_dumps(e), R"({"utc_time_created": "now", "model_uuid": null, "flavors": {}})");
  e = api::logged_model_entry(R"({"flavors": {}, "utc_time_created": 1.5, "artifact_path": "a", "run_id": "r"})", "now");
  EXPECT_EQ(e["utc_time_created"], "1.5");
}

TEST(ModelHistory, RefusesAsMlflow) {
  auto message = [](const char* model_json) {
    try {
      api::logged_model_entry(model_json, "now");
    } catch (const MlflowError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(message("{nope"), "Malformed model info. \n {nope \n is not a valid JSON.");
  EXPECT_EQ(message("[1]"), "Malformed model info. \n [1] \n is not a JSON object.");
  EXPECT_EQ(message(R"({"flavors": {}})"),
            "Model json is missing mandatory fields: {'artifact_path', 'run_id', 'utc_time_created'}");
  EXPECT_EQ(message(R"({"flavors": [], "utc_time_created": "t", "artifact_path": "a", "run_id": "r"})"),
            "Model json field 'flavors' must be a JSON object.");
}

TEST(ModelHistory, AppendsAndBoundsTheTag) {
  ordered_json entry = {{"run_id", "r"}, {"flavors", ordered_json::object()}};
  auto first = api::appended_model_history(std::nullopt, entry);
  EXPECT_EQ(first, R"([{"run_id": "r", "flavors": {}}])");
  EXPECT_EQ(api::appended_model_history(first, entry), R"([{"run_id": "r", "flavors": {}}, {"run_id": "r", "flavors": {}}])");
  // A previous value written by another client in compact form is re-serialised as Python would.
  EXPECT_EQ(api::appended_model_history(R"([{"b":1.0,"a":"\u00e9"}])", entry),
            R"([{"b": 1.0, "a": "\u00e9"}, {"run_id": "r", "flavors": {}}])");
  EXPECT_THROW(api::appended_model_history(std::string("{}"), entry), MlflowError);
  EXPECT_THROW(api::appended_model_history(std::string("not json"), entry), MlflowError);
  ordered_json big = {{"run_id", std::string(7990, 'x')}};
  EXPECT_THROW(api::appended_model_history(std::nullopt, big), MlflowError);
}

TEST(ModelHistory, PythonUtcTimestamp) {
  EXPECT_EQ(api::python_utc_timestamp(1796677489123456), "2026-12-07 21:04:49.123456");
  EXPECT_EQ(api::python_utc_timestamp(1796677489000000), "2026-12-07 21:04:49");
}
