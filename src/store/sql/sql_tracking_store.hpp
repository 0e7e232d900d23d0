// TrackingStore over SQLite in MLflow's schema, on a shared Database (reads on pooled
// connections in read transactions, writes through the group-commit writer). Thread-safe.
// The database must outlive the store.
#pragma once

#include <string>

#include "store/sql/database.hpp"
#include "store/sql/experiment_rows.hpp"
#include "store/tracking_store.hpp"

namespace sextant::store::sql {

class SqlTrackingStore final : public TrackingStore {
 public:
  explicit SqlTrackingStore(Database& database)
      : db_(database), experiments_(database.schema().workspaces) {}

  std::string create_experiment(const std::string& name, const std::optional<std::string>& artifact_location,
                                const std::vector<core::Tag>& tags) override;
  core::Experiment get_experiment(const std::string& experiment_id) override;
  std::optional<core::Experiment> find_experiment_by_name(const std::string& name) override;
  std::vector<core::Experiment> search_experiments(const ExperimentQuery& query) override;
  void delete_experiment(const std::string& experiment_id) override;
  void restore_experiment(const std::string& experiment_id) override;
  void rename_experiment(const std::string& experiment_id, const std::string& new_name) override;
  void set_experiment_tag(const std::string& experiment_id, const core::Tag& tag) override;
  void delete_experiment_tag(const std::string& experiment_id, const std::string& key) override;

  core::Run create_run(const NewRun& run) override;
  core::Run get_run(const std::string& run_id) override;
  core::RunInfo update_run(const std::string& run_id, const RunUpdate& update) override;
  void delete_run(const std::string& run_id) override;
  void restore_run(const std::string& run_id) override;
  std::vector<core::Run> search_runs(const RunQuery& query) override;

  void log_batch(const std::string& run_id, const std::vector<core::Metric>& metrics,
                 const std::vector<core::Param>& params, const std::vector<core::Tag>& tags) override;
  void delete_tag(const std::string& run_id, const std::string& key) override;
  void update_tag(const std::string& run_id, const std::string& key,
                  const std::function<std::string(const std::optional<std::string>&)>& next) override;
  void log_inputs(const std::string& run_id, const std::vector<core::DatasetInput>& datasets,
                  const std::vector<std::string>& model_ids) override;
  void log_outputs(const std::string& run_id, const std::vector<core::ModelOutput>& outputs) override;
  std::vector<core::DatasetSummary> search_dataset_summaries(const std::vector<std::string>& experiment_ids,
                                                             std::int64_t limit) override;

  std::vector<core::Metric> get_metric_history(const std::string& run_id, const std::string& key,
                                               std::int64_t limit, std::int64_t offset) override;
  MetricSteps metric_steps(const std::vector<std::string>& run_ids, const std::string& key, std::int64_t lo,
                           std::int64_t hi) override;
  std::vector<core::Metric> metric_rows_at_steps(const std::vector<std::string>& run_ids, const std::string& key,
                                                 const std::vector<std::int64_t>& steps,
                                                 std::int64_t per_run_limit) override;

 private:
  void read(const std::function<void(db::Connection&)>& fn) { db_.read(fn); }
  // Run-scoped writes pass the run id (Database::write's affinity).
  void write(const std::function<void(db::Connection&)>& fn, std::string_view run_id = {}) { db_.write(fn, run_id); }

  Database& db_;
  const ExperimentStatements experiments_;
};

}  // namespace sextant::store::sql
