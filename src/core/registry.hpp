// Model registry entities and rules (mlflow-api.md §2.9, §4): registered models, model
// versions, stages, aliases. Plain values and pure functions; no I/O, no JSON.
// The rule functions throw core::MlflowError(INVALID_PARAMETER_VALUE) with MLflow's messages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/entities.hpp"

namespace sextant::core {

namespace registry {
inline constexpr const char* kStageNone = "None";
inline constexpr const char* kStageStaging = "Staging";
inline constexpr const char* kStageProduction = "Production";
inline constexpr const char* kStageArchived = "Archived";
inline constexpr const char* kStageDeletedInternal = "Deleted_Internal";  // soft-deleted versions
inline constexpr const char* kStatusReady = "READY";
inline constexpr const char* kPromptTag = "mlflow.prompt.is_prompt";
inline constexpr const char* kPromptTextTag = "mlflow.prompt.text";
inline constexpr const char* kModelVersionsTag = "mlflow.modelVersions";  // on logged models
inline constexpr std::size_t kMaxTagKey = 250;
inline constexpr std::size_t kMaxTagValue = 100000;
inline constexpr std::size_t kMaxAlias = 255;
// registered_models.name VARCHAR(256): MLflow's schema limit, enforced on every backend.
inline constexpr std::size_t kMaxModelName = 256;
inline constexpr std::int64_t kMaxSearchModels = 1000;
inline constexpr std::int64_t kMaxSearchVersions = 200000;
}  // namespace registry

struct ModelVersion {
  std::string name;
  std::int64_t version = 0;
  std::optional<std::int64_t> creation_timestamp, last_updated_timestamp;
  std::optional<std::string> description, user_id, current_stage, source, run_id, status,
      status_message, run_link;
  std::optional<std::string> storage_location;  // download URI; not part of the JSON entity
  std::vector<Tag> tags;                        // by key
  std::vector<std::string> aliases;             // filled only where MLflow fills them
};

struct RegisteredModelAlias {
  std::string alias;
  std::int64_t version = 0;
};

struct RegisteredModel {
  std::string name;
  std::optional<std::int64_t> creation_timestamp, last_updated_timestamp;
  std::optional<std::string> description;
  // Highest non-deleted version of each stage present, in the order the stages first occur
  // when the versions are walked in ascending order (MLflow's dict order). Aliases not filled.
  std::vector<ModelVersion> latest_versions;
  std::vector<Tag> tags;                      // by key
  std::vector<RegisteredModelAlias> aliases;  // by alias
};

// The four user-visible stages in MLflow's order: None, Staging, Production, Archived.
const std::vector<std::string>& all_stages();
// Case-insensitive stage name -> canonical spelling; anything else ->
// "Invalid Model Version stage: X. Value must be one of None, Staging, Production, Archived."
std::string canonical_stage(std::string_view stage);
// Staging or Production (the stages archive_existing_versions may be used with).
bool is_active_stage(std::string_view canonical);

// A model version number as MLflow's int(): optional surrounding whitespace and sign, digits.
// Otherwise "Parameter 'version' must be an integer, got 'x'.".
std::int64_t parse_version(std::string_view version);

// Alias name rules: non-empty, word characters and '-', at most 255 characters.
void validate_alias_name(std::string_view alias);
// Reserved names for SetRegisteredModelAlias: "latest" (any case), v<digits> / V<digits>.
void validate_alias_not_reserved(std::string_view alias);
// Does the alias mean "the newest version" (GetModelVersionByAlias)?
bool is_latest_alias(std::string_view alias);

// Registered model names (create, rename): at most 256 characters (the schema's column), MLflow's
// "'name' exceeds the maximum length of 256 characters" (`what` names the field).
void validate_model_name_length(std::string_view name, std::string_view what);

// Tag rules: key as other tag names and <= 250 characters; value <= 100000 characters (for
// model versions, `mlflow.prompt.text` gets the prompt-specific message).
void validate_registered_model_tag(const Tag& tag);
void validate_model_version_tag(const Tag& tag);

}  // namespace sextant::core
