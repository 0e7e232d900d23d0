#include "db/dialect.hpp"

namespace sextant::db {

namespace {

// EXCLUDED(col) -> excluded.col (SQLite, PostgreSQL) or VALUES(col) (MySQL).
std::string render_excluded(std::string_view update, Backend backend) {
  constexpr std::string_view kMarker = "EXCLUDED(";
  std::string out;
  std::size_t pos = 0;
  while (true) {
    auto at = update.find(kMarker, pos);
    if (at == std::string_view::npos) break;
    auto close = update.find(')', at);
    if (close == std::string_view::npos) break;
    out.append(update.substr(pos, at - pos));
    auto column = update.substr(at + kMarker.size(), close - at - kMarker.size());
    if (backend == Backend::Mysql) {
      out.append("VALUES(").append(column).append(")");
    } else {
      out.append("excluded.").append(column);
    }
    pos = close + 1;
  }
  out.append(update.substr(pos));
  return out;
}

}  // namespace

std::string Dialect::insert_ignore(std::string_view rest) const {
  switch (backend) {
    case Backend::Sqlite: return "INSERT OR IGNORE INTO " + std::string(rest);
    case Backend::Postgres: return "INSERT INTO " + std::string(rest) + " ON CONFLICT DO NOTHING";
    case Backend::Mysql: return "INSERT IGNORE INTO " + std::string(rest);
  }
  return {};
}

std::string Dialect::upsert(std::string_view rest, std::string_view key_columns, std::string_view update) const {
  std::string sql = "INSERT INTO " + std::string(rest);
  if (backend == Backend::Mysql) return sql + " ON DUPLICATE KEY UPDATE " + render_excluded(update, backend);
  return sql + " ON CONFLICT (" + std::string(key_columns) + ") DO UPDATE SET " + render_excluded(update, backend);
}

std::string Dialect::ilike(std::string_view column, std::string_view placeholder) const {
  // SQLite's LIKE has no escape character; PostgreSQL's has '\\' unless told ESCAPE ''. MariaDB
  // reads ESCAPE '' as the default '\\', so there '\\' escapes, as in MLflow on MySQL.
  const char* no_escape = backend == Backend::Postgres ? " ESCAPE ''" : "";
  if (backend == Backend::Postgres) return std::string(column) + " ILIKE " + std::string(placeholder) + no_escape;
  return "lower(" + std::string(column) + ") LIKE lower(" + std::string(placeholder) + ")" + no_escape;
}

std::string Dialect::like(std::string_view column, std::string_view placeholder) const {
  const char* no_escape = backend == Backend::Postgres ? " ESCAPE ''" : "";
  return std::string(column) + " LIKE " + std::string(placeholder) + no_escape;
}

std::string Dialect::cast_text(std::string_view expr) const {
  return "CAST(" + std::string(expr) + (backend == Backend::Mysql ? " AS CHAR)" : " AS TEXT)");
}

std::string Dialect::rtrim_slash(std::string_view expr) const {
  if (backend == Backend::Mysql) return "TRIM(TRAILING '/' FROM " + std::string(expr) + ")";
  return "rtrim(" + std::string(expr) + ", '/')";
}

std::string Dialect::char_length(std::string_view expr) const {
  return (backend == Backend::Mysql ? "CHAR_LENGTH(" : "length(") + std::string(expr) + ")";
}

std::string Dialect::returning(std::string_view column) const {
  return has_returning ? " RETURNING " + std::string(column) : std::string();
}

std::string Dialect::index_hint(std::string_view index) const {
  return has_index_hints ? " INDEXED BY " + std::string(index) : std::string();
}

const Dialect& sqlite_dialect() {
  static const Dialect d{Backend::Sqlite, "sqlite", /*has_returning=*/true, /*has_index_hints=*/true};
  return d;
}

const Dialect& postgres_dialect() {
  static const Dialect d{Backend::Postgres, "postgresql", /*has_returning=*/true, /*has_index_hints=*/false};
  return d;
}

const Dialect& mysql_dialect() {
  static const Dialect d{Backend::Mysql, "mysql", /*has_returning=*/false, /*has_index_hints=*/false};
  return d;
}

}  // namespace sextant::db
