// The building blocks of Sextant's copies of MLflow's alembic migrations (migration.hpp): what
// alembic's `op` does on each dialect, as small functions over a db::Connection. Catalog lookups
// read the current schema (PostgreSQL current_schema(), MySQL DATABASE(), SQLite main).
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/connection.hpp"

namespace sextant::store::sql::migrations {

// The text for the connection's dialect.
std::string_view by_dialect(const db::Connection& conn, std::string_view sqlite, std::string_view postgres,
                            std::string_view mysql);
bool is_sqlite(const db::Connection& conn);
bool is_postgres(const db::Connection& conn);
bool is_mysql(const db::Connection& conn);

// Runs one DDL statement of a migration (the drivers' rewrites apply, e.g. MySQL's back-quoted
// `key`; write "key" for the reserved column name, ANSI quotes work on all three).
// MySQL commits each DDL statement by itself and the runner resumes a failed upgrade at the
// revision it stamped last, so the statements of a migration that failed or was killed half-way
// run a second time: there a statement whose result is already in place is skipped (CREATE TABLE t
// when t exists, CREATE [UNIQUE] INDEX i ON t when t has i, ALTER TABLE t ADD COLUMN c when t has
// c, ALTER TABLE t ADD CONSTRAINT n when t has n). On SQLite and PostgreSQL (one transaction,
// nothing is left half-way) it runs as it is.
void ddl(db::Connection& conn, std::string_view sql);
// ddl() of each statement, in order.
void exec_all(db::Connection& conn, std::initializer_list<std::string_view> statements);

// SQLAlchemy's Float(precision=53) in DDL: "FLOAT" on SQLite (alembic renders no precision there),
// "FLOAT(53)" elsewhere (double precision on PostgreSQL, DOUBLE on MySQL).
std::string_view float53(const db::Connection& conn);
// SQLAlchemy's Text().with_variant(<mysql_type>, "mysql"): `mysql_type` on MySQL, else "TEXT".
std::string_view text_or_mysql(const db::Connection& conn, std::string_view mysql_type);

// Catalog questions about the current schema.
bool table_exists(db::Connection& conn, std::string_view table);
bool column_exists(db::Connection& conn, std::string_view table, std::string_view column);
bool index_exists(db::Connection& conn, std::string_view table, std::string_view index);

// The top-level items of a CREATE TABLE statement's body (its column definitions and table
// constraints), trimmed, in order; commas inside parentheses or quotes do not split.
std::vector<std::string_view> create_table_items(std::string_view create_table);
// The column names among such items (those that are not table constraints), in order, unquoted.
std::vector<std::string> item_columns(const std::vector<std::string_view>& items);
// item_columns(create_table_items(create_table)).
std::vector<std::string> declared_columns(std::string_view create_table);
// PostgreSQL / MySQL: the name of the foreign key of `table` whose columns are exactly `columns`
// (in order) and, when `referred_table` is not empty, that refers to it; nullopt when there is
// none. This is how MLflow's migrations find constraints that were created unnamed
// (PostgreSQL `<table>_<column>_fkey`, MySQL `<table>_ibfk_<n>`). Not for SQLite (unnamed there).
std::optional<std::string> find_foreign_key(db::Connection& conn, std::string_view table,
                                            const std::vector<std::string>& columns,
                                            std::string_view referred_table = {});
// PostgreSQL / MySQL: the name of a unique constraint of `table` on exactly `columns` (in order):
// PostgreSQL a UNIQUE constraint (contype 'u'), MySQL a unique index other than PRIMARY (MySQL
// keeps unique constraints as indexes). nullopt when there is none.
std::optional<std::string> find_unique_constraint(db::Connection& conn, std::string_view table,
                                                  const std::vector<std::string>& columns);
// The same, but throws std::runtime_error naming the table and columns when there is none.
std::string require_foreign_key(db::Connection& conn, std::string_view table, const std::vector<std::string>& columns,
                                std::string_view referred_table = {});

// Whether `table` has a constraint (primary key, unique, foreign key, check) named `name`
// (PostgreSQL / MySQL).
bool constraint_exists(db::Connection& conn, std::string_view table, std::string_view name);

// alembic's op.drop_constraint(name, table, type_="foreignkey") on PostgreSQL / MySQL. On MySQL a
// foreign key that is already gone is not an error (see ddl(): a half-done migration runs again).
void drop_foreign_key(db::Connection& conn, std::string_view table, std::string_view name);
// alembic's op.drop_constraint(name, table, type_="unique") on PostgreSQL / MySQL (MySQL: DROP
// INDEX, skipped when the index is already gone, as above).
void drop_unique_constraint(db::Connection& conn, std::string_view table, std::string_view name);

// alembic's alter_column(table, column, type_=type, existing_nullable=nullable,
// existing_server_default=None) on PostgreSQL ("ALTER COLUMN c TYPE t") and MySQL ("MODIFY c t
// [NOT] NULL": MySQL restates the whole column). Not for SQLite: rebuild the table there.
void alter_column_type(db::Connection& conn, std::string_view table, std::string_view column, std::string_view type,
                       bool nullable);

// SQLite: alembic's batch mode "move and copy" (op.batch_alter_table when the change needs it):
// creates `_alembic_tmp_<table>` from `create_sql` (a "CREATE TABLE <table> (...)" statement of
// the table as it is to be, named by its final name), copies the rows, drops the old table,
// renames the new one to `table`, and recreates the old table's explicit indexes (their stored
// SQL) except those named in `dropped_indexes`. Columns copied: every column of the new table
// that the old one has (generated columns are not copied), plus `renamed` (new name <- old
// name). Triggers on the old table go with it, as in alembic. Needs PRAGMA foreign_keys=OFF
// (the runner's contract) when other tables refer to `table`.
struct SqliteRebuild {
  std::string_view table;
  std::string create_sql;
  std::vector<std::pair<std::string, std::string>> renamed{};
  std::vector<std::string> dropped_indexes{};
};
void sqlite_rebuild_table(db::Connection& conn, const SqliteRebuild& rebuild);

}  // namespace sextant::store::sql::migrations
