#include "store/sql/migrations/migration_ops.hpp"

#include <algorithm>
#include <stdexcept>

namespace sextant::store::sql::migrations {

namespace {

db::Backend backend(const db::Connection& conn) { return conn.dialect().backend; }

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ',';
    out += n;
  }
  return out;
}

void require_server_dialect(const db::Connection& conn, const char* what) {
  if (is_sqlite(conn)) throw std::runtime_error(std::string(what) + " is not available on SQLite");
}

// The first column of each row `sql` returns for the binds.
std::vector<std::string> column_values(db::Connection& conn, const std::string& sql,
                                       const std::vector<std::string_view>& binds) {
  auto st = conn.prepare(sql);
  int i = 1;
  for (auto b : binds) st.bind(i++, b);
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text(0));
  return out;
}

std::optional<std::string> first(std::vector<std::string> values) {
  if (values.empty()) return std::nullopt;
  return values.front();
}

bool has_row(db::Connection& conn, const std::string& sql, std::initializer_list<std::string_view> binds) {
  auto st = conn.prepare(sql);
  int i = 1;
  for (auto b : binds) st.bind(i++, b);
  return st.step();
}

// "'a','b'" -> the constraint's columns joined by ',' in key order (PostgreSQL).
constexpr const char* kPgConstraintColumns =
    "(SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) "
    "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum)";

}  // namespace

std::string_view by_dialect(const db::Connection& conn, std::string_view sqlite, std::string_view postgres,
                            std::string_view mysql) {
  switch (backend(conn)) {
    case db::Backend::Sqlite: return sqlite;
    case db::Backend::Postgres: return postgres;
    case db::Backend::Mysql: return mysql;
  }
  return sqlite;
}

bool is_sqlite(const db::Connection& conn) { return backend(conn) == db::Backend::Sqlite; }
bool is_postgres(const db::Connection& conn) { return backend(conn) == db::Backend::Postgres; }
bool is_mysql(const db::Connection& conn) { return backend(conn) == db::Backend::Mysql; }

void exec_all(db::Connection& conn, std::initializer_list<std::string_view> statements) {
  for (auto s : statements) ddl(conn, s);
}

std::string_view float53(const db::Connection& conn) { return is_sqlite(conn) ? "FLOAT" : "FLOAT(53)"; }

std::string_view text_or_mysql(const db::Connection& conn, std::string_view mysql_type) {
  return is_mysql(conn) ? mysql_type : "TEXT";
}

namespace {

// One catalog question in each dialect's words.
struct CatalogQuery {
  const char* sqlite;
  const char* postgres;
  const char* mysql;
};

constexpr CatalogQuery kTableExists{
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
    "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?",
    "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?"};
constexpr CatalogQuery kColumnExists{
    "SELECT 1 FROM pragma_table_info(?) WHERE name = ?",
    "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? AND "
    "column_name = ?",
    "SELECT 1 FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? AND column_name = ?"};
constexpr CatalogQuery kIndexExists{
    "SELECT 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name = ?",
    "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ? AND indexname = ?",
    "SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? AND index_name = ?"};

bool catalog_has(db::Connection& conn, const CatalogQuery& q, std::initializer_list<std::string_view> binds) {
  return has_row(conn, std::string(by_dialect(conn, q.sqlite, q.postgres, q.mysql)), binds);
}

}  // namespace

bool table_exists(db::Connection& conn, std::string_view table) { return catalog_has(conn, kTableExists, {table}); }

bool column_exists(db::Connection& conn, std::string_view table, std::string_view column) {
  return catalog_has(conn, kColumnExists, {table, column});
}

bool index_exists(db::Connection& conn, std::string_view table, std::string_view index) {
  return catalog_has(conn, kIndexExists, {table, index});
}

namespace {

// The identifier at `at` in `sql` (up to white space or '('), unquoted.
std::string identifier_at(std::string_view sql, std::size_t at) {
  auto end = sql.find_first_of(" \t\n(", at);
  std::string name(sql.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at));
  if (name.size() >= 2 && (name.front() == '"' || name.front() == '`')) name = name.substr(1, name.size() - 2);
  return name;
}

// The word after `prefix` when `sql` starts with it, else "".
std::string after(std::string_view sql, std::string_view prefix) {
  return sql.starts_with(prefix) ? identifier_at(sql, prefix.size()) : std::string();
}

