// Compiles a SearchLoggedModels query (store/logged_model_store.hpp) into parameterised SQL
// (for a db::Dialect) over MLflow's logged_models tables. User text only reaches SQL as bound values; column
// names come from a fixed table. Pure function.
#pragma once

#include "store/logged_model_store.hpp"
#include "store/sql/search_sql.hpp"

namespace sextant::store::sql {

// SELECT of model_id rows (column 0): active models of the (integer) experiment ids, filtered,
// ordered (NULLs last in both directions), max_results + 1 rows from offset.
SqlQuery compile_logged_model_search(const LoggedModelQuery& query, const db::Dialect& d = db::sqlite_dialect());

}  // namespace sextant::store::sql
