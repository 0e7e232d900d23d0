// MLflow's tracking + registry schema at alembic head bf29a5ff90ea (mlflow-api.md Appendix A), on
// SQLite and on PostgreSQL (as MLflow's migrations create it there), plus Sextant's own tables.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "db/connection.hpp"
#include "store/sql/schema_profile.hpp"

namespace sextant::store::sql {

inline constexpr const char* kSchemaHead = "bf29a5ff90ea";
// alembic_version while the first start creates the schema (seen only where DDL commits by
// itself, MySQL, after that start was killed; the next start completes the schema).
inline constexpr const char* kCreatingSchema = "sextant-creating";

// Thrown when an existing database is at a revision we do not serve.
class SchemaVersionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// How a start treats a database at an MLflow revision Sextant does not know (a newer release):
// Inspect serves it when its tables accept Sextant's rows (store/sql/schema_inspection.hpp);
// Strict refuses it.
enum class SchemaCheck { Inspect, Strict };

struct SchemaOptions {
  std::string default_artifact_root;
  SchemaCheck check = SchemaCheck::Inspect;
  // The revision an empty database is created at: empty = kSchemaHead (what MLflow 3.6 creates),
  // else a newer upstream revision or kForkRevisionName (store/sql/schema_upgrade.hpp).
  std::string create_revision;
  // Receives the start-up log lines (what was found, what Sextant does with it); may be empty.
  std::function<void(const std::string&)> log;
};

// On an empty database: creates the schema MLflow 3.6 creates, migrated to
// options.create_revision, stamps alembic_version and inserts the default experiment 0 with
// artifact location <default_artifact_root>/0; completes a creation that a killed start left
// unfinished (kCreatingSchema). On an existing one: reads the revision and the catalog and
// throws SchemaVersionError when Sextant cannot serve it (older than MLflow 3.6: upgrade first;
// unknown under Strict; tables that refuse Sextant's rows; rows in a workspace other than
// 'default'), else adds Sextant's extra indexes. Returns the profile the stores need.
// Idempotent; safe to call at every start.
SchemaProfile ensure_schema(db::Connection& conn, const SchemaOptions& options);
inline SchemaProfile ensure_schema(db::Connection& conn, const std::string& default_artifact_root) {
  SchemaOptions options;
  options.default_artifact_root = default_artifact_root;
  return ensure_schema(conn, options);
}

// What `sextant db check` prints: the revision, whether Sextant knows it, the inspection's
// findings, and the upgrade Sextant could apply. Reads only.
struct SchemaReport {
  bool empty = false;            // no MLflow schema yet (Sextant would create one)
  SchemaProfile profile;
  bool fork = false;             // the opendatahub-io fork's 1b5f0d9ad7c1
  bool older_than_served = false;  // before MLflow 3.6's head: `sextant db upgrade` first
  std::vector<std::string> refusals;
  std::vector<std::string> notes;
};
SchemaReport inspect_database(db::Connection& conn);

// The columns of `table` in the schema MLflow 3.6 creates (Sextant's head DDL), in table order;
// empty for a table that schema does not have.
const std::vector<std::string>& head_table_columns(std::string_view table);

// Re-samples the query planner's statistics (ANALYZE with a row limit; takes milliseconds).
void refresh_planner_statistics(db::Connection& conn);

}  // namespace sextant::store::sql
