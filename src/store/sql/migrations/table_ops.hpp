// What MLflow's migrations after 3.6 do through alembic's operations and SQLAlchemy's inspector,
// for each dialect, on top of migration_ops.hpp: DDL text as SQLAlchemy renders it, alembic's
// lookups of constraints by their columns (PostgreSQL / MySQL give them generated names), and
// SQLite's batch-mode table rebuild that refuses to lose a column.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/connection.hpp"
#include "store/sql/migrations/migration_ops.hpp"

namespace sextant::store::sql::migrations::ops {

// "CREATE TABLE name (\n\tline, \n\tline\n)": SQLAlchemy's layout (SQLite keeps the text, and
// SQLAlchemy's SQLite reflection parses it line by line).
std::string table_sql(std::string_view name, const std::vector<std::string_view>& lines);
std::string table_sql(std::string_view name, std::initializer_list<std::string_view> lines);

// Runs DDL written in SQLAlchemy's generic spelling through migration_ops' ddl() (on MySQL a
// statement whose result is in place is skipped), as SQLAlchemy renders it for conn's dialect:
// FLOAT(53) is FLOAT on SQLite; BLOB is BYTEA on PostgreSQL; on MySQL a CREATE TABLE takes the
// character set and collation of `experiments` (MySQL refuses a foreign key between string
// columns of different collations; alembic's tables get the database's default, which is the
// same where MLflow created the database).
void exec(db::Connection& conn, std::string_view generic_sql);

// DROP INDEX name (MySQL: ... ON table; nothing when the index is gone, as after a run that failed
// half-way: MySQL commits each DDL statement and the runner resumes at the last stamp).
void drop_index(db::Connection& conn, std::string_view table, std::string_view index);

// alembic's _detect_unique_on_column: a unique constraint on exactly (column) (or named
// uq_<table>_<column>), else a unique index on exactly (column) that is not the primary key;
// dropped if found (PostgreSQL / MySQL; on SQLite the table rebuild drops it). Returns whether
// one was found.
bool drop_unique_on_column(db::Connection& conn, std::string_view table, std::string_view column);

// Drops every foreign key of `table` that refers to `referred` (PostgreSQL / MySQL).
void drop_foreign_keys_to(db::Connection& conn, std::string_view table, std::string_view referred);

// Drops the primary key (PostgreSQL: the named constraint; MySQL: DROP PRIMARY KEY, nothing when
// the table has none, as after a run that failed between the drop and the new key).
void drop_primary_key(db::Connection& conn, std::string_view table, std::string_view pk_name);

struct TableRebuild {
  std::string_view table;
  // The new table's column and constraint lines (table_sql's `lines`), in alembic's order.
  std::initializer_list<std::string_view> lines;
  // A unique index on exactly this column is not recreated (the constraint the migration drops).
  std::string_view drop_unique_on = {};
};

// alembic's batch mode with recreate on SQLite (sqlite_rebuild_table with the table as `lines`
// make it, less the unique index on `drop_unique_on`). Throws first if a column of the old table
// has no place in the new one (its values would be lost). Needs PRAGMA foreign_keys off.
void sqlite_rebuild(db::Connection& conn, const TableRebuild& rebuild);

}  // namespace sextant::store::sql::migrations::ops
