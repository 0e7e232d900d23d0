#include "store/sql/catalog.hpp"

#include <algorithm>

#include "util/strings.hpp"

namespace sextant::store::sql {

namespace {

void read_sqlite(db::Connection& conn, Catalog& cat) {
  std::vector<std::string> names;
  {
    auto st = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
    while (st.step()) names.push_back(st.text(0));
  }
  for (const auto& name : names) {
    CatalogTable t;
    t.name = name;
    std::vector<std::pair<std::int64_t, std::string>> pk;
    // table_xinfo also lists generated columns (hidden 2 / 3); hidden 1 are virtual-table columns.
    auto cols = conn.prepare("SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?)");
    cols.bind(1, name);
    while (cols.step()) {
      if (cols.int64(5) == 1) continue;
      CatalogColumn c;
      c.name = cols.text(0);
      c.type = util::to_lower(cols.text(1));
      c.nullable = cols.int64(2) == 0;
      c.has_default = !cols.is_null(3) || cols.int64(5) >= 2;
      if (cols.int64(4) > 0) pk.emplace_back(cols.int64(4), c.name);
      t.columns.push_back(std::move(c));
    }
    std::sort(pk.begin(), pk.end());
    for (auto& [_, col] : pk) t.primary_key.push_back(col);
    // An INTEGER PRIMARY KEY is the rowid: it gets a value when the insert leaves it out.
    if (t.primary_key.size() == 1) {
      for (auto& c : t.columns) {
        if (c.name == t.primary_key[0] && c.type == "integer") c.has_default = true;
      }
    }
    std::vector<std::string> unique_indexes;
    {
      auto idx = conn.prepare("SELECT name FROM pragma_index_list(?) WHERE \"unique\" = 1");
      idx.bind(1, name);
      while (idx.step()) unique_indexes.push_back(idx.text(0));
    }
    for (const auto& index : unique_indexes) {
      auto info = conn.prepare("SELECT name FROM pragma_index_info(?) ORDER BY seqno");
      info.bind(1, index);
      std::vector<std::string> key;
      while (info.step()) key.push_back(info.is_null(0) ? std::string() : info.text(0));
      t.unique_keys.push_back(std::move(key));
    }
    if (!t.primary_key.empty()) t.unique_keys.push_back(t.primary_key);
    cat.tables.emplace(name, std::move(t));
  }
}

// Rows of (table, column, type, is_nullable 'YES'/'NO', has_default 0/1) in table order.
void read_columns(db::Connection& conn, const char* sql, Catalog& cat) {
  auto st = conn.prepare(sql);
  while (st.step()) {
    auto& t = cat.tables[st.text(0)];
    t.name = st.text(0);
    CatalogColumn c;
    c.name = st.text(1);
    c.type = util::to_lower(st.text(2));
    c.nullable = st.text(3) == "YES";
    c.has_default = st.int64(4) == 1;
    t.columns.push_back(std::move(c));
  }
}

// Rows of (table, is_primary 0/1, "col,col" in key order), one per unique key.
void read_unique_keys(db::Connection& conn, const char* sql, Catalog& cat) {
  auto st = conn.prepare(sql);
  while (st.step()) {
    auto it = cat.tables.find(st.text(0));
    if (it == cat.tables.end()) continue;
    auto key = util::split(st.text(2), ',');
    if (st.int64(1) == 1) it->second.primary_key = key;
    it->second.unique_keys.push_back(std::move(key));
  }
}

void read_postgres(db::Connection& conn, Catalog& cat) {
  read_columns(conn,
               "SELECT table_name, column_name, data_type, is_nullable, CASE WHEN column_default IS NOT NULL OR "
               "is_identity = 'YES' OR is_generated = 'ALWAYS' THEN 1 ELSE 0 END FROM information_schema.columns "
               "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
               cat);
  read_unique_keys(
      conn,
      "SELECT t.relname, CASE WHEN i.indisprimary THEN 1 ELSE 0 END, array_to_string(ARRAY(SELECT a.attname FROM "
      "unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = "
      "k.attnum ORDER BY k.ord), ',') FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON "
      "n.oid = t.relnamespace WHERE n.nspname = current_schema() AND i.indisunique AND i.indpred IS NULL",
      cat);
}

void read_mysql(db::Connection& conn, Catalog& cat) {
  read_columns(conn,
               "SELECT table_name, column_name, column_type, is_nullable, CASE WHEN column_default IS NOT NULL OR "
               "extra LIKE '%auto_increment%' OR extra LIKE '%GENERATED%' THEN 1 ELSE 0 END FROM "
               "information_schema.columns WHERE table_schema = DATABASE() ORDER BY table_name, ordinal_position",
               cat);
  read_unique_keys(conn,
                   "SELECT table_name, CASE WHEN index_name = 'PRIMARY' THEN 1 ELSE 0 END, GROUP_CONCAT(column_name "
                   "ORDER BY seq_in_index SEPARATOR ',') FROM information_schema.statistics WHERE table_schema = "
                   "DATABASE() AND non_unique = 0 GROUP BY table_name, index_name",
                   cat);
}

}  // namespace

const CatalogColumn* CatalogTable::column(std::string_view wanted) const {
  for (const auto& c : columns) {
    if (c.name == wanted) return &c;
  }
  return nullptr;
}

bool CatalogTable::has_unique_key(const std::vector<std::string>& wanted) const {
  auto sorted = wanted;
  std::sort(sorted.begin(), sorted.end());
  for (auto key : unique_keys) {
    std::sort(key.begin(), key.end());
    if (key == sorted) return true;
  }
  return false;
}

const CatalogTable* Catalog::table(std::string_view name) const {
  auto it = tables.find(std::string(name));
  return it == tables.end() ? nullptr : &it->second;
}

Catalog read_catalog(db::Connection& conn) {
  Catalog cat;
  switch (conn.dialect().backend) {
    case db::Backend::Sqlite: read_sqlite(conn, cat); break;
    case db::Backend::Postgres: read_postgres(conn, cat); break;
    case db::Backend::Mysql: read_mysql(conn, cat); break;
  }
  return cat;
}

}  // namespace sextant::store::sql
