// What Sextant's SQL stores must know about the schema of the database they serve, read from the
// catalog once at start (store/sql/schema.cpp) so that the same code serves every MLflow revision
// from 3.6's head on, known or not. Immutable after start; shared read-only by all threads.
#pragma once

#include <string>

namespace sextant::store::sql {

struct SchemaProfile {
  std::string revision;  // alembic_version as found (or as created)
  bool known_revision = true;
  // MLflow's workspaces (upstream and fork revision 1b5f0d9ad7c1 and later): experiments, the six
  // registry tables (registered_models, model_versions, registered_model_tags, model_version_tags,
  // registered_model_aliases) and webhooks have a `workspace` column, and the registry tables' keys
  // lead with it: registered_models (workspace, name), model_versions (workspace, name, version),
  // registered_model_tags (workspace, key, name), model_version_tags (workspace, key, name, version),
  // registered_model_aliases (workspace, name, alias); experiments are unique on (workspace, name).
  // Sextant then writes kDefaultWorkspace explicitly in every insert into those tables (MLflow
  // calls the column's server default temporary), uses the workspace-qualified keys as upsert
  // conflict targets, and qualifies its lookups with `workspace = 'default'`.
  bool workspaces = false;
  // jobs' function column: "function_fullname" up to b7c8d9e0f1a2 (and in the fork), "job_name" from
  // 5d2d30f0abce on.
  std::string jobs_name_column = "function_fullname";
  // From b7c8d9e0f1a2 on: trace_metrics (request_id, key, value), which MLflow's start_trace and
  // log_spans fill from the trace's token usage.
  bool trace_metrics = false;
  // From c8d9e0f1a2b3 on: spans.dimension_attributes and span_metrics, which MLflow's log_spans fills.
  bool span_metrics = false;
};

inline constexpr const char* kDefaultWorkspace = "default";

}  // namespace sextant::store::sql
