// MLflow's validation rules and limits (mlflow-api.md §4). Pure functions; each throws
// core::MlflowError(INVALID_PARAMETER_VALUE) with MLflow's message when a rule is broken.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sextant::core {

namespace limits {
inline constexpr std::size_t kMaxEntityKey = 250;       // metric/param/tag keys
inline constexpr std::size_t kMaxParamValue = 6000;     // truncated to this
inline constexpr std::size_t kMaxTagValue = 8000;       // truncated to this
inline constexpr std::size_t kMaxExperimentName = 500;
// Not checked by MLflow's validation but by its schema on PostgreSQL/MySQL (runs.name
// VARCHAR(250)): enforced here on every backend, in MLflow's wording.
inline constexpr std::size_t kMaxRunName = 250;
inline constexpr std::size_t kMaxLoggedModelName = 500;  // logged_models.name VARCHAR(500)
inline constexpr std::size_t kMaxExperimentTagValue = 5000;
inline constexpr std::size_t kMaxArtifactLocation = 2048;
inline constexpr std::size_t kMaxBatchMetrics = 1000;
inline constexpr std::size_t kMaxBatchParams = 100;
inline constexpr std::size_t kMaxBatchTags = 100;
inline constexpr std::size_t kMaxBatchTotal = 1000;
inline constexpr std::size_t kMaxDatasetName = 500;
inline constexpr std::size_t kMaxDatasetDigest = 36;
inline constexpr std::size_t kMaxDatasetSource = 65535;
// A TEXT column on MySQL holds 65535 bytes; values of such columns longer than that are refused
// alike on every backend (assessments' value, error, rationale, metadata).
inline constexpr std::size_t kMaxTextColumn = 65535;
inline constexpr std::size_t kMaxDatasetSchema = 1048575;
inline constexpr std::size_t kMaxDatasetProfile = 16777215;
inline constexpr std::size_t kMaxInputTagKey = 255;
inline constexpr std::size_t kMaxInputTagValue = 500;
inline constexpr long kMaxSearchResults = 50000;
}  // namespace limits

// Key rules shared by metrics, params and tags: allowed characters and "path-unique".
// `param_name` is the name used in the message ("key", "metrics[3].key", ...).
void validate_entity_key(std::string_view key, std::string_view param_name);
// Length check with MLflow's message "'<what>' exceeds the maximum length of N characters".
void validate_length(std::string_view value, std::size_t max_chars, std::string_view what);
// Refuses a value longer than kMaxTextColumn bytes: "'what' exceeds the maximum length of 65535 bytes."
void validate_text_column(std::string_view value, std::string_view what);
// Run ids as accepted by LogBatch / LogInputs: ^[a-zA-Z0-9][\w\-]{0,255}$.
void validate_run_id_format(std::string_view run_id);
// Experiment artifact_location rules (no fragment/params, no ".." in the query, length).
void validate_artifact_location(std::string_view location);

// Truncation of over-long values (MLflow's default MLFLOW_TRUNCATE_LONG_VALUES=true).
std::string truncate_param_value(std::string_view value);
std::string truncate_tag_value(std::string_view value);

// Is `status` one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED?
bool is_valid_run_status(std::string_view status);

}  // namespace sextant::core
