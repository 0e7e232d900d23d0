// The PostgreSQL driver behind db/connection.hpp, on libpq directly (thin RAII). Statements keep
// the stores' '?' placeholders; they are translated to $1, $2, ... (pg_placeholders). Cached
// statements are server-side prepared once per connection (PQprepare / PQexecPrepared), others
// use PQexecParams. Parameters go as text with types left to the server, so '1' binds to a
// boolean, an integer or a text column alike; booleans read back as 0 / 1.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/connection.hpp"

struct pg_conn;
struct pg_result;

namespace sextant::db {

// "? ... ?" -> "$1 ... $2", leaving '?' inside '...' literals, "..." identifiers, -- and /* */
// comments alone. Sets `count` to the number of placeholders.
std::string pg_placeholders(std::string_view sql, int& count);

class PgConnection final : public Connection {
 public:
  // Connects with libpq keyword/value parameters (db/uri.hpp). Throws DbError (ConnectionLost)
  // when the server cannot be reached or refuses the login.
  explicit PgConnection(const std::vector<std::pair<std::string, std::string>>& params);
  ~PgConnection() override;

  const Dialect& dialect() const override { return postgres_dialect(); }
  void exec(std::string_view sql) override;
  void begin(TransactionMode mode) override;
  std::int64_t changes() const override { return changes_; }
  std::int64_t last_insert_id() const override;
  bool broken() const override { return broken_; }

  // Internal to the driver: raise a classified DbError for a failed result (consumes it).
  [[noreturn]] void fail(pg_result* res, std::string_view context);
  pg_conn* handle() const { return conn_; }
  void set_changes(std::int64_t n) { changes_ = n; }
  std::string next_statement_name() { return "sx" + std::to_string(++statements_); }

 protected:
  std::unique_ptr<StatementImpl> make_statement(std::string_view sql, bool cached) override;

 private:
  pg_conn* conn_ = nullptr;
  std::int64_t changes_ = 0;
  bool broken_ = false;
  unsigned statements_ = 0;
};

}  // namespace sextant::db
