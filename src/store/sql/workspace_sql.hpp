// SQL fragments that confine Sextant's statements on the workspace-scoped tables (experiments, the
// registry tables, webhooks) to MLflow's default workspace when the served schema has workspaces
// (SchemaProfile::workspaces), and are empty otherwise, so the pre-workspace SQL text is unchanged.
// Stores build their statement texts from them once, at construction. The workspace is written
// as the literal kDefaultWorkspace, never bound, so placeholders keep their numbers in both forms.
#pragma once

#include <string>
#include <string_view>

#include "store/sql/schema_profile.hpp"

namespace sextant::store::sql {

struct WorkspaceSql {
  explicit WorkspaceSql(bool workspaces) : on(workspaces) {
    if (!on) return;
    const std::string_view ws = kDefaultWorkspace;
    column = "workspace, ";
    value.append("'").append(ws).append("', ");
    where.append("workspace = '").append(ws).append("' AND ");
  }

  bool on;
  std::string column;  // "workspace, ": leads an INSERT's column list or an upsert's conflict target
  std::string value;   // "'default', ": that column's value in VALUES (...)
  std::string where;   // "workspace = 'default' AND ": leads a WHERE condition on an unaliased table

  // " AND <alias>.workspace = 'default'" (empty without workspaces), for aliased tables.
  std::string and_in(const std::string& alias) const {
    return on ? " AND " + alias + ".workspace = '" + kDefaultWorkspace + "'" : "";
  }
  // SQLite's UNIQUE failure text for `table`'s name key: "<table>.name", or
  // "<table>.workspace, <table>.name" where the key is (workspace, name) (MLflow quotes it).
  std::string unique_name_failure(const std::string& table) const {
    return "UNIQUE constraint failed: " + (on ? table + ".workspace, " : std::string()) + table + ".name";
  }
};

}  // namespace sextant::store::sql
