// One database shared by the stores (tracking, logged models, registry, auth), on any driver
// (db/open.hpp): a bounded pool of reader connections and the group-commit writer. Thread-safe.
// Construction connects and ensures MLflow's schema (throws SchemaVersionError for a database
// at another revision, db::DbError when the server cannot be reached).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "db/connection_pool.hpp"
#include "db/uri.hpp"
#include "db/write_queue.hpp"
#include "store/sql/schema.hpp"
#include "store/sql/schema_profile.hpp"

namespace sextant::store::sql {

struct DatabaseOptions {
  db::DatabaseUri uri;                // which database (db::parse_database_uri)
  std::string default_artifact_root;  // e.g. "mlflow-artifacts:/"
  std::size_t reader_connections = 8;
  std::size_t max_group = 256;        // requests per group commit
  // Writer connections, each with its own group commit (0: kDefaultServerWriters on PostgreSQL
  // and MySQL; SQLite always has one, it allows one writer at a time). On a server database the
  // statements of one group run one after another, each a network round trip, so one connection
  // caps the write rate however large the groups; several connections overlap those waits.
  std::size_t writer_connections = 0;
  // How the schema is checked and created (store/sql/schema.hpp); its default_artifact_root is
  // taken from default_artifact_root above.
  SchemaOptions schema;
};

inline constexpr std::size_t kDefaultServerWriters = 4;

class Database {
 public:
  explicit Database(const DatabaseOptions& options);

  // Runs `fn` on a reader connection inside a read transaction (a consistent snapshot). When
  // the pooled connection turns out to be gone before `fn` ran, once more on a fresh one.
  void read(const std::function<void(db::Connection&)>& fn);
  // Runs `fn` inside a writer's group commit (its own savepoint) and waits for the commit;
  // `fn` may run more than once (db/write_queue.hpp), so it must assign its results. Writes
  // with the same non-empty `affinity` (a run id) always go to the same writer, so one run's
  // writes keep their order and never wait on each other's row locks across connections;
  // writes without one (experiments, registry, accounts) all go to the first writer, as before.
  void write(const std::function<void(db::Connection&)>& fn, std::string_view affinity = {});
  // Both translate database errors into core::MlflowError (busy, connection lost, read-only ->
  // TEMPORARILY_UNAVAILABLE; constraint -> BAD_REQUEST; else INTERNAL_ERROR); MlflowErrors
  // from `fn` pass through.

  const db::Dialect& dialect() const { return *dialect_; }
  const std::string& default_artifact_root() const { return default_artifact_root_; }
  // The served schema's shape (revision, workspace columns, ...), fixed at construction.
  const SchemaProfile& schema() const { return schema_; }

 private:
  std::string default_artifact_root_;
  SchemaProfile schema_;
  const db::Dialect* dialect_;
  std::unique_ptr<db::ConnectionPool> readers_;
  std::vector<std::unique_ptr<db::WriteQueue>> writers_;
};

}  // namespace sextant::store::sql
