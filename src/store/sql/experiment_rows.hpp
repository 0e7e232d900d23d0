// Reading experiment rows, shared by the SQLite stores (tracking, logged models). Functions run
// on a connection the caller holds (inside its read transaction or write savepoint).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/entities.hpp"
#include "db/connection.hpp"

namespace sextant::store::sql {

// "SELECT <the experiment columns read_experiment_row expects> FROM experiments"
extern const char* const kExperimentColumns;

// The statements on experiments that name one, in the served schema's form (built once per
// store): with workspaces (SchemaProfile::workspaces) names are unique per workspace, so they look
// in the default workspace and the insert writes it; without, MLflow 3.6's texts.
struct ExperimentStatements {
  explicit ExperimentStatements(bool workspaces);
  bool workspaces;
  std::string name_taken;  // SELECT 1 ... WHERE name = ?1
  std::string by_name;     // kExperimentColumns ... WHERE name = ?1
  // INSERT: name ?1, artifact_location ?2, creation_time ?3, last_update_time ?4 (lifecycle active).
  std::string insert;
  // What follows "Experiment(name=<name>" when create finds the name taken (MLflow quotes SQLite's
  // IntegrityError: the unique key's columns).
  std::string create_conflict;
};

// RESOURCE_DOES_NOT_EXIST "No Experiment with id=<id> exists".
[[noreturn]] void experiment_not_found(const std::string& id);
// The integer id, or experiment_not_found for anything that is not one.
std::int64_t require_experiment_id(const std::string& id);

core::Experiment read_experiment_row(db::Statement& st);
void load_experiment_tags(db::Connection& conn, core::Experiment& e);
// With tags (unless told otherwise); nullopt when there is no such row.
std::optional<core::Experiment> experiment_by_id(db::Connection& conn, std::int64_t id, bool with_tags = true);
// The experiment without its tags, which must exist (404) and be active (400 "The experiment x
// must be in the 'active' state. Current state is deleted.").
core::Experiment active_experiment(db::Connection& conn, const std::string& id);

}  // namespace sextant::store::sql
