// The model registry store: registered models, model versions, their tags and aliases, in
// MLflow's semantics (mlflow-api.md §2.9, §3.4, §3.5). Implementations are thread-safe; every
// method is one transaction (all or nothing).
//
// Contracts shared by all methods:
//  * Inputs are validated by the caller (api/): names non-empty, tags per core/registry.hpp,
//    aliases per validate_alias_name (and not reserved for set), stages canonical.
//  * Unknown registered model -> RESOURCE_DOES_NOT_EXIST "Registered Model with name=x not found";
//    unknown or soft-deleted version -> RESOURCE_DOES_NOT_EXIST
//    "Model Version (name=x, version=n) not found". Soft-deleted versions (stage
//    Deleted_Internal) are invisible everywhere but keep their number.
//  * Timestamps are epoch milliseconds taken when the method runs.
//  * Database trouble -> TEMPORARILY_UNAVAILABLE / INTERNAL_ERROR as in the tracking store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/registry.hpp"
#include "search/ast.hpp"

namespace sextant::store {

struct NewModelVersion {
  std::string name;
  std::string source;
  std::string run_id;    // "" when not given (stored as "", as MLflow does)
  std::string run_link;  // stored as given
  std::string description;
  std::string model_id;  // "" when not given
  std::vector<core::Tag> tags;
  bool is_prompt = false;  // the tags contain mlflow.prompt.is_prompt
};

// Filters from search::parse_filter with Grammar::RegisteredModels / ModelVersions, order keys
// from parse_order_by with the same grammar (duplicates already rejected by the caller).
struct RegistrySearchQuery {
  search::Filter filter;
  std::vector<search::OrderBy> order_by;
  std::int64_t max_results = 100;
  std::int64_t offset = 0;
};

class RegistryStore {
 public:
  virtual ~RegistryStore() = default;

  // Registered models. create: RESOURCE_ALREADY_EXISTS "Registered Model (name=x) already
  // exists." (or MLflow's prompt/model clash message when exactly one of the two is a prompt).
  virtual core::RegisteredModel create_registered_model(const std::string& name, const std::vector<core::Tag>& tags,
                                                        const std::string& description) = 0;
  // With latest_versions, tags and aliases.
  virtual core::RegisteredModel get_registered_model(const std::string& name) = 0;
  // Renames the model and, through the foreign keys, its versions, tags and aliases; bumps the
  // model's and its versions' last_updated_time. Taken -> RESOURCE_ALREADY_EXISTS.
  virtual core::RegisteredModel rename_registered_model(const std::string& name, const std::string& new_name) = 0;
  virtual core::RegisteredModel update_registered_model(const std::string& name, const std::string& description) = 0;
  // Hard delete of the model, all its versions (also soft-deleted ones), their tags and aliases.
  virtual void delete_registered_model(const std::string& name) = 0;
  // Up to max_results + 1 models (the extra one tells the caller another page exists). Prompts
  // (tag mlflow.prompt.is_prompt = 'true') are excluded unless the filter asks for them (§3.4).
  virtual std::vector<core::RegisteredModel> search_registered_models(const RegistrySearchQuery& query) = 0;
  // The highest version of each of `stages` (canonical; empty = all), aliases filled.
  virtual std::vector<core::ModelVersion> get_latest_versions(const std::string& name,
                                                              const std::vector<std::string>& stages) = 0;
  virtual void set_registered_model_tag(const std::string& name, const core::Tag& tag) = 0;
  // A missing tag is not an error.
  virtual void delete_registered_model_tag(const std::string& name, const std::string& key) = 0;

  // Model versions. create: resolves and checks the source with
  // core::resolve_model_version_source (nothing is written when it is rejected); the version is
  // 1 + the highest number ever used for the model; status READY, stage None; the model's
  // last_updated_time is bumped; with a model_id the version is added to the logged model's
  // mlflow.modelVersions tag. Aliases filled.
  virtual core::ModelVersion create_model_version(const NewModelVersion& version) = 0;
  virtual core::ModelVersion get_model_version(const std::string& name, std::int64_t version) = 0;
  // description nullopt -> NULL (MLflow's behaviour for an absent field).
  virtual core::ModelVersion update_model_version(const std::string& name, std::int64_t version,
                                                  const std::optional<std::string>& description) = 0;
  // `stage` canonical. With archive_existing_versions (only for Staging/Production, checked by
  // the caller) every other version in that stage moves to Archived.
  virtual core::ModelVersion transition_model_version_stage(const std::string& name, std::int64_t version,
                                                            const std::string& stage,
                                                            bool archive_existing_versions) = 0;
  // Soft delete: stage Deleted_Internal, source/run_id/run_link redacted, description,
  // user_id and status_message cleared, aliases to it removed, tags kept.
  virtual void delete_model_version(const std::string& name, std::int64_t version) = 0;
  virtual std::string get_model_version_download_uri(const std::string& name, std::int64_t version) = 0;
  // Up to max_results + 1 versions (no aliases, as MLflow); deleted versions and versions of
  // prompts (unless asked for) excluded (§3.5).
  virtual std::vector<core::ModelVersion> search_model_versions(const RegistrySearchQuery& query) = 0;
  virtual void set_model_version_tag(const std::string& name, std::int64_t version, const core::Tag& tag) = 0;
  virtual void delete_model_version_tag(const std::string& name, std::int64_t version, const std::string& key) = 0;

  // Aliases. set: upsert (re-pointing moves it); the version must exist. delete: the model must
  // exist, a missing alias is not an error.
  virtual void set_registered_model_alias(const std::string& name, const std::string& alias,
                                          std::int64_t version) = 0;
  virtual void delete_registered_model_alias(const std::string& name, const std::string& alias) = 0;
  // Alias `latest` (any case): the highest non-deleted version (404 "Latest version not found for
  // model x." when none). Unknown alias: INVALID_PARAMETER_VALUE "Registered model alias x not
  // found." (MLflow's code). Aliases filled.
  virtual core::ModelVersion get_model_version_by_alias(const std::string& name, const std::string& alias) = 0;
};

}  // namespace sextant::store
