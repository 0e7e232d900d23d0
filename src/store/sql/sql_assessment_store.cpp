// SqlTraceStore: assessments (docs/design/tracing/rest-traces.md §7; MLflow 3.6's
// SqlAlchemyStore.create/get/update/delete_assessment). Every write goes to the trace's writer.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/validation.hpp"
#include "store/sql/sql_trace_store.hpp"
#include "store/sql/trace_rows.hpp"
#include "util/python_json.hpp"
#include "util/random_id.hpp"
#include "util/time.hpp"

namespace sextant::store::sql {

namespace {

std::optional<core::Assessment> assessment_row(db::Connection& conn, const std::string& trace_id,
                                               const std::string& assessment_id) {
  auto& st = conn.cached(std::string(kAssessmentColumns) + " WHERE assessment_id = ? AND trace_id = ?");
  st.bind(1, assessment_id).bind(2, trace_id);
  std::optional<core::Assessment> a;
  if (st.step()) a = read_assessment_row(st);
  st.reset();
  return a;
}

void require_trace(db::Connection& conn, const std::string& trace_id) {
  if (!trace_experiment(conn, trace_id)) trace_not_found(trace_id);
}

// MLflow's _get_sql_assessment: the trace first, then the assessment of that trace.
core::Assessment existing_assessment(db::Connection& conn, const std::string& trace_id,
                                     const std::string& assessment_id) {
  require_trace(conn, trace_id);
  auto a = assessment_row(conn, trace_id, assessment_id);
  if (!a) {
    core::throw_not_found("Assessment with ID '" + assessment_id + "' not found for trace '" + trace_id + "'");
  }
  return *a;
}

// Marks the trace's assessment `assessment_id` valid or not; how many rows it changed.
std::int64_t set_valid(db::Connection& conn, const std::string& trace_id, const std::string& assessment_id,
                       bool valid) {
  const auto& d = conn.dialect();
  auto& st = conn.cached(std::string("UPDATE assessments SET valid = ") + (valid ? d.true_literal() : d.false_literal()) +
                         " WHERE trace_id = ? AND assessment_id = ?");
  st.bind(1, trace_id).bind(2, assessment_id).run();
  return conn.changes();
}

// The stored metadata object merged with `update` (its keys win), as JSON text; none when empty.
std::optional<std::string> merged_metadata(const std::optional<std::string>& stored,
                                           const std::optional<std::string>& update) {
  nlohmann::ordered_json merged = nlohmann::ordered_json::object();
  for (const auto* text : {&stored, &update}) {
    if (!*text) continue;
    auto part = nlohmann::ordered_json::parse(**text, nullptr, false);
    if (!part.is_object()) continue;
    for (const auto& [k, v] : part.items()) merged[k] = v;
  }
  if (merged.empty()) return std::nullopt;
  return util::python_json_dumps(merged);
}

bool has_field(const std::vector<std::string>& fields, std::string_view name) {
  return std::find(fields.begin(), fields.end(), name) != fields.end();
}

}  // namespace

core::Assessment SqlTraceStore::create_assessment(const core::Assessment& assessment) {
  core::Assessment row = assessment;
  if (row.assessment_id.empty()) row.assessment_id = "a-" + util::uuid7_hex();  // time-ordered: ties on created_timestamp keep creation order
  const std::int64_t now = util::now_ms();
  if (row.created_timestamp == 0) row.created_timestamp = now;
  if (row.last_updated_timestamp == 0) row.last_updated_timestamp = now;
  row.valid = true;  // whatever the request said
  core::Assessment result;
  db_.write(
      [&](db::Connection& conn) {
        require_trace(conn, row.trace_id);
        auto& clash = conn.cached("SELECT trace_id FROM assessments WHERE assessment_id = ?");
        const bool taken = clash.bind(1, row.assessment_id).step();
        clash.reset();
        if (taken) {
          throw core::MlflowError(core::ErrorCode::RESOURCE_ALREADY_EXISTS,
                                  "Assessment with ID '" + row.assessment_id + "' already exists.");
        }
        if (row.overrides && set_valid(conn, row.trace_id, *row.overrides, false) == 0) {
          // MLflow's text, its missing f-string included.
          core::throw_not_found("Assessment with ID '" + *row.overrides + "' not found for trace '{trace_id}'");
        }
        const auto& d = conn.dialect();
        auto& st = conn.cached(
            std::string("INSERT INTO assessments (assessment_id, trace_id, name, assessment_type, value, error, "
                        "created_timestamp, last_updated_timestamp, source_type, source_id, run_id, span_id, rationale, "
                        "overrides, valid, assessment_metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ") +
            d.true_literal() + ", ?)");
        std::optional<std::string> source_id;
        if (!row.source.source_id.empty()) source_id = row.source.source_id;
        st.bind(1, row.assessment_id)
            .bind(2, row.trace_id)
            .bind(3, row.name)
            .bind(4, row.assessment_type)
            .bind(5, row.value)
            .bind(6, row.error)
            .bind(7, row.created_timestamp)
            .bind(8, row.last_updated_timestamp)
            .bind(9, row.source.source_type)
            .bind(10, source_id)
            .bind(11, row.run_id)
            .bind(12, row.span_id)
            .bind(13, row.rationale)
            .bind(14, row.overrides)
            .bind(15, row.metadata)
            .run();
        result = existing_assessment(conn, row.trace_id, row.assessment_id);
      },
      row.trace_id);
  return result;
}

core::Assessment SqlTraceStore::get_assessment(const std::string& trace_id, const std::string& assessment_id) {
  core::Assessment result;
  db_.read([&](db::Connection& conn) { result = existing_assessment(conn, trace_id, assessment_id); });
  return result;
}

core::Assessment SqlTraceStore::update_assessment(const core::Assessment& update, const std::vector<std::string>& fields) {
  const bool feedback = has_field(fields, "feedback"), expectation = has_field(fields, "expectation");
  const std::int64_t now = util::now_ms();
  core::Assessment result;
  db_.write(
      [&](db::Connection& conn) {
        core::Assessment row = existing_assessment(conn, update.trace_id, update.assessment_id);
        if (feedback && expectation) {
          core::throw_invalid("Cannot specify both `expectation` and `feedback` parameters.");
        }
        const bool is_expectation = row.assessment_type == "expectation";
        if (expectation && !is_expectation) core::throw_invalid("Cannot update expectation value on a Feedback assessment.");
        if (feedback && is_expectation) core::throw_invalid("Cannot update feedback value on an Expectation assessment.");

        if (has_field(fields, "assessment_name")) row.name = update.name;
        if (feedback || expectation) {
          row.value = update.value;
          row.error = feedback ? update.error : std::nullopt;
        }
        if (has_field(fields, "rationale")) row.rationale = update.rationale.value_or("");
        if (is_expectation) {  // expectations have neither
          row.rationale.reset();
          row.error.reset();
        }
        if (has_field(fields, "metadata")) {
          row.metadata = merged_metadata(row.metadata, update.metadata);
          core::validate_text_column(row.metadata.value_or(""), "metadata");
        }
        // MLflow's handler passes `valid` on to a store that does not take it (500); here it is set.
        if (has_field(fields, "valid")) row.valid = update.valid;
        auto& st = conn.cached(
            "UPDATE assessments SET name = ?, value = ?, error = ?, last_updated_timestamp = ?, rationale = ?, "
            "assessment_metadata = ?, valid = ? WHERE trace_id = ? AND assessment_id = ?");
        st.bind(1, row.name)
            .bind(2, row.value)
            .bind(3, row.error)
            .bind(4, now)
            .bind(5, row.rationale)
            .bind(6, row.metadata)
            .bind(7, static_cast<std::int64_t>(row.valid ? 1 : 0))
            .bind(8, row.trace_id)
            .bind(9, row.assessment_id)
            .run();
        result = existing_assessment(conn, row.trace_id, row.assessment_id);
      },
      update.trace_id);
  return result;
}

void SqlTraceStore::delete_assessment(const std::string& trace_id, const std::string& assessment_id) {
  db_.write(
      [&](db::Connection& conn) {
        require_trace(conn, trace_id);
        auto row = assessment_row(conn, trace_id, assessment_id);
        if (!row) return;  // idempotent
        // The assessment it overrode is valid again.
        if (row->overrides) set_valid(conn, trace_id, *row->overrides, true);
        auto& st = conn.cached("DELETE FROM assessments WHERE trace_id = ? AND assessment_id = ?");
        st.bind(1, trace_id).bind(2, assessment_id).run();
      },
      trace_id);
}

}  // namespace sextant::store::sql
