#include "store/sql/schema_inspection.hpp"

#include <algorithm>
#include <set>

#include "store/sql/schema.hpp"

namespace sextant::store::sql {

namespace {

struct WrittenTable {
  const char* name;
  bool workspace_scoped;  // has `workspace` at MLflow's workspace revisions
  // The unique keys Sextant's upserts and duplicate checks name (without `workspace`), each
  // "a,b"; at the workspace revisions a workspace-scoped table's keys lead with `workspace`.
  std::vector<std::vector<std::string>> keys;
};

const std::vector<WrittenTable>& written() {
  static const std::vector<WrittenTable> tables = {
      {"experiments", true, {{"experiment_id"}, {"name"}}},
      {"experiment_tags", false, {{"key", "experiment_id"}}},
      {"runs", false, {{"run_uuid"}}},
      {"tags", false, {{"key", "run_uuid"}}},
      {"params", false, {{"key", "run_uuid"}}},
      {"metrics", false, {}},
      {"latest_metrics", false, {{"key", "run_uuid"}}},
      {"registered_models", true, {{"name"}}},
      {"model_versions", true, {{"name", "version"}}},
      {"registered_model_tags", true, {{"key", "name"}}},
      {"model_version_tags", true, {{"key", "name", "version"}}},
      {"registered_model_aliases", true, {{"name", "alias"}}},
      {"datasets", false, {{"experiment_id", "name", "digest"}}},
      {"inputs", false, {{"source_type", "source_id", "destination_type", "destination_id"}}},
      {"input_tags", false, {{"input_uuid", "name"}}},
      {"logged_models", false, {{"model_id"}}},
      {"logged_model_metrics", false, {}},
      {"logged_model_params", false, {{"model_id", "param_key"}}},
      {"logged_model_tags", false, {{"model_id", "tag_key"}}},
      {"webhooks", true, {{"webhook_id"}}},
      {"webhook_events", false, {{"webhook_id", "entity", "action"}}},
      // MLflow 3 tracing (issue 16). trace_metrics (b7c8d9e0f1a2 on) is written only where it exists.
      {"trace_info", false, {{"request_id"}}},
      {"trace_tags", false, {{"key", "request_id"}}},
      {"trace_request_metadata", false, {{"key", "request_id"}}},
      {"spans", false, {{"trace_id", "span_id"}}},
      {"entity_associations", false, {{"source_type", "source_id", "destination_type", "destination_id"}}},
      {"assessments", false, {{"assessment_id"}}},
      // GenAI evaluation datasets and scorers (issue 16).
      {"evaluation_datasets", true, {}},
      {"evaluation_dataset_tags", false, {{"dataset_id", "key"}}},
      {"evaluation_dataset_records", false, {}},
      {"scorers", false, {}},
      {"scorer_versions", false, {}},
  };
  return tables;
}

// Keys that stay without `workspace` at the workspace revisions (ids unique across workspaces).
bool global_key(const std::vector<std::string>& key) {
  return key.size() == 1 && (key[0] == "experiment_id" || key[0] == "webhook_id");
}

std::string joined(const std::vector<std::string>& key) {
  std::string out;
  for (const auto& k : key) out += (out.empty() ? "" : ", ") + k;
  return out;
}

}  // namespace

const std::vector<std::string>& written_tables() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& t : written()) out.emplace_back(t.name);
    return out;
  }();
  return names;
}

SchemaFindings inspect_schema(const Catalog& catalog, const SchemaProfile& profile) {
  SchemaFindings f;
  std::set<std::string> written_names;
  for (const auto& w : written()) {
    written_names.insert(w.name);
    const CatalogTable* t = catalog.table(w.name);
    if (!t) {
      f.refusals.push_back(std::string("table ") + w.name + " is missing; Sextant writes to it");
      continue;
    }
    std::vector<std::string> known = head_table_columns(w.name);
    const bool scoped = w.workspace_scoped && profile.workspaces;
    if (scoped) known.push_back("workspace");
    for (const auto& col : known) {
      if (!t->column(col)) {
        f.refusals.push_back(std::string("table ") + w.name + " has no column " + col + ", which Sextant writes");
      }
    }
    if (w.workspace_scoped && !profile.workspaces && t->column("workspace")) {
      f.refusals.push_back(std::string("table ") + w.name +
                           " has a workspace column but experiments has none; the workspace columns of MLflow's "
                           "revision 1b5f0d9ad7c1 are only partly there");
    }
    for (const auto& c : t->columns) {
      if (std::find(known.begin(), known.end(), c.name) != known.end()) continue;
      if (!c.nullable && !c.has_default) {
        f.refusals.push_back(std::string("table ") + w.name + " has column " + c.name + " (" + c.type +
                             ", NOT NULL without a default), which Sextant does not know, so its rows would be refused");
      } else {
        f.notes.push_back(std::string("column ") + w.name + "." + c.name + " (" + c.type +
                          (c.nullable ? ", nullable" : ", with a default") + ") is left to its default");
      }
    }
    for (auto key : w.keys) {
      if (scoped && !global_key(key)) key.insert(key.begin(), "workspace");
      if (!t->has_unique_key(key)) {
        f.refusals.push_back(std::string("table ") + w.name + " has no unique key on (" + joined(key) +
                             "), which Sextant's writes rely on");
      }
    }
  }
  std::vector<std::string> other;
  for (const auto& [name, _] : catalog.tables) {
    if (written_names.count(name) || name.starts_with("sextant_") || name == "alembic_version") continue;
    if (head_table_columns(name).empty()) other.push_back(name);
  }
  if (!other.empty()) {
    f.notes.push_back("tables Sextant does not know and leaves alone: " + joined(other));
  }
  return f;
}

}  // namespace sextant::store::sql
