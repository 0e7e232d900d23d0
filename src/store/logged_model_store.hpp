// The logged-model store: MLflow 3 LoggedModels with their params, tags and linked metrics
// (mlflow-api.md §2.6, §3.6, §5.2). Implementations are thread-safe; every method is one
// transaction (all or nothing). Errors: core::MlflowError — RESOURCE_DOES_NOT_EXIST
// "Logged model with ID 'x' not found." for unknown models, the experiment errors of the
// tracking store for create, BAD_REQUEST for re-logging an existing param key,
// TEMPORARILY_UNAVAILABLE when the database is busy. Inputs are validated by the caller (api/).
//
// As in MLflow, only get and search hide soft-deleted models; finalize, delete, tags and params
// also reach a deleted model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/logged_model.hpp"
#include "search/logged_model_filter.hpp"

namespace sextant::store {

struct NewLoggedModel {
  std::string experiment_id;
  std::string name;  // effective name (the caller generates one when none was given)
  std::optional<std::string> model_type, source_run_id;
  std::vector<core::Param> params;  // keys must be distinct (else BAD_REQUEST)
  std::vector<core::Tag> tags;      // the last value of a repeated key wins
};

// SearchLoggedModels.datasets: a metric row matches when its dataset_name equals `name` and,
// when `digest` is given, its dataset_digest equals it.
struct LoggedModelDataset {
  std::string name;
  std::optional<std::string> digest;
};

struct LoggedModelQuery {
  std::vector<std::string> experiment_ids;  // ids that are not integers match nothing
  search::LoggedModelFilter filter;
  std::vector<LoggedModelDataset> datasets;
  std::vector<search::LoggedModelOrderBy> order_by;  // then creation_timestamp_ms DESC, model_id
  std::int64_t max_results = 50;
  std::int64_t offset = 0;
};

class LoggedModelStore {
 public:
  virtual ~LoggedModelStore() = default;

  // Experiment must exist and be active. Status PENDING, lifecycle active, id "m-<32 hex>",
  // artifact location <experiment location>/models/<id>/artifacts.
  virtual core::LoggedModel create_logged_model(const NewLoggedModel& model) = 0;
  // Active models only.
  virtual core::LoggedModel get_logged_model(const std::string& model_id) = 0;
  // Sets the status and last_updated_timestamp_ms; returns the updated model.
  virtual core::LoggedModel finalize_logged_model(const std::string& model_id, core::LoggedModelStatus status) = 0;
  // Soft delete: lifecycle "deleted", last_updated_timestamp_ms = now.
  virtual void delete_logged_model(const std::string& model_id) = 0;
  // Upsert (the last value of a repeated key wins).
  virtual void set_logged_model_tags(const std::string& model_id, const std::vector<core::Tag>& tags) = 0;
  // RESOURCE_DOES_NOT_EXIST "No tag with key 'k' found for model with ID 'm'." when absent.
  virtual void delete_logged_model_tag(const std::string& model_id, const std::string& key) = 0;
  // Inserts; a key the model already has (or a repeated key) is BAD_REQUEST.
  virtual void log_logged_model_params(const std::string& model_id, const std::vector<core::Param>& params) = 0;
  // Active models of the experiments matching the query, ordered, from `offset`, at most
  // max_results + 1 of them (the extra one tells the caller another page exists).
  virtual std::vector<core::LoggedModel> search_logged_models(const LoggedModelQuery& query) = 0;
};

}  // namespace sextant::store
