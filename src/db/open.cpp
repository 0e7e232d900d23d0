#include "db/open.hpp"

#include "db/mysql.hpp"
#include "db/postgres.hpp"
#include "db/sqlite.hpp"

namespace sextant::db {

std::unique_ptr<Connection> open_connection(const DatabaseUri& uri) {
  switch (uri.backend) {
    case Backend::Sqlite: return std::make_unique<SqliteConnection>(uri.sqlite_path);
    case Backend::Postgres: return std::make_unique<PgConnection>(uri.params);
    case Backend::Mysql: return std::make_unique<MysqlConnection>(uri.params);
  }
  throw DbError("no driver for this backend", ErrorKind::Other);
}

}  // namespace sextant::db
