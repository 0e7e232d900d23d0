// api::assessment_json: the Assessment message as MLflow 3.6 reads and prints it (expected texts
// are what MLflow's protobuf and json.dumps print).
#include <gtest/gtest.h>

#include "api/assessment_json.hpp"
#include "core/error.hpp"
#include "core/validation.hpp"

using nlohmann::json;
using sextant::core::MlflowError;
namespace api = sextant::api;

TEST(AssessmentJson, FeedbackRoundTripsAsMlflowStoresIt) {
  auto a = api::assessment_from_json(json::parse(R"({
      "assessment_name": "quality", "traceId": "tr-1", "span_id": "",
      "source": {"source_type": "human", "source_id": "me@x"},
      "create_time": "2025-04-15T08:49:18.699Z",
      "feedback": {"value": {"rating": 4, "tags": [1, "x", true, null]},
                   "error": {"error_code": "E", "error_message": ""}},
      "rationale": "why", "metadata": {"mlflow.assessment.sourceRunId": "r1", "k": "v"},
      "overrides": "", "valid": false, "unknown": 1})"));
  EXPECT_EQ(a.assessment_type, "feedback");
  EXPECT_EQ(a.value, R"({"rating": 4.0, "tags": [1.0, "x", true, null]})");
  EXPECT_EQ(a.error, R"({"error_code": "E", "error_message": null, "stack_trace": null})");
  EXPECT_EQ(a.trace_id, "tr-1");
  EXPECT_FALSE(a.span_id.has_value());
  EXPECT_FALSE(a.overrides.has_value());
  EXPECT_EQ(a.source.source_type, "HUMAN");
  EXPECT_EQ(a.created_timestamp, 1744706958699);
  EXPECT_EQ(a.last_updated_timestamp, 0);
  EXPECT_EQ(a.run_id, "r1");
  EXPECT_EQ(a.metadata, R"({"k": "v", "mlflow.assessment.sourceRunId": "r1"})");
  EXPECT_FALSE(a.valid);

  a.assessment_id = "a-1";
  a.last_updated_timestamp = 1000;
  a.valid = true;
  json out = api::assessment_to_json(a);
  EXPECT_EQ(out.dump(),
            R"({"assessment_id":"a-1","assessment_name":"quality","create_time":"2025-04-15T08:49:18.699Z",)"
            R"("feedback":{"error":{"error_code":"E"},"value":{"rating":4.0,"tags":[1.0,"x",true,null]}},)"
            R"("last_update_time":"1970-01-01T00:00:01Z","metadata":{"k":"v","mlflow.assessment.sourceRunId":"r1"},)"
            R"("rationale":"why","source":{"source_id":"me@x","source_type":"HUMAN"},"trace_id":"tr-1","valid":true})");
}

TEST(AssessmentJson, ExpectationValuesAndSerializedValues) {
  auto prim = api::assessment_from_json(json::parse(R"({"expectation": {"value": 5}})"));
  EXPECT_EQ(prim.value, "5.0");
  EXPECT_EQ(api::assessment_to_json(prim)["expectation"].dump(), R"({"value":5.0})");
  auto ser = api::assessment_from_json(json::parse(
      R"({"expectation": {"serialized_value": {"serialization_format": "JSON_FORMAT", "value": "{\"b\": 1, \"a\": [\"é\"]}"}},
          "rationale": "dropped on output", "source": {"sourceType": 2}})"));
  EXPECT_EQ(ser.value, R"({"b": 1, "a": ["\u00e9"]})");
  EXPECT_EQ(ser.source.source_type, "LLM_JUDGE");
  json out = api::assessment_to_json(ser);
  EXPECT_EQ(out["expectation"]["serialized_value"]["value"], R"({"b": 1, "a": ["\u00e9"]})");
  EXPECT_EQ(out["expectation"]["serialized_value"]["serialization_format"], "JSON_FORMAT");
  EXPECT_FALSE(out.contains("rationale"));
  auto null_expectation = api::assessment_from_json(json::parse(R"({"expectation": {}})"));
  EXPECT_THROW(api::check_assessment_value(null_expectation), MlflowError);
  auto no_value = api::assessment_from_json(json::parse(R"({"feedback": {"value": null}})"));
  EXPECT_THROW(api::check_assessment_value(no_value), MlflowError);
  auto error_only = api::assessment_from_json(json::parse(R"({"feedback": {"error": {"error_code": "X"}}})"));
  EXPECT_NO_THROW(api::check_assessment_value(error_only));
  EXPECT_EQ(api::assessment_to_json(error_only)["feedback"].dump(), R"({"error":{"error_code":"X"},"value":null})");
}

TEST(AssessmentJson, LongStackTraceKeepsItsTail) {
  sextant::core::Assessment a;
  a.assessment_type = "feedback";
  a.value = "null";
  std::string trace(12000, 'x');
  trace += "END";
  a.error = json({{"error_code", "E"}, {"stack_trace", trace}}).dump();
  std::string printed = api::assessment_to_json(a)["feedback"]["error"]["stack_trace"];
  EXPECT_EQ(printed.size(), 10000u);
  EXPECT_TRUE(printed.starts_with("[Stack trace is truncated]\n...\n"));
  EXPECT_TRUE(printed.ends_with("xEND"));
}

TEST(AssessmentJson, RefusesBadInput) {
  const char* bad[] = {
      R"([])",
      R"({"feedback": {"value": 1}, "expectation": {"value": 1}})",
      R"({"feedback": 3})",
      R"({"feedback": {"value": 1, "error": "boom"}})",
      R"({"assessment_name": 7, "feedback": {"value": 1}})",
      R"({"source": {"source_type": "ROBOT"}, "feedback": {"value": 1}})",
      R"({"source": {"source_type": 9}, "feedback": {"value": 1}})",
      R"({"create_time": 1744706958699, "feedback": {"value": 1}})",
      R"({"create_time": "yesterday", "feedback": {"value": 1}})",
      R"({"metadata": {"k": 1}, "feedback": {"value": 1}})",
      R"({"metadata": [], "feedback": {"value": 1}})",
      R"({"valid": "yes", "feedback": {"value": 1}})",
      R"({"expectation": {"serialized_value": {"serialization_format": "PICKLE", "value": "1"}}})",
      R"({"expectation": {"serialized_value": {"serialization_format": "JSON_FORMAT", "value": "{nope"}}})",
      R"({"metadata": {"mlflow.assessment.sourceRunId": "0123456789abcdef0123456789abcdef0"}, "feedback": {"value": 1}})",
  };
  for (const char* text : bad) EXPECT_THROW(api::assessment_from_json(json::parse(text)), MlflowError) << text;
  json long_name = {{"assessment_name", std::string(251, 'n')}, {"feedback", {{"value", 1}}}};
  EXPECT_THROW(api::assessment_from_json(long_name), MlflowError);
  json long_value = {{"feedback", {{"value", std::string(sextant::core::limits::kMaxTextColumn, 'v')}}}};
  EXPECT_THROW(api::assessment_from_json(long_value), MlflowError);
  json long_id = {{"assessment_id", std::string(51, 'a')}, {"feedback", {{"value", 1}}}};
  EXPECT_THROW(api::assessment_from_json(long_id), MlflowError);
}
