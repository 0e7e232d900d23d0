// MLflow 3.6's GenAI evaluation datasets and registered scorers as plain values, and the rules
// of the records upsert (docs/design/tracing/datasets-scorers-prompts.md §1, §2): the input hash,
// how a request's record merges into a stored one, the schema the dataset infers from its
// records, the dataset digest. JSON columns travel as the text stored in the database (what
// Python's json.dumps writes). Pure; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/entities.hpp"

namespace sextant::core {

// entity_associations.source_type / destination_type values (MLflow's EntityAssociationType).
inline constexpr const char* kAssociationEvaluationDataset = "evaluation_dataset";
inline constexpr const char* kAssociationExperiment = "experiment";
// The tag whose value names the user (created_by / last_updated_by).
inline constexpr const char* kMlflowUserTag = "mlflow.user";

// A row of evaluation_datasets with its tags (ordered by key).
struct EvaluationDataset {
  std::string dataset_id;  // "d-<32 hex>"
  std::string name;
  std::vector<Tag> tags;
  std::optional<std::string> schema, profile;  // JSON texts
  std::string digest;
  std::int64_t created_time = 0, last_update_time = 0;
  std::optional<std::string> created_by, last_updated_by;
  // Only CreateDataset reports the linked experiments (nullopt: not loaded).
  std::optional<std::vector<std::string>> experiment_ids;
};

// A row of evaluation_dataset_records; the JSON columns as stored (nullopt: SQL NULL).
struct DatasetRecord {
  std::string dataset_record_id;  // "dr-<32 hex>"
  std::string dataset_id;
  std::string inputs = "{}";
  std::optional<std::string> outputs;  // {"mlflow_wrapped": <outputs>}
  std::optional<std::string> expectations, tags, source;
  std::optional<std::string> source_id, source_type;
  std::int64_t created_time = 0, last_update_time = 0;
  std::optional<std::string> created_by, last_updated_by;
  std::string input_hash;
};

// One element of UpsertDatasetRecords' `records`, checked for shape.
struct RecordUpsert {
  nlohmann::ordered_json inputs = nlohmann::ordered_json::object();  // absent: {}
  bool has_outputs = false;  // the key was present (its value may be null)
  nlohmann::ordered_json outputs;
  nlohmann::ordered_json expectations;  // object or null (absent)
  nlohmann::ordered_json tags;          // object or null (absent)
  // {"source_type": "<TYPE>", "source_data": {...}} with the type upper-cased and checked, or null.
  nlohmann::ordered_json source;
};

// Checks one request record: an object whose `inputs`, `expectations` and `tags` are objects (or
// absent), `source` an object {source_type: one of UNSPECIFIED, TRACE, HUMAN, DOCUMENT, CODE in any
// case, source_data: object or null} (or absent/null). INVALID_PARAMETER_VALUE naming records[i].
RecordUpsert parse_record_upsert(const nlohmann::ordered_json& element, std::size_t index);

// sha256 hex of Python's json.dumps(inputs, sort_keys=True): the records' unique key within a dataset.
std::string record_input_hash(const nlohmann::ordered_json& inputs);

// A new row from a request record (MLflow's insert path: an absent `outputs` stores
// {"mlflow_wrapped": {}}, an explicit null stores NULL; created/last updated by tags' mlflow.user).
DatasetRecord new_dataset_record(const std::string& dataset_id, const RecordUpsert& r, std::int64_t now);
// Merges a request record into a stored row (MLflow's SqlEvaluationDatasetRecord.merge): outputs
// replaced when given, non-empty expectations and tags shallow-merged, inputs and source kept.
void merge_dataset_record(DatasetRecord& row, const RecordUpsert& r, std::int64_t now);
// tags["mlflow.user"] as str(), when the record's tags carry it as a scalar.
std::optional<std::string> record_user(const RecordUpsert& r);

// The dataset schema after a request's records (MLflow's _update_dataset_schema): new top-level
// keys of inputs / outputs / expectations with their type names; nullopt when there is nothing to store.
std::optional<std::string> updated_dataset_schema(const std::optional<std::string>& stored,
                                                  const std::vector<RecordUpsert>& records);
// sha256("<name>:<time>")[:8].
std::string dataset_digest(const std::string& name, std::int64_t time_ms);

// A stored record as GetDatasetRecords shows it (MLflow's DatasetRecord.to_dict): the JSON
// columns parsed, outputs unwrapped, tags {} when NULL, source_type from the source.
nlohmann::ordered_json dataset_record_to_json(const DatasetRecord& row);

// A registered scorer version (scorers joined with scorer_versions).
struct ScorerVersion {
  std::int64_t experiment_id = 0;
  std::string scorer_name;
  std::int64_t scorer_version = 0;
  std::string serialized_scorer;  // as registered, byte for byte
  std::int64_t creation_time = 0;
  std::string scorer_id;  // uuid4 with dashes, shared by a name's versions
};

}  // namespace sextant::core
