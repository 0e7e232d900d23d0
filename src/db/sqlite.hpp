// The SQLite driver behind db/connection.hpp: a thin RAII wrapper over sqlite3 with the
// per-connection pragmas MLflow sets (WAL, busy_timeout, foreign_keys, case_sensitive_like).
#pragma once

#include <string>

#include "db/connection.hpp"

struct sqlite3;

namespace sextant::db {

class SqliteConnection final : public Connection {
 public:
  // Opens (creating if needed) the database file.
  explicit SqliteConnection(const std::string& path);
  ~SqliteConnection() override;

  const Dialect& dialect() const override { return sqlite_dialect(); }
  void exec(std::string_view sql) override;
  void begin(TransactionMode mode) override;
  std::int64_t changes() const override;
  std::int64_t last_insert_id() const override;
  sqlite3* handle() const { return db_; }

 protected:
  std::unique_ptr<StatementImpl> make_statement(std::string_view sql, bool cached) override;

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace sextant::db
