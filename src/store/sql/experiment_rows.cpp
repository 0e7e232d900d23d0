#include "store/sql/experiment_rows.hpp"

#include "core/error.hpp"
#include "store/sql/sql_helpers.hpp"
#include "store/sql/workspace_sql.hpp"

namespace sextant::store::sql {

[[noreturn]] void experiment_not_found(const std::string& id) {
  core::throw_not_found("No Experiment with id=" + id + " exists");
}

std::int64_t require_experiment_id(const std::string& id) {
  auto parsed = parse_experiment_id(id);
  if (!parsed) experiment_not_found(id);
  return *parsed;
}

const char* const kExperimentColumns =
    "SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time FROM experiments";

ExperimentStatements::ExperimentStatements(bool with_workspaces) : workspaces(with_workspaces) {
  WorkspaceSql ws(workspaces);
  name_taken = "SELECT 1 FROM experiments WHERE " + ws.where + "name = ?";
  by_name = std::string(kExperimentColumns) + " WHERE " + ws.where + "name = ?";
  insert = "INSERT INTO experiments (" + ws.column +
           "name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (" + ws.value +
           "?, ?, 'active', ?, ?)";
  create_conflict = ") already exists. Error: " + ws.unique_name_failure("experiments");
}

core::Experiment read_experiment_row(db::Statement& st) {
  core::Experiment e;
  e.experiment_id = std::to_string(st.int64(0));
  e.name = st.text(1);
  e.artifact_location = st.text(2);
  e.lifecycle_stage = st.text(3);
  auto ct = st.opt_int64(4), lt = st.opt_int64(5);
  if (ct && *ct) e.creation_time = ct;
  if (lt && *lt) e.last_update_time = lt;
  return e;
}

void load_experiment_tags(db::Connection& conn, core::Experiment& e) {
  auto& st = conn.cached("SELECT key, value FROM experiment_tags WHERE experiment_id = ? ORDER BY key");
  st.bind(1, std::stoll(e.experiment_id));
  while (st.step()) e.tags.push_back({st.text(0), st.text(1)});
  st.reset();
}

std::optional<core::Experiment> experiment_by_id(db::Connection& conn, std::int64_t id, bool with_tags) {
  auto& st = conn.cached(std::string(kExperimentColumns) + " WHERE experiment_id = ?");
  st.bind(1, id);
  if (!st.step()) {
    st.reset();
    return std::nullopt;
  }
  auto e = read_experiment_row(st);
  st.reset();
  if (with_tags) load_experiment_tags(conn, e);
  return e;
}

core::Experiment active_experiment(db::Connection& conn, const std::string& id) {
  auto e = experiment_by_id(conn, require_experiment_id(id), /*with_tags=*/false);
  if (!e) experiment_not_found(id);
  if (e->lifecycle_stage != "active") {
    core::throw_invalid("The experiment " + id + " must be in the 'active' state. Current state is " +
                        e->lifecycle_stage + ".");
  }
  return *e;
}

}  // namespace sextant::store::sql
