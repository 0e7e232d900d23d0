// EvaluationDatasetStore in MLflow's schema (evaluation_datasets, evaluation_dataset_tags,
// evaluation_dataset_records, entity_associations for the experiment links) on the shared
// Database. One dataset's writes go to one writer (affinity: the dataset id), so concurrent
// upserts of a dataset's records never race on its unique input hashes. Thread-safe.
#pragma once

#include <string>

#include "store/evaluation_dataset_store.hpp"
#include "store/sql/database.hpp"
#include "store/sql/workspace_sql.hpp"

namespace sextant::store::sql {

class SqlEvaluationDatasetStore final : public EvaluationDatasetStore {
 public:
  explicit SqlEvaluationDatasetStore(Database& database);

  core::EvaluationDataset create_dataset(const NewEvaluationDataset& dataset) override;
  core::EvaluationDataset get_dataset(const std::string& dataset_id) override;
  void delete_dataset(const std::string& dataset_id) override;
  std::vector<core::EvaluationDataset> search_datasets(const EvaluationDatasetQuery& query) override;
  void set_dataset_tags(const std::string& dataset_id, const std::vector<core::Tag>& tags) override;
  void delete_dataset_tag(const std::string& dataset_id, const std::string& key) override;
  UpsertCounts upsert_dataset_records(const std::string& dataset_id,
                                      const std::vector<core::RecordUpsert>& records) override;
  std::vector<core::DatasetRecord> get_dataset_records(const std::string& dataset_id,
                                                       const RecordPageQuery& page) override;
  std::vector<std::string> get_dataset_experiment_ids(const std::string& dataset_id) override;
  core::EvaluationDataset add_dataset_to_experiments(const std::string& dataset_id,
                                                     const std::vector<std::string>& experiment_ids) override;
  core::EvaluationDataset remove_dataset_from_experiments(const std::string& dataset_id,
                                                          const std::vector<std::string>& experiment_ids) override;

 private:
  // The dataset row (workspace-confined where the schema has workspaces), nullopt when absent.
  std::optional<core::EvaluationDataset> dataset_row(db::Connection& conn, const std::string& dataset_id) const;
  core::EvaluationDataset loaded_dataset(db::Connection& conn, const std::string& dataset_id,
                                         const std::string& not_found_message) const;

  Database& db_;
  WorkspaceSql ws_;
  std::string by_id_sql_, insert_sql_;
};

}  // namespace sextant::store::sql
