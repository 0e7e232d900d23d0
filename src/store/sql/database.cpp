#include "store/sql/database.hpp"

#include "core/error.hpp"
#include "db/open.hpp"
#include "store/sql/schema.hpp"

namespace sextant::store::sql {

using core::ErrorCode;
using core::MlflowError;

namespace {

template <typename Fn>
void translating_db_errors(Fn&& fn) {
  try {
    fn();
  } catch (const db::DbError& e) {
    if (e.busy()) throw MlflowError(ErrorCode::TEMPORARILY_UNAVAILABLE, std::string("Database is busy: ") + e.what());
    if (e.connection_unusable()) {
      throw MlflowError(ErrorCode::TEMPORARILY_UNAVAILABLE, std::string("Database is unavailable: ") + e.what());
    }
    if (e.constraint()) throw MlflowError(ErrorCode::BAD_REQUEST, e.what());
    throw MlflowError(ErrorCode::INTERNAL_ERROR, e.what());
  }
}

}  // namespace

Database::Database(const DatabaseOptions& options) : default_artifact_root_(options.default_artifact_root) {
  db::DatabaseUri uri = options.uri;
  auto open = [uri] { return db::open_connection(uri); };
  {
    auto conn = open();
    dialect_ = &conn->dialect();
    SchemaOptions schema_options = options.schema;
    schema_options.default_artifact_root = default_artifact_root_;
    schema_ = ensure_schema(*conn, schema_options);
  }
  readers_ = std::make_unique<db::ConnectionPool>(open, options.reader_connections);
  std::size_t writers = dialect_->backend == db::Backend::Sqlite ? 1
                        : options.writer_connections   ? options.writer_connections
                                                       : kDefaultServerWriters;
  // Planner statistics are refreshed by the first writer, counting every writer's requests.
  auto activity = std::make_shared<std::atomic<std::size_t>>(0);
  for (std::size_t i = 0; i < writers; ++i) {
    writers_.push_back(std::make_unique<db::WriteQueue>(
        open, options.max_group, i == 0 ? db::WriteQueue::Work(refresh_planner_statistics) : db::WriteQueue::Work(),
        std::chrono::seconds(60), activity));
  }
}

void Database::read(const std::function<void(db::Connection&)>& fn) {
  translating_db_errors([&] {
    for (int attempt = 0;; ++attempt) {
      bool started = false;
      try {
        auto conn = readers_->acquire();
        db::Transaction tx(*conn);
        started = true;
        fn(*conn);
        tx.commit();
        return;
      } catch (const db::DbError& e) {
        // A pooled connection the server dropped (restart, failover): once more on a new one,
        // unless `fn` already ran (it may have produced part of its results).
        if (attempt > 0 || started || !e.connection_unusable()) throw;
      }
    }
  });
}

void Database::write(const std::function<void(db::Connection&)>& fn, std::string_view affinity) {
  std::size_t at = affinity.empty() ? 0 : std::hash<std::string_view>{}(affinity) % writers_.size();
  translating_db_errors([&] { writers_[at]->run(fn); });
}

}  // namespace sextant::store::sql
