// Whether a database's schema accepts the rows Sextant writes: the check that lets Sextant serve
// a database at an MLflow revision it does not know (a newer release) instead of refusing it.
// Pure: works on a Catalog already read (store/sql/catalog.hpp).
#pragma once

#include <string>
#include <vector>

#include "store/sql/catalog.hpp"
#include "store/sql/schema_profile.hpp"

namespace sextant::store::sql {

struct SchemaFindings {
  // Each one a reason Sextant cannot write to the database, naming the table and column; empty:
  // the schema accepts Sextant's rows.
  std::vector<std::string> refusals;
  // What differs from the schema Sextant knows and is harmless (a new nullable column, a new
  // column with a default, a table Sextant does not use), one line each, for the start-up log.
  std::vector<std::string> notes;
};

// Checks every table Sextant writes against `catalog`: present; every column Sextant knows for it
// (MLflow 3.6's, plus `workspace` where profile.workspaces) present; each column Sextant does not
// know nullable or with a default; the unique keys Sextant's upserts name present.
SchemaFindings inspect_schema(const Catalog& catalog, const SchemaProfile& profile);

// The tables Sextant writes rows to (the rest of MLflow's tables it leaves alone).
const std::vector<std::string>& written_tables();

}  // namespace sextant::store::sql
