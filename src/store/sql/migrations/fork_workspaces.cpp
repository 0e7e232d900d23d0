// The opendatahub-io fork's workspaces migration (its 1b5f0d9ad7c1, off bf29a5ff90ea), and the path
// from there onto upstream's chain (docs/design/mlflow-schema-revisions.md section 9b).
#include "store/sql/migrations/migration.hpp"
#include "store/sql/migrations/table_ops.hpp"
#include "store/sql/migrations/workspace_columns.hpp"

namespace sextant::store::sql::migrations {

namespace {

void add_workspaces_fork(db::Connection& conn) { add_workspace_columns(conn, WorkspacesVariant::Fork); }

// Upstream's revisions up to c8d9e0f1a2b3 (the fork has none of them), then what upstream's
// 1b5f0d9ad7c1 does beyond the fork's: the result is upstream's 1b5f0d9ad7c1 schema.
void fork_onto_upstream(db::Connection& conn) {
  for (const auto& m : mlflow36_to_head()) {
    if (std::string_view(m.revision) == "1b5f0d9ad7c1") break;
    m.upgrade(conn);
  }
  add_gateway_workspace_columns(conn);
  add_jobs_workspace_index(conn, false);
  add_gateway_workspace_indexes(conn);
  ops::exec(conn, "ALTER TABLE workspaces ADD COLUMN default_artifact_root TEXT");
}

constexpr Migration kForkWorkspaces{"1b5f0d9ad7c1", "bf29a5ff90ea", "Add workspace columns and catalog table (fork)",
                                    add_workspaces_fork};
constexpr Migration kForkToUpstream[] = {
    {"1b5f0d9ad7c1", "1b5f0d9ad7c1",
     "from the opendatahub-io fork's workspaces schema onto upstream's (revisions 1bd49d398cd23 to c8d9e0f1a2b3, "
     "workspaces on the gateway tables)",
     fork_onto_upstream},
};

}  // namespace

const Migration& fork_workspaces() { return kForkWorkspaces; }

std::span<const Migration> fork_to_upstream() { return kForkToUpstream; }

}  // namespace sextant::store::sql::migrations
