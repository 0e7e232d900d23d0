// core/evaluation_dataset: the records upsert rules of MLflow 3.6 (input hash, merge, schema,
// read-back shape). Expected hashes are what CPython 3 computes:
// hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest().
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/evaluation_dataset.hpp"

using nlohmann::ordered_json;
namespace core = sextant::core;

namespace {
core::RecordUpsert record(const char* text) { return core::parse_record_upsert(ordered_json::parse(text), 0); }
}  // namespace

TEST(EvaluationDataset, InputHashIsPythonsSortedJsonDumps) {
  EXPECT_EQ(core::record_input_hash(ordered_json::object()),
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  EXPECT_EQ(core::record_input_hash(ordered_json::parse(R"({"question": "What is MLflow?"})")),
            "b14c7c0772e6ae95adeb7fc54413aa515b6df757fddce87a4c4d9ff963e87509");
  EXPECT_EQ(core::record_input_hash(ordered_json::parse(R"({"b": 1, "a": [1.0, "\u00e9", null, true]})")),
            "77fabcf9d4b41173a47f54fd3fe06d0ffb709d675892b53e212d3b07219f1ab5");
  // Nested objects are sorted at every level; non-ASCII keys sort after ASCII ones.
  EXPECT_EQ(core::record_input_hash(ordered_json::parse(R"({"z": {"y": 1, "x": [{"b": 2, "a": 1}]}, "é": 1, "e": 2})")),
            "fe7b49a9c13a1ec5621ed7be133c581f9f69f0177fca393a260947446b0a3153");
  // A record without inputs hashes as {}.
  EXPECT_EQ(record(R"({"outputs": 1})").inputs, ordered_json::object());
}

TEST(EvaluationDataset, DigestIsSha256OfNameAndTimePrefix) {
  EXPECT_EQ(core::dataset_digest("ds", 1700000000000), "3b239679");
}

TEST(EvaluationDataset, InsertWrapsOutputsAndTakesTheUser) {
  auto r = record(R"({"inputs": {"q": 1}, "tags": {"mlflow.user": "alice"}})");
  auto row = core::new_dataset_record("d-1", r, 5);
  EXPECT_EQ(row.outputs, R"({"mlflow_wrapped": {}})");  // absent outputs: {} (MLflow's insert path)
  EXPECT_FALSE(row.expectations);
  EXPECT_EQ(row.created_by, "alice");
  EXPECT_EQ(row.last_updated_by, "alice");
  EXPECT_EQ(row.dataset_record_id.substr(0, 3), "dr-");
  auto explicit_null = core::new_dataset_record("d-1", record(R"({"inputs": {}, "outputs": null})"), 5);
  EXPECT_FALSE(explicit_null.outputs);
}

TEST(EvaluationDataset, MergeReplacesOutputsAndMergesExpectationsAndTags) {
  auto row = core::new_dataset_record(
      "d-1", record(R"({"inputs": {"q": 1}, "outputs": "a", "expectations": {"x": 1, "y": 2}, "tags": {"t": "1"},
                       "source": {"source_type": "human"}})"),
      5);
  EXPECT_EQ(row.source_type, "HUMAN");
  core::merge_dataset_record(row, record(R"({"inputs": {"q": 1}, "outputs": "b", "expectations": {"y": 3, "z": 4},
                                            "source": {"source_type": "CODE"}})"),
                             7);
  EXPECT_EQ(row.outputs, R"({"mlflow_wrapped": "b"})");
  EXPECT_EQ(row.expectations, R"({"x": 1, "y": 3, "z": 4})");
  EXPECT_EQ(row.tags, R"({"t": "1"})");
  EXPECT_EQ(row.source_type, "HUMAN");  // the source never changes
  EXPECT_EQ(row.last_update_time, 7);
  EXPECT_EQ(row.created_time, 5);
  // Empty expectations cannot clear; absent outputs keep the stored ones.
  core::merge_dataset_record(row, record(R"({"expectations": {}})"), 8);
  EXPECT_EQ(row.expectations, R"({"x": 1, "y": 3, "z": 4})");
  EXPECT_EQ(row.outputs, R"({"mlflow_wrapped": "b"})");
}

TEST(EvaluationDataset, RecordShapesAreChecked) {
  EXPECT_THROW(record(R"([1])"), core::MlflowError);
  EXPECT_THROW(record(R"({"inputs": [1]})"), core::MlflowError);
  EXPECT_THROW(record(R"({"inputs": null})"), core::MlflowError);
  EXPECT_THROW(record(R"({"tags": "x"})"), core::MlflowError);
  EXPECT_THROW(record(R"({"source": {"source_type": "nope"}})"), core::MlflowError);
  EXPECT_THROW(record(R"({"source": {"source_type": "TRACE", "extra": 1}})"), core::MlflowError);
  EXPECT_THROW(record(R"({"source": {"source_type": "TRACE", "source_data": [1]}})"), core::MlflowError);
  try {
    record(R"({"source": {"source_type": "bogus"}})");
  } catch (const core::MlflowError& e) {
    EXPECT_EQ(std::string(e.what()),
              "Invalid dataset record source type: BOGUS. Valid source types: ['UNSPECIFIED', 'TRACE', 'HUMAN', "
              "'DOCUMENT', 'CODE']");
  }
}

TEST(EvaluationDataset, SchemaKeepsFirstSeenTypes) {
  std::vector<core::RecordUpsert> records{record(R"({"inputs": {"q": "x", "n": 1}, "outputs": {"a": 1.5},
                                                     "expectations": {"e": true}})"),
                                          record(R"({"inputs": {"q": 2, "l": [1]}, "outputs": "text"})")};
  auto schema = core::updated_dataset_schema(std::nullopt, records);
  EXPECT_EQ(schema, R"({"inputs": {"q": "string", "n": "integer", "l": "array"}, "outputs": {"a": "float"}, )"
                    R"("expectations": {"e": "boolean"}, "version": "1.0"})");
  EXPECT_FALSE(core::updated_dataset_schema(std::nullopt, {}));
  // Non-dict outputs set the outputs schema only while it is empty.
  auto text_only = core::updated_dataset_schema(std::nullopt, {record(R"({"inputs": {}, "outputs": "t"})")});
  EXPECT_EQ(text_only, R"({"inputs": {}, "outputs": "string", "expectations": {}, "version": "1.0"})");
}

TEST(EvaluationDataset, RecordJsonUnwrapsOutputsAndDerivesTheSource) {
  core::DatasetRecord row;
  row.dataset_record_id = "dr-1";
  row.dataset_id = "d-1";
  row.inputs = R"({"q": 1})";
  row.outputs = R"({"mlflow_wrapped": "answer"})";
  row.source = R"({"source_type": "TRACE", "source_data": {"trace_id": "tr-1"}})";
  row.created_time = row.last_update_time = 3;
  auto v = core::dataset_record_to_json(row);
  EXPECT_EQ(v["outputs"], "answer");
  EXPECT_EQ(v["tags"], ordered_json::object());
  EXPECT_EQ(v["source_id"], "tr-1");
  EXPECT_EQ(v["source_type"], "TRACE");
  EXPECT_FALSE(v.contains("expectations"));
  EXPECT_FALSE(v.contains("created_by"));
  row.outputs = R"({"mlflow_wrapped": {}})";
  EXPECT_EQ(core::dataset_record_to_json(row)["outputs"], ordered_json::object());  // MLflow's default on insert
  row.outputs = std::nullopt;
  EXPECT_FALSE(core::dataset_record_to_json(row).contains("outputs"));
}
