// The tracking store: experiments, runs and what is logged to them, in MLflow's semantics.
// Implementations are thread-safe; every method is one transaction (all or nothing).
// Errors: core::MlflowError (RESOURCE_DOES_NOT_EXIST for unknown ids, INVALID_PARAMETER_VALUE for
// state violations such as logging to a deleted run, TEMPORARILY_UNAVAILABLE when the database
// is busy or unreachable). Inputs are expected to be validated by the caller (api/) already.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/entities.hpp"
#include "core/step_sampling.hpp"
#include "search/ast.hpp"

namespace sextant::store {

struct ExperimentQuery {
  core::ViewType view_type = core::ViewType::ActiveOnly;
  search::Filter filter;
  std::vector<search::OrderBy> order_by;
  std::int64_t max_results = 1000;
  std::int64_t offset = 0;
};

struct RunQuery {
  std::vector<std::string> experiment_ids;
  core::ViewType view_type = core::ViewType::ActiveOnly;
  search::Filter filter;
  std::vector<search::OrderBy> order_by;
  std::int64_t max_results = 1000;
  std::int64_t offset = 0;
};

struct RunUpdate {
  std::optional<std::string> status;
  std::optional<std::int64_t> end_time;
  std::optional<std::string> run_name;
};

struct NewRun {
  std::string experiment_id;
  std::string user_id;
  std::int64_t start_time = 0;
  std::string run_name;  // effective name, already resolved by the caller
  std::vector<core::Tag> tags;
};

// Input of bulk-interval step sampling (core/step_sampling.hpp).
struct MetricSteps {
  std::vector<std::int64_t> steps;   // distinct steps within the asked range over all the runs, ascending
  std::vector<core::StepSpan> spans;  // first and last step of each run that has the key
};

class TrackingStore {
 public:
  virtual ~TrackingStore() = default;

  // Experiments
  virtual std::string create_experiment(const std::string& name, const std::optional<std::string>& artifact_location,
                                        const std::vector<core::Tag>& tags) = 0;
  virtual core::Experiment get_experiment(const std::string& experiment_id) = 0;
  // nullopt when no experiment has that exact name.
  virtual std::optional<core::Experiment> find_experiment_by_name(const std::string& name) = 0;
  // Returns up to max_results + 1 rows so the caller can tell whether another page exists.
  virtual std::vector<core::Experiment> search_experiments(const ExperimentQuery& query) = 0;
  virtual void delete_experiment(const std::string& experiment_id) = 0;
  virtual void restore_experiment(const std::string& experiment_id) = 0;
  virtual void rename_experiment(const std::string& experiment_id, const std::string& new_name) = 0;
  virtual void set_experiment_tag(const std::string& experiment_id, const core::Tag& tag) = 0;
  virtual void delete_experiment_tag(const std::string& experiment_id, const std::string& key) = 0;

  // Runs
  virtual core::Run create_run(const NewRun& run) = 0;
  virtual core::Run get_run(const std::string& run_id) = 0;
  virtual core::RunInfo update_run(const std::string& run_id, const RunUpdate& update) = 0;
  virtual void delete_run(const std::string& run_id) = 0;
  virtual void restore_run(const std::string& run_id) = 0;
  // Up to max_results runs, with data, dataset inputs and model outputs.
  virtual std::vector<core::Run> search_runs(const RunQuery& query) = 0;

  // Logging. Values are already validated and truncated.
  virtual void log_batch(const std::string& run_id, const std::vector<core::Metric>& metrics,
                         const std::vector<core::Param>& params, const std::vector<core::Tag>& tags) = 0;
  virtual void delete_tag(const std::string& run_id, const std::string& key) = 0;
  // Sets run tag `key` to next(its current value) in one transaction, the stored row locked, so
  // concurrent updates of the same tag never lose each other (the legacy model history). The run
  // must be active. `next` may be called more than once (a retried write) and must only compute.
  virtual void update_tag(const std::string& run_id, const std::string& key,
                          const std::function<std::string(const std::optional<std::string>&)>& next) = 0;
  virtual void log_inputs(const std::string& run_id, const std::vector<core::DatasetInput>& datasets,
                          const std::vector<std::string>& model_ids) = 0;
  virtual void log_outputs(const std::string& run_id, const std::vector<core::ModelOutput>& outputs) = 0;
  // Distinct (experiment, dataset name, digest, context) used as run inputs; at most `limit`.
  virtual std::vector<core::DatasetSummary> search_dataset_summaries(const std::vector<std::string>& experiment_ids,
                                                                     std::int64_t limit) = 0;

  // Metric history ordered by (timestamp, step, value); returns up to limit rows from offset
  // (limit < 0: all).
  virtual std::vector<core::Metric> get_metric_history(const std::string& run_id, const std::string& key,
                                                       std::int64_t limit, std::int64_t offset) = 0;
  // The runs' distinct steps of `key` within [lo, hi] and each run's first and last step (at
  // most 100 runs). RESOURCE_DOES_NOT_EXIST for the first unknown run, as MLflow's bulk-interval
  // handler.
  virtual MetricSteps metric_steps(const std::vector<std::string>& run_ids, const std::string& key, std::int64_t lo,
                                   std::int64_t hi) = 0;
  // All metric rows of `key` for the runs whose step is in `steps` (ordered by run in request
  // order, then step, timestamp, value; at most per_run_limit per run).
  virtual std::vector<core::Metric> metric_rows_at_steps(const std::vector<std::string>& run_ids,
                                                         const std::string& key,
                                                         const std::vector<std::int64_t>& steps,
                                                         std::int64_t per_run_limit) = 0;
};

}  // namespace sextant::store
