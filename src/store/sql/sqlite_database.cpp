#include "store/sql/sqlite_database.hpp"

#include "core/error.hpp"
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
    if (e.constraint()) throw MlflowError(ErrorCode::BAD_REQUEST, e.what());
    throw MlflowError(ErrorCode::INTERNAL_ERROR, e.what());
  }
}
}  // namespace

SqliteDatabase::SqliteDatabase(const SqliteOptions& options) : default_artifact_root_(options.default_artifact_root) {
  {
    db::Connection conn(options.path);
    ensure_schema(conn, default_artifact_root_);
  }
  readers_ = std::make_unique<db::ConnectionPool>(options.path, options.reader_connections);
  writer_ = std::make_unique<db::WriteQueue>(options.path, options.max_group, refresh_planner_statistics);
}

void SqliteDatabase::read(const std::function<void(db::Connection&)>& fn) {
  translating_db_errors([&] {
    auto conn = readers_->acquire();
    db::Transaction tx(*conn);
    fn(*conn);
    tx.commit();
  });
}

void SqliteDatabase::write(const std::function<void(db::Connection&)>& fn) {
  translating_db_errors([&] { writer_->run(fn); });
}

}  // namespace sextant::store::sql
