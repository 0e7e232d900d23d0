// The live catalog of the database Sextant serves: tables, their columns (type, nullability,
// default, generated/auto-increment) and unique keys (primary key, unique constraints and
// unique indexes, as column lists). Read at start to decide whether a schema, above all one at
// an MLflow revision Sextant does not know, accepts the rows Sextant writes. Names are as the
// database reports them; Sextant's own sextant_* tables are included.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "db/connection.hpp"

namespace sextant::store::sql {

struct CatalogColumn {
  std::string name;
  std::string type;            // as declared / reported (lower-case), for logs
  bool nullable = true;
  bool has_default = false;    // a server default, an auto-increment / sequence, or a generated value
};

struct CatalogTable {
  std::string name;
  std::vector<CatalogColumn> columns;                 // in table order
  std::vector<std::string> primary_key;               // columns, in key order; empty: none
  std::vector<std::vector<std::string>> unique_keys;  // every unique key incl. the primary key

  const CatalogColumn* column(std::string_view name) const;
  // Whether some unique key has exactly these columns (in any order).
  bool has_unique_key(const std::vector<std::string>& columns) const;
};

struct Catalog {
  std::map<std::string, CatalogTable> tables;

  const CatalogTable* table(std::string_view name) const;
};

// Reads the current schema's catalog (SQLite: the main database; PostgreSQL: current_schema();
// MySQL: DATABASE()). Runs a handful of catalog queries on `conn`, in the caller's transaction
// if any. Throws db::DbError.
Catalog read_catalog(db::Connection& conn);

}  // namespace sextant::store::sql
