#include "store/sql/migrations/table_ops.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace sextant::store::sql::migrations::ops {

namespace {

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
}

std::string quoted(const db::Connection& conn, std::string_view name) {
  const char q = is_mysql(conn) ? '`' : '"';
  return std::string(1, q) + std::string(name) + q;
}

std::vector<std::string> strings(db::Statement st, int col = 0) {
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text(col));
  return out;
}

// The first column of the rows of `sql` with its two parameters bound.
std::vector<std::string> names(db::Connection& conn, const char* sql, std::string_view a, std::string_view b) {
  auto st = conn.prepare(sql);
  st.bind(1, a).bind(2, b);
  return strings(std::move(st));
}

std::optional<std::string> first(db::Statement st) {
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

std::vector<std::string> sqlite_columns(db::Connection& conn, std::string_view table) {
  auto st = conn.prepare("SELECT name FROM pragma_table_info(?) ORDER BY cid");
  st.bind(1, table);
  return strings(std::move(st));
}

// The indexes created as UNIQUE on exactly (column) (not a constraint's automatic index).
std::vector<std::string> sqlite_unique_indexes_on(db::Connection& conn, std::string_view table, std::string_view column) {
  if (column.empty()) return {};
  return names(conn,
               "SELECT l.name FROM pragma_index_list(?1) l WHERE l.\"unique\" = 1 AND l.origin = 'c' "
               "AND (SELECT COUNT(*) FROM pragma_index_info(l.name)) = 1 "
               "AND (SELECT i.name FROM pragma_index_info(l.name) i) = ?2",
               table, column);
}

}  // namespace

std::string table_sql(std::string_view name, std::initializer_list<std::string_view> lines) {
  return table_sql(name, std::vector<std::string_view>(lines));
}

std::string table_sql(std::string_view name, const std::vector<std::string_view>& lines) {
  std::string out = "CREATE TABLE " + std::string(name) + " (\n\t";
  bool first = true;
  for (auto line : lines) {
    if (!first) out += ", \n\t";
    out += line;
    first = false;
  }
  return out + "\n)";
}

void exec(db::Connection& conn, std::string_view generic_sql) {
  std::string sql(generic_sql);
  switch (conn.dialect().backend) {
    case db::Backend::Sqlite: replace_all(sql, "FLOAT(53)", "FLOAT"); break;
    case db::Backend::Postgres: replace_all(sql, " BLOB", " BYTEA"); break;
    case db::Backend::Mysql:
      if (sql.starts_with("CREATE TABLE ")) {
        auto st = conn.prepare(
            "SELECT table_collation FROM information_schema.tables WHERE table_schema = DATABASE() AND "
            "table_name = 'experiments'");
        if (st.step() && !st.is_null(0)) sql += " COLLATE=" + st.text(0);
      }
      break;
  }
  ddl(conn, sql);
}

void drop_index(db::Connection& conn, std::string_view table, std::string_view index) {
  if (is_mysql(conn) && !index_exists(conn, table, index)) return;  // gone in a run that failed half-way
  std::string sql = "DROP INDEX " + quoted(conn, index);
  if (is_mysql(conn)) sql += " ON " + quoted(conn, table);
  conn.exec(sql);
}

