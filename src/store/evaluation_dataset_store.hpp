// The evaluation-dataset store: MLflow 3.6's GenAI evaluation datasets with their tags, records
// and experiment links (docs/design/tracing/datasets-scorers-prompts.md §1). Implementations are
// thread-safe; every method is one transaction (all or nothing). Errors: core::MlflowError —
// RESOURCE_DOES_NOT_EXIST with MLflow's text per method (below), TEMPORARILY_UNAVAILABLE when
// the database is busy. Inputs are validated by the caller (api/).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/evaluation_dataset.hpp"
#include "search/ast.hpp"

namespace sextant::store {

struct NewEvaluationDataset {
  std::string name;
  std::vector<core::Tag> tags;  // distinct keys; created_by = the mlflow.user tag's value
  std::vector<std::string> experiment_ids;  // linked as given (not checked), duplicates once
};

struct EvaluationDatasetQuery {
  std::optional<std::vector<std::string>> experiment_ids;  // datasets linked to any of them
  search::Filter filter;  // Grammar::EvaluationDatasets clauses
  std::vector<search::OrderBy> order_by;  // default created_time DESC; then dataset_id DESC
  std::int64_t max_results = 1000;
  std::int64_t offset = 0;
};

struct UpsertCounts {
  std::int64_t inserted = 0, updated = 0;
};

// Where a page of records starts: after (created_time, dataset_record_id), or at an offset.
struct RecordPageQuery {
  std::int64_t max_results = 1000;
  std::optional<std::pair<std::int64_t, std::string>> after;
  std::int64_t offset = 0;
};

class EvaluationDatasetStore {
 public:
  virtual ~EvaluationDatasetStore() = default;

  // id "d-<32 hex>"; the result carries experiment_ids (the request's, de-duplicated).
  virtual core::EvaluationDataset create_dataset(const NewEvaluationDataset& dataset) = 0;
  // 404 "Evaluation dataset with id '<id>' not found"; without experiment_ids.
  virtual core::EvaluationDataset get_dataset(const std::string& dataset_id) = 0;
  // The dataset, its tags, records and links; an unknown id is not an error.
  virtual void delete_dataset(const std::string& dataset_id) = 0;
  // Up to max_results + 1 datasets (the extra one tells the caller another page exists).
  virtual std::vector<core::EvaluationDataset> search_datasets(const EvaluationDatasetQuery& query) = 0;
  // Upserts each tag; 404 "Could not find evaluation dataset with ID <id>".
  virtual void set_dataset_tags(const std::string& dataset_id, const std::vector<core::Tag>& tags) = 0;
  // Idempotent (unknown dataset or key: nothing happens).
  virtual void delete_dataset_tag(const std::string& dataset_id, const std::string& key) = 0;
  // Inserts or merges each record by input hash, in order (core/evaluation_dataset.hpp), then
  // updates the dataset's schema, profile, digest and last update; 404 as set_dataset_tags.
  virtual UpsertCounts upsert_dataset_records(const std::string& dataset_id,
                                              const std::vector<core::RecordUpsert>& records) = 0;
  // Ordered by (created_time, dataset_record_id), up to max_results + 1; 404 as set_dataset_tags.
  virtual std::vector<core::DatasetRecord> get_dataset_records(const std::string& dataset_id,
                                                               const RecordPageQuery& page) = 0;
  // Linked experiment ids (an unknown dataset has none).
  virtual std::vector<std::string> get_dataset_experiment_ids(const std::string& dataset_id) = 0;
  // 404 "Dataset '<id>' not found", then 404 "No Experiment with id=<id>" for the first unknown
  // experiment; links the others not linked yet and touches last_update_time.
  virtual core::EvaluationDataset add_dataset_to_experiments(const std::string& dataset_id,
                                                             const std::vector<std::string>& experiment_ids) = 0;
  // 404 "Dataset '<id>' not found"; unlinks those linked (others are ignored).
  virtual core::EvaluationDataset remove_dataset_from_experiments(const std::string& dataset_id,
                                                                  const std::vector<std::string>& experiment_ids) = 0;
};

}  // namespace sextant::store
