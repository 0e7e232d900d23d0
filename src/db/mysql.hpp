// The MySQL / MariaDB driver behind db/connection.hpp, on MariaDB Connector/C (libmariadb; also
// what Aurora MySQL speaks). Server-side prepared statements (mysql_stmt_*), cached per
// connection; parameters bound with their C++ types, results buffered client-side
// (mysql_stmt_store_result) so a connection can run other statements while it reads rows.
// Sessions run with ANSI_QUOTES (the schema's "key"), NO_AUTO_VALUE_ON_ZERO (experiment 0), strict
// mode, READ COMMITTED for writes, and CLIENT_FOUND_ROWS (changes() counts matched rows, as
// SQLite and PostgreSQL do). The column name `key`, reserved in MySQL, is back-quoted where store
// SQL writes it bare (mysql_quote_reserved).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/connection.hpp"

struct st_mysql;

namespace sextant::db {

// Back-quotes the lower-case column names `key` and `groups` (reserved words in MySQL) outside
// '...' literals and quoted identifiers; upper-case KEY is the keyword (PRIMARY KEY, ON DUPLICATE
// KEY UPDATE), and store SQL writes keywords in upper case.
std::string mysql_quote_reserved(std::string_view sql);

class MysqlConnection final : public Connection {
 public:
  // Connects with the parameters of db/uri.hpp (user, password, host, port, dbname and the
  // options charset, unix_socket, connect_timeout, read_timeout, write_timeout, ssl_ca,
  // ssl_capath, ssl_cert, ssl_key, ssl_cipher, ssl_verify_cert). Throws DbError (ConnectionLost).
  explicit MysqlConnection(const std::vector<std::pair<std::string, std::string>>& params);
  ~MysqlConnection() override;

  const Dialect& dialect() const override { return mysql_dialect(); }
  void exec(std::string_view sql) override;
  void begin(TransactionMode mode) override;
  std::int64_t changes() const override { return changes_; }
  std::int64_t last_insert_id() const override { return last_id_; }
  bool broken() const override { return broken_; }

  // Internal to the driver.
  [[noreturn]] void fail(unsigned error, const std::string& message, std::string_view context);
  st_mysql* handle() const { return conn_; }
  void set_result(std::int64_t changes, std::int64_t last_id) {
    changes_ = changes;
    last_id_ = last_id;
  }

 protected:
  std::unique_ptr<StatementImpl> make_statement(std::string_view sql, bool cached) override;

 private:
  st_mysql* conn_ = nullptr;
  std::int64_t changes_ = 0, last_id_ = 0;
  bool broken_ = false;
};

}  // namespace sextant::db