bool drop_unique_on_column(db::Connection& conn, std::string_view table, std::string_view column) {
  const std::string conventional = "uq_" + std::string(table) + "_" + std::string(column);
  if (is_postgres(conn)) {
    auto constraints = conn.prepare(
        "SELECT c.conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
        "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = current_schema() AND t.relname = ? "
        "AND c.contype = 'u' AND ((cardinality(c.conkey) = 1 AND (SELECT a.attname FROM pg_attribute a "
        "WHERE a.attrelid = t.oid AND a.attnum = c.conkey[1]) = ?) OR c.conname = ?) ORDER BY c.conname");
    constraints.bind(1, table).bind(2, column).bind(3, conventional);
    if (auto name = first(std::move(constraints))) {
      drop_unique_constraint(conn, table, *name);
      return true;
    }
    auto indexes = conn.prepare(
        "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = "
        "x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = current_schema() AND "
        "t.relname = ? AND x.indisunique AND NOT x.indisprimary AND x.indnatts = 1 AND (SELECT a.attname FROM "
        "pg_attribute a WHERE a.attrelid = t.oid AND a.attnum = x.indkey[0]) = ? ORDER BY i.relname");
    indexes.bind(1, table).bind(2, column);
    auto name = first(std::move(indexes));
    if (name) drop_index(conn, table, *name);
    return name.has_value();
  }
  if (is_mysql(conn)) {  // MySQL's unique constraints are its unique indexes
    auto st = conn.prepare(
        "SELECT index_name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? "
        "AND non_unique = 0 AND index_name <> 'PRIMARY' GROUP BY index_name "
        "HAVING (COUNT(*) = 1 AND MAX(column_name) = ?) OR index_name = ? ORDER BY index_name");
    st.bind(1, table).bind(2, column).bind(3, conventional);
    auto name = first(std::move(st));
    if (name) drop_unique_constraint(conn, table, *name);
    return name.has_value();
  }
  throw std::logic_error("drop_unique_on_column: SQLite drops constraints by rebuilding the table");
}

void drop_foreign_keys_to(db::Connection& conn, std::string_view table, std::string_view referred) {
  if (is_sqlite(conn)) throw std::logic_error("drop_foreign_keys_to: SQLite drops constraints by rebuilding the table");
  const auto fks =
      is_postgres(conn)
          ? names(conn,
                  "SELECT c.conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON "
                  "r.oid = c.confrelid JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = "
                  "current_schema() AND c.contype = 'f' AND t.relname = ? AND r.relname = ? ORDER BY c.conname",
                  table, referred)
          : names(conn,
                  "SELECT constraint_name FROM information_schema.referential_constraints WHERE constraint_schema = "
                  "DATABASE() AND table_name = ? AND referenced_table_name = ? ORDER BY constraint_name",
                  table, referred);
  for (const auto& name : fks) drop_foreign_key(conn, table, name);
}

void drop_primary_key(db::Connection& conn, std::string_view table, std::string_view pk_name) {
  if (is_mysql(conn)) {
    if (!index_exists(conn, table, "PRIMARY")) return;  // dropped by a run that failed half-way
    return conn.exec("ALTER TABLE " + quoted(conn, table) + " DROP PRIMARY KEY");
  }
  conn.exec("ALTER TABLE " + quoted(conn, table) + " DROP CONSTRAINT " + quoted(conn, pk_name));
}

void sqlite_rebuild(db::Connection& conn, const TableRebuild& rebuild) {
  const std::string table(rebuild.table);
  if (first(conn.prepare("PRAGMA foreign_keys")) != "0") {
    // DROP TABLE would delete (or cascade into) the rows that refer to the table's rows.
    throw std::logic_error("rebuilding " + table + " needs PRAGMA foreign_keys=OFF");
  }
  const auto old_columns = sqlite_columns(conn, table);
  if (old_columns.empty()) throw std::runtime_error("table " + table + " does not exist");
  const auto new_columns = item_columns(std::vector<std::string_view>(rebuild.lines));
  for (const auto& column : old_columns) {
    if (std::find(new_columns.begin(), new_columns.end(), column) == new_columns.end()) {
      throw std::runtime_error("cannot migrate table " + table + ": its column " + column +
                               " is not one MLflow's schema has at this revision");
    }
  }
  sqlite_rebuild_table(conn, {.table = rebuild.table,
                              .create_sql = table_sql(table, rebuild.lines),
                              .dropped_indexes = sqlite_unique_indexes_on(conn, table, rebuild.drop_unique_on)});
}

}  // namespace sextant::store::sql::migrations::ops
