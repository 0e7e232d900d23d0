// MLflow 3 logged models as plain values (mlflow-api.md §2.6), their status enum and the name
// rule. No I/O, no JSON here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/entities.hpp"

namespace sextant::core {

// LoggedModelStatus as in MLflow's proto; the database stores the number.
enum class LoggedModelStatus { Unspecified = 0, Pending = 1, Ready = 2, UploadFailed = 3 };

// "LOGGED_MODEL_STATUS_UNSPECIFIED", "LOGGED_MODEL_PENDING", "LOGGED_MODEL_READY",
// "LOGGED_MODEL_UPLOAD_FAILED".
std::string_view logged_model_status_name(LoggedModelStatus status);
// By proto name or number ("LOGGED_MODEL_READY" or "2"); nullopt for anything else.
std::optional<LoggedModelStatus> parse_logged_model_status(std::string_view text);
// From the stored integer; values outside 0..3 read as Unspecified.
LoggedModelStatus logged_model_status_from_int(std::int64_t value);

struct LoggedModel {
  std::string model_id;  // "m-" + 32 lowercase hex
  std::string experiment_id;
  std::string name;
  std::int64_t creation_timestamp_ms = 0;
  std::int64_t last_updated_timestamp_ms = 0;
  std::string artifact_location;  // <experiment artifact location>/models/<model_id>/artifacts
  LoggedModelStatus status = LoggedModelStatus::Pending;
  std::string lifecycle_stage;  // "active" | "deleted"
  std::optional<std::string> model_type, source_run_id, status_message;
  std::vector<Tag> tags;         // sorted by key
  std::vector<Param> params;     // sorted by key
  std::vector<Metric> metrics;   // every logged_model_metrics row (model_id, run_id and dataset set)
};

// The name rule of CreateLoggedModel: when given, non-empty and none of / : . % " ', and at most
// 500 characters ("'name' exceeds the maximum length of 500 characters").
// Throws INVALID_PARAMETER_VALUE "Invalid model name ('x') provided. ..." otherwise.
void validate_logged_model_name(std::string_view name);

}  // namespace sextant::core
