// What differs between the SQL dialects the stores speak (SQLite, PostgreSQL, MySQL/MariaDB),
// as small pure functions over SQL text. Store SQL is written once, in the common subset, with
// '?' placeholders; these supply the parts that are not common. No I/O.
#pragma once

#include <string>
#include <string_view>

namespace sextant::db {

enum class Backend { Sqlite, Postgres, Mysql };

struct Dialect {
  Backend backend;
  const char* name;          // "sqlite", "postgresql", "mysql"
  bool has_returning;        // INSERT ... RETURNING (else Connection::last_insert_id)
  bool has_index_hints;      // SQLite's INDEXED BY

  // "INSERT INTO <rest>" that skips rows violating a unique key (SQLite INSERT OR IGNORE,
  // PostgreSQL ON CONFLICT DO NOTHING, MySQL INSERT IGNORE). `rest` is "t (cols) VALUES (...)".
  std::string insert_ignore(std::string_view rest) const;
  // INSERT of `rest` that on a conflict on `key_columns` sets `update` ("a = <new a>, ..."); in
  // `update`, write EXCLUDED(col) for the new row's value (rendered per dialect).
  std::string upsert(std::string_view rest, std::string_view key_columns, std::string_view update) const;
  // "<column> LIKE <placeholder>" case-insensitively (MLflow's ILIKE: PostgreSQL ILIKE, else
  // lower() LIKE lower()).
  std::string ilike(std::string_view column, std::string_view placeholder) const;
  // Case-sensitive LIKE with no escape character (SQLite's and MLflow's behaviour on SQLite; the
  // connection sets case_sensitive_like on SQLite, PostgreSQL LIKE is case-sensitive, Sextant's
  // MySQL tables use the utf8mb4_bin collation).
  std::string like(std::string_view column, std::string_view placeholder) const;
  // " RETURNING <column>" where supported, else "".
  std::string returning(std::string_view column) const;
  // " INDEXED BY <index>" on SQLite, else "".
  std::string index_hint(std::string_view index) const;
  // "CAST(<expr> AS <text type>)".
  std::string cast_text(std::string_view expr) const;
  // <expr> without trailing '/' characters.
  std::string rtrim_slash(std::string_view expr) const;
  // Length of <expr> in characters.
  std::string char_length(std::string_view expr) const;
  // " FOR UPDATE" where SELECT can lock rows (not SQLite: its writer holds the database lock).
  std::string for_update() const { return backend == Backend::Sqlite ? "" : " FOR UPDATE"; }
  // INSERT ... ON CONFLICT DO UPDATE ... WHERE <condition> (SQLite, PostgreSQL; not MySQL).
  bool has_conditional_upsert() const { return backend != Backend::Mysql; }
  // Boolean literals as the dialect stores them ("1"/"0" where booleans are integers).
  const char* true_literal() const { return backend == Backend::Postgres ? "TRUE" : "1"; }
  const char* false_literal() const { return backend == Backend::Postgres ? "FALSE" : "0"; }
};

const Dialect& sqlite_dialect();
const Dialect& postgres_dialect();
const Dialect& mysql_dialect();

}  // namespace sextant::db
