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
