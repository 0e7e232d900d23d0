#include "core/validation.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

using namespace sextant::core;

namespace {
std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const MlflowError& e) {
    EXPECT_EQ(e.code(), ErrorCode::INVALID_PARAMETER_VALUE);
    return e.what();
  }
  ADD_FAILURE() << "expected MlflowError";
  return "";
}
}  // namespace

TEST(EntityKey, AcceptsMlflowNames) {
  for (const char* key : {"acc", "train/loss", "a.b-c d:e", "mlflow.runName", "métrique", "x_1"}) {
    EXPECT_NO_THROW(validate_entity_key(key, "key")) << key;
  }
}

TEST(EntityKey, RejectsBadCharacters) {
  auto msg = message_of([] { validate_entity_key("a$b", "key"); });
  EXPECT_NE(msg.find("Names may only contain alphanumerics"), std::string::npos);
  EXPECT_NE(msg.find("'key'"), std::string::npos);
  EXPECT_THROW(validate_entity_key("a\\b", "key"), MlflowError);
  EXPECT_THROW(validate_entity_key("a\nb", "key"), MlflowError);
}

TEST(EntityKey, RejectsNamesThatAreNotPathUnique) {
  for (const char* key : {"", ".", "a//b", "a/", "./a", "a/../b", "/a", "..", "../a", "a/./b"}) {
    auto msg = message_of([key] { validate_entity_key(key, "metrics[2].name"); });
    EXPECT_NE(msg.find("must not resolve to other names"), std::string::npos) << key;
    EXPECT_NE(msg.find("metrics[2].name"), std::string::npos) << key;
  }
  auto msg = message_of([] { validate_entity_key("a//b", "key"); });
  EXPECT_NE(msg.find("would resolve to 'a/b'"), std::string::npos);
}

TEST(Length, CountsCharactersNotBytes) {
  std::string s(250, 'a');
  EXPECT_NO_THROW(validate_length(s, 250, "key"));
  std::string unicode;
  for (int i = 0; i < 250; ++i) unicode += "é";  // 500 bytes, 250 characters
  EXPECT_NO_THROW(validate_length(unicode, 250, "key"));
  auto msg = message_of([] { validate_length(std::string(251, 'a'), 250, "Metric name"); });
  EXPECT_EQ(msg, "'Metric name' exceeds the maximum length of 250 characters");
}

TEST(Truncation, ParamAndTagValues) {
  EXPECT_EQ(truncate_param_value(std::string(7000, 'x')).size(), 6000u);
  EXPECT_EQ(truncate_tag_value(std::string(9000, 'x')).size(), 8000u);
  EXPECT_EQ(truncate_param_value("short"), "short");
  std::string unicode;
  for (int i = 0; i < 7000; ++i) unicode += "é";
  EXPECT_EQ(truncate_param_value(unicode).size(), 12000u);  // 6000 characters of 2 bytes
}

TEST(RunIdFormat, MatchesMlflowRegex) {
  EXPECT_NO_THROW(validate_run_id_format("0123abcdef"));
  EXPECT_NO_THROW(validate_run_id_format("A-b_c"));
  EXPECT_THROW(validate_run_id_format(""), MlflowError);
  EXPECT_THROW(validate_run_id_format("-abc"), MlflowError);
  EXPECT_THROW(validate_run_id_format("abc/def"), MlflowError);
  EXPECT_THROW(validate_run_id_format(std::string(257, 'a')), MlflowError);
  auto msg = message_of([] { validate_run_id_format("a b"); });
  EXPECT_EQ(msg, "Invalid value \"a b\" for parameter 'run_id' supplied.");
}

TEST(ArtifactLocation, Rules) {
  EXPECT_NO_THROW(validate_artifact_location("s3://bucket/path"));
  EXPECT_NO_THROW(validate_artifact_location("/abs/path"));
  EXPECT_THROW(validate_artifact_location("s3://bucket/path#frag"), MlflowError);
  EXPECT_THROW(validate_artifact_location("s3://bucket/path;params"), MlflowError);
  EXPECT_THROW(validate_artifact_location("s3://bucket/path?x=%2E%2E"), MlflowError);
  EXPECT_THROW(validate_artifact_location("s3://bucket/" + std::string(2100, 'a')), MlflowError);
}

TEST(RunStatus, Names) {
  for (const char* s : {"RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"}) EXPECT_TRUE(is_valid_run_status(s));
  EXPECT_FALSE(is_valid_run_status("running"));
  EXPECT_FALSE(is_valid_run_status(""));
}

TEST(ErrorCodes, HttpStatus) {
  EXPECT_EQ(http_status_for(ErrorCode::RESOURCE_ALREADY_EXISTS), 400);
  EXPECT_EQ(http_status_for(ErrorCode::RESOURCE_DOES_NOT_EXIST), 404);
  EXPECT_EQ(http_status_for(ErrorCode::TEMPORARILY_UNAVAILABLE), 503);
  EXPECT_EQ(http_status_for(ErrorCode::INVALID_STATE), 500);
  EXPECT_EQ(error_code_name(ErrorCode::INVALID_PARAMETER_VALUE), "INVALID_PARAMETER_VALUE");
}
