// One database shared by the stores (tracking, logged models, registry, auth), on any driver
// (db/open.hpp): a bounded pool of reader connections and the group-commit writer. Thread-safe.
// Construction connects and ensures MLflow's schema (throws SchemaVersionError for a database
// at another revision, db::DbError when the server cannot be reached).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "db/connection_pool.hpp"
#include "db/uri.hpp"
#include "db/write_queue.hpp"

namespace sextant::store::sql {

struct DatabaseOptions {
  db::DatabaseUri uri;                // which database (db::parse_database_uri)
  std::string default_artifact_root;  // e.g. "mlflow-artifacts:/"
  std::size_t reader_connections = 8;
  std::size_t max_group = 256;        // requests per group commit
};

class Database {
 public:
  explicit Database(const DatabaseOptions& options);

  // Runs `fn` on a reader connection inside a read transaction (a consistent snapshot). When
  // the pooled connection turns out to be gone before `fn` ran, once more on a fresh one.
  void read(const std::function<void(db::Connection&)>& fn);
  // Runs `fn` inside the writer's group commit (its own savepoint) and waits for the commit;
  // `fn` may run more than once (db/write_queue.hpp), so it must assign its results.
  void write(const std::function<void(db::Connection&)>& fn);
  // Both translate database errors into core::MlflowError (busy, connection lost, read-only ->
  // TEMPORARILY_UNAVAILABLE; constraint -> BAD_REQUEST; else INTERNAL_ERROR); MlflowErrors
  // from `fn` pass through.

  const db::Dialect& dialect() const { return *dialect_; }
  const std::string& default_artifact_root() const { return default_artifact_root_; }

 private:
  std::string default_artifact_root_;
  const db::Dialect* dialect_;
  std::unique_ptr<db::ConnectionPool> readers_;
  std::unique_ptr<db::WriteQueue> writer_;
};

}  // namespace sextant::store::sql
