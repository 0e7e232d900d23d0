// MLflow's tracking + registry schema at alembic head bf29a5ff90ea (mlflow-api.md Appendix A), on
// SQLite and on PostgreSQL (as MLflow's migrations create it there), plus Sextant's own tables.
#pragma once

#include <stdexcept>
#include <string>

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

// On an empty database: creates the head schema, stamps alembic_version and inserts the
// default experiment 0 with artifact location <default_artifact_root>/0; completes a creation
// that a killed start left unfinished (kCreatingSchema). On an existing one:
// checks the revision (throws SchemaVersionError if it is not the head) and adds our extra
// indexes. Idempotent; safe to call at every start.
// Returns what the stores must know about the schema it found or made.
SchemaProfile ensure_schema(db::Connection& conn, const std::string& default_artifact_root);

// Re-samples the query planner's statistics (ANALYZE with a row limit; takes milliseconds).
void refresh_planner_statistics(db::Connection& conn);

}  // namespace sextant::store::sql
