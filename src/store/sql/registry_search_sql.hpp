// Compiles registry searches (Grammar::RegisteredModels / ModelVersions ASTs) into
// parameterised SQL for a db::Dialect. User text only reaches SQL as bound values; column names come from
// fixed tables. Pure functions.
#pragma once

#include "store/registry_store.hpp"
#include "store/sql/search_sql.hpp"

namespace sextant::store::sql {

// SELECT name (column 0) of registered models, ordered, max_results + 1 rows from offset. With
// `workspaces` (SchemaProfile::workspaces), of the default workspace only; likewise below.
SqlQuery compile_registered_model_search(const RegistrySearchQuery& query,
                                          const db::Dialect& d = db::sqlite_dialect(), bool workspaces = false);
// The columns a model version search returns, in this order.
inline constexpr const char* kModelVersionSearchColumns =
    "mv.name, mv.version, mv.creation_time, mv.last_updated_time, mv.description, mv.user_id, mv.current_stage, "
    "mv.source, mv.run_id, mv.status, mv.status_message, mv.run_link, mv.storage_location";
// SELECT kModelVersionSearchColumns of non-deleted model versions, likewise.
SqlQuery compile_model_version_search(const RegistrySearchQuery& query,
                                      const db::Dialect& d = db::sqlite_dialect(), bool workspaces = false);

}  // namespace sextant::store::sql