// Whether the result of DDL statement `sql` is in place already (see ddl()). A table counts when
// it has the statement's columns, in order (else the CREATE runs and fails, as alembic's does).
bool already_done(db::Connection& conn, std::string_view sql) {
  if (auto table = after(sql, "CREATE TABLE "); !table.empty()) {
    return table_exists(conn, table) &&
           column_values(conn,
                         "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND "
                         "table_name = ? ORDER BY ordinal_position",
                         {table}) == declared_columns(sql);
  }
  for (std::string_view head : {"CREATE INDEX ", "CREATE UNIQUE INDEX "}) {
    if (auto index = after(sql, head); !index.empty()) {
      auto on = sql.find(" ON ");
      return on != std::string_view::npos && index_exists(conn, identifier_at(sql, on + 4), index);
    }
  }
  auto table = after(sql, "ALTER TABLE ");
  if (table.empty()) return false;
  const auto rest = sql.substr(std::string_view("ALTER TABLE ").size() + table.size());
  if (auto column = after(rest, " ADD COLUMN "); !column.empty()) return column_exists(conn, table, column);
  if (auto constraint = after(rest, " ADD CONSTRAINT "); !constraint.empty()) {
    return constraint_exists(conn, table, constraint);
  }
  return false;
}

}  // namespace

std::vector<std::string_view> create_table_items(std::string_view create_table) {
  std::vector<std::string_view> items;
  const auto open = create_table.find('(');
  if (open == std::string_view::npos) return items;
  auto push = [&](std::size_t from, std::size_t to) {
    auto item = create_table.substr(from, to - from);
    item.remove_prefix(std::min(item.find_first_not_of(" \t\n"), item.size()));
    item.remove_suffix(item.size() - (item.find_last_not_of(" \t\n") + 1));
    if (!item.empty()) items.push_back(item);
  };
  int depth = 0;
  char quote = 0;
  std::size_t start = open + 1;
  for (std::size_t i = open + 1; i < create_table.size(); ++i) {
    const char c = create_table[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && depth-- == 0) {
      push(start, i);
      break;
    } else if (c == ',' && depth == 0) {
      push(start, i);
      start = i + 1;
    }
  }
  return items;
}

std::vector<std::string> item_columns(const std::vector<std::string_view>& items) {
  std::vector<std::string> out;
  for (auto item : items) {
    bool constraint = false;
    for (std::string_view head : {"CONSTRAINT ", "PRIMARY KEY", "FOREIGN KEY", "UNIQUE ", "UNIQUE(", "CHECK "}) {
      constraint = constraint || item.starts_with(head);
    }
    if (!constraint) out.push_back(identifier_at(item, 0));
  }
  return out;
}

std::vector<std::string> declared_columns(std::string_view create_table) {
  return item_columns(create_table_items(create_table));
}

void ddl(db::Connection& conn, std::string_view sql) {
  if (is_mysql(conn) && already_done(conn, sql)) return;
  conn.exec(sql);
}

bool constraint_exists(db::Connection& conn, std::string_view table, std::string_view name) {
  require_server_dialect(conn, "constraint_exists");
  return has_row(conn,
                 std::string("SELECT 1 FROM information_schema.table_constraints WHERE table_schema = ") +
                     (is_mysql(conn) ? "DATABASE()" : "current_schema()") +
                     " AND table_name = ? AND constraint_name = ?",
                 {table, name});
}

std::optional<std::string> find_foreign_key(db::Connection& conn, std::string_view table,
                                            const std::vector<std::string>& columns, std::string_view referred_table) {
  require_server_dialect(conn, "find_foreign_key");
  const std::string cols = joined(columns);
  std::vector<std::string_view> binds{table};
  if (!referred_table.empty()) binds.push_back(referred_table);
  binds.push_back(cols);
  const std::string referred = referred_table.empty() ? "" : (is_postgres(conn) ? " AND r.relname = ?" : " AND referenced_table_name = ?");
  if (is_postgres(conn)) {
    return first(column_values(
        conn,
        "SELECT c.conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = "
        "t.relnamespace JOIN pg_class r ON r.oid = c.confrelid WHERE c.contype = 'f' AND n.nspname = current_schema() "
        "AND t.relname = ?" +
            referred + " AND " + kPgConstraintColumns + " = ? ORDER BY c.conname",
        binds));
  }
  return first(column_values(conn,
                             "SELECT constraint_name FROM information_schema.key_column_usage WHERE table_schema = "
                             "DATABASE() AND table_name = ? AND referenced_table_name IS NOT NULL" +
                                 referred +
                                 " GROUP BY constraint_name HAVING GROUP_CONCAT(column_name ORDER BY "
                                 "ordinal_position SEPARATOR ',') = ? ORDER BY constraint_name",
                             binds));
}

