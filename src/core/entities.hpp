// MLflow tracking entities as plain values (mlflow-api.md §2.0). No I/O, no JSON here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sextant::core {

struct Tag {
  std::string key;
  std::string value;
};
using Param = Tag;

struct Metric {
  std::string key;
  double value = 0;  // NaN allowed (read back from is_nan)
  std::int64_t timestamp = 0;
  std::int64_t step = 0;
  std::string run_id;  // only filled for bulk-interval results
  std::optional<std::string> model_id, dataset_name, dataset_digest;
};

struct Experiment {
  std::string experiment_id;
  std::string name;
  std::string artifact_location;
  std::string lifecycle_stage;  // "active" | "deleted"
  std::optional<std::int64_t> creation_time, last_update_time;
  std::vector<Tag> tags;
};

struct RunInfo {
  std::string run_id;
  std::optional<std::string> run_name;
  std::string experiment_id;
  std::string user_id;
  std::string status;  // RUNNING | SCHEDULED | FINISHED | FAILED | KILLED
  std::int64_t start_time = 0;
  std::optional<std::int64_t> end_time;
  std::string artifact_uri;
  std::string lifecycle_stage;
};

struct Dataset {
  std::string name, digest, source_type, source;
  std::optional<std::string> schema, profile;
};

struct DatasetInput {
  std::vector<Tag> tags;
  Dataset dataset;
};

struct ModelOutput {
  std::string model_id;
  std::int64_t step = 0;
};

struct Run {
  RunInfo info;
  std::vector<Metric> metrics;  // latest value per key
  std::vector<Param> params;
  std::vector<Tag> tags;
  std::vector<DatasetInput> dataset_inputs;
  std::vector<std::string> model_inputs;  // model ids
  std::vector<ModelOutput> model_outputs;
};

struct FileInfo {
  std::string path;
  bool is_dir = false;
  std::optional<std::int64_t> file_size;
};

struct DatasetSummary {
  std::string experiment_id, name, digest;
  std::optional<std::string> context;  // value of input tag mlflow.data.context
};

enum class ViewType { ActiveOnly = 1, DeletedOnly = 2, All = 3 };

}  // namespace sextant::core
