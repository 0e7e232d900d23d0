// MLflow's workspaces migration (alembic revision 1b5f0d9ad7c1), whose two versions share most of
// their DDL: upstream's (off c8d9e0f1a2b3, 12 tables) and the opendatahub-io fork's (off
// bf29a5ff90ea, 9 tables, its own jobs index, a workspaces table without default_artifact_root).
// See docs/design/mlflow-schema-revisions.md sections 9 and 9b.
#pragma once

#include "db/connection.hpp"

namespace sextant::store::sql::migrations {

enum class WorkspacesVariant { Upstream, Fork };

// The whole migration, in the order MLflow's file runs it on conn's dialect.
void add_workspace_columns(db::Connection& conn, WorkspacesVariant variant);

// What upstream's version does beyond the fork's; `add_workspace_columns(Upstream)` runs these,
// so does the path from the fork onto upstream:
// workspace on secrets, endpoints and model_definitions (their unique name becomes
// (workspace, name)),
void add_gateway_workspace_columns(db::Connection& conn);
// jobs' index index_jobs_name_status_creation_time on (job_name, workspace, status,
// creation_time) (and the column, unless the fork added it already),
void add_jobs_workspace_index(db::Connection& conn, bool add_column);
// and the workspace indexes of secrets, endpoints and model_definitions.
void add_gateway_workspace_indexes(db::Connection& conn);

}  // namespace sextant::store::sql::migrations
