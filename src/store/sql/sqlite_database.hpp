// One SQLite database shared by the stores (tracking, logged models, registry): a pool of
// reader connections and the group-commit writer. Thread-safe. Construction opens the file and
// ensures MLflow's schema (throws SchemaVersionError for a database at another revision).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "db/connection_pool.hpp"
#include "db/write_queue.hpp"

namespace sextant::store::sql {

struct SqliteOptions {
  std::string path;                   // database file
  std::string default_artifact_root;  // e.g. "mlflow-artifacts:/"
  std::size_t reader_connections = 8;
  std::size_t max_group = 256;        // requests per group commit
};

class SqliteDatabase {
 public:
  explicit SqliteDatabase(const SqliteOptions& options);

  // Runs `fn` on a reader connection inside a read transaction (a consistent snapshot).
  void read(const std::function<void(db::Connection&)>& fn);
  // Runs `fn` inside the writer's group commit (its own savepoint) and waits for the commit.
  void write(const std::function<void(db::Connection&)>& fn);
  // Both translate database errors into core::MlflowError (busy -> TEMPORARILY_UNAVAILABLE,
  // constraint -> BAD_REQUEST, else INTERNAL_ERROR); MlflowErrors from `fn` pass through.

  const std::string& default_artifact_root() const { return default_artifact_root_; }

 private:
  std::string default_artifact_root_;
  std::unique_ptr<db::ConnectionPool> readers_;
  std::unique_ptr<db::WriteQueue> writer_;
};

}  // namespace sextant::store::sql
