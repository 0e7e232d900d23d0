// Compiles parsed searches (search/ast.hpp) into parameterised SQL for a db::Dialect. User text only
// ever reaches SQL as bound values; identifiers come from fixed tables. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "store/sql/sql_helpers.hpp"
#include "store/tracking_store.hpp"

namespace sextant::store::sql {

struct SqlQuery {
  std::string text;
  std::vector<SqlValue> binds;  // in the order of the '?' placeholders
};

// SELECT of run_uuid rows (column 0), ordered and paged as the query says.
SqlQuery compile_run_search(const RunQuery& query, const db::Dialect& d = db::sqlite_dialect());
// SELECT of experiment_id rows (column 0), max_results + 1 rows for the peek-ahead; with
// `workspaces` (SchemaProfile::workspaces), of the default workspace only.
SqlQuery compile_experiment_search(const ExperimentQuery& query, const db::Dialect& d = db::sqlite_dialect(),
                                   bool workspaces = false);

}  // namespace sextant::store::sql