std::optional<std::string> find_unique_constraint(db::Connection& conn, std::string_view table,
                                                  const std::vector<std::string>& columns) {
  require_server_dialect(conn, "find_unique_constraint");
  const std::string cols = joined(columns);
  if (is_postgres(conn)) {
    return first(column_values(
        conn,
        std::string("SELECT c.conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n "
                    "ON n.oid = t.relnamespace WHERE c.contype = 'u' AND n.nspname = current_schema() AND "
                    "t.relname = ? AND ") +
            kPgConstraintColumns + " = ? ORDER BY c.conname",
        {table, cols}));
  }
  return first(column_values(
      conn,
      "SELECT index_name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? AND "
      "non_unique = 0 AND index_name <> 'PRIMARY' GROUP BY index_name HAVING GROUP_CONCAT(column_name ORDER BY "
      "seq_in_index SEPARATOR ',') = ? ORDER BY index_name",
      {table, cols}));
}

std::string require_foreign_key(db::Connection& conn, std::string_view table, const std::vector<std::string>& columns,
                                std::string_view referred_table) {
  if (auto name = find_foreign_key(conn, table, columns, referred_table)) return *name;
  throw std::runtime_error("Unable to find the foreign key constraint of " + std::string(table) + " (" +
                           joined(columns) + ")" +
                           (referred_table.empty() ? "" : " to " + std::string(referred_table)));
}

void drop_foreign_key(db::Connection& conn, std::string_view table, std::string_view name) {
  require_server_dialect(conn, "drop_foreign_key");
  if (is_mysql(conn) && !constraint_exists(conn, table, name)) return;
  conn.exec("ALTER TABLE " + std::string(table) +
            std::string(is_mysql(conn) ? " DROP FOREIGN KEY " : " DROP CONSTRAINT ") + std::string(name));
}

void drop_unique_constraint(db::Connection& conn, std::string_view table, std::string_view name) {
  require_server_dialect(conn, "drop_unique_constraint");
  if (is_mysql(conn) && !index_exists(conn, table, name)) return;
  conn.exec("ALTER TABLE " + std::string(table) + std::string(is_mysql(conn) ? " DROP INDEX " : " DROP CONSTRAINT ") +
            std::string(name));
}

void alter_column_type(db::Connection& conn, std::string_view table, std::string_view column, std::string_view type,
                       bool nullable) {
  require_server_dialect(conn, "alter_column_type");
  const std::string head = "ALTER TABLE " + std::string(table);
  if (is_postgres(conn)) {
    conn.exec(head + " ALTER COLUMN " + std::string(column) + " TYPE " + std::string(type));
  } else {
    conn.exec(head + " MODIFY " + std::string(column) + " " + std::string(type) + (nullable ? " NULL" : " NOT NULL"));
  }
}

void sqlite_rebuild_table(db::Connection& conn, const SqliteRebuild& rebuild) {
  if (!is_sqlite(conn)) throw std::runtime_error("sqlite_rebuild_table is for SQLite only");
  const std::string table(rebuild.table);
  const std::string tmp = "_alembic_tmp_" + table;
  const std::string head = "CREATE TABLE " + table + " (";
  if (!rebuild.create_sql.starts_with(head)) {
    throw std::runtime_error("sqlite_rebuild_table: the DDL does not create " + table);
  }
  const auto indexes_sql = [&] {
    auto st = conn.prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY rowid");
    st.bind(1, table);
    std::vector<std::string> out;
    while (st.step()) {
      const auto& dropped = rebuild.dropped_indexes;
      if (std::find(dropped.begin(), dropped.end(), st.text(0)) == dropped.end()) out.push_back(st.text(1));
    }
    return out;
  }();
  const auto old_columns = column_values(conn, "SELECT name FROM pragma_table_info(?)", {table});
  conn.exec("CREATE TABLE " + tmp + " (" + rebuild.create_sql.substr(head.size()));
  std::string into, from;
  auto add = [&](const std::string& to, const std::string& src) {
    into += (into.empty() ? "" : ", ") + ("\"" + to + "\"");
    from += (from.empty() ? "" : ", ") + (table + ".\"" + src + "\"");
  };
  for (const auto& col : column_values(conn, "SELECT name FROM pragma_table_info(?)", {tmp})) {
    auto renamed = std::find_if(rebuild.renamed.begin(), rebuild.renamed.end(),
                                [&](const auto& r) { return r.first == col; });
    if (renamed != rebuild.renamed.end()) {
      add(col, renamed->second);
    } else if (std::find(old_columns.begin(), old_columns.end(), col) != old_columns.end()) {
      add(col, col);
    }
  }
  conn.exec("INSERT INTO " + tmp + " (" + into + ") SELECT " + from + " FROM " + table);
  conn.exec("DROP TABLE " + table);
  conn.exec("ALTER TABLE " + tmp + " RENAME TO " + table);
  for (const auto& sql : indexes_sql) conn.exec(sql);
}

}  // namespace sextant::store::sql::migrations
